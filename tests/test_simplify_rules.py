"""The simplifier's rules, one at a time, and ``simplify`` end to end.

For every rule of ``gradcli.simplify.rules.RULES``:

- rows where it applies: the rule function called on the input node (built by
  ``analyse``, so through the smart constructors, or directly from nodes)
  returns a node whose ``to_text`` is the golden, with the same value as the
  input at random points (and the golden, parsed back, too);
- rows where it must not apply: it returns ``None`` (or, for the rows marked
  BUG, at least nothing with another value).

Then golden rows for ``simplify`` itself, on inputs in the language and on raw
reverse-mode gradients, each checked numerically against the unsimplified
expression (and, for inputs, against the source built with raw nodes).

A row marked ``xfail(strict=True, reason="BUG: ...")`` is a rule that changes
the value of an expression.
"""

from __future__ import annotations

from collections.abc import Callable

import algebra_rows
import pytest
from _pytest.mark.structures import ParameterSet
from build_reference import built, check_values, naive

from gradcli.calculus.reverse import gradient
from gradcli.ir import nodes as N
from gradcli.ir.nodes import Expr, Var, free_vars
from gradcli.printers import to_text
from gradcli.simplify import rules as R
from gradcli.simplify import simplify

Source = str | Callable[[], tuple[Expr, dict[str, Var]]]


def _input(source: Source) -> tuple[Expr, dict[str, Var]]:
    return built(source) if isinstance(source, str) else source()


def _raw_ones_hadamard(value: float) -> Callable[[], tuple[Expr, dict[str, Var]]]:
    """``Fill(value) .* x`` as a raw node (the constructors never leave one)."""

    def make() -> tuple[Expr, dict[str, Var]]:
        x = built("x")[1]["x"]
        return N.Hadamard((N.Fill(N.Const(value), x.shape), x)), {"x": x}

    make.__doc__ = f"raw Hadamard(Fill({value:g}), x)"
    return make


def _raw_hadamard_without_fill() -> tuple[Expr, dict[str, Var]]:
    """raw Hadamard(x, y)"""
    x, y = (built(name)[1][name] for name in "xy")
    return N.Hadamard((x, y)), {"x": x, "y": y}


def _id(rule: Callable, source: Source) -> str:
    text = source if isinstance(source, str) else source.__doc__ or "raw node"
    return f"{rule.__name__}: {text.splitlines()[0]}"


def applies(rule: Callable, source: Source, golden: str, bug: str = "") -> ParameterSet:
    marks = pytest.mark.xfail(strict=True, reason=f"BUG: {bug}") if bug else ()
    return pytest.param(rule, source, golden, marks=marks, id=_id(rule, source))


def skips(rule: Callable, source: Source, bug: str = "") -> ParameterSet:
    marks = pytest.mark.xfail(strict=True, reason=f"BUG: {bug}") if bug else ()
    return pytest.param(rule, source, marks=marks, id=_id(rule, source))


