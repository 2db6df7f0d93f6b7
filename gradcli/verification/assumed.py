"""Diagnose a claim that is right only under an assumption the user did not declare.

``softmax(x) - y`` is the gradient of ``-y^T log(softmax(x))`` only where
``sum(y) = 1``: the claim is wrong as stated, and the diagnosis says which
declaration would make it right ("right only when sum(y) = 1 (declare
--simplex y)"). Each candidate assumption is tried on one variable at a time,
weakest first (positive entries before a probability vector, which has them),
by comparing the claim with the true derivative at random points that satisfy
it; the derivative itself is that of the unconstrained function either way.
"""

from __future__ import annotations

from dataclasses import replace

from gradcli.ir.nodes import Expr, Var
from gradcli.numeric.check import check_values
from gradcli.simplify.shared import substitute
from gradcli.verification.problem import CONFIRM_SIZE, Diagnosis, Found, Problem, text

# What each assumption says, as the diagnosis words it ({} is the name).
CONDITIONS = {
    "positive": "{} > 0",
    "simplex": "sum({}) = 1",
    "onehot": "{} is one-hot",
    "orthogonal": "{}^T {} = I",
}
STRUCTURES = frozenset({"simplex", "onehot", "orthogonal", "diagonal", "spd"})


def _candidates(v: Var) -> list[str]:
    """The assumptions worth trying for ``v``, weakest first."""
    if v.is_scalar:
        options = ["positive"]
    elif v.shape.is_vector:
        options = ["positive", "simplex", "onehot"]
    elif v.shape.is_square and not v.symmetric:
        # not "diagonal": too many wrong formulas (a transpose, a factor on
        # the off-diagonal entries) agree for diagonal matrices
        options = ["positive", "orthogonal"]
    else:
        options = ["positive"]
    if v.assume & STRUCTURES:
        return []  # already constrained: another structure would contradict it
    return [a for a in options if a not in v.assume]


def find_assumed_only(p: Problem) -> Found | None:
    """Right wherever one variable satisfies one assumption it was not
    declared with: "right only when sum(y) = 1 (declare --simplex y)". The
    finding is confirmed here, at points that satisfy the assumption."""
    for v in sorted(p.variables.values(), key=lambda u: u.name):
        for a in _candidates(v):
            assumed = replace(v, assume=v.assume | {a})
            table: dict[Expr, Expr] = {v: assumed}
            same = check_values(
                substitute(p.true, table),
                substitute(p.claim, table),
                [assumed if u is v else u for u in p.variables.values()],
                seed=p.check.seed,
                max_size=CONFIRM_SIZE,
            )
            if same.passed:
                condition = CONDITIONS[a].format(v.name, v.name)
                message = f"right only when {condition} (declare --{a} {v.name})"
                return Diagnosis(message, "assumption", v.name, text(p.true)), None
    return None
