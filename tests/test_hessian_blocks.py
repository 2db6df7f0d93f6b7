"""Second derivatives beyond one vector: the block Hessian by several variables,
and Hessians (and Jacobians) by a matrix that need the commutation matrix.

Every row is checked four ways (``row_checks.check_row``): the NumPy code
against a hand-written NumPy reference (the commutation matrix built entry by
entry), gradcli's numerical check, the printed form, and ``verify`` of it.
"""

from __future__ import annotations

import numpy as np
import pytest
from identities import Domain, hess, jac, param
from row_checks import check_row, commutation, fd_jacobian, vec
from support import run

import gradcli

inv = np.linalg.inv
INVERTIBLE = Domain(invertible="X")
SQUARE = Domain(invertible="X", dims="n=3")


def _k(X: np.ndarray) -> np.ndarray:
    return commutation(*X.shape)


def _zero(rows: int, cols: int) -> np.ndarray:
    return np.zeros((rows, cols))


BLOCKS = [
    param(
        hess(
            "x^T A y",
            "x,y",
            "[[zeros zeros^T, A], [A^T, zeros zeros^T]]",
            lambda x, A, y: np.block([[_zero(x.size, x.size), A], [A.T, _zero(y.size, y.size)]]),
            "bilinear form: the Hessian by (x, y) holds A off the diagonal",
        )
    ),
    param(
        hess(
            "||A x - B y||^2",
            "x,y",
            "[[2 A^T A, -2 A^T B], [-2 B^T A, 2 B^T B]]",
            lambda A, x, B, y: 2 * np.block([[A.T @ A, -A.T @ B], [-B.T @ A, B.T @ B]]),
            "least squares in two blocks of unknowns",
        )
    ),
    param(
        hess(
            "x^T A y + t x^T x",
            "x,y,t",
            "[[2 t eye, A, 2 x], [A^T, zeros zeros^T, zeros], [2 x^T, zeros^T, 0]]",
            lambda x, A, y, t: np.block(
                [
                    [2 * t * np.eye(x.size), A, 2 * x[:, None]],
                    [A.T, _zero(y.size, y.size), _zero(y.size, 1)],
                    [2 * x[None, :], _zero(1, y.size), _zero(1, 1)],
                ]
            ),
            "a scalar beside two vectors: its blocks are a column, a row and a number",
            scalar="t",
        )
    ),
    param(
        hess(
            "logdet(X) + x^T X x",
            "X,x",
            "[[-kron(X^-1, X^-T) commutation(X), kron(x, eye) + kron(eye, x)], "
            "[kron(x^T, eye) (commutation(X) + eye), X + X^T]]",
            lambda X, x: np.block(
                [
                    [
                        -np.kron(inv(X), inv(X).T) @ _k(X),
                        np.kron(x[:, None], np.eye(x.size)) + np.kron(np.eye(x.size), x[:, None]),
                    ],
                    [(np.kron(x[None, :], np.eye(x.size)) @ (_k(X) + np.eye(X.size))), X + X.T],
                ]
            ),
            "logdet beside x^T X x: d(x^T X x) = x^T dX x + x^T (X + X^T) dx",
            INVERTIBLE,
        )
    ),
]

BY_A_MATRIX = [
    param(
        hess(
            "logdet(X)",
            "X",
            "-kron(X^-1, X^-T) commutation(X)",
            lambda X: -np.kron(inv(X), inv(X).T) @ _k(X),
            "d² log|det X| = -tr(X^-1 dX X^-1 dX) (Magnus & Neudecker ch. 10)",
            INVERTIBLE,
        )
    ),
    param(
        hess(
            "det(X)",
            "X",
            "det(X) (vec(X^-T) vec(X^-T)^T - kron(X^-1, X^-T) commutation(X))",
            lambda X: (
                np.linalg.det(X)
                * (np.outer(vec(inv(X).T), vec(inv(X).T)) - np.kron(inv(X), inv(X).T) @ _k(X))
            ),
            "d det X = det X tr(X^-1 dX), differentiated again",
            INVERTIBLE,
        )
    ),
    param(
        hess(
            "tr(X X)",
            "X",
            "2 commutation(X)",
            lambda X: 2 * _k(X),
            "tr(X X) = vec(X^T)^T vec(X) = vec(X)^T K vec(X)",
        )
    ),
    param(
        hess(
            "tr(inv(X))",
            "X",
            "(kron(X^-1, eye) + kron(eye, X^-T)) kron(X^-1, X^-T) commutation(X)",
            lambda X: (
                (np.kron(inv(X), np.eye(len(X))) + np.kron(np.eye(len(X)), inv(X).T))
                @ np.kron(inv(X), inv(X).T)
                @ _k(X)
            ),
            "the gradient -X^-T X^-T, differentiated through the inverse",
            INVERTIBLE,
        )
    ),
    param(
        jac(
            "X^T",
            "X",
            "commutation(X)",
            lambda X: _k(X),
            "vec(X^T) = K vec(X), the definition (Magnus & Neudecker 1979)",
        )
    ),
    param(
        jac(
            "X^T X",
            "X",
            "kron(X^T, eye) commutation(X) + kron(eye, X^T)",
            lambda X: np.kron(X.T, np.eye(X.shape[1])) @ _k(X) + np.kron(np.eye(X.shape[1]), X.T),
            "d vec(X^T X) = (I ⊗ X^T + (X^T ⊗ I) K) d vec(X) (Magnus & Neudecker)",
        )
    ),
    param(
        jac(
            "A X^T B",
            "X",
            "kron(B^T, A) commutation(X)",
            lambda A, X, B: np.kron(B.T, A) @ _k(X),
            "vec(A X^T B) = (B^T ⊗ A) K vec(X) (Cookbook 520 and the definition of K)",
        )
    ),
]


