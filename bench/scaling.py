"""Derivation scaling: the gradient of an L-layer network loss, gradcli against SymPy.

Run by hand (never in CI), from the repository root:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/scaling.py

The loss of an L-layer network,

    ||W_L tanh(W_{L-1} tanh(... tanh(W_1 x))) - y||^2      (names W1 .. WL),

is differentiated w.r.t. W1 for L = 1, 2, 4, ..., 64:

- by gradcli through its Python API, ``gradcli.grad(expr, wrt="W1", check=False)``
  and again with ``check=True``: wall time, and the size of the result (tokens
  of ``.text``, which names shared parts ``where h = ...`` when that is
  shorter, and ``gradcli.ir.nodes.size(result.expr)``, distinct nodes).
  Targets: time and size grow linearly in L; L = 64 under 1 s.
- by SymPy, ``MatrixSymbol.diff`` of the same loss built from MatrixSymbols
  (``tanh`` element-wise through ``applyfunc``): wall time, size of ``str``
  (tokens, distinct nodes), or the error it raises.

Every (tool, L) runs in a fresh process, capped by ``--timeout`` seconds (60):
gradcli's ``lru_cache``s are cleared before each timed call, SymPy's cache too,
so each timing is a first derivation, not a cache hit. ``--profile L`` (default
32; 0 to skip) then runs cProfile on the gradcli derivation at that L.
``--quick`` makes a smoke run (L up to 8, one repeat, no profile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import subprocess
import sys
import time
from typing import Any

from _common import fmt_s, machine_info, md_table, print_machine, save_json, tokens

LAYERS = [1, 2, 3, 4, 8, 16, 32, 64]  # 3: where SymPy starts to raise
TARGET_SECONDS_AT_64 = 1.0


def loss_text(layers: int) -> str:
    """``||W3 tanh(W2 tanh(W1 x)) - y||^2`` for 3 layers, in gradcli's language."""
    inner = "W1 x"
    for k in range(2, layers + 1):
        inner = f"W{k} tanh({inner})"
    return f"||{inner} - y||^2"


# ----------------------------------------------------------------- workers (child processes)


def _clear_gradcli_caches() -> None:
    """Empty every ``functools.lru_cache`` of gradcli's modules (simplifier memo)."""
    for name, mod in list(sys.modules.items()):
        if name.startswith("gradcli") and mod is not None:
            for obj in vars(mod).values():
                if callable(getattr(obj, "cache_clear", None)):
                    obj.cache_clear()


def work_gradcli(layers: int, repeats: int, check: bool, budget: float) -> dict[str, Any]:
    import gradcli
    from gradcli.ir.nodes import size

    gradcli.grad(loss_text(2), wrt="W1", check=check)  # imports, numpy, first-call costs
    expr = loss_text(layers)
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < repeats and (not times or time.perf_counter() - start < budget):
        _clear_gradcli_caches()
        t0 = time.perf_counter()
        d = gradcli.grad(expr, wrt="W1", check=check)
        times.append(time.perf_counter() - t0)
    result = d.results[0]
    t0 = time.perf_counter()
    text = result.text  # names shared parts on first use (cached_property)
    text_time = time.perf_counter() - t0
    out: dict[str, Any] = {
        "times": times,
        "text_time": text_time,
        "tokens": tokens(text),
        "chars": len(text),
        "nodes": size(result.expr),
        "where": " where " in text,
        "text_head": text[:160],
    }
    if d.check is not None:
        out["check"] = {"passed": d.check.passed, "max_rel_error": d.check.max_rel_error}
    return out


