"""Golden rows for the Kronecker, ``vec`` and named-function rules.

``test_simplify_rules.py`` runs them with its own rows: ``APPLIES`` are
``(rule, source, golden)``, ``SKIPS`` are ``(rule, source)`` and
``SIMPLIFY`` are ``(source, golden, wrt)``. A source is text in the
language or a function that builds raw nodes (for shapes the language
cannot write, such as Kronecker factors that do not match one by one).
"""

from __future__ import annotations

from collections.abc import Callable

from gradcli.ir import nodes as N
from gradcli.ir.dims import Dim, Kind, Shape
from gradcli.ir.nodes import ELEMENTWISE_FUNCS, Expr, Var
from gradcli.simplify import kron as K
from gradcli.simplify import named as F

Built = tuple[Expr, dict[str, Var]]


def _matrices(spec: str) -> dict[str, Var]:
    """``"A:n,m B:p,q"``: matrices with those symbolic dimensions."""
    out = {}
    for item in spec.split():
        name, dims = item.split(":")
        rows, cols = (Dim(d) for d in dims.split(","))
        out[name] = Var(name, Shape(rows, cols), Kind.MATRIX)
    return out


def _mismatched_kron_product() -> Built:
    """raw kron(A, B) kron(C, D): sizes agree as products (m q = q m), not factor by factor"""
    v = _matrices("A:n,m B:p,q C:q,r D:m,s")
    return N.Mul(1, (N.Kron(v["A"], v["B"]), N.Kron(v["C"], v["D"]))), v


def _mismatched_kron_vec() -> Built:
    """raw kron(P, Q) vec(X): X is q x m where Q X P^T needs m x q"""
    v = _matrices("P:n,q Q:p,m X:q,m")
    return N.Mul(1, (N.Kron(v["P"], v["Q"]), N.Vec(v["X"]))), v


def _mismatched_vec_kron() -> Built:
    """raw vec(X)^T kron(P, Q): X is p x n where Q^T X P needs n x p"""
    v = _matrices("P:p,q Q:n,m X:p,n")
    return N.Mul(1, (N.Transpose(N.Vec(v["X"])), N.Kron(v["P"], v["Q"]))), v


def _trace_of_rectangular_kron() -> Built:
    """raw tr(kron(C, D)) of an n x m and an m x n matrix: square, its factors are not"""
    v = _matrices("C:n,m D:m,n")
    return N.Trace(N.Kron(v["C"], v["D"])), v


def _inverse_of_rectangular_kron() -> Built:
    """raw inv(kron(C, D)) of an n x m and an m x n matrix"""
    v = _matrices("C:n,m D:m,n")
    return N.Inverse(N.Kron(v["C"], v["D"])), v


Source = str | Callable[[], Built]

APPLIES: list[tuple[Callable[[Expr], Expr | None], Source, str]] = [
    (K.merge_kron_products, "kron(A, B) kron(C, D)", "kron(A C, B D)"),
    (K.merge_kron_products, "2 kron(V^T, eye) kron(V, eye)", "2 kron(V^T V, eye)"),
    (K.merge_kron_products, "t kron(A, B) kron(C, D) x", "t kron(A C, B D) x"),
    (K.merge_kron_products, "kron(eye, K) kron(eye, L)", "kron(eye, K L)"),
    (K.fold_kron_vec, "kron(B^T, A) vec(X)", "vec(A X B)"),
    (K.trace_of_kron, "tr(kron(A, B))", "tr(A) tr(B)"),
    (K.trace_of_kron, "tr(kron(A^T, B S))", "tr(A) tr(B S)"),
    (K.inverse_of_kron, "inv(kron(A, B))", "kron(A^-1, B^-1)"),
    (K.inverse_of_kron, "inv(kron(A, eye))", "kron(A^-1, eye)"),
    (K.fold_kron_vec, "kron(eye, K) vec(N) / t^2", "vec(K N) / t^2"),
    (K.fold_kron_vec, "vec(X)^T kron(B, A^T)", "vec(A X B)^T"),
    (K.fold_kron_vec, "y^T kron(B^T, A) vec(X)", "y^T vec(A X B)"),
    (F.recognise_tanh, "(exp(x) - exp(-x)) ./ (exp(x) + exp(-x))", "tanh(x)"),
    (F.recognise_tanh, "(exp(t) - exp(-t)) / (exp(t) + exp(-t))", "tanh(t)"),
    (F.recognise_tanh, "y .* (exp(x) - exp(-x)) ./ (exp(x) + exp(-x))", "y .* tanh(x)"),
    (F.recognise_tanh, "(exp(-x) - exp(x)) ./ (exp(x) + exp(-x))", "tanh(-x)"),
    (F.recognise_tanh, "(exp(A x) - exp(-A x)) ./ (exp(A x) + exp(-A x))", "tanh(A x)"),
    (F.recognise_sigmoid_of_negation, "1 ./ (1 + exp(-x))", "sigmoid(x)"),
    (F.recognise_sigmoid_of_negation, "1 / (1 + exp(-t))", "sigmoid(t)"),
    (F.recognise_sigmoid_of_negation, "(1 + exp(-x)) .^ -2", "sigmoid(x) .^ 2"),
    (F.recognise_sigmoid_of_negation, "1 ./ (exp(-y .* x) + 1)", "sigmoid(y .* x)"),
    (F.exp_times_sigmoid, "exp(x) .* sigmoid(-x)", "sigmoid(x)"),
    (F.exp_times_sigmoid, "exp(-t) sigmoid(t)", "sigmoid(-t)"),
    (F.exp_times_sigmoid, "y .* exp(x) .* sigmoid(-x)", "y .* sigmoid(x)"),
]

