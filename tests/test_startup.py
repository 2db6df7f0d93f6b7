"""Start-up stays light: SymPy is imported only on the paths that need it, NumPy
only for the numerical check, Rich only for pretty output and the progress bar."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
{setup}
print({module!r} in sys.modules)
"""


def _imports(module: str, setup: str, stdin: str = "", expect: str = "") -> bool:
    """Whether running ``setup`` imports ``module``; ``expect`` must be in its output."""
    code = PROBE.format(setup=setup, module=module)
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, input=stdin
    )
    assert run.returncode == 0, run.stderr
    assert expect in run.stdout
    return run.stdout.strip().splitlines()[-1] == "True"


def _imports_sympy(setup: str) -> bool:
    return _imports("sympy", setup)


def _run_main(*args: str) -> str:
    """Probe set-up: run ``gradcli ARGS`` in-process."""
    call = f"main({list(args)!r})"
    return f"from gradcli.cli import main\ntry:\n    {call}\nexcept SystemExit:\n    pass"


GRAD_TEXT = ("grad", "x^T A x", "--wrt", "x", "--format", "text")


@pytest.mark.parametrize(
    ("module", "args", "imported"),
    [
        ("numpy", (*GRAD_TEXT, "--no-check"), False),
        ("numpy", GRAD_TEXT, True),  # the probe sees NumPy when the check needs it
        ("rich", GRAD_TEXT, False),
        ("rich", (*GRAD_TEXT[:4], "--format", "pretty"), True),
    ],
)
def test_heavy_modules_only_where_needed(
    module: str, args: tuple[str, ...], imported: bool
) -> None:
    assert _imports(module, _run_main(*args), expect="A") is imported


def test_a_batch_in_a_pipe_does_not_import_rich() -> None:
    request = '{"command": "grad", "expr": "x^T A x", "wrt": "x"}\n'
    setup = _run_main("batch", "-j", "1")
    assert not _imports("rich", setup, stdin=request, expect='"text": "(A + A^T) x"')


def test_importing_the_cli_does_not_import_sympy() -> None:
    assert not _imports_sympy("import gradcli.cli")


def test_a_plain_grad_does_not_import_sympy() -> None:
    setup = (
        "from gradcli.cli import main\n"
        "try:\n"
        "    main(['grad', 'x^T A x', '--wrt', 'x', '--format', 'text'])\n"
        "except SystemExit:\n"
        "    pass"
    )
    assert not _imports_sympy(setup)


def test_expand_does_import_sympy() -> None:
    """The probe can see SymPy when it is imported (so the two tests above mean something)."""
    setup = (
        "from gradcli.cli import main\n"
        "try:\n"
        "    main(['grad', 'x^T A x', '--wrt', 'x', '--expand', '2', '--format', 'text'])\n"
        "except SystemExit:\n"
        "    pass"
    )
    assert _imports_sympy(setup)
