"""Errors a user can cause, each able to point at the fault in the input.

Every error raised for bad input is a ``GradcliError``; the CLI maps it to exit
status 2 and prints ``render()``: the message, the input line and a caret line
under the offending span. Anything else escaping the API is a bug (exit 3).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Half-open character range ``[start, end)`` in the source text."""

    start: int
    end: int

    def cover(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


class GradcliError(Exception):
    """Bad input. ``source`` and ``spans`` let the message point at the fault."""

    kind = "error"

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        *,
        source: str | None = None,
        extra_spans: tuple[Span, ...] = (),
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source
        self.extra_spans = extra_spans
        self.hint = hint

    def with_source(self, source: str) -> GradcliError:
        if self.source is None:
            self.source = source
        return self

    def render(self, label: str = "input") -> str:
        """One screen of text: the message, the input, carets under the fault, a hint."""
        lines = [f"{self.kind}: {self.message}"]
        spans = [s for s in (self.span, *self.extra_spans) if s is not None]
        if self.source is not None and spans:
            shown, offset = _window(self.source, spans)
            lines.append(f"  {shown}")
            lines.append("  " + _caret_line(shown, spans, offset))
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class ParseError(GradcliError):
    """The text is not a well-formed expression."""

    kind = "syntax error"


class ShapeError(GradcliError):
    """Well-formed, but the shapes or kinds do not fit together."""

    kind = "shape error"


class NoRuleError(GradcliError):
    """The derivative exists but has no readable matrix form here."""

    kind = "not supported"


class LimitError(GradcliError):
    """An explicit, documented limit was exceeded."""

    kind = "limit exceeded"


class OptionError(GradcliError):
    """A command-line option is inconsistent or names something invalid."""

    kind = "option error"


_WIDTH = 100


def _window(source: str, spans: list[Span]) -> tuple[str, int]:
    """The part of a long one-line source worth showing, and its offset."""
    text = source.replace("\n", " ").replace("\t", " ")
    text = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    if len(text) <= _WIDTH:
        return text, 0
    first = min(s.start for s in spans)
    start = max(0, min(first - 20, len(text) - _WIDTH))
    return text[start : start + _WIDTH], start


def _caret_line(shown: str, spans: list[Span], offset: int) -> str:
    marks = [" "] * (len(shown) + 1)
    for s in spans:
        lo = max(0, s.start - offset)
        hi = max(lo + 1, min(len(shown) + 1, s.end - offset))
        for i in range(lo, min(hi, len(marks))):
            marks[i] = "^"
    return "".join(marks).rstrip()


_NODE_WORDS = {
    "Vec": "vec(...)",
    "Kron": "kron(...)",
    "Entry": "an entry of a matrix",
    "Block": "a block matrix",
    "DiagPart": "diag(...) of a matrix",
    "Diag": "diag(...) of a vector",
    "Transpose": "a transpose",
}


def describe(node: object) -> str:
    """How a user would name an expression node in a message."""
    name = type(node).__name__
    return _NODE_WORDS.get(name, name.lower())
