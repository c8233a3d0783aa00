"""The story detail editor pane."""

from ca_editor.ui.editor.story_editor import StoryEditor

__all__ = ["StoryEditor"]
