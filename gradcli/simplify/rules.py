"""Named rewrite rules, each a small function ``rule(node) -> node | None``.

A rule returns the rewritten node, or ``None`` when it does not apply. Every
rule preserves the value of the expression; each states its identity.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache

from gradcli.ir import build as B
from gradcli.ir.nodes import (
    Add,
    Apply,
    Diag,
    Expr,
    Fill,
    Hadamard,
    Inverse,
    Mul,
    Power,
    SumAll,
    Transpose,
    size,
    tree_size,
)
from gradcli.ir.numbers import exact

Rule = Callable[[Expr], Expr | None]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


@lru_cache(maxsize=65536)
def skey(e: Expr) -> str:
    """A canonical sort key (an s-expression); equal for equal expressions."""
    name = type(e).__name__
    fields = [
        str(getattr(e, f))
        for f in ("name", "value", "coeff", "exponent", "k", "func", "i", "j")
        if hasattr(e, f) and not isinstance(getattr(e, f), Expr)
    ]
    kids = [skey(k) for k in e.children()]
    if isinstance(e, (Add, Hadamard)):
        kids.sort()
    return "(" + " ".join([name, *fields, *kids]) + ")"


def _parts(t: Expr) -> tuple[Fraction | float, list[Expr], list[Expr]]:
    """``t = c * scalars * chain``."""
    if isinstance(t, Mul):
        return t.coeff, list(t.scalars), list(t.chain)
    if t.is_scalar:
        return Fraction(1), [t], []
    return Fraction(1), [], [t]


@rule
def factor_common_scalars(e: Expr) -> Expr | None:
    """s u + s v = s (u + v), for a scalar factor s (or coefficient) shared by every term."""
    if not isinstance(e, Add):
        return None
    parts = [_parts(t) for t in e.terms]
    common = [s for s in parts[0][1] if all(s in p[1] for p in parts[1:])]
    coeffs: set[Fraction | float] = {exact(p[0]) * (1 if p[0] >= 0 else -1) for p in parts}
    c: Fraction | float = coeffs.pop() if len(coeffs) == 1 else Fraction(1)
    if all(p[0] < 0 for p in parts):
        c = -c
    if not common and c == 1.0:
        return None
    if not common and len(e.terms) > 1 and e.shape.is_scalar and c == -1.0:
        return None
    rest = []
    for coeff, scalars, chain in parts:
        left = list(scalars)
        for s in common:
            left.remove(s)
        rest.append(B.mul(coeff / c, *left, *chain))
    return B.mul(c, *common, B.add(*rest))


def _factor_side(e: Add, side: int) -> Expr | None:
    """Group terms whose chains share the first (side 0) or last (side -1) factor."""
    groups: dict[Expr, list[int]] = {}
    parts = [_parts(t) for t in e.terms]
    for i, (_, _, chain) in enumerate(parts):
        if len(chain) >= 2:
            groups.setdefault(chain[side], []).append(i)
    for f, idx in groups.items():
        if len(idx) < 2:
            continue
        inner = []
        for i in idx:
            c, s, chain = parts[i]
            inner.append(B.mul(c, *s, *(chain[1:] if side == 0 else chain[:-1])))
        merged = B.mul(f, B.add(*inner)) if side == 0 else B.mul(B.add(*inner), f)
        others = [t for i, t in enumerate(e.terms) if i not in idx]
        return B.add(merged, *others)
    return None


@rule
def factor_right(e: Expr) -> Expr | None:
    """A x + B x = (A + B) x (Cookbook-style quadratic-form gradients: (A + A^T) x)."""
    return _factor_side(e, -1) if isinstance(e, Add) else None


@rule
def factor_left(e: Expr) -> Expr | None:
    """A^T u + A^T v = A^T (u + v)."""
    return _factor_side(e, 0) if isinstance(e, Add) else None


def _is_one_plus_exp(e: Expr) -> Expr | None:
    """``z`` when ``e`` is ``1 + exp(z)``."""
    if isinstance(e, Add) and len(e.terms) == 2:
        a, b = e.terms
        for one, other in ((a, b), (b, a)):
            is_one = B.is_one(one) or B.is_ones(one)
            if is_one and isinstance(other, Apply) and other.func == "exp":
                return other.arg
    return None


@rule
def recognise_sigmoid(e: Expr) -> Expr | None:
    """exp(z) ./ (1 + exp(z)) = sigmoid(z) (an element-wise quotient, or of scalars)."""
    if isinstance(e, Hadamard):
        factors = list(e.factors)
    elif isinstance(e, Mul):
        factors = list(e.scalars)
    else:
        return None
    for i, f in enumerate(factors):
        z = _is_one_plus_exp(f.base) if isinstance(f, Power) and f.exponent == -1.0 else None
        if z is None or B.apply("exp", z) not in factors:
            continue
        ez = B.apply("exp", z)
        rest = [g for k, g in enumerate(factors) if k != i and g != ez]
        sig = B.apply("sigmoid", z)
        if isinstance(e, Mul):
            return B.mul(e.coeff, *rest, sig, *e.chain)
        return B.hadamard(*rest, sig)
    return None


@rule
def diag_times_vector(e: Expr) -> Expr | None:
    """diag(u) v = u ⊙ v;  diag(u) diag(v) = diag(u ⊙ v)."""
    if not isinstance(e, Mul):
        return None
    chain = list(e.chain)
    for i in range(len(chain) - 1):
        a, b = chain[i], chain[i + 1]
        if isinstance(a, Diag) and isinstance(b, Diag):
            new = B.diag(B.hadamard(a.arg, b.arg))
        elif isinstance(a, Diag) and b.shape.is_vector:
            new = B.hadamard(a.arg, b)
        elif isinstance(b, Diag) and a.shape.is_row:
            new = B.transpose(B.hadamard(b.arg, B.transpose(a)))
        else:
            continue
        return B.mul(e.coeff, *e.scalars, *chain[:i], new, *chain[i + 2 :])
    return None


def _transposes(chain: list[Expr]) -> int:
    return sum(
        isinstance(f, Transpose) or isinstance(f, Inverse) and isinstance(f.arg, Transpose)
        for f in chain
    )


@rule
def orient_scalar_product(e: Expr) -> Expr | None:
    """u^T v = v^T u: a scalar chain is written with the fewer transposes."""
    if not isinstance(e, Mul) or not e.is_scalar or len(e.chain) < 2:
        return None
    chain = list(e.chain)
    flipped = [B.transpose(f) for f in reversed(chain)]
    before, after = _transposes(chain), _transposes(flipped)
    if after < before or after == before and [skey(f) for f in flipped] < [skey(f) for f in chain]:
        return B.mul(e.coeff, *e.scalars, *flipped)
    return None


@rule
def ones_hadamard(e: Expr) -> Expr | None:
    """1 .* u = u (a broadcast one in an element-wise product)."""
    if isinstance(e, Hadamard) and any(isinstance(f, Fill) for f in e.factors):
        return B.hadamard(*e.factors)
    return None


@rule
def inner_product_cancel(e: Expr) -> Expr | None:
    """u^T (v ⊙ w) = sum(u ⊙ v ⊙ w), taken when factors cancel: s^T (y ⊙ s^-1) = sum(y)."""
    if not isinstance(e, Mul) or not e.is_scalar or len(e.chain) != 2:
        return None
    row, col = e.chain
    if not (row.shape.is_row and col.shape.is_vector):
        return None
    a = B.transpose(row)
    h = B.hadamard(a, col)
    if len(_bases(h)) < len(_bases(a) | _bases(col)):
        return B.mul(e.coeff, *e.scalars, B.sum_all(h))
    return None


def _bases(e: Expr) -> set[Expr]:
    """The bases of an element-wise product: ``{x, y}`` for ``x .^ 2 .* y``."""
    if isinstance(e, Mul) and len(e.chain) == 1:
        e = e.chain[0]
    factors = e.factors if isinstance(e, Hadamard) else (e,)
    return {f.base if isinstance(f, Power) else f for f in factors if not isinstance(f, Fill)}


def _square_chain(e: Expr) -> list[Expr] | None:
    if not isinstance(e, Mul) or e.scalars or e.coeff != 1.0:
        return None
    return list(e.chain) if all(f.shape.is_square for f in e.chain) else None


@rule
def expand_inverse_in_chain(e: Expr) -> Expr | None:
    """(A B)^-1 = B^-1 A^-1 for square factors, taken when something then cancels."""
    if not isinstance(e, Mul):
        return None
    chain = list(e.chain)
    for i, f in enumerate(chain):
        if isinstance(f, Inverse):
            parts = _square_chain(f.arg)
            if parts:
                inv = [B.inverse(p) for p in reversed(parts)]
                new = B.mul(e.coeff, *e.scalars, *chain[:i], *inv, *chain[i + 1 :])
                if size(new) < size(e):
                    return new
    return None


def _single(t: Expr) -> tuple[Fraction | float, list[Expr], Expr] | None:
    """``t = c * scalars * M`` for a single non-scalar factor ``M``."""
    c, scalars, chain = _parts(t)
    return (c, scalars, chain[0]) if len(chain) == 1 else None


@rule
def merge_diagonals(e: Expr) -> Expr | None:
    """diag(u) + c diag(v) = diag(u + c v)."""
    if not isinstance(e, Add):
        return None
    diags, others = [], []
    for t in e.terms:
        s = _single(t)
        if s is not None and isinstance(s[2], Diag):
            diags.append(B.mul(s[0], *s[1], s[2].arg))
        else:
            others.append(t)
    if len(diags) < 2:
        return None
    return B.add(B.diag(B.add(*diags)), *others)


def _hadamard_factors(t: Expr) -> tuple[Fraction | float, list[Expr], list[Expr]] | None:
    s = _single(t)
    if s is None:
        return None
    c, scalars, m = s
    return c, scalars, list(m.factors) if isinstance(m, Hadamard) else [m]


@rule
def factor_hadamard(e: Expr) -> Expr | None:
    """u ⊙ v + u ⊙ w = u ⊙ (v + w), for a factor u common to every term."""
    if not isinstance(e, Add) or e.is_scalar:
        return None
    parts = [_hadamard_factors(t) for t in e.terms]
    if any(p is None for p in parts):
        return None
    split = [p for p in parts if p is not None]
    common = [f for f in split[0][2] if all(f in p[2] for p in split[1:])]
    if not common or all(len(p[2]) == len(common) for p in split):
        return None
    rest = []
    for c, scalars, factors in split:
        left = list(factors)
        for f in common:
            left.remove(f)
        if len(left) == 1 and isinstance(left[0], Power) and left[0].exponent < 0:
            return None  # x ./ d + x stays; x .* (1 ./ d + 1) reads worse
        rest.append(B.mul(c, *scalars, B.hadamard(*left) if left else B.ones(e.shape)))
    return B.hadamard(*common, B.add(*rest))


def _softmax_swap(f: Expr, u: Expr) -> Expr | None:
    """``f`` with ``exp(u)`` replaced by ``softmax(u)`` (also transposed or in a diag)."""
    ex = B.apply("exp", u)
    if f == ex:
        return B.softmax(u)
    if f == B.transpose(ex):
        return B.transpose(B.softmax(u))
    if isinstance(f, Diag) and f.arg == ex:
        return B.diag(B.softmax(u))
    return None


@rule
def recognise_softmax(e: Expr) -> Expr | None:
    """exp(u) / sum(exp(u)) = softmax(u), once per power of the sum."""
    if not isinstance(e, Mul) or not e.chain:
        return None
    for s in e.scalars:
        base, p = (s.base, s.exponent) if isinstance(s, Power) else (s, 1.0)
        if p >= 0 or not isinstance(base, SumAll) or not isinstance(base.arg, Apply):
            continue
        if base.arg.func != "exp" or not base.arg.arg.shape.is_vector:
            continue
        u, chain, swaps = base.arg.arg, list(e.chain), 0
        for i, f in enumerate(chain):
            swapped = _softmax_swap(f, u) if swaps + 1 <= -p else None
            if swapped is not None:
                chain[i], swaps = swapped, swaps + 1
        if swaps == 0:
            continue
        others = [x for x in e.scalars if x is not s]
        return B.mul(e.coeff, *others, B.power(base, p + swaps), *chain)
    return None


def _distribute(e: Expr, budget: list[int]) -> Expr:
    """``e`` with element-wise products and scalings multiplied out over sums."""
    budget[0] -= 1
    if budget[0] < 0:
        return e
    if isinstance(e, Add):
        return B.add(*(_distribute(t, budget) for t in e.terms))
    if isinstance(e, Hadamard):
        for i, f in enumerate(e.factors):
            if isinstance(f, Add):
                rest = e.factors[:i] + e.factors[i + 1 :]
                return B.add(*(_distribute(B.hadamard(t, *rest), budget) for t in f.terms))
    if isinstance(e, Mul):
        for i, f in enumerate(e.scalars):
            if isinstance(f, Add):
                rest = e.scalars[:i] + e.scalars[i + 1 :]
                terms = (B.mul(e.coeff, *rest, t, *e.chain) for t in f.terms)
                return B.add(*(_distribute(t, budget) for t in terms))
    single = _single(e) if isinstance(e, Mul) else None
    if single is not None and isinstance(single[2], (Add, Hadamard)):
        inner = _distribute(single[2], budget)
        if isinstance(inner, Add):
            return B.add(*(B.mul(single[0], *single[1], t) for t in inner.terms))
    return e


@rule
def expand_when_it_cancels(e: Expr) -> Expr | None:
    """(1 - y) ⊙ s - y ⊙ (1 - s) = s - y: multiply out, keep it if it is smaller.

    Also for a product with a sum factor: (-t / s + (1 - t) / (1 - s)) s (1 - s) = s - t."""
    if isinstance(e, Add):
        parts = [f for t in e.terms for f in t.children()]
    elif isinstance(e, (Hadamard, Mul)):
        parts = list(e.scalars) if isinstance(e, Mul) else list(e.factors)
    else:
        return None
    if not any(isinstance(f, Add) for f in parts):
        return None
    if tree_size(e, MAX_EXPAND_TREE) > MAX_EXPAND_TREE:
        return None  # multiplying out a large sum costs more than it can save
    out = _distribute(e, [64])
    produced = len(multiply_out(e))
    kept = len(out.terms) if isinstance(out, Add) else 1
    return out if kept < produced and size(out) < size(e) else None


MAX_TERMS = 32
MAX_EXPAND_TREE = 2_000


def multiply_out(e: Expr) -> list[Expr]:
    """The terms of ``e`` with every product multiplied out over sums, nothing
    collected (``2 A^T (A x - b)``: ``2 A^T A x``, ``-2 A^T b``); at most
    ``MAX_TERMS + 1`` of them."""
    if isinstance(e, Add):
        return [t for term in e.terms for t in multiply_out(term)][: MAX_TERMS + 1]
    if isinstance(e, (Mul, Hadamard)):
        combos: list[list[Expr]] = [[]]
        for f in e.factors:
            options = multiply_out(f) if isinstance(f, Add) else [f]
            combos = [c + [o] for c in combos for o in options][: MAX_TERMS + 1]
        if len(combos) == 1:
            return [e]
        if isinstance(e, Mul):
            return [B.mul(e.coeff, *c) for c in combos]
        return [B.hadamard(*c) for c in combos]
    return [e]


@rule
def ones_product_is_sum(e: Expr) -> Expr | None:
    """1^T v = sum(v) for a vector v (and v^T 1)."""
    if not isinstance(e, Mul) or not e.is_scalar or len(e.chain) != 2:
        return None
    row, col = e.chain
    if B.is_ones(row) and col.shape.is_vector:
        return B.mul(e.coeff, *e.scalars, B.sum_all(col))
    if B.is_ones(col) and row.shape.is_row:
        return B.mul(e.coeff, *e.scalars, B.sum_all(B.transpose(row)))
    return None
