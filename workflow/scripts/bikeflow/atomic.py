"""Write files so that readers only ever see a complete file or the old one.

A crash, a kill or an exception while writing leaves the destination untouched and no
temporary file behind: the data goes to a hidden temp file in the same directory (same
file system, so the final rename is atomic) and replaces the destination only once it
is complete and flushed to disk.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces `destination` on success."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o666 & ~_umask())  # mkstemp makes it private; the result should not be
    try:
        yield tmp
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, destination)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_open(destination: str | os.PathLike, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a file for writing that appears at `destination` only when closed cleanly."""
    if "w" not in mode:
        raise ValueError(f"atomic_open writes new files; mode {mode!r} has no 'w'")
    with atomic_path(destination) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle


def write_text(destination: str | os.PathLike, text: str) -> None:
    """Write `text` as UTF-8 with Unix newlines, atomically."""
    with atomic_open(destination, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
