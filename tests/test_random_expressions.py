"""Random well-typed expressions: symbolic derivatives agree with finite differences.

Each property derives (``derivative_results``, as the command line does), then
checks the result both as simplified and as printed (``present``) with
``check_derivative``. ``passed`` may be ``None`` (no usable point) but never
``False``; a ``GradcliError`` (``NoRuleError``, say) is an allowed answer;
anything else escaping is a bug.

Known bugs have minimal regression tests at the end of this file, marked
``xfail(strict=True)``; the random properties step around them, before the
derivation with ``KNOWN_BUGS`` (a predicate on the typed IR) and after the
check with ``known_failure`` (a predicate on the failure). When a bug is
fixed, its regression test XPASSes and fails: remove its ``xfail`` mark and
its predicate together.

The long hunt: ``python -m pytest -m fuzz tests/test_random_expressions.py``
(5,000 examples per property; ``GRADCLI_FUZZ_EXAMPLES`` overrides).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from strategies import (
    DECLS,
    SCALARS,
    SYMMETRIC,
    Ty,
    expressions,
    scalar_functions,
    scalar_vector_literals,
    vector_expressions,
)
from support import invoke
from value_checks import assert_text_round_trip

from gradcli.api import analyse, derive
from gradcli.calculus.drivers import Command, derivative_results
from gradcli.calculus.reverse import gradient
from gradcli.errors import GradcliError
from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Entry, Expr, Var, size, walk
from gradcli.numeric.check import CheckResult, Mode, check_derivative
from gradcli.numeric.evaluate import evaluate_many
from gradcli.printers import to_text
from gradcli.simplify import present, simplify
from gradcli.verification.verdict import verify

FUZZ_EXAMPLES = int(os.environ.get("GRADCLI_FUZZ_EXAMPLES", "5000"))
SEEDS = st.integers(0, 2**31 - 1)
MODES = {Command.GRAD: Mode.GRAD, Command.JACOBIAN: Mode.JACOBIAN, Command.HESSIAN: Mode.HESSIAN}


# ------------------------------------------------------------------ known bugs


@dataclass(frozen=True)
class KnownBug:
    name: str
    applies: Callable[[Command, Expr, list[Var], list[Expr]], bool]


# Bugs a derivation runs into, recognised on the typed IR before deriving.
# (Fixed and removed: forward mode dropping the scalar tail of a chain,
# ``x y^T y``; see the regression tests below.)
KNOWN_BUGS: list[KnownBug] = []


def known_bug(command: Command, f: Expr, wrt: list[Var], grads: list[Expr]) -> str | None:
    """The known bug this derivation would run into, if any."""
    for bug in KNOWN_BUGS:
        if bug.applies(command, f, wrt, grads):
            return bug.name
    return None


# ------------------------------------------------------------------ an independent oracle


def _sizes(exprs: list[Expr], dims: dict[str, int]) -> dict[Dim, int]:
    sizes: dict[Dim, int] = {}
    for e in exprs:
        for node in walk(e):
            for d in (node.shape.rows, node.shape.cols):
                for atom in d.factors or (d,):
                    if atom.size is None and atom.name in dims:
                        sizes[atom] = dims[atom.name]
    return sizes


def _flat(values: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([v.reshape(-1, order="F") for v in values])


def _predicted(
    command: Command, wrt: list[Var], values: list[np.ndarray], direction: dict[str, np.ndarray]
) -> np.ndarray:
    """The directional derivative the symbolic results claim (as ``check_derivative``
    reads them: one stacked result for two or more scalars, else one per variable)."""
    if len(wrt) >= 2 and all(v.is_scalar for v in wrt):
        pairs = [(values[0], _flat([direction[v.name] for v in wrt]))]
    else:
        pairs = [
            (r, direction[v.name].reshape(-1, order="F")) for v, r in zip(wrt, values, strict=True)
        ]
    total = np.zeros(1)
    for r, d in pairs:
        total = total + (r.reshape(-1, order="F") @ d if command is Command.GRAD else r @ d)
    return np.atleast_1d(total)


def _settled_difference(
    target: list[Expr],
    point: dict[str, np.ndarray],
    sizes: dict[Dim, int],
    direction: dict[str, np.ndarray],
    pred: np.ndarray,
) -> bool | None:
    """Central differences with steps ``1e-3 .. 1e-8``: ``False`` if two
    consecutive steps both agree with ``pred``; ``True`` if two consecutive
    steps agree with each other but not with ``pred``; ``None`` if they
    never settle (``sin`` of 1e9: nobody can tell)."""
    scale = 1.0 + max(float(np.max(np.abs(point[n]))) for n in direction)
    estimates: list[np.ndarray] = []
    for k in range(3, 9):
        h = scale * 10.0**-k
        plus = {**point, **{n: point[n] + h * d for n, d in direction.items()}}
        minus = {**point, **{n: point[n] - h * d for n, d in direction.items()}}
        up, down = evaluate_many(target, plus, sizes), evaluate_many(target, minus, sizes)
        estimates.append((_flat(up) - _flat(down)) / (2 * h))

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        size = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b))), 1e-8)
        finite = bool(np.all(np.isfinite(a)) and np.all(np.isfinite(b)))
        return finite and float(np.max(np.abs(a - b), initial=0.0)) <= 1e-4 * size + 1e-7

    pairs = list(zip(estimates, estimates[1:], strict=False))
    if any(close(a, pred) and close(b, pred) for a, b in pairs):
        return False
    if any(close(a, b) for a, b in pairs):
        return True
    return None


def really_differs(
    command: Command,
    f: Expr,
    wrt: list[Var],
    exprs: list[Expr],
    gradient: list[Expr] | None,
    result: CheckResult,
) -> bool:
    """Whether the symbolic results really disagree with finite differences at
    the point where ``check_derivative`` reported a failure.

    Known bug (``numeric/check.py``): for a fast-varying function the check's
    step is too large and its "do the differences settle" test can pass by
    chance, so a correct derivative is reported wrong (``sin(exp(4 a))``,
    or ``sin`` of a matrix cube with entries near 1e9). This recomputes
    directional derivatives along three random directions with much smaller
    steps; only a difference that finite differences settle on counts.
    """
    if result.point is None:
        return True
    try:
        return _differs_at(command, f, wrt, exprs, gradient, result)
    except (KeyError, ValueError):
        return True  # cannot re-evaluate (a dimension the check did not report)


def _differs_at(
    command: Command,
    f: Expr,
    wrt: list[Var],
    exprs: list[Expr],
    gradient: list[Expr] | None,
    result: CheckResult,
) -> bool:
    assert result.point is not None
    point = {k: np.asarray(v, dtype=float) for k, v in result.point.items()}
    target = gradient if command is Command.HESSIAN and gradient else [f]
    sizes = _sizes([f, *exprs, *target, *wrt], result.dims)
    values = evaluate_many(exprs, point, sizes)
    rng = np.random.default_rng(result.seed)
    for _ in range(3):
        direction = {v.name: rng.standard_normal(point[v.name].shape) for v in wrt}
        pred = _predicted(command, wrt, values, direction)
        if _settled_difference(target, point, sizes, direction, pred):
            return True
    return False


def known_failure(
    command: Command,
    f: Expr,
    wrt: list[Var],
    exprs: list[Expr],
    gradient: list[Expr] | None,
    result: CheckResult,
) -> str | None:
    """The known bug a failed check is explained by, if any."""
    if result.passed is not False:
        return None
    if not really_differs(command, f, wrt, exprs, gradient, result):
        return "false alarm of the numerical check (sin(exp(4 a)))"
    return None


# ------------------------------------------------------------------ the check


@dataclass
class Tally:
    """What happened over a property's examples (for the "most pass" assertion)."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, key: str) -> None:
        self.counts[key] += 1

    def assert_mostly_checked(self) -> None:
        checked = self.counts["passed"]
        attempted = sum(self.counts.values())
        assert attempted > 0
        assert checked >= 0.5 * attempted, f"too few derivatives were checked: {self.counts}"


