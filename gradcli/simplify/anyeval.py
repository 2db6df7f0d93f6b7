"""Evaluate an expression over any number type: Python floats or mpmath numbers.

The zero oracle (``simplify/oracle.py``) screens a candidate with floats, then
decides with mpmath at high precision; neither needs NumPy, so a ``--no-check``
run that only screens imports neither NumPy nor mpmath. A matrix is a list of
rows (a scalar is ``[[s]]``, a column vector ``[[a], [b]]``); inverses and
determinants are by Gaussian elimination with partial pivoting.

``evaluate_all`` returns ``None`` when the point is unusable: a value that is
not a finite real number (``log`` of a negative number, a singular matrix, an
overflow). It never guesses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import reduce
from typing import Any, NamedTuple

from gradcli.ir.dims import Dim
from gradcli.ir.nodes import (
    Add,
    Apply,
    Block,
    Const,
    Det,
    Diag,
    DiagPart,
    Entry,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Inverse,
    Kron,
    MatPow,
    Mul,
    Power,
    Softmax,
    SumAll,
    Trace,
    Transpose,
    Var,
    Vec,
    walk,
)

Matrix = list[list[Any]]


class Numbers(NamedTuple):
    """A number type: how to make a constant, the element-wise functions, and
    which values are finite real numbers."""

    number: Callable[[Fraction | float], Any]
    funcs: Mapping[str, Callable[[Any], Any]]
    real: Callable[[Any], bool]


def _safe_log(log: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        if x <= 0:
            raise ValueError("log outside its real domain")
        return log(x)

    return f


def float_numbers() -> Numbers:
    """Python floats (for the screen)."""
    funcs = {
        "exp": math.exp,
        "log": _safe_log(math.log),
        "sin": math.sin,
        "cos": math.cos,
        "tan": math.tan,
        "tanh": math.tanh,
        "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
    }
    return Numbers(float, funcs, lambda v: isinstance(v, float) and math.isfinite(v))


def mp_numbers(mp: Any) -> Numbers:
    """mpmath numbers at the context's current precision."""
    funcs = {
        "exp": mp.exp,
        "log": _safe_log(mp.log),
        "sin": mp.sin,
        "cos": mp.cos,
        "tan": mp.tan,
        "tanh": mp.tanh,
        "sigmoid": lambda x: 1 / (1 + mp.exp(-x)),
    }

    def number(v: Fraction | float) -> Any:
        v = Fraction(v)
        return mp.mpf(v.numerator) / v.denominator

    return Numbers(number, funcs, lambda v: isinstance(v, mp.mpf) and mp.isfinite(v))


def evaluate_all(
    expr: Expr, point: Mapping[str, Matrix], sizes: Mapping[Dim, int], num: Numbers
) -> dict[int, Matrix] | None:
    """The value of every node of ``expr`` by ``id``, or ``None`` if the point is
    unusable (module docstring). ``point`` binds each variable to its matrix."""
    ctx = dict(sizes)
    values: dict[int, Matrix] = {}
    for node in walk(expr):
        args = [values[id(k)] for k in node.children()]
        try:
            value = _node(node, args, point, ctx, num)
        except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError):
            return None
        if not all(num.real(v) for row in value for v in row):
            return None
        values[id(node)] = value
    return values


def _node(
    node: Expr, a: list[Matrix], point: Mapping[str, Matrix], s: dict[Dim, int], num: Numbers
) -> Matrix:
    """The value of one node from its children's values ``a``."""
    if isinstance(node, Var):
        return [[num.number(v) for v in r] for r in point[node.name]]
    if isinstance(node, Const):
        return [[num.number(node.value)]]
    if isinstance(node, Identity):
        k = node.n.resolve(s)
        return [[num.number(int(i == j)) for j in range(k)] for i in range(k)]
    if isinstance(node, Fill):
        rows, cols = node.shape.rows.resolve(s), node.shape.cols.resolve(s)
        return [[a[0][0][0]] * cols for _ in range(rows)]
    if isinstance(node, Mul):
        return _mul(node, a, num)
    if isinstance(node, Apply):
        f = num.funcs.get(node.func)
        if f is None:
            raise ValueError(f"{node.func} is not evaluated here")
        return _map(f, a[0])
    if isinstance(node, Softmax):
        return _softmax(a[0], num.funcs["exp"])
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise ValueError(f"a {type(node).__name__} node is not evaluated here")
    return handler(node, a)


def _map(f: Callable[[Any], Any], m: Matrix) -> Matrix:
    return [[f(v) for v in row] for row in m]


