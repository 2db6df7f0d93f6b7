"""The program's entry point, and the part of the command line that runs a derivation.

``gradcli grad|jacobian|hessian EXPR --wrt x ...`` is by far the most common
command. Building the Typer app costs more start-up time than the derivation
itself, so ``main`` first reads argv with ``quick``: a plain reader for those
three commands that accepts only the common options, in their plain spellings,
with values it can convert without doubt. Anything else (help, ``--debug``, a
misspelt or unusual option, a value Typer would reject or has to convert) returns
``None`` and goes to the whole Typer app in ``cli.py``, which gives every error
message. So the reader can only ever run what Typer would run the same way;
tests/test_launch.py compares the two on a table of command lines and checks the
reader's options against the Typer declarations.

The rest of running a command is in ``gradcli.output.command``. This module
must not import Typer, Click or NumPy at import time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from gradcli.calculus.vocabulary import Command, Layout
from gradcli.output.command import finish, guarded, run_derivation
from gradcli.output.formats import Format
from gradcli.syntax.declarations import ASSUMPTIONS

# What ``quick`` reads: option -> (parameter, kind). Kinds: "list" (repeatable,
# collected), "value" (one value, converted by _CONVERT), or a flag's value.
_LIST = "list"
_VALUE = "value"
QUICK_OPTIONS: dict[str, tuple[str, object]] = {
    "--wrt": ("wrt", _LIST),
    "-w": ("wrt", _LIST),
    "--scalar": ("scalar", _LIST),
    "-s": ("scalar", _LIST),
    "--vector": ("vector", _LIST),
    "--matrix": ("matrix", _LIST),
    "--symmetric": ("symmetric", _LIST),
    **{f"--{name}": (name, _LIST) for name in ASSUMPTIONS},
    "--format": ("fmt", _VALUE),
    "-f": ("fmt", _VALUE),
    "--seed": ("seed", _VALUE),
    "--layout": ("layout", _VALUE),
    "--expand": ("expand", _VALUE),
    "--function": ("function", _VALUE),
    "--check": ("check", True),
    "--no-check": ("check", False),
    "--steps": ("steps", True),
    "--display": ("display", True),
}
QUICK_COMMANDS = {c.value: c for c in (Command.GRAD, Command.JACOBIAN, Command.HESSIAN)}
MAX_SEED = 2**32 - 1


def _digits(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _seed(text: str) -> int | None:
    n = _digits(text)
    return n if n is not None and n <= MAX_SEED else None


def _choice(kind: Any) -> Callable[[str], Any]:
    values = {m.value: m for m in kind}
    return values.get


_CONVERT: dict[str, Callable[[str], Any]] = {
    "fmt": _choice(Format),
    "seed": _seed,
    "layout": _choice(Layout),
    "expand": _digits,
    "function": lambda text: text,
}


def defaults(command: Command) -> dict[str, Any]:
    """The options of a derivation command left at their defaults (as Typer passes them)."""
    options: dict[str, Any] = dict.fromkeys(
        ("wrt", "scalar", "vector", "matrix", "symmetric", "fmt", "seed", "expand", "function")
    )
    options.update(dict.fromkeys(ASSUMPTIONS))
    options.update(check=True, steps=False, display=False)
    if command is Command.JACOBIAN:
        options["layout"] = Layout.NUMERATOR
    return options


def quick(args: list[str]) -> tuple[Command, dict[str, Any]] | None:
    """The command and options of ``args`` when ``quick`` can read them, else None."""
    command = QUICK_COMMANDS.get(args[0]) if args else None
    if command is None:
        return None
    options = defaults(command)
    seen: set[str] = set()
    rest = iter(args[1:])
    for arg in rest:
        name, eq, attached = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if not arg.startswith("-") or arg == "-":
            if "expr" in options:
                return None
            options["expr"] = arg
            continue
        param, kind = QUICK_OPTIONS.get(name, (None, None))
        if param is None or (param == "layout" and command is not Command.JACOBIAN):
            return None
        if kind not in (_LIST, _VALUE):
            if eq or param in seen:
                return None
            options[param] = kind
        else:
            text = attached if eq else next(rest, None)
            if text is None or text.startswith("-") or (param in seen and kind is _VALUE):
                return None
            value = text if kind is _LIST else _CONVERT[param](text)
            if value is None:
                return None
            options[param] = [*(options[param] or []), value] if kind is _LIST else value
        seen.add(param)
    return (command, options) if "expr" in options else None


def main(argv: list[str] | None = None) -> None:
    """The ``gradcli`` program: ``quick`` when it can read the command line, else Typer."""
    args = list(sys.argv[1:] if argv is None else argv)
    read = quick(args)
    if read is None:
        from gradcli.cli import run_app

        finish(lambda: run_app(args), argv is not None)
    command, options = read
    finish(lambda: guarded(lambda: run_derivation(command, **options)), argv is not None)
