"""Constants print exactly: ``1/9`` and ``theta / 9``, never ``0.1111111111111111``.

The rule (docs/conventions.md, "Numbers"): a constant whose shortest decimal
reads back exactly stays a decimal (every decimal a user types does); any
other is written ``p/q``. Each row is checked by its printed forms, by its
text read back (the same value, and the same exact constant), and by running
its NumPy code.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from value_checks import sizes_from_point, typed

import gradcli
from gradcli.api import analyse, declarations
from gradcli.ir import build as B
from gradcli.ir.nodes import Const
from gradcli.numeric import choose_sizes, evaluate, sample_point
from gradcli.printers import to_latex, to_numpy, to_text, to_unicode
from gradcli.printers.base import as_fraction

# (expression, wrt, scalars, text, LaTeX, NumPy)
ROWS = [
    ("1/18 * x^T x", "x", "", "x / 9", r"\frac{1}{9} x", "x / 9"),
    ("x^T x / 3", "x", "", "2 x / 3", r"\frac{2}{3} x", "2 * x / 3"),
    ("0.1 * x^T x", "x", "", "0.2 x", "0.2 x", "0.2 * x"),
    ("t^2 / 3 + 0.25 t", "t", "t", "0.25 + 2 t / 3", r"0.25 + \frac{2}{3} t", "0.25 + 2 * t / 3"),
    ("t^3/3 - t/6", "t", "t", "t^2 - 1/6", r"t^{2} - \frac{1}{6}", "t ** 2 - 1/6"),
    ("t / 3", "t", "t", "1/3", r"\frac{1}{3}", "1/3"),
    ("a t^2 / (3 b)", "t", "a,b,t", "2 a t / (3 b)", r"\frac{2 a t}{3 b}", "2 * a * t / (3 * b)"),
    ("1e-08 * x^T x", "x", "", "2e-08 x", r"2 \cdot 10^{-8} x", "2e-08 * x"),
    ("-2/7 * sum(x .^ 2)", "x", "", "-4 x / 7", r"-\frac{4}{7} x", "-4 * x / 7"),
]


@pytest.mark.parametrize(("source", "wrt", "scalars", "text", "latex", "code"), ROWS)
def test_coefficients_print_exactly(
    source: str, wrt: str, scalars: str, text: str, latex: str, code: str
) -> None:
    d = gradcli.grad(source, wrt, scalar=scalars or None, seed=0)
    r = d.results[0]
    assert (r.text, r.latex, r.numpy) == (text, latex, code)
    assert d.check is not None and d.check.passed is True
    rng = np.random.default_rng(0)
    variables = list(d.variables.values())
    sizes = choose_sizes([r.expr, *variables], rng)
    point = sample_point(variables, sizes, rng, {}, 2)
    want = evaluate(r.expr, point, sizes)
    back = analyse(text, declarations(scalar=scalars or None))[0]
    back_sizes = sizes_from_point(back, point, want.shape)
    assert back_sizes is not None
    np.testing.assert_allclose(evaluate(back, point, back_sizes), want, rtol=1e-12)
    env = {k: (float(v[0, 0]) if v.shape == (1, 1) else v[:, 0]) for k, v in point.items()}
    got = eval(r.numpy, {"np": np}, env)  # our own generated code
    np.testing.assert_allclose(np.reshape(got, -1), want.reshape(-1), rtol=1e-12)


@pytest.mark.parametrize(
    ("value", "text", "unicode", "latex"),
    [
        (Fraction(1, 9), "1/9", "1/9", r"\frac{1}{9}"),
        (Fraction(-1, 3), "-1/3", "−1/3", r"-\frac{1}{3}"),
        (Fraction(22, 7), "22/7", "22/7", r"\frac{22}{7}"),
        (Fraction("0.1"), "0.1", "0.1", "0.1"),
        (Fraction(1, 2), "0.5", "0.5", "0.5"),
        (Fraction(3, 1024), "0.0029296875", "0.0029296875", "0.0029296875"),
        (Fraction("1e-08"), "1e-08", "10⁻⁸", "10^{-8}"),
        (Fraction(7), "7", "7", "7"),
    ],
)
def test_a_constant_reads_back_exactly(
    value: Fraction, text: str, unicode: str, latex: str
) -> None:
    c = B.const(value)
    assert (to_text(c), to_unicode(c), to_latex(c)) == (text, unicode, latex)
    back = typed(to_text(c))
    assert isinstance(back, Const) and back.value == value


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Fraction(1, 3), (1, 3)),
        (Fraction(10**11 + 1, 3 * 10**11), (10**11 + 1, 3 * 10**11)),
        (Fraction(1, 3 * 10**30), None),  # too long a fraction: the nearest double
        (Fraction(1, 2**70), (1, 2**70)),  # its shortest decimal is not exact, p/q is short
        (Fraction(1, 2**80), None),  # a long binary fraction: the nearest double
        (0.25, None),
    ],
)
def test_which_constants_are_fractions(value: Fraction | float, written: object) -> None:
    assert as_fraction(value) == written
    if written is None:
        assert float(to_text(B.const(value))) == float(value)


def test_a_fraction_in_a_power_is_parenthesised() -> None:
    e = B.power(B.add(B.const(Fraction(1, 3)), typed("t")), 2.0)
    assert to_text(e) == "(1/3 + t)^2"
    expr = B.mul(B.power(B.const(Fraction(1, 3)), 0.5), typed("t"))
    assert to_text(expr).startswith("0.57735")  # an irrational constant is a double
    assert to_numpy(B.mul(Fraction(1, 3), typed("t"))) == "t / 3"
