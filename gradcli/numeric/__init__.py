"""The numeric layer: evaluate expressions with NumPy, draw points inside
their domain, and check symbolic derivatives against finite differences."""

from gradcli.numeric.check import CheckResult, Mode, check_derivative, check_values
from gradcli.numeric.evaluate import evaluate, evaluate_many
from gradcli.numeric.sample import choose_sizes, domain_hints, random_direction, sample_point

__all__ = [
    "CheckResult",
    "Mode",
    "check_derivative",
    "check_values",
    "choose_sizes",
    "domain_hints",
    "evaluate",
    "evaluate_many",
    "random_direction",
    "sample_point",
]
