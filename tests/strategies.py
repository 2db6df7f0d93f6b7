"""Hypothesis strategies: well-typed random gradcli expressions, as source text.

The variables have fixed kinds (declare them with ``DECLS``):

- ``x``, ``y``: column vectors of size ``n``;
- ``A``, ``B``: ``n x n`` matrices; ``S``: a symmetric ``n x n`` matrix;
- ``C``: an ``m x n`` matrix;
- ``a``, ``t``: scalars (``--scalar a,t``).

An expression of a requested type (``Ty``) is built by typed recursion within
a budget of nodes: every rule is only offered where its operands can be given
types that fit, so what comes out always type-checks. Arguments are kept
inside the domain where the check can use them: ``log``, ``sqrt`` and ``./``
get positive operands (``exp(...)``, ``1 + u .* u``, ``softmax(...)``);
``inv``, ``det`` and ``logdet`` get well-conditioned matrices (``A``,
``A B``, ``eye + 0.1 tanh(M)``); ``exp`` mostly gets a bounded argument
(``tanh``, ``sin``) so it does not overflow. Every element-wise function of
the primitive table is drawn (``DRAWN_FUNCTIONS``), and ``max``, ``min`` and
``logsumexp``.

Text is printed with the fewest parentheses the grammar needs
(``x^T A x``, ``2 x``, ``-x^2``), with randomly chosen spellings
(``^T``/``'``/``ᵀ``, ``*``/juxtaposition/``@``, ``.*``/``⊙``,
``inv(A)``/``A^-1``), so the parser is exercised as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from hypothesis import strategies as st

from gradcli.api import declarations
from gradcli.ir.primitives import ALIASES, ELEMENTWISE, POSITIVE
from gradcli.syntax.declarations import Declarations

SCALARS = ("a", "t")
VECTORS = ("x", "y")
SQUARES = ("A", "B")
SYMMETRIC = "S"
RECTS = ("C",)
VARIABLES = (*SCALARS, *VECTORS, *SQUARES, SYMMETRIC, *RECTS)


def decls() -> Declarations:
    """The declarations every generated expression is meant for."""
    return declarations(scalar=",".join(SCALARS), symmetric=SYMMETRIC)


DECLS = decls()
CLI_DECLS: list[str] = ["--scalar", ",".join(SCALARS), "--symmetric", SYMMETRIC]


class Ty(Enum):
    """The types the generator can be asked for."""

    SCALAR = "scalar"
    VEC = "n-vector"
    MVEC = "m-vector"
    SQUARE = "n x n"
    RECT = "m x n"


# How tightly a piece of text binds, loosest first. An operand is wrapped in
# parentheses when it binds more loosely than its slot needs.
SUM, PROD, PREFIX, POSTFIX, ATOM = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Piece:
    text: str
    prec: int

    def at(self, need: int) -> str:
        if self.prec >= need:
            return self.text
        return f"({self.text})"


def _atom(text: str) -> Piece:
    return Piece(text, ATOM)


def _call(name: str, arg: Piece) -> Piece:
    return _atom(f"{name}({arg.text})")


def _norm_body(p: Piece) -> str:
    # ``||u ||v|| ||`` is ambiguous; a nested norm bar goes inside parentheses.
    return f"({p.text})" if "||" in p.text else p.text


Rule = Callable[["_Gen", int], Piece]


class _Gen:
    """One expression's worth of draws. ``budget`` bounds the number of nodes."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any], symmetric: bool) -> None:
        self.draw = draw
        self.symmetric = symmetric

    # ------------------------------------------------------------ helpers

    def pick(self, options: list[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def coin(self, p: float = 0.5) -> bool:
        # Integers shrink towards 0, so "False" is the simple answer.
        return self.draw(st.integers(0, 99)) < int(100 * p)

    def split(self, budget: int) -> tuple[int, int]:
        if budget < 2:
            return 1, 1
        left = self.draw(st.integers(1, budget - 1))
        return left, budget - left

    def expr(self, ty: Ty, budget: int) -> Piece:
        if budget <= 1:
            return self.leaf(ty)
        rules = RULES[ty]
        rule: Rule = self.pick(rules)
        return rule(self, budget - 1)

    # ------------------------------------------------------------ leaves

    def leaf(self, ty: Ty) -> Piece:
        if ty is Ty.SCALAR:
            return _atom(self.pick([*SCALARS, "2", "0.5", "3", "1.5", "0.1"]))
        if ty is Ty.VEC:
            return _atom(self.pick(list(VECTORS)))
        if ty is Ty.MVEC:
            return Piece(f"{self.pick(list(RECTS))} {self.pick(list(VECTORS))}", PROD)
        if ty is Ty.SQUARE:
            names = [*SQUARES, SYMMETRIC] if self.symmetric else list(SQUARES)
            return _atom(self.pick(names))
        return _atom(self.pick(list(RECTS)))

    # ------------------------------------------------------------ spellings

    def transpose(self, p: Piece) -> Piece:
        mark = self.pick(["^T", "'", "ᵀ"])
        return Piece(p.at(ATOM) + mark, POSTFIX)

    def matmul(self, left: Piece, right: Piece) -> Piece:
        """A matrix product or a scaling, with a random spelling of the product."""
        op = self.pick([" ", " * ", " @ "])
        rtext = right.at(POSTFIX)
        if op == " " and (rtext[0].isdigit() or rtext[0] == "."):
            op = " * "
        return Piece(f"{left.at(PROD)}{op}{rtext}", PROD)

    def binop(self, left: Piece, op: str, right: Piece) -> Piece:
        return Piece(f"{left.at(PROD)} {op} {right.at(POSTFIX)}", PROD)

    def hadamard(self, left: Piece, right: Piece) -> Piece:
        return self.binop(left, self.pick([".*", "⊙"]), right)

    def plus(self, left: Piece, op: str, right: Piece) -> Piece:
        return Piece(f"{left.at(SUM)} {op} {right.at(PROD)}", SUM)

    def neg(self, p: Piece) -> Piece:
        return Piece(f"-{p.at(POSTFIX)}", PREFIX)

    def power(self, p: Piece, k: str, elementwise: bool) -> Piece:
        op = " .^ " if elementwise else "^"
        return Piece(f"{p.at(ATOM)}{op}{k}", POSTFIX)

    # ------------------------------------------------------------ domains

    def bounded(self, ty: Ty, budget: int) -> Piece:
        """Something of modest size, for ``exp`` not to overflow."""
        if budget <= 1:
            return self.leaf(ty)
        f = self.pick(["tanh", "sin", "cos", "sigmoid", "0.5"])
        if f == "0.5":
            return self.matmul(_atom("0.5"), self.leaf(ty))
        return _call(f, self.expr(ty, budget - 1))

    def positive(self, ty: Ty, budget: int, divisor: bool = False) -> Piece:
        """Something with positive entries (for ``log``, ``sqrt`` and division).

        A ``divisor`` stays away from 0 too: ``sigmoid`` and ``softmax`` can
        be 1e-20, and ``1 ./ softmax(...)`` then overflows every formula for
        its derivative."""
        if budget <= 1:
            return _call("exp", self.leaf(ty))
        kinds = ["exp", "square"] if divisor else ["exp", "square", "sigmoid", "special"]
        kind = self.pick(kinds)
        b = budget - 1
        if kind == "exp":
            return _call("exp", self.bounded(ty, b))
        if kind == "sigmoid":
            return _call("sigmoid", self.expr(ty, b))
        if kind == "special" and ty in (Ty.VEC, Ty.MVEC):
            return _call("softmax", self.expr(ty, b))
        if kind == "special" and ty is Ty.SCALAR:
            v = self.expr(Ty.VEC, b)
            return self.plus(_atom("1"), "+", Piece(f"||{_norm_body(v)}||^2", POSTFIX))
        # ``u`` is written twice: half the budget keeps the text in proportion.
        u = self.expr(ty, max(1, b // 2))
        if ty is Ty.SCALAR:
            return self.plus(_atom("1"), "+", self.power(u, self.pick(["2", "4"]), False))
        if self.coin():
            return self.plus(_atom("1"), "+", self.power(u, "2", True))
        return self.plus(_atom("1"), "+", self.hadamard(u, u))

    def invertible(self, budget: int) -> Piece:
        """A well-conditioned ``n x n`` matrix (at the points the check draws)."""
        kind = self.pick(["leaf", "transpose", "product", "sum", "gram", "near_eye"])
        if kind == "leaf" or budget <= 1:
            return self.leaf(Ty.SQUARE)
        if kind == "transpose":
            return self.transpose(self.leaf(Ty.SQUARE))
        if kind == "product":
            return self.matmul(self.leaf(Ty.SQUARE), self.leaf(Ty.SQUARE))
        if kind == "sum":
            return self.plus(self.leaf(Ty.SQUARE), "+", self.leaf(Ty.SQUARE))
        if kind == "gram":
            m = self.leaf(Ty.SQUARE)
            return self.matmul(self.transpose(m), m)
        small = self.matmul(_atom("0.1"), _call("tanh", self.expr(Ty.SQUARE, budget - 1)))
        return self.plus(_atom("eye"), "+", small)


# ------------------------------------------------------------------ rules


def _sum_rule(ty: Ty) -> Rule:
    def rule(g: _Gen, b: int) -> Piece:
        lb, rb = g.split(b)
        return g.plus(g.expr(ty, lb), g.pick(["+", "-"]), g.expr(ty, rb))

    return rule


def _neg_rule(ty: Ty) -> Rule:
    return lambda g, b: g.neg(g.expr(ty, b))


def _scale_rule(ty: Ty) -> Rule:
    def rule(g: _Gen, b: int) -> Piece:
        lb, rb = g.split(b)
        s = g.expr(Ty.SCALAR, lb)
        e = g.expr(ty, rb)
        return g.matmul(s, e) if g.coin(0.8) else g.matmul(e, s)

    return rule


def _div_scalar_rule(ty: Ty) -> Rule:
    def rule(g: _Gen, b: int) -> Piece:
        lb, rb = g.split(b)
        return g.binop(g.expr(ty, lb), "/", g.positive(Ty.SCALAR, rb, divisor=True))

    return rule


def _hadamard_rule(ty: Ty) -> Rule:
    def rule(g: _Gen, b: int) -> Piece:
        lb, rb = g.split(b)
        return g.hadamard(g.expr(ty, lb), g.expr(ty, rb))

    return rule


def _hdiv_rule(ty: Ty) -> Rule:
    def rule(g: _Gen, b: int) -> Piece:
        lb, rb = g.split(b)
        return g.binop(g.expr(ty, lb), "./", g.positive(ty, rb, divisor=True))

    return rule


def _broadcast_rule(ty: Ty) -> Rule:
    """A scalar added to every entry: ``1 + x``, ``x - a``."""

    def rule(g: _Gen, b: int) -> Piece:
        lb, rb = g.split(b)
        s, e = g.expr(Ty.SCALAR, lb), g.expr(ty, rb)
        op = g.pick(["+", "-"])
        return g.plus(s, op, e) if g.coin() else g.plus(e, op, s)

    return rule


# Every element-wise function of the primitive table is drawn, under any of its
# names, except the jumps ``sign`` and ``step`` (derivative 0 wherever it
# exists). Those that overflow early get a bounded argument, those with a
# positive domain a positive one, and ``tan`` stays away from its poles.
DRAWN_FUNCTIONS = [f for f in sorted(ELEMENTWISE) if f not in ("sign", "step")]
GROWING = frozenset({"exp", "expm1", "sinh", "cosh"})


def _spellings(name: str) -> list[str]:
    return [name, *(alias for alias, canon in sorted(ALIASES.items()) if canon == name)]


def _elementwise_rule(ty: Ty) -> Rule:
    def rule(g: _Gen, b: int) -> Piece:
        f = g.pick(DRAWN_FUNCTIONS)
        spelled = g.pick(_spellings(f))
        if f in GROWING:
            return _call(spelled, g.bounded(ty, b))
        if ELEMENTWISE[f].domain == POSITIVE:
            return _call(spelled, g.positive(ty, b))
        if f == "tan":
            return _call(f, _call("tanh", g.expr(ty, b)))
        return _call(spelled, g.expr(ty, b))

    return rule


def _max_min_rule(ty: Ty) -> Rule:
    """``max(u, v)`` or ``min(u, v)``; one argument may be a scalar constant."""

    def rule(g: _Gen, b: int) -> Piece:
        lb, rb = g.split(b)
        u = g.expr(ty, lb)
        v = g.expr(ty, rb) if ty is Ty.SCALAR or g.coin(0.7) else _atom(g.pick(["0", "1"]))
        first, second = (u, v) if g.coin() else (v, u)
        return _atom(f"{g.pick(['max', 'min'])}({first.text}, {second.text})")

    return rule


def _logsumexp(g: _Gen, b: int) -> Piece:
    return _call("logsumexp", g.expr(g.pick([Ty.VEC, Ty.MVEC]), b))


def _epower_rule(ty: Ty) -> Rule:
    def rule(g: _Gen, b: int) -> Piece:
        k = g.pick(["2", "3", "0.5", "-1"])
        base = g.positive(ty, b, divisor=k == "-1") if k in ("0.5", "-1") else g.expr(ty, b)
        return g.power(base, k, elementwise=ty is not Ty.SCALAR)

    return rule


def _leaf_rule(ty: Ty) -> Rule:
    return lambda g, b: g.leaf(ty)


# --- scalar-valued


def _inner(g: _Gen, b: int) -> Piece:
    ty = g.pick([Ty.VEC, Ty.VEC, Ty.MVEC])
    lb, rb = g.split(b)
    return g.matmul(g.transpose(g.expr(ty, lb)), g.expr(ty, rb))


def _quadratic(g: _Gen, b: int) -> Piece:
    b1, rest = g.split(b)
    b2, b3 = g.split(rest)
    u, m, v = g.expr(Ty.VEC, b1), g.expr(Ty.SQUARE, b2), g.expr(Ty.VEC, b3)
    return g.matmul(g.matmul(g.transpose(u), m), v)


def _trace(g: _Gen, b: int) -> Piece:
    return _call(g.pick(_spellings("tr")), g.expr(Ty.SQUARE, b))


def _det(g: _Gen, b: int) -> Piece:
    return _call(g.pick(["det", "logdet"]), g.invertible(b))


def _sum_entries(g: _Gen, b: int) -> Piece:
    return _call("sum", g.expr(g.pick([Ty.VEC, Ty.MVEC, Ty.SQUARE, Ty.RECT]), b))


def _norm(g: _Gen, b: int) -> Piece:
    ty = g.pick([Ty.VEC, Ty.MVEC, Ty.SQUARE, Ty.RECT])
    body = _norm_body(g.expr(ty, b))
    style = g.pick(["||.||^2", "||.||", "norm2", "||.||_2"])
    if style == "||.||^2":
        return Piece(f"||{body}||^2", POSTFIX)
    if style == "norm2" and ty in (Ty.VEC, Ty.MVEC):
        return _atom(f"norm2({body})")
    if style == "||.||_2" and ty in (Ty.VEC, Ty.MVEC):
        return _atom(f"||{body}||_2")
    return _atom(f"||{body}||")


def _sum_log(g: _Gen, b: int) -> Piece:
    return _call("sum", _call("log", g.positive(g.pick([Ty.VEC, Ty.SQUARE]), b)))


def _scalar_product(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    return g.matmul(g.expr(Ty.SCALAR, lb), g.expr(Ty.SCALAR, rb))


def _scalar_transpose(g: _Gen, b: int) -> Piece:
    return g.transpose(g.expr(Ty.SCALAR, b))


def _ones_inner(g: _Gen, b: int) -> Piece:
    return g.matmul(g.transpose(_atom("ones")), g.expr(Ty.VEC, b))


def _scalar_square(g: _Gen, b: int) -> Piece:
    e = g.expr(Ty.SCALAR, b)
    if g.coin(0.2):
        return Piece(e.at(ATOM) + "²", POSTFIX)
    return g.power(e, g.pick(["2", "3"]), elementwise=False)


# --- vector-valued


def _matvec(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    m = g.expr(Ty.SQUARE, lb)
    if g.coin(0.25):
        m = g.transpose(m)
    return g.matmul(m, g.expr(Ty.VEC, rb))


def _rect_t_vec(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    return g.matmul(g.transpose(g.expr(Ty.RECT, lb)), g.expr(Ty.MVEC, rb))


def _inv_vec(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    m = g.invertible(lb)
    inv = _call("inv", m) if g.coin() else Piece(m.at(ATOM) + g.pick(["^-1", "⁻¹"]), POSTFIX)
    return g.matmul(inv, g.expr(Ty.VEC, rb))


def _softmax(ty: Ty) -> Rule:
    return lambda g, b: _call("softmax", g.expr(ty, b))


def _diag_part(g: _Gen, b: int) -> Piece:
    return _call("diag", g.expr(Ty.SQUARE, b))


def _plus_ones(g: _Gen, b: int) -> Piece:
    return g.plus(g.expr(Ty.VEC, b), g.pick(["+", "-"]), _atom("ones"))


def _rect_vec(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    return g.matmul(g.expr(Ty.RECT, lb), g.expr(Ty.VEC, rb))


# --- matrix-valued


def _matmat(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    return g.matmul(g.expr(Ty.SQUARE, lb), g.expr(Ty.SQUARE, rb))


def _transpose_rule(ty: Ty) -> Rule:
    return lambda g, b: g.transpose(g.expr(ty, b))


def _outer(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    return g.matmul(g.expr(Ty.VEC, lb), g.transpose(g.expr(Ty.VEC, rb)))


def _gram(g: _Gen, b: int) -> Piece:
    r = g.expr(Ty.RECT, max(1, b // 2))
    return g.matmul(g.transpose(r), r)


def _diag_matrix(g: _Gen, b: int) -> Piece:
    return _call("diag", g.expr(Ty.VEC, b))


def _inverse(g: _Gen, b: int) -> Piece:
    m = g.invertible(b)
    style = g.pick(["inv", "^-1", "^-T"])
    if style == "inv":
        return _call("inv", m)
    return Piece(m.at(ATOM) + style, POSTFIX)


def _plus_eye(g: _Gen, b: int) -> Piece:
    e = g.expr(Ty.SQUARE, b)
    return g.plus(e, g.pick(["+", "-"]), _atom("eye")) if g.coin() else g.plus(_atom("eye"), "+", e)


def _matpow(g: _Gen, b: int) -> Piece:
    return g.power(g.expr(Ty.SQUARE, b), g.pick(["2", "3"]), elementwise=False)


def _rect_square(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    return g.matmul(g.expr(Ty.RECT, lb), g.expr(Ty.SQUARE, rb))


def _outer_rect(g: _Gen, b: int) -> Piece:
    lb, rb = g.split(b)
    return g.matmul(g.expr(Ty.MVEC, lb), g.transpose(g.expr(Ty.VEC, rb)))


# Literals fix the size ``n``; every literal has this many entries per side so
# that two of them in one expression agree.
LITERAL_SIZE = 2


def _scalars(g: _Gen, b: int, count: int) -> list[str]:
    share = max(1, b // count)
    return [g.expr(Ty.SCALAR, share).text for _ in range(count)]


def _vector_literal(g: _Gen, b: int) -> Piece:
    return _atom("[" + ", ".join(_scalars(g, b, LITERAL_SIZE)) + "]")


def _matrix_literal(g: _Gen, b: int) -> Piece:
    entries = _scalars(g, b, LITERAL_SIZE * LITERAL_SIZE)
    rows = [entries[i : i + LITERAL_SIZE] for i in range(0, len(entries), LITERAL_SIZE)]
    return _atom("[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]")


def _common(ty: Ty) -> list[Rule]:
    return [
        _leaf_rule(ty),
        _sum_rule(ty),
        _scale_rule(ty),
        _neg_rule(ty),
        _elementwise_rule(ty),
        _max_min_rule(ty),
        _hadamard_rule(ty),
        _hdiv_rule(ty),
        _div_scalar_rule(ty),
        _epower_rule(ty),
    ]


RULES: dict[Ty, list[Rule]] = {
    Ty.SCALAR: [
        _leaf_rule(Ty.SCALAR),
        _sum_rule(Ty.SCALAR),
        _scalar_product,
        _inner,
        _quadratic,
        _trace,
        _det,
        _sum_entries,
        _norm,
        _norm,
        _sum_log,
        _elementwise_rule(Ty.SCALAR),
        _max_min_rule(Ty.SCALAR),
        _logsumexp,
        _neg_rule(Ty.SCALAR),
        _div_scalar_rule(Ty.SCALAR),
        _scalar_square,
        _scalar_transpose,
        _ones_inner,
    ],
    Ty.VEC: [
        *_common(Ty.VEC),
        _matvec,
        _matvec,
        _rect_t_vec,
        _inv_vec,
        _softmax(Ty.VEC),
        _diag_part,
        _broadcast_rule(Ty.VEC),
        _plus_ones,
        _vector_literal,
    ],
    Ty.MVEC: [
        *_common(Ty.MVEC),
        _rect_vec,
        _rect_vec,
        _softmax(Ty.MVEC),
        _broadcast_rule(Ty.MVEC),
    ],
    Ty.SQUARE: [
        *_common(Ty.SQUARE),
        _matmat,
        _transpose_rule(Ty.SQUARE),
        _outer,
        _gram,
        _diag_matrix,
        _inverse,
        _plus_eye,
        _matpow,
        _broadcast_rule(Ty.SQUARE),
        _matrix_literal,
    ],
    Ty.RECT: [
        *_common(Ty.RECT),
        _rect_square,
        _outer_rect,
        _broadcast_rule(Ty.RECT),
    ],
}


# ------------------------------------------------------------------ strategies


@st.composite
def expressions(
    draw: st.DrawFn,
    ty: Ty = Ty.SCALAR,
    max_size: int = 40,
    symmetric: bool = True,
) -> str:
    """Source text of a well-typed expression of type ``ty`` with at most
    about ``max_size`` nodes, over the variables of ``DECLS``."""
    budget = draw(st.integers(1, max_size))
    return _Gen(draw, symmetric).expr(ty, budget).text


def scalar_expressions(max_size: int = 40) -> st.SearchStrategy[str]:
    return expressions(Ty.SCALAR, max_size)


def vector_expressions(max_size: int = 40) -> st.SearchStrategy[str]:
    """A vector-valued expression, of size ``n`` or ``m``."""
    return st.one_of(expressions(Ty.VEC, max_size), expressions(Ty.MVEC, max_size))


def any_expressions(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.sampled_from(list(Ty)).flatmap(lambda ty: expressions(ty, max_size))


# --- functions of the scalars only (stacked-scalar derivatives)

_SCALAR_ONLY: list[Rule] = [
    _leaf_rule(Ty.SCALAR),
    _sum_rule(Ty.SCALAR),
    _scalar_product,
    _elementwise_rule(Ty.SCALAR),
    _neg_rule(Ty.SCALAR),
    _div_scalar_rule(Ty.SCALAR),
    _scalar_square,
]


class _ScalarGen(_Gen):
    """Only ``a``, ``t`` and numbers: a function of the stacked scalars."""

    def expr(self, ty: Ty, budget: int) -> Piece:
        if budget <= 1:
            return self.leaf(Ty.SCALAR)
        rule: Rule = self.pick(_SCALAR_ONLY)
        return rule(self, budget - 1)

    def positive(self, ty: Ty, budget: int, divisor: bool = False) -> Piece:
        if budget <= 1:
            return _call("exp", self.leaf(ty))
        return super().positive(Ty.SCALAR, budget, divisor)


@st.composite
def scalar_functions(draw: st.DrawFn, max_size: int = 25, both: bool = True) -> str:
    """A scalar expression in ``a`` and ``t`` alone; with ``both``, one that
    mentions both of them (a term ``a t`` is added where needed)."""
    budget = draw(st.integers(1, max_size))
    gen = _ScalarGen(draw, symmetric=False)
    piece = gen.expr(Ty.SCALAR, budget)
    if both and not _mentions_all(piece.text):
        return gen.plus(piece, "+", gen.matmul(_atom("a"), _atom("t"))).text
    return piece.text


@st.composite
def scalar_vector_literals(draw: st.DrawFn, max_size: int = 15) -> str:
    """``[e1, e2, ...]``: a vector-valued function of the scalars ``a`` and ``t``
    (which both occur)."""
    items = draw(st.lists(scalar_functions(max_size, both=False), min_size=1, max_size=3))
    if not _mentions_all(" ".join(items)):
        items.append("a t")
    return "[" + ", ".join(items) + "]"


def _mentions_all(text: str) -> bool:
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text))
    return all(name in words for name in SCALARS)


# --- Kronecker, vec, trace and exp-form shapes (the algebra rules' inputs)


def _kron(p: Piece, q: Piece) -> Piece:
    return _atom(f"kron({p.text}, {q.text})")


def _kron_scalar(g: _Gen, b: int) -> Piece:
    """A scalar over Kronecker products: ``sum(kron(P, Q) vec(M))``,
    ``vec(W)^T kron(P, Q) vec(M)``, ``tr(kron(P, Q) kron(R, S))``,
    ``tr(inv(kron(P, Q)) kron(R, S))``. The
    factors are ``n x n`` or ``m x n``: products whose sizes agree only as
    products (``m n = n m``) are drawn too."""
    b1, b2, b3, b4 = (max(1, b // 4),) * 4
    kind = g.pick(["sum", "quadratic", "trace", "trace_rect", "inverse"])
    if kind == "inverse":
        inv = _call("inv", _kron(g.invertible(b1), g.invertible(b2)))
        right = _kron(g.expr(Ty.SQUARE, b3), g.expr(Ty.SQUARE, b4))
        return _call("tr", g.matmul(inv, right))
    if kind == "trace":
        left = _kron(g.expr(Ty.SQUARE, b1), g.expr(Ty.SQUARE, b2))
        return _call("tr", g.matmul(left, _kron(g.expr(Ty.SQUARE, b3), g.expr(Ty.SQUARE, b4))))
    if kind == "trace_rect":
        left = _kron(g.expr(Ty.RECT, b1), g.expr(Ty.SQUARE, b2))
        right = _kron(g.transpose(g.expr(Ty.RECT, b3)), g.expr(Ty.SQUARE, b4))
        return _call("tr", g.matmul(left, right))
    tys = g.pick([(Ty.SQUARE, Ty.SQUARE), (Ty.SQUARE, Ty.RECT), (Ty.RECT, Ty.SQUARE)])
    k = _kron(g.expr(tys[0], b1), g.expr(tys[1], b2))
    v = _call("vec", g.expr(Ty.SQUARE, b3))
    if kind == "sum":
        return _call("sum", g.matmul(k, v))
    # ``vec(W)`` has as many entries as ``k`` has rows: n n, or m n.
    w = _call("vec", g.expr(Ty.SQUARE if tys == (Ty.SQUARE, Ty.SQUARE) else Ty.RECT, b4))
    return g.matmul(g.matmul(g.transpose(w), k), v)


def _exp_form(ty: Ty) -> Rule:
    """``tanh``, ``sigmoid`` and ``softplus`` written with ``exp``."""

    def rule(g: _Gen, b: int) -> Piece:
        u = g.bounded(ty, b).at(POSTFIX)
        div = "./" if ty is not Ty.SCALAR else "/"
        mul = ".*" if ty is not Ty.SCALAR else "*"
        forms = [
            f"(exp({u}) - exp(-{u})) {div} (exp({u}) + exp(-{u}))",
            f"1 {div} (1 + exp(-{u}))",
            f"exp({u}) {div} (1 + exp({u}))",
            f"exp({u}) {mul} sigmoid(-{u})",
            f"log(1 + exp({u}))",
        ]
        return Piece(f"({g.pick(forms)})", ATOM)

    return rule


def _trace_of_product(ty: Ty) -> Rule:
    """``sum(M .* N)`` and ``sum(M .* eye)``: traces written as sums."""

    def rule(g: _Gen, b: int) -> Piece:
        lb, rb = g.split(b)
        other = _atom("eye") if ty is Ty.SQUARE and g.coin(0.3) else g.expr(ty, rb)
        return _call("sum", g.hadamard(g.expr(ty, lb), other))

    return rule


ALGEBRA_RULES: dict[Ty, list[Rule]] = {
    Ty.SCALAR: [_kron_scalar, _trace_of_product(Ty.SQUARE), _trace_of_product(Ty.RECT)],
    Ty.VEC: [_exp_form(Ty.VEC)],
    Ty.SQUARE: [_exp_form(Ty.SQUARE)],
    Ty.RECT: [_exp_form(Ty.RECT)],
}


@st.composite
def algebra_expressions(draw: st.DrawFn, max_size: int = 30) -> str:
    """A scalar or vector expression built around one of ``ALGEBRA_RULES``."""
    ty = draw(st.sampled_from([Ty.SCALAR, Ty.SCALAR, Ty.VEC, Ty.SQUARE, Ty.RECT]))
    g = _Gen(draw, symmetric=True)
    budget = draw(st.integers(2, max_size))
    core = g.pick(ALGEBRA_RULES[ty])(g, budget)
    if ty is Ty.SCALAR or g.coin(0.5):
        return core.text
    return g.plus(core, g.pick(["+", "-"]), g.expr(ty, max(1, budget // 3))).text
