"""Use cases. One transaction per user action; inputs and outputs are domain dataclasses. No Qt."""
