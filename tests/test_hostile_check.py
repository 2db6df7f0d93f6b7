"""Claims built to fool the numerical check, and the verdict each must get.

Every command of this table was once judged ``correct`` while wrong (or the
other way round) on nearly every seed: a tolerance with an absolute floor
(``1e-7 x^T A x``), a tolerance growing with ``|f|`` (``+ 1e7``), points drawn
only where ``det > 0`` or ``t > 0``, skipped points leaving only those where
the derivative is tiny (``t^1000``), a loose allowance for the difference
error (``sin(1000 t)``), NaN from overflowing differences (``1e308 t``).
Each row runs at seeds 0..19 and must get its verdict at every one. The
scaled, offset and mirrored variants are rows of their own.
"""

from __future__ import annotations

from typing import Any

import pytest

import gradcli

SEEDS = range(20)

WRONG: list[tuple[str, str, dict[str, Any]]] = [
    # a small or a large loss term is checked like any other
    ("2e-7 A x", "1e-7 x^T A x", {"wrt": "x"}),
    ("2e7 A x", "1e7 x^T A x", {"wrt": "x"}),
    ("2e-7 x", "1e-7 x^T x + 1e-9 sum(x)", {"wrt": "x"}),
    # an added constant does not switch the check off
    ("zeros", "x^T x + 1e7", {"wrt": "x"}),
    ("2 A x", "x^T A x + 1e7", {"wrt": "x"}),
    ("2 A^T x", "1e7 + x^T A x + 1e9", {"wrt": "x", "matrix": "A"}),
    # the whole domain: det < 0, negative values
    ("det(X) X^-T", "abs(det(X))", {"wrt": "X"}),
    ("abs(t) / sqrt(t^2 + 1)", "sqrt(t^2 + 1)", {"scalar": "t"}),
    ("1 ./ abs(x)", "sum(log(abs(x)))", {"wrt": "x"}),
    ("abs(x) ./ sqrt(x .^ 2 + 1)", "sum(sqrt(x .^ 2 + 1))", {"wrt": "x"}),
    ("sign(det(S)) S^-1", "logdet(S)", {"wrt": "S", "symmetric": "S"}),
    # points where the derivative is tiny do not make a pass
    ("2 t^999", "t^1000", {"scalar": "t"}),
    ("1000 t^1000", "t^1001", {"scalar": "t"}),
    # fast-varying functions: 0.1% is caught
    ("1001 cos(1000 t)", "sin(1000 t)", {"scalar": "t"}),
    ("1.001 cos(t)", "sin(t)", {"scalar": "t"}),
    ("2.002 x", "x^T x", {"wrt": "x"}),
    ("1.001e-7 cos(t)", "1e-7 sin(t)", {"scalar": "t"}),
    ("1.001 cos(t)", "sin(t) + 1e7", {"scalar": "t"}),
]

RIGHT: list[tuple[str, str, dict[str, Any]]] = [
    ("1e308", "1e308 t", {"scalar": "t"}),
    ("2e-7 x", "1e-7 x^T x", {"wrt": "x"}),
    ("2e7 x", "1e7 x^T x", {"wrt": "x"}),
    ("2 x", "x^T x + 1e7", {"wrt": "x"}),
    ("(A + A^T) x", "x^T A x - 1e9", {"wrt": "x"}),
    ("sign(det(X)) det(X) X^-T", "abs(det(X))", {"wrt": "X"}),
    ("t / sqrt(t^2 + 1)", "sqrt(t^2 + 1)", {"scalar": "t"}),
    ("1 ./ x", "sum(log(abs(x)))", {"wrt": "x"}),
    ("X^-T", "logdet(X)", {"wrt": "X"}),
    ("S^-1", "logdet(S)", {"wrt": "S", "symmetric": "S"}),
    ("1000 t^999", "t^1000", {"scalar": "t"}),
    ("1000 cos(1000 t)", "sin(1000 t)", {"scalar": "t"}),
    ("cos(t)", "sin(t) + 1e7", {"scalar": "t"}),
    ("1e-7 cos(t)", "1e-7 sin(t)", {"scalar": "t"}),
]


def _verify(claim: str, of: str, options: dict[str, Any], seed: int) -> gradcli.Verdict:
    return gradcli.verify(claim, of, seed=seed, **options)


@pytest.mark.parametrize(("claim", "of", "options"), WRONG, ids=[f"{c} | {o}" for c, o, _ in WRONG])
def test_a_wrong_claim_is_wrong_at_every_seed(claim: str, of: str, options: dict[str, Any]) -> None:
    verdicts = {seed: _verify(claim, of, options, seed).verdict for seed in SEEDS}
    assert set(verdicts.values()) == {"wrong"}, verdicts


@pytest.mark.parametrize(("claim", "of", "options"), RIGHT, ids=[f"{c} | {o}" for c, o, _ in RIGHT])
def test_a_right_claim_is_correct_at_every_seed(
    claim: str, of: str, options: dict[str, Any]
) -> None:
    for seed in SEEDS:
        v = _verify(claim, of, options, seed)
        assert v.verdict == "correct", (seed, v.reason)
        assert v.check is not None and v.check.informative >= 3, (seed, v.check)


@pytest.mark.parametrize(
    ("expr", "options"),
    [
        ("1e308 t", {"scalar": "t"}),
        ("exp(t^2)^100", {"scalar": "t"}),
        ("sin(1000 t)", {"scalar": "t"}),
        ("1e-300 x^T x", {"wrt": "x"}),
        ("x^T A x + 1e12", {"wrt": "x"}),
        # a zero Jacobian written as a difference of large parts: its value is
        # rounding, which must not be taken for a disagreement
        ("softmax((||inv(S)||^2)^2 - C x)", {"wrt": "S", "command": "jacobian"}),
    ],
)
def test_a_right_derivative_never_fails_its_own_check(expr: str, options: dict[str, Any]) -> None:
    options = dict(options)
    derive = getattr(gradcli, options.pop("command", "grad"))
    for seed in range(60):
        d = derive(expr, seed=seed, **options)
        assert d.check is not None and d.check.passed is not False, (seed, d.check)


def test_a_constant_derivative_is_reported_as_zero() -> None:
    d = gradcli.grad("x^T x - (x + 1)^T (x + 1) + 2 sum(x)", "y", seed=0)
    assert d.text == "zeros"
    assert d.check is not None and d.check.passed is True


def test_the_projection_residual_is_checked_at_informative_sizes() -> None:
    """At equal sizes the residual of this projection is identically zero;
    the check must judge it where it is not."""
    source = "||v (p - B inv(B^T v^T v B) B^T v^T (v p - w)) - w||^2"
    for seed in range(5):
        d = gradcli.grad(source, "B", matrix="v", seed=seed)
        assert d.check is not None and d.check.passed is True, (seed, d.check)
        assert d.check.informative >= 3 and not d.check.zero
        wrong = gradcli.verify("0 B", source, "B", matrix="v", seed=seed)
        assert wrong.verdict == "wrong", seed
