"""Cold start: how long one ``gradcli grad`` takes from the shell, next to ``import numpy``.

Run by hand (never in CI), from the repository root:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/cold_start.py

What it measures, all in one run so that the machine's noise hits every
contender alike:

1. Wall time of ``gradcli grad "x^T A x" --wrt x --format text`` (with its
   numerical check, the default) against ``python -c "import numpy"``, each run
   as a fresh process, ``--runs`` rounds (default 20), interleaved: every round
   runs every contender once, in a shuffled order. The target is
   ``median(gradcli) / median(numpy) <= 1.4``. Extra contenders (``--no-check``,
   ``import gradcli.cli`` alone, a bare interpreter) split the time up.
2. ``python -X importtime`` of the same gradcli run: the top importers.
3. That ``sympy`` is not imported by ``import gradcli.cli``, by the plain
   ``grad`` command, nor by ``gradcli.grad(...)`` through the API.

``--quick`` makes a smoke run (3 rounds, one importtime run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from typing import Any

from _common import (
    blas_info,
    find_gradcli,
    fmt_s,
    machine_info,
    md_table,
    median,
    print_machine,
    save_json,
)

TARGET_RATIO = 1.4  # issue 16 (was 1.6)
GRAD_ARGS = ["grad", "x^T A x", "--wrt", "x", "--format", "text"]
GRADCLI = "gradcli grad (checked)"
NUMPY = "python -c 'import numpy'"
HEAVY = ("sympy", "numpy", "scipy", "rich", "typer", "click", "pydantic", "pydantic_core")


def pyc_envs(prefix: str) -> tuple[dict[str, str], dict[str, str]]:
    """Two environments: as given, and with byte code cached under ``prefix``.

    This machine sets PYTHONDONTWRITEBYTECODE=1, so an editable gradcli is
    compiled from source on every run (no ``__pycache__`` is ever written),
    while numpy's ``.pyc`` files came with its install. A user's ``pip install``
    writes ``.pyc`` files, so the headline numbers use PYTHONPYCACHEPREFIX (a
    temporary folder: nothing is written into the source tree) for every
    contender alike; the warm-up run fills it."""
    as_is = dict(os.environ)
    cached = dict(os.environ)
    cached.pop("PYTHONDONTWRITEBYTECODE", None)
    cached["PYTHONPYCACHEPREFIX"] = prefix
    return as_is, cached


Contender = tuple[list[str], dict[str, str]]


def contenders(
    gradcli: str, extra: bool, as_is: dict[str, str], cached: dict[str, str], alt_typer: str | None
) -> dict[str, Contender]:
    """The commands timed, by label. The first two are the issue's; the rest explain."""
    py = sys.executable
    grad = [gradcli, *GRAD_ARGS]
    out: dict[str, Contender] = {
        GRADCLI: (grad, cached),
        NUMPY: ([py, "-c", "import numpy"], cached),
    }
    if extra:
        out["gradcli grad --no-check"] = ([*grad, "--no-check"], cached)
        out["python -c 'import gradcli.cli'"] = ([py, "-c", "import gradcli.cli"], cached)
        out["python -c 'import gradcli.launch'"] = ([py, "-c", "import gradcli.launch"], cached)
        out["python -c 'pass'"] = ([py, "-c", "pass"], cached)
        if "PYTHONDONTWRITEBYTECODE" in as_is:
            out["gradcli grad (checked), no .pyc (env as is)"] = (grad, as_is)
            out["python -c 'import numpy' (env as is)"] = ([py, "-c", "import numpy"], as_is)
    if alt_typer:
        env = dict(
            cached,
            PYTHONPATH=os.pathsep.join(filter(None, [alt_typer, os.environ.get("PYTHONPATH")])),
        )
        out[f"gradcli grad (checked), typer from {alt_typer}"] = (grad, env)
    return out