def work_sympy(layers: int, repeats: int, budget: float) -> dict[str, Any]:
    import sympy as sp
    from sympy.core.cache import clear_cache

    n = sp.Symbol("n", integer=True, positive=True)
    x, y = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("y", n, 1)
    ws = [sp.MatrixSymbol(f"W{k}", n, n) for k in range(1, layers + 1)]
    h = ws[0] * x
    for w in ws[1:]:
        h = w * h.applyfunc(sp.tanh)  # element-wise tanh: ElementwiseApplyFunction
    r = h - y
    loss = r.T * r  # ||r||^2 as a 1 x 1 matrix expression
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < repeats and (not times or time.perf_counter() - start < budget):
        clear_cache()
        t0 = time.perf_counter()
        d = loss.diff(ws[0])
        times.append(time.perf_counter() - t0)
    text = str(d)
    return {
        "times": times,
        "tokens": tokens(text),
        "chars": len(text),
        "nodes": len(set(sp.preorder_traversal(d))),
        "type": type(d).__name__,
        "text_head": text[:160],
    }


def worker(args: argparse.Namespace) -> None:
    """Run one (tool, L) measurement and print it as JSON on the last line."""
    budget = args.timeout / 3
    try:
        if args.worker == "sympy":
            out = work_sympy(args.layers, args.repeats, budget)
        else:
            out = work_gradcli(args.layers, args.repeats, args.worker == "gradcli-check", budget)
        out["status"] = "ok"
    except Exception as err:  # the error is the result (SymPy from L = 3)
        msg = str(err).splitlines()[0][:120] if str(err) else ""
        out = {"status": "error", "error": f"{type(err).__name__}: {msg}"}
    print("\n@@" + json.dumps(out))


# ----------------------------------------------------------------- parent


TOOLS = {
    "gradcli": "gradcli.grad(check=False)",
    "gradcli-check": "gradcli.grad(check=True)",
    "sympy": "SymPy MatrixSymbol.diff",
}


