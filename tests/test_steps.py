"""``--steps``: the worked derivation (SPEC §3).

- golden ``--steps -f text`` output for eleven textbook identities;
- every step checked numerically: a gradient step ``∂f/∂u = G`` by treating the
  subexpression ``u`` as an independent variable ``U`` (``f`` with ``u`` replaced
  by ``U``, evaluated at ``U = u(point)``, differenced along a random direction
  in ``U`` and compared with ``<G, direction>``); a Jacobian step ``∂u/∂x = J``
  by finite differences of ``u`` itself (the checks and the rule texts live
  in ``step_checks.py``, shared with ``test_steps_written.py``);
- the other formats: ``latex`` is one ``aligned`` block, ``json`` has a
  ``steps`` list, ``pretty`` numbers the steps; the final step is the result.

Tests marked ``xfail(strict=True, reason="BUG: ...")`` assert behaviour the tool
does not (yet) have.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest
from step_checks import (
    DET,
    GRAM,
    HADAMARD,
    LINEAR,
    LOGISTIC_U,
    NORM,
    POINTS,
    POWER,
    PRODUCT,
    QUADRATIC,
    SCALING,
    SIGMOID_REWRITE,
    SOFTMAX,
    SUM,
    SUM_ALL,
    TRACE,
    TWINS,
    grad_step_error,
    jacobian_step_error,
    line,
    step_errors,
    through,
)
from support import GRADCLI, run

from gradcli.api import Command, analyse, declarations, derive
from gradcli.calculus.steps import (
    Derivation,
    Step,
    gradient_steps,
)
from gradcli.ir import build as B
from gradcli.ir.nodes import Expr, Var, walk
from gradcli.printers import to_text

# --------------------------------------------------------------------------- the identities


@dataclass(frozen=True)
class Identity:
    id: str
    command: str
    source: str
    wrt: str
    golden: tuple[str, ...]  # ``--steps -f text``: headings and steps, then the result

    @property
    def golden_steps(self) -> list[str]:
        """The golden step lines, without headings and the result."""
        return [ln for ln in self.golden[:-1] if "    [" in ln]

    def argv(self, fmt: str) -> list[str]:
        """``gradcli COMMAND --wrt V --steps -f FMT -- EXPR`` (``--`` for a leading '-')."""
        return [
            self.command,
            "--wrt",
            self.wrt,
            "--steps",
            "--seed",
            "0",
            "-f",
            fmt,
            "--",
            self.source,
        ]

    def derive(self) -> Any:
        return derive(Command(self.command), self.source, self.wrt, steps=True, check=False)


NET_R = "W2 tanh(W1 x) - y"
NET_G = "(W2^T (W2 tanh(W1 x) - y)) .* (1 - tanh(W1 x) .^ 2)"

IDENTITIES = [
    Identity(
        "least-squares",
        "grad",
        "||A x - b||^2",
        "x",
        (
            line("df/d(||A x - b||)", "2 ||A x - b||", POWER),
            line("df/d(A x - b)", "2 (A x - b)", NORM),
            line("df/d(A x)", "2 (A x - b)", SUM),
            line("df/dx", "2 A^T (A x - b)", PRODUCT),
            "2 A^T (A x - b)",
        ),
    ),
    Identity(
        "log-det",
        "grad",
        "log(det(X))",
        "X",
        (
            line("df/d(det(X))", "1 / det(X)", through("log", "log'(u) = 1/u")),
            line("df/dX", "X^-T", DET),
            "X^-T",
        ),
    ),
    Identity(
        "logistic-loss",
        "grad",
        "sum(log(1 + exp(-y .* (X w))))",
        "w",
        (
            line(f"df/d(log(1 + exp({LOGISTIC_U})))", "ones", SUM_ALL),
            line(
                f"df/d(1 + exp({LOGISTIC_U}))",
                "exp(y .* (X w)) ./ (1 + exp(y .* (X w)))",  # 1/(1 + exp(-z))
                through("log", "log'(u) = 1/u"),
            ),
            line(f"df/d(1 + exp({LOGISTIC_U}))", "sigmoid(y .* (X w))", SIGMOID_REWRITE),
            line(f"df/d(exp({LOGISTIC_U}))", "sigmoid(y .* (X w))", SUM),
            line(
                f"df/d({LOGISTIC_U})",
                f"exp({LOGISTIC_U}) ./ (1 + exp({LOGISTIC_U}))",
                through("exp", "exp' = exp"),
            ),
            line(f"df/d({LOGISTIC_U})", f"sigmoid({LOGISTIC_U})", SIGMOID_REWRITE),
            line("df/d(y .* (X w))", f"-sigmoid({LOGISTIC_U})", SCALING),
            line("df/d(X w)", f"-y .* sigmoid({LOGISTIC_U})", HADAMARD),
            line("df/dw", f"-X^T (sigmoid({LOGISTIC_U}) .* y)", PRODUCT),
            f"-X^T (sigmoid({LOGISTIC_U}) .* y)",
        ),
    ),
    Identity(
        "quadratic-form",
        "grad",
        "x^T A x",
        "x",
        (line("df/dx", "(A + A^T) x", QUADRATIC), "(A + A^T) x"),
    ),
    Identity(
        "trace-AXB",
        "grad",
        "tr(A X B)",
        "X",
        (line("df/d(A X B)", "eye", TRACE), line("df/dX", "A^T B^T", PRODUCT), "A^T B^T"),
    ),
    Identity(
        "exp-quadratic",
        "grad",
        "exp(x^T A x)",
        "x",
        (
            line("df/d(x^T A x)", "exp(x^T A x)", through("exp", "exp' = exp")),
            line("df/dx", "exp(x^T A x) (A + A^T) x", QUADRATIC),
            "exp(x^T A x) (A + A^T) x",
        ),
    ),
    Identity(
        "cross-entropy-softmax",
        "grad",
        "-y^T log(softmax(z))",
        "z",
        (
            line("df/d(log(softmax(z)))", "-y", PRODUCT),
            line("df/d(softmax(z))", "-y ./ softmax(z)", through("log", "log'(u) = 1/u")),
            line("df/dz", "sum(y) softmax(z) - y", SOFTMAX),
            "sum(y) softmax(z) - y",
        ),
    ),
    Identity(
        "euclidean-norm",
        "grad",
        "sqrt(x^T x)",
        "x",
        (
            line(
                "df/d(x^T x)",
                "0.5 / sqrt(x^T x)",
                through("sqrt", "sqrt'(u) = 1/(2 sqrt(u))"),
            ),
            line("df/dx", "x / sqrt(x^T x)", GRAM),
            "x / sqrt(x^T x)",
        ),
    ),
    Identity(
        "two-layer-net",
        "grad",
        "||W2 tanh(W1 x) - y||^2",
        "W1",
        (
            line(f"df/d(||{NET_R}||)", f"2 ||{NET_R}||", POWER),
            line(f"df/d({NET_R})", f"2 ({NET_R})", NORM),
            line("df/d(W2 tanh(W1 x))", f"2 ({NET_R})", SUM),
            line("df/d(tanh(W1 x))", f"2 W2^T ({NET_R})", PRODUCT),
            line("df/d(W1 x)", f"2 {NET_G}", through("tanh", "tanh' = 1 - tanh^2")),
            line("df/dW1", f"2 ({NET_G}) x^T", PRODUCT),
            f"2 ({NET_G}) x^T",
        ),
    ),
    Identity(
        "jacobian-sin",
        "jacobian",
        "sin(W x)",
        "x",
        (
            line("d(W x)/dx", "W", LINEAR),
            line("d(sin(W x))/dx", "diag(cos(W x)) W", through("sin", "sin' = cos")),
            "diag(cos(W x)) W",
        ),
    ),
    Identity(
        "hessian-least-squares",
        "hessian",
        "||A x - b||^2",
        "x",
        (
            "the gradient df/dx:",
            line("df/d(||A x - b||)", "2 ||A x - b||", POWER),
            line("df/d(A x - b)", "2 (A x - b)", NORM),
            line("df/d(A x)", "2 (A x - b)", SUM),
            line("df/dx", "2 A^T (A x - b)", PRODUCT),
            "the Hessian: the Jacobian of df/dx with respect to x:",
            line("d(A x)/dx", "A", LINEAR),
            line("d(A x - b)/dx", "A", SUM),
            line("d(2 A^T (A x - b))/dx", "2 A^T A", LINEAR),
            "2 A^T A",
        ),
    ),
]
BY_ID = {i.id: i for i in IDENTITIES}
ids = pytest.mark.parametrize("ident", IDENTITIES, ids=[i.id for i in IDENTITIES])


# --------------------------------------------------------------------------- running the CLI


# --------------------------------------------------------------------------- golden text


@ids
def test_golden_steps_text(capsys: pytest.CaptureFixture[str], ident: Identity) -> None:
    r = run(capsys, *ident.argv("text"))
    assert r.code == 0, r.err
    assert r.out.splitlines() == list(ident.golden)


def test_golden_through_a_real_process() -> None:
    ident = BY_ID["cross-entropy-softmax"]
    proc = subprocess.run(
        [*GRADCLI, *ident.argv("text")], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == list(ident.golden)


def test_without_steps_only_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "grad", "||A x - b||^2", "--wrt", "x", "--seed", "0", "-f", "text")
    assert r.out.splitlines() == ["2 A^T (A x - b)"]


@ids
def test_every_step_names_a_rule(ident: Identity) -> None:
    for part in ident.derive().steps:
        for st in part.steps:
            assert st.rule.strip(), to_text(st.target)
            assert not st.rule.rstrip().endswith(":"), st.rule


# ------------------------------------------------------------------- numerical check of each step


def _all_steps() -> list[Any]:
    out = []
    for ident in IDENTITIES:
        d = ident.derive()
        x = d.variables[ident.wrt]
        k = 0
        for part in d.steps:
            for st in part.steps:
                k += 1
                out.append(
                    pytest.param(ident, d.input, x, part, st, id=f"{ident.id}-{part.kind}-{k}")
                )
    return out


@pytest.mark.parametrize(("ident", "f", "x", "part", "step"), _all_steps())
def test_each_step_numerically(
    ident: Identity, f: Expr, x: Var, part: Derivation, step: Step
) -> None:
    for seed in range(POINTS):
        if part.kind == "grad":
            why = grad_step_error(f, x, step, seed)
        else:
            why = jacobian_step_error(x, step, seed)
        assert why is None, f"{to_text(step.target)} = {to_text(step.value)}: {why}"


def test_the_step_checker_catches_a_wrong_step() -> None:
    """The numerical check is not vacuous: a step with a dropped factor fails."""
    f, variables, _ = analyse("||A x - b||^2", declarations())
    x = variables["x"]
    for st in gradient_steps(f, x):
        half = Step(st.target, B.mul(0.5, st.value), st.rule)
        assert grad_step_error(f, x, st, 0) is None
        assert grad_step_error(f, x, half, 0) is not None
    a = variables["A"]
    assert jacobian_step_error(x, Step(B.mul(a, x), a, ""), 0) is None
    assert jacobian_step_error(x, Step(B.mul(a, x), B.transpose(a), ""), 0) is not None


# ------------------------------------------------------------------- the final step is the result


@ids
def test_final_step_is_the_result(ident: Identity) -> None:
    d = ident.derive()
    last = d.steps[-1].steps[-1]
    assert last.value == d.results[0].expr, (to_text(last.value), d.results[0].text)
    first = d.steps[0]
    if first.kind == "grad":
        assert first.steps[-1].target == d.variables[ident.wrt]
    if ident.command == "jacobian":
        assert last.target == d.input
    if ident.command == "hessian":
        gradient_part, hessian_part = d.steps
        assert hessian_part.kind == "jacobian"
        assert last.target == gradient_part.steps[-1].value


@ids
def test_steps_are_ordered_from_the_output_inwards(ident: Identity) -> None:
    """Gradient steps run from f towards x: each target is a part of f, listed once
    (a rewrite of its value aside), and never a part of a later step's target."""
    d = ident.derive()
    for part in d.steps:
        targets = [st.target for st in part.steps if not st.rule.startswith("rewrite:")]
        assert len(set(targets)) == len(targets)
        if part.kind != "grad":
            continue
        parts_of_f = set(walk(d.input))
        for i, t in enumerate(targets):
            assert t in parts_of_f, to_text(t)
            for later in targets[i + 1 :]:
                assert t not in set(walk(later)), (to_text(t), to_text(later))


