"""Gradients by symbolic reverse mode.

Walking the expression from the scalar output, every node receives an adjoint
``G`` of its own shape (``G = ∂f/∂node``), and a rule per node type passes
adjoints to its children. Shared subexpressions are visited once, so the work
is linear in the size of the expression. Each rule states its identity; the
equation numbers are those of the Matrix Cookbook (2012).
"""

from __future__ import annotations

from collections.abc import Callable

from gradcli.calculus.derivatives import DERIVATIVE
from gradcli.errors import NoRuleError, describe
from gradcli.ir import build as B
from gradcli.ir.dims import ONE, Shape
from gradcli.ir.nodes import (
    Add,
    Apply,
    Block,
    Commutation,
    Const,
    Det,
    Diag,
    DiagPart,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Inverse,
    LogDet,
    MatPow,
    Mul,
    Norm,
    Power,
    Reduce,
    Softmax,
    SoftmaxCols,
    SoftmaxRows,
    SumAll,
    Trace,
    Transpose,
    Var,
    Vec,
    walk_unique,
)
from gradcli.ir.primitives import REDUCTIONS

Pullback = Callable[[Expr, Expr], list[tuple[Expr, Expr]]]
RULES: dict[type, Pullback] = {}


def rule(*types: type) -> Callable[[Pullback], Pullback]:
    def register(fn: Pullback) -> Pullback:
        for t in types:
            RULES[t] = fn
        return fn

    return register


