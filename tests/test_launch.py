"""The quick reading of argv (gradcli.launch.quick) runs exactly what Typer would.

For every command line it reads, the options it passes to the derivation must
equal those the Typer app passes; for anything unusual it must step aside
(return None) so that Typer gives its own error or help."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from gradcli import cli, launch
from gradcli.calculus.vocabulary import Command

READ = [
    ["grad", "x^T A x", "--wrt", "x"],
    ["grad", "x^T A x", "--wrt", "x", "--format", "text"],
    ["grad", "--wrt", "x", "x^T A x", "-f", "json", "--seed", "7"],
    ["grad", "x^T A x", "--wrt=x", "--format=latex", "--display"],
    ["grad", "a b", "-w", "a", "-w", "b", "-s", "a", "-s", "b", "--no-check"],
    ["grad", "a b", "--wrt", "a,b", "--scalar", "a,b", "--check"],
    ["grad", "x^T S x", "--wrt", "x", "--symmetric", "S", "--vector", "x", "--matrix", "S"],
    ["grad", "y^T log(softmax(x))", "--wrt", "x", "--simplex", "y", "--positive=x", "-f", "json"],
    ["grad", "det(X^T A X)", "--wrt", "X", "--square", "X", "--spd", "A", "--seed", "3"],
    ["grad", "||Q x - b||^2", "--wrt", "x", "--orthogonal", "Q", "--onehot", "b"],
    ["hessian", "x^T D x", "--wrt", "x", "--diagonal", "D"],
    ["grad", "x^T A x", "--wrt", "x", "--steps", "--seed", "0"],
    ["grad", "x^T A x", "--wrt", "x", "--expand", "2", "-f", "text"],
    ["grad", "x^T A x", "--wrt", "x", "-f", "numpy", "--function", "g"],
    ["grad", "x^T A x", "--wrt", "x", "--seed", str(2**32 - 1)],
    ["jacobian", "sin(W x)", "--wrt", "x", "--layout", "denominator"],
    ["jacobian", "A X B", "--wrt", "X", "-f", "array-api"],
    ["hessian", "x^T A x", "--wrt", "x", "--format", "pretty"],
    ["grad", "-", "--wrt", "x"],
    ["grad", "x^T A x", "--function", "g"],  # an option error, given by the derivation
]

STEP_ASIDE = [
    [],
    ["grad"],
    ["verify", "2 x", "--of", "x^T x", "--wrt", "x"],
    ["batch", "-"],
    ["grad", "--help"],
    ["grad", "x^T x", "-h"],
    ["grad", "x^T x", "--debug"],
    ["grad", "x^T x", "--wrt"],
    ["grad", "x^T x", "--wrt", "--seed"],
    ["grad", "x^T x", "--seed", "-1"],
    ["grad", "x^T x", "--seed", "1e3"],
    ["grad", "x^T x", "--seed", str(2**32)],
    ["grad", "x^T x", "--seed", "1", "--seed", "2"],
    ["grad", "x^T x", "--format", "TEXT"],
    ["grad", "x^T x", "--format", "txt"],
    ["grad", "x^T x", "--layout", "numerator"],  # --layout is jacobian's
    ["grad", "x^T x", "y"],
    ["grad", "x^T x", "--bogus"],
    ["grad", "x^T x", "-wx"],
    ["grad", "x^T x", "--check=1"],
    ["grad", "--", "-x^T x", "--wrt", "x"],
    ["grad", "-x^T x", "--wrt", "x"],
    ["grad", "x^T x", "--expand", "two"],
]


def _typer_options(args: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The options the Typer app passes to the derivation for ``args``."""
    seen: dict[str, Any] = {}

    def spy(command: Command, **options: Any) -> None:
        seen.update(options, command=command)

    monkeypatch.setattr(cli, "_run_derivation", spy)
    with pytest.raises(SystemExit) as ex:
        cli.main(args)
    assert ex.value.code == 0
    return seen


@pytest.mark.parametrize("args", READ, ids=" ".join)
def test_quick_reads_what_typer_reads(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    read = launch.quick(args)
    assert read is not None
    command, options = read
    assert {**options, "command": command} == _typer_options(args, monkeypatch)


@pytest.mark.parametrize("args", STEP_ASIDE, ids=lambda a: " ".join(a) or "(none)")
def test_quick_steps_aside_for_anything_unusual(args: list[str]) -> None:
    assert launch.quick(args) is None


@pytest.mark.parametrize("name", sorted(launch.QUICK_COMMANDS))
def test_quick_options_are_the_typer_options(name: str) -> None:
    """Same names, same parameters, same kind (repeatable, one value, flag)."""
    group = typer.main.get_command(cli.app)
    command = group.commands[name]  # type: ignore[attr-defined]
    by_name = {n: p for p in command.params for n in (*p.opts, *p.secondary_opts)}
    for option, (param, kind) in launch.QUICK_OPTIONS.items():
        if param == "layout" and name != "jacobian":
            assert option not in by_name
            continue
        declared = by_name[option]
        assert declared.name == param
        if kind == "list":
            assert declared.multiple
        elif kind == "value":
            assert not declared.multiple and not declared.is_flag
        else:
            assert declared.is_flag and (option in declared.opts) is kind


def test_the_program_reads_a_plain_command_without_typer() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom gradcli.launch import main\n"
        "try:\n    main(['grad', 'x^T A x', '--wrt', 'x', '-f', 'text'])\n"
        "except SystemExit:\n    pass\n"
        "print('typer' in sys.modules, 'click' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines() == ["(A + A^T) x", "False False"], run.stderr


def test_the_program_hands_the_rest_to_typer(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ex:
        launch.main(["grad", "x^T x", "--bogus"])
    assert ex.value.code == 2
    assert "No such option: --bogus" in capsys.readouterr().err
