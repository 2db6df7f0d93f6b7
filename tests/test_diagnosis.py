"""``verify``: verdicts and diagnoses of the classic mistakes (SPEC §1 verify, §3 JSON).

Correct claims in several equivalent forms are ``correct``; each classic mistake
is ``wrong`` with its diagnosis, the same over seeds 0..9; the counterexample
holds the point, the true value and the claimed value, and those values are
what the true derivative and the claim evaluate to at the point. Mostly through
the API (``gradcli.verification.verdict.verify``), a few CLI runs.

Tests marked ``xfail(strict=True, reason="BUG: ...")`` assert behaviour the tool
does not (yet) have.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from support import GRADCLI, run

from gradcli.api import analyse, declarations
from gradcli.ir.dims import Dim
from gradcli.numeric.evaluate import Array, evaluate
from gradcli.verification.verdict import COUNTEREXAMPLE_SIZE, Verdict, verify

SEEDS = range(10)


@dataclass(frozen=True)
class Case:
    claim: str
    of: str
    wrt: str
    command: str = "grad"
    options: dict[str, str] = field(default_factory=dict)

    def verify(self, seed: int) -> Verdict:
        return verify(
            self.claim, self.of, self.wrt, command=self.command, seed=seed, **self.options
        )

    @property
    def id(self) -> str:
        extra = "" if self.command == "grad" else f" --{self.command}"
        return f"{self.claim} | {self.of}{extra}"


def params(cases: list[Any]) -> Any:
    return pytest.mark.parametrize("case", cases, ids=[c.id for c in cases])


# --------------------------------------------------------------------------- correct claims

CORRECT = [
    Case("(A + A^T) x", "x^T A x", "x"),
    Case("A x + A^T x", "x^T A x", "x"),
    Case("A^T x + A x", "x^T A x", "x"),
    Case("2 A^T (A x - b)", "||A x - b||^2", "x"),
    Case("2 A^T A x - 2 A^T b", "||A x - b||^2", "x"),
    Case("-2 A^T (b - A x)", "||A x - b||^2", "x"),
    Case("A^T", "tr(A X)", "X"),
    Case("A^T B^T", "tr(A X B)", "X"),
    Case("X^-T", "log(det(X))", "X"),
    Case("inv(X)^T", "log(det(X))", "X"),
    Case("inv(X')", "log(det(X))", "X"),
    Case("-X^T (y .* sigmoid(-y .* (X w)))", "sum(log(1 + exp(-y .* (X w))))", "w"),
    Case("X^T (y .* (sigmoid(y .* (X w)) - 1))", "sum(log(1 + exp(-y .* (X w))))", "w"),
    Case("exp(x^T A x) (A + A^T) x", "exp(x^T A x)", "x"),
    Case("x / sqrt(x^T x)", "sqrt(x^T x)", "x"),
    Case("x / ||x||", "sqrt(x^T x)", "x"),
    Case("sum(y) softmax(z) - y", "-y^T log(softmax(z))", "z"),
    Case("C W + C^T W", "tr(W^T C W)", "W"),
    Case("2 X", "tr(X^T X)", "X"),
    Case("eye", "tr(X)", "X"),
    Case("A x + A^T x + b", "x^T A x + b^T x", "x"),
    Case("2 A x", "x^T A x", "x", options={"symmetric": "A"}),
    Case("A", "A x", "x", "jacobian"),
    Case("x^T (A + A^T)", "x^T A x", "x", "jacobian"),
    Case("diag(cos(W x)) W", "sin(W x)", "x", "jacobian"),
    Case("A^T", "A x", "x", "jacobian", {"layout": "denominator"}),
    Case("A + A^T", "x^T A x", "x", "hessian"),
    Case("2 A^T A", "||A x - b||^2", "x", "hessian"),
    Case("2 A", "x^T A x", "x", "hessian", {"symmetric": "A"}),
    Case("[2 a, 2 b]", "a^2 + b^2", "a,b", options={"scalar": "a,b"}),
]


@params(CORRECT)
def test_correct_claims_are_correct_for_every_seed(case: Case) -> None:
    seen = {}
    for seed in SEEDS:
        v = case.verify(seed)
        seen[seed] = (v.verdict, v.diagnosis)
        assert v.correct, (seed, v.reason, v.diagnosis)
        assert v.diagnosis is None and v.counterexample is None
        assert v.check is not None and v.check.passed is True
    assert set(seen.values()) == {("correct", None)}


# --------------------------------------------------------------------------- classic mistakes


@dataclass(frozen=True)
class Mistake(Case):
    words: tuple[str, ...] = ()  # all must occur in the diagnosis (case-insensitive)


def mistake(claim: str, of: str, wrt: str, *words: str, command: str = "grad") -> Mistake:
    return Mistake(claim, of, wrt, command, {}, words)


MISTAKES = [
    # dropped factor
    mistake("A^T (A x - b)", "||A x - b||^2", "x", "factor of 1/2"),
    mistake("x", "x^T x", "x", "factor of 1/2"),
    mistake("X", "tr(X^T X)", "X", "factor of 1/2"),
    mistake("2 x / ||x||", "sqrt(x^T x)", "x", "factor of 2"),
    mistake("A^T A", "||A x - b||^2", "x", "factor of 1/2", command="hessian"),
    # sign
    mistake("-2 A^T (A x - b)", "||A x - b||^2", "x", "sign"),
    mistake("2 A^T (b - A x)", "||A x - b||^2", "x", "sign"),
    mistake("-(A + A^T) x", "x^T A x", "x", "sign"),
    mistake("X^T (y .* sigmoid(-y .* (X w)))", "sum(log(1 + exp(-y .* (X w))))", "w", "sign"),
    mistake("-exp(x^T A x) (A + A^T) x", "exp(x^T A x)", "x", "sign"),
    # missing transpose
    mistake("A", "tr(A X)", "X", "transpose"),
    mistake("X^-1", "log(det(X))", "X", "transpose"),
    mistake("B A", "tr(A X B)", "X", "transpose"),
    mistake("2 X", "tr(X X)", "X", "transpose"),
    # a formula that holds only for symmetric matrices
    mistake("2 A x", "x^T A x", "x", "symmetric", "A"),
    mistake("2 C W", "tr(W^T C W)", "W", "C is symmetric"),
    # the expression alone leaves A non-square: a claim that needs it square is a shape mistake
    mistake("2 A (A x - b)", "||A x - b||^2", "x", "needs A square", "transpose missing"),
    mistake("exp(x^T A x) 2 A x", "exp(x^T A x)", "x", "A is symmetric"),
    mistake("2 A", "x^T A x", "x", "A is symmetric", command="hessian"),
    mistake("2 A A^T", "||A x - b||^2", "x", "wrong order", "2 A^T A", command="hessian"),
    # the Jacobian in the other (denominator) layout
    mistake("A^T", "A x", "x", "transpose", "the Jacobian in the other layout", command="jacobian"),
    mistake(
        "W^T diag(cos(W x))",
        "sin(W x)",
        "x",
        "transpose",
        "the Jacobian in the other layout",
        command="jacobian",
    ),
    # a missing (or extra) term
    mistake("A x + A^T x", "x^T A x + b^T x", "x", "missing term: b"),
    mistake("(A + A^T) x", "x^T A x + b^T x", "x", "missing term: b"),
    mistake("b", "x^T A x + b^T x", "x", "right up to a missing term: (A + A^T) x"),
    mistake("(A + A^T) x + 2 b", "x^T A x + b^T x", "x", "extra term: b"),
]


MISTAKE_BUGS: dict[str, str] = {}  # id -> the bug, for a row marked xfail


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            m,
            id=m.id,
            marks=(
                pytest.mark.xfail(strict=True, reason=f"BUG: {MISTAKE_BUGS[m.id]}")
                if m.id in MISTAKE_BUGS
                else ()
            ),
        )
        for m in MISTAKES
    ],
)
def test_classic_mistake_is_diagnosed_for_every_seed(case: Mistake) -> None:
    diagnoses = {}
    for seed in SEEDS:
        v = case.verify(seed)
        assert v.verdict == "wrong", (seed, v.reason)
        assert v.diagnosis is not None, (seed, v.reason)
        diagnoses[seed] = v.diagnosis
        for word in case.words:
            assert word.lower() in v.diagnosis.lower(), (seed, v.diagnosis)
    # stable: one and the same diagnosis whatever the seed
    assert len(set(diagnoses.values())) == 1, diagnoses


def test_missing_term_names_the_term() -> None:
    v = verify("A x + A^T x", "x^T A x + b^T x", "x", seed=0)
    assert v.diagnosis == "right up to a missing term: b"


def test_factor_diagnosis_wording() -> None:
    v = verify("A^T (A x - b)", "||A x - b||^2", "x", seed=0)
    assert v.diagnosis == (
        "off by a factor of 1/2: the claim is 1/2 times the true derivative 2 A^T (A x - b)"
    )
    assert v.diagnosis is not None and v.diagnosis.kind == "factor" and v.diagnosis.term == "1/2"
    v = verify("-2 A^T (A x - b)", "||A x - b||^2", "x", seed=0)
    assert v.diagnosis == (
        "wrong sign: the claim is the negative of the true derivative 2 A^T (A x - b)"
    )


def test_symmetric_declared_matrix_makes_the_symmetric_formula_right_but_factor_wrong() -> None:
    """Declared symmetric, ``2 A x`` is right; ``A x`` is then half of it."""
    for seed in SEEDS:
        v = verify("A x", "x^T A x", "x", symmetric="A", seed=seed)
        assert v.verdict == "wrong"
        assert v.diagnosis is not None and "factor of 1/2" in v.diagnosis


def test_wrong_value_without_a_classic_pattern_has_no_diagnosis() -> None:
    """``A x + x`` is no single slip from ``(A + A^T) x``: no guess."""
    for seed in SEEDS:
        v = verify("A x + x", "x^T A x", "x", seed=seed)
        assert v.verdict == "wrong" and v.diagnosis is None


def test_product_in_the_wrong_order_is_named() -> None:
    """``B^T A^T`` for ``A^T B^T`` needs sizes the expression leaves free, and it
    is the product in the other order."""
    for seed in SEEDS:
        v = verify("B^T A^T", "tr(A X B)", "X", seed=seed)
        assert v.verdict == "wrong" and v.diagnosis is not None
        assert v.diagnosis.kind == "order"
        assert v.diagnosis == "product in the wrong order: B^T A^T should be A^T B^T"


# --------------------------------------------------------------------------- the counterexample


def _bind_sizes(expr_vars: dict[str, Any], point: dict[str, Array]) -> dict[Dim, int]:
    sizes: dict[Dim, int] = {}
    for name, var in expr_vars.items():
        arr = np.asarray(point[name], dtype=float)
        rows, cols = arr.reshape(-1, 1).shape if arr.ndim < 2 else arr.shape
        for d, n in ((var.shape.rows, rows), (var.shape.cols, cols)):
            if d.size is None and not d.factors:
                sizes[d] = n
    return sizes


def value_at(source: str, point: dict[str, Array], **decls: str) -> Array:
    """``source`` (type-checked on its own) evaluated at ``point``."""
    expr, variables, _ = analyse(source, declarations(**decls))
    sizes = _bind_sizes(variables, point)
    return evaluate(expr, point, sizes)


def _as_json_array(a: Array) -> Any:
    a = np.asarray(a, dtype=float)
    if a.shape == (1, 1):
        return float(a[0, 0])
    return a[:, 0] if a.ndim == 2 and a.shape[1] == 1 else a


VALUE_MISMATCHES = [
    m for m in MISTAKES if m.command != "hessian" and "eye" not in m.claim and "[" not in m.claim
]


@params(VALUE_MISMATCHES)
def test_counterexample_values_are_the_true_and_claimed_values(case: Mistake) -> None:
    for seed in (0, 1, 2):
        v = case.verify(seed)
        cx = v.counterexample
        assert cx is not None
        assert set(cx) >= {"point", "true", "claim", "dims"}
        assert v.check is not None and v.check.point is not None
        point = v.check.point
        # the point names every variable of the expression, at small sizes
        _, variables, _ = analyse(case.of, declarations())
        assert set(cx["point"]) == set(variables)
        assert all(1 <= n <= COUNTEREXAMPLE_SIZE for n in cx["dims"].values()), cx["dims"]
        for name, value in cx["point"].items():
            np.testing.assert_allclose(value, _as_json_array(point[name]), atol=1e-6)
        true = value_at(v.derivation.results[0].text, point)
        claim = value_at(case.claim, point)
        np.testing.assert_allclose(cx["true"], _as_json_array(true), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(cx["claim"], _as_json_array(claim), rtol=1e-5, atol=1e-5)
        assert not np.allclose(true, claim, rtol=1e-4, atol=1e-6)


def test_hessian_counterexample_is_a_matrix() -> None:
    v = verify("2 A", "x^T A x", "x", command="hessian", seed=0)
    cx = v.counterexample
    assert cx is not None
    n = cx["dims"]["n"]
    assert np.shape(cx["true"]) == np.shape(cx["claim"]) == (n, n)
    a = np.asarray(cx["point"]["A"])
    np.testing.assert_allclose(cx["true"], a + a.T, atol=1e-5)
    np.testing.assert_allclose(cx["claim"], 2 * a, atol=1e-5)


# --------------------------------------------------------------------------- wrong shape

WRONG_SHAPES = [
    (Case("x^T x", "x^T x", "x"), "expected a vector of size n", "a scalar"),
    (Case("2 x^T", "x^T x", "x"), "expected a vector of size n", "a row vector"),
    (Case("(A + A^T) x", "x^T A x", "x", "jacobian"), "expected a row vector", "a vector"),
    (Case("x^T A", "x^T A x", "x", "hessian"), "expected a matrix of size n×n", "a row vector"),
]


@pytest.mark.parametrize(
    ("case", "expected", "claimed"), WRONG_SHAPES, ids=[c.id for c, _, _ in WRONG_SHAPES]
)
def test_wrong_shape_is_wrong_and_says_the_expected_shape(
    case: Case, expected: str, claimed: str
) -> None:
    for seed in (0, 1):
        v = case.verify(seed)
        assert v.verdict == "wrong"
        assert "wrong shape" in v.reason and expected in v.reason, v.reason
        assert v.counterexample is not None
        assert expected.removeprefix("expected ") in v.counterexample["expected_shape"]
        assert v.counterexample["claim_shape"].startswith(claimed)


# --------------------------------------------------------------------------- the command line


def test_cli_json_value_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "verify", "2 A x", "--of", "x^T A x", "--wrt", "x", "-f", "json", "--seed", "3")
    assert r.code == 1
    obj = r.json
    assert obj["verdict"] == "wrong"
    assert obj["diagnosis"]["message"] == "right only when A is symmetric"
    assert obj["diagnosis"]["kind"] == "assumption" and obj["diagnosis"]["term"] == "A"
    assert obj["results"][0]["text"] == "(A + A^T) x"
    cx = obj["counterexample"]
    assert set(cx) >= {"point", "true", "claim"}
    assert set(cx["point"]) == {"A", "x"}
    a, x = np.asarray(cx["point"]["A"]), np.asarray(cx["point"]["x"])
    np.testing.assert_allclose(cx["true"], (a + a.T) @ x, atol=1e-5)
    np.testing.assert_allclose(cx["claim"], 2 * a @ x, atol=1e-5)


def test_cli_json_correct(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(
        capsys,
        "verify",
        "A x + A^T x",
        "--of",
        "x^T A x",
        "--wrt",
        "x",
        "-f",
        "json",
        "--seed",
        "0",
    )
    assert r.code == 0
    obj = r.json
    assert obj["verdict"] == "correct"
    assert obj["diagnosis"] is None
    assert "counterexample" not in obj
    assert obj["check"]["passed"] is True


def test_cli_json_wrong_shape(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "verify", "x^T x", "--of", "x^T x", "--wrt", "x", "-f", "json", "--seed", "0")
    assert r.code == 1
    obj = r.json
    assert obj["verdict"] == "wrong"
    assert "expected a vector" in obj["reason"]
    assert obj["counterexample"]["expected_shape"] == "a vector of size n"


def test_cli_text_shows_diagnosis_truth_and_point(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "verify", "A", "--of", "tr(A X)", "--wrt", "X", "-f", "text", "--seed", "0")
    assert r.code == 1
    lines = r.out.splitlines()
    assert lines[0].startswith("wrong:")
    assert "diagnosis: the transpose of the right answer A^T" in lines
    assert "true: A^T" in lines
    assert any(ln.startswith("at: A = ") for ln in lines)


def test_cli_leading_minus_claim_after_double_dash(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(
        capsys,
        "verify",
        "--of",
        "||A x - b||^2",
        "--wrt",
        "x",
        "-f",
        "text",
        "--",
        "-2 A^T (b - A x)",
    )
    assert r.code == 0, r.err
    assert r.out.startswith("correct")


def test_cli_jacobian_and_hessian_flags(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(
        capsys,
        "verify",
        "A^T",
        "--of",
        "A x",
        "--wrt",
        "x",
        "--jacobian",
        "-f",
        "json",
        "--seed",
        "1",
    )
    assert r.code == 1
    assert "the Jacobian in the other layout" in r.json["diagnosis"]["message"]
    r = run(
        capsys,
        "verify",
        "2 A",
        "--of",
        "x^T A x",
        "--wrt",
        "x",
        "--hessian",
        "-f",
        "json",
        "--seed",
        "2",
    )
    assert r.code == 1
    assert r.json["diagnosis"]["message"] == "right only when A is symmetric"


def test_cli_malformed_claim_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "verify", "2 A (", "--of", "x^T A x", "--wrt", "x")
    assert r.code == 2
    assert r.out == "" and "syntax error" in r.err


def test_real_process_exit_status() -> None:
    proc = subprocess.run(
        [*GRADCLI, "verify", "2 A x", "--of", "x^T A x", "--wrt", "x", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["diagnosis"]["message"] == "right only when A is symmetric"


# ------------------------------------------- layouts, factored results, symmetric variables


def test_denominator_layout_diagnosis_does_not_name_the_wrong_layout() -> None:
    """With ``--layout denominator`` the claim ``A`` is the numerator-layout Jacobian:
    the diagnosis names neither layout wrongly ("the Jacobian in the other layout")."""
    for seed in SEEDS:
        v = verify("A", "A x", "x", command="jacobian", layout="denominator", seed=seed)
        assert v.verdict == "wrong"
        assert v.diagnosis is not None
        assert "the Jacobian in the other layout" in v.diagnosis
        assert "denominator-layout" not in v.diagnosis


MISSING_IN_FACTORED = [
    # the true result is printed factored: the terms are those of its multiplied-out form
    Mistake("2 A^T A x", "||A x - b||^2", "x", words=("missing term", "b")),
    Mistake("A x", "x^T A x", "x", words=("missing term", "A^T x")),
    Mistake("A^T x + b", "x^T A x + b^T x", "x", words=("missing term", "A x")),
]


@params(MISSING_IN_FACTORED)
def test_missing_term_of_a_factored_result(case: Mistake) -> None:
    for seed in SEEDS:
        v = case.verify(seed)
        assert v.verdict == "wrong"
        assert v.diagnosis is not None, seed
        for word in case.words:
            assert word in v.diagnosis, v.diagnosis


def test_missing_term_of_the_multiplied_out_result_is_named() -> None:
    v = verify("2 A^T A x", "||A x - b||^2", "x", seed=0)
    assert v.diagnosis == "right up to a missing term: -2 A^T b"


NOT_SYMMETRIC = [
    Case("A", "tr(A S)", "S", options={"symmetric": "S"}),
    Case("S A + A S", "tr(S A S)", "S", options={"symmetric": "S"}),
]


@params(NOT_SYMMETRIC)
def test_non_symmetric_claim_for_a_symmetric_variable_is_wrong(case: Case) -> None:
    for seed in (0, 1, 2):
        v = case.verify(seed)
        assert v.verdict == "wrong"
        assert v.diagnosis is not None and "symmetric part" in v.diagnosis, v.diagnosis


@params(NOT_SYMMETRIC)
def test_non_symmetric_claim_has_a_counterexample(case: Case) -> None:
    for seed in (0, 1, 2):
        v = case.verify(seed)
        assert v.verdict == "wrong"
        assert v.counterexample is not None
        assert set(v.counterexample) >= {"point", "true", "claim"}
        point = np.array(v.counterexample["point"][case.wrt])
        true = np.array(v.counterexample["true"])
        claim = np.array(v.counterexample["claim"])
        # a symmetric point, where the two differ: the truth is the claim's symmetric part
        assert np.allclose(point, point.T)
        assert not np.allclose(true, claim, atol=1e-3)
        assert np.allclose(true, (claim + claim.T) / 2, atol=1e-4)


@params(NOT_SYMMETRIC)
def test_non_symmetric_claim_counterexample_is_small(case: Case) -> None:
    for seed in (0, 1, 2, 3):
        v = case.verify(seed)
        cx = v.counterexample
        assert cx is not None and "dims" in cx
        _, variables, _ = analyse(case.of, declarations(**case.options))
        assert set(cx["point"]) == set(variables)
        assert all(1 <= n <= COUNTEREXAMPLE_SIZE for n in cx["dims"].values()), cx["dims"]


@params(NOT_SYMMETRIC)
def test_symmetrised_claim_for_a_symmetric_variable_is_correct(case: Case) -> None:
    symmetrised = f"0.5 (({case.claim}) + ({case.claim})^T)"
    for seed in (0, 1, 2):
        v = verify(symmetrised, case.of, case.wrt, seed=seed, **case.options)
        assert v.correct, v.reason


def test_wrong_shape_message_uses_one_phrasing() -> None:
    v = Case("x^T A", "x^T A x", "x", "hessian").verify(0)
    assert "expected a matrix of size n×n, the claim is a row vector of size n" in v.reason