APPLIES = [
    applies(R.factor_common_scalars, "t x + t y", "t (x + y)"),
    applies(R.factor_common_scalars, "2 x - 2 y", "2 (x - y)"),
    applies(R.factor_common_scalars, "-2 x - 2 y", "-2 (x + y)"),
    applies(R.factor_common_scalars, "c x - c y", "c (x - y)"),
    applies(R.factor_common_scalars, "2 c x + 4 c y", "c (2 x + 4 y)"),
    applies(R.factor_common_scalars, "c t + t", "t (c + 1)"),
    applies(R.factor_common_scalars, "-x - y", "-(x + y)"),
    applies(R.factor_right, "A x + B x", "(A + B) x"),
    applies(R.factor_right, "A x + A^T x", "(A + A^T) x"),
    applies(R.factor_right, "A x y^T + B x y^T", "(A x + B x) y^T"),
    applies(R.factor_right, "x^T A y + x^T B y", "(x^T A + x^T B) y"),
    applies(R.factor_right, "A x + B x + y", "(A + B) x + y"),
    applies(R.factor_left, "A^T u + A^T v", "A^T (u + v)"),
    applies(R.factor_left, "x y^T A + x y^T B", "x (y^T A + y^T B)"),
    applies(R.factor_left, "2 A u - A v", "A (2 u - v)"),
    applies(R.recognise_sigmoid, "exp(t) / (1 + exp(t))", "sigmoid(t)"),
    applies(R.recognise_sigmoid, "exp(z) ./ (1 + exp(z))", "sigmoid(z)"),
    applies(R.recognise_sigmoid, "y .* exp(z) ./ (1 + exp(z))", "y .* sigmoid(z)"),
    applies(R.recognise_sigmoid, "2 exp(t) / (1 + exp(t)) x", "2 sigmoid(t) x"),
    applies(R.diag_times_vector, "diag(u) v", "u .* v"),
    applies(R.diag_times_vector, "diag(u) diag(v)", "diag(u .* v)"),
    applies(R.diag_times_vector, "w^T diag(u)", "u^T .* w^T"),
    applies(R.diag_times_vector, "A diag(u) v", "A (u .* v)"),
    applies(R.diag_times_vector, "diag(u) ones", "u"),
    applies(R.orient_scalar_product, "y^T x", "x^T y"),
    applies(R.orient_scalar_product, "x^T A^T y", "y^T A x"),
    applies(R.orient_scalar_product, "2 t y^T x", "2 t x^T y"),
    applies(R.ones_hadamard, _raw_ones_hadamard(1.0), "x"),
    applies(R.ones_hadamard, _raw_ones_hadamard(2.0), "2 x"),
    applies(R.inner_product_cancel, "x^T (y ./ x)", "sum(y)"),
    applies(R.inner_product_cancel, "u^T (v .* u .^ -1)", "sum(v)"),
    applies(R.inner_product_cancel, "3 x^T (y ./ x)", "3 sum(y)"),
    applies(R.expand_inverse_in_chain, "inv(S W) S", "W^-1"),
    applies(R.expand_inverse_in_chain, "W inv(S W)", "S^-1"),
    applies(R.merge_diagonals, "diag(u) + 2 diag(v)", "diag(u + 2 v)"),
    applies(R.merge_diagonals, "diag(u) - diag(v) + A", "diag(u - v) + A"),
    applies(R.merge_diagonals, "t diag(u) + diag(v)", "diag(t u + v)"),
    applies(R.factor_hadamard, "x .* y + x .* z", "x .* (y + z)"),
    applies(R.factor_hadamard, "x .* y .* z + x .* y", "x .* y .* (z + 1)"),
    applies(R.factor_hadamard, "2 x .* y - t x .* z", "x .* (2 y - t z)"),
    applies(R.recognise_softmax, "exp(u) / sum(exp(u))", "softmax(u)"),
    applies(R.recognise_softmax, "exp(u) / sum(exp(u))^2", "softmax(u) / sum(exp(u))"),
    applies(R.recognise_softmax, "exp(u)^T / sum(exp(u))", "softmax(u)^T"),
    applies(R.recognise_softmax, "diag(exp(u)) / sum(exp(u))", "diag(softmax(u))"),
    applies(
        R.recognise_softmax,
        "exp(u) exp(u)^T / sum(exp(u))^2",
        "softmax(u) softmax(u)^T",
    ),
    applies(
        R.recognise_softmax,
        "exp(u) / sum(exp(u))^1.5",
        "sum(exp(u))^-0.5 softmax(u)",
    ),
    applies(R.expand_when_it_cancels, "(1 - y) .* s - y .* (1 - s)", "s - y"),
    applies(R.expand_when_it_cancels, "(1 + x) .* y - x .* y", "y"),
    applies(R.expand_when_it_cancels, "2 (x + y) - 2 y", "2 x"),
    # A product with a sum factor, multiplied out because its terms cancel.
    applies(
        R.expand_when_it_cancels,
        "(-y ./ s + (1 - y) ./ (1 - s)) .* s .* (1 - s)",
        "s - y",
    ),
    applies(R.expand_when_it_cancels, "(-t / a + (1 - t) / (1 - a)) a (1 - a)", "a - t"),
    applies(R.ones_product_is_sum, "ones^T x", "sum(x)"),
    applies(R.ones_product_is_sum, "x^T ones", "sum(x)"),
    applies(R.ones_product_is_sum, "2 t ones^T x", "2 t sum(x)"),
    applies(R.ones_product_is_sum, "ones^T (x + y)", "sum(x) + sum(y)"),
    applies(R.ones_product_is_sum, "ones^T (x .^ 2)", "||x||^2"),
]

