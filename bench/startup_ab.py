"""Start-up before and after: gradcli at a git ref against the working tree, side by side.

Run by hand (never in CI), from the repository root:

    python bench/startup_ab.py --base 3806e53 --runs 20

The ``gradcli/`` package of ``--base`` is extracted (``git archive``) into a
temporary folder; both trees then run the same ``grad "x^T A x" --wrt x
--format text`` (checked, and with ``--no-check``) through the same
interpreter, next to ``python -c "import numpy"``, in interleaved rounds in a
shuffled order, with byte code cached (PYTHONPYCACHEPREFIX) for every
contender alike. Besides wall time it records each process's CPU time (user +
system, from ``getrusage``), which a loaded machine inflates much less than
wall time: on a shared machine the CPU ratios are the steadier ones.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from io import BytesIO
from pathlib import Path

from _common import REPO_DIR, fmt_s, md_table, median

GRAD = ["grad", "x^T A x", "--wrt", "x", "--format", "text"]
RUN = (
    "import sys; sys.path.insert(0, {root!r}); from gradcli.cli import main; "
    "sys.argv = ['gradcli', *{args!r}]; main()"
)
NUMPY = "python -c 'import numpy'"


def extract(ref: str, into: Path) -> Path:
    """``gradcli/`` as it was at ``ref``, under ``into``."""
    tar = subprocess.run(
        ["git", "archive", ref, "gradcli"], cwd=REPO_DIR, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    return into


def contenders(base: Path) -> dict[str, list[str]]:
    py = sys.executable
    out = {NUMPY: [py, "-c", "import numpy"]}
    for label, root in (("base", base), ("now", REPO_DIR)):
        out[f"{label}: grad (checked)"] = [py, "-c", RUN.format(root=str(root), args=GRAD)]
        no_check = [*GRAD, "--no-check"]
        out[f"{label}: grad --no-check"] = [py, "-c", RUN.format(root=str(root), args=no_check)]
    return out


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd!r} failed:\n{proc.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", required=True, help="git ref of the 'before' gradcli")
    ap.add_argument("--runs", type=int, default=20, help="interleaved rounds (20)")
    args = ap.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"# Start-up, {args.base} against the working tree\n\nuptime before: {load}\n")
    with tempfile.TemporaryDirectory(prefix="gradcli-ab-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pyc")
        cmds = contenders(extract(args.base, Path(tmp) / "base"))
        for cmd in cmds.values():  # warm the caches and write byte code; not timed
            run(cmd, env)
        wall: dict[str, list[float]] = defaultdict(list)
        cpu: dict[str, list[float]] = defaultdict(list)
        rng = random.Random(0)
        for _ in range(args.runs):
            order = list(cmds)
            rng.shuffle(order)
            for label in order:
                w, c = run(cmds[label], env)
                wall[label].append(w)
                cpu[label].append(c)
    w0, c0 = median(wall[NUMPY]), median(cpu[NUMPY])
    rows = [
        [label, fmt_s(median(wall[label])), fmt_s(min(wall[label])),
         f"{median(wall[label]) / w0:.2f}", f"{min(wall[label]) / min(wall[NUMPY]):.2f}",
         fmt_s(median(cpu[label])), f"{median(cpu[label]) / c0:.2f}"]
        for label in cmds
    ]  # fmt: skip
    header = ["command", "wall median", "wall min", "÷ numpy (medians)", "÷ numpy (minima)"]
    print(md_table([*header, "CPU median", "CPU ÷ numpy (medians)"], rows))
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"\nuptime after: {load}")


if __name__ == "__main__":
    main()
