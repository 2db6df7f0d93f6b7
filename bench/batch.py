"""Batch throughput and memory: ``gradcli batch`` against one process per request.

Run by hand (never in CI), from the repository root:

    python bench/batch.py --json bench/results/batch.json

What it measures:

1. Throughput on 1,000 mixed requests (``MIX``: gradients, Jacobians, Hessians,
   correct and wrong claims, 2% bad input, every request seeded): wall time of
   ``gradcli batch -j 2 -q`` over the file (``--rounds`` runs, median), against
   one ``gradcli ... --format json`` process per request, run one after the
   other as a shell loop would. The per-process side runs every
   ``--stride``-th request (default 5: 200 processes) and is scaled to 1,000;
   ``--stride 1`` runs them all. The target is a ratio >= 20.
2. Peak memory (``ru_maxrss``, the largest process: the reader or a worker) of
   ``gradcli batch -j 2 -q`` on 1,000, 10,000 and 100,000 lines, the mix cycled
   with a new seed on every line; each size runs in its own child process,
   so the numbers do not mix. The target is 100,000 lines within 1.5x of 1,000.

The load average is printed before and after: this machine is shared, and
time ratios move with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import find_gradcli, fmt_s, machine_info, md_table, median, print_machine, save_json

MIX: list[dict[str, Any]] = [
    {"command": "grad", "expr": "x^T A x", "wrt": "x"},
    {"command": "grad", "expr": "||A x - b||^2", "wrt": "x"},
    {"command": "grad", "expr": "log(det(X))", "wrt": "X"},
    {"command": "grad", "expr": "tanh(a b)", "wrt": "a,b", "scalar": "a,b"},
    {"command": "grad", "expr": "sum(exp(W x)) + x^T x", "wrt": "W"},
    {"command": "grad", "expr": "tr(S X)", "wrt": "X", "symmetric": "S"},
    {"command": "jacobian", "expr": "sin(W x)", "wrt": "x"},
    {"command": "jacobian", "expr": "softmax(z)", "wrt": "z"},
    {"command": "jacobian", "expr": "A X B", "wrt": "X"},
    {"command": "hessian", "expr": "x^T A x", "wrt": "x"},
    {"command": "hessian", "expr": "||A x - b||^2", "wrt": "x"},
    {"command": "hessian", "expr": "x^2 y + y^3", "wrt": "x,y", "scalar": "x,y"},
    {"command": "verify", "claim": "(A + A^T) x", "expr": "x^T A x", "wrt": "x"},
    {"command": "verify", "claim": "2 A x", "expr": "x^T A x", "wrt": "x"},
    {"command": "verify", "claim": "A", "expr": "A x + b", "wrt": "x", "jacobian": True},
    {"command": "verify", "claim": "2 A^T (A x - b)", "expr": "||A x - b||^2", "wrt": "x"},
]
BAD = {"command": "grad", "expr": "x^T A x +", "wrt": "x"}
THROUGHPUT_N = 1000
MEMORY_SIZES = (1_000, 10_000, 100_000)


def requests(n: int) -> list[dict[str, Any]]:
    """``n`` requests: the mix in turn, every 50th line bad input, line ``i`` seeded ``i``."""
    out = []
    for i in range(n):
        req = BAD if i % 50 == 49 else MIX[i % len(MIX)]
        out.append({**req, "seed": i, "id": i})
    return out


def write_jsonl(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for req in requests(n):
            f.write(json.dumps(req) + "\n")


def cli_args(req: dict[str, Any]) -> list[str]:
    """The single command a request stands for (``--format json``)."""
    if req["command"] == "verify":
        args = ["verify", req["claim"], "--of", req["expr"]]
        args += ["--jacobian"] if req.get("jacobian") else []
    else:
        args = [req["command"], req["expr"]]
    for key in ("wrt", "scalar", "symmetric"):
        if key in req:
            args += [f"--{key}", req[key]]
    return [*args, "--seed", str(req["seed"]), "--format", "json"]


def time_batch(gradcli: str, path: Path, jobs: int) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [gradcli, "batch", "-j", str(jobs), "-q", str(path)], capture_output=True, text=True
    )
    dt = time.perf_counter() - t0
    if proc.returncode not in (0, 1, 2) or not proc.stdout:
        raise SystemExit(f"gradcli batch failed ({proc.returncode}):\n{proc.stderr}")
    return dt


def time_per_process(gradcli: str, reqs: list[dict[str, Any]]) -> tuple[float, int]:
    """Seconds for one process per request, in turn; and how many ran."""
    t0 = time.perf_counter()
    for req in reqs:
        proc = subprocess.run([gradcli, *cli_args(req)], capture_output=True, text=True)
        if proc.returncode not in (0, 1, 2):
            raise SystemExit(f"{cli_args(req)} failed ({proc.returncode}):\n{proc.stderr}")
    return time.perf_counter() - t0, len(reqs)


_RSS = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.perf_counter() - t0
if proc.returncode not in (0, 1, 2):
    sys.exit(proc.stderr.decode())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, dt)
"""


