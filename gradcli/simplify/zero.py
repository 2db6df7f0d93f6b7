"""Identically zero subterms vanish: the rule proposes, an oracle decides.

Normal forms in ``gradcli.ir.build`` already cancel what is equal as written
(``x - x``). What they cannot see, ``det(A X) - det(A) det(X)`` or
``(diag(p) - p p^T) ones`` for ``p = softmax(u)``, needs a decision procedure:
this module proposes each candidate and asks the caller's ``decide`` (the
equivalence oracle, ``gradcli.numeric.oracle.identically_zero``, which the
API passes in; ``simplify`` cannot import ``numeric``).

The rule: only a sum, or a product or element-wise product with a sum among
its factors, can cancel to zero (any other node is zero only if a factor is,
which the constructors see). Candidates are tried children first, so a zero
part vanishes before its parent is tried; at most ``MAX_CANDIDATES`` are
tried per expression, which bounds the time.
"""

from __future__ import annotations

from collections.abc import Callable

from gradcli.ir import build as B
from gradcli.ir.nodes import Add, Expr, Hadamard, Mul, free_vars, walk

MAX_CANDIDATES = 48

Decide = Callable[[Expr], bool]


def is_candidate(e: Expr) -> bool:
    """Whether ``e`` may cancel to zero: a sum, or a product with a sum factor,
    with at least one variable in it (a constant is folded exactly already)."""
    if isinstance(e, Add):
        ok = True
    elif isinstance(e, (Mul, Hadamard)):
        ok = any(isinstance(f, Add) for f in e.factors)
    else:
        ok = False
    return ok and not B.is_zero(e) and bool(free_vars(e))


def vanish_zeros(expr: Expr, decide: Decide, budget: int = MAX_CANDIDATES) -> Expr:
    """``expr`` with every candidate that ``decide`` calls zero replaced by a
    zero of its shape, rebuilt through the smart constructors (a zero factor
    makes its product zero, a zero term leaves its sum)."""
    left = [budget]
    verdicts: dict[Expr, bool] = {}
    done: dict[int, Expr] = {}
    for node in walk(expr):
        kids = tuple(done[id(k)] for k in node.children())
        new = B.rebuild(node, kids)
        if left[0] > 0 and is_candidate(new):
            if new not in verdicts:
                left[0] -= 1
                verdicts[new] = decide(new)
            if verdicts[new]:
                new = B.zeros(new.shape)
        done[id(node)] = new
    return done[id(expr)]
