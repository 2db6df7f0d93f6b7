"""Deriving an identity-table row and drawing values for its variables, shared
by the identity tests and the array-API tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from identities import Row

import gradcli
from gradcli.api import Derivation

SEED = 7  # gradcli's check
DATA_SEED = 20240611  # the random arrays for the references
SIZES = (4, 3, 5, 2, 6)  # distinct sizes for distinct dimensions


def derive(row: Row) -> Derivation:
    fn = {"grad": gradcli.grad, "jacobian": gradcli.jacobian, "hessian": gradcli.hessian}
    return fn[row.cmd](row.expr, wrt=row.wrt, seed=SEED, **row.declarations)


def _declared(row: Row, kind: str) -> set[str]:
    return {n.strip() for n in row.declarations.get(kind, "").split(",") if n.strip()}


def _shapes(d: Derivation, row: Row) -> dict[str, tuple[str, str]]:
    """Each variable's (rows, cols) dimension names; "1" for a unit dimension."""
    shapes = {name: (str(v.shape.rows), str(v.shape.cols)) for name, v in d.variables.items()}
    for r in d.results:  # a --wrt that does not occur: a fresh shape of its kind
        for name in r.wrt.split(","):
            if name in shapes:
                continue
            if name in _declared(row, "scalar"):
                shapes[name] = ("1", "1")
            elif name[0].islower():
                shapes[name] = ("_absent_r", "1")
            else:
                shapes[name] = ("_absent_r", "_absent_c")
    return shapes


def _sizes(shapes: Mapping[str, tuple[str, str]], row: Row) -> dict[str, int]:
    sizes = {"1": 1, **row.domain.sizes()}
    free = [s for s in SIZES if s not in sizes.values()]
    for dims in shapes.values():
        for dim in dims:
            if dim not in sizes:
                sizes[dim] = free.pop(0)
    return sizes


def _draw(kind: str | None, rows: int, cols: int, rng: np.random.Generator) -> np.ndarray:
    shape = (rows, cols)
    if kind == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "unit":
        return rng.uniform(-1.0, 1.0, shape)
    if kind == "sign":
        return rng.choice([-1.0, 1.0], shape)
    if kind == "invertible":
        return 3 * np.eye(rows) + 0.3 * rng.standard_normal(shape)
    if kind == "spd":
        m = rng.standard_normal(shape)
        return m @ m.T / rows + np.eye(rows)
    if kind == "symmetric":
        m = rng.standard_normal(shape)
        return (m + m.T) / 2
    if kind == "simplex":
        p = rng.uniform(0.1, 1.0, shape)
        return p / p.sum()
    if kind == "orthogonal":
        q, _ = np.linalg.qr(rng.standard_normal(shape))
        return q
    return rng.standard_normal(shape)


def sample(d: Derivation, row: Row) -> dict[str, Any]:
    """Random values for every variable: floats, 1-D vectors, 2-D matrices."""
    rng = np.random.default_rng(DATA_SEED)
    shapes = _shapes(d, row)
    sizes = _sizes(shapes, row)
    symmetric = _declared(row, "symmetric")
    values: dict[str, Any] = {}
    for name, (r, c) in shapes.items():
        kind = row.domain.sampler(name) or ("symmetric" if name in symmetric else None)
        value = _draw(kind, sizes[r], sizes[c], rng)
        if r == "1" and c == "1":
            values[name] = float(value[0, 0])
        elif c == "1":
            values[name] = value[:, 0]
        else:
            values[name] = value
    return values
