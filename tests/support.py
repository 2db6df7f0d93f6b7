"""Running ``gradcli`` from the tests: one ``Run`` record, three ways to get one.

- ``run(capsys, *args)``: in-process through ``gradcli.cli.main`` (it owns the
  mapping from errors to exit status and always ends in ``sys.exit``), output
  captured by pytest; the invariants of SPEC §4 are asserted.
- ``invoke(argv, stdin)``: in-process without a pytest fixture (inside a
  Hypothesis test, or with text on standard input).
- ``subprocess_run(*args)``: a real ``python -m gradcli`` (never a bare
  ``gradcli``, which need not be on ``PATH``).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any

import pytest

from gradcli.cli import main

GRADCLI = [sys.executable, "-m", "gradcli"]


@dataclass(frozen=True)
class Run:
    """What one invocation produced."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def output(self) -> str:
        """Standard output, then standard error, as a terminal shows them."""
        return self.out + self.err

    def __iter__(self) -> Iterator[Any]:
        """``code, out, err = run(...)``."""
        return iter((self.code, self.out, self.err))


def exit_status(code: object) -> int:
    """The process exit status ``sys.exit(code)`` gives."""
    return code if isinstance(code, int) else (0 if code is None else 1)


def assert_well_behaved(r: Run) -> None:
    """Invariants of every invocation (SPEC §4)."""
    assert "Traceback" not in r.out + r.err, r.err
    assert r.code != 3, f"internal error (exit 3): {r.err}"
    if r.code == 2:
        assert r.err.strip(), "exit 2 without a message on stderr"
        assert r.out == "", "bad input must not print a result on stdout"
        assert len(r.err.splitlines()) < 25, r.err


def run(capsys: pytest.CaptureFixture[str], *args: str, checked: bool = True) -> Run:
    """``gradcli ARGS`` in-process; with ``checked``, the SPEC §4 invariants hold."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    r = Run(exit_status(exc.value.code), captured.out, captured.err)
    if checked:
        assert_well_behaved(r)
    return r


def run_raw(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Like ``run``, without asserting the invariants (for tests about broken ones)."""
    return run(capsys, *args, checked=False)


def invoke(argv: list[str], stdin: str | None = None) -> Run:
    """``gradcli.cli.main(argv)`` in-process, output captured, ``stdin`` (if given)
    as standard input; the invariants are not asserted (the caller decides)."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    code: object = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(argv)
            except SystemExit as done:
                code = done.code
    finally:
        sys.stdin = saved
    return Run(exit_status(code), out.getvalue(), err.getvalue())


def subprocess_run(
    *args: str,
    stdin: bytes = b"",
    env: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> Run:
    """A real ``python -m gradcli ARGS`` with stdout a pipe (not a terminal)."""
    proc = subprocess.run(
        [*GRADCLI, *args],
        input=stdin,
        capture_output=True,
        env=dict(env) if env is not None else None,
        timeout=timeout,
    )
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )
