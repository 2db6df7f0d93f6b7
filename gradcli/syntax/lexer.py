"""Turn source text into tokens, rejecting every character outside the language.

Spellings are normalised here, so the parser sees one form per operator:
``@`` and ``*`` become ``*``, ``**`` becomes ``^``, ``⊙`` becomes ``.*``, ``ᵀ``
becomes ``'``, and superscripts become explicit powers (``x²`` is ``x ^ 2``,
``A⁻¹`` is ``A ^ - 1``, ``A⁻ᵀ`` is ``A ^ - T``). A token's ``span`` always points
at the characters the user typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from gradcli.errors import GradcliError, ParseError, Span


class TokenKind(Enum):
    """What a token is; the value is how error messages name it."""

    NUMBER = "number"
    NAME = "name"
    OP = "operator"
    LPAREN = "'('"
    RPAREN = "')'"
    LBRACKET = "'['"
    RBRACKET = "']'"
    COMMA = "','"
    NORMBAR = "'||'"
    SUBSCRIPT = "norm subscript"
    EOF = "end of input"


@dataclass(frozen=True)
class Token:
    """One token. ``text`` is normalised: for ``OP`` one of ``+ - * / .* ./ ^ .^ '``;
    for ``SUBSCRIPT`` the word after ``_`` (``"2"`` for ``_2``); for ``EOF`` empty."""

    kind: TokenKind
    text: str
    span: Span


_NUMBER = re.compile(r"(?:[0-9]+(?:\.(?![*/^])[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SUBSCRIPT = re.compile(r"_([0-9]+|[A-Za-z][A-Za-z0-9]*)")
_WHITESPACE = frozenset(" \t\n\r")
_SUPERSCRIPT_DIGITS = {ch: str(i) for i, ch in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
_SUPERSCRIPT_MINUS = "⁻"
_SUPERSCRIPT_T = "ᵀ"

_K = TokenKind
_SYMBOLS: tuple[tuple[str, TokenKind, str], ...] = (
    ("||", _K.NORMBAR, "||"),
    ("**", _K.OP, "^"),
    (".*", _K.OP, ".*"),
    ("./", _K.OP, "./"),
    (".^", _K.OP, ".^"),
    ("*", _K.OP, "*"),
    ("@", _K.OP, "*"),
    ("⊙", _K.OP, ".*"),
    ("+", _K.OP, "+"),
    ("-", _K.OP, "-"),
    ("/", _K.OP, "/"),
    ("^", _K.OP, "^"),
    ("'", _K.OP, "'"),
    (_SUPERSCRIPT_T, _K.OP, "'"),
    ("(", _K.LPAREN, "("),
    (")", _K.RPAREN, ")"),
    ("[", _K.LBRACKET, "["),
    ("]", _K.RBRACKET, "]"),
    (",", _K.COMMA, ","),
    ("=", _K.OP, "="),
)
_SYMBOLS_BY_FIRST: dict[str, tuple[tuple[str, TokenKind, str], ...]] = {
    first: tuple(s for s in _SYMBOLS if s[0][0] == first) for first in {s[0][0] for s in _SYMBOLS}
}

_HINTS: dict[str, str] = {
    "|": "write ||a|| for a norm or abs(a) for absolute values",
    ";": "give one expression only",
    "{": "write vectors and matrices with [ ]: [a, b] or [[a, b], [c, d]]",
    "}": "write vectors and matrices with [ ]: [a, b] or [[a, b], [c, d]]",
    "\\": "write plain text, not LaTeX: for example x^T A x",
    ".": "the element-wise operators are .*, ./ and .^",
    "_": "names start with a letter",
    "⁻": "write ^-1 for an inverse or ^-T for an inverse transpose",
    "−": "did you mean '-'?",
    "×": "for a product write '*' or leave a space",
    "·": "for a product write '*' or leave a space",
    "⋅": "for a product write '*' or leave a space",
}

_CONTROL_NAMES: tuple[str, ...] = (
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "BELL",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "FILE SEPARATOR",
    "GROUP SEPARATOR",
    "RECORD SEPARATOR",
    "UNIT SEPARATOR",
)

_LEXABLE = frozenset("+-*/^'()[],.@|_ ")


def tokenize(source: str) -> list[Token]:
    """The tokens of ``source``, ending with one ``EOF`` token.

    Raises ``ParseError`` (with ``source`` attached) at the first character that is
    not part of the language, or at a malformed or overflowing number.
    """
    try:
        return _Lexer(source).run()
    except GradcliError as err:
        raise err.with_source(source) from None


def char_description(ch: str) -> str:
    """``'=' (EQUALS SIGN)``, ``'ｘ' (U+FF58 FULLWIDTH ...)`` or ``U+200B (ZERO WIDTH SPACE)``."""
    code = ord(ch)
    name = unicodedata.name(ch, "")
    if not name and code < len(_CONTROL_NAMES):
        name = _CONTROL_NAMES[code]
    elif not name and code == 0x7F:
        name = "DELETE"
    if code < 0x80 and ch.isprintable():
        return f"'{ch}' ({name})"
    label = f"U+{code:04X} {name}".rstrip()
    category = unicodedata.category(ch)
    if ch.isprintable() and category[0] not in "MZ":
        return f"'{ch}' ({label})"
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def bad_character(source: str, index: int) -> ParseError:
    """The error for the character at ``index``, which the language does not accept."""
    ch = source[index]
    category = unicodedata.category(ch)
    what = "unexpected character"
    hint = _HINTS.get(ch)
    if category == "Cc":
        what = "unexpected control character"
    elif category == "Cf":
        what = "unexpected invisible character"
        hint = "delete it: it is invisible but it is there (often pasted along with text)"
    elif category[0] == "Z":
        what = "unexpected space character"
        hint = "use an ordinary space"
    elif ch == "." and source[index + 1 : index + 2] == "T":
        hint = "for a transpose write x^T or x'"
    elif hint is None:
        hint = _compatibility_hint(ch)
    if hint is None and ch.isalpha():
        hint = "names use the letters A-Z and a-z, digits and _"
    return ParseError(f"{what} {char_description(ch)}", Span(index, index + 1), hint=hint)


def _is_digit(text: str) -> bool:
    return len(text) == 1 and "0" <= text <= "9"


def _compatibility_hint(ch: str) -> str | None:
    """``did you mean 'x'?`` for a full-width or other compatibility form of ASCII text."""
    plain = unicodedata.normalize("NFKC", ch)
    if (
        plain == ch
        or not plain
        or not all(c.isascii() and (c.isalnum() or c in _LEXABLE) for c in plain)
    ):
        return None
    return f"did you mean '{plain}'?"


class _Lexer:
    """A single left-to-right scan; each step consumes at least one character."""

    def __init__(self, source: str) -> None:
        self._src = source
        self._tokens: list[Token] = []

    def run(self) -> list[Token]:
        i, n = 0, len(self._src)
        while i < n:
            i = self._step(i)
        self._tokens.append(Token(TokenKind.EOF, "", Span(n, n)))
        return self._tokens

    def _step(self, i: int) -> int:
        """Consume the token (or whitespace) at ``i``; return the index after it."""
        src = self._src
        ch = src[i]
        if ch in _WHITESPACE:
            return i + 1
        if _is_digit(ch) or (ch == "." and _is_digit(src[i + 1 : i + 2])):
            return self._number(i)
        if ch.isascii() and ch.isalpha():
            return self._name(i)
        if ch == "_":
            return self._subscript(i)
        if ch in _SUPERSCRIPT_DIGITS or ch == _SUPERSCRIPT_MINUS:
            return self._superscript(i)
        if ch == "." and self._numpy_transpose(i):
            return self._emit(TokenKind.OP, "'", i, i + 2)
        for text, kind, norm in _SYMBOLS_BY_FIRST.get(ch, ()):
            if src.startswith(text, i):
                return self._emit(kind, norm, i, i + len(text))
        raise bad_character(src, i)

    def _numpy_transpose(self, i: int) -> bool:
        """NumPy's ``x.T``: a ``.T`` glued to an operand and not followed by more
        of a name (``x.Tw`` stays an error)."""
        src, prev = self._src, self._tokens[-1] if self._tokens else None
        glued = prev is not None and prev.span.end == i
        operand_end = prev is not None and prev.kind in (TokenKind.NAME, TokenKind.RPAREN)
        after = src[i + 2 : i + 3]
        ends = not (after.isascii() and (after.isalnum() or after == "_"))
        return src[i + 1 : i + 2] == "T" and glued and operand_end and ends

    def _emit(self, kind: TokenKind, text: str, start: int, end: int) -> int:
        self._tokens.append(Token(kind, text, Span(start, end)))
        return end

    def _number(self, i: int) -> int:
        match = _NUMBER.match(self._src, i)
        assert match is not None
        end = match.end()
        if self._src[end : end + 1] == "." and _is_digit(self._src[end + 1 : end + 2]):
            raise ParseError(
                "malformed number", Span(i, end + 1), hint="a number has at most one '.'"
            )
        if float(match.group()) == float("inf"):
            raise ParseError("number too large", Span(i, end))
        if float(match.group()) == 0 and any(
            c in "123456789" for c in match.group().split("e")[0].split("E")[0]
        ):
            raise ParseError(
                f"number too small: {match.group()} is 0 as a double",
                Span(i, end),
                hint="a number must be 0 or at least about 5e-324 in size; scale the expression",
            )
        return self._emit(TokenKind.NUMBER, match.group(), i, end)

    def _name(self, i: int) -> int:
        match = _NAME.match(self._src, i)
        assert match is not None
        return self._emit(TokenKind.NAME, match.group(), i, match.end())

    def _subscript(self, i: int) -> int:
        """``_2`` or ``_F`` right after a ``||``; any other ``_`` is an error."""
        prev = self._tokens[-1] if self._tokens else None
        after_bar = prev is not None and prev.kind is TokenKind.NORMBAR and prev.span.end == i
        match = _SUBSCRIPT.match(self._src, i)
        if after_bar and match is not None:
            return self._emit(TokenKind.SUBSCRIPT, match.group(1), i, match.end())
        err = bad_character(self._src, i)
        if after_bar:
            err.hint = "a norm subscript is a number or a word: ||x||_2, ||A||_F"
        elif prev is not None and prev.kind is TokenKind.NORMBAR:
            err.hint = "write the subscript right after the norm: ||x||_2"
        raise err

    def _superscript(self, i: int) -> int:
        """``²`` → ``^ 2``; ``⁻¹`` → ``^ - 1``; ``⁻ᵀ`` → ``^ - T``."""
        src, j = self._src, i
        if src[j] == _SUPERSCRIPT_MINUS:
            j += 1
        if j > i and src[j : j + 1] == _SUPERSCRIPT_T:
            self._emit(TokenKind.OP, "^", i, j)
            self._emit(TokenKind.OP, "-", i, j)
            return self._emit(TokenKind.NAME, "T", j, j + 1)
        k = j
        while k < len(src) and src[k] in _SUPERSCRIPT_DIGITS:
            k += 1
        if k == j:
            raise bad_character(src, i)
        self._emit(TokenKind.OP, "^", i, i + 1)
        if j > i:
            self._emit(TokenKind.OP, "-", i, j)
        digits = "".join(_SUPERSCRIPT_DIGITS[c] for c in src[j:k])
        return self._emit(TokenKind.NUMBER, digits, j, k)
