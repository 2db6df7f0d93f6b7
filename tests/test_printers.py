"""Printers: golden strings per format, and the generated NumPy code executed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

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
from gradcli.ir.dims import ONE, SCALAR, Dim, Kind, Shape, vector
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

n, m, k = Dim("n"), Dim("m"), Dim("k")
SIZES = {n: 4, m: 3, k: 2}


def _vec(name: str, d: Dim = n) -> Var:
    return Var(name, vector(d), Kind.VECTOR)


def _mat(name: str, r: Dim = n, c: Dim = n, symmetric: bool = False) -> Var:
    return Var(name, Shape(r, c), Kind.MATRIX, symmetric)


def _scal(name: str) -> Var:
    return Var(name, SCALAR, Kind.SCALAR)


x, y, a, b, c, w = (_vec(v) for v in "xyabcw")
z = _vec("z", m)
A, X = _mat("A"), _mat("X")
B = _mat("B", n, m)
C = _mat("C", m, k)
s, t = _scal("s"), _scal("t")
Ax = mul(A, x)
sig = apply("sigmoid", x)


# (id, expression, text, unicode)
GOLDEN: list[tuple[str, Expr, str, str]] = [
    ("sum_times", mul(add(A, transpose(A)), x), "(A + A^T) x", "(A + Aᵀ) x"),
    ("lstsq", mul(2, transpose(A), sub(Ax, b)), "2 A^T (A x - b)", "2 Aᵀ (A x − b)"),
    ("neg_chain", neg(mul(transpose(A), apply("sin", Ax))), "-A^T sin(A x)", "−Aᵀ sin(A x)"),
    ("normalize", divide(x, norm(x)), "x / ||x||", "x / ‖x‖"),
    ("sum_over", divide(sub(a, x), norm(sub(x, a))), "(a - x) / ||x - a||", "(a − x) / ‖x − a‖"),
    ("reciprocal", power(x, -1), "1 ./ x", "1 ⊘ x"),
    ("neg_quotient", neg(divide(x, power(y, 2))), "-x ./ y .^ 2", "−x ⊘ y⊙²"),
    ("scalar_chain", mul(4, mul(transpose(x), x), x), "4 (x^T x) x", "4 (xᵀ x) x"),
    ("softmax_res", sub(softmax(x), y), "softmax(x) - y", "softmax(x) − y"),
    ("neg_last", add(neg(y), mul(s, softmax(x))), "s softmax(x) - y", "s softmax(x) − y"),
    ("inv_T", inverse(transpose(X)), "X^-T", "X⁻ᵀ"),
    ("inv_sum", inverse(add(X, A)), "(X + A)^-1", "(X + A)⁻¹"),
    ("outer", mul(a, transpose(b)), "a b^T", "a bᵀ"),
    (
        "exp_quad",
        mul(apply("exp", mul(transpose(x), A, x)), add(A, transpose(A)), x),
        "exp(x^T A x) (A + A^T) x",
        "exp(xᵀ A x) (A + Aᵀ) x",
    ),
    ("sqrt_grad", mul(0.5, power(x, -0.5)), "0.5 x .^ -0.5", "0.5 x⊙^−0.5"),
    ("cube_grad", mul(3, power(x, 2)), "3 x .^ 2", "3 x⊙²"),
    ("tan_grad", add(ones(x.shape), power(apply("tan", x), 2)), "1 + tan(x) .^ 2", "1 + tan(x)⊙²"),
    ("quad_form", mul(transpose(x), A, x), "x^T A x", "xᵀ A x"),
    ("coeff_dot", mul(2, transpose(x), y), "2 x^T y", "2 xᵀ y"),
    ("norm_sq", power(norm(x), 2), "||x||^2", "‖x‖²"),
    ("scalar_sq", power(t, 2), "t^2", "t²"),
    ("scalar_recip", power(t, -1), "1 / t", "1 / t"),
    ("over_sq", mul(t, power(s, -2)), "t / s^2", "t / s²"),
    ("two_dens", mul(x, power(s, -1), power(t, -1)), "x / (s t)", "x / (s t)"),
    ("neg_recip", neg(power(t, -1)), "-1 / t", "−1 / t"),
    ("neg_square", neg(power(t, 2)), "-t^2", "−t²"),
    ("power_of_neg", power(neg(t), 0.5), "(-t)^0.5", "(−t)^0.5"),
    ("hadamard", hadamard(x, y), "x .* y", "x ⊙ y"),
    ("had_scaled", mul(2, hadamard(x, y)), "2 x .* y", "2 x ⊙ y"),
    ("neg_hadamard", neg(hadamard(y, mul(A, w))), "-y .* (A w)", "−y ⊙ (A w)"),
    ("had_in_chain", mul(A, hadamard(x, y)), "A (x .* y)", "A (x ⊙ y)"),
    ("had_of_sum", hadamard(add(x, y), c), "(x + y) .* c", "(x + y) ⊙ c"),
    ("scalar_over", mul(2, power(x, -1)), "2 ./ x", "2 ⊘ x"),
    ("had_over_scalar", mul(2, power(t, -1), divide(x, y)), "2 x ./ y / t", "2 x ⊘ y / t"),
    (
        "sigmoid_grad",
        hadamard(sig, sub(ones(x.shape), sig)),
        "sigmoid(x) .* (1 - sigmoid(x))",
        "σ(x) ⊙ (1 − σ(x))",
    ),
    ("power_of_sum", power(add(x, y), 3), "(x + y) .^ 3", "(x + y)⊙³"),
    ("chain_power", power(mul(transpose(x), x), 0.5), "(x^T x)^0.5", "(xᵀ x)^0.5"),
    ("minus_sum", add(a, neg(add(b, c))), "a - (b + c)", "a − (b + c)"),
    ("all_negative", add(neg(a), neg(b)), "-a - b", "−a − b"),
    ("positive_first", add(neg(a), b), "b - a", "b − a"),
    ("minus_const", sub(x, fill(const(2), x.shape)), "x - 2", "x − 2"),
    ("plus_scalar", add(x, fill(t, x.shape)), "x + t", "x + t"),
    ("neg_const", const(-2), "-2", "−2"),
    ("tiny_coeff", mul(1e-8, x), "1e-08 x", "10⁻⁸ x"),
    ("fill_const", fill(const(3), x.shape), "3 ones", "3 𝟏"),
    ("fill_var", fill(t, x.shape), "t ones", "t 𝟏"),
    ("ones", ones(x.shape), "ones", "𝟏"),
    ("ones_row", transpose(ones(x.shape)), "ones^T", "𝟏ᵀ"),
    ("ones_matrix", ones(A.shape), "ones ones^T", "𝟏 𝟏ᵀ"),
    ("zeros", zeros(x.shape), "0 ones", "0 𝟏"),
    ("eye", add(A, Identity(n)), "A + eye", "A + I"),
    ("matpow", matpow(A, 3), "A^3", "A³"),
    ("matpow_inv", matpow(A, -2), "A^-2", "A⁻²"),
    ("matpow_T", matpow(transpose(A), 2), "(A^T)^2", "(Aᵀ)²"),
    ("trace", trace(mul(A, X)), "tr(A X)", "tr(A X)"),
    ("det_grad", mul(det(X), inverse(transpose(X))), "det(X) X^-T", "det(X) X⁻ᵀ"),
    ("logdet", logdet(X), "logdet(X)", "log|det(X)|"),
    ("sum_all", sum_all(A), "sum(A)", "sum(A)"),
    ("frobenius", norm(A), "||A||", "‖A‖_F"),
    ("abs", apply("abs", x), "abs(x)", "|x|"),
    ("relu", apply("relu", Ax), "relu(A x)", "relu(A x)"),
    ("diag_chain", mul(diag(x), A), "diag(x) A", "diag(x) A"),
    ("diag_part", diag(A), "diag(A)", "diag(A)"),
    ("vec", vec(mul(A, B)), "vec(A B)", "vec(A B)"),
    ("vec_T", transpose(vec(A)), "vec(A)^T", "vec(A)ᵀ"),
    ("kron", kron(A, B), "kron(A, B)", "A ⊗ B"),
    ("kron_scaled", mul(2, kron(A, B)), "2 kron(A, B)", "2 A ⊗ B"),
    ("entry", entry(A, 0, 1), "A[1,2]", "A[1,2]"),
    ("entry_vec", entry(x, 2, 0), "x[3]", "x[3]"),
    ("entry_power", power(entry(mul(A, X), 1, 0), 2), "(A X)[2,1]^2", "(A X)[2,1]²"),
    ("block_col", block([[mul(transpose(x), y)], [t]]), "[x^T y, t]", "[xᵀ y, t]"),
    ("block_mat", block([[s, t], [t, const(2)]]), "[[s, t], [t, 2]]", "[[s, t], [t, 2]]"),
    ("names", mul(_scal("alpha"), _mat("W1"), _vec("x_2")), "alpha W1 x_2", "α W₁ x₂"),
]


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
    decls = typecheck.Declarations(scalar={"s", "t", "alpha"}, vector={"x_2"})
    typed = typecheck.typecheck(parse(text), text, decls)
    env = _env()
    got = evaluate(typed.expr, env, _bind_sizes(typed.variables, env))
    want = evaluate(expr, env, SIZES)
    assert np.shape(got) == np.shape(want)
    assert np.allclose(got, want, equal_nan=True)


LATEX_GOLDEN: list[tuple[str, Expr, str]] = [
    ("sum_times", mul(add(A, transpose(A)), x), r"\left(A + A^{\top}\right) x"),
    ("lstsq", mul(2, transpose(A), sub(Ax, b)), r"2 A^{\top} \left(A x - b\right)"),
    ("normalize", divide(x, norm(x)), r"\frac{x}{\lVert x \rVert}"),
    ("neg_frac", neg(divide(sub(a, x), norm(sub(x, a)))), r"-\frac{a - x}{\lVert x - a \rVert}"),
    ("scaled_frac", mul(2, x, power(t, -2)), r"\frac{2 x}{t^{2}}"),
    ("quotient", neg(divide(x, power(y, 2))), r"-x \oslash y^{\odot 2}"),
    ("inv_T", inverse(transpose(X)), r"X^{-\top}"),
    ("inv_sum", inverse(add(X, A)), r"\left(X + A\right)^{-1}"),
    (
        "sigmoid",
        hadamard(sig, sub(ones(x.shape), sig)),
        r"\sigma\left(x\right) \odot \left(1 - \sigma\left(x\right)\right)",
    ),
    ("kron", kron(A, B), r"A \otimes B"),
    ("trace", trace(mul(A, X)), r"\operatorname{tr}\left(A X\right)"),
    ("logdet", logdet(X), r"\log\left\lvert\det X\right\rvert"),
    ("det_grad", mul(det(X), inverse(transpose(X))), r"\det\left(X\right) X^{-\top}"),
    ("norm_sq", power(norm(A), 2), r"\lVert A \rVert_{F}^{2}"),
    ("sqrt", apply("sqrt", x), r"\sqrt{x}"),
    ("ones", add(ones(x.shape), Ax), r"1 + A x"),
    ("ones_alone", ones(x.shape), r"\mathbf{1}"),
    (
        "names",
        mul(_scal("alpha"), transpose(_vec("lam")), _mat("W1"), _vec("x_i")),
        r"\alpha \mathit{lam}^{\top} W_{1} x_{i}",
    ),
    ("tiny", mul(2.5e-8, x), r"2.5 \cdot 10^{-8} x"),
    ("entry", entry(_mat("W1"), 0, 1), r"\left(W_{1}\right)_{1,2}"),
    ("block", block([[s, t], [t, s]]), r"\begin{bmatrix} s & t \\ t & s \end{bmatrix}"),
    ("vec", vec(A), r"\operatorname{vec}\left(A\right)"),
    ("power", mul(0.5, power(x, -0.5)), r"0.5 x^{\odot -0.5}"),
]


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
    env.update(alpha=0.7, W1=rng.normal(size=(4, 4)), x_2=rng.uniform(0.5, 2.0, size=4))
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
    got = eval(code, {"np": np, "__builtins__": {}}, dict(env))  # our own output
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
    code = to_numpy(add(kron(A, _mat("D", m, m)), eye))
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
