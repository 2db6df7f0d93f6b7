"""The numerical check of a symbolic derivative.

Modelled on ``autograd/test_util.py`` and JAX's ``check_grads``: a seeded
generator, central differences along random directions, and a returned
``CheckResult`` rather than printed output. The decision rule (written out
for users in docs/conventions.md) does not depend on the scale of f, on an
added constant, or on luck:

- **What is differenced** is f as typed (constants are folded exactly), less
  its summands free of the variables (``x^T x + 1e7`` is differenced as
  ``x^T x``): an added constant cannot drown the differences in rounding.
- **The estimate.** Along a unit direction ``V``, ``D(s) = (F(x + sV) -
  F(x - sV)) / 2s`` at ``s = h, h/2, h/4``, extrapolated: ``R(s) = D(s/2) +
  (D(s/2) - D(s)) / 3`` (error ``O(s^4)``). The estimate is ``fd = R(h/2)``,
  its error estimate ``err = |R(h) - R(h/2)|``, and its rounding noise
  ``noise = 64 eps |F| / h``, with ``|F|`` at least the largest term of F
  when F is a sum (when its terms cancel, F is rounding of their size); the
  uncertainty is ``unc = max(err, noise)``.
  ``h = 1e-3 (1 + max|x|)``; while ``unc > 1e-4 size`` and ``err`` dominates,
  the step shrinks tenfold, up to three times (fast-varying functions).
- **The comparison** with ``sym = <G, V>`` (or ``J vec(V)``): with ``size =
  max(|fd|, |sym|)``, they agree when ``|fd - sym| <= 1e-6 size + 3 unc``.
  Nothing is absolute and nothing is relative to ``|f|``, so multiplying f
  by any power of ten scales every term alike.
- **Informative points.** A direction is informative when ``unc <= 1e-4
  size``; then any disagreement above 0.031% is a failure. A point is
  informative when both of its directions are. A disagreement is reported
  only when it holds at two step sizes.
- **The search** (``sample.py``): points are drawn in turns from the safe
  side of the domain, its mirror image (negated entries, ``det < 0``,
  indefinite symmetric matrices) and free ``N(0, 1)`` draws. A pass needs
  at least six points tried (two of each kind) and three informative
  points. A point where f, the result or f next to the point is not finite,
  where a matrix to invert is ill-conditioned, where ``abs``/``relu``/
  ``sign``/``step`` switches within the step, or where the differences
  overflow, is skipped: never a failure.
- **Zero.** A point where ``fd`` and ``err`` are within ``3 noise`` of zero,
  and ``sym`` within ``3 (noise + its own rounding)``, is a zero point. When
  every usable point at the chosen sizes is a zero point, the same sizes are
  tried in other orders (``f`` may be constant only at those sizes, e.g.
  square where it is meant to be tall); when it is so at every choice, the
  check passes and says the derivative is zero at every point tried.
- **Not checked.** Otherwise, without three informative points, the result
  is ``passed=None`` with the reason.

Over 500 lines: the decision rule, the search that feeds it and the
counterexample it reports are one contract (docs/conventions.md states it for
users); they are kept in one module so that the rule can be read, and
changed, whole.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeVar, cast

import numpy as np

from gradcli.calculus.vocabulary import Command
from gradcli.ir import build as B
from gradcli.ir.dims import Dim
from gradcli.ir.nodes import (
    Add,
    Apply,
    Const,
    Expr,
    Fill,
    Identity,
    Inverse,
    LogDet,
    Mul,
    Power,
    Var,
    free_vars,
    walk,
)
from gradcli.ir.primitives import ELEMENTWISE
from gradcli.numeric.draws import Draws, Rng
from gradcli.numeric.evaluate import Array, evaluate_many, resolve_shape
from gradcli.numeric.sample import (
    MAX_SIZE,
    PROFILES,
    Variant,
    choose_sizes,
    domain_hints,
    random_direction,
    sample_point,
    size_choices,
)

RTOL = 1e-6  # rounding in evaluating the symbolic result
AGREE = 3.0  # multiples of the uncertainty allowed in an agreement
INFORMATIVE = 1e-4  # unc / size at most this: the direction can judge 0.1%
NOISE = 64.0  # rounding noise of R(h/2) in units of eps |F| / h
EPS = float(np.finfo(float).eps)
STEP = 1e-3
SHRINK = 10.0
MAX_SHRINKS = 3
DIRECTIONS = 2
MIN_TRIES = 6  # two of each variant before a pass
MIN_INFORMATIVE = 3
MAX_TRIES = 24  # per choice of sizes
SIZE_CHOICES = 8  # distinct sizes, in other orders, then one size for all
MIN_ROUNDS = 3  # rounds of MAX_TRIES points, when there are fewer choices of sizes
MAX_CONDITION = 1e8
VALUES_RTOL = 1e-9
KINK_FUNCS = frozenset(name for name, p in ELEMENTWISE.items() if p.kink)


Mode = Command  # the check speaks of the same three derivatives as the commands


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a numerical check.

    ``passed`` is ``None`` when nothing could be decided (the function is
    undefined at every point tried, or too few points were informative);
    ``reason`` then says why, in one sentence, as it does when ``passed`` is
    ``False``. ``point``, ``expected`` (the finite-difference or reference
    value) and ``got`` (the symbolic or claimed value) describe the first
    failing point. ``tried`` counts the points drawn, ``informative`` those
    that could judge a 0.1% error; ``zero`` says that the derivative was zero
    at every point tried (the pass then rests on that).
    """

    passed: bool | None
    max_rel_error: float | None
    seed: int
    dims: dict[str, int]
    reason: str | None = None
    point: dict[str, np.ndarray] | None = None
    expected: np.ndarray | None = None
    got: np.ndarray | None = None
    tried: int = 0
    informative: int = 0
    zero: bool = False


