"""The documentation cannot drift from the program.

- Every ```` ```console ```` example in ``README.md`` and ``docs/*.md`` is run
  again and its output must be what the page shows.
- The ``--format json`` output of a set of commands validates against
  ``docs/json-schema.json`` (with a small validator for the subset of JSON
  Schema that file uses: no dependency).
- Every expression in an ``example`` column of ``docs/language.md``'s tables
  parses and type-checks; in the precedence table, each ``expression`` parses
  to the same syntax tree as its ``reads as`` column.

Commands run in-process through ``gradcli.cli.main``, exactly as the
``gradcli`` script does, with standard output not a terminal: the default
format is then ``text``. A command whose output starts with ``f = `` is shown
as on a terminal and runs with ``-f pretty``. Without ``--seed``, ``pretty``
and ``json`` output and ``verify`` depend on the random check: such commands
run (their exit status counts for ``echo $?``) but their output is not
compared.

After a deliberate change of output, rewrite the examples of a page with
``python tests/test_docs.py docs/language.md ...`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from doc_examples import (
    DOCS,
    LANGUAGE,
    PAGES,
    SCHEMA,
    TABLE_SCALARS,
    TABLE_SYMMETRIC,
    Block,
    Command,
    clean,
    commands,
    console_blocks,
    plan,
    run_gradcli,
)

from gradcli.api import analyse, declarations
from gradcli.syntax import parse

ALL_BLOCKS = [b for page in PAGES for b in console_blocks(page)]


pytestmark = pytest.mark.usefixtures("plain_console")


def test_in_process_run_is_the_script() -> None:
    """The in-process runner gives what the installed program prints."""
    args = ["grad", "x^T A x", "--wrt", "x", "-f", "pretty", "--seed", "3"]
    script = subprocess.run(
        [sys.executable, "-m", "gradcli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"},
    )
    run = run_gradcli(args)
    assert (run.code, run.output) == (script.returncode, clean(script.stdout + script.stderr))


def test_pages_have_examples() -> None:
    for page in (LANGUAGE, DOCS / "conventions.md", DOCS / "json.md"):
        assert console_blocks(page), f"{page.name} has no console example"


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[b.id for b in ALL_BLOCKS])
def test_console_example(block: Block) -> None:
    status = 0
    for command in block.commands:
        how = plan(command)
        if how is None:
            assert command.expected == str(status), f"line {command.line}: exit status"
            continue
        run = run_gradcli(how.args, how.stdin)
        status = run.code
        if how.compare:
            assert run.output == command.expected, (
                f"{block.path.name}:{command.line}: $ {command.text}"
            )


# ----------------------------------------------------------------- JSON schema


class SchemaError(AssertionError):
    pass


KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$ref",
        "title",
        "description",
        "type",
        "enum",
        "required",
        "properties",
        "additionalProperties",
        "items",
    }
)


def subschemas(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """``schema`` and every schema nested in it."""
    yield schema
    nested = [*schema.get("properties", {}).values(), *schema.get("$defs", {}).values()]
    nested += [
        schema[k] for k in ("items", "additionalProperties") if isinstance(schema.get(k), dict)
    ]
    for sub in nested:
        yield from subschemas(sub)


_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1``."""
    return type(a) is type(b) and bool(a == b)


def validate(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], at: str = "$") -> None:
    """Validate ``value`` with the keywords ``$ref`` (local), ``type``, ``enum``,
    ``required``, ``properties``, ``additionalProperties`` and ``items``; raise
    ``SchemaError`` naming the path of the first fault. Unknown keywords are
    errors, so the schema cannot use more than this validator checks."""
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise SchemaError(f"{at}: unsupported schema keywords {sorted(unknown)}")
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise SchemaError(f"{at}: only local $defs references are supported")
        validate(value, root["$defs"][ref.removeprefix("#/$defs/")], root, at)
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, t) for t in names):
            raise SchemaError(f"{at}: {value!r} is not of type {names}")
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        raise SchemaError(f"{at}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, dict):
        _validate_object(value, schema, root, at)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], root, f"{at}[{i}]")


def _validate_object(
    value: dict[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any], at: str
) -> None:
    for key in schema.get("required", []):
        if key not in value:
            raise SchemaError(f"{at}: missing required key {key!r}")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            validate(item, properties[key], root, f"{at}.{key}")
        elif extra is False:
            raise SchemaError(f"{at}: unexpected key {key!r}")
        elif isinstance(extra, dict):
            validate(item, extra, root, f"{at}.{key}")


