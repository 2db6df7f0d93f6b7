"""The entries of the primitive table (``primitives.py`` says what each facet means).

To add a function, add one ``define(...)`` here and its rows in the tests
(``tests/identities.py``); nothing else. Citations: DLMF is the NIST Digital
Library of Mathematical Functions; "Deep Learning" is Goodfellow, Bengio and
Courville (2016).
"""

from __future__ import annotations

from typing import Any

from gradcli.ir.primitives import POSITIVE, REAL, define, define_composite, define_reduction


def _one_plus(B: Any, sign: float, e: Any) -> Any:
    """``1 + sign e``, entry by entry."""
    return B.add(B.ones(e.shape), B.scale(sign, e))


def _sigmoid_prime(B: Any, u: Any) -> Any:
    s = B.apply("sigmoid", u)
    return B.hadamard(s, _one_plus(B, -1.0, s))


def _logsumexp_value(np: Any, x: Any) -> Any:
    """``log(sum(exp(x)))`` without overflow: the largest entry taken out first."""
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def _sigmoid_value(np: Any, x: Any) -> Any:
    """``1 / (1 + e^-x)`` without overflow: ``e^x / (1 + e^x)`` for ``x < 0``."""
    e = np.exp(-np.abs(x))
    return np.asarray(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), dtype=np.float64)


