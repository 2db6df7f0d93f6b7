"""The numerical check of a symbolic derivative.

Modelled on ``autograd/test_util.py``: a seeded generator, central differences
along random directions, a combined absolute and relative tolerance, and a
returned ``CheckResult`` rather than printed output.

Finite differences: the central difference ``D(h) = (F(x + hV) - F(x - hV)) /
2h`` at ``h, h/2, h/4`` with Richardson extrapolation ``R(h) = (4 D(h/2) -
D(h)) / 3`` (error ``O(h^4)``); ``R(h/2)`` is the estimate and ``|R(h) -
R(h/2)|`` bounds its error. ``h = 1e-3 (1 + max|x|) / ||V||``.

A test at a point passes when ``|fd - sym| <= 1e-6 scale + 1e-5 max(|fd|,
|sym|) + 2 err``, with ``scale = max(1, max|F(x)|, sum_i ||R_i|| ||V_i||)``
(vector norms for vector-valued ``F``). Points where the function, the result
or the function next to the point is not finite, where a matrix to invert is
ill-conditioned, where ``abs``/``relu``/``sign``/``step`` switches within the
step, or where the finite differences do not settle, are skipped: never a
false alarm. When every point is skipped the result is ``passed=None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Apply, Expr, Inverse, LogDet, Power, Var, free_vars, walk
from gradcli.numeric.evaluate import Array, evaluate_many, resolve_shape
from gradcli.numeric.sample import (
    MAX_SIZE,
    PROFILES,
    choose_sizes,
    domain_hints,
    random_direction,
    sample_point,
)

RTOL = 1e-5
ATOL = 1e-6
STEP = 1e-3
TRIES_PER_PROFILE = 6
DIRECTIONS = 2
MAX_CONDITION = 1e8
UNSETTLED = 1e-2
KINK_FUNCS = frozenset({"abs", "relu", "sign", "step"})


class Mode(Enum):
    GRAD = "grad"
    JACOBIAN = "jacobian"
    HESSIAN = "hessian"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a numerical check.

    ``passed`` is ``None`` when nothing could be checked (the function is
    undefined at every point tried); ``reason`` then says why, in one sentence,
    as it does when ``passed`` is ``False``. ``point``, ``expected`` (the
    finite-difference or reference value) and ``got`` (the symbolic or claimed
    value) describe the first failing point.
    """

    passed: bool | None
    max_rel_error: float | None
    seed: int
    dims: dict[str, int]
    reason: str | None = None
    point: dict[str, np.ndarray] | None = None
    expected: np.ndarray | None = None
    got: np.ndarray | None = None


@dataclass(frozen=True)
class _Skip:
    """Why a point could not be used; ``key`` completes "... at each (or any)
    of the N points tried", ``detail`` is an example cause."""

    key: str
    detail: str = ""
    each: bool = False


@dataclass(frozen=True)
class _Pass:
    rel: float


@dataclass(frozen=True)
class _Fail:
    rel: float
    reason: str
    expected: Array
    got: Array


_Outcome = _Skip | _Pass | _Fail


@dataclass(frozen=True)
class _Problem:
    """Everything fixed before the first point is drawn."""

    mode: Mode
    denominator: bool
    subject: str
    target: tuple[Expr, ...]
    checked: tuple[Expr, ...]
    results: tuple[Expr, ...]
    slots: tuple[tuple[Var, ...], ...]
    variables: tuple[Var, ...]
    sizes: dict[Dim, int]
    hints: dict[str, set[str]] = field(default_factory=dict)
    kinks: tuple[Expr, ...] = ()
    guards: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class _Base:
    """Values at the point itself: the differenced function (flattened), the
    results, and the arguments of the kinks."""

    value: Array
    results: list[Array]
    kinks: list[Array]


