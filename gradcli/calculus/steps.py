"""``--steps``: a derivation written as a worked solution (the derivation half;
:mod:`gradcli.output.steps` renders it).

The reverse-mode sweep is replayed with a trace: for each subexpression that
depends on the variable, from the output inwards, one step gives ``∂f/∂u`` for
that subexpression ``u``, simplified, and names the rule that produced it (a
Matrix Cookbook identity by its equation number where one applies).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gradcli.calculus.forward import jacobian
from gradcli.calculus.reverse import Sweep, gradient
from gradcli.calculus.step_order import group, preorder, transposes, twins
from gradcli.calculus.vocabulary import Command
from gradcli.ir import build as B
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
    walk_unique,
)
from gradcli.ir.nodes import (
    Trace as TraceNode,
)
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS
from gradcli.simplify import present, simplify
from gradcli.simplify.shared import substitute

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
    """``∂f/∂target = value``, by ``rule`` (a Jacobian step: ``∂target/∂x``).

    ``label`` qualifies the left-hand side when it is not the plain derivative
    (``"unconstrained"``: a symmetric variable's entries taken as independent)."""

    target: Expr
    value: Expr
    rule: str
    label: str = ""

    @property
    def rule_names(self) -> list[str]:
        """The names of the rules cited, without their formulas: ``["power rule"]``."""
        return [part.split(":", 1)[0].strip() for part in self.rule.split("; ")]


SCALING = "scaling: d(c u) = c du"
PRODUCT_SCALARS = "product rule: d(u v) = du v + u dv"
SCALAR_FACTOR = "product rule: d(s U) = ds U + s dU"
PRODUCT_SCALAR_FACTOR = f"{SCALAR_FACTOR}, so df/ds = sum(G .* U)"
PRODUCT_GRAM = "product rule: d(U^T U) = dU^T U + U^T dU"
QUADRATIC = "quadratic form: d(x^T A x)/dx = (A + A^T) x (Cookbook 81)"
LINEAR = "linear map: d(L u) = L du"
KRONECKER = "product rule: d vec(L U R) = (R^T kron L) d vec(U) (Cookbook 520)"
FORWARD_PRODUCT = "product rule: d(U V) = dU V + U dV"
TWINS = "u occurs twice, once transposed: the part through u^T adds, transposed"
SIGMOID = "rewrite: exp(u) ./ (1 + exp(u)) = sigmoid(u)"


def rule_of(
    node: Expr, forward: bool = False, child: Expr | None = None, x: Var | None = None
) -> str:
    """The rule by which ``node`` passes derivatives to its operand ``child``
    (reverse mode), or takes them from its operands that depend on ``x``
    (``forward``): a product of scalars cites the product rule, not the trace
    trick; ``L u`` for a vector ``u`` the linear map, not the Kronecker rule."""
    if forward and isinstance(node, Transpose) and node.arg.shape.is_matrix:
        return "transpose: d vec(U^T) = commutation(U) d vec(U) (Magnus & Neudecker)"
    if isinstance(node, Apply):
        return f"chain rule through {node.func}: {FUNCTION_RULES.get(node.func, '')}"
    if isinstance(node, Reduce):
        return f"{node.func}: {REDUCTIONS[node.func].rule}"
    if isinstance(node, Mul):
        return _forward_mul_rule(node, x) if forward else _mul_rule(node, child)
    return RULES.get(type(node), "chain rule")


def _mul_rule(node: Mul, child: Expr | None) -> str:
    factors = [*node.scalars, *node.chain]
    if len(factors) <= 1:
        return SCALING
    if all(f.is_scalar for f in factors):
        return PRODUCT_SCALARS
    if child is not None and child in node.scalars:
        return PRODUCT_SCALAR_FACTOR
    copies = child is not None and (child in node.chain or B.transpose(child) in node.chain)
    if copies and _quadratic_form(node) and child not in node.chain[1:2]:
        return QUADRATIC
    if copies and _gram(node):
        return PRODUCT_GRAM
    return RULES[Mul]


def _forward_mul_rule(node: Mul, x: Var | None) -> str:
    names = {x.name} if x is not None else set()
    factors = [*node.scalars, *node.chain]
    moving = [f for f in node.chain if depends_on(f, names)]
    if len(factors) <= 1:
        return SCALING
    if all(f.is_scalar for f in factors):
        return PRODUCT_SCALARS
    if any(depends_on(s, names) for s in node.scalars):
        return SCALAR_FACTOR if len(moving) <= 1 else FORWARD_PRODUCT
    if _gram(node):
        return PRODUCT_GRAM
    if len(moving) > 1:
        return FORWARD_PRODUCT
    if moving and moving[0] is node.chain[-1] and moving[0].shape.is_vector:
        return LINEAR
    return KRONECKER


def _quadratic_form(node: Expr) -> bool:
    """``u^T A u`` with the same ``u`` on both sides (``u^T`` pushed to the leaves)."""
    if not isinstance(node, Mul) or len(node.chain) != 3:
        return False
    left, middle, right = node.chain
    return B.transpose(left) == right and middle.shape.is_square


def _gram(node: Mul) -> bool:
    """``U^T U``: the same ``U`` on both sides of a product of two."""
    return len(node.chain) == 2 and B.transpose(node.chain[0]) == node.chain[1]


def _rule(sources: tuple[Expr, ...], child: Expr, twin: bool) -> str:
    names: list[str] = []
    for p in sources:
        text = rule_of(p, child=child)
        if text not in names:
            names.append(text)
    if twin and names not in ([QUADRATIC], [PRODUCT_GRAM]):  # those count both copies
        names.append(TWINS)
    return "; ".join(names)


def _interesting(node: Expr, x: Var) -> bool:
    if node == x:
        return True
    if isinstance(node, Var) or not depends_on(node, {x.name}):
        return False
    return not (isinstance(node, Transpose) and isinstance(node.arg, Var))


def gradient_steps(f: Expr, x: Var) -> list[Step]:
    """The worked derivation of ∂f/∂x, output first, ending with x itself.

    Each step is the *full* derivative of f by its subexpression ``u`` (f's
    value as a function of ``u`` wherever ``u`` or ``u^T`` occurs), the parts
    of a sum in the order written; a part held only as a pushed transpose
    (``x^T A^T`` for ``(A x)^T``) is shown untransposed, as written; a rewrite
    of the value (``sigmoid``) is a step of its own."""
    trace: Sweep = []
    gradient(f, [x], trace)
    adjoint = {node: g for node, g, _ in trace}
    parents = {node: ps for node, _, ps in trace}
    keep = {n for n in adjoint if n != f and _interesting(n, x)}
    written = set(walk_unique(f))
    steps: list[Step] = []
    for item in group(f, parents, keep):
        node, g = item.node, adjoint[item.node]
        if item.twin is not None:
            g = B.add(g, B.transpose(adjoint[item.twin]))
        elif not node.is_scalar and transposes(B.transpose(node)) < transposes(node):
            node, g = B.transpose(node), B.transpose(g)  # (A x)^T as written, not x^T A^T
        rule = _rule(item.sources, item.node, item.twin is not None)
        steps.extend(_shown_steps(node, g, rule, written))
    return steps


def _shown_steps(target: Expr, g: Expr, rule: str, written: set[Expr]) -> list[Step]:
    """``target``'s step, simplified; when simplifying recognised a sigmoid that
    neither f, the raw derivative nor an earlier step holds, the form before it
    and then the rewrite (its sigmoids join ``written``, for later steps)."""
    value = present(simplify(g))
    raw = set(walk_unique(g))
    table: dict[Expr, Expr] = {
        n: _exp_ratio(n.arg)
        for n in walk_unique(value)
        if isinstance(n, Apply) and n.func == "sigmoid" and n not in written and n not in raw
    }
    if not table:
        return [Step(target, value, rule)]
    written.update(table)
    return [Step(target, substitute(value, table), rule), Step(target, value, SIGMOID)]


def _exp_ratio(z: Expr) -> Expr:
    """``exp(z) ./ (1 + exp(z))``, as built (not simplified back to sigmoid)."""
    e = B.apply("exp", z)
    one = B.const(1.0) if z.is_scalar else B.fill(B.const(1.0), z.shape)
    ratio = B.power(B.add(one, e), -1.0)
    return B.mul(e, ratio) if z.is_scalar else B.hadamard(e, ratio)


def jacobian_steps(f: Expr, x: Var) -> list[Step]:
    """The worked derivation of ∂vec(f)/∂vec(x), from x outwards (forward mode).

    A pushed transpose ``t = u^T`` swept beside ``u`` (``x^T A^T`` beside
    ``A x``) is not a part the user wrote: its Jacobian only reorders ``u``'s,
    and it gets no step of its own."""
    trace: list[tuple[Expr, Expr]] = []
    jacobian(f, x, trace)
    hidden = set(twins([node for node, _ in trace], preorder(f)).values())
    written = set(walk_unique(f))
    steps: list[Step] = []
    for node, j in trace:
        if _interesting(node, x) and node != x and node not in hidden:
            steps.extend(_shown_steps(node, j, rule_of(node, forward=True, x=x), written))
    return steps


def intermediate_steps(f: Expr, x: Var) -> list[Step]:
    """The intermediate derivatives of the worked derivation of ``f`` by ``x``,
    as ``--steps`` prints them: for a scalar ``f``, ``∂f/∂u`` for each part ``u``
    of ``f`` that depends on ``x``, from the output inwards, ending with
    ``∂f/∂x``; otherwise ``∂u/∂x`` for each such part, from ``x`` outwards,
    ending with ``∂f/∂x``. Each step is ``Step(target=u, value=derivative,
    rule=...)``, the derivative the full one (every copy of ``u`` counted);
    ``Step.rule_names`` gives the names of the rules it cites."""
    return gradient_steps(f, x) if f.is_scalar else jacobian_steps(f, x)


@dataclass(frozen=True)
class Derivation:
    """The steps for one result: ``kind`` is ``Command.GRAD`` (∂f/∂u) or
    ``Command.JACOBIAN`` (∂u/∂x), here by ``wrt``. ``heading``, when not empty,
    says what the part derives (one per variable, the switch to the Hessian)."""

    wrt: str
    kind: Command
    steps: list[Step]
    heading: str = ""


def derivation_steps(
    command: Command | str,
    f: Expr,
    wrt: list[Var],
    results: list[Expr] | None = None,
    denominator: bool = False,
) -> list[Derivation]:
    """Steps for each variable: gradient steps (reverse mode) for a scalar ``f``,
    Jacobian steps (forward mode) otherwise; a Hessian adds the Jacobian of each
    variable's gradient by every variable (the mixed partials too). A last step
    names what turns that into the printed result: the symmetric part for a
    symmetric variable, the transpose for the other layout."""
    command = Command(command)
    several = len(wrt) > 1
    out = []
    for x in wrt:
        if not f.is_scalar:
            head = f"with respect to {x.name}:" if several else ""
            out.append(Derivation(x.name, Command.JACOBIAN, jacobian_steps(f, x), head))
            continue
        head = f"with respect to {x.name}:" if several else ""
        if command is Command.HESSIAN:
            head = f"the gradient df/d{x.name}:"
        out.append(Derivation(x.name, Command.GRAD, gradient_steps(f, x), head))
        if command is Command.HESSIAN and out[-1].steps:
            out.extend(_hessian_parts(x, out[-1].steps[-1].value, wrt))
    if results is not None and (len(results) == len(out) or (command is Command.HESSIAN)):
        _finish(out, wrt, results, denominator)
    return out


def _hessian_parts(x: Var, g: Expr, wrt: list[Var]) -> list[Derivation]:
    """The Jacobian of the gradient ``g = ∂f/∂x`` by each variable."""
    return [
        Derivation(
            y.name,
            Command.JACOBIAN,
            jacobian_steps(g, y),
            f"the Hessian: the Jacobian of df/d{x.name} with respect to {y.name}:",
        )
        for y in wrt
    ]


SYMMETRIC = (
    "symmetric variable: the gradient is the symmetric part (G + G^T)/2"
    " of the unconstrained gradient G"
)
DENOMINATOR = "denominator layout: the transpose of the numerator-layout Jacobian"
UNCONSTRAINED = "unconstrained"


def _finish(out: list[Derivation], wrt: list[Var], results: list[Expr], denominator: bool) -> None:
    """Append the step from the last derivative to the printed result, if they
    differ; a Hessian by several variables is a block matrix no step ends with."""
    if len(out) != len(results):
        if len(results) != 1 or len(wrt) != 1:
            return
        pairs = [(out[-1], results[-1])]
    else:
        pairs = list(zip(out, results, strict=True))
    for d, result in pairs:
        if not d.steps:
            continue
        if d.steps[-1].value == result:  # equal as nodes; shown as the result is
            d.steps[-1] = replace(d.steps[-1], value=result)
            continue
        x = next((v for v in wrt if v.name == d.wrt), None)
        if x is not None and x.symmetric and d.kind is Command.GRAD:
            d.steps[-1] = replace(d.steps[-1], label=UNCONSTRAINED)
            d.steps.append(Step(x, result, SYMMETRIC))
        elif denominator:
            d.steps.append(Step(d.steps[-1].target, result, DENOMINATOR))
