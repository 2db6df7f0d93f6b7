"""The printer core shared by every output format.

One dispatcher (``Printer._print`` calls ``_print_<Node>``), one precedence
table (``Printer.PRECEDENCE``, refined by ``_prec_<Node>`` for the few nodes
whose printed form depends on their data) and one ``parenthesize``. A format
subclasses ``Printer`` and chooses tokens and leaf spellings; the layout of sums,
products, element-wise quotients and transposes lives here, so every format
orders terms and places parentheses the same way.

``doprint`` renders each distinct node of the expression DAG once, children
before parents, so the descent from a parent into a child is a cached lookup:
the Python stack stays shallow however deep the expression is, and a shared
subexpression is rendered once.

Over 500 lines on purpose: the layout every format shares (sums, products,
quotients, powers, zeros, exact fractions) is one piece, so that no format
places a parenthesis differently.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from types import MappingProxyType
from typing import ClassVar, TypeGuard

from gradcli.errors import LimitError
from gradcli.ir.dims import ONE, Dim, Shape
from gradcli.ir.nodes import (
    Add,
    Const,
    Expr,
    Fill,
    Hadamard,
    Inverse,
    MatPow,
    Mul,
    Power,
    SumAll,
    Transpose,
    Var,
    walk,
)
from gradcli.printers.sizes import counted_dims


class Prec(IntEnum):
    """How tightly a printed form binds, loosest first (SPEC §2)."""

    SUM = 10
    PRODUCT = 20
    UNARY = 30
    POWER = 40
    ATOM = 50


def format_number(v: Fraction | float) -> str:
    """The shortest text that reads back as ``v`` (to a double): ``2``, ``0.5``,
    ``1e-08``, ``-3``. Exact values are printed through the nearest double.

    A number that is not a finite double (``inf``, ``nan``, or an exact value
    too large to convert) cannot be written so that it reads back: that is a
    ``LimitError``, never the text ``inf``."""
    if isinstance(v, Fraction) and v.denominator == 1 and abs(v) < 10**15:
        return str(v.numerator)
    try:
        f = float(v)
    except OverflowError:
        f = math.inf
    if math.isnan(f) or math.isinf(f):
        what = "not a number" if math.isnan(f) else "too large for a double"
        raise LimitError(
            f"a number in the expression or its result is {what} ({f!r}), so it cannot be written",
            hint="scale the expression so that its constants stay below about 1.8e308",
        )
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


MAX_FRACTION_DIGITS = 24


def as_fraction(v: Fraction | float) -> tuple[int, int] | None:
    """``(p, q)`` when the constant ``v`` is written as the fraction ``p/q``.

    The rule (docs/conventions.md, "Numbers"): an integer is written as one; a
    value whose shortest decimal reads back exactly stays a decimal (``0.5``,
    ``0.1``, ``1e-08``: every decimal the user typed); any other value is
    written ``p/q`` while ``p`` and ``q`` have at most ``MAX_FRACTION_DIGITS``
    digits between them (``1/9``, not ``0.1111111111111111``), else as the
    nearest double."""
    if not isinstance(v, Fraction) or v.denominator == 1:
        return None
    try:
        if Fraction(format_number(v)) == v:
            return None
    except LimitError:
        return None
    p, q = v.numerator, v.denominator
    if len(str(abs(p))) + len(str(q)) > MAX_FRACTION_DIGITS:
        return None
    return p, q


def _finite(v: Fraction | float) -> bool:
    """Whether ``v`` is a finite double (a huge exact number is not)."""
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False


def _ones_column(shape: Shape) -> Fill:
    """The all-ones ``shape``, a column shape: the ``ones`` leaf."""
    return Fill(Const(1.0), shape)


def is_reciprocal(e: Expr) -> TypeGuard[Power]:
    """``e`` is ``b .^ -k`` for an integer ``k >= 1``, printed as a division."""
    return isinstance(e, Power) and e.exponent < 0 and e.exponent.is_integer()


def reciprocal_of(e: Power) -> Expr:
    """The denominator ``b .^ k`` of ``e = b .^ -k`` (``b`` when ``k = 1``)."""
    return e.base if e.exponent == -1.0 else Power(e.base, -e.exponent)


@dataclass(frozen=True)
class Product:
    """A ``Mul`` laid out for printing: ``coeff scalars chain / dens``.

    ``scalars`` are the scalar factors of the numerator in their stored order,
    ``chain`` the matrix product, ``dens`` the denominators (``t`` for a factor
    ``t^-1``, ``t^2`` for ``t^-2``).
    """

    coeff: Fraction | float
    scalars: tuple[Expr, ...]
    chain: tuple[Expr, ...]
    dens: tuple[Expr, ...]

    @staticmethod
    def of(expr: Mul) -> Product:
        scalars = tuple(f for f in expr.scalars if not is_reciprocal(f))
        dens = tuple(reciprocal_of(f) for f in expr.scalars if is_reciprocal(f))
        return Product(expr.coeff, scalars, expr.chain, dens)


def magnitude(v: Fraction | float) -> Fraction | float:
    """``|v|``, typed as what it is (``abs`` of the union is an ``object`` to mypy)."""
    return -v if v < 0 else v


def over_denominator(p: Product) -> Product:
    """``p`` with a fraction coefficient ``a/q`` (``as_fraction``) written as
    ``a`` over a denominator ``q``, the first of ``dens``."""
    frac = as_fraction(magnitude(p.coeff))
    if frac is None:
        return p
    a, q = frac
    return Product(Fraction(a if p.coeff > 0 else -a), p.scalars, p.chain, (Const(q), *p.dens))


def hadamard_parts(e: Expr) -> tuple[list[Expr], list[Expr]]:
    """Numerator factors and denominators of ``x .* y ./ z`` (or of ``1 ./ z``)."""
    factors = e.factors if isinstance(e, Hadamard) else (e,)
    num = [f for f in factors if not is_reciprocal(f)]
    den = [reciprocal_of(f) for f in factors if is_reciprocal(f)]
    return num, den


def split_sign(term: Expr) -> tuple[bool, Expr]:
    """``(negative, |term|)``: a sum prints ``a - |term|`` for a negative term."""
    if isinstance(term, Mul) and term.coeff < 0:
        if term.coeff == -1.0 and len(term.factors) == 1:
            return True, term.factors[0]
        return True, Mul(-term.coeff, term.factors)
    if isinstance(term, Const) and term.value < 0:
        return True, Const(-term.value)
    return False, term


def _is_zeros(e: Fill) -> bool:
    return isinstance(e.value, Const) and e.value.value == 0 and not e.shape.is_scalar


def _is_ones(e: Expr) -> bool:
    return isinstance(e, Fill) and isinstance(e.value, Const) and e.value.value == 1.0


def broadcast_scalar(term: Expr) -> Expr | None:
    """The scalar that a broadcast term of a sum stands for, else ``None``.

    ``Fill(c)`` is ``c``, and so is ``c ones`` (``Mul(c, ones)``, the form the
    smart constructors give it): ``add(ones, exp(x))`` prints ``1 + exp(x)``.
    """
    if isinstance(term, Fill):
        return term.value
    if not (isinstance(term, Mul) and len(term.chain) == 1 and _is_ones(term.chain[0])):
        return None
    if not term.scalars:
        return Const(term.coeff)
    if term.coeff == 1.0 and len(term.scalars) == 1:
        return term.scalars[0]
    return Mul(term.coeff, term.scalars)


def ones_factors(shape: Shape) -> tuple[Expr, ...]:
    """All-ones of ``shape`` from the ones column: ``(1,)``, ``(1^T,)``, ``(1, 1^T)``."""
    if shape.rows == ONE:
        return (Transpose(_ones_column(Shape(shape.cols, ONE))),)
    col = _ones_column(Shape(shape.rows, ONE))
    if shape.cols == ONE:
        return (col,)
    return (col, Transpose(_ones_column(Shape(shape.cols, ONE))))


def fill_as_product(e: Fill) -> Expr:
    """``Fill(v, shape)`` as ``v`` times the all-ones of ``shape`` (``3 ones``)."""
    if e.fill_shape.is_scalar:
        return e.value
    factors = ones_factors(e.fill_shape)
    if isinstance(e.value, Const):
        if e.value.value == 1.0 and len(factors) == 1:
            return factors[0]
        return Mul(e.value.value, factors)
    return Mul(1.0, (e.value, *factors))


def inverse_operand(e: Expr) -> Expr | None:
    """``M`` for ``e = M^-1``, ``M^T`` for ``e = M^-T`` (either nesting), else ``None``."""
    if isinstance(e, Inverse):
        return e.arg
    if isinstance(e, Transpose) and isinstance(e.arg, Inverse):
        return Transpose(e.arg.arg)
    return None


class Printer:
    """Render an IR expression as a string; subclasses choose the tokens.

    Contract: ``doprint(expr)`` returns one line; every ``_print_<Node>``
    returns the node's form without outer parentheses, and the parent decides,
    with ``parenthesize``, whether the child needs them.
    """

    PRECEDENCE: ClassVar[Mapping[str, Prec]] = MappingProxyType(
        {
            "Add": Prec.SUM,
            "Mul": Prec.PRODUCT,
            "Hadamard": Prec.PRODUCT,
            "Kron": Prec.PRODUCT,
            "Power": Prec.POWER,
            "Transpose": Prec.POWER,
            "Inverse": Prec.POWER,
            "MatPow": Prec.POWER,
        }
    )
    neg_sign: ClassVar[str] = "-"
    plus: ClassVar[str] = " + "
    minus: ClassVar[str] = " - "
    juxt: ClassVar[str] = " "
    had_mul: ClassVar[str] = " .* "
    had_div: ClassVar[str] = " ./ "
    scal_div: ClassVar[str] = " / "
    fraction_below: ClassVar[bool] = True  # a coefficient p/q: q joins the denominators

    def __init__(self) -> None:
        self._done: dict[int, str] = {}

    # ------------------------------------------------------------ dispatch

    def doprint(self, expr: Expr) -> str:
        """The printed form of ``expr`` (rendered bottom-up, see the module doc)."""
        self._done = {}
        try:
            for node in walk(expr):
                self._done[id(node)] = self._dispatch(node)
            return self._done[id(expr)]
        finally:
            self._done = {}

    def _print(self, expr: Expr) -> str:
        done = self._done.get(id(expr))
        return done if done is not None else self._dispatch(expr)

    def _dispatch(self, expr: Expr) -> str:
        method: Callable[[Expr], str] | None = getattr(self, "_print_" + type(expr).__name__, None)
        if method is None:
            raise TypeError(f"{type(self).__name__} cannot print {type(expr).__name__}")
        return method(expr)

    def precedence(self, expr: Expr) -> Prec:
        """How tightly the printed form of ``expr`` binds in this format."""
        name = type(expr).__name__
        rule: Callable[[Expr], Prec] | None = getattr(self, "_prec_" + name, None)
        if rule is not None:
            return rule(expr)
        return self.PRECEDENCE.get(name, Prec.ATOM)

    def parenthesize(self, expr: Expr, min_prec: Prec) -> str:
        """``expr`` printed, in parentheses when it binds looser than ``min_prec``."""
        text = self._print(expr)
        return self._paren(text) if self.precedence(expr) < min_prec else text

    def _prec_Const(self, expr: Const) -> Prec:
        if as_fraction(magnitude(expr.value)) is not None:
            return min(self._fraction_prec(), Prec.UNARY)
        if expr.value < 0:
            return Prec.UNARY
        if not _finite(expr.value):
            return Prec.ATOM  # the printer's _number writes it (np.inf) or refuses it
        return Prec.ATOM if "e" not in format_number(expr.value) else Prec.PRODUCT

    def _prec_Power(self, expr: Power) -> Prec:
        return Prec.PRODUCT if is_reciprocal(expr) else Prec.POWER

    def _prec_SumAll(self, expr: SumAll) -> Prec:
        """A size (``n``, ``n m``, see ``printers.sizes``) binds as a name or a product."""
        dims = counted_dims(expr)
        if dims is None:
            return Prec.ATOM
        return Prec.ATOM if len(dims) == 1 else Prec.PRODUCT

    def _size(self, dims: tuple[Dim, ...]) -> str:
        """A size by the names of its dimensions: ``n``, ``n m``; a fixed one as a number."""
        return self.juxt.join(
            str(d.size) if d.size is not None else self._name(d.name) for d in dims
        )

    def _prec_Fill(self, expr: Fill) -> Prec:
        if _is_ones(expr) and expr.shape.is_vector:
            return Prec.ATOM
        if _is_zeros(expr) and self._zeros(expr.shape) is not None:
            return self._zeros_prec(expr.shape)
        return self.precedence(fill_as_product(expr))

    # ------------------------------------------------------------ format hooks

    def _paren(self, text: str) -> str:
        return f"({text})"

    def _number(self, v: Fraction | float) -> str:
        """A number (the sign is printed by the caller for coefficients)."""
        return format_number(v)

    def _name(self, name: str) -> str:
        return name

    def _ones(self) -> str:
        raise NotImplementedError

    def _fraction(self, p: int, q: int) -> str:
        """The positive fraction ``p/q`` as a constant."""
        return f"{p}/{q}"

    def _fraction_prec(self) -> Prec:
        """How tightly ``_fraction`` binds: as a division."""
        return Prec.PRODUCT

    def _zeros(self, shape: Shape) -> str | None:
        """The all-zero vector or matrix of ``shape`` (``None``: as ``0`` times ones)."""
        return None

    def _zeros_prec(self, shape: Shape) -> Prec:
        """How tightly ``_zeros(shape)`` binds."""
        return Prec.ATOM

    def _transpose(self, base: str) -> str:
        raise NotImplementedError

    def _inverse(self, base: str, transposed: bool) -> str:
        raise NotImplementedError

    def _matpow(self, base: str, k: int) -> str:
        """``base^k``; a negative ``k`` is a power of the inverse (``A^-2``)."""
        raise NotImplementedError

    def _power(self, base: str, exponent: float, elementwise: bool) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------ leaves

    def _print_Var(self, expr: Var) -> str:
        return self._name(expr.name)

    def _print_Const(self, expr: Const) -> str:
        if expr.value < 0:
            return self.neg_sign + self._coefficient(-expr.value)
        return self._coefficient(expr.value)

    def _coefficient(self, v: Fraction | float) -> str:
        """A nonnegative constant: ``p/q`` by ``as_fraction``'s rule, else a number."""
        frac = as_fraction(v)
        return self._number(v) if frac is None else self._fraction(*frac)

    def _print_Fill(self, expr: Fill) -> str:
        if _is_ones(expr) and expr.shape.is_vector:
            return self._ones()
        zeros = self._zeros(expr.shape) if _is_zeros(expr) else None
        return zeros if zeros is not None else self._print(fill_as_product(expr))

    # ------------------------------------------------------------ sums

    def _print_Add(self, expr: Add) -> str:
        """Positive terms first, then ``- term``; broadcast scalars as numbers."""
        signed = [split_sign(t) for t in self._sum_terms(expr)]
        ordered = [t for t in signed if not t[0]] + [t for t in signed if t[0]]
        out: list[str] = []
        for i, (negative, term) in enumerate(ordered):
            text = self.parenthesize(term, Prec.PRODUCT)
            if i == 0:
                out.append(self.neg_sign + text if negative else text)
            else:
                out.append((self.minus if negative else self.plus) + text)
        return "".join(out)

    def _sum_terms(self, expr: Add) -> list[Expr]:
        """The terms, a broadcast one replaced by its scalar when another term
        carries the shape (``1 + exp(x)``, never ``1 + t`` for two fills)."""
        subs = [broadcast_scalar(t) for t in expr.terms]
        if all(s is not None for s in subs):
            return list(expr.terms)
        return [t if s is None else s for t, s in zip(expr.terms, subs, strict=True)]

    # ------------------------------------------------------------ products

    def _print_Mul(self, expr: Mul) -> str:
        """``coeff scalars chain / dens``; ``-`` for a coefficient of -1. A
        fraction coefficient ``p/q`` puts ``q`` below: ``theta / 9``, ``2 x / (9 t)``."""
        p = Product.of(expr)
        p = over_denominator(p) if self.fraction_below else p
        body = self._product_body(self._prefix(p), p.chain)
        return self._signed(p.coeff < 0, self._divide(body, p.dens))

    def _prefix(self, p: Product) -> list[str]:
        """The magnitude of the coefficient (unless 1), then the scalar factors."""
        head = [] if abs(p.coeff) == 1 else [self._coefficient(magnitude(p.coeff))]
        return head + [self.parenthesize(s, Prec.POWER) for s in p.scalars]

    def _product_body(self, prefix: list[str], chain: Sequence[Expr]) -> str:
        """The prefix and the chain juxtaposed. A lone product-level chain
        factor needs no parentheses after scalars (``2 x .* y``, ``2 ./ x``)."""
        if len(chain) == 1 and self._merges_with_prefix(chain[0]):
            tail = chain[0]
            if isinstance(tail, Hadamard) or is_reciprocal(tail):
                return self._hadamard_body(prefix, *hadamard_parts(tail))
            return self.juxt.join([*prefix, self._print(tail)])
        return self.juxt.join([*prefix, *self._chain_items(chain)])

    def _merges_with_prefix(self, e: Expr) -> bool:
        return not isinstance(e, Mul) and self.precedence(e) == Prec.PRODUCT

    def _chain_items(self, chain: Sequence[Expr]) -> list[str]:
        """The printed factors of a matrix chain, to be juxtaposed."""
        return [self.parenthesize(f, Prec.POWER) for f in chain]

    def _divide(self, body: str, dens: Sequence[Expr]) -> str:
        """``body / den`` (``1 / den`` for an empty body); ``body`` alone without dens."""
        numerator = body or self._number(1.0)
        if not dens:
            return numerator
        if len(dens) == 1:
            den = self.parenthesize(dens[0], Prec.POWER)
        else:
            den = self._paren(self.juxt.join(self.parenthesize(d, Prec.POWER) for d in dens))
        return f"{numerator}{self.scal_div}{den}"

    def _signed(self, negative: bool, text: str) -> str:
        return self.neg_sign + text if negative else text

    def _print_Hadamard(self, expr: Hadamard) -> str:
        return self._hadamard_body([], *hadamard_parts(expr))

    def _hadamard_body(self, prefix: list[str], num: list[Expr], den: list[Expr]) -> str:
        """``prefix x .* y ./ z ./ w``; ``1 ./ z`` when there is nothing above."""
        core = self.had_mul.join(self.parenthesize(f, Prec.POWER) for f in num)
        head = self.juxt.join([*prefix, core] if core else prefix) or self._number(1.0)
        return head + "".join(self.had_div + self.parenthesize(d, Prec.POWER) for d in den)

    # ------------------------------------------------------------ powers

    def _print_Power(self, expr: Power) -> str:
        if is_reciprocal(expr):
            if expr.is_scalar:
                return self._print_Mul(Mul(1.0, (expr,)))
            return self._hadamard_body([], [], [reciprocal_of(expr)])
        base = self.parenthesize(expr.base, Prec.ATOM)
        return self._power(base, expr.exponent, elementwise=not expr.is_scalar)

    def _print_Transpose(self, expr: Transpose) -> str:
        if isinstance(expr.arg, Inverse):
            return self._inverse(self.parenthesize(expr.arg.arg, Prec.ATOM), transposed=True)
        return self._transpose(self.parenthesize(expr.arg, Prec.ATOM))

    def _print_Inverse(self, expr: Inverse) -> str:
        if isinstance(expr.arg, Transpose):
            return self._inverse(self.parenthesize(expr.arg.arg, Prec.ATOM), transposed=True)
        return self._inverse(self.parenthesize(expr.arg, Prec.ATOM), transposed=False)

    def _print_MatPow(self, expr: MatPow) -> str:
        base = expr.base
        if isinstance(base, Inverse) and not isinstance(base.arg, Transpose):
            return self._matpow(self.parenthesize(base.arg, Prec.ATOM), -expr.k)
        return self._matpow(self.parenthesize(base, Prec.ATOM), expr.k)
