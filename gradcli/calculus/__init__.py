"""Derivatives: reverse mode for gradients, forward mode for Jacobians."""

from gradcli.calculus.drivers import Command, Layout, Target, derivative_results

__all__ = ["Command", "Layout", "Target", "derivative_results"]
