"""The ``numpy`` format: one Python expression over ``np`` and the variable names.

Contract (SPEC §3): ``eval(code, {"np": np}, env)``, with each vector bound to
a 1-D array ``(n,)``, each matrix to a 2-D array and each scalar to a float,
gives the value in the result's shape: ``(n,)`` for a column vector,
``(m, n)`` for a matrix, ``(1, n)`` for a row vector (the Jacobian of a
scalar), a float for a scalar.

Inside the expression column and row vectors are both 1-D, so a transpose of a
vector prints nothing (``x^T A x`` is ``x @ A @ x``) and an outer product, a
chain whose inner dimension is 1, is spelled ``np.outer(x, y)``. In a chain,
``diag(v) M`` is ``v[:, None] * M`` and ``M diag(v)`` is ``M * v`` (no n x n
matrix is built), and ``X^-1 R`` is ``np.linalg.solve(X, R)``.

Sizes (``np.eye(n)``, ``np.ones(n)``) come from ``dim_code``, which maps each
symbolic ``Dim`` to code for its size; by default a dimension is read off the
first variable that has it (``x.shape[0]``, ``A.shape[1]``).
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import ClassVar

from gradcli.ir import build as B
from gradcli.ir.dims import ONE, Dim, Shape
from gradcli.ir.nodes import (
    Add,
    Apply,
    Block,
    Commutation,
    Const,
    Det,
    Diag,
    DiagPart,
    Entry,
    Expr,
    Fill,
    Identity,
    Inverse,
    Kron,
    LogDet,
    MatPow,
    Mul,
    Norm,
    Reduce,
    Softmax,
    SoftmaxCols,
    SoftmaxRows,
    SumAll,
    Trace,
    Transpose,
    Vec,
    free_vars,
    walk,
)
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS, fill, is_call
from gradcli.printers.base import Prec, Printer, format_number, inverse_operand
from gradcli.printers.sizes import counted_dims


def distribute_over_vectors(expr: Expr) -> Expr:
    """``(A + A^T) x`` as ``A x + A^T x``: two matrix-vector products instead of
    an n x n temporary. Only for code; the value is the same."""
    done: dict[int, Expr] = {}
    for node in walk(expr):
        kids = tuple(done[id(k)] for k in node.children())
        same = all(a is b for a, b in zip(kids, node.children(), strict=True))
        new = node if same else node.rebuild(kids)
        done[id(node)] = _distribute_first(new)
    return done[id(expr)]


def _distribute_first(node: Expr) -> Expr:
    if not isinstance(node, Mul) or not node.shape.is_vector:
        return node
    chain = node.chain
    if len(chain) < 2 or not isinstance(chain[0], Add) or not chain[0].shape.is_matrix:
        return node
    rest = chain[1:]
    terms = tuple(B.mul(node.coeff, *node.scalars, t, *rest) for t in chain[0].terms)
    return Add(terms)


def python_name(name: str) -> str:
    """A variable's name in Python: ``lambda``, ``np`` and ``xp`` (the modules
    the generated code calls) become ``lambda_``, ``np_`` and ``xp_``."""
    return name + "_" if keyword.iskeyword(name) or name in ("np", "xp") else name


def dims_from_variables(expr: Expr) -> dict[Dim, str]:
    """Code for each dimension that a variable of ``expr`` has: ``x.shape[0]``."""
    out: dict[Dim, str] = {}
    for v in free_vars(expr):
        if v.shape.rows != ONE:
            out.setdefault(v.shape.rows, f"{python_name(v.name)}.shape[0]")
        if v.shape.cols != ONE:
            out.setdefault(v.shape.cols, f"{python_name(v.name)}.shape[1]")
    return out


def free_sizes(exprs: Sequence[Expr], taken: set[str]) -> dict[Dim, str]:
    """A parameter name for each symbolic dimension of ``exprs`` no variable has.

    ``tr(X) eye`` has an identity of a size ``m`` that nothing fixes: its code
    is the free name ``m`` (``m_`` and so on if a name in ``taken`` has it),
    which the caller binds to the size it wants (``--function`` makes it a
    keyword argument)."""
    known: set[Dim] = set()
    for e in exprs:
        known.update(dims_from_variables(e))
    out: dict[Dim, str] = {}
    for e in exprs:
        for node in walk(e):
            for d in (node.shape.rows, node.shape.cols):
                for part in d.factors or (d,):
                    if part.size is None and part not in known and part not in out:
                        name = part.name if part.name.isidentifier() else "size"
                        while name in taken or keyword.iskeyword(name):
                            name += "_"
                        out[part] = name
                        taken.add(name)
    return out


def split_outer(chain: Sequence[Expr]) -> list[tuple[Expr, ...]]:
    """Cut a matrix chain where the inner dimension is 1 (``x y^T``).

    Every piece but the first and the last is a scalar (``1 x 1``); the first
    is a column or a scalar, the last a row or a scalar.
    """
    pieces: list[list[Expr]] = [[chain[0]]]
    for prev, f in zip(chain, chain[1:], strict=False):
        if prev.shape.cols == ONE:
            pieces.append([f])
        else:
            pieces[-1].append(f)
    return [tuple(p) for p in pieces]


def _wrap(code: str, prec: Prec, min_prec: Prec = Prec.POWER) -> str:
    return code if prec >= min_prec else f"({code})"


class NumpyPrinter(Printer):
    """NumPy code: ``2 * B.T @ (B @ x - b)``, ``np.trace(A)``, ``np.outer(x, y)``."""

    PRECEDENCE: ClassVar[Mapping[str, Prec]] = MappingProxyType(
        {
            **Printer.PRECEDENCE,
            "Inverse": Prec.ATOM,
            "MatPow": Prec.ATOM,
            "Kron": Prec.ATOM,
            "Softmax": Prec.PRODUCT,
            "SoftmaxRows": Prec.PRODUCT,
            "SoftmaxCols": Prec.PRODUCT,
        }
    )
    juxt = " * "
    had_mul = " * "
    had_div = " / "
    #: The module the code calls (``np.exp``), and the functions it spells
    #: differently from NumPy; the array-API printer changes both.
    ns: ClassVar[str] = "np"
    RENAMED: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def __init__(self, dim_code: Mapping[Dim, str] | None = None) -> None:
        super().__init__()
        self.dim_code: dict[Dim, str] = dict(dim_code or {})
        self._dims: dict[Dim, str] = {}

    def _name(self, name: str) -> str:
        return python_name(name)

    def _fn(self, name: str) -> str:
        """The function ``name`` (NumPy's spelling) of the namespace: ``np.linalg.inv``."""
        return f"{self.ns}.{self.RENAMED.get(name, name)}"

    def doprint(self, expr: Expr) -> str:
        """The code; a row-vector result is reshaped to ``(1, n)``."""
        self._dims = {**dims_from_variables(expr), **self.dim_code}
        code = super().doprint(distribute_over_vectors(expr))
        return f"{self._fn('reshape')}({code}, (1, -1))" if expr.shape.is_row else code

    # ------------------------------------------------------------ precedence

    def _prec_Transpose(self, expr: Transpose) -> Prec:
        if expr.arg.shape.is_matrix or isinstance(expr.arg, Inverse):
            return Prec.ATOM
        return self.precedence(expr.arg)

    def _prec_Apply(self, expr: Apply) -> Prec:
        return Prec.ATOM if is_call(self._code(expr.func)) else Prec.PRODUCT

    def _prec_Fill(self, expr: Fill) -> Prec:
        return Prec.ATOM

    # ------------------------------------------------------------ sizes and tokens

    def _dim(self, d: Dim) -> str:
        """Code for the size of ``d``; a composite dimension multiplies its parts."""
        if d.size is not None:
            return str(d.size)
        if d in self._dims:
            return self._dims[d]
        if d.factors:
            return " * ".join(self._dim(f) for f in d.factors)
        raise ValueError(f"no code for the size of dimension {d}; pass it in dim_code")

    def _shape(self, shape: Shape) -> str:
        """``n`` for a vector (1-D), ``(m, n)`` for a matrix."""
        if shape.cols == ONE:
            return self._dim(shape.rows)
        if shape.rows == ONE:
            return self._dim(shape.cols)
        return f"({self._dim(shape.rows)}, {self._dim(shape.cols)})"

    def _number(self, v: Fraction | float) -> str:
        try:
            x = float(v)
        except OverflowError:  # an exact number beyond a double: what NumPy would compute
            x = math.inf if v > 0 else -math.inf
        if math.isnan(x):
            return f"{self.ns}.nan"
        if math.isinf(x):
            return f"{self.ns}.inf" if x > 0 else f"-{self.ns}.inf"
        return format_number(x)

    def _power(self, base: str, exponent: float, elementwise: bool) -> str:
        sign = "-" if exponent < 0 else ""
        return f"{base} ** {sign}{self._number(abs(exponent))}"

    def _as_2d(self, e: Expr) -> str:
        """``e`` as a 2-D array: a column ``(n, 1)``, a row ``(1, n)``, a scalar ``(1, 1)``."""
        if e.shape.is_matrix:
            return self._print(e)
        target = "(-1, 1)" if e.shape.is_vector else "(1, -1)" if e.shape.is_row else "(1, 1)"
        return f"{self._fn('reshape')}({self._print(e)}, {target})"

    # ------------------------------------------------------------ chains

    def _chain_items(self, chain: Sequence[Expr]) -> list[str]:
        if not chain:
            return []
        code, prec = self._chain_code(chain)
        return [_wrap(code, prec, Prec.PRODUCT)]

    def _product_body(self, prefix: list[str], chain: Sequence[Expr]) -> str:
        """``2 * (A.T @ r)``, not ``2 * A.T @ r``: Python would scale the whole
        matrix first (``(2 * A.T) @ r``), an O(n m) copy instead of O(n)."""
        body = super()._product_body(prefix, chain)
        if prefix and chain and " @ " in body:
            items = self._chain_items(chain)
            if len(items) == 1 and not items[0].startswith("("):
                return self.juxt.join([*prefix, f"({items[0]})"])
        return body

    def _signed(self, negative: bool, text: str) -> str:
        """``-(X.T @ v)``, not ``-X.T @ v``, which negates the matrix first."""
        if negative and " @ " in text and not (text.startswith("(") and text.endswith(")")):
            return f"-({text})"
        return super()._signed(negative, text)

    def _chain_code(self, chain: Sequence[Expr]) -> tuple[str, Prec]:
        """A matrix chain: ``@`` within each piece of ``split_outer``, the column
        and row pieces joined by ``np.outer``, the scalar pieces by ``*``."""
        pieces = split_outer(chain)
        if len(pieces) == 1:
            return self._segment(pieces[0])
        scalars: list[str] = []
        vectors: list[tuple[str, Prec]] = []
        for piece in pieces:
            code, prec = self._segment(piece)
            if piece[0].shape.rows == ONE and piece[-1].shape.cols == ONE:
                scalars.append(_wrap(code, prec))
            else:
                vectors.append((code, prec))
        if len(vectors) == 2:
            vectors = [(f"{self._fn('outer')}({vectors[0][0]}, {vectors[1][0]})", Prec.ATOM)]
        factors = [*scalars, *(_wrap(c, p) for c, p in vectors)]
        return " * ".join(factors), Prec.PRODUCT if len(factors) > 1 else Prec.ATOM

    def _segment(self, seg: Sequence[Expr]) -> tuple[str, Prec]:
        """A chain without unit inner dimensions, folded left to right with ``@``."""
        if len(seg) == 1:
            return self._print(seg[0]), self.precedence(seg[0])
        acc: str | None = None
        for i, f in enumerate(seg):
            rest = seg[i + 1 :]
            if isinstance(f, Diag) and acc is not None:
                acc = f"{acc} * {self.parenthesize(f.arg, Prec.POWER)}"
                continue
            if rest and (isinstance(f, Diag) or inverse_operand(f) is not None):
                code, prec = self._act_left(f, rest)
                if acc is None:
                    return code, prec
                return f"{acc} @ {_wrap(code, prec)}", Prec.PRODUCT
            unit = self.parenthesize(f, Prec.POWER)
            acc = unit if acc is None else f"{acc} @ {unit}"
        return acc or "", Prec.PRODUCT

    def _act_left(self, f: Expr, rest: Sequence[Expr]) -> tuple[str, Prec]:
        """``diag(v) R`` as row scaling, ``X^-1 R`` as ``np.linalg.solve(X, R)``."""
        rhs, rhs_prec = self._segment(rest)
        if isinstance(f, Diag):
            scaled = _wrap(rhs, rhs_prec)
            if rest[-1].shape.cols == ONE:
                return f"{self.parenthesize(f.arg, Prec.POWER)} * {scaled}", Prec.PRODUCT
            return f"{self.parenthesize(f.arg, Prec.ATOM)}[:, None] * {scaled}", Prec.PRODUCT
        matrix = inverse_operand(f)
        if matrix is None:
            raise TypeError(f"{type(f).__name__} does not act on the left")
        return f"{self._fn('linalg.solve')}({self._print(matrix)}, {rhs})", Prec.ATOM

    # ------------------------------------------------------------ transposes and inverses

    def _print_Transpose(self, expr: Transpose) -> str:
        if isinstance(expr.arg, Inverse):
            return f"{self._fn('linalg.inv')}({self._print(expr.arg.arg)}).T"
        if expr.arg.shape.is_matrix:
            return self.parenthesize(expr.arg, Prec.ATOM) + ".T"
        return self._print(expr.arg)

    def _print_Inverse(self, expr: Inverse) -> str:
        if isinstance(expr.arg, Transpose):
            return f"{self._fn('linalg.inv')}({self._print(expr.arg.arg)}).T"
        return f"{self._fn('linalg.inv')}({self._print(expr.arg)})"

    def _print_MatPow(self, expr: MatPow) -> str:
        return f"{self._fn('linalg.matrix_power')}({self._print(expr.base)}, {expr.k})"

    # ------------------------------------------------------------ leaves

    def _print_Identity(self, expr: Identity) -> str:
        return f"np.eye({self._dim(expr.n)})"

    def _print_Fill(self, expr: Fill) -> str:
        """``np.ones(n)``, ``np.zeros((m, n))``, ``np.full(n, 2.5)`` (always float)."""
        if expr.fill_shape.is_scalar:
            return self._print(expr.value)
        shape = self._shape(expr.fill_shape)
        v = expr.value
        if isinstance(v, Const) and v.value in (0.0, 1.0):
            return f"np.{'ones' if v.value == 1.0 else 'zeros'}({shape})"
        if isinstance(v, Const) and math.isfinite(v.value):
            return f"np.full({shape}, {float(v.value)!r})"
        return f"np.full({shape}, {self._print(v)})"

    def _code(self, func: str) -> str:
        """The code template of an element-wise function (its ``numpy`` facet)."""
        return ELEMENTWISE[func].numpy

    def _print_Apply(self, expr: Apply) -> str:
        template = self._code(expr.func)
        neg = self._negated(expr.arg) if "{neg0}" in template else ""
        return fill(template, self.ns, self._print(expr.arg), neg0=neg)

    def _negated(self, arg: Expr) -> str:
        """``-arg`` as code, a negative coefficient made positive (``exp(2 * x)``)."""
        if isinstance(arg, Mul) and arg.coeff < 0:
            return self._print(B.mul(-arg.coeff, *arg.factors))
        return f"-{self.parenthesize(arg, Prec.POWER)}"

    def _print_Trace(self, expr: Trace) -> str:
        """``tr(A B)`` as ``np.sum(A * B.T)``: O(n^2) instead of a matrix product."""
        arg = expr.arg
        if isinstance(arg, Mul) and arg.coeff == 1.0 and not arg.scalars and len(arg.chain) == 2:
            a, bt = arg.chain[0], B.transpose(arg.chain[1])
            left, right = self._print(a), self._print(bt)
            product = f"{_wrap(left, self.precedence(a))} * {_wrap(right, self.precedence(bt))}"
            return f"{self._fn('sum')}({product})"
        return f"{self._fn('trace')}({self._print(arg)})"

    def _print_Det(self, expr: Det) -> str:
        return f"{self._fn('linalg.det')}({self._print(expr.arg)})"

    def _print_LogDet(self, expr: LogDet) -> str:
        return f"{self._fn('linalg.slogdet')}({self._print(expr.arg)})[1]"

    def _print_SumAll(self, expr: SumAll) -> str:
        """A size (``printers.sizes``) is the product of its dimensions' codes."""
        dims = counted_dims(expr)
        if dims is not None:
            return " * ".join(self._dim(d) for d in dims)
        return f"{self._fn('sum')}({self._print(expr.arg)})"

    def _print_Norm(self, expr: Norm) -> str:
        return f"np.linalg.norm({self._print(expr.arg)})"

    def _reduce_code(self, func: str) -> str:
        """The code template of a reduction (its ``numpy`` facet)."""
        return REDUCTIONS[func].numpy

    def _prec_Reduce(self, expr: Reduce) -> Prec:
        return Prec.ATOM if is_call(self._reduce_code(expr.func)) else Prec.SUM

    def _print_Reduce(self, expr: Reduce) -> str:
        return fill(self._reduce_code(expr.func), self.ns, self._print(expr.arg))

    def _print_Softmax(self, expr: Softmax) -> str:
        u = self._print(expr.arg)
        shifted = f"{self._fn('exp')}({u} - {self._fn('max')}({u}))"
        return f"{shifted} / {self._fn('sum')}({shifted})"

    def _print_SoftmaxRows(self, expr: SoftmaxRows) -> str:
        return self._softmax_along(expr.arg, 1)

    def _print_SoftmaxCols(self, expr: SoftmaxCols) -> str:
        return self._softmax_along(expr.arg, 0)

    def _softmax_along(self, arg: Expr, axis: int) -> str:
        """Each row (axis 1) or column (axis 0), less its maximum: exp never overflows."""
        u, along = self._print(arg), f"axis={axis}, keepdims=True"
        shifted = f"{self._fn('exp')}({u} - {self._fn('max')}({u}, {along}))"
        return f"{shifted} / {self._fn('sum')}({shifted}, {along})"

    def _print_Commutation(self, expr: Commutation) -> str:
        """K for an m x n operand: row ``j + i n`` of K is row ``i + j m`` of the
        identity, so the identity's rows, read as an ``n x m`` grid and swapped
        to ``m x n``, are K's rows in order."""
        m, n = self._dim(expr.arg.shape.rows), self._dim(expr.arg.shape.cols)
        size = self._dim(expr.shape.rows)
        eye = self._new_eye(size)
        grid = f"{self._fn('reshape')}({eye}, ({n}, {m}, {size}))"
        swapped = f"{self._fn('transpose')}({grid}, (1, 0, 2))"
        return f"{self._fn('reshape')}({swapped}, ({size}, {size}))"

    def _new_eye(self, size: str) -> str:
        return f"np.eye({size})"

    def _print_Diag(self, expr: Diag) -> str:
        return f"np.diag({self._print(expr.arg)})"

    def _print_DiagPart(self, expr: DiagPart) -> str:
        return f"np.diag({self._print(expr.arg)})"

    def _print_Vec(self, expr: Vec) -> str:
        return self.parenthesize(expr.arg, Prec.ATOM) + '.reshape(-1, order="F")'

    def _print_Kron(self, expr: Kron) -> str:
        """``np.kron`` of 1-D vectors of one orientation, else of 2-D operands."""
        left, right = expr.left, expr.right
        same_side = (left.shape.is_vector and right.shape.is_vector) or (
            left.shape.is_row and right.shape.is_row
        )
        if same_side:
            return f"np.kron({self._print(left)}, {self._print(right)})"
        return f"np.kron({self._as_2d(left)}, {self._as_2d(right)})"

    def _print_Entry(self, expr: Entry) -> str:
        """0-based: ``x[i]`` for a vector or a row, ``A[i, j]`` for a matrix."""
        base = self.parenthesize(expr.arg, Prec.ATOM)
        if expr.arg.shape.is_vector:
            return f"{base}[{expr.i}]"
        if expr.arg.shape.is_row:
            return f"{base}[{expr.j}]"
        return f"{base}[{expr.i}, {expr.j}]"

    def _print_Block(self, expr: Block) -> str:
        """``np.array`` of scalars (1-D for a vector), else ``np.block`` of 2-D parts."""
        if all(e.is_scalar for row in expr.rows for e in row):
            rows = [[self._print(e) for e in row] for row in expr.rows]
            if expr.shape.is_matrix:
                inner = ", ".join("[" + ", ".join(r) + "]" for r in rows)
            else:
                inner = ", ".join(e for r in rows for e in r)
            return f"np.array([{inner}], dtype=np.float64)"
        grid = ", ".join("[" + ", ".join(self._as_2d(e) for e in row) + "]" for row in expr.rows)
        code = f"np.block([{grid}])"
        return code if expr.shape.is_matrix else f"np.ravel({code})"
