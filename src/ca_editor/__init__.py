"""ca_editor: curate a news section page offline and export it as a self-contained HTML bundle."""

from ca_editor._version import __version__

__all__ = ["__version__"]
