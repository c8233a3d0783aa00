"""Pure domain: frozen dataclasses and the rules of slots, dates, slugs and validation. No I/O, no Qt."""
