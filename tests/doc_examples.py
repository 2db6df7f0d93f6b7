"""The console examples of README.md and docs/*.md: reading them (``console_blocks``),
deciding how to run each command (``plan``) and running it in-process
(``run_gradcli``). Used by ``test_docs.py``, ``test_cookbook.py`` and
``test_katex.py``.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support import Run, invoke

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
SCHEMA = DOCS / "json-schema.json"
LANGUAGE = DOCS / "language.md"

# The declarations behind the tables of docs/language.md (stated on that page).
TABLE_SCALARS = "a,b,c,d,s,t"
TABLE_SYMMETRIC = "S"

PRETTY_HEADER = "f = "


# ----------------------------------------------------------------- reading the pages


@dataclass(frozen=True)
class Command:
    """One ``$ ...`` line of a console block and the output shown under it."""

    line: int
    text: str
    expected: str


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    commands: tuple[Command, ...]

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def console_blocks(path: Path) -> list[Block]:
    """The ```` ```console ```` blocks of a Markdown page, with line numbers."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        start = i + 1
        body: list[tuple[int, str]] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append((i + 1, lines[i]))
            i += 1
        blocks.append(Block(path, start, tuple(commands(body))))
        i += 1
    return blocks


def commands(body: list[tuple[int, str]]) -> Iterator[Command]:
    current: tuple[int, str] | None = None
    output: list[str] = []
    for number, text in body:
        if text.startswith("$ "):
            if current is not None:
                yield Command(current[0], current[1], clean("\n".join(output)))
            current, output = (number, text[2:]), []
        elif current is not None:
            output.append(text)
    if current is not None:
        yield Command(current[0], current[1], clean("\n".join(output)))


def clean(text: str) -> str:
    """Compare outputs line by line, ignoring trailing spaces and blank lines."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip("\n")


# ----------------------------------------------------------------- running commands


def run_gradcli(args: list[str], stdin: str = "") -> Run:
    """``gradcli ARGS`` in-process, as a page shows it: standard output, then
    standard error, cleaned (``_clean``), all in ``out``."""
    r = invoke(args, stdin)
    return Run(r.code, clean(r.output), "")


def _option(args: list[str], *names: str) -> str | None:
    for i, a in enumerate(args):
        for name in names:
            if a == name and i + 1 < len(args):
                return args[i + 1]
            if name.startswith("--") and a.startswith(name + "="):
                return a[len(name) + 1 :]
    return None


def _before_separator(args: list[str]) -> list[str]:
    return args[: args.index("--")] if "--" in args else args


@dataclass(frozen=True)
class Plan:
    """How to re-run a documented command; ``compare`` is False when the output
    depends on the random numerical check (no ``--seed``)."""

    args: list[str]
    stdin: str
    compare: bool


def plan(command: Command) -> Plan | None:
    """The run for a ``gradcli`` line (``echo TEXT | gradcli ...`` feeds TEXT to
    standard input), or None for ``echo $?``, which shows the status of the
    previous command."""
    words = shlex.split(command.text)
    if words == ["echo", "$?"]:
        return None
    stdin = ""
    if len(words) > 3 and words[0] == "echo" and words[2] == "|":
        stdin, words = words[1] + "\n", words[3:]
    if not words or words[0] != "gradcli":
        raise AssertionError(f"line {command.line}: not a gradcli command: {command.text}")
    args = words[1:]
    options = _before_separator(args)
    fmt = _option(options, "-f", "--format")
    if fmt is None and command.expected.startswith(PRETTY_HEADER):
        # Shown as on a terminal, where the default format is pretty.
        fmt = "pretty"
        args = [*args[:1], "-f", "pretty", *args[1:]]
    seeded = _option(options, "--seed") is not None
    # A wrong verdict shows a random point; pretty and json show the check.
    random_output = args[:1] == ["verify"] or (
        fmt in ("pretty", "json") and "--no-check" not in options
    )
    return Plan(args, stdin, compare=seeded or not random_output)
