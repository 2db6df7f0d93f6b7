"""``gradcli batch``: many requests in one process (SPEC §6).

``run_batch(path, jobs, quiet)`` reads JSON Lines from ``path`` (``-`` for
standard input) and writes one JSON line per request, in input order; it
returns the exit status. ``answer(line, raw)`` answers a single line.
"""

from __future__ import annotations

from gradcli.batch.requests import answer
from gradcli.batch.runner import run_batch

__all__ = ["answer", "run_batch"]
