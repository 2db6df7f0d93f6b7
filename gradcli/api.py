"""The Python API: parse -> typecheck -> derive -> simplify -> check -> Result.

    >>> import gradcli
    >>> gradcli.grad("x^T A x", wrt="x", seed=1).text
    '(A + A^T) x'

Everything the command line does goes through these functions.

Over 500 lines: every declaration (the kinds and the seven assumptions) is a
keyword of ``derive``, spelled out, because batch requests find their keys by
reading its signature; the pipeline they feed stays in one place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from gradcli.calculus.drivers import Command, Layout, Target, derivative_results
from gradcli.errors import GradcliError, LimitError, OptionError, ShapeError, Span

if TYPE_CHECKING:
    from gradcli.calculus.steps import Derivation as StepsFor
    from gradcli.numeric.check import CheckResult
    from gradcli.numeric.expand import Expanded
from gradcli.ir.dims import ONE, SCALAR, Dim, Kind, Shape, shape_words
from gradcli.ir.nodes import Expr, Var, free_vars, size, tree_size, walk
from gradcli.output.formats import Format as Format  # re-exported: gradcli.api.Format
from gradcli.printers import (
    to_array_api,
    to_latex,
    to_numpy,
    to_text,
    to_text_where,
    to_unicode,
)
from gradcli.printers.numpy import free_sizes, python_name
from gradcli.printers.reprs import check_status, one_line
from gradcli.printers.sizes import dim_words
from gradcli.simplify import present, simplify
from gradcli.simplify.assumed import assuming
from gradcli.simplify.shared import name_shared
from gradcli.simplify.zero import is_candidate, vanish_zeros
from gradcli.syntax import parse
from gradcli.syntax.declarations import ASSUMPTIONS, IDENT, Declarations
from gradcli.syntax.scalar_hint import scalar_hint
from gradcli.syntax.typecheck import Typed, typecheck

Names = str | Iterable[str] | None
MAX_RESULT_NODES = 20_000
LONG_PLAIN = 2_000  # parts, written out without names: always named


@dataclass
class Result:
    """One derivative: ``expr`` is ∂f/∂``wrt`` in the chosen layout."""

    wrt: str
    expr: Expr
    layout: Layout
    dim_code: dict[Dim, str]
    label: str = ""
    expanded: Expanded | None = None
    matrix: bool = False
    like: str | None = None  # the variable whose dtype and device array-API code copies
    dim_text: dict[Dim, str] = field(default_factory=dict)  # len(x) for each size in text
    names: frozenset[str] = frozenset()  # the input's variables: no size takes their names

    @property
    def shape(self) -> Shape:
        return self.expr.shape

    @property
    def shape_list(self) -> list[str]:
        """The shape as NumPy would give it: ``[]``, ``["n"]``, ``["n", "m"]``; a
        Jacobian or Hessian is always a matrix (``m x 1`` w.r.t. one scalar)."""
        s = self.shape
        if self.matrix:
            return [str(s.rows), str(s.cols)]
        if s.is_scalar:
            return []
        return [str(s.rows)] if s.is_vector else [str(s.rows), str(s.cols)]

    @cached_property
    def shared(self) -> tuple[Expr, list[tuple[Var, Expr]]]:
        """The result with its repeated parts named (``where s = ...``), when that
        makes it markedly shorter; otherwise the result and no names."""
        taken = {v.name for v in free_vars(self.expr)}
        (body,), where = name_shared([self.expr], taken)
        if where and (
            tree_size(self.expr, LONG_PLAIN) > LONG_PLAIN  # never print it all out
            or worth_sharing(to_text(self.expr), where_form(body, where, to_text))
        ):
            return body, where
        return self.expr, []

    @property
    def text(self) -> str:
        if self.expanded:
            return self.expanded.text
        return to_text_where(*self.shared, self.dim_text, self.names)

    @property
    def latex(self) -> str:
        if self.expanded:
            return self.expanded.latex
        return where_form(*self.shared, to_latex, r" \quad \text{where } ", r", \; ")

    @property
    def unicode(self) -> str:
        return where_form(*self.shared, to_unicode)

    @property
    def numpy(self) -> str:
        code = to_numpy(self.expr, self.dim_code)
        if self.matrix and self.shape.is_vector:
            return f"np.reshape({code}, (-1, 1))"
        if self.matrix and self.shape.is_scalar:
            return f"np.reshape({code}, (1, 1))"
        return code

    @property
    def array_api(self) -> str:
        """The ``numpy`` form written against the array API standard, over ``xp``."""
        code = to_array_api(self.expr, self.dim_code, self.like)
        if self.matrix and self.shape.is_vector:
            return f"xp.reshape({code}, (-1, 1))"
        if self.matrix and self.shape.is_scalar:
            return f"xp.reshape({code}, (1, 1))"
        return code

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex}$"

    def __repr__(self) -> str:
        """One line: ``<result w.r.t. x, shape (n,): (A + A^T) x>``."""
        shape = "(" + ", ".join(self.shape_list) + ("," if len(self.shape_list) == 1 else "") + ")"
        return one_line(
            "<result w.r.t. {wrt}, shape {shape}: {body}>", "", self.text, wrt=self.wrt, shape=shape
        )

    def __str__(self) -> str:
        return self.text


def where_form(
    body: Expr,
    where: list[tuple[Var, Expr]],
    show: Callable[[Expr], str],
    word: str = " where ",
    sep: str = ", ",
) -> str:
    """``body where v = e, ...`` in the notation ``show`` prints (results and steps)."""
    if not where:
        return show(body)
    return show(body) + word + sep.join(f"{v.name} = {show(e)}" for v, e in where)


def worth_sharing(plain: str, named: str) -> bool:
    """Name shared parts only when it saves a tenth of the tokens of a long result."""
    return len(plain) > 60 and len(_TOKEN.findall(named)) <= 0.9 * len(_TOKEN.findall(plain))


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+\.?\d*(?:[eE][-+]?\d+)?|\.[*/^]|\|\||\S")


@dataclass
class Derivation:
    """What a command computed: the input, its variables, the results and the check."""

    command: Command
    source: str
    input: Expr
    variables: dict[str, Var]
    results: list[Result]
    check: CheckResult | None
    seed: int
    notes: list[str] = field(default_factory=list)
    steps: list[StepsFor] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.results)

    @property
    def latex(self) -> str:
        return "\n".join(r.latex for r in self.results)

    @property
    def numpy(self) -> str:
        return "\n".join(r.numpy for r in self.results)

    @property
    def array_api(self) -> str:
        return "\n".join(r.array_api for r in self.results)

    def _repr_latex_(self) -> str:
        return "$\\displaystyle " + r" \\ ".join(r.latex for r in self.results) + "$"

    def __repr__(self) -> str:
        """One line: ``<grad of 'x^T A x' w.r.t. x: (A + A^T) x, checked>``."""
        return one_line(
            "<{command} of {source} w.r.t. {wrt}: {body}, {status}>",
            self.source,
            "; ".join(r.text for r in self.results),
            command=self.command.value,
            wrt=", ".join(r.wrt for r in self.results),
            status=check_status(self.check),
        )

    def __str__(self) -> str:
        return self.text


def split_names(value: Names) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        out.extend(p.strip() for p in item.split(",") if p.strip())
    return out


def declarations(
    scalar: Names = None,
    vector: Names = None,
    matrix: Names = None,
    symmetric: Names = None,
    **assumed: Names,
) -> Declarations:
    """The declarations of the API's keyword arguments; ``assumed`` maps an
    assumption (``simplex=``, ``positive=``, ...: ``ASSUMPTIONS``) to names."""
    return Declarations(
        set(split_names(scalar)),
        set(split_names(vector)),
        set(split_names(matrix)),
        set(split_names(symmetric)),
        {a: set(split_names(assumed.get(a))) for a in ASSUMPTIONS if assumed.get(a)},
    )


def analyse(source: str, decls: Declarations) -> tuple[Expr, dict[str, Var], list[str]]:
    """Parse and type-check ``source``; every error carries the source for its caret."""
    typed = analyse_typed(source, decls)
    return typed.expr, typed.variables, typed.notes


def analyse_typed(source: str, decls: Declarations) -> Typed:
    """``analyse``, with the names the expression defines with ``where``."""
    try:
        tree = parse(source)
        return typecheck(tree, source, decls)
    except GradcliError as err:
        raise err.with_source(source) from None


def resolve_wrt(
    wrt: Names,
    variables: dict[str, Var],
    source: str,
    decls: Declarations,
    where_names: frozenset[str] = frozenset(),
) -> list[Var]:
    names = split_names(wrt)
    if not names:
        if len(variables) == 1:
            return list(variables.values())
        listed = ", ".join(variables) or "none"
        raise OptionError(
            f"name the variable to differentiate with --wrt (the expression has: {listed})"
        )
    out: list[Var] = []
    for name in names:
        if not IDENT.match(name):
            raise OptionError(f"--wrt {name!r} is not a variable name")
        if name in where_names:
            raise OptionError(
                f"--wrt {name} names a part defined with where, not a variable; "
                "differentiate with respect to a variable it is built from"
            )
        out.append(variables.get(name) or _absent_var(name, variables, decls))
    if len({v.name for v in out}) != len(out):
        raise OptionError("--wrt names a variable twice")
    return out


def _absent_note(name: str, variables: dict[str, Var]) -> str:
    """Say that ``--wrt`` names a variable the expression does not have."""
    alike = [v for v in variables if v.lower() == name.lower()]
    guess = f" (did you mean {alike[0]}? case matters)" if alike else ""
    return f"{name} does not occur in the expression, so the derivative by it is zero{guess}"


def _absent_var(name: str, variables: dict[str, Var], decls: Declarations) -> Var:
    """A variable that does not occur: its derivative is a zero of its kind's shape."""
    used = {d.name for v in variables.values() for d in (v.shape.rows, v.shape.cols)}
    fresh = [Dim(n) for n in ("d", "e", "g", "h", "j", "l") if n not in used]
    kind = decls.kind_of(name)
    assume = decls.assumptions(name)
    if kind is Kind.SCALAR:
        return Var(name, SCALAR, kind, assume=assume)
    if kind is Kind.VECTOR:
        return Var(name, Shape(fresh[0], ONE), kind, assume=assume)
    cols = fresh[0] if decls.is_square(name) else fresh[1]
    return Var(name, Shape(fresh[0], cols), kind, decls.is_symmetric(name), assume)


