"""The parser: SPEC §2 syntax, precedence, spans, error positions and limits."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.errors import GradcliError, LimitError, ParseError, Span
from gradcli.syntax import parse
from gradcli.syntax.parser import MAX_DEPTH, MAX_LENGTH
from gradcli.syntax.tree import Binary, Call, Node, Norm, Num, Power, Transpose

SEXPRS: list[tuple[str, str]] = [
    # sums, differences, negation
    ("a + b", "(+ a b)"),
    ("a - b", "(- a b)"),
    ("-a", "(neg a)"),
    ("+a", "a"),
    ("a - b + c", "(+ (- a b) c)"),
    ("a - -b", "(- a (neg b))"),
    ("a * -b", "(* a (neg b))"),
    ("1 + exp(x)", "(+ 1 (exp x))"),
    # products
    ("A B", "(* A B)"),
    ("A * B", "(* A B)"),
    ("A @ B", "(* A B)"),
    ("2 x", "(* 2 x)"),
    ("2x", "(* 2 x)"),
    ("A B C", "(* (* A B) C)"),
    ("a .* b", "(.* a b)"),
    ("a ⊙ b", "(.* a b)"),
    ("a ./ b", "(./ a b)"),
    ("a / t", "(/ a t)"),
    ("a / b / c", "(/ (/ a b) c)"),
    ("a / b c", "(* (/ a b) c)"),
    ("2.*x", "(.* 2 x)"),
    ("2./x", "(./ 2 x)"),
    ("a + b c", "(+ a (* b c))"),
    ("A (x + y)", "(* A (+ x y))"),
    ("(a + b) c", "(* (+ a b) c)"),
    # transposes and powers
    ("A^T", "(T A)"),
    ("A'", "(T A)"),
    ("Aᵀ", "(T A)"),
    ("A''", "(T (T A))"),
    ("A^-1", "(^ A -1)"),
    ("A⁻¹", "(^ A -1)"),
    ("inv(A)", "(inv A)"),
    ("A^-T", "(T (^ A -1))"),
    ("A⁻ᵀ", "(T (^ A -1))"),
    ("A^-2", "(^ A -2)"),
    ("t^k", "(^ t k)"),
    ("A^3", "(^ A 3)"),
    ("x²", "(^ x 2)"),
    ("t ** 2", "(^ t 2)"),
    ("a .^ k", "(.^ a k)"),
    ("a .^ -1", "(.^ a -1)"),
    ("t^(1/2)", "(^ t (/ 1 2))"),
    ("2^-x", "(^ 2 (neg x))"),
    ("x^2^3", "(^ x (^ 2 3))"),
    ("x^2 y", "(* (^ x 2) y)"),
    ("x'^2", "(^ (T x) 2)"),
    ("x^2'", "(T (^ x 2))"),
    ("A^-1'", "(T (^ A -1))"),
    ("(A B)^T", "(T (* A B))"),
    ("exp(x)'", "(T (exp x))"),
    # precedence rules of SPEC §2
    ("x^T A x", "(* (* (T x) A) x)"),
    ("-x^2", "(neg (^ x 2))"),
    ("-x'", "(neg (T x))"),
    ("-x y", "(* (neg x) y)"),
    ("2 x^T y", "(* (* 2 (T x)) y)"),
    ("-y .* (X w)", "(.* (neg y) (* X w))"),
    ("x^T(A x)", "(* (T x) (* A x))"),
    ("A'B", "(* (T A) B)"),
    # functions
    ("tr(A)", "(tr A)"),
    ("det(A)", "(det A)"),
    ("logdet(A)", "(logdet A)"),
    ("sum(a)", "(sum a)"),
    ("diag(a)", "(diag a)"),
    ("softmax(a)", "(softmax a)"),
    ("relu(a)", "(relu a)"),
    ("sign(a) .* step(a)", "(.* (sign a) (step a))"),
    ("norm2(a)", "(norm2 a)"),
    ("exp (x)", "(exp x)"),
    (
        "sin(x) cos(x) tan(x) tanh(x) sqrt(x) abs(x) sigmoid(x) log(x)",
        "(* (* (* (* (* (* (* (sin x) (cos x)) (tan x)) (tanh x)) (sqrt x)) (abs x)) (sigmoid x))"
        " (log x))",
    ),
    ("sum(log(1 + exp(-y .* (X w))))", "(sum (log (+ 1 (exp (.* (neg y) (* X w))))))"),
    ("f (x)", "(* f x)"),
    # norms
    ("||a||", "(norm a)"),
    ("||a||_2", "(norm_2 a)"),
    ("||A||_F", "(norm_F A)"),
    ("||a||_1", "(norm_1 a)"),
    ("||x||_3", "(norm_3 x)"),
    ("||A||_fro", "(norm_fro A)"),
    ("||a||^2", "(^ (norm a) 2)"),
    ("||A x - b||^2", "(^ (norm (- (* A x) b)) 2)"),
    ("x / ||x||", "(/ x (norm x))"),
    ("||x|| ||y||", "(* (norm x) (norm y))"),
    ("2 ||x||_1 + 1", "(+ (* 2 (norm_1 x)) 1)"),
    ("||(x ||y||)||", "(norm (* x (norm y)))"),
    # constants, names, numbers, literals
    ("eye", "eye"),
    ("ones", "ones"),
    ("e", "e"),
    ("T", "T"),
    ("x_1", "x_1"),
    ("0.5", "0.5"),
    ("1e-3", "1e-3"),
    (".5", ".5"),
    ("-2", "(neg 2)"),
    ("[x, y]", "(vec x y)"),
    ("[x]", "(vec x)"),
    ("[x^2, sin(y), x y]", "(vec (^ x 2) (sin y) (* x y))"),
    ("[[a,b],[c,d]]", "(mat (a b) (c d))"),
    ("[[a, b, c]]", "(mat (a b c))"),
    ("[[a], [b]]", "(mat (a) (b))"),
    ("((x))", "x"),
    (" \n x \t ", "x"),
]


@pytest.mark.parametrize(("source", "expected"), SEXPRS)
def test_sexpr(source: str, expected: str) -> None:
    assert parse(source).sexpr() == expected


@pytest.mark.parametrize(("source", "expected"), SEXPRS)
def test_every_span_lies_in_its_parent(source: str, expected: str) -> None:
    def check(node: Node, outer: Span) -> None:
        assert outer.start <= node.span.start < node.span.end <= outer.end
        for child in _children(node):
            check(child, node.span)

    root = parse(source)
    check(root, Span(0, len(source)))
    assert source[root.span.start : root.span.end].strip() == source.strip()


def _children(node: Node) -> list[Node]:
    kids: list[Node] = []
    for value in vars(node).values():
        if isinstance(value, Node):
            kids.append(value)
        elif isinstance(value, tuple):
            for item in value:
                kids.extend(item if isinstance(item, tuple) else [item])
    return [k for k in kids if isinstance(k, Node)]


def test_spans_of_parts() -> None:
    node = parse("x^T A x")
    assert isinstance(node, Binary) and node.op_span == Span(6, 7)
    assert node.left.span == Span(0, 5)
    power = parse("(a+b)^2")
    assert isinstance(power, Power) and power.span == Span(0, 7) and power.op_span == Span(5, 6)
    call = parse("exp(x)")
    assert isinstance(call, Call) and call.span == Span(0, 6) and call.func_span == Span(0, 3)
    norm = parse("||A||_F")
    assert isinstance(norm, Norm) and norm.span == Span(0, 7) and norm.sub_span == Span(5, 7)
    assert norm.sub == "F"
    inverse = parse("A^-T")
    assert isinstance(inverse, Transpose) and isinstance(inverse.operand, Power)
    exponent = inverse.operand.exponent
    assert isinstance(exponent, Num) and exponent.value == -1 and exponent.span == Span(2, 4)


def test_folded_exponent_is_a_negative_number() -> None:
    node = parse("A^-1")
    assert isinstance(node, Power) and not node.elementwise
    assert node.exponent == Num(Span(2, 4), -1.0, "-1")
    assert isinstance(parse("a .^ 2"), Power)
    elementwise = parse("a .^ 2")
    assert isinstance(elementwise, Power) and elementwise.elementwise


BAD: list[tuple[str, type[GradcliError], int, str]] = [
    ("", ParseError, 0, "empty expression"),
    ("   ", ParseError, 0, "empty expression"),
    ("x\x00", ParseError, 1, "NULL"),
    ("a\u200bb", ParseError, 1, "ZERO WIDTH SPACE"),
    ("\u202ex", ParseError, 0, "RIGHT-TO-LEFT OVERRIDE"),
    ("ｘ + 1", ParseError, 0, "FULLWIDTH"),
    ("|x|", ParseError, 0, "VERTICAL LINE"),
    ("x^T x; import os", ParseError, 5, "SEMICOLON"),
    ('"x"', ParseError, 0, "QUOTATION MARK"),
    ("__import__('os').system('x')", ParseError, 0, "LOW LINE"),
    ("x = 2", ParseError, 2, "unexpected '='"),
    ("{x}", ParseError, 0, "CURLY"),
    ("lambda: x", ParseError, 6, "COLON"),
    ("epx(x)", ParseError, 0, "unknown function 'epx'"),
    ("exec(x)", ParseError, 0, "unknown function 'exec'"),
    ("Symbol('x')**2", ParseError, 7, "expected an operand"),
    ("foo(x)", ParseError, 0, "unknown function 'foo'"),
    ("eye(3)", ParseError, 0, "unknown function 'eye'"),
    ("tr()", ParseError, 2, "tr takes one argument"),
    ("tr(A, B)", ParseError, 6, "tr takes one argument"),
    ("tr(A,)", ParseError, 4, "tr takes one argument"),
    ("max()", ParseError, 3, "max takes 2 arguments"),
    ("max(x)", ParseError, 5, "max takes 2 arguments"),
    ("min(x, y, z)", ParseError, 10, "min takes 2 arguments"),
    ("exp x", ParseError, 0, "exp needs an argument: exp(x)"),
    ("sum", ParseError, 0, "sum needs an argument"),
    ("||x||^2 + ||y", ParseError, 10, "unclosed norm"),
    ("||x", ParseError, 0, "unclosed norm"),
    ("(", ParseError, 0, "unclosed '('"),
    ("(x + (y)", ParseError, 0, "unclosed '('"),
    ("exp(x", ParseError, 3, "unclosed '('"),
    (")", ParseError, 0, "unmatched ')'"),
    ("x)", ParseError, 1, "unmatched ')'"),
    ("x + )", ParseError, 4, "unmatched ')'"),
    ("x]", ParseError, 1, "unmatched ']'"),
    ("[x", ParseError, 0, "unclosed '['"),
    ("(x]", ParseError, 2, "expected ')'"),
    ("(a, b)", ParseError, 2, "expected ')'"),
    ("x +", ParseError, 3, "expected an operand after '+'"),
    ("2 3 +", ParseError, 5, "expected an operand after '+'"),
    ("x^", ParseError, 2, "expected an operand after '^'"),
    ("* x", ParseError, 0, "expected an operand, found '*'"),
    ("('os')", ParseError, 1, "expected an operand, found '''"),
    ("a, b", ParseError, 1, "unexpected ',' after a complete expression"),
    ("x .^ T", ParseError, 2, "use ^T for a transpose"),
    ("x .^ -T", ParseError, 2, "use ^-T"),
    ("[]", ParseError, 0, "empty brackets"),
    ("[[a, b], [c]]", ParseError, 9, "row 2 has 1 entries but row 1 has 2"),
    ("[[a, b], c]", ParseError, 9, "row by row"),
    ("1e999 x", ParseError, 0, "number too large"),
    ("x ||_2", ParseError, 4, "expected an operand"),
    ("x" * (MAX_LENGTH + 1), LimitError, MAX_LENGTH, "longer than 10000 characters"),
]


@pytest.mark.parametrize(("source", "error", "column", "message"), BAD)
def test_bad_input(source: str, error: type[GradcliError], column: int, message: str) -> None:
    with pytest.raises(error) as info:
        parse(source)
    err = info.value
    assert type(err) is error
    assert err.span is not None and err.span.start == column
    assert message in err.message
    assert err.source == source


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("epx(x)", "did you mean exp?"),
        ("lgo(x)", "did you mean log?"),
        ("foo(x + y)", "for a product, put a space: foo (...)"),
        ("ｘ", "did you mean 'x'?"),
        ("|x|", "||a||"),
        ("x; y", "one expression only"),
    ],
)
def test_hints(source: str, hint: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(source)
    assert info.value.hint is not None and hint in info.value.hint


def test_render_shows_source_and_caret() -> None:
    with pytest.raises(ParseError) as info:
        parse("x^T x + epx(y)")
    lines = info.value.render().splitlines()
    assert lines[0] == "syntax error: unknown function 'epx'"
    assert lines[1] == "  x^T x + epx(y)"
    assert lines[2] == "  " + " " * 8 + "^^^"
    assert lines[3] == "hint: did you mean exp?"


DEEP: list[str] = [
    "-" * 5000 + "x",
    "(" * 5000,
    "x^" * 3000 + "2",
    "a'" + "'" * 9000,
    "||" * 3000,
    "[" * 5000,
    "exp(" * 2000,
    "x^-" * 3000 + "x",
    # A flat chain (a+a+...+a) is not a nesting: tests/test_language_words.py.
    "(" * 3000 + "x" + ")" * 3000,
]


@pytest.mark.parametrize("source", DEEP, ids=lambda s: repr(s[:8]))
def test_deep_input_hits_the_limit(source: str) -> None:
    with pytest.raises(LimitError, match="nests deeper than 200 levels") as info:
        parse(source)
    assert info.value.span is not None and 0 <= info.value.span.start <= len(source)


def _with_busy_stack(frames: int, call: Callable[[], Node]) -> Node:
    return call() if frames == 0 else _with_busy_stack(frames - 1, call)


def _nest(opening: str, closing: str, levels: int) -> str:
    return opening * (levels - 1) + "x" + closing * (levels - 1)


AT_LIMIT: list[tuple[str, str]] = [
    ("-" * (MAX_DEPTH - 1) + "x", "-" * MAX_DEPTH + "x"),
    (_nest("(", ")", MAX_DEPTH), _nest("(", ")", MAX_DEPTH + 1)),
    ("x^" * (MAX_DEPTH - 1) + "x", "x^" * MAX_DEPTH + "x"),
    (_nest("exp(", ")", MAX_DEPTH), _nest("exp(", ")", MAX_DEPTH + 1)),
    (_nest("||", "||", MAX_DEPTH), _nest("||", "||", MAX_DEPTH + 1)),
    (_nest("[", "]", MAX_DEPTH), _nest("[", "]", MAX_DEPTH + 1)),
    ("x" + "'" * (MAX_DEPTH - 1), "x" + "'" * MAX_DEPTH),
    # A right operand that is itself an operation nests (a flat chain does not).
    (
        "a+(" * (MAX_DEPTH // 2 - 1) + "a" + ")" * (MAX_DEPTH // 2 - 1),
        "a+(" * 101 + "a" + ")" * 101,
    ),
]


@pytest.mark.parametrize(("source", "one_more"), AT_LIMIT, ids=lambda s: repr(s[:8]))
def test_depth_at_the_limit_parses_even_on_a_busy_stack(source: str, one_more: str) -> None:
    node = _with_busy_stack(sys.getrecursionlimit() // 3, lambda: parse(source))
    assert node.sexpr()
    with pytest.raises(LimitError):
        _with_busy_stack(sys.getrecursionlimit() // 3, lambda: parse(one_more))


def test_constants() -> None:
    assert MAX_LENGTH == 10_000
    assert MAX_DEPTH == 200
    assert parse("x" * MAX_LENGTH).sexpr() == "x" * MAX_LENGTH


LANGUAGE_CHARS = "xyAFT12.5e-+*/@^'ᵀ⁻¹²⊙()[],|_ \n"
WORDS = ["exp", "tr", "sum", "||", "_2", "_F", "^T", "^-1", ".*", "./", ".^", "**", "eye", "T"]


def _parses_or_gradcli_error(source: str) -> None:
    try:
        node = parse(source)
    except GradcliError as err:
        err.render()
        return
    assert isinstance(node, Node)
    node.sexpr()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes(source: str) -> None:
    _parses_or_gradcli_error(source)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=LANGUAGE_CHARS, max_size=40))
def test_language_characters_never_crash(source: str) -> None:
    _parses_or_gradcli_error(source)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS + list("xyA2()[], +-'")), max_size=30))
def test_language_words_never_crash(parts: list[str]) -> None:
    _parses_or_gradcli_error("".join(parts))


@pytest.mark.parametrize(
    ("source", "expected"),
    [("A(x + y)", "(* A (+ x y))"), ("W1(x)", "(* W1 x)"), ("2 A(x)", "(* (* 2 A) x)")],
)
def test_capitalised_name_before_paren_is_a_product(source: str, expected: str) -> None:
    assert parse(source).sexpr() == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "X^T diag(s) X where s = sigmoid(X w)",
            "(where (* (* (T X) (diag s)) X) (s (sigmoid (* X w))))",
        ),
        ("u + v where u = A x, v = A u", "(where (+ u v) (u (* A x)) (v (* A u)))"),
    ],
)
def test_where_names_parts(source: str, expected: str) -> None:
    assert parse(source).sexpr() == expected


@pytest.mark.parametrize(
    ("source", "column", "message"),
    [
        ("x = 1", 2, "unexpected '='"),
        ("x where", 7, "expected a name"),
        ("x where s", 9, "expected '='"),
        ("where", 0, "'where' names parts"),
        ("(x where s = 1)", 3, "expected ')'"),
        ("x where exp = 1", 8, "expected a name"),
    ],
)
def test_where_errors(source: str, column: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(source)
    assert info.value.span is not None and info.value.span.start == column
    assert message in info.value.message
