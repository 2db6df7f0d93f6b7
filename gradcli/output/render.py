"""Plain output formats: ``text``, ``latex``, ``numpy``, ``array-api`` and ``json`` (SPEC §3).

Each returns the whole of standard output as a string: one line per result
for the line formats, one JSON object for ``json``. ``pretty`` lives in
``gradcli.output.pretty`` (it needs Rich).
"""

from __future__ import annotations

import builtins
import json
import keyword
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gradcli.api import Derivation, Result
from gradcli.calculus.vocabulary import Command
from gradcli.errors import OptionError
from gradcli.ir.dims import Shape
from gradcli.ir.nodes import Expr, Var
from gradcli.output.formats import Format
from gradcli.printers import to_array_api, to_latex, to_numpy, to_text
from gradcli.printers.numpy import python_name
from gradcli.simplify.shared import gram_factors, name_shared

if TYPE_CHECKING:
    from gradcli.numeric.check import CheckResult
    from gradcli.verification.verdict import Verdict


def shape_list(shape: Shape) -> list[str]:
    """A NumPy-like shape with symbolic sizes: ``[]``, ``["n"]``, ``["n", "m"]``."""
    if shape.is_scalar:
        return []
    if shape.is_vector:
        return [str(shape.rows)]
    return [str(shape.rows), str(shape.cols)]


