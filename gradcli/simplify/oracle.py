"""The equivalence oracle's policy: when may a subexpression be called zero?

A rule proposes a candidate ("this sum cancels", ``simplify/zero.py``); the
oracle accepts it only after evaluating it, with mpmath at ``DIGITS``
significant digits, at ``POINTS`` independent random points
(``numeric/oracle.py`` draws them with ``numeric/sample.py``: domain-safe,
mirrored and free draws, a fresh choice of sizes for each). The policy, also
in docs/conventions.md ("The zero oracle"):

- a point counts when every value under the candidate is a finite real
  number; a domain error, a complex value, an overflow or a singular matrix
  makes the point unusable, never a disagreement;
- at a usable point every entry must satisfy ``|value| <= TOLERANCE * scale``,
  where ``scale`` is the largest magnitude computed under the candidate at that
  point (the size of what could cancel; rounding at ``DIGITS`` digits stays
  far below it);
- the candidate is accepted only if it passes at every usable point and at
  least ``MIN_USABLE`` points were usable: an empty or nearly empty domain
  refuses;
- a candidate with a node that is not analytic (``abs``, ``relu``, ``sign``,
  ``step``, ``sqrt``, a non-integer power, a norm, ``logdet``, which is
  ``log|det|``) is refused outright: such functions can agree on a region
  without being equal, which random points need not reveal;
- so is a candidate larger than ``MAX_NODES``, and the caller decides at most
  ``MAX_DECISIONS`` candidates per result: the time stays bounded.

First, ``may_be_zero`` screens the candidate in floats at one point drawn by
a small seeded generator (``_Draws``; entries in ``[0.5, 2]``, diagonally dominant square
matrices): a value clearly away from zero (above ``SCREEN`` relative to its
parts) rejects it without importing NumPy or mpmath. The screen only rejects.

A nonzero analytic function vanishes only on a set of measure zero, so it
passes a usable random point with probability zero; to pass by rounding it
would have to stay below ``TOLERANCE`` relative to its own parts at every
point, smaller than any ratio of two doubles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from gradcli.ir.dims import Dim
from gradcli.ir.nodes import (
    Apply,
    Block,
    Expr,
    LogDet,
    Norm,
    Power,
    Var,
    free_vars,
    tree_size,
    walk,
)
from gradcli.simplify.anyeval import Matrix, Numbers, evaluate_all, float_numbers, mp_numbers

DIGITS = 400
TOLERANCE = Fraction(1, 10**370)
SCREEN = 1e-6
POINTS = 6
MIN_USABLE = 4
MAX_NODES = 400
MAX_DECISIONS = 8  # full decisions per result (each at most a few tenths of a second)
MAX_SIZE = 4
SEED = 14
KINKS = frozenset({"abs", "relu", "sign", "step", "sqrt"})

Point = tuple[Mapping[str, Matrix], Mapping[Dim, int]]


def analytic(expr: Expr) -> bool:
    """Whether every node of ``expr`` is analytic where it is defined."""
    for n in walk(expr):
        if isinstance(n, Apply) and n.func in KINKS:
            return False
        if isinstance(n, Power) and not float(n.exponent).is_integer():
            return False
        if isinstance(n, (Norm, LogDet)):
            return False
    return True


def may_be_zero(expr: Expr) -> bool:
    """``False`` when ``expr`` is refused outright or the float screen shows it
    is not zero; ``True`` when only the full decision can tell."""
    if not analytic(expr) or tree_size(expr, MAX_NODES) > MAX_NODES:
        return False
    return _screen(expr) is not False


def decide(expr: Expr, points: Iterable[Point]) -> bool:
    """The decision at ``points`` (at most ``POINTS`` are used), with mpmath at
    ``DIGITS`` digits; the caller has screened ``expr`` with ``may_be_zero``."""
    import mpmath

    usable = 0
    with mpmath.workdps(DIGITS):
        num = mp_numbers(mpmath.mp)
        for k, (point, sizes) in enumerate(points):
            if k == POINTS:
                break
            verdict = zero_at(expr, point, sizes, num, TOLERANCE)
            if verdict is False:
                return False
            usable += verdict is True
    return usable >= MIN_USABLE


def zero_at(
    expr: Expr,
    point: Mapping[str, Matrix],
    sizes: Mapping[Dim, int],
    num: Numbers,
    tolerance: Fraction | float,
) -> bool | None:
    """Whether ``expr`` is zero at ``point`` within ``tolerance`` times the
    largest magnitude computed under it; ``None`` where the point is unusable."""
    values = evaluate_all(expr, point, sizes, num)
    if values is None:
        return None
    scale: Any = max(abs(v) for m in values.values() for row in m for v in row)
    bound = scale * num.number(tolerance)
    return all(abs(v) <= bound for row in values[id(expr)] for v in row)


def _screen(expr: Expr) -> bool | None:
    """``False`` when a float evaluation shows ``expr`` is not zero, else ``None``."""
    if any(isinstance(n, Block) for n in walk(expr)):
        return None  # summed dimensions: left to the sampler, which knows them
    rng = _Draws(SEED)
    sizes: dict[Dim, int] = {}
    for n in walk(expr):
        for d in (n.shape.rows, n.shape.cols):
            for atom in d.atoms():
                sizes.setdefault(atom, 2 + int(rng.uniform(0.0, MAX_SIZE - 1.0)))
    point = {v.name: _screen_value(v, sizes, rng) for v in free_vars(expr)}
    verdict = zero_at(expr, point, sizes, float_numbers(), SCREEN)
    return None if verdict is None or verdict else False


class _Draws:
    """Seeded uniform draws (a 64-bit linear congruential generator, Knuth's
    MMIX constants): enough for one screening point, and lighter to import
    than ``random`` on the command line's start-up path."""

    def __init__(self, seed: int) -> None:
        self.state = seed

    def uniform(self, lo: float, hi: float) -> float:
        self.state = (6364136223846793005 * self.state + 1442695040888963407) % 2**64
        return lo + (hi - lo) * (self.state >> 11) / 2**53


def _screen_value(v: Var, sizes: Mapping[Dim, int], rng: _Draws) -> Matrix:
    """Entries in ``[0.5, 2]``; a square matrix diagonally dominant (invertible),
    symmetric when declared so."""
    ctx = dict(sizes)
    rows, cols = v.shape.rows.resolve(ctx), v.shape.cols.resolve(ctx)
    m = [[rng.uniform(0.5, 2.0) for _ in range(cols)] for _ in range(rows)]
    if v.symmetric:
        m = [[m[min(i, j)][max(i, j)] for j in range(cols)] for i in range(rows)]
    if rows == cols and rows > 1:
        for i in range(rows):
            m[i][i] += 2.0 * rows
    return m
