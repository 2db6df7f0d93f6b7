"""Smart constructors: build nodes in a light canonical form.

These do the algebra every later stage relies on, the way SymPy's ``Add`` and
``Mul`` do: flatten nested sums and products, fold constants, collect like
terms (``u + u = 2 u``) and like factors (``t t^-1 = 1``), drop zeros and
identities, and push transposes down to the leaves (``(A B)^T = B^T A^T``).
Textbook-shaped rewrites (factoring, recognising ``sigmoid``) live in
``gradcli.simplify``.

Over 500 lines on purpose: one constructor per node type, each with the
identities it applies, and ``rebuild`` needs all of them in one table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from functools import lru_cache

from gradcli.ir.dims import ONE, SCALAR, Shape
from gradcli.ir.nodes import (
    Add,
    Apply,
    Block,
    Commutation,
    Const,
    Det,
    Diag,
    DiagPart,
    Entry,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Inverse,
    Kron,
    LogDet,
    MatPow,
    Mul,
    Norm,
    Power,
    Reduce,
    Softmax,
    SoftmaxCols,
    SoftmaxRows,
    SumAll,
    Trace,
    Transpose,
    Var,
    Vec,
    free_vars,
)
from gradcli.ir.numbers import ConstantRangeError, exact, exact_power
from gradcli.ir.primitives import ELEMENTWISE

Number = float | int | Fraction


def const(v: Number) -> Const:
    return Const(exact(v))


def zeros(shape: Shape) -> Expr:
    return Const(0.0) if shape.is_scalar else Fill(Const(0.0), shape)


def ones(shape: Shape) -> Expr:
    return Const(1.0) if shape.is_scalar else Fill(Const(1.0), shape)


def fill(value: Expr, shape: Shape) -> Expr:
    """``value`` in every entry: ``Fill(c)`` for a constant, else ``value ones``."""
    if shape.is_scalar:
        return value
    if isinstance(value, Const):
        return Fill(value, shape)
    return mul(value, Fill(Const(1.0), shape))


def is_zero(e: Expr) -> bool:
    if isinstance(e, Const):
        return e.value == 0.0
    return isinstance(e, Fill) and isinstance(e.value, Const) and e.value.value == 0.0


def is_one(e: Expr) -> bool:
    return isinstance(e, Const) and e.value == 1.0


def is_ones(e: Expr) -> bool:
    return isinstance(e, Fill) and is_one(e.value)


# ----------------------------------------------------------------- sums


def split_coeff(e: Expr) -> tuple[Fraction | float, Expr]:
    """``e = c * rest`` with the numeric coefficient pulled out."""
    if isinstance(e, Mul) and e.coeff != 1.0:
        return e.coeff, mul(*e.factors)
    if isinstance(e, Fill) and isinstance(e.value, Const) and e.value.value != 1.0:
        return e.value.value, Fill(Const(1.0), e.fill_shape)
    if isinstance(e, Const):
        return e.value, Const(1.0)
    return Fraction(1), e


def add(*terms: Expr) -> Expr:
    """Sum; every term has the same shape (broadcasting is explicit, via ``Fill``)."""
    if not terms:
        raise ValueError("add of nothing")
    shape = terms[0].shape
    collected: dict[Expr, Fraction | float] = {}
    for t in _flatten(terms, Add):
        if is_zero(t):
            continue
        c, base = split_coeff(t)
        collected[base] = collected.get(base, Fraction(0)) + c
    out = [scale(c, base) for base, c in collected.items() if c != 0]
    if not out:
        return zeros(shape)
    if len(out) == 1:
        return out[0]
    return Add(tuple(out))


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, neg(b))


def neg(a: Expr) -> Expr:
    return mul(-1.0, a)


def scale(c: Fraction | float, e: Expr) -> Expr:
    if c == 1.0:
        return e
    return mul(c, e)


def _flatten(items: Iterable[Expr], cls: type) -> list[Expr]:
    out: list[Expr] = []
    for it in items:
        if isinstance(it, cls):
            out.extend(_flatten(it.children(), cls))
        else:
            out.append(it)
    return out


# ----------------------------------------------------------------- products


def mul(*args: Expr | Number) -> Expr:
    """Product: scaling by scalars, matrix product of the rest in order."""
    coeff: Fraction | float = Fraction(1)
    scalars: list[Expr] = []
    chain: list[Expr] = []
    for a in args:
        if isinstance(a, (int, float, Fraction)):
            coeff *= exact(a)
        elif isinstance(a, Const):
            coeff *= a.value
        elif isinstance(a, Mul):
            coeff *= a.coeff
            scalars.extend(a.scalars)
            if a.chain and a.is_scalar:
                scalars.append(Mul(1.0, a.chain))
            else:
                chain.extend(a.chain)
        elif isinstance(a, Fill) and not is_one(a.value) and not is_zero(a):
            scalars.append(a.value)
            chain.append(Fill(Const(1.0), a.fill_shape))
        elif a.is_scalar:
            scalars.append(a)
        else:
            chain.append(a)
    return _assemble(coeff, scalars, chain)


def _assemble(coeff: Fraction | float, scalars: list[Expr], chain: list[Expr]) -> Expr:
    chain = _cancel_inverses([f for f in chain if not isinstance(f, Identity)] or chain[:1])
    shape = Mul(1.0, tuple(chain)).shape if chain else SCALAR
    if coeff == 0.0 or any(is_zero(f) for f in scalars + chain):
        return zeros(shape)
    merged, extra = _combine_powers(scalars)
    coeff *= extra
    if coeff == 0.0:
        return zeros(shape)
    factors = tuple(merged + chain)
    if not factors:
        return Const(coeff)
    if coeff == 1.0 and len(factors) == 1:
        return factors[0]
    return Mul(coeff, factors)


def _cancel_inverses(chain: list[Expr]) -> list[Expr]:
    """Neighbouring powers of one square matrix combine: ``A A^-1 = I``,
    ``A A = A^2``, ``A (A^-1)^2 = A^-1``."""
    out: list[tuple[Expr, int]] = []
    for f in chain:
        base, k = _matrix_power(f)
        if out and out[-1][0] == base and base.shape.is_square:
            k += out.pop()[1]
            if k == 0:
                continue
        out.append((base, k))
    if not out and chain:
        return [Identity(chain[0].shape.rows)]
    return [_power_of(b, k) for b, k in out]


def _matrix_power(f: Expr) -> tuple[Expr, int]:
    """``f = base^k`` for an integer ``k`` (``Inverse`` counts as ``-1``)."""
    if isinstance(f, MatPow):
        base, k = _matrix_power(f.base)
        return base, k * f.k
    if isinstance(f, Inverse):
        return f.arg, -1
    return f, 1


def matrix_exponent(e: Expr) -> int:
    """``k`` when ``e`` is a matrix power ``base^k`` (an inverse is ``-1``), else 1."""
    return _matrix_power(e)[1] if not e.is_scalar else 1


def _power_of(base: Expr, k: int) -> Expr:
    if k == 1:
        return base
    if k == -1:
        return Inverse(base)
    return MatPow(base, k) if k > 0 else MatPow(Inverse(base), -k)


def _base_exp(e: Expr) -> tuple[Expr, float]:
    if isinstance(e, Power):
        return e.base, e.exponent
    return e, 1.0


def _combine_powers(factors: list[Expr]) -> tuple[list[Expr], Fraction | float]:
    """Collect equal bases: ``t t = t^2``, ``t t^-1 = 1``; constants folded out."""
    exps: dict[Expr, float] = {}
    for f in factors:
        b, p = _base_exp(f)
        exps[b] = exps.get(b, 0.0) + p
    coeff: Fraction | float = Fraction(1)
    out: list[Expr] = []
    for b, p in exps.items():
        if p == 0.0:
            continue
        e = power(b, p)
        if isinstance(e, Const):
            coeff *= e.value
        elif isinstance(e, Fill) and isinstance(e.value, Const):
            coeff *= e.value.value
        else:
            out.append(e)
    return out, coeff


def hadamard(*args: Expr) -> Expr:
    """Element-wise product; scalar factors and coefficients are pulled out."""
    shape = next((a.shape for a in args if not a.is_scalar), SCALAR)
    if shape.is_scalar:
        return mul(*args)
    outer: list[Expr | Fraction | float] = []
    inner: list[Expr] = []
    for a in _flatten(args, Hadamard):
        if a.is_scalar:
            outer.append(a)
        elif isinstance(a, Fill):
            outer.append(a.value)
        elif isinstance(a, Mul) and (a.coeff != 1.0 or a.scalars):
            outer.append(a.coeff)
            outer.extend(a.scalars)
            rest = mul(*a.chain)
            inner.extend(rest.factors if isinstance(rest, Hadamard) else [rest])
        else:
            inner.append(a)
    if any(is_zero(x) for x in inner):
        return zeros(shape)
    merged, c = _combine_powers(inner)
    outer.append(c)
    if not merged:
        return mul(*outer, Fill(Const(1.0), shape))
    core = merged[0] if len(merged) == 1 else Hadamard(tuple(merged))
    return mul(*outer, core)


def divide(a: Expr, b: Expr) -> Expr:
    """``a ./ b`` (or ``a / t`` for a scalar ``t``)."""
    return hadamard(a, power(b, -1.0)) if not b.is_scalar else mul(a, power(b, -1.0))


# ----------------------------------------------------------------- powers


def power(b: Expr, p: float) -> Expr:
    """Element-wise power ``b .^ p`` (the usual power for a scalar)."""
    p = float(p)
    if p == 1.0:
        return b
    if p == 0.0:
        return ones(b.shape)
    if isinstance(b, Const):
        return _const_power(b.value, p)
    if isinstance(b, Fill):
        return fill(power(b.value, p), b.fill_shape)
    if isinstance(b, Power) and p.is_integer():
        return power(b.base, b.exponent * p)
    if p.is_integer() and isinstance(b, Hadamard):
        return hadamard(*(power(f, p) for f in b.factors))
    if p.is_integer() and isinstance(b, Mul) and b.is_scalar and not b.chain:
        return mul(exact_power(b.coeff, int(p)), *(power(f, p) for f in b.factors))
    if p.is_integer() and isinstance(b, Mul) and not b.is_scalar and (b.coeff != 1.0 or b.scalars):
        inner = mul(*b.chain)
        scale = exact_power(b.coeff, int(p))
        return mul(scale, *(power(f, p) for f in b.scalars), power(inner, p))
    if isinstance(b, Apply) and b.func == "sqrt" and p == 2.0:
        return b.arg
    return Power(b, p)


def _const_power(v: Fraction | float, p: float) -> Expr:
    """``v^p``: exact for an integer ``p``; otherwise the nearest double, or
    left unfolded where that is not a real number (``(-8)^(1/3)``, ``0^-0.5``)."""
    if p.is_integer():
        if v == 0 and p < 0:
            return Power(Const(v), p)
        return Const(exact_power(v, int(p)))
    try:
        r = float(v) ** p
    except (OverflowError, ZeroDivisionError):
        return Power(Const(v), p)
    if isinstance(r, complex) or not math.isfinite(r):
        return Power(Const(v), p)
    return Const(exact(r))


def matpow(b: Expr, k: int) -> Expr:
    """Integer power of a square matrix; negative ``k`` means ``(A^-1)^|k|``."""
    if b.is_scalar:
        return power(b, float(k))
    if k < 0:
        return matpow(inverse(b), -k)
    if k == 0:
        return Identity(b.shape.rows)
    if k == 1:
        return b
    if isinstance(b, Identity):
        return b
    return MatPow(b, k)


# ----------------------------------------------------------------- transpose, inverse


class _AsWritten:
    """A cache key that tells apart equal expressions written in another order
    (``x .* y`` and ``y .* x`` are equal nodes, but print differently): a cached
    result must not depend on which of them was transposed first."""

    __slots__ = ("e", "h")

    def __init__(self, e: Expr) -> None:
        self.e, self.h = e, hash(e)

    def __hash__(self) -> int:
        return self.h

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _AsWritten) and _same_order(self.e, other.e)


def _same_order(a: Expr, b: Expr) -> bool:
    if a is b:
        return True
    if a != b:
        return False
    kids_a, kids_b = a.children(), b.children()
    return len(kids_a) == len(kids_b) and all(
        _same_order(x, y) for x, y in zip(kids_a, kids_b, strict=True)
    )


def transpose(e: Expr) -> Expr:
    """Transpose, pushed down to the leaves: ``(A B)^T = B^T A^T`` (a pure
    function, cached: results share subexpressions, so this keeps it linear)."""
    return _transpose(_AsWritten(e))


@lru_cache(maxsize=1 << 16)
def _transpose(key: _AsWritten) -> Expr:
    e = key.e
    if e.is_scalar or isinstance(e, (Identity, Diag)):
        return e
    if isinstance(e, Transpose):
        return e.arg
    if isinstance(e, Var) and e.symmetric:
        return e
    if isinstance(e, Fill):
        return Fill(e.value, e.fill_shape.T)
    if isinstance(e, Add):
        return add(*(transpose(t) for t in e.terms))
    if isinstance(e, Mul):
        return mul(e.coeff, *e.scalars, *(transpose(f) for f in reversed(e.chain)))
    if isinstance(e, Hadamard):
        return hadamard(*(transpose(f) for f in e.factors))
    if isinstance(e, Power):
        return power(transpose(e.base), e.exponent)
    if isinstance(e, Apply):
        return apply(e.func, transpose(e.arg))
    if isinstance(e, Inverse):
        return inverse(transpose(e.arg))
    if isinstance(e, MatPow):
        return matpow(transpose(e.base), e.k)
    if isinstance(e, Kron):
        return kron(transpose(e.left), transpose(e.right))
    if isinstance(e, Commutation):  # K(m,n)^T = K(n,m) (Magnus & Neudecker)
        return commutation(transpose(e.arg))
    if isinstance(e, Block):
        cols = list(zip(*e.rows, strict=True))
        return Block(tuple(tuple(transpose(x) for x in c) for c in cols))
    return Transpose(e)


def inverse(e: Expr) -> Expr:
    if e.is_scalar:
        return power(e, -1.0)
    if isinstance(e, Inverse):
        return e.arg
    if isinstance(e, Identity):
        return e
    if isinstance(e, Diag):
        return Diag(power(e.arg, -1.0))
    if isinstance(e, Mul) and len(e.chain) == 1:
        return mul(1.0 / e.coeff, *(power(s, -1.0) for s in e.scalars), inverse(e.chain[0]))
    if isinstance(e, MatPow):
        return MatPow(inverse(e.base), e.k)
    return Inverse(e)


# ----------------------------------------------------------------- functions

_CONST_FUNCS: dict[str, Callable[[float], float]] = {
    p.name: getattr(math, p.fold) for p in ELEMENTWISE.values() if p.fold is not None
}


def apply(func: str, arg: Expr) -> Expr:
    """An element-wise function, with constants folded and inverses cancelled."""
    if isinstance(arg, Const) and func in _CONST_FUNCS:
        if func == "abs":
            return Const(-arg.value if arg.value < 0 else arg.value)
        try:
            v = float(_CONST_FUNCS[func](float(arg.value)))
            if math.isfinite(v):
                return Const(v)
        except (ValueError, OverflowError, ConstantRangeError):
            pass  # outside the function's domain, or not a double: left unfolded
    if isinstance(arg, Fill):
        return fill(apply(func, arg.value), arg.fill_shape)
    if func == "log" and isinstance(arg, Apply) and arg.func == "exp":
        return arg.arg
    if func == "exp" and isinstance(arg, Apply) and arg.func == "log":
        return arg.arg
    return Apply(func, arg)


# ----------------------------------------------------------------- reductions


def trace(e: Expr) -> Expr:
    """``tr(e)`` in canonical form. Each rewrite is an identity:

    - ``tr(s) = s`` for a scalar; ``tr(A + B) = tr(A) + tr(B)``; ``tr(A^T) = tr(A)``;
    - cyclic: ``tr(L r R) = r R L`` when ``r`` is a row vector (rotating the
      chain to start at ``r`` gives a 1x1 product, the same trace);
    - scalar factors come out: ``tr(c s M) = c s tr(M)``;
    - ``tr(diag(u)) = sum(u)``.
    """
    if e.is_scalar:
        return e
    if isinstance(e, Add):
        return add(*(trace(t) for t in e.terms))
    if isinstance(e, Transpose):
        return trace(e.arg)
    if isinstance(e, Mul):
        chain = list(e.chain)
        for i, f in enumerate(chain):
            if f.shape.rows == ONE:
                return mul(e.coeff, *e.scalars, *chain[i:], *chain[:i])
        if e.coeff != 1.0 or e.scalars:
            return mul(e.coeff, *e.scalars, trace(mul(*chain)))
    if isinstance(e, Diag):
        return sum_all(e.arg)
    return Trace(e)


def sum_all(e: Expr) -> Expr:
    """``sum(e)``, the sum of all entries, in canonical form. Each rewrite is an identity:

    - ``sum(s) = s`` for a scalar;
    - ``sum(softmax(u)) = 1`` (softmax entries sum to one by construction);
    - ``sum(vec(M)) = sum(M)``, ``sum(M^T) = sum(M)``, ``sum(A + B) = sum(A) + sum(B)``;
    - ``sum(u .^ 2) = ||u||^2`` (the Frobenius norm for a matrix);
    - scalar factors come out: ``sum(c s M) = c s sum(M)``.
    """
    if e.is_scalar:
        return e
    if isinstance(e, Softmax):
        return Const(1.0)
    if isinstance(e, Vec):
        return sum_all(e.arg)
    if isinstance(e, Power) and e.exponent == 2.0:
        return power(norm(e.base), 2.0)
    if isinstance(e, Add):
        return add(*(sum_all(t) for t in e.terms))
    if isinstance(e, Transpose):
        return sum_all(e.arg)
    if isinstance(e, Mul) and (e.coeff != 1.0 or e.scalars):
        return mul(e.coeff, *e.scalars, sum_all(mul(*e.chain)))
    return SumAll(e)


def det(e: Expr) -> Expr:
    """``det(e)``: ``det(s) = s``, ``det(A^T) = det(A)``, ``det(I) = 1``."""
    if e.is_scalar:
        return e
    if isinstance(e, Transpose):
        return det(e.arg)
    if isinstance(e, Identity):
        return Const(1.0)
    return Det(e)


def logdet(e: Expr) -> Expr:
    """``log|det e|``: ``log|s|`` for a scalar, ``logdet(A^T) = logdet(A)``,
    ``logdet(A^-1) = -logdet(A)``, ``logdet(I) = 0``."""
    if e.is_scalar:
        return apply("log", apply("abs", e))
    if isinstance(e, Transpose):
        return logdet(e.arg)
    if isinstance(e, Inverse):
        return neg(logdet(e.arg))
    if isinstance(e, Identity):
        return Const(0.0)
    return LogDet(e)


def norm(e: Expr) -> Expr:
    """``||e||``: ``|s|`` for a scalar, ``||A^T|| = ||A||`` (Euclidean, Frobenius)."""
    if e.is_scalar:
        return apply("abs", e)
    if isinstance(e, Transpose):
        return norm(e.arg)
    return Norm(e)


def softmax(e: Expr) -> Expr:
    return Softmax(e)


def softmax_rows(e: Expr) -> Expr:
    """The softmax of each row of the matrix ``e``."""
    return SoftmaxRows(e)


def softmax_cols(e: Expr) -> Expr:
    """The softmax of each column of the matrix ``e``."""
    return SoftmaxCols(e)


def commutation(e: Expr) -> Expr:
    """The commutation matrix for the shape of ``e``: ``K vec(A) = vec(A^T)``.

    For a vector, a row or a scalar ``vec(A^T) = vec(A)``, so it is the
    identity. Only the shape of ``e`` matters, so a variable of ``e`` with the
    same shape stands in for it (``commutation(X)``, not ``commutation(X^-1)``)."""
    if e.is_scalar:
        return Const(1.0)
    if not e.shape.is_matrix:
        return Identity(vec(e).shape.rows)
    if not isinstance(e, Var):
        e = next((v for v in free_vars(e) if v.shape == e.shape), e)
    return Commutation(e)


def reduction(func: str, e: Expr) -> Expr:
    """A reduction of the primitive table (``logsumexp(u)``) of a column vector."""
    return Reduce(func, e)


def diag(e: Expr) -> Expr:
    """``diag`` of a vector (a matrix) or of a square matrix (a vector)."""
    if e.is_scalar:
        return e
    if e.shape.is_vector:
        if is_ones(e):
            return Identity(e.shape.rows)
        if is_zero(e):
            return zeros(Shape(e.shape.rows, e.shape.rows))
        if isinstance(e, Mul) and (e.coeff != 1.0 or e.scalars):
            return mul(e.coeff, *e.scalars, diag(mul(*e.chain)))
        return Diag(e)
    if isinstance(e, Diag):
        return e.arg
    if isinstance(e, Identity):
        return ones(Shape(e.n, ONE))
    if is_zero(e):
        return zeros(Shape(e.shape.rows, ONE))
    if isinstance(e, Transpose):
        return diag(e.arg)
    if isinstance(e, Add):
        return add(*(diag(t) for t in e.terms))
    if isinstance(e, Mul) and (e.coeff != 1.0 or e.scalars):
        return mul(e.coeff, *e.scalars, diag(mul(*e.chain)))
    if isinstance(e, Mul) and len(e.chain) == 2 and e.chain[1].shape.is_row:
        return hadamard(e.chain[0], transpose(e.chain[1]))
    return DiagPart(e)


def vec(e: Expr) -> Expr:
    if e.shape.cols == ONE:
        return e
    if e.shape.rows == ONE:
        return transpose(e)
    return Vec(e)


def kron(a: Expr, b: Expr) -> Expr:
    """``a ⊗ b``; with a scalar or two vectors it is an ordinary product."""
    if a.is_scalar or b.is_scalar:
        return mul(a, b)
    if a.shape.rows == ONE and b.shape.cols == ONE:
        return mul(b, a)
    if a.shape.cols == ONE and b.shape.rows == ONE:
        return mul(a, b)
    if is_zero(a) or is_zero(b):
        return zeros(Kron(a, b).shape)
    if isinstance(a, Identity) and isinstance(b, Identity):
        return Identity(Kron(a, b).shape.rows)
    return Kron(a, b)


def entry(e: Expr, i: int, j: int) -> Expr:
    """Entry ``(i, j)`` (0-based), resolved through sums, scalings and transposes."""
    if e.is_scalar:
        return e
    if isinstance(e, Add):
        return add(*(entry(t, i, j) for t in e.terms))
    if isinstance(e, Transpose):
        return entry(e.arg, j, i)
    if isinstance(e, Hadamard):
        return mul(*(entry(f, i, j) for f in e.factors))
    if isinstance(e, Mul) and len(e.chain) == 1:
        return mul(e.coeff, *e.scalars, entry(e.chain[0], i, j))
    if isinstance(e, Block) and all(x.is_scalar for r in e.rows for x in r):
        return e.rows[i][j]
    if isinstance(e, Fill):
        return e.value
    if isinstance(e, Identity):
        return Const(1.0 if i == j else 0.0)
    return Entry(e, i, j)


def block(rows: list[list[Expr]]) -> Expr:
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return Block(tuple(tuple(r) for r in rows))


__all__ = [
    "Norm",
    "Softmax",
    "Vec",
    "commutation",
    "add",
    "apply",
    "block",
    "const",
    "det",
    "diag",
    "divide",
    "entry",
    "fill",
    "hadamard",
    "inverse",
    "is_one",
    "is_ones",
    "is_zero",
    "kron",
    "logdet",
    "matpow",
    "mul",
    "neg",
    "norm",
    "ones",
    "power",
    "reduction",
    "scale",
    "softmax",
    "softmax_cols",
    "softmax_rows",
    "split_coeff",
    "sub",
    "sum_all",
    "trace",
    "transpose",
    "vec",
    "zeros",
]


_SMART = {
    "Add": lambda n, k: add(*k),
    "Mul": lambda n, k: mul(n.coeff, *k),
    "Hadamard": lambda n, k: hadamard(*k),
    "Power": lambda n, k: power(k[0], n.exponent),
    "MatPow": lambda n, k: matpow(k[0], n.k),
    "Transpose": lambda n, k: transpose(k[0]),
    "Inverse": lambda n, k: inverse(k[0]),
    "Apply": lambda n, k: apply(n.func, k[0]),
    "Trace": lambda n, k: trace(k[0]),
    "Det": lambda n, k: det(k[0]),
    "LogDet": lambda n, k: logdet(k[0]),
    "SumAll": lambda n, k: sum_all(k[0]),
    "Norm": lambda n, k: norm(k[0]),
    "Softmax": lambda n, k: softmax(k[0]),
    "SoftmaxRows": lambda n, k: softmax_rows(k[0]),
    "SoftmaxCols": lambda n, k: softmax_cols(k[0]),
    "Commutation": lambda n, k: commutation(k[0]),
    "Reduce": lambda n, k: reduction(n.func, k[0]),
    "Diag": lambda n, k: diag(k[0]),
    "DiagPart": lambda n, k: diag(k[0]),
    "Vec": lambda n, k: vec(k[0]),
    "Kron": lambda n, k: kron(k[0], k[1]),
    "Entry": lambda n, k: entry(k[0], n.i, n.j),
    "Fill": lambda n, k: fill(k[0], n.fill_shape),
}


def rebuild(node: Expr, kids: tuple[Expr, ...]) -> Expr:
    """``node`` over new children, through the smart constructors."""
    if not kids:
        return node
    if all(a is b for a, b in zip(kids, node.children(), strict=True)):
        return node
    smart = _SMART.get(type(node).__name__)
    if smart is None:
        return node.rebuild(kids)
    result: Expr = smart(node, kids)
    return result