def typed(source: str) -> tuple[Expr, dict[str, Var]]:
    """The typed IR of a generated expression (which must type-check)."""
    f, variables, _ = analyse(source, DECLS)
    return f, variables


def derive_and_check(
    command: Command,
    source: str,
    wrt_names: list[str],
    seed: int,
    tally: Tally | None = None,
    *,
    excuse_known: bool = True,
) -> None:
    """Derive, check numerically, and fail with a readable message on disagreement.

    A ``GradcliError`` from the derivation is an allowed answer (counted).
    With ``excuse_known``, derivations that run into a ``KNOWN_BUGS`` entry
    and false alarms of the check (bug 2) are skipped (counted).
    """
    f, variables = typed(source)
    wrt = [variables[n] for n in wrt_names]
    try:
        targets = derivative_results(command, f, wrt)
    except GradcliError as err:
        if tally is not None:
            tally.add(f"{type(err).__name__}: {err.message}")
        return
    grads = [g for t in targets for g in (t.gradient or [])]
    bug = known_bug(command, f, wrt, grads) if excuse_known else None
    if bug is not None:
        if tally is not None:
            tally.add(f"known bug: {bug}")
        return
    for shown in ("simplified", "presented"):
        exprs = [t.expr if shown == "simplified" else present(t.expr) for t in targets]
        gradient = targets[0].gradient
        result = check_derivative(f, wrt, exprs, MODES[command], seed=seed, gradient=gradient)
        excuse = known_failure(command, f, wrt, exprs, gradient, result)
        if excuse_known and excuse is not None:
            if tally is not None:
                tally.add(f"known bug: {excuse}")
            return
        assert result.passed is not False, _failure(command, source, wrt_names, exprs, result)
    if tally is not None:
        tally.add("passed" if result.passed else "not checked")