define(
    name="exp", aliases=(),
    derivative=lambda B, u: B.apply("exp", u),
    value=lambda np, x: np.exp(x), fold="exp",
    numpy="{ns}.exp({0})", array_api="{ns}.exp({0})",
    sympy=lambda sp, u: sp.exp(u), latex="\\exp", unicode="exp",
    domain=REAL, kink=False, nonnegative=True, share_name="e",
    rule="exp' = exp", identity="d exp(u) = exp(u) du", citation="DLMF §4.7",
)  # fmt: skip
define(
    name="log", aliases=(),
    derivative=lambda B, u: B.power(u, -1.0),
    value=lambda np, x: np.log(x), fold="log",
    numpy="{ns}.log({0})", array_api="{ns}.log({0})",
    sympy=lambda sp, u: sp.log(u), latex="\\log", unicode="log",
    domain=POSITIVE, kink=False, nonnegative=False, share_name="",
    rule="log'(u) = 1/u", identity="d log(u) = du / u", citation="DLMF §4.7",
)  # fmt: skip
define(
    name="sin", aliases=(),
    derivative=lambda B, u: B.apply("cos", u),
    value=lambda np, x: np.sin(x), fold="sin",
    numpy="{ns}.sin({0})", array_api="{ns}.sin({0})",
    sympy=lambda sp, u: sp.sin(u), latex="\\sin", unicode="sin",
    domain=REAL, kink=False, nonnegative=False, share_name="",
    rule="sin' = cos", identity="d sin(u) = cos(u) du", citation="DLMF §4.20",
)  # fmt: skip
define(
    name="cos", aliases=(),
    derivative=lambda B, u: B.neg(B.apply("sin", u)),
    value=lambda np, x: np.cos(x), fold="cos",
    numpy="{ns}.cos({0})", array_api="{ns}.cos({0})",
    sympy=lambda sp, u: sp.cos(u), latex="\\cos", unicode="cos",
    domain=REAL, kink=False, nonnegative=False, share_name="",
    rule="cos' = -sin", identity="d cos(u) = -sin(u) du", citation="DLMF §4.20",
)  # fmt: skip
define(
    name="tan", aliases=(),
    derivative=lambda B, u: _one_plus(B, 1.0, B.power(B.apply("tan", u), 2.0)),
    value=lambda np, x: np.tan(x), fold="tan",
    numpy="{ns}.tan({0})", array_api="{ns}.tan({0})",
    sympy=lambda sp, u: sp.tan(u), latex="\\tan", unicode="tan",
    domain=REAL, kink=False, nonnegative=False, share_name="",
    rule="tan' = 1 + tan^2", identity="d tan(u) = (1 + tan(u)^2) du", citation="DLMF §4.20",
)  # fmt: skip
define(
    name="tanh", aliases=(),
    derivative=lambda B, u: _one_plus(B, -1.0, B.power(B.apply("tanh", u), 2.0)),
    value=lambda np, x: np.tanh(x), fold="tanh",
    numpy="{ns}.tanh({0})", array_api="{ns}.tanh({0})",
    sympy=lambda sp, u: sp.tanh(u), latex="\\tanh", unicode="tanh",
    domain=REAL, kink=False, nonnegative=False, share_name="h",
    rule="tanh' = 1 - tanh^2", identity="d tanh(u) = (1 - tanh(u)^2) du", citation="DLMF §4.34",
)  # fmt: skip
define(
    name="sqrt", aliases=(),
    derivative=lambda B, u: B.power(B.mul(2.0, B.apply("sqrt", u)), -1.0),
    value=lambda np, x: np.sqrt(x), fold="sqrt",
    numpy="{ns}.sqrt({0})", array_api="{ns}.sqrt({0})",
    sympy=lambda sp, u: sp.sqrt(u), latex="\\sqrt{{0}}", unicode="sqrt",
    domain=POSITIVE, kink=False, nonnegative=True, share_name="",
    rule="sqrt'(u) = 1/(2 sqrt(u))", identity="d sqrt(u) = du / (2 sqrt(u))",
    citation="DLMF §4.7 (power rule)",
)  # fmt: skip
define(
    name="abs", aliases=(),
    derivative=lambda B, u: B.apply("sign", u),
    value=lambda np, x: np.abs(x), fold="fabs",
    numpy="{ns}.abs({0})", array_api="{ns}.abs({0})",
    sympy=lambda sp, u: sp.Abs(u), latex="\\left\\lvert {0} \\right\\rvert", unicode="|{0}|",
    domain=REAL, kink=True, nonnegative=True, share_name="",
    rule="abs' = sign (away from 0)", identity="d |u| = sign(u) du (u != 0)",
    citation="elementary: |u| = u sign(u)",
)  # fmt: skip
define(
    name="sigmoid", aliases=(),
    derivative=_sigmoid_prime,
    value=_sigmoid_value, fold=None,
    numpy="1 / (1 + {ns}.exp({neg0}))", array_api="1 / (1 + {ns}.exp({neg0}))",
    sympy=lambda sp, u: 1 / (1 + sp.exp(-u)), latex="\\sigma", unicode="σ",
    domain=REAL, kink=False, nonnegative=True, share_name="s",
    rule="sigmoid' = sigmoid (1 - sigmoid)", identity="d σ(u) = σ(u) (1 - σ(u)) du",
    citation="Deep Learning §3.10",
)  # fmt: skip
define(
    name="relu", aliases=(),
    derivative=lambda B, u: B.apply("step", u),
    value=lambda np, x: np.maximum(x, 0.0), fold=None,
    numpy="{ns}.maximum({0}, 0)", array_api="{ns}.clip({0}, min=0.0)",
    sympy=lambda sp, u: sp.Max(u, 0), latex="\\operatorname{relu}", unicode="relu",
    domain=REAL, kink=True, nonnegative=True, share_name="",
    rule="relu' = step (away from 0)", identity="d relu(u) = step(u) du (u != 0)",
    citation="Deep Learning §6.3.1",
)  # fmt: skip
define(
    name="sign", aliases=(),
    derivative=lambda B, u: B.zeros(u.shape),
    value=lambda np, x: np.sign(x), fold=None,
    numpy="{ns}.sign({0})", array_api="{ns}.sign({0})",
    sympy=lambda sp, u: sp.sign(u), latex="\\operatorname{sign}", unicode="sign",
    domain=REAL, kink=True, nonnegative=False, share_name="",
    rule="sign' = 0 (away from 0)", identity="d sign(u) = 0 (u != 0)",
    citation="elementary: sign is constant on each side of 0",
)  # fmt: skip
define(
    name="step", aliases=(),
    derivative=lambda B, u: B.zeros(u.shape),
    value=lambda np, x: np.heaviside(x, 0.5), fold=None,
    # No heaviside in the array API: (sign(x) + 1) / 2 is 1/2 at 0 as heaviside(x, 0.5).
    numpy="{ns}.heaviside({0}, 0.5)", array_api="({ns}.sign({0}) + 1) / 2",
    sympy=lambda sp, u: sp.Heaviside(u), latex="\\operatorname{step}", unicode="step",
    domain=REAL, kink=True, nonnegative=True, share_name="",
    rule="step' = 0 (away from 0)", identity="d step(u) = 0 (u != 0)",
    citation="elementary: step is constant on each side of 0",
)  # fmt: skip

# ------------------------------------------------------------ added through the table

