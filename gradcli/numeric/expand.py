"""``--expand N``: a result written out entry by entry, every dimension set to N.

Variables become explicit SymPy matrices (``x`` is ``[x1, ..., xN]``, ``A`` is
``[[A11, A12, ...], ...]``, a symmetric ``S`` has ``S12 = S21``) and the result's
IR is evaluated over them. SymPy is imported only here, on this path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from typing import Any

from gradcli.errors import LimitError, NoRuleError
from gradcli.ir.dims import Dim, Shape
from gradcli.ir.nodes import (
    Add,
    Apply,
    Block,
    Commutation,
    Const,
    Det,
    Diag,
    DiagPart,
    Entry,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Inverse,
    Kron,
    LogDet,
    MatPow,
    Mul,
    Norm,
    Power,
    Reduce,
    Softmax,
    SoftmaxCols,
    SoftmaxRows,
    SumAll,
    Trace,
    Transpose,
    Var,
    Vec,
    free_vars,
    walk,
)
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS

MAX_N = 12
MAX_ENTRIES = 2500
MAX_INVERSE = 4


@dataclass
class Expanded:
    """An explicit matrix: ``rows`` of entries as text, LaTeX and SymPy objects."""

    n: int
    entries: list[list[Any]]
    text_rows: list[list[str]]
    latex_names: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if len(self.text_rows[0]) == 1:
            return "[" + ", ".join(r[0] for r in self.text_rows) + "]"
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in self.text_rows) + "]"

    @property
    def latex(self) -> str:
        import sympy

        names = {sympy.Symbol(k): v for k, v in self.latex_names.items()}
        body = r" \\ ".join(
            " & ".join(sympy.latex(e, symbol_names=names) for e in row) for row in self.entries
        )
        return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def _size(d: Dim, n: int) -> int:
    if d.size is not None:
        return d.size
    out = 1
    for _ in d.factors or (d,):
        out *= n
    return out


def check_size(expr: Expr, n: int) -> None:
    """Refuse a size that would print too much (a clear exit-2 error)."""
    if not 1 <= n <= MAX_N:
        raise LimitError(f"--expand takes a size from 1 to {MAX_N}, not {n}")
    for node in walk(expr):
        r, c = _size(node.shape.rows, n), _size(node.shape.cols, n)
        if r * c > MAX_ENTRIES:
            raise LimitError(
                f"--expand {n} would write out a {r}×{c} matrix "
                f"(more than {MAX_ENTRIES} entries); choose a smaller size"
            )
        if isinstance(node, (Inverse, Det, LogDet)) and r > MAX_INVERSE:
            raise LimitError(
                f"--expand {n} would invert or take the determinant of a {r}×{r} matrix "
                f"entry by entry; the limit is {MAX_INVERSE}"
            )


def _entry_name(var: Var, i: int, j: int, rows: int, cols: int, bracket: bool) -> str:
    """``x1``, ``A12``, ``A1_12`` (or ``x[1]``, ``A[1,2]`` when names would collide)."""
    if var.is_scalar:
        return var.name
    if var.symmetric and i > j:
        i, j = j, i
    if bracket:
        return f"{var.name}[{i + 1}]" if cols == 1 else f"{var.name}[{i + 1},{j + 1}]"
    if cols == 1:
        return f"{var.name}{'_' if var.name[-1].isdigit() else ''}{i + 1}"
    sep = "_" if max(rows, cols) > 9 or var.name[-1].isdigit() else ""
    return f"{var.name}{i + 1}{sep}{j + 1}"


def _entry_names(variables: list[Var], n: int, bracket: bool) -> dict[str, list[list[str]]]:
    out = {}
    for v in variables:
        rows, cols = _size(v.shape.rows, n), _size(v.shape.cols, n)
        out[v.name] = [
            [_entry_name(v, i, j, rows, cols, bracket) for j in range(cols)] for i in range(rows)
        ]
    return out


def entry_names(variables: list[Var], n: int) -> dict[str, list[list[str]]]:
    """The name of every entry of every variable, distinct for distinct entries.

    Entries are ``x1, x2, ...`` and ``A11, A12, ...``; when that would give
    two entries (or an entry and a scalar, such as ``x1`` and entry 1 of
    ``x``) the same name, every entry is written ``x[1]``, ``A[1,2]`` instead,
    which no variable name can be (a symmetric matrix's ``S12`` and ``S21``
    are one entry on purpose)."""
    names = _entry_names(variables, n, bracket=False)
    owner: dict[str, tuple[str, int, int]] = {}
    for v in variables:
        for i, row in enumerate(names[v.name]):
            for j, name in enumerate(row):
                key = (v.name, min(i, j), max(i, j)) if v.symmetric else (v.name, i, j)
                if owner.setdefault(name, key) != key:
                    return _entry_names(variables, n, bracket=True)
    return names


def _symbols(names: list[list[str]]) -> Any:
    import sympy

    return sympy.Matrix([[sympy.Symbol(name) for name in row] for row in names])


def _number(v: Fraction | float) -> Any:
    import sympy

    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    return sympy.Integer(int(v)) if float(v).is_integer() else sympy.nsimplify(v, rational=True)


def _funcs() -> dict[str, Callable[[Any], Any]]:
    import sympy

    return {name: partial(p.sympy, sympy) for name, p in ELEMENTWISE.items()}


def expand(expr: Expr, n: int) -> Expanded:
    """``expr`` with every symbolic dimension set to ``n``, as an explicit matrix."""

    check_size(expr, n)
    funcs = _funcs()
    names = entry_names(free_vars(expr), n)
    values: dict[int, Any] = {}
    for node in walk(expr):
        if isinstance(node, Var):
            values[id(node)] = _symbols(names[node.name])
            continue
        args = [values[id(k)] for k in node.children()]
        values[id(node)] = _eval(node, args, n, funcs)
    m = values[id(expr)]
    entries = [[_tidy(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]
    from gradcli.numeric.expand_check import check_expansion

    check_expansion(expr, entries, names, n)
    text = [[_text(e) for e in row] for row in entries]
    return Expanded(n, entries, text, latex_entry_names(free_vars(expr), names))


def latex_entry_names(variables: list[Var], names: dict[str, list[list[str]]]) -> dict[str, str]:
    """LaTeX for each entry name: ``x_{1}``, ``A_{1,2}``, a scalar as its own name.

    Distinct entries stay distinct: if a scalar's LaTeX (``x_{1}`` for
    ``x_1``) is also an entry's, every entry is written ``\\left(x\\right)_{1}``."""
    from gradcli.printers.latex import latex_name

    def written(v: Var, i: int, j: int, wrap: bool) -> str:
        base = latex_name(v.name)
        if wrap or "_" in base:
            base = f"\\left({base}\\right)"
        return f"{base}_{{{i + 1}}}" if v.shape.cols.size == 1 else f"{base}_{{{i + 1},{j + 1}}}"

    for wrap in (False, True):
        out: dict[str, str] = {}
        for v in variables:
            for i, row in enumerate(names[v.name]):
                for j, name in enumerate(row):
                    shown = latex_name(v.name) if v.is_scalar else written(v, i, j, wrap)
                    out.setdefault(name, shown)
        if len(set(out.values())) == len(out):
            break
    return out


