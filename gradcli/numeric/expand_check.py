"""The numerical check of ``--expand``: the written-out entries against the result.

``--expand`` rewrites a result into SymPy entries; a rewrite that changes a
value is the worst bug gradcli can have. So the entries are evaluated at a
point (a fixed seed: the same run prints the same thing) and compared with
gradcli's own evaluation of the result at the same numbers. A disagreement is
an internal error (exit 3), never a printed matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Expr, free_vars, walk
from gradcli.numeric.draws import Draws
from gradcli.numeric.evaluate import evaluate

MAX_CHECKED = 64  # entries compared; SymPy's evaluation is the slow part
TOLERANCE = 1e-6  # relative; a merged name or a lost term is off by far more


def _point(
    expr: Expr, names: dict[str, list[list[str]]]
) -> tuple[dict[str, Any], dict[str, float]]:
    """Values for every variable (an array) and every entry name (a float).

    Entries are drawn in [0.5, 1.5] (inside the domain of ``log`` and
    ``sqrt``), with 2 added on the diagonal of a square matrix so that its
    inverse and determinant are well conditioned."""
    rng = Draws(0)
    env: dict[str, Any] = {}
    by_name: dict[str, float] = {}
    for v in free_vars(expr):
        grid = names[v.name]
        square = len(grid) == len(grid[0]) > 1
        for i, row in enumerate(grid):
            for j, name in enumerate(row):
                if name not in by_name:
                    by_name[name] = float(rng.uniform(0.5, 1.5)) + (2.0 if square and i == j else 0)
        env[v.name] = np.array([[by_name[name] for name in row] for row in grid])
    return env, by_name


def _sizes(expr: Expr, n: int) -> dict[Dim, int]:
    sizes: dict[Dim, int] = {}
    for node in walk(expr):
        for d in (node.shape.rows, node.shape.cols):
            for atom in d.factors or (d,):
                if atom.size is None:
                    sizes[atom] = n
    return sizes


def _value(entry: Any, subs: dict[Any, Any]) -> complex | None:
    try:
        z = complex(entry.xreplace(subs).evalf())
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return z if np.isfinite(z) else None


def check_expansion(
    expr: Expr, entries: list[list[Any]], names: dict[str, list[list[str]]], n: int
) -> None:
    """Raise ``RuntimeError`` (a bug) if an entry disagrees with ``expr`` at a point."""
    import sympy

    env, by_name = _point(expr, names)
    expected = evaluate(expr, env, _sizes(expr, n))
    subs = {sympy.Symbol(name): sympy.Float(value, 30) for name, value in by_name.items()}
    cells = [(i, j) for i in range(len(entries)) for j in range(len(entries[0]))]
    step = max(1, len(cells) // MAX_CHECKED)
    for i, j in cells[::step]:
        want = float(expected[i, j])
        got = _value(entries[i][j], subs)
        if got is None or not np.isfinite(want) or abs(got.imag) > TOLERANCE * (1 + abs(want)):
            continue
        if abs(got.real - want) > TOLERANCE * max(1.0, abs(want), abs(got.real)):
            raise RuntimeError(
                f"--expand wrote entry ({i + 1}, {j + 1}) as {entries[i][j]}, which is "
                f"{got.real:.6g} at the check's point, where the result is {want:.6g}"
            )
