"""``docs/cookbook.md`` is real output, exactly.

Every ``$ gradcli ...`` line of the page's ```` ```console ```` blocks runs
again (in-process, as in ``test_docs.py``, whose helpers this reuses) and its
output must be what the page shows. Unlike the other pages, where output that
depends on the random numerical check is not compared, here every output is:
a command whose output is random without a seed (``verify``, ``pretty``,
``json``) must pass ``--seed``.

After a deliberate change of output, rewrite the page with
``python tests/test_docs.py docs/cookbook.md`` and review the diff.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from doc_examples import Block, console_blocks, plan, run_gradcli

pytestmark = pytest.mark.usefixtures("plain_console")

ROOT = Path(__file__).resolve().parent.parent
COOKBOOK = ROOT / "docs" / "cookbook.md"
BLOCKS = console_blocks(COOKBOOK)
TEXT = COOKBOOK.read_text(encoding="utf-8")


def sections() -> list[tuple[str, str]]:
    """``(heading, body)`` for each ``## `` section."""
    parts = re.split(r"^## (.+)$", TEXT, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = unicodedata.normalize("NFKC", heading).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_cookbook_example(block: Block) -> None:
    status = 0
    for command in block.commands:
        how = plan(command)
        if how is None:  # echo $?
            assert command.expected == str(status), f"line {command.line}: exit status"
            continue
        assert how.compare, (
            f"line {command.line}: the output depends on the random check; add --seed N"
        )
        run = run_gradcli(how.args, how.stdin)
        status = run.code
        assert run.output == command.expected, f"cookbook.md:{command.line}: $ {command.text}"


def test_cookbook_shape() -> None:
    """12 to 15 worked examples, each with a sentence of context and a console
    block; the table of contents links every one of them."""
    found = sections()
    assert 12 <= len(found) <= 15, [h for h, _ in found]
    for heading, body in found:
        assert "```console\n$ gradcli " in body, f"{heading}: no console example"
        prose = body.split("```console")[0].strip()
        assert len(prose.split()) >= 8, f"{heading}: no sentence of context"
    links = re.findall(r"\]\(#([^)]+)\)", TEXT)
    assert links == [slug(h) for h, _ in found]


def test_cookbook_covers() -> None:
    commands = [c.text for b in BLOCKS for c in b.commands]
    joined = "\n".join(commands)
    for needle in ("verify", "--steps", "--function", "--symmetric", "hessian", "-f latex"):
        assert needle in joined, needle
    verify = [c for c in commands if c.startswith("gradcli verify")]
    assert verify and all("--seed" in c for c in verify)


def test_cookbook_numpy_function_runs() -> None:
    """The printed backprop function runs and agrees with finite differences."""
    (command,) = [c for b in BLOCKS for c in b.commands if "--function backprop" in c.text]
    namespace: dict[str, object] = {}
    exec(command.expected, namespace)  # the documented, generated code
    backprop = namespace["backprop"]
    rng = np.random.default_rng(0)
    W1, W2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    x, y = rng.standard_normal(3), rng.standard_normal(2)

    def loss(W1: np.ndarray, W2: np.ndarray) -> float:
        return float(np.sum((y - W2 @ np.tanh(W1 @ x)) ** 2))

    g1, g2 = backprop(y=y, W2=W2, W1=W1, x=x)  # type: ignore[operator]
    eps = 1e-6
    for g, W, which in ((g1, W1, 0), (g2, W2, 1)):
        assert g.shape == W.shape
        numeric = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            step = np.zeros_like(W)
            step[idx] = eps
            args_hi = (W1 + step, W2) if which == 0 else (W1, W2 + step)
            args_lo = (W1 - step, W2) if which == 0 else (W1, W2 - step)
            numeric[idx] = (loss(*args_hi) - loss(*args_lo)) / (2 * eps)
        assert np.allclose(g, numeric, atol=1e-6)
