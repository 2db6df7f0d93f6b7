"""Rendering LaTeX with KaTeX (node and ``tests/.katex``): the ``Tex`` record,
``katex_version`` (skip, or fail under CI, without KaTeX) and ``render``. Used
by ``test_katex.py`` and ``test_hostile_outputs.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
RENDER = HERE / "katex_render.js"
INSTALL = "npm install --no-save --prefix tests/.katex katex@0.16.47"
TIMEOUT = 60  # seconds for the node process; it takes about one


@dataclass(frozen=True)
class Tex:
    """A LaTeX string, where it came from (a command to reproduce it), and
    whether it is inline math (``_repr_latex_``) rather than display math."""

    group: str
    source: str
    tex: str
    display: bool = True


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so KaTeX must be checked (.ci/run runs: {INSTALL})")
    pytest.skip(f"{reason} (install it with: {INSTALL})")


def katex_version() -> str:
    """KaTeX's version and where it was found; skip (fail under CI) without it."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    done = subprocess.run(
        [str(node), str(RENDER), "--version"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode == 3:
        _unavailable(done.stderr.strip())
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def render(items: list[Tex]) -> list[dict[str, Any]]:
    """KaTeX's verdict on each string, in one node process."""
    lines = [json.dumps({"tex": t.tex, "display": t.display}) for t in items]
    done = subprocess.run(
        [str(shutil.which("node")), str(RENDER)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(verdicts) == len(items), done.stderr
    return verdicts
