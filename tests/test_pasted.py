"""Inputs pasted in other tools' notation (matrixcalculus.org, MATLAB, NumPy).

Each row gives the pasted text, the gradcli expression it reads as, and an
independent NumPy function of the same value. The test checks that the two
readings agree in value, that the gradient agrees with central differences
of the NumPy function, that gradcli's own check passes, and that the printed
gradient (``text``) reads back: ``verify`` accepts it as the gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pytest
from support import run

import gradcli
from gradcli.api import analyse
from gradcli.errors import GradcliError
from gradcli.ir.dims import ONE, Dim
from gradcli.ir.nodes import Expr, Var
from gradcli.numeric.evaluate import evaluate
from gradcli.syntax.declarations import Declarations
from gradcli.verification.verdict import verify

SEED = 11
H = 1e-6


class Pasted(NamedTuple):
    pasted: str
    reading: str
    wrt: str
    shapes: Mapping[str, tuple[int, ...]]  # () scalar, (n,) vector, (n, m) matrix
    reference: Callable[[dict[str, Any]], float]
    scalar: str = ""
    positive: str = ""  # names drawn > 0 (a log, or the base of a variable power)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


ROWS = [
    Pasted("x'*A*x", "x^T A x", "x", {"x": (3,), "A": (3, 3)}, lambda v: v["x"] @ v["A"] @ v["x"]),
    Pasted(
        "x.T @ A @ x", "x^T A x", "A", {"x": (3,), "A": (3, 3)}, lambda v: v["x"] @ v["A"] @ v["x"]
    ),
    Pasted(
        "norm2(A*x - b)",
        "||A x - b||",
        "x",
        {"A": (4, 3), "x": (3,), "b": (4,)},
        lambda v: np.linalg.norm(v["A"] @ v["x"] - v["b"]),
    ),
    Pasted("norm(x)^2", "||x||^2", "x", {"x": (3,)}, lambda v: v["x"] @ v["x"]),
    Pasted("norm(X)", "||X||_F", "X", {"X": (3, 4)}, lambda v: np.linalg.norm(v["X"])),
    Pasted(
        "norm1(x - y)",
        "||x - y||_1",
        "x",
        {"x": (4,), "y": (4,)},
        lambda v: np.abs(v["x"] - v["y"]).sum(),
    ),
    Pasted("sum(inv(X))", "sum(X^-1)", "X", {"X": (3, 3)}, lambda v: np.linalg.inv(v["X"]).sum()),
    Pasted(
        "vector(1)'*log(x)",
        "ones^T log(x)",
        "x",
        {"x": (3,)},
        lambda v: np.log(v["x"]).sum(),
        positive="x",
    ),
    Pasted("tr(matrix(2) X)", "2 sum(X)", "X", {"X": (3, 4)}, lambda v: 2 * v["X"].sum()),
    Pasted(
        "vector(c)'*x", "c sum(x)", "c", {"c": (), "x": (3,)}, lambda v: v["c"] * v["x"].sum(), "c"
    ),
    Pasted("mean(x)", "sum(x) / len(x)", "x", {"x": (5,)}, lambda v: v["x"].mean()),
    Pasted(  # the size's name n is taken by a variable: text writes len(x)
        "n + mean(x)",
        "n + sum(x) / len(x)",
        "x",
        {"n": (), "x": (4,)},
        lambda v: v["n"] + v["x"].mean(),
        scalar="n",
    ),
    Pasted(
        "mean(X .* X)",
        "||X||^2 / (len(X) len(X^T))",
        "X",
        {"X": (3, 4)},
        lambda v: (v["X"] ** 2).mean(),
    ),
    Pasted(
        "len(A') x'*x",
        "len(A^T) x^T x",
        "x",
        {"A": (2, 4), "x": (3,)},
        lambda v: 4 * v["x"] @ v["x"],
    ),
    Pasted(
        "-y'*log(softmax(W*w))",
        "-(y^T log(softmax(W w)))",
        "w",
        {"y": (4,), "W": (4, 3), "w": (3,)},
        lambda v: -v["y"] @ np.log(_softmax(v["W"] @ v["w"])),
    ),
    Pasted(
        "c*x'*x",
        "c (x^T x)",
        "x",
        {"c": (), "x": (3,)},
        lambda v: v["c"] * v["x"] @ v["x"],
        scalar="c",
    ),
    Pasted("a^b", "exp(b log(a))", "a", {"a": (), "b": ()}, lambda v: v["a"] ** v["b"], "a,b", "a"),
    Pasted("a^b", "exp(b log(a))", "b", {"a": (), "b": ()}, lambda v: v["a"] ** v["b"], "a,b", "a"),
    Pasted(
        "sum(x.^t)",
        "sum(exp(t log(x)))",
        "x",
        {"x": (3,), "t": ()},
        lambda v: (v["x"] ** v["t"]).sum(),
        "t",
        "x",
    ),
    Pasted(
        "sum(x.^t)",
        "sum(exp(t log(x)))",
        "t",
        {"x": (3,), "t": ()},
        lambda v: (v["x"] ** v["t"]).sum(),
        "t",
        "x",
    ),
    Pasted(
        "sum(t.^x)",
        "sum(exp(x log(t)))",
        "x",
        {"x": (3,), "t": ()},
        lambda v: (v["t"] ** v["x"]).sum(),
        "t",
        "t",
    ),
    Pasted(
        "sum(t.^x)",
        "sum(exp(x log(t)))",
        "t",
        {"x": (3,), "t": ()},
        lambda v: (v["t"] ** v["x"]).sum(),
        "t",
        "t",
    ),
    Pasted(
        "sum(x .^ y)",
        "sum(exp(y .* log(x)))",
        "y",
        {"x": (3,), "y": (3,)},
        lambda v: (v["x"] ** v["y"]).sum(),
        positive="x",
    ),
    Pasted(
        "(x'*x)^t",
        "exp(t log(x^T x))",
        "x",
        {"x": (3,), "t": ()},
        lambda v: (v["x"] @ v["x"]) ** v["t"],
        "t",
    ),
]


def _values(row: Pasted, rng: np.random.Generator) -> dict[str, Any]:
    positive = set(row.positive.split(","))
    out: dict[str, Any] = {}
    for name, shape in row.shapes.items():
        if name in positive:
            value = rng.uniform(0.5, 2.0, shape)
        elif len(shape) == 2 and shape[0] == shape[1]:
            value = 3 * np.eye(shape[0]) + 0.3 * rng.standard_normal(shape)
        else:
            value = rng.standard_normal(shape)
        out[name] = float(value) if shape == () else value
    return out


def _sizes(variables: Mapping[str, Var], values: Mapping[str, Any]) -> dict[Dim, int]:
    sizes: dict[Dim, int] = {}
    for name, v in variables.items():
        shape = np.shape(values[name]) + (1, 1)
        for d, n in zip((v.shape.rows, v.shape.cols), shape[:2], strict=True):
            if d != ONE and d.size is None and not d.factors:
                sizes[d] = n
    return sizes


def _value(source: str, row: Pasted, values: Mapping[str, Any]) -> np.ndarray:
    expr, variables, _ = analyse(
        source, Declarations(scalar=set(filter(None, row.scalar.split(","))))
    )
    return _eval(expr, variables, values)


def _eval(expr: Expr, variables: Mapping[str, Var], values: Mapping[str, Any]) -> np.ndarray:
    env = {n: values[n] for n in variables}
    return evaluate(expr, env, _sizes(variables, values))


def _numeric_gradient(row: Pasted, values: dict[str, Any]) -> np.ndarray:
    """Central differences of the NumPy reference, entry by entry of ``wrt``."""
    base = np.asarray(values[row.wrt], dtype=float)
    grad = np.zeros(base.shape)
    for index in np.ndindex(base.shape):
        step = np.zeros(base.shape)
        step[index] = H
        up = {**values, row.wrt: base + step if base.shape else float(base + H)}
        down = {**values, row.wrt: base - step if base.shape else float(base - H)}
        grad[index] = (row.reference(up) - row.reference(down)) / (2 * H)
    return grad


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.pasted} wrt {r.wrt}" for r in ROWS])
def test_pasted_input_reads_as_its_gradcli_form(row: Pasted) -> None:
    rng = np.random.default_rng(SEED)
    for _ in range(3):
        values = _values(row, rng)
        pasted = _value(row.pasted, row, values)
        assert np.allclose(pasted, _value(row.reading, row, values), rtol=1e-10, atol=1e-12)
        assert np.allclose(pasted.ravel(), [row.reference(values)], rtol=1e-10)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.pasted} wrt {r.wrt}" for r in ROWS])
def test_pasted_input_gradient_is_right_and_reads_back(row: Pasted) -> None:
    d = gradcli.grad(row.pasted, wrt=row.wrt, scalar=row.scalar or None, seed=SEED)
    assert d.check is not None and d.check.passed, d.check
    assert "sum(ones)" not in d.text and "exp(" not in d.text, d.text
    verdict = verify(d.text, row.pasted, row.wrt, scalar=row.scalar or None, seed=SEED)
    assert verdict.correct, f"{d.text!r} does not read back: {verdict.reason}"
    rng = np.random.default_rng(SEED)
    for _ in range(3):
        values = _values(row, rng)
        expected = _numeric_gradient(row, values)
        got = _eval(d.results[0].expr, d.variables, values).reshape(expected.shape)
        assert np.allclose(got, expected, rtol=1e-5, atol=1e-6), (row.pasted, got, expected)


@pytest.mark.parametrize(
    ("source", "hint", "not_in_hint"),
    [
        ("Trace(X)", "did you mean trace?", "space"),
        ("max(x)", "max(0, x) for relu(x)", "softmax"),
        ("min(x)", "entry by entry", "sin"),
        ("ln(x)^T y", "did you mean log?", None),
        ("sum(epx(x))", "did you mean exp?", None),
        ("sum(sigmod(x))", "did you mean sigmoid?", None),
        ("sum(vectr(1))", "did you mean vector?", "vec?"),
        ("mea(x)", "did you mean mean?", None),
        ("foo(x)", "put a space", None),
        ("dot(x, y)", "x^T y", None),
    ],
)
def test_unknown_name_hint_points_at_the_real_name(
    source: str, hint: str, not_in_hint: str | None
) -> None:
    with pytest.raises(GradcliError) as info:
        analyse(source, Declarations())
    assert info.value.hint is not None and hint in info.value.hint
    assert not_in_hint is None or not_in_hint not in info.value.hint


@pytest.mark.parametrize(
    ("source", "wrt", "hint"),
    [
        ("c x^T x", "x", "--scalar c (matrixcalculus.org"),
        ("a x + b", "x", "--scalar a,b (matrixcalculus.org"),
        ("(a + b) ||x||", "x", "--scalar a,b (matrixcalculus.org"),
        ("u x^T x", "x", "--scalar u"),
        ("x y", "x", "x^T y"),  # the product hint stays: x is no pasted scalar
        ("tr(x)", "x", None),  # declaring x a scalar is no fix for tr of a vector
        ("A x - b^T", "x", None),  # a transposed name is meant as a vector
    ],
)
def test_scalar_declaration_hint(source: str, wrt: str, hint: str | None) -> None:
    with pytest.raises(GradcliError) as info:
        gradcli.grad(source, wrt=wrt, check=False)
    if hint is None:
        assert "--scalar" not in (info.value.hint or "")
    else:
        assert hint in (info.value.hint or "")
    if hint is not None and "--scalar" in hint:  # the declaration it names does work
        names = hint.split("--scalar ")[1].split(" ")[0]
        assert analyse(source, Declarations(scalar=set(names.split(","))))


@pytest.mark.parametrize(
    ("source", "wrt", "fmt", "expected"),
    [
        ("mean(x)", "x", "text", "ones / n where n = len(x)"),
        ("mean(x)", "x", "latex", "\\frac{\\mathbf{1}}{n}"),
        ("mean(x)", "x", "numpy", "np.ones(x.shape[0]) / x.shape[0]"),
        ("mean(X .* X)", "X", "text", "2 X / (n m) where n = len(X), m = len(X^T)"),
        ("len(A^T) x^T x", "x", "text", "2 m x where m = len(A^T)"),
        ("n^T x / len(x)", "x", "text", "n / len(n)"),  # the name n is taken
        ("a^b", "b", "text", "log(a) a^b"),
        ("a^b", "b", "latex", "\\log\\left(a\\right) a^{b}"),
        ("a^b", "b", "numpy", "np.log(a) * np.exp(b * np.log(a))"),
        ("sum(x .^ y)", "y", "text", "x .^ y .* log(x)"),
        ("sum(x .^ y)", "y", "latex", "x^{\\odot y} \\odot \\log\\left(x\\right)"),
    ],
)
def test_sizes_and_variable_powers_print_by_name(
    source: str, wrt: str, fmt: str, expected: str
) -> None:
    d = gradcli.grad(source, wrt=wrt, scalar="a,b", seed=SEED)
    assert d.check is not None and d.check.passed
    r = d.results[0]
    assert {"text": r.text, "latex": r.latex, "numpy": r.numpy}[fmt] == expected


@pytest.mark.parametrize(
    ("command", "line", "expected"),
    [
        ("grad", '"-x^T x" --wrt x', "-2 x"),
        ("grad", '--wrt x "-sum(log(x))"', "-1 ./ x"),
        ("verify", '"-2 x" --of "-x^T x" --wrt x', "correct"),
    ],
)
def test_notebook_magic_takes_a_leading_minus_expression(
    command: str, line: str, expected: str
) -> None:
    from gradcli.notebook import run as magic

    shown = magic(command, line)
    assert shown is not None and expected in repr(shown)


@pytest.mark.parametrize(
    ("args", "out", "note"),
    [
        (
            ("grad", "--wrt", "w", "-y^T log(softmax(W x))"),
            "zeros",
            "w does not occur in the expression, so the derivative by it is zero "
            "(did you mean W? case matters)",
        ),
        (
            ("grad", "x^T x", "--wrt", "q"),
            "zeros",
            "q does not occur in the expression, so the derivative by it is zero",
        ),
    ],
)
def test_a_variable_that_does_not_occur_gets_a_note(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], out: str, note: str
) -> None:
    """Its derivative is zero, and standard error says why (and which name was meant)."""
    r = run(capsys, *args, "-f", "text", "--seed", "1")
    assert r.code == 0
    assert r.out.strip() == out
    assert f"note: {note}" in r.err.splitlines()
