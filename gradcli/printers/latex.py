"""The ``latex`` format: one KaTeX-compatible formula, without ``$``.

``\\left(A + A^{\\top}\\right) x``, ``\\frac{x}{\\lVert x \\rVert}`` for division
by a scalar, ``\\odot``/``\\oslash`` element-wise, ``X^{-\\top}``, element-wise
powers ``x^{\\odot 2}``, ``\\log\\left\\lvert\\det A\\right\\rvert`` for ``logdet``
and ``\\sigma`` for the sigmoid. Names: one letter as is, each ``_`` part as a
subscript (``W_1`` is ``W_{1}``; ``W1`` is ``\\mathit{W1}``), Greek names as letters
(``alpha`` is ``\\alpha``, except ``sigma``), other words ``\\mathit{lam}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType

from gradcli.ir.dims import Dim, Shape
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
    Mul,
    Norm,
    Reduce,
    Softmax,
    SoftmaxCols,
    SoftmaxRows,
    SumAll,
    Trace,
    Var,
    Vec,
)
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS, fill
from gradcli.printers.base import Prec, Printer, Product, format_number, over_denominator
from gradcli.printers.powers import variable_power
from gradcli.printers.sizes import counted_dims
from gradcli.printers.unicode import GREEK

#: The LaTeX command of each function called as ``f(x)`` (a view of the
#: primitive table; ``sqrt`` and ``abs`` are templates, printed as such).
_FUNCTIONS: Mapping[str, str] = MappingProxyType(
    {name: p.latex for name, p in ELEMENTWISE.items() if "{0}" not in p.latex}
)


def latex_word(word: str) -> str:
    """One letter as is, digits as is, a Greek name as its command, else ``\\mathit``."""
    if len(word) == 1 or word.isdigit():
        return word
    if word in GREEK:
        return "\\" + word
    return "\\mathit{" + word.replace("_", "\\_") + "}"


def latex_name(name: str) -> str:
    """A variable's name in LaTeX; distinct names always look distinct.

    ``_`` starts a subscript: ``x_1`` is ``x_{1}``, ``x_i`` is ``x_{i}``,
    ``x_1_2`` is ``x_{1,2}``. Digits glued to a name are part of it: ``x1``
    is ``\\mathit{x1}``, not ``x_{1}``. A name with an empty part (``x_``,
    ``x__1``) is written as typed, ``\\mathit{x\\_}``."""
    head, *parts = name.split("_")
    if "" in parts:
        return "\\mathit{" + name.replace("_", "\\_") + "}"
    base = latex_word(head)
    if not parts:
        return base
    return f"{base}_{{{','.join(latex_word(p) for p in parts)}}}"


def latex_number(v: Fraction | float) -> str:
    """``2``, ``0.5``, and ``2.5 \\cdot 10^{-8}`` for what text writes ``2.5e-08``."""
    text = format_number(v)
    if "e" not in text or "inf" in text:
        return text
    mantissa, exp = text.split("e")
    power = f"10^{{{int(exp)}}}"
    return power if mantissa == "1" else f"{mantissa} \\cdot {power}"


class LatexPrinter(Printer):
    """LaTeX for KaTeX: ``2 A^{\\top} \\left(A x - b\\right)``."""

    had_mul = " \\odot "
    had_div = " \\oslash "
    fraction_below = False  # \\frac{1}{9} \\theta unless there is a denominator

    def _paren(self, text: str) -> str:
        return f"\\left({text}\\right)"

    def _call(self, func: str, arg: Expr) -> str:
        return f"{func}\\left({self._print(arg)}\\right)"

    def _op(self, name: str, arg: Expr) -> str:
        return self._call(f"\\operatorname{{{name}}}", arg)

    # ------------------------------------------------------------ tokens

    def _number(self, v: Fraction | float) -> str:
        return latex_number(v)

    def _fraction(self, p: int, q: int) -> str:
        return f"\\frac{{{p}}}{{{q}}}"

    def _fraction_prec(self) -> Prec:
        return Prec.ATOM

    def _name(self, name: str) -> str:
        return latex_name(name)

    def _zeros(self, shape: Shape) -> str | None:
        """A zero vector or matrix is the bold zero of textbooks."""
        return r"\mathbf{0}"

    def _ones(self) -> str:
        return "\\mathbf{1}"

    def _transpose(self, base: str) -> str:
        return f"{base}^{{\\top}}"

    def _inverse(self, base: str, transposed: bool) -> str:
        return f"{base}^{{-\\top}}" if transposed else f"{base}^{{-1}}"

    def _matpow(self, base: str, k: int) -> str:
        return f"{base}^{{{k}}}"

    def _power(self, base: str, exponent: float, elementwise: bool) -> str:
        mark = "\\odot " if elementwise else ""
        sign = "-" if exponent < 0 else ""
        return f"{base}^{{{mark}{sign}{self._number(abs(exponent))}}}"

    # ------------------------------------------------------------ products

    def _print_Mul(self, expr: Mul) -> str:
        """``\\frac{num}{den}`` for scalar denominators, the sign outside; a
        fraction coefficient alone is ``\\frac{1}{9} \\theta``, with other
        denominators it joins them (``\\frac{x}{9 t}``)."""
        p = Product.of(expr)
        if not p.dens:
            return super()._print_Mul(expr)
        p = over_denominator(p)
        numer = (*p.scalars, *p.chain)
        if abs(p.coeff) == 1.0 and len(numer) == 1:
            top = self._print(numer[0])
        else:
            top = self._print(Mul(-p.coeff if p.coeff < 0 else p.coeff, numer))
        bottom = self._print(p.dens[0] if len(p.dens) == 1 else Mul(1.0, p.dens))
        return self._signed(p.coeff < 0, f"\\frac{{{top}}}{{{bottom}}}")

    # ------------------------------------------------------------ nodes

    def _print_Identity(self, expr: Identity) -> str:
        return "I"

    def _prec_Apply(self, expr: Apply) -> Prec:
        return Prec.POWER if variable_power(expr) else Prec.ATOM

    def _print_Apply(self, expr: Apply) -> str:
        power = variable_power(expr)
        if power is not None:
            base, exponent, elementwise = power
            mark = "\\odot " if elementwise else ""
            return f"{self.parenthesize(base, Prec.ATOM)}^{{{mark}{self._print(exponent)}}}"
        if expr.func in _FUNCTIONS:
            return self._call(_FUNCTIONS[expr.func], expr.arg)
        return fill(ELEMENTWISE[expr.func].latex, "", self._print(expr.arg))

    def _print_Trace(self, expr: Trace) -> str:
        return self._op("tr", expr.arg)

    def _print_Det(self, expr: Det) -> str:
        return self._call("\\det", expr.arg)

    def _print_LogDet(self, expr: LogDet) -> str:
        """``\\log\\left\\lvert\\det A\\right\\rvert``: the bars delimit the argument."""
        arg = expr.arg
        det = f"\\det {self._print(arg)}" if isinstance(arg, Var) else self._call("\\det", arg)
        return f"\\log\\left\\lvert{det}\\right\\rvert"

    def _print_SumAll(self, expr: SumAll) -> str:
        dims = counted_dims(expr)
        return self._op("sum", expr.arg) if dims is None else self._size(dims)

    def _print_Softmax(self, expr: Softmax) -> str:
        return self._op("softmax", expr.arg)

    def _print_SoftmaxRows(self, expr: SoftmaxRows) -> str:
        return self._call("\\operatorname{softmax}_{\\mathrm{rows}}", expr.arg)

    def _print_SoftmaxCols(self, expr: SoftmaxCols) -> str:
        return self._call("\\operatorname{softmax}_{\\mathrm{cols}}", expr.arg)

    def _print_Commutation(self, expr: Commutation) -> str:
        """Magnus & Neudecker's ``K_{m,n}``, subscripted by the shape of the operand."""
        s = expr.arg.shape
        return f"K_{{{_dim_tex(s.rows)},{_dim_tex(s.cols)}}}"

    def _print_Reduce(self, expr: Reduce) -> str:
        return self._call(REDUCTIONS[expr.func].latex, expr.arg)

    def _print_Diag(self, expr: Diag) -> str:
        return self._op("diag", expr.arg)

    def _print_DiagPart(self, expr: DiagPart) -> str:
        return self._op("diag", expr.arg)

    def _print_Vec(self, expr: Vec) -> str:
        return self._op("vec", expr.arg)

    def _print_Norm(self, expr: Norm) -> str:
        sub = "_{F}" if expr.arg.shape.is_matrix else ""
        return f"\\lVert {self._print(expr.arg)} \\rVert{sub}"

    def _print_Kron(self, expr: Kron) -> str:
        left = self.parenthesize(expr.left, Prec.POWER)
        return f"{left} \\otimes {self.parenthesize(expr.right, Prec.POWER)}"

    def _print_Entry(self, expr: Entry) -> str:
        """1-based subscripts: ``x_{2}``, ``A_{1,2}``."""
        base = self.parenthesize(expr.arg, Prec.ATOM)
        if "_" in base or "^" in base:
            base = self._paren(base)
        if expr.arg.shape.is_vector:
            return f"{base}_{{{expr.i + 1}}}"
        return f"{base}_{{{expr.i + 1},{expr.j + 1}}}"

    def _print_Block(self, expr: Block) -> str:
        rows = [" & ".join(self._print(e) for e in row) for row in expr.rows]
        return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"


def _dim_tex(d: Dim) -> str:
    """A dimension as a subscript: ``n``, ``3``, or a product ``m n``."""
    return " ".join(f.name for f in d.factors) if d.factors else d.name
