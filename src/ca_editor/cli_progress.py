"""Progress bars for long command-line work: in a terminal only, never in a script's or CI's log.

The services report progress as ``(done, total)`` calls (the same callback the window's export and import
dialogs use); ``bar`` turns them into a tqdm bar on stderr, with counts, rate and time left. When stderr is
not a terminal ``bar`` yields ``None``, the services report nothing, and tqdm is not even imported. A bar
appears only after half a second, so quick commands (an export with nothing changed) print none.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

Progress = Callable[[int, int], None]  # (done, total)

SHOW_AFTER_S = 0.5


def is_terminal(stream: IO[str] | None = None) -> bool:
    stream = stream if stream is not None else sys.stderr
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


@contextmanager
def bar(description: str, unit: str) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on stderr while the block runs; ``None`` when not in a terminal.

    The bar is removed when the block ends (the command's own summary follows), also on Ctrl+C.
    """
    if not is_terminal():
        yield None
        return
    from tqdm import tqdm

    # A terminal that reports no size (0 × 0: a bare pty, `script`) would get no bar at all from tqdm;
    # it gets $COLUMNS × $LINES, else 80 × 24.
    sized = _reported_columns() > 0
    fallback = shutil.get_terminal_size()
    shown: Any = tqdm(
        desc=description,
        unit=unit,
        total=None,
        file=sys.stderr,
        delay=SHOW_AFTER_S,
        leave=False,
        dynamic_ncols=sized,
        ncols=None if sized else fallback.columns,
        nrows=None if sized else fallback.lines,
        mininterval=0.1,
    )

    def progress(done: int, total: int) -> None:
        if total != shown.total:
            shown.total = total  # an export learns of its images as it goes
            shown.refresh()
        shown.update(done - shown.n)

    try:
        yield progress
    finally:
        shown.close()


def _reported_columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0
