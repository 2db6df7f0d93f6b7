"""The process never breaks: time limit, broken and full outputs, encodings (docs/limits.md).

Each fault is met the way a user meets it, with a real ``python -m gradcli``
whose standard output is a closed pipe, ``/dev/full``, a closed descriptor or
an ASCII-only stream. The timer races run in-process, a few hundred times.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from support import GRADCLI

from gradcli.cli import main
from gradcli.output.process import EXIT_BROKEN_PIPE, EXIT_IO_ERROR, json_ascii, timeout_seconds


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GRADCLI_TIMEOUT"}
    env.update(extra)
    return env


def _run(
    args: list[str], env: dict[str, str] | None = None, stdout: object = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        GRADCLI + args,
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
    )


def _well_behaved(stderr: bytes) -> None:
    text = stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    assert "internal error" not in text, text
    assert "CHECK FAILED" not in text, text


# --------------------------------------------------------------------------- GRADCLI_TIMEOUT


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "-inf", "abc", "", "1e300", "0x10", "1,5"])
def test_a_bad_timeout_is_bad_input(value: str) -> None:
    r = _run(["grad", "x^T x", "--no-check"], env=_env(GRADCLI_TIMEOUT=value))
    _well_behaved(r.stderr)
    assert r.returncode == 2
    assert r.stdout == b""
    assert r.stderr.decode().startswith("option error: GRADCLI_TIMEOUT must be a number")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, 60.0), ("0", None), ("0.0", None), ("2.5", 2.5), (" 7 ", 7.0), ("1e-3", 1e-3)],
)
def test_good_timeouts(value: str | None, seconds: float | None) -> None:
    assert timeout_seconds(value) == seconds


def test_zero_turns_the_limit_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRADCLI_TIMEOUT", "0")
    with pytest.raises(SystemExit) as exc:
        main(["grad", "x^T x", "-f", "text", "--seed", "1"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == "2 x\n"


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_timer_races_never_print_a_partial_result(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tiny limit on many fast runs: each prints the whole result, or gives up cleanly."""
    rng = random.Random(11)
    expected = {"grad": "(A + A^T) x\n", "verify": "correct"}
    outcomes = {0: 0, 2: 0}
    for i in range(300):
        monkeypatch.setenv("GRADCLI_TIMEOUT", f"{rng.uniform(1e-5, 2e-2):.6f}")
        command = "grad" if i % 2 else "verify"
        args = (
            ["grad", "x^T A x", "--wrt", "x", "-f", "text", "--seed", str(i)]
            if command == "grad"
            else ["verify", "(A + A^T) x", "--of", "x^T A x", "--wrt", "x", "-f", "text"]
        )
        with pytest.raises(SystemExit) as exc:
            main(args)
        out, err = capsys.readouterr()
        assert exc.value.code in (0, 2), err
        outcomes[exc.value.code] += 1  # type: ignore[index]
        if exc.value.code == 0:
            assert out.startswith(expected[command]), out
            assert err == ""
        else:
            assert out == ""
            assert err.startswith("limit exceeded: gave up after"), err
    assert outcomes[0] > 0 and outcomes[2] > 0, outcomes


def test_timer_races_in_real_processes() -> None:
    """As a user runs it: status 0 with the whole result, or 2 with one line; nothing else."""
    rng = random.Random(7)
    for _ in range(12):
        value = f"{rng.uniform(0.002, 0.04):.4f}"  # around the time a derivation takes
        r = _run(["grad", "x^T A x", "--wrt", "x", "-f", "text"], env=_env(GRADCLI_TIMEOUT=value))
        if r.returncode == 0:
            assert (r.stdout, r.stderr) == (b"(A + A^T) x\n", b"")
        else:
            assert r.returncode == 2 and r.stdout == b""
            assert r.stderr.decode().startswith("limit exceeded: gave up after"), r.stderr
            assert len(r.stderr.splitlines()) == 1, r.stderr


# --------------------------------------------------------------------------- standard output


