"""Random values that satisfy what the user assumes of a variable.

``constrain`` maps any draw of the sampler (safe side, mirror or free) onto
the set the assumptions describe, keeping what it can of the draw (its signs,
sizes and randomness), so that every point the check tries is one where a
result simplified under the assumptions is meant to hold:

- ``simplex``: entries ``|a| + 0.05``, divided by their sum (positive, sum 1);
- ``onehot``: a one at a random entry, zeros elsewhere;
- ``orthogonal``: the ``Q`` of a QR factorisation of the draw (plus a small
  identity, so it is never singular), its determinant ``+1`` or ``-1``;
- ``diagonal``: the draw's diagonal, each entry at least 0.3 away from 0;
- ``spd``: ``B B^T / n + 0.5 I`` from the draw ``B``;
- ``positive``: entries ``|a| + 0.05``.

``square`` needs no value: it only fixes the shape.
"""

from __future__ import annotations

import numpy as np

from gradcli.ir.nodes import Var
from gradcli.numeric.draws import Rng
from gradcli.numeric.evaluate import Array

FLOOR = 0.05


def constrain(v: Var, value: Array, rng: Rng) -> Array:
    """``value`` moved onto the set ``v.assume`` describes (module docstring)."""
    a = v.assume
    if "onehot" in a:
        out = np.zeros_like(value)
        out.flat[int(rng.integers(0, value.size))] = 1.0
        return out
    if "simplex" in a:
        positive = np.abs(value) + FLOOR
        return positive / float(np.sum(positive))
    if "orthogonal" in a:
        return _orthogonal(value)
    if "diagonal" in a:
        d = np.diag(value)
        d = np.where(d < 0, -1.0, 1.0) * np.maximum(np.abs(d), 0.3)
        return np.diag(d)
    if "spd" in a:
        n = value.shape[0]
        return value @ value.T / n + 0.5 * np.eye(n)
    if "positive" in a:
        return np.abs(value) + FLOOR
    return value


def _orthogonal(value: Array) -> Array:
    """The orthogonal factor of ``value + 0.1 I`` with a positive diagonal of
    ``R`` (unique, so it depends continuously on the draw)."""
    q, r = np.linalg.qr(value + 0.1 * np.eye(value.shape[0]))
    signs = np.where(np.diag(r) < 0, -1.0, 1.0)
    return np.asarray(q * signs)
