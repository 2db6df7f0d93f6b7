"""Typed expression nodes.

Nodes are immutable and compare structurally. Each computes its ``shape`` at
construction and refuses an ill-shaped combination with ``IRShapeError`` (an
internal error: user input is shape-checked earlier, with source spans).

Build nodes through ``gradcli.ir.build`` (``add``, ``mul``, ...), which keeps
expressions in a light canonical form; the raw constructors here do not
simplify anything.

Sums, Hadamard products and the scalar factors of a product are commutative:
they compare as multisets, so ``a + b == b + a``, while their printed order is
the order in which they were built.

Over 500 lines on purpose: every node class is here, each a few lines, so the
whole IR reads in one place; the walkers at the end need all of them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, fields
from fractions import Fraction
from operator import attrgetter
from typing import Any, TypeVar, cast

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover
    from typing_extensions import dataclass_transform

from gradcli.ir.dims import ONE, SCALAR, Dim, Kind, Shape
from gradcli.ir.numbers import exact
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS


class IRShapeError(Exception):
    """An internal shape inconsistency (a bug, never a user error)."""


ELEMENTWISE_FUNCS: frozenset[str] = frozenset(ELEMENTWISE)


class Expr:
    """Base of all nodes. Subclasses are frozen dataclasses."""

    shape: Shape
    _hash: int

    def children(self) -> tuple[Expr, ...]:
        return ()

    def rebuild(self, kids: tuple[Expr, ...]) -> Expr:
        """The same node over new children (used by generic rewriting)."""
        return self

    def ident(self) -> tuple[Any, ...]:
        """What equality compares; order-free for commutative nodes."""
        raise NotImplementedError

    def _compute_shape(self) -> Shape:
        raise NotImplementedError

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", self._compute_shape())
        object.__setattr__(self, "_hash", hash((type(self).__name__, self.ident())))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(self) is not type(other) or not isinstance(other, Expr):
            return False
        return self._hash == other._hash and self.ident() == other.ident()

    @property
    def is_scalar(self) -> bool:
        return self.shape.is_scalar

    def __repr__(self) -> str:
        """As a dataclass writes it, ``Var(name='x', ...)``: one method for every
        node, as a generated one per class costs start-up time."""
        parts = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{type(self).__qualname__}({parts})"


def assign_once(self: Any, name: str, value: object) -> None:
    """``__setattr__`` of an immutable dataclass (an IR or a syntax node): its
    ``__init__`` sets each field once, and that is all."""
    if name in self.__dict__ or name not in getattr(self, "__dataclass_fields__", ()):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def never_delete(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


_T = TypeVar("_T", bound=type)


# How a field holds children, read from its annotation (a string here, as the
# module uses postponed annotations). Any other field is data.
_ONE, _MANY, _GRID = "Expr", "tuple[Expr, ...]", "tuple[tuple[Expr, ...], ...]"


@dataclass_transform(frozen_default=True, eq_default=False)
def _node(cls: _T) -> _T:
    """Apply a dataclass without generated ``__eq__``/``__hash__`` or ``__repr__``
    (``Expr`` has one for all), frozen by two shared methods (``__init__``
    assigns each field once, nothing else may; one pair for all, as the
    pair ``frozen=True`` generates per class costs start-up time), and
    derive what the class does not write itself: ``children`` (the ``Expr``
    fields in field order, a tuple field spliced in), ``rebuild`` (the same
    data over new children) and ``ident`` (every field)."""
    node: Any = dataclass(eq=False, repr=False)(cls)
    node.__setattr__, node.__delattr__ = assign_once, never_delete
    names = [f.name for f in fields(node)]
    kinds = {f.name: f.type for f in fields(node) if f.type in (_ONE, _MANY, _GRID)}
    if kinds and "children" not in vars(node):
        node.children = _children(list(kinds.items()))
        node.rebuild = _rebuild(names, kinds)
    if node.ident is Expr.ident:
        get = attrgetter(*names)
        node.ident = (lambda self: get(self)) if len(names) > 1 else lambda self: (get(self),)
    return cast(_T, node)


def _children(kinds: list[tuple[str, object]]) -> Callable[[Expr], tuple[Expr, ...]]:
    """The ``children`` method for child fields ``kinds`` (name, annotation)."""
    if len(kinds) == 1 and kinds[0][1] == _MANY:
        get = attrgetter(kinds[0][0])
        return lambda self: cast("tuple[Expr, ...]", get(self))
    if len(kinds) == 1 and kinds[0][1] == _GRID:
        grid = attrgetter(kinds[0][0])
        return lambda self: tuple(e for row in grid(self) for e in row)
    if any(kind != _ONE for _, kind in kinds):
        raise TypeError("a tuple of children must be a node's only child field")
    if len(kinds) == 1:
        one = attrgetter(kinds[0][0])
        return lambda self: (one(self),)
    several = attrgetter(*(n for n, _ in kinds))
    return lambda self: cast("tuple[Expr, ...]", several(self))


def _rebuild(
    names: list[str], kinds: dict[str, object]
) -> Callable[[Expr, tuple[Expr, ...]], Expr]:
    """The ``rebuild`` method: fields in order, each child field from ``kids``."""

    def rebuild(self: Expr, kids: tuple[Expr, ...]) -> Expr:
        it = iter(kids)
        args: list[Any] = []
        for name in names:
            kind = kinds.get(name)
            if kind == _ONE:
                args.append(next(it))
            elif kind == _MANY:
                args.append(tuple(kids))
            elif kind == _GRID:
                width = len(getattr(self, name)[0])
                args.append(tuple(tuple(kids[i : i + width]) for i in range(0, len(kids), width)))
            else:
                args.append(getattr(self, name))
        return type(self)(*args)

    return rebuild


@_node
class Var(Expr):
    name: str
    var_shape: Shape
    kind: Kind
    symmetric: bool = False
    # What the user assumes of its value (``"simplex"``, ``"positive"``, ...:
    # gradcli.syntax.declarations.ASSUMPTIONS); read by the sampler and the
    # simplifier, never by differentiation.
    assume: frozenset[str] = frozenset()

    def ident(self) -> tuple[Any, ...]:
        return (self.name, self.var_shape, self.symmetric, self.assume)

    def _compute_shape(self) -> Shape:
        return self.var_shape


@_node
class Const(Expr):
    """A number, held exactly (``gradcli.ir.numbers``)."""

    value: Fraction | float  # held as a Fraction (converted on construction)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", exact(self.value))
        super().__post_init__()

    def ident(self) -> tuple[Any, ...]:
        return (self.value,)

    def _compute_shape(self) -> Shape:
        return SCALAR


@_node
class Identity(Expr):
    n: Dim

    def _compute_shape(self) -> Shape:
        return Shape(self.n, self.n)


@_node
class Fill(Expr):
    """A scalar broadcast to every entry of ``fill_shape`` (``ones`` is ``Fill(1)``)."""

    value: Expr
    fill_shape: Shape

    def _compute_shape(self) -> Shape:
        if not self.value.is_scalar:
            raise IRShapeError("Fill of a non-scalar")
        return self.fill_shape


@_node
class Add(Expr):
    terms: tuple[Expr, ...]

    def ident(self) -> tuple[Any, ...]:
        return (frozenset(_counted(self.terms)),)

    def _compute_shape(self) -> Shape:
        shapes = {t.shape for t in self.terms}
        if len(shapes) != 1:
            raise IRShapeError(f"Add of shapes {[str(s) for s in shapes]}")
        return self.terms[0].shape


@_node
class Mul(Expr):
    """``coeff * (scalar factors) * (matrix chain)``.

    ``factors`` holds the scalar-valued factors first (commutative), then the
    non-scalar factors in matrix-product order (the chain). The chain's
    product may itself be a scalar (``x^T A x``).
    """

    coeff: Fraction | float  # held as a Fraction (converted on construction)
    factors: tuple[Expr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "coeff", exact(self.coeff))
        super().__post_init__()

    @property
    def scalars(self) -> tuple[Expr, ...]:
        return tuple(f for f in self.factors if f.is_scalar)

    @property
    def chain(self) -> tuple[Expr, ...]:
        return tuple(f for f in self.factors if not f.is_scalar)

    def ident(self) -> tuple[Any, ...]:
        return (self.coeff, frozenset(_counted(self.scalars)), self.chain)

    def _compute_shape(self) -> Shape:
        chain = self.chain
        if not chain:
            return SCALAR
        rows, cols = chain[0].shape.rows, chain[0].shape.cols
        for f in chain[1:]:
            if f.shape.rows != cols:
                raise IRShapeError(f"product {rows}x{cols} by {f.shape.plain()}")
            cols = f.shape.cols
        return Shape(rows, cols)


@_node
class Hadamard(Expr):
    """Element-wise product of two or more same-shaped factors."""

    factors: tuple[Expr, ...]

    def ident(self) -> tuple[Any, ...]:
        return (frozenset(_counted(self.factors)),)

    def _compute_shape(self) -> Shape:
        shapes = {f.shape for f in self.factors}
        if len(shapes) != 1:
            raise IRShapeError("Hadamard of different shapes")
        return self.factors[0].shape


@_node
class Power(Expr):
    """Element-wise power ``base .^ exponent`` (for a scalar: the usual power)."""

    base: Expr
    exponent: float

    def _compute_shape(self) -> Shape:
        return self.base.shape


@_node
class MatPow(Expr):
    """``A^k`` for a square matrix and an integer ``k >= 2``."""

    base: Expr
    k: int

    def _compute_shape(self) -> Shape:
        if not self.base.shape.is_square:
            raise IRShapeError("power of a non-square matrix")
        return self.base.shape


@_node
class Unary(Expr):
    """A node with one operand; subclasses give the shape rule."""

    arg: Expr


def _square(s: Shape) -> Shape:
    if not s.is_square or s.is_scalar:
        raise IRShapeError("needs a square matrix")
    return s


@_node
class Transpose(Unary):
    def _compute_shape(self) -> Shape:
        return self.arg.shape.T


@_node
class Inverse(Unary):
    def _compute_shape(self) -> Shape:
        return _square(self.arg.shape)


@_node
class Trace(Unary):
    def _compute_shape(self) -> Shape:
        _square(self.arg.shape)
        return SCALAR


@_node
class Det(Unary):
    def _compute_shape(self) -> Shape:
        _square(self.arg.shape)
        return SCALAR


@_node
class LogDet(Unary):
    """``log|det A|``."""

    def _compute_shape(self) -> Shape:
        _square(self.arg.shape)
        return SCALAR


@_node
class SumAll(Unary):
    def _compute_shape(self) -> Shape:
        return SCALAR


@_node
class Norm(Unary):
    """Euclidean norm of a vector, Frobenius norm of a matrix."""

    def _compute_shape(self) -> Shape:
        return SCALAR


@_node
class Softmax(Unary):
    def _compute_shape(self) -> Shape:
        if not self.arg.shape.is_vector:
            raise IRShapeError("softmax of a non-vector")
        return self.arg.shape


@_node
class SoftmaxRows(Unary):
    """The softmax of each row of a matrix: every row of the result sums to 1."""

    def _compute_shape(self) -> Shape:
        if not self.arg.shape.is_matrix:
            raise IRShapeError("row softmax of a non-matrix")
        return self.arg.shape


@_node
class SoftmaxCols(Unary):
    """The softmax of each column of a matrix: every column of the result sums to 1."""

    def _compute_shape(self) -> Shape:
        if not self.arg.shape.is_matrix:
            raise IRShapeError("column softmax of a non-matrix")
        return self.arg.shape


@_node
class Commutation(Unary):
    """The commutation matrix ``K`` of Magnus and Neudecker for the shape of
    ``arg`` (``m x n``): ``K vec(A) = vec(A^T)`` for every ``m x n`` matrix ``A``.

    Only the shape of ``arg`` matters (its value never does), so the node is
    constant for differentiation; ``arg`` is kept so that the text form
    ``commutation(X)`` names the shape and reads back."""

    def _compute_shape(self) -> Shape:
        s = self.arg.shape
        d = _dim_product(s.rows, s.cols)
        return Shape(d, d)


@_node
class Diag(Unary):
    """The diagonal matrix of a vector."""

    def _compute_shape(self) -> Shape:
        s = self.arg.shape
        if not s.is_vector:
            raise IRShapeError("diag of a non-vector")
        return Shape(s.rows, s.rows)


@_node
class DiagPart(Unary):
    """The diagonal (a vector) of a square matrix."""

    def _compute_shape(self) -> Shape:
        return Shape(_square(self.arg.shape).rows, ONE)


@_node
class Vec(Unary):
    """The columns of a matrix stacked into one column vector."""

    def _compute_shape(self) -> Shape:
        s = self.arg.shape
        if s.cols == ONE:
            return s
        if s.rows == ONE:
            return s.T
        return Shape(_dim_product(s.rows, s.cols), ONE)


@_node
class Apply(Expr):
    """An element-wise function (``ELEMENTWISE_FUNCS``) of any shape."""

    func: str
    arg: Expr

    def _compute_shape(self) -> Shape:
        if self.func not in ELEMENTWISE_FUNCS:
            raise IRShapeError(f"no element-wise function {self.func!r}")
        return self.arg.shape


@_node
class Reduce(Expr):
    """A reduction of a column vector to a scalar (``REDUCTIONS``: ``logsumexp``)."""

    func: str
    arg: Expr

    def _compute_shape(self) -> Shape:
        if self.func not in REDUCTIONS or not self.arg.shape.is_vector:
            raise IRShapeError(f"no reduction {self.func!r} of {self.arg.shape}")
        return SCALAR


@_node
class Kron(Expr):
    """Kronecker product ``A ⊗ B``."""

    left: Expr
    right: Expr

    def _compute_shape(self) -> Shape:
        a, b = self.left.shape, self.right.shape
        return Shape(_dim_product(a.rows, b.rows), _dim_product(a.cols, b.cols))


def _dim_product(a: Dim, b: Dim) -> Dim:
    return Dim.product(a, b)


@_node
class Entry(Expr):
    """The scalar entry ``(i, j)`` (0-based) of a matrix with fixed dimensions."""

    arg: Expr
    i: int
    j: int

    def _compute_shape(self) -> Shape:
        return SCALAR


@_node
class Block(Expr):
    """A block matrix, row by row; blocks in a row share their row count,
    blocks in a column their column count. With scalar blocks this is the
    literal ``[[a, b], [c, d]]`` (or ``[a, b]`` with one column)."""

    rows: tuple[tuple[Expr, ...], ...]

    def _compute_shape(self) -> Shape:
        widths = {len(r) for r in self.rows}
        if len(widths) != 1:
            raise IRShapeError("ragged block matrix")
        rows = [r[0].shape.rows for r in self.rows]
        for r in self.rows:
            if len({e.shape.rows for e in r}) != 1:
                raise IRShapeError("blocks in a row differ in height")
        cols = [self.rows[0][j].shape.cols for j in range(len(self.rows[0]))]
        for r in self.rows:
            if [e.shape.cols for e in r] != cols:
                raise IRShapeError("blocks in a column differ in width")
        return Shape(_sum_dims(rows), _sum_dims(cols))


def _sum_dims(dims: list[Dim]) -> Dim:
    if len(dims) == 1:
        return dims[0]
    if all(d.size is not None for d in dims):
        return Dim.fixed(sum(d.size for d in dims if d.size is not None))
    return Dim("+".join(str(d) for d in dims))


def _counted(items: tuple[Expr, ...]) -> list[tuple[Expr, int]]:
    counts: dict[Expr, int] = {}
    for it in items:
        counts[it] = counts.get(it, 0) + 1
    return list(counts.items())


def walk(expr: Expr) -> list[Expr]:
    """Every distinct node, children before parents (a topological order)."""
    seen: set[int] = set()
    order: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for k in reversed(node.children()):
            if id(k) not in seen:
                stack.append((k, False))
    return order


def walk_unique(expr: Expr) -> list[Expr]:
    """Like ``walk``, but structurally equal nodes count once: each distinct
    subexpression appears once, after all of its children."""
    seen: set[Expr] = set()
    order: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((k, False) for k in reversed(node.children()) if k not in seen)
    return order


def free_vars(expr: Expr) -> list[Var]:
    """The variables of ``expr`` in order of first appearance, without repeats."""
    out: dict[str, Var] = {}
    for n in walk(expr):
        if isinstance(n, Var) and n.name not in out:
            out[n.name] = n
    return list(out.values())


def depends_on(expr: Expr, names: set[str]) -> bool:
    return any(isinstance(n, Var) and n.name in names for n in walk(expr))


def size(expr: Expr) -> int:
    """The number of nodes, counting shared subtrees once."""
    return len(walk(expr))


def tree_size(expr: Expr, cap: int | None = None) -> int:
    """The number of nodes with every shared subtree counted each time it
    occurs: the size of the expression written out without ``where`` names.
    Linear in ``size(expr)``; with ``cap``, any count above it is ``cap + 1``."""
    counts: dict[int, int] = {}
    for node in walk(expr):  # children before parents
        total = 1 + sum(counts[id(k)] for k in node.children())
        counts[id(node)] = total if cap is None else min(total, cap + 1)
    return counts[id(expr)]
