"""Tokens, spelling normalisation and character-level errors of the lexer."""

from __future__ import annotations

import pytest

from gradcli.errors import ParseError, Span
from gradcli.syntax.lexer import Token, TokenKind, tokenize

K = TokenKind


def kinds_and_texts(source: str) -> list[tuple[TokenKind, str]]:
    return [(t.kind, t.text) for t in tokenize(source)[:-1]]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x", [(K.NAME, "x")]),
        ("A_1b2", [(K.NAME, "A_1b2")]),
        ("2", [(K.NUMBER, "2")]),
        ("0.5", [(K.NUMBER, "0.5")]),
        (".5", [(K.NUMBER, ".5")]),
        ("2.", [(K.NUMBER, "2.")]),
        ("1e-3", [(K.NUMBER, "1e-3")]),
        ("1E+4", [(K.NUMBER, "1E+4")]),
        ("2x", [(K.NUMBER, "2"), (K.NAME, "x")]),
        ("a@b", [(K.NAME, "a"), (K.OP, "*"), (K.NAME, "b")]),
        ("a*b", [(K.NAME, "a"), (K.OP, "*"), (K.NAME, "b")]),
        ("t**2", [(K.NAME, "t"), (K.OP, "^"), (K.NUMBER, "2")]),
        ("a⊙b", [(K.NAME, "a"), (K.OP, ".*"), (K.NAME, "b")]),
        ("a.*b", [(K.NAME, "a"), (K.OP, ".*"), (K.NAME, "b")]),
        ("a./b", [(K.NAME, "a"), (K.OP, "./"), (K.NAME, "b")]),
        ("a.^2", [(K.NAME, "a"), (K.OP, ".^"), (K.NUMBER, "2")]),
        ("2.*x", [(K.NUMBER, "2"), (K.OP, ".*"), (K.NAME, "x")]),
        ("2./x", [(K.NUMBER, "2"), (K.OP, "./"), (K.NAME, "x")]),
        ("2.^x", [(K.NUMBER, "2"), (K.OP, ".^"), (K.NAME, "x")]),
        ("Aᵀ", [(K.NAME, "A"), (K.OP, "'")]),
        ("A'", [(K.NAME, "A"), (K.OP, "'")]),
        ("A⁻¹", [(K.NAME, "A"), (K.OP, "^"), (K.OP, "-"), (K.NUMBER, "1")]),
        ("A⁻ᵀ", [(K.NAME, "A"), (K.OP, "^"), (K.OP, "-"), (K.NAME, "T")]),
        ("x²", [(K.NAME, "x"), (K.OP, "^"), (K.NUMBER, "2")]),
        ("||x||_2", [(K.NORMBAR, "||"), (K.NAME, "x"), (K.NORMBAR, "||"), (K.SUBSCRIPT, "2")]),
        ("||A||_F", [(K.NORMBAR, "||"), (K.NAME, "A"), (K.NORMBAR, "||"), (K.SUBSCRIPT, "F")]),
        ("||A||_fro", [(K.NORMBAR, "||"), (K.NAME, "A"), (K.NORMBAR, "||"), (K.SUBSCRIPT, "fro")]),
        (
            "[a, (b)]",
            [
                (K.LBRACKET, "["),
                (K.NAME, "a"),
                (K.COMMA, ","),
                (K.LPAREN, "("),
                (K.NAME, "b"),
                (K.RPAREN, ")"),
                (K.RBRACKET, "]"),
            ],
        ),
        (" \t\n x \r\n", [(K.NAME, "x")]),
        (
            "a-+b/c^d",
            [(K.NAME, "a"), (K.OP, "-"), (K.OP, "+"), (K.NAME, "b"), (K.OP, "/")]
            + [(K.NAME, "c"), (K.OP, "^"), (K.NAME, "d")],
        ),
    ],
)
def test_tokens(source: str, expected: list[tuple[TokenKind, str]]) -> None:
    assert kinds_and_texts(source) == expected


def test_spans_point_at_source_and_eof_ends() -> None:
    tokens = tokenize("x  @ 10.5")
    assert tokens == [
        Token(K.NAME, "x", Span(0, 1)),
        Token(K.OP, "*", Span(3, 4)),
        Token(K.NUMBER, "10.5", Span(5, 9)),
        Token(K.EOF, "", Span(9, 9)),
    ]


