"""``gradcli batch``: requests streamed in, answered by worker processes, written in order.

Memory stays flat: the input is read one line at a time and at most
``INFLIGHT_PER_JOB * jobs`` chunks of ``CHUNK`` lines are in the workers' hands;
the oldest chunk is always written first, so the output keeps the input order.
Each line has its own time limit (``GRADCLI_TIMEOUT``, as for one command): a
slow line becomes an error object and the batch goes on. Ctrl-C stops the
workers; every line answered so far is already on standard output.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from gradcli.batch.progress import Display
from gradcli.batch.requests import BAD, CORRECT, INTERNAL, NOT_CHECKED, WRONG, answer, error_answer
from gradcli.batch.source import count_lines, open_input, read_lines
from gradcli.errors import LimitError
from gradcli.output.process import can_encode, json_ascii, time_limit, timeout_seconds, write

CHUNK = 8  # lines a worker answers per task: fewer round trips, still a smooth progress bar
INFLIGHT_PER_JOB = 4
INTERRUPTED = 130

Line = tuple[int, bytes]
Answer = tuple[str, str]


def answer_timed(line: int, raw: bytes) -> Answer:
    """``answer`` under the time limit of one command (``gradcli.output.process.time_limit``,
    ``GRADCLI_TIMEOUT``): a line that runs out of time gets a ``limit exceeded``
    error object, whatever it was doing when the alarm rang."""
    try:
        with time_limit():
            return answer(line, raw)
    except LimitError as err:
        return error_answer(line, raw, err), BAD


def _init_worker() -> None:
    """In each worker: Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def answer_chunk(chunk: list[Line]) -> list[Answer]:
    """The answers to a chunk of lines, in its order (run in a worker)."""
    return [answer_timed(line, raw) for line, raw in chunk]


class Tally:
    """Outcomes counted as they are written; the summary line and the exit status."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.started = time.perf_counter()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def failed(self) -> int:
        return self.total - self.counts[CORRECT] - self.counts[NOT_CHECKED]

    def status(self) -> int:
        """3 if a line hit a bug, else 2 if any was bad input, 1 if any check failed
        or claim was wrong, 0 otherwise (SPEC §6)."""
        for outcome, code in ((INTERNAL, 3), (BAD, 2), (WRONG, 1)):
            if self.counts[outcome]:
                return code
        return 0

    def summary(self) -> str:
        """``3000 requests: 2712 correct, 281 wrong, 7 bad input in 41 s``."""
        n = self.total
        parts = [f"{self.counts[CORRECT]} {CORRECT}"]
        parts += [
            f"{self.counts[o]} {o}" for o in (NOT_CHECKED, WRONG, BAD, INTERNAL) if self.counts[o]
        ]
        return f"{n} request{'' if n == 1 else 's'}: {', '.join(parts)} in {_seconds(self)}"


def _seconds(tally: Tally) -> str:
    elapsed = time.perf_counter() - tally.started
    return f"{elapsed:.1f} s" if elapsed < 10 else f"{elapsed:.0f} s"


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_batch(path: str = "-", jobs: int | None = None, quiet: bool = False) -> int:
    """Answer every request of ``path`` (``-``: standard input) on standard output;
    the exit status (0, 1, 2, 3; 130 after Ctrl-C). A failed write raises
    ``gradcli.output.process.OutputError``, for the CLI to end as every command does."""
    jobs = jobs or default_jobs()
    timeout_seconds(os.environ.get("GRADCLI_TIMEOUT"))  # a bad value stops the batch at once
    stream = open_input(path)
    tally = Tally()
    show = Display.for_stderr(count_lines, path, enabled=not quiet)
    # Standard input stays open: it is not ours to close (in-process callers reuse it).
    owned = contextlib.nullcontext(stream) if path == "-" else stream
    try:
        with owned:
            lines = read_lines(stream)
            emit = _writer(tally, show)
            if jobs == 1:
                _run_here(lines, emit)
            else:
                _run_pool(lines, jobs, emit)
    except KeyboardInterrupt:
        show.close()
        if not quiet:
            _stderr(f"interrupted: {tally.summary()}")
        return INTERRUPTED
    finally:
        show.close()
    if not quiet:
        _stderr(tally.summary())
    return tally.status()


def _writer(tally: Tally, show: Display) -> Callable[[list[Answer]], None]:
    def emit(answers: list[Answer]) -> None:
        text = "\n".join(text for text, _ in answers)
        # As --format json does: non-ASCII as \u escapes where the output cannot take it.
        write(text if can_encode(text) else json_ascii(text))
        tally.counts.update(outcome for _, outcome in answers)
        show.update(tally.total, tally.failed)

    return emit


def _run_here(lines: Iterable[Line], emit: Callable[[list[Answer]], None]) -> None:
    """``-j 1``: every line in this process, no workers to start."""
    _preload()  # so that importing NumPy is not charged to the first line's time limit
    for line, raw in lines:
        emit([answer_timed(line, raw)])


def _chunks(lines: Iterable[Line], size: int) -> Iterator[list[Line]]:
    it = iter(lines)
    while chunk := list(islice(it, size)):
        yield chunk


def _run_pool(lines: Iterable[Line], jobs: int, emit: Callable[[list[Answer]], None]) -> None:
    """Chunks to ``jobs`` worker processes, at most ``INFLIGHT_PER_JOB * jobs`` at once;
    answers written oldest first, as soon as they are in."""
    _preload()
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker)
    pending: deque[Future[list[Answer]]] = deque()
    try:
        for chunk in _chunks(lines, CHUNK):
            pending.append(pool.submit(answer_chunk, chunk))
            while pending and (len(pending) >= INFLIGHT_PER_JOB * jobs or pending[0].done()):
                emit(pending.popleft().result())
        while pending:
            emit(pending.popleft().result())
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now, whatever they are doing (Ctrl-C, a closed pipe)."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public handle on them
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.terminate()
    for p in processes:
        p.join(timeout=5)


def _context() -> Any:
    """``fork`` where there is one: the workers start with gradcli already imported."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _preload() -> None:
    """Import what the requests need once, before any line's time limit starts
    (and before the workers are forked, which then have it already)."""
    for module in ("gradcli.output.render", "gradcli.verification.verdict"):  # NumPy with it
        importlib.import_module(module)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
