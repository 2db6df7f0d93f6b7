"""``--format latex --display``: whole display lines, one per result."""

from __future__ import annotations

import pytest

from gradcli.cli import main

CASES = [
    (["grad", "x^T A x", "--wrt", "x"], r"\[ \nabla_{x} f = \left(A + A^{\top}\right) x \]"),
    (["hessian", "x^T A x", "--wrt", "x"], r"\[ \nabla^{2}_{x} f = A + A^{\top} \]"),
    (
        ["jacobian", "A X B", "--wrt", "X"],
        r"\[ \frac{\partial f}{\partial X} = B^{\top} \otimes A \]",
    ),
]


@pytest.mark.parametrize(("args", "line"), CASES)
def test_display_line(args: list[str], line: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ex:
        main([*args, "--format", "latex", "--display", "--seed", "1"])
    assert ex.value.code == 0
    assert capsys.readouterr().out.strip() == line


def test_display_needs_latex(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ex:
        main(["grad", "x^T A x", "--wrt", "x", "--display", "--format", "text"])
    assert ex.value.code == 2
    assert "--display goes with --format latex" in capsys.readouterr().err


def test_display_one_line_per_result(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["grad", "||A x - b||^2", "--wrt", "x,A", "-f", "latex", "--display", "--no-check"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert all(ln.startswith(r"\[ ") and ln.endswith(r" \]") for ln in lines)
    assert lines[1].startswith(r"\[ \nabla_{A} f = ")
