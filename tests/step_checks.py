"""Shared by the ``--steps`` tests: the rule texts, verbatim, and the numerical
check of a step (``test_steps.py`` describes it).

A gradient step ``∂f/∂u = G`` is checked by treating the subexpression ``u``
(and ``u^T``, where ``f`` holds that as a separate node) as an independent
variable: so it checks the *full* derivative of f by u, through every copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradcli.api import analyse, declarations
from gradcli.calculus.steps import Step, derivation_steps
from gradcli.ir import build as B
from gradcli.ir.dims import Dim, Kind
from gradcli.ir.nodes import Expr, Transpose, Var, free_vars
from gradcli.numeric.check import Mode, check_derivative
from gradcli.numeric.evaluate import evaluate
from gradcli.numeric.sample import choose_sizes, domain_hints, sample_point
from gradcli.printers import to_text
from gradcli.simplify.shared import substitute

# --------------------------------------------------------------------------- the rules, verbatim

POWER = "power rule: d(u^p) = p u^(p-1) .* du"
NORM = "norm: d||u||/du = u / ||u|| (Cookbook 129)"
SUM = "sum rule: d(u + v) = du + dv"
PRODUCT = "product rule: d(L U R) = L dU R, so df/dU = L^T G R^T (trace trick, Cookbook 70-71)"
TRANSPOSE = "transpose: d(U^T) = (dU)^T"
GRAM = "product rule: d(U^T U) = dU^T U + U^T dU"
QUADRATIC = "quadratic form: d(x^T A x)/dx = (A + A^T) x (Cookbook 81)"
FORWARD = "product rule: d vec(L U R) = (R^T kron L) d vec(U) (Cookbook 520)"
LINEAR = "linear map: d(L u) = L du"
SIGMOID_REWRITE = "rewrite: exp(u) ./ (1 + exp(u)) = sigmoid(u)"
PRODUCT_SCALARS = "product rule: d(u v) = du v + u dv"
TWINS = "u occurs twice, once transposed: the part through u^T adds, transposed"
SUM_ALL = "sum of entries: d sum(U)/dU = 1 (all ones)"
HADAMARD = "element-wise product rule: d(u .* v) = du .* v + u .* dv"
SCALING = "scaling: d(c u) = c du"
TRACE = "trace: d tr(X) = tr(dX), so d tr(X)/dX = I (Cookbook 99)"
DET = "determinant: d det(X)/dX = det(X) X^-T (Cookbook 49)"
SOFTMAX = "softmax: ds/du = diag(s) - s s^T for s = softmax(u)"


def through(func: str, rule: str) -> str:
    return f"chain rule through {func}: {rule}"


def line(head: str, value: str, rule: str) -> str:
    return f"{head} = {value}    [{rule}]"


LOGISTIC_U = "-y .* (X w)"


# ------------------------------------------------------------------- numerical check of each step

POINTS = 3  # random points per step
FD_RTOL, FD_ATOL = 1e-6, 1e-8


def _kind(e: Expr) -> Kind:
    if e.is_scalar:
        return Kind.SCALAR
    return Kind.VECTOR if e.shape.is_vector else Kind.MATRIX


def _fd(fun: Any, h: float) -> float:
    """Central differences at h and h/2, Richardson-extrapolated."""

    def d(s: float) -> float:
        return (fun(s) - fun(-s)) / (2 * s)

    return (4 * d(h / 2) - d(h)) / 3


def _sample(exprs: list[Expr], hints_from: list[Expr], seed: int) -> tuple[dict, dict[Dim, int]]:
    rng = np.random.default_rng(seed)
    sizes = choose_sizes(exprs, rng)
    found: dict[str, Var] = {}
    for e in exprs:
        for v in free_vars(e):
            found.setdefault(v.name, v)
    variables = [found[n] for n in sorted(found)]
    return sample_point(variables, sizes, rng, domain_hints(hints_from), 0), sizes


@dataclass(frozen=True)
class Probe:
    """``f`` as a function of the step's subject, along one direction ``D``
    from ``U = u(point)``: ``along(s) = f(u + s D)``, and ``<G, D>``."""

    along: Callable[[float], float]
    u_value: np.ndarray
    predicted: float
    base: float
    g_norm: float


def probe(f: Expr, x: Var, step: Step, seed: int, transposed: bool = True) -> Probe | str:
    """The ``Probe`` of a gradient step at one random point (or why there is none).

    ``u`` (and, with ``transposed``, its transpose ``u^T`` where ``f`` holds that
    as a separate node, e.g. ``sin(x^T)`` for ``sin(x)^T``) is replaced in ``f``
    by a fresh variable ``U`` (``U^T``)."""
    u, g = step.target, step.value
    U = Var("U_step", u.shape, _kind(u))
    table: dict[Expr, Expr] = {u: U}
    if transposed and not u.is_scalar and B.transpose(u) != u:
        table[B.transpose(u)] = Transpose(U)
    f_u = substitute(f, table)
    assert "U_step" in {v.name for v in free_vars(f_u)}, "the step's target is not in f"
    point, sizes = _sample([f, g, x], [f], seed)
    rng = np.random.default_rng(seed + 1000)
    u_value = evaluate(u, point, sizes)
    g_value = evaluate(g, point, sizes)
    if g_value.shape != u_value.shape:
        return f"G has shape {g_value.shape}, u has {u_value.shape}"
    direction = rng.standard_normal(u_value.shape)
    direction /= np.linalg.norm(direction)

    def along(s: float) -> float:
        return float(evaluate(f_u, {**point, "U_step": u_value + s * direction}, sizes)[0, 0])

    base = along(0.0)
    # sanity: f(U) at U = u(point) is f at the point
    assert np.isclose(base, evaluate(f, point, sizes)[0, 0], rtol=1e-9, atol=1e-12)
    predicted = float(np.sum(g_value * direction))
    return Probe(along, u_value, predicted, base, float(np.linalg.norm(g_value)))


def grad_step_error(f: Expr, x: Var, step: Step, seed: int, transposed: bool = True) -> str | None:
    """Check ``∂f/∂u = G`` at one random point; None when it holds, else why not:
    ``f(U)`` is differenced along a random direction at ``U = u(point)``, and
    compared with ``<G(point), direction>``."""
    p = probe(f, x, step, seed, transposed)
    if isinstance(p, str):
        return p
    numeric = _fd(p.along, 1e-3 * (1.0 + float(np.max(np.abs(p.u_value)))))
    scale = max(1.0, abs(p.base), p.g_norm)
    bound = FD_ATOL * scale + FD_RTOL * max(abs(numeric), abs(p.predicted))
    if abs(numeric - p.predicted) <= bound:
        return None
    return f"finite differences {numeric:.9g}, the step says {p.predicted:.9g} (seed {seed})"


def settled_step_error(f: Expr, x: Var, step: Step, seed: int) -> str | None:
    """Like ``grad_step_error``, for arbitrary expressions: the differences are
    taken at steps scaled to ``u`` itself (a tiny ``u`` near a kink of ``||u||``
    defeats a fixed step), at two sizes; ``"unsettled"`` when those two
    disagree with each other or rounding in f could hide the difference (f
    near 1e44 at a near-singular point), so the point cannot judge."""
    p = probe(f, x, step, seed)
    if isinstance(p, str):
        return p
    h = 1e-3 * max(float(np.max(np.abs(p.u_value))), 1e-12)
    coarse, fine = _fd(p.along, h), _fd(p.along, h / 8)
    if not (np.isfinite(coarse) and np.isfinite(fine)):
        return "unsettled"
    rounding = 1e-13 * abs(p.base) / (h / 8)  # what rounding f can move a difference by
    if rounding > 1e-4 * max(abs(fine), abs(p.predicted)):
        return "unsettled"
    if abs(coarse - fine) > 1e-6 * max(abs(coarse), abs(fine), 1e-300):
        return "unsettled"
    if np.isclose(fine, p.predicted, rtol=1e-5, atol=1e-9 * max(1.0, p.g_norm)):
        return None
    return f"finite differences {fine:.9g}, the step says {p.predicted:.9g} (seed {seed})"


def jacobian_step_error(x: Var, step: Step, seed: int) -> str | None:
    """Check ``∂u/∂x = J`` (numerator layout, vec order) by finite differences of u."""
    result = check_derivative(step.target, [x], [step.value], Mode.JACOBIAN, seed=seed)
    return None if result.passed else f"{result.reason} (seed {seed})"


def step_errors(
    command: str, source: str, wrt: str, transposed: bool = True, scalar: str | None = None
) -> list[str]:
    """Every step of the derivation that fails the numerical check (``wrt`` may
    name several variables, ``scalar`` declares scalars)."""
    f, variables, _ = analyse(source, declarations(scalar=scalar))
    errors = []
    for part in derivation_steps(command, f, [variables[w] for w in wrt.split(",")]):
        x = variables[part.wrt]
        for st in part.steps:
            for seed in range(POINTS):
                if part.kind == "grad":
                    why = grad_step_error(f, x, st, seed, transposed)
                else:
                    why = jacobian_step_error(x, st, seed)
                if why:
                    errors.append(f"{to_text(st.target)} -> {to_text(st.value)}: {why}")
                    break
    return errors
