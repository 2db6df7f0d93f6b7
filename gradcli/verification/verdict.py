"""``verify``: is a claimed derivative right, and if not, where does it go wrong?

The claim is parsed in the same language, type-checked together with the
expression (so ``A`` means the same matrix in both), compared in shape with
the true derivative, then checked against finite differences of the
expression itself, at random points inside its domain, with non-symmetric
matrices unless declared (so a missing transpose shows). When it is wrong the
verdict carries the true derivative, a concrete point, both values and, where
one fits, a diagnosis of the mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradcli.api import Derivation, Names, analyse_typed, declarations, set_up
from gradcli.api import resolve_wrt as _resolve_wrt
from gradcli.api import split_names as _names
from gradcli.calculus.drivers import Command, Layout
from gradcli.errors import GradcliError, OptionError
from gradcli.ir import build as B
from gradcli.ir.dims import shape_words
from gradcli.ir.nodes import Expr, Var, free_vars
from gradcli.numeric.check import CheckResult, Mode, check_derivative, check_values
from gradcli.numeric.evaluate import evaluate
from gradcli.output.formats import Format
from gradcli.printers import to_text
from gradcli.simplify import simplify
from gradcli.syntax import parse
from gradcli.syntax.dimensions import ONE_TOK, TShape
from gradcli.syntax.tree import Node
from gradcli.verification.assumed import find_assumed_only
from gradcli.verification.claim import typecheck_claim
from gradcli.verification.diagnose import add_finder, diagnose, diagnose_shape, diagnose_tied
from gradcli.verification.hand import tied_sizes
from gradcli.verification.problem import Diagnosis, sizes_for

# "right only when sum(y) = 1 (declare --simplex y)": tried after the other finders.
add_finder(find_assumed_only, assumption=True)

COUNTEREXAMPLE_SIZE = 4  # small dimensions, so a counterexample can be read

# The check's Mode names the same three derivatives as Command, by value.
_MODE = {c: Mode(c.value) for c in Command}


@dataclass
class Verdict:
    """``correct`` or ``wrong``, with the evidence."""

    verdict: str
    claim: str
    claim_text: str
    reason: str
    derivation: Derivation
    check: CheckResult | None
    diagnosis: Diagnosis | None = None
    counterexample: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "claim": {"source": self.claim, "text": self.claim_text},
            "reason": self.reason,
            "diagnosis": self.diagnosis.to_json() if self.diagnosis else None,
        }
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
        return out

    def __repr__(self) -> str:
        """One line: ``<wrong: '2 A x' is not the grad of 'x^T A x' w.r.t. x>``."""
        from gradcli.printers.reprs import one_line

        d = self.derivation
        return one_line(
            "<{verdict}: {body} is{no} the {command} of {source} w.r.t. {wrt}>",
            d.source,
            self.claim,
            quote_body=True,
            verdict=self.verdict,
            no="" if self.correct else " not",
            command=d.command.value,
            wrt=", ".join(r.wrt for r in d.results),
        )

    def __str__(self) -> str:
        """The text form, as ``gradcli verify -f text`` prints it."""
        return self.lines(Format.TEXT)

    def lines(self, fmt: Format) -> str:
        """The verdict in a line format other than JSON: the verdict first,
        then the evidence (code formats put it in comments)."""
        code = fmt in (Format.NUMPY, Format.ARRAY_API)
        prefix = "# " if code else ""
        lines = [f"{prefix}{self.verdict}: {self.reason}"]
        if self.diagnosis:
            lines.append(f"{prefix}diagnosis: {self.diagnosis}")
            if self.diagnosis.step:
                lines.append(f"{prefix}step: {self.diagnosis.step}")
        if not self.correct:
            for r in self.derivation.results:
                shown = {
                    Format.LATEX: r.latex,
                    Format.NUMPY: r.numpy,
                    Format.ARRAY_API: r.array_api,
                }
                lines.append(shown[fmt] if code else f"true: {shown.get(fmt, r.text)}")
        ex = self.counterexample
        if ex and "point" in ex and fmt is not Format.LATEX:
            point = ", ".join(f"{k} = {_compact(val)}" for k, val in ex["point"].items())
            lines.append(f"{prefix}at: {point}")
            lines.append(f"{prefix}true value:    {_compact(ex['true'])}")
            lines.append(f"{prefix}claimed value: {_compact(ex['claim'])}")
        return "\n".join(lines)


TargetFn = Callable[
    [Callable[[str], TShape | None], TShape, Callable[[int], int], Callable[[int, int], int]],
    TShape | None,
]


def _size_tok(s: TShape, product: Callable[[int, int], int]) -> int:
    """The dimension of ``vec`` of a value of shape ``s``."""
    if s.cols == ONE_TOK:
        return s.rows
    if s.rows == ONE_TOK:
        return s.cols
    return product(s.cols, s.rows)


def _target(command: Command, wrt: list[str], layout: Layout) -> TargetFn:
    """The expected shape of the claim, from the type checker's variables."""

    def target(
        var_shape: Callable[[str], TShape | None],
        f_shape: TShape,
        fresh: Callable[[int], int],
        product: Callable[[int, int], int],
    ) -> TShape | None:
        shapes = [var_shape(n) for n in wrt]
        known = [s for s in shapes if s is not None]
        if len(known) != len(shapes) or not known:
            return None
        if command is Command.GRAD and len(known) == 1:
            return known[0]
        if len(known) > 1 and all(s.is_scalar for s in known):
            x_size = fresh(len(known))
        elif len(known) == 1:
            x_size = _size_tok(known[0], product)
        else:
            return None
        if command is Command.GRAD:
            return TShape(x_size, ONE_TOK)
        if command is Command.HESSIAN:
            return TShape(x_size, x_size)
        f_size = _size_tok(f_shape, product)
        if layout is Layout.DENOMINATOR:
            return TShape(x_size, f_size)
        return TShape(f_size, x_size)

    return target


