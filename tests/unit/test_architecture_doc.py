"""docs/architecture.md stays a map: short, and naming every module of ``src/ca_editor`` and no module gone.

A module is named by its path relative to ``src/ca_editor`` in backticks (```ui/desk.py```); a package's
``__init__.py`` is also covered by naming the package (```ui/sheet/```). Paths the doc names outside the
package (``tests/…``, ``bench/…``, ``db/…``) must exist from the repository root.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "ca_editor"
DOC = ROOT / "docs" / "architecture.md"
MAX_WORDS = 1800  # 1,500 until the shared desk (issue 14) added a subsystem

# `some/path.py` or `some/package/` inside backticks; globs (`db/versions/*.py`) are not paths.
_PATH = re.compile(r"`([A-Za-z0-9_./-]+(?:\.py|/))`")


def _modules() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _named(text: str) -> set[str]:
    return {m.group(1) for m in _PATH.finditer(text)}


def _covered(module: str, named: set[str]) -> bool:
    if module in named:
        return True
    package, _, file = module.rpartition("/")
    return file == "__init__.py" and bool(package) and f"{package}/" in named


def test_every_module_is_named() -> None:
    named = _named(DOC.read_text(encoding="utf-8"))
    missing = [m for m in _modules() if not _covered(m, named)]
    assert not missing, (
        f"docs/architecture.md does not name {len(missing)} module(s) of src/ca_editor; add a row to "
        "'Where does X live' for each: " + ", ".join(missing)
    )


def test_every_named_path_exists() -> None:
    named = _named(DOC.read_text(encoding="utf-8"))
    gone = sorted(p for p in named if not (PACKAGE / p).exists() and not (ROOT / p).exists())
    assert not gone, (
        "docs/architecture.md names path(s) that exist neither under src/ca_editor nor the repository "
        "root (moved or removed? update the doc): " + ", ".join(gone)
    )


def test_the_map_is_short() -> None:
    words = len(DOC.read_text(encoding="utf-8").split())
    assert words <= MAX_WORDS, (
        f"docs/architecture.md has {words} words (at most {MAX_WORDS}, as `wc -w` counts): keep it a map "
        "and move explanations into the docstrings of the modules they explain"
    )
