"""Spellings from other tools, and dimension names, rewritten onto the core language.

Each name in ``tree.SUGAR`` is typed here (pass one) and lowered here onto
existing IR constructs (pass two), so no later stage knows about it:

- ``norm(a)`` is ``||a||`` (Euclidean, Frobenius for a matrix); ``norm1(x)``
  is ``||x||_1`` (refused for a matrix, as ``||A||_1`` is);
- ``vector(c)`` and ``matrix(c)`` are ``c`` in every entry of a vector or a
  matrix of the size the context needs, as ``c ones`` is;
- ``len(v)`` is the number of entries of a vector (or a row vector), and of a
  matrix its number of rows, as NumPy's ``len``: ``len(A^T)`` counts columns.
  It is the sum of an all-ones vector of that dimension, which printers show
  as the dimension's name;
- ``mean(a)`` is ``sum(a)`` over the number of entries of ``a``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gradcli.errors import ShapeError
from gradcli.ir import build as B
from gradcli.ir.dims import ONE, Shape
from gradcli.ir.nodes import Expr
from gradcli.syntax import tree as T
from gradcli.syntax.dimensions import ONE_TOK, SCALAR_T, TShape

if TYPE_CHECKING:
    from gradcli.syntax.typecheck import Checker


def infer_sugar(checker: Checker, n: T.Call) -> TShape:
    """The shape of ``n``, a call of a name in ``tree.SUGAR``."""
    arg = n.args[0]
    s = checker.shapes[id(arg)]
    if n.func in ("vector", "matrix"):
        if not s.is_scalar:
            raise ShapeError(
                f"{n.func}(c) fills a {n.func} with the scalar c, "
                f"but {checker._describe(arg)} is not a scalar",
                arg.span,
                hint=f"for a {n.func} of ones write {n.func}(1)",
            )
        cols = ONE_TOK if n.func == "vector" else checker.dims.fresh()
        return TShape(checker.dims.fresh(), cols)
    if n.func == "norm1" and s.rows != ONE_TOK and s.cols != ONE_TOK:
        raise ShapeError(
            "norm1 of a matrix is ambiguous (induced or entry-wise?)",
            arg.span,
            hint="write sum(abs(A)) for the sum of absolute values of the entries",
        )
    if n.func == "len" and s.is_scalar:
        raise ShapeError(
            f"len needs a vector or a matrix, but {checker._describe(arg)} is a scalar", arg.span
        )
    return SCALAR_T


def build_sugar(checker: Checker, n: T.Call, arg: Expr) -> Expr:
    """The IR of ``n`` (see the module doc), given its argument's IR ``arg``."""
    if n.func == "norm":
        return B.norm(arg)
    if n.func == "norm1":
        return B.sum_all(B.apply("abs", arg))
    if n.func in ("vector", "matrix"):
        return B.fill(arg, checker._ir_shape(checker.shapes[id(n)]))
    if n.func == "len":
        s = arg.shape
        counted = s.cols if s.rows == ONE else s.rows
        return count(Shape(counted, ONE))
    if n.func == "mean":
        return B.mul(B.sum_all(arg), B.power(count(arg.shape), -1.0))
    raise TypeError(f"unknown spelling {n.func}")


def count(shape: Shape) -> Expr:
    """The number of entries of ``shape``: the sum of its all-ones (1 for a scalar)."""
    return B.sum_all(B.ones(shape))


def variable_exponent(n: T.Power) -> bool:
    """Whether the exponent of ``n`` holds a name (``a^b``, ``x .^ t``); a
    transposed exponent (``A^2^T``) is left to the number rule's message."""
    stack: list[T.Node] = [n.exponent]
    while stack:
        node = stack.pop()
        if isinstance(node, T.Transpose):
            return False
        if isinstance(node, (T.Name, T.Call, T.Norm, T.VectorLit, T.MatrixLit)):
            return True
        if isinstance(node, T.Unary):
            stack.append(node.operand)
        elif isinstance(node, T.Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, T.Power):
            stack.extend((node.base, node.exponent))
    return False


def infer_variable_power(checker: Checker, n: T.Power) -> TShape:
    """``a^b`` of scalars; ``x .^ t``, ``t .^ x`` and ``x .^ y`` element-wise,
    where a scalar broadcasts and two arrays must have the same shape."""
    b, e = checker.shapes[id(n.base)], checker.shapes[id(n.exponent)]
    if not n.elementwise and not (b.is_scalar and e.is_scalar):
        raise ShapeError(
            "a variable exponent needs a scalar base and a scalar exponent with ^",
            n.op_span.cover(n.exponent.span),
            hint="use .^ for an element-wise power: x .^ t or t .^ x",
        )
    if b.is_scalar:
        return e
    if e.is_scalar:
        return b
    if not (checker.dims.unify(b.rows, e.rows) and checker.dims.unify(b.cols, e.cols)):
        raise ShapeError(
            f"cannot raise {checker._describe(n.base)} to {checker._describe(n.exponent)} "
            "element-wise",
            n.base.span,
            extra_spans=(n.exponent.span,),
        )
    return b


def build_variable_power(base: Expr, exponent: Expr) -> Expr:
    """``a^b = exp(b log(a))``, entry by entry: defined for a base > 0, where
    ``d(a^b) = b a^(b-1) da + a^b log(a) db`` follows from the chain rule."""
    log_base = B.apply("log", base)
    if log_base.is_scalar or exponent.is_scalar:
        return B.apply("exp", B.mul(exponent, log_base))
    return B.apply("exp", B.hadamard(exponent, log_base))
