"""The story detail editor pane.

``story_editor.py`` is the shell (``StoryEditor``: the flow of showing, editing, checking and saving); its
state without widgets is ``domain/story_form.py``. The parts: ``header.py`` (actions, heading, notice bar),
``form_view.py`` (the scrolling form, read and filled as one), ``story_group.py`` (title … tags, and the
body), ``image_group.py`` (the shared ``ui/image_picker.py`` and the picture's texts), ``field_rows.py``
(caption, field and message of each row), ``slug_lookup.py`` (slug questions, off the UI thread),
``saving.py`` (a save and what a refused one means), ``workflow.py`` (status steps and history),
``markdown.py`` (the body editor) and ``widgets.py`` (field messages, colours).
"""

from ca_editor.ui.editor.story_editor import StoryEditor

__all__ = ["StoryEditor"]