def test_a_reader_that_goes_away_ends_the_run_quietly() -> None:
    """``gradcli ... | true``: the pipe is closed before gradcli writes (SIGPIPE convention)."""
    read, write = os.pipe()
    os.close(read)
    try:
        r = subprocess.run(
            [*GRADCLI, "verify", "x", "--of", "x^T x", "--wrt", "x"],
            stdout=write,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(write)
    assert r.returncode == EXIT_BROKEN_PIPE
    assert r.stderr == b""


def test_head_reads_one_byte() -> None:
    """``gradcli ... | head -c 1``: head gets its byte; gradcli ends 0 or 141, never 1-3."""
    proc = subprocess.Popen(
        [*GRADCLI, "grad", "x^T A x", "--wrt", "x", "-f", "json", "--steps", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.read(1)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, EXIT_BROKEN_PIPE)
    assert first == b"{"
    _well_behaved(err)


def test_a_closed_stdout_is_an_io_error() -> None:
    r = subprocess.run(
        ["/bin/sh", "-c", 'exec "$0" -m gradcli grad "x^T x" >&-', sys.executable],
        capture_output=True,
        timeout=60,
    )
    _well_behaved(r.stderr)
    assert r.returncode == EXIT_IO_ERROR
    assert r.stderr.decode() == "error: cannot write the output: standard output is closed\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize(
    "args",
    [
        ["grad", "x^T x", "-f", "text"],
        ["grad", "x^T x", "-f", "pretty"],
        ["grad", "x^T x", "-f", "json"],
        ["verify", "2 x", "--of", "x^T x", "-f", "pretty"],
        ["verify", "x", "--of", "x^T x", "-f", "text"],
        ["grad", "x^T x", "-f", "numpy", "--function", "g"],
    ],
)
def test_a_full_disk_is_one_clear_line(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        r = _run(args, stdout=full)
    _well_behaved(r.stderr)
    assert r.returncode == EXIT_IO_ERROR
    assert r.stderr.decode() == "error: cannot write the output: No space left on device\n"


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["grad", "x^T A x", "--wrt", "x"], "grad_x f = (A + A^T) x\n"),
        (["hessian", "x^T A x", "--wrt", "x", "--expand", "2"], "[ A12 + A21      2*A22 ]"),
        (["jacobian", "A X B", "--wrt", "X", "--steps"], "df/dX = kron(B^T, A)\n"),
        (["verify", "2 A x", "--of", "x^T A x", "--wrt", "x"], "true grad_x f = (A + A^T) x\n"),
        (["grad", "log(det(X))", "--no-check"], "df/dX = X^-T\n  (n x n)\n"),
    ],
)
def test_pretty_falls_back_to_ascii(args: list[str], shown: str) -> None:
    r = _run([*args, "-f", "pretty", "--seed", "2"], env=_env(PYTHONIOENCODING="ascii"))
    _well_behaved(r.stderr)
    assert r.returncode in (0, 1)
    text = r.stdout.decode("ascii")  # strictly ASCII
    assert "?" not in text.replace("? not checked", "")
    assert text.startswith("f = ")
    # The expressions are in the text form, which reads back.
    assert shown in text


def test_json_in_ascii_is_the_same_object() -> None:
    args = ["grad", "xᵀ A x", "--wrt", "x", "-f", "json", "--seed", "4"]
    plain = _run(args, env=_env(PYTHONIOENCODING="utf-8"))
    ascii_only = _run(args, env=_env(PYTHONIOENCODING="ascii"))
    assert ascii_only.returncode == plain.returncode == 0
    ascii_only.stdout.decode("ascii")
    assert json.loads(ascii_only.stdout) == json.loads(plain.stdout)


@pytest.mark.parametrize("text", ['{"a": "xᵀ 𝟏"}', "[]", '{"s": "\\u00d7 ×"}'])
def test_json_ascii_keeps_the_value(text: str) -> None:
    escaped = json_ascii(text)
    assert escaped.isascii()
    assert json.loads(escaped) == json.loads(text)
