"""``gradcli batch`` (SPEC §6): JSON Lines in, one JSON line out per request, in order.

Most tests run the program as a user does (``python -m gradcli batch``, standard
output a pipe), so that the worker processes, the exit status and standard
error are the real ones. Request checking is also tested in-process through
``gradcli.batch.answer``.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gradcli.batch import answer
from gradcli.batch.requests import declaration_keys
from gradcli.cli import main

GOOD = {"command": "grad", "expr": "x^T A x", "wrt": "x", "seed": 1}
WRONG = {"command": "verify", "claim": "2 A x", "expr": "x^T A x", "wrt": "x", "seed": 1}
BAD = {"command": "grad", "expr": "x^T A x +", "wrt": "x"}
# Several seconds of work, far more than the 1 s limit the time-limit test sets.
SLOW = {
    "command": "hessian",
    "expr": "sum(exp(sin(tanh(W1 tanh(W2 tanh(W3 tanh(W4 tanh(W5 x)))))))) + ||A x||^2",
    "wrt": "x",
    "expand": 6,
    "id": "slow",
}


@dataclass(frozen=True)
class Run:
    status: int
    lines: list[dict[str, Any]]
    stdout: str
    stderr: str


def run_batch(
    requests: list[Any] | str | None,
    *args: str,
    env: dict[str, str] | None = None,
    tmp_path: Path | None = None,
) -> Run:
    """``gradcli batch ARGS`` with ``requests`` (objects, or raw text) on standard
    input, or in a file when ``tmp_path`` is given."""
    text = requests if isinstance(requests, str) else _jsonl(requests or [])
    cmd = [sys.executable, "-m", "gradcli", "batch", *args]
    stdin = text
    if tmp_path is not None:
        path = tmp_path / "requests.jsonl"
        path.write_text(text, encoding="utf-8")
        cmd.append(str(path))
        stdin = ""
    proc = subprocess.run(
        cmd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    return Run(proc.returncode, lines, proc.stdout, proc.stderr)


def _jsonl(requests: list[Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in requests)


def cli_json(args: list[str]) -> tuple[int, str, str]:
    """One ``gradcli`` command in-process: status, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(args)
        except SystemExit as done:
            status = done.code if isinstance(done.code, int) else 1
    return status, out.getvalue(), err.getvalue()


def without_position(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("line", "id")}


# ----------------------------------------------------------------- order and ids


def test_output_keeps_the_input_order_with_two_workers() -> None:
    exprs = ["x^T A x", "||A x - b||^2", "sum(exp(x))", "x^T x", "sum(log(x))"]
    requests = [
        {"command": "grad", "expr": exprs[i % 5], "wrt": "x", "seed": i, "id": f"r{i}"}
        for i in range(40)
    ]
    run = run_batch(requests, "-j", "2", "-q")
    assert run.status == 0, run.stderr
    assert [r["line"] for r in run.lines] == list(range(1, 41))
    assert [r["id"] for r in run.lines] == [f"r{i}" for i in range(40)]
    assert [r["input"]["source"] for r in run.lines] == [exprs[i % 5] for i in range(40)]
    assert all(r["check"]["passed"] is True for r in run.lines)


@pytest.mark.parametrize("ident", ["a-7", 7, 2.5, None, {"student": 3, "q": [1, 2]}, [1, "x"]])
def test_any_json_id_is_echoed(ident: Any) -> None:
    text, outcome = answer(1, json.dumps({**GOOD, "id": ident}).encode())
    assert json.loads(text)["id"] == ident
    assert outcome == "correct"


def test_no_id_no_id_key_and_line_numbers_count_blank_lines() -> None:
    run = run_batch(json.dumps(GOOD) + "\n\n   \n" + json.dumps(GOOD) + "\n", "-q")
    assert [r["line"] for r in run.lines] == [1, 4]
    assert all("id" not in r for r in run.lines)


def test_an_error_object_echoes_the_id_of_a_bad_request() -> None:
    text, outcome = answer(5, json.dumps({**BAD, "id": "s12"}).encode())
    obj = json.loads(text)
    assert (obj["line"], obj["id"], outcome) == (5, "s12", "bad input")
    assert set(obj) == {"line", "id", "error"}


# ----------------------------------------------------------------- every command, same JSON


