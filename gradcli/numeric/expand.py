"""``--expand N``: a result written out entry by entry, every dimension set to N.

Variables become explicit SymPy matrices (``x`` is ``[x1, ..., xN]``, ``A`` is
``[[A11, A12, ...], ...]``, a symmetric ``S`` has ``S12 = S21``) and the result's
IR is evaluated over them. SymPy is imported only here, on this path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gradcli.errors import LimitError, NoRuleError
from gradcli.ir.dims import Dim, Shape
from gradcli.ir.nodes import (
    Add,
    Apply,
    Block,
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
    Softmax,
    SumAll,
    Trace,
    Transpose,
    Var,
    Vec,
    walk,
)

MAX_N = 12
MAX_ENTRIES = 2500
MAX_INVERSE = 4


@dataclass
class Expanded:
    """An explicit matrix: ``rows`` of entries as text, LaTeX and SymPy objects."""

    n: int
    entries: list[list[Any]]
    text_rows: list[list[str]]

    @property
    def text(self) -> str:
        if len(self.text_rows[0]) == 1:
            return "[" + ", ".join(r[0] for r in self.text_rows) + "]"
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in self.text_rows) + "]"

    @property
    def latex(self) -> str:
        import sympy

        body = r" \\ ".join(" & ".join(sympy.latex(e) for e in row) for row in self.entries)
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


def _symbols(var: Var, n: int) -> Any:
    import sympy

    rows, cols = _size(var.shape.rows, n), _size(var.shape.cols, n)
    if var.is_scalar:
        return sympy.Matrix([[sympy.Symbol(var.name)]])
    if var.shape.cols.size == 1:
        sep = "_" if var.name[-1].isdigit() else ""
        return sympy.Matrix([[sympy.Symbol(f"{var.name}{sep}{i + 1}")] for i in range(rows)])

    def entry(i: int, j: int) -> Any:
        if var.symmetric and i > j:
            i, j = j, i
        sep = "_" if max(rows, cols) > 9 or var.name[-1].isdigit() else ""
        return sympy.Symbol(f"{var.name}{i + 1}{sep}{j + 1}")

    return sympy.Matrix(rows, cols, lambda i, j: entry(i, j))


def _number(v: float) -> Any:
    import sympy

    return sympy.Integer(int(v)) if float(v).is_integer() else sympy.nsimplify(v, rational=True)


def _funcs() -> dict[str, Callable[[Any], Any]]:
    import sympy

    return {
        "exp": sympy.exp,
        "log": sympy.log,
        "sin": sympy.sin,
        "cos": sympy.cos,
        "tan": sympy.tan,
        "tanh": sympy.tanh,
        "sqrt": sympy.sqrt,
        "abs": sympy.Abs,
        "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
        "relu": lambda u: sympy.Max(u, 0),
        "sign": sympy.sign,
        "step": sympy.Heaviside,
    }


def expand(expr: Expr, n: int) -> Expanded:
    """``expr`` with every symbolic dimension set to ``n``, as an explicit matrix."""

    check_size(expr, n)
    funcs = _funcs()
    values: dict[int, Any] = {}
    for node in walk(expr):
        args = [values[id(k)] for k in node.children()]
        values[id(node)] = _eval(node, args, n, funcs)
    m = values[id(expr)]
    entries = [[_tidy(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]
    text = [[_text(e) for e in row] for row in entries]
    return Expanded(n, entries, text)


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

    if isinstance(node, Var):
        return _symbols(node, n)
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
    if isinstance(node, Softmax):
        e = a.applyfunc(sympy.exp)
        return e / sum(e)
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
