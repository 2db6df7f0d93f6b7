"""gradcli: matrix calculus on the command line and in Python.

    >>> import gradcli
    >>> gradcli.grad("x^T A x", wrt="x").text
    '(A + A^T) x'

The API (``grad``, ``jacobian``, ``hessian``, ``verify``, ``derive``) is
imported on first use, so that ``import gradcli.cli`` stays light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "Derivation": "gradcli.api",
    "Result": "gradcli.api",
    "derive": "gradcli.api",
    "grad": "gradcli.api",
    "jacobian": "gradcli.api",
    "hessian": "gradcli.api",
    "verify": "gradcli.verification.verdict",
    "Verdict": "gradcli.verification.verdict",
    "GradcliError": "gradcli.errors",
}


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'gradcli' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext gradcli``: the ``%grad``, ``%jacobian``, ``%hessian`` and
    ``%verify`` magics (``gradcli.notebook``, imported only here)."""
    from gradcli.notebook import load

    load(ipython)


__all__ = ["__version__", "load_ipython_extension", *_API]
