"""Hints for names the language does not know, pointing at the real name.

People paste from matrixcalculus.org, MATLAB and NumPy, so a near-miss is
matched against the functions, the accepted spellings of other tools
(``tree.SUGAR``) and a table of foreign names (``FOREIGN``). Nearness is an
edit distance with transpositions, scaled to the length of the name, so
``epx`` finds ``exp`` while ``vector`` does not find ``vec`` and ``max``
does not find ``softmax``.
"""

from __future__ import annotations

from gradcli.syntax.tree import CONSTANTS, FUNCTIONS, SUGAR

# Every name that is a call: a primitive or a spelling rewritten onto one.
CALLABLE: frozenset[str] = FUNCTIONS | SUGAR

# Names of other tools that gradcli spells differently: the whole hint.
FOREIGN: dict[str, str] = {
    "trace": "did you mean tr?",
    "inverse": "did you mean inv?",
    "ln": "did you mean log? (log is the natural logarithm)",
    "transpose": "write x^T or x' for a transpose",
    "pow": "write a^b for a power, or x .^ t element-wise",
    "power": "write a^b for a power, or x .^ t element-wise",
    "square": "write x .^ 2 for the element-wise square",
    "dot": "write x^T y for the inner product",
    "inner": "write x^T y for the inner product",
    "outer": "write x y^T for the outer product",
    "matmul": "write A B, A * B or A @ B for a product",
    "logistic": "did you mean sigmoid?",
    "heaviside": "did you mean step?",
    "sgn": "did you mean sign?",
    "signum": "did you mean sign?",
    "diagonal": "did you mean diag?",
    "identity": "write eye for the identity matrix (its size comes from the context)",
    "zeros": "write 0 (a scalar broadcasts) or vector(0) for a vector of zeros",
    "max": "relu(u) is max(0, u) element-wise; gradcli has no other max",
    "min": "-relu(-u) is min(0, u) element-wise; gradcli has no other min",
    "frob": "write ||A||_F for the Frobenius norm",
}


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[len(b)]


def nearest_function(name: str) -> str | None:
    """The one known call nearest to ``name``: at most one edit away for a
    name of up to four letters, two for a longer one; ties go to the shorter."""
    limit = 1 if len(name) <= 4 else 2
    scored = sorted((edit_distance(name, f), len(f), f) for f in CALLABLE)
    best = [s for s in scored if s[0] <= limit]
    return best[0][2] if best else None


def unknown_function_hint(name: str) -> str:
    """The hint for ``name(`` when ``name`` is not a function."""
    lower = name.lower()
    if lower in CALLABLE and lower != name:
        return f"did you mean {lower}? (names of functions are lower case)"
    if name in FOREIGN:
        return FOREIGN[name]
    if lower in FOREIGN:
        return FOREIGN[lower] + " (names of functions are lower case)"
    close = nearest_function(name)
    if close is not None:
        return f"did you mean {close}?"
    if lower in CONSTANTS:
        return f"{lower} takes its size from the context: write {lower} alone"
    return (
        f"gradcli has no function {name} (see `gradcli help language`); "
        f"for a product, put a space: {name} (...)"
    )
