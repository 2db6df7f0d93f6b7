"""The printed form of a result: values unchanged, reading order a textbook's.

``present`` runs once, after ``simplify``: a sum of transposes is written as
one transpose (``x^T - m^T`` as ``(x - m)^T``, ``tanh(x^T W^T)`` as
``tanh(W x)^T``), a negated sum takes the sign inside (``-(log(p) + 1)`` as
``-log(p) - 1``), and in a sum a term comes before its transposed twin
(``A + A^T``), and ``sum(A .* B)`` reads ``tr(A^T B)`` where that is shorter
(``gradcli.simplify.trace``). The result is for printing and evaluation; it is not in the
canonical form the simplifier works on.

Counts of transposes and variables are cached per node, so the pass is linear
in the size of the expression even when subexpressions are shared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from gradcli.ir import build as B
from gradcli.ir.nodes import (
    Add,
    Apply,
    Expr,
    Hadamard,
    Inverse,
    Mul,
    Power,
    Transpose,
    Var,
    walk,
)
from gradcli.simplify.trace import as_trace

T = TypeVar("T")


def present(expr: Expr) -> Expr:
    """``expr`` rewritten for reading (see the module docstring)."""
    p = _Presenter()
    done: dict[int, Expr] = {}
    for node in walk(expr):
        kids = tuple(done[id(k)] for k in node.children())
        same = all(a is b for a, b in zip(kids, node.children(), strict=True))
        new = node if same else node.rebuild(kids)
        done[id(node)] = p.order_terms(p.pull_up_transpose(_sign_into_sum(as_trace(new))))
    return done[id(expr)]


def _sign_into_sum(node: Expr) -> Expr:
    """``-(x - a) / t`` as ``(a - x) / t`` and ``-(log(p) + 1)`` as ``-log(p) - 1``."""
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


class _Presenter:
    """Caches for one ``present`` call."""

    def __init__(self) -> None:
        self.transposes: dict[Expr, int] = {}
        self.names: dict[Expr, frozenset[str]] = {}

    def count_transposes(self, e: Expr) -> int:
        """Transposes in ``e``, counted as printed (a shared part counts each time)."""
        return _fold(e, self.transposes, lambda n, ks: int(isinstance(n, Transpose)) + sum(ks))

    def var_names(self, e: Expr) -> frozenset[str]:
        def own(n: Expr, ks: list[frozenset[str]]) -> frozenset[str]:
            return frozenset([n.name]) if isinstance(n, Var) else frozenset().union(*ks)

        return _fold(e, self.names, own)

    def pull_up_transpose(self, node: Expr) -> Expr:
        """``x^T - m^T`` as ``(x - m)^T``, ``tanh(x^T W^T)`` as ``tanh(W x)^T``,
        ``(B^T X^T A^T)^-1`` as ``(A X B)^-T``."""
        if isinstance(node, Inverse) and isinstance(node.arg, Mul):
            flipped = B.transpose(node.arg)
            if self.count_transposes(flipped) + 1 < self.count_transposes(node.arg):
                return Inverse(Transpose(flipped))
            return node
        if node.shape.is_scalar or not isinstance(node, (Add, Apply, Hadamard, Power)):
            return node
        flipped = B.transpose(node)
        if isinstance(flipped, Transpose):
            return node
        after, before = self.count_transposes(flipped), self.count_transposes(node)
        if after + 1 < before or (node.shape.is_row and after < before):
            return Transpose(flipped)
        return node

    def order_terms(self, node: Expr) -> Expr:
        """Within a sum, a term before its transposed twin: ``A + A^T``, not ``A^T + A``."""
        if not isinstance(node, Add):
            return node
        groups: dict[frozenset[str], int] = {}
        keys = [
            (groups.setdefault(self.var_names(t), len(groups)), self.count_transposes(t))
            for t in node.terms
        ]
        order = sorted(range(len(node.terms)), key=lambda i: keys[i])
        if order == list(range(len(node.terms))):
            return node
        return Add(tuple(node.terms[i] for i in order))


def _fold(e: Expr, cache: dict[Expr, T], combine: Callable[[Expr, list[T]], T]) -> T:
    """A bottom-up value of ``e``, caching every node's (no recursion)."""
    stack = [e]
    while stack:
        n = stack[-1]
        if n in cache:
            stack.pop()
            continue
        pending = [k for k in n.children() if k not in cache]
        if pending:
            stack.extend(pending)
            continue
        cache[n] = combine(n, [cache[k] for k in n.children()])
        stack.pop()
    return cache[e]