# --------------------------------------------------------------------------- latex, json, pretty


@ids
def test_latex_is_one_aligned_block(capsys: pytest.CaptureFixture[str], ident: Identity) -> None:
    r = run(capsys, *ident.argv("latex"))
    assert r.code == 0, r.err
    d = ident.derive()
    n = sum(len(p.steps) for p in d.steps)
    assert r.out.count(r"\begin{aligned}") == 1
    assert r.out.count(r"\end{aligned}") == 1
    assert "$" not in r.out
    block, _, rest = r.out.partition("\\end{aligned}\n")
    lines = block.splitlines()
    assert lines[0] == r"\begin{aligned}"
    rows = lines[1:]
    headings = [p.heading for p in d.steps if p.heading]
    assert len(rows) == n + len(headings)
    for i, row in enumerate(rows):
        assert row.endswith(" \\\\") == (i < len(rows) - 1), row
        if row.startswith(r"& \text{"):
            assert row.removesuffix(" \\\\") == rf"& \text{{{headings.pop(0)}}}", row
            continue
        assert row.count("&=") == 1 and r"&& \text{" in row, row
        assert row.startswith(r"\frac{\partial "), row
    assert headings == []
    assert rest.strip() == d.latex
    assert _balanced(block)


def _balanced(tex: str) -> bool:
    depth = 0
    escaped = False
    for ch in tex:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def test_latex_rule_text_is_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, *BY_ID["least-squares"].argv("latex"))
    rows = r.out.splitlines()
    assert (
        r"\frac{\partial f}{\partial x} &= 2 A^{\top} \left(A x - b\right) && \text{product rule: "
        in rows[4]
    )
    for row in rows[1:-2]:
        rule = row.split(r"\text{", 1)[1]
        assert "^" not in rule.replace(r"\textasciicircum{}", "")
        assert "|" not in rule.replace(r"\textbar{}", "")