def check_derivative(
    f: Expr,
    wrt: list[Var],
    results: list[Expr],
    mode: Mode,
    *,
    seed: int,
    gradient: list[Expr] | None = None,
    denominator: bool = False,
    points: int = 3,
    max_size: int = MAX_SIZE,
) -> CheckResult:
    """Check symbolic derivatives of ``f`` against finite differences.

    Dimensions are drawn from ``2..max_size``, distinct where possible; when no
    point can be used (``A X B`` under ``det`` is singular unless it is square),
    the check is tried again with one size for every dimension.

    ``wrt`` all scalars and two or more: ``results`` is one expression w.r.t.
    the stacked vector of them; otherwise ``results[i]`` belongs to ``wrt[i]``.

    - ``GRAD`` (scalar ``f``): ``results[i]`` has the shape of ``wrt[i]``, and
      ``df = sum_i <G_i, V_i>`` (Frobenius product) for directions ``V_i``.
    - ``JACOBIAN``: ``vec(df) = sum_i J_i vec(V_i)`` (``vec`` stacks columns);
      ``J_i`` is ``size(f) x size(wrt_i)``, transposed when ``denominator``.
    - ``HESSIAN`` (scalar ``f``, one vector or stacked scalars): ``results =
      [H]``, and ``d gradient = H vec(V)`` for the given ``gradient``.

    Symmetric variables are perturbed symmetrically. Raises ``ValueError``
    when the arguments do not fit the mode (a caller's bug); a result of the
    wrong shape is reported as ``passed=False``.
    """
    result = None
    for equal in (False, True):
        rng = np.random.default_rng(seed)
        sizes = choose_sizes([f, *results, *(gradient or []), *wrt], rng, max_size, equal)
        problem = _derivative_problem(f, wrt, results, mode, gradient, denominator, sizes)
        mismatch = _shape_mismatch(problem)
        if mismatch is not None:
            return CheckResult(False, None, seed, _dims(problem.sizes), mismatch)

        def test(
            point: dict[str, Array], problem: _Problem = problem, rng: np.random.Generator = rng
        ) -> _Outcome:
            return _test_derivative(problem, point, rng)

        result = _search(problem, rng, test, points, seed)
        if result.passed is not None:
            return result
    assert result is not None
    return result


def check_values(
    a: Expr, b: Expr, vars: Sequence[Var], *, seed: int, points: int = 3, max_size: int = MAX_SIZE
) -> CheckResult:
    """Check numerically that ``a`` and ``b`` (same shape) are equal.

    Entries agree when ``|a - b| <= 1e-6 scale + 1e-5 max(|a|, |b|)`` with
    ``scale = max(1, max|a|, max|b|)``. ``expected`` is the value of ``a``,
    ``got`` that of ``b``, at the first point where they differ.
    """
    rng = np.random.default_rng(seed)
    variables = _variables([a, b], vars)
    sizes = choose_sizes([a, b, *variables], rng, max_size)
    problem = _Problem(
        mode=Mode.JACOBIAN,
        denominator=False,
        subject="the first expression",
        target=(a,),
        checked=(),
        results=(b,),
        slots=(),
        variables=variables,
        sizes=sizes,
        hints=domain_hints([a, b]),
        guards=_guards([a, b]),
    )
    shape_a, shape_b = resolve_shape(a.shape, sizes), resolve_shape(b.shape, sizes)
    if shape_a != shape_b:
        reason = f"the shapes differ: {_plain(shape_a)} and {_plain(shape_b)}"
        return CheckResult(False, None, seed, _dims(sizes), reason)

    def test(point: dict[str, Array]) -> _Outcome:
        return _test_values(problem, point)

    return _search(problem, rng, test, points, seed)


# ----------------------------------------------------------------- set-up


def _derivative_problem(
    f: Expr,
    wrt: list[Var],
    results: list[Expr],
    mode: Mode,
    gradient: list[Expr] | None,
    denominator: bool,
    sizes: dict[Dim, int],
) -> _Problem:
    slots = _slots(wrt)
    _validate(f, slots, results, mode, gradient)
    target = tuple(gradient) if mode is Mode.HESSIAN and gradient is not None else (f,)
    exprs = [f, *results, *target]
    variables = _variables(exprs, wrt)
    return _Problem(
        mode=mode,
        denominator=denominator,
        subject="the gradient" if mode is Mode.HESSIAN else "f",
        target=target,
        checked=(f,) if mode is Mode.HESSIAN else (),
        results=tuple(results),
        slots=slots,
        variables=variables,
        sizes=sizes,
        hints=domain_hints(exprs),
        kinks=_kink_arguments(target),
        guards=_guards([*target, *results]),
    )


def _slots(wrt: list[Var]) -> tuple[tuple[Var, ...], ...]:
    """The variables each result is taken with respect to."""
    if len(wrt) >= 2 and all(v.is_scalar for v in wrt):
        return (tuple(wrt),)
    return tuple((v,) for v in wrt)


