"""No false alarms: every identity-table row, seeds 0..199, the check never fails.

Run by hand from the repository root: ``python bench/false_alarms.py [SEEDS]``.
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

rows = [p.values[0] for p in I.GRAD + I.JACOBIAN + I.HESSIAN]
seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
counts: collections.Counter[bool | None] = collections.Counter()
fails = []
t0 = time.time()
for row in rows:
    fn = getattr(gradcli, row.cmd)
    for seed in range(seeds):
        d = fn(row.expr, wrt=row.wrt, seed=seed, **dict(row.declarations))
        counts[d.check.passed] += 1
        if d.check.passed is False:
            fails.append((row.cmd, row.expr, row.wrt, seed, d.check.reason))
print(
    f"rows {len(rows)}, seeds {seeds}, checks {sum(counts.values())}: passed {counts[True]}, "
    f"failed {counts[False]}, not checked {counts[None]}; {time.time() - t0:.0f} s"
)
for fail in fails[:20]:
    print("FAIL", fail)
