"""Outputs that never break their reader (docs/json.md, docs/language.md, docs/limits.md).

A strict JSON reader, the Python that runs ``-f numpy`` code, KaTeX, a
reader who tells names apart, and a reader who feeds text back: each gets
output it can use, or a clear error, never a silently wrong one.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from katex_support import Tex, katex_version, render
from support import run_raw

import gradcli
from gradcli.api import Format
from gradcli.errors import LimitError
from gradcli.numeric.expand_check import check_expansion
from gradcli.output.render import finite_json, render_verdict
from gradcli.printers import to_latex, to_unicode
from gradcli.printers.base import format_number
from gradcli.printers.numpy import NumpyPrinter


def _strict(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"JSON holds {name}")

    return json.loads(text, parse_constant=refuse)


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("inf"), None),
        ([1.0, float("-inf"), float("nan")], [1.0, None, None]),
        ({"a": np.array([[np.inf, 2.0]])}, {"a": [[None, 2.0]]}),
        (
            {"n": np.float64(np.nan), "k": 3, "s": "inf", "b": True},
            {"n": None, "k": 3, "s": "inf", "b": True},
        ),
    ],
)
def test_non_finite_numbers_become_null(value: Any, expected: Any) -> None:
    assert finite_json(value) == expected


def test_a_counterexample_that_overflows_is_strict_json() -> None:
    v = gradcli.verify("3 x", "x^T x", "x", seed=1)
    assert not v.correct and v.counterexample is not None
    v.counterexample["true"] = [float("inf"), float("nan")]
    v.counterexample["point"]["x"] = [1e308 * 10, 1.0]
    data = _strict(render_verdict(v, Format.JSON))
    assert data["counterexample"]["true"] == [None, None]
    assert data["counterexample"]["point"]["x"] == [None, 1.0]


@pytest.mark.parametrize(
    "args",
    [
        ["grad", "exp(exp(exp(t)))", "--scalar", "t"],
        ["verify", "0", "--of", "exp(t^2)^100", "--scalar", "t"],
        ["verify", "t", "--of", "1e308 t", "--scalar", "t"],
        ["grad", "log(t)", "--scalar", "t"],
    ],
)
def test_cli_json_is_strict(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    for seed in range(3):
        code, out, err = run_raw(capsys, *args, "-f", "json", "--seed", str(seed))
        assert code in (0, 1, 2), err
        if code != 2:
            _strict(out)


# --------------------------------------------------------------------------- numpy code


def test_a_free_size_eye_gives_code_that_runs() -> None:
    """``tr(X) eye``: the identity's size m is fixed by nothing, so the code takes it."""
    d = gradcli.jacobian("tr(X) eye", wrt="X", seed=2)
    code = d.results[0].numpy
    rng = np.random.default_rng(0)
    X, m = rng.normal(size=(3, 3)), 4
    got = eval(code, {"np": np}, {"X": X, "m": m})
    # Finite differences of vec(tr(X) I_m) by vec(X), column by column.
    f = lambda X: (np.trace(X) * np.eye(m)).reshape(-1, order="F")  # noqa: E731
    want = np.zeros((m * m, 9))
    for k in range(9):
        e = np.zeros(9)
        e[k] = 1e-6
        want[:, k] = (f(X + e.reshape(3, 3, order="F")) - f(X)) / 1e-6
    assert got.shape == (16, 9)
    assert np.allclose(got, want, atol=1e-6)
    assert np.array_equal(got, np.outer(np.eye(m).ravel(order="F"), np.eye(3).ravel(order="F")))


def test_a_free_size_is_a_keyword_argument(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_raw(
        capsys, "jacobian", "tr(X) eye", "--wrt", "X", "-f", "numpy", "--function", "jac"
    )
    assert code == 0, err
    assert "def jac(X, *, m):" in out
    space: dict[str, Any] = {}
    exec(out, space)
    got = space["jac"](np.eye(2) * 3.0, m=3)
    assert got.shape == (9, 4)
    assert got[0, 0] == 1.0 and got[1, 0] == 0.0


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("np", "would shadow the NumPy module the code calls"),
        ("xp", "would shadow the array namespace"),
        ("x", "would shadow a parameter of the function"),
        ("A", "would shadow a parameter of the function"),
        ("sum", "would shadow a Python builtin"),
        ("print", "would shadow a Python builtin"),
        ("lambda", "is not a Python function name"),
        ("2f", "is not a Python function name"),
        ("f-g", "is not a Python function name"),
    ],
)
def test_function_names_that_shadow_are_refused(
    capsys: pytest.CaptureFixture[str], name: str, reason: str
) -> None:
    code, out, err = run_raw(
        capsys, "grad", "x^T A x", "--wrt", "x", "-f", "numpy", "--function", name
    )
    assert code == 2
    assert out == ""
    assert err.startswith(f"option error: --function {name!r} {reason}"), err


