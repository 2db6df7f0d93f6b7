"""The zero oracle's random points, drawn over the whole domain.

``simplify/oracle.py`` holds the policy (what counts as zero, at how many
points, with what precision) and the float screen; this module draws the
points it decides at with ``numeric/sample.py``, taking the three kinds of draw
in turn (domain-safe, mirrored, free) with a fresh choice of sizes for each,
from a fixed seed, so that a result does not depend on the check's seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from gradcli.ir.nodes import Expr, free_vars
from gradcli.numeric.sample import Variant, choose_sizes, domain_hints, sample_point
from gradcli.simplify.oracle import MAX_SIZE, POINTS, SEED, Point, decide, may_be_zero

VARIANTS = (Variant.DOMAIN, Variant.MIRROR, Variant.FREE)


def oracle_points(expr: Expr) -> Iterator[Point]:
    """``POINTS`` random points for the variables of ``expr``, with their sizes."""
    rng = np.random.default_rng(SEED)
    variables = free_vars(expr)
    hints = domain_hints([expr])
    for k in range(POINTS):
        sizes = choose_sizes([expr, *variables], rng, MAX_SIZE)
        drawn = sample_point(variables, sizes, rng, hints, 0, VARIANTS[k % 3], k // 3)
        yield {name: value.tolist() for name, value in drawn.items()}, sizes


def identically_zero(expr: Expr) -> bool:
    """Whether the oracle accepts ``expr == 0`` (``simplify/oracle.py``'s policy)."""
    return may_be_zero(expr) and decide(expr, oracle_points(expr))
