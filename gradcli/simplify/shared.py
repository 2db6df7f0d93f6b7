"""Shared subexpressions: name what a long result repeats.

``X^T diag(sigmoid(X w) .* (1 - sigmoid(X w))) X`` can be written
``X^T diag(s .* (1 - s)) X where s = sigmoid(X w)``. ``name_shared`` finds the
subexpressions that occur more than once (outermost first, so a repeat inside a
repeat is not counted twice) and replaces them with new variables; the
definitions come innermost first, so each uses only names defined before it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gradcli.ir.dims import Kind, Shape
from gradcli.ir.nodes import Apply, Const, Expr, Fill, Identity, Softmax, Transpose, Var, size, walk

NAMES = ["s", "u", "v", "r", "q", "h", "g", "z", "c"]
MIN_NODES = 3


@dataclass(frozen=True)
class Shared:
    """``expr`` written with named parts: ``where`` lists ``(name, definition)``."""

    expr: Expr
    where: tuple[tuple[Var, Expr], ...]


def _occurrences(expr: Expr) -> Counter[Expr]:
    """How often each node occurs, descending into a node on its first visit only."""
    counts: Counter[Expr] = Counter()
    stack = [expr]
    while stack:
        node = stack.pop()
        counts[node] += 1
        if counts[node] == 1:
            stack.extend(node.children())
    return counts


def _worth_naming(node: Expr) -> bool:
    if isinstance(node, (Var, Const, Fill, Identity)):
        return False
    if isinstance(node, Transpose) and isinstance(node.arg, Var):
        return False
    return size(node) >= MIN_NODES or isinstance(node, (Apply, Softmax))


def _kind(shape: Shape) -> Kind:
    if shape.is_scalar:
        return Kind.SCALAR
    return Kind.VECTOR if shape.is_vector else Kind.MATRIX


def _name_for(node: Expr, taken: set[str]) -> str:
    preferred = {"sigmoid": "s", "exp": "e", "tanh": "h"}.get(getattr(node, "func", ""), "")
    if isinstance(node, Softmax):
        preferred = "p"
    for name in ([preferred] if preferred else []) + NAMES:
        if name not in taken:
            return name
    k = 1
    while f"s{k}" in taken:
        k += 1
    return f"s{k}"


def substitute(expr: Expr, table: dict[Expr, Expr]) -> Expr:
    """``expr`` with every node found in ``table`` replaced (without simplifying)."""
    done: dict[int, Expr] = {}
    for node in walk(expr):
        if node in table:
            done[id(node)] = table[node]
            continue
        kids = tuple(done[id(k)] for k in node.children())
        same = all(a is b for a, b in zip(kids, node.children(), strict=True))
        done[id(node)] = node if same else node.rebuild(kids)
    return done[id(expr)]


def name_shared(exprs: list[Expr], taken: set[str]) -> tuple[list[Expr], list[tuple[Var, Expr]]]:
    """Replace repeated subexpressions of ``exprs`` (jointly) by new variables."""
    counts: Counter[Expr] = Counter()
    for e in exprs:
        counts.update(_occurrences(e))
    repeated = [n for n, c in counts.items() if c > 1 and _worth_naming(n)]
    repeated.sort(key=size)
    names = set(taken)
    table: dict[Expr, Expr] = {}
    where: list[tuple[Var, Expr]] = []
    for node in repeated:
        name = _name_for(node, names)
        names.add(name)
        var = Var(name, node.shape, _kind(node.shape))
        where.append((var, substitute(node, table)))
        table[node] = var
    return [substitute(e, table) for e in exprs], where