@ids
def test_json_has_a_steps_list(capsys: pytest.CaptureFixture[str], ident: Identity) -> None:
    r = run(capsys, *ident.argv("json"))
    assert r.code == 0, r.err
    obj = json.loads(r.out)
    steps = obj["steps"]
    assert isinstance(steps, list) and steps
    flat = []
    for part in steps:
        assert part["wrt"] == ident.wrt
        assert part["kind"] in ("grad", "jacobian")
        for st in part["steps"]:
            assert set(st) >= {"of", "value", "rule"}
            assert all(isinstance(st[k], str) and st[k] for k in ("of", "value", "rule"))
            flat.append(st)
    golden_steps = ident.golden_steps
    assert len(flat) == len(golden_steps)
    for st, text in zip(flat, golden_steps, strict=True):
        assert text.endswith(f" = {st['value']}    [{st['rule']}]"), (text, st)
        assert f"({st['of']})" in text or text.startswith(f"df/d{st['of']} ")
    assert flat[-1]["value"] == obj["results"][0]["text"] == ident.golden[-1]
    kinds = [p["kind"] for p in steps]
    expected = {"grad": ["grad"], "jacobian": ["jacobian"], "hessian": ["grad", "jacobian"]}
    assert kinds == expected[ident.command]


def test_json_without_steps_has_no_steps_key(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "grad", "x^T A x", "--wrt", "x", "--seed", "0", "-f", "json")
    assert "steps" not in json.loads(r.out)


