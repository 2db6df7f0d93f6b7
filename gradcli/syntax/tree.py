"""The syntax tree: what the parser builds, before any shape is known.

Every node carries the ``Span`` of source text it came from so that later
stages (type checking) can point at the fault. Nodes are frozen dataclasses;
``sexpr()`` gives a compact, stable form for tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradcli.errors import Span
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


@dataclass(frozen=True)
class Node:
    span: Span

    def sexpr(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(frozen=True)
class Num(Node):
    """A number literal; ``text`` is exactly as written."""

    value: float
    text: str

    def sexpr(self) -> str:
        return self.text


@dataclass(frozen=True)
class Name(Node):
    """A variable, or one of ``CONSTANTS``."""

    name: str

    def sexpr(self) -> str:
        return self.name


@dataclass(frozen=True)
class Call(Node):
    """``func(arg)``; ``func`` is in ``FUNCTIONS``."""

    func: str
    args: tuple[Node, ...]
    func_span: Span

    def sexpr(self) -> str:
        return "(" + " ".join([self.func, *(a.sexpr() for a in self.args)]) + ")"


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node
    op_span: Span

    def sexpr(self) -> str:
        return f"({self.op} {self.left.sexpr()} {self.right.sexpr()})"


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Transpose(Node):
    """``A^T``, ``A'`` or ``Aᵀ``."""

    operand: Node

    def sexpr(self) -> str:
        return f"(T {self.operand.sexpr()})"


@dataclass(frozen=True)
class Norm(Node):
    """``||a||`` with an optional subscript: ``None``, ``"1"``, ``"2"``, ``"F"``
    or any other text the user wrote after ``_`` (rejected later, with a span)."""

    operand: Node
    sub: str | None
    sub_span: Span | None

    def sexpr(self) -> str:
        tag = "norm" if self.sub is None else f"norm_{self.sub}"
        return f"({tag} {self.operand.sexpr()})"


@dataclass(frozen=True)
class VectorLit(Node):
    """``[e1, e2, ...]``: a column vector of scalar expressions."""

    items: tuple[Node, ...]

    def sexpr(self) -> str:
        return "(vec " + " ".join(i.sexpr() for i in self.items) + ")"


@dataclass(frozen=True)
class MatrixLit(Node):
    """``[[a, b], [c, d]]``: a matrix of scalar expressions, row by row."""

    rows: tuple[tuple[Node, ...], ...]

    def sexpr(self) -> str:
        rows = " ".join("(" + " ".join(e.sexpr() for e in r) + ")" for r in self.rows)
        return f"(mat {rows})"


@dataclass(frozen=True)
class Where(Node):
    """``body where s = e1, u = e2``: each name stands for its expression in
    the body and in later definitions. Only at the top level."""

    body: Node
    bindings: tuple[tuple[Name, Node], ...]

    def sexpr(self) -> str:
        defs = " ".join(f"({n.name} {e.sexpr()})" for n, e in self.bindings)
        return f"(where {self.body.sexpr()} {defs})"
