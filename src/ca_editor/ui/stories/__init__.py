"""The story list pane and the archive filter pane, with their item models."""

from ca_editor.ui.stories.archive_pane import ArchiveFilterPane, ArchiveTreeModel
from ca_editor.ui.stories.chart import MonthChart, month_series
from ca_editor.ui.stories.list_pane import StoryListPane
from ca_editor.ui.stories.model import StoryIdRole, StoryListModel

__all__ = [
    "ArchiveFilterPane",
    "ArchiveTreeModel",
    "MonthChart",
    "StoryIdRole",
    "StoryListModel",
    "StoryListPane",
    "month_series",
]