def _validate(
    f: Expr,
    slots: tuple[tuple[Var, ...], ...],
    results: list[Expr],
    mode: Mode,
    gradient: list[Expr] | None,
) -> None:
    if not slots:
        raise ValueError("no variable to differentiate with respect to")
    if mode is not Mode.JACOBIAN and not f.is_scalar:
        raise ValueError(f"{mode.value} needs a scalar function")
    if len(results) != len(slots):
        raise ValueError(f"expected {len(slots)} result(s), got {len(results)}")
    if mode is Mode.HESSIAN and (len(slots) != 1 or not gradient):
        raise ValueError("a Hessian check needs one vector (or stacked scalars) and the gradient")


def _variables(exprs: Sequence[Expr], extra: Sequence[Var]) -> tuple[Var, ...]:
    """All variables, ordered by name so that the draws do not depend on the
    order in which an expression was built."""
    found: dict[str, Var] = {}
    for e in [*exprs, *extra]:
        for v in free_vars(e):
            found.setdefault(v.name, v)
    return tuple(found[name] for name in sorted(found))


def _kink_arguments(exprs: Sequence[Expr]) -> tuple[Expr, ...]:
    """The arguments of ``abs``, ``relu``, ``sign`` and ``step``: where one of
    them changes sign, finite differences straddle a kink."""
    return tuple(
        n.arg for e in exprs for n in walk(e) if isinstance(n, Apply) and n.func in KINK_FUNCS
    )


def _guards(exprs: Sequence[Expr]) -> tuple[Expr, ...]:
    """The matrices that are inverted (their conditioning limits accuracy)."""
    return tuple(n.arg for e in exprs for n in walk(e) if isinstance(n, (Inverse, LogDet)))


def _dims(sizes: dict[Dim, int]) -> dict[str, int]:
    symbols = (d for d in sizes if d.size is None and not d.factors)
    return {d.name: sizes[d] for d in sorted(symbols, key=lambda d: d.name)}


def _plain(shape: tuple[int, int]) -> str:
    return f"{shape[0]} x {shape[1]}"


def _slot_size(problem: _Problem, slot: tuple[Var, ...]) -> int:
    total = 0
    for v in slot:
        rows, cols = resolve_shape(v.shape, problem.sizes)
        total += rows * cols
    return total


def _expected_shape(problem: _Problem, index: int) -> tuple[int, int]:
    slot = problem.slots[index]
    n = _slot_size(problem, slot)
    if problem.mode is Mode.HESSIAN:
        return (n, n)
    if problem.mode is Mode.GRAD:
        return resolve_shape(slot[0].shape, problem.sizes) if len(slot) == 1 else (n, 1)
    rows, cols = resolve_shape(problem.target[0].shape, problem.sizes)
    return (n, rows * cols) if problem.denominator else (rows * cols, n)


def _shape_mismatch(problem: _Problem) -> str | None:
    for i, r in enumerate(problem.results):
        want = _expected_shape(problem, i)
        have = resolve_shape(r.shape, problem.sizes)
        if have != want:
            names = ", ".join(v.name for v in problem.slots[i])
            return f"the result w.r.t. {names} has shape {_plain(have)}, expected {_plain(want)}"
    return None


# ----------------------------------------------------------------- the search


def _search(
    problem: _Problem,
    rng: np.random.Generator,
    test: Callable[[dict[str, Array]], _Outcome],
    points: int,
    seed: int,
) -> CheckResult:
    """Test up to ``TRIES_PER_PROFILE`` points per profile until ``points``
    of them could be tested; stop at the first failure."""
    if points < 1:
        raise ValueError("points must be at least 1")
    dims = _dims(problem.sizes)
    skips: Counter[str] = Counter()
    first: dict[str, _Skip] = {}
    rels: list[float] = []
    for profile in range(PROFILES):
        for _ in range(TRIES_PER_PROFILE):
            if len(rels) >= points:
                break
            point = sample_point(problem.variables, problem.sizes, rng, problem.hints, profile)
            outcome = test(point)
            if isinstance(outcome, _Skip):
                skips[outcome.key] += 1
                first.setdefault(outcome.key, outcome)
            elif isinstance(outcome, _Fail):
                worst = max([*rels, outcome.rel])
                return CheckResult(
                    False, worst, seed, dims, outcome.reason, point, outcome.expected, outcome.got
                )
            else:
                rels.append(outcome.rel)
    if rels:
        return CheckResult(True, max(rels), seed, dims)
    return CheckResult(None, None, seed, dims, _not_checked(skips, first))


