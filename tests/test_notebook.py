"""``docs/gradcli.ipynb``, executed with nbclient on a real IPython kernel.

The display data of an API result and of a magic carry ``text/latex`` (the
rendered math, with the check line for the magic) and ``text/plain`` (the
one-line ``repr``, the text form); a bad expression shows the caret message
on standard error and no traceback (no ``error`` output, the run goes on).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "gradcli.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    workdir = tmp_path_factory.mktemp("notebook")  # the kernel's directory
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",  # this interpreter's own kernel (ipykernel is a test extra)
        resources={"metadata": {"path": str(workdir)}},
        allow_errors=False,
    )
    client.execute()
    return nb


def _cell(nb: Any, startswith: str) -> Any:
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(startswith)]
    return cell


def _data(cell: Any) -> dict[str, str]:
    (out,) = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
    return dict(out.data)


def test_api_result_displays_as_math_and_one_line(executed: Any) -> None:
    data = _data(_cell(executed, "import gradcli"))
    assert data["text/latex"] == r"$\displaystyle \left(A + A^{\top}\right) x$"
    assert data["text/plain"] == "<grad of 'x^T A x' w.r.t. x: (A + A^T) x, checked>"


def test_line_magic_shows_the_result_and_the_check(executed: Any) -> None:
    data = _data(_cell(executed, '%grad "||'))
    latex, plain = data["text/latex"], data["text/plain"]
    assert latex.startswith(r"$\displaystyle \begin{aligned} \nabla_{x} f &= 2 A^{\top}")
    assert r"\text{$\checkmark$ checked numerically: max relative error" in latex
    assert plain.splitlines()[0] == "2 A^T (A x - b)"
    assert plain.splitlines()[1].startswith("✓ checked numerically")


def test_cell_magic_takes_the_expression_from_the_cell(executed: Any) -> None:
    data = _data(_cell(executed, "%%jacobian"))
    assert r"\frac{\partial f}{\partial x} &= " in data["text/latex"]
    assert data["text/plain"].splitlines()[0] == "diag(cos(W x)) W"


def test_verify_magic(executed: Any) -> None:
    data = _data(_cell(executed, "%verify"))
    assert data["text/plain"].startswith("wrong: ")
    assert r"\text{diagnosis: right only when A is symmetric}" in data["text/latex"]


def test_bad_expression_shows_the_caret_not_a_traceback(executed: Any) -> None:
    cell = _cell(executed, '%grad "x^T A +"')
    assert all(o.output_type == "stream" for o in cell.outputs), cell.outputs
    (err,) = [o for o in cell.outputs if o.name == "stderr"]
    assert err.text.splitlines() == [
        "syntax error: expected an operand after '+'",
        "  x^T A +",
        "         ^",
    ]
    assert "Traceback" not in err.text


def test_every_cell_ran_without_error(executed: Any) -> None:
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
