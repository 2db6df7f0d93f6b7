"""Shell completions (``completions/``) are current and work.

- Each committed file is exactly what ``scripts/gen_completions.py`` generates
  from the CLI now, so a new option cannot be forgotten: after changing the
  CLI, run ``python scripts/gen_completions.py`` and commit the files.
- bash: the completion function, called the way bash calls it (``COMP_WORDS``,
  ``COMP_CWORD``), completes commands, options and the choices of ``--format``
  and ``--layout``.
- zsh and fish: the files parse (``zsh -n``, ``fish -n``), and fish completes
  (``complete -C``); skipped where those shells are not installed.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer

from gradcli.calculus.vocabulary import Layout
from gradcli.cli import app
from gradcli.output.formats import Format

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"
BASH_FILE = COMPLETIONS / "gradcli.bash"
FORMATS = [f.value for f in Format]
LAYOUTS = [v.value for v in Layout]


def _load_generator() -> ModuleType:
    path = ROOT / "scripts" / "gen_completions.py"
    spec = importlib.util.spec_from_file_location("gen_completions", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_completions", module)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.mark.parametrize("shell", sorted(gen.FILES))
def test_committed_file_is_current(shell: str) -> None:
    path = COMPLETIONS / gen.FILES[shell]
    assert path.exists(), f"{path} is missing: run python scripts/gen_completions.py"
    assert path.read_text(encoding="utf-8") == gen.generate(shell), (
        f"{path.name} is stale: run python scripts/gen_completions.py and commit the result"
    )


def test_check_mode(tmp_path: Path) -> None:
    assert gen.main(["--check"]) == 0
    assert gen.main(["--check", "--out", str(tmp_path)]) == 1  # nothing there yet
    assert gen.main(["--out", str(tmp_path)]) == 0
    assert gen.main(["--check", "--out", str(tmp_path)]) == 0


# ----------------------------------------------------------------- the CLI's own tree


def _visible_options(command: Any) -> list[str]:
    return [
        name
        for p in command.params
        if p.param_type_name == "option" and not p.hidden
        for name in (*p.opts, *p.secondary_opts)
    ]


CLICK = typer.main.get_command(app)
COMMANDS: dict[str, Any] = dict(CLICK.commands)  # type: ignore[attr-defined]


def test_tree_matches_the_cli() -> None:
    top, commands = gen.command_tree()
    assert [c.name for c in commands] == list(COMMANDS)
    assert {n for o in top for n in o.names} == {"--version", "-h", "--help"}
    for c in commands:
        names = {n for o in c.options for n in o.names}
        assert names == {*_visible_options(COMMANDS[c.name]), "-h", "--help"}
        assert "--debug" not in names  # hidden
        choices = {o.names[0]: o.choices for o in c.options if o.choices}
        assert choices["--format"] == tuple(FORMATS)
        if "--layout" in names:
            assert choices["--layout"] == tuple(LAYOUTS)


# ----------------------------------------------------------------- bash

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="bash is not installed")


def bash_complete(*words: str) -> list[str]:
    """COMPREPLY for the command line ``words`` (the last one is the word
    being completed, maybe empty), as bash's programmable completion sets it."""
    script = (
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
        'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; '
        'complete -p gradcli >/dev/null || exit 9; _gradcli gradcli "${COMP_WORDS[COMP_CWORD]}"; '
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        [str(BASH), "--norc", "--noprofile", "-c", script, "bash", str(BASH_FILE), *words],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [line for line in done.stdout.splitlines() if line]


@needs_bash
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("gradcli", "gr"), ["grad"]),
        (("gradcli", ""), list(COMMANDS)),
        (("gradcli", "--v"), ["--version"]),
        (("gradcli", "grad", "--format", ""), FORMATS),
        (("gradcli", "grad", "-f", "la"), ["latex"]),
        (("gradcli", "verify", "x", "--of", "y", "--format", "j"), ["json"]),
        (("gradcli", "jacobian", "--layout", ""), LAYOUTS),
        (("gradcli", "hessian", "--layout", ""), []),  # no --layout: nothing
        (("gradcli", "grad", "--format", "=", ""), FORMATS),  # '=' is in COMP_WORDBREAKS
        (("gradcli", "grad", "--format", "=", "nu"), ["numpy"]),
        (("gradcli", "grad", "--format=te"), ["--format=text"]),  # and when it is not
        (("gradcli", "verify", "--jac"), ["--jacobian"]),
        (("gradcli", "grad", "x^T A x", "--no"), ["--no-check"]),
        (("gradcli", "grad", "--wrt", ""), []),  # a variable name: nothing to offer
        (("gradcli", "grad", "--de"), []),  # --debug is hidden
        (("gradcli", "grad", "--d"), ["--display"]),
        (("gradcli", "grad", "--wrt", "x", "--", "-"), []),  # after --, an expression
        (("gradcli", "grad", "x"), []),
    ],
)
def test_bash_completes(words: tuple[str, ...], expected: list[str]) -> None:
    assert bash_complete(*words) == expected


@needs_bash
@pytest.mark.parametrize("command", list(COMMANDS))
def test_bash_offers_every_option(command: str) -> None:
    offered = bash_complete("gradcli", command, "-")
    assert sorted(offered) == sorted({*_visible_options(COMMANDS[command]), "-h", "--help"})


# ----------------------------------------------------------------- zsh, fish


def _shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def test_zsh_file_parses() -> None:
    zsh = _shell("zsh")
    done = subprocess.run(
        [zsh, "-n", str(COMPLETIONS / "_gradcli")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (COMPLETIONS / "_gradcli").read_text(encoding="utf-8").startswith("#compdef gradcli\n")


def fish_complete(line: str) -> list[str]:
    fish = _shell("fish")
    done = subprocess.run(
        [fish, "--no-config", "-c", "source $argv[1]; complete -C $argv[2]"]
        + [str(COMPLETIONS / "gradcli.fish"), line],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [row.split("\t")[0] for row in done.stdout.splitlines()]


def test_fish_file_parses() -> None:
    fish = _shell("fish")
    done = subprocess.run(
        [fish, "--no-config", "-n", str(COMPLETIONS / "gradcli.fish")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("gradcli gr", ["grad"]),
        ("gradcli grad --format ", sorted(FORMATS)),
        ("gradcli jacobian --layout ", sorted(LAYOUTS)),
        ("gradcli verify --jac", ["--jacobian"]),
    ],
)
def test_fish_completes(line: str, expected: list[str]) -> None:
    assert sorted(fish_complete(line)) == expected
