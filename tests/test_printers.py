"""Printers: golden strings per format, and the generated NumPy code executed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from printer_tables import (
    GOLDEN,
    LATEX_GOLDEN,
    SIZES,
    A,
    Ax,
    B,
    C,
    X,
    a,
    b,
    c,
    k,
    m,
    mat,
    n,
    s,
    t,
    w,
    x,
    y,
    z,
)

from gradcli.ir.build import (
    add,
    apply,
    block,
    const,
    det,
    diag,
    divide,
    entry,
    fill,
    hadamard,
    inverse,
    kron,
    logdet,
    matpow,
    mul,
    neg,
    norm,
    ones,
    power,
    softmax,
    sub,
    sum_all,
    trace,
    transpose,
    vec,
    zeros,
)
from gradcli.ir.dims import ONE, SCALAR, Dim
from gradcli.ir.nodes import Expr, Identity, Var
from gradcli.printers import (
    LatexPrinter,
    NumpyPrinter,
    Prec,
    TextPrinter,
    UnicodePrinter,
    to_latex,
    to_numpy,
    to_text,
    to_unicode,
)
from gradcli.printers.base import format_number


@pytest.mark.parametrize(("expr", "text"), [pytest.param(e, t, id=i) for i, e, t, _ in GOLDEN])
def test_text(expr: Expr, text: str) -> None:
    assert to_text(expr) == text


@pytest.mark.parametrize(("expr", "pretty"), [pytest.param(e, u, id=i) for i, e, _, u in GOLDEN])
def test_unicode(expr: Expr, pretty: str) -> None:
    assert to_unicode(expr) == pretty


# Rows whose text the language cannot read back as the same value: ``kron``,
# ``vec`` and entries have no spelling in SPEC §2 (``A[1,2]`` even reads as the
# product ``A [1,2]``), and a lone ``ones`` takes its size from a context.
NOT_READ_BACK = {
    "vec",
    "vec_T",
    "kron",
    "kron_scaled",
    "entry",
    "entry_vec",
    "entry_power",
    "fill_const",
    "fill_var",
    "ones",
    "ones_row",
    "ones_matrix",
    "zeros",
    "zeros_row",
    "zeros_matrix",
}


def _bind_sizes(variables: Mapping[str, Var], env: Mapping[str, Any]) -> dict[Dim, int]:
    sizes: dict[Dim, int] = {}
    for v in variables.values():
        shape = np.shape(env[v.name])
        if v.shape.rows != ONE:
            sizes[v.shape.rows] = shape[0]
        if v.shape.cols != ONE:
            sizes[v.shape.cols] = shape[1]
    return sizes


@pytest.mark.parametrize(
    ("expr", "text"),
    [pytest.param(e, t, id=i) for i, e, t, _ in GOLDEN if i not in NOT_READ_BACK],
)
def test_text_reads_back(expr: Expr, text: str) -> None:
    """SPEC §3: the text form parses, and means the same value."""
    typecheck = pytest.importorskip("gradcli.syntax.typecheck")
    evaluate = pytest.importorskip("gradcli.numeric.evaluate").evaluate
    parse = pytest.importorskip("gradcli.syntax").parse
    scalars = {"s", "t", "alpha", "x1", "x_1", "x_", "x__1"}
    decls = typecheck.Declarations(scalar=scalars, vector={"x_2"})
    typed = typecheck.typecheck(parse(text), text, decls)
    env = _env()
    got = evaluate(typed.expr, env, _bind_sizes(typed.variables, env))
    want = evaluate(expr, env, SIZES)
    assert np.shape(got) == np.shape(want)
    assert np.allclose(got, want, equal_nan=True)


@pytest.mark.parametrize(
    ("expr", "latex"), [pytest.param(e, tex, id=i) for i, e, tex in LATEX_GOLDEN]
)
def test_latex(expr: Expr, latex: str) -> None:
    assert to_latex(expr) == latex


def _balanced(latex: str) -> bool:
    depth = 0
    for ch in latex.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    lefts = re.findall(r"\\left(?![a-z])", latex)
    rights = re.findall(r"\\right(?![a-z])", latex)
    return depth == 0 and len(lefts) == len(rights)


@pytest.mark.parametrize(
    "expr",
    [pytest.param(e, id=i) for i, e, *_ in GOLDEN]
    + [pytest.param(e, id="tex_" + i) for i, e, _ in LATEX_GOLDEN],
)
def test_latex_is_well_formed(expr: Expr) -> None:
    latex = to_latex(expr)
    assert _balanced(latex), latex
    assert "$" not in latex
    assert not re.search(r"([\^_])\{(?:[^{}]|\{[^{}]*\})*\}\1", latex), "double script"


# ---------------------------------------------------------------- numpy


def _env(seed: int = 0) -> dict[str, Any]:
    """Random values for every variable used below: positive vectors, and
    square matrices made well conditioned (so ``inv``/``det`` are safe)."""
    rng = np.random.default_rng(seed)
    env: dict[str, Any] = {}
    for v in (x, y, a, b, c, w, z):
        env[v.name] = rng.uniform(0.5, 2.0, size=SIZES[v.shape.rows])
    for M in (A, X, B, C):
        r, q = SIZES[M.shape.rows], SIZES[M.shape.cols]
        env[M.name] = rng.normal(size=(r, q)) + (r * np.eye(r) if r == q else 0.0)
    env.update(s=float(rng.uniform(0.5, 2.0)), t=float(rng.uniform(0.5, 2.0)))
    env.update(alpha=0.7, W_1=rng.normal(size=(4, 4)), x_2=rng.uniform(0.5, 2.0, size=4))
    env.update(x1=1.5, x_1=0.25, x_=3.0, x__1=-2.0)
    return env


def _size(d: Dim) -> int:
    """The size of ``d``, including the ``n+m`` of a block matrix."""
    if "+" in d.name and d.size is None:
        parts = d.name.split("+")
        return sum(int(p) if p.isdigit() else Dim(p).resolve(SIZES) for p in parts)
    return d.resolve(SIZES)


def _expected_shape(e: Expr) -> tuple[int, ...]:
    rows, cols = _size(e.shape.rows), _size(e.shape.cols)
    if e.shape.is_scalar:
        return ()
    if e.shape.is_vector:
        return (rows,)
    return (rows, cols)


def _sigmoid(u: Any) -> Any:
    return 1 / (1 + np.exp(-u))


def _softmax(u: Any) -> Any:
    return np.exp(u) / np.sum(np.exp(u))


V = SimpleNamespace
Ref = Callable[[Any], Any]
NUMPY_CASES: list[tuple[str, Expr, Ref]] = [
    ("sum_times", mul(add(A, transpose(A)), x), lambda v: (v.A + v.A.T) @ v.x),
    ("lstsq", mul(2, transpose(A), sub(Ax, b)), lambda v: 2 * v.A.T @ (v.A @ v.x - v.b)),
    ("neg_chain", neg(mul(transpose(A), apply("sin", Ax))), lambda v: -v.A.T @ np.sin(v.A @ v.x)),
    ("normalize", divide(x, norm(x)), lambda v: v.x / np.sqrt(v.x @ v.x)),
    (
        "sum_over",
        divide(sub(a, x), norm(sub(x, a))),
        lambda v: (v.a - v.x) / np.linalg.norm(v.x - v.a),
    ),
    ("neg_quotient", neg(divide(x, power(y, 2))), lambda v: -v.x / v.y**2),
    ("scalar_chain", mul(4, mul(transpose(x), x), x), lambda v: 4 * (v.x @ v.x) * v.x),
    ("softmax", add(neg(y), mul(s, softmax(x))), lambda v: v.s * _softmax(v.x) - v.y),
    ("inv_T", inverse(transpose(X)), lambda v: np.linalg.inv(v.X).T),
    ("outer", mul(a, transpose(b)), lambda v: np.outer(v.a, v.b)),
    ("outer_chain", mul(A, a, transpose(b), X), lambda v: np.outer(v.A @ v.a, v.X.T @ v.b)),
    (
        "scaled_outer",
        mul(mul(transpose(x), y), a, transpose(z)),
        lambda v: (v.x @ v.y) * np.outer(v.a, v.z),
    ),
    (
        "exp_quad",
        mul(apply("exp", mul(transpose(x), A, x)), add(A, transpose(A)), x),
        lambda v: np.exp(v.x @ v.A @ v.x) * (v.A + v.A.T) @ v.x,
    ),
    ("sqrt_grad", mul(0.5, power(x, -0.5)), lambda v: 0.5 / np.sqrt(v.x)),
    ("tan_grad", add(ones(x.shape), power(apply("tan", x), 2)), lambda v: 1 / np.cos(v.x) ** 2),
    ("row_result", mul(transpose(x), diag(y), A), lambda v: (v.x * v.y @ v.A)[None, :]),
    ("diag_left_vec", mul(diag(y), A, x), lambda v: np.diag(v.y) @ v.A @ v.x),
    ("diag_left_mat", mul(diag(y), A), lambda v: np.diag(v.y) @ v.A),
    ("diag_right", mul(A, diag(y)), lambda v: v.A @ np.diag(v.y)),
    ("diag_diag", mul(diag(x), diag(y), A), lambda v: np.diag(v.x * v.y) @ v.A),
    ("solve", mul(A, inverse(X), b), lambda v: v.A @ np.linalg.inv(v.X) @ v.b),
    ("solve_T", mul(inverse(transpose(X)), A), lambda v: np.linalg.inv(v.X).T @ v.A),
    ("inv_last", mul(transpose(x), inverse(X)), lambda v: (v.x @ np.linalg.inv(v.X))[None, :]),
    (
        "sigmoid_jac",
        mul(diag(hadamard(apply("sigmoid", Ax), sub(ones(x.shape), apply("sigmoid", Ax)))), A),
        lambda v: np.diag(_sigmoid(v.A @ v.x) * (1 - _sigmoid(v.A @ v.x))) @ v.A,
    ),
    (
        "piecewise",
        add(apply("relu", sub(x, y)), apply("step", sub(x, y)), apply("sign", sub(y, x))),
        lambda v: np.maximum(v.x - v.y, 0) + (v.x > v.y) + np.sign(v.y - v.x),
    ),
    ("kron", kron(B, C), lambda v: np.kron(v.B, v.C)),
    ("kron_vecs", kron(x, z), lambda v: np.kron(v.x, v.z)),
    ("kron_mixed", kron(x, B), lambda v: np.kron(v.x[:, None], v.B)),
    ("vec", vec(mul(A, B)), lambda v: (v.A @ v.B).T.ravel()),
    (
        "det_grad",
        mul(det(X), inverse(transpose(X))),
        lambda v: np.linalg.det(v.X) * np.linalg.inv(v.X).T,
    ),
    (
        "logdet",
        add(logdet(X), trace(mul(A, X))),
        lambda v: np.log(abs(np.linalg.det(v.X))) + np.trace(v.A @ v.X),
    ),
    (
        "block_mat",
        block([[mul(transpose(x), y), t], [s, const(2)]]),
        lambda v: np.array([[v.x @ v.y, v.t], [v.s, 2]]),
    ),
    ("block_col", block([[sum_all(x)], [t]]), lambda v: np.array([np.sum(v.x), v.t])),
    ("block_vecs", block([[x], [z]]), lambda v: np.concatenate([v.x, v.z])),
    ("block_mats", block([[A, x]]), lambda v: np.hstack([v.A, v.x[:, None]])),
    ("entries", add(entry(A, 0, 1), entry(x, 2, 0)), lambda v: v.A[0, 1] + v.x[2]),
    ("fills", add(ones(x.shape), fill(t, x.shape)), lambda v: np.ones(4) + v.t),
    ("fill_matrix", fill(const(2.5), B.shape), lambda v: np.full((4, 3), 2.5)),
    ("zeros", zeros(A.shape), lambda v: np.zeros((4, 4))),
    ("broadcast", sub(x, fill(const(2), x.shape)), lambda v: v.x - 2),
    (
        "matpow",
        add(matpow(A, 3), matpow(X, -2)),
        lambda v: v.A @ v.A @ v.A + np.linalg.inv(v.X @ v.X),
    ),
    ("eye", add(A, Identity(n)), lambda v: v.A + np.eye(4)),
    ("hadamard_mats", hadamard(A, power(X, -1)), lambda v: v.A / v.X),
    ("had_over_scalar", mul(2, power(t, -1), divide(x, y)), lambda v: 2 * v.x / v.y / v.t),
    ("chain_power", power(mul(transpose(x), x), 0.5), lambda v: np.linalg.norm(v.x)),
    ("frobenius", mul(norm(A), sum_all(B)), lambda v: np.linalg.norm(v.A) * np.sum(v.B)),
    ("softmax_row", mul(transpose(softmax(x)), A), lambda v: (_softmax(v.x) @ v.A)[None, :]),
    ("diag_part", hadamard(diag(A), x), lambda v: np.diag(v.A) * v.x),
    ("abs_log", apply("log", apply("abs", sub(x, y))), lambda v: np.log(np.abs(v.x - v.y))),
]


@pytest.mark.parametrize(("expr", "ref"), [pytest.param(e, r, id=i) for i, e, r in NUMPY_CASES])
def test_numpy_code_evaluates(expr: Expr, ref: Ref) -> None:
    env = _env()
    try:
        code = to_numpy(expr)
    except ValueError:
        code = to_numpy(expr, {n: "x.shape[0]", m: "z.shape[0]", k: "C.shape[1]"})
    got = eval(code, {"np": np, "__builtins__": {}}, dict(env))
    want = ref(V(**env))
    assert np.shape(got) == _expected_shape(expr), code
    assert np.allclose(got, want), code


NUMPY_GOLDEN: list[tuple[str, Expr, str]] = [
    ("lstsq", mul(2, transpose(A), sub(Ax, b)), "2 * (A.T @ (A @ x - b))"),
    ("neg_matvec", neg(mul(transpose(A), x)), "-(A.T @ x)"),
    ("sum_matvec", mul(add(A, transpose(A)), x), "A @ x + A.T @ x"),
    ("quad", mul(transpose(x), A, x), "x @ A @ x"),
    ("outer", mul(a, transpose(b)), "np.outer(a, b)"),
    ("solve", mul(inverse(X), b), "np.linalg.solve(X, b)"),
    ("diag_left", mul(diag(y), A), "y[:, None] * A"),
    ("diag_right", mul(A, diag(y)), "A * y"),
    ("trace", trace(A), "np.trace(A)"),
    ("logdet", logdet(X), "np.linalg.slogdet(X)[1]"),
    ("eye", Identity(n), "np.eye(x.shape[0])"),
    ("sigmoid", apply("sigmoid", Ax), "1 / (1 + np.exp(-(A @ x)))"),
    ("row", transpose(x), "np.reshape(x, (1, -1))"),
    ("normalize", divide(x, norm(x)), "x / np.linalg.norm(x)"),
]


@pytest.mark.parametrize(("expr", "code"), [pytest.param(e, g, id=i) for i, e, g in NUMPY_GOLDEN])
def test_numpy_golden(expr: Expr, code: str) -> None:
    assert to_numpy(expr, {n: "x.shape[0]"}) == code


def test_numpy_dims_default_to_variables_and_compose() -> None:
    eye = Identity(Dim.product(n, m))
    code = to_numpy(add(kron(A, mat("D", m, m)), eye))
    assert code.startswith("np.kron(A, D) + np.eye(")
    env = {"A": np.eye(4), "D": np.ones((3, 3))}
    assert np.allclose(eval(code, {"np": np}, env), np.kron(env["A"], env["D"]) + np.eye(12))
    assert to_numpy(eye, {n: "N", m: "M"}) in ("np.eye(N * M)", "np.eye(M * N)")
    assert NumpyPrinter({n: "N"}).doprint(ones(x.shape)) == "np.ones(N)"


def test_numpy_unknown_dimension_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="dimension n"):
        to_numpy(Identity(n))


# ---------------------------------------------------------------- structure


def test_precedence_order() -> None:
    assert Prec.SUM < Prec.PRODUCT < Prec.UNARY < Prec.POWER < Prec.ATOM
    p = TextPrinter()
    assert p.precedence(add(x, y)) == Prec.SUM
    assert p.precedence(Ax) == Prec.PRODUCT
    assert p.precedence(power(x, 2)) == Prec.POWER
    assert p.precedence(power(x, -1)) == Prec.PRODUCT
    assert p.precedence(const(-1)) == Prec.UNARY
    assert p.precedence(x) == Prec.ATOM
    assert p.parenthesize(add(x, y), Prec.PRODUCT) == "(x + y)"
    assert LatexPrinter().parenthesize(add(x, y), Prec.PRODUCT) == r"\left(x + y\right)"


@pytest.mark.parametrize(
    ("value", "text"),
    [(2.0, "2"), (0.5, "0.5"), (1e-8, "1e-08"), (-3.0, "-3"), (0.1, "0.1"), (1e20, "1e+20")],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_unknown_node_is_refused() -> None:
    class Strange(Expr):
        shape = SCALAR

    with pytest.raises(TypeError, match="cannot print Strange"):
        TextPrinter().doprint(Strange())


@pytest.mark.parametrize("printer", [TextPrinter, UnicodePrinter, LatexPrinter, NumpyPrinter])
def test_deep_expressions_print(printer: Callable[[], Any]) -> None:
    e: Expr = x
    for i in range(3000):
        e = apply("sin", e) if i % 2 else add(mul(A, e), b)
    out = printer().doprint(e)
    assert out.count("sin") == 1500


def test_shared_subexpressions_print_fast() -> None:
    e: Expr = mul(transpose(x), x)
    for _ in range(16):
        e = mul(add(e, t), e)
    start = time.perf_counter()
    printed = to_text(power(e, 0.5))
    assert time.perf_counter() - start < 5.0
    assert printed.startswith("(")
