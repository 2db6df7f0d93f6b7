"""Rewrites that hold only under what the user assumes of a variable.

Each rule states its identity and the assumption it needs; it fires only on a
variable that carries that assumption (``Var.assume``, set by ``--simplex``,
``--orthogonal`` and the others: docs/language.md). The rules run on a
finished derivative, never on the expression before it is differentiated: the
derivative is that of the unconstrained function, and a rule may only change
its value at points that break the assumption (``sum(y) f(x)`` and ``f(x)``
agree wherever ``sum(y) = 1``, but their gradients w.r.t. ``y`` do not).
"""

from __future__ import annotations

from collections.abc import Callable

from gradcli.ir import build as B
from gradcli.ir.nodes import (
    Add,
    Apply,
    Const,
    Det,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Inverse,
    Mul,
    Power,
    Softmax,
    SumAll,
    Transpose,
    Var,
    walk,
)
from gradcli.simplify import simplify

Rule = Callable[[Expr], Expr | None]
ASSUMED_RULES: list[Rule] = []
MAX_ROUNDS = 6


def rule(fn: Rule) -> Rule:
    """Register ``fn`` in ``ASSUMED_RULES`` (not in the general ``rules.RULES``)."""
    ASSUMED_RULES.append(fn)
    return fn


def _has(e: Expr, *assumptions: str) -> bool:
    return isinstance(e, Var) and any(a in e.assume for a in assumptions)


def assuming(expr: Expr) -> Expr:
    """``expr`` simplified with the rules of this module as well as the general
    ones, to a fixpoint; ``expr`` itself when no variable in it assumes anything."""
    if not any(isinstance(n, Var) and n.assume for n in walk(expr)):
        return expr
    for _ in range(MAX_ROUNDS):
        new = simplify(_pass(expr))
        if new == expr:
            break
        expr = new
    return expr


def _pass(expr: Expr) -> Expr:
    """The rules of this module, bottom-up, once over every node."""
    done: dict[int, Expr] = {}
    for node in walk(expr):
        kids = tuple(done[id(k)] for k in node.children())
        out = B.rebuild(node, kids)
        for rule in ASSUMED_RULES:
            out = rule(out) or out
        done[id(node)] = out
    return done[id(expr)]


@rule
def sum_of_probabilities(e: Expr) -> Expr | None:
    """sum(y) = 1 for a probability vector y (``--simplex`` or ``--onehot``)."""
    if isinstance(e, SumAll) and _has(e.arg, "simplex", "onehot"):
        return B.const(1)
    return None


@rule
def onehot_is_idempotent(e: Expr) -> Expr | None:
    """y .^ k = y for a one-hot y and an integer k >= 1 (its entries are 0 and 1);
    hence y .* y = y."""
    if isinstance(e, Power) and _has(e.base, "onehot"):
        k = e.exponent
        return e.base if float(k).is_integer() and k >= 1 else None
    if isinstance(e, Hadamard):
        kept = [
            f for i, f in enumerate(e.factors) if not _has(f, "onehot") or f not in e.factors[:i]
        ]
        return B.hadamard(*kept) if len(kept) < len(e.factors) else None
    return None


def _cancels(a: Expr, b: Expr) -> bool:
    """``a b = I``: ``Q^T Q`` or ``Q Q^T`` for an orthogonal ``Q``."""
    if isinstance(a, Transpose) and a.arg == b:
        return _has(b, "orthogonal")
    if isinstance(b, Transpose) and b.arg == a:
        return _has(a, "orthogonal")
    return False


@rule
def orthogonal_product(e: Expr) -> Expr | None:
    """Q^T Q = Q Q^T = I in a matrix product, for an orthogonal Q (``--orthogonal``)."""
    if not isinstance(e, Mul):
        return None
    chain = list(e.chain)
    for i in range(len(chain) - 1):
        if _cancels(chain[i], chain[i + 1]):
            rest = chain[:i] + chain[i + 2 :] or [Identity(chain[i].shape.rows)]
            return B.mul(e.coeff, *e.scalars, *rest)
    return None


