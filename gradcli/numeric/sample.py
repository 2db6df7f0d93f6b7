"""Random dimensions, points and directions over an expression's whole domain.

Domain knowledge biases where points are drawn; it never excludes a region.
Three kinds of draw take turns (``Variant``):

- ``DOMAIN``: positive entries under ``log``, ``sqrt`` and non-integer or
  negative powers; well-conditioned matrices with a positive determinant under
  ``inv``, ``det`` and ``logdet`` (the safe side, where most functions are
  defined);
- ``MIRROR``: the same draws reflected to the other side: the positive
  variables negated (all entries, or a random half, in turn), one row of each
  invertible matrix negated (``det < 0``), symmetric invertible matrices made
  indefinite. ``sqrt(t^2 + 1)`` and ``abs(det(X))`` are defined there, and a
  claim right only on the safe side is caught;
- ``FREE``: every entry ``N(0, 1)``, hints ignored.

A point where the expression is not finite is skipped by the check, never
failed. Matrices are not symmetric unless declared so, or a missing transpose
(``2 A x`` for the gradient of ``x^T A x``) would go unnoticed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from enum import Enum

import numpy as np

from gradcli.ir import primitives
from gradcli.ir.dims import Dim
from gradcli.ir.nodes import Apply, Block, Det, Expr, Inverse, LogDet, MatPow, Power, Var, walk
from gradcli.ir.primitives import ELEMENTWISE
from gradcli.numeric.assumed import constrain
from gradcli.numeric.draws import Rng
from gradcli.numeric.evaluate import Array, resolve_shape

POSITIVE = "positive"
INVERTIBLE = "invertible"


class Variant(Enum):
    """Which side of the domain a point is drawn from (module docstring)."""

    DOMAIN = "domain"
    MIRROR = "mirror"
    FREE = "free"


PROFILES = 5
MIN_SIZE, MAX_SIZE = 2, 6


def choose_sizes(exprs: Iterable[Expr], rng: Rng, max_size: int = MAX_SIZE) -> dict[Dim, int]:
    """A size in ``2..max_size`` for every symbolic dimension of every node.

    Distinct symbols get distinct sizes while there are enough (so a wrong
    transpose of a non-square matrix shows); a block matrix's summed dimension
    (``n+m``) gets the sum of its parts. Symbols are ordered by name, so the
    result depends only on the symbols and the generator's state.
    """
    free, sums = _symbols(exprs)
    return _assign(free, sums, _distinct(len(free), rng, max_size))


def size_choices(
    exprs: Iterable[Expr], rng: Rng, max_size: int = MAX_SIZE, limit: int = 8
) -> list[dict[Dim, int]]:
    """Up to ``limit`` choices of sizes to try in turn: ``choose_sizes``'
    distinct sizes, the same sizes given to the symbols in other orders (so
    that each symbol in turn can be the smallest: ``B^T v^T v B`` is
    invertible only when ``B`` is tall, and a projection's residual is zero
    when it is square), and last one size for every symbol."""
    free, sums = _symbols(exprs)
    values = _distinct(len(free), rng, max_size)
    out = [_assign(free, sums, values)]
    orders = list(itertools.permutations(range(len(free))))[1:] if len(free) <= 5 else []
    for i in rng.permutation(len(orders))[: max(limit - 2, 0)]:
        out.append(_assign(free, sums, [values[j] for j in orders[int(i)]]))
    if len(set(values)) > 1:
        out.append(_assign(free, sums, [values[0]] * len(free)))
    return out


def _symbols(exprs: Iterable[Expr]) -> tuple[list[Dim], dict[Dim, list[Dim]]]:
    """The free size symbols (by name), and the summed ones with their parts."""
    symbols: set[Dim] = set()
    sums: dict[Dim, list[Dim]] = {}
    for e in exprs:
        for node in walk(e):
            for d in (node.shape.rows, node.shape.cols):
                symbols.update(d.atoms())
            if isinstance(node, Block):
                sums.update(_block_sums(node))
    return sorted((d for d in symbols if d not in sums), key=lambda d: d.name), sums


def _distinct(count: int, rng: Rng, max_size: int) -> list[int]:
    choices = [int(c) for c in rng.permutation(np.arange(MIN_SIZE, max_size + 1))]
    extra = [int(rng.integers(MIN_SIZE, max_size + 1)) for _ in range(count - len(choices))]
    return (choices + extra)[:count]


def _assign(free: list[Dim], sums: dict[Dim, list[Dim]], values: list[int]) -> dict[Dim, int]:
    sizes = dict(zip(free, values, strict=True))
    for total, parts in sums.items():
        sizes[total] = sum(p.resolve(sizes) for p in parts)
    return sizes


def _block_sums(node: Block) -> dict[Dim, list[Dim]]:
    """The summed dimensions a block matrix introduces, with their parts."""
    out: dict[Dim, list[Dim]] = {}
    heights = [r[0].shape.rows for r in node.rows]
    widths = [e.shape.cols for e in node.rows[0]]
    for total, parts in ((node.shape.rows, heights), (node.shape.cols, widths)):
        if len(parts) > 1 and total.size is None:
            out[total] = parts
    return out


def domain_hints(exprs: Iterable[Expr]) -> dict[str, set[str]]:
    """Per variable name, the constraints of the arguments it occurs in.

    ``"positive"``: inside the argument of a function whose ``domain`` facet is
    ``POSITIVE`` (``log``, ``sqrt``, ``log1p``), or of a power with a
    negative or non-integer exponent. ``"invertible"``: inside the argument of
    ``inv``, ``det``, ``logdet`` or a negative matrix power.
    """
    hints: dict[str, set[str]] = {}
    for e in exprs:
        var_sets: dict[int, frozenset[str]] = {}
        for node in walk(e):
            names = _names_below(node, var_sets)
            var_sets[id(node)] = names
            label = _constraint(node)
            if label is not None:
                for name in names:
                    hints.setdefault(name, set()).add(label)
    return hints


def _names_below(node: Expr, var_sets: Mapping[int, frozenset[str]]) -> frozenset[str]:
    if isinstance(node, Var):
        return frozenset({node.name})
    out: frozenset[str] = frozenset()
    for k in node.children():
        out |= var_sets[id(k)]
    return out


def _constraint(node: Expr) -> str | None:
    if isinstance(node, Apply) and ELEMENTWISE[node.func].domain == primitives.POSITIVE:
        return POSITIVE
    if isinstance(node, Power) and (node.exponent < 0 or not float(node.exponent).is_integer()):
        return POSITIVE
    if isinstance(node, (Inverse, Det, LogDet)) or (isinstance(node, MatPow) and node.k < 0):
        return INVERTIBLE
    return None


def sample_point(
    vars: Iterable[Var],
    sizes: Mapping[Dim, int],
    rng: Rng,
    hints: Mapping[str, set[str]],
    profile: int,
    variant: Variant = Variant.DOMAIN,
    turn: int = 0,
) -> dict[str, Array]:
    """A random value (a 2-D array of the variable's shape) for each variable.

    Profiles ``0, 1, 2, 3`` are progressively safer:

    0. entries ``N(0, 1)``; ``"positive"`` variables ``U(0.5, 2)``; square
       ``"invertible"`` ones ``c I + 0.3 G`` (``G`` non-symmetric, ``c`` large
       enough that every eigenvalue has a positive real part, so the
       determinant is positive and the matrix well-conditioned);
    1. as 0, with the random parts of non-positive variables scaled by 0.3;
    2. every entry ``U(0.5, 2)``, square matrices ``I + 0.2 U(0, 1)``;
    3. every entry ``U(0.1, 0.5)``, square matrices ``I + 0.05 U(0, 1)``;
    4. vectors and scalars ``U(5, 10)``, matrices ``U(0.01, 0.1)``: keeps
       ``b - A x`` positive, as a log-barrier needs.

    Symmetric variables are symmetrised, and made positive definite
    (``B B^T / n + I``) when ``"invertible"``.

    ``variant`` reflects or frees the draw (module docstring); ``turn`` counts
    the draws of that variant, so that the reflections take turns: the k-th
    hinted variable (by name) is negated whole when ``(turn + k) % 3 == 0``,
    in a random half of its entries when it is 1, and left as drawn when 2.

    Last, a variable with assumptions (``--simplex y`` ...) is moved onto
    the set they describe, in every variant (``gradcli.numeric.assumed``).
    """
    point: dict[str, Array] = {}
    for k, v in enumerate(vars):
        rows, cols = resolve_shape(v.shape, sizes)
        labels = hints.get(v.name, set())
        if variant is Variant.FREE:
            value = _free(v, rows, cols, rng, profile)
        else:
            value = _draw(v, rows, cols, rng, labels, profile)
        if variant is Variant.MIRROR:
            value = _mirror(v, value, labels, rng, (turn + k) % 3)
        point[v.name] = constrain(v, value, rng) if v.assume else value
    return point


def _free(v: Var, rows: int, cols: int, rng: Rng, profile: int) -> Array:
    a = (1.0 if profile == 0 else 0.5) * rng.standard_normal((rows, cols))
    return (a + a.T) / 2.0 if v.symmetric and rows == cols else a


def _mirror(v: Var, value: Array, labels: set[str], rng: Rng, mode: int) -> Array:
    """``value`` reflected to the other side of the domain (``sample_point``)."""
    if mode == 2 or not labels:
        return value
    rows, cols = value.shape
    square = rows == cols and rows > 1
    if square and INVERTIBLE in labels:
        if v.symmetric:
            return _indefinite(rows, rng, mode)
        out = value.copy()
        out[0, :] = -out[0, :]  # det changes sign, the conditioning does not
        return out
    if mode == 0:
        return -value
    signs = np.where(rng.uniform(size=value.shape) < 0.5, -1.0, 1.0)
    if v.symmetric and square:
        signs = np.triu(signs) + np.triu(signs, 1).T
    return signs * value


def _indefinite(n: int, rng: Rng, mode: int) -> Array:
    """A well-conditioned symmetric matrix with ``k`` negative eigenvalues:
    ``k = 1`` in mode 0 (so ``det < 0``), else random in ``1..n-1``."""
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    d = rng.uniform(0.5, 2.0, n)
    k = 1 if mode == 0 else int(rng.integers(1, n))
    d[:k] *= -1.0
    return (q * d) @ q.T


def _entries(rows: int, cols: int, rng: Rng, positive: bool, profile: int) -> Array:
    if profile >= 4:
        matrix = rows > 1 and cols > 1
        return rng.uniform(0.01, 0.1, (rows, cols)) if matrix else rng.uniform(5, 10, (rows, cols))
    if profile == 3:
        return rng.uniform(0.1, 0.5, (rows, cols))
    if positive or profile == 2:
        return rng.uniform(0.5, 2.0, (rows, cols))
    scale = 1.0 if profile == 0 else 0.3
    return scale * rng.standard_normal((rows, cols))


def _draw(v: Var, rows: int, cols: int, rng: Rng, labels: set[str], profile: int) -> Array:
    positive = POSITIVE in labels
    square = rows == cols and not v.shape.is_scalar
    if v.symmetric and square:
        return _draw_symmetric(rows, rng, labels, profile)
    if square and (INVERTIBLE in labels or profile in (2, 3)):
        return _near_identity(rows, rng, positive, profile)
    return _entries(rows, cols, rng, positive, profile)


def _near_identity(n: int, rng: Rng, positive: bool, profile: int) -> Array:
    """A non-symmetric matrix whose eigenvalues all have positive real parts.

    A random ``n x n`` matrix with entries of size ``s`` has its eigenvalues in
    a disc of radius about ``s sqrt(n)`` (the circular law), so ``c = 1 + s
    sqrt(n)`` keeps them to the right of 0.
    """
    if profile >= 2:
        spread = 0.2 if profile == 2 else 0.05
        return np.eye(n) + spread * rng.uniform(0.0, 1.0, (n, n))
    scale = 0.3 if positive or profile == 0 else 0.09
    noise = rng.uniform(0.5, 2.0, (n, n)) if positive else rng.standard_normal((n, n))
    return (1.0 + scale * np.sqrt(n)) * np.eye(n) + scale * noise


def _draw_symmetric(n: int, rng: Rng, labels: set[str], profile: int) -> Array:
    base = _entries(n, n, rng, POSITIVE in labels, profile)
    if INVERTIBLE in labels or profile >= 2:
        return base @ base.T / n + np.eye(n)
    return (base + base.T) / 2.0


def random_direction(vars: Iterable[Var], sizes: Mapping[Dim, int], rng: Rng) -> dict[str, Array]:
    """A random direction, one array per variable: ``N(0, 1)`` entries,
    symmetrised for symmetric variables, scaled so that the whole direction has
    unit norm (not each part: the direction of two scalars must not be stuck
    on the diagonals ``(+-1, +-1)``)."""
    out: dict[str, Array] = {}
    for v in vars:
        d = rng.standard_normal(resolve_shape(v.shape, sizes))
        out[v.name] = (d + d.T) / 2.0 if v.symmetric else d
    total = float(np.sqrt(sum(float(np.sum(d**2)) for d in out.values())))
    return {k: d / max(total, 1e-300) for k, d in out.items()}