def _not_checked(skips: Counter[str], first: dict[str, _Skip]) -> str:
    total = sum(skips.values())
    if len(skips) == 1:
        skip = first[next(iter(skips))]
        quantifier = "each" if skip.each else "any"
        return f"{skip.key} at {quantifier} of the {total} points tried{_example(skip)}"
    parts = [f"{key} at {count}{_example(first[key])}" for key, count in skips.most_common()]
    return f"no usable point among the {total} tried: " + "; ".join(parts)


def _example(skip: _Skip) -> str:
    return f" (e.g. {skip.detail})" if skip.detail else ""


# ----------------------------------------------------------------- one point


def _test_derivative(
    problem: _Problem, point: dict[str, Array], rng: np.random.Generator
) -> _Outcome:
    base = _base(problem, point)
    if isinstance(base, _Skip):
        return base
    wrt = [v for slot in problem.slots for v in slot]
    worst = 0.0
    for _ in range(DIRECTIONS):
        direction = random_direction(wrt, problem.sizes, rng)
        fd = _directional(problem, point, direction, base)
        if isinstance(fd, _Skip):
            return fd
        outcome = _compare(problem, base, direction, *fd)
        if isinstance(outcome, _Fail):
            outcome = _confirm(problem, point, direction, base, outcome)
        if isinstance(outcome, _Skip):
            return outcome
        if isinstance(outcome, _Fail):
            return _counterexample(problem, point, base, outcome)
        worst = max(worst, outcome.rel)
    return _Pass(worst)


def _confirm(
    problem: _Problem,
    point: dict[str, Array],
    direction: dict[str, Array],
    base: _Base,
    failure: _Fail,
) -> _Outcome:
    """A disagreement is confirmed at smaller steps before it is reported: a
    fast-varying function (``sin(exp(4 a))``) can defeat the first step, a
    wrong derivative disagrees at every step."""
    for scale in (1e-2, 1e-4):
        fd = _directional(problem, point, direction, base, scale)
        if isinstance(fd, _Skip):
            continue
        outcome = _compare(problem, base, direction, *fd)
        if isinstance(outcome, _Pass):
            return outcome
    return failure


def _base(problem: _Problem, point: dict[str, Array]) -> _Base | _Skip:
    """The values at the point, or why the point cannot be used."""
    groups = (problem.target, problem.checked, problem.results, problem.guards, problem.kinks)
    values = _evaluate_groups(groups, point, problem.sizes)
    subjects = (problem.subject, "f", "the derivative")
    for subject, exprs, vals in zip(subjects, groups, values, strict=False):
        if not _all_finite(vals):
            return _Skip(f"{subject} is not finite", _cause(exprs, point, problem.sizes))
    if any(_ill_conditioned(g) for g in values[3]):
        return _Skip("a matrix to invert is ill-conditioned", each=True)
    return _Base(_flat(values[0]), values[2], values[4])


def _evaluate_groups(
    groups: Sequence[Sequence[Expr]], point: dict[str, Array], sizes: dict[Dim, int]
) -> list[list[Array]]:
    flat = evaluate_many([e for g in groups for e in g], point, sizes)
    out: list[list[Array]] = []
    for g in groups:
        out.append(flat[: len(g)])
        flat = flat[len(g) :]
    return out


def _all_finite(values: Sequence[Array]) -> bool:
    return all(bool(np.all(np.isfinite(v))) for v in values)


def _ill_conditioned(a: Array) -> bool:
    if not np.all(np.isfinite(a)):
        return False
    return bool(np.linalg.cond(a) > MAX_CONDITION)


def _flat(values: Sequence[Array]) -> Array:
    """The values stacked into one vector, each in ``vec`` (column) order."""
    if not values:
        return np.zeros(0)
    return np.concatenate([v.reshape(-1, order="F") for v in values])


# ----------------------------------------------------------------- finite differences