SINGLES = [
    (
        {"command": "grad", "expr": "||A x - b||^2", "wrt": "x", "seed": 4},
        ["grad", "||A x - b||^2", "--wrt", "x", "--seed", "4"],
        "2 A^T (A x - b)",
    ),
    (
        {"command": "jacobian", "expr": "sin(W x)", "wrt": "x", "seed": 5},
        ["jacobian", "sin(W x)", "--wrt", "x", "--seed", "5"],
        "diag(cos(W x)) W",
    ),
    (
        {"command": "hessian", "expr": "x^T A x", "wrt": ["x"], "seed": 6},
        ["hessian", "x^T A x", "--wrt", "x", "--seed", "6"],
        "A + A^T",
    ),
    (
        {"command": "grad", "expr": "tanh(a b)", "wrt": "a,b", "scalar": ["a", "b"], "seed": 7},
        ["grad", "tanh(a b)", "--wrt", "a,b", "--scalar", "a,b", "--seed", "7"],
        None,
    ),
    (
        {"command": "jacobian", "expr": "A x", "wrt": "x", "layout": "denominator", "seed": 8},
        ["jacobian", "A x", "--wrt", "x", "--layout", "denominator", "--seed", "8"],
        "A^T",
    ),
    (
        {"command": "grad", "expr": "tr(S X)", "wrt": "X", "symmetric": "S", "check": False},
        ["grad", "tr(S X)", "--wrt", "X", "--symmetric", "S", "--no-check"],
        None,
    ),
    (
        {"command": "verify", "claim": "(A + A^T) x", "expr": "x^T A x", "wrt": "x", "seed": 9},
        ["verify", "(A + A^T) x", "--of", "x^T A x", "--wrt", "x", "--seed", "9"],
        None,
    ),
    (
        {"command": "verify", "claim": "A", "expr": "A x + b", "wrt": "x", "jacobian": True},
        ["verify", "A", "--of", "A x + b", "--wrt", "x", "--jacobian"],
        None,
    ),
    (WRONG, ["verify", "2 A x", "--of", "x^T A x", "--wrt", "x", "--seed", "1"], None),
]


def test_every_command_gives_the_same_json_as_the_single_command() -> None:
    """One batch (two workers) against each command run alone with ``--format json``."""
    run = run_batch([req for req, _, _ in SINGLES], "-j", "2", "-q")
    assert len(run.lines) == len(SINGLES)
    for got, (req, args, text) in zip(run.lines, SINGLES, strict=True):
        status, out, _ = cli_json([*args, "--format", "json"])
        single = json.loads(out)
        if "seed" not in req and req["command"] == "verify":
            # Unseeded: the verdict is the same, the random point is not.
            assert got["verdict"] == single["verdict"] == "correct"
            continue
        assert without_position(got) == single, req
        if text is not None:
            assert got["results"][0]["text"] == text
        if req.get("check", True):  # checked numerically, not only printed
            assert got["check"]["passed"] is (req is not WRONG)


def test_one_and_two_workers_write_the_same_lines() -> None:
    requests = [req for req, _, _ in SINGLES if "seed" in req] + [BAD, GOOD]
    one, two = run_batch(requests, "-j", "1", "-q"), run_batch(requests, "-j", "2", "-q")
    assert one.stdout == two.stdout
    assert one.status == two.status == 2


# ----------------------------------------------------------------- bad lines


def test_a_bad_line_among_good_ones_is_an_error_object_and_the_batch_goes_on() -> None:
    run = run_batch([GOOD, BAD, GOOD], "-j", "2")
    assert run.status == 2
    assert [r["line"] for r in run.lines] == [1, 2, 3]
    assert run.lines[0]["check"]["passed"] is True and run.lines[2]["check"]["passed"] is True
    error = run.lines[1]["error"]
    status, _, cli_err = cli_json(["grad", BAD["expr"], "--wrt", "x"])
    assert status == 2
    assert error["text"] == cli_err.rstrip("\n")  # the CLI's message, input line and caret
    assert error["kind"] == "syntax error"
    assert error["text"].splitlines()[-1].strip() == "^"
    assert (
        run.stderr.strip()
        == "3 requests: 2 correct, 1 bad input in " + run.stderr.split(" in ")[-1].strip()
    )


