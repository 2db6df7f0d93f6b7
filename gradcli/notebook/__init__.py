"""gradcli in IPython and Jupyter: ``%load_ext gradcli``.

Line magics take the command line's arguments, cell magics take the
expression (for ``%%verify``, the claim) from the cell body::

    %grad "x^T A x" --wrt x
    %jacobian "sin(W x)" --wrt x --layout denominator
    %hessian "||A x - b||^2" --wrt x
    %verify "2 A x" --of "x^T A x" --wrt x

    %%grad --wrt x
    sum(log(1 + exp(A x))) + lambda ||x||^2

The arguments are split as a shell would (``shlex``) and parsed by the CLI's
own commands, so every option and message is the CLI's. The result is shown
as rendered math with the numerical check line (``text/latex``), and as text
(``text/plain``). Bad input shows the CLI's message with its caret under the
fault, on standard error, and no traceback. ``-f text|numpy|array-api|json``
and ``--function NAME`` show what the CLI would print.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from gradcli.api import Derivation, Format
from gradcli.errors import GradcliError
from gradcli.output.render import latex_label
from gradcli.syntax.declarations import ASSUMPTIONS

COMMANDS = ("grad", "jacobian", "hessian", "verify")


class Shown:
    """What a magic displays: LaTeX (if any) and the same as plain text."""

    def __init__(self, text: str, latex: str | None = None) -> None:
        self.text = text
        self.latex = latex

    def _repr_latex_(self) -> str | None:
        return self.latex

    def __repr__(self) -> str:
        return self.text


def load(ipython: Any) -> None:
    """Register ``%grad``, ``%jacobian``, ``%hessian`` and ``%verify`` (line and cell)."""
    for name in COMMANDS:
        ipython.register_magic_function(_magic(name), magic_kind="line_cell", magic_name=name)


def _magic(command: str) -> Any:
    def magic(line: str, cell: str | None = None) -> Shown | None:
        return run(command, line, cell)

    magic.__name__ = command
    magic.__doc__ = f"%{command} ARGS (as `gradcli {command} ARGS`); %%{command}: the cell is EXPR."
    return magic


def run(command: str, line: str, cell: str | None = None) -> Shown | None:
    """Run ``gradcli COMMAND line`` (the cell, if any, as the expression) for display.

    Bad input prints the CLI's message to standard error and returns ``None``."""
    try:
        args = shlex.split(line)
        if cell is not None and cell.strip():
            args += ["--", " ".join(cell.split())]
        params = _parse(command, args)
        if params is None:
            return None  # --help: printed
        return _verify(params) if command == "verify" else _derive(command, params)
    except GradcliError as err:
        print(err.render(), file=sys.stderr)
    except ValueError as err:  # shlex: an unclosed quote
        print(f"usage error: {err}", file=sys.stderr)
    return None


def _parse(command: str, args: list[str]) -> dict[str, Any] | None:
    """The command's options, parsed by the CLI's own Click command."""
    import typer

    from gradcli.cli import app, click_message, dash_expressions_last, is_click_error
    from gradcli.errors import OptionError

    group = typer.main.get_command(app)
    click_command = group.commands[command]  # type: ignore[attr-defined]
    args = dash_expressions_last([command, *args], group)[1:]
    try:
        ctx = click_command.make_context(command, args)
    except Exception as err:
        if is_click_error(err, "Exit"):
            return None
        if is_click_error(err, "UsageError"):
            raise OptionError(click_message(err)) from None
        raise
    return {k: _plain(v) for k, v in ctx.params.items()}


def _plain(value: Any) -> Any:
    """An Enum option as its value, an empty repeated option as ``None``."""
    if isinstance(value, tuple):
        return list(value) or None
    return getattr(value, "value", value)


def _derive(command: str, p: dict[str, Any]) -> Shown:
    from gradcli.api import derive
    from gradcli.calculus.drivers import Command

    options = {k: p[k] for k in ("scalar", "vector", "matrix", "symmetric", "check", "seed")}
    options.update({k: p[k] for k in ASSUMPTIONS})
    if "layout" in p:
        options["layout"] = p["layout"]
    d = derive(
        Command(command), p["expr"], p["wrt"], expand=p["expand"], steps=p["steps"], **options
    )
    if p["function"] is not None or p["fmt"] not in (None, "pretty", "latex"):
        return Shown(_cli_text(d, p["fmt"], p["function"]))
    return Shown(f"{d.text}\n{check_line(d)}", _math(d, [], [check_line(d)]))


def _cli_text(d: Derivation, fmt: str | None, function: str | None) -> str:
    from gradcli.errors import OptionError
    from gradcli.output.render import array_api_function, numpy_function, render

    if function is None:
        return render(d, Format(fmt))
    if fmt == "numpy":
        return numpy_function(d, function)
    if fmt == "array-api":
        return array_api_function(d, function)
    raise OptionError("--function goes with --format numpy or --format array-api")


def _verify(p: dict[str, Any]) -> Shown:
    from gradcli.calculus.drivers import Command
    from gradcli.errors import OptionError
    from gradcli.output.render import render_verdict
    from gradcli.verification.verdict import verify

    if p["jacobian"] and p["hessian"]:
        raise OptionError("choose one of --jacobian and --hessian")
    command = Command.JACOBIAN if p["jacobian"] else Command.HESSIAN if p["hessian"] else None
    decls = {k: p[k] for k in ("scalar", "vector", "matrix", "symmetric", "seed", "layout")}
    decls.update({k: p[k] for k in ASSUMPTIONS})
    v = verify(p["claim"], p["of"], p["wrt"], command=command or Command.GRAD, **decls)
    text = render_verdict(v, Format.TEXT)
    if p["fmt"] not in (None, "pretty", "latex"):
        return Shown(render_verdict(v, Format(p["fmt"])))
    head = [f"{v.verdict}: {v.reason}"] + ([f"diagnosis: {v.diagnosis}"] if v.diagnosis else [])
    if v.diagnosis and v.diagnosis.step:
        head.append(f"step: {v.diagnosis.step}")
    if v.correct:
        return Shown(text, _math(v.derivation, head, [check_line(v.derivation)], results=False))
    return Shown(text, _math(v.derivation, [*head, "the true derivative:"], []))


def check_line(d: Derivation) -> str:
    """The check line, as ``pretty`` prints it under a result."""
    from gradcli.output import pretty

    return pretty.check_line(d.check).plain


def _math(d: Derivation, before: list[str], after: list[str], results: bool = True) -> str:
    r"""``$\displaystyle \begin{aligned} \nabla_{x} f &= ... \end{aligned}$``: the
    notes ``before`` and ``after`` the results as ``\text{...}`` rows."""
    rows = [rf"&\text{{{_text(n)}}}" for n in before]
    if results:
        rows += [rf"{latex_label(d.command, r.wrt)} &= {r.latex}" for r in d.results]
    rows += [rf"&\text{{{_text(n)}}}" for n in after]
    return r"$\displaystyle \begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}$"


_LATEX_SPECIAL = {c: "\\" + c for c in "#$%&_{}"} | {
    "\\": r"\textbackslash{}",
    "^": r"\^{}",
    "~": r"\~{}",
    # symbols of the check line and of messages, which \text{} cannot take as they are
    "✓": r"$\checkmark$",
    "✗": r"$\times$",
    "×": r"$\times$",
    "⊙": r"$\odot$",
    "⊗": r"$\otimes$",
    "ᵀ": r"$^{\top}$",
    "−": "-",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "…": r"\ldots{}",
}


def _text(s: str) -> str:
    """``s`` safe inside ``\\text{...}``."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in s)
