"""Textbook derivative identities, one row each, for ``test_identities.py``.

A row is ``(cmd, expr, wrt, declarations, expected_text, reference, source,
domain)``:

- ``cmd`` is ``grad``, ``jacobian`` or ``hessian``; ``declarations`` holds the
  keyword options passed to both the command and ``verify`` (``scalar``,
  ``symmetric``, ... and ``layout``);
- ``expected_text`` is the form a textbook prints, in gradcli's input language
  (one line per result); where gradcli prints a different but equally short
  correct form (term order), gradcli's form is used;
- ``reference`` is a hand-written NumPy function of *all* the variables
  (keyword arguments) giving the true derivative, independent of gradcli: an
  array of the result's NumPy shape, or a tuple of them for several results;
- ``source`` says where the identity comes from. Matrix Cookbook equation
  numbers are those of the 15 November 2012 edition (Petersen & Pedersen);
- ``domain`` says how to draw each variable (positive, invertible, SPD, ...)
  and, where it matters, the size of a dimension.

Rows where gradcli's output is correct but clumsier than the textbook's are
wrapped by ``simplification(...)``; rows where gradcli is wrong, refuses or
cannot check are wrapped by ``bug(...)``. Both are strict xfails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pytest
from _pytest.mark.structures import ParameterSet

Reference = Callable[..., Any]

COOKBOOK = "Matrix Cookbook"
SYMMETRIC_GRADIENT = "SPEC §1: (G + G^T)/2, Srinivasan & Panda"
ELEMENTWISE = "element-wise chain rule: d f(x) = f'(x) .* dx"
DL = "Goodfellow, Bengio & Courville, Deep Learning (2016) §3.10"
DLMF_LOG = "DLMF §4.7 (exp and log), chain rule"
DLMF_HYP = "DLMF §4.34 (hyperbolic functions)"
DLMF_ATAN = "DLMF §4.24 (inverse trigonometric functions)"
BOYD = "Boyd & Vandenberghe, Convex Optimization (2004) §3.1.5: log-sum-exp"
MAX_MIN = "max(a, b) = b + relu(a - b), min(a, b) = a - relu(a - b); kink where a = b"


@dataclass(frozen=True)
class Domain:
    """How to draw the variables of a row: comma-separated names per kind.

    Unlisted variables are standard normal (symmetric if declared so);
    ``dims`` fixes sizes, e.g. ``"n=3 m=5"`` (others get distinct sizes 2..6).
    """

    positive: str = ""
    invertible: str = ""
    spd: str = ""
    sign: str = ""
    unit: str = ""
    simplex: str = ""
    orthogonal: str = ""
    dims: str = ""

    def sampler(self, name: str) -> str | None:
        for kind in ("positive", "invertible", "spd", "sign", "unit", "simplex", "orthogonal"):
            if name in _split(getattr(self, kind)):
                return kind
        return None

    def sizes(self) -> dict[str, int]:
        return {k: int(v) for k, v in (p.split("=") for p in self.dims.split())}


def _split(names: str) -> list[str]:
    return [n.strip() for n in names.split(",") if n.strip()]


ANY = Domain()


class Row(NamedTuple):
    cmd: str
    expr: str
    wrt: str
    declarations: Mapping[str, str]
    expected_text: str
    reference: Reference
    source: str
    domain: Domain


def row_id(row: Row) -> str:
    opts = " ".join(f"--{k} {v}" for k, v in row.declarations.items())
    return f"{row.cmd} {row.expr} --wrt {row.wrt}" + (f" {opts}" if opts else "")


def param(row: Row) -> ParameterSet:
    return pytest.param(row, id=row_id(row))


def simplification(row: Row, prints: str) -> ParameterSet:
    """Correct, but printed in a clumsier form than the textbook's."""
    reason = f"simplification: prints {prints}"
    return pytest.param(row, marks=pytest.mark.xfail(strict=True, reason=reason), id=row_id(row))


def bug(row: Row, what: str) -> ParameterSet:
    """gradcli is wrong, refuses a valid input, or cannot check its answer."""
    reason = f"BUG: {what}"
    return pytest.param(row, marks=pytest.mark.xfail(strict=True, reason=reason), id=row_id(row))


def _row(cmd: str) -> Callable[..., Row]:
    def make(
        expr: str,
        wrt: str,
        expected: str,
        reference: Reference,
        source: str,
        domain: Domain = ANY,
        **declarations: str,
    ) -> Row:
        return Row(cmd, expr, wrt, declarations, expected, reference, source, domain)

    return make


g, jac, hess = _row("grad"), _row("jacobian"), _row("hessian")


# --- NumPy helpers for the references (plain NumPy, nothing from gradcli) ---


def sig(u: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-u))


def softmax(u: np.ndarray) -> np.ndarray:
    e = np.exp(u - np.max(u))
    return e / e.sum()


def inv(m: np.ndarray) -> np.ndarray:
    return np.linalg.inv(m)


def eye(n: int) -> np.ndarray:
    return np.eye(n)


def vec(m: np.ndarray) -> np.ndarray:
    """Columns stacked (the vec of SPEC §1)."""
    return m.reshape(-1, order="F")


def row(v: np.ndarray) -> np.ndarray:
    return v.reshape(1, -1)


def col(v: np.ndarray) -> np.ndarray:
    """An m x 1 matrix (a Jacobian w.r.t. one scalar, a denominator-layout row)."""
    return v.reshape(-1, 1)


def mpow(m: np.ndarray, k: int) -> np.ndarray:
    return np.linalg.matrix_power(m, k)


# --------------------------------------------------------------------------
# grad
# --------------------------------------------------------------------------

TRACES: list[ParameterSet] = [
    param(g("tr(X)", "X", "eye", lambda X: eye(len(X)), f"{COOKBOOK} (100)")),
    param(g("tr(X A)", "X", "A^T", lambda X, A: A.T, f"{COOKBOOK} (101)")),
    param(g("tr(A X B)", "X", "A^T B^T", lambda A, X, B: A.T @ B.T, f"{COOKBOOK} (102)")),
    param(g("tr(A X^T B)", "X", "B A", lambda A, X, B: B @ A, f"{COOKBOOK} (103)")),
    param(g("tr(X^T A)", "X", "A", lambda X, A: A, f"{COOKBOOK} (104)")),
    param(g("tr(A X^T)", "X", "A", lambda A, X: A, f"{COOKBOOK} (105)")),
    param(g("tr(X^2)", "X", "2 X^T", lambda X: 2 * X.T, f"{COOKBOOK} (107)")),
    param(
        g(
            "tr(X^2 B)",
            "X",
            "(X B + B X)^T",
            lambda X, B: (X @ B + B @ X).T,
            f"{COOKBOOK} (108)",
        )
    ),
    # The Cookbook prints B X + B^T X; gradcli factors it, which is shorter.
    param(g("tr(X^T B X)", "X", "(B + B^T) X", lambda X, B: (B + B.T) @ X, f"{COOKBOOK} (109)")),
    param(g("tr(B X X^T)", "X", "(B + B^T) X", lambda B, X: (B + B.T) @ X, f"{COOKBOOK} (110)")),
    param(g("tr(X X^T B)", "X", "(B + B^T) X", lambda X, B: (B + B.T) @ X, f"{COOKBOOK} (111)")),
    param(g("tr(X B X^T)", "X", "X (B + B^T)", lambda X, B: X @ (B + B.T), f"{COOKBOOK} (112)")),
    param(g("tr(B X^T X)", "X", "X (B + B^T)", lambda B, X: X @ (B + B.T), f"{COOKBOOK} (113)")),
    param(g("tr(X^T X B)", "X", "X (B + B^T)", lambda X, B: X @ (B + B.T), f"{COOKBOOK} (114)")),
    # Cookbook: A^T X^T B^T + B^T X^T A^T (the same, transposed once).
    param(
        g(
            "tr(A X B X)",
            "X",
            "(B X A + A X B)^T",
            lambda A, X, B: A.T @ X.T @ B.T + B.T @ X.T @ A.T,
            f"{COOKBOOK} (115)",
        )
    ),
    param(g("tr(X^T X)", "X", "2 X", lambda X: 2 * X, f"{COOKBOOK} (116)")),
    param(g("tr(X X^T)", "X", "2 X", lambda X: 2 * X, f"{COOKBOOK} (116)")),
    # Cookbook: C^T X B B^T + C X B B^T.
    param(
        g(
            "tr(B^T X^T C X B)",
            "X",
            "(C + C^T) X B B^T",
            lambda B, X, C: C.T @ X @ B @ B.T + C @ X @ B @ B.T,
            f"{COOKBOOK} (117)",
        )
    ),
    param(
        g(
            "tr(X^T B X C)",
            "X",
            "B X C + B^T X C^T",
            lambda X, B, C: B @ X @ C + B.T @ X @ C.T,
            f"{COOKBOOK} (118)",
        )
    ),
    # Cookbook order: A^T C^T X B^T + C A X B.
    param(
        g(
            "tr(A X B X^T C)",
            "X",
            "C A X B + A^T C^T X B^T",
            lambda A, X, B, C: A.T @ C.T @ X @ B.T + C @ A @ X @ B,
            f"{COOKBOOK} (119)",
        )
    ),
    param(
        g(
            "tr((A X B + C) (A X B + C)^T)",
            "X",
            "2 A^T (A X B + C) B^T",
            lambda A, X, B, C: 2 * A.T @ (A @ X @ B + C) @ B.T,
            f"{COOKBOOK} (120)",
        )
    ),
    param(
        g(
            "tr(X) tr(X)",
            "X",
            "2 tr(X) eye",
            lambda X: 2 * np.trace(X) * eye(len(X)),
            f"{COOKBOOK} (121): tr(X ⊗ X) = tr(X)^2",
        )
    ),
    param(
        g(
            "tr(X^3)",
            "X",
            "3 (X^T)^2",
            lambda X: 3 * mpow(X, 2).T,
            f"{COOKBOOK} (122), k = 3",
        )
    ),
    param(
        g(
            "tr(A X^2)",
            "X",
            "(X A + A X)^T",
            lambda A, X: (A @ X).T + (X @ A).T,
            f"{COOKBOOK} (123), k = 2",
        )
    ),
    param(
        g(
            "tr(A X^3)",
            "X",
            "(X^2 A + X A X + A X^2)^T",
            lambda A, X: (A @ mpow(X, 2)).T + (X @ A @ X).T + (mpow(X, 2) @ A).T,
            f"{COOKBOOK} (123), k = 3",
        )
    ),
]

