"""Exact constant folding, and limits that hold through ``where`` names.

Folding in floating point once printed ``0`` for ``t + 1e16 t - 1e16 t``
(``1 + 1e16 - 1e16`` is ``0`` in doubles): a wrong derivative. Constants are
now exact fractions; each row is checked numerically as well as by its text.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import gradcli
from gradcli.ir.numbers import ConstantRangeError, exact


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gradcli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("expr", "expected", "value"),
    [
        ("t + 1e16 t - 1e16 t", "1", 1.0),
        ("1e16 t + t - 1e16 t", "1", 1.0),
        ("(0.1 + 0.2 - 0.3) t^2 + t", "1", 1.0),
        ("3 t - 0.1 t - 0.2 t - 2.7 t", "0", 0.0),
        ("(1e200 t) / 1e200", "1", 1.0),
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_constants_fold_exactly(expr: str, expected: str, value: float, seed: int) -> None:
    d = gradcli.grad(expr, "t", scalar="t", seed=seed)
    assert d.text == expected
    assert d.check is not None and d.check.passed is not False
    got = float(eval(d.numpy, {"np": np, "t": 0.7}))  # generated code, not user input
    assert got == pytest.approx(value)


@pytest.mark.parametrize(
    ("expr", "fault"),
    [
        ("(1e200 t)^2", "(1e200 t)^2"),
        ("(10 t)^400", "(10 t)^400"),
        ("s^2 where s = 1e200 t", "s^2"),
        ("(1e-200 t) (1e-200 t)", "(1e-200 t) (1e-200 t)"),
    ],
)
def test_a_constant_outside_a_double_is_a_clear_error(expr: str, fault: str) -> None:
    r = _cli("grad", expr, "--scalar", "t", "-f", "text")
    assert r.returncode == 2, r.stderr
    assert "a constant in this expression" in r.stderr
    assert "Traceback" not in r.stderr
    line, carets = r.stderr.splitlines()[1:3]
    start = carets.index("^")
    assert line[start : start + len(fault)] == fault


@pytest.mark.parametrize(
    ("value", "fits"),
    [
        (Fraction(sys.float_info.max), True),
        (Fraction(2**1025, 3), True),  # 2^1023.4: near the edge, but a double
        (Fraction(2**1024), False),
        (Fraction(2**1027, 5), False),
        (Fraction(sys.float_info.min), True),
        (Fraction(1, 2**1023), False),  # below the smallest normal double
    ],
)
def test_a_constant_fits_a_double_exactly_when_it_is_one(value: Fraction, fits: bool) -> None:
    if fits:
        assert float(exact(value)) == float(value)
    else:
        with pytest.raises(ConstantRangeError):
            exact(value)


def _chain(k: int) -> str:
    defs = ["s1 = t + t t"] + [f"s{i} = s{i - 1} + s{i - 1} s{i - 1}" for i in range(2, k + 1)]
    return f"s{k} where " + ", ".join(defs)


def test_a_where_chain_is_limited_by_its_written_out_size() -> None:
    source = _chain(14)
    assert len(source) < 300
    r = _cli("grad", source, "--scalar", "t", "-f", "json", timeout=20)
    assert r.returncode == 2, r.stderr
    assert "written out without its where names" in r.stderr


def test_a_shorter_where_chain_is_derived_and_checked() -> None:
    d = gradcli.grad(_chain(6), "t", scalar="t", seed=0)
    assert d.check is not None and d.check.passed is True
    assert " where " in d.text


def test_matrix_powers_are_limited_through_where() -> None:
    defs = ", ".join(f"B{i} = B{i - 1}^2" for i in range(2, 23))
    r = _cli("grad", f"tr(B22) where B1 = A^2, {defs}", "--wrt", "A", "-f", "text")
    assert r.returncode == 2, r.stderr
    assert "matrix powers are limited to ±64" in r.stderr
    assert "counted through where" in r.stderr


def test_matrix_powers_within_the_limit_through_where_are_derived() -> None:
    d = gradcli.grad("tr(B3) where B1 = A^2, B2 = B1^2, B3 = B2^2", "A", seed=0)
    assert d.check is not None and d.check.passed is True
    assert d.text == "8 (A^T)^7"


def test_numpy_trace_of_a_product_with_a_sum_factor() -> None:
    """``tr(A (A + B))`` was printed ``np.sum(A * A.T + B.T)``: wrong code."""
    d = gradcli.grad("sin(tr(A (A + B)))", "A", seed=0)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 3))
    got = eval(d.numpy, {"np": np, "A": a, "B": b})  # generated code, not user input
    want = np.cos(np.trace(a @ (a + b))) * (2 * a + b).T
    np.testing.assert_allclose(got, want, rtol=1e-12)
