"""The pre-export checklist pane and the export gate's dialog."""

from ca_editor.ui.checks.gate import OverrideDialog
from ca_editor.ui.checks.pane import ChecklistPane

__all__ = ["ChecklistPane", "OverrideDialog"]
