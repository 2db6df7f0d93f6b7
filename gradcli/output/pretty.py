"""The ``pretty`` format: a Rich rendering for people at a terminal.

The input as parsed, a small table of the variables with their kinds and
shapes, each result in Unicode math with its shape and layout, and the line of
the numerical check. Colours follow Rich's terminal detection and ``NO_COLOR``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from gradcli.calculus.drivers import Command
from gradcli.ir.nodes import Block, Expr
from gradcli.numeric.check import CheckResult
from gradcli.output.steps import shown_value, step_lines, taken_names
from gradcli.printers import to_text, to_unicode

if TYPE_CHECKING:
    from gradcli.api import Derivation, Result
    from gradcli.verification.verdict import Verdict

_SUB = str.maketrans("aehijklmnoprstuvx0123456789", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₀₁₂₃₄₅₆₇₈₉")


def _subscript(name: str) -> str | None:
    sub = name.translate(_SUB)
    return sub if all(c != o for c, o in zip(sub, name, strict=True)) else None


def label(command: Command, wrt: str) -> str:
    """``∇ₓ f``, ``∂f/∂x``, ``∇²ₓ f`` (or ``∂f/∂(x,y)`` for stacked scalars)."""
    sub = _subscript(wrt) if "," not in wrt else None
    var = f"({wrt})" if "," in wrt else wrt
    if command is Command.GRAD:
        return f"∇{sub} f" if sub else f"∂f/∂{var}"
    if command is Command.HESSIAN:
        return f"∇²{sub} f" if sub else f"∂²f/∂{var}²"
    return f"∂f/∂{var}"


def _shape(r: Result) -> str:
    s = r.shape
    if s.is_scalar:
        return "scalar"
    if s.is_vector:
        return f"vector, {s.rows}"
    return f"{s.rows} × {s.cols}"


Math = Callable[[Expr], str]


def _scalar_rows(e: Expr, math: Math) -> list[list[str]] | None:
    """The entries of an explicit matrix of scalars, in Unicode math."""
    if isinstance(e, Block) and all(x.is_scalar for row in e.rows for x in row):
        return [[math(x) for x in row] for row in e.rows]
    return None


def matrix_lines(rows: list[list[str]]) -> list[str]:
    """A matrix drawn with brackets, columns aligned (``⎡ a  b ⎤`` ...)."""
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    body = ["  ".join(e.rjust(w) for e, w in zip(r, widths, strict=True)) for r in rows]
    if len(body) == 1:
        return [f"[ {body[0]} ]"]
    out = []
    for i, line in enumerate(body):
        left, right = ("⎡", "⎤") if i == 0 else ("⎣", "⎦") if i == len(body) - 1 else ("⎢", "⎥")
        out.append(f"{left} {line} {right}")
    return out


def check_line(check: CheckResult | None) -> Text:
    if check is None:
        return Text("not checked (--no-check)", style="dim")
    dims = ", ".join(f"{k}={v}" for k, v in check.dims.items())
    where = f" at {dims}" if dims else ""
    if check.passed and check.zero:
        return Text(
            f"✓ checked numerically: the derivative is zero at each of the {check.tried} "
            f"points tried (seed {check.seed})",
            style="green",
        )
    if check.passed:
        err = f"{check.max_rel_error:.1e}" if check.max_rel_error is not None else "0"
        points = f"{check.informative} of {check.tried} points informative"
        return Text(
            f"✓ checked numerically: max relative error {err}{where}, {points} (seed {check.seed})",
            style="green",
        )
    if check.passed is None:
        return Text(f"? not checked: {check.reason}", style="yellow")
    return Text(
        f"✗ CHECK FAILED: {check.reason} (seed {check.seed}); please report this bug",
        style="bold red",
    )


def _variables(d: Derivation) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 2))
    for name, v in d.variables.items():
        kind = "symmetric matrix" if v.symmetric else v.kind.value
        if v.assume:
            kind += " (" + ", ".join(sorted(v.assume)) + ")"
        table.add_row(Text(name, style="bold"), kind, "" if v.is_scalar else str(v.shape))
    return table


def show_on_stdout(d: Derivation, verdict: Verdict | None = None) -> None:
    """``show`` on standard output; in ASCII where it cannot print Unicode.

    With an encoding such as ``PYTHONIOENCODING=ascii``, expressions are
    written in the text form (which reads back) and the frame's symbols in
    ASCII (``grad_x f``, ``ok``, ``[ ]``); the content is the same."""
    from gradcli.output.process import can_encode, output_error, stdout, write

    stream = stdout()
    for r in d.results:  # a result that cannot be written fails before anything is printed
        _shown(r, to_unicode)
    if not can_encode(_UNICODE_PROBE, stream):
        buffer = io.StringIO()
        show(d, verdict, Console(file=buffer, highlight=False, soft_wrap=True), ascii=True)
        write(to_ascii(buffer.getvalue()).rstrip("\n"))
        return
    try:
        show(d, verdict, _console(stream))
        stream.flush()
    except OSError as err:
        raise output_error(err) from None


def _console(stream: object) -> Console:
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=stream,  # type: ignore[arg-type]
        highlight=False,
        soft_wrap=True,
        color_system=None if plain else "auto",
    )


_UNICODE_PROBE = "∇ₓ∂²ᵀ⁻¹−⊙✓✗⎡⎤×·‖𝟏"
_ASCII = {
    "∇": "grad",
    "∂": "d",
    "−": "-",
    "⊙": " .* ",
    "⊘": " ./ ",
    "⊗": " (x) ",
    "‖": "||",
    "×": "x",
    "·": "*",
    "✓": "ok:",
    "✗": "FAILED:",
    "𝟏": "ones",
    "…": "...",
    "⎡": "[",
    "⎢": "[",
    "⎣": "[",
    "⎤": "]",
    "⎥": "]",
    "⎦": "]",
}
_SUPERSCRIPTS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ]+")
_SUBSCRIPTS = re.compile("[₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ]+")
_FROM_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ", "0123456789-T")
_FROM_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789aehijklmnoprstuvx")


def to_ascii(text: str) -> str:
    """The pretty frame in ASCII: ``∇ₓ f`` is ``grad_x f``, ``n×m`` is ``nxm``, ``✓`` ``ok:``.

    Anything left that is not ASCII becomes ``?`` (the expressions themselves
    are already in the ASCII text form)."""
    text = _SUPERSCRIPTS.sub(lambda m: "^" + m.group().translate(_FROM_SUPER), text)
    text = _SUBSCRIPTS.sub(lambda m: "_" + m.group().translate(_FROM_SUB), text)
    text = "".join(_ASCII.get(ch, ch) for ch in text)
    return text.encode("ascii", "replace").decode("ascii")


def show(
    d: Derivation,
    verdict: Verdict | None = None,
    console: Console | None = None,
    ascii: bool = False,
) -> None:
    """Print the derivation (and a ``verify`` verdict) to ``console`` (standard output).

    ``ascii`` writes the expressions in the text form instead of Unicode math."""
    out = console or _console(None)
    math: Math = to_text if ascii else to_unicode
    out.print(Text("f = ", style="dim") + Text(math(d.input)))
    out.print(_variables(d))
    for note in d.notes:
        out.print(Text(f"note: {note}", style="yellow"))
    out.print()
    if verdict is not None:
        _verdict(out, d, verdict, math)
        return
    if d.steps:
        _steps(out, d, math)
    for r in d.results:
        _result_line(out, Text(f"{label(d.command, r.wrt)} = ", style="bold cyan"), r, math)
        extra = "" if d.command is Command.GRAD else f", {r.layout.value} layout"
        out.print(Text(f"  ({_shape(r)}{extra})", style="dim"))
        if r.expanded is not None:
            out.print(Text(f"  with every dimension {r.expanded.n}:", style="dim"))
            for line in matrix_lines(r.expanded.text_rows):
                out.print(Text("  " + line))
    out.print(check_line(d.check))


def _steps(out: Console, d: Derivation, math: Math) -> None:
    """The worked derivation, numbered, each step with its rule; a part's heading
    (a variable, the switch to the Hessian) unnumbered above its steps."""
    taken = taken_names(d.steps)
    k = 0
    for head, st in step_lines(d.steps, math, lambda a, b: f"∂{a}/∂{b}"):
        if st is None:
            out.print(Text(head, style="bold"))
            continue
        k += 1
        value = shown_value(st, taken, math)
        out.print(Text(f"{k:>2}. ", style="dim") + Text(f"{head} = {value}"))
        out.print(Text(f"    {st.rule}", style="dim"))
    out.print()


def _result_line(out: Console, head: Text, r: Result, math: Math) -> None:
    """``head`` and the result; an explicit matrix of scalars drawn as a matrix."""
    rows = _scalar_rows(r.expr, math)
    if rows is None or len(rows) < 2:
        out.print(head + Text(_shown(r, math), style="bold"))
        return
    lines = matrix_lines(rows)
    pad = Text(" " * len(head.plain))
    for i, line in enumerate(lines):
        out.print((head if i == (len(lines) - 1) // 2 else pad) + Text(line, style="bold"))


def _shown(r: Result, math: Math) -> str:
    """The result (with its ``where`` parts) in Unicode math, or the text form."""
    return r.unicode if math is to_unicode else r.text


def _verdict(out: Console, d: Derivation, v: Verdict, math: Math) -> None:
    style = "bold green" if v.correct else "bold red"
    out.print(Text(f"claim: {v.claim_text}"))
    out.print(Text(v.verdict.upper(), style=style) + Text(f": {v.reason}"))
    if v.diagnosis:
        out.print(Text(f"diagnosis: {v.diagnosis}", style="yellow"))
        if v.diagnosis.step:
            out.print(Text(f"step: {v.diagnosis.step}", style="yellow"))
    if not v.correct:
        for r in d.results:
            head = Text(f"true {label(d.command, r.wrt)} = ", style="cyan")
            out.print(head + Text(_shown(r, math)))
    example = v.counterexample or {}
    if "point" in example:
        out.print(Text("counterexample:", style="dim"))
        for name, value in example["point"].items():
            out.print(Text(f"  {name} = {value}"))
        out.print(Text(f"  true value:    {example['true']}"))
        out.print(Text(f"  claimed value: {example['claim']}"))
    if v.check is not None and v.correct:
        out.print(check_line(v.check))