def verify(
    claim: str,
    of: str,
    wrt: Names = None,
    *,
    command: Command | str = Command.GRAD,
    scalar: Names = None,
    vector: Names = None,
    matrix: Names = None,
    symmetric: Names = None,
    square: Names = None,
    simplex: Names = None,
    onehot: Names = None,
    orthogonal: Names = None,
    diagonal: Names = None,
    spd: Names = None,
    positive: Names = None,
    layout: Layout | str = Layout.NUMERATOR,
    seed: int | None = None,
) -> Verdict:
    """Check ``claim`` as the gradient (Jacobian, Hessian) of ``of`` w.r.t. ``wrt``."""
    command, layout = Command(command), Layout(layout)
    decls = declarations(
        scalar, vector, matrix, symmetric, square=square, simplex=simplex, onehot=onehot,
        orthogonal=orthogonal, diagonal=diagonal, spd=spd, positive=positive,
    )  # fmt: skip
    tree = _parse(of)
    claim_tree = _parse(claim)
    names = _names(wrt)
    joint = typecheck_claim(tree, of, claim_tree, claim, decls, _target(command, names, layout))
    f, variables, c = joint.typed.expr, joint.typed.variables, joint.claim
    extra = sorted(n for n in _names_in(c) if n not in _names_in(f))
    if extra:
        raise OptionError(
            f"the claim uses {', '.join(extra)}, which the expression does not contain"
        )
    wrt_vars = _resolve_wrt(names or None, variables, of, decls, joint.typed.where_names)
    several = command is not Command.HESSIAN and len(wrt_vars) > 1  # a Hessian is one block matrix
    if several and not all(v.is_scalar for v in wrt_vars):
        raise OptionError(
            "verify checks one claim: give one --wrt variable, or several scalars "
            "(their gradient is one stacked vector); verify each variable separately"
        )
    if command is not Command.JACOBIAN and not f.is_scalar:
        raise OptionError(f"{command.value} needs a scalar expression; use --jacobian")
    targets, deriv = set_up(command, of, f, variables, joint.typed.notes, wrt_vars, layout, seed)
    seed = deriv.seed
    claim_text = to_text(c)
    if _both_zero(c, targets[0].expr if targets else None):
        return Verdict("correct", claim, claim_text, "both are zero", deriv, None)
    if not joint.shape_ok or len(targets) != 1 or c.shape != targets[0].expr.shape:
        want = joint.expected or shape_words(targets[0].expr.shape)
        got = shape_words(c.shape)
        reason = f"the claim has the wrong shape: expected {want}, the claim is {got}"
        example = {"expected_shape": want, "claim_shape": got}
        diagnosis = None
        if len(targets) == 1:
            true = targets[0].expr
            diagnosis = diagnose_shape(command, f, c, true, variables, wrt_vars, seed)
        return Verdict("wrong", claim, claim_text, reason, deriv, None, diagnosis, example)
    gradient = targets[0].gradient if command is Command.HESSIAN else None
    check = check_derivative(
        f,
        wrt_vars,
        [c],
        _MODE[command],
        seed=seed,
        gradient=gradient,
        denominator=layout is Layout.DENOMINATOR,
        max_size=COUNTEREXAMPLE_SIZE,
    )
    deriv.check = check
    tie = tied_sizes(analyse_typed(of, decls).variables, variables)
    if tie is not None:
        return _tied(tie, claim, claim_text, deriv, check, (f, c, targets[0].expr), wrt_vars)
    if check.passed:
        asymmetric = _not_symmetric(c, wrt_vars, variables, seed)
        if asymmetric is not None:
            reason, where = asymmetric
            example = _counterexample(where)
            example["true"] = _value_at(targets[0].expr, where, [f, c])
            name = wrt_vars[0].name
            message = f"the gradient w.r.t. the symmetric {name} is {SYMMETRIC_PART}"
            symmetric = Diagnosis(message, "symmetric_part", name)
            return Verdict("wrong", claim, claim_text, reason, deriv, check, symmetric, example)
        return Verdict(
            "correct", claim, claim_text, "it agrees with finite differences", deriv, check
        )
    if check.passed is None:
        if B.is_zero(simplify(B.sub(c, targets[0].expr))):
            same = "it equals the derivative symbolically (not checked numerically: "
            same += f"{check.reason})"
            return Verdict("correct", claim, claim_text, same, deriv, check)
        raise GradcliError(
            f"cannot decide: {check.reason}",
            hint="the expression must be defined somewhere for the claim to be checked",
        )
    example = _counterexample(check)
    diagnosis = diagnose(command, f, c, targets[0].expr, check, variables, wrt_vars, layout)
    reason = "it disagrees with finite differences of the expression"
    return Verdict("wrong", claim, claim_text, reason, deriv, check, diagnosis, example)