def _failure(
    command: Command, source: str, wrt: list[str], exprs: list[Expr], result: CheckResult
) -> str:
    texts = "; ".join(to_text(e) for e in exprs)
    return (
        f"{command.value} of {source!r} w.r.t. {','.join(wrt)} = {texts}: {result.reason} "
        f"(seed {result.seed}, dims {result.dims})"
    )


def _vector_vars(variables: dict[str, Var]) -> list[str]:
    return [n for n, v in variables.items() if v.shape.is_vector]


# ------------------------------------------------------------------ properties


def grad_property(source: str, seed: int, tally: Tally) -> None:
    """The gradient w.r.t. each variable, then w.r.t. all of them at once."""
    note(f"f = {source}")
    _, variables = typed(source)
    for name in variables:
        derive_and_check(Command.GRAD, source, [name], seed, tally)
    if len(variables) > 1:
        derive_and_check(Command.GRAD, source, list(variables), seed)


def jacobian_property(source: str, seed: int, tally: Tally) -> None:
    note(f"f = {source}")
    _, variables = typed(source)
    for name in variables:
        derive_and_check(Command.JACOBIAN, source, [name], seed, tally)


def hessian_property(source: str, seed: int, tally: Tally) -> None:
    note(f"f = {source}")
    _, variables = typed(source)
    vectors = _vector_vars(variables)
    assume(vectors)
    for name in vectors:
        derive_and_check(Command.HESSIAN, source, [name], seed, tally)


def stacked_property(command: Command, source: str, seed: int, tally: Tally) -> None:
    """Derivatives w.r.t. the stacked scalars ``(a, t)``."""
    note(f"f = {source}")
    _, variables = typed(source)
    names: list[str] = [n for n in SCALARS if n in variables]
    assume(len(names) == len(SCALARS))
    derive_and_check(command, source, names, seed, tally)


