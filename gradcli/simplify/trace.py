"""Traces for printing: ``sum(A .* B)`` as ``tr(A^T B)`` when that reads shorter.

``sum(A ⊙ B) = Σ_ij A_ij B_ij = tr(A^T B) = tr(B^T A) = tr(A B^T) = tr(B A^T)``
for any two matrices of one shape, so every candidate has the value of the
sum. ``sum(M .* eye) = tr(M)`` is the case ``B = I``. This is a printing
step (``present``), not a simplifier rule: a trace is not smaller as a tree,
only as text, and the simplifier works on trees.
"""

from __future__ import annotations

from gradcli.ir import build as B
from gradcli.ir.nodes import Expr, Hadamard, SumAll, tree_size
from gradcli.printers import to_text

# Past this many nodes the two spellings are not printed to compare them: the
# saving is a few characters against printing a large tree twice.
MAX_TREE = 400


def _candidates(a: Expr, b: Expr) -> list[Expr]:
    """The four traces equal to ``sum(a .* b)``."""
    t = B.transpose
    pairs = ((t(a), b), (t(b), a), (a, t(b)), (b, t(a)))
    return [B.trace(B.mul(left, right)) for left, right in pairs]


def as_trace(node: Expr) -> Expr:
    """``node``, or the shortest trace equal to it when ``node`` is ``sum(A .* B)``
    of two matrices and that trace prints strictly shorter."""
    if not isinstance(node, SumAll) or not isinstance(node.arg, Hadamard):
        return node
    h = node.arg
    if len(h.factors) != 2 or not h.shape.is_matrix or tree_size(node, MAX_TREE) > MAX_TREE:
        return node
    best: Expr = node
    best_len = len(to_text(node))
    for c in _candidates(*h.factors):
        n = len(to_text(c))
        if n < best_len:
            best, best_len = c, n
    return best