SKIPS: list[tuple[Callable[[Expr], Expr | None], Source]] = [
    (K.merge_kron_products, "kron(A, B) C"),
    (K.merge_kron_products, _mismatched_kron_product),
    (K.fold_kron_vec, "kron(A, B) C"),
    (K.fold_kron_vec, _mismatched_kron_vec),
    (K.fold_kron_vec, _mismatched_vec_kron),
    (K.trace_of_kron, _trace_of_rectangular_kron),
    (K.trace_of_kron, "tr(A B)"),
    (K.inverse_of_kron, _inverse_of_rectangular_kron),
    (K.inverse_of_kron, "inv(A B)"),
    (F.recognise_tanh, "(exp(x) + exp(-x)) ./ (exp(x) - exp(-x))"),
    (F.recognise_tanh, "(exp(x) - exp(-y)) ./ (exp(x) + exp(-x))"),
    (F.recognise_tanh, "(exp(x) - exp(-x)) ./ (exp(x) + exp(x .^ 2))"),
    (F.recognise_tanh, "(exp(x) - exp(-x)) .* (exp(x) + exp(-x))"),
    (F.recognise_sigmoid_of_negation, "1 ./ (1 + exp(x))"),
    (F.recognise_sigmoid_of_negation, "1 ./ (2 + exp(-x))"),
    (F.recognise_sigmoid_of_negation, "(1 + exp(-x)) .^ 2"),
    (F.exp_times_sigmoid, "exp(x) .* sigmoid(x)"),
    (F.exp_times_sigmoid, "exp(x) .* sigmoid(-y)"),
]

SIMPLIFY: list[tuple[str, str, str]] = [
    ("2 kron(V^T, eye) kron(V, eye)", "2 kron(V^T V, eye)", ""),
    ("kron(B^T, A) vec(X)", "vec(A X B)", ""),
    ("tr(inv(kron(A, B)) kron(C, D))", "tr(A^-1 C) tr(B^-1 D)", ""),
    ("kron(eye, K) vec(N) / t^2", "vec(K N) / t^2", ""),
    ("(exp(x) - exp(-x)) ./ (exp(x) + exp(-x))", "tanh(x)", ""),
    ("1 ./ (1 + exp(-x))", "sigmoid(x)", ""),
    ("exp(x) ./ (1 + exp(x))", "sigmoid(x)", ""),
    ("sum(log(exp(x) + exp(-x)))", "tanh(x)", "x"),
    ("log(exp(t) + exp(-t))", "tanh(t)", "t"),
    ("sum(log(1 + exp(x)))", "sigmoid(x)", "x"),
    ("sum(log(1 + exp(-x)))", "-sigmoid(-x)", "x"),
]

if "softplus" in ELEMENTWISE_FUNCS:  # pragma: no cover - once the function exists
    APPLIES.append((F.recognise_softplus, "log(1 + exp(x))", "softplus(x)"))
    SKIPS.append((F.recognise_softplus, "log(2 + exp(x))"))
    SIMPLIFY.append(("sum(log(1 + exp(x)))", "sum(softplus(x))", ""))