@ids
def test_pretty_numbers_the_steps(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, ident: Identity
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    r = run(capsys, *ident.argv("pretty"))
    assert r.code == 0, r.err
    d = ident.derive()
    rules = [st.rule for p in d.steps for st in p.steps]
    lines = r.out.splitlines()
    numbered = [(i, m) for i, ln in enumerate(lines) if (m := re.match(r"^\s*(\d+)\. (.*)$", ln))]
    assert [int(m.group(1)) for _, m in numbered] == list(range(1, len(rules) + 1))
    for (i, m), rule in zip(numbered, rules, strict=True):
        assert m.group(2).startswith("∂"), m.group(2)
        assert lines[i + 1].strip() == rule
    # the last numbered step shows the result, in Unicode, before the result line
    last, m = numbered[-1]
    assert m.group(2).endswith(" = " + d.results[0].unicode)
    assert any(d.results[0].unicode in ln for ln in lines[last + 2 :])


# ------------------------------------------------------- a quantity that occurs more than once

# The builder pushes transposes to the leaves, so ``(A x - b)^T`` is held as the
# separate node ``x^T A^T - b^T``; the steps must still give the full derivative
# of ``A x - b`` (through both copies) and never show the pushed copy.


@pytest.mark.parametrize(
    "source",
    ["(A x - b)^T (A x - b)", "exp(x)^T exp(x)", "sin(x)^T sin(x)"],
    ids=["residual", "exp", "sin"],
)
def test_steps_count_transposed_occurrences(source: str) -> None:
    assert step_errors("grad", source, "x") == []


TWICE = [
    (
        "(A x - b)^T (A x - b)",
        (
            line("df/d(A x - b)", "2 (A x - b)", GRAM),
            line("df/d(A x)", "2 (A x - b)", f"{SUM}; {TWINS}"),
            line("df/dx", "2 A^T (A x - b)", PRODUCT),
            "2 A^T (A x - b)",
        ),
    ),
    (
        "(x - m)^T A (x - m)",
        (
            line("df/d(x - m)", "(A + A^T) (x - m)", QUADRATIC),
            line("df/dx", "(A + A^T) (x - m)", SUM),
            "(A + A^T) (x - m)",
        ),
    ),
    (
        "(x^T x)^2",
        (
            line("df/d(x^T x)", "2 (x^T x)", POWER),
            line("df/dx", "4 (x^T x) x", GRAM),
            "4 (x^T x) x",
        ),
    ),
]


@pytest.mark.parametrize(("source", "golden"), TWICE, ids=[s for s, _ in TWICE])
def test_a_quantity_written_twice_reads_as_written(
    capsys: pytest.CaptureFixture[str], source: str, golden: tuple[str, ...]
) -> None:
    """Each line is the full derivative of a part the user wrote, by the rule that
    gives it; no line shows a transposed copy such as ``x^T A^T - b^T``."""
    r = run(capsys, "grad", "--wrt", "x", "--steps", "--no-check", "-f", "text", "--", source)
    assert r.code == 0, r.err
    assert r.out.splitlines() == list(golden)
    assert step_errors("grad", source, "x") == []


def test_a_repeated_subexpression_gets_one_total_step() -> None:
    source = "sum(exp(x) .* exp(x)) + sum(exp(x))"
    f, variables, _ = analyse(source, declarations())
    targets = [to_text(st.target) for st in gradient_steps(f, variables["x"])]
    assert len(set(targets)) == len(targets), targets
    assert step_errors("grad", source, "x") == []


QUADRATIC_MISNAMED = [
    ("x^T A y", "y", "A^T x"),
    ("a^T X b", "X", "a b^T"),
    ("x^T A x", "A", "x x^T"),
]


@pytest.mark.parametrize(
    ("source", "wrt", "value"),
    [pytest.param(source, wrt, value, id=source) for source, wrt, value in QUADRATIC_MISNAMED],
)
def test_quadratic_form_rule_only_for_a_quadratic_form(source: str, wrt: str, value: str) -> None:
    d = derive(Command.GRAD, source, wrt, steps=True, check=False)
    (step,) = d.steps[0].steps
    assert to_text(step.value) == value
    assert "Cookbook 81" not in step.rule and "quadratic form" not in step.rule


def test_quadratic_form_rule_for_the_step_to_x() -> None:
    d = derive(Command.GRAD, "x^T A x", "x", steps=True, check=False)
    (step,) = d.steps[0].steps
    assert to_text(step.value) == "(A + A^T) x"
    assert "quadratic form" in step.rule and "Cookbook 81" in step.rule


@pytest.mark.parametrize(("source", "wrt", "value"), QUADRATIC_MISNAMED)
def test_misnamed_rule_steps_are_still_numerically_right(source: str, wrt: str, value: str) -> None:
    assert step_errors("grad", source, wrt) == []


# ---------------------------------------------------------------- more steps, checked numerically

MORE = [
    ("grad", "tr(X^T A X)", "X"),
    ("grad", "x^T inv(A) x", "x"),
    ("grad", "tr(inv(X) A)", "X"),
    ("grad", "tr(X^3)", "X"),
    ("grad", "logdet(X) + tr(X)", "X"),
    ("grad", "sum(softmax(W x) .* y)", "W"),
    ("grad", "sum(x ./ (1 + x .^ 2))", "x"),
    ("grad", "a^T X^T X b", "X"),
    ("grad", "x^T diag(y) x", "y"),
    ("grad", "||x - y||", "y"),
    ("grad", "det(X)^2", "X"),
    ("hessian", "sum(log(1 + exp(-y .* (X w))))", "w"),
    ("hessian", "x^T A x", "x"),
    ("hessian", "sqrt(x^T x)", "x"),
    ("jacobian", "A X B", "X"),
    ("jacobian", "softmax(W x)", "x"),
    ("jacobian", "sigmoid(W x + b)", "W"),
    ("jacobian", "inv(X)", "X"),
]


@pytest.mark.parametrize(("command", "source", "wrt"), MORE, ids=[f"{c} {s}" for c, s, _ in MORE])
def test_more_steps_numerically(command: str, source: str, wrt: str) -> None:
    assert step_errors(command, source, wrt) == []


def test_final_step_is_the_result_for_a_symmetric_variable() -> None:
    d = derive(Command.GRAD, "tr(A S)", "S", symmetric="S", steps=True, check=False)
    assert d.text == "0.5 (A + A^T)"
    assert d.steps[-1].steps[-1].value == d.results[0].expr
    assert "symmetric part (G + G^T)/2" in d.steps[-1].steps[-1].rule


def test_final_step_is_the_result_in_denominator_layout() -> None:
    d = derive(Command.JACOBIAN, "A x", "x", layout="denominator", steps=True, check=False)
    assert d.text == "A^T"
    assert d.steps[-1].steps[-1].value == d.results[0].expr
    assert "denominator layout" in d.steps[-1].steps[-1].rule


def test_final_steps_of_several_variables() -> None:
    """One derivation per variable, each ending with that variable's result."""
    d = derive(Command.GRAD, "x^T A y", "x,y", steps=True, check=False)
    assert [p.wrt for p in d.steps] == ["x", "y"]
    for part, result in zip(d.steps, d.results, strict=True):
        assert part.steps[-1].target == d.variables[part.wrt]
        assert part.steps[-1].value == result.expr
