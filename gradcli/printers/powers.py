"""A variable power, ``a^b`` or ``x .^ t``, found in the form it is built in.

The type checker writes a power with a variable exponent as
``exp(b .* log(a))`` (``gradcli.syntax.sugar``); printers find that form
again and show it as a power, so that a result reads ``b a^b / a`` rather
than ``b exp(b log(a)) / a``. Both forms parse back to the same value.
"""

from __future__ import annotations

from gradcli.ir import build as B
from gradcli.ir.nodes import Apply, Expr, Hadamard, Inverse, MatPow, Mul, Power, Transpose, walk


def variable_power(e: Expr) -> tuple[Expr, Expr, bool] | None:
    """``(base, exponent, elementwise)`` when ``e`` is ``exp(exponent .* log(base))``
    with an exponent that can be written after ``^`` (it holds no power or
    transpose, which an exponent cannot read back); else ``None``."""
    if not isinstance(e, Apply) or e.func != "exp":
        return None
    split = _log_factor(e.arg)
    if split is None:
        return None
    log, rest = split
    exponent = B.hadamard(*rest) if isinstance(e.arg, Hadamard) else B.mul(*rest)
    if any(_not_in_exponent(n) for n in walk(exponent)):
        return None
    return log.arg, exponent, not (log.arg.is_scalar and exponent.is_scalar)


def _log_factor(u: Expr) -> tuple[Apply, tuple[Expr, ...]] | None:
    """The one ``log`` factor of a product (coefficient 1) and the other factors."""
    if not (isinstance(u, Hadamard) or (isinstance(u, Mul) and u.coeff == 1)):
        return None
    logs = [i for i, f in enumerate(u.factors) if isinstance(f, Apply) and f.func == "log"]
    if len(logs) != 1 or len(u.factors) < 2:
        return None
    log = u.factors[logs[0]]
    assert isinstance(log, Apply)
    return log, u.factors[: logs[0]] + u.factors[logs[0] + 1 :]


def _not_in_exponent(n: Expr) -> bool:
    """A node whose printed form has a ``^``, which an exponent cannot hold."""
    if isinstance(n, (Power, MatPow, Inverse, Transpose)):
        return True
    return isinstance(n, Apply) and n.func == "exp" and _log_factor(n.arg) is not None