def verify_property(source: str, seed: int, tally: Tally) -> None:
    """``verify`` accepts what ``grad``/``jacobian`` print (through the text format)."""
    note(f"f = {source}")
    f, variables = typed(source)
    command = Command.GRAD if f.is_scalar else Command.JACOBIAN
    for name, var in variables.items():
        try:
            d = derive(command, source, name, check=False, scalar=SCALARS, symmetric=SYMMETRIC)
            if known_bug(command, f, [var], []) is not None:
                tally.add("known bug")
                continue
            claim = d.results[0]
            if any(isinstance(n, Entry) for n in walk(claim.expr)):
                tally.add("known bug: entries print as x[1]")
                continue
            if not assert_text_round_trip(claim.expr, seed, f"{command.value} wrt {name}"):
                tally.add("known bug: ones of unknown size")
                continue
            v = verify(
                claim.text,
                source,
                name,
                command=command,
                scalar=SCALARS,
                symmetric=SYMMETRIC,
                seed=seed,
            )
        except GradcliError as err:
            tally.add(f"{type(err).__name__}: {err.message}")
            continue
        if not v.correct and v.check is not None:
            exprs, grad = [claim.expr], None
            if known_failure(command, f, [var], exprs, grad, v.check) is not None:
                tally.add("known bug: false alarm")
                continue
        message = f"verify rejects the {command.value} of {source!r} w.r.t. {name}"
        assert v.correct, f"{message}, {claim.text!r}: {v.reason}"
        tally.add("passed")


def _run(case: str, strategy: st.SearchStrategy[str], examples: int | None = None) -> Tally:
    """Run ``CASES[case]`` as a Hypothesis test; what happened, tallied."""
    prop = CASES[case][0]
    tally = Tally()

    @given(strategy, SEEDS)
    def inner(source: str, seed: int) -> None:
        prop(source, seed, tally)

    if examples is not None:
        inner = settings(max_examples=examples)(inner)
    # One database entry per case, not one shared by every case.
    inner._hypothesis_internal_add_digest = case.encode()  # type: ignore[attr-defined]
    inner()
    return tally


def _stacked(command: Command) -> Callable[[str, int, Tally], None]:
    return lambda source, seed, tally: stacked_property(command, source, seed, tally)


