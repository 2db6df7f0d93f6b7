"""``repr`` and ``str`` of the API's results (a REPL, a notebook's plain text).

``repr`` of a ``Derivation``, a ``Result`` and a ``Verdict`` is one line under
120 characters that says what was computed, the result (cut short with ``…``
when long) and the check; ``str`` is the text form, as ``-f text`` prints it.
"""

from __future__ import annotations

from typing import Any

import pytest

import gradcli
from gradcli.api import Derivation
from gradcli.output.render import render_verdict
from gradcli.printers.reprs import REPR_WIDTH

LONG = " + ".join(f"sum(log(1 + exp(A{i} x)))" for i in range(12))
MANY = ",".join(f"v{i}" for i in range(40))


@pytest.mark.parametrize(
    ("call", "expr", "options", "expected"),
    [
        (
            gradcli.grad,
            "x^T A x",
            {"wrt": "x"},
            "<grad of 'x^T A x' w.r.t. x: (A + A^T) x, checked>",
        ),
        (
            gradcli.hessian,
            "x^T A x",
            {"wrt": "x", "check": False},
            "<hessian of 'x^T A x' w.r.t. x: A + A^T, check skipped>",
        ),
        (
            gradcli.jacobian,
            "sin(W x)",
            {"wrt": "x"},
            "<jacobian of 'sin(W x)' w.r.t. x: diag(cos(W x)) W, checked>",
        ),
        (
            gradcli.grad,
            "x^T y",
            {"wrt": "x,y"},
            "<grad of 'x^T y' w.r.t. x, y: y; x, checked>",
        ),
    ],
)
def test_derivation_repr(call: Any, expr: str, options: dict[str, Any], expected: str) -> None:
    d = call(expr, seed=1, **options)
    assert repr(d) == expected
    assert str(d) == d.text


@pytest.mark.parametrize(
    ("expr", "wrt"),
    [(LONG, "x"), (f"x^T x + {LONG}", "x,A3"), ("x^T x", MANY), ("t " * 100 + "x^T x", "x,t")],
)
def test_long_repr_is_one_short_line(expr: str, wrt: str) -> None:
    d = gradcli.grad(expr, wrt=wrt, seed=1, check=False, scalar="t")
    shown = repr(d)
    assert "\n" not in shown and len(shown) < REPR_WIDTH, shown
    assert shown.startswith("<grad of '") and shown.endswith(">")
    assert "…" in shown
    for r in d.results:
        assert "\n" not in repr(r) and len(repr(r)) < REPR_WIDTH, repr(r)


@pytest.mark.parametrize(
    ("wrt", "expected"),
    [
        ("x", "<result w.r.t. x, shape (n,): (A + A^T) x>"),
        ("A", "<result w.r.t. A, shape (n, n): x x^T>"),
    ],
)
def test_result_repr(wrt: str, expected: str) -> None:
    d = gradcli.grad("x^T A x", wrt=wrt, seed=1)
    (r,) = d.results
    assert repr(r) == expected
    assert str(r) == r.text


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("2 A x", "<wrong: '2 A x' is not the grad of 'x^T A x' w.r.t. x>"),
        ("(A + A^T) x", "<correct: '(A + A^T) x' is the grad of 'x^T A x' w.r.t. x>"),
    ],
)
def test_verdict_repr_and_str(claim: str, expected: str) -> None:
    from gradcli.api import Format

    v = gradcli.verify(claim, of="x^T A x", wrt="x", seed=1)
    assert repr(v) == expected
    assert str(v) == render_verdict(v, Format.TEXT)
    assert str(v).startswith(v.verdict + ": ")


def test_check_status_words() -> None:
    checked: Derivation = gradcli.grad("x^T x", wrt="x", seed=1)
    assert repr(checked).endswith(", checked>")
    undefined = gradcli.grad("sum(log(-exp(x)))", wrt="x", seed=1)
    assert undefined.check is not None and undefined.check.passed is None
    assert repr(undefined).endswith(", not checked>")
