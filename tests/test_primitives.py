"""The primitive table (``gradcli/ir/primitives.py``): every entry, every facet, every output.

- Every registered function has a case below (its value and derivative written
  by hand with NumPy, independent of gradcli), and every case a registered
  function: a function cannot be added without its test rows.
- Every facet of every entry is given; ``define`` refuses an entry with one
  missing, ``None``, unknown, or a name already taken, and registers nothing.
- Each function goes through every output: its value (evaluated, and as
  NumPy and array-API code) and the gradient of ``sum(f(x))`` (``-f numpy``
  and ``-f array-api`` code) match the references; the LaTeX renders in
  KaTeX; ``--expand`` writes it out; ``--steps`` names its rule; ``verify``
  accepts the printed gradient.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

import array_api_strict as xps
import numpy as np
import pytest
from katex_support import Tex, katex_version, render
from support import run

from gradcli import api
from gradcli.ir import build as B
from gradcli.ir.dims import ONE, Dim, Kind, Shape
from gradcli.ir.nodes import Expr, Var, free_vars
from gradcli.ir.primitives import (
    ALIASES,
    COMPOSITES,
    ELEMENTWISE,
    POSITIVE,
    REDUCTIONS,
    Primitive,
    RegistryError,
    all_names,
    canonical,
    define,
    define_composite,
    define_reduction,
)
from gradcli.numeric.evaluate import evaluate
from gradcli.printers import to_array_api, to_latex, to_numpy
from gradcli.syntax.parser import parse

Ref = Callable[[np.ndarray], np.ndarray]


def _sig(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


class Case(NamedTuple):
    """A function's value ``f(x)`` and derivative ``f'(x)``, entry by entry."""

    value: Ref
    derivative: Ref


CASES: dict[str, Case] = {
    "exp": Case(np.exp, np.exp),
    "log": Case(np.log, lambda x: 1 / x),
    "sin": Case(np.sin, np.cos),
    "cos": Case(np.cos, lambda x: -np.sin(x)),
    "tan": Case(np.tan, lambda x: 1 / np.cos(x) ** 2),
    "tanh": Case(np.tanh, lambda x: 1 / np.cosh(x) ** 2),
    "sqrt": Case(np.sqrt, lambda x: 0.5 / np.sqrt(x)),
    "abs": Case(np.abs, np.sign),
    "sigmoid": Case(_sig, lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "relu": Case(lambda x: np.where(x > 0, x, 0.0), lambda x: (x > 0).astype(float)),
    "sign": Case(np.sign, np.zeros_like),
    "step": Case(lambda x: (x > 0).astype(float), np.zeros_like),
    "softplus": Case(lambda x: np.log(1 + np.exp(x)), lambda x: 1 / (1 + np.exp(-x))),
    "log1p": Case(lambda x: np.log(1 + x), lambda x: 1 / (1 + x)),
    "expm1": Case(lambda x: np.exp(x) - 1, np.exp),
    "sinh": Case(lambda x: (np.exp(x) - np.exp(-x)) / 2, lambda x: (np.exp(x) + np.exp(-x)) / 2),
    "cosh": Case(lambda x: (np.exp(x) + np.exp(-x)) / 2, lambda x: (np.exp(x) - np.exp(-x)) / 2),
    "arctan": Case(np.arctan, lambda x: 1 / (1 + x**2)),
}

NAMES = sorted(CASES)
SIZE = 4


def _x(name: str) -> np.ndarray:
    """Four entries inside the function's domain (away from kinks and poles)."""
    rng = np.random.default_rng(sorted(CASES).index(name))
    if ELEMENTWISE[name].domain == POSITIVE:
        return rng.uniform(0.5, 2.0, SIZE)
    return rng.uniform(0.1, 1.2, SIZE) * rng.choice([-1.0, 1.0], SIZE)


def _apply(name: str) -> tuple[Expr, Var]:
    x = Var("x", Shape(Dim("n"), ONE), Kind.VECTOR)
    return B.apply(name, x), x


def _run_code(code: str, ns: Any, x: Any) -> np.ndarray:
    """Run generated code with ``x`` (or every variable of a dict) bound."""
    env = x if isinstance(x, dict) else {"x": x}
    value = eval(code, {"np": np, "xp": xps}, {**env, "n": SIZE})  # generated code
    return np.asarray(np.from_dlpack(value) if ns is xps else value, dtype=float)


