"""Jacobians by symbolic forward mode, in vec form.

Every node gets ``J = ∂vec(node)/∂vec(x)`` (numerator layout: one row per
entry of the node, one column per entry of ``x``), from the differential
``d vec(node) = J d vec(x)``. The product rule uses
``vec(L dF R) = (R^T ⊗ L) vec(dF)`` (Cookbook 520), which for vectors
reduces to ordinary products (``A J``, ``x y^T``).
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
    walk,
)
from gradcli.ir.primitives import REDUCTIONS

Jac = Callable[[Expr, Callable[[Expr], Expr]], Expr]
RULES: dict[type, Jac] = {}


def rule(*types: type) -> Callable[[Jac], Jac]:
    def register(fn: Jac) -> Jac:
        for t in types:
            RULES[t] = fn
        return fn

    return register


def _size(e: Expr) -> Shape:
    return B.vec(e).shape


def _zero(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """The zero Jacobian of ``node`` (its operands' Jacobians have the right width)."""
    width = J(node.children()[0]).shape.cols
    return B.zeros(Shape(_size(node).rows, width))


def _ediag(e: Expr) -> Expr:
    """diag(vec(e)): the Jacobian of an element-wise scaling by e."""
    return e if e.is_scalar else B.diag(B.vec(e))


@rule(Add)
def _add(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Add)
    return B.add(*(J(t) for t in node.terms))


@rule(Fill)
def _fill(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Fill)
    return B.mul(B.ones(_size(node)), J(node.value))


@rule(Mul)
def _mul(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """d(c s L F R) = c ds vec(L F R) + c s (R^T ⊗ L) d vec(F)."""
    assert isinstance(node, Mul)
    scalars, chain = list(node.scalars), list(node.chain)
    terms: list[Expr] = []
    prod = B.vec(B.mul(*chain)) if chain else B.const(1.0)
    for i, s in enumerate(scalars):
        others = scalars[:i] + scalars[i + 1 :]
        if not B.is_zero(J(s)):
            terms.append(B.mul(node.coeff, *others, prod, J(s)))
    for j, f in enumerate(chain):
        if B.is_zero(J(f)):
            continue
        left = B.mul(*chain[:j]) if j else Identity(f.shape.rows)
        right = B.mul(*chain[j + 1 :]) if j + 1 < len(chain) else Identity(f.shape.cols)
        if isinstance(right, Identity) and right.shape.is_scalar:
            right = B.const(1.0)
        if isinstance(left, Identity) and f.shape.rows == ONE:
            left = B.const(1.0)
        lin = B.kron(B.transpose(right), left)
        terms.append(B.mul(node.coeff, *scalars, lin, J(f)))
    return B.add(*terms) if terms else _zero(node, J)


@rule(Hadamard)
def _hadamard(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Hadamard)
    fs = node.factors
    terms = [
        B.mul(_ediag(B.hadamard(*fs[:i], *fs[i + 1 :])), J(f))
        for i, f in enumerate(fs)
        if not B.is_zero(J(f))
    ]
    return B.add(*terms) if terms else _zero(node, J)


@rule(Power)
def _power(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Power)
    p = node.exponent
    return B.mul(_ediag(B.mul(p, B.power(node.base, p - 1.0))), J(node.base))


@rule(Apply)
def _apply(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Apply)
    return B.mul(_ediag(DERIVATIVE[node.func](node.arg)), J(node.arg))


@rule(Transpose)
def _transpose(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """d vec(U^T) = K d vec(U), with K the commutation matrix of U's shape
    (Magnus & Neudecker); for a vector K is the identity."""
    assert isinstance(node, Transpose)
    return B.mul(B.commutation(node.arg), J(node.arg))


@rule(Commutation)
def _commutation(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """K depends only on the shape of its operand: a constant."""
    return _zero(node, J)


@rule(Inverse)
def _inverse(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """d vec(X^-1) = -(X^-T ⊗ X^-1) d vec(X) (Cookbook 59)."""
    assert isinstance(node, Inverse)
    return B.neg(B.mul(B.kron(B.transpose(node), node), J(node.arg)))


@rule(MatPow)
def _matpow(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, MatPow)
    a, k = node.base, node.k
    at = B.transpose(a)
    return B.mul(B.add(*(B.kron(B.matpow(at, k - 1 - i), B.matpow(a, i)) for i in range(k))), J(a))


@rule(Trace)
def _trace(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Trace)
    return B.mul(B.transpose(B.vec(Identity(node.arg.shape.rows))), J(node.arg))


@rule(Det)
def _det(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Det)
    xit = B.inverse(B.transpose(node.arg))
    return B.mul(node, B.transpose(B.vec(xit)), J(node.arg))


@rule(LogDet)
def _logdet(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, LogDet)
    xit = B.inverse(B.transpose(node.arg))
    return B.mul(B.transpose(B.vec(xit)), J(node.arg))


@rule(SumAll)
def _sum(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, SumAll)
    return B.mul(B.transpose(B.ones(_size(node.arg))), J(node.arg))


@rule(Norm)
def _norm(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Norm)
    return B.mul(B.power(node, -1.0), B.transpose(B.vec(node.arg)), J(node.arg))


@rule(Softmax)
def _softmax(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """∂softmax(u)/∂u = diag(s) - s s^T."""
    assert isinstance(node, Softmax)
    s = node
    return B.mul(B.sub(B.diag(s), B.mul(s, B.transpose(s))), J(node.arg))


def _row_mix(s: Expr, rows: bool) -> Expr:
    """``∂vec(S)/∂vec(M)`` for ``S`` the softmax of each row (or column) of ``M``:
    ``diag(vec S) - diag(vec S) P diag(vec S)``, where ``P`` adds up each row
    (``ones ones^T ⊗ I``) or each column (``I ⊗ ones ones^T``) in vec order."""
    m, n = s.shape.rows, s.shape.cols
    if rows:
        pool = B.kron(B.ones(Shape(n, n)), Identity(m))
    else:
        pool = B.kron(Identity(n), B.ones(Shape(m, m)))
    d = B.diag(B.vec(s))
    return B.sub(d, B.mul(d, pool, d))


@rule(SoftmaxRows, SoftmaxCols)
def _softmax_along(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """dS_ij = S_ij (dM_ij - sum_k S_ik dM_ik) along each row (each column alike)."""
    assert isinstance(node, (SoftmaxRows, SoftmaxCols))
    return B.mul(_row_mix(node, isinstance(node, SoftmaxRows)), J(node.arg))


@rule(Reduce)
def _reduce(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """d f(u) = (∂f/∂u)^T du for a reduction of a vector (``REDUCTIONS``)."""
    assert isinstance(node, Reduce)
    return B.mul(B.transpose(REDUCTIONS[node.func].gradient(B, node.arg)), J(node.arg))


@rule(Diag)
def _diag(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """vec(diag(v)) = diag(vec(I)) (1 ⊗ I) v: the vector spread over the diagonal."""
    assert isinstance(node, Diag)
    n = node.arg.shape.rows
    eye = Identity(n)
    spread = B.mul(B.diag(B.vec(eye)), B.kron(B.ones(Shape(n, ONE)), eye))
    return B.mul(spread, J(node.arg))


@rule(DiagPart)
def _diagpart(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    """diag(X) = (1^T ⊗ I) diag(vec(I)) vec(X): the diagonal picked out of vec(X)."""
    assert isinstance(node, DiagPart)
    n = node.arg.shape.rows
    eye = Identity(n)
    pick = B.mul(B.kron(B.transpose(B.ones(Shape(n, ONE))), eye), B.diag(B.vec(eye)))
    return B.mul(pick, J(node.arg))


@rule(Vec)
def _vec(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Vec)
    return J(node.arg)


@rule(Block)
def _block(node: Expr, J: Callable[[Expr], Expr]) -> Expr:
    assert isinstance(node, Block)
    if not all(e.is_scalar for r in node.rows for e in r):
        raise NoRuleError("the derivative of a block matrix of non-scalars is not supported")
    width = len(node.rows[0])
    entries = [node.rows[i][j] for j in range(width) for i in range(len(node.rows))]
    return B.block([[J(e)] for e in entries])


def jacobian(f: Expr, x: Var, trace: list[tuple[Expr, Expr]] | None = None) -> Expr:
    """∂vec(f)/∂vec(x), numerator layout: ``size(f) x size(x)``.

    With ``trace``, each dependent node's Jacobian is appended as ``(node, J)``,
    inputs first: the raw material of ``--steps``."""
    n = _size(x)
    seed = B.const(1.0) if x.is_scalar else Identity(n.rows)
    memo: dict[Expr, Expr] = {}
    deps: set[Expr] = set()
    for node in walk(f):
        if node == x or any(k in deps for k in node.children()):
            deps.add(node)

    def J(e: Expr) -> Expr:
        if e not in deps:
            return B.zeros(Shape(_size(e).rows, n.rows))
        return memo[e]

    for node in walk(f):
        if node not in deps:
            continue
        if node == x:
            memo[node] = seed
            continue
        fn = RULES.get(type(node))
        if fn is None:
            raise NoRuleError(f"the Jacobian through {describe(node)} is not supported")
        memo[node] = fn(node, J)
        if trace is not None:
            trace.append((node, memo[node]))
    return J(f)
