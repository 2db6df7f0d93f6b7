"""Kronecker-product algebra: mixed products merge, ``vec`` products fold back.

Each rule checks the shapes factor by factor, not only the product's: a chain
``kron(A, B) kron(C, D)`` whose total sizes agree (``n·m = m·n``) need not
have ``A C`` and ``B D`` defined, and the identity holds only when they are.
"""

from __future__ import annotations

from gradcli.ir import build as B
from gradcli.ir.nodes import Expr, Inverse, Kron, Mul, Trace, Transpose, Vec
from gradcli.simplify.rules import rule


def _chain_rewrite(e: Mul, i: int, new: Expr) -> Expr:
    """``e`` with chain factors ``i`` and ``i + 1`` replaced by ``new``."""
    chain = list(e.chain)
    return B.mul(e.coeff, *e.scalars, *chain[:i], new, *chain[i + 2 :])


@rule
def merge_kron_products(e: Expr) -> Expr | None:
    """kron(A, B) kron(C, D) = kron(A C, B D), when A C and B D are defined."""
    if not isinstance(e, Mul):
        return None
    chain = e.chain
    for i in range(len(chain) - 1):
        a, b = chain[i], chain[i + 1]
        if not (isinstance(a, Kron) and isinstance(b, Kron)):
            continue
        if a.left.shape.cols != b.left.shape.rows or a.right.shape.cols != b.right.shape.rows:
            continue
        merged = B.kron(B.mul(a.left, b.left), B.mul(a.right, b.right))
        return _chain_rewrite(e, i, merged)
    return None


def _fold_column(k: Kron, v: Vec) -> Expr | None:
    """``kron(P, Q) vec(X) = vec(Q X P^T)`` when ``Q X P^T`` is defined."""
    p, q, x = k.left, k.right, v.arg
    if q.shape.cols != x.shape.rows or p.shape.cols != x.shape.cols:
        return None
    return B.vec(B.mul(q, x, B.transpose(p)))


def _fold_row(r: Transpose, k: Kron) -> Expr | None:
    """``vec(X)^T kron(P, Q) = vec(Q^T X P)^T`` when ``Q^T X P`` is defined."""
    if not isinstance(r.arg, Vec):
        return None
    p, q, x = k.left, k.right, r.arg.arg
    if q.shape.rows != x.shape.rows or p.shape.rows != x.shape.cols:
        return None
    return B.transpose(B.vec(B.mul(B.transpose(q), x, p)))


@rule
def fold_kron_vec(e: Expr) -> Expr | None:
    """kron(B^T, A) vec(X) = vec(A X B) (and vec(X)^T kron(B, A^T) = vec(A X B)^T)."""
    if not isinstance(e, Mul):
        return None
    chain = e.chain
    for i in range(len(chain) - 1):
        a, b = chain[i], chain[i + 1]
        new = None
        if isinstance(a, Kron) and isinstance(b, Vec):
            new = _fold_column(a, b)
        elif isinstance(a, Transpose) and isinstance(b, Kron):
            new = _fold_row(a, b)
        if new is not None:
            return _chain_rewrite(e, i, new)
    return None


def _square_factors(e: Expr) -> Kron | None:
    """``e`` when it is ``kron(A, B)`` of two square matrices (not merely a square product)."""
    if isinstance(e, Kron) and e.left.shape.is_square and e.right.shape.is_square:
        return e
    return None


@rule
def trace_of_kron(e: Expr) -> Expr | None:
    """tr(kron(A, B)) = tr(A) tr(B), for square A and B."""
    k = _square_factors(e.arg) if isinstance(e, Trace) else None
    return B.mul(B.trace(k.left), B.trace(k.right)) if k is not None else None


@rule
def inverse_of_kron(e: Expr) -> Expr | None:
    """kron(A, B)^-1 = kron(A^-1, B^-1), for square A and B."""
    k = _square_factors(e.arg) if isinstance(e, Inverse) else None
    return B.kron(B.inverse(k.left), B.inverse(k.right)) if k is not None else None
