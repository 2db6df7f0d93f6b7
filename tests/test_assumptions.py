"""Assumptions the user states (``--square``, ``--simplex``, ``--onehot``,
``--orthogonal``, ``--diagonal``, ``--spd``, ``--positive``).

- the sampler draws only points that satisfy them, in every variant (safe
  side, mirror, free) and every profile;
- each rule of ``gradcli.simplify.assumed`` gives its golden, keeps the value
  at points that satisfy the assumption, and would change it at points that
  do not (so the assumption is what makes it right), and does not fire on a
  variable that was not declared;
- the CLI prints the textbook forms, checked numerically, and keeps the
  derivative w.r.t. a constrained variable unconstrained;
- ``verify`` accepts a claim under the declaration and names the declaration
  a wrong claim is missing.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, note
from strategies import SCALARS, SYMMETRIC, Ty, any_expressions, expressions
from support import run
from value_checks import SEEDS as SEEDS_ST
from value_checks import assert_same_value

from gradcli.api import analyse, declarations
from gradcli.calculus.reverse import gradient
from gradcli.errors import OptionError
from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Expr, Var, free_vars
from gradcli.numeric.evaluate import Array, evaluate
from gradcli.numeric.sample import (
    PROFILES,
    Variant,
    choose_sizes,
    domain_hints,
    sample_point,
)
from gradcli.printers import to_text
from gradcli.simplify import assumed as A
from gradcli.simplify import present, simplify
from gradcli.simplify.shared import substitute

SEEDS = range(6)


def _points(
    exprs: list[Expr], variables: list[Var], seed: int
) -> list[tuple[dict[Dim, int], dict[str, Array]]]:
    """Points of every variant and profile, at one choice of sizes per seed."""
    rng = np.random.default_rng(seed)
    sizes = choose_sizes([*exprs, *variables], rng, 5)
    hints = domain_hints(exprs)
    out = []
    for turn in range(PROFILES):
        for variant in Variant:
            out.append((sizes, sample_point(variables, sizes, rng, hints, turn, variant, turn)))
    return out


# ------------------------------------------------------------------ sampler


def _is_simplex(a: Array) -> bool:
    return bool(np.all(a > 0) and abs(float(np.sum(a)) - 1.0) < 1e-12)


SATISFIED = {
    "simplex": _is_simplex,
    "onehot": lambda a: bool(np.sum(a == 1.0) == 1 and np.sum(a == 0.0) == a.size - 1),
    "orthogonal": lambda a: bool(np.allclose(a.T @ a, np.eye(len(a)), atol=1e-12)),
    "diagonal": lambda a: bool(np.all(a == np.diag(np.diag(a))) and np.all(np.diag(a) != 0)),
    "spd": lambda a: bool(np.all(a == a.T) and np.all(np.linalg.eigvalsh(a) > 0)),
    "positive": lambda a: bool(np.all(a > 0)),
}


@pytest.mark.parametrize(
    ("source", "name", "option"),
    [
        ("-y^T log(softmax(x))", "y", "simplex"),
        ("sum(log(y) .* x)", "y", "simplex"),
        ("y^T log(x)", "y", "onehot"),
        ("||Q x - b||^2", "Q", "orthogonal"),
        ("log(det(Q))", "Q", "orthogonal"),
        ("x^T D y", "D", "diagonal"),
        ("log(det(D))", "D", "diagonal"),
        ("log(det(S)) + x^T inv(S) x", "S", "spd"),
        ("sum(abs(x))", "x", "positive"),
        ("sum(log(x))", "x", "positive"),
        ("tr(inv(P))", "P", "positive"),
    ],
)
def test_sampler_draws_only_points_that_satisfy_the_assumption(
    source: str, name: str, option: str
) -> None:
    expr, variables, _ = analyse(source, declarations(**{option: name}))
    assert variables[name].assume == {option}
    for seed in SEEDS:
        for _, point in _points([expr], list(variables.values()), seed):
            assert SATISFIED[option](point[name]), (option, point[name])


def test_an_undeclared_variable_is_drawn_unconstrained() -> None:
    """The satisfied() predicates can fail: without the declaration they do."""
    expr, variables, _ = analyse("-y^T log(softmax(x))", declarations())
    points = [p for s in SEEDS for _, p in _points([expr], list(variables.values()), s)]
    assert not all(_is_simplex(p["y"]) for p in points)


def test_spd_is_symmetric_and_square_options_make_square_matrices() -> None:
    _, variables, _ = analyse(
        "x^T S y + sum(Q z) + tr(X)", declarations(spd="S", orthogonal="Q", square="X")
    )
    assert variables["S"].symmetric
    for name in ("S", "Q", "X"):
        assert variables[name].shape.is_square, name


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scalar": "t", "simplex": "t"}, "t is declared both --scalar and --simplex"),
        ({"orthogonal": "Q", "diagonal": "Q"}, "Q is declared both --orthogonal and --diagonal"),
        ({"vector": "x", "square": "x"}, "x is declared both --vector and --square"),
        ({"onehot": "y", "positive": "y"}, "y is declared both --onehot and --positive"),
        ({"simplex": "2y"}, "--simplex '2y' is not a variable name"),
    ],
)
def test_contradicting_declarations_are_refused(options: dict[str, str], message: str) -> None:
    with pytest.raises(OptionError) as err:
        analyse("t", declarations(**options))
    assert message in err.value.message


# -------------------------------------------------------------------- rules


def _assumed_free(e: Expr) -> Expr:
    """``e`` with every assumption dropped from its variables."""
    return substitute(e, {v: replace(v, assume=frozenset()) for v in free_vars(e)})


def _compare(before: Expr, after: Expr, seed: int) -> tuple[int, int]:
    """(points where both are finite, points where they differ)."""
    found = {v.name: v for v in [*free_vars(before), *free_vars(after)]}
    variables = [found[n] for n in sorted(found)]
    finite = differ = 0
    for sizes, point in _points([before, after], variables, seed):
        with np.errstate(all="ignore"):
            a, b = evaluate(before, point, sizes), evaluate(after, point, sizes)
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        finite += 1
        scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1.0)
        differ += bool(np.max(np.abs(a - b)) > 1e-9 * scale)
    return finite, differ


# rule, input, declarations, golden (after ``assuming`` and ``present``)
GOLDEN = [
    (A.sum_of_probabilities, "sum(y) softmax(x) - y", {"simplex": "y"}, "softmax(x) - y"),
    (A.sum_of_probabilities, "sum(y) x + z", {"onehot": "y"}, "x + z"),
    (A.onehot_is_idempotent, "y .^ 3 + z", {"onehot": "y"}, "y + z"),
    (A.onehot_is_idempotent, "y .* y .* x", {"onehot": "y"}, "y .* x"),
    (A.orthogonal_product, "Q^T Q x", {"orthogonal": "Q"}, "x"),
    (A.orthogonal_product, "A Q Q^T B", {"orthogonal": "Q"}, "A B"),
    (A.orthogonal_into_sum, "2 Q^T (Q x - b)", {"orthogonal": "Q"}, "2 (x - Q^T b)"),
    (A.orthogonal_into_sum, "(A Q - B) Q^T", {"orthogonal": "Q"}, "A - B Q^T"),
    (A.orthogonal_inverse, "inv(Q) x", {"orthogonal": "Q"}, "Q^T x"),
    (A.diagonal_transpose, "D^T x + y", {"diagonal": "D"}, "D x + y"),
    (A.positive_entries, "abs(x) + y", {"positive": "x"}, "x + y"),
    (A.positive_entries, "sqrt(x .^ 2) .* y", {"positive": "x"}, "x .* y"),
    (A.positive_entries, "relu(exp(z) .* x)", {"positive": "x"}, "exp(z) .* x"),
    (A.positive_entries, "sign(y) .* x", {"simplex": "y"}, "x"),
    (
        A.positive_entries,
        "abs(2 t P^T x + sum(x)) .* z",
        {"positive": "t,P,x", "scalar": "t"},
        "(2 t P^T x + sum(x)) .* z",
    ),
    (A.positive_entries, "abs(det(S)) x", {"spd": "S"}, "det(S) x"),
]


def test_every_assumed_rule_has_a_golden_row() -> None:
    assert {row[0] for row in GOLDEN} == set(A.ASSUMED_RULES)


@pytest.mark.parametrize(("rule", "source", "decls", "golden"), GOLDEN)
def test_assumed_rule(rule: A.Rule, source: str, decls: dict[str, str], golden: str) -> None:
    """The golden; the same value where the assumption holds; another value
    at some point where it does not (the rule needs it)."""
    before, _, _ = analyse(source, declarations(**decls))
    assert any(rule(n) is not None for n in _nodes(before)), "the rule does not apply"
    after = A.assuming(before)
    assert to_text(present(after)) == golden
    results = [_compare(before, after, seed) for seed in SEEDS]
    assert sum(f for f, _ in results) >= 20
    assert all(d == 0 for _, d in results), results
    dropped = [_compare(_assumed_free(before), _assumed_free(after), s) for s in SEEDS]
    assert any(d > 0 for _, d in dropped), "the rewrite holds without the assumption"


def _nodes(e: Expr) -> list[Expr]:
    from gradcli.ir.nodes import walk

    return list(walk(e))


@pytest.mark.parametrize(("rule", "source", "decls", "golden"), GOLDEN)
def test_assumed_rules_need_the_declaration(
    rule: A.Rule, source: str, decls: dict[str, str], golden: str
) -> None:
    kinds = {k: v for k, v in decls.items() if k in ("scalar", "vector", "matrix")}
    plain, _, _ = analyse(source, declarations(**kinds))
    assert A.assuming(plain) is plain
    assert all(r(n) is None for r in A.ASSUMED_RULES for n in _nodes(plain))


# ---------------------------------------------------------------------- CLI


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["grad", "--wrt", "x", "--simplex", "y", "--", "-y^T log(softmax(x))"], "softmax(x) - y"),
        (["grad", "--wrt", "x", "--onehot", "y", "--", "-y^T log(softmax(x))"], "softmax(x) - y"),
        (["grad", "det(X^T A X)", "--wrt", "X", "--square", "X"], "2 det(X^T A X) X^-T"),
        (["grad", "log(det(X^T X))", "--wrt", "X", "--square", "X"], "2 X^-T"),
        (["grad", "det(A X B)", "--wrt", "X", "--square", "A,X,B"], "det(A X B) X^-T"),
        (["grad", "det(A X B)", "--wrt", "X", "--square", "X"], "det(A X B) A^T (A X B)^-T B^T"),
        (["grad", "||Q x - b||^2", "--wrt", "x", "--orthogonal", "Q"], "2 (x - Q^T b)"),
        (["grad", "x^T D^T y", "--wrt", "x", "--diagonal", "D"], "D y"),
        (["grad", "log(det(S))", "--wrt", "S", "--spd", "S"], "S^-1"),
        (["grad", "sum(abs(x) .* w)", "--wrt", "w", "--positive", "x"], "x"),
        (["grad", "sum(y) sum(x)", "--wrt", "y", "--simplex", "y"], "sum(x) ones"),
        (["hessian", "sum(y) x^T x", "--wrt", "x", "--simplex", "y"], "2 eye"),
    ],
)
def test_cli_prints_the_form_under_the_assumption(
    capsys: pytest.CaptureFixture[str], args: list[str], printed: str
) -> None:
    """Each result is checked numerically (a failed check exits 1) at points
    that satisfy the declarations; the derivative w.r.t. a constrained
    variable (``sum(y) sum(x)`` w.r.t. ``y``) is not simplified away."""
    code, out, err = run(capsys, args[0], "--seed", "3", "-f", "json", *args[1:])
    assert code == 0, err
    obj = json.loads(out)
    assert obj["check"]["passed"] is True
    assert [r["text"] for r in obj["results"]] == [printed]


def test_without_the_declaration_the_general_form_is_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "grad", "--wrt", "x", "--seed", "1", "--", "-y^T log(softmax(x))")
    assert (code, out.strip()) == (0, "sum(y) softmax(x) - y")


def test_json_lists_the_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "grad", "x^T S x", "--wrt", "x", "--spd", "S", "-f", "json", "--seed", "2"
    )
    variables = json.loads(out)["variables"]
    assert code == 0
    assert variables["S"] == {
        "kind": "matrix",
        "shape": ["n", "n"],
        "symmetric": True,
        "assume": ["spd"],
    }
    assert "assume" not in variables["x"]


# ------------------------------------------------------------------- verify


@pytest.mark.parametrize(
    ("claim", "of", "wrt", "option", "name", "diagnosis"),
    [
        (
            "softmax(x) - y",
            "-y^T log(softmax(x))",
            "x",
            "simplex",
            "y",
            "right only when sum(y) = 1 (declare --simplex y)",
        ),
        (
            "x",
            "sum(abs(x) .* w)",
            "w",
            "positive",
            "x",
            "right only when x > 0 (declare --positive x)",
        ),
        (
            "2 (x - Q^T b)",
            "||Q x - b||^2",
            "x",
            "orthogonal",
            "Q",
            "right only when Q^T Q = I (declare --orthogonal Q)",
        ),
        (
            "2 diag(diag(D)) x",
            "x^T D x",
            "x",
            "diagonal",
            "D",
            None,
        ),
    ],
)
def test_verify_names_the_missing_assumption(
    capsys: pytest.CaptureFixture[str],
    claim: str,
    of: str,
    wrt: str,
    option: str,
    name: str,
    diagnosis: str | None,
) -> None:
    """Wrong as stated (with the diagnosis: none for a diagonal matrix, under
    which too many wrong formulas agree), correct once declared."""
    square = ["--square", name] if option == "orthogonal" else []
    code, out, _ = run(
        capsys, "verify", claim, "--of", of, "--wrt", wrt, *square, "-f", "json", "--seed", "4"
    )
    verdict = json.loads(out)
    assert (code, verdict["verdict"]) == (1, "wrong")
    found = verdict["diagnosis"]
    assert (found and found["message"]) == diagnosis
    code, out, _ = run(
        capsys,
        "verify",
        claim,
        "--of",
        of,
        "--wrt",
        wrt,
        f"--{option}",
        name,
        "-f",
        "json",
        "--seed",
        "4",
    )
    assert (code, json.loads(out)["verdict"]) == (0, "correct")


@pytest.mark.parametrize(
    ("claim", "of", "options"),
    [
        ("3 A x", "x^T A x", ["--wrt", "x"]),
        # right for a diagonal A, but the mistake is the factor off the diagonal
        ("A + A^T - A .* eye", "tr(A S)", ["--wrt", "S", "--symmetric", "S"]),
    ],
)
def test_verify_does_not_invent_an_assumption(
    capsys: pytest.CaptureFixture[str], claim: str, of: str, options: list[str]
) -> None:
    for seed in ("1", "5"):
        code, out, _ = run(
            capsys, "verify", claim, "--of", of, *options, "-f", "json", "--seed", seed
        )
        found = json.loads(out)["diagnosis"]
        assert code == 1
        assert found is None or found["kind"] != "assumption", found


def test_batch_takes_the_assumptions_as_keys(capsys: pytest.CaptureFixture[str]) -> None:
    from support import invoke

    line = {
        "command": "grad",
        "expr": "-y^T log(softmax(x))",
        "wrt": "x",
        "simplex": "y",
        "seed": 7,
    }
    r = invoke(["batch", "-"], json.dumps(line) + "\n")
    assert r.code == 0, r.err
    assert json.loads(r.out.splitlines()[0])["results"][0]["text"] == "softmax(x) - y"


# --------------------------------------------------------------- properties

# The generator's variables (tests/strategies.py), with assumptions on four of them.
ASSUMED = declarations(
    scalar=",".join(SCALARS),
    symmetric=SYMMETRIC,
    simplex="y",
    positive="x",
    orthogonal="A",
    diagonal="B",
)


@given(any_expressions(), SEEDS_ST)
def test_assuming_keeps_the_value_where_the_assumptions_hold(source: str, seed: int) -> None:
    e, _, _ = analyse(source, ASSUMED)
    a = A.assuming(e)
    note(f"assuming({to_text(e)}) = {to_text(a)}")
    assert A.assuming(a) == a, "not a fixpoint"
    assert_same_value(e, a, seed, "assuming")


@given(expressions(Ty.SCALAR), SEEDS_ST)
def test_assuming_keeps_the_value_of_gradients(source: str, seed: int) -> None:
    e, variables, _ = analyse(source, ASSUMED)
    for g in gradient(e, [variables[n] for n in ("x", "y", "A") if n in variables]):
        assert_same_value(g, A.assuming(simplify(g)), seed, "assuming a gradient")


def test_notebook_magics_take_the_assumptions() -> None:
    from gradcli.notebook import run as magic

    shown = magic("grad", '--wrt x --simplex y --seed 1 -- "-y^T log(softmax(x))"')
    assert shown is not None and repr(shown).splitlines()[0] == "softmax(x) - y"
    verdict = magic(
        "verify", '"softmax(x) - y" --of "-y^T log(softmax(x))" --wrt x --seed 1 --onehot y'
    )
    assert verdict is not None and repr(verdict).startswith("correct")
