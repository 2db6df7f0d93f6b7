"""How a run meets its process: the time limit and the writing of standard output.

The conventions (docs/limits.md, "The process"):

- ``GRADCLI_TIMEOUT`` is a number of seconds, positive and finite, or ``0``
  for no limit; anything else is bad input (exit 2). The timer runs only
  while a command computes, and is disarmed before any output is written, so
  a result is printed whole or not at all.
- A reader that goes away (``| head -c 1``, ``| true``) ends the run quietly
  with status 141, as a shell reports for ``yes`` in ``yes | head``: no
  message, no verdict, no check line.
- Any other failure to write (a full disk, a closed standard output) is one
  line on standard error and status 74 (``EX_IOERR`` of sysexits.h).
"""

from __future__ import annotations

import errno
import json
import math
import os
import signal
import sys
from typing import IO, Any

from gradcli.errors import LimitError, OptionError

DEFAULT_SECONDS = 60.0
MAX_SECONDS = 1e7  # setitimer overflows far above this; nobody waits four months
EXIT_BROKEN_PIPE = 141
EXIT_IO_ERROR = 74


class OutputError(Exception):
    """Standard output cannot be written; ``code`` is the exit status to end with."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def timeout_seconds(value: str | None) -> float | None:
    """The time limit ``GRADCLI_TIMEOUT`` asks for: seconds, or None for no limit.

    Unset means the default; ``0`` means no limit; anything that is not a
    finite number of seconds from 0 to ``MAX_SECONDS`` is an ``OptionError``."""
    if value is None:
        return DEFAULT_SECONDS
    try:
        seconds = float(value.strip())
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0 or seconds > MAX_SECONDS:
        raise OptionError(
            f"GRADCLI_TIMEOUT must be a number of seconds greater than 0 and at most "
            f"{MAX_SECONDS:g}, or 0 for no limit; it is {value!r}",
            hint="unset it for the default of 60 s",
        )
    return None if seconds == 0 else seconds


class time_limit:
    """Run the body under the time limit; a run that hit it ends in a ``LimitError``.

    The alarm fires at most once (a one-shot timer). If it fired while the
    body was running, the body's own outcome is discarded whatever it was (a
    broad ``except`` inside could have swallowed the error), so a run that
    ran out of time never prints a result or reports an internal error. An
    expiry that lands where Python cannot raise it (a finalizer, a garbage
    collector callback) is kept quiet: the flag still ends the run."""

    def __init__(self) -> None:
        self.seconds = timeout_seconds(os.environ.get("GRADCLI_TIMEOUT"))
        self.fired = False
        self._previous: Any = signal.SIG_DFL
        self._hook = sys.unraisablehook

    def __enter__(self) -> None:
        if self.seconds is None or not hasattr(signal, "setitimer"):
            return
        self._hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        self._previous = signal.signal(signal.SIGALRM, self._expire) or signal.SIG_DFL
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds is None or not hasattr(signal, "setitimer"):
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)
        sys.unraisablehook = self._hook
        if self.fired:
            raise _expired(self.seconds) from None

    def _expire(self, signum: int, frame: object) -> None:
        self.fired = True
        raise _expired(self.seconds or 0.0)

    def _unraisable(self, info: Any) -> None:
        if not (self.fired and isinstance(info.exc_value, LimitError)):
            self._hook(info)


def _expired(seconds: float) -> LimitError:
    return LimitError(
        f"gave up after {seconds:g} s (the time limit; set GRADCLI_TIMEOUT to change it)"
    )


def stdout() -> IO[str]:
    """Standard output, or an ``OutputError`` when it is closed (``>&-``)."""
    stream = sys.stdout
    if stream is None:
        raise OutputError(EXIT_IO_ERROR, "cannot write the output: standard output is closed")
    return stream


def write(text: str) -> None:
    """Write ``text`` and a newline to standard output, flushed; failures as ``OutputError``."""
    stream = stdout()
    if not can_encode(text, stream):
        text = text.encode("ascii", "replace").decode("ascii")
    try:
        stream.write(text + "\n")
        stream.flush()
    except UnicodeError:
        raise
    except (OSError, ValueError) as err:
        raise output_error(err) from None


def output_error(err: BaseException) -> OutputError:
    """The ``OutputError`` for a failed write: a gone reader, or any other I/O fault."""
    if isinstance(err, BrokenPipeError) or getattr(err, "errno", None) == errno.EPIPE:
        return OutputError(EXIT_BROKEN_PIPE, "")
    reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    return OutputError(EXIT_IO_ERROR, f"cannot write the output: {reason}")


def silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so no later flush fails again.

    Python's own advice for a broken pipe: the rest of the run must not try
    to write to the closed pipe once more (that would print a second error)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def can_encode(text: str, stream: IO[str] | None = None) -> bool:
    """Whether ``stream`` (standard output by default) can print ``text`` as is."""
    stream = sys.stdout if stream is None else stream
    encoding = getattr(stream, "encoding", None)
    if encoding is None:  # an in-memory text stream holds any text
        return True
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def json_ascii(text: str) -> str:
    """JSON text with every non-ASCII character written as a ``\\uXXXX`` escape.

    Valid because JSON text holds non-ASCII characters only inside strings."""
    return "".join(ch if ord(ch) < 128 else json.dumps(ch)[1:-1] for ch in text)
