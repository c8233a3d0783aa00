"""The layout history: every sign-off, send-back and export as a snapshot, compared and restored."""

from ca_editor.ui.history.model import SnapshotListModel
from ca_editor.ui.history.pane import LayoutHistoryPane

__all__ = ["LayoutHistoryPane", "SnapshotListModel"]
