"""Rewrite expressions to the form a textbook prints, by named rules to a fixpoint."""

from __future__ import annotations

from gradcli.ir.build import rebuild
from gradcli.ir.nodes import Expr, walk
from gradcli.simplify.rules import RULES, skey

MAX_PASSES = 12
MAX_RULE_STEPS = 24


def simplify(expr: Expr) -> Expr:
    """Apply the rules bottom-up until nothing changes (at most ``MAX_PASSES`` passes)."""
    for _ in range(MAX_PASSES):
        new = _pass(expr)
        if new == expr:
            return new
        expr = new
    return expr


def _pass(expr: Expr) -> Expr:
    done: dict[int, Expr] = {}
    for node in walk(expr):
        kids = tuple(done[id(k)] for k in node.children())
        done[id(node)] = _at_node(rebuild(node, kids))
    return done[id(expr)]


def _at_node(node: Expr) -> Expr:
    for _ in range(MAX_RULE_STEPS):
        for rule in RULES:
            out = rule(node)
            if out is not None and out != node:
                node = out
                break
        else:
            return node
    return node


__all__ = ["simplify", "skey"]


def present(expr: Expr) -> Expr:
    """The printed form: a sum of transposes written as one transpose,
    ``x^T - m^T`` as ``(x - m)^T``. Values are unchanged; the result is for
    printing and evaluation only (it is not in canonical form)."""
    done: dict[int, Expr] = {}
    for node in walk(expr):
        kids = tuple(done[id(k)] for k in node.children())
        new = (
            node
            if all(a is b for a, b in zip(kids, node.children(), strict=True))
            else node.rebuild(kids)
        )
        done[id(node)] = _order_terms(_pull_up_transpose(_sign_into_sum(new)))
    return done[id(expr)]


def _sign_into_sum(node: Expr) -> Expr:
    """``-(x - a) / t`` as ``(a - x) / t`` and ``-(log(p) + 1)`` as ``-log(p) - 1``."""
    from gradcli.ir import build as B
    from gradcli.ir.nodes import Add, Mul

    if not isinstance(node, Mul) or node.coeff >= 0 or len(node.chain) > 1:
        return node
    sums = [f for f in (node.chain or node.scalars) if isinstance(f, Add)]
    if len(sums) != 1 or (not node.chain and len(node.scalars) > 1):
        return node
    flipped = Add(tuple(B.neg(t) for t in sums[0].terms))
    rest = tuple(f if f is not sums[0] else flipped for f in node.factors)
    if -node.coeff == 1.0 and len(rest) == 1:
        return flipped
    return Mul(-node.coeff, rest)


def _order_terms(node: Expr) -> Expr:
    """Within a sum, a term before its transposed twin: ``A + A^T``, not ``A^T + A``."""
    from gradcli.ir.nodes import Add, free_vars

    if not isinstance(node, Add):
        return node
    groups: dict[frozenset[str], int] = {}
    keys = []
    for t in node.terms:
        names = frozenset(v.name for v in free_vars(t))
        keys.append((groups.setdefault(names, len(groups)), _count_transposes(t)))
    order = sorted(range(len(node.terms)), key=lambda i: keys[i])
    if order == list(range(len(node.terms))):
        return node
    return Add(tuple(node.terms[i] for i in order))


def _pull_up_transpose(node: Expr) -> Expr:
    """``x^T - m^T`` as ``(x - m)^T``, ``tanh(x^T W^T)`` as ``tanh(W x)^T``."""
    from gradcli.ir import build as B
    from gradcli.ir.nodes import Add, Apply, Hadamard, Power, Transpose

    if node.shape.is_scalar or not isinstance(node, (Add, Apply, Hadamard, Power)):
        return node
    flipped = B.transpose(node)
    if isinstance(flipped, Transpose):
        return node
    if _count_transposes(flipped) + 1 < _count_transposes(node) or (
        node.shape.is_row and _count_transposes(flipped) < _count_transposes(node)
    ):
        return Transpose(flipped)
    return node


def _count_transposes(e: Expr) -> int:
    from gradcli.ir.nodes import Transpose

    return sum(isinstance(n, Transpose) for n in walk(e))