SKIPS = [
    skips(R.factor_common_scalars, "x + y"),
    skips(R.factor_common_scalars, "t x + y"),
    skips(R.factor_common_scalars, "2 x + 3 y"),
    skips(R.factor_common_scalars, "-a - b"),
    skips(R.factor_common_scalars, "t x"),
    skips(R.factor_right, "A x + B y"),
    skips(R.factor_right, "x + y"),
    skips(R.factor_right, "A x"),
    skips(R.factor_left, "A u + B v"),
    skips(R.factor_left, "A^T u + v"),
    skips(R.recognise_sigmoid, "exp(z) ./ (2 + exp(z))"),
    skips(R.recognise_sigmoid, "exp(y) ./ (1 + exp(z))"),
    skips(R.recognise_sigmoid, "exp(z) .* (1 + exp(z))"),
    skips(R.recognise_sigmoid, "x + y"),
    skips(R.recognise_sigmoid, "((1 + exp(Z)) .^ -1) exp(Z)"),
    skips(R.recognise_sigmoid, "((1 + exp(z)) .^ -1 w^T) exp(z)"),
    skips(R.diag_times_vector, "diag(u) A"),
    skips(R.diag_times_vector, "A diag(u)"),
    skips(R.diag_times_vector, "A x"),
    skips(R.diag_times_vector, "diag(u) + diag(v)"),
    skips(R.orient_scalar_product, "x^T y"),
    skips(R.orient_scalar_product, "x^T A x"),
    skips(R.orient_scalar_product, "y^T A x"),
    skips(R.orient_scalar_product, "x y^T"),
    skips(R.orient_scalar_product, "t"),
    skips(R.ones_hadamard, _raw_hadamard_without_fill),
    skips(R.ones_hadamard, "x + y"),
    skips(R.inner_product_cancel, "x^T (y .* z)"),
    skips(R.inner_product_cancel, "x^T y"),
    skips(R.inner_product_cancel, "x^T A y"),
    skips(R.expand_inverse_in_chain, "inv(S W) x"),
    skips(R.expand_inverse_in_chain, "inv(A B) A"),
    skips(R.expand_inverse_in_chain, "inv(S W)"),
    skips(R.merge_diagonals, "diag(u) + A"),
    skips(R.merge_diagonals, "diag(u) v"),
    skips(R.factor_hadamard, "x .* y + x .* z + w"),
    skips(R.factor_hadamard, "x .* y + z .* w"),
    skips(R.factor_hadamard, "A x + x .* y"),
    skips(R.factor_hadamard, "t + t c"),
    skips(R.recognise_softmax, "exp(u) / sum(exp(v))"),
    skips(R.recognise_softmax, "exp(u) / sum(exp(u))^0.5"),
    skips(R.recognise_softmax, "exp(v) / sum(exp(u))"),
    skips(R.recognise_softmax, "exp(u) sum(exp(u))"),
    skips(R.expand_when_it_cancels, "(x + y) .* z + w"),
    skips(R.expand_when_it_cancels, "t (a + b) - b"),
    skips(R.expand_when_it_cancels, "x + y"),
    # Nothing cancels or merges: left as a textbook writes it.
    skips(R.expand_when_it_cancels, "(1 + x) .* y + z"),
    skips(R.expand_when_it_cancels, "s .* (1 - s)"),
    skips(R.expand_when_it_cancels, "a (1 - a)"),
    skips(R.ones_product_is_sum, "x^T y"),
    skips(R.ones_product_is_sum, "ones^T A x"),
    skips(R.ones_product_is_sum, "ones ones^T"),
    skips(R.ones_product_is_sum, "x + y"),
]


