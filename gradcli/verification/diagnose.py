"""Name the mistake in a wrong derivative, where a common one fits.

A diagnosis is found by a list of finders (:data:`FINDERS`), tried in order:
each compares values at the failing point (or at a nearby point with some
matrices made symmetric) with one kind of mistake: a dropped chain-rule
factor, a constant factor, a transpose, a wrong coefficient or sign on one
term, a missing or extra term, wrong entries of an explicit matrix, a product
in the wrong order, a norm or a convention taken for another, a formula right
only under an assumption. Another module plugs its own finder in with
:func:`add_finder`.

A diagnosis found at the failing point is then confirmed over the whole
domain (``check_values`` of the claim against the diagnosed form): a claim
right for ``det(X) > 0`` and wrong elsewhere is not "the negative of the true
derivative", though it is at a point where ``det(X) < 0``. A finder that
cannot give one form (the symmetric ones) confirms its own finding. When no
finder is sure, there is no diagnosis: nothing specific beats something off
target.
"""

from __future__ import annotations

from fractions import Fraction

from gradcli.calculus.vocabulary import Command, Layout
from gradcli.ir import build as B
from gradcli.ir.nodes import Expr, IRShapeError, Var
from gradcli.numeric.check import CheckResult, check_values
from gradcli.verification import finders, hand
from gradcli.verification.problem import (
    CONFIRM_SIZE,
    Diagnosis,
    Finder,
    Found,
    Problem,
    close,
    fit,
    number,
    terms_of,
    text,
)


def find_factor(p: Problem) -> Found | None:
    """The whole claim is a small multiple of the truth (a dropped 2, a sign)."""
    k = fit(p.c, p.t)
    if k is None:
        return None
    if abs(k + 1) < 1e-6:
        message = f"wrong sign: the claim is the negative of the true derivative {text(p.true)}"
        return Diagnosis(message, "sign", text(p.true), text(p.true)), B.neg(p.true)
    ratio = Fraction(k).limit_denominator(12)
    if abs(float(ratio) - k) >= 1e-6 * max(1.0, abs(k)):
        return None  # not a small fraction: the term finder names the coefficient
    message = (
        f"off by a factor of {ratio}: the claim is {ratio} times the true derivative {text(p.true)}"
    )
    return Diagnosis(message, "factor", str(ratio), text(p.true)), B.mul(ratio, p.true)


def find_transposed(p: Problem) -> Found | None:
    c, t = p.c, p.t
    if c.shape[0] != c.shape[1] or close(t, t.T) or not close(c, t.T):
        return None
    message = f"the transpose of the right answer {text(p.true)}"
    if p.command is Command.JACOBIAN:
        message += " (the Jacobian in the other layout)"
    return Diagnosis(message, "transpose", text(p.true), text(p.true)), B.transpose(p.true)


def find_term(p: Problem) -> Found | None:
    """One term of the truth has another coefficient in the claim (0 when it
    is missing, 2 when it is there twice, -1 for a wrong sign)."""
    for term in terms_of(p.true):
        c = fit(p.c - p.t, p.value(term))
        if c is None:
            continue
        k = number(1 + c)
        form = B.add(p.true, B.mul(number(c), term))
        return _term_words(term, k, form), form
    return None


def _term_words(term: Expr, k: Fraction | float, form: Expr) -> Diagnosis:
    want = text(term)
    if k == 0:
        return Diagnosis(f"right up to a missing term: {want}", "missing_term", want, want)
    if k == 2:
        return Diagnosis(f"right up to an extra term: {want}", "extra_term", want, None)
    got = text(B.mul(k, term))
    if k == -1:
        message = f"wrong sign on the term {want}: the claim has {got}"
        return Diagnosis(message, "sign", want, want)
    message = f"wrong coefficient: the term {got} should be {want}"
    return Diagnosis(message, "coefficient", got, want)


def find_extra(p: Problem) -> Found | None:
    """A term of the claim that is not in the true derivative at all."""
    for term in terms_of(p.claim):
        if len(terms_of(p.claim)) > 1 and close(p.c - p.value(term), p.t):
            got = text(term)
            message = f"right up to an extra term: {got}, which is not in the true derivative"
            return Diagnosis(message, "extra_term", got, None), B.add(p.true, term)
    return None


