"""Textbook derivative identities (tables in ``identities.py``), checked four ways.

For every row:

1. every result's ``.numpy`` code, evaluated at random arrays drawn inside the
   row's domain, equals the hand-written NumPy ``reference`` (values and shape);
2. gradcli's own numerical check passes (``d.check.passed is True``);
3. ``verify`` accepts the textbook form ``expected_text`` as the derivative;
4. gradcli prints the textbook form: ``d.text == expected_text`` (golden).

A row that gradcli prints correctly but clumsily is a strict xfail
("simplification: ..."), one that it gets wrong, refuses or cannot check is a
strict xfail ("BUG: ..."). Two more tests keep those honest: the textbook form
of every row that is not a BUG is verified on its own, and so is gradcli's
printed form (``d.text``), with the numeric comparison, so a "simplification"
row can only fail on the golden text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from _pytest.mark.structures import ParameterSet
from identities import GRAD, HESSIAN, JACOBIAN, Row

import gradcli
from gradcli.api import Derivation
from gradcli.verification.verdict import (
    verify as verify_claim,  # not gradcli.verify: see the last test
)

SEED = 7  # gradcli's check
VERIFY_SEED = 3  # verify's check
DATA_SEED = 20240611  # the random arrays for the references
SIZES = (4, 3, 5, 2, 6)  # distinct sizes for distinct dimensions

ALL_ROWS: list[ParameterSet] = [*GRAD, *JACOBIAN, *HESSIAN]


def _is_bug(param: ParameterSet) -> bool:
    return any(str(m.kwargs.get("reason", "")).startswith("BUG") for m in param.marks)


def _without_simplification_marks(params: list[ParameterSet]) -> list[ParameterSet]:
    """Keep BUG marks; drop "simplification" ones (those rows are right, just clumsy)."""
    return [pytest.param(*p.values, marks=p.marks if _is_bug(p) else (), id=p.id) for p in params]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def derive(row: Row) -> Derivation:
    fn = {"grad": gradcli.grad, "jacobian": gradcli.jacobian, "hessian": gradcli.hessian}
    return fn[row.cmd](row.expr, wrt=row.wrt, seed=SEED, **row.declarations)


def _declared(row: Row, kind: str) -> set[str]:
    return {n.strip() for n in row.declarations.get(kind, "").split(",") if n.strip()}


def _shapes(d: Derivation, row: Row) -> dict[str, tuple[str, str]]:
    """Each variable's (rows, cols) dimension names; "1" for a unit dimension."""
    shapes = {name: (str(v.shape.rows), str(v.shape.cols)) for name, v in d.variables.items()}
    for r in d.results:  # a --wrt that does not occur: a fresh shape of its kind
        for name in r.wrt.split(","):
            if name in shapes:
                continue
            if name in _declared(row, "scalar"):
                shapes[name] = ("1", "1")
            elif name[0].islower():
                shapes[name] = ("_absent_r", "1")
            else:
                shapes[name] = ("_absent_r", "_absent_c")
    return shapes


def _sizes(shapes: Mapping[str, tuple[str, str]], row: Row) -> dict[str, int]:
    sizes = {"1": 1, **row.domain.sizes()}
    free = [s for s in SIZES if s not in sizes.values()]
    for dims in shapes.values():
        for dim in dims:
            if dim not in sizes:
                sizes[dim] = free.pop(0)
    return sizes


def _draw(kind: str | None, rows: int, cols: int, rng: np.random.Generator) -> np.ndarray:
    shape = (rows, cols)
    if kind == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "unit":
        return rng.uniform(-1.0, 1.0, shape)
    if kind == "sign":
        return rng.choice([-1.0, 1.0], shape)
    if kind == "invertible":
        return 3 * np.eye(rows) + 0.3 * rng.standard_normal(shape)
    if kind == "spd":
        m = rng.standard_normal(shape)
        return m @ m.T / rows + np.eye(rows)
    if kind == "symmetric":
        m = rng.standard_normal(shape)
        return (m + m.T) / 2
    return rng.standard_normal(shape)