def derive(
    command: Command,
    source: str,
    wrt: Names = None,
    *,
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
    check: bool = True,
    seed: int | None = None,
    expand: int | None = None,
    steps: bool = False,
) -> Derivation:
    """The shared pipeline behind ``grad``, ``jacobian`` and ``hessian``.

    ``expand=N`` also writes each result out entry by entry with every
    dimension set to ``N`` (``Result.expanded``; text and LaTeX show it);
    ``steps=True`` records the worked derivation (``Derivation.steps``)."""
    layout = Layout(layout)
    decls = declarations(
        scalar,
        vector,
        matrix,
        symmetric,
        square=square,
        simplex=simplex,
        onehot=onehot,
        orthogonal=orthogonal,
        diagonal=diagonal,
        spd=spd,
        positive=positive,
    )
    typed = analyse_typed(source, decls)
    f, variables, notes = typed.expr, typed.variables, typed.notes
    wrt_vars = resolve_wrt(wrt, variables, source, decls, typed.where_names)
    notes = notes + [_absent_note(v.name, variables) for v in wrt_vars if v.name not in variables]
    if command in (Command.GRAD, Command.HESSIAN) and not f.is_scalar:
        raise ShapeError(
            f"{command.value} needs a scalar expression, but this one is {shape_words(f.shape)}",
            Span(0, len(source)),
            source=source,
            hint=notes[0]
            if notes
            else scalar_hint(parse(source), source, decls, need_scalar=True)
            or "use `gradcli jacobian` for a vector- or matrix-valued expression",
        )
    targets, d = set_up(command, source, f, variables, notes, wrt_vars, layout, seed)
    if check:
        d.check = _check(command, f, wrt_vars, targets, layout, d.seed)
    results = d.results
    if expand is not None:
        from gradcli.numeric.expand import expand as write_out

        for r in results:
            r.expanded = write_out(r.expr, expand)
    if steps:
        from gradcli.calculus.steps import derivation_steps

        d.steps = derivation_steps(
            command,
            f,
            wrt_vars,
            [r.expr for r in results],
            denominator=layout is Layout.DENOMINATOR,
        )
    return d