def find_symmetric_only(p: Problem) -> Found | None:
    """Right when some non-symmetric square matrices are made symmetric."""
    candidates = [
        v
        for v in p.variables.values()
        if v.shape.is_matrix and v.shape.is_square and not v.symmetric
    ]
    point = p.check.point or {}
    for group in [[v] for v in candidates] + ([candidates] if len(candidates) > 1 else []):
        env = dict(point)
        for v in group:
            env[v.name] = (point[v.name] + point[v.name].T) / 2
        if close(p.value(p.claim, env), p.value(p.true, env)):
            names = " and ".join(v.name for v in group)
            verb = "is" if len(group) == 1 else "are"
            message = f"right only when {names} {verb} symmetric"
            return Diagnosis(message, "assumption", names, text(p.true)), None
    return None


# Tried in order; the first that is confirmed names the mistake. Assumption
# finders ("right only when ...") come last: a claim right under an
# assumption is checked for a specific slip first.
FINDERS: list[Finder] = [
    hand.find_chain_factor,
    find_factor,
    find_transposed,
    find_term,
    find_extra,
    finders.find_entries,
    finders.find_rewritten_result,
    finders.find_other_expression,
    finders.find_symmetric_convention,
    find_symmetric_only,
]


def add_finder(finder: Finder, *, assumption: bool = False) -> None:
    """Plug a finder in: before the assumption finders, or (``assumption``,
    for a "right only when ..." finder) last, after ``right only when A is
    symmetric``. A finder returns None unless it is sure; the form it returns
    is confirmed over the whole domain."""
    if finder in FINDERS:
        return
    at = len(FINDERS) if assumption else FINDERS.index(find_symmetric_only)
    FINDERS.insert(at, finder)


def diagnose(
    command: Command | str,
    f: Expr,
    claim: Expr,
    true: Expr,
    check: CheckResult,
    variables: dict[str, Var],
    wrt: list[Var] | None = None,
    layout: Layout | str = Layout.NUMERATOR,
) -> Diagnosis | None:
    """A one-line diagnosis of how ``claim`` differs from ``true``, or None."""
    if check.point is None:
        return None
    p = Problem(Command(command), f, claim, true, check, variables, wrt or [], Layout(layout))
    try:
        p.c, p.t = p.value(claim), p.value(true)
    except (KeyError, ValueError):
        return None
    for finder in FINDERS:
        try:
            found = finder(p)
        except (KeyError, ValueError, ArithmeticError, IRShapeError):
            continue
        if found is None:
            continue
        diagnosis, form = found
        if form is None or p.same(form):
            return diagnosis
    return None


# A claim that ties the expression's free sizes is checked only for the slips
# that keep the parts the claim names (a dropped factor, a product order):
# under the tie, "right only when A is symmetric" would be off target.
TIED_FINDERS: list[Finder] = [
    find_transposed,
    find_extra,
    hand.find_chain_factor,
    finders.find_rewritten_result,
]


def diagnose_shape(
    command: Command,
    f: Expr,
    claim: Expr,
    true: Expr,
    variables: dict[str, Var],
    wrt: list[Var],
    seed: int,
) -> Diagnosis | None:
    """A claim of another shape than the derivative: the derivative w.r.t.
    an inner part (``exp(x^T x)`` for the gradient of ``exp(x^T x)``), or a
    vector where its ``diag`` is right."""
    nowhere = CheckResult(False, None, seed, {})
    p = Problem(command, f, claim, true, nowhere, variables, wrt)
    try:
        found = hand.find_chain_factor(p)
    except (KeyError, ValueError, ArithmeticError, IRShapeError):
        found = None
    if found is not None:
        return found[0]
    return hand.diagonal_claim(claim, true, list(variables.values()), seed)


def diagnose_tied(
    tie: Diagnosis,
    command: Command,
    f: Expr,
    claim: Expr,
    true: Expr,
    variables: dict[str, Var],
    wrt: list[Var],
    seed: int,
) -> Diagnosis:
    """The diagnosis of a claim that needs sizes the expression leaves free
    (``tie``), unless a slip explains the claim under those sizes."""
    check = check_values(true, claim, list(variables.values()), seed=seed, max_size=CONFIRM_SIZE)
    if check.passed is not False or check.point is None:
        return tie
    p = Problem(command, f, claim, true, check, variables, wrt)
    try:
        p.c, p.t = p.value(claim), p.value(true)
    except (KeyError, ValueError):
        return tie
    for finder in TIED_FINDERS:
        try:
            found = finder(p)
        except (KeyError, ValueError, ArithmeticError, IRShapeError):
            continue
        if found is not None and (found[1] is None or p.same(found[1])):
            return found[0]
    return tie
