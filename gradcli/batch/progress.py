"""The progress bar of ``gradcli batch``: on standard error, and only when it is a terminal.

Rich is imported only when the bar is shown, so a batch in a pipe never loads it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any


class Display:
    """Count, rate, time left and failures so far; does nothing when disabled."""

    def __init__(self, total: int | None = None, enabled: bool = True) -> None:
        self.total = total
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None
        self._started = time.perf_counter()

    @classmethod
    def for_stderr(cls, count: Callable[[str], int | None], path: str, enabled: bool) -> Display:
        """A display if standard error is a terminal (and ``enabled``), else a silent one;
        ``count(path)`` gives the total when a bar is shown."""
        isatty = getattr(sys.stderr, "isatty", None)
        if not (enabled and callable(isatty) and isatty()):
            return cls(enabled=False)
        return cls(count(path))

    def update(self, done: int, failed: int) -> None:
        """``done`` lines answered, ``failed`` of them not correct."""
        if not self.enabled:
            return
        if self._progress is None:
            self._start()
        rate = done / max(time.perf_counter() - self._started, 1e-9)
        self._progress.update(self._task, completed=done, failed=failed, rate=f"{rate:.0f}/s")

    def _start(self) -> None:
        # Started on the first answer, after the workers were forked: no thread of
        # Rich's is running when they are.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn() if self.total else TextColumn("{task.completed}"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]} not correct"),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("batch", total=self.total, failed=0, rate="")
        self._progress.start()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
