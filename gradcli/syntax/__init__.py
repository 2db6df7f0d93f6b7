"""Source text to syntax tree: ``tokenize`` and ``parse`` (SPEC §2)."""

from gradcli.syntax.lexer import Token, TokenKind, tokenize
from gradcli.syntax.parser import MAX_DEPTH, MAX_LENGTH, parse

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "Token", "TokenKind", "parse", "tokenize"]
