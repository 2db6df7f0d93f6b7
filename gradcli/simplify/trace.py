"""Traces for printing: ``sum(A .* B)`` as ``tr(A^T B)`` when that reads shorter.

``sum(A ⊙ B) = Σ_ij A_ij B_ij = tr(A^T B) = tr(B^T A) = tr(A B^T) = tr(B A^T)``
for any two matrices of one shape, so every candidate has the value of the
sum. ``sum(M .* eye) = tr(M)`` is the case ``B = I``. This is a printing
step (``present``), not a simplifier rule: a trace is not smaller as a tree,
only as text, and the simplifier works on trees.
"""

from __future__ import annotations

from gradcli.ir import build as B
from gradcli.ir.nodes import (
    Add,
    Apply,
    Const,
    Expr,
    Hadamard,
    Identity,
    Inverse,
    MatPow,
    Mul,
    Power,
    SumAll,
    Trace,
    Transpose,
    Var,
    walk,
)

# What a node adds to the printed length besides its children: ``sum(`` and
# ``)``, `` .* `` between factors, ``^T``. Parentheses are left out; the
# length decides between spellings of one sum, and they need about as many.
_OWN = {SumAll: 5, Trace: 4, Transpose: 2, Inverse: 3, Identity: 3, Const: 1, Power: 4, MatPow: 2}
_BETWEEN = {Hadamard: 4, Add: 3, Mul: 1}


def _candidates(a: Expr, b: Expr) -> list[Expr]:
    """The four traces equal to ``sum(a .* b)``."""
    t = B.transpose
    pairs = ((t(a), b), (t(b), a), (a, t(b)), (b, t(a)))
    return [B.trace(B.mul(left, right)) for left, right in pairs]


def text_length(e: Expr) -> int:
    """About how many characters ``e`` prints as (in the text format); a
    shared part counts every time it is printed."""
    done: dict[int, int] = {}
    for n in walk(e):
        kids = n.children()
        own = _OWN.get(type(n), 0) + _BETWEEN.get(type(n), 0) * max(0, len(kids) - 1)
        if isinstance(n, Var):
            own = len(n.name)
        elif isinstance(n, Apply):
            own = len(n.func) + 2
        elif isinstance(n, Mul) and n.coeff != 1:
            own += 2
        elif isinstance(n, Power) and not isinstance(n.base, (Var, Apply)):
            own += 2  # the parentheses of (A^T) .^ 2
        done[id(n)] = own + sum(done[id(k)] for k in kids)
    return done[id(e)]


def as_trace(node: Expr) -> Expr:
    """``node``, or the shortest trace equal to it when ``node`` is ``sum(A .* B)``
    of two matrices and that trace prints strictly shorter."""
    if not isinstance(node, SumAll) or not isinstance(node.arg, Hadamard):
        return node
    h = node.arg
    if len(h.factors) != 2 or not h.shape.is_matrix:
        return node
    best: Expr = node
    best_len = text_length(node)
    for c in _candidates(*h.factors):
        n = text_length(c)
        if n < best_len:
            best, best_len = c, n
    return best
