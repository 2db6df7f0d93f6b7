"""Derivatives: reverse mode for gradients, forward mode for Jacobians.

Importing the package loads only its vocabulary (``Command``, ``Layout``);
``derivative_results`` and ``Target`` load the engine on first use.
"""

from typing import Any

from gradcli.calculus.vocabulary import Command, Layout


def __getattr__(name: str) -> Any:
    if name in ("Target", "derivative_results"):
        from gradcli.calculus import drivers

        return getattr(drivers, name)
    raise AttributeError(f"module 'gradcli.calculus' has no attribute {name!r}")


__all__ = ["Command", "Layout", "Target", "derivative_results"]
