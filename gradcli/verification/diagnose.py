"""Name the mistake in a wrong derivative, where a common one fits.

Each test compares values at the failing point (or at a nearby point with
some matrices made symmetric): a constant factor (``off by a factor of 2``,
``wrong sign``), a transpose (or the other layout), a formula that only holds
for symmetric matrices, and a missing or extra term of the true result.

A diagnosis found at the failing point is then confirmed over the whole
domain (``check_values`` of the claim against the diagnosed form): a claim
right for ``det(X) > 0`` and wrong elsewhere is not "the negative of the true
derivative", though it is at a point where ``det(X) < 0``.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from gradcli.calculus.vocabulary import Command
from gradcli.ir import build as B
from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Add, Expr, Var, walk
from gradcli.numeric.check import CheckResult, check_values
from gradcli.numeric.evaluate import Array, evaluate
from gradcli.printers import to_text
from gradcli.simplify import present
from gradcli.simplify.rules import MAX_TERMS, multiply_out

RTOL = 1e-6


def _close(a: Array, b: Array) -> bool:
    scale = max(float(np.max(np.abs(b))), float(np.max(np.abs(a))), 1e-12)
    return a.shape == b.shape and bool(np.max(np.abs(a - b)) <= RTOL * scale * 10)


def sizes_for(exprs: list[Expr], dims: dict[str, int]) -> dict[Dim, int]:
    sizes: dict[Dim, int] = {}
    for e in exprs:
        for n in walk(e):
            for d in (n.shape.rows, n.shape.cols):
                for atom in d.factors or (d,):
                    if atom.size is None and atom.name in dims:
                        sizes[atom] = dims[atom.name]
    return sizes


Found = tuple[str, Expr]  # a diagnosis, and the form the claim must equal for it


def _factor(claim: Array, true: Array, t: Expr) -> Found | None:
    with np.errstate(all="ignore"):
        denom = float(np.sum(true * true))
        k = float(np.sum(claim * true)) / denom if denom != 0.0 else 0.0
    if denom == 0.0 or not np.isfinite(k):
        return None
    if abs(k) < 1e-9 or not _close(claim, k * true):
        return None
    if abs(k + 1) < 1e-6:
        return "wrong sign: the claim is the negative of the true derivative", B.neg(t)
    ratio = Fraction(k).limit_denominator(12)
    if abs(float(ratio) - k) >= 1e-6 * max(1.0, abs(k)):
        return None  # not a small fraction: no readable factor to name
    message = f"off by a factor of {ratio}: the claim is {ratio} times the true derivative"
    return message, B.mul(ratio, t)


def _transposed(claim: Array, true: Array, jacobian: bool, t: Expr) -> Found | None:
    if claim.shape[0] != claim.shape[1] or _close(true, true.T):
        return None
    if not _close(claim, true.T):
        return None
    if jacobian:
        message = "the transpose of the right answer (the Jacobian in the other layout)"
        return message, B.transpose(t)
    return "the transpose of the right answer", B.transpose(t)


def _missing_term(
    claim: Array, true: Array, terms: list[tuple[Expr, Array]], t: Expr
) -> Found | None:
    for term, value in terms:
        if _close(claim, true - value):
            return f"right up to a missing term: {to_text(present(term))}", B.sub(t, term)
        if _close(claim, true + value):
            return f"right up to an extra term: {to_text(present(term))}", B.add(t, term)
    return None


def diagnose(
    command: Command | str,
    f: Expr,
    claim: Expr,
    true: Expr,
    check: CheckResult,
    variables: dict[str, Var],
) -> str | None:
    """A one-line diagnosis of how ``claim`` differs from ``true``, or None."""
    if check.point is None:
        return None
    sizes = sizes_for([f, claim, true], check.dims)

    def value(e: Expr, env: dict[str, Array]) -> Array:
        return evaluate(e, env, sizes)

    try:
        c, t = value(claim, check.point), value(true, check.point)
    except (KeyError, ValueError):
        return None
    jac = Command(command) is Command.JACOBIAN
    terms = [(term, value(term, check.point)) for term in _terms(true)]
    found = _factor(c, t, true) or _transposed(c, t, jac, true) or _missing_term(c, t, terms, true)
    if found is not None:
        message, form = found
        same = check_values(form, claim, list(variables.values()), seed=check.seed, max_size=4)
        return message if same.passed else None
    return _symmetric_only(claim, true, check.point, variables, value)


def _terms(e: Expr) -> list[Expr]:
    """The terms of ``e`` as printed, then multiplied out (``2 A^T (A x - b)``:
    ``2 A^T A x`` and ``-2 A^T b``), so a missing term is found at either level."""
    top = list(e.terms) if isinstance(e, Add) else []
    expanded = multiply_out(e)
    if not 1 < len(expanded) <= MAX_TERMS:
        expanded = []
    return top + [t for t in expanded if t not in top]


def _symmetric_only(
    claim: Expr,
    true: Expr,
    point: dict[str, Array],
    variables: dict[str, Var],
    value: Callable[[Expr, dict[str, Array]], Array],
) -> str | None:
    """Right when some non-symmetric square matrices are made symmetric."""
    candidates = [
        v for v in variables.values() if v.shape.is_matrix and v.shape.is_square and not v.symmetric
    ]
    for group in [[v] for v in candidates] + ([candidates] if len(candidates) > 1 else []):
        env = dict(point)
        for v in group:
            env[v.name] = (point[v.name] + point[v.name].T) / 2
        if _close(value(claim, env), value(true, env)):
            names = " and ".join(v.name for v in group)
            verb = "is" if len(group) == 1 else "are"
            return f"right only when {names} {verb} symmetric"
    return None
