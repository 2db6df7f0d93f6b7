"""Running one command of the command line: read the expression, derive, print,
and turn every outcome into an exit status (SPEC §4).

Shared by the Typer app (``gradcli.cli``) and the quick entry point
(``gradcli.launch``); it imports neither Typer nor NumPy at import time.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from gradcli.calculus.vocabulary import Command
from gradcli.errors import GradcliError, LimitError
from gradcli.output.formats import Format
from gradcli.output.process import OutputError, silence_stdout, time_limit, write

MAX_STDIN = 100_000


def finish(run: Callable[[], None], in_process: bool) -> NoReturn:
    """Run, turn every exit into a status, and exit.

    Run as the ``gradcli`` program (``in_process`` false), it ends with
    ``os._exit`` after flushing its output: tearing down NumPy and the rest at
    exit costs more than the work of a typical command."""
    try:
        run()
        code = 0
    except SystemExit as ex:
        code = ex.code if isinstance(ex.code, int) else (0 if ex.code is None else 1)
    finally:
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)
    if in_process:
        sys.exit(code)
    code = _flush(code)
    os._exit(code)


def guarded(
    run: Callable[[], object],
    on_other: Callable[[Exception], None] | None = None,
    debug: bool = False,
) -> None:
    """Run a command, mapping every error to its exit status and message (SPEC §4)."""
    try:
        rc = run()
    except OutputError as error:
        sys.exit(output_failed(error))
    except GradcliError as error:
        fail(2, error.render())
    except (RecursionError, MemoryError) as error:
        too_large = f"the expression is too large to handle ({type(error).__name__})"
        fail(2, LimitError(too_large).render())
    except Exception as error:
        if on_other is not None:
            on_other(error)
        if debug or os.environ.get("GRADCLI_DEBUG"):
            import traceback

            traceback.print_exc()
        fail(
            3,
            f"internal error: {type(error).__name__}: {error}; please report it with this command"
            + ("" if debug else " (run with --debug for details)"),
        )
    sys.exit(rc if isinstance(rc, int) else 0)


def read_expr(expr: str) -> str:
    """The expression, or standard input's one line when it is ``-``."""
    if expr != "-":
        return expr
    try:
        data = sys.stdin.buffer.read(MAX_STDIN + 1)
    except (OSError, ValueError, AttributeError) as err:
        raise GradcliError(f"cannot read the expression from standard input ({err})") from None
    if len(data) > MAX_STDIN:
        raise LimitError(f"standard input is longer than {MAX_STDIN} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise GradcliError(
            f"standard input is not valid UTF-8 (byte {err.start})",
            hint="save the expression as UTF-8 text",
        ) from None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        raise GradcliError(
            f"standard input holds {len(lines)} lines; give one expression",
            hint="run gradcli once per expression, e.g. with xargs or a loop",
        )
    return text.strip()


def chosen_format(fmt: Format | None) -> Format:
    if fmt is not None:
        return fmt
    return Format.PRETTY if sys.stdout is not None and sys.stdout.isatty() else Format.TEXT


def run_derivation(
    command: Command,
    expr: str,
    fmt: Format | None,
    function: str | None,
    display: bool = False,
    **options: Any,
) -> None:
    """Derive, print in the chosen format, and exit 1 if the numerical check failed."""
    from gradcli.api import derive

    if function is not None and fmt not in (Format.NUMPY, Format.ARRAY_API):
        raise bad_option("--function goes with --format numpy or --format array-api")
    if display and fmt is not Format.LATEX:
        raise bad_option("--display goes with --format latex")
    with time_limit():
        d = derive(command, read_expr(expr), **options)
    chosen = chosen_format(fmt)
    if function is not None:
        from gradcli.output.render import array_api_function, numpy_function

        code = array_api_function if fmt is Format.ARRAY_API else numpy_function
        write(code(d, function))
    elif display:
        from gradcli.output.render import render

        write(render(d, Format.LATEX, display=True))
    else:
        emit(d, chosen)
    finish_check(d, chosen)


def emit(d: object, chosen: Format, verdict: object = None) -> None:
    """Print a derivation (or a verdict on it) in the chosen format."""
    if chosen is Format.PRETTY:
        from gradcli.output.pretty import show_on_stdout

        show_on_stdout(d, verdict)  # type: ignore[arg-type]
        return
    from gradcli.output.process import can_encode, json_ascii
    from gradcli.output.render import render, render_verdict

    out = render(d, chosen) if verdict is None else render_verdict(verdict, chosen)  # type: ignore[arg-type]
    write(json_ascii(out) if chosen is Format.JSON and not can_encode(out) else out)


def finish_check(d: object, chosen: Format) -> None:
    """Say loudly when the numerical check failed (exit 1), and why a result went
    unchecked; the derivation's notes go to standard error too (``pretty`` and
    JSON hold them in the output)."""
    if chosen not in (Format.PRETTY, Format.JSON):  # those show them in the output
        for note in getattr(d, "notes", ()):
            err(f"note: {note}")
    check = getattr(d, "check", None)
    if check is None:
        return
    if check.passed is False:
        err(
            "CHECK FAILED: the symbolic result disagrees with finite differences "
            f"({check.reason}; seed {check.seed}). This is a bug in gradcli: please report it."
        )
        sys.exit(1)
    if check.passed is None and chosen is not Format.PRETTY:
        err(f"not checked: {check.reason}")


def err(message: str) -> None:
    """One message on standard error."""
    stream = sys.stderr
    if stream is not None:
        stream.write(message + "\n")
        stream.flush()


def bad_option(message: str) -> GradcliError:
    from gradcli.errors import OptionError

    return OptionError(message)


def fail(code: int, message: str) -> NoReturn:
    err(message)
    sys.exit(code)


def _flush(code: int) -> int:
    """Flush both streams before ``os._exit``; a write that fails only now still counts."""
    from gradcli.output.process import output_error

    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError) as error:
            if stream is sys.stdout and code == 0:
                return output_failed(output_error(error))
    return code


def output_failed(error: OutputError) -> int:
    """Quiet for a reader that went away; one line for any other write failure."""
    silence_stdout()
    if error.message:
        err(f"error: {error.message}")
    return error.code
