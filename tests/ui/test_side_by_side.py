"""The conflict comparison's side-by-side rows come from the app's one line diff (``domain.text_diff``)."""

from __future__ import annotations

from ca_editor.ui.side_by_side import DiffColours, _line_rows

COLOURS = DiffColours(mine="MINE", theirs="THEIRS", muted="MUTED", rule="RULE")


def test_changed_lines_pair_up_tinted_and_long_unchanged_runs_fold() -> None:
    mine = "\n".join(f"line {i}" for i in range(12))
    theirs = mine.replace("line 5", "line five")
    rows = _line_rows(mine, theirs, COLOURS)
    changed = [row for row in rows if "MINE" in row]
    assert (
        len(changed) == 1
        and "line 5<" in changed[0]
        and "line five<" in changed[0]
        and "THEIRS" in changed[0]
    )
    assert sum("⋯" in row for row in rows) == 2  # before and after the two lines of context
    assert sum("line 3<" in row for row in rows) == 1 and "line 0<" not in "".join(rows)


def test_a_line_only_one_side_has_leaves_the_other_cell_empty() -> None:
    rows = _line_rows("a\nb", "a\nb\nc", COLOURS)
    assert rows[-1].count("THEIRS") == 1 and "MINE" not in rows[-1] and ">c<" in rows[-1]
