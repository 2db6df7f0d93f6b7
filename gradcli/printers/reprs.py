"""One-line ``repr`` for the API's results (a REPL, a notebook's plain text).

``<grad of 'x^T A x' w.r.t. x: (A + A^T) x, checked>``: always one line,
shorter than ``REPR_WIDTH``, the source and then the result cut with ``…``.
"""

from __future__ import annotations

from typing import Protocol


class Checked(Protocol):
    """What a status needs of ``gradcli.numeric.CheckResult`` (the check, and
    NumPy with it, load only when a check runs)."""

    @property
    def passed(self) -> bool | None: ...


REPR_WIDTH = 120


def one_line(template: str, source: str, body: str, quote_body: bool = False, **fixed: str) -> str:
    """``template`` filled in, in fewer than ``REPR_WIDTH`` characters: ``{source}``
    (quoted) is cut short (``…``) first, then ``{body}``, to fit; ``fixed``
    fills the other fields as they are."""
    src, text = " ".join(source.split()), " ".join(body.split())

    def build(s: str, b: str) -> str:
        return template.format(source=repr(s), body=repr(b) if quote_body else b, **fixed)

    if len(build(src, text)) >= REPR_WIDTH:
        src = _clip(src, 32)
    room = REPR_WIDTH - 1 - len(build(src, ""))
    line = build(src, _clip(text, max(room, 8)))
    return line if len(line) < REPR_WIDTH else line[: REPR_WIDTH - 3] + "…>"  # long fixed fields


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def check_status(check: Checked | None) -> str:
    """``checked``, ``CHECK FAILED``, ``not checked`` or ``check skipped`` (``--no-check``)."""
    if check is None:
        return "check skipped"
    if check.passed is None:
        return "not checked"
    return "checked" if check.passed else "CHECK FAILED"
