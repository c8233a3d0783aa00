"""The preview pane: the export's own pages in a hardened QtWebEngine view. The only QtWebEngine user."""

from ca_editor.ui.preview.pane import PreviewMode, PreviewPane, WidthPreset

__all__ = ["PreviewMode", "PreviewPane", "WidthPreset"]