define(
    name="softplus", aliases=(),
    derivative=lambda B, u: B.apply("sigmoid", u),
    value=lambda np, x: np.logaddexp(0.0, x), fold=None,
    numpy="{ns}.logaddexp(0, {0})", array_api="{ns}.logaddexp(0.0, {0})",
    sympy=lambda sp, u: sp.log(1 + sp.exp(u)), latex="\\operatorname{softplus}",
    unicode="softplus", domain=REAL, kink=False, nonnegative=True, share_name="",
    rule="softplus' = sigmoid", identity="d log(1 + exp(u)) = σ(u) du",
    citation="Deep Learning §3.10",
)  # fmt: skip
define(
    name="log1p", aliases=(),
    derivative=lambda B, u: B.power(_one_plus(B, 1.0, u), -1.0),
    value=lambda np, x: np.log1p(x), fold="log1p",
    numpy="{ns}.log1p({0})", array_api="{ns}.log1p({0})",
    sympy=lambda sp, u: sp.log(1 + u), latex="\\operatorname{log1p}", unicode="log1p",
    domain=POSITIVE, kink=False, nonnegative=False, share_name="",
    rule="log1p'(u) = 1/(1 + u)", identity="d log(1 + u) = du / (1 + u)",
    citation="DLMF §4.7 (with the chain rule)",
)  # fmt: skip
define(
    name="expm1", aliases=(),
    derivative=lambda B, u: B.apply("exp", u),
    value=lambda np, x: np.expm1(x), fold="expm1",
    numpy="{ns}.expm1({0})", array_api="{ns}.expm1({0})",
    sympy=lambda sp, u: sp.exp(u) - 1, latex="\\operatorname{expm1}", unicode="expm1",
    domain=REAL, kink=False, nonnegative=False, share_name="",
    rule="expm1' = exp", identity="d (exp(u) - 1) = exp(u) du", citation="DLMF §4.7",
)  # fmt: skip
define(
    name="sinh", aliases=(),
    derivative=lambda B, u: B.apply("cosh", u),
    value=lambda np, x: np.sinh(x), fold="sinh",
    numpy="{ns}.sinh({0})", array_api="{ns}.sinh({0})",
    sympy=lambda sp, u: sp.sinh(u), latex="\\sinh", unicode="sinh",
    domain=REAL, kink=False, nonnegative=False, share_name="",
    rule="sinh' = cosh", identity="d sinh(u) = cosh(u) du", citation="DLMF §4.34",
)  # fmt: skip
define(
    name="cosh", aliases=(),
    derivative=lambda B, u: B.apply("sinh", u),
    value=lambda np, x: np.cosh(x), fold="cosh",
    numpy="{ns}.cosh({0})", array_api="{ns}.cosh({0})",
    sympy=lambda sp, u: sp.cosh(u), latex="\\cosh", unicode="cosh",
    domain=REAL, kink=False, nonnegative=True, share_name="",
    rule="cosh' = sinh", identity="d cosh(u) = sinh(u) du", citation="DLMF §4.34",
)  # fmt: skip
define(
    name="arctan", aliases=("atan",),
    derivative=lambda B, u: B.power(_one_plus(B, 1.0, B.power(u, 2.0)), -1.0),
    value=lambda np, x: np.arctan(x), fold="atan",
    numpy="{ns}.arctan({0})", array_api="{ns}.atan({0})",
    sympy=lambda sp, u: sp.atan(u), latex="\\arctan", unicode="arctan",
    domain=REAL, kink=False, nonnegative=False, share_name="",
    rule="arctan'(u) = 1/(1 + u^2)", identity="d arctan(u) = du / (1 + u^2)",
    citation="DLMF §4.24",
)  # fmt: skip

# ------------------------------------------------------------ defined through the table

define_composite(
    name="max", aliases=(), arity=2,
    definition=lambda B, a, b: B.add(b, B.apply("relu", B.sub(a, b))),
    identity="max(a, b) = b + relu(a - b); d max(a, b) = step(a - b) da + step(b - a) db",
    citation="elementary (piecewise linear), kink where a = b",
)  # fmt: skip
define_composite(
    name="min", aliases=(), arity=2,
    definition=lambda B, a, b: B.sub(a, B.apply("relu", B.sub(a, b))),
    identity="min(a, b) = a - relu(a - b); d min(a, b) = step(b - a) da + step(a - b) db",
    citation="elementary (piecewise linear), kink where a = b",
)  # fmt: skip

# ------------------------------------------------------------ reductions

define_reduction(
    name="logsumexp", aliases=(),
    gradient=lambda B, u: B.softmax(u),
    value=_logsumexp_value,
    numpy="{ns}.max({0}) + {ns}.log({ns}.sum({ns}.exp({0} - {ns}.max({0}))))",
    array_api="{ns}.max({0}) + {ns}.log({ns}.sum({ns}.exp({0} - {ns}.max({0}))))",
    sympy=lambda sp, entries: sp.log(sum(sp.exp(e) for e in entries)),
    latex="\\operatorname{logsumexp}", unicode="logsumexp",
    rule="d logsumexp(u)/du = softmax(u)",
    identity="d log(sum(exp(u))) = softmax(u)^T du",
    citation="Boyd & Vandenberghe, Convex Optimization (2004) §3.1.5",
)  # fmt: skip
