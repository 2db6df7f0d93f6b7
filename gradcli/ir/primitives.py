"""The primitive table: every function of the language, declared once.

An element-wise function is a ``Primitive``: one entry with every facet the
stages need (JAX keeps a primitive's rules under one object, autograd puts
the derivative beside the primitive with ``defvjp``). The stages read only
this table; the old per-stage tables (``FUNCTIONS``, ``DERIVATIVE``,
``FUNCS``, ...) are views of it. ``define`` refuses an entry with a missing
or malformed facet, so a function cannot reach one output and not another.

Facets that need NumPy, SymPy or the IR builders are callables that receive
the module (``value=lambda np, x: np.tanh(x)``), and code is a template
(``"{ns}.tanh({0})"``), so that importing ``gradcli.ir`` stays light.

A ``Composite`` (``max``, ``min``) is defined by an expression over
primitives (``max(a, b) = b + relu(a - b)``): its derivative, value, code and
kinks are those of its definition. Reductions and matrix functions (``sum``,
``tr``, ``det``, ``softmax``, ...) are node types with a rule each in the
engines; the table holds their names, aliases and arity (``NODE_FUNCTIONS``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from gradcli.ir.nodes import Expr

#: ``domain`` facets: where the sampler draws the argument (``numeric/sample.py``).
REAL, POSITIVE = "real", "positive"
#: A slot of a template: ``{ns}``, ``{neg0}``, ``{0}``, ``{1}``, ...
_SLOT = re.compile(r"\{(ns|neg0|[0-9])\}")


class RegistryError(Exception):
    """A primitive declared with a missing, extra or malformed facet (a bug)."""


# Entries are records compared by identity (one per name), without the
# generated __eq__, __hash__ and __repr__, which cost start-up time.
@dataclass(frozen=True, eq=False, repr=False)
class Primitive:
    """An element-wise function ``f`` (the ``Apply`` node), every facet beside it.

    - ``derivative(B, u)``: ``f'(u)`` element-wise, built with ``gradcli.ir.build``;
      reverse mode multiplies the adjoint by it, forward mode by its diagonal.
    - ``value(np, x)``: the float value (``numeric/evaluate.py``);
      ``fold``: the name of the ``math`` function that folds a constant, or
      ``None`` to leave ``f(c)`` unfolded.
    - ``numpy`` / ``array_api``: code templates; ``{ns}`` is the namespace,
      ``{0}`` the argument, ``{neg0}`` its negation.
    - ``sympy(sympy, u)``: the entry of ``--expand``.
    - ``latex`` / ``unicode``: a function name called on the argument, or a
      template with ``{0}``; the text spelling is ``name`` (it reads back).
    - ``domain``: ``REAL`` or ``POSITIVE`` (the safe side of the sampler);
      ``kink``: whether ``f`` has a kink or jump where its argument is 0.
    - ``nonnegative``: whether ``f`` is ``>= 0`` everywhere (simplifier);
      ``share_name``: the name preferred when ``f(u)`` is shared, or ``""``.
    - ``rule``: the ``--steps`` text; ``identity`` and ``citation``: the
      derivative as a formula, and where it is proved.
    """

    name: str
    aliases: tuple[str, ...]
    derivative: Callable[[Any, Expr], Expr]
    value: Callable[[Any, Any], Any]
    fold: str | None
    numpy: str
    array_api: str
    sympy: Callable[[Any, Any], Any]
    latex: str
    unicode: str
    domain: str
    kink: bool
    nonnegative: bool
    share_name: str
    rule: str
    identity: str
    citation: str


@dataclass(frozen=True, eq=False, repr=False)
class Composite:
    """A function defined by an expression over primitives: ``definition(B, a, b)``
    receives its arguments already broadcast to one shape."""

    name: str
    aliases: tuple[str, ...]
    arity: int
    definition: Callable[..., Expr]
    identity: str
    citation: str


@dataclass(frozen=True, eq=False, repr=False)
class Reduction:
    """A function of a column vector to a scalar (the ``Reduce`` node).

    - ``gradient(B, u)``: ``∂f/∂u``, a column like ``u``; reverse mode scales
      it by the adjoint, forward mode multiplies its transpose by ``J_u``.
    - ``value(np, x)``: the float value, computed without overflow.
    - ``numpy`` / ``array_api``: code templates (``{ns}``, ``{0}``);
      ``sympy(sympy, entries)``: the entry of ``--expand``.
    - ``latex`` / ``unicode``: the name called on the argument; ``rule``,
      ``identity`` and ``citation`` as for ``Primitive``.
    """

    name: str
    aliases: tuple[str, ...]
    gradient: Callable[[Any, Expr], Expr]
    value: Callable[[Any, Any], Any]
    numpy: str
    array_api: str
    sympy: Callable[[Any, list[Any]], Any]
    latex: str
    unicode: str
    rule: str
    identity: str
    citation: str


ELEMENTWISE: dict[str, Primitive] = {}
COMPOSITES: dict[str, Composite] = {}
REDUCTIONS: dict[str, Reduction] = {}
#: Node-type functions: name -> (aliases, arity). Their rules live in the engines.
NODE_FUNCTIONS: dict[str, tuple[tuple[str, ...], int]] = {
    "softmax": ((), 1),
    "softmax_rows": ((), 1),
    "softmax_cols": ((), 1),
    "commutation": ((), 1),
    "sum": ((), 1),
    "diag": ((), 1),
    "tr": (("trace",), 1),
    "det": ((), 1),
    "logdet": ((), 1),
    "inv": ((), 1),
    "norm2": ((), 1),
    "vec": ((), 1),
    "kron": ((), 2),
}
#: Every alias, to its canonical name.
ALIASES: dict[str, str] = {
    alias: name for name, (aliases, _) in NODE_FUNCTIONS.items() for alias in aliases
}


def _check(cls: type, facets: dict[str, Any]) -> None:
    names = {f.name for f in fields(cls)}
    missing, extra = sorted(names - facets.keys()), sorted(facets.keys() - names)
    if missing or extra:
        raise RegistryError(f"{facets.get('name')!r}: missing {missing}, unknown {extra}")
    for key, v in facets.items():
        if v is None and key != "fold":
            raise RegistryError(f"{facets['name']!r}: facet {key!r} is None")
        if isinstance(v, str) and not v and key != "share_name":
            raise RegistryError(f"{facets['name']!r}: facet {key!r} is empty")
    for n in (facets["name"], *facets["aliases"]):
        if not n.isidentifier() or n in all_names():
            raise RegistryError(f"the name {n!r} is taken or not a name")
    ALIASES.update({alias: facets["name"] for alias in facets["aliases"]})


def _taken() -> set[str]:
    return {*ELEMENTWISE, *COMPOSITES, *REDUCTIONS, *NODE_FUNCTIONS}


def define(**facets: Any) -> Primitive:
    """Register an element-wise function; every facet of ``Primitive`` is required."""
    if "numpy" in facets or "array_api" in facets:
        for key in ("numpy", "array_api"):
            code = str(facets.get(key, "{0}"))
            if "{0}" not in code and "{neg0}" not in code:
                raise RegistryError(f"{facets.get('name')!r}: {key} code never uses its argument")
    if facets.get("domain", REAL) not in (REAL, POSITIVE):
        raise RegistryError(f"{facets.get('name')!r}: unknown domain {facets['domain']!r}")
    if facets.get("fold") is not None and not hasattr(math, facets["fold"]):
        raise RegistryError(f"{facets.get('name')!r}: no math.{facets['fold']}")
    _check(Primitive, facets)
    p = Primitive(**facets)
    ELEMENTWISE[p.name] = p
    return p


def define_reduction(**facets: Any) -> Reduction:
    """Register a reduction of a vector to a scalar; every facet is required."""
    for key in ("numpy", "array_api"):
        if "{0}" not in str(facets.get(key, "{0}")):
            raise RegistryError(f"{facets.get('name')!r}: {key} code never uses its argument")
    _check(Reduction, facets)
    r = Reduction(**facets)
    REDUCTIONS[r.name] = r
    return r


def define_composite(**facets: Any) -> Composite:
    """Register a function defined through primitives; every facet is required."""
    _check(Composite, facets)
    c = Composite(**facets)
    COMPOSITES[c.name] = c
    return c


def canonical(name: str) -> str:
    """The name a function is known by (``atan`` -> ``arctan``, ``trace`` -> ``tr``)."""
    return ALIASES.get(name, name)


def all_names() -> frozenset[str]:
    """Every function name and alias of the language."""
    return frozenset({*_taken(), *ALIASES})


def arity(name: str) -> int:
    """How many arguments the function ``name`` (canonical) takes."""
    if name in COMPOSITES:
        return COMPOSITES[name].arity
    return NODE_FUNCTIONS[name][1] if name in NODE_FUNCTIONS else 1


def fill(template: str, ns: str, *args: str, neg0: str = "") -> str:
    """A code or notation template with its namespace and arguments filled in.

    One pass over the template, so LaTeX braces need no escaping and an
    argument that itself contains ``{0}`` (the LaTeX of ``x_0``) is left as is.
    """
    table = {"ns": ns, "neg0": neg0, **{str(i): a for i, a in enumerate(args)}}
    return _SLOT.sub(lambda m: table[m.group(1)], template)


def is_call(template: str) -> bool:
    """Whether code from ``template`` is one call (binds as an atom): ``{ns}.f(...)``."""
    if not template.startswith("{ns}.") or not template.endswith(")"):
        return False
    depth = 0
    for i, ch in enumerate(template):
        depth += (ch == "(") - (ch == ")")
        if ch == ")" and depth == 0:
            return i == len(template) - 1
    return False


from gradcli.ir import functions  # noqa: E402,F401  (the entries, which use the machinery above)