def set_up(
    command: Command,
    source: str,
    f: Expr,
    variables: dict[str, Var],
    notes: list[str],
    wrt: list[Var],
    layout: Layout,
    seed: int | None,
) -> tuple[list[Target], Derivation]:
    """What ``derive`` and ``verify`` share once the expression is typed: the
    derivatives in textbook form (within the size limit), and the unchecked
    ``Derivation`` that presents them (with a seed drawn if none was given)."""
    for v in wrt:
        variables.setdefault(v.name, v)
    targets = [
        replace(t, expr=present(without_zeros(assuming(t.expr))))
        for t in derivative_results(command, f, wrt, layout)
    ]
    for t in targets:
        if size(t.expr) > MAX_RESULT_NODES:
            raise LimitError(
                f"the result has {size(t.expr)} distinct parts, more than the limit of "
                f"{MAX_RESULT_NODES}; differentiate a smaller expression"
            )
    seed = random_seed() if seed is None else seed
    code = dim_code([*variables.values(), *wrt], [f, *(t.expr for t in targets)])
    as_matrix = command is not Command.GRAD
    like = array_like(variables.values())
    words = dim_words(list(variables.values()))
    results = [
        Result(
            t.wrt,
            t.expr,
            layout,
            code,
            t.label,
            matrix=as_matrix,
            like=like,
            dim_text=words,
            names=frozenset(variables),
        )
        for t in targets
    ]
    return targets, Derivation(command, source, present(f), variables, results, None, seed, notes)


