"""Hypothesis profiles.

- ``default``: what CI runs (about 100 examples per property, no deadline:
  a derivation with its numerical check takes tens of milliseconds, more for
  a large expression).
- ``long``: 5,000 examples per property, for a local hunt:
  ``HYPOTHESIS_PROFILE=long python -m pytest tests/test_random_expressions.py``.

The ``@pytest.mark.fuzz`` tests (``python -m pytest -m fuzz``) set their own,
larger example counts.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
