"""Start-up stays light: SymPy is imported only on the paths that need it."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
{setup}
print("sympy" in sys.modules)
"""


def _imports_sympy(setup: str) -> bool:
    code = PROBE.format(setup=setup)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1] == "True"


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
