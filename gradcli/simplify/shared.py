"""Shared subexpressions: name what a long result repeats.

``X^T diag(sigmoid(X w) .* (1 - sigmoid(X w))) X`` can be written
``X^T diag(s .* (1 - s)) X where s = sigmoid(X w)``. ``name_shared`` finds the
subexpressions that occur more than once (outermost first, so a repeat inside a
repeat is not counted twice) and replaces them with new variables; the
definitions come innermost first, so each uses only names defined before it.
"""

from __future__ import annotations

from collections import Counter

from gradcli.ir import build as B
from gradcli.ir.dims import Kind, Shape
from gradcli.ir.nodes import (
    Add,
    Apply,
    Const,
    Diag,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Mul,
    Power,
    Softmax,
    Transpose,
    Var,
    size,
    walk,
)
from gradcli.ir.primitives import ELEMENTWISE
from gradcli.simplify.rules import skey

NAMES = ["s", "u", "v", "r", "q", "h", "g", "z", "c"]
MIN_NODES = 3


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
    preferred = ELEMENTWISE[node.func].share_name if isinstance(node, Apply) else ""
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


class _Twins:
    """Occurrences of parts, a part and its transpose counted together.

    A transpose ``M^T`` is named through ``M`` (printed ``s^T``, never
    ``s = M^T``); of two twins, the one written with fewer transposes gets the
    name (a column rather than a row). A node is descended into on the first
    visit of its pair only, so a repeat inside a repeat (or inside its twin)
    is not counted twice."""

    def __init__(self) -> None:
        self.counts: Counter[Expr] = Counter()
        self.members: dict[Expr, dict[Expr, bool]] = {}
        self.tcount: dict[Expr, int] = {}

    def transposes(self, e: Expr) -> int:
        """Transposes in ``e`` as printed (memoised; a counted part is not walked again)."""
        stack = [e]
        while stack:
            n = stack[-1]
            pending = [k for k in n.children() if k not in self.tcount]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            own = int(isinstance(n, Transpose))
            self.tcount[n] = own + sum(self.tcount[k] for k in n.children())
        return self.tcount[e]

    def representative(self, node: Expr) -> tuple[Expr, bool]:
        """The node to name for ``node``, and whether ``node`` is its transpose."""
        if node.is_scalar:
            return node, False
        if isinstance(node, Transpose):
            return node.arg, True
        twin = B.transpose(node)
        if twin == node or isinstance(twin, Transpose):
            return node, False
        # Fewer transposes first, then a column before a row (``s = A^T x``
        # and ``s^T``, not ``s = x^T A``), then a fixed order.
        mine = (self.transposes(node), node.shape.is_row)
        theirs = (self.transposes(twin), twin.shape.is_row)
        if theirs < mine or theirs == mine and skey(twin) < skey(node):
            return twin, True
        return node, False

    def count(self, expr: Expr) -> None:
        stack = [expr]
        while stack:
            node = stack.pop()
            rep, flipped = self.representative(node)
            self.members.setdefault(rep, {})[node] = flipped
            self.counts[rep] += 1
            if self.counts[rep] == 1:  # ``M^T`` goes on into M's parts, not M itself
                stack.extend((rep if flipped and node.children() == (rep,) else node).children())


def name_shared(exprs: list[Expr], taken: set[str]) -> tuple[list[Expr], list[tuple[Var, Expr]]]:
    """Replace repeated subexpressions of ``exprs`` (jointly) by new variables.

    A part that also occurs transposed counts with its twin, and the twin is
    written ``s^T``; a definition is never a bare symbol or its transpose."""
    twins = _Twins()
    for e in exprs:
        twins.count(e)
    repeated = [n for n, c in twins.counts.items() if c > 1 and _worth_naming(n)]
    repeated.sort(key=size)
    names = set(taken)
    table: dict[Expr, Expr] = {}
    where: list[tuple[Var, Expr]] = []
    for rep in repeated:
        body = substitute(rep, table)
        if isinstance(body, Var) or isinstance(body, Transpose) and isinstance(body.arg, Var):
            short = body  # already a name (or its transpose): no new name for it
        else:
            name = _name_for(rep, names)
            names.add(name)
            short = Var(name, rep.shape, _kind(rep.shape))
            where.append((short, body))
        for member, flipped in twins.members[rep].items():
            table[member] = B.transpose(short) if flipped else short
    return [substitute(e, table) for e in exprs], where


def nonnegative(e: Expr) -> bool:
    """Whether ``e`` is provably non-negative entry by entry (a sufficient test)."""
    if isinstance(e, Apply):
        return ELEMENTWISE[e.func].nonnegative
    if isinstance(e, Softmax):
        return True
    if isinstance(e, Const):
        return e.value >= 0
    if isinstance(e, Power):
        even = e.exponent.is_integer() and e.exponent % 2 == 0
        return even or nonnegative(e.base)
    if isinstance(e, (Hadamard, Mul)):
        coeff = e.coeff if isinstance(e, Mul) else 1.0
        return coeff >= 0 and all(nonnegative(f) for f in e.factors)
    return _one_minus_sigmoid(e)


def _one_minus_sigmoid(e: Expr) -> bool:
    if not isinstance(e, Add) or len(e.terms) != 2:
        return False
    one, rest = e.terms if isinstance(e.terms[0], Fill) else e.terms[::-1]
    return (
        isinstance(one, Fill)
        and isinstance(one.value, Const)
        and one.value.value == 1.0
        and isinstance(rest, Mul)
        and rest.coeff == -1.0
        and len(rest.factors) == 1
        and isinstance(rest.factors[0], Apply)
        and rest.factors[0].func == "sigmoid"
    )


def gram_factors(exprs: list[Expr], taken: set[str]) -> tuple[list[Expr], list[tuple[Var, Expr]]]:
    """``M^T diag(d) M`` with ``d >= 0`` as ``Z^T Z`` where ``Z = diag(sqrt(d)) M``:
    a symmetric product that needs half the work (for generated code)."""
    where: list[tuple[Var, Expr]] = []
    table: dict[Expr, Expr] = {}
    for e in exprs:
        for node in walk(e):
            if node in table or not isinstance(node, Mul):
                continue
            chain = list(node.chain)
            for i in range(len(chain) - 2):
                m, d = chain[i + 2], chain[i + 1]
                if isinstance(d, Diag) and B.transpose(m) == chain[i] and nonnegative(d.arg):
                    name = "Z" if "Z" not in taken else f"Z{len(where) + 1}"
                    taken.add(name)
                    z = Var(name, m.shape, Kind.MATRIX)
                    where.append((z, B.mul(B.diag(B.apply("sqrt", d.arg)), m)))
                    new = chain[:i] + [Transpose(z), z] + chain[i + 3 :]
                    table[node] = Mul(node.coeff, (*node.scalars, *new))
                    break
    return [substitute(e, table) for e in exprs], where