@rule(Var, Const, Identity)
def _leaf(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    return []


@rule(Add)
def _add(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """d(a + b) = da + db."""
    assert isinstance(node, Add)
    return [(t, g) for t in node.terms]


@rule(Fill)
def _fill(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """A broadcast scalar collects the sum of its adjoint."""
    assert isinstance(node, Fill)
    return [(node.value, B.sum_all(g))]


@rule(Mul)
def _mul(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """C = c s L F R: F gets c s L^T G R^T (Cookbook 70, 71); s gets c <G, L F R>."""
    assert isinstance(node, Mul)
    scalars, chain = list(node.scalars), list(node.chain)
    out: list[tuple[Expr, Expr]] = []
    if scalars:
        prod = B.mul(*chain) if chain else B.const(1.0)
        inner = B.mul(g, prod) if prod.is_scalar else B.sum_all(B.hadamard(g, prod))
        for i, s in enumerate(scalars):
            others = scalars[:i] + scalars[i + 1 :]
            out.append((s, B.mul(node.coeff, *others, inner)))
    for j, f in enumerate(chain):
        left = [B.transpose(B.mul(*chain[:j]))] if j else []
        right = [B.transpose(B.mul(*chain[j + 1 :]))] if j + 1 < len(chain) else []
        out.append((f, B.mul(node.coeff, *scalars, *left, g, *right)))
    return out


@rule(Hadamard)
def _hadamard(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """d(a ⊙ b) = da ⊙ b + a ⊙ db."""
    assert isinstance(node, Hadamard)
    fs = node.factors
    return [(f, B.hadamard(g, *fs[:i], *fs[i + 1 :])) for i, f in enumerate(fs)]


@rule(Power)
def _power(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """d(u .^ p) = p u .^ (p - 1) ⊙ du."""
    assert isinstance(node, Power)
    p = node.exponent
    return [(node.base, B.hadamard(g, B.mul(p, B.power(node.base, p - 1.0))))]


@rule(MatPow)
def _matpow(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """∂tr(G^T A^k)/∂A = Σ_i (A^T)^i G (A^T)^(k-1-i) (Cookbook 89)."""
    assert isinstance(node, MatPow)
    at = B.transpose(node.base)
    k = node.k
    terms = [B.mul(B.matpow(at, i), g, B.matpow(at, k - 1 - i)) for i in range(k)]
    return [(node.base, B.add(*terms))]


@rule(Transpose)
def _transpose(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    assert isinstance(node, Transpose)
    return [(node.arg, B.transpose(g))]


@rule(Inverse)
def _inverse(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """d(X^-1) = -X^-1 dX X^-1, so X gets -X^-T G X^-T (Cookbook 59, 61)."""
    assert isinstance(node, Inverse)
    yt = B.transpose(node)
    return [(node.arg, B.neg(B.mul(yt, g, yt)))]


@rule(Apply)
def _apply(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """Chain rule through an element-wise function: du gets G ⊙ f'(u)."""
    assert isinstance(node, Apply)
    return [(node.arg, B.hadamard(g, DERIVATIVE[node.func](node.arg)))]


@rule(Trace)
def _trace(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """∂tr(X)/∂X = I (Cookbook 99)."""
    assert isinstance(node, Trace)
    return [(node.arg, B.mul(g, Identity(node.arg.shape.rows)))]


@rule(Det)
def _det(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """∂det(X)/∂X = det(X) X^-T (Cookbook 49)."""
    assert isinstance(node, Det)
    return [(node.arg, B.mul(g, node, B.inverse(B.transpose(node.arg))))]


@rule(LogDet)
def _logdet(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """∂log|det X|/∂X = X^-T (Cookbook 57)."""
    assert isinstance(node, LogDet)
    return [(node.arg, B.mul(g, B.inverse(B.transpose(node.arg))))]


@rule(SumAll)
def _sum(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """∂sum(X)/∂X is all ones."""
    assert isinstance(node, SumAll)
    return [(node.arg, B.fill(g, node.arg.shape))]


@rule(Norm)
def _norm(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """∂||x||/∂x = x / ||x|| (Cookbook 129); the same for the Frobenius norm."""
    assert isinstance(node, Norm)
    return [(node.arg, B.mul(g, B.power(node, -1.0), node.arg))]


@rule(Softmax)
def _softmax(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """s = softmax(u): du gets s ⊙ G - s (s^T G)."""
    assert isinstance(node, Softmax)
    s = node
    return [(node.arg, B.sub(B.hadamard(s, g), B.mul(s, B.mul(B.transpose(s), g))))]


@rule(SoftmaxRows)
def _softmax_rows(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """S = softmax of each row of M: dM gets S ⊙ G - diag((S ⊙ G) 1) S."""
    assert isinstance(node, SoftmaxRows)
    sg = B.hadamard(node, g)
    per_row = B.mul(sg, B.ones(Shape(node.shape.cols, ONE)))
    return [(node.arg, B.sub(sg, B.mul(B.diag(per_row), node)))]


@rule(SoftmaxCols)
def _softmax_cols(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """S = softmax of each column of M: dM gets S ⊙ G - S diag((S ⊙ G)^T 1)."""
    assert isinstance(node, SoftmaxCols)
    sg = B.hadamard(node, g)
    per_col = B.mul(B.transpose(sg), B.ones(Shape(node.shape.rows, ONE)))
    return [(node.arg, B.sub(sg, B.mul(node, B.diag(per_col))))]


@rule(Commutation)
def _commutation(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """K depends only on the shape of its operand: nothing flows back."""
    return []


@rule(Reduce)
def _reduce(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """y = f(u) of a vector (``REDUCTIONS``): du gets g ∂f/∂u (the table's gradient)."""
    assert isinstance(node, Reduce)
    return [(node.arg, B.mul(g, REDUCTIONS[node.func].gradient(B, node.arg)))]


@rule(Diag)
def _diag(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    assert isinstance(node, Diag)
    return [(node.arg, B.diag(g))]


@rule(DiagPart)
def _diagpart(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    assert isinstance(node, DiagPart)
    return [(node.arg, B.diag(g))]


@rule(Vec)
def _vec(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    """vec only reorders entries: a constant adjoint stays constant."""
    assert isinstance(node, Vec)
    if isinstance(g, Fill):
        return [(node.arg, Fill(g.value, node.arg.shape))]
    raise NoRuleError(
        "the gradient through vec(...) is supported only where it is summed",
        hint="write the expression without vec (vec(X)^T vec(Y) is tr(X^T Y))",
    )


@rule(Block)
def _block(node: Expr, g: Expr) -> list[tuple[Expr, Expr]]:
    assert isinstance(node, Block)
    if not all(e.is_scalar for r in node.rows for e in r):
        # an entry of the adjoint is a scalar; a block's share would be a sub-block
        raise NoRuleError("the gradient through a block matrix of non-scalars is not supported")
    return [(e, B.entry(g, i, j)) for i, r in enumerate(node.rows) for j, e in enumerate(r)]


Sweep = list[tuple[Expr, Expr, frozenset[Expr]]]


def gradient(f: Expr, wrt: list[Var], trace: Sweep | None = None) -> list[Expr]:
    """∂f/∂v for each v in ``wrt`` (each the shape of v; zero where f does not depend on v).

    With ``trace``, every node's adjoint is appended as ``(node, G, parents)``
    in the order computed (output first): the raw material of ``--steps``."""
    if not f.is_scalar:
        raise ValueError("gradient of a non-scalar")
    adjoints: dict[Expr, list[Expr]] = {f: [B.const(1.0)]}
    via: dict[Expr, set[Expr]] = {}
    found: dict[str, Expr] = {}
    for node in reversed(walk_unique(f)):
        parts = adjoints.pop(node, None)
        if not parts:
            continue
        g = B.add(*parts)
        if trace is not None:
            trace.append((node, g, frozenset(via.pop(node, set()))))
        if isinstance(node, Var):
            found[node.name] = g
            continue
        pullback = RULES.get(type(node))
        if pullback is None:
            raise NoRuleError(
                f"the gradient through {describe(node)} is not supported",
                hint="write the expression without it (vec(X)^T vec(Y) is tr(X^T Y))",
            )
        for child, contribution in pullback(node, g):
            adjoints.setdefault(child, []).append(contribution)
            via.setdefault(child, set()).add(node)
    return [found.get(v.name, B.zeros(v.shape)) for v in wrt]