def _tied(
    tie: Diagnosis,
    claim: str,
    claim_text: str,
    deriv: Derivation,
    check: CheckResult,
    exprs: tuple[Expr, Expr, Expr],
    wrt: list[Var],
) -> Verdict:
    """A claim that needs sizes the expression leaves free is of the wrong
    shape; the values under those sizes give the counterexample."""
    f, c, true = exprs
    needs = tie.message.split(";")[0].removeprefix("the claim ")
    reason = f"the claim has the wrong shape: it {needs}"
    found = diagnose_tied(tie, deriv.command, f, c, true, deriv.variables, wrt, deriv.seed)
    example = _counterexample(check) if check.passed is False else {}
    example.update(expected_shape=shape_words(true.shape), claim_shape=shape_words(c.shape))
    return Verdict("wrong", claim, claim_text, reason, deriv, check, found, example)


def _compact(value: Any) -> str:
    """A value on one line, rounded to 4 significant digits."""
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


SYMMETRIC_PART = "the symmetric part (G + G^T)/2 of the claim G"


def _not_symmetric(
    claim: Expr, wrt: list[Var], variables: dict[str, Var], seed: int
) -> tuple[str, CheckResult] | None:
    """A gradient w.r.t. a symmetric variable must itself be symmetric (SPEC:
    ``(G + G^T)/2``); the check perturbs symmetrically and cannot see this."""
    if len(wrt) != 1 or not wrt[0].symmetric or not claim.shape.is_square:
        return None
    same = check_values(
        B.transpose(claim),
        claim,
        list(variables.values()),
        seed=seed,
        max_size=COUNTEREXAMPLE_SIZE,
    )
    if same.passed is False:
        reason = (
            f"the gradient w.r.t. the symmetric {wrt[0].name} is a symmetric matrix, "
            "and the claim is not symmetric"
        )
        return reason, same
    return None


def _both_zero(claim: Expr, true: Expr | None) -> bool:
    """A zero claimed for a zero derivative of the same kind (the size of ``0 ones``
    cannot be tied to a variable the expression does not contain)."""
    if true is None or not B.is_zero(true) or not B.is_zero(simplify(claim)):
        return False
    kinds = [(s.is_scalar, s.is_vector, s.is_row) for s in (claim.shape, true.shape)]
    return kinds[0] == kinds[1]


def _parse(source: str) -> Node:
    try:
        return parse(source)
    except GradcliError as err:
        raise err.with_source(source) from None


def _names_in(e: Expr) -> set[str]:
    return {v.name for v in free_vars(e)}


def _array(a: np.ndarray) -> Any:
    a = np.asarray(a, dtype=float)
    if a.shape == (1, 1):
        return round(float(a[0, 0]), 6)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    return np.round(a, 6).tolist()


def _value_at(e: Expr, where: CheckResult, context: list[Expr]) -> Any:
    sizes = sizes_for([e, *context], where.dims)
    return _array(evaluate(e, where.point or {}, sizes))


def _counterexample(check: CheckResult) -> dict[str, Any]:
    return {
        "point": {k: _array(v) for k, v in (check.point or {}).items()},
        "dims": dict(check.dims),
        "true": _array(check.expected) if check.expected is not None else None,
        "claim": _array(check.got) if check.got is not None else None,
    }
