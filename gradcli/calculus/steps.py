"""``--steps``: a derivation written as a worked solution (the derivation half;
:mod:`gradcli.output.steps` renders it).

The reverse-mode sweep is replayed with a trace: for each subexpression that
depends on the variable, from the output inwards, one step gives ``∂f/∂u`` for
that subexpression ``u``, simplified, and names the rule that produced it (a
Matrix Cookbook identity by its equation number where one applies).
"""

from __future__ import annotations

from dataclasses import dataclass

from gradcli.calculus.forward import jacobian
from gradcli.calculus.reverse import Sweep, gradient
from gradcli.calculus.vocabulary import Command
from gradcli.ir.nodes import (
    Add,
    Apply,
    Block,
    Commutation,
    Det,
    Diag,
    DiagPart,
    Expr,
    Fill,
    Hadamard,
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
    Transpose,
    Var,
    depends_on,
)
from gradcli.ir.nodes import (
    Trace as TraceNode,
)
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS
from gradcli.simplify import present, simplify

RULES: dict[type, str] = {
    Add: "sum rule: d(u + v) = du + dv",
    Mul: "product rule: d(L U R) = L dU R, so df/dU = L^T G R^T (trace trick, Cookbook 70-71)",
    Hadamard: "element-wise product rule: d(u .* v) = du .* v + u .* dv",
    Power: "power rule: d(u^p) = p u^(p-1) .* du",
    MatPow: "matrix power: d(A^k) = sum A^i dA A^(k-1-i) (Cookbook 89)",
    Transpose: "transpose: d(U^T) = (dU)^T",
    Inverse: "inverse: d(X^-1) = -X^-1 dX X^-1 (Cookbook 59)",
    TraceNode: "trace: d tr(X) = tr(dX), so d tr(X)/dX = I (Cookbook 99)",
    Det: "determinant: d det(X)/dX = det(X) X^-T (Cookbook 49)",
    LogDet: "log-determinant: d log|det X|/dX = X^-T (Cookbook 57)",
    SumAll: "sum of entries: d sum(U)/dU = 1 (all ones)",
    Norm: "norm: d||u||/du = u / ||u|| (Cookbook 129)",
    Softmax: "softmax: ds/du = diag(s) - s s^T for s = softmax(u)",
    SoftmaxRows: "softmax of each row: dS = S .* dM - diag((S .* dM) ones) S "
    "for S = softmax_rows(M)",
    SoftmaxCols: "softmax of each column: dS = S .* dM - S diag((S .* dM)^T ones) "
    "for S = softmax_cols(M)",
    Commutation: "commutation matrix: constant, K vec(A) = vec(A^T) (Magnus & Neudecker)",
    Diag: "diag: only the diagonal receives the adjoint",
    DiagPart: "diagonal part: the adjoint is placed on the diagonal",
    Fill: "broadcast scalar: it receives the sum of the adjoint",
    Block: "explicit matrix: each entry receives its entry of the adjoint",
}

FUNCTION_RULES: dict[str, str] = {name: p.rule for name, p in ELEMENTWISE.items()}


@dataclass(frozen=True)
class Step:
    """``∂f/∂target = value``, by ``rule``."""

    target: Expr
    value: Expr
    rule: str


def rule_of(node: Expr, forward: bool = False, child: Expr | None = None) -> str:
    """The rule by which ``node`` passes derivatives to (or from) its operands
    (to ``child``, when given: the quadratic-form identity is about ``x``)."""
    if forward and isinstance(node, Mul) and node.chain:
        return "product rule: d vec(L U R) = (R^T kron L) d vec(U) (Cookbook 520)"
    if forward and isinstance(node, Transpose) and node.arg.shape.is_matrix:
        return "transpose: d vec(U^T) = commutation(U) d vec(U) (Magnus & Neudecker)"
    if isinstance(node, Apply):
        return f"chain rule through {node.func}: {FUNCTION_RULES.get(node.func, '')}"
    if isinstance(node, Reduce):
        return f"{node.func}: {REDUCTIONS[node.func].rule}"
    if isinstance(node, Mul) and not node.scalars and len(node.chain) <= 1:
        return "scaling: d(c u) = c du"
    if _quadratic_form(node) and isinstance(node, Mul) and child in (node.chain[0], node.chain[2]):
        return "quadratic form: d(x^T A x)/dx = (A + A^T) x (Cookbook 81)"
    return RULES.get(type(node), "chain rule")