DETERMINANTS: list[ParameterSet] = [
    param(
        g(
            "det(X)",
            "X",
            "det(X) X^-T",
            lambda X: np.linalg.det(X) * inv(X).T,
            f"{COOKBOOK} (49)",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "det(A X B)",
            "X",
            "det(A X B) A^T (A X B)^-T B^T",
            lambda A, X, B: np.linalg.det(A @ X @ B) * A.T @ inv(A @ X @ B).T @ B.T,
            f"{COOKBOOK} (51), A and B not square",
            Domain(dims="n=3 m=5 k=4"),
        )
    ),
    param(
        g(
            "det(X^T A X)",
            "X",
            "2 det(X^T A X) A X (X^T A X)^-1",
            lambda X, A: 2 * np.linalg.det(X.T @ A @ X) * A @ X @ inv(X.T @ A @ X),
            f"{COOKBOOK} (53), A symmetric, X not square",
            Domain(spd="A", dims="n=5 m=3"),
            symmetric="A",
        )
    ),
    param(
        g(
            "det(X^T A X)",
            "X",
            "det(X^T A X) (A X (X^T A X)^-1 + A^T X (X^T A^T X)^-1)",
            lambda X, A: (
                np.linalg.det(X.T @ A @ X)
                * (A @ X @ inv(X.T @ A @ X) + A.T @ X @ inv(X.T @ A.T @ X))
            ),
            f"{COOKBOOK} (54), X not square",
            Domain(invertible="A", dims="n=5 m=3"),
        )
    ),
    param(
        g(
            "logdet(X^T X)",
            "X",
            "2 X (X^T X)^-1",
            lambda X: 2 * X @ inv(X.T @ X),
            f"{COOKBOOK} (55): 2 (X^+)^T",
            Domain(dims="n=5 m=3"),
        )
    ),
    param(
        g("logdet(X)", "X", "X^-T", lambda X: inv(X).T, f"{COOKBOOK} (57)", Domain(invertible="X"))
    ),
    param(
        g(
            "log(det(X))",
            "X",
            "X^-T",
            lambda X: inv(X).T,
            f"{COOKBOOK} (57), via (43)",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "det(X^T)",
            "X",
            "det(X) X^-T",
            lambda X: np.linalg.det(X) * inv(X).T,
            f"{COOKBOOK} (49) with det(X^T) = det(X) (18)",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "det(X^2)",
            "X",
            "2 det(X^2) X^-T",
            lambda X: 2 * np.linalg.det(X @ X) * inv(X).T,
            f"{COOKBOOK} (58), k = 2",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "det(X^3)",
            "X",
            "3 det(X^3) X^-T",
            lambda X: 3 * np.linalg.det(mpow(X, 3)) * inv(X).T,
            f"{COOKBOOK} (58), k = 3",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "logdet(X^2)",
            "X",
            "2 X^-T",
            lambda X: 2 * inv(X).T,
            f"{COOKBOOK} (57), logdet(X^2) = 2 logdet(X)",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "logdet(A + X)",
            "X",
            "(A + X)^-T",
            lambda A, X: inv(A + X).T,
            f"{COOKBOOK} (57) and the chain rule",
            Domain(invertible="A,X"),
        )
    ),
]

INVERSES: list[ParameterSet] = [
    param(
        g(
            "a^T X^-1 b",
            "X",
            "-X^-T a b^T X^-T",
            lambda a, X, b: -inv(X).T @ np.outer(a, b) @ inv(X).T,
            f"{COOKBOOK} (61)",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "det(X^-1)",
            "X",
            "-det(X^-1) X^-T",
            lambda X: -np.linalg.det(inv(X)) * inv(X).T,
            f"{COOKBOOK} (62)",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "logdet(X^-1)",
            "X",
            "-X^-T",
            lambda X: -inv(X).T,
            f"{COOKBOOK} (57) with logdet(X^-1) = -logdet(X)",
            Domain(invertible="X"),
        )
    ),
    param(
        g(
            "tr(A X^-1 B)",
            "X",
            "-X^-T A^T B^T X^-T",
            lambda A, X, B: -(inv(X) @ B @ A @ inv(X)).T,
            f"{COOKBOOK} (63)",
            Domain(invertible="X"),
        )
    ),
    # Cookbook: -((X + A)^-1 (X + A)^-1)^T.
    param(
        g(
            "tr(inv(X + A))",
            "X",
            "-((X + A)^-T)^2",
            lambda X, A: -(inv(X + A) @ inv(X + A)).T,
            f"{COOKBOOK} (64)",
            Domain(invertible="X,A"),
        )
    ),
    param(
        g(
            "tr(X^-1)",
            "X",
            "-(X^-T)^2",
            lambda X: -(inv(X) @ inv(X)).T,
            f"{COOKBOOK} (64) with A = 0",
            Domain(invertible="X"),
        )
    ),
]

SCALAR_FORMS: list[ParameterSet] = [
    param(g("x^T a", "x", "a", lambda x, a: a, f"{COOKBOOK} (69)")),
    param(g("a^T x", "x", "a", lambda a, x: a, f"{COOKBOOK} (69)")),
    param(g("a^T X b", "X", "a b^T", lambda a, X, b: np.outer(a, b), f"{COOKBOOK} (70)")),
    param(g("a^T X^T b", "X", "b a^T", lambda a, X, b: np.outer(b, a), f"{COOKBOOK} (71)")),
    param(g("a^T X a", "X", "a a^T", lambda a, X: np.outer(a, a), f"{COOKBOOK} (72)")),
    param(
        g(
            "b^T X^T X c",
            "X",
            "X (b c^T + c b^T)",
            lambda b, X, c: X @ (np.outer(b, c) + np.outer(c, b)),
            f"{COOKBOOK} (78)",
        )
    ),
    # Cookbook order: B^T C (D x + d) + D^T C^T (B x + b).
    param(
        g(
            "(B x + b)^T C (D x + d)",
            "x",
            "D^T C^T (B x + b) + B^T C (D x + d)",
            lambda B, x, b, C, D, d: B.T @ C @ (D @ x + d) + D.T @ C.T @ (B @ x + b),
            f"{COOKBOOK} (79)",
        )
    ),
    param(g("x^T B x", "x", "(B + B^T) x", lambda x, B: (B + B.T) @ x, f"{COOKBOOK} (81)")),
    param(
        g(
            "x^T S x",
            "x",
            "2 S x",
            lambda x, S: 2 * S @ x,
            f"{COOKBOOK} (81), B symmetric",
            symmetric="S",
        )
    ),
    # Cookbook order: D^T X b c^T + D X c b^T.
    param(
        g(
            "b^T X^T D X c",
            "X",
            "D X c b^T + D^T X b c^T",
            lambda b, X, D, c: D.T @ X @ np.outer(b, c) + D @ X @ np.outer(c, b),
            f"{COOKBOOK} (82)",
        )
    ),
    param(
        g(
            "(X b + c)^T D (X b + c)",
            "X",
            "(D + D^T) (X b + c) b^T",
            lambda X, b, c, D: np.outer((D + D.T) @ (X @ b + c), b),
            f"{COOKBOOK} (83)",
        )
    ),
    param(
        g(
            "(x - A s)^T W (x - A s)",
            "s",
            "-2 A^T W (x - A s)",
            lambda x, A, s, W: -2 * A.T @ W @ (x - A @ s),
            f"{COOKBOOK} (84), W symmetric",
            symmetric="W",
        )
    ),
    param(
        g(
            "(x - s)^T W (x - s)",
            "x",
            "2 W (x - s)",
            lambda x, s, W: 2 * W @ (x - s),
            f"{COOKBOOK} (85), W symmetric",
            symmetric="W",
        )
    ),
    param(
        g(
            "(x - s)^T W (x - s)",
            "s",
            "-2 W (x - s)",
            lambda x, s, W: -2 * W @ (x - s),
            f"{COOKBOOK} (86), W symmetric",
            symmetric="W",
        )
    ),
    param(
        g(
            "(x - A s)^T W (x - A s)",
            "x",
            "2 W (x - A s)",
            lambda x, A, s, W: 2 * W @ (x - A @ s),
            f"{COOKBOOK} (87), W symmetric",
            symmetric="W",
        )
    ),
    param(
        g(
            "(x - A s)^T W (x - A s)",
            "A",
            "-2 W (x - A s) s^T",
            lambda x, A, s, W: -2 * np.outer(W @ (x - A @ s), s),
            f"{COOKBOOK} (88), W symmetric",
            symmetric="W",
        )
    ),
    # Cookbook: X^T a b^T + a b^T X^T; gradcli transposes the sum once (as short).
    param(
        g(
            "a^T X^2 b",
            "X",
            "(X b a^T + b a^T X)^T",
            lambda a, X, b: np.outer(a, b) @ X.T + X.T @ np.outer(a, b),
            f"{COOKBOOK} (89), k = 2",
        )
    ),
    # Cookbook: sum over r of (X^r)^T a b^T (X^(2-r))^T; gradcli transposes the sum once.
    param(
        g(
            "a^T X^3 b",
            "X",
            "(X^2 b a^T + X b a^T X + b a^T X^2)^T",
            lambda a, X, b: sum(mpow(X, r).T @ np.outer(a, b) @ mpow(X, 2 - r).T for r in range(3)),
            f"{COOKBOOK} (89), k = 3",
        )
    ),
    param(g("x^T A x", "A", "x x^T", lambda x, A: np.outer(x, x), f"{COOKBOOK} (72)")),
    param(
        g(
            "x^T A x + b^T x + c",
            "x",
            "(A + A^T) x + b",
            lambda x, A, b, c: (A + A.T) @ x + b,
            f"{COOKBOOK} (69), (81)",
            scalar="c",
        )
    ),
    param(
        g(
            "(a^T x)^2",
            "x",
            "2 (a^T x) a",
            lambda a, x: 2 * (a @ x) * a,
            "chain rule on (69)",
        )
    ),
    param(
        g(
            "exp(a^T x)",
            "x",
            "exp(a^T x) a",
            lambda a, x: np.exp(a @ x) * a,
            "chain rule on (69)",
        )
    ),
    # Textbook order: (b^T x) a + (a^T x) b.
    param(
        g(
            "a^T x x^T b",
            "x",
            "(a^T x) b + (b^T x) a",
            lambda a, x, b: (a @ x) * b + (b @ x) * a,
            "product rule on (69)",
        )
    ),
    param(
        g(
            "t^2 x^T x",
            "x",
            "2 t^2 x",
            lambda t, x: 2 * t**2 * x,
            f"{COOKBOOK} (131), scaled",
            scalar="t",
        )
    ),
]

