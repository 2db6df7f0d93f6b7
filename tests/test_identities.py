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

import numpy as np
import pytest
from _pytest.mark.structures import ParameterSet
from identities import GRAD, HESSIAN, JACOBIAN, Row
from identity_support import derive, sample

from gradcli.api import Derivation
from gradcli.verification.verdict import (
    verify as verify_claim,  # not gradcli.verify: see the last test
)

VERIFY_SEED = 3  # verify's check

ALL_ROWS: list[ParameterSet] = [*GRAD, *JACOBIAN, *HESSIAN]


def _is_bug(param: ParameterSet) -> bool:
    return any(str(m.kwargs.get("reason", "")).startswith("BUG") for m in param.marks)


def _without_simplification_marks(params: list[ParameterSet]) -> list[ParameterSet]:
    """Keep BUG marks; drop "simplification" ones (those rows are right, just clumsy)."""
    return [pytest.param(*p.values, marks=p.marks if _is_bug(p) else (), id=p.id) for p in params]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


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