def _quadratic_form(node: Expr) -> bool:
    """``x^T A x`` with the same ``x`` on both sides."""
    if not isinstance(node, Mul) or len(node.chain) != 3:
        return False
    left, middle, right = node.chain
    return isinstance(left, Transpose) and left.arg == right and middle.shape.is_square


def _rule(parents: frozenset[Expr], child: Expr) -> str:
    names: list[str] = []
    for p in sorted(parents, key=lambda e: type(e).__name__):
        text = rule_of(p, child=child)
        if text not in names:
            names.append(text)
    return "; ".join(names)


def _interesting(node: Expr, x: Var) -> bool:
    if node == x:
        return True
    if isinstance(node, Var) or not depends_on(node, {x.name}):
        return False
    return not (isinstance(node, Transpose) and isinstance(node.arg, Var))


def gradient_steps(f: Expr, x: Var) -> list[Step]:
    """The worked derivation of ∂f/∂x, output first, ending with x itself."""
    trace: Sweep = []
    gradient(f, [x], trace)
    steps = []
    for node, g, parents in trace[1:]:
        if _interesting(node, x):
            steps.append(Step(node, present(simplify(g)), _rule(parents, node)))
    return steps


def jacobian_steps(f: Expr, x: Var) -> list[Step]:
    """The worked derivation of ∂vec(f)/∂vec(x), from x outwards (forward mode)."""
    trace: list[tuple[Expr, Expr]] = []
    jacobian(f, x, trace)
    return [
        Step(node, present(simplify(j)), rule_of(node, forward=True))
        for node, j in trace
        if _interesting(node, x) and node != x
    ]


@dataclass(frozen=True)
class Derivation:
    """The steps for one result: ``kind`` is ``Command.GRAD`` (∂f/∂u) or
    ``Command.JACOBIAN`` (∂u/∂x)."""

    wrt: str
    kind: Command
    steps: list[Step]


def derivation_steps(
    command: Command | str,
    f: Expr,
    wrt: list[Var],
    results: list[Expr] | None = None,
    denominator: bool = False,
) -> list[Derivation]:
    """Steps for each variable: gradient steps (reverse mode) for a scalar ``f``,
    Jacobian steps (forward mode) otherwise; a Hessian adds the Jacobian of the
    gradient. A last step names what turns that into the printed result: the
    symmetric part for a symmetric variable, the transpose for the other layout."""
    command = Command(command)
    out = []
    for x in wrt:
        if f.is_scalar:
            out.append(Derivation(x.name, Command.GRAD, gradient_steps(f, x)))
        else:
            out.append(Derivation(x.name, Command.JACOBIAN, jacobian_steps(f, x)))
        if command is Command.HESSIAN and f.is_scalar and out[-1].steps:
            g = out[-1].steps[-1].value
            # a block Hessian: this gradient by every variable, one block each
            blocks = wrt if len(wrt) > 1 and not all(v.is_scalar for v in wrt) else [x]
            for v in blocks:
                out.append(Derivation(v.name, Command.JACOBIAN, jacobian_steps(g, v)))
    if results is None:
        return out
    if len(results) == len(out) or (command is Command.HESSIAN and len(results) == 1):
        _finish(out, wrt, results, denominator)
    return out


SYMMETRIC = "symmetric variable: the gradient is the symmetric part (G + G^T)/2"
DENOMINATOR = "denominator layout: the transpose of the numerator-layout Jacobian"


def _finish(out: list[Derivation], wrt: list[Var], results: list[Expr], denominator: bool) -> None:
    """Append the step from the last derivative to the printed result, if they differ."""
    pairs = (
        [(out[-1], results[-1])]
        if len(out) != len(results)
        else list(zip(out, results, strict=True))
    )
    for d, result in pairs:
        if not d.steps or d.steps[-1].value == result:
            continue
        x = next((v for v in wrt if v.name == d.wrt), None)
        if x is not None and x.symmetric and d.kind is Command.GRAD:
            d.steps.append(Step(x, result, SYMMETRIC))
        elif denominator:
            d.steps.append(Step(d.steps[-1].target, result, DENOMINATOR))
