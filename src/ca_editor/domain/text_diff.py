"""Text diffs a reviewer reads: words changed within a line, and changed lines with a little context.

``word_diff(old, new)`` gives equal, deleted and inserted runs of words (whitespace and punctuation kept);
``text_diff(old, new)`` gives one ``CHANGED`` line for a one-line text, else the changed lines of a
multi-line text (the body) with ``CONTEXT_LINES`` around them, a line edited a little shown word by word.
Both use ``difflib``. The layout comparison (``domain/layout_diff.py``) attaches one per changed field.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

#: Unchanged lines kept around a changed line of a multi-line field.
CONTEXT_LINES = 2
#: Two changed lines this similar are shown as one line edited word by word, else as removed and added.
_PAIR_RATIO = 0.5

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


class Op(StrEnum):
    EQUAL = "equal"
    DELETE = "delete"
    INSERT = "insert"


@dataclass(frozen=True, slots=True)
class Segment:
    op: Op
    text: str


class LineKind(StrEnum):
    SAME = "same"  # an unchanged line of context
    OLD = "old"  # a line as it was (its deleted words marked)
    NEW = "new"  # a line as it is (its inserted words marked)
    CHANGED = "changed"  # a one-line field: deleted and inserted words in one line
    SKIPPED = "skipped"  # unchanged lines left out; ``skipped`` says how many


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: LineKind
    segments: tuple[Segment, ...] = ()
    skipped: int = 0

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """``old`` → ``new`` as equal, deleted and inserted runs of words (whitespace and punctuation kept)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            _append(segments, Op.EQUAL, "".join(a[i1:i2]))
        else:
            _append(segments, Op.DELETE, "".join(a[i1:i2]))
            _append(segments, Op.INSERT, "".join(b[j1:j2]))
    return tuple(segments)


def text_diff(old: str, new: str, context: int = CONTEXT_LINES) -> tuple[DiffLine, ...]:
    """One field's diff: a ``CHANGED`` line for one-line texts, else the changed lines in context."""
    if old == new:
        return ()
    if "\n" not in old and "\n" not in new:
        return (DiffLine(LineKind.CHANGED, word_diff(old, new)),)
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            lines.extend(_context(a[i1:i2], first=index == 0, last=index == len(opcodes) - 1, size=context))
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            before = olds[k] if k < len(olds) else None
            after = news[k] if k < len(news) else None
            if before is not None and after is not None and _similar(before, after):
                words = word_diff(before, after)
                lines.append(DiffLine(LineKind.OLD, tuple(s for s in words if s.op != Op.INSERT)))
                lines.append(DiffLine(LineKind.NEW, tuple(s for s in words if s.op != Op.DELETE)))
                continue
            if before is not None:
                lines.append(DiffLine(LineKind.OLD, (Segment(Op.DELETE, before),) if before else ()))
            if after is not None:
                lines.append(DiffLine(LineKind.NEW, (Segment(Op.INSERT, after),) if after else ()))
    return tuple(lines)


def _context(same: list[str], *, first: bool, last: bool, size: int) -> list[DiffLine]:
    head = [] if first else same[:size]  # after a change
    tail = [] if last else same[-size:] if size else []  # before a change
    if len(head) + len(tail) >= len(same):
        kept = same
        return [DiffLine(LineKind.SAME, (Segment(Op.EQUAL, line),)) for line in kept]
    result = [DiffLine(LineKind.SAME, (Segment(Op.EQUAL, line),)) for line in head]
    result.append(DiffLine(LineKind.SKIPPED, skipped=len(same) - len(head) - len(tail)))
    result.extend(DiffLine(LineKind.SAME, (Segment(Op.EQUAL, line),)) for line in tail)
    return result


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= _PAIR_RATIO


def _append(segments: list[Segment], op: Op, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))
