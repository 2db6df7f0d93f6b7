"""Dimensions during type inference: a union-find over dimension variables.

``x^T A x`` unifies the rows of ``A`` with the size of ``x`` and its columns
with the same, so ``A`` is square; a dimension bound to a fixed size (a
literal's length, the 1 of a vector's columns) stays fixed, and two different
fixed sizes do not unify. ``TShape`` is a shape over these tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

# A dimension during inference: 0 is the fixed size 1; other ints are union-find
# nodes, each either free or bound to a fixed size.
DimTok = int
ONE_TOK: DimTok = 0


class Dims:
    """Union-find over dimension tokens, with optional fixed sizes."""

    def __init__(self) -> None:
        self.parent: list[int] = [0]
        self.size: list[int | None] = [1]
        self.products: dict[DimTok, tuple[DimTok, DimTok]] = {}
        self.sums: dict[DimTok, tuple[DimTok, ...]] = {}

    def sum(self, parts: list[DimTok]) -> DimTok:
        """A dimension that is the sum of ``parts`` (blocks stacked in a literal)."""
        tok = self.fresh()
        self.sums[tok] = tuple(parts)
        return tok

    def parts(self, tok: DimTok) -> tuple[DimTok, ...] | None:
        root = self.find(tok)
        for s, parts in self.sums.items():
            if self.find(s) == root:
                return parts
        return None

    def _sums_fit(self, ra: DimTok, rb: DimTok) -> bool:
        """A sum unifies only with a free dimension or the same sum: its size
        is that of its parts, and ``n + m = 5`` cannot say what ``n`` is."""
        pa, pb = self.parts(ra), self.parts(rb)
        if pa is None and pb is None:
            return True
        if pa is not None and pb is not None:
            return [self.find(t) for t in pa] == [self.find(t) for t in pb]
        other = rb if pa is not None else ra
        return self.size[other] is None and self.factors(other) is None

    def product(self, a: DimTok, b: DimTok) -> DimTok:
        """A dimension that is the product ``a b`` (``a`` the slower index, as in ``kron``)."""
        if self.find(a) == ONE_TOK:
            return b
        if self.find(b) == ONE_TOK:
            return a
        tok = self.fresh()
        self.products[tok] = (a, b)
        return tok

    def factors(self, tok: DimTok) -> tuple[DimTok, DimTok] | None:
        root = self.find(tok)
        for p, ab in self.products.items():
            if self.find(p) == root:
                return ab
        return None

    def fresh(self, size: int | None = None) -> DimTok:
        if size == 1:
            return ONE_TOK
        self.parent.append(len(self.parent))
        self.size.append(size)
        return len(self.parent) - 1

    def find(self, a: DimTok) -> DimTok:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def unify(self, a: DimTok, b: DimTok) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if ONE_TOK in (ra, rb):
            return False
        sa, sb = self.size[ra], self.size[rb]
        if sa is not None and sb is not None and sa != sb:
            return False
        if not self._sums_fit(ra, rb):
            return False
        if self.parts(rb) is not None:  # the sum stays the root, which names it
            ra, rb = rb, ra
        fa, fb = self.factors(ra), self.factors(rb)
        if fa is None and fb is None:
            pass
        elif fa is not None and fb is not None:
            if not (self.unify(fa[0], fb[0]) and self.unify(fa[1], fb[1])):
                return False
            ra, rb = self.find(ra), self.find(rb)
            if ra == rb:
                return True
        if fb is not None and fa is None:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] = sa if sa is not None else sb
        return self._settle(ra)

    def _settle(self, root: DimTok) -> bool:
        """A product of known size with one known factor fixes the other (``2 e = 4``)."""
        ab = self.factors(root)
        total = self.size[self.find(root)]
        if ab is None or total is None:
            return True
        sizes = [self.size[self.find(t)] for t in ab]
        if sizes[0] is not None and sizes[1] is not None:
            return sizes[0] * sizes[1] == total
        for t, other in ((ab[0], sizes[1]), (ab[1], sizes[0])):
            if other is not None and self.size[self.find(t)] is None:
                if total % other:
                    return False
                return self.unify(t, self.fresh(total // other))
        if self.find(ab[0]) == self.find(ab[1]):  # n·n = 4: n = 2
            side = round(total**0.5)
            return side * side == total and self.unify(ab[0], self.fresh(side))
        return False  # n·m = 3 with n and m both free: no way to tell them apart


@dataclass(frozen=True)
class TShape:
    rows: DimTok
    cols: DimTok

    @property
    def is_scalar(self) -> bool:
        return self.rows == ONE_TOK and self.cols == ONE_TOK

    @property
    def is_vector(self) -> bool:
        return self.cols == ONE_TOK and self.rows != ONE_TOK


SCALAR_T = TShape(ONE_TOK, ONE_TOK)
