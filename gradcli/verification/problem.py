"""What a finder of :mod:`gradcli.verification.diagnose` works with: the
wrong claim with its values at the failing point (:class:`Problem`), and the
diagnosis it returns (:class:`Diagnosis`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from gradcli.calculus.vocabulary import Command, Layout
from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Add, Expr, Var, walk
from gradcli.numeric.check import CheckResult, check_values
from gradcli.numeric.evaluate import Array, evaluate
from gradcli.printers import to_text
from gradcli.simplify import present
from gradcli.simplify.rules import MAX_TERMS, multiply_out

RTOL = 1e-6
CONFIRM_SIZE = 4  # the largest dimension drawn when a diagnosis is confirmed


class Diagnosis(str):
    """A diagnosis reads as its one-line message; ``kind`` says which mistake,
    ``term`` names the term, factor or entry it is about, ``expected`` what the
    true derivative has there, ``step`` the step of ``--steps`` where a hand
    derivation would have parted from the true one."""

    kind: str
    term: str | None
    expected: str | None
    step: str | None

    def __new__(
        cls,
        message: str,
        kind: str,
        term: str | None = None,
        expected: str | None = None,
        step: str | None = None,
    ) -> Diagnosis:
        self = super().__new__(cls, message)
        self.kind, self.term, self.expected, self.step = kind, term, expected, step
        return self

    @property
    def message(self) -> str:
        return str(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "term": self.term,
            "expected": self.expected,
            "step": self.step,
        }


def text(e: Expr) -> str:
    return to_text(present(e))


def close(a: Array, b: Array) -> bool:
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


@dataclass
class Problem:
    """A wrong claim and what a finder may use: the expression, the true
    derivative, the failing point and both values there."""

    command: Command
    f: Expr
    claim: Expr
    true: Expr
    check: CheckResult
    variables: dict[str, Var]
    wrt: list[Var]
    layout: Layout = Layout.NUMERATOR
    c: Array = field(default_factory=lambda: np.zeros((1, 1)))
    t: Array = field(default_factory=lambda: np.zeros((1, 1)))

    def value(self, e: Expr, env: dict[str, Array] | None = None) -> Array:
        """``e`` at the failing point (or at ``env``)."""
        sizes = sizes_for([self.f, self.claim, self.true, e], self.check.dims)
        return evaluate(e, (self.check.point or {}) if env is None else env, sizes)

    def same(self, form: Expr, claim: Expr | None = None) -> bool:
        """Is ``claim`` (the claim by default) equal to ``form`` over the domain?"""
        if form.shape != (claim or self.claim).shape:
            return False
        variables = list(self.variables.values())
        check = check_values(
            form, claim or self.claim, variables, seed=self.check.seed, max_size=CONFIRM_SIZE
        )
        return check.passed is True


Found = tuple[Diagnosis, Expr | None]  # a diagnosis, and the form the claim must equal for it
Finder = Callable[[Problem], Found | None]


def number(k: float) -> Fraction | float:
    """``k`` as a small fraction when it is one, else rounded to 6 digits."""
    ratio = Fraction(k).limit_denominator(12)
    if abs(float(ratio) - k) < 1e-6 * max(1.0, abs(k)):
        return ratio
    return float(f"{k:.6g}")


def fit(diff: Array, value: Array) -> float | None:
    """The ``c`` with ``diff = c value``, if there is one."""
    with np.errstate(all="ignore"):
        denom = float(np.sum(value * value))
        k = float(np.sum(diff * value)) / denom if denom != 0.0 else 0.0
    if denom == 0.0 or not np.isfinite(k) or abs(k) < 1e-9 or not close(diff, k * value):
        return None
    return k


def terms_of(e: Expr) -> list[Expr]:
    """The terms of ``e`` as printed, then multiplied out (``2 A^T (A x - b)``:
    ``2 A^T A x`` and ``-2 A^T b``), so a term is found at either level; ``e``
    itself when it has one term."""
    top = list(e.terms) if isinstance(e, Add) else []
    expanded = multiply_out(e)
    if not 1 < len(expanded) <= MAX_TERMS:
        expanded = []
    return (top + [t for t in expanded if t not in top]) or [e]
