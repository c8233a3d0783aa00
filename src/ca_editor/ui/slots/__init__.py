"""The editor's-choice pane: ordered slots with drag-and-drop and keyboard twins, overrides, put back."""

from ca_editor.ui.slots.models import FormerListModel, SlotListModel
from ca_editor.ui.slots.overrides import OverridesPanel
from ca_editor.ui.slots.pane import EditorsChoicePane, confirm_eviction
from ca_editor.ui.slots.rows import SlotListView

__all__ = [
    "EditorsChoicePane",
    "FormerListModel",
    "OverridesPanel",
    "SlotListModel",
    "SlotListView",
    "confirm_eviction",
]