# Kronecker, vec and named-function rules (their rows live in algebra_rows.py).
APPLIES += [applies(*row) for row in algebra_rows.APPLIES]
SKIPS += [skips(*row) for row in algebra_rows.SKIPS]


@pytest.mark.parametrize(("rule", "source", "golden"), APPLIES)
def test_rule_applies(rule: Callable[[Expr], Expr | None], source: Source, golden: str) -> None:
    node, variables = _input(source)
    out = rule(node)
    assert out is not None, f"{rule.__name__} did not apply to {to_text(node)!r}"
    assert out.shape == node.shape
    check_values(node, [out], variables.values())
    assert to_text(out) == golden
    check_values(node, [out], variables.values(), golden)


@pytest.mark.parametrize(("rule", "source"), SKIPS)
def test_rule_does_not_apply(rule: Callable[[Expr], Expr | None], source: Source) -> None:
    node, variables = _input(source)
    out = rule(node)
    if out is not None:  # a wrong rewrite fails on its value first: a clearer message
        assert out.shape == node.shape, f"{to_text(node)!r} -> {to_text(out)!r}: shape changed"
        check_values(node, [out], variables.values())
    assert out is None, f"{rule.__name__} rewrote {to_text(node)!r} to {to_text(out)!r}"


@pytest.mark.parametrize("rule", R.RULES, ids=lambda r: r.__name__)
def test_every_rule_has_rows_and_states_its_identity(rule: Callable) -> None:
    assert any(p.values[0] is rule for p in APPLIES), f"no row where {rule.__name__} applies"
    assert any(p.values[0] is rule for p in SKIPS), f"no row where {rule.__name__} must not"
    assert rule.__doc__ and "=" in rule.__doc__.splitlines()[0], "docstring states no identity"


# --------------------------------------------------------------------------
# simplify, end to end
# --------------------------------------------------------------------------


def simplified(source: str, golden: str, wrt: str = "", bug: str = "") -> ParameterSet:
    marks = pytest.mark.xfail(strict=True, reason=f"BUG: {bug}") if bug else ()
    label = f"grad {source} --wrt {wrt}" if wrt else source
    return pytest.param(source, wrt, golden, marks=marks, id=label)


