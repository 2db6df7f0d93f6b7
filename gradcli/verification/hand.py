"""Where a hand derivation parted from the true one, and what a claim of the
wrong shape was meant to be.

A wrong claim is compared with the intermediate derivatives ``--steps``
prints (:func:`gradcli.calculus.steps.derivation_steps`, its public
function): a claim equal to ``∂f/∂u`` for an inner part ``u`` is the
derivative with the chain rule's last factors dropped, and the diagnosis
names the dropped inner derivative ``u'``.

A claim that only type-checks when the expression's free sizes are tied
(``2 A (A x - b)`` needs ``A`` square; the expression alone does not) is a
shape mistake; the expression's shapes come from the expression alone.
"""

from __future__ import annotations

from gradcli.calculus.drivers import derivative_results
from gradcli.calculus.steps import derivation_steps
from gradcli.calculus.vocabulary import Command
from gradcli.ir import build as B
from gradcli.ir.dims import Dim, Kind
from gradcli.ir.nodes import Expr, Var
from gradcli.numeric.check import check_values
from gradcli.simplify.shared import substitute
from gradcli.verification.problem import (
    CONFIRM_SIZE,
    Diagnosis,
    Found,
    Problem,
    close,
    text,
)


def find_chain_factor(p: Problem) -> Found | None:
    """The claim is ``∂f/∂u`` for an inner part ``u`` (one of the quantities
    ``--steps`` derives): the last chain-rule factor ``u'`` is missing. The
    deepest such part is where the hand derivation stopped. ``∂f/∂u`` is
    derived here, through every copy of ``u`` in ``f``, so the message is true
    as written whatever the steps print."""
    if p.command is not Command.GRAD or len(p.wrt) != 1 or not p.f.is_scalar:
        return None
    if p.check.point is not None and close(p.c, -p.t):
        return None  # the negative of the truth: the sign finder names it plainly
    x = p.wrt[0]
    name = next((n for n in ("u", "v", "z", "t") if n not in p.variables), None)
    derivations = derivation_steps(Command.GRAD, p.f, [x])
    targets = [s.target for d in derivations[:1] for s in d.steps]
    for u in reversed(targets):
        if name is None or u in (x, p.f) or u.shape != p.claim.shape:
            continue
        local = _outer_derivative(p, u, Var(name, u.shape, _kind(u)), x)
        if local is None:
            continue
        full = substitute(local[1], {local[0]: u})
        if p.check.point is not None and not close(p.value(full), p.c):
            continue  # a quick look at the failing point before the check over the domain
        if p.same(full):
            return _dropped(p, x, u, local), None
    return None


def _kind(u: Expr) -> Kind:
    return Kind.SCALAR if u.is_scalar else Kind.VECTOR if u.shape.is_vector else Kind.MATRIX


def _outer_derivative(p: Problem, u: Expr, name: Var, x: Var) -> tuple[Var, Expr, Expr] | None:
    """``(u as a variable, d f/du in it, f written in it)``, or None when ``u``
    is not a part of ``f`` one can name."""
    outer = substitute(p.f, {u: name})
    if outer == p.f or not outer.is_scalar:
        return None
    (target,) = derivative_results(Command.GRAD, outer, [name], p.layout)
    return name, target.expr, outer


def _dropped(p: Problem, x: Var, u: Expr, local: tuple[Var, Expr, Expr]) -> Diagnosis:
    name, derivative, outer = local
    command = Command.GRAD if u.is_scalar else Command.JACOBIAN
    (inner,) = derivative_results(command, u, [x], p.layout)
    n, f_u, d_u = name.name, text(outer), text(derivative)
    message = (
        f"missing chain-rule factor: your answer matches the derivative with "
        f"d {f_u}/d{n} = {d_u} ({n} = {text(u)}) but without {n}' = {text(inner.expr)}"
    )
    step = (
        f"right up to d {f_u}/d{n} = {d_u} ({n} = {text(u)}); the next step, "
        f"the gradient w.r.t. {x.name}, multiplies by {n}' = {text(inner.expr)}: {text(p.true)}"
    )
    return Diagnosis(message, "chain_rule", text(inner.expr), text(p.true), step)


def tied_sizes(alone: dict[str, Var], joint: dict[str, Var]) -> Diagnosis | None:
    """The claim ties two sizes the expression leaves free: a shape mistake."""
    seen: dict[Dim, Dim] = {}
    owner: dict[Dim, str] = {}
    for name, var in alone.items():
        other = joint.get(name)
        if other is None:
            continue
        pairs = ((var.shape.rows, other.shape.rows), (var.shape.cols, other.shape.cols))
        for mine, theirs in pairs:
            if mine.size is not None or mine.factors:
                continue
            owner.setdefault(mine, name)
            for d, t in seen.items():
                if t == theirs and d != mine:
                    return _tie_words(alone, d, mine, owner)
            seen[mine] = theirs
    return None


def _tie_words(alone: dict[str, Var], a: Dim, b: Dim, owner: dict[Dim, str]) -> Diagnosis:
    for name, var in alone.items():
        if {var.shape.rows, var.shape.cols} == {a, b}:
            message = f"the claim needs {name} square; is a transpose missing?"
            return Diagnosis(message, "shape", name, None)
    first, second = owner[a], owner[b]
    message = (
        f"the claim needs {a.name} = {b.name} (sizes of {first} and {second} that the "
        "expression leaves free); is a transpose missing?"
    )
    return Diagnosis(message, "shape", f"{first}, {second}", None)


def diagonal_claim(claim: Expr, true: Expr, variables: list[Var], seed: int) -> Diagnosis | None:
    """A vector claimed where ``diag`` of it is right, or ``diag(M)`` of a
    matrix claimed where the matrix is; only on a shape mismatch."""
    if claim.shape.is_vector and true.shape.is_square and not true.is_scalar:
        form, got, want = B.diag(claim), text(claim), f"diag({text(claim)})"
    elif true.shape.is_vector and claim.shape.is_square and not claim.is_scalar:
        form, got, want = B.diag(claim), text(claim), text(true)
    else:
        return None
    if form.shape != true.shape:
        return None
    same = check_values(true, form, variables, seed=seed, max_size=CONFIRM_SIZE)
    if same.passed is not True:
        return None
    message = f"diag confused: the claim {got} should be {want}"
    return Diagnosis(message, "diag", got, want)
