"""From a typed expression and the ``--wrt`` variables to derivative expressions.

Conventions (SPEC §1, docs/conventions.md):
- ``grad``: one result per variable, each of the variable's shape; when every
  variable is a scalar and there are several, one stacked vector.
- ``jacobian``: numerator layout ``∂vec(f)/∂vec(x)`` (``m x n``); a scalar ``f``
  gives the row ``(grad f)^T``; ``--layout denominator`` transposes.
- ``hessian``: the Jacobian of the gradient.
- A variable declared symmetric gets the gradient ``(G + G^T)/2``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradcli.calculus.forward import jacobian as forward_jacobian
from gradcli.calculus.reverse import gradient
from gradcli.calculus.vocabulary import Command, Layout
from gradcli.ir import build as B
from gradcli.ir.nodes import Block, Expr, Var
from gradcli.simplify import simplify


@dataclass
class Target:
    """One result: ``expr`` is the derivative w.r.t. ``wrt`` (a name, or ``x,y`` stacked)."""

    wrt: str
    expr: Expr
    label: str
    gradient: list[Expr] | None = None


def stacked(wrt: list[Var]) -> bool:
    return len(wrt) > 1 and all(v.is_scalar for v in wrt)


def symmetrize(g: Expr, v: Var) -> Expr:
    """The gradient in the space of symmetric matrices: (G + G^T)/2."""
    if not v.symmetric:
        return g
    gt = B.transpose(g)
    return g if gt == g else B.mul(0.5, B.add(g, gt))


def gradients(f: Expr, wrt: list[Var]) -> list[Expr]:
    """Simplified gradients, symmetrized for symmetric variables."""
    return [
        simplify(symmetrize(simplify(g), v)) for g, v in zip(gradient(f, wrt), wrt, strict=True)
    ]


def _column(items: list[Expr]) -> Expr:
    return B.block([[e] for e in items])


def _hcat(cols: list[Expr]) -> Expr:
    """Columns side by side; columns of scalars merge into one matrix of scalars."""
    if all(isinstance(c, Block) and len(c.rows[0]) == 1 for c in cols):
        height = {len(c.rows) for c in cols if isinstance(c, Block)}
        if len(height) == 1:
            rows = zip(
                *(tuple(r[0] for r in c.rows) for c in cols if isinstance(c, Block)), strict=True
            )
            return B.block([list(r) for r in rows])
    return B.block([cols])


def _jacobian_of(f: Expr, wrt: list[Var]) -> list[Expr]:
    if f.is_scalar:
        gs = gradients(f, wrt)
        if stacked(wrt):
            return [B.block([gs])]
        return [B.transpose(B.vec(g)) for g in gs]
    if stacked(wrt):
        return [_hcat([simplify(forward_jacobian(f, v)) for v in wrt])]
    return [simplify(forward_jacobian(f, v)) for v in wrt]


def derivative_results(
    command: Command, f: Expr, wrt: list[Var], layout: Layout = Layout.NUMERATOR
) -> list[Target]:
    """The simplified derivative expressions a command prints.

    ``f`` is simplified first: the derivative of ``exp(x) ./ (1 + exp(x))`` is
    taken as that of ``sigmoid(x)``, which a textbook writes more simply."""
    f = simplify(f)
    names = [v.name for v in wrt]
    if command is Command.GRAD:
        gs = gradients(f, wrt)
        if stacked(wrt):
            return [Target(",".join(names), simplify(_column(gs)), command.symbol)]
        return [Target(n, g, command.symbol + n) for n, g in zip(names, gs, strict=True)]
    if command is Command.JACOBIAN:
        js = [simplify(_flip(j, layout)) for j in _jacobian_of(f, wrt)]
        if stacked(wrt):
            return [Target(",".join(names), js[0], command.symbol)]
        return [Target(n, j, command.symbol + n) for n, j in zip(names, js, strict=True)]
    return [_hessian(f, wrt, layout)]


def _flip(j: Expr, layout: Layout) -> Expr:
    return B.transpose(j) if layout is Layout.DENOMINATOR else j


def _hessian(f: Expr, wrt: list[Var], layout: Layout) -> Target:
    """One vector or matrix: ``∂vec(∇f)/∂vec(x)``. Several scalars: the Hessian by
    their stacked vector. Several variables of any shapes: the block Hessian, block
    ``(i, j)`` being ``∂vec(∇_i f)/∂vec(x_j)`` (so ``H_yx = H_xy^T``)."""
    gs = gradients(f, wrt)
    if stacked(wrt):
        g = simplify(_column(gs))
        h = _hcat([simplify(forward_jacobian(g, v)) for v in wrt])
        grads = [g]
    elif len(wrt) == 1:
        h = forward_jacobian(B.vec(gs[0]), wrt[0])
        grads = gs
    else:
        h = B.block([[simplify(forward_jacobian(B.vec(g), v)) for v in wrt] for g in gs])
        grads = gs
    h = simplify(_flip(h, layout))
    return Target(",".join(v.name for v in wrt), h, Command.HESSIAN.symbol, gradient=grads)