def peak_rss(gradcli: str, path: Path, jobs: int) -> tuple[int, float]:
    """Peak RSS in KiB of the largest process of one batch run, and its wall time."""
    cmd = [sys.executable, "-c", _RSS, gradcli, "batch", "-j", str(jobs), "-q", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"memory run failed:\n{proc.stderr}")
    kib, seconds = proc.stdout.split()
    return int(kib), float(seconds)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2, help="gradcli batch -j (2)")
    ap.add_argument("--rounds", type=int, default=3, help="batch runs over the 1,000 (3)")
    ap.add_argument("--stride", type=int, default=5, help="run every Nth request alone (5)")
    ap.add_argument("--sizes", default=",".join(map(str, MEMORY_SIZES)), help="memory runs")
    ap.add_argument("--json", metavar="PATH", help="also write the raw results as JSON")
    args = ap.parse_args()
    gradcli = find_gradcli()
    info = machine_info(("numpy", "typer", "rich"))
    print(f"# Batch\n\ncommand: {' '.join(sys.argv)}  (gradcli = {gradcli})\n")
    print_machine(info)
    print(f"uptime before: {uptime()}\n")
    result: dict[str, Any] = {"machine": info, "uptime_before": uptime()}
    with tempfile.TemporaryDirectory(prefix="gradcli-bench-batch-") as tmp:
        result.update(throughput(gradcli, Path(tmp), args))
        sizes = [int(s) for s in args.sizes.split(",") if s]
        result["memory"] = memory(gradcli, Path(tmp), args.jobs, sizes)
    result["uptime_after"] = uptime()
    print(f"\nuptime after: {result['uptime_after']}")
    save_json(args.json, result)


def throughput(gradcli: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    path = tmp / "mixed.jsonl"
    write_jsonl(path, THROUGHPUT_N)
    time_batch(gradcli, path, args.jobs)  # warm the caches; not timed
    batch_times = [time_batch(gradcli, path, args.jobs) for _ in range(args.rounds)]
    sample = requests(THROUGHPUT_N)[:: args.stride]
    alone, ran = time_per_process(gradcli, sample)
    per_process = alone / ran * THROUGHPUT_N
    ratio = per_process / median(batch_times)
    print(f"## Throughput, {THROUGHPUT_N} mixed requests\n")
    rows = [
        [f"gradcli batch -j {args.jobs}", fmt_s(median(batch_times)), fmt_s(min(batch_times)),
         f"{THROUGHPUT_N / median(batch_times):.0f}/s"],
        [f"one process per request ({ran} run, scaled to {THROUGHPUT_N})", fmt_s(per_process),
         "", f"{ran / alone:.1f}/s"],
    ]  # fmt: skip
    print(md_table(["how", f"time for {THROUGHPUT_N} (median)", "min", "rate"], rows))
    verdict = "met" if ratio >= 20 else "MISSED"
    print(f"\nthroughput ratio (median batch): {ratio:.1f}x; target >= 20x: {verdict}\n")
    return {
        "batch_seconds": batch_times,
        "per_process_seconds": alone,
        "per_process_ran": ran,
        "ratio": ratio,
    }


def memory(gradcli: str, tmp: Path, jobs: int, sizes: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rows = []
    for n in sizes:
        path = tmp / f"lines-{n}.jsonl"
        write_jsonl(path, n)
        kib, seconds = peak_rss(gradcli, path, jobs)
        path.unlink()
        out[str(n)] = {"peak_rss_kib": kib, "seconds": seconds, "uptime": uptime()}
        rows.append([f"{n:,}", f"{kib / 1024:.1f} MiB", fmt_s(seconds), f"{n / seconds:.0f}/s"])
        print(f"  ({n:,} lines done: {uptime()})", file=sys.stderr)
    print(f"## Peak memory, gradcli batch -j {jobs} (largest process)\n")
    print(md_table(["lines", "peak RSS", "wall time", "rate"], rows))
    if str(MEMORY_SIZES[0]) in out and str(MEMORY_SIZES[-1]) in out:
        growth = (
            out[str(MEMORY_SIZES[-1])]["peak_rss_kib"] / out[str(MEMORY_SIZES[0])]["peak_rss_kib"]
        )
        verdict = "met" if growth <= 1.5 else "MISSED"
        print(f"\n100,000 lines / 1,000 lines: {growth:.2f}x; target <= 1.5x: {verdict}")
        out["growth"] = growth
    return out


if __name__ == "__main__":
    os.environ.pop("GRADCLI_TIMEOUT", None)
    main()