def _zip(f: Callable[[Any, Any], Any], x: Matrix, y: Matrix) -> Matrix:
    return [[f(u, v) for u, v in zip(r, q, strict=True)] for r, q in zip(x, y, strict=True)]


def matmul(x: Matrix, y: Matrix) -> Matrix:
    cols = list(zip(*y, strict=True))
    return [[_total([u * v for u, v in zip(r, c, strict=True)]) for c in cols] for r in x]


def _mul(node: Mul, a: list[Matrix], num: Numbers) -> Matrix:
    c = num.number(node.coeff)
    chain = []
    for factor, value in zip(node.factors, a, strict=True):
        if factor.is_scalar:
            c = c * value[0][0]
        else:
            chain.append(value)
    return _map(lambda v: c * v, reduce(matmul, chain)) if chain else [[c]]


def transpose(m: Matrix) -> Matrix:
    return [list(r) for r in zip(*m, strict=True)]


def _eliminate(m: Matrix, rhs: Matrix | None) -> tuple[Any, Matrix | None]:
    """Gaussian elimination with partial pivoting: ``(det m, m^-1 rhs)``."""
    n = len(m)
    a = [list(r) + (list(rhs[i]) if rhs is not None else []) for i, r in enumerate(m)]
    det = 1 + 0 * a[0][0]
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(a[i][k]))
        if a[p][k] == 0:
            raise ZeroDivisionError("singular matrix")
        if p != k:
            a[k], a[p], det = a[p], a[k], -det
        det = det * a[k][k]
        for i in range(n):
            if i != k and (rhs is not None or i > k):
                f = a[i][k] / a[k][k]
                a[i] = [u - f * v for u, v in zip(a[i], a[k], strict=True)]
    if rhs is None:
        return det, None
    return det, [[v / a[i][i] for v in a[i][n:]] for i in range(n)]


def _inverse(m: Matrix) -> Matrix:
    n = len(m)
    eye = [[1 + 0 * m[0][0] if i == j else 0 * m[0][0] for j in range(n)] for i in range(n)]
    return _eliminate(m, eye)[1] or []


def _softmax(m: Matrix, exp: Callable[[Any], Any]) -> Matrix:
    top = max(r[0] for r in m)
    e = [exp(r[0] - top) for r in m]
    total = sum(e[1:], e[0])
    return [[v / total] for v in e]


def _power(m: Matrix, p: float) -> Matrix:
    if not float(p).is_integer():
        raise ValueError("a non-integer power is not evaluated here")
    return _map(lambda v: v ** int(p), m)


def _diag(v: Matrix) -> Matrix:
    return [[r[0] if i == j else 0 * r[0] for j in range(len(v))] for i, r in enumerate(v)]


def _total(values: list[Any]) -> Any:
    return sum(values[1:], values[0])


def _kron(x: Matrix, y: Matrix) -> Matrix:
    return [[u * v for u in rx for v in ry] for rx in x for ry in y]


def _block(node: Block, a: Sequence[Matrix]) -> Matrix:
    width = len(node.rows[0])
    out: Matrix = []
    for i in range(0, len(a), width):
        row = a[i : i + width]
        out.extend(sum((r[k] for r in row), []) for k in range(len(row[0])))
    return out


_HANDLERS: dict[type, Callable[[Any, list[Matrix]], Matrix]] = {
    Add: lambda n, a: reduce(lambda x, y: _zip(lambda u, v: u + v, x, y), a),
    Hadamard: lambda n, a: reduce(lambda x, y: _zip(lambda u, v: u * v, x, y), a),
    Power: lambda n, a: _power(a[0], n.exponent),
    MatPow: lambda n, a: reduce(matmul, [a[0]] * n.k),
    Transpose: lambda n, a: transpose(a[0]),
    Inverse: lambda n, a: _inverse(a[0]),
    Trace: lambda n, a: [[_total([a[0][i][i] for i in range(len(a[0]))])]],
    Det: lambda n, a: [[_eliminate(a[0], None)[0]]],
    SumAll: lambda n, a: [[_total([v for r in a[0] for v in r])]],
    Diag: lambda n, a: _diag(a[0]),
    DiagPart: lambda n, a: [[a[0][i][i]] for i in range(len(a[0]))],
    Vec: lambda n, a: [[v] for col in zip(*a[0], strict=True) for v in col],
    Kron: lambda n, a: _kron(a[0], a[1]),
    Entry: lambda n, a: [[a[0][n.i][n.j]]],
    Block: _block,
}