def run_once(cmd: list[str], env: dict[str, str]) -> float:
    """Wall time of one process, start to exit; its output is checked, not shown."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{cmd!r} failed ({proc.returncode}):\n{proc.stderr}")
    return dt


def time_interleaved(cmds: dict[str, Contender], runs: int, seed: int) -> dict[str, list[float]]:
    """``runs`` rounds; each round runs every command once, in a shuffled order."""
    rng = random.Random(seed)
    for cmd, env in cmds.values():  # warm the file-system and byte-code caches; not timed
        run_once(cmd, env)
        run_once(cmd, env)
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        order = list(cmds)
        rng.shuffle(order)
        for label in order:
            times[label].append(run_once(*cmds[label]))
    return times


def importtime(gradcli: str, runs: int, env: dict[str, str]) -> list[dict[str, Any]]:
    """``python -X importtime`` of the gradcli run, ``runs`` times; the median self
    and cumulative microseconds of each module, with its nesting depth."""
    self_us: dict[str, list[int]] = defaultdict(list)
    cum_us: dict[str, list[int]] = defaultdict(list)
    depth: dict[str, int] = {}
    for _ in range(runs):
        cmd = [sys.executable, "-X", "importtime", gradcli, *GRAD_ARGS]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        for line in proc.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_part, cum_part, name = line[len("import time:") :].split("|")
            mod = name.strip()
            depth[mod] = (len(name.rstrip()) - len(mod) - 1) // 2  # 2 spaces a level
            self_us[mod].append(int(self_part))
            cum_us[mod].append(int(cum_part))
    return [
        {"module": m, "depth": depth[m], "self_us": median(self_us[m]), "cum_us": median(cum_us[m])}
        for m in self_us
    ]


# One process that times the phases of a gradcli run in turn (perf_counter, no
# profiler overhead): each import is charged only for what it adds.
_PHASES = """
import sys, time, json
marks = [("start", time.perf_counter())]
def mark(label):
    marks.append((label, time.perf_counter()))
import numpy
mark("import numpy")
import gradcli.launch
mark("import gradcli.launch (the program: reading argv, no Typer)")
import gradcli.api
mark("import gradcli.api (parser, derivation, simplifier)")
import gradcli.numeric.check, gradcli.output.render
mark("import the check and the text renderer")
from gradcli.launch import main
try:
    main(list(ARGS))  # an argument list: SystemExit, not the program's os._exit
except SystemExit:
    pass
