"""Finders for the mistakes that change the form of the result, not a
coefficient: wrong entries of an explicit matrix, a product in the wrong
order, an inverse or a diagonal taken for another, a norm or a loss of
another convention differentiated instead of the given one.

Each returns a diagnosis and the form the claim must equal for it over the
whole domain (:func:`gradcli.verification.diagnose.diagnose` confirms it), or
None when that mistake does not fit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

from gradcli.calculus.drivers import derivative_results
from gradcli.calculus.vocabulary import Command
from gradcli.ir import build as B
from gradcli.ir.dims import ONE, Shape
from gradcli.ir.nodes import (
    Apply,
    Block,
    DiagPart,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Inverse,
    IRShapeError,
    Kron,
    Mul,
    Norm,
    Power,
    SumAll,
    walk,
)
from gradcli.simplify import simplify
from gradcli.simplify.shared import substitute
from gradcli.verification.problem import Diagnosis, Found, Problem, close, text

T = TypeVar("T")
MAX_WRONG_ENTRIES = 2  # more wrong entries than this is not one slip to name


def find_entries(p: Problem) -> Found | None:
    """Some entries of an explicit matrix or stacked vector are wrong: name
    each with the entry the true derivative has there."""
    if not isinstance(p.claim, Block):
        return None
    rows, cols = p.c.shape
    claimed = p.claim.rows
    if len(claimed) != rows or any(
        len(r) != cols or any(not e.is_scalar for e in r) for r in claimed
    ):
        return None  # a block of matrices, not a matrix written entry by entry
    scale = max(float(abs(p.t).max()), float(abs(p.c).max()), 1e-12)
    wrong = [
        (i, j)
        for i in range(rows)
        for j in range(cols)
        if abs(p.c[i, j] - p.t[i, j]) > 1e-5 * scale
    ]
    if not wrong or len(wrong) > MAX_WRONG_ENTRIES or len(wrong) == rows * cols:
        return None
    form = B.block(
        [
            [claimed[i][j] if (i, j) in wrong else B.entry(p.true, i, j) for j in range(cols)]
            for i in range(rows)
        ]
    )
    names = [f"{i + 1}" if cols == 1 else f"({i + 1},{j + 1})" for i, j in wrong]
    want = [text(simplify(B.entry(p.true, i, j))) for i, j in wrong]
    got = [text(claimed[i][j]) for i, j in wrong]
    triples = zip(names, got, want, strict=True)
    parts = [f"entry {n} is {g}; it should be {w}" for n, g, w in triples]
    return Diagnosis("; ".join(parts), "entry", ", ".join(names), ", ".join(want)), form


def _rewrites(node: Expr) -> Iterator[tuple[Callable[[], Expr], str]]:
    """Forms a slip turns ``node`` (a part of the true result) into, with the
    kind; each is built only when asked (some are ill-shaped)."""
    if isinstance(node, Mul) and len(node.chain) >= 2:
        coeff, scalars, chain = node.coeff, node.scalars, list(node.chain)
        for i in range(len(chain) - 1):
            swapped = chain[:i] + [chain[i + 1], chain[i]] + chain[i + 2 :]
            yield (lambda s=swapped: B.mul(coeff, *scalars, *s)), "order"  # type: ignore[misc]
        if len(chain) > 2:
            yield (lambda: B.mul(coeff, *scalars, *reversed(chain))), "order"
        if len(chain) == 2 and B.is_ones(chain[1]) and chain[0].shape.is_square:
            yield (lambda: B.mul(coeff, *scalars, B.diag(chain[0]))), "diag"
    if isinstance(node, Kron):
        yield (lambda: B.kron(node.right, node.left)), "kron"
    if isinstance(node, Inverse):
        yield (lambda: node.arg), "inverse"
    if isinstance(node, DiagPart):
        x = node.arg
        yield (lambda: B.mul(x, B.ones(Shape(x.shape.cols, ONE)))), "diag"


_WORDS = {
    "order": "product in the wrong order: {got} should be {want}",
    "kron": "Kronecker factors swapped: {got} should be {want}",
    "inverse": "the inverse is missing: {got} where {want} is right",
    "diag": "{got} where {want} is right: diag(A) is the diagonal of A, A ones its row sums",
}


def find_rewritten_result(p: Problem) -> Found | None:
    """The claim is the true result with one part slipped (``A A^T`` for
    ``A^T A``, ``X^T`` for ``X^-T``, ``A ones`` for ``diag(A)``)."""
    for node in walk(p.true):
        for build, kind in _rewrites(node):
            new = _built(build)
            if new is None or new == node or new.shape != node.shape:
                continue
            form = substitute(p.true, {node: new})
            if close(p.value(form), p.c):
                got, want = text(new), text(node)
                message = _WORDS[kind].format(got=got, want=want)
                return Diagnosis(message, kind, got, want), form
    return None


def _built(build: Callable[[], Expr]) -> Expr | None:
    try:
        return build()
    except (IRShapeError, ValueError):
        return None


def _safe(rewrites: Callable[[Expr], Iterator[T]], node: Expr) -> list[T]:
    """The forms ``rewrites`` gives up to the first that cannot be built."""
    out: list[T] = []
    with contextlib.suppress(IRShapeError, ValueError):
        out.extend(rewrites(node))
    return out


def _norm_name(node: Expr) -> str | None:
    if isinstance(node, Norm):
        return f"||{text(node.arg)}||_2"
    if isinstance(node, SumAll) and isinstance(node.arg, Apply) and node.arg.func == "abs":
        return f"||{text(node.arg.arg)}||_1"
    return None


def _other_forms(f: Expr) -> Iterator[tuple[Expr, Expr, str, str]]:
    """(part of f, what a slip takes it for, the name of each) for norms and
    the logistic loss."""
    squared = {n.base for n in walk(f) if isinstance(n, Power) and n.exponent == 2}
    for node in walk(f):
        name = _norm_name(node)
        if isinstance(node, Norm):
            one = B.sum_all(B.apply("abs", node.arg))
            yield node, one, name or "", f"||{text(node.arg)}||_1"
            if node not in squared:
                yield node, B.power(node, 2), f"||{text(node.arg)}||", f"||{text(node.arg)}||^2"
        elif name is not None and isinstance(node, SumAll):
            two = B.norm(node.arg.arg)  # type: ignore[attr-defined]
            yield node, two, name, f"||{text(node.arg.arg)}||_2"  # type: ignore[attr-defined]
        if isinstance(node, Power) and node.exponent == 2 and isinstance(node.base, Norm):
            yield node, node.base, f"{text(node)}", f"||{text(node.base.arg)}||"
        logistic = _zero_one_loss(node)
        if logistic is not None:
            yield node, logistic[0], text(logistic[1]), "labels in {0, 1}"


def _zero_one_loss(node: Expr) -> tuple[Expr, Expr] | None:
    """``log(1 + exp(-y .* u))`` (labels ±1) as the loss for labels in {0, 1},
    ``log(1 + exp(u)) - y .* u``, whose gradient is ``X^T (sigmoid(u) - y)``."""
    if not (isinstance(node, Apply) and node.func == "log"):
        return None
    terms = getattr(node.arg, "terms", ())
    fills = [t for t in terms if isinstance(t, Fill)]
    exps = [t for t in terms if isinstance(t, Apply) and t.func == "exp"]
    if len(terms) != 2 or not fills or not exps:
        return None
    inner = exps[0].arg
    if not (isinstance(inner, Mul) and inner.coeff == -1 and len(inner.factors) == 1):
        return None
    prod = inner.factors[0]
    if not (isinstance(prod, Hadamard) and len(prod.factors) == 2):
        return None
    y, u = prod.factors
    loss = B.sub(B.apply("log", B.add(fills[0], B.apply("exp", u))), B.hadamard(y, u))
    return loss, y


_WORD = {Command.GRAD: "gradient", Command.JACOBIAN: "Jacobian", Command.HESSIAN: "Hessian"}


def find_other_expression(p: Problem) -> Found | None:
    """The claim is the derivative of another expression: ``||x||_2`` for
    ``||x||_1``, ``||x||^2`` for ``||x||``, the {0,1}-label logistic loss for
    the ±1 one."""
    if p.command is Command.HESSIAN or not p.wrt:
        return None
    for node, other, was, taken in _safe(_other_forms, p.f):
        g = substitute(p.f, {node: other})
        try:
            (target,) = derivative_results(p.command, g, p.wrt, p.layout)
        except ValueError:
            continue
        if target.expr.shape != p.claim.shape or not close(p.value(target.expr), p.c):
            continue
        if taken == "labels in {0, 1}":
            message = (
                f"the gradient for labels {was} in {{0, 1}}; {text(node)} is the "
                f"logistic loss for labels {was} in {{-1, +1}}"
            )
            return Diagnosis(message, "convention", was, text(target.expr)), target.expr
        before = text(p.f).replace(text(node), was)
        after = text(g).replace(text(other), taken)
        message = f"the {_WORD[p.command]} of {after}, not of {before}: {was} taken for {taken}"
        return Diagnosis(message, "other_expression", was, text(target.expr)), target.expr
    return None


def find_symmetric_convention(p: Problem) -> Found | None:
    """The Cookbook's ``G + G^T - G .* eye`` for a symmetric variable."""
    if p.command is not Command.GRAD or len(p.wrt) != 1 or not p.wrt[0].symmetric:
        return None
    s = p.wrt[0]
    form = B.sub(B.mul(2, p.true), B.hadamard(p.true, Identity(s.shape.rows)))
    if not close(p.value(form), p.c):
        return None
    message = (
        f"the Cookbook's G + G^T - G .* eye, which collects the derivatives w.r.t. the "
        f"distinct entries of {s.name}; gradcli gives (G + G^T)/2, the gradient: "
        f"tr(grad^T d{s.name}) is the change of f for every symmetric d{s.name}"
    )
    return Diagnosis(message, "convention", s.name, text(p.true)), form