def without_zeros(expr: Expr) -> Expr:
    """``expr`` with its identically zero parts removed (``simplify/zero.py``
    proposes, the oracle of ``numeric/oracle.py`` decides), simplified again if
    one was. The oracle, NumPy and mpmath are imported only when there is a
    candidate to decide."""
    if not any(is_candidate(n) for n in walk(expr)):
        return expr
    from gradcli.simplify.oracle import MAX_DECISIONS

    left = [MAX_DECISIONS]
    out = vanish_zeros(expr, lambda e: _zero_by_oracle(e, left))
    return expr if out == expr else simplify(out)


def _zero_by_oracle(e: Expr, left: list[int]) -> bool:
    """The oracle's verdict on ``e == 0``, while ``left[0]`` full decisions
    remain; NumPy is imported only past the screen."""
    from gradcli.simplify.oracle import may_be_zero

    if left[0] <= 0 or not may_be_zero(e):
        return False
    left[0] -= 1
    from gradcli.numeric.oracle import identically_zero

    return identically_zero(e)


def random_seed() -> int:
    """A fresh seed for the check, uniform on ``[0, 2**31)`` (as
    ``secrets.randbelow(2**31)``, without importing ``secrets``: hashlib and hmac
    would slow the start of a --no-check run that needs no NumPy either)."""
    return int.from_bytes(os.urandom(4), "little") >> 1


def _check(
    command: Command,
    f: Expr,
    wrt: list[Var],
    targets: list[Target],
    layout: Layout,
    seed: int,
) -> CheckResult:
    # NumPy comes in with the check, so that --no-check never imports it.
    from gradcli.numeric.check import Mode, check_derivative

    mode = Mode(command.value)  # the check's enum names the same three derivatives
    gradient = targets[0].gradient if command is Command.HESSIAN else None
    if gradient is not None:
        # The Hessian is checked against differences of the gradient, so the
        # gradient is checked first, against differences of f.
        first = check_derivative(f, wrt, gradient, Mode.GRAD, seed=seed)
        if first.passed is not True:
            return first
    result = check_derivative(
        f,
        wrt,
        [t.expr for t in targets],
        mode,
        seed=seed,
        gradient=gradient,
        denominator=layout is Layout.DENOMINATOR,
    )
    if gradient is not None and result.passed and result.max_rel_error is not None:
        worst = max(result.max_rel_error, first.max_rel_error or 0.0)
        result = replace(result, max_rel_error=worst)
    return result


def dim_code(variables: Sequence[Var], exprs: Sequence[Expr] = ()) -> dict[Dim, str]:
    """For each symbolic dimension, NumPy code giving its size from some variable;
    a dimension of ``exprs`` that no variable has is a free size parameter."""
    code: dict[Dim, str] = {}
    for v in variables:
        for axis, d in enumerate((v.shape.rows, v.shape.cols)):
            if d.size is None and not d.factors and d not in code:
                code[d] = f"{python_name(v.name)}.shape[{axis}]"
    taken = {python_name(v.name) for v in variables} | {"np", "xp"}
    free = free_sizes(exprs, taken)
    return {**code, **{d: c for d, c in free.items() if d not in code}}


def array_like(variables: Iterable[Var]) -> str | None:
    """The variable that array-API code takes dtype and device from: the first
    vector or matrix, else the first scalar (a 0-D array there), else none."""
    ordered = sorted(variables, key=lambda v: v.shape.is_scalar)
    return python_name(ordered[0].name) if ordered else None


def grad(expr: str, wrt: Names = None, **options: object) -> Derivation:
    """The gradient of a scalar expression (SPEC §1), checked numerically by default."""
    return derive(Command.GRAD, expr, wrt, **options)  # type: ignore[arg-type]


def jacobian(expr: str, wrt: Names = None, **options: object) -> Derivation:
    """The Jacobian ``∂vec(f)/∂vec(x)``, numerator layout by default."""
    return derive(Command.JACOBIAN, expr, wrt, **options)  # type: ignore[arg-type]


def hessian(expr: str, wrt: Names = None, **options: object) -> Derivation:
    """The Hessian of a scalar expression w.r.t. a vector (or stacked scalars)."""
    return derive(Command.HESSIAN, expr, wrt, **options)  # type: ignore[arg-type]
