"""Traces, Kronecker and vec algebra, named functions and ``where`` clauses.

- ``sum(A .* B)`` prints as a trace when that is shorter: golden rows of
  ``present``, each checked against the raw input at random points;
- ``name_shared`` names a part and writes its transposed twin ``s^T``, and
  never defines a name as a bare symbol or its transpose: golden rows, and the
  definitions substituted back give the input again;
- the examples of the issue, run as the user runs them (CLI), with the printed
  form and the numerical check that passes on it.
"""

from __future__ import annotations

import pytest
from build_reference import built, check_values, naive
from typer.testing import CliRunner

from gradcli.api import derive
from gradcli.calculus.drivers import Command
from gradcli.cli import app
from gradcli.ir.nodes import ELEMENTWISE_FUNCS, Expr, Transpose, Var
from gradcli.printers import to_text
from gradcli.simplify import present, simplify
from gradcli.simplify.named import recognise_softplus
from gradcli.simplify.rules import RULES
from gradcli.simplify.shared import name_shared, substitute

# ------------------------------------------------------------------ traces

TRACES = [
    ("sum(A .* B)", "tr(A^T B)"),
    ("sum(A .^ 2 .* B)", "tr(B^T A .^ 2)"),
    ("sum(exp(A x y^T) .* exp(B))", "tr(exp(y x^T A^T) exp(B))"),
    ("sum(M .* eye)", "tr(M)"),
    ("sum((M + t A) .* eye)", "tr(M) + t tr(A)"),
    ("sum(inv(A)^T .* B)", "tr(A^-1 B)"),
    ("sum(C .* D^T)", "tr(D C)"),
    ("2 sum(A .* B) + t", "2 tr(A^T B) + t"),
    ("sum((A x y^T) .* B)", "x^T A^T B y"),
    # Not shorter as a trace, or not a trace at all: left as they are.
    ("sum(x .* y)", "sum(x .* y)"),
    ("sum(A .* B .* M)", "sum(A .* B .* M)"),
    ("sum(A)", "sum(A)"),
]


@pytest.mark.parametrize(("source", "golden"), TRACES, ids=[s for s, _ in TRACES])
def test_sum_of_products_prints_as_a_trace(source: str, golden: str) -> None:
    expr, variables = built(source)
    out = present(simplify(expr))
    assert to_text(out) == golden
    check_values(naive(source)[0], [out], variables.values(), golden)


def test_softplus_is_recognised_exactly_when_the_function_exists() -> None:
    """``log(1 + exp(z)) = softplus(z)`` is a rule only once ``softplus`` is a
    function of the language; until then ``log(1 + exp(x))`` stays as it is."""
    exists = "softplus" in ELEMENTWISE_FUNCS
    assert (recognise_softplus in RULES) is exists
    expr, _ = built("log(1 + exp(x))")
    out = recognise_softplus(expr)
    assert (to_text(out) if out is not None else None) == ("softplus(x)" if exists else None)
    if not exists:
        assert to_text(simplify(expr)) == "log(1 + exp(x))"


# ------------------------------------------------------------------ where clauses

WHERE = [
    (
        "C X inv(X^T C X) + C^T X inv(X^T C^T X)",
        "C X s + C^T X s^T",
        ["s = (X^T C X)^-1"],
    ),
    (
        "A (D - D X inv(X^T C X)) + B (D^T - inv(X^T C^T X) X^T D^T)",
        "A s + B s^T",
        ["s = D - D X (X^T C X)^-1"],
    ),
    ("softmax(x) softmax(x)^T + diag(softmax(x))", "p p^T + diag(p)", ["p = softmax(x)"]),
    # Of a row and its column twin, the column is named.
    ("sum(exp(x^T A)) + sum(exp(A^T x))", "sum(e^T) + sum(e)", ["e = exp(A^T x)"]),
    ("vec(X)^T A vec(X) + vec(X)^T vec(X)", "vec(X)^T A vec(X) + vec(X)^T vec(X)", []),
]


def _unnamed(body: Expr, where: list[tuple[Var, Expr]]) -> Expr:
    for var, definition in reversed(where):
        body = substitute(body, {var: definition, Transpose(var): Transpose(definition)})
    return body


@pytest.mark.parametrize(("source", "body", "defs"), WHERE, ids=[s for s, _, _ in WHERE])
def test_where_names_a_transposed_twin_by_its_name(source: str, body: str, defs: list[str]) -> None:
    expr, variables = built(source)
    taken = set(variables)
    (short,), where = name_shared([expr], taken)
    assert to_text(short) == body
    assert [f"{v.name} = {to_text(d)}" for v, d in where] == defs
    for _, definition in where:
        assert not isinstance(definition, Var)
        assert not (isinstance(definition, Transpose) and isinstance(definition.arg, Var))
    check_values(expr, [_unnamed(short, where)], variables.values())


# ------------------------------------------------------------------ the issue's examples

EXAMPLES = [
    (["grad", "sum(log(exp(x) + exp(-x)))", "--wrt", "x"], "tanh(x)"),
    (["grad", "log(exp(t) + exp(-t))", "--wrt", "t", "--scalar", "t"], "tanh(t)"),
    (["grad", "sum(log(1 + exp(x)))", "--wrt", "x"], "sigmoid(x)"),
    (["hessian", "||X V - Y||^2", "--wrt", "X"], "2 kron(V V^T, eye)"),
    (
        ["jacobian", "kron(eye, K) vec(N) / d", "--wrt", "d", "--scalar", "d"],
        "-vec(K N) / d^2",
    ),
    (["jacobian", "kron(B^T, A) vec(X) t", "--wrt", "t", "--scalar", "t"], "vec(A X B)"),
    (["grad", "logdet(K0 + t eye)", "--wrt", "t", "--scalar", "t"], "tr((K0 + t eye)^-1)"),
    (["grad", "logdet(A + t B)", "--wrt", "t", "--scalar", "t"], "tr((A + t B)^-1 B)"),
    (
        ["grad", "y^T inv(t K0 + eye) y + logdet(t K0 + eye)", "--wrt", "t", "--scalar", "t"],
        "tr(s K0) - y^T s K0 s y where s = (t K0 + eye)^-1",
    ),
    (
        ["grad", "tr(inv(X^T C X) X^T D X)", "--wrt", "X"],
        "(D - C X s X^T D) X s + (D - D X s X^T C)^T X s^T where s = (X^T C X)^-1",
    ),
]


@pytest.mark.parametrize(("args", "printed"), EXAMPLES, ids=[a[1] for a, _ in EXAMPLES])
def test_issue_examples_print_the_textbook_form(args: list[str], printed: str) -> None:
    result = CliRunner().invoke(app, [*args, "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == printed


@pytest.mark.parametrize(("args", "printed"), EXAMPLES, ids=[a[1] for a, _ in EXAMPLES])
def test_issue_examples_pass_the_numerical_check(args: list[str], printed: str) -> None:
    command, source, _, wrt, *rest = args
    scalar = rest[1] if rest else None
    for seed in (1, 2, 3):
        d = derive(Command(command), source, wrt, scalar=scalar, seed=seed)
        assert d.results[0].text == printed
        assert d.check is not None and d.check.passed is True, d.check
