"""Parse one expression of the gradcli language (SPEC §2) into a syntax tree.

A Pratt parser. ``BINDING_POWER`` is the one table of infix and postfix
operators, loosest first: sums; products (``*``, juxtaposition, ``.*``, ``/``,
``./``), left-associative; then prefix ``-``/``+`` (``PREFIX_POWER``); then
transposes and powers, right-associative. A postfix transpose sits just below
``^`` so that an exponent never swallows it: ``A^-1'`` is ``(A^-1)'``.

Robustness: ``parse`` only ever raises ``GradcliError``. Input is limited to
``MAX_LENGTH`` characters; recursion depth and tree height to ``MAX_DEPTH``, so
later stages may walk the tree recursively.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar

from gradcli.errors import GradcliError, LimitError, ParseError, Span
from gradcli.ir.primitives import canonical
from gradcli.syntax.hints import CALLABLE, FOREIGN, unknown_function_hint
from gradcli.syntax.lexer import Token, TokenKind, tokenize
from gradcli.syntax.tree import (
    ARITY,
    CONSTANTS,
    WHERE,
    Binary,
    Call,
    MatrixLit,
    Name,
    Node,
    Norm,
    Num,
    Power,
    Transpose,
    Unary,
    VectorLit,
    Where,
)

MAX_LENGTH = 10_000
MAX_DEPTH = 200

BINDING_POWER: dict[str, int] = {
    "+": 10,
    "-": 10,
    "*": 20,
    ".*": 20,
    "/": 20,
    "./": 20,
    "'": 39,
    "^": 40,
    ".^": 40,
}
PREFIX_POWER = 30
_PRODUCT = BINDING_POWER["*"]
_EXPONENT = BINDING_POWER["^"] - 1

_K = TokenKind
_OPERAND_START = frozenset({_K.NUMBER, _K.NAME, _K.LPAREN, _K.LBRACKET, _K.NORMBAR})
_OPENER_NAMES = {_K.LPAREN: "'('", _K.LBRACKET: "'['", _K.NORMBAR: "norm"}
_CLOSER_OF = {_K.LPAREN: _K.RPAREN, _K.LBRACKET: _K.RBRACKET, _K.NORMBAR: _K.NORMBAR}
_NO_OPERAND_HINTS = {
    "'": "a transpose goes after what it transposes: x' or x^T",
    "^": "a power goes after its base: x^2",
}
_NESTING = f"expression nests deeper than {MAX_DEPTH} levels"

N = TypeVar("N", bound=Node)


def parse(source: str) -> Node:
    """The syntax tree of ``source``; every error is a ``GradcliError`` carrying ``source``."""
    try:
        if len(source) > MAX_LENGTH:
            raise LimitError(
                f"expression is longer than {MAX_LENGTH} characters",
                Span(MAX_LENGTH, MAX_LENGTH + 1),
            )
        return _Parser(source, tokenize(source)).parse_all()
    except GradcliError as err:
        raise err.with_source(source) from None
    except RecursionError:
        raise LimitError(_NESTING, source=source) from None


def _is_op(tok: Token, text: str) -> bool:
    return tok.kind is _K.OP and tok.text == text


def _is_name(tok: Token, text: str) -> bool:
    return tok.kind is _K.NAME and tok.text == text


def _is_power(tok: Token) -> bool:
    return tok.kind is _K.OP and tok.text in ("^", ".^")


# What a one-argument call of a two-argument function most likely meant.
_TWO_ARGUMENTS = {
    "max": "max(a, b) is the larger of a and b entry by entry, e.g. max(0, x) for relu(x)",
    "min": "min(a, b) is the smaller of a and b entry by entry, e.g. min(0, x) for -relu(-x)",
    "kron": "kron(A, B) is the Kronecker product of two matrices",
}


class _Parser:
    """One use: ``parse_all`` consumes the token list built for ``source``."""

    def __init__(self, source: str, tokens: list[Token]) -> None:
        self._src = source
        self._tokens = tokens
        self._pos = 0
        self._depth = 0
        self._open: list[Token] = []
        self._heights: dict[int, int] = {}
        self._prefix_rules: dict[TokenKind, Callable[[], Node]] = {
            _K.NUMBER: self._number,
            _K.NAME: self._name,
            _K.LPAREN: self._group,
            _K.LBRACKET: self._bracket,
            _K.NORMBAR: self._norm,
        }

    def parse_all(self) -> Node:
        """The whole input as one expression; anything left over is an error."""
        if self._peek().kind is _K.EOF:
            raise ParseError("empty expression", Span(0, 0))
        node = self._expr(0)
        tok = self._peek()
        if tok.kind is _K.NAME and tok.text == WHERE:
            node = self._where(node)
            tok = self._peek()
        if tok.kind is _K.EOF:
            return node
        if tok.kind is _K.OP and tok.text == "=":
            raise ParseError(
                "unexpected '='",
                tok.span,
                hint="give an expression, not an equation; name parts with: EXPR where s = ...",
            )
        if tok.kind in (_K.RPAREN, _K.RBRACKET):
            raise ParseError(f"unmatched {self._quote(tok)}", tok.span)
        hint = "for a vector write [a, b]" if tok.kind is _K.COMMA else None
        raise ParseError(
            f"unexpected {self._quote(tok)} after a complete expression", tok.span, hint=hint
        )

    def _where(self, body: Node) -> Node:
        """``body where s = e1, u = e2``."""
        self._advance()
        bindings: list[tuple[Name, Node]] = []
        while True:
            tok = self._advance()
            if tok.kind is not _K.NAME or tok.text in CALLABLE or tok.text in CONSTANTS:
                raise ParseError("expected a name to define after 'where'", tok.span)
            eq = self._advance()
            if eq.kind is not _K.OP or eq.text != "=":
                raise ParseError(f"expected '=' after {tok.text}", eq.span)
            first = next((n for n, _ in bindings if n.name == tok.text), None)
            if first is not None:
                raise ParseError(
                    f"{tok.text} is defined twice in this where",
                    tok.span,
                    extra_spans=(first.span,),
                    hint="give each part its own name",
                )
            value = self._expr(0)
            bindings.append((Name(tok.span, tok.text), value))
            if self._peek().kind is not _K.COMMA:
                break
            self._advance()
        node = Where(body.span.cover(bindings[-1][1].span), body, tuple(bindings))
        return self._make(node, body, *(v for _, v in bindings), at=node.span)

    # --- token access -------------------------------------------------------------

    def _peek(self, ahead: int = 0) -> Token:
        return self._tokens[min(self._pos + ahead, len(self._tokens) - 1)]

    def _advance(self) -> Token:
        tok = self._peek()
        self._pos = min(self._pos + 1, len(self._tokens) - 1)
        return tok

    def _previous(self) -> Token | None:
        return self._tokens[self._pos - 1] if self._pos > 0 else None

    def _quote(self, tok: Token) -> str:
        if tok.kind is _K.EOF:
            return "the end of the expression"
        return f"'{self._src[tok.span.start : tok.span.end]}'"

    # --- tree building --------------------------------------------------------------

    def _make(self, node: N, *children: Node, at: Span) -> N:
        """Record ``node``'s height; a tree higher than ``MAX_DEPTH`` is a ``LimitError``."""
        height = 1 + max((self._heights[id(c)] for c in children), default=0)
        if height > MAX_DEPTH:
            raise LimitError(_NESTING, at)
        self._heights[id(node)] = height
        return node

    def _widen(self, node: Node, span: Span) -> Node:
        """``node`` with its span grown to include the brackets around it."""
        wider = dataclasses.replace(node, span=span)
        self._heights[id(wider)] = self._heights[id(node)]
        return wider

    # --- the Pratt loop -------------------------------------------------------------

    def _expr(self, rbp: int) -> Node:
        """An expression whose operators all bind tighter than ``rbp``."""
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise LimitError(_NESTING, self._peek().span)
        left = self._prefix_rule(self._peek())()
        while self._lbp(self._peek()) > rbp:
            left = self._infix_rule(self._peek())(left)
        self._depth -= 1
        return left

    def _lbp(self, tok: Token) -> int:
        if tok.kind is _K.OP:
            return BINDING_POWER.get(tok.text, 0)
        if tok.kind is _K.NORMBAR and self._open and self._open[-1].kind is _K.NORMBAR:
            return 0
        if tok.kind is _K.NAME and tok.text == WHERE:
            return 0
        return _PRODUCT if tok.kind in _OPERAND_START else 0

    def _prefix_rule(self, tok: Token) -> Callable[[], Node]:
        if tok.kind is _K.OP and tok.text in ("-", "+"):
            return self._unary
        if tok.kind is _K.NAME and tok.text in CALLABLE:
            return self._call
        if tok.kind is _K.NAME and tok.text == WHERE:
            raise ParseError(
                "'where' names parts of a whole expression: EXPR where s = ...", tok.span
            )
        rule = self._prefix_rules.get(tok.kind)
        if rule is None:
            raise self._no_operand(tok)
        return rule

    def _infix_rule(self, tok: Token) -> Callable[[Node], Node]:
        if tok.kind is not _K.OP:
            return self._juxtapose
        if _is_power(tok):
            return self._power
        return self._transpose if tok.text == "'" else self._binary

    def _no_operand(self, tok: Token) -> ParseError:
        """The error for ``tok`` where an operand should start."""
        prev = self._previous()
        if tok.kind is _K.EOF and prev is not None and prev.kind is _K.OP:
            return ParseError(f"expected an operand after {self._quote(prev)}", tok.span)
        if tok.kind is _K.EOF and self._open:
            return self._unclosed(self._open[-1])
        if tok.kind in (_K.RPAREN, _K.RBRACKET):
            opener = _K.LPAREN if tok.kind is _K.RPAREN else _K.LBRACKET
            if not any(t.kind is opener for t in self._open):
                return ParseError(f"unmatched {self._quote(tok)}", tok.span)
        hint = _NO_OPERAND_HINTS.get(tok.text)
        if tok.kind is _K.SUBSCRIPT:
            hint = "a subscript goes right after a norm: ||x||_2"
        return ParseError(f"expected an operand, found {self._quote(tok)}", tok.span, hint=hint)

    def _unclosed(self, opener: Token) -> ParseError:
        closer = "||" if opener.kind is _K.NORMBAR else _CLOSER_OF[opener.kind].value
        return ParseError(
            f"unclosed {_OPENER_NAMES[opener.kind]}", opener.span, hint=f"close it with {closer}"
        )

    def _close(self, opener: Token) -> Token:
        """Consume the token closing ``opener`` (the innermost open bracket)."""
        tok = self._peek()
        closer = _CLOSER_OF[opener.kind]
        if tok.kind is closer:
            self._open.pop()
            return self._advance()
        if tok.kind is _K.EOF:
            raise self._unclosed(opener)
        hint = "one expression only here; for a vector write [a, b]"
        raise ParseError(
            f"expected {closer.value} to close the {_OPENER_NAMES[opener.kind]}, "
            f"found {self._quote(tok)}",
            tok.span,
            extra_spans=(opener.span,),
            hint=hint if tok.kind is _K.COMMA else None,
        )

    # --- prefix rules ---------------------------------------------------------------

    def _number(self) -> Node:
        tok = self._advance()
        return self._make(Num(tok.span, float(tok.text), tok.text), at=tok.span)

    def _name(self) -> Node:
        """A variable. A name glued to ``(`` that looks like a function (``epx(x)``,
        ``foo(x)``) is an error; ``A(x + y)`` and ``W1(x)`` are products."""
        tok = self._advance()
        nxt = self._peek()
        if nxt.kind is _K.LPAREN and nxt.span.start == tok.span.end and _looks_like_call(tok.text):
            raise self._unknown_function(tok)
        return self._make(Name(tok.span, tok.text), at=tok.span)

    def _unknown_function(self, tok: Token) -> ParseError:
        hint = unknown_function_hint(tok.text)
        return ParseError(f"unknown function '{tok.text}'", tok.span, hint=hint)

    def _call(self) -> Node:
        """``f(arg)`` for a function ``f`` in ``CALLABLE``: exactly one argument."""
        name = self._advance()
        lparen = self._peek()
        if lparen.kind is not _K.LPAREN:
            raise ParseError(f"{name.text} needs an argument: {name.text}(x)", name.span)
        self._advance()
        if self._peek().kind is _K.RPAREN:
            arity = ARITY.get(name.text, 1)
            count = "one argument" if arity == 1 else f"{arity} arguments"
            raise ParseError(f"{name.text} takes {count}", lparen.span.cover(self._peek().span))
        self._open.append(lparen)
        args = [self._expr(0)]
        arity = ARITY.get(name.text, 1)
        while len(args) < arity:
            if self._peek().kind is not _K.COMMA:
                hint = _TWO_ARGUMENTS.get(canonical(name.text))
                raise ParseError(
                    f"{name.text} takes {arity} arguments", self._peek().span, hint=hint
                )
            self._advance()
            args.append(self._expr(0))
        if self._peek().kind is _K.COMMA:
            raise self._extra_argument(name, arity)
        rparen = self._close(lparen)
        func = canonical(name.text)  # an alias reads as its function: trace(X) is tr(X)
        call = Call(name.span.cover(rparen.span), func, tuple(args), name.span)
        return self._make(call, *args, at=name.span)

    def _extra_argument(self, name: Token, arity: int) -> ParseError:
        comma = self._advance()
        span = comma.span
        if self._peek().kind not in (_K.RPAREN, _K.EOF, _K.COMMA):
            span = self._expr(0).span
        count = "one argument" if arity == 1 else f"{arity} arguments"
        return ParseError(f"{name.text} takes {count}", span)

    def _unary(self) -> Node:
        op = self._advance()
        operand = self._expr(PREFIX_POWER)
        return self._make(Unary(op.span.cover(operand.span), op.text, operand), operand, at=op.span)

    def _group(self) -> Node:
        lparen = self._advance()
        self._open.append(lparen)
        inner = self._expr(0)
        rparen = self._close(lparen)
        return self._widen(inner, lparen.span.cover(rparen.span))

    def _norm(self) -> Node:
        """``||e||`` with an optional subscript token right after the closing bar."""
        bar = self._advance()
        self._open.append(bar)
        inner = self._expr(0)
        end = self._close(bar).span
        sub: str | None = None
        sub_span: Span | None = None
        if self._peek().kind is _K.SUBSCRIPT:
            tok = self._advance()
            sub, sub_span, end = tok.text, tok.span, tok.span
        return self._make(Norm(bar.span.cover(end), inner, sub, sub_span), inner, at=bar.span)

    def _bracket(self) -> Node:
        """``[e1, ...]`` is a vector; ``[[a, b], [c, d]]`` a matrix, row by row."""
        lbracket = self._advance()
        if self._peek().kind is _K.RBRACKET:
            span = lbracket.span.cover(self._peek().span)
            raise ParseError("empty brackets: a vector needs at least one entry", span)
        self._open.append(lbracket)
        items = [self._expr(0)]
        while self._peek().kind is _K.COMMA:
            self._advance()
            items.append(self._expr(0))
        span = lbracket.span.cover(self._close(lbracket).span)
        if isinstance(items[0], VectorLit):
            return self._matrix(items, span)
        return self._make(VectorLit(span, tuple(items)), *items, at=lbracket.span)

    def _matrix(self, items: list[Node], span: Span) -> Node:
        rows: list[tuple[Node, ...]] = []
        for k, item in enumerate(items, start=1):
            if not isinstance(item, VectorLit):
                raise ParseError(
                    "a matrix is written row by row: each entry must be a row [...]",
                    item.span,
                    hint="for example [[a, b], [c, d]]",
                )
            if rows and len(item.items) != len(rows[0]):
                msg = f"row {k} has {len(item.items)} entries but row 1 has {len(rows[0])}"
                raise ParseError(msg, item.span)
            rows.append(item.items)
        entries = [e for row in rows for e in row]
        return self._make(
            MatrixLit(span, tuple(rows)), *entries, at=Span(span.start, span.start + 1)
        )

    # --- infix and postfix rules ----------------------------------------------------

    def _binary(self, left: Node) -> Node:
        op = self._advance()
        right = self._expr(BINDING_POWER[op.text])
        node = Binary(left.span.cover(right.span), op.text, left, right, op.span)
        return self._chain(node, left, right, at=op.span)

    def _juxtapose(self, left: Node) -> Node:
        start = self._peek().span.start
        right = self._expr(_PRODUCT)
        node = Binary(left.span.cover(right.span), "*", left, right, Span(start, start + 1))
        return self._chain(node, left, right, at=node.op_span)

    def _chain(self, node: N, left: Node, right: Node, at: Span) -> N:
        """A binary operator: one more level above its right operand only.

        ``a + b + c`` is a chain, not a nesting: its terms sit side by side, so
        a flat sum of 2,000 terms is as deep as one term (every later stage
        walks such chains without recursion). Brackets, signs, powers and a
        right operand that is itself a chain still count."""
        height = max(self._heights[id(left)], 1 + self._heights[id(right)])
        if height > MAX_DEPTH:
            raise LimitError(_NESTING, at)
        self._heights[id(node)] = height
        return node

    def _transpose(self, left: Node) -> Node:
        op = self._advance()
        return self._make(Transpose(left.span.cover(op.span), left), left, at=op.span)

    def _power(self, left: Node) -> Node:
        """``^``/``.^``: ``^T`` and ``^-T`` are transposes; ``^-2`` has a ``Num`` exponent."""
        op = self._advance()
        first, second = self._peek(), self._peek(1)
        if _is_name(first, "T") or (_is_op(first, "-") and _is_name(second, "T")):
            return self._transpose_power(left, op)
        if _is_op(first, "-") and second.kind is _K.NUMBER and not _is_power(self._peek(2)):
            exponent = self._negative_number()
        else:
            exponent = self._expr(_EXPONENT)
        elementwise = op.text == ".^"
        node = Power(left.span.cover(exponent.span), left, exponent, elementwise, op.span)
        return self._make(node, left, exponent, at=op.span)

    def _transpose_power(self, left: Node, op: Token) -> Node:
        """``left^T`` or ``left^-T`` (the tokens after ``op`` are ``T`` or ``- T``)."""
        minus = self._advance() if _is_op(self._peek(), "-") else None
        t = self._advance()
        if op.text == ".^":
            what = "^-T for an inverse transpose" if minus else "^T for a transpose"
            raise ParseError(f"use {what}", op.span.cover(t.span))
        span = left.span.cover(t.span)
        if minus is None:
            return self._make(Transpose(span, left), left, at=op.span)
        num = self._make(Num(minus.span.cover(t.span), -1.0, "-1"), at=minus.span)
        power = self._make(Power(span, left, num, False, op.span), left, num, at=op.span)
        return self._make(Transpose(span, power), power, at=op.span)

    def _negative_number(self) -> Node:
        minus, num = self._advance(), self._advance()
        span = minus.span.cover(num.span)
        return self._make(Num(span, -float(num.text), "-" + num.text), at=span)


def _looks_like_call(name: str) -> bool:
    """A lower-case word of three or more letters, a constant, a near-miss of a
    function, or a function in other letter case (``Tr``, ``EXP``)."""
    if name in CONSTANTS or _close_matches(name, sorted(CALLABLE), n=1):
        return True
    if name.lower() in CALLABLE or name.lower() in CONSTANTS or name.lower() in FOREIGN:
        return True
    return len(name) >= 3 and name.isalpha() and name.islower()


def _close_matches(word: str, choices: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches``, imported only when a name is unknown."""
    import difflib

    return difflib.get_close_matches(word, choices, n=n, cutoff=cutoff)
