"""Scalar derivatives of the element-wise functions, as expressions.

``DERIVATIVE[f](u)`` is ``f'(u)`` applied element-wise; the rules for ``abs``
and ``relu`` hold away from their kink at 0, ``sign`` and ``step`` have
derivative 0 almost everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

from gradcli.ir import build as B
from gradcli.ir.nodes import Expr


def _one_plus(sign: float, e: Expr) -> Expr:
    return B.add(B.ones(e.shape), B.scale(sign, e))


def _sigmoid_prime(u: Expr) -> Expr:
    s = B.apply("sigmoid", u)
    return B.hadamard(s, _one_plus(-1.0, s))


DERIVATIVE: dict[str, Callable[[Expr], Expr]] = {
    "exp": lambda u: B.apply("exp", u),
    "log": lambda u: B.power(u, -1.0),
    "sin": lambda u: B.apply("cos", u),
    "cos": lambda u: B.neg(B.apply("sin", u)),
    "tan": lambda u: _one_plus(1.0, B.power(B.apply("tan", u), 2.0)),
    "tanh": lambda u: _one_plus(-1.0, B.power(B.apply("tanh", u), 2.0)),
    "sqrt": lambda u: B.power(B.mul(2.0, B.apply("sqrt", u)), -1.0),
    "abs": lambda u: B.apply("sign", u),
    "sigmoid": _sigmoid_prime,
    "relu": lambda u: B.apply("step", u),
    "sign": lambda u: B.zeros(u.shape),
    "step": lambda u: B.zeros(u.shape),
}
