"""Regressions: inputs that once produced a wrong or failed result, each
checked numerically against finite differences (and by shape)."""

from __future__ import annotations

import pytest
from support import run

import gradcli

CASES = [
    # forward mode dropped a scalar-valued right factor of a product chain
    ("jacobian", "x / exp(tanh(sin(x^T (y x^T) x)))", "x", {}),
    ("jacobian", "(x^T y) (x^T x) x", "x", {}),
    ("jacobian", "x^T (y x^T) x A z", "x", {}),
    # the zero Jacobian of a product whose factors have zero derivatives
    ("hessian", "x^T abs(y)", "x", {}),
    ("hessian", "abs(x)^T A y", "x", {}),
    ("jacobian", "step(a) A x", "a", {"scalar": "a"}),
    # sigmoid recognised inside a matrix product (it is element-wise only)
    ("grad", "sum(((1 + exp(Z)) .^ -1) exp(Z))", "Z", {}),
    # softmax recognised under a fractional power of the sum
    ("grad", "sum(exp(u)) / sum(exp(u))^1.5 + u^T v", "u", {}),
]


@pytest.mark.parametrize(("command", "expr", "wrt", "decls"), CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_regression_is_checked_correct(
    command: str, expr: str, wrt: str, decls: dict[str, str], seed: int
) -> None:
    d = getattr(gradcli, command)(expr, wrt=wrt, seed=seed, **decls)
    assert d.check is not None
    assert d.check.passed is True, d.check.reason
    assert d.results and d.results[0].text


# Command lines that once ended in an internal error (exit 3): (argv, exit status,
# a line the output must contain).
CLI_CASES = [
    # no variable fixes the size n of eye: the NumPy code takes it as a parameter
    (
        ["jacobian", "--wrt", "x", "-f", "json", "--seed", "0", "--", "eye"],
        0,
        "(n * n, x.shape[0])",
    ),
    (
        ["jacobian", "--wrt", "x", "-f", "numpy", "--seed", "0", "--", "eye"],
        0,
        "(n * n, x.shape[0])",
    ),
    (["jacobian", "--wrt", "x", "-f", "text", "--seed", "0", "--", "eye"], 0, "zeros zeros^T"),
]


@pytest.mark.parametrize(("argv", "status", "line"), CLI_CASES)
def test_cli_regression(
    capsys: pytest.CaptureFixture[str], argv: list[str], status: int, line: str
) -> None:
    r = run(capsys, *argv)
    assert r.code == status, r.err
    assert line in (r.out if status == 0 else r.err)
