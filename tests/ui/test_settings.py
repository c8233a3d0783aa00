"""Settings survive a restart with their types: written in one process, read back in a fresh one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ca_editor.ui.settings import Settings

WRITE = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QByteArray, QCoreApplication, QSettings
    from ca_editor.ui.settings import Settings
    QCoreApplication.setOrganizationName("ca-editor"); QCoreApplication.setApplicationName("ca-editor-test")
    s = Settings(QSettings(sys.argv[1], QSettings.Format.IniFormat))
    s.theme = "dark"
    s.preview_side_by_side = True
    s.preview_width = "phone"
    s.search_debounce_ms = 275
    s.window_state = QByteArray(b"\\x00\\x01binary\\xff")
    s.last_export_folder = "/tmp/bundle ä"
    s.sync()
    """
)

READ = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QSettings
    from ca_editor.ui.settings import Settings
    s = Settings(QSettings(sys.argv[1], QSettings.Format.IniFormat))
    print(json.dumps({
        "theme": s.theme, "side": s.preview_side_by_side, "width": s.preview_width,
        "debounce": s.search_debounce_ms, "debounce_type": type(s.search_debounce_ms).__name__,
        "side_type": type(s.preview_side_by_side).__name__,
        "state": bytes(s.window_state.data()).hex(), "folder": s.last_export_folder,
        "open_after": s.export_open_folder_after,
    }))
    """
)


def run(script: str, ini: Path) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", script, str(ini)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_values_read_back_in_a_fresh_process_keep_their_types(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    run(WRITE, ini)
    assert "true" in ini.read_text(encoding="utf-8")  # the file really stores strings
    values = json.loads(run(READ, ini))
    assert values == {
        "theme": "dark",
        "side": True,
        "side_type": "bool",
        "width": "phone",
        "debounce": 275,
        "debounce_type": "int",
        "state": (b"\x00\x01binary\xff").hex(),
        "folder": "/tmp/bundle ä",
        "open_after": False,
    }


def test_missing_or_malformed_values_fall_back_to_defaults(tmp_path: Path) -> None:
    ini = tmp_path / "broken.ini"
    ini.write_text(
        "[appearance]\ntheme=purple\n[preview]\nside_by_side=perhaps\nwidth=42\n"
        "[stories]\nsearch_debounce_ms=soon\n",
        encoding="utf-8",
    )
    settings = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    assert settings.theme == "system"  # not one of the known themes
    assert settings.preview_width == "fit"
    assert settings.search_debounce_ms in (0, 150)  # Qt converts 'soon' to 0 or we fall back
    assert isinstance(settings.preview_side_by_side, bool)
    assert settings.window_geometry == QByteArray()


def test_every_setting_has_a_distinct_key() -> None:
    keys = [setting.key for setting in Settings.keys().values()]
    assert len(keys) == len(set(keys)) >= 8