BAD_REQUESTS = [
    ("not json at all", "request error", "not JSON"),
    ('{"command": "grad", "expr": "x",}', "request error", "not JSON"),
    ("[1, 2]", "request error", "a JSON object, not an array"),
    ('"grad x"', "request error", "a JSON object, not a string"),
    ('{"expr": "x"}', "request error", "'command' is missing"),
    ('{"command": "gradient", "expr": "x"}', "request error", "one of grad, jacobian"),
    ('{"command": "grad"}', "request error", "grad needs 'expr'"),
    ('{"command": "verify", "expr": "x^T x"}', "request error", "verify needs 'claim'"),
    ('{"command": "grad", "expr": "x", "colour": 1}', "request error", "unknown key 'colour'"),
    (
        '{"command": "verify", "expr": "x", "claim": "x", "check": false}',
        "request error",
        "'check'",
    ),
    ('{"command": "grad", "expr": 3}', "request error", "'expr' must be a string"),
    ('{"command": "grad", "expr": "x", "wrt": 1}', "request error", "'wrt' must be a name"),
    ('{"command": "grad", "expr": "x", "check": "no"}', "request error", "true or false"),
    ('{"command": "grad", "expr": "x", "seed": -1}', "request error", "'seed' must be between"),
    ('{"command": "grad", "expr": "x", "seed": 1.5}', "request error", "an integer"),
    ('{"command": "jacobian", "expr": "x", "layout": "up"}', "request error", "numerator"),
    (
        '{"command": "verify", "expr": "x", "claim": "x", "jacobian": true, "hessian": true}',
        "request error",
        "choose one",
    ),
    ('{"command": "grad", "expr": "foo(x)"}', "syntax error", "unknown function 'foo'"),
    ('{"command": "grad", "expr": "A x", "wrt": "x"}', "shape error", "scalar"),
    ('{"command": "grad", "expr": "x^T A x", "wrt": "z y"}', "option error", "--wrt"),
    (b"\xff\xfe", "request error", "not valid UTF-8"),
]


@pytest.mark.parametrize(("raw", "kind", "words"), BAD_REQUESTS)
def test_bad_request_is_an_error_object(raw: str | bytes, kind: str, words: str) -> None:
    data = raw if isinstance(raw, bytes) else raw.encode()
    text, outcome = answer(3, data)
    obj = json.loads(text)
    assert outcome == "bad input"
    assert obj["line"] == 3
    assert obj["error"]["kind"] == kind
    assert words in obj["error"]["message"]
    assert obj["error"]["text"].startswith(f"{kind}: {obj['error']['message']}")


@pytest.mark.parametrize("raw", [b"\xef\xbb\xbf", b"", b"  "])
@pytest.mark.parametrize("end", [b"\n", b"\r\n", b""])
def test_byte_order_mark_blanks_and_line_ends_are_allowed(raw: bytes, end: bytes) -> None:
    text, outcome = answer(1, raw + json.dumps(GOOD).encode() + end)
    assert (json.loads(text)["results"][0]["text"], outcome) == ("(A + A^T) x", "correct")


@pytest.mark.parametrize("command", ["grad", "jacobian", "hessian", "verify"])
def test_every_declaration_of_the_api_is_a_batch_key(command: str) -> None:
    """Declarations are read off the API's signature, so a new one needs no batch code."""
    import inspect

    from gradcli.api import derive
    from gradcli.verification.verdict import verify

    api = verify if command == "verify" else derive
    params = inspect.signature(api).parameters.values()
    takes_names = {
        p.name for p in params if p.kind is p.KEYWORD_ONLY and "Names" in str(p.annotation)
    }
    assert {"scalar", "vector", "matrix", "symmetric"} <= takes_names
    assert declaration_keys(command) == takes_names


@pytest.mark.parametrize("spelling", ["symmetric", ["S"], "S,"])
def test_a_declaration_is_used(spelling: Any) -> None:
    """``symmetric`` given as a key changes the result as the CLI option does."""
    value = "S" if spelling == "symmetric" else spelling
    request = {"command": "grad", "expr": "x^T S x", "wrt": "x", "symmetric": value, "seed": 2}
    text, outcome = answer(1, json.dumps(request).encode())
    obj = json.loads(text)
    assert (obj["results"][0]["text"], outcome) == ("2 S x", "correct")
    assert obj["variables"]["S"]["symmetric"] is True and obj["check"]["passed"] is True


def test_not_json_points_at_the_fault() -> None:
    text, _ = answer(1, b'{"command": "grad" "expr": "x"}')
    lines = json.loads(text)["error"]["text"].splitlines()
    assert lines[1] == '  {"command": "grad" "expr": "x"}'
    assert lines[2].index("^") == lines[1].index('"expr"')


def test_a_line_longer_than_the_limit_is_an_error_and_the_next_line_is_read() -> None:
    huge = json.dumps({"command": "grad", "expr": "x^T x" + " + x^T x" * 20_000})
    run = run_batch(huge + "\n" + json.dumps(GOOD) + "\n", "-q")
    assert run.status == 2
    assert run.lines[0]["error"]["kind"] == "limit exceeded"
    assert (run.lines[1]["line"], run.lines[1]["check"]["passed"]) == (2, True)


# ----------------------------------------------------------------- exit status


@pytest.mark.parametrize(
    ("requests", "status"),
    [
        ([GOOD, GOOD], 0),
        ([GOOD, {**GOOD, "check": False}], 0),
        ([GOOD, WRONG], 1),
        ([GOOD, BAD], 2),
        ([WRONG, BAD, GOOD], 2),
        ([], 0),
    ],
)
def test_exit_status(requests: list[dict[str, Any]], status: int) -> None:
    run = run_batch(requests, "-j", "2", "-q")
    assert run.status == status
    assert len(run.lines) == len(requests)


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gradcli", "batch", str(tmp_path / "nope.jsonl")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "cannot read" in proc.stderr and "Traceback" not in proc.stderr


