"""Every LaTeX string gradcli prints renders in KaTeX (SPEC §3: "valid LaTeX,
KaTeX-compatible").

The strings come from:

- every row of the identity tables (``identities.py``): each result's
  ``latex``, its plain form (the JSON ``latex`` when a ``where`` clause is
  used) and the ``where`` definitions, the ``--steps`` derivation (an
  ``aligned`` block), and ``_repr_latex_`` (inline math, as Jupyter shows
  it). Not ``--expand`` here: writing out some of those (a network's
  gradient) takes minutes;
- ``to_latex`` over the expressions of ``test_printers.py``;
- the command line: ``--format latex --steps``, ``--format latex --expand 2``,
  ``verify ... -f latex`` (its ``true:`` lines; the verdict line is prose), and
  every ``latex`` value in the ``--format json`` output of the same commands.

All of them are rendered in ONE node process (``katex_render.js``) with
``throwOnError: true, strict: "error"``. KaTeX is installed by ``.ci/run``
(``npm install --no-save --prefix tests/.katex katex@...``); without node or
KaTeX the tests skip, except under ``CI``, where they fail.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import printer_tables
import pytest
from doc_examples import run_gradcli
from identities import GRAD, HESSIAN, JACOBIAN, Row
from katex_support import Tex, katex_version, render

import gradcli
from gradcli.output.steps import steps_latex
from gradcli.printers import to_latex

# ----------------------------------------------------------------- the strings


def _identity_rows() -> list[Row]:
    return [p.values[0] for p in [*GRAD, *JACOBIAN, *HESSIAN]]  # type: ignore[misc]


def _command_line(row: Row) -> str:
    opts = " ".join(f"--{k} {v}" for k, v in row.declarations.items())
    line = f"gradcli {row.cmd} {shlex.quote(row.expr)} --wrt {row.wrt} -f latex"
    return line + (f" {opts}" if opts else "")


def _derive(row: Row, **options: Any) -> Any:
    fn = {"grad": gradcli.grad, "jacobian": gradcli.jacobian, "hessian": gradcli.hessian}
    return fn[row.cmd](row.expr, wrt=row.wrt, check=False, **row.declarations, **options)


def identity_strings() -> Iterator[Tex]:
    for row in _identity_rows():
        line = _command_line(row)
        try:
            d = _derive(row, steps=True)
        except Exception:  # a BUG row of identities.py: nothing printed
            continue
        for r in d.results:
            yield Tex("identities", line, r.latex)
            yield Tex("identities", line + "  (json: results[].latex)", to_latex(r.expr))
            for _, part in r.shared[1]:
                yield Tex("identities", line + "  (json: where[].latex)", to_latex(part))
        if d.steps:
            yield Tex("steps", line + " --steps", steps_latex(d.steps))
        inline = d._repr_latex_()
        assert inline.startswith("$") and inline.endswith("$"), inline
        yield Tex(
            "jupyter", f"gradcli.{row.cmd}(...)._repr_latex_()  # {line}", inline[1:-1], False
        )


MAGICS = [
    ("grad", '"x^T A x" --wrt x --seed 1', None),
    ("grad", "--wrt x --seed 1", "sum(log(1 + exp(A x))) + ||x||^2"),
    ("jacobian", '"sin(W x)" --wrt x --layout denominator --seed 1', None),
    ("hessian", '"x^T A x" --wrt x --no-check', None),
    ("grad", '"sum(log(-exp(x)))" --wrt x --seed 1', None),  # not checked: a reason
    ("grad", '"tanh(a b)" --wrt a,b --scalar a,b --seed 1', None),
    ("verify", '"2 A x" --of "x^T A x" --wrt x --seed 1', None),
    ("verify", '"(A + A^T) x" --of "x^T A x" --wrt x --seed 1', None),
    ("verify", '"x" --of "x^T A x" --wrt A --seed 1', None),  # a reason with n×n
]


def magic_strings() -> Iterator[Tex]:
    """What the IPython magics display (``gradcli.notebook``), inline math."""
    from gradcli.notebook import run

    for command, line, cell in MAGICS:
        shown = run(command, line, cell)
        assert shown is not None and shown.latex is not None, (command, line)
        assert shown.latex.startswith("$") and shown.latex.endswith("$"), shown.latex
        source = f"%{command} {line}" if cell is None else f"%%{command} {line} / {cell}"
        yield Tex("magics", source, shown.latex[1:-1], False)


def printer_strings() -> Iterator[Tex]:
    for name, expr, *_ in printer_tables.GOLDEN:
        yield Tex("printers", f"to_latex(GOLDEN {name!r}) in test_printers.py", to_latex(expr))
    for name, expr, _ in printer_tables.LATEX_GOLDEN:
        yield Tex(
            "printers", f"to_latex(LATEX_GOLDEN {name!r}) in test_printers.py", to_latex(expr)
        )


STEPS_COMMANDS = [
    'grad "x^T A x" --wrt x',
    'grad "||A x - b||^2" --wrt x',
    'grad "log(det(X))" --wrt X',
    'grad "tr(A S)" --wrt S --symmetric S',
    'grad "x^T A x" --wrt x,A',
    'grad "tanh(a b)" --wrt a,b --scalar a,b',
    'grad "sum(relu(W x)) + ||x||_1" --wrt x',
    'grad --wrt W -- "-y^T log(softmax(W x))"',
    'grad "sqrt(x^T x) + ||X||_F" --wrt x,X',
    'jacobian "sin(W x)" --wrt x',
    'jacobian "softmax(W tanh(V x))" --wrt x',
    'jacobian "A X B" --wrt X',
    'jacobian "[x^T y, sin(t)]" --wrt t --scalar t',
    'jacobian "A x" --wrt x --layout denominator',
    'hessian "x1^2 x2 + sin(x1 x2)" --wrt x1,x2 --scalar x1,x2',
    'hessian "sum(log(1 + exp(-y .* (X w))))" --wrt w',
    'grad "(A x - b)^T (A x - b)" --wrt x',
    'hessian "sum(log(1 + exp(A x)))" --wrt x',
    'hessian "x^2 y + y^3" --wrt x,y --scalar x,y',
    'grad "a^b + sum(x .^ y) + sum(b .^ x)" --wrt a,b,x,y --scalar a,b',
    'grad "mean(X .* X) + len(x) x^T x" --wrt X,x',
]
EXPAND_COMMANDS = [
    'grad "x^T A x" --wrt x',
    'grad "log(det(X))" --wrt X',
    'grad "tanh(a b)" --wrt a,b --scalar a,b',
    'grad "tr(A S)" --wrt S --symmetric S',
    'grad "sum(sqrt(x)) + sum(tan(x)) + sum(relu(x)) + ||x||_1 + ||x||" --wrt x',
    'jacobian "A X B" --wrt X',
    'jacobian "softmax(z) + sigmoid(z)" --wrt z',
    'hessian "x^2 y + y^3" --wrt x,y --scalar x,y',
]
VERIFY_COMMANDS = [
    'verify "(A + A^T) x" --of "x^T A x" --wrt x',
    'verify "2 A x" --of "x^T A x" --wrt x',
    'verify "x^T (A + A^T)" --of "x^T A x" --wrt x',
    'verify "A^T" --of "A x + b" --wrt x --jacobian',
    'verify "2 A" --of "x^T A x" --wrt x --hessian',
    'verify "X^-1" --of "logdet(X)" --wrt X',
    'verify "cos(a b) b" --of "sin(a b)" --wrt a,b --scalar a,b',
    'verify "W" --of "softmax(W tanh(V x))" --wrt x --jacobian',
    'verify "2 S" --of "tr(S S)" --wrt S --symmetric S',
]
SEED = "1"


def latex_lines(output: str, verify: bool) -> Iterator[str]:
    """The LaTeX strings of ``-f latex`` output: an ``aligned`` block as one,
    then one per line; of ``verify``, only what follows ``true: ``."""
    block: list[str] | None = None
    for line in output.splitlines():
        if block is not None:
            block.append(line)
            if line.startswith(r"\end{aligned}"):
                yield "\n".join(block)
                block = None
        elif line.startswith(r"\begin{aligned}"):
            block = [line]
        elif verify:
            if line.startswith("true: "):
                yield line.removeprefix("true: ")
        elif line.strip():
            yield line
    if block is not None:
        yield "\n".join(block)  # unterminated: KaTeX will say so


def json_latex(value: Any) -> Iterator[str]:
    """Every ``latex`` value in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "latex" and isinstance(item, str):
                yield item
            else:
                yield from json_latex(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_latex(item)


def _run(command: str, *options: str) -> tuple[str, str]:
    """``gradcli COMMAND`` with ``options`` (and ``--seed``) right after the
    command word, since a command may end in ``-- EXPR``; the line as shown
    to reproduce it, and the output."""
    word, rest = command.split(" ", 1)
    options = (*options, "--seed", SEED)
    if word != "verify":
        options = (*options, "--no-check")  # the check does not change the LaTeX
    args = [word, *options, *shlex.split(rest)]
    run = run_gradcli(args)
    shown = f"gradcli {word} {' '.join(options)} {rest}"
    assert run.code in ((0, 1) if word == "verify" else (0,)), f"{shown}\n{run.output}"
    return shown, run.output


def cli_strings() -> Iterator[Tex]:
    runs = [("cli --steps", c, ("-f", "latex", "--steps")) for c in STEPS_COMMANDS]
    runs += [("cli --expand", c, ("-f", "latex", "--expand", "2")) for c in EXPAND_COMMANDS]
    runs += [("cli verify", c, ("-f", "latex")) for c in VERIFY_COMMANDS]
    for group, command, options in runs:
        shown, output = _run(command, *options)
        for tex in latex_lines(output, verify=command.startswith("verify")):
            yield Tex(group, shown, tex)
    for command in STEPS_COMMANDS + VERIFY_COMMANDS:  # --expand's JSON latex is the same
        shown, output = _run(command, "-f", "json")
        for tex in json_latex(json.loads(output)):
            yield Tex("cli json", shown, tex)


# Strings KaTeX must reject: proof that a failure would be seen at all.
CANARIES = [
    r"\left( x",  # unbalanced \left
    r"\frac{a}",  # missing argument
    r"\operatornamee{tr} A",  # unknown command
    r"x_1_2",  # double subscript
    "é",  # strict mode: Unicode text in math mode
]


# ----------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Rendered:
    items: list[Tex]
    verdicts: list[dict[str, Any]]

    def failures(self, group: str) -> list[str]:
        return [
            f"{t.source}\n    latex: {t.tex}\n    katex: {v['error']}"
            for t, v in zip(self.items, self.verdicts, strict=True)
            if t.group == group and not v["ok"]
        ]

    def count(self, group: str) -> int:
        return sum(t.group == group for t in self.items)


GROUPS = [
    "identities",
    "steps",
    "jupyter",
    "magics",
    "printers",
    "cli --steps",
    "cli --expand",
    "cli verify",
    "cli json",
]


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    katex_version()  # before the work of gathering the strings
    items = [*identity_strings(), *printer_strings(), *cli_strings(), *magic_strings()]
    items += [Tex("canary", "a string KaTeX must reject", c) for c in CANARIES]
    unique = {(t.tex, t.display, t.group): t for t in reversed(items)}  # the first source
    items = list(reversed(unique.values()))
    return Rendered(items, render(items))


@pytest.mark.parametrize("group", GROUPS)
def test_katex_renders(rendered: Rendered, group: str) -> None:
    assert rendered.count(group) > 0, f"no LaTeX gathered for {group}"
    failures = rendered.failures(group)
    assert not failures, f"KaTeX rejected {len(failures)} of {rendered.count(group)}:\n" + (
        "\n".join(failures)
    )


def test_katex_rejects_bad_latex(rendered: Rendered) -> None:
    """The harness would notice a failure: every canary is rejected."""
    assert len(rendered.failures("canary")) == len(CANARIES)


def test_enough_latex_is_checked(rendered: Rendered) -> None:
    assert rendered.count("identities") > 200  # distinct strings
    assert rendered.count("steps") > 200
    assert rendered.count("cli verify") >= 5


def test_latex_lines() -> None:
    output = "\\begin{aligned}\na &= b\n\\end{aligned}\nx\ny^{2}"
    assert list(latex_lines(output, verify=False)) == [
        "\\begin{aligned}\na &= b\n\\end{aligned}",
        "x",
        "y^{2}",
    ]
    verdict = "wrong: it disagrees\ndiagnosis: transposed\ntrue: A^{\\top}"
    assert list(latex_lines(verdict, verify=True)) == ["A^{\\top}"]
