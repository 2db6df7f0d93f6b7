"""Properties of the numerical check's decision rule, on random expressions.

- Scale and offset: multiplying ``f`` (and its gradient) by ``10^k``,
  ``k = -8..8``, or adding a constant to ``f``, never changes the verdict.
- Power: a gradient off by 0.1% (scaled by ``1 +- 0.001``) is always caught
  where the true gradient passes with informative points.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import DECLS, scalar_expressions

from gradcli.api import analyse
from gradcli.calculus.reverse import gradient
from gradcli.errors import GradcliError
from gradcli.ir import build as B
from gradcli.ir.nodes import Expr, Var
from gradcli.numeric.check import CheckResult, Mode, check_derivative
from gradcli.simplify import present


def _setup(source: str) -> tuple[Expr, Var, Expr]:
    try:
        f, variables, _ = analyse(source, DECLS)
    except GradcliError:
        assume(False)
        raise
    names = sorted(variables)
    assume(names)
    x = variables[names[0]]
    return f, x, present(gradient(f, [x])[0])


def _verdict(r: CheckResult) -> tuple[bool | None, bool]:
    return r.passed, r.zero


@settings(max_examples=100)
@given(scalar_expressions(max_size=18), st.integers(-8, 8), st.integers(0, 1000))
def test_scaling_f_never_changes_the_verdict(source: str, k: int, seed: int) -> None:
    f, x, g = _setup(source)
    plain = check_derivative(f, [x], [g], Mode.GRAD, seed=seed)
    c = Fraction(10) ** k
    scaled = check_derivative(B.mul(c, f), [x], [B.mul(c, g)], Mode.GRAD, seed=seed)
    assert _verdict(scaled) == _verdict(plain), (plain, scaled)


@settings(max_examples=100)
@given(
    scalar_expressions(max_size=18),
    st.sampled_from([-1e9, -3.5, 1.0, 1e3, 1e7, 1e12]),
    st.integers(0, 1000),
)
def test_adding_a_constant_never_changes_the_verdict(source: str, c: float, seed: int) -> None:
    f, x, g = _setup(source)
    plain = check_derivative(f, [x], [g], Mode.GRAD, seed=seed)
    offset = check_derivative(B.add(f, B.const(c)), [x], [g], Mode.GRAD, seed=seed)
    assert _verdict(offset) == _verdict(plain), (plain, offset)


@settings(max_examples=100)
@given(scalar_expressions(max_size=18), st.sampled_from([0.999, 1.001]), st.integers(0, 1000))
def test_a_gradient_off_by_a_tenth_of_a_percent_is_caught(
    source: str, factor: float, seed: int
) -> None:
    f, x, g = _setup(source)
    right = check_derivative(f, [x], [g], Mode.GRAD, seed=seed)
    assume(right.passed is True and not right.zero)
    off = check_derivative(f, [x], [B.mul(factor, g)], Mode.GRAD, seed=seed)
    assert off.passed is False, (right, off)
