"""IR nodes: ``children``, ``rebuild`` and ``ident`` are derived from the dataclass
fields (``gradcli.ir.nodes._node``); every node class is checked here, with
children replaced by other expressions of the same shape."""

from __future__ import annotations

import pytest

from gradcli.calculus.derivatives import DERIVATIVE
from gradcli.ir import nodes as N
from gradcli.ir.dims import SCALAR, Dim, Kind, Shape
from gradcli.numeric.evaluate import FUNCS
from gradcli.syntax.tree import FUNCTIONS

n = Dim("n")
SQ = Shape(n, n)
A, B = N.Var("A", SQ, Kind.MATRIX), N.Var("B", SQ, Kind.MATRIX)
x, y = (
    N.Var("x", Shape(n, Dim.fixed(1)), Kind.VECTOR),
    N.Var("y", Shape(n, Dim.fixed(1)), Kind.VECTOR),
)
a, b = N.Var("a", SCALAR, Kind.SCALAR), N.Var("b", SCALAR, Kind.SCALAR)

# node, its children, the same node over other children (swapped same-shape leaves)
ROWS = [
    (N.Fill(a, SQ), (a,), N.Fill(b, SQ)),
    (N.Add((A, B)), (A, B), N.Add((B, B))),
    (N.Mul(2.0, (a, A, B)), (a, A, B), N.Mul(2.0, (b, A, B))),
    (N.Hadamard((x, y)), (x, y), N.Hadamard((y, y))),
    (N.Power(x, 3.0), (x,), N.Power(y, 3.0)),
    (N.MatPow(A, 2), (A,), N.MatPow(B, 2)),
    (N.Transpose(A), (A,), N.Transpose(B)),
    (N.Inverse(A), (A,), N.Inverse(B)),
    (N.Trace(A), (A,), N.Trace(B)),
    (N.Det(A), (A,), N.Det(B)),
    (N.LogDet(A), (A,), N.LogDet(B)),
    (N.SumAll(x), (x,), N.SumAll(y)),
    (N.Norm(x), (x,), N.Norm(y)),
    (N.Softmax(x), (x,), N.Softmax(y)),
    (N.SoftmaxRows(A), (A,), N.SoftmaxRows(B)),
    (N.SoftmaxCols(A), (A,), N.SoftmaxCols(B)),
    (N.Commutation(A), (A,), N.Commutation(B)),
    (N.Diag(x), (x,), N.Diag(y)),
    (N.DiagPart(A), (A,), N.DiagPart(B)),
    (N.Vec(A), (A,), N.Vec(B)),
    (N.Apply("exp", x), (x,), N.Apply("exp", y)),
    (N.Reduce("logsumexp", x), (x,), N.Reduce("logsumexp", y)),
    (N.Kron(A, B), (A, B), N.Kron(B, B)),
    (N.Entry(A, 0, 1), (A,), N.Entry(B, 0, 1)),
    (N.Block(((a, b), (b, a))), (a, b, b, a), N.Block(((b, b), (b, a)))),
]


def _swap(kids: tuple[N.Expr, ...]) -> tuple[N.Expr, ...]:
    """The first child replaced by its partner (A->B, x->y, a->b)."""
    partner = {A: B, x: y, a: b}
    return (partner[kids[0]], *kids[1:])


@pytest.mark.parametrize(("node", "kids", "other"), ROWS, ids=lambda v: type(v).__name__)
def test_children_rebuild_ident(node: N.Expr, kids: tuple[N.Expr, ...], other: N.Expr) -> None:
    assert node.children() == kids
    assert node.rebuild(node.children()) == node
    swapped = node.rebuild(_swap(kids))
    assert type(swapped) is type(node) and swapped == other and swapped != node
    assert hash(swapped) == hash(other)


def test_every_node_class_is_covered() -> None:
    classes = {c for c in vars(N).values() if isinstance(c, type) and issubclass(c, N.Expr)}
    inner = classes - {N.Expr, N.Unary, N.Var, N.Const, N.Identity}
    assert inner == {type(row[0]) for row in ROWS}


def test_leaves_have_no_children() -> None:
    for leaf in (A, N.Const(2.0), N.Identity(n)):
        assert leaf.children() == () and leaf.rebuild(()) is leaf


def test_elementwise_funcs_is_the_contract() -> None:
    """Every element-wise function has a derivative and an evaluator, and the language
    offers them all; an unknown one is refused by the node itself."""
    assert set(DERIVATIVE) == N.ELEMENTWISE_FUNCS
    assert set(FUNCS) >= N.ELEMENTWISE_FUNCS and FUNCTIONS >= N.ELEMENTWISE_FUNCS
    with pytest.raises(N.IRShapeError):
        N.Apply("coshh", x)
    with pytest.raises(N.IRShapeError):
        N.Reduce("logsumexp", A)  # a reduction takes a column vector
