"""Dimensions and shapes.

Every value is a matrix ``rows x cols``: a scalar is ``1 x 1``, a column vector
``n x 1``. A ``Dim`` is either a known size (``size`` set) or a symbol (``n``)
whose size is chosen only when an expression is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, order=True)
class Dim:
    """A dimension: the symbol ``name``, or the fixed ``size``."""

    name: str
    size: int | None = None
    factors: tuple[Dim, ...] = ()

    @staticmethod
    def fixed(size: int) -> Dim:
        return Dim(str(size), size)

    @staticmethod
    def product(a: Dim, b: Dim) -> Dim:
        """The dimension ``a b`` (of a Kronecker product or a ``vec``)."""
        if a == ONE:
            return b
        if b == ONE:
            return a
        if a.size is not None and b.size is not None:
            return Dim.fixed(a.size * b.size)
        parts = tuple(sorted((a.factors or (a,)) + (b.factors or (b,)), key=lambda d: d.name))
        return Dim("·".join(p.name for p in parts), None, parts)

    def resolve(self, sizes: dict[Dim, int]) -> int:
        """The size of this dimension given sizes for the symbols."""
        if self.size is not None:
            return self.size
        if self.factors:
            out = 1
            for f in self.factors:
                out *= f.resolve(sizes)
            return out
        return sizes[self]

    def atoms(self) -> list[Dim]:
        """The free symbols this dimension is made of (``m·n``: ``m`` and ``n``)."""
        if self.size is not None:
            return []
        if self.factors:
            return [a for f in self.factors for a in f.atoms()]
        return [self]

    def __str__(self) -> str:
        return self.name


ONE = Dim.fixed(1)


@dataclass(frozen=True)
class Shape:
    rows: Dim
    cols: Dim

    @property
    def is_scalar(self) -> bool:
        return self.rows == ONE and self.cols == ONE

    @property
    def is_vector(self) -> bool:
        """A column vector (not a scalar)."""
        return self.cols == ONE and self.rows != ONE

    @property
    def is_row(self) -> bool:
        return self.rows == ONE and self.cols != ONE

    @property
    def is_matrix(self) -> bool:
        return self.rows != ONE and self.cols != ONE

    @property
    def is_square(self) -> bool:
        return self.rows == self.cols

    @property
    def T(self) -> Shape:
        return Shape(self.cols, self.rows)

    def __str__(self) -> str:
        if self.is_scalar:
            return "scalar"
        if self.is_vector:
            return f"{self.rows}"
        return f"{self.rows}×{self.cols}"

    def plain(self) -> str:
        """``n x m`` with ASCII ``x``, for text and JSON."""
        return f"{self.rows} x {self.cols}"


SCALAR = Shape(ONE, ONE)


def shape_words(shape: Shape) -> str:
    """A shape as a message says it: ``a vector of size n``, ``a matrix of size n×m``."""
    if shape.is_scalar:
        return "a scalar"
    if shape.is_vector:
        return f"a vector of size {shape.rows}"
    if shape.is_row:
        return f"a row vector of size {shape.cols}"
    return f"a matrix of size {shape.rows}×{shape.cols}"


def vector(n: Dim) -> Shape:
    return Shape(n, ONE)


class Kind(Enum):
    SCALAR = "scalar"
    VECTOR = "vector"
    MATRIX = "matrix"