JSON_COMMANDS = [
    'grad "x^T A x" --wrt x',
    'grad "||A x - b||^2" --wrt x',
    'grad "tanh(a b)" --wrt a,b --scalar a,b',
    'grad "tr(A S)" --wrt S --symmetric S',
    'grad "x^T A x" --wrt x,A --no-check',
    'jacobian "A x" --wrt x --layout denominator',
    'jacobian "A X B" --wrt X',
    'hessian "x^2 y + y^3" --wrt x,y --scalar x,y',
    'grad "sum(log(-x .^ 2 - 1))" --wrt x',
    'jacobian "x^T Ax" --wrt x --no-check',
    'grad "x^T A x" --wrt x --steps --expand 2',
    'jacobian "softmax(W tanh(V x))" --wrt x',
    'verify "2 A x" --of "x^T A x" --wrt x',
    'verify "(A + A^T) x" --of "x^T A x" --wrt x',
    'verify "x^T (A + A^T)" --of "x^T A x" --wrt x',
    'verify "A" --of "A x + b" --wrt x --jacobian',
    'grad "x^T S x + y^T log(softmax(x))" --wrt x --spd S --simplex y',
    'verify "softmax(x) - y" --of "-y^T log(softmax(x))" --wrt x',
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return loaded


def test_schema_is_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for sub in subschemas(schema):
        assert set(sub) <= KEYWORDS, sorted(set(sub) - KEYWORDS)


@pytest.mark.parametrize(
    ("value", "sub", "ok"),
    [
        (1, {"enum": [1]}, True),
        (True, {"enum": [1]}, False),
        (2.5, {"type": "integer"}, False),
        (None, {"type": ["number", "null"]}, True),
        ({"a": 1}, {"required": ["b"]}, False),
        ({"a": "x"}, {"additionalProperties": {"type": "integer"}}, False),
        ([1, "x"], {"items": {"type": "number"}}, False),
        ({"a": 1}, {"properties": {"a": {"type": "number"}}, "additionalProperties": False}, True),
    ],
)
def test_validator(value: Any, sub: dict[str, Any], ok: bool) -> None:
    if ok:
        validate(value, sub, sub)
    else:
        with pytest.raises(SchemaError):
            validate(value, sub, sub)


@pytest.mark.parametrize("command", JSON_COMMANDS)
def test_json_output_matches_schema(command: str, schema: dict[str, Any]) -> None:
    run = run_gradcli([*shlex.split(command), "--format", "json", "--seed", "1"])
    assert run.code in (0, 1), run.output
    text = run.output.split("\nnot checked: ")[0]  # the stderr line after the object
    document = json.loads(text)
    validate(document, schema, schema)
    assert document["version"] == 1


def test_validator_rejects_a_renamed_key(schema: dict[str, Any]) -> None:
    run = run_gradcli(["grad", "x^T A x", "--wrt", "x", "-f", "json", "--seed", "1"])
    document = json.loads(run.output)
    document["results"][0]["expression"] = document["results"][0].pop("text")
    with pytest.raises(SchemaError, match="text"):
        validate(document, schema, schema)


# ----------------------------------------------------------------- language tables


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]


def table_rows(path: Path) -> list[Row]:
    """The rows of every Markdown table, keyed by lower-cased header."""
    rows: list[Row] = []
    header: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            header = [c.lower() for c in cells]
        elif not all(re.fullmatch(r":?-+:?", c) for c in cells):
            rows.append(Row(number, dict(zip(header, cells, strict=False))))
    return rows


def _cells(line: str) -> list[str]:
    """Split a table row on unescaped ``|``; ``\\|`` is a literal ``|`` (as in
    GitHub Markdown, where a norm in a table is written ``\\|\\|x\\|\\|``)."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


TABLE_EXAMPLES = [
    (row.line, src)
    for row in table_rows(LANGUAGE)
    for src in code_spans(row.cells.get("example", ""))
]
READS_AS = [
    (row.line, code_spans(row.cells["expression"])[0], code_spans(row.cells["reads as"])[0])
    for row in table_rows(LANGUAGE)
    if "reads as" in row.cells
]


def test_language_tables_have_examples() -> None:
    assert len(TABLE_EXAMPLES) > 40
    assert len(READS_AS) >= 4


@pytest.mark.parametrize(("line", "source"), TABLE_EXAMPLES)
def test_table_example_parses(line: int, source: str) -> None:
    analyse(source, declarations(scalar=TABLE_SCALARS, symmetric=TABLE_SYMMETRIC))


@pytest.mark.parametrize(("line", "source", "grouped"), READS_AS)
def test_precedence_example(line: int, source: str, grouped: str) -> None:
    assert parse(source).sexpr() == parse(grouped).sexpr()


# ----------------------------------------------------------------- updating the pages


def update(path: Path) -> None:
    """Rewrite the output under every command of the page's console blocks."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        i += 1
        if lines[i - 1].strip() != "```console":
            continue
        body: list[tuple[int, str]] = []
        while lines[i].strip() != "```":
            body.append((i + 1, lines[i]))
            i += 1
        out += _updated(list(commands(body)))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _updated(commands: list[Command]) -> list[str]:
    out: list[str] = []
    status = 0
    for command in commands:
        how = plan(command)
        if how is None:
            out += [f"$ {command.text}", str(status)]
            continue
        run = run_gradcli(how.args, how.stdin)
        status = run.code
        shown = run.output if how.compare else command.expected
        out += ([""] if out else []) + [f"$ {command.text}", *shown.splitlines()]
    return out


if __name__ == "__main__":
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "GRADCLI_DEBUG"):
        os.environ.pop(name, None)
    os.environ.update(COLUMNS="120", NO_COLOR="1")
    for arg in sys.argv[1:]:
        update(Path(arg))
