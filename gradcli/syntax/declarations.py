"""What the user declares about names (``--scalar``, ``--vector``, ``--matrix``,
``--symmetric``), and the kind a name has when it is not declared (SPEC §2):
a matrix when it starts with an upper-case letter, a column vector otherwise."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gradcli.errors import OptionError
from gradcli.ir.dims import Kind

IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


@dataclass
class Declarations:
    """Kinds the user declared (``--scalar a,t`` and friends)."""

    scalar: set[str] = field(default_factory=set)
    vector: set[str] = field(default_factory=set)
    matrix: set[str] = field(default_factory=set)
    symmetric: set[str] = field(default_factory=set)

    def validate(self) -> None:
        groups = {
            "--scalar": self.scalar,
            "--vector": self.vector,
            "--matrix": self.matrix,
            "--symmetric": self.symmetric,
        }
        seen: dict[str, str] = {}
        for opt, names in groups.items():
            for name in sorted(names):
                if not IDENT.match(name):
                    raise OptionError(
                        f"{opt} {name!r} is not a variable name",
                        hint="names are letters, digits and _, starting with a letter",
                    )
                if name in seen and {seen[name], opt} != {"--matrix", "--symmetric"}:
                    raise OptionError(f"{name} is declared both {seen[name]} and {opt}")
                seen[name] = opt

    def kind_of(self, name: str) -> Kind:
        if name in self.scalar:
            return Kind.SCALAR
        if name in self.vector:
            return Kind.VECTOR
        if name in self.matrix or name in self.symmetric:
            return Kind.MATRIX
        return Kind.MATRIX if name[0].isupper() else Kind.VECTOR
