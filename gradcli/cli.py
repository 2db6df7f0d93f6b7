"""The command line: options -> API -> printer -> console; errors -> exit status.

Exit status (SPEC §4): 0 success (``verify``: correct); 1 the numerical check
failed (``verify``: wrong); 2 bad input; 3 an internal error.

Over 500 lines: Typer's declarations are verbose (an option is an annotated
alias with its help text), and the mapping of every error to its exit status
belongs next to them.
"""

from __future__ import annotations

import copy
import inspect
import sys
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer

from gradcli import __version__
from gradcli.calculus.vocabulary import Command, Layout
from gradcli.output.command import bad_option as _bad
from gradcli.output.command import chosen_format as _format
from gradcli.output.command import emit as _emit
from gradcli.output.command import fail as _fail
from gradcli.output.command import finish, guarded
from gradcli.output.command import read_expr as _read_expr
from gradcli.output.command import run_derivation as _run_derivation
from gradcli.output.formats import Format
from gradcli.output.process import time_limit

app = typer.Typer(
    name="gradcli",
    help=(
        "Matrix calculus on the command line: gradients, Jacobians and Hessians of "
        "matrix expressions, derived symbolically and checked numerically.\n\n"
        "Examples:\n\n"
        '  gradcli grad "x^T A x" --wrt x              ->  (A + A^T) x\n\n'
        '  gradcli grad "||A x - b||^2" --wrt x        ->  2 A^T (A x - b)\n\n'
        '  gradcli jacobian "sin(W x)" --wrt x         ->  diag(cos(W x)) W\n\n'
        '  gradcli verify "2 A x" --of "x^T A x" --wrt x\n\n'
        "Names starting with an upper-case letter are matrices, others column vectors; "
        "declare scalars with --scalar. See gradcli help language for the whole language, "
        "gradcli help for the other topics."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

Expr = Annotated[
    str,
    typer.Argument(
        help="The expression, e.g. \"x^T A x\". '-' reads it from standard input; "
        "one that starts with '-' goes after '--'.",
        show_default=False,
        metavar="EXPR",
    ),
]
Wrt = Annotated[
    list[str] | None,
    typer.Option(
        "--wrt", "-w", metavar="VARS", help="Variable(s) to differentiate by: --wrt x or --wrt x,y."
    ),
]
ScalarOpt = Annotated[
    list[str] | None,
    typer.Option("--scalar", "-s", metavar="NAMES", help="Declare scalars: --scalar a,t."),
]
VectorOpt = Annotated[
    list[str] | None, typer.Option("--vector", metavar="NAMES", help="Declare vectors.")
]
MatrixOpt = Annotated[
    list[str] | None, typer.Option("--matrix", metavar="NAMES", help="Declare matrices.")
]
SymOpt = Annotated[
    list[str] | None,
    typer.Option("--symmetric", metavar="NAMES", help="Declare symmetric matrices: --symmetric S."),
]
SquareOpt = Annotated[
    list[str] | None,
    typer.Option("--square", metavar="NAMES", help="Assume square matrices: --square X."),
]
SimplexOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--simplex", metavar="NAMES", help="Assume probability vectors (entries > 0, sum 1)."
    ),
]
OnehotOpt = Annotated[
    list[str] | None,
    typer.Option("--onehot", metavar="NAMES", help="Assume one-hot vectors (one entry 1, rest 0)."),
]
OrthogonalOpt = Annotated[
    list[str] | None,
    typer.Option("--orthogonal", metavar="NAMES", help="Assume orthogonal matrices (Q^T Q = I)."),
]
DiagonalOpt = Annotated[
    list[str] | None,
    typer.Option("--diagonal", metavar="NAMES", help="Assume diagonal matrices."),
]
SpdOpt = Annotated[
    list[str] | None,
    typer.Option("--spd", metavar="NAMES", help="Assume symmetric positive definite matrices."),
]
PositiveOpt = Annotated[
    list[str] | None,
    typer.Option("--positive", metavar="NAMES", help="Assume positive entries: --positive x."),
]
# The assumption options, in the order --help lists them (after --symmetric).
ASSUMPTION_OPTIONS: list[tuple[str, Any]] = [
    ("square", SquareOpt),
    ("simplex", SimplexOpt),
    ("onehot", OnehotOpt),
    ("orthogonal", OrthogonalOpt),
    ("diagonal", DiagonalOpt),
    ("spd", SpdOpt),
    ("positive", PositiveOpt),
]
FormatArg = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output: pretty (on a terminal), text (in a pipe), latex, numpy, json or "
        "array-api (code for NumPy, PyTorch, JAX, CuPy arrays).",
        show_default=False,
    ),
]
CheckOpt = Annotated[
    bool, typer.Option("--check/--no-check", help="Check the result numerically at a random point.")
]
SeedOpt = Annotated[
    int | None,
    typer.Option(
        "--seed",
        metavar="N",
        min=0,
        max=2**32 - 1,
        help="Seed of the numerical check (reproducible).",
    ),
]
LayoutArg = Annotated[
    Layout, typer.Option("--layout", help="Jacobian layout: numerator (m x n) or denominator.")
]
ExpandOpt = Annotated[
    int | None,
    typer.Option(
        "--expand",
        metavar="N",
        help="Also write the result out entry by entry, every dimension set to N (1-12).",
    ),
]
DisplayOpt = Annotated[
    bool,
    typer.Option(
        "--display", help=r"With -f latex: whole display lines, \[ \nabla_{x} f = ... \]."
    ),
]
StepsOpt = Annotated[
    bool,
    typer.Option("--steps", help="Show the derivation step by step, naming each rule used."),
]
FunctionOpt = Annotated[
    str | None,
    typer.Option(
        "--function",
        metavar="NAME",
        help="With -f numpy or -f array-api: print a complete Python function NAME "
        "computing the result.",
    ),
]
DebugOpt = Annotated[
    bool, typer.Option("--debug", help="Show the traceback of an internal error.", hidden=True)
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gradcli {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Matrix calculus on the command line."""


KEYWORD = inspect.Parameter.KEYWORD_ONLY


# The options of grad, jacobian and hessian, declared once, in the order --help
# lists them (jacobian adds --layout after --seed).
def _derivation_parameters(layout: bool) -> list[inspect.Parameter]:
    def option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
        return inspect.Parameter(name, KEYWORD, annotation=annotation, default=default)

    return [
        inspect.Parameter("expr", KEYWORD, annotation=Expr),
        option("wrt", Wrt, None),
        option("scalar", ScalarOpt, None),
        option("vector", VectorOpt, None),
        option("matrix", MatrixOpt, None),
        option("symmetric", SymOpt, None),
        *(option(name, annotation, None) for name, annotation in ASSUMPTION_OPTIONS),
        option("fmt", FormatArg, None),
        option("check", CheckOpt, True),
        option("seed", SeedOpt, None),
        *([option("layout", LayoutArg, Layout.NUMERATOR)] if layout else []),
        option("expand", ExpandOpt, None),
        option("function", FunctionOpt, None),
        option("steps", StepsOpt, False),
        option("display", DisplayOpt, False),
        option("debug", DebugOpt, False),
    ]


def _derivation_command(command: Command, doc: str) -> Callable[..., None]:
    """Register ``gradcli COMMAND`` with the shared options; Typer reads them
    from the function's signature, so the signature is built from the list."""

    def run(**options: Any) -> None:
        options.pop("debug")  # read from argv by _run before any command starts
        _run_derivation(command, **options)

    parameters = _derivation_parameters(layout=command is Command.JACOBIAN)
    run.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    run.__name__ = run.__qualname__ = command.value
    run.__doc__ = doc
    return app.command(command.value)(run)


_derivation_command(
    Command.GRAD,
    """Gradient of a scalar expression; same shape as the variable.

    Examples:

      gradcli grad "x^T A x" --wrt x                  ->  (A + A^T) x

      gradcli grad "log(det(X))" --wrt X              ->  X^-T

      gradcli grad "tanh(a b)" --wrt a,b --scalar a,b   (stacked, as in calculus)

      gradcli grad "||A x - b||^2" --wrt x -f latex
    """,
)
_derivation_command(
    Command.JACOBIAN,
    """Jacobian d vec(f) / d vec(x): m x n in numerator layout.

    Examples:

      gradcli jacobian "sin(W x)" --wrt x     ->  diag(cos(W x)) W

      gradcli jacobian "softmax(z)" --wrt z   ->  diag(softmax(z)) - softmax(z) softmax(z)^T

      gradcli jacobian "A X B" --wrt X        ->  kron(B^T, A)
    """,
)
_derivation_command(
    Command.HESSIAN,
    """Hessian of a scalar expression (by a vector, or stacked scalars).

    Examples:

      gradcli hessian "x^T A x" --wrt x            ->  A + A^T

      gradcli hessian "||A x - b||^2" --wrt x      ->  2 A^T A

      gradcli hessian "x^2 y + y^3" --wrt x,y --scalar x,y

      gradcli hessian "x^T A y" --wrt x,y          ->  a block matrix

      gradcli hessian "logdet(X)" --wrt X          ->  by vec(X)
    """,
)


@app.command()
def verify(
    claim: Annotated[str, typer.Argument(help='The claimed derivative, e.g. "2 A x".')],
    of: Annotated[
        str, typer.Option("--of", help="The expression it is claimed to be the derivative of.")
    ],
    wrt: Wrt = None,
    jacobian: Annotated[bool, typer.Option("--jacobian", help="The claim is a Jacobian.")] = False,
    hessian: Annotated[bool, typer.Option("--hessian", help="The claim is a Hessian.")] = False,
    scalar: ScalarOpt = None,
    vector: VectorOpt = None,
    matrix: MatrixOpt = None,
    symmetric: SymOpt = None,
    square: SquareOpt = None,
    simplex: SimplexOpt = None,
    onehot: OnehotOpt = None,
    orthogonal: OrthogonalOpt = None,
    diagonal: DiagonalOpt = None,
    spd: SpdOpt = None,
    positive: PositiveOpt = None,
    fmt: FormatArg = None,
    seed: SeedOpt = None,
    layout: LayoutArg = Layout.NUMERATOR,
    debug: DebugOpt = False,
) -> None:
    """Is CLAIM the gradient (Jacobian, Hessian) of the expression? Exit 0 if so, 1 if not.

    Examples:

      gradcli verify "(A + A^T) x" --of "x^T A x" --wrt x         ->  correct

      gradcli verify "2 A x" --of "x^T A x" --wrt x   ->  wrong (only if A is symmetric)

      gradcli verify "A" --of "A x + b" --wrt x --jacobian        ->  correct
    """
    from gradcli.verification.verdict import verify as run_verify

    if jacobian and hessian:
        raise _bad("choose one of --jacobian and --hessian")
    command = Command.JACOBIAN if jacobian else Command.HESSIAN if hessian else Command.GRAD
    with time_limit():
        v = run_verify(
            _read_expr(claim),
            of,
            wrt,
            command=command,
            scalar=scalar,
            vector=vector,
            matrix=matrix,
            symmetric=symmetric,
            square=square,
            simplex=simplex,
            onehot=onehot,
            orthogonal=orthogonal,
            diagonal=diagonal,
            spd=spd,
            positive=positive,
            layout=layout,
            seed=seed,
        )
    _emit(v.derivation, _format(fmt), v)
    if not v.correct:
        raise typer.Exit(1)


class ShellOpt(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@app.command()
def completion(
    shell: Annotated[
        ShellOpt, typer.Argument(help="The shell: bash, zsh or fish.", metavar="SHELL")
    ],
) -> None:
    """Print the completion script for bash, zsh or fish.

    Install it once, then open a new shell:

    \b
      bash:  mkdir -p ~/.local/share/bash-completion/completions
             gradcli completion bash > ~/.local/share/bash-completion/completions/gradcli
      zsh:   mkdir -p ~/.zfunc && gradcli completion zsh > ~/.zfunc/_gradcli
             and in ~/.zshrc, before compinit:  fpath=(~/.zfunc $fpath)
      fish:  gradcli completion fish > ~/.config/fish/completions/gradcli.fish
    """
    from gradcli.output.completion import generate

    typer.echo(generate(shell.value, typer.main.get_command(app)), nl=False)


class TopicOpt(str, Enum):
    """The topics of ``gradcli help`` (``gradcli.help.TOPICS``; a test keeps them equal)."""

    language = "language"
    conventions = "conventions"
    limits = "limits"
    json = "json"


@app.command("help")
def help_topic(
    topic: Annotated[
        TopicOpt | None,
        typer.Argument(
            help="language, conventions, limits or json.", show_default=False, metavar="TOPIC"
        ),
    ] = None,
) -> None:
    """Show a part of the documentation: the language, conventions, limits or JSON.

    Examples:

      gradcli help                 (the topics)

      gradcli help language        (the whole expression language)

      gradcli help json | less
    """
    from gradcli.help import topic_list, topic_text

    if topic is None:
        typer.echo(topic_list())
        return
    text = topic_text(topic.value)
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        typer.echo(text, nl=False)


@app.command()
def batch(
    file: Annotated[
        str,
        typer.Argument(
            help="A JSON Lines file of requests; '-' (or nothing) reads standard input.",
            metavar="[FILE|-]",
            show_default=False,
        ),
    ] = "-",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            min=1,
            max=256,
            help="Worker processes (default: the number of cores).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary line.")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Many requests at once: JSON Lines in, one JSON line out per request, in order.

    Each request names its command and its options as the CLI does; each answer
    is the command's --format json object, with the request's "line" and "id".
    Exit 0 if every line succeeded, 1 if a check failed or a claim was wrong,
    2 if any line was bad input. See docs/json.md.

    Examples:

      echo '{"command": "grad", "expr": "x^T A x", "wrt": "x"}' | gradcli batch

      gradcli batch requests.jsonl -j 2 > answers.jsonl
    """
    from gradcli.batch import run_batch

    raise typer.Exit(run_batch(file, jobs=jobs, quiet=quiet))


def is_click_error(err: BaseException, name: str) -> bool:
    """Whether ``err`` is a Click exception ``name`` (Typer may vendor its own Click)."""
    return any(cls.__name__ == name for cls in type(err).__mro__)


EXPRESSION_CHARS = frozenset("()^*/+[]|' .,@")


def _declared(group: Any, command: str) -> tuple[frozenset[str], frozenset[str]]:
    """The options of ``command`` as declared: the names of those that take a
    value, and the letters of its short options (``-w``, ``-f``, ``-h``)."""
    params = group.commands[command].get_params(group.make_context("gradcli", [command]))
    names = [
        (n, p) for p in params if p.param_type_name == "option" for n in p.opts + p.secondary_opts
    ]
    takes_value = frozenset(n for n, p in names if not p.is_flag and not p.count)
    letters = frozenset(n[1] for n, _ in names if len(n) == 2 and n[1] != "-")
    return takes_value, letters


def _dash_expression(argv: list[str], group: Any) -> int | None:
    """The index of an argument that is an expression starting with '-' (not an option)."""
    if not argv or argv[0] not in group.commands:
        return None
    value_options, letters = _declared(group, argv[0])
    skip = False
    for i, a in enumerate(argv[1:], start=1):
        if a == "--":
            return None
        if skip:
            skip = False
            continue
        if a in value_options:
            skip = True
            continue
        if _is_dash_expression(a, letters):
            return i
    return None


def _is_dash_expression(a: str, letters: frozenset[str]) -> bool:
    """``-y^T log(p)``, ``-2x``: it starts with one '-', is longer than a short
    option, and holds a character no option has or does not start with one's letter."""
    looks_like_expr = EXPRESSION_CHARS & set(a[1:]) or a[1:2] not in letters
    return a.startswith("-") and not a.startswith("--") and len(a) > 2 and bool(looks_like_expr)


def dash_expressions_last(argv: list[str], group: Any) -> list[str]:
    """``argv`` with its positional arguments moved after a ``--`` when one of
    them is an expression that starts with '-' (``gradcli grad "-x^T x" --wrt x``),
    so that Click does not take it for an option; otherwise ``argv`` itself.
    The positional arguments keep their order, and every option its value."""
    if _dash_expression(argv, group) is None:
        return argv
    value_options, letters = _declared(group, argv[0])
    options, positional = [argv[0]], []
    skip = False
    for i, a in enumerate(argv[1:], start=1):
        if a == "--":
            positional += argv[i + 1 :]
            break
        if skip or a in value_options:
            options.append(a)
            skip = not skip
        elif a.startswith("-") and a != "-" and not _is_dash_expression(a, letters):
            options.append(a)
        else:
            positional.append(a)
    return [*options, "--", *positional]


def _dash_hint(argv: list[str], i: int) -> str:
    import shlex

    rest = [a for k, a in enumerate(argv) if k != i]
    shown = " ".join(shlex.quote(a) for a in rest)
    return (
        f"'{argv[i]}' looks like an option; an expression that starts with '-' goes after "
        f"--: gradcli {shown} -- {shlex.quote(argv[i])}"
    )


def _usage_hint(err: Exception, argv: list[str]) -> str | None:
    text = click_message(err)
    if "No such option" in text or "requires an argument" in text or "Missing argument" in text:
        for i, a in enumerate(argv):
            named = f"option: {a}" in text
            if a.startswith("-") and not a.startswith("--") and (len(a) > 2 or named):
                return _dash_hint(argv, i)
    return None


def click_message(err: Exception) -> str:
    fmt = getattr(err, "format_message", None)
    return str(fmt()) if callable(fmt) else str(err)


def _click_error(err: Exception, args: list[str]) -> None:
    """Map Click's own exceptions (usage errors, exit, abort); return for anything else."""
    if is_click_error(err, "Exit"):
        sys.exit(getattr(err, "exit_code", 0))
    if is_click_error(err, "Abort"):
        _fail(130, "aborted")
    if is_click_error(err, "NoArgsIsHelpError"):
        typer.echo(click_message(err))
        sys.exit(0)
    if is_click_error(err, "UsageError"):
        hint = _usage_hint(err, args)
        message = f"usage error: {click_message(err)}"
        ctx = getattr(err, "ctx", None)
        if ctx is not None:
            message = ctx.get_usage() + "\n" + message
        _fail(2, message + (f"\nhint: {hint}" if hint else ""))


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command ``args`` names, when it names one: Typer builds
    the options of every registered command first, which costs more start-up time
    than parsing them. Anything else (help, a misspelt command) gets the whole app."""
    name = args[0] if args else None
    chosen = [
        c
        for c in app.registered_commands
        if name == (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", "")))
    ]
    if not chosen:
        return app
    only = copy.copy(app)
    only.registered_commands = chosen
    return only


def main(argv: list[str] | None = None) -> None:
    """Run the whole Typer app (no quick reading of argv: see ``gradcli.launch``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    finish(lambda: run_app(args), argv is not None)


def run_app(args: list[str]) -> None:
    """Run ``gradcli ARGS`` through the Typer app, every error mapped to its exit status."""
    debug = "--debug" in args
    command = typer.main.get_command(_app_for(args))
    args = dash_expressions_last(args, command)
    guarded(
        lambda: command.main(args=args, prog_name="gradcli", standalone_mode=False),
        on_other=lambda err: _click_error(err, args),
        debug=debug,
    )
