"""Helpers shared by the benchmark scripts: machine facts, statistics, tables.

Benchmarks are run by hand (never in CI): see ``bench/RESULTS.md`` for the
commands and the recorded results. This machine is shared and noisy, so every
script measures its contenders side by side, interleaved, in one run, and
reports ratios of medians rather than absolute times alone.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent

# The token pattern gradcli itself uses to decide when to name shared parts
# (gradcli/api.py ``_TOKEN``), copied so that "tokens of .text" means the same
# thing here without importing a private name.
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+\.?\d*(?:[eE][-+]?\d+)?|\.[*/^]|\|\||\S")

# Environment variables that change which OpenBLAS kernel NumPy runs.
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def tokens(text: str) -> int:
    """The number of tokens of an expression printed in gradcli's language."""
    return len(TOKEN.findall(text))


def median(xs: Iterable[float]) -> float:
    xs = list(xs)
    return statistics.median(xs) if xs else float("nan")


def fmt_s(seconds: float) -> str:
    """A duration with a sensible unit: ``812 µs``, ``3.41 ms``, ``1.27 s``."""
    if seconds != seconds:  # NaN
        return "–"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table (GitHub flavour)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    return "\n".join(lines)


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_info() -> list[dict[str, Any]]:
    """threadpoolctl's view of the BLAS/OpenMP libraries loaded in *this* process
    (import numpy, torch, jax first to see theirs): library, kernel, threads."""
    try:
        import threadpoolctl
    except ImportError:
        return [{"error": "threadpoolctl not installed (pip install -e '.[bench]')"}]
    keep = ("internal_api", "architecture", "num_threads", "version", "prefix", "threading_layer")
    libs = threadpoolctl.threadpool_info()
    return [{k: d[k] for k in keep if d.get(k) is not None} for d in libs]


def machine_info(packages: Sequence[str] = ("numpy",)) -> dict[str, Any]:
    """What a result needs next to it: date, cores, CPU, versions, BLAS environment, load."""
    date = subprocess.run(["date"], capture_output=True, text=True).stdout.strip()
    return {
        "date": date,
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "versions": {p: _version(p) for p in ("gradcli", *packages)},
        "blas_env": {k: os.environ.get(k, "(unset)") for k in BLAS_ENV},
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def print_machine(info: dict[str, Any]) -> None:
    print("## Machine\n")
    print(f"- date: {info['date']}")
    print(f"- nproc: {info['nproc']}; CPU: {info['cpu']}; {info['platform']}")
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    print(f"- Python {info['python']}; {versions}")
    print("- BLAS environment: " + ", ".join(f"{k}={v}" for k, v in info["blas_env"].items()))
    if "blas" in info:
        for lib in info["blas"]:
            print(f"- loaded: {json.dumps(lib)}")
    for key in ("torch_config", "jax"):
        if key in info:
            print(f"- {key}: {info[key]}")
    print(f"- load average at start (1, 5, 15 min): {info['loadavg_1_5_15']}")
    print()


def find_gradcli() -> str:
    """The ``gradcli`` console script beside this interpreter (not a pyenv shim,
    which is a shell script that would add its own start-up to every run)."""
    beside = Path(sys.executable).with_name("gradcli")
    found = str(beside) if beside.exists() else shutil.which("gradcli")
    if found is None:
        raise SystemExit("gradcli is not installed (pip install -e .)")
    return found


def save_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=1, default=str) + "\n")
        print(f"(raw results written to {path})")