def sample(d: Derivation, row: Row) -> dict[str, Any]:
    """Random values for every variable: floats, 1-D vectors, 2-D matrices."""
    rng = np.random.default_rng(DATA_SEED)
    shapes = _shapes(d, row)
    sizes = _sizes(shapes, row)
    symmetric = _declared(row, "symmetric")
    values: dict[str, Any] = {}
    for name, (r, c) in shapes.items():
        kind = row.domain.sampler(name) or ("symmetric" if name in symmetric else None)
        value = _draw(kind, sizes[r], sizes[c], rng)
        if r == "1" and c == "1":
            values[name] = float(value[0, 0])
        elif c == "1":
            values[name] = value[:, 0]
        else:
            values[name] = value
    return values


def _wrts(d: Derivation, row: Row) -> list[str]:
    """The --wrt of each result: all of them for one (stacked) result."""
    return [row.wrt] if len(d.results) == 1 else [r.wrt for r in d.results]


def assert_check_passed(d: Derivation) -> None:
    assert d.check is not None
    assert d.check.passed is True, (d.check.passed, d.check.reason, d.check.dims)


def assert_matches_reference(d: Derivation, row: Row) -> None:
    values = sample(d, row)
    want = row.reference(**values)
    wants = list(want) if isinstance(want, tuple) else [want]
    assert len(wants) == len(d.results)
    for result, expected in zip(d.results, wants, strict=True):
        got = np.asarray(eval(result.numpy, {"np": np}, dict(values)), dtype=float)
        expected = np.asarray(expected, dtype=float)
        assert got.shape == expected.shape, (result.numpy, got.shape, expected.shape)
        assert np.allclose(got, expected, rtol=1e-7), (result.numpy, got, expected)


def assert_verifies(text: str, d: Derivation, row: Row) -> None:
    lines = text.split("\n")
    wrts = _wrts(d, row)
    assert len(lines) == len(wrts), (lines, wrts)
    for line, wrt in zip(lines, wrts, strict=True):
        v = verify_claim(
            line, of=row.expr, wrt=wrt, command=row.cmd, seed=VERIFY_SEED, **row.declarations
        )
        assert v.verdict == "correct", (line, wrt, v.reason, v.diagnosis)


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row", ALL_ROWS)
def test_identity(row: Row) -> None:
    d = derive(row)
    assert_matches_reference(d, row)
    assert_check_passed(d)
    assert d.text == row.expected_text
    assert_verifies(row.expected_text, d, row)


@pytest.mark.parametrize("row", _without_simplification_marks(ALL_ROWS))
def test_printed_form_is_correct(row: Row) -> None:
    """gradcli's own output, textbook-shaped or not: checked, numerically right, verifies."""
    d = derive(row)
    assert_matches_reference(d, row)
    assert_check_passed(d)
    assert_verifies(d.text, d, row)


@pytest.mark.parametrize("row", _without_simplification_marks(ALL_ROWS))
def test_textbook_form_verifies(row: Row) -> None:
    """The table's textbook form is itself right (so an xfail is never our typo)."""
    d = derive(row)
    assert_verifies(row.expected_text, d, row)


def test_table_coverage() -> None:
    rows: list[Row] = [p.values[0] for p in ALL_ROWS]  # type: ignore[misc]
    counts = {cmd: sum(r.cmd == cmd for r in rows) for cmd in ("grad", "jacobian", "hessian")}
    assert counts["grad"] >= 60 and counts["jacobian"] >= 15 and counts["hessian"] >= 12, counts
    assert all(r.source and r.expected_text for r in rows)
    ids = [p.id for p in ALL_ROWS]
    assert len(ids) == len(set(ids)), "duplicate rows"


def test_gradcli_verify_is_the_function() -> None:
    """``gradcli.verify`` stays the function once every subpackage is imported (a
    subpackage named ``verify`` would replace it), and it gives a verdict."""
    import gradcli.verification.diagnose
    import gradcli.verification.verdict

    v = gradcli.verify("2 A x", of="x^T A x", wrt="x", seed=VERIFY_SEED)
    assert v.verdict == "wrong" and v.diagnosis == "right only when A is symmetric"
    assert gradcli.verify("(A + A^T) x", of="x^T A x", wrt="x", seed=VERIFY_SEED).correct
