"""The ``text`` format: the input language of SPEC §2, one line.

What it prints parses back to the same expression, with the language's
precedence (``-x^2`` is ``-(x^2)``, ``2 x^T y`` is ``2 (x^T y)``). Exceptions,
for nodes the language has no spelling for: ``kron(A, B)``, ``vec(A)`` and the
1-based entry ``A[1,2]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

from gradcli.ir.dims import ONE, Dim, Shape
from gradcli.ir.nodes import (
    Apply,
    Block,
    Commutation,
    Det,
    Diag,
    DiagPart,
    Entry,
    Expr,
    Identity,
    Kron,
    LogDet,
    Norm,
    Reduce,
    Softmax,
    SoftmaxCols,
    SoftmaxRows,
    SumAll,
    Trace,
    Vec,
)
from gradcli.printers.base import Prec, Printer
from gradcli.printers.powers import variable_power
from gradcli.printers.sizes import counted_dims


class TextPrinter(Printer):
    """Print in the input language: ``2 A^T (A x - b)``, ``x ./ y .^ 2``."""

    PRECEDENCE: ClassVar[Mapping[str, Prec]] = MappingProxyType(
        {**Printer.PRECEDENCE, "Kron": Prec.ATOM}
    )

    def __init__(self, sizes: Mapping[Dim, str] | None = None) -> None:
        """``sizes`` spells each dimension a size is printed with (``len(x)``);
        without it, a size is printed as the dimension's name (``n``)."""
        super().__init__()
        self.sizes = sizes

    def _call(self, func: str, arg: Expr) -> str:
        return f"{func}({self._print(arg)})"

    # ------------------------------------------------------------ tokens

    def _ones(self) -> str:
        return "ones"

    def _zeros(self, shape: Shape) -> str | None:
        """``zeros`` is the zero column, as ``ones`` is the all-ones one, so a
        zero reads back with its shape: ``zeros``, ``zeros^T``, ``zeros zeros^T``."""
        if shape.cols == ONE:
            return "zeros"
        row = self._transpose("zeros")
        return row if shape.rows == ONE else f"zeros{self.juxt}{row}"

    def _zeros_prec(self, shape: Shape) -> Prec:
        if shape.cols == ONE:
            return Prec.ATOM
        return Prec.POWER if shape.rows == ONE else Prec.PRODUCT

    def _transpose(self, base: str) -> str:
        return f"{base}^T"

    def _inverse(self, base: str, transposed: bool) -> str:
        return f"{base}^-T" if transposed else f"{base}^-1"

    def _matpow(self, base: str, k: int) -> str:
        return f"{base}^{k}"

    def _power(self, base: str, exponent: float, elementwise: bool) -> str:
        op = " .^ " if elementwise else "^"
        return f"{base}{op}{self._exponent(exponent)}"

    def _exponent(self, v: float) -> str:
        return self._number(abs(v)) if v >= 0 else self.neg_sign + self._number(-v)

    def _norm(self, body: str, frobenius: bool) -> str:
        return f"||{body}||"

    def _entry(self, base: str, index: str) -> str:
        return f"{base}[{index}]"

    # ------------------------------------------------------------ nodes

    def _print_Identity(self, expr: Identity) -> str:
        return "eye"

    def _print_Apply(self, expr: Apply) -> str:
        return self._variable_power(expr) or self._call(expr.func, expr.arg)

    def _prec_Apply(self, expr: Apply) -> Prec:
        return Prec.POWER if variable_power(expr) else Prec.ATOM

    def _variable_power(self, expr: Apply) -> str | None:
        """``a^b``, ``x .^ t`` for the form a variable power is built in (``printers.powers``)."""
        power = variable_power(expr)
        if power is None:
            return None
        base, exponent, elementwise = power
        op = self._elementwise_power if elementwise else "^"
        return self.parenthesize(base, Prec.ATOM) + op + self.parenthesize(exponent, Prec.ATOM)

    _elementwise_power: ClassVar[str] = " .^ "

    def _print_Trace(self, expr: Trace) -> str:
        return self._call("tr", expr.arg)

    def _print_Det(self, expr: Det) -> str:
        return self._call("det", expr.arg)

    def _print_LogDet(self, expr: LogDet) -> str:
        return self._call("logdet", expr.arg)

    def _print_SumAll(self, expr: SumAll) -> str:
        """A size by its dimensions' names (``printers.sizes``), else ``sum(...)``."""
        dims = counted_dims(expr)
        if dims is None:
            return self._call("sum", expr.arg)
        if self.sizes is None:
            return self._size(dims)
        if not all(d.size is not None or d in self.sizes for d in dims):
            return self._call("sum", expr.arg)
        return self.juxt.join(str(d.size) if d.size is not None else self.sizes[d] for d in dims)

    def _print_Softmax(self, expr: Softmax) -> str:
        return self._call("softmax", expr.arg)

    def _print_SoftmaxRows(self, expr: SoftmaxRows) -> str:
        return self._call("softmax_rows", expr.arg)

    def _print_SoftmaxCols(self, expr: SoftmaxCols) -> str:
        return self._call("softmax_cols", expr.arg)

    def _print_Commutation(self, expr: Commutation) -> str:
        return self._call("commutation", expr.arg)

    def _print_Reduce(self, expr: Reduce) -> str:
        return self._call(expr.func, expr.arg)

    def _print_Diag(self, expr: Diag) -> str:
        return self._call("diag", expr.arg)

    def _print_DiagPart(self, expr: DiagPart) -> str:
        return self._call("diag", expr.arg)

    def _print_Vec(self, expr: Vec) -> str:
        return self._call("vec", expr.arg)

    def _print_Norm(self, expr: Norm) -> str:
        """``||x||``; a norm inside a norm is written ``norm2(...)``, since
        ``||a ||x|| b||`` cannot be read back unambiguously."""
        inner = self._print(expr.arg)
        if "||" in inner:
            return f"norm2({inner})"
        return self._norm(inner, frobenius=expr.arg.shape.is_matrix)

    def _print_Kron(self, expr: Kron) -> str:
        return f"kron({self._print(expr.left)}, {self._print(expr.right)})"

    def _print_Entry(self, expr: Entry) -> str:
        """With known sizes, through unit vectors, which read back:
        ``[0, 1]^T x`` for entry 2 of x, ``[1, 0]^T A [0, 1]``; else ``A[1,2]``."""
        rows, cols = expr.arg.shape.rows.size, expr.arg.shape.cols.size
        if rows is not None and cols is not None:
            left = _unit(expr.i, rows)
            right = "" if cols == 1 else " " + _unit(expr.j, cols)
            return f"{left}^T {self.parenthesize(expr.arg, Prec.POWER)}{right}"
        base = self.parenthesize(expr.arg, Prec.ATOM)
        if expr.arg.shape.is_vector:
            return self._entry(base, str(expr.i + 1))
        return self._entry(base, f"{expr.i + 1},{expr.j + 1}")

    def _print_Block(self, expr: Block) -> str:
        """``[a, b]`` for a column of scalars, else ``[[a, b], [c, d]]`` row by row."""
        rows = [[self._print(e) for e in row] for row in expr.rows]
        if len(expr.rows[0]) == 1 and all(row[0].is_scalar for row in expr.rows):
            return "[" + ", ".join(r[0] for r in rows) + "]"
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"


def _unit(i: int, n: int) -> str:
    """The i-th unit vector of size n as a literal, ``[0, 1, 0]``."""
    return "[" + ", ".join("1" if k == i else "0" for k in range(n)) + "]"
