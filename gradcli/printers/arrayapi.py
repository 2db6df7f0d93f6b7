"""The ``array-api`` format: one Python expression over ``xp`` and the variable names.

Contract (SPEC §3): with ``xp`` bound to an array namespace that follows the
Python array API standard (``array_api_compat.array_namespace(x)`` for NumPy,
PyTorch, JAX or CuPy arrays, or ``array_api_strict``), each vector bound to a
1-D array ``(n,)``, each matrix to a 2-D array and each scalar to a 0-D array,
``eval(code, {"xp": xp}, env)`` gives the same value, in the same shape, as
the ``numpy`` form does with NumPy.

The code is the ``numpy`` form's, spelled with the standard's names
(``xp.linalg.trace``, ``xp.linalg.outer``, ``xp.linalg.matrix_norm``); the
printer is ``NumpyPrinter`` with another namespace. Arrays the code creates
(``xp.eye``, ``xp.ones``) take the dtype and device of one variable (``like``),
so the code runs on a GPU and in float32 as it does on a CPU in float64. Where
the standard has no function (``diag``, ``kron``, ``heaviside``, ``vec``), the
node's printer builds it from standard ones and says how in its docstring.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import ClassVar

from gradcli.ir.dims import Dim
from gradcli.ir.nodes import (
    Block,
    Const,
    Diag,
    DiagPart,
    Expr,
    Fill,
    Identity,
    Kron,
    Norm,
    Vec,
)
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS
from gradcli.printers.base import Prec
from gradcli.printers.numpy import NumpyPrinter


class ArrayApiPrinter(NumpyPrinter):
    """Array-API code: ``xp.linalg.trace(A)``, ``xp.eye(n, dtype=x.dtype, device=x.device)``."""

    ns: ClassVar[str] = "xp"
    RENAMED: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"outer": "linalg.outer", "trace": "linalg.trace", "transpose": "permute_dims"}
    )

    def __init__(self, dim_code: Mapping[Dim, str] | None = None, like: str | None = None) -> None:
        super().__init__(dim_code)
        self.like = like

    def doprint(self, expr: Expr) -> str:
        """The code; a constant result is an array too (``xp.asarray(2.0, ...)``)."""
        if isinstance(expr, Const):
            return self._new("asarray", format_float(expr.value))
        return super().doprint(expr)

    def _new(self, func: str, *args: str) -> str:
        """A call that creates an array on the device, and of the dtype, of ``like``."""
        where = [f"dtype={self.like}.dtype", f"device={self.like}.device"] if self.like else []
        return f"{self.ns}.{func}({', '.join([*args, *where])})"

    def _code(self, func: str) -> str:
        """The ``array_api`` facet: ``relu`` clips, ``step`` has no ``heaviside``."""
        return ELEMENTWISE[func].array_api

    def _reduce_code(self, func: str) -> str:
        return REDUCTIONS[func].array_api

    def _print_Identity(self, expr: Identity) -> str:
        return self._new("eye", self._dim(expr.n))

    def _new_eye(self, size: str) -> str:
        return self._new("eye", size)

    def _print_Fill(self, expr: Fill) -> str:
        """``xp.ones(n, ...)``, ``xp.full(n, 2.5, ...)``; a variable fill value
        multiplies ones (``xp.full`` takes only a Python number)."""
        if expr.fill_shape.is_scalar:
            return self._print(expr.value)
        shape = self._shape(expr.fill_shape)
        v = expr.value
        if isinstance(v, Const) and v.value in (0.0, 1.0):
            return self._new("ones" if v.value == 1.0 else "zeros", shape)
        if isinstance(v, Const) and math.isfinite(v.value):
            return self._new("full", shape, repr(float(v.value)))
        return f"({self.parenthesize(v, Prec.POWER)} * {self._new('ones', shape)})"

    def _print_Norm(self, expr: Norm) -> str:
        which = "matrix_norm" if expr.arg.shape.is_matrix else "vector_norm"
        return f"{self.ns}.linalg.{which}({self._print(expr.arg)})"

    def _print_Diag(self, expr: Diag) -> str:
        """No ``diag`` in the standard: the identity with its columns scaled, ``I * v``."""
        eye = self._new("eye", self._dim(expr.arg.shape.rows))
        return f"({eye} * {self.parenthesize(expr.arg, Prec.POWER)})"

    def _print_DiagPart(self, expr: DiagPart) -> str:
        return f"{self.ns}.linalg.diagonal({self._print(expr.arg)})"

    def _print_Vec(self, expr: Vec) -> str:
        """No column-major reshape in the standard: the row-major flattening of
        the transpose stacks the columns. A vector is already its own ``vec``."""
        if not expr.arg.shape.is_matrix:
            return self._print(expr.arg)
        return f"{self.ns}.reshape({self.parenthesize(expr.arg, Prec.ATOM)}.T, (-1,))"

    def _print_Kron(self, expr: Kron) -> str:
        """No ``kron`` in the standard: ``A ⊗ B`` is the product of ``A[i, :, j, :]``
        and ``B[:, k, :, l]`` broadcast to 4-D, reshaped to ``(m p, n q)``; for
        two vectors of one orientation, the flattened outer product."""
        left, right = expr.left, expr.right
        if (left.shape.is_vector and right.shape.is_vector) or (
            left.shape.is_row and right.shape.is_row
        ):
            outer = f"{self._fn('outer')}({self._print(left)}, {self._print(right)})"
            return f"{self.ns}.reshape({outer}, (-1,))"
        a, b = self._as_2d_atom(left), self._as_2d_atom(right)
        size = f"({self._dim(expr.shape.rows)}, {self._dim(expr.shape.cols)})"
        return f"{self.ns}.reshape({a}[:, None, :, None] * {b}[None, :, None, :], {size})"

    def _print_Block(self, expr: Block) -> str:
        """Scalars: ``xp.stack`` of 0-D arrays (numbers made arrays), row by row;
        blocks: ``xp.concat`` of 2-D parts along the columns, then the rows."""
        if all(e.is_scalar for row in expr.rows for e in row):
            rows = [self._stack([self._scalar(e) for e in row]) for row in expr.rows]
            if expr.shape.is_matrix:
                return self._stack(rows)
            return self._stack([self._scalar(e) for row in expr.rows for e in row])
        grid = [
            f"{self.ns}.concat([{', '.join(self._as_2d(e) for e in row)}], axis=1)"
            for row in expr.rows
        ]
        code = f"{self.ns}.concat([{', '.join(grid)}], axis=0)"
        return code if expr.shape.is_matrix else f"{self.ns}.reshape({code}, (-1,))"

    def _stack(self, items: list[str]) -> str:
        return f"{self.ns}.stack([{', '.join(items)}])"

    def _scalar(self, e: Expr) -> str:
        """A scalar entry as a 0-D array: a number is wrapped, the rest already is one."""
        if isinstance(e, Const):
            return self._new("asarray", format_float(e.value))
        return self._print(e)

    def _as_2d_atom(self, e: Expr) -> str:
        """``e`` as a 2-D array that can be indexed: a matrix in parentheses if need be."""
        return self.parenthesize(e, Prec.ATOM) if e.shape.is_matrix else self._as_2d(e)


def format_float(v: Fraction | float) -> str:
    """A Python float literal (``2.0``, ``-0.5``, ``float("nan")``)."""
    x = float(v)
    return repr(x) if math.isfinite(x) else f'float("{x}")'
