"""Softmax along each row or column of a matrix, and attention,
``softmax_rows(Q K^T / sqrt(d)) V``, differentiated by Q, K and V.

Every row is checked four ways (``row_checks.check_row``): the NumPy code
against central differences of a plain NumPy function (no formula shared with
gradcli), gradcli's numerical check, the printed form, and ``verify`` of it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from identities import Domain, g, hess, jac, param
from row_checks import check_row, fd_jacobian
from support import run

import gradcli

D = Domain(positive="d")
ATTENTION = "softmax_rows(Q K^T / sqrt(d)) V"
LOSS = f"tr(W^T {ATTENTION})"


def rows_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cols_softmax(z: np.ndarray) -> np.ndarray:
    return rows_softmax(z.T).T


def attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray, d: float) -> np.ndarray:
    return rows_softmax(Q @ K.T / np.sqrt(d)) @ V


def by(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """The Jacobian of f at x by central differences."""
    return fd_jacobian(f, x)


def grad_by(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The gradient (x's shape) of a scalar f by central differences."""
    return fd_jacobian(lambda z: np.array([f(z)]), x).reshape(x.shape, order="F")


def _loss(Q: np.ndarray, K: np.ndarray, V: np.ndarray, W: np.ndarray, d: float) -> float:
    return float(np.sum(W * attention(Q, K, V, d)))


def _row_softmax_grad(W: np.ndarray, M: np.ndarray) -> np.ndarray:
    """The gradient of tr(W^T softmax_rows(M)), written out: S ⊙ W - diag((S ⊙ W) 1) S."""
    S = rows_softmax(M)
    return S * W - (S * W).sum(axis=1, keepdims=True) * S


ROWS = [
    param(
        jac(
            ATTENTION,
            "Q",
            "s kron(V^T, eye) (u - u kron(ones ones^T, eye) u) kron(K, eye) "
            "where s = 1 / sqrt(d), u = diag(vec(softmax_rows(s Q K^T)))",
            lambda Q, K, V, d: by(lambda Z: attention(Z, K, V, d), Q),
            "attention (Vaswani et al. 2017), Jacobian by the queries",
            D,
            scalar="d",
        )
    ),
    param(
        jac(
            ATTENTION,
            "K",
            "s kron(V^T, eye) (u - u kron(ones ones^T, eye) u) kron(eye, Q) commutation(K) "
            "where s = 1 / sqrt(d), u = diag(vec(softmax_rows(s Q K^T)))",
            lambda Q, K, V, d: by(lambda Z: attention(Q, Z, V, d), K),
            "attention, Jacobian by the keys (through K^T: a commutation matrix)",
            D,
            scalar="d",
        )
    ),
    param(
        jac(
            ATTENTION,
            "V",
            "kron(eye, softmax_rows(Q K^T / sqrt(d)))",
            lambda Q, K, V, d: by(lambda Z: attention(Q, K, Z, d), V),
            "attention, Jacobian by the values: vec(P V) = (I ⊗ P) vec(V)",
            D,
            scalar="d",
        )
    ),
    param(
        g(
            LOSS,
            "Q",
            "s (v - diag(v ones) u) K where s = 1 / sqrt(d), u = softmax_rows(s Q K^T), "
            "v = u .* (W V^T)",
            lambda W, Q, K, V, d: grad_by(lambda Z: _loss(Z, K, V, W, d), Q),
            "attention backward pass, by the queries",
            D,
            scalar="d",
        )
    ),
    param(
        g(
            LOSS,
            "K",
            "s (v - diag(v ones) u)^T Q where s = 1 / sqrt(d), u = softmax_rows(s Q K^T), "
            "v = u .* (W V^T)",
            lambda W, Q, K, V, d: grad_by(lambda Z: _loss(Q, Z, V, W, d), K),
            "attention backward pass, by the keys",
            D,
            scalar="d",
        )
    ),
    param(
        g(
            LOSS,
            "V",
            "softmax_rows(Q K^T / sqrt(d))^T W",
            lambda W, Q, K, V, d: grad_by(lambda Z: _loss(Q, K, Z, W, d), V),
            "attention backward pass, by the values",
            D,
            scalar="d",
        )
    ),
    param(
        jac(
            "softmax_rows(S)",
            "S",
            "s - s kron(ones ones^T, eye) s where s = diag(vec(softmax_rows(S)))",
            lambda S: by(rows_softmax, S),
            "softmax of each row: dS_ij = S_ij (dM_ij - sum_k S_ik dM_ik)",
        )
    ),
    param(
        jac(
            "softmax_cols(M)",
            "M",
            "s - s kron(eye, ones ones^T) s where s = diag(vec(softmax_cols(M)))",
            lambda M: by(cols_softmax, M),
            "softmax of each column",
        )
    ),
    param(
        g(
            "tr(W^T softmax_cols(M))",
            "M",
            "s - softmax_cols(M) diag(s^T ones) where s = softmax_cols(M) .* W",
            lambda W, M: grad_by(lambda Z: float(np.sum(W * cols_softmax(Z))), M),
            "softmax of each column, backward",
        )
    ),
    param(
        g(
            "sum(log(softmax_rows(X W)) .* Y)",
            "W",
            "X^T (Y - diag(Y ones) softmax_rows(X W))",
            lambda X, W, Y: grad_by(lambda Z: float(np.sum(np.log(rows_softmax(X @ Z)) * Y)), W),
            "multinomial logistic regression: X^T (Y - P) when each row of Y sums to 1",
        )
    ),
    param(
        hess(
            "tr(W^T softmax_rows(M))",
            "M",
            "(s - kron(eye, diag((softmax_rows(M) .* W) ones)) - kron(softmax_rows(M)^T, eye) "
            "diag(vec(eye)) kron(ones ones^T, eye) s) (u - u kron(ones ones^T, eye) u) "
            "where s = diag(vec(W)), u = diag(vec(softmax_rows(M)))",
            lambda W, M: by(lambda Z: _row_softmax_grad(W, Z), M),
            "second derivative through a row softmax",
        )
    ),
]


