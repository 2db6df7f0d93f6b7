"""The language keeps its word: what docs/language.md refuses is refused, with the real fault.

Each row is an input, the kind and message the user must see, and where the
caret goes; the flat chains at the end must simply work, and their value is
checked numerically (the derivation's own check) as well as by printed form.
"""

from __future__ import annotations

import pytest

import gradcli
from gradcli.cli import main
from gradcli.errors import GradcliError

# (expression, declarations, error kind, start of the message, text under the carets)
REFUSED = [
    ("A^-1^-1", {}, "syntax error", "a power is not accepted inside an exponent", ["1^-1"]),
    ("x^T A^2^3 x", {}, "syntax error", "a power is not accepted inside an exponent", ["2^3"]),
    ("t^(2^2)", {"scalar": "t"}, "syntax error", "a power is not accepted inside", ["(2^2)"]),
    ("sum(x .^ 2 .^ 3)", {}, "syntax error", "a power is not accepted inside", ["2 .^ 3"]),
    ("t ** 2 ** 2", {"scalar": "t"}, "syntax error", "a power is not accepted inside", ["2 ** 2"]),
    ("t^(1/0)", {"scalar": "t"}, "error", "division by zero in the exponent", ["/0"]),
    ("t^(2/(1-1))", {"scalar": "t"}, "error", "division by zero in the exponent", ["/(1-1)"]),
    ("sum(x .^ (1/0))", {}, "error", "division by zero in the exponent", ["/0"]),
    ("1e-400 t", {"scalar": "t"}, "syntax error", "number too small: 1e-400", ["1e-400"]),
    ("t + 2.5E-999", {"scalar": "t"}, "syntax error", "number too small", ["2.5E-999"]),
    ("x^T x where a = x, a = x", {}, "syntax error", "a is defined twice", ["a", "a"]),
    ("b^T b where a = x, b = a, a = b", {}, "syntax error", "a is defined twice", ["a", "a"]),
    ("Tr(A)", {}, "syntax error", "unknown function 'Tr'", ["Tr"]),
    ("TR(A)", {}, "syntax error", "unknown function 'TR'", ["TR"]),
    ("Exp(t)", {"scalar": "t"}, "syntax error", "unknown function 'Exp'", ["Exp"]),
    ("sum(Log(x))", {}, "syntax error", "unknown function 'Log'", ["Log"]),
]


@pytest.mark.parametrize(("source", "decls", "kind", "message", "marked"), REFUSED)
def test_refused_with_the_real_fault(
    source: str, decls: dict[str, str], kind: str, message: str, marked: list[str]
) -> None:
    with pytest.raises(GradcliError) as info:
        gradcli.grad(source, check=False, **decls)  # type: ignore[arg-type]
    err = info.value
    assert err.kind == kind
    assert err.message.startswith(message), err.message
    assert "shape" not in err.kind and "nests" not in err.message
    spans = [s for s in (err.span, *err.extra_spans) if s is not None]
    assert sorted(source[s.start : s.end] for s in spans) == sorted(marked)


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("Tr(A)", "did you mean tr? (names of functions are lower case)"),
        ("DET(A)", "did you mean det? (names of functions are lower case)"),
        ("sum(Eye(x))", "eye takes its size from the context: write eye alone"),
        ("Softmax(z)", "did you mean softmax? (names of functions are lower case)"),
    ],
)
def test_function_names_in_other_case_hint_at_the_function(source: str, hint: str) -> None:
    with pytest.raises(GradcliError) as info:
        gradcli.jacobian(source, check=False)
    assert info.value.hint == hint


@pytest.mark.parametrize(
    ("source", "decls", "wrt", "text"),
    [
        # Still products, as docs/language.md says: a space, or a name that is no function.
        ("Tr (A) x", {}, "x", "Tr A"),
        ("Ab(x + y)", {}, "x", "Ab"),
        ("W1(x)", {}, "x", "W1"),
        # Powers outside an exponent, and exponents that are plain arithmetic.
        ("(A^-1)^-1 x", {}, "x", "A"),
        ("(t^2)^3", {"scalar": "t"}, "t", "6 t^5"),
        ("t^(2 * 3 - 1/2)", {"scalar": "t"}, "t", "5.5 t^4.5"),
        ("0e-400 t + t", {"scalar": "t"}, "t", "1"),
        ("u^T u where u = x, v = x", {}, "x", "2 x"),
    ],
)
def test_what_stays_accepted(source: str, decls: dict[str, str], wrt: str, text: str) -> None:
    fn = gradcli.jacobian if wrt == "x" and "u^T" not in source else gradcli.grad
    d = fn(source, wrt=wrt, seed=5, **decls)  # type: ignore[arg-type]
    assert d.text == text
    assert d.check is not None and d.check.passed is True


def _chain(term: str, op: str, count: int) -> str:
    return op.join([term] * count)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (_chain("t", " + ", 200), "200"),
        (_chain("t", " + ", 2_500), "2500"),
        (_chain("t", "+", 5_000), "5000"),
        (_chain("t", "-", 5_000), "-4998"),
        (_chain("t", " ", 201), "201 t^200"),
        (_chain("t", "*", 3_000), "3000 t^2999"),
        (_chain("sin(t)", " + ", 1_000), "1000 cos(t)"),
    ],
)
def test_a_flat_chain_does_not_nest(source: str, text: str) -> None:
    """A sum of 200 (or 5,000) terms is long, not deep: it works within the length limit."""
    d = gradcli.grad(source, scalar="t", seed=3)
    assert d.text == text
    assert d.check is not None and d.check.passed is True


def test_real_nesting_still_hits_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    source = "(" * 300 + "t" + ")" * 300
    with pytest.raises(SystemExit) as exc:
        main(["grad", source, "--scalar", "t"])
    assert exc.value.code == 2
    assert "nests deeper than 200 levels" in capsys.readouterr().err
