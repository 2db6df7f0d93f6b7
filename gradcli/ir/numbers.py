"""Exact numbers for constants and coefficients.

Every ``Const`` value and every ``Mul`` coefficient is a ``fractions.Fraction``,
so folding constants is exact: ``t + 1e16 t - 1e16 t`` folds to ``t`` (in
floating point ``1 + 1e16 - 1e16`` is ``0``), and the order in which terms are
combined never changes a result. A float handed to a constructor is converted
exactly (``Fraction(0.5) == 1/2``; a float is a binary fraction).

A constant must fit a double, so that it can be evaluated and printed so that
it reads back: a nonzero magnitude outside ``[2^-1022, 2^1024)`` raises
``ConstantRangeError`` (a ``LimitError``: bad input, exit status 2).
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction

from gradcli.errors import LimitError

MAX_EXPONENT = 1024  # 2^1024 overflows a double
MIN_EXPONENT = -1022  # below 2^-1022 a double loses precision, then becomes 0


class ConstantRangeError(LimitError):
    """A folded constant does not fit a double (``(1e200 t)^2`` needs 1e400)."""


def exact(v: Fraction | float | int) -> Fraction:
    """``v`` as an exact fraction, checked to fit a double."""
    if isinstance(v, Fraction):
        out = v
    elif isinstance(v, int):
        out = Fraction(v)
    else:
        if not math.isfinite(v):
            raise ConstantRangeError(_TOO_LARGE)
        out = Fraction(v)
    _check_range(out)
    return out


_TOO_LARGE = "a constant in this expression does not fit a double (about 1.8e308)"
_TOO_SMALL = "a constant in this expression is too small for a double (about 2.2e-308)"


def _check_range(v: Fraction) -> None:
    if v == 0:
        return
    bits = v.numerator.bit_length() - v.denominator.bit_length()
    # bits - 1 < log2|v| < bits + 1: compare exactly only near the edges
    if bits > MAX_EXPONENT + 1 or (bits >= MAX_EXPONENT - 1 and abs(v) > _MAX):
        raise ConstantRangeError(_TOO_LARGE)
    if bits < MIN_EXPONENT - 1 or (bits <= MIN_EXPONENT + 1 and abs(v) < _MIN):
        raise ConstantRangeError(_TOO_SMALL)


_MAX = Fraction(sys.float_info.max)
_MIN = Fraction(sys.float_info.min)


def exact_power(v: Fraction | float, k: int) -> Fraction:
    """``v^k`` for an integer ``k``, exactly; ``ConstantRangeError`` (before any
    large computation) when the result cannot fit a double."""
    v = exact(v)
    if v == 0:
        if k < 0:
            raise ZeroDivisionError("0 to a negative power")
        return Fraction(0) if k else Fraction(1)
    size = abs(v.numerator.bit_length() - v.denominator.bit_length()) + 1
    if abs(k) * max(size - 2, 0) > MAX_EXPONENT + 2:
        raise ConstantRangeError(_TOO_LARGE if (abs(v) > 1) == (k > 0) else _TOO_SMALL)
    return exact(v**k)