def _tidy(e: Any) -> Any:
    """A simpler form of one entry, where that is affordable."""
    import sympy

    if sympy.count_ops(e) <= 25:
        return sympy.simplify(e)
    return e


def _text(e: Any) -> str:
    import sympy

    return sympy.sstr(e).replace("**", "^")


def _scalar(m: Any) -> Any:
    return m[0, 0]


def _eval(node: Expr, args: list[Any], n: int, funcs: dict[str, Callable[[Any], Any]]) -> Any:
    import sympy

    def shape(s: Shape) -> tuple[int, int]:
        return _size(s.rows, n), _size(s.cols, n)

    if isinstance(node, Const):
        return sympy.Matrix([[_number(node.value)]])
    if isinstance(node, Identity):
        return sympy.eye(shape(node.shape)[0])
    if isinstance(node, Fill):
        return sympy.ones(*shape(node.shape)) * _scalar(args[0])
    if isinstance(node, Add):
        out = args[0]
        for a in args[1:]:
            out = out + a
        return out
    if isinstance(node, Mul):
        return _mul(node, args)
    if isinstance(node, Hadamard):
        out = args[0]
        for a in args[1:]:
            out = out.multiply_elementwise(a)
        return out
    if isinstance(node, Power):
        return args[0].applyfunc(lambda v: v ** _number(node.exponent))
    if isinstance(node, MatPow):
        return args[0] ** node.k
    if isinstance(node, Transpose):
        return args[0].T
    if isinstance(node, Inverse):
        return args[0].inv()
    if isinstance(node, Apply):
        return args[0].applyfunc(funcs[node.func])
    return _eval_more(node, args, funcs)