SYMMETRIC: list[ParameterSet] = [
    param(
        g(
            "tr(A S)",
            "S",
            "0.5 (A + A^T)",
            lambda A, S: (A + A.T) / 2,
            f"{SYMMETRIC_GRADIENT}; {COOKBOOK} (101)",
            symmetric="S",
        )
    ),
    param(
        g(
            "logdet(S)",
            "S",
            "S^-1",
            lambda S: inv(S),
            f"{SYMMETRIC_GRADIENT}; {COOKBOOK} (57)",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
    param(
        g(
            "det(S)",
            "S",
            "det(S) S^-1",
            lambda S: np.linalg.det(S) * inv(S),
            f"{SYMMETRIC_GRADIENT}; {COOKBOOK} (49)",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
    param(
        g(
            "a^T S b",
            "S",
            "0.5 (a b^T + b a^T)",
            lambda a, S, b: (np.outer(a, b) + np.outer(b, a)) / 2,
            f"{SYMMETRIC_GRADIENT}; {COOKBOOK} (70)",
            symmetric="S",
        )
    ),
    param(
        g(
            "a^T S a",
            "S",
            "a a^T",
            lambda a, S: np.outer(a, a),
            f"{SYMMETRIC_GRADIENT}; {COOKBOOK} (72)",
            symmetric="S",
        )
    ),
    param(
        g(
            "tr(S^2)",
            "S",
            "2 S",
            lambda S: 2 * S,
            f"{SYMMETRIC_GRADIENT}; {COOKBOOK} (107)",
            symmetric="S",
        )
    ),
    param(
        g(
            "x^T S^-1 x",
            "x",
            "2 S^-1 x",
            lambda x, S: 2 * inv(S) @ x,
            f"{COOKBOOK} (81) with B = S^-1 symmetric",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
    param(
        g(
            "x^T S^-1 x",
            "S",
            "-S^-1 x x^T S^-1",
            lambda x, S: -inv(S) @ np.outer(x, x) @ inv(S),
            f"{SYMMETRIC_GRADIENT}; {COOKBOOK} (61)",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
    param(
        g(
            "tr(S^-1 A)",
            "S",
            "-0.5 S^-1 (A + A^T) S^-1",
            lambda S, A: -inv(S) @ (A + A.T) @ inv(S) / 2,
            f"{SYMMETRIC_GRADIENT}; {COOKBOOK} (63)",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
]

NORMS: list[ParameterSet] = [
    param(
        g(
            "||x - a||_2",
            "x",
            "(x - a) / ||x - a||",
            lambda x, a: (x - a) / np.linalg.norm(x - a),
            f"{COOKBOOK} (129)",
        )
    ),
    param(g("||x||", "x", "x / ||x||", lambda x: x / np.linalg.norm(x), f"{COOKBOOK} (129)")),
    param(g("||x||^2", "x", "2 x", lambda x: 2 * x, f"{COOKBOOK} (131)")),
    param(g("x^T x", "x", "2 x", lambda x: 2 * x, f"{COOKBOOK} (131)")),
    param(g("||x - a||^2", "x", "2 (x - a)", lambda x, a: 2 * (x - a), f"{COOKBOOK} (131)")),
    param(g("||X||_F^2", "X", "2 X", lambda X: 2 * X, f"{COOKBOOK} (132)")),
    param(
        g(
            "||X||_F",
            "X",
            "X / ||X||",
            lambda X: X / np.linalg.norm(X),
            f"{COOKBOOK} (132) and the chain rule",
        )
    ),
    param(g("||x||_1", "x", "sign(x)", lambda x: np.sign(x), "d|u| = sign(u) du")),
    param(
        g(
            "sqrt(x^T x)",
            "x",
            "x / sqrt(x^T x)",
            lambda x: x / np.sqrt(x @ x),
            f"{COOKBOOK} (129) with a = 0",
        )
    ),
    param(
        g(
            "log(x^T x)",
            "x",
            "2 x / (x^T x)",
            lambda x: 2 * x / (x @ x),
            f"{COOKBOOK} (131) and the chain rule",
        )
    ),
    param(
        g(
            "(x^T x)^2",
            "x",
            "4 (x^T x) x",
            lambda x: 4 * (x @ x) * x,
            f"{COOKBOOK} (131) and the chain rule",
        )
    ),
    param(
        g(
            "x^T A x / (x^T x)",
            "x",
            "(A + A^T) x / (x^T x) - 2 (x^T A x) x / (x^T x)^2",
            lambda x, A: (A + A.T) @ x / (x @ x) - 2 * (x @ A @ x) * x / (x @ x) ** 2,
            f"Rayleigh quotient: {COOKBOOK} (81), (131), quotient rule",
        )
    ),
]

ELEMENTWISE_FUNCTIONS: list[ParameterSet] = [
    param(g("sum(exp(x))", "x", "exp(x)", lambda x: np.exp(x), ELEMENTWISE)),
    param(g("sum(log(x))", "x", "1 ./ x", lambda x: 1 / x, ELEMENTWISE, Domain(positive="x"))),
    param(g("sum(sin(x))", "x", "cos(x)", lambda x: np.cos(x), ELEMENTWISE)),
    param(g("sum(cos(x))", "x", "-sin(x)", lambda x: -np.sin(x), ELEMENTWISE)),
    param(
        g(
            "sum(tan(x))",
            "x",
            "1 + tan(x) .^ 2",
            lambda x: 1 / np.cos(x) ** 2,
            ELEMENTWISE,
            Domain(unit="x"),
        )
    ),
    param(g("sum(tanh(x))", "x", "1 - tanh(x) .^ 2", lambda x: 1 / np.cosh(x) ** 2, ELEMENTWISE)),
    param(
        g(
            "sum(sqrt(x))",
            "x",
            "0.5 ./ sqrt(x)",
            lambda x: 0.5 / np.sqrt(x),
            ELEMENTWISE,
            Domain(positive="x"),
        )
    ),
    param(g("sum(abs(x))", "x", "sign(x)", lambda x: np.sign(x), ELEMENTWISE)),
    param(
        g(
            "sum(sigmoid(x))",
            "x",
            "sigmoid(x) .* (1 - sigmoid(x))",
            lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2,
            ELEMENTWISE,
        )
    ),
    param(g("sum(relu(x))", "x", "step(x)", lambda x: (x > 0).astype(float), ELEMENTWISE)),
    param(g("a^T exp(x)", "x", "a .* exp(x)", lambda a, x: a * np.exp(x), ELEMENTWISE)),
    param(g("a^T log(x)", "x", "a ./ x", lambda a, x: a / x, ELEMENTWISE, Domain(positive="x"))),
    param(g("a^T sin(x)", "x", "a .* cos(x)", lambda a, x: a * np.cos(x), ELEMENTWISE)),
    param(
        g(
            "a^T tanh(x)",
            "x",
            "a .* (1 - tanh(x) .^ 2)",
            lambda a, x: a / np.cosh(x) ** 2,
            ELEMENTWISE,
        )
    ),
    param(
        g(
            "a^T sqrt(x)",
            "x",
            "0.5 a ./ sqrt(x)",
            lambda a, x: a / (2 * np.sqrt(x)),
            ELEMENTWISE,
            Domain(positive="x"),
        )
    ),
    param(
        g(
            "a^T sigmoid(x)",
            "x",
            "a .* sigmoid(x) .* (1 - sigmoid(x))",
            lambda a, x: a * sig(x) * sig(-x),
            ELEMENTWISE,
        )
    ),
    param(g("a^T relu(x)", "x", "a .* step(x)", lambda a, x: a * (x > 0), ELEMENTWISE)),
    # J^T a with J = diag(s) - s s^T (Bishop PRML (4.106)).
    param(
        g(
            "a^T softmax(x)",
            "x",
            "softmax(x) .* (a - softmax(x)^T a)",
            lambda a, x: (np.diag(softmax(x)) - np.outer(softmax(x), softmax(x))) @ a,
            "Bishop PRML (4.106), transposed",
        )
    ),
    param(g("sum(exp(X))", "X", "exp(X)", lambda X: np.exp(X), ELEMENTWISE)),
    param(g("sum(log(X))", "X", "1 ./ X", lambda X: 1 / X, ELEMENTWISE, Domain(positive="X"))),
    param(
        g(
            "tr(A^T tanh(X))",
            "X",
            "A .* (1 - tanh(X) .^ 2)",
            lambda A, X: A / np.cosh(X) ** 2,
            f"{ELEMENTWISE}; {COOKBOOK} (104)",
        )
    ),
    # Textbook order: -2 x .* exp(-x .^ 2).
    param(
        g(
            "sum(exp(-x .^ 2))",
            "x",
            "-2 exp(-x .^ 2) .* x",
            lambda x: -2 * x * np.exp(-(x**2)),
            ELEMENTWISE,
        )
    ),
    param(
        g(
            "sum(x .* log(x))",
            "x",
            "log(x) + 1",
            lambda x: 1 + np.log(x),
            "negative entropy, Boyd & Vandenberghe §3.1.5",
            Domain(positive="x"),
        )
    ),
    param(
        g(
            "sum(sqrt(1 + x .^ 2))",
            "x",
            "x ./ sqrt(1 + x .^ 2)",
            lambda x: x / np.sqrt(1 + x**2),
            ELEMENTWISE,
        )
    ),
    param(
        g(
            "sum(cos(A x))",
            "x",
            "-A^T sin(A x)",
            lambda A, x: -A.T @ np.sin(A @ x),
            f"{ELEMENTWISE} and (69)",
        )
    ),
    param(
        g(
            "sum(exp(x) ./ (1 + exp(x)))",
            "x",
            "sigmoid(x) .* (1 - sigmoid(x))",
            lambda x: np.exp(x) / (1 + np.exp(x)) ** 2,
            "logistic function, quotient rule",
        )
    ),
]

HADAMARD_SUM_DIAG: list[ParameterSet] = [
    param(g("a^T (x .* y)", "x", "a .* y", lambda a, x, y: a * y, f"{COOKBOOK} §2.8 (Hadamard)")),
    param(g("sum(x .* y)", "x", "y", lambda x, y: y, f"{COOKBOOK} (69), sum(x .* y) = y^T x")),
    param(g("x^T (y .* x)", "x", "2 y .* x", lambda x, y: 2 * x * y, f"{COOKBOOK} (81)")),
    param(
        g(
            "sum(x ./ y)",
            "x",
            "1 ./ y",
            lambda x, y: 1 / y,
            ELEMENTWISE,
            Domain(positive="y"),
        )
    ),
    param(
        g(
            "sum(x ./ y)",
            "y",
            "-x ./ y .^ 2",
            lambda x, y: -x / y**2,
            ELEMENTWISE,
            Domain(positive="y"),
        )
    ),
    param(
        g(
            "a^T (x ./ y)",
            "y",
            "-a .* x ./ y .^ 2",
            lambda a, x, y: -a * x / y**2,
            ELEMENTWISE,
            Domain(positive="y"),
        )
    ),
    param(g("sum(X .* Y)", "X", "Y", lambda X, Y: Y, f"{COOKBOOK} (104), tr(X^T Y)")),
    param(
        g(
            "sum(X ./ Y)",
            "Y",
            "-X ./ Y .^ 2",
            lambda X, Y: -X / Y**2,
            ELEMENTWISE,
            Domain(positive="Y"),
        )
    ),
    param(g("sum(x .^ 3)", "x", "3 x .^ 2", lambda x: 3 * x**2, ELEMENTWISE)),
    param(
        g("x^T diag(a) x", "x", "2 a .* x", lambda x, a: 2 * a * x, f"{COOKBOOK} (81), symmetric")
    ),
    param(
        g(
            "a^T diag(x) y",
            "x",
            "y .* a",
            lambda a, x, y: a * y,
            "diag(x) y = x .* y",
        )
    ),
    param(
        g(
            "x^T diag(x) x",
            "x",
            "3 x .^ 2",
            lambda x: 3 * x**2,
            "x^T diag(x) x = sum(x .^ 3)",
        )
    ),
    param(g("sum(x)", "x", "ones", lambda x: np.ones_like(x), "sum(x) = 1^T x, (69)")),
    param(g("sum(X)", "X", "ones ones^T", lambda X: np.ones_like(X), "sum(X) = 1^T X 1, (70)")),
    param(g("sum(diag(X))", "X", "eye", lambda X: eye(len(X)), f"{COOKBOOK} (100)")),
    param(g("a^T diag(X)", "X", "diag(a)", lambda a, X: np.diag(a), "a^T diag(X) = tr(diag(a) X)")),
    param(g("tr(diag(x))", "x", "ones", lambda x: np.ones_like(x), "tr(diag(x)) = sum(x)")),
    param(
        g(
            "tr(diag(x) A)",
            "x",
            "diag(A)",
            lambda x, A: np.diag(A).copy(),
            "tr(diag(x) A) = diag(A)^T x",
        )
    ),
    param(
        g(
            "sum(x)^2",
            "x",
            "2 sum(x) ones",
            lambda x: 2 * x.sum() * np.ones_like(x),
            "chain rule on sum(x) = 1^T x",
        )
    ),
]

MACHINE_LEARNING: list[ParameterSet] = [
    param(
        g(
            "||A x - b||^2",
            "x",
            "2 A^T (A x - b)",
            lambda A, x, b: 2 * A.T @ (A @ x - b),
            "least squares, Boyd & Vandenberghe App. A.4.1",
        )
    ),
    param(
        g(
            "0.5 ||A x - b||^2",
            "x",
            "A^T (A x - b)",
            lambda A, x, b: A.T @ (A @ x - b),
            "least squares, Boyd & Vandenberghe App. A.4.1",
        )
    ),
    param(
        g(
            "x^T A^T A x - 2 b^T A x",
            "x",
            "2 A^T (A x - b)",
            lambda x, A, b: 2 * A.T @ (A @ x - b),
            f"normal equations, {COOKBOOK} (69), (81)",
        )
    ),
    # Textbook: 2 A^T (A x - b) + 2 t x (the same, factored).
    param(
        g(
            "||A x - b||^2 + t ||x||^2",
            "x",
            "2 (t x + A^T (A x - b))",
            lambda A, x, b, t: 2 * A.T @ (A @ x - b) + 2 * t * x,
            "ridge regression, Hastie et al. ESL (3.44)",
            scalar="t",
        )
    ),
    # Textbook order: 2 A^T (A x - b) + t sign(x).
    param(
        g(
            "||A x - b||^2 + t ||x||_1",
            "x",
            "t sign(x) + 2 A^T (A x - b)",
            lambda A, x, b, t: 2 * A.T @ (A @ x - b) + t * np.sign(x),
            "lasso (a subgradient), Hastie et al. ESL (3.52)",
            scalar="t",
        )
    ),
    param(
        g(
            "sum(abs(A x - b))",
            "x",
            "A^T sign(A x - b)",
            lambda A, x, b: A.T @ np.sign(A @ x - b),
            "least absolute deviations (a subgradient)",
        )
    ),
    param(
        g(
            "||A X - B||_F^2",
            "X",
            "2 A^T (A X - B)",
            lambda A, X, B: 2 * A.T @ (A @ X - B),
            f"{COOKBOOK} (120) with B = I",
        )
    ),
    param(
        g(
            "||X a - b||^2",
            "X",
            "2 (X a - b) a^T",
            lambda X, a, b: 2 * np.outer(X @ a - b, a),
            f"{COOKBOOK} (83) with D = I",
        )
    ),
    param(
        g(
            "sum(log(1 + exp(X w))) - y^T X w",
            "w",
            "X^T (sigmoid(X w) - y)",
            lambda X, w, y: X.T @ (sig(X @ w) - y),
            "logistic regression, Bishop PRML (4.91)",
        )
    ),
    param(
        g(
            "-y^T log(sigmoid(X w)) - (1 - y)^T log(1 - sigmoid(X w))",
            "w",
            "X^T (sigmoid(X w) - y)",
            lambda y, X, w: X.T @ (sig(X @ w) - y),
            "logistic regression cross-entropy, Bishop PRML (4.91)",
        )
    ),
    param(
        g(
            "sum(log(1 + exp(-y .* (X w))))",
            "w",
            "-X^T (sigmoid(-y .* (X w)) .* y)",
            lambda y, X, w: -X.T @ (y * sig(-y * (X @ w))),
            "logistic loss with labels ±1, Hastie et al. ESL §4.4",
            Domain(sign="y"),
        )
    ),
    param(
        g(
            "log(1 + exp(w^T x))",
            "w",
            "sigmoid(w^T x) x",
            lambda w, x: sig(w @ x) * x,
            "softplus and the chain rule",
        )
    ),
    param(
        g(
            "log(sum(exp(x)))",
            "x",
            "softmax(x)",
            lambda x: softmax(x),
            "log-sum-exp, Boyd & Vandenberghe §3.1.5",
        )
    ),
    param(
        g(
            "log(sum(exp(W x))) - y^T W x",
            "W",
            "(softmax(W x) - y) x^T",
            lambda W, x, y: np.outer(softmax(W @ x) - y, x),
            "softmax cross-entropy, Bishop PRML (4.109)",
        )
    ),
    # The textbook's (softmax(W x) - y) x^T assumes sum(y) = 1; this holds for any y.
    param(
        g(
            "-y^T log(softmax(W x))",
            "W",
            "(sum(y) softmax(W x) - y) x^T",
            lambda y, W, x: np.outer(y.sum() * softmax(W @ x) - y, x),
            "softmax cross-entropy, Bishop PRML (4.109), any y",
        )
    ),
    param(
        g(
            "y^T log(softmax(x))",
            "x",
            "y - sum(y) softmax(x)",
            lambda y, x: y - y.sum() * softmax(x),
            "log-softmax, Bishop PRML (4.106)",
        )
    ),
    param(
        g(
            "-0.5 logdet(S) - 0.5 (x - m)^T S^-1 (x - m)",
            "S",
            "0.5 (S^-1 (x - m) (x - m)^T S^-1 - S^-1)",
            lambda S, x, m: 0.5 * (inv(S) @ np.outer(x - m, x - m) @ inv(S) - inv(S)),
            f"Gaussian log-likelihood, Bishop PRML §2.3.4; {COOKBOOK} (57), (61)",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
    param(
        g(
            "-0.5 logdet(S) - 0.5 (x - m)^T S^-1 (x - m)",
            "m",
            "S^-1 (x - m)",
            lambda S, x, m: inv(S) @ (x - m),
            f"Gaussian log-likelihood, Bishop PRML (2.121); {COOKBOOK} (86)",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
    param(
        g(
            "-logdet(S) - (x - m)^T S^-1 (x - m)",
            "m,S",
            "2 S^-1 (x - m)\nS^-1 (x - m) (x - m)^T S^-1 - S^-1",
            lambda S, x, m: (
                2 * inv(S) @ (x - m),
                inv(S) @ np.outer(x - m, x - m) @ inv(S) - inv(S),
            ),
            "Gaussian log-likelihood, Bishop PRML §2.3.4",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
    param(
        g(
            "logdet(S) + tr(S^-1 C)",
            "S",
            "S^-1 - S^-1 C S^-1",
            lambda S, C: inv(S) - inv(S) @ C @ inv(S),
            f"Gaussian ML covariance; {COOKBOOK} (57), (63)",
            Domain(spd="S,C"),
            symmetric="S,C",
        )
    ),
    param(
        g(
            "-logdet(S) + tr(S C)",
            "S",
            "C - S^-1",
            lambda S, C: C - inv(S),
            "graphical lasso objective (smooth part), Friedman et al. 2008",
            Domain(spd="S,C"),
            symmetric="S,C",
        )
    ),
    param(
        g(
            "||y - W2 tanh(W1 x)||^2",
            "W1",
            "-2 ((W2^T (y - W2 tanh(W1 x))) .* (1 - tanh(W1 x) .^ 2)) x^T",
            lambda y, W2, W1, x: (
                -2 * np.outer((W2.T @ (y - W2 @ np.tanh(W1 @ x))) / np.cosh(W1 @ x) ** 2, x)
            ),
            "backpropagation, Goodfellow et al. Deep Learning §6.5",
        )
    ),
    param(
        g(
            "||y - W2 tanh(W1 x)||^2",
            "W2",
            "-2 (y - W2 tanh(W1 x)) tanh(W1 x)^T",
            lambda y, W2, W1, x: -2 * np.outer(y - W2 @ np.tanh(W1 @ x), np.tanh(W1 @ x)),
            "backpropagation, Goodfellow et al. Deep Learning §6.5",
        )
    ),
    param(
        g(
            "||y - W2 relu(W1 x)||^2",
            "W1",
            "-2 ((W2^T (y - W2 relu(W1 x))) .* step(W1 x)) x^T",
            lambda y, W2, W1, x: (
                -2 * np.outer((W2.T @ (y - W2 @ np.maximum(W1 @ x, 0))) * (W1 @ x > 0), x)
            ),
            "backpropagation, Goodfellow et al. Deep Learning §6.5",
        )
    ),
    param(
        g(
            "||y - W2 relu(W1 x)||^2",
            "W1,W2",
            "-2 ((W2^T (y - W2 relu(W1 x))) .* step(W1 x)) x^T\n"
            "-2 (y - W2 relu(W1 x)) relu(W1 x)^T",
            lambda y, W2, W1, x: (
                -2 * np.outer((W2.T @ (y - W2 @ np.maximum(W1 @ x, 0))) * (W1 @ x > 0), x),
                -2 * np.outer(y - W2 @ np.maximum(W1 @ x, 0), np.maximum(W1 @ x, 0)),
            ),
            "backpropagation, Goodfellow et al. Deep Learning §6.5",
        )
    ),
    param(
        g(
            "||y - W2 sigmoid(W1 x)||^2",
            "W1",
            "-2 ((W2^T (y - W2 s)) .* s .* (1 - s)) x^T where s = sigmoid(W1 x)",
            lambda y, W2, W1, x: (
                -2
                * np.outer(
                    (W2.T @ (y - W2 @ sig(W1 @ x))) * sig(W1 @ x) * (1 - sig(W1 @ x)),
                    x,
                )
            ),
            "backpropagation, Goodfellow et al. Deep Learning §6.5",
        )
    ),
    param(
        g(
            "sum(relu(W x))",
            "W",
            "step(W x) x^T",
            lambda W, x: np.outer(W @ x > 0, x).astype(float),
            "backpropagation through relu",
        )
    ),
    param(
        g(
            "sum(tanh(W x + b))",
            "b",
            "1 - tanh(W x + b) .^ 2",
            lambda W, x, b: 1 / np.cosh(W @ x + b) ** 2,
            ELEMENTWISE,
        )
    ),
    param(
        g(
            "||R - U V^T||_F^2",
            "U",
            "-2 (R - U V^T) V",
            lambda R, U, V: -2 * (R - U @ V.T) @ V,
            f"matrix factorization, Koren et al. 2009; {COOKBOOK} (120)",
        )
    ),
    # Textbook: -2 (R - U V^T)^T U.
    param(
        g(
            "||R - U V^T||_F^2",
            "V",
            "-2 (R^T - V U^T) U",
            lambda R, U, V: -2 * (R - U @ V.T).T @ U,
            f"matrix factorization, Koren et al. 2009; {COOKBOOK} (120)",
        )
    ),
    param(
        g(
            "||R - U V^T||_F^2",
            "U,V",
            "-2 (R - U V^T) V\n-2 (R^T - V U^T) U",
            lambda R, U, V: (-2 * (R - U @ V.T) @ V, -2 * (R - U @ V.T).T @ U),
            f"matrix factorization (alternating), {COOKBOOK} (120)",
        )
    ),
]

MULTIPLE_AND_ZERO: list[ParameterSet] = [
    param(
        g(
            "x^T A y",
            "x,y",
            "A y\nA^T x",
            lambda x, A, y: (A @ y, A.T @ x),
            f"{COOKBOOK} (69), one result per --wrt",
        )
    ),
    # Textbook: [2 x y, x^2 + 3 y^2].
    param(
        g(
            "x^2 y + y^3",
            "x,y",
            "[2 y x, 3 y^2 + x^2]",
            lambda x, y: np.array([2 * x * y, x**2 + 3 * y**2]),
            "calculus: gradient of a function of two variables",
            scalar="x,y",
        )
    ),
    param(
        g(
            "sin(x y)",
            "x,y",
            "[y cos(x y), x cos(x y)]",
            lambda x, y: np.array([y * np.cos(x * y), x * np.cos(x * y)]),
            "calculus: gradient of a function of two variables",
            scalar="x,y",
        )
    ),
    param(
        g(
            "tanh(a b)",
            "a,b",
            "[b (1 - tanh(a b)^2), a (1 - tanh(a b)^2)]",
            lambda a, b: np.array([b, a]) / np.cosh(a * b) ** 2,
            "README tour",
            scalar="a,b",
        )
    ),
    simplification(
        g(
            "t^2 x^T x",
            "t",
            "2 t x^T x",
            lambda t, x: 2 * t * (x @ x),
            "calculus: d(t^2 c)/dt = 2 t c",
            scalar="t",
        ),
        "2 (x^T x) t",
    ),
    param(
        g(
            "||x||^2 + t",
            "t",
            "1",
            lambda x, t: 1.0,
            "calculus",
            scalar="t",
        )
    ),
    param(
        g(
            "x^T A x",
            "z",
            "zeros",
            lambda x, A, z: np.zeros_like(z),
            "SPEC §1: a --wrt that does not occur gives zero",
        )
    ),
    param(
        g(
            "x^T A x",
            "Z",
            "zeros zeros^T",
            lambda x, A, Z: np.zeros_like(Z),
            "SPEC §1: a --wrt that does not occur gives zero",
        )
    ),
    param(
        g(
            "x^T A x",
            "t",
            "0",
            lambda x, A, t: 0.0,
            "SPEC §1: a --wrt that does not occur gives zero",
            scalar="t",
        )
    ),
    param(
        g(
            "a^T x",
            "x,z",
            "a\nzeros",
            lambda a, x, z: (a, np.zeros_like(z)),
            "SPEC §1: one result per --wrt, zero for one that does not occur",
        )
    ),
]

# --- functions of the primitive table (gradcli/ir/functions.py): the gradient
# of sum(f(x)) and of a^T f(x), the Jacobian of f(x) and a model's gradient.
# References are plain NumPy. ---

TABLE_FUNCTIONS: list[ParameterSet] = [
    param(g("sum(softplus(x))", "x", "sigmoid(x)", lambda x: np.exp(x) / (1 + np.exp(x)), DL)),
    param(g("a^T softplus(x)", "x", "a .* sigmoid(x)", lambda a, x: a / (1 + np.exp(-x)), DL)),
    param(
        g(
            "sum(softplus(X w)) - y^T X w",
            "w",
            "X^T (sigmoid(X w) - y)",
            lambda X, w, y: X.T @ (1 / (1 + np.exp(-X @ w)) - y),
            f"logistic regression written with softplus: {DL}",
        )
    ),
    param(
        g(
            "sum(log1p(x))",
            "x",
            "1 ./ (1 + x)",
            lambda x: 1 / (1 + x),
            DLMF_LOG,
            Domain(positive="x"),
        )
    ),
    param(
        g(
            "a^T log1p(x)",
            "x",
            "a ./ (1 + x)",
            lambda a, x: a / (1 + x),
            DLMF_LOG,
            Domain(positive="x"),
        )
    ),
    param(g("sum(expm1(x))", "x", "exp(x)", lambda x: np.exp(x), DLMF_LOG)),
    param(g("a^T expm1(x)", "x", "a .* exp(x)", lambda a, x: a * np.exp(x), DLMF_LOG)),
    param(g("sum(sinh(x))", "x", "cosh(x)", lambda x: (np.exp(x) + np.exp(-x)) / 2, DLMF_HYP)),
    param(g("sum(cosh(x))", "x", "sinh(x)", lambda x: (np.exp(x) - np.exp(-x)) / 2, DLMF_HYP)),
    param(g("a^T cosh(x)", "x", "a .* sinh(x)", lambda a, x: a * np.sinh(x), DLMF_HYP)),
    param(g("sum(arctan(x))", "x", "1 ./ (1 + x .^ 2)", lambda x: 1 / (1 + x**2), DLMF_ATAN)),
    param(g("sum(atan(x))", "x", "1 ./ (1 + x .^ 2)", lambda x: 1 / (1 + x**2), "atan is arctan")),
    param(g("a^T atan(x)", "x", "a ./ (1 + x .^ 2)", lambda a, x: a / (1 + x**2), DLMF_ATAN)),
    param(g("trace(X A)", "X", "A^T", lambda X, A: A.T, f"trace is tr: {COOKBOOK} (101)")),
    param(g("sum(max(x, y))", "x", "step(x - y)", lambda x, y: 1.0 * (x > y), MAX_MIN)),
    param(g("sum(max(x, y))", "y", "1 - step(x - y)", lambda x, y: 1.0 * (y > x), MAX_MIN)),
    param(g("sum(min(x, y))", "x", "1 - step(x - y)", lambda x, y: 1.0 * (x < y), MAX_MIN)),
    param(
        g(
            "sum(max(x, 0))",
            "x",
            "step(x)",
            lambda x: 1.0 * (x > 0),
            f"max(x, 0) = relu(x): {MAX_MIN}",
        )
    ),
    param(g("a^T min(x, 1)", "x", "a .* (1 - step(x - 1))", lambda a, x: a * (x < 1), MAX_MIN)),
    simplification(
        g(
            "sum(max(0, 1 - y .* (X w)))",
            "w",
            "-X^T (y .* step(1 - y .* (X w)))",
            lambda X, w, y: -X.T @ (y * (1 - y * (X @ w) > 0)),
            f"hinge loss (support vector machine): {MAX_MIN}",
        ),
        "X^T ((step(y .* (X w) - 1) - 1) .* y)",
    ),
    param(g("logsumexp(x)", "x", "softmax(x)", lambda x: softmax(x), BOYD)),
    param(
        g("logsumexp(W x)", "W", "softmax(W x) x^T", lambda W, x: np.outer(softmax(W @ x), x), BOYD)
    ),
    param(
        g(
            "logsumexp(W x) - y^T W x",
            "x",
            "W^T (softmax(W x) - y)",
            lambda W, x, y: W.T @ (softmax(W @ x) - y),
            f"cross-entropy of a linear model: {BOYD}",
        )
    ),
]

TABLE_JACOBIANS: list[ParameterSet] = [
    param(jac("softplus(x)", "x", "diag(sigmoid(x))", lambda x: np.diag(sig(x)), DL)),
    param(
        jac(
            "log1p(x)",
            "x",
            "diag(1 ./ (1 + x))",
            lambda x: np.diag(1 / (1 + x)),
            DLMF_LOG,
            Domain(positive="x"),
        )
    ),
    param(jac("expm1(x)", "x", "diag(exp(x))", lambda x: np.diag(np.exp(x)), DLMF_LOG)),
    param(jac("sinh(x)", "x", "diag(cosh(x))", lambda x: np.diag(np.cosh(x)), DLMF_HYP)),
    param(jac("cosh(x)", "x", "diag(sinh(x))", lambda x: np.diag(np.sinh(x)), DLMF_HYP)),
    param(
        jac("atan(x)", "x", "diag(1 ./ (1 + x .^ 2))", lambda x: np.diag(1 / (1 + x**2)), DLMF_ATAN)
    ),
    param(jac("max(x, y)", "x", "diag(step(x - y))", lambda x, y: np.diag(1.0 * (x > y)), MAX_MIN)),
    param(
        jac(
            "max(x, y)",
            "y",
            "eye - diag(step(x - y))",
            lambda x, y: np.diag(1.0 * (y > x)),
            MAX_MIN,
        )
    ),
    param(jac("logsumexp(x)", "x", "softmax(x)^T", lambda x: softmax(x).reshape(1, -1), BOYD)),
]

TABLE_HESSIANS: list[ParameterSet] = [
    param(
        hess(
            "sum(softplus(x))",
            "x",
            "diag(sigmoid(x) .* (1 - sigmoid(x)))",
            lambda x: np.diag(np.exp(-x) / (1 + np.exp(-x)) ** 2),
            DL,
        )
    ),
    param(
        hess(
            "logsumexp(x)",
            "x",
            "diag(softmax(x)) - softmax(x) softmax(x)^T",
            lambda x: np.diag(softmax(x)) - np.outer(softmax(x), softmax(x)),
            BOYD,
        )
    ),
]

# Under assumptions the user declares (docs/language.md#assumptions): the forms
# that hold only there, drawn only there.
ASSUMED = [
    param(
        g(
            "-y^T log(softmax(W x))",
            "W",
            "(softmax(W x) - y) x^T",
            lambda y, W, x: np.outer(softmax(W @ x) - y, x),
            "softmax cross-entropy, Bishop PRML (4.109), y a probability vector",
            Domain(simplex="y"),
            simplex="y",
        )
    ),
    param(
        g(
            "-y^T log(softmax(x))",
            "x",
            "softmax(x) - y",
            lambda y, x: softmax(x) - y,
            "softmax cross-entropy w.r.t. the logits, y one-hot",
            Domain(simplex="y"),
            onehot="y",
        )
    ),
    param(
        g(
            "det(X^T A X)",
            "X",
            "2 det(X^T A X) X^-T",
            lambda X, A: 2 * np.linalg.det(X.T @ A @ X) * inv(X).T,
            f"{COOKBOOK} (52), X square",
            Domain(invertible="X,A"),
            square="X",
        )
    ),
    param(
        g(
            "||Q x - b||^2",
            "x",
            "2 (x - Q^T b)",
            lambda Q, x, b: 2 * (x - Q.T @ b),
            "least squares with an orthogonal Q (Golub & Van Loan §5.3)",
            Domain(orthogonal="Q"),
            orthogonal="Q",
        )
    ),
]

GRAD: list[ParameterSet] = [
    *TRACES,
    *DETERMINANTS,
    *INVERSES,
    *SCALAR_FORMS,
    *SYMMETRIC,
    *NORMS,
    *ELEMENTWISE_FUNCTIONS,
    *HADAMARD_SUM_DIAG,
    *MACHINE_LEARNING,
    *MULTIPLE_AND_ZERO,
    *TABLE_FUNCTIONS,
    *ASSUMED,
]


# --------------------------------------------------------------------------
# jacobian
# --------------------------------------------------------------------------

JACOBIAN: list[ParameterSet] = [
    param(jac("A x", "x", "A", lambda A, x: A, f"{COOKBOOK} (69), numerator layout")),
    param(jac("A x + b", "x", "A", lambda A, x, b: A, "affine map")),
    param(jac("x", "x", "eye", lambda x: eye(len(x)), "identity map")),
    param(jac("x - A x", "x", "eye - A", lambda x, A: eye(len(x)) - A, "affine map")),
    param(jac("exp(x)", "x", "diag(exp(x))", lambda x: np.diag(np.exp(x)), ELEMENTWISE)),
    param(
        jac(
            "log(x)",
            "x",
            "diag(1 ./ x)",
            lambda x: np.diag(1 / x),
            ELEMENTWISE,
            Domain(positive="x"),
        )
    ),
    param(jac("sin(x)", "x", "diag(cos(x))", lambda x: np.diag(np.cos(x)), ELEMENTWISE)),
    param(
        jac(
            "tanh(x)",
            "x",
            "diag(1 - tanh(x) .^ 2)",
            lambda x: np.diag(1 / np.cosh(x) ** 2),
            ELEMENTWISE,
        )
    ),
    param(
        jac(
            "sigmoid(x)",
            "x",
            "diag(sigmoid(x) .* (1 - sigmoid(x)))",
            lambda x: np.diag(sig(x) * sig(-x)),
            ELEMENTWISE,
        )
    ),
    # Textbook: diag(0.5 ./ sqrt(x)).
    param(
        jac(
            "sqrt(x)",
            "x",
            "0.5 diag(1 ./ sqrt(x))",
            lambda x: np.diag(0.5 / np.sqrt(x)),
            ELEMENTWISE,
            Domain(positive="x"),
        )
    ),
    param(
        jac("relu(x)", "x", "diag(step(x))", lambda x: np.diag((x > 0).astype(float)), ELEMENTWISE)
    ),
    param(jac("abs(x)", "x", "diag(sign(x))", lambda x: np.diag(np.sign(x)), ELEMENTWISE)),
    param(
        jac(
            "sin(W x)",
            "x",
            "diag(cos(W x)) W",
            lambda W, x: np.diag(np.cos(W @ x)) @ W,
            f"{ELEMENTWISE}; README tour",
        )
    ),
    param(
        jac(
            "exp(A x)",
            "x",
            "diag(exp(A x)) A",
            lambda A, x: np.diag(np.exp(A @ x)) @ A,
            ELEMENTWISE,
        )
    ),
    param(
        jac(
            "sigmoid(W x + b)",
            "x",
            "diag(sigmoid(W x + b) .* (1 - sigmoid(W x + b))) W",
            lambda W, x, b: np.diag(sig(W @ x + b) * sig(-(W @ x + b))) @ W,
            "a dense layer, Goodfellow et al. Deep Learning §6.5",
        )
    ),
    param(jac("x .* y", "x", "diag(y)", lambda x, y: np.diag(y), f"{COOKBOOK} §2.8 (Hadamard)")),
    param(jac("x .* y", "y", "diag(x)", lambda x, y: np.diag(x), f"{COOKBOOK} §2.8 (Hadamard)")),
    param(jac("x .* x", "x", "2 diag(x)", lambda x: 2 * np.diag(x), ELEMENTWISE)),
    param(
        jac(
            "x ./ y",
            "y",
            "-diag(x ./ y .^ 2)",
            lambda x, y: -np.diag(x / y**2),
            ELEMENTWISE,
            Domain(positive="y"),
        )
    ),
    param(
        jac(
            "softmax(x)",
            "x",
            "diag(softmax(x)) - softmax(x) softmax(x)^T",
            lambda x: np.diag(softmax(x)) - np.outer(softmax(x), softmax(x)),
            "Bishop PRML (4.106)",
        )
    ),
    param(
        jac(
            "exp(x) ./ sum(exp(x))",
            "x",
            "diag(softmax(x)) - softmax(x) softmax(x)^T",
            lambda x: np.diag(softmax(x)) - np.outer(softmax(x), softmax(x)),
            "Bishop PRML (4.104), (4.106)",
        )
    ),
    param(
        jac(
            "softmax(W x)",
            "x",
            "(diag(softmax(W x)) - softmax(W x) softmax(W x)^T) W",
            lambda W, x: (np.diag(softmax(W @ x)) - np.outer(softmax(W @ x), softmax(W @ x))) @ W,
            "Bishop PRML (4.106) and the chain rule",
        )
    ),
    param(
        jac(
            "x / ||x||",
            "x",
            "eye / ||x|| - x x^T / ||x||^3",
            lambda x: eye(len(x)) / np.linalg.norm(x) - np.outer(x, x) / np.linalg.norm(x) ** 3,
            f"{COOKBOOK} (130) with a = 0",
        )
    ),
    param(
        jac(
            "(x - a) / ||x - a||",
            "x",
            "eye / ||x - a|| - (x - a) (x - a)^T / ||x - a||^3",
            lambda x, a: (
                eye(len(x)) / np.linalg.norm(x - a)
                - np.outer(x - a, x - a) / np.linalg.norm(x - a) ** 3
            ),
            f"{COOKBOOK} (130)",
        )
    ),
    # Textbook: [[2 x y, x^2], [5, cos(y)]].
    param(
        jac(
            "[x^2 y, 5 x + sin(y)]",
            "x,y",
            "[[2 y x, x^2], [5, cos(y)]]",
            lambda x, y: np.array([[2 * x * y, x**2], [5, np.cos(y)]]),
            "Wikipedia, Jacobian matrix and determinant, Example 1",
            scalar="x,y",
        )
    ),
    param(
        jac(
            "[r cos(t), r sin(t)]",
            "r,t",
            "[[cos(t), -r sin(t)], [sin(t), r cos(t)]]",
            lambda r, t: np.array([[np.cos(t), -r * np.sin(t)], [np.sin(t), r * np.cos(t)]]),
            "Wikipedia, Jacobian matrix and determinant, Example 2 (polar coordinates)",
            scalar="r,t",
        )
    ),
    param(
        jac(
            "[x y z, x + y + z, x^2]",
            "x,y,z",
            "[[y z, x z, x y], [1, 1, 1], [2 x, 0, 0]]",
            lambda x, y, z: np.array([[y * z, x * z, x * y], [1, 1, 1], [2 * x, 0, 0]]),
            "calculus: Jacobian of R^3 -> R^3",
            scalar="x,y,z",
        )
    ),
    param(
        jac(
            "x^T A x",
            "x",
            "x^T (A + A^T)",
            lambda x, A: row((A + A.T) @ x),
            "SPEC §1: a scalar f gives the 1 x n row (grad f)^T",
        )
    ),
    param(jac("a^T x", "x", "a^T", lambda a, x: row(a), "SPEC §1: the 1 x n row (grad f)^T")),
    param(
        jac(
            "[x^T x, a^T x]",
            "x",
            "[[2 x^T], [a^T]]",
            lambda x, a: np.vstack([2 * x, a]),
            "rows are the transposed gradients",
        )
    ),
    param(
        jac(
            "x t",
            "t",
            "x",
            lambda x, t: col(x),
            "SPEC §1: the Jacobian w.r.t. one scalar is m x 1",
            scalar="t",
        )
    ),
    param(
        jac(
            "x t",
            "x",
            "t eye",
            lambda x, t: t * eye(len(x)),
            "scaling map",
            scalar="t",
        )
    ),
    param(
        jac(
            "A x",
            "x",
            "A^T",
            lambda A, x: A.T,
            "denominator layout (Wikipedia, Matrix calculus, Layout conventions)",
            layout="denominator",
        )
    ),
    param(
        jac(
            "sin(W x)",
            "x",
            "W^T diag(cos(W x))",
            lambda W, x: (np.diag(np.cos(W @ x)) @ W).T,
            "denominator layout",
            layout="denominator",
        )
    ),
    param(
        jac(
            "x^T A x",
            "x",
            "(A + A^T) x",
            lambda x, A: col((A + A.T) @ x),
            "denominator layout: the n x 1 gradient",
            layout="denominator",
        )
    ),
    param(
        jac(
            "[x^2 y, 5 x + sin(y)]",
            "x,y",
            "[[2 y x, 5], [x^2, cos(y)]]",
            lambda x, y: np.array([[2 * x * y, x**2], [5, np.cos(y)]]).T,
            "denominator layout of Wikipedia's Example 1",
            scalar="x,y",
            layout="denominator",
        )
    ),
    param(
        jac(
            "A X B",
            "X",
            "kron(B^T, A)",
            lambda A, X, B: np.kron(B.T, A),
            f"{COOKBOOK} (520): vec(A X B) = (B^T ⊗ A) vec(X)",
        )
    ),
    param(
        jac(
            "A X",
            "X",
            "kron(eye, A)",
            lambda A, X: np.kron(eye(X.shape[1]), A),
            f"{COOKBOOK} (520) with B = I",
        )
    ),
    param(
        jac(
            "X B",
            "X",
            "kron(B^T, eye)",
            lambda X, B: np.kron(B.T, eye(X.shape[0])),
            f"{COOKBOOK} (520) with A = I",
        )
    ),
    param(
        jac(
            "X^2",
            "X",
            "kron(eye, X) + kron(X^T, eye)",
            lambda X: np.kron(eye(len(X)), X) + np.kron(X.T, eye(len(X))),
            "Magnus & Neudecker, Matrix Differential Calculus, ch. 9: d(X^2) = dX X + X dX",
        )
    ),
    param(
        jac(
            "X^-1",
            "X",
            "-kron(X^-T, X^-1)",
            lambda X: -np.kron(inv(X).T, inv(X)),
            f"{COOKBOOK} (59) in vec form; Magnus & Neudecker ch. 9",
            Domain(invertible="X"),
        )
    ),
    param(
        jac(
            "W x",
            "W",
            "kron(x^T, eye)",
            lambda W, x: np.kron(row(x), eye(W.shape[0])),
            f"{COOKBOOK} (520): vec(W x) = (x^T ⊗ I) vec(W)",
        )
    ),
    param(
        jac(
            "tanh(W x + b)",
            "W",
            "diag(1 - tanh(W x + b) .^ 2) kron(x^T, eye)",
            lambda W, x, b: np.diag(1 / np.cosh(W @ x + b) ** 2) @ np.kron(row(x), eye(len(b))),
            f"{ELEMENTWISE}; {COOKBOOK} (520)",
        )
    ),
    param(
        jac(
            "tr(X)",
            "X",
            "vec(eye)^T",
            lambda X: row(vec(eye(len(X)))),
            f"{COOKBOOK} (100), as a 1 x n^2 row",
        )
    ),
    param(
        jac(
            "a^T X b",
            "X",
            "vec(a b^T)^T",
            lambda a, X, b: row(vec(np.outer(a, b))),
            f"{COOKBOOK} (70), as a 1 x mn row",
        )
    ),
    param(
        jac(
            "A x",
            "y",
            "zeros zeros^T",
            lambda A, x, y: np.zeros((len(A), len(y))),
            "SPEC §1: a --wrt that does not occur gives zero",
        )
    ),
    param(
        jac(
            "diag(x) y",
            "x",
            "diag(y)",
            lambda x, y: np.diag(y),
            "diag(x) y = x .* y",
        )
    ),
    *TABLE_JACOBIANS,
]


# --------------------------------------------------------------------------
# hessian
# --------------------------------------------------------------------------

HESSIAN: list[ParameterSet] = [
    param(hess("x^T A x", "x", "A + A^T", lambda x, A: A + A.T, f"{COOKBOOK} (81), twice")),
    param(
        hess(
            "x^T S x",
            "x",
            "2 S",
            lambda x, S: 2 * S,
            f"{COOKBOOK} (81), S symmetric",
            symmetric="S",
        )
    ),
    param(
        hess(
            "0.5 x^T A x",
            "x",
            "0.5 (A + A^T)",
            lambda x, A: (A + A.T) / 2,
            f"{COOKBOOK} (81), twice",
        )
    ),
    param(
        hess(
            "x^T A x + b^T x + c",
            "x",
            "A + A^T",
            lambda x, A, b, c: A + A.T,
            "quadratic function, Boyd & Vandenberghe §3.1.4",
            scalar="c",
        )
    ),
    param(
        hess(
            "||A x - b||^2",
            "x",
            "2 A^T A",
            lambda A, x, b: 2 * A.T @ A,
            "least squares, Boyd & Vandenberghe App. A.4.1",
        )
    ),
    param(
        hess(
            "0.5 ||A x - b||^2",
            "x",
            "A^T A",
            lambda A, x, b: A.T @ A,
            "least squares (Gauss-Newton is exact)",
        )
    ),
    param(
        hess(
            "x^T A^T A x",
            "x",
            "2 A^T A",
            lambda x, A: 2 * A.T @ A,
            f"{COOKBOOK} (81) with B = A^T A",
        )
    ),
    param(
        hess(
            "sum(log(1 + exp(X w))) - y^T X w",
            "w",
            "X^T diag(sigmoid(X w) .* (1 - sigmoid(X w))) X",
            lambda X, w, y: X.T @ np.diag(sig(X @ w) * sig(-(X @ w))) @ X,
            "logistic regression, Bishop PRML (4.97): Φ^T R Φ",
        )
    ),
    param(
        hess(
            "sum(log(1 + exp(A x)))",
            "x",
            "A^T diag(sigmoid(A x) .* (1 - sigmoid(A x))) A",
            lambda A, x: A.T @ np.diag(sig(A @ x) * sig(-(A @ x))) @ A,
            "README tour; Bishop PRML (4.97)",
        )
    ),
    # With labels ±1 the textbook drops y .^ 2; this holds for any y.
    param(
        hess(
            "sum(log(1 + exp(-y .* (X w))))",
            "w",
            "X^T diag(y .^ 2 .* s .* (1 - s)) X where s = sigmoid(-y .* (X w))",
            lambda y, X, w: X.T @ np.diag(y**2 * sig(-y * (X @ w)) * sig(y * (X @ w))) @ X,
            "logistic loss with labels ±1, Hastie et al. ESL §4.4",
            Domain(sign="y"),
        )
    ),
    param(
        hess(
            "log(sum(exp(x)))",
            "x",
            "diag(softmax(x)) - softmax(x) softmax(x)^T",
            lambda x: np.diag(softmax(x)) - np.outer(softmax(x), softmax(x)),
            "log-sum-exp, Boyd & Vandenberghe §3.1.5",
        )
    ),
    param(hess("||x||^2", "x", "2 eye", lambda x: 2 * eye(len(x)), f"{COOKBOOK} (131), twice")),
    param(hess("||x - a||^2", "x", "2 eye", lambda x, a: 2 * eye(len(x)), f"{COOKBOOK} (131)")),
    param(
        hess(
            "||x||",
            "x",
            "eye / ||x|| - x x^T / ||x||^3",
            lambda x: eye(len(x)) / np.linalg.norm(x) - np.outer(x, x) / np.linalg.norm(x) ** 3,
            f"{COOKBOOK} (130)",
        )
    ),
    param(
        hess(
            "(a^T x)^2",
            "x",
            "2 a a^T",
            lambda a, x: 2 * np.outer(a, a),
            "rank-one quadratic",
        )
    ),
    param(
        hess(
            "exp(a^T x)",
            "x",
            "exp(a^T x) a a^T",
            lambda a, x: np.exp(a @ x) * np.outer(a, a),
            "chain rule",
        )
    ),
    param(hess("sum(exp(x))", "x", "diag(exp(x))", lambda x: np.diag(np.exp(x)), ELEMENTWISE)),
    param(hess("sum(x .^ 3)", "x", "6 diag(x)", lambda x: np.diag(6 * x), ELEMENTWISE)),
    param(hess("sum(cos(x))", "x", "-diag(cos(x))", lambda x: -np.diag(np.cos(x)), ELEMENTWISE)),
    param(
        hess(
            "-sum(log(x))",
            "x",
            "diag(1 ./ x .^ 2)",
            lambda x: np.diag(1 / x**2),
            "log barrier, Boyd & Vandenberghe §11.2",
            Domain(positive="x"),
        )
    ),
    param(
        hess(
            "sum(x .* log(x))",
            "x",
            "diag(1 ./ x)",
            lambda x: np.diag(1 / x),
            "negative entropy, Boyd & Vandenberghe §3.1.5",
            Domain(positive="x"),
        )
    ),
    param(
        hess(
            "x^T S^-1 x",
            "x",
            "2 S^-1",
            lambda x, S: 2 * inv(S),
            f"{COOKBOOK} (81) with B = S^-1",
            Domain(spd="S"),
            symmetric="S",
        )
    ),
    # Textbook: -0.25 diag(x .^ -1.5).
    param(
        hess(
            "sum(sqrt(x))",
            "x",
            "-0.25 diag(1 ./ sqrt(x) .^ 3)",
            lambda x: np.diag(-0.25 * x**-1.5),
            ELEMENTWISE,
            Domain(positive="x"),
        )
    ),
    param(
        hess(
            "x^2 y + y^3",
            "x,y",
            "[[2 y, 2 x], [2 x, 6 y]]",
            lambda x, y: np.array([[2 * y, 2 * x], [2 * x, 6 * y]]),
            "calculus: Hessian of a function of two variables",
            scalar="x,y",
        )
    ),
    # Textbook order: 2 x + 12 y^2.
    param(
        hess(
            "x^3 + x y^2 + y^4",
            "x,y",
            "[[6 x, 2 y], [2 y, 12 y^2 + 2 x]]",
            lambda x, y: np.array([[6 * x, 2 * y], [2 * y, 2 * x + 12 * y**2]]),
            "calculus: Hessian of a function of two variables",
            scalar="x,y",
        )
    ),
    simplification(
        hess(
            "exp(x + 2 y)",
            "x,y",
            "exp(x + 2 y) [[1, 2], [2, 4]]",
            lambda x, y: np.exp(x + 2 * y) * np.array([[1, 2], [2, 4]]),
            "calculus: Hessian of a function of two variables",
            scalar="x,y",
        ),
        "[[e, s], [s, 4 e]] where e = exp(x + 2 y), s = 2 e",
    ),
    param(
        hess(
            "a^T x",
            "x",
            "zeros zeros^T",
            lambda a, x: np.zeros((len(x), len(x))),
            "a linear function has a zero Hessian",
        )
    ),
    simplification(
        hess(
            "sin(x y)",
            "x,y",
            "[[-y^2 sin(x y), cos(x y) - x y sin(x y)], [cos(x y) - x y sin(x y), -x^2 sin(x y)]]",
            lambda x, y: np.array(
                [
                    [-(y**2) * np.sin(x * y), np.cos(x * y) - x * y * np.sin(x * y)],
                    [np.cos(x * y) - x * y * np.sin(x * y), -(x**2) * np.sin(x * y)],
                ]
            ),
            "calculus: Hessian of a function of two variables",
            scalar="x,y",
        ),
        "[[-y^2 u, v], [v, -x^2 u]] where s = x y, u = sin(s), v = cos(s) - x u y",
    ),
    simplification(
        hess(
            "sum(sigmoid(x))",
            "x",
            "diag(sigmoid(x) .* (1 - sigmoid(x)) .* (1 - 2 sigmoid(x)))",
            lambda x: np.diag(sig(x) * sig(-x) * (1 - 2 * sig(x))),
            "sigmoid'' = s (1 - s) (1 - 2 s)",
        ),
        "diag(u .^ 2 .* s - s .^ 2 .* u) where s = sigmoid(x), u = 1 - s",
    ),
    param(
        hess(
            "log(x^T x)",
            "x",
            "2 eye / (x^T x) - 4 x x^T / (x^T x)^2",
            lambda x: 2 * eye(len(x)) / (x @ x) - 4 * np.outer(x, x) / (x @ x) ** 2,
            "quotient rule",
        )
    ),
    param(
        hess(
            "(x^T x)^2",
            "x",
            "8 x x^T + 4 (x^T x) eye",
            lambda x: 4 * (x @ x) * eye(len(x)) + 8 * np.outer(x, x),
            "product rule",
        )
    ),
    param(
        hess(
            "sum(relu(x))",
            "x",
            "zeros zeros^T",
            lambda x: np.zeros((len(x), len(x))),
            "relu is piecewise linear",
        )
    ),
    *TABLE_HESSIANS,
]
