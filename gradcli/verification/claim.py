"""Claim typing for ``verify``: the claim is type-checked with the
expression's variables (so ``A`` is the same matrix in both) but in a scope
of its own (its ``where`` cannot rebind the expression's names, nor see the
expression's ``where`` names), and its shape is unified with the shape the
derivative must have; a claim of another shape is a wrong answer, not bad
input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gradcli.errors import GradcliError
from gradcli.ir.dims import shape_words
from gradcli.ir.nodes import Expr
from gradcli.syntax import tree as T
from gradcli.syntax.declarations import Declarations
from gradcli.syntax.dimensions import DimTok, TShape
from gradcli.syntax.typecheck import Checker, Typed, expanded_limit, syntax_children


@dataclass
class Claim:
    """A claimed derivative type-checked together with its expression."""

    typed: Typed
    claim: Expr
    shape_ok: bool
    expected: str


def typecheck_claim(
    tree: T.Node,
    source: str,
    claim_tree: T.Node,
    claim_source: str,
    decls: Declarations,
    target: Callable[
        [
            Callable[[str], TShape | None],
            TShape,
            Callable[[int], DimTok],
            Callable[[DimTok, DimTok], DimTok],
        ],
        TShape | None,
    ],
) -> Claim:
    """Type-check ``claim_tree`` with the variables of ``tree``, and unify its
    shape with ``target(var_shape, f_shape, fresh)``; a claim of another shape is
    reported through ``shape_ok`` (it is a wrong answer, not bad input)."""
    decls.validate()
    checker = Checker(source, decls)
    try:
        f_shape = checker.infer(tree)
    except GradcliError as err:
        raise err.with_source(source) from None
    checker.source = claim_source
    scope = frozenset(checker.locals)
    outer = (checker.locals, checker.local_ir)
    checker.locals, checker.local_ir = {}, {}  # the claim's where has a scope of its own
    try:
        _claim_scope(claim_tree, scope, frozenset(checker.var_shapes))
        c_shape = checker.infer(claim_tree)
        want = target(checker.var_shapes.get, f_shape, checker.dims.fresh, checker.dims.product)
        ok = want is None or (
            checker.dims.unify(c_shape.rows, want.rows)
            and checker.dims.unify(c_shape.cols, want.cols)
        )
        expected = shape_words(checker._ir_shape(want)) if want is not None else ""
        claim = checker.build(claim_tree)
        expanded_limit(claim, claim_tree)
    except GradcliError as err:
        raise err.with_source(claim_source) from None
    checker.source = source
    checker.locals, checker.local_ir = outer
    expr = checker.build(tree)
    typed = Typed(expr, checker.ir_vars(), checker.notes(), scope)
    return Claim(typed, claim, ok, expected)


def _claim_scope(claim: T.Node, hidden: frozenset[str], variables: frozenset[str]) -> None:
    """A claim sees the expression's variables, not its ``where`` names, and
    its own ``where`` cannot rebind either (``0 ones where b = A x`` would
    otherwise change ``b`` inside the expression)."""
    own: set[str] = set()
    if isinstance(claim, T.Where):
        for bound, _ in claim.bindings:
            if bound.name in variables or bound.name in hidden:
                what = "a variable" if bound.name in variables else "a where name"
                raise GradcliError(
                    f"the claim's where cannot rebind {bound.name}, {what} of the expression",
                    bound.span,
                    hint="give the claim's parts names of their own",
                )
            own.add(bound.name)
    for node in _names_in(claim):
        if node.name in hidden and node.name not in own:
            raise GradcliError(
                f"{node.name} is named by the expression's where; the claim cannot use it",
                node.span,
                hint=f"write {node.name} out in the claim, or name it in the claim's own where",
            )


def _names_in(node: T.Node) -> list[T.Name]:
    out: list[T.Name] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, T.Name):
            out.append(n)
        elif isinstance(n, T.Where):
            stack.append(n.body)
            stack.extend(value for _, value in n.bindings)
        else:
            stack.extend(syntax_children(n))
    return out
