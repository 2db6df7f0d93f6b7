"""No false alarms: every identity-table row, seeds 0..N-1, the check never fails.

Each row is also checked scaled (``1e-7 (f)``, ``1e7 (f)``) and offset
(``(f) + 1e7``): the decision rule is scale- and offset-invariant, so these
must pass exactly as the plain row does. Negative values, ``det < 0`` and
indefinite symmetric matrices are drawn by the check itself (its mirror and
free points). "not checked" is counted and listed too: it is honest, but a
row that a textbook differentiates should be checked.

Run by hand from the repository root:
``python bench/false_alarms.py [SEEDS] [plain,scaled-down,scaled-up,offset]``.
"""

import collections
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import identities as I  # noqa: E402

import gradcli  # noqa: E402

VARIANTS = {
    "plain": "{}",
    "scaled-down": "1e-7 ({})",
    "scaled-up": "1e7 ({})",
    "offset": "({}) + 1e7",
}

rows = [p.values[0] for p in I.GRAD + I.JACOBIAN + I.HESSIAN]
seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
chosen = sys.argv[2].split(",") if len(sys.argv) > 2 else list(VARIANTS)
counts: collections.Counter[tuple[str, bool | None]] = collections.Counter()
fails = []
unchecked = []
t0 = time.time()
for variant in chosen:
    for row in rows:
        fn = getattr(gradcli, row.cmd)
        expr = VARIANTS[variant].format(row.expr)
        for seed in range(seeds):
            d = fn(expr, wrt=row.wrt, seed=seed, **dict(row.declarations))
            counts[variant, d.check.passed] += 1
            if d.check.passed is False:
                fails.append((variant, row.cmd, expr, row.wrt, seed, d.check.reason))
            elif d.check.passed is None:
                unchecked.append((variant, row.cmd, expr, row.wrt, seed, d.check.reason))
total = sum(counts.values())
print(f"rows {len(rows)}, seeds {seeds}, variants {','.join(chosen)}: {total} checks")
for variant in chosen:
    print(
        f"  {variant:12} passed {counts[variant, True]}, failed {counts[variant, False]}, "
        f"not checked {counts[variant, None]}"
    )
print(f"{time.time() - t0:.0f} s")
for fail in fails[:20]:
    print("FAIL", fail)
for item in unchecked[:20]:
    print("NOT CHECKED", item)
