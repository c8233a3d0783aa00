"""A helper process that creates the stage's files while the export renders the next pages.

Creating a file costs the kernel far more than rendering one costs Python when a folder has seen many
deletions (ext4 then searches its inode bitmaps past recently freed inodes), and a thread cannot overlap the
two: every return from a system call waits for the GIL. A second process can, on the second core. It is a
plain ``python -m`` child reading length-prefixed records from a pipe, not multiprocessing: nothing of the
caller's ``__main__`` is re-run and no Qt state is forked.

Record: 4-byte big-endian path length, path (bundle-relative, UTF-8), 4-byte data length, data. The child
writes each file with ``O_EXCL`` and exits 0 at end of input; on an error it prints ``errno<TAB>message`` to
stderr and exits 1.
"""

from __future__ import annotations

import contextlib
import os
import struct
import subprocess
import sys
from typing import IO

_HEADER = struct.Struct(">I")
_EARLY_WRITEBACK = hasattr(os, "posix_fadvise")


class FileWriterProcess:
    """The parent's handle: ``write`` sends a file to the child; ``close`` waits for all of them."""

    def __init__(self, root: str) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "ca_editor.export.filer", root],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
        assert self._proc.stdin is not None
        self._pipe: IO[bytes] = self._proc.stdin

    def write(self, relative: str, data: bytes) -> None:
        name = relative.encode("utf-8")
        try:
            self._pipe.write(_HEADER.pack(len(name)) + name + _HEADER.pack(len(data)))
            self._pipe.write(data)
        except BrokenPipeError:
            self._raise_child_error()

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            self._pipe.close()
        if self._proc.wait() != 0:
            self._raise_child_error()

    def abort(self) -> None:
        self._proc.kill()
        self._proc.wait()
        if self._proc.stderr is not None:
            self._proc.stderr.close()

    def _raise_child_error(self) -> None:
        self._proc.wait()
        message = self._proc.stderr.read().decode("utf-8", "replace") if self._proc.stderr else ""
        number, _, text = message.strip().partition("\t")
        raise OSError(int(number) if number.isdigit() else 0, text or "the file writer stopped")


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError
    return data


def main(root: str) -> int:
    stream = sys.stdin.buffer
    try:
        while True:
            header = stream.read(_HEADER.size)
            if not header:
                return 0
            name = _read_exactly(stream, _HEADER.unpack(header)[0]).decode("utf-8")
            data = _read_exactly(stream, _HEADER.unpack(_read_exactly(stream, _HEADER.size))[0])
            fd = os.open(f"{root}/{name}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if _EARLY_WRITEBACK:
                    # Start writing the page out now, while the export renders on: the sync before the swap
                    # then finds little left to write (Linux starts writeback for DONTNEED; 0.6 s -> 0.1 s
                    # at 10,000 pages here, and the pages are not read again: the next export links them).
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    except OSError as exc:
        sys.stderr.write(f"{exc.errno or 0}\t{exc.strerror or exc}: {exc.filename or ''}\n")
        return 1
    except EOFError:
        sys.stderr.write("0\tthe export stopped mid-file\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