@pytest.mark.parametrize("row", BLOCKS + BY_A_MATRIX)
def test_second_derivative(row: object) -> None:
    check_row(row)  # type: ignore[arg-type]


@pytest.mark.parametrize(("m", "n"), [(2, 3), (3, 2), (4, 4), (1, 5)])
def test_commutation_matrix_transposes_vec(m: int, n: int) -> None:
    """gradcli's value of commutation(X) maps vec(X) to vec(X^T), for the
    sizes drawn; the test's own K is its definition, so both agree."""
    from gradcli.numeric.evaluate import commutation_matrix

    a = np.arange(1.0, m * n + 1).reshape(m, n)
    assert np.array_equal(commutation_matrix(m, n) @ vec(a), vec(a.T))
    assert np.array_equal(commutation(m, n), commutation_matrix(m, n))


def test_block_hessian_equals_differences_of_the_gradient() -> None:
    """The block Hessian of logdet(X) + x^T X x, by central differences of its
    hand-written gradient (X^-T + x x^T, (X + X^T) x) stacked in vec order."""
    rng = np.random.default_rng(5)
    X, x = 3 * np.eye(3) + 0.3 * rng.standard_normal((3, 3)), rng.standard_normal(3)

    def grad(z: np.ndarray) -> np.ndarray:
        Z, v = z[:9].reshape(3, 3, order="F"), z[9:]
        return np.concatenate([vec(inv(Z).T + np.outer(v, v)), (Z + Z.T) @ v])

    d = gradcli.hessian("logdet(X) + x^T X x", wrt="X,x", seed=1)
    got = eval(d.numpy, {"np": np}, {"X": X, "x": x})
    want = fd_jacobian(grad, np.concatenate([vec(X), x]))
    assert np.allclose(got, want, rtol=1e-6, atol=1e-8)
    assert np.allclose(got, got.T)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["hessian", "x^T A y", "--wrt", "x,y", "-f", "latex"], "\\begin{bmatrix}"),
        (["hessian", "x^T A y", "--wrt", "x,y", "-f", "numpy"], "np.block([["),
        (["hessian", "logdet(X)", "--wrt", "X", "-f", "latex"], "K_{n,n}"),
        (["jacobian", "X^T", "--wrt", "X", "-f", "latex"], "K_{n,m}"),
    ],
)
def test_formats(capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    r = run(capsys, *args, "--seed", "1")
    assert r.code == 0 and expected in r.out, r


def test_json_block_hessian_has_one_result_by_all_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    r = run(capsys, "hessian", "x^T A y", "--wrt", "x,y", "-f", "json", "--seed", "1")
    doc = json.loads(r.out)
    (result,) = doc["results"]
    assert result["wrt"] == "x,y" and result["shape"] == ["n+m", "n+m"]
    assert doc["check"]["passed"] is True and "n+m" not in doc["check"]["dims"]


def test_expand_block_hessian(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "hessian", "x^T A y", "--wrt", "x,y", "--expand", "2", "--seed", "1")
    assert (
        r.out.strip() == "[[0, 0, A11, A12], [0, 0, A21, A22], [A11, A21, 0, 0], [A12, A22, 0, 0]]"
    )


def test_expand_logdet_hessian_matches_numbers() -> None:
    """--expand's entries of the Hessian of logdet(X), at a 2x2 point, equal the
    reference -(X^-1 ⊗ X^-T) K there."""
    d = gradcli.hessian("logdet(X)", wrt="X", seed=1, expand=2)
    X = np.array([[2.0, 0.5], [-0.3, 1.5]])
    want = -np.kron(inv(X), inv(X).T) @ commutation(2, 2)
    expanded = d.results[0].expanded
    assert expanded is not None
    point = {f"X{i + 1}{j + 1}": X[i, j] for i in range(2) for j in range(2)}
    got = np.array(
        [
            [float(e.subs({s: point[s.name] for s in e.free_symbols})) for e in row]
            for row in expanded.entries
        ]
    )
    assert np.allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["jacobian", "[[X], [X]]", "--wrt", "X"],
            "the derivative of a block matrix of non-scalars is not supported",
        ),
        (["grad", "[[x], [y]]^T [1, 2, 3, 4]", "--wrt", "x"], "cannot multiply"),
        (
            ["grad", "[[x], [y]]^T z", "--wrt", "x"],
            "the gradient through a block matrix of non-scalars is not supported",
        ),
        (
            ["grad", "sum([[x], [1]])", "--wrt", "x"],
            "the gradient through a block matrix of non-scalars is not supported",
        ),
    ],
)
def test_refusals_say_what(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    r = run(capsys, *args, "--no-check")
    assert r.code == 2 and message in r.err, r.err
    assert "transposed matrix" not in r.err


def test_verify_block_hessian_wrong_claim(capsys: pytest.CaptureFixture[str]) -> None:
    """A block Hessian with the off-diagonal blocks swapped is refused."""
    r = run(
        capsys,
        "verify",
        "[[zeros zeros^T, B], [B^T, zeros zeros^T]]",
        "--of",
        "x^T A y + x^T B y",
        "--wrt",
        "x,y",
        "--hessian",
        "--seed",
        "1",
    )
    assert r.code == 1 and r.out.startswith("wrong"), r.out


KATEX_RUNS = [
    ("hessian", "logdet(X) + x^T X x", "--wrt", "X,x"),
    ("hessian", "det(X)", "--wrt", "X"),
    ("jacobian", "A X^T B", "--wrt", "X"),
    ("grad", "tr(W^T softmax_rows(Q K^T / sqrt(d)) V)", "--wrt", "K", "--scalar", "d"),
    ("jacobian", "softmax_cols(M)", "--wrt", "M"),
]


def _latex_items(out: str) -> list[str]:
    """One string per result line; an ``aligned`` block of steps is one string."""
    if out.startswith("\\begin{aligned}"):
        block, rest = out.split("\\end{aligned}\n", 1)
        return [block + "\\end{aligned}", *_latex_items(rest)]
    return [line for line in out.splitlines() if line]


def test_latex_renders_in_katex(capsys: pytest.CaptureFixture[str]) -> None:
    """The LaTeX of block Hessians, K_{m,n} and the row/column softmax, with
    and without --steps, is accepted by KaTeX."""
    from katex_support import Tex, katex_version, render

    katex_version()  # skips without node and KaTeX (fails under CI)
    items = []
    for args in KATEX_RUNS:
        for extra in ((), ("--steps",)):
            r = run(capsys, *args, "-f", "latex", "--seed", "1", *extra)
            assert r.code == 0, r.err
            items += [Tex("new", " ".join(args), tex) for tex in _latex_items(r.out)]
    verdicts = render(items)
    bad = [
        (t.tex, v)
        for t, v in zip(items, verdicts, strict=True)
        if not v.get("ok", True) or v.get("error")
    ]
    assert not bad and len(items) >= 10, bad


def test_steps_of_a_block_hessian_cover_every_block(capsys: pytest.CaptureFixture[str]) -> None:
    """--steps differentiates each gradient by every variable: the off-diagonal
    blocks of x^T A y are where its Hessian is."""
    r = run(capsys, "hessian", "x^T A y", "--wrt", "x,y", "--steps", "-f", "text", "--seed", "1")
    assert r.code == 0
    assert "d(A y)/dy = A" in r.out and "d(A^T x)/dx = A^T" in r.out, r.out


@pytest.mark.parametrize(
    ("claim", "status"),
    [("[[2 eye, [1, 2]], [[[1, 2]], 2]]", 0), ("[[2 eye, [1, 2]], [[[1, 2]], 3]]", 1)],
)
def test_block_of_fixed_and_symbolic_parts_reads_back(
    capsys: pytest.CaptureFixture[str], claim: str, status: int
) -> None:
    """x has size 2 (from [1, 2]): the block literal's size is the number 3."""
    of = "x^T x + t^2 + x^T [1,2] t"
    r = run(
        capsys,
        "verify",
        claim,
        "--of",
        of,
        "--wrt",
        "x,t",
        "--hessian",
        "--scalar",
        "t",
        "--seed",
        "1",
    )
    assert r.code == status, r.out
