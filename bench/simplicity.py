"""How close gradcli's printed results are to the textbook's: run by hand.

    python bench/simplicity.py                 # both sets
    python bench/simplicity.py --table         # the identity table (tests/identities.py)
    python bench/simplicity.py --acceptance    # ../shared/acceptance/cases.json
    python bench/simplicity.py --harder        # the harder inputs below (HARDER)

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
# The keys of a case passed on as declarations (assumptions included).
DECLARATIONS = (
    "scalar",
    "symmetric",
    "square",
    "simplex",
    "onehot",
    "orthogonal",
    "diagonal",
    "spd",
    "positive",
)

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
        options = {k: case[k] for k in DECLARATIONS if case.get(k)}
        yield Case(
            case["id"],
            case["cmd"],
            case["expr"],
            list(case["wrt"]),
            options,
            " ; ".join(ref) if isinstance(ref, list) else ref,
        )


# Harder inputs of the project's choosing: zeros, fractions, traces, Kronecker
# products, named functions, normalisations, Gaussian and GP likelihoods, and
# ML losses. The textbook form is written in gradcli's text language; a zero
# is ``zeros`` (``zeros zeros^T`` for a matrix), which text output must read
# back as. (label, command, expression, wrt, options, textbook)
HARDER: list[tuple[str, str, str, str, dict[str, Any], str]] = [
    ("zero: tanh vs sigmoid", "hessian", "sum(tanh(x)) - sum(2 sigmoid(2 x))", "x", {},
     "zeros zeros^T"),
    ("zero: softmax shift", "jacobian", "softmax(W x + t)", "t", {"scalar": "t"}, "zeros"),
    ("zero: det product", "grad", "det(A X) - det(A) det(X)", "X", {}, "zeros zeros^T"),
    ("zero: cyclic trace", "grad", "tr(A B X) - tr(X A B)", "X", {}, "zeros zeros^T"),
    ("zero: inner products", "grad", "x^T y - y^T x", "x", {}, "zeros"),
    ("fraction: 1/18", "grad", "1/18 * theta' * theta", "theta", {}, "theta / 9"),
    ("fraction: thirds", "grad", "x^T A x / 3", "x", {}, "(A + A^T) x / 3"),
    ("trace: logdet pencil", "grad", "logdet(A + t B)", "t", {"scalar": "t"},
     "tr((A + t B)^-1 B)"),
    ("trace: A X B", "grad", "tr(A X B)", "X", {}, "A^T B^T"),
    ("kron: least squares Hessian", "hessian", "||X V - Y||^2", "X", {}, "2 kron(V V^T, eye)"),
    ("kron: A X B", "jacobian", "A X B", "X", {}, "kron(B^T, A)"),
    ("kron: vec fold", "jacobian", "kron(B^T, A) vec(X) t", "t", {"scalar": "t"}, "vec(A X B)"),
    ("named: tanh", "grad", "sum(log(exp(x) + exp(-x)))", "x", {}, "tanh(x)"),
    ("named: softplus", "grad", "sum(log(1 + exp(x)))", "x", {}, "sigmoid(x)"),
    ("norm: Euclidean", "grad", "||x||", "x", {}, "x / ||x||"),
    ("norm: normalise", "jacobian", "x / ||x||", "x", {},
     "(eye - x x^T / ||x||^2) / ||x||"),
    ("Gaussian: mean", "grad", "-0.5 (x - m)^T S^-1 (x - m) - 0.5 logdet(S)", "m",
     {"symmetric": "S"}, "S^-1 (x - m)"),
    ("Gaussian: covariance", "grad", "-0.5 (x - m)^T S^-1 (x - m) - 0.5 logdet(S)", "S",
     {"symmetric": "S"}, "0.5 (S^-1 (x - m) (x - m)^T S^-1 - S^-1)"),
    ("GP: noise", "grad", "-0.5 y^T (K0 + t eye)^-1 y - 0.5 logdet(K0 + t eye)", "t",
     {"scalar": "t", "symmetric": "K0"},
     "0.5 (y^T (K0 + t eye)^-2 y - tr((K0 + t eye)^-1))"),
    ("ML: logsumexp loss", "grad", "logsumexp(W x) - y^T W x", "x", {},
     "W^T (softmax(W x) - y)"),
    ("ML: softplus loss", "grad", "sum(softplus(X w)) - y^T X w", "w", {},
     "X^T (sigmoid(X w) - y)"),
    ("ML: mean squared error", "grad", "mean((X w - y) .^ 2)", "w", {},
     "2 X^T (X w - y) / n"),
    ("ML: hinge", "grad", "sum(max(0, 1 - y .* (X w)))", "w", {},
     "-X^T (y .* step(1 - y .* (X w)))"),
    ("ML: logistic", "grad", "sum(log(1 + exp(-y .* (X w))))", "w", {},
     "-X^T (y .* sigmoid(-y .* (X w)))"),
    ("assume: cross-entropy, simplex y", "grad", "-y^T log(softmax(x))", "x",
     {"simplex": "y"}, "softmax(x) - y"),
    ("assume: cross-entropy, one-hot y", "grad", "-y^T log(softmax(W x))", "x",
     {"onehot": "y"}, "W^T (softmax(W x) - y)"),
    ("assume: det, square X", "grad", "det(X^T A X)", "X", {"square": "X"},
     "2 det(X^T A X) X^-T"),
    ("assume: orthogonal Q", "grad", "||Q x - b||^2", "x", {"orthogonal": "Q"},
     "2 (x - Q^T b)"),
    ("assume: positive x", "grad", "sum(abs(x))", "x", {"positive": "x"}, "ones"),
    ("assume: SPD S", "grad", "logdet(S)", "S", {"spd": "S"}, "S^-1"),
    ("ML: ridge", "grad", "||X w - y||^2 + lam w^T w", "w", {"scalar": "lam"},
     "2 X^T (X w - y) + 2 lam w"),
]  # fmt: skip
ZEROS = ("zeros", "zeros zeros^T", "zeros^T", "0")


def harder_cases() -> Iterator[Case]:
    for label, cmd, expr, wrt, options, textbook in HARDER:
        yield Case(label, cmd, expr, wrt.split(","), options, textbook)


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
    zeros = [m for m in measured if m.case.textbook in ZEROS]
    if zeros:
        printed = sum(m.text in ZEROS for m in zeros)
        print(f"identically zero results printed as zero: {printed} of {len(zeros)}")
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
    parser.add_argument("--harder", action="store_true", help="the harder inputs only")
    parser.add_argument("--cases", type=Path, default=ACCEPTANCE, help="acceptance cases.json")
    parser.add_argument("--worst", type=int, default=10, help="how many worst rows to show")
    args = parser.parse_args(argv)
    both = not (args.table or args.acceptance or args.harder)
    if args.table or both:
        report("identity table (tests/identities.py)", list(table_cases()), args.worst)
    if args.acceptance or both:
        report(f"acceptance cases ({args.cases})", list(acceptance_cases(args.cases)), args.worst)
    if args.harder or both:
        report("harder inputs (HARDER)", list(harder_cases()), args.worst)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
