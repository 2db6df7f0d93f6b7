"""Render ``--steps`` derivations: one labelled line per step, in each notation.

The steps themselves come from :mod:`gradcli.calculus.steps`; this module only
writes them, so the text, LaTeX and pretty outputs share one labelling rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gradcli.calculus.steps import Derivation, Step
from gradcli.calculus.vocabulary import Command
from gradcli.ir.nodes import Expr
from gradcli.printers import to_latex, to_text


def step_heads(
    derivations: list[Derivation], show: Callable[[Expr], str], frac: Callable[[str, str], str]
) -> Iterator[tuple[str, Step]]:
    """Each step with its left-hand side: ``frac("f", u)`` for a gradient step
    (just the variable's name when ``u`` is the variable), ``frac(u, x)`` for a
    Jacobian step; ``show`` prints the subexpression ``u``."""
    for d in derivations:
        for st in d.steps:
            yield _label(d, st, show, frac), st


def _label(
    d: Derivation, step: Step, show: Callable[[Expr], str], frac: Callable[[str, str], str]
) -> str:
    target = show(step.target)
    if d.kind is Command.GRAD:
        return frac("f", d.wrt if target == d.wrt else f"({target})")
    return frac(f"({target})", d.wrt)


def steps_text(derivations: list[Derivation]) -> list[str]:
    """One line per step: ``df/d(u) = ...    [rule]``."""
    heads = step_heads(derivations, to_text, lambda a, b: f"d{a}/d{b}")
    return [f"{head} = {to_text(st.value)}    [{st.rule}]" for head, st in heads]


def steps_latex(derivations: list[Derivation]) -> str:
    """One ``aligned`` block, a row per step, the rule as a note."""

    def frac(a: str, b: str) -> str:
        return rf"\frac{{\partial {a}}}{{\partial {b}}}"

    rows = [
        rf"{head} &= {to_latex(st.value)} && \text{{{_latex_text(st.rule)}}}"
        for head, st in step_heads(derivations, to_latex, frac)
    ]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


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
