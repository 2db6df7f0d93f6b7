"""Sizes in results: the number of entries of a dimension, printed by its name.

``len(x)`` and ``mean(x)`` are built on the sum of an all-ones array
(``gradcli.syntax.sugar``), so a size is ``SumAll(Fill(1, shape))`` in the IR.
Printers show it as the dimension's name, ``n`` (``n m`` for an ``n×m``
array), never as ``sum(ones)``; ``dim_words`` says how the language writes
each dimension, so that ``text`` can bind the names (``where n = len(x)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gradcli.ir.dims import ONE, Dim
from gradcli.ir.nodes import Const, Expr, Fill, SumAll, Var, walk


def counted_dims(e: Expr) -> tuple[Dim, ...] | None:
    """The dimensions whose product ``e`` is, when ``e`` sums an all-ones array."""
    if not isinstance(e, SumAll) or not isinstance(e.arg, Fill):
        return None
    value = e.arg.value
    if not isinstance(value, Const) or value.value != 1:
        return None
    out: list[Dim] = []
    for d in (e.arg.shape.rows, e.arg.shape.cols):
        if d != ONE:
            out.extend(d.factors or (d,))
    return tuple(out) or None


def sizes_in(exprs: Iterable[Expr]) -> list[Dim]:
    """The symbolic dimensions that ``exprs`` count, in order of first use."""
    seen: dict[Dim, None] = {}
    for e in exprs:
        for node in walk(e):
            for d in counted_dims(node) or ():
                if d.size is None:
                    seen.setdefault(d, None)
    return list(seen)


def dim_words(variables: Sequence[Var]) -> dict[Dim, str]:
    """How the language writes each symbolic dimension: ``len(x)`` for the size
    of a vector ``x``, ``len(A)`` and ``len(A^T)`` for the rows and columns of ``A``."""
    out: dict[Dim, str] = {}
    for v in variables:
        if v.shape.is_scalar:
            continue
        rows, cols = v.shape.rows, v.shape.cols
        if rows != ONE and rows.size is None and not rows.factors:
            out.setdefault(rows, f"len({v.name})")
        if cols != ONE and cols.size is None and not cols.factors:
            out.setdefault(cols, f"len({v.name}^T)" if rows != ONE else f"len({v.name})")
    return out


def size_spelling(
    exprs: Sequence[Expr], words: dict[Dim, str], taken: set[str]
) -> tuple[dict[Dim, str], list[str]]:
    """How ``text`` spells each size in ``exprs``, so that it parses back: by
    the dimension's name with a binding ``n = len(x)`` for a ``where``, or as
    ``len(x)`` itself when the name is ``taken`` by a variable or a part.
    A dimension no variable has is left out (it prints as ``sum(ones)``)."""
    spell: dict[Dim, str] = {}
    bindings: list[str] = []
    for d in sizes_in(exprs):
        if d not in words:
            continue
        if d.name in taken:
            spell[d] = words[d]
        else:
            spell[d] = d.name
            bindings.append(f"{d.name} = {words[d]}")
    return spell, bindings
