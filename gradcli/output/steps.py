"""Render ``--steps`` derivations: one labelled line per step, in each notation.

The steps themselves come from :mod:`gradcli.calculus.steps`; this module only
writes them, so the text, LaTeX and pretty outputs share one labelling rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gradcli.api import where_form, worth_sharing
from gradcli.calculus.steps import Derivation, Step
from gradcli.calculus.vocabulary import Command
from gradcli.ir.nodes import Expr, free_vars
from gradcli.printers import to_latex, to_text
from gradcli.simplify.shared import name_shared


def step_lines(
    derivations: list[Derivation], show: Callable[[Expr], str], frac: Callable[[str, str], str]
) -> Iterator[tuple[str, Step | None]]:
    """Each step with its left-hand side: ``frac("f", u)`` for a gradient step
    (just the variable's name when ``u`` is the variable), ``frac(u, x)`` for a
    Jacobian step; ``show`` prints the subexpression ``u``. A part's heading
    comes first, as ``(heading, None)``."""
    for d in derivations:
        if d.heading:
            yield d.heading, None
        for st in d.steps:
            yield _label(d, st, show, frac), st


def _label(
    d: Derivation, step: Step, show: Callable[[Expr], str], frac: Callable[[str, str], str]
) -> str:
    target = show(step.target)
    if d.kind is Command.GRAD:
        head = frac("f", d.wrt if target == d.wrt else f"({target})")
    else:
        head = frac(f"({target})", d.wrt)
    return f"{head} ({step.label})" if step.label else head


def shown_value(
    step: Step,
    taken: set[str],
    show: Callable[[Expr], str],
    word: str = " where ",
    sep: str = ", ",
) -> str:
    """The step's value; when it is long and repeats a part, with that part
    named: ``X^T diag(s .* (1 - s)) X where s = sigmoid(X w)``."""
    (body,), where = name_shared([step.value], taken)
    plain = show(step.value)
    if not where or not worth_sharing(to_text(step.value), where_form(body, where, to_text)):
        return plain
    return where_form(body, where, show, word, sep)


def taken_names(derivations: list[Derivation]) -> set[str]:
    """Every variable's name in the steps, which a ``where`` name must not reuse."""
    return {
        v.name
        for d in derivations
        for st in d.steps
        for e in (st.target, st.value)
        for v in free_vars(e)
    }


def steps_text(derivations: list[Derivation]) -> list[str]:
    """One line per step: ``df/d(u) = ...    [rule]``; a heading line before a part
    that has one."""
    taken = taken_names(derivations)
    lines = step_lines(derivations, to_text, lambda a, b: f"d{a}/d{b}")
    return [
        head if st is None else f"{head} = {shown_value(st, taken, to_text)}    [{st.rule}]"
        for head, st in lines
    ]


def steps_latex(derivations: list[Derivation]) -> str:
    """One ``aligned`` block, a row per step, the rule as a note; a heading is a
    row of text."""

    def frac(a: str, b: str) -> str:
        return rf"\frac{{\partial {a}}}{{\partial {b}}}"

    taken = taken_names(derivations)
    where, sep = r" \quad \text{where } ", r", \; "
    rows = [
        rf"& \text{{{_latex_text(head)}}}"
        if st is None
        else rf"{_latex_head(head, st)} &= {shown_value(st, taken, to_latex, where, sep)} "
        rf"&& \text{{{_latex_text(st.rule)}}}"
        for head, st in step_lines(derivations, to_latex, frac)
    ]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def _latex_head(head: str, step: Step) -> str:
    """The step's label (``(unconstrained)``) after the fraction, as text."""
    if not step.label:
        return head
    frac = head.removesuffix(f" ({step.label})")
    return rf"{frac} \text{{ ({_latex_text(step.label)})}}"


def _latex_text(text: str) -> str:
    special = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "_": r"\_",
        "^": r"\textasciicircum{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "|": r"\textbar{}",
    }
    return "".join(special.get(ch, ch) for ch in text)
