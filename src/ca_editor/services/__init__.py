"""Use cases. One transaction per call (``persistence.database``); in and out go domain values. No Qt."""
