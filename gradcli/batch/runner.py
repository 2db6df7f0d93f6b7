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
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from types import FrameType
from typing import Any

from gradcli.batch.progress import Display
from gradcli.batch.requests import BAD, CORRECT, INTERNAL, NOT_CHECKED, WRONG, answer
from gradcli.batch.source import count_lines, open_input, read_lines
from gradcli.errors import LimitError

CHUNK = 8  # lines a worker answers per task: fewer round trips, still a smooth progress bar
INFLIGHT_PER_JOB = 4
TIME_LIMIT = 60.0  # seconds, the default of GRADCLI_TIMEOUT (as gradcli.cli.TIME_LIMIT)
INTERRUPTED = 130

Line = tuple[int, bytes]
Answer = tuple[str, str]


def time_limit() -> float:
    """The limit per line in seconds: ``GRADCLI_TIMEOUT`` (default 60; 0 or less: none),
    read as the CLI reads it for one command."""
    try:
        return float(os.environ.get("GRADCLI_TIMEOUT", TIME_LIMIT))
    except ValueError:
        return TIME_LIMIT


def _expire(signum: int, frame: FrameType | None) -> None:
    seconds = time_limit()
    raise LimitError(
        f"gave up after {seconds:g} s (the time limit; set GRADCLI_TIMEOUT to change it)"
    )


def answer_timed(line: int, raw: bytes, seconds: float) -> Answer:
    """``answer`` under a time limit of ``seconds``: SIGALRM raises ``LimitError``
    inside the API call, which ``answer`` turns into this line's error object."""
    armed = seconds > 0 and hasattr(signal, "setitimer")
    try:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return answer(line, raw)
        finally:
            if armed:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except LimitError as err:  # the alarm rang outside the API call, at the very end
        from gradcli.batch.requests import error_json

        return _dumps({"line": line, **error_json(err)}), BAD


def _dumps(obj: dict[str, Any]) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


def _init_worker() -> None:
    """In each worker: Ctrl-C is the parent's to handle; SIGALRM ends a slow line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _expire)


def answer_chunk(chunk: list[Line], seconds: float) -> list[Answer]:
    """The answers to a chunk of lines, in its order (run in a worker)."""
    return [answer_timed(line, raw, seconds) for line, raw in chunk]


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
    the exit status (0, 1, 2, 3; 130 after Ctrl-C)."""
    jobs = jobs or default_jobs()
    seconds = time_limit()
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)  # the whole batch has no limit, each line has
    stream = open_input(path)
    tally = Tally()
    show = Display.for_stderr(count_lines, path, enabled=not quiet)
    # Standard input stays open: it is not ours to close (in-process callers reuse it).
    owned = contextlib.nullcontext(stream) if path == "-" else stream
    try:
        with owned:
            lines = read_lines(stream)
            write = _writer(tally, show)
            if jobs == 1:
                _run_here(lines, seconds, write)
            else:
                _run_pool(lines, jobs, seconds, write)
    except KeyboardInterrupt:
        show.close()
        if not quiet:
            _stderr(f"interrupted: {tally.summary()}")
        return INTERRUPTED
    except BrokenPipeError:
        _drop_stdout()
        return tally.status()
    show.close()
    if not quiet:
        _stderr(tally.summary())
    return tally.status()


def _writer(tally: Tally, show: Display) -> Callable[[list[Answer]], None]:
    def write(answers: list[Answer]) -> None:
        sys.stdout.write("".join(text + "\n" for text, _ in answers))
        sys.stdout.flush()
        tally.counts.update(outcome for _, outcome in answers)
        show.update(tally.total, tally.failed)

    return write


def _run_here(lines: Iterable[Line], seconds: float, write: Callable[[list[Answer]], None]) -> None:
    """``-j 1``: every line in this process, no workers to start."""
    _preload()  # so that importing NumPy is not charged to the first line's time limit
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _expire)
    for line, raw in lines:
        write([answer_timed(line, raw, seconds)])


def _chunks(lines: Iterable[Line], size: int) -> Iterator[list[Line]]:
    it = iter(lines)
    while chunk := list(islice(it, size)):
        yield chunk


def _run_pool(
    lines: Iterable[Line], jobs: int, seconds: float, write: Callable[[list[Answer]], None]
) -> None:
    """Chunks to ``jobs`` worker processes, at most ``INFLIGHT_PER_JOB * jobs`` at once;
    answers written oldest first, as soon as they are in."""
    _preload()
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker)
    pending: deque[Future[list[Answer]]] = deque()
    try:
        for chunk in _chunks(lines, CHUNK):
            pending.append(pool.submit(answer_chunk, chunk, seconds))
            while pending and (len(pending) >= INFLIGHT_PER_JOB * jobs or pending[0].done()):
                write(pending.popleft().result())
        while pending:
            write(pending.popleft().result())
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
    import gradcli.output
    import gradcli.verdict  # noqa: F401  (and NumPy with it)


def _drop_stdout() -> None:
    """The reader went away (``| head``): send whatever is left to nowhere."""
    with contextlib.suppress(OSError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
