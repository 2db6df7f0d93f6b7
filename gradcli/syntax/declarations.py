"""What the user declares about names (``--scalar``, ``--vector``, ``--matrix``,
``--symmetric``), and the kind a name has when it is not declared (SPEC §2):
a matrix when it starts with an upper-case letter, a column vector otherwise.

Assumptions (``--square``, ``--simplex``, ``--onehot``, ``--orthogonal``,
``--diagonal``, ``--spd``, ``--positive``) say more about a name's value. They
fix its kind where they need one (a simplex is a vector, an orthogonal matrix
is square), and ``--spd`` also means ``--symmetric``. The derivative is still
taken with respect to an unconstrained variable; the assumptions only say at
which points the result is meant to hold (docs/language.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gradcli.errors import OptionError
from gradcli.ir.dims import Kind

IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

# Each assumption, the kind it implies (None: any kind), and whether it makes
# a matrix square.
ASSUMPTIONS: dict[str, tuple[Kind | None, bool]] = {
    "square": (Kind.MATRIX, True),
    "simplex": (Kind.VECTOR, False),
    "onehot": (Kind.VECTOR, False),
    "orthogonal": (Kind.MATRIX, True),
    "diagonal": (Kind.MATRIX, True),
    "spd": (Kind.MATRIX, True),
    "positive": (None, False),
}
# Pairs of options one name may carry together (any other pair is an error).
_COMPATIBLE = {
    frozenset(p)
    for p in [
        ("--matrix", "--symmetric"),
        *(("--matrix", f"--{a}") for a in ("square", "orthogonal", "diagonal", "spd")),
        *(("--vector", f"--{a}") for a in ("simplex", "onehot")),
        *(("--square", f"--{a}") for a in ("symmetric", "orthogonal", "diagonal", "spd")),
        *(("--positive", f"--{k}") for k in ("scalar", "vector", "matrix", "square", "simplex")),
        ("--positive", "--symmetric"),
        ("--symmetric", "--spd"),
    ]
}


@dataclass
class Declarations:
    """Kinds the user declared (``--scalar a,t`` and friends), and assumptions
    (``assumed["simplex"]`` holds the names given to ``--simplex``)."""

    scalar: set[str] = field(default_factory=set)
    vector: set[str] = field(default_factory=set)
    matrix: set[str] = field(default_factory=set)
    symmetric: set[str] = field(default_factory=set)
    assumed: dict[str, set[str]] = field(default_factory=dict)

    def validate(self) -> None:
        groups = {
            "--scalar": self.scalar,
            "--vector": self.vector,
            "--matrix": self.matrix,
            "--symmetric": self.symmetric,
            **{f"--{a}": self.assumed.get(a, set()) for a in ASSUMPTIONS},
        }
        seen: dict[str, list[str]] = {}
        for opt, names in groups.items():
            for name in sorted(names):
                if not IDENT.match(name):
                    raise OptionError(
                        f"{opt} {name!r} is not a variable name",
                        hint="names are letters, digits and _, starting with a letter",
                    )
                for other in seen.get(name, []):
                    if frozenset((other, opt)) not in _COMPATIBLE:
                        raise OptionError(f"{name} is declared both {other} and {opt}")
                seen.setdefault(name, []).append(opt)

    def assumptions(self, name: str) -> frozenset[str]:
        """The assumptions declared for ``name`` (``spd`` implies nothing more here)."""
        return frozenset(a for a, names in self.assumed.items() if name in names)

    def is_symmetric(self, name: str) -> bool:
        return name in self.symmetric or "spd" in self.assumptions(name)

    def is_square(self, name: str) -> bool:
        """A matrix declared square, or with an assumption that makes it square."""
        return self.is_symmetric(name) or any(ASSUMPTIONS[a][1] for a in self.assumptions(name))

    def kind_of(self, name: str) -> Kind:
        if name in self.scalar:
            return Kind.SCALAR
        if name in self.vector:
            return Kind.VECTOR
        if name in self.matrix or name in self.symmetric:
            return Kind.MATRIX
        for a in sorted(self.assumptions(name)):
            kind = ASSUMPTIONS[a][0]
            if kind is not None:
                return kind
        return Kind.MATRIX if name[0].isupper() else Kind.VECTOR
