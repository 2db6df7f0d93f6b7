"""How close gradcli's printed results are to the textbook's: run by hand.

    python bench/simplicity.py                 # both sets
    python bench/simplicity.py --table         # the identity table (tests/identities.py)
    python bench/simplicity.py --acceptance    # ../shared/acceptance/cases.json

For every row the ratio is tokens(gradcli's ``text``) / tokens(textbook form):
1.0 is as short as the textbook, 2.0 twice as long. Tokens are counted as the
acceptance harness counts them (its small regex is copied here, the harness is
not imported). Prints the median and the worst rows with both texts; rows
gradcli refuses are listed apart, and a result whose numerical check did not
pass is flagged with ``!``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ACCEPTANCE = ROOT.parent / "shared" / "acceptance" / "cases.json"
SEED = 7  # as the acceptance harness and tests/test_identities.py

# Copied from shared/acceptance/run_suite.py (ntokens).
_TOK = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+|\.\*|\./|\.\^|\|\||\S")


def ntokens(s: str) -> int:
    s = s.replace("ᵀ", "^T").replace("'", "^T").replace("⁻¹", "^-1")
    return len([t for t in _TOK.findall(s) if t != ";"])


@dataclass
class Case:
    label: str
    cmd: str
    expr: str
    wrt: list[str]
    options: dict[str, Any]
    textbook: str


@dataclass
class Measured:
    case: Case
    text: str
    ratio: float
    checked: bool | None


def table_cases() -> Iterator[Case]:
    sys.path.insert(0, str(ROOT / "tests"))
    from identities import GRAD, HESSIAN, JACOBIAN  # tests/ is not a package

    for param in [*GRAD, *JACOBIAN, *HESSIAN]:
        row = param.values[0]
        yield Case(
            str(param.id),
            row.cmd,
            row.expr,
            row.wrt.split(","),
            dict(row.declarations),
            " ; ".join(row.expected_text.splitlines()),
        )


def acceptance_cases(path: Path) -> Iterator[Case]:
    for case in json.loads(path.read_text(encoding="utf-8")):
        ref = case["reference_text"]
        options = {k: case[k] for k in ("scalar", "symmetric") if case.get(k)}
        yield Case(
            case["id"],
            case["cmd"],
            case["expr"],
            list(case["wrt"]),
            options,
            " ; ".join(ref) if isinstance(ref, list) else ref,
        )


def measure(case: Case) -> Measured:
    import gradcli  # late, so --help is instant

    command = {"grad": gradcli.grad, "jacobian": gradcli.jacobian, "hessian": gradcli.hessian}
    d = command[case.cmd](case.expr, wrt=case.wrt, seed=SEED, **case.options)
    text = " ; ".join(r.text for r in d.results)
    checked = d.check.passed if d.check is not None else None
    return Measured(case, text, ntokens(text) / max(1, ntokens(case.textbook)), checked)


def report(title: str, cases: list[Case], worst: int) -> None:
    measured: list[Measured] = []
    failed: list[tuple[Case, str]] = []
    for case in cases:
        try:
            measured.append(measure(case))
        except Exception as err:  # a refusal is reported, not fatal
            failed.append((case, f"{type(err).__name__}: {str(err).splitlines()[0]}"))
    ratios = [m.ratio for m in measured]
    print(f"== {title}: {len(cases)} rows, {len(measured)} measured, {len(failed)} refused")
    if ratios:
        longer = sum(r > 1 for r in ratios)
        shorter = sum(r < 1 for r in ratios)
        print(
            f"median ratio {statistics.median(ratios):.3f}   mean {statistics.mean(ratios):.3f}"
            f"   max {max(ratios):.2f}   longer than textbook: {longer}, shorter: {shorter}"
        )
        checked = [m.ratio for m in measured if m.checked]
        if len(checked) != len(ratios):
            print(
                f"median over the {len(checked)} rows whose check passed: "
                f"{statistics.median(checked):.3f}"
            )
    print(f"worst {min(worst, len(measured))}:")
    for m in sorted(measured, key=lambda m: -m.ratio)[:worst]:
        flag = "" if m.checked else "  ! check " + ("not run" if m.checked is None else "FAILED")
        print(f"  {m.ratio:5.2f}  {m.case.label}{flag}")
        print(f"         gradcli : {m.text}")
        print(f"         textbook: {m.case.textbook}")
    for case, why in failed:
        print(f"  refused: {case.label}: {why}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true", help="the identity table only")
    parser.add_argument("--acceptance", action="store_true", help="the acceptance cases only")
    parser.add_argument("--cases", type=Path, default=ACCEPTANCE, help="acceptance cases.json")
    parser.add_argument("--worst", type=int, default=10, help="how many worst rows to show")
    args = parser.parse_args(argv)
    both = not (args.table or args.acceptance)
    if args.table or both:
        report("identity table (tests/identities.py)", list(table_cases()), args.worst)
    if args.acceptance or both:
        report(f"acceptance cases ({args.cases})", list(acceptance_cases(args.cases)), args.worst)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
