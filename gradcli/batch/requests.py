"""One batch request: a JSON line -> an API call -> one JSON response line (SPEC §6).

``answer(line, raw)`` never raises for bad input: a line that is not JSON, a
request with an unknown key or a bad value, and every ``GradcliError`` the API
raises become an error object for that line, with the CLI's message and caret
text. A response is the command's JSON v1 object (``output.json_object``, the
same one ``--format json`` prints) plus ``"line"`` and, when given, ``"id"``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from gradcli.batch.source import MAX_LINE, TOO_LONG
from gradcli.errors import GradcliError, LimitError, Span

COMMANDS = ("grad", "jacobian", "hessian", "verify")
DERIVE_KEYS = frozenset({"expand", "steps", "check"})
VERIFY_KEYS = frozenset({"claim", "jacobian", "hessian"})
COMMON_KEYS = frozenset({"command", "expr", "id", "layout", "seed", "wrt"})
BOOL_KEYS = frozenset({"steps", "check", "jacobian", "hessian"})
MAX_SEED = 2**32 - 1

# The outcome of one line, counted in the summary and mapped to the exit status.
CORRECT, NOT_CHECKED, WRONG, BAD, INTERNAL = (
    "correct",
    "not checked",
    "wrong",
    "bad input",
    "internal error",
)


class RequestError(GradcliError):
    """A line that is not a well-formed request (not JSON, unknown key, bad value)."""

    kind = "request error"


def answer(line: int, raw: bytes) -> tuple[str, str]:
    """The response line (JSON, no newline) to request ``raw`` on line ``line``,
    and the outcome (``CORRECT`` ... ``INTERNAL``)."""
    request: dict[str, Any] = {}
    try:
        loaded = load_json(raw)
        if isinstance(loaded, dict):
            request = loaded  # from here on, an error object echoes its "id"
        obj, outcome = run_request(check_request(loaded))
    except GradcliError as err:
        obj, outcome = error_json(err), BAD
    except (RecursionError, MemoryError) as err:
        limit = LimitError(f"the expression is too large to handle ({type(err).__name__})")
        obj, outcome = error_json(limit), BAD
    except Exception as err:
        obj = {"error": {"kind": "internal error", "message": f"{type(err).__name__}: {err}"}}
        outcome = INTERNAL
    head: dict[str, Any] = {"line": line}
    if "id" in request:
        head["id"] = request["id"]
    return _dumps({**head, **obj}), outcome


def error_answer(line: int, raw: bytes, err: GradcliError) -> str:
    """The error line for request ``raw``, with its ``id`` if it has one."""
    head: dict[str, Any] = {"line": line}
    try:
        request = load_json(raw)
    except GradcliError:
        request = None
    if isinstance(request, dict) and "id" in request:
        head["id"] = request["id"]
    return _dumps({**head, **error_json(err)})


def _dumps(obj: dict[str, Any]) -> str:
    """One response line: strict JSON (no NaN or infinity), as ``--format json`` writes."""
    from gradcli.output.render import finite_json

    return json.dumps(finite_json(obj), ensure_ascii=False, allow_nan=False)


def error_json(err: GradcliError) -> dict[str, Any]:
    """The error object: ``kind`` and ``message`` as the CLI says them, and
    ``text``, the whole of what the CLI prints (input line and carets included)."""
    return {"error": {"kind": err.kind, "message": err.message, "text": err.render()}}


def load_json(raw: bytes) -> Any:
    """The JSON value of one line."""
    if raw == TOO_LONG:
        raise LimitError(f"the line is longer than {MAX_LINE} bytes")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # a byte-order mark, as editors write
    except UnicodeDecodeError as err:
        raise RequestError(f"the line is not valid UTF-8 (byte {err.start})") from None
    try:
        request = json.loads(text)
    except json.JSONDecodeError as err:
        span = Span(err.pos, err.pos + 1)
        raise RequestError(f"not JSON: {err.msg}", span, source=text.rstrip()) from None
    return request


def check_request(request: Any) -> dict[str, Any]:
    """``request`` if it is a request object with known keys and values of the right types."""
    if not isinstance(request, dict):
        raise RequestError(f"a request is a JSON object, not {_json_kind(request)}")
    _check_keys(request)
    return request


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else "a number" if not isinstance(value, bool) else "a boolean"


@functools.cache
def declaration_keys(command: str) -> frozenset[str]:
    """The declarations ``command`` takes: the keyword-only parameters of the API
    function behind it that take names (``scalar``, ``symmetric``, ...). A
    declaration added to the API is thus a batch key too, spelled as in Python
    or as its CLI option (``a-name`` for ``a_name``)."""
    import inspect

    from gradcli.api import derive
    from gradcli.verification.verdict import verify

    params = inspect.signature(verify if command == "verify" else derive).parameters.values()
    return frozenset(p.name for p in params if p.kind is p.KEYWORD_ONLY and _takes_names(p))


def _takes_names(p: Any) -> bool:
    return p.annotation in ("Names", "Names | None") or str(p.annotation).endswith(".Names")


def _check_keys(request: dict[str, Any]) -> None:
    command = request.get("command")
    if command not in COMMANDS:
        shown = "missing" if command is None else json.dumps(command)
        raise RequestError(f"'command' is {shown}; it must be one of {', '.join(COMMANDS)}")
    names = declaration_keys(command) | {"wrt"}
    allowed = COMMON_KEYS | names | (VERIFY_KEYS if command == "verify" else DERIVE_KEYS)
    for key, value in request.items():
        if key.replace("-", "_") not in allowed:
            known = ", ".join(sorted(allowed))
            raise RequestError(f"unknown key {key!r} for {command} (known keys: {known})")
        if key.replace("-", "_") in names and not _names_value(value):
            raise RequestError(
                f"{key!r} must be a name, a comma-separated string or a list of names"
            )
        _check_value(key, value)
    for key in ("expr", "claim") if command == "verify" else ("expr",):
        if key not in request:
            raise RequestError(f"{command} needs {key!r}")


def _check_value(key: str, value: Any) -> None:
    if key in ("expr", "claim") and not isinstance(value, str):
        raise RequestError(f"{key!r} must be a string")
    if key in BOOL_KEYS and not isinstance(value, bool):
        raise RequestError(f"{key!r} must be true or false")
    if key == "layout" and value not in ("numerator", "denominator"):
        raise RequestError('\'layout\' must be "numerator" or "denominator"')
    if key in ("seed", "expand") and (isinstance(value, bool) or not isinstance(value, int)):
        raise RequestError(f"{key!r} must be an integer")
    if key == "seed" and not 0 <= value <= MAX_SEED:
        raise RequestError(f"'seed' must be between 0 and {MAX_SEED}")


def _names_value(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def run_request(request: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Run a checked request through the API; its JSON v1 object and outcome."""
    from gradcli.output.render import json_object

    declared = declaration_keys(request["command"])
    options: dict[str, Any] = {
        k.replace("-", "_"): v for k, v in request.items() if k.replace("-", "_") in declared
    }
    options.update({k: request[k] for k in ("layout", "seed") if k in request})
    if request["command"] == "verify":
        return _verify(request, options)
    from gradcli.api import derive
    from gradcli.calculus.drivers import Command

    for key in ("check", "expand", "steps"):
        if key in request:
            options[key] = request[key]
    d = derive(Command(request["command"]), request["expr"], request.get("wrt"), **options)
    if d.check is None or d.check.passed is None:
        outcome = NOT_CHECKED
    else:
        outcome = CORRECT if d.check.passed else WRONG
    return json_object(d), outcome


def _verify(request: dict[str, Any], options: dict[str, Any]) -> tuple[dict[str, Any], str]:
    from gradcli.calculus.drivers import Command
    from gradcli.output.render import json_object
    from gradcli.verification.verdict import verify

    jacobian, hessian = request.get("jacobian", False), request.get("hessian", False)
    if jacobian and hessian:
        raise RequestError("choose one of 'jacobian' and 'hessian'")
    command = Command.JACOBIAN if jacobian else Command.HESSIAN if hessian else Command.GRAD
    v = verify(request["claim"], request["expr"], request.get("wrt"), command=command, **options)
    return json_object(v.derivation, v), CORRECT if v.correct else WRONG
