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
import os
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
        if c.name in ("grad", "jacobian", "hessian", "verify"):
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
        (("gradcli", "grad", "--d"), ["--diagonal", "--display"]),
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


IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")


def _shell(name: str) -> str:
    """The shell's path; skipped where it is missing, except in CI (which installs it)."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed (CI installs it: see .ci/run)")
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


# ----------------------------------------------------------------- gradcli completion SHELL


def run_completion(*args: str) -> subprocess.CompletedProcess[str]:
    """``gradcli completion ARGS`` in a subprocess, 200 columns wide."""
    return subprocess.run(
        [sys.executable, "-m", "gradcli", "completion", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


def printed_script(shell: str) -> str:
    """What ``gradcli completion SHELL`` prints, as a ``pip install`` user runs it."""
    done = run_completion(shell)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("shell", sorted(gen.FILES))
def test_completion_command_prints_the_committed_script(shell: str) -> None:
    assert printed_script(shell) == (COMPLETIONS / gen.FILES[shell]).read_text(encoding="utf-8")


def test_completion_rejects_an_unknown_shell() -> None:
    done = run_completion("tcsh")
    assert done.returncode == 2
    assert "tcsh" in done.stderr and "Traceback" not in done.stderr


def test_completion_help_has_the_install_lines() -> None:
    from gradcli.output.completion import INSTALL

    done = run_completion("--help")
    assert done.returncode == 0, done.stderr
    for lines in INSTALL.values():
        for line in lines:
            command = line.split("before compinit:")[-1].strip().lstrip("# ")
            assert command in done.stdout, command


@pytest.fixture(scope="module")
def printed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The printed scripts, under the names each shell looks for."""
    out = tmp_path_factory.mktemp("completions")
    for shell, name in gen.FILES.items():
        (out / name).write_text(printed_script(shell), encoding="utf-8")
    return out


@needs_bash
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("gradcli", "gr"), ["grad"]),
        (("gradcli", "co"), ["completion"]),
        (("gradcli", "completion", ""), ["bash", "zsh", "fish"]),
        (("gradcli", "help", "l"), ["language", "limits"]),
        (("gradcli", "grad", "-f", "arr"), ["array-api"]),
    ],
)
def test_printed_bash_script_completes(
    printed_dir: Path, words: tuple[str, ...], expected: list[str]
) -> None:
    global BASH_FILE
    saved, BASH_FILE = BASH_FILE, printed_dir / gen.FILES["bash"]
    try:
        assert bash_complete(*words) == expected
    finally:
        BASH_FILE = saved


ZSH_DRIVER = r"""
# Type $2 and a Tab into an interactive zsh with the completion on $fpath ($1),
# then prefix the line with 'echo BUF:' and run it: the output is the line as
# the completion left it.
zmodload zsh/zpty
zpty -b z zsh -f -i
zpty -w z "PS1=''; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' menu no; echo RE''ADY"
# wait for the setup to finish: keys typed ahead of the line editor are lost
zpty -r z line '*READY*' || exit 7
zpty -w -n z "$2"$'\t'$'\x01'"echo BUF:"$'\n'
zpty -r z out '*'$'\n''BUF:*'$'\n' || exit 8
zpty -d z
print -r -- "$out"
"""


def zsh_complete(completions: Path, line: str) -> str:
    """The command line after typing ``line`` and a Tab in a real interactive zsh."""
    zsh = _shell("zsh")
    done = subprocess.run(
        [zsh, "-f", "-c", ZSH_DRIVER, "zsh", str(completions), line],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = [row for row in done.stdout.replace("\r", "\n").splitlines() if row.startswith("BUF:")]
    assert found, done.stdout
    return found[-1].removeprefix("BUF:").rstrip()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("gradcli gr", "gradcli grad"),
        ("gradcli completion f", "gradcli completion fish"),
        ("gradcli help conv", "gradcli help conventions"),
        ("gradcli jacobian x --lay", "gradcli jacobian x --layout"),
        ("gradcli grad x --format=nu", "gradcli grad x --format=numpy"),
    ],
)
def test_zsh_completes(printed_dir: Path, line: str, expected: str) -> None:
    assert zsh_complete(printed_dir, line) == expected


def test_zsh_committed_file_completes() -> None:
    assert zsh_complete(COMPLETIONS, "gradcli hes") == "gradcli hessian"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("gradcli gr", ["grad"]),
        ("gradcli completion ", ["bash", "fish", "zsh"]),
        ("gradcli help j", ["json"]),
    ],
)
def test_printed_fish_script_completes(printed_dir: Path, line: str, expected: list[str]) -> None:
    fish = _shell("fish")
    done = subprocess.run(
        [fish, "--no-config", "-c", "source $argv[1]; complete -C $argv[2]"]
        + [str(printed_dir / gen.FILES["fish"]), line],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(row.split("\t")[0] for row in done.stdout.splitlines()) == expected
