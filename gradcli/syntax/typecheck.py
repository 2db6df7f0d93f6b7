"""From syntax tree to typed IR: kinds, symbolic dimensions and their unification.

Pass one infers a shape for every syntax node with a union-find over
dimension variables (``x^T A x`` makes ``A`` square); a mismatch is a
``ShapeError`` that names both sides and points at them. Pass two builds the
IR with every dimension resolved and named (``n``, ``m``, ``k``, ...).

A name's kind is, unless declared, a matrix when it starts with an upper-case
letter and a column vector otherwise (SPEC §2). A variable dimension is never
1: a vector is never silently a scalar. Declarations are in ``declarations.py``,
the union-find over dimensions in ``dimensions.py``, and the typing of a
``verify`` claim in ``gradcli.verification.claim``.

Over 500 lines: the two passes read every kind of syntax node, and they are
kept side by side (``Checker.infer`` and ``Checker.build``, with the lowering
helpers after them) so that a new kind of node is added to both at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from gradcli.errors import GradcliError, LimitError, ParseError, ShapeError
from gradcli.ir import build as B
from gradcli.ir.build import matrix_exponent
from gradcli.ir.dims import ONE, Dim, Kind, Shape
from gradcli.ir.nodes import Expr, Power, Var, tree_size
from gradcli.ir.numbers import exact
from gradcli.ir.primitives import COMPOSITES, REDUCTIONS
from gradcli.syntax import tree as T
from gradcli.syntax.declarations import Declarations
from gradcli.syntax.dimensions import ONE_TOK, SCALAR_T, Dims, DimTok, TShape
from gradcli.syntax.scalar_hint import pasted, scalar_hint
from gradcli.syntax.sugar import (
    build_sugar,
    build_variable_power,
    infer_sugar,
    infer_variable_power,
    variable_exponent,
)

DIM_NAMES = ["n", "m", "k", "p", "q", "r", "s", "t", "u", "v", "w"]
MAX_MATRIX_POWER = 64
MAX_EXPONENT = 1e6
MAX_EXPANDED = 20_000


@dataclass
class Typed:
    """The result of type checking: the IR and what the user should know."""

    expr: Expr
    variables: dict[str, Var]
    notes: list[str]
    where_names: frozenset[str] = frozenset()


def typecheck(
    node: T.Node, source: str, decls: Declarations | None = None, hints: bool = True
) -> Typed:
    """Infer shapes, then build the IR. Raises ``GradcliError`` with spans; with
    ``hints``, a shape error says which ``--scalar`` declaration would remove it."""
    decls = decls or Declarations()
    decls.validate()
    checker = Checker(source, decls)
    try:
        checker.infer(node)
        expr = checker.build(node)
        expanded_limit(expr, node)
    except GradcliError as err:
        err.with_source(source)
        if err.hint is None:
            err.hint = checker.run_together_hint()
        if hints and isinstance(err, ShapeError) and checker.run_together_hint() is None:
            scalar = scalar_hint(node, source, decls)
            err.hint = scalar if pasted(scalar) else err.hint
        raise
    return Typed(expr, checker.ir_vars(), checker.notes(), frozenset(checker.locals))


class Checker:
    """Infers a shape for every syntax node (pass one), then builds the IR
    (pass two); ``locals`` and ``local_ir`` hold the ``where`` names."""

    def __init__(self, source: str, decls: Declarations) -> None:
        self.source = source
        self.decls = decls
        self.dims = Dims()
        self.shapes: dict[int, TShape] = {}
        self.var_shapes: dict[str, TShape] = {}
        self.var_order: list[str] = []
        self.dim_names: dict[DimTok, Dim] = {}
        self.locals: dict[str, TShape] = {}
        self.local_ir: dict[str, Expr] = {}
        self.vars: dict[str, Var] = {}

    # ------------------------------------------------------------ pass one

    def infer(self, node: T.Node) -> TShape:
        if isinstance(node, T.Where):
            for bound, value in node.bindings:
                self.locals[bound.name] = self.infer(value)
            return self.infer(node.body)
        stack: list[tuple[T.Node, bool]] = [(node, False)]
        while stack:
            n, done = stack.pop()
            if done:
                self.shapes[id(n)] = self._infer_one(n)
                continue
            stack.append((n, True))
            stack.extend((k, False) for k in reversed(syntax_children(n)))
        return self.shapes[id(node)]

    def _shape(self, n: T.Node) -> TShape:
        return self.shapes[id(n)]

    def _infer_one(self, n: T.Node) -> TShape:
        if isinstance(n, T.Num):
            return SCALAR_T
        if isinstance(n, T.Name):
            return self._infer_name(n)
        if isinstance(n, T.Unary):
            return self._shape(n.operand)
        if isinstance(n, T.Binary):
            return self._infer_binary(n)
        if isinstance(n, T.Power):
            return self._infer_power(n)
        if isinstance(n, T.Transpose):
            s = self._shape(n.operand)
            return TShape(s.cols, s.rows)
        if isinstance(n, T.Norm):
            return self._infer_norm(n)
        if isinstance(n, T.Call):
            return self._infer_call(n)
        if isinstance(n, T.VectorLit):
            return self._infer_blocks([[it] for it in n.items])
        if isinstance(n, T.MatrixLit):
            return self._infer_blocks([list(r) for r in n.rows])
        raise TypeError(f"unknown syntax node {type(n).__name__}")

    def _infer_name(self, n: T.Name) -> TShape:
        if n.name in self.locals:
            return self.locals[n.name]
        if n.name == "eye":
            d = self.dims.fresh()
            return TShape(d, d)
        if n.name in ("ones", "zeros"):
            return TShape(self.dims.fresh(), ONE_TOK)
        if n.name in self.var_shapes:
            return self.var_shapes[n.name]
        kind = self.decls.kind_of(n.name)
        if kind is Kind.SCALAR:
            s = SCALAR_T
        elif kind is Kind.VECTOR:
            s = TShape(self.dims.fresh(), ONE_TOK)
        elif self.decls.is_square(n.name):
            d = self.dims.fresh()
            s = TShape(d, d)
        else:
            s = TShape(self.dims.fresh(), self.dims.fresh())
        self.var_shapes[n.name] = s
        self.var_order.append(n.name)
        return s

    def _infer_binary(self, n: T.Binary) -> TShape:
        a, b = self._shape(n.left), self._shape(n.right)
        if n.op == "*":
            if a.is_scalar:
                return b
            if b.is_scalar:
                return a
            if not self.dims.unify(a.cols, b.rows):
                raise self._mismatch(n, "cannot multiply", "by", _product_hint(a, b))
            return TShape(a.rows, b.cols)
        if n.op == "/":
            if not b.is_scalar:
                raise ShapeError(
                    f"cannot divide by {self._describe(n.right)}: '/' divides by a scalar",
                    n.right.span,
                    hint="use ./ for element-wise division, or inv(B) for a matrix inverse",
                )
            return a
        if a.is_scalar:
            return b
        if b.is_scalar:
            return a
        if not (self.dims.unify(a.rows, b.rows) and self.dims.unify(a.cols, b.cols)):
            verb = {"+": "cannot add", "-": "cannot subtract"}.get(n.op, f"cannot apply {n.op} to")
            joint = {"-": "from"}.get(n.op, "and")
            if n.op == "-":
                raise self._mismatch(n, verb, joint, None, swap=True)
            raise self._mismatch(n, verb, joint, None)
        return a

    def _infer_power(self, n: T.Power) -> TShape:
        b = self._shape(n.base)
        if variable_exponent(n):
            _exponent_fault(n.exponent)
            return infer_variable_power(self, n)
        k = self._exponent(n)
        if n.elementwise or b.is_scalar:
            return b
        if b.is_vector or b.rows == ONE_TOK:
            raise ShapeError(
                f"{self._describe(n.base)} to the power {_num(k)} is not defined",
                n.op_span.cover(n.exponent.span),
                hint="use x .^ k for an element-wise power, or x^T x (||x||^2) for a square",
            )
        if not k.is_integer():
            raise ShapeError(
                f"a matrix power needs an integer exponent, not {_num(k)}",
                n.exponent.span,
                hint="use .^ for an element-wise power",
            )
        if abs(k) > MAX_MATRIX_POWER:
            raise LimitError(
                f"matrix powers are limited to ±{MAX_MATRIX_POWER} (this one is {_num(k)})",
                n.exponent.span,
            )
        if not self.dims.unify(b.rows, b.cols):
            raise ShapeError(
                f"a power of {self._describe(n.base)} needs a square matrix",
                n.base.span,
            )
        return b

    def _exponent(self, n: T.Power) -> float:
        _exponent_fault(n.exponent)
        k = const_eval(n.exponent)
        if k is None and _has_transpose(n.exponent):
            raise ShapeError(
                "the exponent here is transposed, since ^ groups to the right",
                n.exponent.span,
                hint="write (A^-1)^T or A^-T",
            )
        if k is None:
            raise ShapeError(
                "the exponent must be a number",
                n.exponent.span,
                hint="write exp(s log(t)) for a variable exponent",
            )
        if abs(k) > MAX_EXPONENT:
            raise LimitError("exponents are limited to ±1e6", n.exponent.span)
        return k

    def _infer_norm(self, n: T.Norm) -> TShape:
        s = self._shape(n.operand)
        sub = n.sub
        where = n.sub_span or n.span
        if sub not in (None, "1", "2", "F", "fro"):
            raise ShapeError(
                f"the norm ||.||_{sub} is not supported",
                where,
                hint="use ||a|| or ||a||_2 (Euclidean), ||a||_1, or ||A||_F (Frobenius)",
            )
        is_matrix = s.rows != ONE_TOK and s.cols != ONE_TOK
        if is_matrix and sub in ("1", "2"):
            raise ShapeError(
                f"||A||_{sub} of a matrix is ambiguous (induced or entry-wise?)",
                where,
                hint="write ||A||_F or ||A|| for the Frobenius norm",
            )
        return SCALAR_T

    def _infer_call(self, n: T.Call) -> TShape:
        if n.func in T.SUGAR:
            return infer_sugar(self, n)
        if n.func in COMPOSITES:
            return self._infer_elementwise(n)
        if n.func == "kron":
            a, b = (self._shape(x) for x in n.args)
            return TShape(self.dims.product(a.rows, b.rows), self.dims.product(a.cols, b.cols))
        arg = n.args[0]
        s = self._shape(arg)
        f = n.func
        if f == "vec":
            return TShape(self.dims.product(s.cols, s.rows), ONE_TOK)
        if f in ("sum", "norm2"):
            return SCALAR_T
        if f == "softmax" or f in REDUCTIONS:
            if not s.is_vector:
                if f == "softmax":
                    raise self._softmax_error(n, arg, s)
                raise self._kind_error(n, arg, "a column vector")
            return s if f == "softmax" else SCALAR_T
        if f in ("softmax_rows", "softmax_cols"):
            if s.rows == ONE_TOK or s.cols == ONE_TOK:
                raise self._kind_error(n, arg, "a matrix (for a vector, use softmax)")
            return s
        if f == "commutation":  # K vec(A) = vec(A^T): rows as vec(A^T), columns as vec(A)
            return TShape(self.dims.product(s.rows, s.cols), self.dims.product(s.cols, s.rows))
        if f in ("tr", "det", "logdet", "inv"):
            if s.is_scalar:
                return s
            if s.rows == ONE_TOK or s.cols == ONE_TOK or not self.dims.unify(s.rows, s.cols):
                raise self._kind_error(n, arg, "a square matrix")
            return SCALAR_T if f != "inv" else s
        if f == "diag":
            if s.is_vector:
                return TShape(s.rows, s.rows)
            if s.is_scalar:
                return s
            if s.rows == ONE_TOK or not self.dims.unify(s.rows, s.cols):
                raise self._kind_error(n, arg, "a vector or a square matrix")
            return TShape(s.rows, ONE_TOK)
        return s

    def _infer_elementwise(self, n: T.Call) -> TShape:
        """``max(a, b)``: arguments of one shape, or a scalar beside any shape."""
        a, b = (self._shape(x) for x in n.args)
        if a.is_scalar or b.is_scalar:
            return b if a.is_scalar else a
        if not (self.dims.unify(a.rows, b.rows) and self.dims.unify(a.cols, b.cols)):
            left, right = (self._describe(x) for x in n.args)
            raise ShapeError(
                f"{n.func} takes arguments of one shape, or a scalar: {left} and {right}",
                n.args[0].span,
                extra_spans=(n.args[1].span,),
            )
        return a

    def _infer_blocks(self, rows: list[list[T.Node]]) -> TShape:
        """A literal of scalars, or a block matrix: blocks in a row share their
        height, blocks in a column their width (``[[x, y]]``, ``[[2 x^T], [a^T]]``)."""
        heights = [self._same(row, "rows", "height") for row in rows]
        cols = [[row[j] for row in rows] for j in range(len(rows[0]))]
        widths = [self._same(col, "cols", "width") for col in cols]
        return TShape(self._stack(heights, rows[0][0]), self._stack(widths, rows[0][0]))

    def _same(self, blocks: list[T.Node], axis: str, word: str) -> DimTok:
        first = getattr(self._shape(blocks[0]), axis)
        for b in blocks[1:]:
            if not self.dims.unify(first, getattr(self._shape(b), axis)):
                raise ShapeError(
                    f"blocks that sit side by side must have the same {word}: "
                    f"{self._describe(blocks[0])} and {self._describe(b)}",
                    blocks[0].span,
                    extra_spans=(b.span,),
                )
        return first

    def _stack(self, parts: list[DimTok], where: T.Node) -> DimTok:
        if len(parts) == 1:
            return parts[0]
        sizes = [self.dims.size[self.dims.find(p)] for p in parts]
        if any(size is None for size in sizes):
            return self.dims.sum(parts)  # n+m: a block Hessian reads back
        return self.dims.fresh(sum(size or 0 for size in sizes))

    # ------------------------------------------------------------ messages

    def _describe(self, n: T.Node) -> str:
        text = self.source[n.span.start : n.span.end].strip()
        if len(text) > 30:
            text = text[:27] + "..."
        return f"{text} ({self.shape_text(self._shape(n))})"

    def shape_text(self, s: TShape) -> str:
        if s.is_scalar:
            return "a scalar"
        if s.is_vector:
            return f"a vector of size {self._dim_text(s.rows)}"
        if s.rows == ONE_TOK:
            return f"a row vector of size {self._dim_text(s.cols)}"
        return f"{self._dim_text(s.rows)}×{self._dim_text(s.cols)}"

    def _dim_text(self, d: DimTok) -> str:
        return str(self._dim(d))

    def _mismatch(
        self, n: T.Binary, verb: str, joint: str, hint: str | None, swap: bool = False
    ) -> ShapeError:
        left, right = (n.right, n.left) if swap else (n.left, n.right)
        return ShapeError(
            f"{verb} {self._describe(left)} {joint} {self._describe(right)}",
            n.left.span,
            extra_spans=(n.right.span,),
            hint=hint,
        )

    def _softmax_error(self, n: T.Call, arg: T.Node, s: TShape) -> ShapeError:
        """softmax takes a column vector; for a matrix, name the axis."""
        err = self._kind_error(n, arg, "a column vector")
        if s.rows != ONE_TOK and s.cols != ONE_TOK:
            m = self.source[arg.span.start : arg.span.end].strip()
            err.hint = (
                f"for each row of a matrix write softmax_rows({m}) (PyTorch's softmax(S, dim=-1)), "
                f"for each column softmax_cols({m})"
            )
        return err

    def _kind_error(self, n: T.Call, arg: T.Node, need: str) -> ShapeError:
        return ShapeError(f"{n.func} needs {need}, but {self._describe(arg)} is not", arg.span)

    def run_together_hint(self) -> str | None:
        """'did you mean `A x`?' for a name like ``Ax`` when ``A`` and ``x`` occur."""
        names = set(self.var_order)
        for name in self.var_order:
            for i in range(1, len(name)):
                head, tail = name[:i], name[i:]
                head_ok = head in names or (len(head) == 1 and head.isupper())
                if head_ok and tail in names:
                    return f"'{name}' is one variable; did you mean `{head} {tail}`?"
        return None

    def notes(self) -> list[str]:
        hint = self.run_together_hint()
        return [hint] if hint else []

    # ------------------------------------------------------------ pass two

    def _dim(self, tok: DimTok) -> Dim:
        root = self.dims.find(tok)
        if root == ONE_TOK:
            return ONE
        ab = self.dims.factors(root)
        if ab is not None and self.dims.size[root] is None:
            return Dim.product(self._dim(ab[0]), self._dim(ab[1]))
        parts = self.dims.parts(root)
        if parts is not None:  # named as the IR names a block's size (ir.nodes.Block)
            dims = [self._dim(p) for p in parts]
            if all(d.size is not None for d in dims):  # the parts were fixed later
                return Dim.fixed(sum(d.size or 0 for d in dims))
            return Dim("+".join(str(d) for d in dims))
        if root not in self.dim_names:
            size = self.dims.size[root]
            if size is not None:
                self.dim_names[root] = Dim.fixed(size)
            else:
                used = sum(1 for d in self.dim_names.values() if d.size is None)
                name = DIM_NAMES[used] if used < len(DIM_NAMES) else f"d{used + 1}"
                self.dim_names[root] = Dim(name)
        return self.dim_names[root]

    def _ir_shape(self, s: TShape) -> Shape:
        return Shape(self._dim(s.rows), self._dim(s.cols))

    def ir_vars(self) -> dict[str, Var]:
        return {name: self._var(name) for name in self.var_order}

    def _var(self, name: str) -> Var:
        if name not in self.vars:
            s = self._ir_shape(self.var_shapes[name])
            kind = self.decls.kind_of(name)
            symmetric = self.decls.is_symmetric(name)
            self.vars[name] = Var(name, s, kind, symmetric, self.decls.assumptions(name))
        return self.vars[name]

    def build(self, node: T.Node) -> Expr:
        if isinstance(node, T.Where):
            for bound, value in node.bindings:
                self.local_ir[bound.name] = self.build(value)
            return self.build(node.body)
        for name in self.var_order:
            self._var(name)
        built: dict[int, Expr] = {}
        stack: list[tuple[T.Node, bool]] = [(node, False)]
        while stack:
            n, done = stack.pop()
            if done:
                try:
                    e = self._build_one(n, [built[id(k)] for k in syntax_children(n)])
                except LimitError as err:  # a folded constant out of range
                    raise LimitError(err.message, err.span or n.span) from None
                if isinstance(n, T.Power):
                    _power_limits(e, n)
                built[id(n)] = e
                continue
            stack.append((n, True))
            stack.extend((k, False) for k in reversed(syntax_children(n)))
        return built[id(node)]

    def _build_one(self, n: T.Node, kids: list[Expr]) -> Expr:
        if isinstance(n, T.Num):
            return B.const(literal_value(n))
        if isinstance(n, T.Name):
            shape = self._ir_shape(self._shape(n))
            if n.name == "eye":
                return B.Identity(shape.rows) if not shape.is_scalar else B.const(1.0)
            if n.name == "ones":
                return B.ones(shape)
            if n.name == "zeros":
                return B.zeros(shape)
            if n.name in self.local_ir:
                return self.local_ir[n.name]
            return self.vars[n.name]
        if isinstance(n, T.Unary):
            return B.neg(kids[0]) if n.op == "-" else kids[0]
        if isinstance(n, T.Binary):
            return _binary(n.op, kids[0], kids[1])
        if isinstance(n, T.Power) and variable_exponent(n):
            return build_variable_power(kids[0], kids[1])
        if isinstance(n, T.Power):
            return _power(kids[0], const_eval(n.exponent) or 0.0, n.elementwise)
        if isinstance(n, T.Transpose):
            return B.transpose(kids[0])
        if isinstance(n, T.Norm):
            if n.sub == "1":
                return B.sum_all(B.apply("abs", kids[0]))
            return B.norm(kids[0])
        if isinstance(n, T.Call):
            if n.func in T.SUGAR:
                return build_sugar(self, n, kids[0])
            if n.func == "kron":
                return B.kron(kids[0], kids[1])
            if n.func in COMPOSITES:  # defined through primitives: max(a, b) = b + relu(a - b)
                return COMPOSITES[n.func].definition(B, *_broadcast(kids[0], kids[1]))
            return _call(n.func, kids[0])
        if isinstance(n, T.VectorLit):
            return B.block([[k] for k in kids])
        if isinstance(n, T.MatrixLit):
            width = len(n.rows[0])
            return B.block([kids[i : i + width] for i in range(0, len(kids), width)])
        raise TypeError(f"unknown syntax node {type(n).__name__}")


def expanded_limit(e: Expr, node: T.Node) -> None:
    """The size limit holds for the expression written out without ``where``
    names, so a short chain of definitions cannot stand for a huge expression."""
    if tree_size(e, MAX_EXPANDED) > MAX_EXPANDED:
        raise LimitError(
            f"the expression, written out without its where names, has more than "
            f"{MAX_EXPANDED:,} parts",
            node.span,
        )


def _power_limits(e: Expr, n: T.Power) -> None:
    """The power limits hold for the power as built, through ``where`` names
    (``B3^2 where B1 = A^2, B2 = B1^2, B3 = B2^2`` is ``A^16``)."""
    k = matrix_exponent(e)
    if abs(k) > MAX_MATRIX_POWER:
        raise LimitError(
            f"matrix powers are limited to ±{MAX_MATRIX_POWER} (this one is {k}, "
            "counted through where)",
            n.span,
        )
    if isinstance(e, Power) and abs(e.exponent) > MAX_EXPONENT:
        raise LimitError("exponents are limited to ±1e6 (counted through where)", n.span)


def literal_value(n: T.Num) -> Fraction:
    """A number literal exactly as written (``0.1`` is 1/10, not the double
    nearest to it); a literal too large or too small for a double is an error."""
    exponent = re.search(r"[eE]([+-]?[0-9]+)$", n.text)
    try:
        if exponent is not None and abs(int(exponent.group(1))) > 400:
            return exact(n.value)
        return exact(Fraction(n.text))
    except LimitError as err:
        raise LimitError(err.message, n.span) from None


def syntax_children(n: T.Node) -> list[T.Node]:
    if isinstance(n, (T.Unary, T.Transpose, T.Norm)):
        return [n.operand]
    if isinstance(n, T.Binary):
        return [n.left, n.right]
    if isinstance(n, T.Power):
        return [n.base, n.exponent] if variable_exponent(n) else [n.base]
    if isinstance(n, T.Call):
        return list(n.args)
    if isinstance(n, T.VectorLit):
        return list(n.items)
    if isinstance(n, T.MatrixLit):
        return [e for r in n.rows for e in r]
    return []


def _broadcast(a: Expr, b: Expr) -> tuple[Expr, Expr]:
    if a.is_scalar and not b.is_scalar:
        return B.fill(a, b.shape), b
    if b.is_scalar and not a.is_scalar:
        return a, B.fill(b, a.shape)
    return a, b


def _binary(op: str, a: Expr, b: Expr) -> Expr:
    if op == "*":
        return B.mul(a, b)
    if op == "/":
        return B.mul(a, B.power(b, -1.0))
    if op == "./" and b.is_scalar:
        return B.mul(a, B.power(b, -1.0))
    a, b = _broadcast(a, b)
    if op == "+":
        return B.add(a, b)
    if op == "-":
        return B.sub(a, b)
    if op == ".*":
        return B.hadamard(a, b)
    if op == "./":
        return B.divide(a, b)
    raise TypeError(f"unknown operator {op}")


def _power(base: Expr, k: float, elementwise: bool) -> Expr:
    if elementwise or base.is_scalar:
        return B.power(base, k)
    if k == -1:
        return B.inverse(base)
    return B.matpow(base, int(k))


_CALLS = {
    "sum": B.sum_all,
    "tr": B.trace,
    "det": B.det,
    "logdet": B.logdet,
    "inv": B.inverse,
    "diag": B.diag,
    "softmax": B.softmax,
    "softmax_rows": B.softmax_rows,
    "softmax_cols": B.softmax_cols,
    "commutation": B.commutation,
    "norm2": B.norm,
    "vec": B.vec,
}


def _call(func: str, arg: Expr) -> Expr:
    if func in _CALLS:
        return _CALLS[func](arg)
    if func in REDUCTIONS:
        return B.reduction(func, arg)
    return B.apply(func, arg)


def const_eval(n: T.Node) -> float | None:
    """The value of a constant numeric expression (``2``, ``-1``, ``1/2``), else None."""
    if isinstance(n, T.Num):
        return n.value
    if isinstance(n, T.Unary):
        v = const_eval(n.operand)
        return None if v is None else (-v if n.op == "-" else v)
    if isinstance(n, T.Power):
        base, k = const_eval(n.base), const_eval(n.exponent)
        if base is None or k is None or (base < 0 and not k.is_integer()):
            return None
        try:
            value = base**k
        except (OverflowError, ZeroDivisionError):
            return None
        return value if isinstance(value, float) and value == value else None
    if isinstance(n, T.Binary) and n.op in ("+", "-", "*", "/", ".*", "./"):
        a, b = const_eval(n.left), const_eval(n.right)
        if a is None or b is None:
            return None
        if n.op == "+":
            return a + b
        if n.op == "-":
            return a - b
        if n.op in ("*", ".*"):
            return a * b
        return a / b if b != 0 else None
    return None


def _exponent_fault(n: T.Node) -> None:
    """Refuse what docs/language.md rules out in an exponent, naming the real fault:
    a power inside it (``A^-1^-1``, ``t^(2^2)``), or a division by zero (``t^(1/0)``)."""
    stack = [n]
    while stack:
        node = stack.pop()
        if isinstance(node, T.Power):
            raise ParseError(
                "a power is not accepted inside an exponent (^ groups to the right)",
                node.span,
                hint="give the inner power as the base in parentheses, (a^b)^c, "
                "or write the exponent as a number",
            )
        if isinstance(node, T.Binary) and node.op in ("/", "./") and const_eval(node.right) == 0:
            raise GradcliError(
                "division by zero in the exponent", node.op_span.cover(node.right.span)
            )
        if isinstance(node, T.Unary):
            stack.append(node.operand)
        elif isinstance(node, T.Binary):
            stack.extend((node.left, node.right))


def _has_transpose(n: T.Node) -> bool:
    if isinstance(n, T.Transpose):
        return True
    return isinstance(n, T.Unary) and _has_transpose(n.operand)


def _num(k: float) -> str:
    return str(int(k)) if k.is_integer() else repr(k)


def _product_hint(a: TShape, b: TShape) -> str | None:
    if a.is_vector and b.is_vector:
        return "for vectors x, y write x^T y (inner product), x .* y (element-wise) or x y^T"
    return None