@pytest.mark.parametrize("row", ROWS)
def test_attention_row(row: object) -> None:
    check_row(row, rtol=1e-5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "axis"), [("softmax_rows", 1), ("softmax_cols", 0)])
def test_value_sums_to_one_without_overflow(name: str, axis: int) -> None:
    """The gradient of sum(softmax_rows(S) .* W) by W is the softmax itself: its
    NumPy code shifts by the maximum, so entries of 1000 do not overflow."""
    S = np.array([[1000.0, 999.0, 0.0], [-5.0, 2.0, 2.0], [0.0, 0.0, 700.0]])
    code = gradcli.grad(f"sum({name}(S) .* W)", wrt="W", check=False).numpy
    value = eval(code, {"np": np}, {"S": S, "W": S})
    assert np.all(np.isfinite(value)) and np.allclose(value.sum(axis=axis), 1.0)
    assert np.allclose(value, rows_softmax(S) if axis == 1 else cols_softmax(S))


@pytest.mark.parametrize("fmt", ["latex", "numpy", "array-api"])
def test_formats(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    r = run(capsys, "grad", LOSS, "--wrt", "Q", "--scalar", "d", "-f", fmt, "--seed", "1")
    assert r.code == 0
    want = {
        "latex": "\\operatorname{softmax}_{\\mathrm{rows}}",
        "numpy": "axis=1",
        "array-api": "xp.max(",
    }
    assert want[fmt] in r.out, r.out


def test_expand_softmax_rows_matches_differences() -> None:
    """--expand's entries of the Jacobian of softmax_rows(S), at a 2x2 point,
    equal central differences of the NumPy row softmax there."""
    d = gradcli.jacobian("softmax_rows(S)", wrt="S", seed=1, expand=2)
    S = np.array([[0.3, -1.2], [2.0, 0.5]])
    expanded = d.results[0].expanded
    assert expanded is not None
    point = {f"S{i + 1}{j + 1}": S[i, j] for i in range(2) for j in range(2)}
    got = np.array(
        [
            [float(e.subs({v: point[v.name] for v in e.free_symbols})) for e in row]
            for row in expanded.entries
        ]
    )
    assert np.allclose(got, by(rows_softmax, S), rtol=1e-6, atol=1e-9)


def test_steps_name_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(
        capsys, "grad", LOSS, "--wrt", "Q", "--scalar", "d", "--steps", "-f", "text", "--seed", "1"
    )
    assert r.code == 0 and "softmax of each row: dS = S .* dM" in r.out, r.out


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("sum(softmax(Q K^T))", "softmax_rows(Q K^T)"),
        ("sum(softmax_rows(x))", "softmax_rows needs a matrix"),
        ("sum(softmax_cols(x^T))", "softmax_cols needs a matrix"),
    ],
)
def test_softmax_of_the_wrong_kind(
    capsys: pytest.CaptureFixture[str], expr: str, words: str
) -> None:
    r = run(capsys, "grad", expr, "--wrt", "x" if "x" in expr else "Q", "--no-check")
    assert r.code == 2 and words in r.err, r.err