def test_empty_source_is_just_eof() -> None:
    assert tokenize("   ") == [Token(K.EOF, "", Span(3, 3))]


def test_subscript_span_covers_underscore() -> None:
    sub = tokenize("||x||_F")[3]
    assert sub.span == Span(5, 7)


@pytest.mark.parametrize(
    ("source", "column", "in_message", "in_hint"),
    [
        ("x\x00", 1, "NULL", None),
        ("\x07x", 0, "BELL", None),
        ("x\x1b", 1, "ESCAPE", None),
        ("x\x7f", 1, "DELETE", None),
        ("a\u200bb", 1, "ZERO WIDTH SPACE", "invisible"),
        ("a\u200fb", 1, "RIGHT-TO-LEFT MARK", "invisible"),
        ("\u202ex", 0, "RIGHT-TO-LEFT OVERRIDE", "invisible"),
        ("x\u2066", 1, "LEFT-TO-RIGHT ISOLATE", "invisible"),
        ("\ufeffx", 0, "ZERO WIDTH NO-BREAK SPACE", "invisible"),
        ("2 ｘ", 2, "FULLWIDTH LATIN SMALL LETTER X", "did you mean 'x'?"),
        ("x\u00a0y", 1, "NO-BREAK SPACE", "ordinary space"),
        ("x | y", 2, "VERTICAL LINE", "||a||"),
        ("x; y", 1, "SEMICOLON", "one expression"),
        ('"x"', 0, "QUOTATION MARK", None),
        ("__import__", 0, "LOW LINE", "letter"),
        ("!x", 0, "EXCLAMATION MARK", None),
        ("x # c", 2, "NUMBER SIGN", None),
        ("$x", 0, "DOLLAR SIGN", None),
        ("{x}", 0, "LEFT CURLY BRACKET", "[ ]"),
        ("x}", 1, "RIGHT CURLY BRACKET", "[ ]"),
        ("x % 2", 2, "PERCENT SIGN", None),
        ("x & y", 2, "AMPERSAND", None),
        ("~x", 0, "TILDE", None),
        ("x < y", 2, "LESS-THAN SIGN", None),
        ("x > y", 2, "GREATER-THAN SIGN", None),
        ("x?", 1, "QUESTION MARK", None),
        ("\\alpha", 0, "REVERSE SOLIDUS", "LaTeX"),
        ("`x`", 0, "GRAVE ACCENT", None),
        ("lambda: x", 6, "COLON", None),
        ("A.Tb", 1, "FULL STOP", "transpose"),
        ("α", 0, "GREEK SMALL LETTER ALPHA", "letters"),
        ("x⁻", 1, "SUPERSCRIPT MINUS", "^-1"),
        ("||x|| _2", 6, "LOW LINE", "right after the norm"),
        ("||x||_", 5, "LOW LINE", "subscript"),
    ],
)
def test_bad_characters(source: str, column: int, in_message: str, in_hint: str | None) -> None:
    with pytest.raises(ParseError) as info:
        tokenize(source)
    err = info.value
    assert err.span == Span(column, column + 1)
    assert in_message in err.message
    if in_hint is not None:
        assert err.hint is not None and in_hint in err.hint
    assert err.source == source


@pytest.mark.parametrize("source", ["1e400", "x + 1" + "0" * 400, "2.5E+999"])
def test_number_too_large(source: str) -> None:
    with pytest.raises(ParseError, match="number too large") as info:
        tokenize(source)
    start = source.index("1") if source.startswith("x") else 0
    assert info.value.span == Span(start, len(source))


def test_malformed_number() -> None:
    with pytest.raises(ParseError, match="malformed number") as info:
        tokenize("1.2.3")
    assert info.value.span == Span(0, 4)


@pytest.mark.parametrize("text", ["1e-400", "2.5e-330", "0.1e-323"])
def test_underflow_to_zero_is_an_error(text: str) -> None:
    """A number that is 0 as a double would silently drop a term (docs/language.md)."""
    with pytest.raises(ParseError, match="number too small") as info:
        tokenize(f"{text} t")
    assert info.value.span == Span(0, len(text))


@pytest.mark.parametrize("text", ["0e-400", "0.000e-999", "1e-300", "5e-324"])
def test_zero_and_subnormals_are_accepted(text: str) -> None:
    assert kinds_and_texts(text) == [(K.NUMBER, text)]