mark("run main(): derivation, check, output")
print("\\n@@" + json.dumps([(b[0], b[1] - a[1]) for a, b in zip(marks, marks[1:])]))
"""


def phases(runs: int, env: dict[str, str]) -> dict[str, float]:
    """The median seconds of each phase of a gradcli run, in one process."""
    code = _PHASES.replace("ARGS", repr(GRAD_ARGS))
    out: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        if proc.returncode != 0 or "@@" not in proc.stdout:
            raise SystemExit(f"phase probe failed:\n{proc.stdout}\n{proc.stderr}")
        inside = json.loads(proc.stdout.rsplit("@@", 1)[1])
        for label, dt in inside:
            out[label].append(dt)
        out["interpreter start-up and exit (process wall time - the above)"].append(
            wall - sum(dt for _, dt in inside)
        )
    return {k: median(v) for k, v in out.items()}


_PROBE = """
import json, sys
{setup}
mods = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print("\\n@@" + json.dumps(mods))
"""

PROBES = {
    "import gradcli.cli": "import gradcli.cli",
    # main() with an argument list raises SystemExit; without one it ends the
    # process with os._exit, and the probe could not report.
    "gradcli grad (CLI, in-process)": (
        f"from gradcli.cli import main\ntry:\n    main({GRAD_ARGS!r})\nexcept SystemExit:\n    pass"
    ),
    "gradcli grad --no-check (CLI, in-process)": (
        "from gradcli.cli import main\n"
        f"try:\n    main({[*GRAD_ARGS, '--no-check']!r})\nexcept SystemExit:\n    pass"
    ),
    "gradcli.grad(...) (API, checked)": (
        "import gradcli\nprint(gradcli.grad('x^T A x', wrt='x').text)"
    ),
}


def loaded_heavy_modules() -> dict[str, list[str]]:
    """Which heavy top-level packages each probe leaves in ``sys.modules``."""
    out = {}
    for label, setup in PROBES.items():
        code = _PROBE.format(setup=setup, heavy=HEAVY)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        marker = proc.stdout.rsplit("@@", 1)
        if proc.returncode != 0 or len(marker) != 2:
            raise SystemExit(f"probe {label!r} failed:\n{proc.stdout}\n{proc.stderr}")
        out[label] = json.loads(marker[1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=20, help="rounds of interleaved runs (20)")
    ap.add_argument("--importtime-runs", type=int, default=5, help="-X importtime runs (5)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 3 rounds, 1 importtime")
    ap.add_argument("--no-extra", action="store_true", help="time only the two issue contenders")
    ap.add_argument(
        "--alt-typer",
        metavar="DIR",
        help="also time gradcli with another typer put first on PYTHONPATH, e.g. after\n"
        "pip install --no-deps --target /tmp/typer028 typer==0.28.0",
    )
    ap.add_argument("--seed", type=int, default=0, help="seed of the shuffled order")
    ap.add_argument("--json", metavar="PATH", help="also write the raw results as JSON")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.importtime_runs = 3, 1

    gradcli = find_gradcli()
    info = machine_info(("numpy", "typer", "rich", "click", "pydantic", "sympy"))
    import numpy  # noqa: F401  (only to record which BLAS kernel numpy loads)

    info["blas"] = blas_info()
    info["gradcli_script"] = gradcli
    print("# Cold start\n")
    print(f"command: {' '.join(sys.argv)}  (gradcli = {gradcli})\n")
    print_machine(info)

    with tempfile.TemporaryDirectory(prefix="gradcli-bench-pyc-") as prefix:
        as_is, cached = pyc_envs(prefix)
        cmds = contenders(gradcli, not args.no_extra, as_is, cached, args.alt_typer)
        times = time_interleaved(cmds, args.runs, args.seed)
        mods = importtime(gradcli, args.importtime_runs, cached)
        phase = phases(max(args.importtime_runs, 3), cached)

    base = median(times[NUMPY])
    rows = []
    for label, ts in times.items():
        m = median(ts)
        rows.append([label, fmt_s(m), fmt_s(min(ts)), fmt_s(max(ts)), f"{m / base:.2f}"])
    print(f"## Wall time, {args.runs} interleaved rounds (byte code cached unless said)\n")
    print(md_table(["command", "median", "min", "max", "÷ import numpy"], rows))
    g, n = times[GRADCLI], times[NUMPY]
    ratio = median(g) / base
    paired = median(a / b for a, b in zip(g, n, strict=True))
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(
        f"\nratio of medians {ratio:.2f} (median of per-round ratios {paired:.2f}); "
        f"target <= {TARGET_RATIO}: {verdict}\n"
    )

    print("## Where the time goes: phases of one run, in one process (median)\n")
    print(md_table(["phase", "time"], [[k, fmt_s(v)] for k, v in phase.items()]))
    print(f"\ntotal (process wall time): {fmt_s(sum(phase.values()))}\n")

    top_level = sorted((m for m in mods if m["depth"] == 0), key=lambda m: -m["cum_us"])[:15]
    by_self = sorted(mods, key=lambda m: -m["self_us"])[:15]
    print(f"## python -X importtime, gradcli grad (median of {args.importtime_runs} runs)\n")
    print("Top-level imports by cumulative time:\n")
    print(
        md_table(
            ["module", "cumulative", "self"],
            [[m["module"], fmt_s(m["cum_us"] / 1e6), fmt_s(m["self_us"] / 1e6)] for m in top_level],
        )
    )
    print("\nModules by self time (any depth):\n")
    print(
        md_table(
            ["module", "depth", "self", "cumulative"],
            [
                [m["module"], m["depth"], fmt_s(m["self_us"] / 1e6), fmt_s(m["cum_us"] / 1e6)]
                for m in by_self
            ],
        )
    )
    total = sum(m["self_us"] for m in mods) / 1e6
    print(f"\nsum of self times (all imports, inflated by -X importtime): {fmt_s(total)}\n")

    heavy = loaded_heavy_modules()
    print("## Heavy packages in sys.modules afterwards\n")
    rows = [[k, ", ".join(v), "sympy" in v] for k, v in heavy.items()]
    print(md_table(["probe", "heavy packages loaded", "sympy?"], rows))
    sympy_free = not any("sympy" in v for v in heavy.values())
    print(f"\nsympy not imported: {'confirmed' if sympy_free else 'NO, sympy is imported'}")
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at end: {info['loadavg_end']}")
    save_json(
        args.json,
        {
            "machine": info,
            "times": times,
            "ratio": ratio,
            "paired_ratio": paired,
            "phases": phase,
            "importtime": mods,
            "heavy_modules": heavy,
        },
    )


if __name__ == "__main__":
    main()
