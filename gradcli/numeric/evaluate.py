"""Evaluate an expression with NumPy.

Every value is a 2-D float array: a scalar is ``(1, 1)``, a column vector
``(n, 1)``. NaN and inf are ordinary results (``log`` of a negative number, the
inverse of a singular matrix); callers check ``np.isfinite``. NumPy warnings are
silenced while evaluating.

Conventions where mathematics leaves a choice:

- ``step(0) = 0.5`` (``np.heaviside(x, 0.5)``) and ``sign(0) = 0``;
- ``logdet(A) = log|det A|`` (``-inf`` for a singular matrix);
- ``inv`` of a singular (or non-finite) matrix is all NaN;
- ``Power`` with a negative base and a fractional exponent is NaN.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from gradcli.ir.dims import Dim, Shape
from gradcli.ir.nodes import (
    Add,
    Apply,
    Block,
    Commutation,
    Const,
    Det,
    Diag,
    DiagPart,
    Entry,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Inverse,
    Kron,
    LogDet,
    MatPow,
    Mul,
    Norm,
    Power,
    Reduce,
    Softmax,
    SoftmaxCols,
    SoftmaxRows,
    SumAll,
    Trace,
    Transpose,
    Var,
    Vec,
    walk,
)
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS

Array = npt.NDArray[np.float64]
Sizes = dict[Dim, int]


def evaluate(expr: Expr, env: Mapping[str, npt.ArrayLike], sizes: Mapping[Dim, int]) -> Array:
    """The value of ``expr``: a float array of shape ``(rows, cols)``.

    ``env`` binds every variable name to an array of the variable's shape (a
    0-d or 1-d array of the right size is reshaped); ``sizes`` gives every
    symbolic ``Dim``. Raises ``KeyError`` for an unbound variable or symbol,
    ``ValueError`` for a binding of the wrong shape and ``TypeError`` for an
    unknown node type (a bug).
    """
    return evaluate_many([expr], env, sizes)[0]


def evaluate_many(
    exprs: Sequence[Expr], env: Mapping[str, npt.ArrayLike], sizes: Mapping[Dim, int]
) -> list[Array]:
    """The values of several expressions, sharing common subexpressions.

    Each distinct subexpression (structurally equal nodes included) is
    evaluated once, children before parents, without recursion.
    """
    ctx: Sizes = dict(sizes)
    by_id: dict[int, Array] = {}
    by_node = _StructuralCache()
    with np.errstate(all="ignore"):
        for root in exprs:
            for node in walk(root):
                if id(node) in by_id:
                    continue
                value = by_node.get(node)
                if value is None:
                    args = [by_id[id(k)] for k in node.children()]
                    value = _eval_node(node, args, env, ctx)
                    by_node.put(node, value)
                by_id[id(node)] = value
    return [by_id[id(e)] for e in exprs]


class _StructuralCache:
    """Values by structural equality. Comparing two distinct but equal very
    deep trees can exceed the recursion limit; the cache then switches itself
    off and the remaining nodes are simply evaluated again."""

    def __init__(self) -> None:
        self.values: dict[Expr, Array] = {}
        self.enabled = True

    def get(self, node: Expr) -> Array | None:
        if not self.enabled:
            return None
        try:
            return self.values.get(node)
        except RecursionError:
            self.enabled = False
            return None

    def put(self, node: Expr, value: Array) -> None:
        if not self.enabled:
            return
        try:
            self.values[node] = value
        except RecursionError:
            self.enabled = False


def resolve_shape(shape: Shape, sizes: Mapping[Dim, int]) -> tuple[int, int]:
    """The numeric ``(rows, cols)`` of a symbolic shape."""
    ctx = dict(sizes)
    return shape.rows.resolve(ctx), shape.cols.resolve(ctx)


def _eval_node(
    node: Expr, args: list[Array], env: Mapping[str, npt.ArrayLike], sizes: Sizes
) -> Array:
    if isinstance(node, Var):
        return _bind(node, env, sizes)
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise TypeError(f"cannot evaluate a {type(node).__name__} node")
    out = np.asarray(handler(node, args, sizes), dtype=np.float64)
    return out.reshape(resolve_shape(node.shape, sizes)) if out.ndim != 2 else out


def _bind(var: Var, env: Mapping[str, npt.ArrayLike], sizes: Sizes) -> Array:
    shape = resolve_shape(var.shape, sizes)
    arr = np.asarray(env[var.name], dtype=np.float64)
    if arr.ndim < 2 and arr.size == shape[0] * shape[1]:
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise ValueError(f"variable {var.name} is bound to shape {arr.shape}, expected {shape}")
    return arr


def _mul(node: Mul, args: list[Array], sizes: Sizes) -> Array:
    """``coeff * (scalar factors) * (matrix chain)``; scalar-shaped factors scale."""
    out: Array = np.full((1, 1), node.coeff)
    chain: list[Array] = []
    for factor, value in zip(node.factors, args, strict=True):
        if factor.is_scalar:
            out = out * value
        else:
            chain.append(value)
    if not chain:
        return out
    product = chain[0] if len(chain) == 1 else np.linalg.multi_dot(chain)
    return out * product


def _inverse(a: Array) -> Array:
    if not np.all(np.isfinite(a)):
        return np.full(a.shape, np.nan)
    try:
        return np.asarray(np.linalg.inv(a), dtype=np.float64)
    except np.linalg.LinAlgError:
        return np.full(a.shape, np.nan)


def _logdet(a: Array) -> float:
    if not np.all(np.isfinite(a)):
        return float("nan")
    return float(np.linalg.slogdet(a).logabsdet)


def _det(a: Array) -> float:
    if not np.all(np.isfinite(a)):
        return float("nan")
    return float(np.linalg.det(a))


def _softmax(x: Array) -> Array:
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


def _softmax_along(x: Array, axis: int) -> Array:
    """The softmax of each row (``axis=1``) or column (``axis=0``)."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return np.asarray(e / np.sum(e, axis=axis, keepdims=True), dtype=np.float64)


