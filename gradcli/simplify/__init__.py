"""Rewrite expressions to the form a textbook prints, by named rules to a fixpoint."""

from __future__ import annotations

from gradcli.ir.build import rebuild
from gradcli.ir.nodes import Expr, walk
from gradcli.simplify import kron as _kron  # noqa: F401  (registers its rules)
from gradcli.simplify import named as _named  # noqa: F401  (registers its rules)
from gradcli.simplify.present import present
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


__all__ = ["present", "simplify", "skey"]
