"""Scalar derivatives of the element-wise functions, as expressions.

``DERIVATIVE[f](u)`` is ``f'(u)`` applied element-wise: a view of the
``derivative`` facet of the primitive table (``gradcli/ir/primitives.py``),
shared by reverse and forward mode. The rules for ``abs`` and ``relu`` hold
away from their kink at 0, ``sign`` and ``step`` have derivative 0 almost
everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from gradcli.ir import build as B
from gradcli.ir.nodes import Expr
from gradcli.ir.primitives import ELEMENTWISE

DERIVATIVE: dict[str, Callable[[Expr], Expr]] = {
    name: partial(p.derivative, B) for name, p in ELEMENTWISE.items()
}