# ----------------------------------------------------------------- input forms


def test_empty_file(tmp_path: Path) -> None:
    run = run_batch("", tmp_path=tmp_path)
    assert (run.status, run.stdout) == (0, "")
    assert run.stderr.startswith("0 requests: 0 correct in ")


def test_file_without_a_final_newline(tmp_path: Path) -> None:
    run = run_batch(json.dumps(GOOD) + "\n" + json.dumps(WRONG), "-q", tmp_path=tmp_path)
    assert run.status == 1
    assert [r["line"] for r in run.lines] == [1, 2]
    assert run.lines[1]["verdict"] == "wrong"


@pytest.mark.parametrize("args", [[], ["-"]])
def test_standard_input(args: list[str]) -> None:
    run = run_batch([GOOD, {**GOOD, "id": "b"}], *args, "-q")
    assert run.status == 0
    assert [r.get("id") for r in run.lines] == [None, "b"]
    assert run.lines[0]["results"][0]["text"] == "(A + A^T) x"


def test_no_ansi_codes_and_one_summary_line_in_a_pipe() -> None:
    run = run_batch([GOOD, WRONG, BAD], "-j", "2", env={"FORCE_COLOR": "", "TERM": "xterm"})
    assert "\x1b" not in run.stdout and "\x1b" not in run.stderr
    assert len(run.stderr.splitlines()) == 1
    assert run.stderr.startswith("3 requests: 1 correct, 1 wrong, 1 bad input in ")
    assert all(len(line) > 2 and "\n" not in line for line in run.stdout.splitlines())


# ----------------------------------------------------------------- time limit and Ctrl-C


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_slow_line_hits_the_time_limit_and_the_batch_goes_on(jobs: str) -> None:
    t0 = time.monotonic()
    run = run_batch([GOOD, SLOW, GOOD], "-j", jobs, "-q", env={"GRADCLI_TIMEOUT": "1"})
    assert time.monotonic() - t0 < 60
    assert run.status == 2
    assert [r["line"] for r in run.lines] == [1, 2, 3]
    slow = run.lines[1]
    assert slow["id"] == "slow"
    assert slow["error"]["kind"] == "limit exceeded"
    assert "gave up after 1 s" in slow["error"]["message"]
    assert run.lines[0]["check"]["passed"] is True and run.lines[2]["check"]["passed"] is True


@pytest.mark.parametrize("value", ["soon", "-1", "inf"])
def test_a_bad_time_limit_stops_the_batch_before_any_line(value: str) -> None:
    run = run_batch([GOOD], "-q", env={"GRADCLI_TIMEOUT": value})
    assert (run.status, run.stdout) == (2, "")
    assert "GRADCLI_TIMEOUT must be a number of seconds" in run.stderr


def test_a_reader_that_goes_away_ends_the_batch_quietly(tmp_path: Path) -> None:
    """As for one command (docs/limits.md): status 141, nothing on standard error."""
    path = tmp_path / "many.jsonl"
    path.write_text(_jsonl([{**GOOD, "check": False, "id": i} for i in range(3000)]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gradcli", "batch", "-j", "2", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(1) == b"{"
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert err == b""


def test_ctrl_c_keeps_the_lines_already_answered(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text(_jsonl([{**GOOD, "seed": i, "id": i} for i in range(20_000)]))
    out = tmp_path / "out.jsonl"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gradcli", "batch", "-j", "2", str(path)],
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while out.stat().st_size == 0 and time.monotonic() < deadline:  # some lines answered
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert 0 < len(lines) < 20_000
    assert [r["id"] for r in lines] == list(range(len(lines)))
    assert err.startswith(f"interrupted: {len(lines)} requests: {len(lines)} correct in ")


# ----------------------------------------------------------------- progress bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "quiet", "shown"),
    [(_Terminal, False, True), (io.StringIO, False, False), (_Terminal, True, False)],
)
def test_progress_bar_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, stream: type[io.StringIO], quiet: bool, shown: bool
) -> None:
    from gradcli.batch.progress import Display

    err = stream()
    monkeypatch.setattr(sys, "stderr", err)
    show = Display.for_stderr(lambda path: 10, "requests.jsonl", enabled=not quiet)
    show.update(3, 1)
    show.close()
    text = err.getvalue()
    if shown:
        assert "3/10" in text and "1 not correct" in text and "/s" in text
    else:
        assert text == ""