CASES: dict[str, tuple[Callable[[str, int, Tally], None], st.SearchStrategy[str]]] = {
    "grad": (grad_property, expressions(Ty.SCALAR)),
    "jacobian": (jacobian_property, vector_expressions()),
    "hessian": (hessian_property, expressions(Ty.SCALAR, max_size=30)),
    "stacked-jacobian": (_stacked(Command.JACOBIAN), scalar_vector_literals()),
    "stacked-grad": (_stacked(Command.GRAD), scalar_functions()),
    "stacked-hessian": (_stacked(Command.HESSIAN), scalar_functions()),
    "verify-own-answer": (
        verify_property,
        st.one_of(expressions(Ty.SCALAR, max_size=15), vector_expressions(max_size=15)),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_derivatives_agree_with_finite_differences(case: str) -> None:
    _run(case, CASES[case][1]).assert_mostly_checked()


@pytest.mark.fuzz
@pytest.mark.parametrize("case", list(CASES))
def test_derivatives_agree_long(case: str) -> None:
    _run(case, CASES[case][1], FUZZ_EXAMPLES).assert_mostly_checked()


# ------------------------------------------------------------------ regressions
#
# Minimal inputs reduced from failures of the properties above. Each is
# ``(command, source, wrt, seeds)``; the test passes once the derivative
# agrees with finite differences at those seeds.


def _bug(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"BUG: {reason}")


ANY_SEED = (0, 1, 2)

REGRESSIONS = [
    pytest.param(
        Command.JACOBIAN,
        "x y^T y",
        ["x"],
        ANY_SEED,
        id="jacobian-scalar-chain-tail",
    ),
    pytest.param(
        Command.JACOBIAN,
        "x x^T y",
        ["x"],
        ANY_SEED,
        id="jacobian-x-xT-y",
    ),
    pytest.param(
        Command.JACOBIAN,
        "A x y^T y",
        ["x"],
        ANY_SEED,
        id="jacobian-matrix-times-scalar-chain-tail",
    ),
    pytest.param(
        Command.HESSIAN,
        "||y x^T||",
        ["x"],
        ANY_SEED,
        id="hessian-through-scalar-chain-tail",
    ),
    pytest.param(
        Command.JACOBIAN,
        "step(a) A x",
        ["a"],
        ANY_SEED,
        id="jacobian-zero-of-wrong-shape",
    ),
    pytest.param(
        Command.JACOBIAN,
        "sign(y^T x) C y",
        ["x"],
        ANY_SEED,
        id="jacobian-zero-of-wrong-shape-vector",
    ),
    pytest.param(
        Command.HESSIAN,
        "abs(y^T A x)",
        ["x"],
        ANY_SEED,
        id="hessian-zero-of-wrong-shape",
    ),
    pytest.param(
        Command.GRAD,
        "sin(exp(4 a))",
        ["a"],
        (59,),
        id="check-false-alarm-fast-varying",
    ),
]


@pytest.mark.parametrize(("command", "source", "wrt", "seeds"), REGRESSIONS)
def test_regression(command: Command, source: str, wrt: list[str], seeds: tuple[int, ...]) -> None:
    for seed in seeds:
        derive_and_check(command, source, wrt, seed, excuse_known=False)


SIMPLIFY_GROWS = [
    pytest.param(
        "x^T (A + B) (x + y)",
        id="transpose-distributed-over-sums",
        marks=_bug(
            "simplify rewrites x^T (A + B) (x + y) as (x^T + y^T) (A^T + B^T) x (size 9 -> 11)"
        ),
    ),
    pytest.param(
        "C (x ./ (1 + x .^ 2) + x)",
        id="factoring-adds-nodes",
    ),
]


@pytest.mark.parametrize("source", SIMPLIFY_GROWS)
def test_regression_simplify_never_grows(source: str) -> None:
    e, _ = typed(source)
    assert size(simplify(e)) <= size(e), to_text(simplify(e))


SIMPLIFY_GROWS_GRADIENTS = [
    pytest.param(
        "sum(sin((1 + softmax(softmax(x)) .^ 2) .^ 0.5))",
        "x",
        id="transposes-pushed-into-elementwise",
        marks=_bug(
            "simplify of the raw gradient grows (size 23 -> 34): softmax(softmax(x))^T is "
            "pushed into element-wise powers and cos, next to the untransposed copies"
        ),
    ),
]


@pytest.mark.parametrize(("source", "wrt"), SIMPLIFY_GROWS_GRADIENTS)
def test_regression_simplify_of_gradient_never_grows(source: str, wrt: str) -> None:
    f, variables = typed(source)
    (raw,) = gradient(f, [variables[wrt]])
    assert size(simplify(raw)) <= size(raw), to_text(simplify(raw))


CLI_REGRESSIONS = [
    pytest.param(
        ["jacobian", "--wrt", "A", "--", "vec(A) + [1, 1, 1]"],
        id="vec-of-fixed-size",
    ),
    pytest.param(
        ["grad", "--wrt", "x", "--", "sum(kron(x^T, eye) [1, 1, 1, 1])"],
        id="printed-jacobian-fed-back",
    ),
    pytest.param(
        ["verify", "-f", "pretty", "--of", "x^T A x", "--wrt", "x", "--", "A"],
        id="verify-pretty-wrong-shape",
    ),
]


@pytest.mark.parametrize("argv", CLI_REGRESSIONS)
def test_regression_cli(argv: list[str]) -> None:
    result = invoke(argv)
    assert result.code in (0, 1, 2), result.err
    assert "internal error" not in result.err


OWN_ANSWERS = [
    pytest.param(
        Command.GRAD,
        "[a, t]^T x",
        "a",
        id="entry-printed-as-index",
    ),
]


OWN_ANSWERS += [
    pytest.param(
        Command.GRAD,
        "sum(a + C y)",
        "a",
        id="ones-of-unknown-size",  # printed n where n = len(C), once sum(ones)
    ),
    pytest.param(
        Command.GRAD,
        "ones' (sum(C y) + y)",
        "y",
        id="ones-transposed-of-unknown-size",  # printed 1 + m C^T ones where m = len(C^T)
    ),
]


@pytest.mark.parametrize(("command", "source", "wrt"), OWN_ANSWERS)
def test_regression_verify_accepts_own_answer(command: Command, source: str, wrt: str) -> None:
    d = derive(command, source, wrt, check=False, scalar=SCALARS, symmetric=SYMMETRIC)
    v = verify(d.text, source, wrt, command=command, scalar=SCALARS, symmetric=SYMMETRIC, seed=0)
    assert v.correct, f"{d.text!r}: {v.reason}"
