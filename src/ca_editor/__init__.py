"""ca_editor: curate a news section page offline and export it as a self-contained HTML bundle."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ca-editor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
