"""The printer golden tables: expressions over a few fixed variables with their
text, Unicode and LaTeX forms. ``test_printers.py`` checks them;
``test_katex.py`` renders every LaTeX form with KaTeX.
"""

from __future__ import annotations

from fractions import Fraction

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
from gradcli.ir.dims import SCALAR, Dim, Kind, Shape, vector
from gradcli.ir.nodes import Expr, Identity, Var

n, m, k = Dim("n"), Dim("m"), Dim("k")
SIZES = {n: 4, m: 3, k: 2}


def _vec(name: str, d: Dim = n) -> Var:
    return Var(name, vector(d), Kind.VECTOR)


def mat(name: str, r: Dim = n, c: Dim = n, symmetric: bool = False) -> Var:
    return Var(name, Shape(r, c), Kind.MATRIX, symmetric)


def _scal(name: str) -> Var:
    return Var(name, SCALAR, Kind.SCALAR)


x, y, a, b, c, w = (_vec(v) for v in "xyabcw")
z = _vec("z", m)
A, X = mat("A"), mat("X")
B = mat("B", n, m)
C = mat("C", m, k)
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
    ("zeros", zeros(x.shape), "zeros", "0"),
    ("zeros_row", zeros(transpose(x).shape), "zeros^T", "0"),
    ("zeros_matrix", zeros(A.shape), "zeros zeros^T", "0"),
    ("zeros_in_block", block([[zeros(x.shape), x]]), "[[zeros, x]]", "[[0, x]]"),
    ("fraction_coeff", mul(Fraction(1, 9), x), "x / 9", "x / 9"),
    ("fraction_coeff_den", mul(Fraction(2, 3), x, power(t, -1)), "2 x / (3 t)", "2 x / (3 t)"),
    ("fraction_const", add(const(Fraction(-1, 6)), t), "t - 1/6", "t − 1/6"),
    ("fraction_power", power(add(const(Fraction(1, 3)), t), 2), "(1/3 + t)^2", "(1/3 + t)²"),
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
    ("names", mul(_scal("alpha"), mat("W_1"), _vec("x_2")), "alpha W_1 x_2", "α W₁ x₂"),
    # Digits glued to a name are part of it, so x1 and x_1 never look alike.
    ("glued_digits", mul(_scal("x1"), _scal("x_1"), _vec("x")), "x1 x_1 x", "x1 x₁ x"),
    ("empty_part", mul(_scal("x_"), _scal("x__1"), _vec("x")), "x_ x__1 x", "x_ x__1 x"),
]


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
        mul(_scal("alpha"), transpose(_vec("lam")), mat("W_1"), _vec("x_i")),
        r"\alpha \mathit{lam}^{\top} W_{1} x_{i}",
    ),
    ("glued_digits", mul(_scal("x1"), _scal("x_1"), _vec("x")), r"\mathit{x1} x_{1} x"),
    ("empty_part", mul(_scal("x_"), _scal("x__1"), _vec("x")), r"\mathit{x\_} \mathit{x\_\_1} x"),
    ("double_subscript", mul(_scal("x_1_2"), _vec("x_12")), r"x_{1,2} x_{12}"),
    ("tiny", mul(2.5e-8, x), r"2.5 \cdot 10^{-8} x"),
    ("entry", entry(mat("W_1"), 0, 1), r"\left(W_{1}\right)_{1,2}"),
    ("block", block([[s, t], [t, s]]), r"\begin{bmatrix} s & t \\ t & s \end{bmatrix}"),
    ("vec", vec(A), r"\operatorname{vec}\left(A\right)"),
    ("power", mul(0.5, power(x, -0.5)), r"0.5 x^{\odot -0.5}"),
    ("fraction_coeff", mul(Fraction(1, 9), x), r"\frac{1}{9} x"),
    ("fraction_coeff_den", mul(Fraction(2, 3), x, power(t, -1)), r"\frac{2 x}{3 t}"),
    ("fraction_const", add(const(Fraction(-1, 6)), t), r"t - \frac{1}{6}"),
    (
        "fraction_power",
        power(add(const(Fraction(1, 3)), t), 2),
        r"\left(\frac{1}{3} + t\right)^{2}",
    ),
    ("zeros", zeros(A.shape), r"\mathbf{0}"),
]
