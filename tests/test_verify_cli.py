"""``gradcli verify`` from the command line (SPEC §1 verify, §3 JSON, §4 exit status).

Exit 0 when the claim is right, 1 when it is wrong (with the true derivative,
a diagnosis of the classic mistakes and, in JSON, a counterexample), 2 when the
claim is malformed. Runs ``gradcli.cli.main([...])`` in-process; one test uses a
real process for standard input.

Tests marked ``xfail(strict=True, reason="BUG: ...")`` assert SPEC behaviour
that the tool does not (yet) have.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import numpy as np
import pytest
from support import Run, run

# --------------------------------------------------------------------------- helpers


def verify(capsys: pytest.CaptureFixture[str], claim: str, of: str, *extra: str) -> Run:
    return run(capsys, "verify", claim, "--of", of, *extra)


def suggested_fix(err: str) -> list[str]:
    """The command the leading-minus hint suggests, split as the shell splits it
    (so the test holds for any correct quoting, '...' or "...")."""
    (hint,) = [line for line in err.splitlines() if line.startswith("hint")]
    assert "gradcli " in hint, hint
    return shlex.split(hint[hint.index("gradcli ") :])


def caret_columns(err: str, source: str) -> set[int]:
    lines = err.splitlines()
    for i, line in enumerate(lines[:-1]):
        indent = line.find(source)
        if indent >= 0 and line.strip() == source.strip() and "^" in lines[i + 1]:
            return {j - indent for j, ch in enumerate(lines[i + 1]) if ch == "^"}
    raise AssertionError(f"no caret line under {source!r} in:\n{err}")


# --------------------------------------------------------------------------- correct


@pytest.mark.parametrize(
    "claim",
    ["(A + A^T) x", "A x + A^T x", "A^T x + A x", "(A^T + A) x", "A x + (x^T A)^T", "A' x + A @ x"],
)
def test_equivalent_correct_claims_exit_0(capsys: pytest.CaptureFixture[str], claim: str) -> None:
    r = verify(capsys, claim, "x^T A x", "--wrt", "x")
    assert r.code == 0, r.out
    assert r.out.startswith("correct")
    assert "wrong" not in r.out


@pytest.mark.parametrize(
    ("claim", "of", "extra"),
    [
        ("2 A^T (A x - b)", "||A x - b||^2", ["--wrt", "x"]),
        ("A^T", "tr(A X)", ["--wrt", "X"]),
        ("(-1) X^-T", "-logdet(X)", ["--wrt", "X"]),
        ("A", "A x + b", ["--wrt", "x", "--jacobian"]),
        ("A^T", "A x", ["--wrt", "x", "--jacobian", "--layout", "denominator"]),
        ("A + A^T", "x^T A x", ["--wrt", "x", "--hessian"]),
        ("0.5 (A + A^T)", "tr(A S)", ["--wrt", "S", "--symmetric", "S"]),
        ("[b, a]", "a b", ["--wrt", "a,b", "--scalar", "a,b"]),
    ],
    ids=[
        "least squares",
        "trace",
        "logdet",
        "jacobian",
        "denominator",
        "hessian",
        "symmetric",
        "stacked scalars",
    ],
)
def test_correct_claims_exit_0(
    capsys: pytest.CaptureFixture[str], claim: str, of: str, extra: list[str]
) -> None:
    r = verify(capsys, claim, of, *extra)
    assert r.code == 0, r.out
    assert r.out.startswith("correct")


# --------------------------------------------------------------------------- classic mistakes


MISTAKES: list[tuple[str, str, str, list[str], tuple[str, ...]]] = [
    ("dropped factor 2", "A^T (A x - b)", "||A x - b||^2", ["--wrt", "x"], ("factor",)),
    ("wrong sign", "(-2) A^T (A x - b)", "||A x - b||^2", ["--wrt", "x"], ("sign",)),
    ("missing transpose", "A", "tr(A X)", ["--wrt", "X"], ("transpose",)),
    ("symmetric-only", "2 A x", "x^T A x", ["--wrt", "x"], ("symmetric",)),
    (
        "denominator-layout jacobian",
        "A^T",
        "A x",
        ["--wrt", "x", "--jacobian"],
        ("transpose", "layout"),
    ),
    (
        "numerator-layout claim in denominator layout",
        "A",
        "A x",
        ["--wrt", "x", "--jacobian", "--layout", "denominator"],
        ("transpose", "layout"),
    ),
    ("missing term", "(A + A^T) x", "x^T A x + b^T x", ["--wrt", "x"], ("missing term",)),
]


@pytest.mark.parametrize(
    ("claim", "of", "extra", "words"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_classic_mistakes_exit_1_with_a_diagnosis(
    capsys: pytest.CaptureFixture[str], claim: str, of: str, extra: list[str], words: tuple[str]
) -> None:
    r = verify(capsys, claim, of, *extra)
    assert r.code == 1, r.out
    assert r.out.startswith("wrong")
    diagnosis = [line for line in r.out.splitlines() if line.startswith("diagnosis")]
    assert diagnosis, r.out
    assert any(w in diagnosis[0] for w in words), diagnosis


def test_wrong_claim_shows_the_true_derivative(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "2 A x", "x^T A x", "--wrt", "x")
    assert r.code == 1
    assert "(A + A^T) x" in r.out


def test_missing_term_names_the_term(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "(A + A^T) x", "x^T A x + b^T x", "--wrt", "x")
    assert r.code == 1
    (diagnosis,) = [line for line in r.out.splitlines() if line.startswith("diagnosis")]
    assert diagnosis.rstrip().endswith(" b")


def test_factor_is_a_reduced_fraction(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "A^T (A x - b)", "||A x - b||^2", "--wrt", "x")
    assert r.code == 1
    assert "1/2" in r.out
    assert "2/4" not in r.out


def test_wrong_claim_in_text_shows_a_point(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "2 A x", "x^T A x", "--wrt", "x")
    assert r.code == 1
    assert "x =" in r.out and "A =" in r.out


def test_wrong_claim_in_pretty_shows_a_point(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "2 A x", "x^T A x", "--wrt", "x", "-f", "pretty", "--seed", "4")
    assert r.code == 1
    assert "WRONG" in r.out or "wrong" in r.out
    assert "symmetric" in r.out
    assert "x =" in r.out and "A =" in r.out


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    ("claim", "of", "extra", "expected"),
    [
        ("x^T x", "x^T A x", ["--wrt", "x"], "vector"),
        ("x^T (A + A^T)", "x^T A x", ["--wrt", "x"], "vector"),
        ("x", "A x", ["--wrt", "x", "--jacobian"], "×"),
        ("2 x", "x^T x", ["--wrt", "x", "--hessian"], "×"),
    ],
    ids=["scalar for a vector", "row for a column", "vector for a jacobian", "vector for hessian"],
)
def test_wrong_shape_claim_is_wrong_not_bad_input(
    capsys: pytest.CaptureFixture[str], claim: str, of: str, extra: list[str], expected: str
) -> None:
    r = verify(capsys, claim, of, *extra)
    assert r.code == 1, (r.out, r.err)
    first = r.out.splitlines()[0]
    assert first.startswith("wrong")
    assert "shape" in first
    assert "expected" in first
    assert expected in first.split("expected", 1)[1]


# --------------------------------------------------------------------------- bad input


def test_malformed_claim_exits_2_with_a_caret(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "(A + A^T x", "x^T A x", "--wrt", "x")
    assert r.code == 2
    assert caret_columns(r.err, "(A + A^T x") == {0}


def test_malformed_expression_exits_2_with_a_caret(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "2 x", "x^T x +", "--wrt", "x")
    assert r.code == 2
    assert "x^T x +" in r.err
    assert caret_columns(r.err, "x^T x +")


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "foo(x)", "--of", "x^T x", "--wrt", "x"],
        ["verify", "q", "--of", "x^T x", "--wrt", "x"],
        ["verify", "", "--of", "x^T x"],
        ["verify", "2 x", "--of", ""],
        ["verify", "2 x"],
        ["verify", "A", "--of", "A x", "--wrt", "x", "--jacobian", "--hessian"],
        ["verify", "2 x", "--of", "x^T x", "--wrt", "1x"],
        ["verify", "2 x", "--of", "x^T x", "--layout", "diagonal"],
        ["verify", "x", "--of", "A x", "--wrt", "x"],
        ["verify", "x y", "--of", "x^T y", "--wrt", "x"],
        ["verify", "__import__('os').system('true')", "--of", "x^T x", "--wrt", "x"],
        ["verify", "x", "--of", "__import__('os').system('true')", "--wrt", "x"],
    ],
    ids=[
        "unknown function",
        "unknown variable",
        "empty claim",
        "empty expression",
        "no --of",
        "jacobian and hessian",
        "bad wrt",
        "bad layout",
        "grad of a vector",
        "claim shape error",
        "injection in claim",
        "injection in expression",
    ],
)
def test_bad_verify_input_exits_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    r = run(capsys, *args)
    assert r.code == 2, (r.out, r.err)


def test_undefined_everywhere_is_never_a_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    """Neither a silent pass (0) nor a false alarm (1): it says why it cannot decide."""
    r = verify(capsys, "2 x", "sum(log(-exp(x)))", "--wrt", "x")
    assert r.code not in (0, 1)
    assert "log" in r.err


# --------------------------------------------------------------------------- leading '-'


def test_claim_starting_with_minus_after_double_dash(capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "verify", "--of", "||A x - b||^2", "--wrt", "x", "--", "-2 A^T (A x - b)")
    assert r.code == 1
    assert "sign" in r.out


@pytest.mark.parametrize(
    ("claim", "code", "verdict"),
    [("-2 A^T (b - A x)", 0, "correct"), ("-2 A^T (A x - b)", 1, "wrong sign")],
)
def test_claim_starting_with_minus_is_taken_as_the_claim(
    capsys: pytest.CaptureFixture[str], claim: str, code: int, verdict: str
) -> None:
    """A claim that starts with '-' needs no --: it is judged, right or wrong."""
    r = run(capsys, "verify", claim, "--of", "||A x - b||^2", "--wrt", "x")
    assert r.code == code, r.err
    assert verdict.split()[0] in r.out and (code == 0 or "sign" in r.out)


# --------------------------------------------------------------------------- formats


def test_json_correct_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "(A + A^T) x", "x^T A x", "--wrt", "x", "-f", "json", "--seed", "1")
    assert r.code == 0
    d = r.json
    assert d["version"] == 1
    assert d["command"] == "verify"
    assert d["verdict"] == "correct"
    assert {"input", "variables", "results", "check"} <= set(d)
    assert d["check"]["passed"] is True
    assert d["check"]["seed"] == 1
    assert d["results"][0]["text"] == "(A + A^T) x"


def test_json_wrong_verdict_has_counterexample_and_diagnosis(
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = verify(capsys, "2 A x", "x^T A x", "--wrt", "x", "-f", "json", "--seed", "1")
    assert r.code == 1
    d = r.json
    assert d["verdict"] == "wrong"
    assert "symmetric" in d["diagnosis"]["message"]
    assert d["results"][0]["text"] == "(A + A^T) x"
    ce = d["counterexample"]
    point = ce["point"]
    a, x = np.array(point["A"]), np.array(point["x"])
    assert a.ndim == 2 and a.shape[0] == a.shape[1] == x.shape[0]
    # the point is concrete: the true value and the claim are the two formulas there
    np.testing.assert_allclose(ce["true"], (a + a.T) @ x, atol=1e-4)
    np.testing.assert_allclose(ce["claim"], 2 * a @ x, atol=1e-4)
    assert not np.allclose(ce["true"], ce["claim"])


def test_json_verify_is_reproducible_with_a_seed(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("2 A x", "x^T A x", "--wrt", "x", "-f", "json", "--seed", "7")
    assert verify(capsys, *args).out == verify(capsys, *args).out


def test_json_wrong_shape_has_counterexample(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "x^T x", "x^T A x", "--wrt", "x", "-f", "json", "--seed", "1")
    assert r.code == 1
    assert r.json["verdict"] == "wrong"
    assert "counterexample" in r.json


def test_json_wrong_shape_says_which_shape(capsys: pytest.CaptureFixture[str]) -> None:
    r = verify(capsys, "x^T x", "x^T A x", "--wrt", "x", "-f", "json", "--seed", "1")
    assert r.code == 1
    assert r.json["verdict"] == "wrong"
    assert "vector" in json.dumps(r.json)


@pytest.mark.parametrize(("fmt", "true"), [("latex", r"A^{\top}"), ("numpy", "A.T")])
def test_format_applies_to_verify(capsys: pytest.CaptureFixture[str], fmt: str, true: str) -> None:
    r = verify(capsys, "2 A x", "x^T A x", "--wrt", "x", "-f", fmt)
    assert r.code == 1
    assert "wrong" in r.out.splitlines()[0]
    assert true in r.out


# --------------------------------------------------------------------------- text parses back


@pytest.mark.parametrize(
    ("command", "expr", "extra", "flag"),
    [
        ("grad", "||A x - b||^2", ["--wrt", "x"], None),
        ("grad", "log(det(X))", ["--wrt", "X"], None),
        ("grad", "tanh(a b)", ["--wrt", "a,b", "--scalar", "a,b"], None),
        ("jacobian", "softmax(A x)", ["--wrt", "A"], "--jacobian"),
        ("jacobian", "A X B", ["--wrt", "X"], "--jacobian"),
        ("hessian", "tanh(a b)", ["--wrt", "a,b", "--scalar", "a,b"], "--hessian"),
        ("hessian", "sum(log(1 + exp(A x)))", ["--wrt", "x"], "--hessian"),
    ],
    ids=["least squares", "logdet", "stacked", "softmax jacobian", "kron", "where", "logistic"],
)
def test_text_output_parses_back_and_verifies(
    capsys: pytest.CaptureFixture[str], command: str, expr: str, extra: list[str], flag: str | None
) -> None:
    """SPEC §3: feeding the text form back to gradcli parses (and it is the derivative)."""
    derived = run(capsys, command, expr, *extra, "--no-check")
    assert derived.code == 0
    (text,) = derived.out.splitlines()
    r = verify(capsys, text, expr, *extra, *([flag] if flag else []))
    assert r.code == 0, (text, r.out, r.err)


# --------------------------------------------------------------------------- standard input


def test_claim_from_stdin() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gradcli", "verify", "-", "--of", "x^T A x", "--wrt", "x"],
        input=b"2 A x\n",
        capture_output=True,
        timeout=30,
    )
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert out.startswith("wrong")
    assert "symmetric" in out
    assert b"Traceback" not in proc.stderr
