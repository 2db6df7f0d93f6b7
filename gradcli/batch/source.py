"""Reading JSON Lines: a stream of ``(line number, bytes)``, one line in memory at a time."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

from gradcli.errors import GradcliError

MAX_LINE = 100_000  # bytes, as for an expression read from standard input
# Stands for a line that was too long: no JSON text starts with a NUL byte.
TOO_LONG = b"\x00too long"


def open_input(path: str) -> BinaryIO:
    """``path`` opened for reading bytes; ``-`` is standard input."""
    if path == "-":
        stdin: Any = sys.stdin
        return getattr(stdin, "buffer", stdin)  # type: ignore[no-any-return]
    try:
        return open(path, "rb")
    except OSError as err:
        raise GradcliError(
            f"cannot read {path}: {err.strerror or err}",
            hint="give a JSON Lines file, or - (or nothing) for standard input",
        ) from None


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of ``stream`` with their 1-based numbers; a last line
    without a newline counts. A line longer than ``MAX_LINE`` bytes is skipped
    up to its end and given as ``TOO_LONG``, so memory never holds more."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            _skip_rest(stream)
            raw = TOO_LONG
        if raw.strip():
            yield number, raw


def _skip_rest(stream: BinaryIO) -> None:
    while True:
        part = stream.readline(MAX_LINE)
        if not part or part.endswith(b"\n"):
            return


def count_lines(path: str) -> int | None:
    """The number of lines of a regular file (for the progress bar), or None."""
    if path == "-":
        return None
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return None