def _directional(
    problem: _Problem,
    point: dict[str, Array],
    direction: dict[str, Array],
    base: _Base,
    scale: float = 1.0,
) -> tuple[Array, float] | _Skip:
    """The extrapolated directional derivative of the target and its error bound
    (``scale`` shrinks the step)."""
    wrt = [name for slot in problem.slots for name in (v.name for v in slot)]
    size = max(float(np.max(np.abs(point[n]))) for n in wrt)
    norm = float(np.sqrt(sum(float(np.sum(direction[n] ** 2)) for n in wrt)))
    h = scale * STEP * (1.0 + size) / max(norm, 1e-300)
    diffs: list[Array] = []
    for step in (h, h / 2, h / 4):
        plus = _shifted(problem, point, direction, step, base)
        minus = _shifted(problem, point, direction, -step, base)
        if isinstance(plus, _Skip):
            return plus
        if isinstance(minus, _Skip):
            return minus
        diffs.append((plus - minus) / (2.0 * step))
    coarse = (4.0 * diffs[1] - diffs[0]) / 3.0
    fine = (4.0 * diffs[2] - diffs[1]) / 3.0
    return fine, float(np.linalg.norm(coarse - fine))


def _shifted(
    problem: _Problem,
    point: dict[str, Array],
    direction: dict[str, Array],
    step: float,
    base: _Base,
) -> Array | _Skip:
    moved = {k: (v + step * direction[k] if k in direction else v) for k, v in point.items()}
    target, kinks = _evaluate_groups((problem.target, problem.kinks), moved, problem.sizes)
    if not _all_finite(target):
        return _Skip(
            f"{problem.subject} is not finite within a finite-difference step of the point"
        )
    for at_point, nearby in zip(base.kinks, kinks, strict=True):
        if np.any(at_point == 0) or np.any(np.sign(at_point) != np.sign(nearby)):
            return _Skip(
                "abs, relu, sign or step switches within a finite-difference step", each=True
            )
    return _flat(target)


def _slot_vector(slot: tuple[Var, ...], direction: dict[str, Array]) -> Array:
    return _flat([direction[v.name] for v in slot])


def _predict(problem: _Problem, results: Sequence[Array], direction: dict[str, Array]) -> Array:
    """What the symbolic results say the directional derivative is."""
    total: Array = np.zeros(0)
    for slot, r in zip(problem.slots, results, strict=True):
        d = _slot_vector(slot, direction)
        if problem.mode is Mode.GRAD:
            term = np.atleast_1d(r.reshape(-1, order="F") @ d)
        else:
            term = (r.T if problem.denominator else r) @ d
        total = term if total.size == 0 else total + term
    return total


def _compare(
    problem: _Problem, base: _Base, direction: dict[str, Array], fd: Array, err: float
) -> _Outcome:
    sym = _predict(problem, base.results, direction)
    terms = sum(
        float(np.linalg.norm(r)) * float(np.linalg.norm(_slot_vector(s, direction)))
        for s, r in zip(problem.slots, base.results, strict=True)
    )
    scale = max(1.0, float(np.max(np.abs(base.value), initial=0.0)), terms)
    if err > UNSETTLED * float(np.linalg.norm(fd)) + ATOL * scale:
        return _Skip("the finite differences do not settle (the function varies too fast)")
    size = max(float(np.linalg.norm(fd)), float(np.linalg.norm(sym)))
    diff = float(np.linalg.norm(fd - sym))
    rel = diff / max(size, ATOL * scale)
    if diff <= ATOL * scale + RTOL * size + 2.0 * err:
        return _Pass(rel)
    return _Fail(rel, "", fd.reshape(-1, 1), sym.reshape(-1, 1))


# ----------------------------------------------------------------- failures


_WHAT = {Mode.GRAD: "gradient", Mode.JACOBIAN: "Jacobian", Mode.HESSIAN: "Hessian"}


def _counterexample(
    problem: _Problem, point: dict[str, Array], base: _Base, failure: _Fail
) -> _Fail:
    """The failure, with the full finite-difference derivative of the result
    that differs most (when it can be computed) as ``expected``."""
    best: tuple[float, int, Array] | None = None
    for i in range(len(problem.slots)):
        full = _full_derivative(problem, point, base, i)
        if full is None:
            continue
        gap = float(np.linalg.norm(full - base.results[i]))
        if best is None or gap > best[0]:
            best = (gap, i, full)
    index = 0 if best is None else best[1]
    names = ", ".join(v.name for v in problem.slots[index])
    reason = (
        f"the {_WHAT[problem.mode]} w.r.t. {names} disagrees with finite differences "
        f"at a random point (relative error {failure.rel:.3g})"
    )
    if best is None:
        return _Fail(failure.rel, reason, failure.expected, failure.got)
    return _Fail(failure.rel, reason, best[2], base.results[index])


