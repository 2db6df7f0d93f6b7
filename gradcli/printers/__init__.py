"""Printers: IR expressions as text, Unicode, LaTeX, NumPy and array-API code (SPEC §3).

Each format is one ``Printer`` subclass; these functions are the entry points.
Each imports its printer on first use (a text result needs neither LaTeX nor
array-API code: start-up time); the classes are imported on first access.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Expr, Var, free_vars

if TYPE_CHECKING:
    from gradcli.printers.arrayapi import ArrayApiPrinter
    from gradcli.printers.base import Prec, Printer
    from gradcli.printers.latex import LatexPrinter
    from gradcli.printers.numpy import NumpyPrinter
    from gradcli.printers.text import TextPrinter
    from gradcli.printers.unicode import UnicodePrinter

_CLASSES = {
    "ArrayApiPrinter": "arrayapi",
    "LatexPrinter": "latex",
    "NumpyPrinter": "numpy",
    "Prec": "base",
    "Printer": "base",
    "TextPrinter": "text",
    "UnicodePrinter": "unicode",
}


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        return getattr(importlib.import_module(f"gradcli.printers.{_CLASSES[name]}"), name)
    raise AttributeError(f"module 'gradcli.printers' has no attribute {name!r}")


def to_text(expr: Expr, sizes: Mapping[Dim, str] | None = None) -> str:
    """The input language (parses back): ``2 A^T (A x - b)``. A size prints as
    its dimension's name (``n``), or as ``sizes`` spells it (``len(x)``)."""
    from gradcli.printers.text import TextPrinter

    return TextPrinter(sizes).doprint(expr)


def to_text_where(
    body: Expr,
    where: Sequence[tuple[Var, Expr]] = (),
    words: Mapping[Dim, str] | None = None,
    taken: frozenset[str] = frozenset(),
) -> str:
    """``body where v = e, ...`` in the input language, with each size named and
    bound first (``2 x / n where n = len(x)``) so that the whole parses back.
    ``words`` spells each dimension (``dim_words``); by default, from the
    variables of ``body`` and ``where``. A size whose name is ``taken`` (by a
    variable of the input, say), or used in the result, is written ``len(x)``."""
    from gradcli.printers.sizes import dim_words, size_spelling

    exprs = [body, *(e for _, e in where)]
    if words is None:
        words = dim_words([v for e in exprs for v in free_vars(e)])
    taken = taken | {v.name for e in exprs for v in free_vars(e)} | {v.name for v, _ in where}
    spell, sizes = size_spelling(exprs, dict(words), set(taken))
    parts = sizes + [f"{v.name} = {to_text(e, spell)}" for v, e in where]
    return to_text(body, spell) + (" where " + ", ".join(parts) if parts else "")


def to_unicode(expr: Expr) -> str:
    """Unicode math for the terminal: ``2 Aᵀ (A x − b)``."""
    from gradcli.printers.unicode import UnicodePrinter

    return UnicodePrinter().doprint(expr)


def to_latex(expr: Expr) -> str:
    """KaTeX-compatible LaTeX without ``$``: ``2 A^{\\top} \\left(A x - b\\right)``."""
    from gradcli.printers.latex import LatexPrinter

    return LatexPrinter().doprint(expr)


def to_numpy(expr: Expr, dim_code: Mapping[Dim, str] | None = None) -> str:
    """A Python expression over ``np`` and the variable names: ``2 * A.T @ (A @ x - b)``.

    ``dim_code`` maps a symbolic ``Dim`` to code for its size; dimensions it
    leaves out are read off the variables (``x.shape[0]``). Raises
    ``ValueError`` for a dimension no variable has (``eye`` alone, say).
    """
    from gradcli.printers.numpy import NumpyPrinter

    return NumpyPrinter(dim_code).doprint(expr)


def to_array_api(
    expr: Expr, dim_code: Mapping[Dim, str] | None = None, like: str | None = None
) -> str:
    """A Python expression over ``xp`` (an array API namespace) and the variable
    names: ``xp.linalg.trace(A)``. Arrays it creates take the dtype and device of
    the variable named ``like``; ``dim_code`` as for ``to_numpy``."""
    from gradcli.printers.arrayapi import ArrayApiPrinter

    return ArrayApiPrinter(dim_code, like).doprint(expr)


__all__ = [
    "ArrayApiPrinter",
    "LatexPrinter",
    "NumpyPrinter",
    "Prec",
    "Printer",
    "TextPrinter",
    "UnicodePrinter",
    "to_array_api",
    "to_latex",
    "to_numpy",
    "to_text",
    "to_text_where",
    "to_unicode",
]