@pytest.mark.parametrize("name", ["gradient", "f", "X", "np_grad", "a"])
def test_other_function_names_give_code_that_runs(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, err = run_raw(
        capsys, "grad", "x^T A x", "--wrt", "x", "-f", "numpy", "--function", name
    )
    assert code == 0, err
    space: dict[str, Any] = {}
    exec(out, space)
    A, x = np.arange(9.0).reshape(3, 3), np.array([1.0, -2.0, 0.5])
    assert np.allclose(space[name](A=A, x=x), (A + A.T) @ x)


# --------------------------------------------------------------------------- names


PAIRS = [
    ("x1", "x_1"),
    ("x", "x_"),
    ("x_1_2", "x_12"),
    ("x__1", "x_1"),
    ("W1", "W_1"),
    ("a_b", "a__b"),
]


@pytest.mark.parametrize(("one", "other"), PAIRS)
def test_distinct_names_look_distinct(one: str, other: str) -> None:
    d = gradcli.grad(f"{one} {other} t", wrt="t", scalar=f"{one},{other},t", seed=1)
    (r,) = d.results
    assert to_unicode(d.input).count(" ") == 2
    u1, u2, _ = to_unicode(d.input).split(" ")
    assert u1 != u2
    l1, l2 = (to_latex(v) for v in (d.variables[one], d.variables[other]))
    assert l1 != l2 and l1 in r.latex and l2 in r.latex


def test_names_with_underscores_render_in_katex() -> None:
    katex_version()
    names = ["x__", "x__1", "a__b", "x_", "x_1_2", "x_1_abc", "alpha__beta", "W__1__"]
    items = []
    for name in names:
        d = gradcli.grad(f"{name}^T A {name}", wrt=name, vector=name, check=False)
        items += [Tex("names", name, d.latex), Tex("names", name, to_latex(d.input))]
    failures = [
        (t.source, t.tex, v) for t, v in zip(items, render(items), strict=True) if not v["ok"]
    ]
    assert not failures


# --------------------------------------------------------------------------- --expand


@pytest.mark.parametrize(
    ("source", "decls", "wrt", "expanded"),
    [
        ("x1 x^T x", {"scalar": "x1"}, "x", "[2*x1*x[1], 2*x1*x[2]]"),
        ("x1 sum(x)", {"scalar": "x1"}, "x", "[x1, x1]"),
        ("x^T A11 x", {"scalar": "A11"}, "x", "[2*A11*x1, 2*A11*x2]"),  # no clash
        (
            "A11 x^T A x",
            {"scalar": "A11"},
            "x",
            "[A11*(2*A[1,1]*x[1] + x[2]*(A[1,2] + A[2,1])), "
            "A11*(2*A[2,2]*x[2] + x[1]*(A[1,2] + A[2,1]))]",
        ),
        ("x^T x + sum(y)", {}, "x", "[2*x1, 2*x2]"),
    ],
)
def test_expand_never_merges_names(
    source: str, decls: dict[str, str], wrt: str, expanded: str
) -> None:
    d = gradcli.grad(source, wrt=wrt, expand=2, seed=1, **decls)  # type: ignore[arg-type]
    (r,) = d.results
    assert r.expanded is not None and r.expanded.text == expanded


def test_expand_is_checked_numerically() -> None:
    """A wrong entry is caught by comparing with the result's value at a point."""
    import sympy

    d = gradcli.grad("x1 x^T x", wrt="x", scalar="x1", expand=2, seed=1)
    (r,) = d.results
    assert r.expanded is not None
    names = {"x1": [["x1"]], "x": [["x[1]"], ["x[2]"]]}
    check_expansion(r.expr, r.expanded.entries, names, 2)  # the real expansion passes
    merged = [[2 * sympy.Symbol("x1") ** 2], [r.expanded.entries[1][0]]]  # the old merge
    with pytest.raises(RuntimeError, match=r"--expand wrote entry \(1, 1\)"):
        check_expansion(r.expr, merged, names, 2)


# --------------------------------------------------------------------------- inf


@pytest.mark.parametrize("fmt", ["text", "latex", "pretty", "json"])
@pytest.mark.parametrize("source", ["1e308 t * 10", "t * 1e300 * 1e300"])
def test_inf_is_never_printed(capsys: pytest.CaptureFixture[str], source: str, fmt: str) -> None:
    code, out, err = run_raw(capsys, "grad", source, "--scalar", "t", "-f", fmt, "--no-check")
    assert code == 2, out
    assert out == ""
    assert err.startswith("limit exceeded: ") and "inf" not in err.splitlines()[0], err


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), Fraction(10**400)])
def test_printers_refuse_what_does_not_read_back(value: Any) -> None:
    """The printers' own guard, behind the builder's: never the text ``inf``."""
    with pytest.raises(LimitError, match="cannot be written"):
        format_number(value)
    assert NumpyPrinter()._number(value) in ("np.inf", "-np.inf", "np.nan")
