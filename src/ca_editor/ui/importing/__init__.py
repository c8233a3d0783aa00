"""Import stories from the window: choose, preview the plan, import in one transaction (or cancel)."""

from ca_editor.ui.importing.dialog import ImportDialog
from ca_editor.ui.importing.model import PlanModel

__all__ = ["ImportDialog", "PlanModel"]