@dataclass(frozen=True)
class _Skip:
    """Why a point could not be used; ``key`` completes "... at each (or any)
    of the N points tried", ``detail`` is an example cause."""

    key: str
    detail: str = ""
    each: bool = False


@dataclass(frozen=True)
class _Pass:
    """Agreement at a point: ``informative`` when it could judge a 0.1% error,
    ``zero`` when both sides were zero within rounding."""

    rel: float
    informative: bool = True
    zero: bool = False


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
    parts: tuple[tuple[Expr, ...], ...] = ()
    target_parts: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class _Base:
    """Values at the point itself: the results, the arguments of the kinks, the
    scale of each result's computed parts (``_inner_scale``), and that of the
    differenced target's terms (``_summands``)."""

    results: list[Array]
    kinks: list[Array]
    inner: list[float]
    target_scale: float = 0.0


_F = TypeVar("_F", bound=Callable[..., CheckResult])


def _quiet(fn: _F) -> _F:
    """NumPy's overflow warnings are not for the user: a non-finite value is
    skipped or reported by the check itself."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> CheckResult:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    return cast(_F, wrapper)


@_quiet
def check_derivative(
    f: Expr,
    wrt: list[Var],
    results: list[Expr],
    mode: Mode,
    *,
    seed: int,
    gradient: list[Expr] | None = None,
    denominator: bool = False,
    max_size: int = MAX_SIZE,
) -> CheckResult:
    """Check symbolic derivatives of ``f`` against finite differences, by the
    rule in the module docstring.

    Dimensions are drawn from ``2..max_size``, distinct where possible; while
    fewer than three points were informative, the same sizes are tried in
    other orders (``size_choices``), and last one size for every dimension
    (``A X B`` under ``det`` is singular unless it is square).

    ``wrt`` all scalars and two or more: ``results`` is one expression w.r.t.
    the stacked vector of them; otherwise ``results[i]`` belongs to ``wrt[i]``.

    - ``GRAD`` (scalar ``f``): ``results[i]`` has the shape of ``wrt[i]``, and
      ``df = sum_i <G_i, V_i>`` (Frobenius product) for directions ``V_i``.
    - ``JACOBIAN``: ``vec(df) = sum_i J_i vec(V_i)`` (``vec`` stacks columns);
      ``J_i`` is ``size(f) x size(wrt_i)``, transposed when ``denominator``.
    - ``HESSIAN`` (scalar ``f``): ``results = [H]``, by all of ``wrt`` at once
      (block ``(i, j)`` is by ``wrt[i]`` and ``wrt[j]``), and ``d gradient =
      H vec(V)``, the gradients and directions each stacked in ``vec`` order.

    Symmetric variables are perturbed symmetrically. Raises ``ValueError``
    when the arguments do not fit the mode (a caller's bug); a result of the
    wrong shape is reported as ``passed=False``.
    """
    rng = Draws(seed)
    tallies: list[_Tally] = []
    choices = size_choices([f, *results, *(gradient or []), *wrt], rng, max_size, SIZE_CHOICES)
    # few or no dimensions: more points at the same sizes
    choices = (choices * MIN_ROUNDS)[: max(len(choices), MIN_ROUNDS)]
    for sizes in choices:
        problem = _derivative_problem(f, wrt, results, mode, gradient, denominator, sizes)
        mismatch = _shape_mismatch(problem)
        if mismatch is not None:
            return CheckResult(False, None, seed, _dims(problem.sizes), mismatch)

        def test(point: dict[str, Array], problem: _Problem = problem, rng: Rng = rng) -> _Outcome:
            return _test_derivative(problem, point, rng)

        tally = _search(problem, rng, test)
        if tally.failure is not None:
            return _failed(tally, seed)
        tallies.append(tally)
        if sum(t.informative for t in tallies) >= MIN_INFORMATIVE:
            break
    return _verdict(tallies, seed)


@_quiet
def check_values(
    a: Expr, b: Expr, vars: Sequence[Var], *, seed: int, max_size: int = MAX_SIZE
) -> CheckResult:
    """Check numerically that ``a`` and ``b`` (same shape) are equal.

    They agree at a point when ``||a - b|| <= 1e-9 max(||a||, ||b||)``
    (Frobenius norms; nothing absolute). Points are drawn as for derivatives,
    over the whole domain. ``expected`` is the value of ``a``, ``got`` that of
    ``b``, at the first point where they differ.
    """
    rng = Draws(seed)
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

    tally = _search(problem, rng, test)
    if tally.failure is not None:
        return _failed(tally, seed)
    return _verdict([tally], seed)


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
    # a Hessian is one result by all the variables at once (a block Hessian)
    slots = (tuple(wrt),) if mode is Mode.HESSIAN else _slots(wrt)
    _validate(f, slots, results, mode, gradient)
    hessian = mode is Mode.HESSIAN and gradient is not None
    target = tuple(gradient) if hessian and gradient is not None else (_varying(f, wrt),)
    exprs = [f, *results, *target]
    variables = _variables(exprs, wrt)
    return _Problem(
        mode=mode,
        denominator=denominator,
        subject="the gradient" if mode is Mode.HESSIAN else "f",
        target=target,
        checked=(f,),
        results=tuple(results),
        slots=slots,
        variables=variables,
        sizes=sizes,
        hints=domain_hints(exprs),
        kinks=_kink_arguments(target),
        guards=_guards([*target, *results]),
        parts=tuple(_computed_parts(r) for r in results),
        target_parts=tuple(n for t in target for n in _summands(t)),
    )


def _varying(f: Expr, wrt: list[Var]) -> Expr:
    """``f`` less its summands free of ``wrt`` (they do not change its
    derivative, but their rounding would swamp the differences)."""
    names = {v.name for v in wrt}
    terms = f.terms if isinstance(f, Add) else (f,)
    kept = tuple(t for t in terms if any(v.name in names for v in free_vars(t)))
    if len(kept) == len(terms):
        return f
    if not kept:
        return Const(0) if f.shape.is_scalar else Fill(Const(0), f.shape)
    return kept[0] if len(kept) == 1 else Add(kept)


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
        raise ValueError("a Hessian check needs the gradients (one per variable)")


def _variables(exprs: Sequence[Expr], extra: Sequence[Var]) -> tuple[Var, ...]:
    """All variables, ordered by name so that the draws do not depend on the
    order in which an expression was built."""
    found: dict[str, Var] = {}
    for e in [*exprs, *extra]:
        for v in free_vars(e):
            found.setdefault(v.name, v)
    return tuple(found[name] for name in sorted(found))


def _kink_arguments(exprs: Sequence[Expr]) -> tuple[Expr, ...]:
    """The arguments of the functions with a ``kink`` (``abs``, ``relu``, ``sign``,
    ``step``): where one of them changes sign, finite differences straddle a kink."""
    return tuple(
        n.arg for e in exprs for n in walk(e) if isinstance(n, Apply) and n.func in KINK_FUNCS
    )


def _guards(exprs: Sequence[Expr]) -> tuple[Expr, ...]:
    """The matrices that are inverted (their conditioning limits accuracy)."""
    return tuple(n.arg for e in exprs for n in walk(e) if isinstance(n, (Inverse, LogDet)))


def _dims(sizes: dict[Dim, int]) -> dict[str, int]:
    symbols = (d for d in sizes if d.size is None and not d.factors and "+" not in d.name)
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
@dataclass
class _Tally:
    """What the points drawn at one choice of sizes showed."""

    dims: dict[str, int]
    tried: int = 0
    informative: int = 0
    usable: int = 0
    zero: int = 0
    rels: list[float] = field(default_factory=list)
    skips: Counter[str] = field(default_factory=Counter)
    first: dict[str, _Skip] = field(default_factory=dict)
    failure: _Fail | None = None
    point: dict[str, Array] | None = None

    @property
    def degenerate(self) -> bool:
        """Every usable point was a zero point."""
        return self.usable > 0 and self.zero == self.usable


_VARIANTS = (Variant.DOMAIN, Variant.MIRROR, Variant.FREE)


def _search(
    problem: _Problem,
    rng: Rng,
    test: Callable[[dict[str, Array]], _Outcome],
) -> _Tally:
    """Draw points in turns (safe side, mirror, free; profiles in turn) until
    ``MIN_INFORMATIVE`` are informative and ``MIN_TRIES`` were tried, or
    ``MAX_TRIES`` were tried, or one failed, or the first ``MIN_TRIES`` show
    a degenerate choice of sizes."""
    tally = _Tally(_dims(problem.sizes))
    for i in range(MAX_TRIES):
        if i >= MIN_TRIES and (tally.informative >= MIN_INFORMATIVE or tally.degenerate):
            break
        turn, variant = divmod(i, len(_VARIANTS))
        point = sample_point(
            problem.variables,
            problem.sizes,
            rng,
            problem.hints,
            turn % PROFILES,
            _VARIANTS[variant],
            turn,
        )
        tally.tried += 1
        outcome = test(point)
        if isinstance(outcome, _Skip):
            tally.skips[outcome.key] += 1
            tally.first.setdefault(outcome.key, outcome)
        elif isinstance(outcome, _Fail):
            tally.failure, tally.point = outcome, point
            tally.informative += 1  # judged: the disagreement held at two steps
            tally.rels.append(outcome.rel)
            return tally
        else:
            tally.usable += 1
            tally.zero += outcome.zero
            if outcome.informative:
                tally.informative += 1
                tally.rels.append(outcome.rel)
    return tally


def _failed(tally: _Tally, seed: int) -> CheckResult:
    failure = tally.failure
    assert failure is not None
    return CheckResult(
        False,
        max(tally.rels),
        seed,
        tally.dims,
        failure.reason,
        tally.point,
        failure.expected,
        failure.got,
        tally.tried,
        tally.informative,
    )


def _verdict(tallies: list[_Tally], seed: int) -> CheckResult:
    """The verdict over every choice of sizes, none of which failed."""
    last = tallies[-1]
    tried = sum(t.tried for t in tallies)
    informative = sum(t.informative for t in tallies)
    rels = [r for t in tallies for r in t.rels]
    if informative >= MIN_INFORMATIVE:
        best = max(tallies, key=lambda t: t.informative)
        return CheckResult(
            True, max(rels), seed, best.dims, None, tried=tried, informative=informative
        )
    if all(t.degenerate or t.usable == 0 for t in tallies) and any(t.degenerate for t in tallies):
        zeros = sum(t.zero for t in tallies)
        if zeros >= MIN_INFORMATIVE:
            return CheckResult(True, 0.0, seed, last.dims, None, tried=tried, zero=True)
    usable = sum(t.usable for t in tallies)
    if usable:
        reason = (
            f"only {informative} of the {tried} points tried could judge the result "
            f"({usable} were usable; the finite differences were not accurate enough there)"
        )
    else:
        skips: Counter[str] = Counter()
        first: dict[str, _Skip] = {}
        for t in tallies:
            skips.update(t.skips)
            for k, v in t.first.items():
                first.setdefault(k, v)
        reason = _not_checked(skips, first)
    return CheckResult(None, None, seed, last.dims, reason, tried=tried, informative=informative)


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
def _test_derivative(problem: _Problem, point: dict[str, Array], rng: Rng) -> _Outcome:
    base = _base(problem, point)
    if isinstance(base, _Skip):
        return base
    wrt = [v for slot in problem.slots for v in slot]
    passes: list[_Pass] = []
    for _ in range(DIRECTIONS):
        direction = random_direction(wrt, problem.sizes, rng)
        sym = _predict(problem, base.results, direction)
        outcome = _judge(problem, point, direction, base, sym)
        if isinstance(outcome, _Skip):
            return outcome
        if isinstance(outcome, _Fail):
            return _counterexample(problem, point, base, outcome)
        passes.append(outcome)
    return _Pass(
        max(p.rel for p in passes),
        all(p.informative for p in passes),
        all(p.zero for p in passes),
    )


@dataclass(frozen=True)
class _Estimate:
    """An extrapolated directional derivative, its error estimate and its
    rounding noise, at step ``h``."""

    fd: Array
    err: float
    noise: float
    h: float

    @property
    def unc(self) -> float:
        return max(self.err, self.noise)


def _judge(
    problem: _Problem,
    point: dict[str, Array],
    direction: dict[str, Array],
    base: _Base,
    sym: Array,
) -> _Outcome:
    """Compare ``sym`` with the finite differences along ``direction``: the
    step shrinks until the estimate is informative (or rounding dominates);
    a disagreement must hold at the next smaller step too."""
    tried: list[_Estimate] = []
    h = _first_step(problem, point, direction)
    for _ in range(MAX_SHRINKS + 1):
        est = _richardson(problem, point, direction, base, h)
        if isinstance(est, _Skip):
            if not tried:
                return est
            break
        tried.append(est)
        size = max(_norm(est.fd), _norm(sym))
        if est.unc <= INFORMATIVE * size or est.err <= est.noise:
            break
        h /= SHRINK
    best = min(tried, key=lambda e: e.unc / max(_norm(e.fd), _norm(sym), 1e-300))
    floor = _rounding(problem, base, direction)
    outcome = _compare(best, sym, floor)
    if not isinstance(outcome, _Fail):
        return outcome
    for k in (1, 2):  # confirm at smaller steps: a wrong derivative disagrees at each
        est = _richardson(problem, point, direction, base, best.h / SHRINK**k)
        if isinstance(est, _Skip):
            continue
        again = _compare(est, sym, floor)
        if not isinstance(again, _Fail):
            return again
    return outcome


def _rounding(problem: _Problem, base: _Base, direction: dict[str, Array]) -> float:
    """A bound on the rounding in ``sym``: ``64 eps`` times the scale of the
    result's computed parts, times ``sqrt(entries) ||V||`` per result."""
    total = 0.0
    for slot, r, inner in zip(problem.slots, base.results, base.inner, strict=True):
        total += inner * float(np.sqrt(r.size)) * _norm(_slot_vector(slot, direction))
    return NOISE * EPS * total


def _compare(est: _Estimate, sym: Array, floor: float = 0.0) -> _Pass | _Fail:
    """Agreement within ``1e-6 size + 3 unc`` is a pass, informative when ``unc``
    is small. Within the rounding ``floor`` of the symbolic value too, it is a
    pass that cannot judge (never a failure: the disagreement is rounding)."""
    fd = est.fd
    size = max(_norm(fd), _norm(sym))
    diff = _norm(fd - sym)
    if size == 0.0:
        return _Pass(0.0, informative=False, zero=True)
    rel = diff / size
    strict = diff <= RTOL * size + AGREE * est.unc
    if strict or diff <= RTOL * size + AGREE * (est.unc + floor):
        zero = max(_norm(fd), est.err) <= AGREE * est.noise and _norm(sym) <= AGREE * (
            est.noise + floor
        )
        informative = strict and est.unc <= INFORMATIVE * size and not zero
        return _Pass(rel, informative=informative, zero=zero)
    return _Fail(rel, "", fd.reshape(-1, 1), sym.reshape(-1, 1))


def _norm(a: Array) -> float:
    """The 2-norm, without overflow for entries near the largest double."""
    m = float(np.max(np.abs(a), initial=0.0))
    if m == 0.0 or not np.isfinite(m):
        return m
    return m * float(np.linalg.norm(a / m))


def _base(problem: _Problem, point: dict[str, Array]) -> _Base | _Skip:
    """The values at the point, or why the point cannot be used."""
    groups = (problem.target, problem.checked, problem.results, problem.guards, problem.kinks)
    values = _evaluate_groups((*groups, *problem.parts, problem.target_parts), point, problem.sizes)
    subjects = (problem.subject, "f", "the derivative")
    for subject, exprs, vals in zip(subjects, groups, values, strict=False):
        if not _all_finite(vals):
            return _Skip(f"{subject} is not finite", _cause(exprs, point, problem.sizes))
    if any(_ill_conditioned(g) for g in values[3]):
        return _Skip("a matrix to invert is ill-conditioned", each=True)
    inner = [_largest(parts) for parts in values[len(groups) : -1]]
    return _Base(values[2], values[4], inner, _largest(values[-1]))


def _computed_parts(result: Expr) -> tuple[Expr, ...]:
    """The computed parts of ``result`` (not its leaves). The largest entry of
    any of them is the scale of the rounding in its value: a result that is
    zero written as a difference of large parts (``(diag(p) - p p^T) ones``
    for a softmax ``p``, times large factors) evaluates to rounding of that
    size, not to 0."""
    return tuple(n for n in walk(result) if not isinstance(n, (Var, Const, Fill, Identity)))


def _summands(target: Expr) -> tuple[Expr, ...]:
    """The terms of a differenced sum (``c (a + b)`` counts as ``c a + c b``),
    whose size is the size of the rounding in F when they cancel
    (``det(A X) - det(A) det(X)``); scaling F scales them alike. Empty for
    anything else, whose rounding is relative to ``|F|``."""
    if isinstance(target, Mul) and len(target.factors) == 1:
        inner, coeff = target.factors[0], target.coeff
    else:
        inner, coeff = target, Fraction(1)
    if not isinstance(inner, Add):
        return ()
    return tuple(B.mul(coeff, t) for t in inner.terms)


def _largest(values: Sequence[Array]) -> float:
    tops = [float(np.max(np.abs(v))) for v in values if v.size]
    return max((t for t in tops if np.isfinite(t)), default=0.0)


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
def _first_step(problem: _Problem, point: dict[str, Array], direction: dict[str, Array]) -> float:
    """``h = 1e-3 (1 + max|x|) / ||V||`` over the differentiated variables."""
    wrt = [name for slot in problem.slots for name in (v.name for v in slot)]
    size = max(float(np.max(np.abs(point[n]))) for n in wrt)
    norm = float(np.sqrt(sum(float(np.sum(direction[n] ** 2)) for n in wrt)))
    return STEP * (1.0 + size) / max(norm, 1e-300)


def _richardson(
    problem: _Problem,
    point: dict[str, Array],
    direction: dict[str, Array],
    base: _Base,
    h: float,
) -> _Estimate | _Skip:
    """The extrapolated directional derivative of the target at step ``h``."""
    diffs: list[Array] = []
    biggest: Array | None = None
    for step in (h, h / 2, h / 4):
        plus = _shifted(problem, point, direction, step, base)
        minus = _shifted(problem, point, direction, -step, base)
        if isinstance(plus, _Skip):
            return plus
        if isinstance(minus, _Skip):
            return minus
        with np.errstate(all="ignore"):
            diffs.append((plus - minus) / (2.0 * step))
        top = np.maximum(np.abs(plus), np.abs(minus))
        biggest = top if biggest is None else np.maximum(biggest, top)
    with np.errstate(all="ignore"):
        coarse = diffs[1] + (diffs[1] - diffs[0]) / 3.0
        fine = diffs[2] + (diffs[2] - diffs[1]) / 3.0
        err = _norm(coarse - fine)
    if not (np.all(np.isfinite(fine)) and np.isfinite(err)):
        return _Skip("the finite differences overflow")
    assert biggest is not None
    # F's rounding is relative to its largest term, not to |F|: an f whose
    # terms cancel (det(A X) - det(A) det(X)) is rounding of their size.
    noise = NOISE * EPS * max(_norm(biggest), base.target_scale) / h
    return _Estimate(fine, err, noise, h)


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
        gap = _norm(full - base.results[i])
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
        est = _richardson(problem, point, direction, base, _first_step(problem, point, direction))
        if isinstance(est, _Skip):
            return None
        columns.append(est.fd)
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
    size = max(_norm(x), _norm(y))
    gap = _norm(x - y)
    if size == 0.0:
        return _Pass(0.0, informative=True, zero=True)
    rel = gap / size
    if gap <= VALUES_RTOL * size:
        return _Pass(rel)
    reason = f"the two expressions differ at a random point (relative error {rel:.3g})"
    return _Fail(rel, reason, x, y)
