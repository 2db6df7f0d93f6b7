"""Seeded random draws for the numerical check, as NumPy arrays.

The check needs a few dozen uniform and normal numbers per point. They come
from the standard library's generator (the Mersenne Twister, seeded by the
check's seed), not from ``numpy.random``: importing ``numpy.random`` costs
about as much start-up time as the whole derivation of a small expression.
The methods are the few of ``numpy.random.Generator`` the check uses, with the
same meaning, so either can be passed where a ``Rng`` is expected.
"""

from __future__ import annotations

import random
from typing import Any, Protocol

import numpy as np

Shape = int | tuple[int, ...]


class Rng(Protocol):
    """What the sampler draws from (``Draws``, or a ``numpy.random.Generator``)."""

    def uniform(self, low: float = ..., high: float = ..., size: Any = ...) -> Any: ...

    def standard_normal(self, size: Any) -> Any: ...

    def integers(self, low: int, high: int) -> Any: ...

    def permutation(self, x: Any) -> Any: ...


class Draws:
    """Uniform and normal arrays, integers and permutations from one seed."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Shape | None = None) -> Any:
        """``U(low, high)``: a float, or an array of shape ``size``."""
        if size is None:
            return self._random.uniform(low, high)
        draw = self._random.uniform
        return self._array((draw(low, high) for _ in range(_count(size))), size)

    def standard_normal(self, size: Shape) -> np.ndarray:
        """``N(0, 1)`` entries in an array of shape ``size``."""
        draw = self._random.gauss
        return self._array((draw(0.0, 1.0) for _ in range(_count(size))), size)

    def integers(self, low: int, high: int) -> int:
        """An integer in ``low .. high - 1``, as ``Generator.integers``."""
        return self._random.randrange(low, high)

    def permutation(self, x: int | np.ndarray) -> np.ndarray:
        """A shuffled copy of ``x`` (of ``arange(x)`` for an integer)."""
        items = list(range(x)) if isinstance(x, int) else list(x)
        self._random.shuffle(items)
        return np.array(items, dtype=int if isinstance(x, int) else None)

    @staticmethod
    def _array(values: Any, size: Shape) -> np.ndarray:
        return np.fromiter(values, dtype=float, count=_count(size)).reshape(size)


def _count(size: Shape) -> int:
    if isinstance(size, int):
        return size
    n = 1
    for s in size:
        n *= s
    return n
