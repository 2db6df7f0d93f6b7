"""The numeric layer: evaluator, domain sampling and the derivative check."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from gradcli.ir.build import (
    add,
    apply,
    block,
    det,
    diag,
    divide,
    entry,
    fill,
    hadamard,
    inverse,
    kron,
    logdet,
    matpow,
    mul,
    neg,
    norm,
    ones,
    power,
    softmax,
    sub,
    sum_all,
    trace,
    transpose,
    vec,
)
from gradcli.ir.dims import SCALAR, Dim, Kind, Shape, vector
from gradcli.ir.nodes import (
    Apply,
    Block,
    Const,
    Det,
    Diag,
    DiagPart,
    Entry,
    Expr,
    Fill,
    Hadamard,
    Identity,
    Inverse,
    Kron,
    LogDet,
    MatPow,
    Mul,
    Norm,
    Power,
    Softmax,
    SumAll,
    Trace,
    Transpose,
    Var,
    Vec,
)
from gradcli.numeric import (
    Mode,
    check_derivative,
    check_values,
    choose_sizes,
    domain_hints,
    evaluate,
    evaluate_many,
    random_direction,
    sample_point,
)

N, M, P, Q = Dim("n"), Dim("m"), Dim("p"), Dim("q")


def vvar(name: str, n: Dim = N) -> Var:
    return Var(name, vector(n), Kind.VECTOR)


def mvar(name: str, rows: Dim = N, cols: Dim = N, symmetric: bool = False) -> Var:
    return Var(name, Shape(rows, cols), Kind.MATRIX, symmetric)


def svar(name: str) -> Var:
    return Var(name, SCALAR, Kind.SCALAR)


x, y, b = vvar("x"), vvar("y"), vvar("b", M)
u = vvar("u", M)
A, B, C = mvar("A"), mvar("B"), mvar("C")
X = mvar("X")
R = mvar("R", M, N)
W = mvar("W", N, M)
S = mvar("S", symmetric=True)
a, t = svar("a"), svar("t")

# ----------------------------------------------------------------- evaluate

SIZES = {N: 3, M: 4, P: 2, Q: 5}
RNG = np.random.default_rng(0)
ENV = {
    "x": RNG.standard_normal((3, 1)),
    "y": RNG.uniform(0.5, 2.0, (3, 1)),
    "b": RNG.standard_normal((4, 1)),
    "u": RNG.standard_normal((4, 1)),
    "A": RNG.standard_normal((3, 3)),
    "B": RNG.standard_normal((3, 3)),
    "C": RNG.uniform(0.5, 2.0, (3, 3)),
    "X": np.eye(3) + 0.3 * RNG.standard_normal((3, 3)),
    "R": RNG.standard_normal((4, 3)),
    "W": RNG.standard_normal((3, 4)),
    "S": np.eye(3),
    "a": np.array([[0.7]]),
    "t": np.array([[-1.3]]),
}
E = ENV


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


EVAL_CASES: list[tuple[str, Expr, Callable[[], np.ndarray]]] = [
    ("var", x, lambda: E["x"]),
    ("const", Const(2.5), lambda: np.array([[2.5]])),
    ("identity", Identity(N), lambda: np.eye(3)),
    ("fill", Fill(a, Shape(N, M)), lambda: np.full((3, 4), 0.7)),
    ("add", add(A, B, C), lambda: E["A"] + E["B"] + E["C"]),
    ("mul chain", Mul(2.0, (a, R, A, x)), lambda: 2 * 0.7 * E["R"] @ E["A"] @ E["x"]),
    ("mul quadratic", mul(transpose(x), A, x), lambda: E["x"].T @ E["A"] @ E["x"]),
    ("mul scalars", Mul(-1.5, (a, t)), lambda: np.array([[-1.5 * 0.7 * -1.3]])),
    ("hadamard", Hadamard((A, B, C)), lambda: E["A"] * E["B"] * E["C"]),
    ("power int", Power(x, 3.0), lambda: E["x"] ** 3),
    ("power frac", Power(y, 0.5), lambda: np.sqrt(E["y"])),
    ("power neg", Power(y, -2.0), lambda: E["y"] ** -2.0),
    ("matpow", MatPow(A, 3), lambda: E["A"] @ E["A"] @ E["A"]),
    ("transpose", Transpose(R), lambda: E["R"].T),
    ("inverse", Inverse(X), lambda: np.linalg.inv(E["X"])),
    ("trace", Trace(A), lambda: np.array([[np.trace(E["A"])]])),
    ("det", Det(A), lambda: np.array([[np.linalg.det(E["A"])]])),
    ("logdet", LogDet(A), lambda: np.array([[np.log(abs(np.linalg.det(E["A"])))]])),
    ("sum", SumAll(R), lambda: np.array([[E["R"].sum()]])),
    ("norm vector", Norm(x), lambda: np.array([[np.sqrt((E["x"] ** 2).sum())]])),
    ("norm matrix", Norm(R), lambda: np.array([[np.sqrt((E["R"] ** 2).sum())]])),
    ("softmax", Softmax(x), lambda: np.exp(E["x"]) / np.exp(E["x"]).sum()),
    ("diag", Diag(x), lambda: np.diag(E["x"][:, 0])),
    ("diagpart", DiagPart(A), lambda: np.diag(E["A"]).reshape(3, 1)),
    ("vec", Vec(R), lambda: E["R"].T.reshape(12, 1)),
    ("kron", Kron(R, A), lambda: np.kron(E["R"], E["A"])),
    ("entry", Entry(R, 2, 1), lambda: E["R"][2:3, 1:2]),
    ("block scalars", Block(((a, t), (t, a))), lambda: np.array([[0.7, -1.3], [-1.3, 0.7]])),
    (
        "block matrices",
        Block(((A, W), (R, Identity(M)))),
        lambda: np.block([[E["A"], E["W"]], [E["R"], np.eye(4)]]),
    ),
    ("exp", Apply("exp", x), lambda: np.exp(E["x"])),
    ("log", Apply("log", y), lambda: np.log(E["y"])),
    ("sin", Apply("sin", x), lambda: np.sin(E["x"])),
    ("cos", Apply("cos", x), lambda: np.cos(E["x"])),
    ("tan", Apply("tan", x), lambda: np.tan(E["x"])),
    ("tanh", Apply("tanh", x), lambda: np.tanh(E["x"])),
    ("sqrt", Apply("sqrt", y), lambda: np.sqrt(E["y"])),
    ("abs", Apply("abs", x), lambda: np.abs(E["x"])),
    ("sigmoid", Apply("sigmoid", x), lambda: _sigmoid(E["x"])),
    ("relu", Apply("relu", x), lambda: np.maximum(E["x"], 0)),
    ("sign", Apply("sign", x), lambda: np.sign(E["x"])),
    ("step", Apply("step", x), lambda: (E["x"] > 0).astype(float)),
    (
        "nested",
        mul(transpose(R), apply("tanh", mul(R, A, x))),
        lambda: E["R"].T @ np.tanh(E["R"] @ E["A"] @ E["x"]),
    ),
]


@pytest.mark.parametrize(("name", "expr", "expected"), EVAL_CASES, ids=[c[0] for c in EVAL_CASES])
def test_evaluate_matches_numpy(name: str, expr: Expr, expected: Callable[[], np.ndarray]) -> None:
    got = evaluate(expr, ENV, SIZES)
    want = expected()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        (Apply("step", Const(0.0)), 0.5),
        (Apply("sign", Const(0.0)), 0.0),
        (Apply("sigmoid", Const(-1000.0)), 0.0),
        (Apply("sigmoid", Const(1000.0)), 1.0),
        (Softmax(Fill(Const(1000.0), vector(N))), 1.0 / 3.0),
    ],
)
def test_evaluate_edge_values(expr: Expr, value: float) -> None:
    got = evaluate(expr, ENV, SIZES)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, value)


@pytest.mark.parametrize(
    "expr",
    [
        Inverse(Fill(Const(1.0), Shape(N, N))),
        Power(Const(-2.0), 0.5),
        Apply("log", neg(y)),
        LogDet(Fill(Const(1.0), Shape(N, N))),
        Apply("exp", Const(1e5)),
    ],
    ids=["singular inverse", "negative sqrt", "log negative", "logdet singular", "overflow"],
)
def test_evaluate_undefined_is_nonfinite_without_warning(expr: Expr) -> None:
    with np.errstate(all="raise"):
        got = evaluate(expr, ENV, SIZES)
    assert not np.all(np.isfinite(got))


def test_evaluate_singular_inverse_is_all_nan() -> None:
    got = evaluate(Inverse(Fill(Const(1.0), Shape(N, N))), ENV, SIZES)
    assert got.shape == (3, 3)
    assert np.all(np.isnan(got))


def test_evaluate_deep_expression_without_recursion() -> None:
    e: Expr = x
    for _ in range(5000):
        e = Apply("sin", e)
    got = evaluate(e, ENV, SIZES)
    want = E["x"]
    for _ in range(5000):
        want = np.sin(want)
    np.testing.assert_allclose(got, want)


def test_evaluate_many_shares_structurally_equal_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    # the package re-exports the function ``evaluate``, which shadows the module
    ev = sys.modules["gradcli.numeric.evaluate"]
    calls: list[Expr] = []
    real = ev._eval_node

    def counting(node: Expr, *args: object) -> np.ndarray:
        calls.append(node)
        return real(node, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ev, "_eval_node", counting)
    first = mul(transpose(x), A, x)
    second = mul(transpose(x), A, x)
    assert first is not second
    v1, v2 = evaluate_many([first, second], ENV, SIZES)
    want = E["x"].T @ E["A"] @ E["x"]
    np.testing.assert_allclose(v1, want)
    np.testing.assert_allclose(v2, want)
    assert len(calls) == 4  # x, A, x^T, the product


def test_evaluate_many_distinct_deep_copies() -> None:
    def deep() -> Expr:
        e: Expr = x
        for _ in range(3000):
            e = Apply("sin", e)
        return e

    v1, v2 = evaluate_many([deep(), deep()], ENV, SIZES)
    want = E["x"]
    for _ in range(3000):
        want = np.sin(want)
    np.testing.assert_allclose(v1, want)
    np.testing.assert_allclose(v2, want)


def test_evaluate_rejects_unknown_node_and_bad_binding() -> None:
    class Strange(Transpose):
        pass

    with pytest.raises(TypeError):
        evaluate(Strange(x), ENV, SIZES)
    with pytest.raises(ValueError):
        evaluate(x, {"x": np.zeros((4, 1))}, SIZES)


def test_evaluate_accepts_flat_vectors() -> None:
    got = evaluate(mul(transpose(x), x), {"x": np.array([1.0, 2.0, 2.0])}, SIZES)
    np.testing.assert_allclose(got, [[9.0]])


# ----------------------------------------------------------------- sample


def test_choose_sizes_distinct_and_in_range() -> None:
    rng = np.random.default_rng(3)
    sizes = choose_sizes([mul(R, A, x), kron(W, R)], rng)
    assert set(sizes) == {N, M}
    assert sizes[N] != sizes[M]
    assert all(2 <= s <= 6 for s in sizes.values())


def test_choose_sizes_many_symbols_and_blocks() -> None:
    dims = [Dim(f"d{i}") for i in range(8)]
    exprs: list[Expr] = [vvar(f"v{i}", d) for i, d in enumerate(dims)]
    stacked = Block(((vvar("v0", dims[0]),), (vvar("v1", dims[1]),)))
    sizes = choose_sizes([*exprs, stacked], np.random.default_rng(0))
    assert len({sizes[d] for d in dims[:5]}) == 5
    assert all(2 <= sizes[d] <= 6 for d in dims)
    assert stacked.shape.rows.resolve(sizes) == sizes[dims[0]] + sizes[dims[1]]
    value = evaluate(
        stacked, {"v0": np.ones((sizes[dims[0]], 1)), "v1": np.ones((sizes[dims[1]], 1))}, sizes
    )
    assert value.shape == (sizes[dims[0]] + sizes[dims[1]], 1)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (sum_all(apply("log", x)), {"x": {"positive"}}),
        (sum_all(apply("sqrt", mul(A, y))), {"A": {"positive"}, "y": {"positive"}}),
        (sum_all(power(x, 0.5)), {"x": {"positive"}}),
        (sum_all(power(x, -1.0)), {"x": {"positive"}}),
        (sum_all(power(x, 3.0)), {}),
        (logdet(X), {"X": {"invertible"}}),
        (trace(inverse(add(A, B))), {"A": {"invertible"}, "B": {"invertible"}}),
        (apply("log", det(X)), {"X": {"invertible", "positive"}}),
        (mul(transpose(x), A, x), {}),
    ],
)
def test_domain_hints(expr: Expr, expected: dict[str, set[str]]) -> None:
    assert domain_hints([expr]) == expected


SAMPLE_VARS = [x, y, A, X, S, mvar("T", symmetric=True), R, a]
SAMPLE_HINTS = {"y": {"positive"}, "X": {"invertible"}, "T": {"invertible"}, "a": {"positive"}}


@pytest.mark.parametrize("profile", [0, 1, 2, 3])
@pytest.mark.parametrize("seed", range(10))
def test_sample_point_domain(profile: int, seed: int) -> None:
    sizes = {N: 6, M: 4}
    p = sample_point(SAMPLE_VARS, sizes, np.random.default_rng(seed), SAMPLE_HINTS, profile)
    assert p["x"].shape == (6, 1) and p["R"].shape == (4, 6) and p["a"].shape == (1, 1)
    assert np.all(p["y"] > 0) and np.all(p["a"] > 0)
    assert np.linalg.cond(p["X"]) < 100 and np.linalg.det(p["X"]) > 0
    assert not np.allclose(p["X"], p["X"].T)
    assert not np.allclose(p["A"], p["A"].T)
    np.testing.assert_array_equal(p["S"], p["S"].T)
    np.testing.assert_array_equal(p["T"], p["T"].T)
    assert np.all(np.linalg.eigvalsh(p["T"]) > 0.5)
    if profile >= 2:
        assert all(np.all(v > 0) for v in p.values())


def test_random_direction_shapes_and_symmetry() -> None:
    d = random_direction([x, A, S, a], {N: 4}, np.random.default_rng(1))
    assert d["x"].shape == (4, 1) and d["a"].shape == (1, 1)
    np.testing.assert_array_equal(d["S"], d["S"].T)
    assert not np.allclose(d["A"], d["A"].T)
    total = sum(float(np.sum(v**2)) for v in d.values())
    assert total == pytest.approx(1.0)
    scalars = [random_direction([a, t], {}, np.random.default_rng(s)) for s in range(5)]
    assert len({round(float(abs(d["a"][0, 0])), 6) for d in scalars}) == 5


# ----------------------------------------------------------------- check_derivative


@dataclass(frozen=True)
class Case:
    name: str
    f: Expr
    wrt: list[Var]
    results: list[Expr]
    mode: Mode = Mode.GRAD
    gradient: list[Expr] | None = None
    denominator: bool = False


quad = mul(transpose(x), A, x)
quad_grad = add(mul(A, x), mul(transpose(A), x))
residual = sub(mul(R, x), b)
sx = softmax(x)
sig = apply("sigmoid", x)
lse = apply("log", sum_all(apply("exp", x)))
p3, q3 = mvar("P", M, N), mvar("Q", P, Q)
Xnp = mvar("Y", N, P)

CORRECT = [
    Case("x'Ax", quad, [x], [quad_grad]),
    Case("logdet X", logdet(X), [X], [inverse(transpose(X))]),
    Case("tr(R W)", trace(mul(R, W)), [W], [transpose(R)]),
    Case("sum exp", sum_all(apply("exp", x)), [x], [apply("exp", x)]),
    Case("||x||^2", power(norm(x), 2.0), [x], [mul(2, x)]),
    Case("||x||", norm(x), [x], [divide(x, norm(x))]),
    Case("jacobian Rx", mul(R, x), [x], [R], Mode.JACOBIAN),
    Case("jacobian Rx denominator", mul(R, x), [x], [transpose(R)], Mode.JACOBIAN, None, True),
    Case("hessian x'Ax", quad, [x], [add(A, transpose(A))], Mode.HESSIAN, [quad_grad]),
    Case("exp(x'Ax)", apply("exp", quad), [x], [mul(apply("exp", quad), quad_grad)]),
    Case("log-sum-exp", lse, [x], [sx]),
    Case("det X", det(X), [X], [mul(det(X), inverse(transpose(X)))]),
    Case("tr inv X", trace(inverse(X)), [X], [neg(transpose(matpow(inverse(X), 2)))]),
    Case("least squares", power(norm(residual), 2.0), [x], [mul(2, transpose(R), residual)]),
    Case("sum sigmoid", sum_all(sig), [x], [hadamard(sig, sub(ones(vector(N)), sig))]),
    Case(
        "softmax jacobian",
        sx,
        [x],
        [sub(diag(sx), mul(sx, transpose(sx)))],
        Mode.JACOBIAN,
    ),
    Case("exp jacobian", apply("exp", x), [x], [diag(apply("exp", x))], Mode.JACOBIAN),
    Case(
        "sum tanh X",
        sum_all(apply("tanh", X)),
        [X],
        [sub(ones(Shape(N, N)), power(apply("tanh", X), 2.0))],
    ),
    Case("tr(A S) symmetric", trace(mul(A, S)), [S], [mul(0.5, add(A, transpose(A)))]),
    Case(
        "stacked a b^2",
        mul(a, power(t, 2.0)),
        [a, t],
        [block([[power(t, 2.0)], [mul(2, a, t)]])],
    ),
    Case(
        "stacked hessian",
        add(mul(power(a, 2.0), t), power(t, 3.0)),
        [a, t],
        [block([[mul(2, t), mul(2, a)], [mul(2, a), mul(6, t)]])],
        Mode.HESSIAN,
        [block([[mul(2, a, t)], [add(power(a, 2.0), mul(3, power(t, 2.0)))]])],
    ),
    Case("sum log", sum_all(apply("log", y)), [y], [power(y, -1.0)]),
    Case("sum x^1.5", sum_all(power(y, 1.5)), [y], [mul(1.5, power(y, 0.5))]),
    Case("sum abs", sum_all(apply("abs", x)), [x], [apply("sign", x)]),
    Case(
        "sum relu(Rx)",
        sum_all(apply("relu", mul(R, x))),
        [x],
        [mul(transpose(R), apply("step", mul(R, x)))],
    ),
    Case(
        "kron jacobian",
        mul(p3, Xnp, mvar("Z", P, Q)),
        [Xnp],
        [kron(transpose(mvar("Z", P, Q)), p3)],
        Mode.JACOBIAN,
    ),
    Case(
        "x'A^3x",
        mul(transpose(x), matpow(A, 3), x),
        [x],
        [mul(add(matpow(A, 3), transpose(matpow(A, 3))), x)],
    ),
    Case(
        "two wrt",
        mul(transpose(u), R, x),
        [x, u],
        [mul(transpose(R), u), mul(R, x)],
    ),
    Case(
        "wrt absent", sum_all(apply("exp", x)), [x, A], [apply("exp", x), fill(Const(0.0), A.shape)]
    ),
    Case("jacobian of scalar", quad, [x], [transpose(quad_grad)], Mode.JACOBIAN),
    Case("jacobian wrt scalar", mul(t, x), [t], [x], Mode.JACOBIAN),
    Case(
        "sum vec entry", add(sum_all(vec(R)), entry(mul(transpose(x), x), 0, 0)), [x], [mul(2, x)]
    ),
    Case(
        "log(1+x'x)",
        apply("log", add(Const(1.0), mul(transpose(x), x))),
        [x],
        [mul(2.0, power(add(Const(1.0), mul(transpose(x), x)), -1.0), x)],
    ),
]


@pytest.mark.parametrize("case", CORRECT, ids=[c.name for c in CORRECT])
@pytest.mark.parametrize("seed", range(5))
def test_correct_derivatives_pass(case: Case, seed: int) -> None:
    r = check_derivative(
        case.f,
        case.wrt,
        case.results,
        case.mode,
        seed=seed,
        gradient=case.gradient,
        denominator=case.denominator,
    )
    assert r.passed is True, r.reason
    assert r.max_rel_error is not None and r.max_rel_error < 1e-6
    assert r.reason is None and r.point is None


WRONG = [
    Case("missing transpose", quad, [x], [mul(2, A, x)]),
    Case("factor 2", quad, [x], [mul(2, quad_grad)]),
    Case("half", power(norm(x), 2.0), [x], [x]),
    Case("sign", quad, [x], [neg(quad_grad)]),
    Case("X^-1 for X^-T", logdet(X), [X], [inverse(X)]),
    Case("tr(AX) gives A", trace(mul(A, X)), [X], [A]),
    Case("jacobian transposed", mul(A, x), [x], [transpose(A)], Mode.JACOBIAN),
    Case("hessian 2A", quad, [x], [mul(2, A)], Mode.HESSIAN, [quad_grad]),
    Case("symmetric unsymmetrised wrong", trace(mul(A, S)), [S], [transpose(add(A, B))]),
    Case(
        "stacked swapped", mul(a, power(t, 2.0)), [a, t], [block([[mul(2, a, t)], [power(t, 2.0)]])]
    ),
    Case("softmax jacobian sign", sx, [x], [sub(mul(sx, transpose(sx)), diag(sx))], Mode.JACOBIAN),
    Case("abs sign flipped", sum_all(apply("abs", x)), [x], [neg(apply("sign", x))]),
    Case(
        "two wrt swapped roles",
        mul(transpose(u), R, x),
        [x, u],
        [mul(transpose(R), u), mul(2, R, x)],
    ),
]


@pytest.mark.parametrize("case", WRONG, ids=[c.name for c in WRONG])
@pytest.mark.parametrize("seed", range(5))
def test_classic_mistakes_fail(case: Case, seed: int) -> None:
    r = check_derivative(
        case.f, case.wrt, case.results, case.mode, seed=seed, gradient=case.gradient
    )
    assert r.passed is False
    assert r.reason and "disagrees" in r.reason
    assert r.point is not None and r.expected is not None and r.got is not None
    assert r.max_rel_error is not None and r.max_rel_error > 1e-3
    assert r.expected.shape == r.got.shape


def test_failure_reports_true_gradient_at_point() -> None:
    r = check_derivative(quad, [x], [mul(2, A, x)], Mode.GRAD, seed=7)
    assert r.point is not None and r.expected is not None and r.got is not None
    pa, px = r.point["A"], r.point["x"]
    np.testing.assert_allclose(r.expected, (pa + pa.T) @ px, rtol=1e-7)
    np.testing.assert_allclose(r.got, 2 * pa @ px)


def test_wrong_shape_is_a_failure() -> None:
    r = check_derivative(trace(mul(R, W)), [W], [R], Mode.GRAD, seed=0)
    assert r.passed is False
    assert r.reason is not None and "shape" in r.reason


NEVER_FINITE = [
    Case("grad", sum_all(apply("log", neg(apply("exp", x)))), [x], [x]),
    Case("jacobian", apply("log", neg(apply("exp", x))), [x], [diag(x)], Mode.JACOBIAN),
]


@pytest.mark.parametrize("case", NEVER_FINITE, ids=[c.name for c in NEVER_FINITE])
def test_never_finite_is_not_checked(case: Case) -> None:
    r = check_derivative(case.f, case.wrt, case.results, case.mode, seed=0)
    assert r.passed is None and r.max_rel_error is None
    assert r.reason == (
        "f is not finite at any of the 72 points tried (e.g. log of a negative number)"
    )


def test_same_seed_same_result() -> None:
    first = check_derivative(quad, [x], [mul(2, A, x)], Mode.GRAD, seed=11)
    second = check_derivative(quad, [x], [mul(2, A, x)], Mode.GRAD, seed=11)
    assert first.dims == second.dims and first.max_rel_error == second.max_rel_error
    assert first.point is not None and second.point is not None
    for name in first.point:
        np.testing.assert_array_equal(first.point[name], second.point[name])
    good = [check_derivative(quad, [x], [quad_grad], Mode.GRAD, seed=11) for _ in range(2)]
    assert good[0] == good[1]


def test_different_seeds_vary_dims() -> None:
    dims = {
        tuple(check_derivative(quad, [x], [quad_grad], Mode.GRAD, seed=s).dims.items())
        for s in range(20)
    }
    assert len(dims) > 1


def test_a_constant_behind_a_kink_has_a_zero_derivative() -> None:
    """``step(0 x)`` folds to the constant ``step(0)``: its derivative is zero,
    and the check says that the pass rests on zero values."""
    f = sum_all(apply("step", mul(Fill(Const(0.0), Shape(N, N)), x)))
    r = check_derivative(f, [x], [Fill(Const(0.0), vector(N))], Mode.GRAD, seed=0)
    assert r.passed is True and r.zero
    assert r.informative == 0 and r.tried >= 6
    wrong = check_derivative(f, [x], [x], Mode.GRAD, seed=0)
    assert wrong.passed is False


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError):
        check_derivative(x, [x], [x], Mode.GRAD, seed=0)
    with pytest.raises(ValueError):
        check_derivative(quad, [x], [], Mode.GRAD, seed=0)
    with pytest.raises(ValueError):
        check_derivative(quad, [x], [add(A, transpose(A))], Mode.HESSIAN, seed=0)


# ----------------------------------------------------------------- check_values


def test_check_values_equal() -> None:
    r = check_values(
        add(mul(A, x), mul(transpose(A), x)), mul(add(A, transpose(A)), x), [x, A], seed=0
    )
    assert r.passed is True and r.max_rel_error is not None and r.max_rel_error < 1e-12


def test_check_values_inverse_identity() -> None:
    r = check_values(inverse(mul(A, X)), mul(inverse(X), inverse(A)), [A, X], seed=2)
    assert r.passed is True


def test_check_values_differ() -> None:
    r = check_values(mul(2, A, x), quad_grad, [x, A], seed=0)
    assert r.passed is False and r.point is not None
    assert r.expected is not None and r.got is not None
    pa, px = r.point["A"], r.point["x"]
    np.testing.assert_allclose(r.expected, 2 * pa @ px)
    np.testing.assert_allclose(r.got, (pa + pa.T) @ px)


def test_check_values_shape_mismatch() -> None:
    r = check_values(mul(R, x), x, [x, R], seed=0)
    assert r.passed is False and r.reason is not None and "shape" in r.reason


def test_check_values_never_finite() -> None:
    r = check_values(apply("log", neg(apply("exp", x))), x, [x], seed=0)
    assert r.passed is None and r.reason is not None and "not finite" in r.reason