SIMPLIFY = [
    # inputs in the language
    simplified("A x + A^T x", "(A + A^T) x"),
    simplified("A^T u + A^T v", "A^T (u + v)"),
    simplified("2 t x + 2 t y", "2 t (x + y)"),
    simplified("-2 x + 2 y", "2 (y - x)"),
    simplified("x^T y + y^T x", "2 (x^T y)"),
    simplified("t y^T x - t y^T x", "0"),
    simplified("x^T A y + x^T B y", "x^T (A + B) y"),
    simplified("A x y^T + B x y^T", "(A + B) x y^T"),
    simplified("exp(z) ./ (1 + exp(z))", "sigmoid(z)"),
    simplified("t .* (1 + exp(z)) .^ -1 .* exp(z)", "t sigmoid(z)"),
    simplified("diag(u) diag(v) w", "u .* v .* w"),
    simplified("w^T diag(u)", "u^T .* w^T"),
    simplified("x^T A^T y", "y^T A x"),
    simplified("u^T (v .* u .^ -1)", "sum(v)"),
    simplified("inv(S W) S", "W^-1"),
    simplified("diag(u) - diag(v) + A", "diag(u - v) + A"),
    simplified("x .* y .* z + x .* y", "x .* y .* (z + 1)"),
    simplified("exp(u) / sum(exp(u))", "softmax(u)"),
    simplified("diag(exp(u)) / sum(exp(u))", "diag(softmax(u))"),
    simplified("(1 - y) .* s - y .* (1 - s)", "s - y"),
    simplified("(1 + x) .* y - x .* y", "y"),
    simplified("c t + t", "t (c + 1)"),
    simplified("ones^T x + x^T ones", "2 sum(x)"),
    simplified("ones^T (x .^ 2)", "||x||^2"),
    # Left as they are, though a textbook would factor them further.
    simplified("a x + b x", "a x + b x"),
    simplified("t x + x", "t x + x"),
    simplified("-log(p) - 1", "-(log(p) + 1)"),
    simplified("diag(x) diag(x)", "diag(x)^2"),
    simplified("inv(A B) A", "(A B)^-1 A"),
    simplified("(1 + x) .* y + z", "(1 + x) .* y + z"),
    simplified("s .* (1 - s)", "s .* (1 - s)"),
    simplified("(-y ./ s + (1 - y) ./ (1 - s)) .* s .* (1 - s)", "s - y"),
    simplified("(-t / a + (1 - t) / (1 - a)) a (1 - a)", "a - t"),
    simplified("((1 + exp(Z)) .^ -1) exp(Z)", "(1 ./ (1 + exp(Z))) exp(Z)"),
    simplified("exp(u) / sum(exp(u))^1.5", "sum(exp(u))^-0.5 softmax(u)"),
    # raw reverse-mode gradients
    simplified("x^T A x", "(A^T + A) x", wrt="x"),
    simplified("x^T A x + v^T x", "(A^T + A) x + v", wrt="x"),
    simplified("exp(x^T A x)", "exp(x^T A x) (A^T + A) x", wrt="x"),
    simplified("tr(X B X^T)", "X (B^T + B)", wrt="X"),
    simplified("sum(exp(X w)) - y^T X w", "X^T (exp(X w) - y)", wrt="w"),
    simplified(
        "sum(log(1 + exp(-y .* (X w)))) + 0.5 t ||w||^2",
        "t w - X^T (y .* sigmoid(-y .* (X w)))",
        wrt="w",
    ),
    simplified(
        "-y^T log(sigmoid(X w)) - (1 - y)^T log(1 - sigmoid(X w))",
        "X^T (sigmoid(X w) - y)",
        wrt="w",
    ),
    simplified(
        "-sum(y .* log(sigmoid(X w)) + (1 - y) .* log(1 - sigmoid(X w)))",
        "X^T (sigmoid(X w) - y)",
        wrt="w",
    ),
    simplified("-y^T log(softmax(x))", "sum(y) softmax(x) - y", wrt="x"),
    simplified("-sum(p .* log(p))", "-(log(p) + 1)", wrt="p"),
    simplified("||A x - b||^2", "2 A^T (A x - b)", wrt="x"),
    simplified("(x - m)^T S^-1 (x - m)", "-2 S^-1 (x - m)", wrt="m"),
    simplified("det(X)", "det(X) X^-T", wrt="X"),
    simplified("sum(abs(A x - b))", "A^T sign(A x - b)", wrt="x"),
]


SIMPLIFY += [simplified(source, golden, wrt) for source, golden, wrt in algebra_rows.SIMPLIFY]


@pytest.mark.parametrize(("source", "wrt", "golden"), SIMPLIFY)
def test_simplify(source: str, wrt: str, golden: str) -> None:
    expr, variables = built(source)
    if wrt:
        expr = gradient(expr, [variables[wrt]])[0]
    out = simplify(expr)
    reference = expr if wrt else naive(source)[0]
    check_values(reference, [expr, out], variables.values())
    assert to_text(out) == golden
    assert simplify(out) == out, "simplify is not idempotent here"
    check_values(reference, [out], variables.values(), golden)


def test_simplify_rows_are_enough() -> None:
    assert len(SIMPLIFY) >= 25


def test_rules_keep_free_variables_of_their_input() -> None:
    """A rule never brings in a variable that was not there."""
    for param in APPLIES:
        rule, source, _ = param.values
        if any(m.name == "xfail" for m in param.marks):
            continue
        node, _ = _input(source)
        out = rule(node)
        assert out is not None
        assert {v.name for v in free_vars(out)} <= {v.name for v in free_vars(node)}
