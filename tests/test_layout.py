"""The layout of the package stays as docs/architecture.md describes it: stage
packages, imports only from earlier stages, no private names across modules,
test modules that import no other test module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gradcli"
TOP_LEVEL = {"__init__.py", "__main__.py", "api.py", "cli.py", "errors.py", "launch.py"}
# Stages in import order: a stage may import only stages of a lower rank.
RANK = {
    "help": 0,  # the packaged documentation (data, and a reader of it)
    "ir": 0,
    "syntax": 1,
    "simplify": 1,
    "printers": 1,
    "numeric": 2,
    "calculus": 2,
    "api": 3,
    "verification": 4,
    "output": 5,
    "cli": 6,
    "launch": 6.5,  # the program: a quick reading of argv, else the CLI
    "batch": 5.5,  # JSON Lines through the API (the CLI's batch command runs it)
    "notebook": 7,  # IPython magics, which parse their arguments with the CLI's commands
}
# Modules that import nothing of gradcli and may be imported from anywhere.
LEAVES = {
    "gradcli.errors",
    "gradcli.output.process",
    "gradcli.calculus.vocabulary",
    "gradcli.output.formats",
}

MODULES = sorted(PACKAGE.rglob("*.py"))


def _stage(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path) -> list[ast.ImportFrom]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]


def test_top_level_holds_only_the_entry_modules_and_stages() -> None:
    files = {p.name for p in PACKAGE.iterdir() if p.suffix == ".py"}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert files == TOP_LEVEL
    assert packages == set(RANK) - {"api", "cli", "launch"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_stages_and_skip_private_names(path: Path) -> None:
    stage = _stage(path)
    for node in _imports(path):
        module = str(node.module)
        if not module.startswith("gradcli.") or module in LEAVES:
            continue
        private = [a.name for a in node.names if a.name.startswith("_")]
        assert not private, f"{path.name} imports private {private} from {module}"
        other = module.split(".")[1]
        if other != stage and stage in RANK:
            assert RANK[other] < RANK[stage], f"{stage} must not import {module}"


def _long(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(text)) or ""
    return len(text.splitlines()) > 500 and "Over 500 lines" not in doc


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_long_module_says_why(path: Path) -> None:
    assert not _long(path), f"{path.name}: over 500 lines, and the docstring does not say why"


@pytest.mark.parametrize(
    "path", sorted(Path(__file__).parent.glob("test_*.py")), ids=lambda p: p.name
)
def test_no_test_module_imports_another(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [str(n.module) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not [n for n in names if n.split(".")[0].startswith("test_")]
