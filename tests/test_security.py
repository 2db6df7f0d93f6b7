"""No input runs code: user text reaches only the project's own parser."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

from gradcli.errors import GradcliError
from gradcli.syntax import parse

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "gradcli"
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr"}
FORBIDDEN_ATTRIBUTES = {"sympify", "parse_expr", "eval", "exec"}

INJECTIONS = [
    "__import__('os').system('touch {marker}')",
    "exec(\"open('{marker}', 'w')\")",
    "eval(\"open('{marker}', 'w')\")",
    "lambda: open('{marker}', 'w')",
    "x.__class__.__mro__",
    "Symbol('x')**2 + __import__('os').system('touch {marker}')",
    "x^T x; import os; os.system('touch {marker}')",
    "open('{marker}', 'w')",
    "sympify('x')",
]


def _forbidden_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in FORBIDDEN_NAMES:
            found.append(f.id)
        if isinstance(f, ast.Attribute) and f.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f.attr)
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_dynamic_evaluation_in_the_package(path: pathlib.Path) -> None:
    """Grep-style, on the syntax tree: the package never calls eval, exec,
    compile, sympify, parse_expr or __import__ (so none is reachable from input)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _forbidden_calls(tree) == [], path


@pytest.mark.parametrize("template", INJECTIONS)
def test_injection_is_a_syntax_error_in_the_parser(template: str, tmp_path: pathlib.Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(GradcliError):
        parse(template.format(marker=marker))
    assert not marker.exists()


@pytest.mark.parametrize("template", INJECTIONS[:4])
def test_injection_through_the_cli_runs_nothing(template: str, tmp_path: pathlib.Path) -> None:
    marker = tmp_path / "pwned"
    source = template.format(marker=marker)
    for args in (
        ["grad", source, "--wrt", "x"],
        ["grad", "x^T x", "--wrt", "x", "--scalar", source],
        ["verify", source, "--of", "x^T x", "--wrt", "x"],
        ["grad", "x^T x", "--wrt", source],
    ):
        run = subprocess.run(
            [sys.executable, "-m", "gradcli", *args], capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 2, (args, run.stderr)
        assert "Traceback" not in run.stderr
    assert not marker.exists()