def test_every_function_has_a_case_and_every_case_a_function() -> None:
    assert set(CASES) == set(ELEMENTWISE)


@pytest.mark.parametrize("name", NAMES)
def test_every_facet_is_given(name: str) -> None:
    p = ELEMENTWISE[name]
    for f in dataclasses.fields(p):
        v = getattr(p, f.name)
        if f.name != "fold":
            assert v is not None, f.name
        if isinstance(v, str) and f.name != "share_name":
            assert v.strip(), f.name
    assert p.domain in ("real", "positive")
    assert "{0}" in p.numpy or "{neg0}" in p.numpy
    assert "{0}" in p.array_api or "{neg0}" in p.array_api
    assert all(canonical(a) == name for a in p.aliases)
    assert {name, *p.aliases} <= all_names()
    e, x = _apply(name)
    assert p.derivative(B, x).shape == x.shape


def _facets(model: str, **changes: Any) -> dict[str, Any]:
    """The facets of ``model`` under a new name, with ``changes``."""
    p = ELEMENTWISE[model]
    facets = {f.name: getattr(p, f.name) for f in dataclasses.fields(p)}
    return {**facets, "name": "zzfunc", "aliases": (), **changes}


@pytest.mark.parametrize("facet", [f.name for f in dataclasses.fields(Primitive)])
def test_a_missing_facet_cannot_be_registered(facet: str) -> None:
    facets = _facets("tanh")
    del facets[facet]
    with pytest.raises(RegistryError):
        define(**facets)
    assert "zzfunc" not in ELEMENTWISE and "zzfunc" not in all_names()


@pytest.mark.parametrize(
    "changes",
    [
        {"rule": None},
        {"citation": ""},
        {"latex": ""},
        {"name": "tanh"},
        {"aliases": ("exp",)},
        {"aliases": ("trace",)},
        {"numpy": "np.tanh(y)"},
        {"domain": "negative"},
        {"fold": "no_such_function"},
        {"colour": "red"},
    ],
    ids=repr,
)
def test_a_malformed_entry_cannot_be_registered(changes: dict[str, Any]) -> None:
    before = (dict(ELEMENTWISE), all_names())
    with pytest.raises(RegistryError):
        define(**_facets("tanh", **changes))
    assert (dict(ELEMENTWISE), all_names()) == before


@pytest.mark.parametrize("name", NAMES)
def test_value_code_and_evaluation_match_the_reference(name: str) -> None:
    e, _ = _apply(name)
    x = _x(name)
    want = CASES[name].value(x)
    got = evaluate(e, {"x": x}, {Dim("n"): SIZE})[:, 0]
    assert np.allclose(got, want, rtol=1e-12)
    assert np.allclose(_run_code(to_numpy(e), np, x), want, rtol=1e-12)
    strict = _run_code(to_array_api(e), xps, xps.asarray(x))
    assert np.allclose(strict, want, rtol=1e-12)


