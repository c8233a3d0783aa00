"""ca_editor: curate a news section page offline and export it as a self-contained HTML bundle."""


def __getattr__(name: str) -> str:
    # Looked up on first use, not at import: importlib.metadata costs 0.1 s, and the export's page workers
    # (``export.workers``), started per export, never need the version.
    if name != "__version__":
        raise AttributeError(f"module 'ca_editor' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("ca-editor")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
