"""Write gradcli's shell completions to ``completions/`` (a source checkout).

    python scripts/gen_completions.py           # rewrite completions/*
    python scripts/gen_completions.py --check   # exit 1 if a file is stale

The scripts come from ``gradcli.output.completion``, the same code behind
``gradcli completion bash|zsh|fish``, so the committed files and what a
``pip install`` user prints are the same text. ``tests/test_completions.py``
checks that the committed files are current: after changing the CLI, run this
script and commit the result.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import typer  # noqa: E402

from gradcli.cli import app  # noqa: E402
from gradcli.output import completion  # noqa: E402
from gradcli.output.completion import FILES, Cmd, Opt  # noqa: E402


def command_tree() -> tuple[tuple[Opt, ...], tuple[Cmd, ...]]:
    """gradcli's options and commands, from the Typer app."""
    return completion.command_tree(typer.main.get_command(app))


def generate(shell: str) -> str:
    """The completion script for ``shell``, as ``gradcli completion SHELL`` prints it."""
    return completion.generate(shell, typer.main.get_command(app))


OUT = ROOT / "completions"

__all__ = ["FILES", "OUT", "command_tree", "generate", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory")
    args = parser.parse_args(argv)
    stale = []
    for shell, name in FILES.items():
        path = args.out / name
        text = generate(shell)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print("stale: " + ", ".join(str(p) for p in stale), file=sys.stderr)
        print("run: python scripts/gen_completions.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