@pytest.mark.parametrize("fmt", ["numpy", "array-api"])
@pytest.mark.parametrize("name", NAMES)
def test_gradient_code_matches_the_reference(
    name: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    r = run(capsys, "grad", f"sum({name}(x))", "--wrt", "x", "-f", fmt)
    assert r.code == 0, r.err
    x = _x(name)
    ns = np if fmt == "numpy" else xps
    got = _run_code(r.out.strip(), ns, x if ns is np else xps.asarray(x))
    want = CASES[name].derivative(x)
    assert np.allclose(np.broadcast_to(got, want.shape), want, rtol=1e-10)


def test_latex_of_every_function_renders() -> None:
    katex_version()
    items = []
    for name in NAMES:
        e, _ = _apply(name)
        d = api.grad(f"sum({name}(x))", "x", check=False)
        items += [Tex("value", name, to_latex(e)), Tex("gradient", name, d.latex)]
    for t, verdict in zip(items, render(items), strict=True):
        assert verdict["ok"], (t, verdict)


@pytest.mark.parametrize("name", NAMES)
def test_expand_writes_it_out(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "grad", f"sum({name}(x))", "--wrt", "x", "--expand", "2")
    assert r.code == 0, r.err
    assert r.out.startswith("["), r.out
    assert name in ("sign", "step") or ("x1" in r.out and "x2" in r.out), r.out


@pytest.mark.parametrize("name", NAMES)
def test_steps_name_the_rule(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(capsys, "grad", f"sum({name}(x))", "--wrt", "x", "--steps")
    assert r.code == 0, r.err
    assert f"chain rule through {name}: {ELEMENTWISE[name].rule}" in r.out


@pytest.mark.parametrize("name", NAMES)
def test_verify_accepts_the_printed_gradient(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    printed = api.grad(f"sum({name}(x))", "x").text
    r = run(capsys, "verify", "--of", f"sum({name}(x))", "--wrt", "x", "--", printed)
    assert r.code == 0, (printed, r.out, r.err)
    assert r.out.startswith("correct"), r.out


@pytest.mark.parametrize(("alias", "name"), sorted(ALIASES.items()))
def test_an_alias_reads_as_its_function(alias: str, name: str) -> None:
    assert alias != name
    assert parse(f"{alias}(X) + 1").sexpr() == f"(+ ({name} X) 1)"
    assert api.grad(f"sum({alias}(X))", "X", check=False).text == (
        api.grad(f"sum({name}(X))", "X", check=False).text
    )


# ------------------------------------------------------------ composites


class Binary(NamedTuple):
    """``f(x, y)`` and ``∂ sum(f(x, y)) / ∂x``, entry by entry."""

    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    d_first: Callable[[np.ndarray, np.ndarray], np.ndarray]


COMPOSITE_CASES: dict[str, Binary] = {
    "max": Binary(np.maximum, lambda x, y: (x > y).astype(float)),
    "min": Binary(np.minimum, lambda x, y: (x < y).astype(float)),
}
COMPOSITE_NAMES = sorted(COMPOSITE_CASES)


def _xy(name: str) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(COMPOSITE_NAMES.index(name))
    return {"x": rng.standard_normal(SIZE), "y": rng.standard_normal(SIZE)}


def test_every_composite_has_a_case() -> None:
    assert set(COMPOSITE_CASES) == set(COMPOSITES)


@pytest.mark.parametrize("name", COMPOSITE_NAMES)
def test_every_composite_facet_is_given(name: str) -> None:
    c = COMPOSITES[name]
    for f in dataclasses.fields(c):
        v = getattr(c, f.name)
        assert v is not None and (not isinstance(v, str) or v.strip()), f.name
    facets = {f.name: getattr(c, f.name) for f in dataclasses.fields(c)}
    del facets["citation"]
    with pytest.raises(RegistryError):
        define_composite(**{**facets, "name": "zzcomposite"})
    assert "zzcomposite" not in all_names()


@pytest.mark.parametrize("name", COMPOSITE_NAMES)
@pytest.mark.parametrize("args", ["x, y", "y, x", "x, 0.5", "0, x"])
def test_composite_value_matches_the_reference(name: str, args: str) -> None:
    e = api.analyse(f"{name}({args})", api.declarations())[0]
    env = _xy(name)
    first, second = (env[a] if a in env else float(a) for a in args.split(", "))
    want = COMPOSITE_CASES[name].value(first, second)
    got = evaluate(e, env, {d: SIZE for d in (e.shape.rows,)})[:, 0]
    assert np.allclose(got, want, rtol=1e-12)
    assert np.allclose(_run_code(to_numpy(e), np, dict(env)), want, rtol=1e-12)


@pytest.mark.parametrize("name", COMPOSITE_NAMES)
def test_composite_through_every_output(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """NumPy code of the gradient, KaTeX, --expand, --steps and verify."""
    source = f"sum({name}(x, y))"
    r = run(capsys, "grad", source, "--wrt", "x", "-f", "numpy")
    env = _xy(name)
    got = _run_code(r.out.strip(), np, dict(env))
    assert np.allclose(got, COMPOSITE_CASES[name].d_first(env["x"], env["y"]))
    expanded = run(capsys, "grad", source, "--wrt", "x", "--expand", "2")
    assert expanded.code == 0 and "x1 - y1" in expanded.out, expanded.out
    steps = run(capsys, "grad", source, "--wrt", "x", "--steps")
    assert f"chain rule through relu: {ELEMENTWISE['relu'].rule}" in steps.out
    printed = api.grad(source, "x").text
    verdict = run(capsys, "verify", "--of", source, "--wrt", "x", "--", printed)
    assert verdict.code == 0 and verdict.out.startswith("correct"), verdict.out
    katex_version()
    latex = [Tex("gradient", source, api.grad(source, "x", check=False).latex)]
    assert render(latex)[0]["ok"]


# ------------------------------------------------------------ reductions

REDUCTION_CASES: dict[str, Case] = {
    "logsumexp": Case(
        lambda x: np.log(np.sum(np.exp(x - x[0]))) + x[0],  # any shift is exact
        lambda x: np.exp(x - x.max()) / np.sum(np.exp(x - x.max())),
    ),
}
REDUCTION_NAMES = sorted(REDUCTION_CASES)


def test_every_reduction_has_a_case() -> None:
    assert set(REDUCTION_CASES) == set(REDUCTIONS)


@pytest.mark.parametrize("name", REDUCTION_NAMES)
def test_every_reduction_facet_is_given(name: str) -> None:
    r = REDUCTIONS[name]
    facets = {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}
    for key, v in facets.items():
        assert v is not None and (not isinstance(v, str) or v.strip()), key
    for key in facets:
        if key != "name":
            rest = {k: v for k, v in facets.items() if k != key}
            with pytest.raises(RegistryError):
                define_reduction(**{**rest, "name": "zzreduction"})
    assert "zzreduction" not in all_names()


@pytest.mark.parametrize("shift", [0.0, 700.0, -700.0])
@pytest.mark.parametrize("name", REDUCTION_NAMES)
def test_reduction_value_is_right_and_stable(name: str, shift: float) -> None:
    """Entries near ±700 overflow or underflow exp: the value must not."""
    e = api.analyse(f"{name}(x)", api.declarations())[0]
    x = np.random.default_rng(5).standard_normal(SIZE) + shift
    want = REDUCTION_CASES[name].value(x)
    got = evaluate(e, {"x": x}, {d: SIZE for d in _dims(e)})
    assert np.allclose(got, want, rtol=1e-12)
    assert np.allclose(_run_code(to_numpy(e), np, x), want, rtol=1e-12)
    strict = _run_code(to_array_api(e), xps, xps.asarray(x))
    assert np.allclose(strict, want, rtol=1e-12)


def _dims(e: Expr) -> set[Dim]:
    return {v.shape.rows for v in free_vars(e)}


@pytest.mark.parametrize("fmt", ["numpy", "array-api"])
@pytest.mark.parametrize("name", REDUCTION_NAMES)
def test_reduction_through_every_output(
    name: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Gradient code, KaTeX, --expand, --steps and verify."""
    r = run(capsys, "grad", f"{name}(x)", "--wrt", "x", "-f", fmt)
    x = np.random.default_rng(6).standard_normal(SIZE)
    ns = np if fmt == "numpy" else xps
    got = _run_code(r.out.strip(), ns, x if ns is np else xps.asarray(x))
    assert np.allclose(got, REDUCTION_CASES[name].derivative(x), rtol=1e-10)
    expanded = run(capsys, "grad", f"{name}(x)", "--wrt", "x", "--expand", "2")
    assert expanded.code == 0 and "x1" in expanded.out and "x2" in expanded.out
    steps = run(capsys, "grad", f"{name}(x)", "--wrt", "x", "--steps")
    assert f"{name}: {REDUCTIONS[name].rule}" in steps.out
    printed = api.grad(f"{name}(x)", "x").text
    verdict = run(capsys, "verify", "--of", f"{name}(x)", "--wrt", "x", "--", printed)
    assert verdict.code == 0 and verdict.out.startswith("correct"), verdict.out
    katex_version()
    tex = [Tex("gradient", name, api.grad(f"{name}(W x)^2", "W", check=False).latex)]
    tex.append(Tex("value", name, to_latex(api.analyse(f"{name}(x)", api.declarations())[0])))
    assert all(v["ok"] for v in render(tex))
