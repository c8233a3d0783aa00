"""The version of ca-editor: hatchling reads it when building, the app imports it."""

__version__ = "0.1.0"