def _mul(node: Mul, args: list[Any]) -> Any:
    import sympy

    scale = _number(node.coeff)
    chain: Any = None
    for f, a in zip(node.factors, args, strict=True):
        if f.is_scalar:
            scale = scale * a[0, 0]
        else:
            chain = a if chain is None else chain * a
    if chain is None:
        return sympy.Matrix([[scale]])
    return chain * scale


def _eval_more(node: Expr, args: list[Any], funcs: dict[str, Callable[[Any], Any]]) -> Any:
    import sympy

    a: Any = args[0] if args else None
    if isinstance(node, Trace):
        return sympy.Matrix([[a.trace()]])
    if isinstance(node, Det):
        return sympy.Matrix([[a.det()]])
    if isinstance(node, LogDet):
        return sympy.Matrix([[sympy.log(sympy.Abs(a.det()))]])
    if isinstance(node, SumAll):
        return sympy.Matrix([[sum(a)]])
    if isinstance(node, Norm):
        return sympy.Matrix([[sympy.sqrt(sum(v**2 for v in a))]])
    if isinstance(node, Reduce):
        return sympy.Matrix([[REDUCTIONS[node.func].sympy(sympy, list(a))]])
    if isinstance(node, Softmax):
        e = a.applyfunc(sympy.exp)
        return e / sum(e)
    if isinstance(node, (SoftmaxRows, SoftmaxCols)):
        return _softmax_along(a, isinstance(node, SoftmaxRows))
    if isinstance(node, Commutation):
        return _commutation(a.rows, a.cols)
    if isinstance(node, Diag):
        return sympy.diag(*list(a))
    if isinstance(node, DiagPart):
        return sympy.Matrix([[a[i, i]] for i in range(a.rows)])
    if isinstance(node, Vec):
        return a.T.reshape(a.rows * a.cols, 1) if a.cols > 1 else a
    if isinstance(node, Kron):
        from sympy.physics.quantum import TensorProduct

        return TensorProduct(args[0], args[1])
    if isinstance(node, Entry):
        return sympy.Matrix([[a[node.i, node.j]]])
    if isinstance(node, Block):
        width = len(node.rows[0])
        rows = [args[i : i + width] for i in range(0, len(args), width)]
        return sympy.BlockMatrix(rows).as_explicit()
    raise NoRuleError(f"--expand does not know {type(node).__name__}")


def _softmax_along(a: Any, rows: bool) -> Any:
    """The softmax of each row (or each column) of the SymPy matrix ``a``."""
    import sympy

    e = a.applyfunc(sympy.exp)
    if rows:
        return sympy.Matrix.vstack(*(e.row(i) / sum(e.row(i)) for i in range(e.rows)))
    return sympy.Matrix.hstack(*(e.col(j) / sum(e.col(j)) for j in range(e.cols)))


def _commutation(m: int, n: int) -> Any:
    """K with ``K vec(A) = vec(A^T)`` for ``m x n`` A: entry ``(j + i n, i + j m)`` is 1."""
    import sympy

    return sympy.Matrix(m * n, m * n, lambda p, q: int(q == p // n + (p % n) * m))
