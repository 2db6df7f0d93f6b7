"""Named functions recognised from their ``exp`` forms: ``tanh``, ``sigmoid``, ``softplus``.

``sigmoid(z) = 1 / (1 + exp(-z))`` and ``tanh(z) = (e^z - e^-z) / (e^z + e^-z)``
hold for every real ``z``, element by element, so each rewrite keeps the
value everywhere (a denominator ``1 + exp(.)`` or ``e^z + e^-z`` is never 0).
"""

from __future__ import annotations

from gradcli.ir import build as B
from gradcli.ir.nodes import ELEMENTWISE_FUNCS, Add, Apply, Expr, Hadamard, Mul, Power
from gradcli.simplify.rules import rule


def _factors(e: Expr) -> list[Expr] | None:
    """The factors of an element-wise product (or of a product's scalars)."""
    if isinstance(e, Hadamard):
        return list(e.factors)
    if isinstance(e, Mul):
        return list(e.scalars)
    return None


def _with_factors(e: Expr, factors: list[Expr]) -> Expr:
    """``e`` (as ``_factors`` split it) over new ``factors``."""
    if isinstance(e, Mul):
        return B.mul(e.coeff, *factors, *e.chain)
    return B.hadamard(*factors)


def _exp_arg(e: Expr) -> Expr | None:
    return e.arg if isinstance(e, Apply) and e.func == "exp" else None


def _exp_pair(e: Expr) -> tuple[Expr, Expr] | None:
    """``(z, w)`` when ``e`` is ``exp(z) + exp(w)``."""
    if not isinstance(e, Add) or len(e.terms) != 2:
        return None
    z, w = (_exp_arg(t) for t in e.terms)
    return (z, w) if z is not None and w is not None else None


def _odd_part(z: Expr) -> Expr:
    """``exp(z) - exp(-z)``, as the constructors build it."""
    return B.sub(B.apply("exp", z), B.apply("exp", B.neg(z)))


@rule
def recognise_tanh(e: Expr) -> Expr | None:
    """(exp(z) - exp(-z)) ./ (exp(z) + exp(-z)) = tanh(z)."""
    factors = _factors(e)
    if factors is None:
        return None
    for i, f in enumerate(factors):
        pair = _exp_pair(f.base) if isinstance(f, Power) and f.exponent == -1.0 else None
        if pair is None or B.neg(pair[0]) != pair[1]:
            continue
        for z in pair:
            if _odd_part(z) in factors[:i] + factors[i + 1 :]:
                rest = [g for k, g in enumerate(factors) if k != i]
                rest.remove(_odd_part(z))
                return _with_factors(e, [*rest, B.apply("tanh", z)])
    return None


def _negated(w: Expr) -> Expr | None:
    """``z`` when ``w`` is written ``-z`` (a product with a negative coefficient)."""
    return B.neg(w) if isinstance(w, Mul) and w.coeff < 0 else None


@rule
def recognise_sigmoid_of_negation(e: Expr) -> Expr | None:
    """(1 + exp(-z)) .^ -k = sigmoid(z) .^ k, for k > 0 (1 ./ (1 + exp(-z)) = sigmoid(z))."""
    if not isinstance(e, Power) or e.exponent >= 0 or not isinstance(e.base, Add):
        return None
    terms = e.base.terms
    if len(terms) != 2:
        return None
    for one, other in (terms, terms[::-1]):
        w = _exp_arg(other)
        z = _negated(w) if w is not None else None
        if z is not None and (B.is_one(one) or B.is_ones(one)):
            return B.power(B.apply("sigmoid", z), -e.exponent)
    return None


@rule
def exp_times_sigmoid(e: Expr) -> Expr | None:
    """exp(z) .* sigmoid(-z) = sigmoid(z) (both are exp(z) / (1 + exp(z)))."""
    factors = _factors(e)
    if factors is None:
        return None
    for i, f in enumerate(factors):
        z = _exp_arg(f)
        if z is None:
            continue
        partner = B.apply("sigmoid", B.neg(z))
        if partner in factors:
            rest = [g for k, g in enumerate(factors) if k != i]
            rest.remove(partner)
            return _with_factors(e, [*rest, B.apply("sigmoid", z)])
    return None


def recognise_softplus(e: Expr) -> Expr | None:
    """log(1 + exp(z)) = softplus(z) (a rule only where ``softplus`` is a function)."""
    if "softplus" not in ELEMENTWISE_FUNCS:
        return None
    if not isinstance(e, Apply) or e.func != "log" or not isinstance(e.arg, Add):
        return None
    terms = e.arg.terms
    if len(terms) != 2:
        return None
    for one, other in (terms, terms[::-1]):
        z = _exp_arg(other)
        if z is not None and (B.is_one(one) or B.is_ones(one)):
            return B.apply("softplus", z)
    return None


# ``softplus`` joins the language separately; the rule is live once it exists.
if "softplus" in ELEMENTWISE_FUNCS:  # pragma: no cover - depends on the vocabulary
    rule(recognise_softplus)