def _ends(t: Expr) -> tuple[Expr, Expr]:
    """The first and last factors of a term's matrix chain (the term itself if none)."""
    chain = t.chain if isinstance(t, Mul) and t.chain else (t,)
    return chain[0], chain[-1]


def _times(*factors: Expr) -> Expr:
    product = B.mul(*factors)
    return orthogonal_product(product) or product


@rule
def orthogonal_into_sum(e: Expr) -> Expr | None:
    """Q^T (Q a + b) = a + Q^T b (and (a Q + b) Q^T = a + b Q^T) for an
    orthogonal Q: the product is multiplied into a sum when a term then cancels."""
    if not isinstance(e, Mul):
        return None
    chain = list(e.chain)
    for i in range(len(chain) - 1):
        left, right = chain[i], chain[i + 1]
        if isinstance(right, Add) and any(_cancels(left, _ends(t)[0]) for t in right.terms):
            inner = B.add(*(_times(left, t) for t in right.terms))
            return B.mul(e.coeff, *e.scalars, *chain[:i], inner, *chain[i + 2 :])
        if isinstance(left, Add) and any(_cancels(_ends(t)[1], right) for t in left.terms):
            inner = B.add(*(_times(t, right) for t in left.terms))
            return B.mul(e.coeff, *e.scalars, *chain[:i], inner, *chain[i + 2 :])
    return None


@rule
def orthogonal_inverse(e: Expr) -> Expr | None:
    """Q^-1 = Q^T for an orthogonal Q."""
    if isinstance(e, Inverse) and _has(e.arg, "orthogonal"):
        return B.transpose(e.arg)
    if isinstance(e, Inverse) and isinstance(e.arg, Transpose) and _has(e.arg.arg, "orthogonal"):
        return e.arg.arg
    return None


@rule
def diagonal_transpose(e: Expr) -> Expr | None:
    """D^T = D for a diagonal D (``--diagonal``)."""
    if isinstance(e, Transpose) and _has(e.arg, "diagonal"):
        return e.arg
    return None


def _positive(e: Expr) -> bool:
    """Every entry of ``e`` is positive, by the assumptions and the form of ``e``."""
    if isinstance(e, Var):
        return _has(e, "positive", "simplex")
    if isinstance(e, Const):
        return e.value > 0
    if isinstance(e, Softmax):
        return True
    if isinstance(e, Det):
        return _has(e.arg, "spd")
    if isinstance(e, Apply):
        return e.func in ("exp", "sigmoid") or (e.func == "sqrt" and _positive(e.arg))
    if isinstance(e, Hadamard):
        return all(_positive(f) for f in e.factors)
    if isinstance(e, Power):
        return _positive(e.base)
    if isinstance(e, Mul):  # sums of products of positive numbers
        return e.coeff > 0 and all(_positive(f) for f in e.factors)
    if isinstance(e, Add):
        return all(_positive(t) for t in e.terms)
    if isinstance(e, (Transpose, SumAll)):
        return _positive(e.arg)
    if isinstance(e, Fill):
        return _positive(e.value)
    return False


@rule
def positive_entries(e: Expr) -> Expr | None:
    """abs(x) = x, relu(x) = x, sqrt(x .^ 2) = x and sign(x) = step(x) = 1 for
    positive entries x (``--positive``; a probability vector's entries and the
    determinant of a positive definite matrix are positive too)."""
    if not isinstance(e, Apply):
        return None
    if e.func in ("abs", "relu") and _positive(e.arg):
        return e.arg
    arg = e.arg
    if e.func == "sqrt" and isinstance(arg, Power) and arg.exponent == 2 and _positive(arg.base):
        return arg.base
    if e.func in ("sign", "step") and _positive(arg):
        return B.ones(arg.shape)
    return None