def commutation_matrix(m: int, n: int) -> Array:
    """K with ``K vec(A) = vec(A^T)`` for ``m x n`` A: row ``j + i n`` is row ``i + j m`` of I."""
    p = np.arange(m * n)
    return np.eye(m * n)[p // n + (p % n) * m]


FUNCS: dict[str, Callable[[Array], Array]] = {
    name: functools.partial(p.value, np) for name, p in ELEMENTWISE.items()
}


def _apply(node: Apply, args: list[Array], sizes: Sizes) -> Array:
    func = FUNCS.get(node.func)
    if func is None:
        raise TypeError(f"unknown element-wise function {node.func!r}")
    return func(args[0])


def _fill(node: Fill, args: list[Array], sizes: Sizes) -> Array:
    return np.full(resolve_shape(node.fill_shape, sizes), args[0][0, 0])


def _entry(node: Entry, args: list[Array], sizes: Sizes) -> Array:
    return np.full((1, 1), args[0][node.i, node.j])


def _block(node: Block, args: list[Array], sizes: Sizes) -> Array:
    width = len(node.rows[0])
    grid = [args[i : i + width] for i in range(0, len(args), width)]
    return np.block(grid)


Handler = Callable[[Any, list[Array], Sizes], Any]

_HANDLERS: dict[type, Handler] = {
    Const: lambda n, a, s: np.full((1, 1), n.value),
    Identity: lambda n, a, s: np.eye(n.n.resolve(s)),
    Fill: _fill,
    Add: lambda n, a, s: functools.reduce(np.add, a),
    Mul: _mul,
    Hadamard: lambda n, a, s: functools.reduce(np.multiply, a),
    Power: lambda n, a, s: np.power(a[0], n.exponent),
    MatPow: lambda n, a, s: np.linalg.matrix_power(a[0], n.k),
    Transpose: lambda n, a, s: a[0].T,
    Inverse: lambda n, a, s: _inverse(a[0]),
    Trace: lambda n, a, s: np.trace(a[0]),
    Det: lambda n, a, s: _det(a[0]),
    LogDet: lambda n, a, s: _logdet(a[0]),
    SumAll: lambda n, a, s: np.sum(a[0]),
    Norm: lambda n, a, s: np.linalg.norm(a[0]),
    Softmax: lambda n, a, s: _softmax(a[0]),
    SoftmaxRows: lambda n, a, s: _softmax_along(a[0], 1),
    SoftmaxCols: lambda n, a, s: _softmax_along(a[0], 0),
    Commutation: lambda n, a, s: commutation_matrix(*a[0].shape),
    Reduce: lambda n, a, s: REDUCTIONS[n.func].value(np, a[0]),
    Diag: lambda n, a, s: np.diag(a[0][:, 0]),
    DiagPart: lambda n, a, s: np.diag(a[0]).reshape(-1, 1),
    Vec: lambda n, a, s: a[0].reshape(-1, 1, order="F"),
    Apply: _apply,
    Kron: lambda n, a, s: np.kron(a[0], a[1]),
    Entry: _entry,
    Block: _block,
}
