"""The Unicode math form used by ``pretty``: ``(A + Aᵀ) x``, ``2 Aᵀ (A x − b)``.

Same layout as the text form, with mathematical tokens: ``−`` for minus,
``⊙``/``⊘`` for element-wise product and division, ``/`` for division by a
scalar, superscripts (``Aᵀ``, ``X⁻ᵀ``, ``‖x‖²``, element-wise ``x⊙²``), ``σ``
for the sigmoid, ``𝟏`` and ``I`` for ones and the identity. Variable names get
a subscript for each ``_`` part (``x_1`` is ``x₁``; ``x1`` stays ``x1``, so the
two never look alike) and Greek names their letter (``alpha`` is ``α``;
``sigma`` stays a name, since ``σ`` is the sigmoid).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import ClassVar

from gradcli.ir.dims import Shape
from gradcli.ir.nodes import Apply, Identity, Kron, LogDet, Reduce
from gradcli.ir.primitives import ELEMENTWISE, REDUCTIONS, fill
from gradcli.printers.base import Prec, format_number
from gradcli.printers.text import TextPrinter

_SUPERSCRIPT = str.maketrans("0123456789-T", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ")

GREEK: Mapping[str, str] = MappingProxyType(
    {
        "alpha": "α",
        "beta": "β",
        "gamma": "γ",
        "delta": "δ",
        "epsilon": "ε",
        "zeta": "ζ",
        "eta": "η",
        "theta": "θ",
        "iota": "ι",
        "kappa": "κ",
        "lambda": "λ",
        "mu": "μ",
        "nu": "ν",
        "xi": "ξ",
        "pi": "π",
        "rho": "ρ",
        "tau": "τ",
        "upsilon": "υ",
        "phi": "φ",
        "chi": "χ",
        "psi": "ψ",
        "omega": "ω",
        "Gamma": "Γ",
        "Delta": "Δ",
        "Theta": "Θ",
        "Lambda": "Λ",
        "Xi": "Ξ",
        "Pi": "Π",
        "Sigma": "Σ",
        "Upsilon": "Υ",
        "Phi": "Φ",
        "Psi": "Ψ",
        "Omega": "Ω",
    }
)

_SUBSCRIPT_CHARS = str.maketrans("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")


def unicode_name(name: str) -> str:
    """A variable's name in Unicode math; distinct names always look distinct.

    ``_`` starts a subscript: ``x_1`` is ``x₁``, ``x_1_2`` is ``x₁,₂``, and a
    part with no subscript characters stays as typed (``x_abc``). Digits glued
    to a name are part of it (``x1`` is ``x1``, not ``x₁``). A Greek head
    becomes its letter (``alpha_1`` is ``α₁``). A name with an empty part
    (``x_``, ``x__1``) is written exactly as typed."""
    head, *parts = name.split("_")
    if "" in parts:
        return name
    out = GREEK.get(head, head)
    subscripted = False
    for part in parts:
        sub = part.translate(_SUBSCRIPT_CHARS)
        if all(c != o for c, o in zip(sub, part, strict=True)):
            out += ("," if subscripted else "") + sub
            subscripted = True
        else:
            out += "_" + part
            subscripted = False
    return out


def superscript(text: str) -> str:
    """``text`` in superscript characters; only digits, ``-`` and ``T`` are mapped."""
    return text.translate(_SUPERSCRIPT)


def unicode_number(v: Fraction | float) -> str:
    """``2``, ``0.5``, ``−3``, and ``2.5×10⁻⁸`` for what text writes ``2.5e-08``."""
    text = format_number(v)
    if "e" in text and "inf" not in text:
        mantissa, exp = text.split("e")
        power = "10" + superscript(str(int(exp)))
        text = power if mantissa in ("1", "-1") else f"{mantissa}×{power}"
        if mantissa == "-1":
            text = "-" + text
    return text.replace("-", "−")


class UnicodePrinter(TextPrinter):
    """Pretty Unicode math for terminals: ``exp(xᵀ A x) (A + Aᵀ) x``."""

    PRECEDENCE: ClassVar[Mapping[str, Prec]] = MappingProxyType(
        {**TextPrinter.PRECEDENCE, "Kron": Prec.PRODUCT}
    )
    neg_sign = "−"
    minus = " − "
    had_mul = " ⊙ "
    had_div = " ⊘ "

    def _number(self, v: Fraction | float) -> str:
        return unicode_number(v)

    def _name(self, name: str) -> str:
        return unicode_name(name)

    def _zeros(self, shape: Shape) -> str | None:
        """A zero vector or matrix is ``0``: ``pretty`` shows its shape beside it."""
        return "0"

    def _zeros_prec(self, shape: Shape) -> Prec:
        return Prec.ATOM

    def _ones(self) -> str:
        return "𝟏"

    def _transpose(self, base: str) -> str:
        return base + "ᵀ"

    def _inverse(self, base: str, transposed: bool) -> str:
        return base + ("⁻ᵀ" if transposed else "⁻¹")

    def _matpow(self, base: str, k: int) -> str:
        return base + superscript(str(k))

    def _power(self, base: str, exponent: float, elementwise: bool) -> str:
        mark = "⊙" if elementwise else ""
        if exponent.is_integer() and abs(exponent) < 1000:
            return base + mark + superscript(str(int(exponent)))
        return f"{base}{mark}^{self._number(exponent)}"

    def _norm(self, body: str, frobenius: bool) -> str:
        return f"‖{body}‖_F" if frobenius else f"‖{body}‖"

    def _print_Identity(self, expr: Identity) -> str:
        return "I"

    _elementwise_power: ClassVar[str] = "⊙^"

    def _print_Apply(self, expr: Apply) -> str:
        power = self._variable_power(expr)
        if power is not None:
            return power
        spelling = ELEMENTWISE[expr.func].unicode
        if "{0}" in spelling:
            return fill(spelling, "", self._print(expr.arg))
        return self._call(spelling, expr.arg)

    def _print_Reduce(self, expr: Reduce) -> str:
        return self._call(REDUCTIONS[expr.func].unicode, expr.arg)

    def _print_LogDet(self, expr: LogDet) -> str:
        return f"log|det({self._print(expr.arg)})|"

    def _print_Kron(self, expr: Kron) -> str:
        left = self.parenthesize(expr.left, Prec.POWER)
        return f"{left} ⊗ {self.parenthesize(expr.right, Prec.POWER)}"