def _float(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return float(f"{x:.3g}")


def check_json(check: CheckResult | None) -> dict[str, Any]:
    if check is None:
        return {
            "passed": None,
            "skipped": True,
            "max_rel_error": None,
            "seed": None,
            "dims": {},
            "points": {"tried": 0, "informative": 0},
            "zero": False,
        }
    out: dict[str, Any] = {
        "passed": check.passed,
        "max_rel_error": _float(check.max_rel_error),
        "seed": check.seed,
        "dims": dict(check.dims),
        "points": {"tried": check.tried, "informative": check.informative},
        "zero": check.zero,
    }
    if check.reason:
        out["reason"] = check.reason
    return out


def variables_json(variables: dict[str, Var]) -> dict[str, Any]:
    out = {}
    for name, v in variables.items():
        entry: dict[str, Any] = {"kind": v.kind.value, "shape": shape_list(v.shape)}
        if v.symmetric:
            entry["symmetric"] = True
        if v.assume:
            entry["assume"] = sorted(v.assume)
        out[name] = entry
    return out


def _where_json(r: Result) -> list[dict[str, str]]:
    return [
        {
            "name": v.name,
            "text": to_text(e),
            "latex": to_latex(e),
            "numpy": to_numpy(e, r.dim_code),
            "array_api": to_array_api(e, r.dim_code, r.like),
        }
        for v, e in r.shared[1]
    ]


def to_json(d: Derivation, verdict: Verdict | None = None) -> str:
    """The ``--format json`` output: the JSON v1 object, indented."""
    return json.dumps(json_object(d, verdict), indent=2, ensure_ascii=False, allow_nan=False)


def json_object(d: Derivation, verdict: Verdict | None = None) -> dict[str, Any]:
    """The JSON v1 object (SPEC §3) of a derivation, or of a verdict on a claim."""
    obj: dict[str, Any] = {
        "version": 1,
        "command": "verify" if verdict else d.command.value,
        "input": {"source": d.source, "text": to_text(d.input), "shape": shape_list(d.input.shape)},
        "variables": variables_json(d.variables),
        "results": [
            {
                "wrt": r.wrt,
                "shape": r.shape_list,
                "layout": r.layout.value,
                "text": r.text if not r.expanded else to_text(r.expr),
                "latex": r.latex if not r.expanded else to_latex(r.expr),
                "numpy": r.numpy,
                "array_api": r.array_api,
                **({"where": _where_json(r)} if r.shared[1] else {}),
                **(
                    {
                        "expanded": {
                            "n": r.expanded.n,
                            "text": r.expanded.text,
                            "latex": r.expanded.latex,
                        }
                    }
                    if r.expanded
                    else {}
                ),
            }
            for r in d.results
        ],
        "check": check_json(d.check),
    }
    if d.notes:
        obj["notes"] = d.notes
    if d.steps:
        obj["steps"] = [
            {
                "wrt": s.wrt,
                "kind": s.kind,
                **({"heading": s.heading} if s.heading else {}),
                "steps": [
                    {
                        "of": to_text(st.target),
                        "value": to_text(st.value),
                        "rule": st.rule,
                        **({"label": st.label} if st.label else {}),
                    }
                    for st in s.steps
                ],
            }
            for s in d.steps
        ]
    if verdict is not None:
        obj.update(verdict.to_json())
    return finite_json(obj)


def finite_json(value: Any) -> Any:
    """``value`` with every non-finite number (``inf``, ``nan``) replaced by ``null``.

    JSON has no such numbers; ``Infinity`` and ``NaN`` break strict readers
    (docs/json.md). A NumPy scalar or array becomes plain numbers and lists."""
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if hasattr(value, "tolist"):
        return finite_json(value.tolist())
    if isinstance(value, float) or hasattr(value, "__float__"):
        try:
            x = float(value)
        except OverflowError:
            return None
        return x if math.isfinite(x) else None
    return value


def latex_label(command: Command, wrt: str) -> str:
    r"""``\nabla_{x} f``, ``\frac{\partial f}{\partial X}``, ``\nabla^{2}_{x} f``."""
    from gradcli.printers.latex import latex_name

    names = [latex_name(w) for w in wrt.split(",")]
    var = names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"
    if command is Command.GRAD:
        return rf"\nabla_{{{var}}} f"
    if command is Command.HESSIAN:
        return rf"\nabla^{{2}}_{{{var}}} f"
    return rf"\frac{{\partial f}}{{\partial {var}}}"


def display_latex(d: Derivation) -> str:
    r"""One display line per result: ``\[ \nabla_{x} f = ... \]``."""
    return "\n".join(rf"\[ {latex_label(d.command, r.wrt)} = {r.latex} \]" for r in d.results)


def _text(d: Derivation, display: bool) -> str:
    if not d.steps:
        return d.text
    from gradcli.output.steps import steps_text

    return "\n".join([*steps_text(d.steps), d.text])


def _latex(d: Derivation, display: bool) -> str:
    from gradcli.output.steps import steps_latex

    body = display_latex(d) if display else d.latex
    return (steps_latex(d.steps) + "\n" if d.steps else "") + body


# The line formats, one renderer each; ``pretty`` draws on a console instead
# (``gradcli.output.pretty.show``). A new format is an entry here.
RENDERERS: dict[Format, Callable[[Derivation, bool], str]] = {
    Format.TEXT: _text,
    Format.LATEX: _latex,
    Format.NUMPY: lambda d, display: d.numpy,
    Format.ARRAY_API: lambda d, display: d.array_api,
    Format.JSON: lambda d, display: to_json(d),
}


def render(d: Derivation, fmt: Format, display: bool = False) -> str:
    r"""Standard output for a line format (not ``pretty``); steps, if any, come first.
    With ``display``, LaTeX results are whole ``\[ ... = ... \]`` lines."""
    if fmt not in RENDERERS:
        raise ValueError(f"{fmt.value} is not a line format; output.pretty.show draws it")
    return RENDERERS[fmt](d, display)


def render_verdict(v: Verdict, fmt: Format) -> str:
    """``verify`` in a line format: the verdict first, then the evidence
    (``Verdict.lines``), or the JSON document."""
    if fmt is Format.JSON:
        return to_json(v.derivation, v)
    return v.lines(fmt)


def numpy_function(d: Derivation, name: str) -> str:
    """A complete Python function computing the results, each shared part once.

    Variables named like Python keywords (or ``np``) are renamed ``lambda_``;
    a size no variable fixes (the ``m`` of ``tr(X) eye``) is a keyword-only
    argument. ``name`` must not shadow anything the code uses: ``np``,
    ``xp``, a parameter, or a Python builtin."""
    code = d.results[0].dim_code if d.results else {}
    return _code_function(d, name, ["import numpy as np"], [], lambda e: to_numpy(e, code))


def array_api_function(d: Derivation, name: str) -> str:
    """``numpy_function`` written against the array API standard: the function
    takes ``xp`` from its arguments, so it runs on NumPy, PyTorch, JAX or CuPy
    arrays. A scalar argument may be a Python number: it is made a 0-D array
    of the dtype and device of the first array argument."""
    code = d.results[0].dim_code if d.results else {}
    like = d.results[0].like if d.results else None
    args = [python_name(v) for v in d.variables]
    scalars = [python_name(n) for n, v in d.variables.items() if v.shape.is_scalar]
    lines = [f"    xp = array_api_compat.array_namespace({', '.join(args)})"]
    for s in scalars:
        where = f", dtype={like}.dtype, device={like}.device" if like not in (None, s) else ""
        lines.append(f"    {s} = xp.asarray({s}{where})")
    return _code_function(
        d, name, ["import array_api_compat"], lines, lambda e: to_array_api(e, code, like)
    )


def _code_function(
    d: Derivation,
    name: str,
    imports: list[str],
    preamble: list[str],
    to_code: Callable[[Expr], str],
) -> str:
    """``def name(variables...)``: the imports, a docstring, ``preamble``, each
    shared part once (``to_code`` prints an expression), then ``return``."""
    args = [python_name(v) for v in d.variables]
    code = d.results[0].dim_code if d.results else {}
    sizes = [c for c in code.values() if c.isidentifier()]
    _check_function_name(name, [*args, *sizes])
    taken = set(args) | set(sizes) | set(d.variables) | {name, "np", "xp"}
    bodies, grams = gram_factors([r.expr for r in d.results], taken)
    named, where = name_shared(bodies + [e for _, e in grams], taken | {v.name for v, _ in grams})
    bodies = named[: len(bodies)]
    where += [(z, e) for (z, _), e in zip(grams, named[len(bodies) :], strict=True)]
    what = d.command.noun[0].upper() + d.command.noun[1:]
    wrt = ", ".join(r.wrt for r in d.results)
    lines = [
        *imports,
        "",
        "",
        f"def {name}({', '.join(args + (['*', *sizes] if sizes else []))}):",
        f'    """{what} of {to_text(d.input)} w.r.t. {wrt}; vectors are 1-D arrays."""',
        *preamble,
    ]
    lines += [f"    {v.name} = {to_code(e)}" for v, e in where]
    lines.append("    return " + ", ".join(to_code(b) for b in bodies))
    return "\n".join(lines)


def _check_function_name(name: str, parameters: list[str]) -> None:
    """Refuse a ``--function`` name that is not a name, or that shadows what the code uses."""
    if not name.isidentifier() or keyword.iskeyword(name) or not name.isascii():
        raise OptionError(f"--function {name!r} is not a Python function name")
    why = (
        "the NumPy module the code calls"
        if name == "np"
        else "the array namespace of array-API code"
        if name == "xp"
        else "a parameter of the function"
        if name in parameters
        else "a Python builtin"
        if name in dir(builtins)
        else None
    )
    if why is not None:
        raise OptionError(
            f"--function {name!r} would shadow {why}", hint="choose another name, e.g. gradient"
        )
