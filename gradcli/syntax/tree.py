"""The syntax tree: what the parser builds, before any shape is known.

Every node carries the ``Span`` of source text it came from so that later
stages (type checking) can point at the fault. Nodes are frozen dataclasses;
``sexpr()`` gives a compact, stable form for tests.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, TypeVar, cast

from gradcli.errors import Span
from gradcli.ir.nodes import assign_once, dataclass_transform, never_delete
from gradcli.ir.primitives import all_names, arity, canonical

# Functions known to the language (SPEC §2), with their aliases: a view of the
# primitive table. They are reserved words: a known name is always a call,
# never a variable.
FUNCTIONS: frozenset[str] = all_names()

# Functions of more than one argument; every other function takes one.
ARITY: dict[str, int] = {n: arity(canonical(n)) for n in FUNCTIONS if arity(canonical(n)) != 1}

# Spellings from other tools (matrixcalculus.org, MATLAB, NumPy) and dimension
# names, each rewritten by the type checker onto the constructs above
# (docs/language.md): reserved like a function, but not primitives of their own.
SUGAR: frozenset[str] = frozenset({"norm", "norm1", "vector", "matrix", "len", "mean"})

# Names that stand for a value whose size comes from the context.
CONSTANTS: frozenset[str] = frozenset({"eye", "ones", "zeros"})

# ``EXPR where s = EXPR, ...`` names parts of an expression (shared subexpressions).
WHERE = "where"


_T = TypeVar("_T", bound=type)


@dataclass_transform(frozen_default=True)
def _node(cls: _T) -> _T:
    """A frozen dataclass whose ``__repr__``, ``__eq__``, ``__hash__``,
    ``__setattr__`` and ``__delattr__`` are shared by every node (``Node``'s):
    the ones ``dataclass`` generates per class cost start-up time."""
    node: Any = dataclass(eq=False, repr=False)(cls)
    node.__setattr__, node.__delattr__ = assign_once, never_delete
    return cast(_T, node)


@_node
class Node:
    span: Span

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def sexpr(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self) -> str:
        """As a dataclass writes it: one method for every node, as a generated one
        per class costs start-up time."""
        parts = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{type(self).__qualname__}({parts})"


@_node
class Num(Node):
    """A number literal; ``text`` is exactly as written."""

    value: float
    text: str

    def sexpr(self) -> str:
        return self.text


@_node
class Name(Node):
    """A variable, or one of ``CONSTANTS``."""

    name: str

    def sexpr(self) -> str:
        return self.name


@_node
class Call(Node):
    """``func(arg)``; ``func`` is in ``FUNCTIONS``."""

    func: str
    args: tuple[Node, ...]
    func_span: Span

    def sexpr(self) -> str:
        return "(" + " ".join([self.func, *(a.sexpr() for a in self.args)]) + ")"


@_node
class Unary(Node):
    """Prefix ``-a`` (op ``"-"``) or ``+a`` (op ``"+"``)."""

    op: str
    operand: Node

    def sexpr(self) -> str:
        return f"(neg {self.operand.sexpr()})" if self.op == "-" else self.operand.sexpr()


# Binary operators after normalisation of spellings:
#   "+", "-"           sum, difference
#   "*"                product (juxtaposition, "*", "@")
#   ".*"               element-wise product (".*", "⊙")
#   "./"               element-wise division
#   "/"                division (by a scalar, checked later)


@_node
class Binary(Node):
    op: str
    left: Node
    right: Node
    op_span: Span

    def sexpr(self) -> str:
        return f"({self.op} {self.left.sexpr()} {self.right.sexpr()})"


@_node
class Power(Node):
    """``base ^ exponent`` (or ``**``); ``elementwise`` for ``.^``.

    ``A^-1`` is ``Power(A, -1)``; ``A^-T`` is ``Transpose(Power(A, -1))``.
    """

    base: Node
    exponent: Node
    elementwise: bool
    op_span: Span

    def sexpr(self) -> str:
        op = ".^" if self.elementwise else "^"
        return f"({op} {self.base.sexpr()} {self.exponent.sexpr()})"


@_node
class Transpose(Node):
    """``A^T``, ``A'`` or ``Aᵀ``."""

    operand: Node

    def sexpr(self) -> str:
        return f"(T {self.operand.sexpr()})"


@_node
class Norm(Node):
    """``||a||`` with an optional subscript: ``None``, ``"1"``, ``"2"``, ``"F"``
    or any other text the user wrote after ``_`` (rejected later, with a span)."""

    operand: Node
    sub: str | None
    sub_span: Span | None

    def sexpr(self) -> str:
        tag = "norm" if self.sub is None else f"norm_{self.sub}"
        return f"({tag} {self.operand.sexpr()})"


@_node
class VectorLit(Node):
    """``[e1, e2, ...]``: a column vector of scalar expressions."""

    items: tuple[Node, ...]

    def sexpr(self) -> str:
        return "(vec " + " ".join(i.sexpr() for i in self.items) + ")"


@_node
class MatrixLit(Node):
    """``[[a, b], [c, d]]``: a matrix of scalar expressions, row by row."""

    rows: tuple[tuple[Node, ...], ...]

    def sexpr(self) -> str:
        rows = " ".join("(" + " ".join(e.sexpr() for e in r) + ")" for r in self.rows)
        return f"(mat {rows})"


@_node
class Where(Node):
    """``body where s = e1, u = e2``: each name stands for its expression in
    the body and in later definitions. Only at the top level."""

    body: Node
    bindings: tuple[tuple[Name, Node], ...]

    def sexpr(self) -> str:
        defs = " ".join(f"({n.name} {e.sexpr()})" for n, e in self.bindings)
        return f"(where {self.body.sexpr()} {defs})"
