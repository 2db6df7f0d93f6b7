"""Checks of one identity-table row (``identities.Row``) for test modules that
keep their own tables: the NumPy code against a NumPy reference, gradcli's own
numerical check, the printed form, and ``verify`` of the printed form.

Also plain-NumPy helpers for references: the commutation matrix built entry by
entry, and derivatives by central differences of a NumPy function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from identities import Row
from identity_support import derive, sample

from gradcli.verification.verdict import verify

VERIFY_SEED = 3


def check_row(row: Row, rtol: float = 1e-7) -> None:
    """The four checks; the result is one expression (a block Hessian is one)."""
    d = derive(row)
    values = sample(d, row)
    want = np.asarray(row.reference(**values), dtype=float)
    assert len(d.results) == 1, d.text
    got = np.asarray(eval(d.results[0].numpy, {"np": np}, dict(values)), dtype=float)
    assert got.shape == want.shape, (d.results[0].numpy, got.shape, want.shape)
    assert np.allclose(got, want, rtol=rtol, atol=rtol), (d.results[0].numpy, got, want)
    assert d.check is not None and d.check.passed is True, (d.check, d.text)
    assert d.text == row.expected_text
    v = verify(
        d.text, of=row.expr, wrt=row.wrt, command=row.cmd, seed=VERIFY_SEED, **row.declarations
    )
    assert v.verdict == "correct", (d.text, v.reason, v.diagnosis)


def commutation(m: int, n: int) -> np.ndarray:
    """K (mn x mn) with K vec(A) = vec(A^T) for m x n A, from its definition:
    entry (i, j) of A sits at i + j m in vec(A) and at j + i n in vec(A^T)."""
    k = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            k[j + i * n, i + j * m] = 1.0
    return k


def vec(a: np.ndarray) -> np.ndarray:
    return np.asarray(a).reshape(-1, order="F")


def fd_jacobian(f: Callable[[np.ndarray], Any], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d vec(f) / d vec(x) by central differences (numerator layout)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = h
        up = f(x + step.reshape(x.shape, order="F"))
        down = f(x - step.reshape(x.shape, order="F"))
        cols.append((vec(up) - vec(down)) / (2 * h))
    return np.column_stack(cols)
