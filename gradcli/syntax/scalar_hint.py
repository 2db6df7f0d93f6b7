"""The hint ``--scalar c`` for a shape error that declaring a scalar would remove.

An undeclared lower-case name is a vector (SPEC §2), while matrixcalculus.org,
where many expressions are pasted from, reads ``a`` to ``g`` as scalars. When
``c x^T x`` or ``a x + b`` fails only because of that, the hint names the
declaration that makes it type-check.
"""

from __future__ import annotations

import dataclasses

from gradcli.errors import GradcliError
from gradcli.syntax import tree as T
from gradcli.syntax.declarations import Declarations

MAX_TRIED = 12  # names tried one by one: a hint must stay cheap
PASTED_SCALARS = frozenset("abcdefg")


def scalar_hint(
    node: T.Node, source: str, decls: Declarations, need_scalar: bool = False
) -> str | None:
    """``declare `c` a scalar: --scalar c`` when declaring one undeclared
    lower-case name (or every one from ``a`` to ``g``) a scalar makes ``node``
    type-check, and, with ``need_scalar``, makes its value a scalar; else ``None``."""
    names = _undeclared(node, decls)
    pasted = [n for n in names if n in PASTED_SCALARS]
    tries = [pasted] if len(pasted) > 1 else []  # as matrixcalculus.org reads them
    tries += [[n] for n in names[:MAX_TRIED]]
    for chosen in tries:
        if _works(node, source, decls, chosen, need_scalar):
            listed = ",".join(chosen)
            what = "a scalar" if len(chosen) == 1 else "scalars"
            named = " and ".join(f"`{n}`" for n in chosen)
            hint = f"declare {named} {what}: --scalar {listed}"
            if set(chosen) <= PASTED_SCALARS:
                hint += " (matrixcalculus.org reads a-g as scalars, gradcli as vectors)"
            return hint
    return None


def pasted(scalar: str | None) -> bool:
    """Whether ``scalar`` names only ``a``-``g``: then it is the likely fault of
    any shape error (``tr(x)`` is not a hint to declare ``x`` a scalar)."""
    return scalar is not None and "matrixcalculus.org" in scalar


def _undeclared(node: T.Node, decls: Declarations) -> list[str]:
    """Lower-case names that are not declared (vectors, unless declared), in
    order of first appearance. A matrix name, or a name the user transposes,
    is not meant as a scalar."""
    found: dict[str, int] = {}
    bound: set[str] = set()
    transposed: set[str] = set()  # written x^T: meant as a vector
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, T.Where):
            bound |= {b.name for b, _ in n.bindings}
            stack.extend([n.body, *(v for _, v in n.bindings)])
            continue
        if isinstance(n, T.Name):
            found.setdefault(n.name, n.span.start)
        if isinstance(n, T.Transpose) and isinstance(n.operand, T.Name):
            transposed.add(n.operand.name)
        stack.extend(_children(n))
    declared = decls.scalar | decls.vector | decls.matrix | decls.symmetric
    skip = declared | bound | transposed | T.CONSTANTS
    names = [n for n in found if n not in skip and n[0].islower()]
    return sorted(names, key=lambda n: found[n])


def _children(n: T.Node) -> list[T.Node]:
    if isinstance(n, T.Power):
        return [n.base, n.exponent]
    from gradcli.syntax.typecheck import syntax_children

    return syntax_children(n)


def _works(
    node: T.Node, source: str, decls: Declarations, names: list[str], need_scalar: bool
) -> bool:
    from gradcli.syntax.typecheck import typecheck

    trial = dataclasses.replace(decls, scalar=decls.scalar | set(names))
    try:
        typed = typecheck(node, source, trial, hints=False)
    except GradcliError:
        return False
    return typed.expr.is_scalar or not need_scalar
