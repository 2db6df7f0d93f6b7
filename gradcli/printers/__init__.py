"""Printers: IR expressions as text, Unicode, LaTeX and NumPy code (SPEC §3).

Each format is one ``Printer`` subclass; these functions are the entry points.
"""

from __future__ import annotations

from collections.abc import Mapping

from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Expr
from gradcli.printers.base import Prec, Printer
from gradcli.printers.latex import LatexPrinter
from gradcli.printers.numpy import NumpyPrinter
from gradcli.printers.text import TextPrinter
from gradcli.printers.unicode import UnicodePrinter


def to_text(expr: Expr) -> str:
    """The input language (parses back): ``2 A^T (A x - b)``."""
    return TextPrinter().doprint(expr)


def to_unicode(expr: Expr) -> str:
    """Unicode math for the terminal: ``2 Aᵀ (A x − b)``."""
    return UnicodePrinter().doprint(expr)


def to_latex(expr: Expr) -> str:
    """KaTeX-compatible LaTeX without ``$``: ``2 A^{\\top} \\left(A x - b\\right)``."""
    return LatexPrinter().doprint(expr)


def to_numpy(expr: Expr, dim_code: Mapping[Dim, str] | None = None) -> str:
    """A Python expression over ``np`` and the variable names: ``2 * A.T @ (A @ x - b)``.

    ``dim_code`` maps a symbolic ``Dim`` to code for its size; dimensions it
    leaves out are read off the variables (``x.shape[0]``). Raises
    ``ValueError`` for a dimension no variable has (``eye`` alone, say).
    """
    return NumpyPrinter(dim_code).doprint(expr)


__all__ = [
    "LatexPrinter",
    "NumpyPrinter",
    "Prec",
    "Printer",
    "TextPrinter",
    "UnicodePrinter",
    "to_latex",
    "to_numpy",
    "to_text",
    "to_unicode",
]
