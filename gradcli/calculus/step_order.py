"""The order and grouping of gradient steps (for :mod:`gradcli.calculus.steps`).

The reverse-mode sweep visits nodes in an order that suits the computer, and it
sees a variable that occurs transposed as two nodes: the builder pushes
transposes to the leaves, so ``(A x - b)^T (A x - b)`` holds ``A x - b`` and
``x^T A^T - b^T``, each receiving only the part of the adjoint that passes
through its own copy. A worked solution must instead give the *full*
derivative of each quantity the user wrote, in the order written. This module
regroups the sweep: it pairs each node with its transposed twin (their parts
add), and orders the nodes so that each comes after every node it is part of,
and among those ready, the one met first reading the expression left to right.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from gradcli.ir import build as B
from gradcli.ir.nodes import Expr, Transpose, walk_unique


@dataclass(frozen=True)
class SweptNode:
    """A node to show, the twin whose adjoint joins it (``None`` if none), and
    the nodes whose rules pass it its derivative (twins already mapped)."""

    node: Expr
    twin: Expr | None
    sources: tuple[Expr, ...]


def preorder(f: Expr) -> dict[Expr, int]:
    """Each distinct node of ``f`` by the position where reading ``f`` left to
    right first meets it."""
    rank: dict[Expr, int] = {}
    stack = [f]
    while stack:
        node = stack.pop()
        if node in rank:
            continue
        rank[node] = len(rank)
        stack.extend(reversed(node.children()))
    return rank


def written_order(f: Expr, parents: dict[Expr, frozenset[Expr]]) -> list[Expr]:
    """The swept nodes, each after all of its parents; among the nodes ready, the
    one met first reading ``f``, so the parts of a sum come in the order written
    and each part's derivation is finished before the next begins."""
    rank = preorder(f)
    waiting = {n: len(ps) for n, ps in parents.items()}
    children: dict[Expr, list[Expr]] = defaultdict(list)
    for n, ps in parents.items():
        for p in ps:
            children[p].append(n)
    ready = [(rank[n], n) for n, k in waiting.items() if k == 0]
    heapq.heapify(ready)
    order: list[Expr] = []
    while ready:
        _, n = heapq.heappop(ready)
        order.append(n)
        for c in children[n]:
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, (rank[c], c))
    return order


def transposes(e: Expr) -> int:
    """How many transposes ``e`` holds (a pushed copy holds more)."""
    return sum(isinstance(n, Transpose) for n in walk_unique(e))


def twins(nodes: list[Expr], rank: dict[Expr, int]) -> dict[Expr, Expr]:
    """Twin pairs among ``nodes``: ``u`` and ``t = u^T`` swept as separate nodes,
    neither inside the other (so neither's adjoint already holds the other's).
    Maps the copy to show (fewer transposes, then the first written) to the
    copy to hide."""
    present = set(nodes)
    out: dict[Expr, Expr] = {}
    paired: set[Expr] = set()
    for u in nodes:
        if u in paired or u.is_scalar:
            continue
        t = B.transpose(u)
        if t == u or t not in present or t in paired:
            continue
        if t in set(walk_unique(u)) or u in set(walk_unique(t)):
            continue
        show, hide = sorted((u, t), key=lambda e: (transposes(e), rank.get(e, 0)))
        out[show] = hide
        paired.update((u, t))
    return out


def group(f: Expr, parents: dict[Expr, frozenset[Expr]], keep: set[Expr]) -> list[SweptNode]:
    """The nodes of ``keep`` in written order, each twin pair once (where the
    later of the two comes), with the rules' sources: a parent that is a hidden
    twin counts as its shown copy, and a leaf transpose ``x^T`` as the nodes
    that use it (its own rule only copies the adjoint)."""
    order = written_order(f, parents)
    rank = preorder(f)
    pairs = twins([n for n in order if n in keep], rank)
    shown_of = {hide: show for show, hide in pairs.items()}
    out: list[SweptNode] = []
    seen: set[Expr] = set()
    for node in order:
        if node not in keep:
            continue
        partner = pairs.get(node) or shown_of.get(node)
        if partner is not None and partner not in seen:
            seen.add(node)
            continue
        show = shown_of.get(node, node)
        twin = pairs.get(show)
        sources = sorted(_sources(parents, show, twin, shown_of), key=rank.__getitem__)
        out.append(SweptNode(show, twin, tuple(sources)))
    return out


def _sources(
    parents: dict[Expr, frozenset[Expr]],
    node: Expr,
    twin: Expr | None,
    shown_of: dict[Expr, Expr],
) -> list[Expr]:
    found: list[Expr] = []
    for child in (node, twin):
        if child is None:
            continue
        for p in parents.get(child, frozenset()):
            if isinstance(p, Transpose) and p.arg == child:
                ups = list(parents.get(p, frozenset()))
            else:
                ups = [p]
            for q in ups:
                q = shown_of.get(q, q)
                if q not in found:
                    found.append(q)
    return found
