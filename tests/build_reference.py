"""The reference the smart-constructor tests compare against: a source built with
raw nodes (``naive``: no algebra at all), the same source built normally
(``built``), and ``check_values``, which compares the two at random points
inside the domain. Used by ``test_build.py`` and ``test_simplify_rules.py``.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from gradcli.api import analyse, declarations
from gradcli.ir import nodes as N
from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Expr, Var
from gradcli.numeric import choose_sizes, domain_hints, evaluate_many, sample_point
from gradcli.numeric.evaluate import Array, evaluate, resolve_shape
from gradcli.printers import to_text
from gradcli.syntax import typecheck as TC
from gradcli.syntax.declarations import Declarations

# Lower-case names are vectors and upper-case ones matrices, unless declared.


DECLS = declarations(scalar="a,b,c,t", symmetric="S,W")
SEEDS = (0, 1, 2)
RTOL = 1e-8


# --------------------------------------------------------------------------
# the reference: the source built with raw nodes, no algebra
# --------------------------------------------------------------------------


def _naive_matpow(b: Expr, k: int) -> Expr:
    if b.is_scalar:
        return N.Power(b, float(k))
    if k == 0:
        return N.Identity(b.shape.rows)
    if k == 1:
        return b
    if k == -1:
        return N.Inverse(b)
    return N.MatPow(b, k) if k > 0 else N.MatPow(N.Inverse(b), -k)


def _naive_block(rows: list[list[Expr]]) -> Expr:
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return N.Block(tuple(tuple(r) for r in rows))


def _scalar_or(scalar: Callable[[Expr], Expr], other: Callable[[Expr], Expr]) -> Callable:
    return lambda e: scalar(e) if e.is_scalar else other(e)


# The functions ``gradcli.syntax.typecheck`` calls on ``gradcli.ir.build``,
# each building the node it names and nothing else.
NAIVE = types.SimpleNamespace(
    const=lambda v: N.Const(float(v)),
    Identity=N.Identity,
    ones=lambda s: N.Const(1.0) if s.is_scalar else N.Fill(N.Const(1.0), s),
    fill=lambda v, s: v if s.is_scalar else N.Fill(v, s),
    neg=lambda a: N.Mul(-1.0, (a,)),
    transpose=N.Transpose,
    sum_all=N.SumAll,
    apply=N.Apply,
    norm=N.Norm,
    kron=N.Kron,
    block=_naive_block,
    mul=lambda *args: N.Mul(1.0, tuple(args)),
    power=lambda b, p: N.Power(b, float(p)),
    add=lambda *terms: N.Add(tuple(terms)),
    sub=lambda a, b: N.Add((a, N.Mul(-1.0, (b,)))),
    hadamard=lambda *args: N.Hadamard(tuple(args)),
    divide=lambda a, b: N.Hadamard((a, N.Power(b, -1.0))),
    inverse=_scalar_or(lambda a: N.Power(a, -1.0), N.Inverse),
    matpow=_naive_matpow,
    trace=_scalar_or(lambda a: a, N.Trace),
    det=_scalar_or(lambda a: a, N.Det),
    logdet=_scalar_or(lambda a: N.Apply("log", N.Apply("abs", a)), N.LogDet),
    diag=_scalar_or(lambda a: a, lambda a: N.Diag(a) if a.shape.is_vector else N.DiagPart(a)),
    softmax=N.Softmax,
    softmax_rows=N.SoftmaxRows,
    softmax_cols=N.SoftmaxCols,
    commutation=N.Commutation,
    vec=N.Vec,
)


@contextmanager
def _raw_constructors() -> Iterator[None]:
    """Type-check with ``NAIVE`` in place of the smart constructors (the table
    of calls is patched too: it holds the functions themselves)."""
    saved_b, saved_calls = TC.B, TC._CALLS
    TC.B = NAIVE  # type: ignore[assignment]
    TC._CALLS = {name: getattr(NAIVE, f.__name__) for name, f in saved_calls.items()}
    try:
        yield
    finally:
        TC.B, TC._CALLS = saved_b, saved_calls


def naive(source: str, decls: Declarations = DECLS) -> tuple[Expr, dict[str, Var]]:
    """``source`` as raw IR: every operator a node of its own, nothing simplified."""
    with _raw_constructors():
        expr, variables, _ = analyse(source, decls)
    return expr, variables


def built(source: str, decls: Declarations = DECLS) -> tuple[Expr, dict[str, Var]]:
    """``source`` through the smart constructors, as ``gradcli`` builds it."""
    expr, variables, _ = analyse(source, decls)
    return expr, variables


# --------------------------------------------------------------------------
# numerical comparison
# --------------------------------------------------------------------------


def assert_close(want: Array, got: Array, what: str) -> None:
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-10 * scale, err_msg=what)


def _parsed_value(
    text: str, decls: Declarations, point: dict[str, Array], shape: tuple[int, int]
) -> Array:
    """The value of ``text`` parsed back. Its dimensions get their sizes from the
    variables bound in ``point``, and, for dimensions only ``eye`` or ``ones``
    fix (``zeros zeros^T``), from the ``shape`` the value must have."""
    expr, variables, _ = analyse(text, decls)
    sizes: dict[Dim, int] = {}
    for v in variables.values():
        rows, cols = point[v.name].shape
        sizes.setdefault(v.shape.rows, rows)
        sizes.setdefault(v.shape.cols, cols)
    for dim, n in ((expr.shape.rows, shape[0]), (expr.shape.cols, shape[1])):
        sizes.setdefault(dim, n)
        _solve_factor(dim, n, sizes)
    return evaluate(expr, point, sizes)


def _solve_factor(dim: Dim, n: int, sizes: dict[Dim, int]) -> None:
    """The size of the one unknown factor of a product dimension of size ``n``
    (``eye`` in ``kron(V^T V, eye)``: its size is the rows over those of ``V``)."""
    unknown = [f for f in dim.factors if f.size is None and f not in sizes]
    if len(unknown) == 1:
        known = math.prod(f.resolve(sizes) for f in dim.factors if f is not unknown[0])
        sizes[unknown[0]] = n // known


def check_values(
    reference: Expr,
    candidates: Sequence[Expr],
    variables: Iterable[Var],
    golden: str | None = None,
    decls: Declarations = DECLS,
) -> None:
    """``reference``, each of ``candidates`` and ``golden`` (parsed back) have the
    same value at random points inside the domain of ``reference``."""
    variables = list(variables)
    finite = 0
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        sizes = choose_sizes([reference, *candidates, *variables], rng)
        hints = domain_hints([reference, *candidates])
        point = sample_point(variables, sizes, rng, hints, profile=0)
        want, *got = evaluate_many([reference, *candidates], point, sizes)
        if not np.all(np.isfinite(want)):
            continue
        finite += 1
        for expr, value in zip(candidates, got, strict=True):
            assert_close(want, value, f"{to_text(expr)!r} (seed {seed})")
        if golden is not None:
            value = _parsed_value(golden, decls, point, resolve_shape(reference.shape, sizes))
            assert_close(want, value, f"golden {golden!r} parsed back (seed {seed})")
    assert finite, f"{to_text(reference)!r} is not finite at any point tried"


# --------------------------------------------------------------------------
# the golden tables
# --------------------------------------------------------------------------
