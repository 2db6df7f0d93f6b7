"""``gradcli help TOPIC``: the docs that come with a ``pip install``.

- The packaged copies (``gradcli/help/*.md``) are the docs/ files, byte for
  byte; ``python scripts/sync_help.py`` refreshes them.
- ``gradcli help TOPIC`` prints the Markdown as it is in a pipe, and renders
  it with Rich on a terminal; ``gradcli help`` lists the topics.
- From a fresh virtual environment with gradcli installed by ``pip install``
  (not editable, from a copy of the sources), ``gradcli help language`` works
  and ``gradcli completion bash`` completes ``gradcli gr`` in a real bash.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from gradcli.cli import TopicOpt
from gradcli.help import TOPICS, topic_text

ROOT = Path(__file__).resolve().parent.parent


def _gradcli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gradcli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


@pytest.mark.parametrize("topic", list(TOPICS))
def test_packaged_copy_is_the_docs_file(topic: str) -> None:
    docs = (ROOT / "docs" / f"{topic}.md").read_text(encoding="utf-8")
    assert topic_text(topic) == docs, f"run: python scripts/sync_help.py ({topic}.md differs)"


def test_sync_script_check_mode() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sync_help.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_cli_topics_are_the_packaged_ones() -> None:
    assert [t.value for t in TopicOpt] == list(TOPICS)
    assert sorted(p.name for p in (ROOT / "gradcli" / "help").glob("*.md")) == sorted(
        f"{t}.md" for t in TOPICS
    )


@pytest.mark.parametrize("topic", list(TOPICS))
def test_help_topic_in_a_pipe_is_the_markdown(topic: str, tmp_path: Path) -> None:
    done = _gradcli("help", topic, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ROOT / "docs" / f"{topic}.md").read_text(encoding="utf-8")


def test_help_lists_the_topics() -> None:
    done = _gradcli("help")
    assert done.returncode == 0, done.stderr
    for topic, what in TOPICS.items():
        assert f"{topic}  " in done.stdout and what in done.stdout


def test_unknown_topic_is_bad_input() -> None:
    done = _gradcli("help", "grammar")
    assert done.returncode == 2
    assert "grammar" in done.stderr and "language" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_on_a_terminal_is_rendered() -> None:
    """On a terminal, Rich renders the Markdown: no '#' heading marks, no backticks."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gradcli", "help", "limits"],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    first_heading = topic_text("limits").splitlines()[0].lstrip("# ")
    assert first_heading in shown
    assert "\n# " not in "\n" + shown and "`" not in shown


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with gradcli ``pip install``-ed from a copy of the sources.

    Its dependencies come from the test's own environment (a ``.pth`` line),
    so nothing is downloaded; gradcli itself is the installed copy."""
    base = tmp_path_factory.mktemp("install")
    source = base / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "gradcli", source / "gradcli", ignore=shutil.ignore_patterns("__pycache__")
    )
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "outer_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--no-index", str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return venv


def _in_venv(venv: Path, program: str, *args: str, cwd: Path) -> str:
    """The standard output of ``venv/bin/PROGRAM ARGS`` run in ``cwd`` (must succeed)."""
    done = subprocess.run(
        [str(venv / "bin" / program), *args], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_help_from_a_pip_install(installed: Path, tmp_path: Path) -> None:
    where = _in_venv(
        installed, "python", "-c", "import gradcli; print(gradcli.__file__)", cwd=tmp_path
    )
    assert where.startswith(str(installed)), where  # the installed copy, not the checkout
    shown = _in_venv(installed, "gradcli", "help", "language", cwd=tmp_path)
    assert shown == (ROOT / "docs" / "language.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_completion_from_a_pip_install(installed: Path, tmp_path: Path) -> None:
    script = _in_venv(installed, "gradcli", "completion", "bash", cwd=tmp_path)
    (tmp_path / "gradcli.bash").write_text(script)
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c"]
        + ['source "$1"; COMP_WORDS=(gradcli gr); COMP_CWORD=1; _gradcli; echo "${COMPREPLY[@]}"']
        + ["bash", str(tmp_path / "gradcli.bash")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["grad"]
