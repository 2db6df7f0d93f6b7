"""``verify`` marks like a teaching assistant: a table of realistic wrong claims.

Each wrong claim is a mistake people make, with the diagnosis kind it must get
and the term (factor, entry) it must name; each is run over seeds 0..4 and the
diagnosis must not change with the seed. Claims with two slips at once must get
no diagnosis rather than one about a single slip (a diagnosis off target
misleads). Correct claims in unusual forms must stay ``correct``. The verdict
itself rests on the numerical check (finite differences of the expression).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
from support import run

from gradcli.verification.verdict import Verdict, verify

SEEDS = range(5)
SCALARS = {"scalar": "x,y"}
AB = {"scalar": "a,b"}


@dataclass(frozen=True)
class Row:
    group: str  # the class of mistake
    claim: str
    of: str
    wrt: str
    kind: str | None  # the diagnosis kind; None: no diagnosis
    term: str | None = None  # the term, factor or entry the diagnosis names
    options: dict[str, str] = field(default_factory=dict)

    def verify(self, seed: int) -> Verdict:
        return verify(self.claim, self.of, self.wrt, seed=seed, **self.options)

    @property
    def id(self) -> str:
        command = self.options.get("command", "grad")
        extra = "" if command == "grad" else f" --{command}"
        return f"{self.claim} | {self.of}{extra}"


def row(group: str, claim: str, of: str, wrt: str, kind: str, term: str, **options: str) -> Row:
    return Row(group, claim, of, wrt, kind, term, options)


J = {"command": "jacobian"}
H = {"command": "hessian"}

WRONG = [
    # a wrong coefficient or sign on one term
    row("coefficient", "2 A^T A x + A^T b", "||A x + b||^2", "x", "coefficient", "A^T b"),
    row("coefficient", "0.7 x", "x^T x", "x", "coefficient", "0.7 x"),
    row("coefficient", "2 A^T A x + 2 A^T b", "||A x - b||^2", "x", "sign", "-2 A^T b"),
    row("coefficient", "(A + A^T) x + 3 b", "x^T A x + b^T x", "x", "coefficient", "3 b"),
    row("coefficient", "2 x + 0.5 y", "x^2 + x y", "x", "coefficient", "0.5 y", **SCALARS),
    row("coefficient", "cos(x) + 2 x", "sin(x) + 3 x^2", "x", "coefficient", "2 x", scalar="x"),
    row("coefficient", "2 X - A^T", "tr(A X) + tr(X^T X)", "X", "sign", "A^T"),
    row("coefficient", "x", "x^T x", "x", "factor", "1/2"),
    row("coefficient", "-2 A^T (A x - b)", "||A x - b||^2", "x", "sign", "2 A^T (A x - b)"),
    row("coefficient", "2 (X - Y)", "||X - Y||^2", "Y", "sign", "2 (Y - X)"),
    # a missing or an extra term
    row("term", "A^T A x - A^T b", "0.5 ||A x - b||^2 + ||x||^2", "x", "missing_term", "2 x"),
    row("term", "3 x^2", "x^3 + y x", "x", "missing_term", "y", **SCALARS),
    row("term", "2 A^T A x", "||A x - b||^2", "x", "missing_term", "-2 A^T b"),
    row("term", "A x", "x^T A x", "x", "missing_term", "A^T x"),
    row("term", "(A + A^T) x", "x^T A x + b^T x", "x", "missing_term", "b"),
    row("term", "2 x", "x^T x + sum(x)", "x", "missing_term", "ones"),
    row("term", "2 A^T (A x - b) + b", "||A x - b||^2", "x", "extra_term", "b"),
    row("term", "x + y", "x y", "x", "extra_term", "x", **SCALARS),
    row("term", "2 x + 1", "x^2", "x", "extra_term", "1", scalar="x"),
    row("term", "A^T + X^-T", "tr(A X)", "X", "extra_term", "X^-T"),
    row("term", "A^T b + x", "x^T A^T b", "x", "extra_term", "x"),
    row("term", "2 W x x^T", "||W x - y||^2", "W", "missing_term", "-2 y x^T"),
    row("term", "2 (W x - y) x^T + W", "||W x - y||^2", "W", "extra_term", "W"),
    row(
        "term",
        "A^T (A x - b)",
        "0.5 ||A x - b||^2 + 0.5 lambda ||x||^2",
        "x",
        "missing_term",
        "lambda x",
        scalar="lambda",
    ),
    row(
        "term",
        "X^T sigmoid(X w)",
        "sum(log(1 + exp(X w))) - y^T X w",
        "w",
        "missing_term",
        "-X^T y",
    ),
    # a missing chain-rule factor: the inner derivative dropped is named
    row("chain", "exp(x y)", "exp(x y)", "x", "chain_rule", "y", **SCALARS),
    row("chain", "cos(A x)", "sum(sin(A x))", "x", "chain_rule", "A"),
    row("chain", "cos(x^2)", "sin(x^2)", "x", "chain_rule", "2 x", scalar="x"),
    row("chain", "exp(x^T x)", "exp(x^T x)", "x", "chain_rule", "2 x"),
    row("chain", "1 / (x^T x)", "log(x^T x)", "x", "chain_rule", "2 x"),
    row("chain", "sigmoid(w^T x) (1 - sigmoid(w^T x))", "sigmoid(w^T x)", "w", "chain_rule", "x"),
    row("chain", "-sin(3 x)", "cos(3 x)", "x", "chain_rule", "3", scalar="x"),
    row("chain", "1 / (1 + x y)", "log(1 + x y)", "x", "chain_rule", "y", **SCALARS),
    row("chain", "sigmoid(W x)", "sum(log(1 + exp(W x)))", "x", "chain_rule", "W"),
    # a product in the wrong order, Kronecker factors swapped
    row("order", "2 A A^T X", "tr(X^T A^T A X)", "X", "order", "2 A A^T X"),
    row("order", "B^T A^T", "tr(A X B)", "X", "order", "B^T A^T"),
    row("order", "2 A A^T", "||A x - b||^2", "x", "order", "2 A A^T", **H),
    row("order", "kron(B, A)", "kron(A, B) x", "x", "kron", "kron(B, A)", **J),
    row("order", "kron(A, eye)", "A X", "X", "kron", "kron(A, eye)", **J),
    row("order", "kron(eye, B^T)", "X B", "X", "kron", "kron(eye, B^T)", **J),
    # diag confused with the element-wise product, diag(A) with A ones
    row("diag", "y", "x .* y", "x", "diag", "y", **J),
    row("diag", "cos(x)", "sin(x)", "x", "diag", "cos(x)", **J),
    row("diag", "diag(exp(x))", "sum(exp(x))", "x", "diag", "diag(exp(x))"),
    row("diag", "A ones", "sum(diag(A) .* x)", "x", "diag", "A ones"),
    row("diag", "diag(A)", "ones^T A x", "x", "diag", "diag(A)"),
    # a norm taken for another
    row("norm", "2 x", "||x||_1^2", "x", "other_expression", "||x||_1"),
    row("norm", "2 x", "||x||", "x", "other_expression", "||x||"),
    row("norm", "x / ||x||", "||x||^2", "x", "other_expression", "||x||^2"),
    row("norm", "sign(x)", "||x||", "x", "other_expression", "||x||_2"),
    row("norm", "2 (x - y)", "||x - y||", "x", "other_expression", "||x - y||"),
    row("norm", "2 X", "||X||", "X", "other_expression", "||X||"),
    # a formula for another convention
    row(
        "convention",
        "X^T (sigmoid(X w) - y)",
        "sum(log(1 + exp(-y .* (X w))))",
        "w",
        "convention",
        "y",
    ),
    row("convention", "A + A^T - A .* eye", "tr(A S)", "S", "convention", "S", symmetric="S"),
    row("convention", "2 B - B .* eye", "tr(B S)", "S", "convention", "S", symmetric="S,B"),
    row("convention", "A", "tr(A S)", "S", "symmetric_part", "S", symmetric="S"),
    # X^T for X^-T, and the transposes
    row("transpose", "X^T", "log(det(X))", "X", "inverse", "X^T"),
    row("transpose", "det(X) X^T", "det(X)", "X", "inverse", "X^T"),
    row("transpose", "X^-1", "log(det(X))", "X", "transpose", "X^-T"),
    row("transpose", "A", "tr(A X)", "X", "transpose", "A^T"),
    row("transpose", "A^T", "A x", "x", "transpose", "A", **J),
    row("transpose", "-X^-1 A X^-1", "tr(A X^-1)", "X", "transpose", "-X^-T A^T X^-T"),
    row("transpose", "X A + A X", "tr(X A X)", "X", "transpose", "(A X + X A)^T"),
    # right only under an assumption
    row("assumption", "2 A x", "x^T A x", "x", "assumption", "A"),
    row("assumption", "2 C W", "tr(W^T C W)", "W", "assumption", "C"),
    row("assumption", "exp(x^T A x) 2 A x", "exp(x^T A x)", "x", "assumption", "A"),
    row("assumption", "2 A", "x^T A x", "x", "assumption", "A", **H),
    # wrong entries of an explicit matrix or a stacked vector
    row(
        "entry",
        "[[-1/x1, 0], [0, -1/x1]]",
        "[-log(x1), -log(x2)]",
        "x1,x2",
        "entry",
        "(2,2)",
        scalar="x1,x2",
        command="jacobian",
    ),
    row("entry", "[2 a, 2 a]", "a^2 + b^2", "a,b", "entry", "2", **AB),
    row("entry", "[b, b]", "a b", "a,b", "entry", "2", **AB),
    row("entry", "[[2, 0], [0, 2 b]]", "a^2 + b^2", "a,b", "entry", "(2,2)", **AB, **H),
    row("entry", "[cos(a), sin(b)]", "sin(a) + cos(b)", "a,b", "entry", "2", **AB),
    # the claim must not reshape the expression
    row("shape", "2 A (A x - b)", "||A x - b||^2", "x", "shape", "A"),
    row("shape", "A x", "b^T A x", "x", "shape", "A"),
    row("shape", "2 A^T (A^T x - b)", "||A x - b||^2", "x", "shape", "A"),
    row("shape", "A^T A x - b", "0.5 ||A x - b||^2", "x", "shape", "A"),
]

# two slips at once: naming one of them would be off target
UNDIAGNOSED = [
    Row("two slips", "1.5 A^T", "tr(A X) + tr(X^T X)", "X", None),
    Row("two slips", "x", "x^T x + b^T x", "x", None),
    Row("two slips", "A x + x", "x^T A x", "x", None),
    Row("two slips", "-A^T A x", "||A x - b||^2", "x", None),
]

CORRECT = [
    Row("correct", "2 (A^T A x - A^T b)", "||A x - b||^2", "x", None),
    Row("correct", "A^T (2 A x - 2 b)", "||A x - b||^2", "x", None),
    Row("correct", "((A x - b)^T A)^T 2", "||A x - b||^2", "x", None),
    Row("correct", "2 X + A^T", "tr(X^T X) + tr(A X)", "X", None),
    Row("correct", "det(X) inv(X)^T", "det(X)", "X", None),
    Row("correct", "exp(x y) y", "exp(x y)", "x", None, options=SCALARS),
    Row("correct", "y / (1 + x y)", "log(1 + x y)", "x", None, options=SCALARS),
    Row("correct", "2 diag(a) x", "x^T diag(a) x", "x", None),
    Row("correct", "2 a .* x", "x^T diag(a) x", "x", None),
    Row("correct", "diag(y)", "x .* y", "x", None, options=J),
    Row("correct", "ones^T A", "ones^T A x", "x", None, options=J),
    Row("correct", "2 sum(abs(x)) sign(x)", "||x||_1^2", "x", None),
    Row("correct", "x / sqrt(x^T x)", "||x||", "x", None),
    Row("correct", "kron(eye, A)", "A X", "X", None, options=J),
    Row("correct", "0.5 (A + A^T)", "tr(A S)", "S", None, options={"symmetric": "S"}),
    Row("correct", "A^T cos(A x)", "sum(sin(A x))", "x", None),
    Row(
        "correct",
        "X^T (sigmoid(X w) - y)",
        "sum(log(1 + exp(X w))) - y^T X w",
        "w",
        None,
    ),
    Row(
        "correct",
        "[[-1/x1, 0], [0, -1/x2]]",
        "[-log(x1), -log(x2)]",
        "x1,x2",
        None,
        options={"scalar": "x1,x2", "command": "jacobian"},
    ),
]


def params(rows: list[Row]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", rows, ids=[r.id for r in rows])


def outcome(case: Row, seed: int) -> tuple[str, str | None, str | None, str | None]:
    v = case.verify(seed)
    d = v.diagnosis
    return v.verdict, d.kind if d else None, d.term if d else None, str(d) if d else None


@params(WRONG)
def test_wrong_claim_gets_its_diagnosis_whatever_the_seed(case: Row) -> None:
    seen = {outcome(case, seed) for seed in SEEDS}
    assert len(seen) == 1, seen  # one and the same diagnosis for every seed
    ((verdict, kind, term, message),) = seen
    assert verdict == "wrong"
    assert (kind, term) == (case.kind, case.term), message
    assert message is not None and str(case.term) in message


@params(UNDIAGNOSED)
def test_two_slips_get_no_diagnosis(case: Row) -> None:
    for seed in SEEDS:
        assert outcome(case, seed) == ("wrong", None, None, None)


@params(CORRECT)
def test_correct_claim_in_an_unusual_form_stays_correct(case: Row) -> None:
    for seed in SEEDS:
        v = case.verify(seed)
        assert v.correct, (seed, v.reason, v.diagnosis)
        assert v.check is not None and v.check.passed is True


def test_table_covers_every_class_with_enough_rows() -> None:
    groups = Counter(r.group for r in WRONG)
    assert len(WRONG) >= 60
    assert set(groups) == {
        "coefficient",
        "term",
        "chain",
        "order",
        "diag",
        "norm",
        "convention",
        "transpose",
        "assumption",
        "entry",
        "shape",
    }
    assert min(groups.values()) >= 4, groups


# --------------------------------------------------------------- the issue's three examples

EXAMPLES = [
    (
        ["2 A^T A x + A^T b", "--of", "||A x + b||^2", "--wrt", "x"],
        "wrong coefficient: the term A^T b should be 2 A^T b",
    ),
    (
        ["2 x", "--of", "||x||_1^2", "--wrt", "x"],
        "the gradient of ||x||_2^2, not of ||x||_1^2: ||x||_1 taken for ||x||_2",
    ),
    (
        [
            "[[-1/x1, 0], [0, -1/x1]]",
            "--of",
            "[-log(x1), -log(x2)]",
            "--wrt",
            "x1,x2",
            "--scalar",
            "x1,x2",
            "--jacobian",
        ],
        "entry (2,2) is -1 / x1; it should be -1 / x2",
    ),
]


@pytest.mark.parametrize(("args", "message"), EXAMPLES, ids=["coefficient", "norm", "entry"])
def test_issue_examples_text_and_json(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    r = run(capsys, "verify", *args, "-f", "text", "--seed", "0")
    assert r.code == 1
    assert f"diagnosis: {message}" in r.out.splitlines()
    r = run(capsys, "verify", *args, "-f", "json", "--seed", "0")
    assert r.code == 1
    assert r.json["diagnosis"]["message"] == message
    assert set(r.json["diagnosis"]) == {"kind", "message", "term", "expected", "step"}


def test_chain_rule_step_in_text_pretty_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", "exp(x y)", "--of", "exp(x y)", "--wrt", "x", "--scalar", "x,y"]
    step = "right up to d exp(u)/du = exp(u) (u = x y)"
    for fmt in ("text", "pretty"):
        r = run(capsys, *args, "-f", fmt, "--seed", "1")
        assert r.code == 1
        assert "but without u' = y" in r.out
        assert any(line.startswith(f"step: {step}") for line in r.out.splitlines()), r.out
    r = run(capsys, *args, "-f", "json", "--seed", "1")
    d = r.json["diagnosis"]
    assert d["kind"] == "chain_rule" and d["term"] == "y" and d["step"].startswith(step)


def test_tied_shape_is_wrong_with_a_counterexample() -> None:
    """``2 A (A x - b)`` needs ``A`` square: wrong shape, not "right when A is symmetric"."""
    v = verify("2 A (A x - b)", "||A x - b||^2", "x", seed=0)
    assert v.verdict == "wrong"
    assert v.reason == "the claim has the wrong shape: it needs A square"
    assert v.diagnosis == "the claim needs A square; is a transpose missing?"
    assert v.counterexample is not None and {"point", "true", "claim"} <= set(v.counterexample)


# --------------------------------------------------------------- the hook for more finders


def test_an_added_finder_runs_before_the_assumption_finders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A finder plugged in with ``add_finder`` names a mistake no built-in finder
    names; its form is confirmed over the domain, so a wrong form is dropped."""
    from gradcli.ir import build as B
    from gradcli.verification import diagnose as D
    from gradcli.verification.problem import Diagnosis, Found, Problem

    monkeypatch.setattr(D, "FINDERS", list(D.FINDERS))

    def softmax_form(p: Problem) -> Found | None:
        # right when sum(y) = 1: the claim is the truth with sum(y) replaced by 1
        (y,) = (v for v in p.variables.values() if v.name == "y")
        form = B.sub(p.true, B.mul(B.sub(B.sum_all(y), B.const(1)), B.softmax(p.wrt[0])))
        return Diagnosis("right only when sum(y) = 1", "assumption", "y"), form

    D.add_finder(softmax_form)
    assert D.FINDERS.index(softmax_form) == D.FINDERS.index(D.find_symmetric_only) - 1
    v = verify("softmax(z) - y", "-y^T log(softmax(z))", "z", seed=0)
    assert v.diagnosis == "right only when sum(y) = 1" and v.diagnosis.kind == "assumption"
    # the same finder on a claim its form does not fit: confirmed false, no diagnosis
    v = verify("2 softmax(z) - y", "-y^T log(softmax(z))", "z", seed=0)
    assert v.verdict == "wrong" and v.diagnosis is None