def _full_derivative(
    problem: _Problem, point: dict[str, Array], base: _Base, index: int
) -> Array | None:
    """The derivative w.r.t. one slot by finite differences along each
    coordinate, shaped like the symbolic result (``None`` if not computable)."""
    columns: list[Array] = []
    for direction in _coordinates(problem, problem.slots[index]):
        fd = _directional(problem, point, direction, base)
        if isinstance(fd, _Skip):
            return None
        columns.append(fd[0])
    full = np.column_stack(columns)
    if problem.mode is Mode.GRAD:
        return full.reshape(base.results[index].shape, order="F")
    return full.T if problem.denominator else full


def _coordinates(problem: _Problem, slot: tuple[Var, ...]) -> list[dict[str, Array]]:
    """Unit directions along each entry (``vec`` order) of the slot's variables;
    for a symmetric variable ``(E_ij + E_ji) / 2``, which measures the gradient
    in the space of symmetric matrices."""
    zero = {
        v.name: np.zeros(resolve_shape(v.shape, problem.sizes)) for s in problem.slots for v in s
    }
    out: list[dict[str, Array]] = []
    for v in slot:
        rows, cols = zero[v.name].shape
        for j in range(cols):
            for i in range(rows):
                e = np.zeros((rows, cols))
                e[i, j] = 1.0
                out.append({**zero, v.name: (e + e.T) / 2.0 if v.symmetric else e})
    return out


def _cause(exprs: Sequence[Expr], point: dict[str, Array], sizes: dict[Dim, int]) -> str:
    """What first goes wrong: the innermost non-finite node with finite operands."""
    nodes = [n for e in exprs for n in walk(e)]
    value = {id(n): v for n, v in zip(nodes, evaluate_many(nodes, point, sizes), strict=True)}
    finite = {k: bool(np.all(np.isfinite(v))) for k, v in value.items()}
    for node in nodes:
        if not finite[id(node)] and all(finite[id(k)] for k in node.children()):
            return _describe(node, [value[id(k)] for k in node.children()])
    return ""


_CAUSES: dict[type, str] = {
    Power: "a power of a negative number or of zero",
    Inverse: "the inverse of a singular matrix",
    LogDet: "logdet of a singular matrix",
}


def _describe(node: Expr, args: list[Array]) -> str:
    if isinstance(node, Apply) and node.func == "log":
        negative = any(bool(np.any(a < 0)) for a in args)
        return "log of a negative number" if negative else "log of zero"
    if isinstance(node, Apply):
        return f"{node.func} of a number outside its domain, or overflow"
    name = type(node).__name__.lower()
    return _CAUSES.get(type(node), f"{name} overflows or is undefined")


# ----------------------------------------------------------------- values


def _test_values(problem: _Problem, point: dict[str, Array]) -> _Outcome:
    a, b = problem.target[0], problem.results[0]
    va, vb, guards = _evaluate_groups(((a,), (b,), problem.guards), point, problem.sizes)
    if not _all_finite(va):
        return _Skip("the first expression is not finite", _cause((a,), point, problem.sizes))
    if not _all_finite(vb):
        return _Skip("the second expression is not finite", _cause((b,), point, problem.sizes))
    if any(_ill_conditioned(g) for g in guards):
        return _Skip("a matrix to invert is ill-conditioned", each=True)
    x, y = va[0], vb[0]
    scale = max(1.0, float(np.max(np.abs(x))), float(np.max(np.abs(y))))
    gap = np.abs(x - y)
    size = float(max(np.max(np.abs(x)), np.max(np.abs(y))))
    rel = float(np.max(gap)) / max(size, ATOL * scale)
    if np.all(gap <= ATOL * scale + RTOL * np.maximum(np.abs(x), np.abs(y))):
        return _Pass(rel)
    reason = f"the two expressions differ at a random point (relative error {rel:.3g})"
    return _Fail(rel, reason, x, y)