def measure(tool: str, layers: int, repeats: int, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", tool, "--layers", str(layers)]
    cmd += ["--repeats", str(repeats), "--timeout", str(timeout)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"no result within {timeout:g} s (killed)"}
    if "@@" not in proc.stdout:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1][:160]
        return {"status": "crash", "error": f"exit {proc.returncode}: {tail}"}
    return json.loads(proc.stdout.rsplit("@@", 1)[1])


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of log(y) against log(x): 1 is linear growth, 2 quadratic."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return float("nan")
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    num = sum((p[0] - mx) * (p[1] - my) for p in pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return num / den


def best(r: dict[str, Any]) -> float:
    return min(r["times"]) if r.get("status") == "ok" else float("nan")


def cell_time(r: dict[str, Any]) -> str:
    if r.get("status") != "ok":
        return r.get("error", r.get("status", "?"))
    return fmt_s(best(r)) + ("" if len(r["times"]) > 1 else " (1 run)")


def profile(layers: int, top: int) -> str:
    """cProfile of ``gradcli.grad(check=False)`` at ``layers``: top functions."""
    import gradcli

    gradcli.grad(loss_text(2), wrt="W1", check=False)
    _clear_gradcli_caches()
    prof = cProfile.Profile()
    prof.enable()
    gradcli.grad(loss_text(layers), wrt="W1", check=False)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats("gradcli", top)
    stats.sort_stats("tottime").print_stats(top)
    # Keep it readable: drop the absolute path prefix of the repository.
    return buf.getvalue().replace(os.path.dirname(os.path.dirname(__file__)) + "/", "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--layers-list", default=",".join(map(str, LAYERS)), help="L values")
    ap.add_argument("--repeats", type=int, default=3, help="timed calls per (tool, L) (3)")
    ap.add_argument("--timeout", type=float, default=60.0, help="cap per (tool, L), seconds")
    ap.add_argument("--profile", type=int, default=32, metavar="L", help="cProfile at L (0: no)")
    ap.add_argument("--quick", action="store_true", help="smoke run: L <= 8, 1 repeat")
    ap.add_argument("--json", metavar="PATH", help="also write the raw results as JSON")
    ap.add_argument("--worker", choices=list(TOOLS), help=argparse.SUPPRESS)
    ap.add_argument("--layers", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    layer_list = [int(v) for v in args.layers_list.split(",")]
    if args.quick:
        layer_list, args.repeats, args.profile = [v for v in layer_list if v <= 8], 1, 0

    info = machine_info(("numpy", "sympy"))
    print("# Derivation scaling\n")
    print(f"command: {' '.join(sys.argv)}\n")
    print_machine(info)

    results: dict[str, dict[int, dict[str, Any]]] = {t: {} for t in TOOLS}
    for layers in layer_list:
        for tool in TOOLS:
            r = measure(tool, layers, args.repeats, args.timeout)
            results[tool][layers] = r
            print(f"  L={layers:3d} {tool:14s} {cell_time(r)}", file=sys.stderr, flush=True)

    g, gc, sy = results["gradcli"], results["gradcli-check"], results["sympy"]
    rows = []
    for layers in layer_list:
        a, s = g[layers], sy[layers]
        rows.append(
            [
                layers,
                cell_time(a),
                cell_time(gc[layers]),
                fmt_s(a["text_time"]) if a.get("status") == "ok" else "–",
                a.get("tokens", "–"),
                a.get("nodes", "–"),
                "yes" if a.get("where") else "no",
                cell_time(s),
                s.get("tokens", "–"),
                s.get("nodes", "–"),
            ]
        )
    print(f"## Results (best of {args.repeats} timed calls, each in a fresh process)\n")
    header = [
        "L",
        "gradcli check=False",
        "gradcli check=True",
        ".text (naming shared parts)",
        "gradcli tokens",
        "gradcli nodes",
        "`where`",
        "SymPy diff",
        "SymPy tokens",
        "SymPy nodes",
    ]
    print(md_table(header, rows))

    ok = [v for v in layer_list if g[v].get("status") == "ok"]
    big = [v for v in ok if v >= 8]
    big = big if len(big) >= 2 else ok
    print("\n## Growth (log-log slope over L >= 8: 1 = linear, 2 = quadratic, 3 = cubic)\n")
    growth = {
        "gradcli time, check=False": [(v, best(g[v])) for v in big],
        "gradcli time, check=True": [(v, best(gc[v])) for v in big if gc[v].get("status") == "ok"],
        "gradcli tokens of .text": [(v, g[v]["tokens"]) for v in big],
        "gradcli nodes": [(v, g[v]["nodes"]) for v in big],
    }
    print(md_table(["quantity", "slope"], [[k, f"{slope(p):.2f}"] for k, p in growth.items()]))
    doubling = [
        [v, f"{best(g[v]) / best(g[v // 2]):.1f}x", f"{g[v]['tokens'] / g[v // 2]['tokens']:.2f}x"]
        for v in ok
        if v % 2 == 0 and v // 2 in ok
    ]
    print("\nOn each doubling of L:\n")
    print(md_table(["L", "time ÷ time at L/2", "tokens ÷ tokens at L/2"], doubling))
    if 64 in ok:
        t64 = best(g[64])
        verdict = "met" if t64 < TARGET_SECONDS_AT_64 else "MISSED"
        print(
            f"\nL = 64, check=False: {fmt_s(t64)}; target < {TARGET_SECONDS_AT_64:g} s: {verdict}"
        )
    lin = slope(growth["gradcli time, check=False"])
    print(
        f"time growth slope {lin:.2f}; target linear (about 1): {'met' if lin < 1.3 else 'MISSED'}"
    )

    print("\nSymPy result types and errors:\n")
    print(
        md_table(
            ["L", "SymPy"],
            [[v, sy[v].get("type") or sy[v].get("error", sy[v].get("status"))] for v in layer_list],
        )
    )

    prof_text = ""
    if args.profile:
        prof_text = profile(args.profile, 25)
        print(f"\n## cProfile of gradcli.grad(check=False) at L = {args.profile}\n")
        print("```\n" + prof_text.strip() + "\n```")
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\nload average at end: {info['loadavg_end']}")
    save_json(args.json, {"machine": info, "results": results, "profile": prof_text})


if __name__ == "__main__":
    main()
