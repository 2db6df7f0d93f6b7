"""What to differentiate and how to lay it out: the words every stage shares.

One enum each, used from the command line to the printers. This module
imports nothing, so the CLI can declare its options without loading the
engine.
"""

from __future__ import annotations

from enum import Enum


class Command(str, Enum):
    """The derivative asked for (SPEC §1)."""

    GRAD = "grad"
    JACOBIAN = "jacobian"
    HESSIAN = "hessian"

    @property
    def symbol(self) -> str:
        """The letter of a result's label: ``∇x``, ``Jx``, ``Hx``."""
        return {"grad": "∇", "jacobian": "J", "hessian": "H"}[self.value]

    @property
    def noun(self) -> str:
        """The derivative's name in a sentence: ``gradient``, ``Jacobian``, ``Hessian``."""
        return {"grad": "gradient", "jacobian": "Jacobian", "hessian": "Hessian"}[self.value]


class Layout(str, Enum):
    """Jacobian layout: numerator (``m x n``) or its transpose."""

    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"
