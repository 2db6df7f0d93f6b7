"""Shell completion scripts for gradcli, generated from its command tree.

    gradcli completion bash     # print the script (SHELL: bash, zsh or fish)

The scripts are built from ``typer.main.get_command(gradcli.cli.app)``: the
commands, their options (hidden ones left out) and the choices of
``--format``, ``--layout`` and the commands' arguments (``completion``'s
shell, ``help``'s topic). They are plain shell code: completing does not
start Python. ``scripts/gen_completions.py`` writes the same scripts to
``completions/`` for a source checkout, and a test keeps those current.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

PROG = "gradcli"
SHELLS = ("bash", "zsh", "fish")
#: The files of a source checkout's completions/ directory.
FILES = {"bash": "gradcli.bash", "zsh": "_gradcli", "fish": "gradcli.fish"}
#: How to install each script, for its header, ``gradcli completion --help`` and the README.
INSTALL = {
    "bash": (
        "mkdir -p ~/.local/share/bash-completion/completions",
        "gradcli completion bash > ~/.local/share/bash-completion/completions/gradcli",
    ),
    "zsh": (
        "mkdir -p ~/.zfunc && gradcli completion zsh > ~/.zfunc/_gradcli",
        "# then in ~/.zshrc, before compinit:  fpath=(~/.zfunc $fpath)",
    ),
    "fish": ("gradcli completion fish > ~/.config/fish/completions/gradcli.fish",),
}
HELP = "Show this message and exit."
HEADER = "Generated from gradcli's command tree (gradcli completion SHELL); do not edit."


# ----------------------------------------------------------------- the model


@dataclass(frozen=True)
class Opt:
    """One option spelling group: ``--format``/``-f`` takes a value; a
    boolean pair ``--check/--no-check`` becomes two ``Opt``s that exclude
    each other (``excludes``)."""

    names: tuple[str, ...]
    help: str
    takes_value: bool = False
    choices: tuple[str, ...] = ()
    multiple: bool = False
    metavar: str = ""
    excludes: tuple[str, ...] = ()

    @property
    def long(self) -> list[str]:
        return [n for n in self.names if n.startswith("--")]

    @property
    def short(self) -> list[str]:
        return [n for n in self.names if not n.startswith("--")]


@dataclass(frozen=True)
class Cmd:
    name: str
    help: str
    options: tuple[Opt, ...]
    arguments: tuple[str, ...]  # metavars of the positional arguments
    choices: tuple[str, ...] = ()  # the values of the first argument, if it has a fixed set


def _choices(param: Any) -> tuple[str, ...]:
    """The allowed values of an option: the Enum that Typer keeps as the
    parameter's annotation, or a Click ``Choice``."""
    kind = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    for k in (kind, *getattr(kind, "__args__", ())):  # FormatOpt, or FormatOpt | None
        if isinstance(k, type) and issubclass(k, Enum):
            return tuple(str(m.value) for m in k)
    choices = getattr(getattr(param, "type", None), "choices", None)
    if choices:
        return tuple(str(c.value if isinstance(c, Enum) else c) for c in choices)
    return ()


def _sentence(text: str | None) -> str:
    """The first paragraph of a help text, on one line."""
    first = (text or "").strip().split("\n\n")[0]
    return " ".join(first.split())


def _options(params: list[Any], help_names: list[str]) -> tuple[Opt, ...]:
    opts: list[Opt] = []
    for p in params:
        if p.param_type_name != "option":
            continue  # an argument
        if getattr(p, "hidden", False):
            continue
        help_text = _sentence(getattr(p, "help", ""))
        if getattr(p, "is_flag", False):
            if p.secondary_opts:
                pair = (*p.opts, *p.secondary_opts)
                opts.append(Opt(tuple(p.opts), help_text, excludes=pair))
                negative = f"Do not {help_text[0].lower()}{help_text[1:]}" if help_text else ""
                opts.append(Opt(tuple(p.secondary_opts), negative, excludes=pair))
            else:
                opts.append(Opt(tuple(p.opts), help_text))
            continue
        long = [o for o in p.opts if o.startswith("--")]
        metavar = p.metavar or (long[0][2:] if long else p.name).upper()
        opts.append(
            Opt(
                tuple(p.opts),
                help_text,
                takes_value=True,
                choices=_choices(p),
                multiple=bool(p.multiple),
                metavar=metavar,
            )
        )
    opts.append(Opt(tuple(help_names), HELP))
    return tuple(opts)


def _arguments(params: list[Any]) -> tuple[str, ...]:
    return tuple((p.metavar or p.name.upper()) for p in params if p.param_type_name == "argument")


def _argument_choices(params: list[Any]) -> tuple[str, ...]:
    first = [p for p in params if p.param_type_name == "argument"][:1]
    return _choices(first[0]) if first else ()


def command_tree(group: Any) -> tuple[tuple[Opt, ...], tuple[Cmd, ...]]:
    """gradcli's top-level options and its commands, from its Click group
    (``typer.main.get_command(gradcli.cli.app)``, which the caller passes)."""
    help_names = list(group.context_settings.get("help_option_names", ["--help"]))
    top = _options(list(group.params), help_names)
    commands = tuple(
        Cmd(
            name,
            _sentence(cmd.get_short_help_str(limit=200)),
            _options(list(cmd.params), help_names),
            _arguments(list(cmd.params)),
            _argument_choices(list(cmd.params)),
        )
        for name, cmd in group.commands.items()
        if not getattr(cmd, "hidden", False)
    )
    return top, commands


# ----------------------------------------------------------------- bash


def _install(shell: str) -> list[str]:
    return [f"#   {line}" for line in INSTALL[shell]]


def bash(top: tuple[Opt, ...], commands: tuple[Cmd, ...]) -> str:
    names = " ".join(c.name for c in commands)
    top_words = " ".join(n for o in top for n in o.names)
    lines = [
        f"# bash completion for {PROG}                               -*- shell-script -*-",
        f"# {HEADER}",
        "#",
        "# Install (bash-completion loads it from there; or source it from ~/.bashrc):",
        *_install("bash"),
        "",
        "_gradcli() {",
        "    local cur prev cmd word prefix='' i dashdash=0 values=''",
        "    COMPREPLY=()",
        "    cur=${COMP_WORDS[COMP_CWORD]}",
        "    prev=''",
        "    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}",
        "    # --format=VALUE: bash splits the word at '=' (COMP_WORDBREAKS), or not.",
        '    if [[ $cur == "=" ]]; then',
        "        cur=''",
        '    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then',
        "        prev=${COMP_WORDS[COMP_CWORD - 2]}",
        "    elif [[ $cur == --*=* ]]; then",
        "        prev=${cur%%=*}",
        '        prefix="$prev="',
        "        cur=${cur#*=}",
        "    fi",
        "",
        "    cmd=''",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        "        word=${COMP_WORDS[i]}",
        "        if [[ -z $cmd ]]; then",
        "            case $word in",
        f"            {'|'.join(c.name for c in commands)}) cmd=$word ;;",
        "            esac",
        '        elif [[ $word == "--" ]]; then',
        "            dashdash=1",
        "        fi",
        "    done",
        "",
        "    case $cmd in",
        "    '')",
        "        if [[ $cur == -* ]]; then",
        f'            mapfile -t COMPREPLY < <(compgen -W "{top_words}" -- "$cur")',
        "        else",
        f'            mapfile -t COMPREPLY < <(compgen -W "{names}" -- "$cur")',
        "        fi",
        "        return 0",
        "        ;;",
    ]
    for c in commands:
        lines += [f"    {c.name})", *_bash_command(c), "        ;;"]
    lines += [
        "    esac",
        "    return 0",
        "}",
        "",
        f"complete -F _gradcli {PROG}",
        "",
    ]
    return "\n".join(lines)


def _bash_command(c: Cmd) -> list[str]:
    words = " ".join(n for o in c.options for n in o.names)
    out = ["        if ((dashdash == 0)); then", "            case $prev in"]
    for o in c.options:
        if o.takes_value and o.choices:
            out.append(f"            {'|'.join(o.names)}) values='{' '.join(o.choices)}' ;;")
    free = [n for o in c.options if o.takes_value and not o.choices for n in o.names]
    if free:
        out.append(
            f"            {'|'.join(free)}) return 0 ;;  # a name or number: nothing to offer"
        )
    out += [
        "            esac",
        "            if [[ -n $values ]]; then",
        '                mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")',
        "                return 0",
        "            fi",
        "            if [[ $cur == -* ]]; then",
        f'                mapfile -t COMPREPLY < <(compgen -W "{words}" -- "$cur")',
    ]
    if c.choices:  # the first argument, right after the command
        choices = " ".join(c.choices)
        out += [
            f"            elif [[ $prev == {c.name} ]]; then",
            f'                mapfile -t COMPREPLY < <(compgen -W "{choices}" -- "$cur")',
        ]
    out += ["            fi", "        fi"]
    return out


# ----------------------------------------------------------------- zsh


def _zsh_quote(text: str) -> str:
    """A single-quoted zsh word."""
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_desc(text: str) -> str:
    """Text for ``[...]`` in an ``_arguments`` spec."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _zsh_spec(o: Opt) -> str:
    exclusive = o.excludes or (() if o.multiple else o.names)
    if o.names[-1] in ("--help", "-h") or "--version" in o.names:
        exclusive = ("-", "*", ":")
    group = f"({' '.join(exclusive)})" if exclusive else ""
    star = "*" if o.multiple else ""
    desc = f"[{_zsh_desc(o.help)}]"
    value = ""
    if o.takes_value:
        action = f"({' '.join(o.choices)})" if o.choices else " "
        message = o.metavar.lower().replace(":", "\\:")
        value = f":{message}:{action}"
    # A value may follow '--format=' or '--format', '-fjson' or '-f'.
    names = [n + ("=" if n.startswith("--") else "+") if o.takes_value else n for n in o.names]
    if len(names) == 1:
        return _zsh_quote(f"{group}{star}{names[0]}{desc}{value}")
    # '(-f --format)'{--format=,-f+}'[...]:format:(...)'
    return _zsh_quote(f"{group}{star}") + "{" + ",".join(names) + "}" + _zsh_quote(f"{desc}{value}")


def zsh(top: tuple[Opt, ...], commands: tuple[Cmd, ...]) -> str:
    lines = [
        f"#compdef {PROG}",
        f"# zsh completion for {PROG}. {HEADER}",
        "#",
        "# Install (a file named _gradcli in a directory on $fpath):",
        *_install("zsh"),
        "",
    ]
    for c in commands:
        specs = [_zsh_spec(o) for o in c.options]
        actions = [f"({' '.join(c.choices)})" if i == 0 and c.choices else " " for i in range(9)]
        specs += [
            _zsh_quote(f"{i + 1}:{a.lower()}:{actions[i]}") for i, a in enumerate(c.arguments)
        ]
        lines += [f"_gradcli_{c.name}() {{", "    _arguments -S \\"]
        lines += [f"        {s} \\" for s in specs[:-1]] + [f"        {specs[-1]}", "}", ""]
    lines += [
        "_gradcli() {",
        '    local curcontext="$curcontext" state line ret=1',
        "    typeset -A opt_args",
        "    local -a commands",
        "    commands=(",
        *[f"        {_zsh_quote(c.name + ':' + c.help)}" for c in commands],
        "    )",
        "    _arguments -C \\",
        *[f"        {_zsh_spec(o)} \\" for o in top],
        "        '1: :->command' \\",
        "        '*:: :->args' && ret=0",
        "    case $state in",
        "    command)",
        "        _describe -t commands 'gradcli command' commands && ret=0",
        "        ;;",
        "    args)",
        '        curcontext="${curcontext%:*:*}:gradcli-$words[1]:"',
        "        case $words[1] in",
        *[f"        {c.name}) _gradcli_{c.name} && ret=0 ;;" for c in commands],
        "        esac",
        "        ;;",
        "    esac",
        "    return ret",
        "}",
        "",
        '_gradcli "$@"',
        "",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------- fish


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(condition: str, o: Opt) -> str:
    parts = [f"complete -c {PROG} -n {_fish_quote(condition)}"]
    parts += [f"-s {n[1:]}" for n in o.short] + [f"-l {n[2:]}" for n in o.long]
    if o.takes_value:
        parts.append("-x")
        if o.choices:
            parts.append(f"-a {_fish_quote(' '.join(o.choices))}")
    if o.help:
        parts.append(f"-d {_fish_quote(o.help)}")
    return " ".join(parts)


def fish(top: tuple[Opt, ...], commands: tuple[Cmd, ...]) -> str:
    names = " ".join(c.name for c in commands)
    first = f"not __fish_seen_subcommand_from {names}"
    lines = [
        f"# fish completion for {PROG}. {HEADER}",
        "#",
        "# Install:",
        *_install("fish"),
        "",
        f"complete -c {PROG} -f",
        *[_fish_option(first, o) for o in top],
        *[
            f"complete -c {PROG} -n {_fish_quote(first)} -a {c.name} -d {_fish_quote(c.help)}"
            for c in commands
        ],
    ]
    for c in commands:
        lines += [
            "",
            *[_fish_option(f"__fish_seen_subcommand_from {c.name}", o) for o in c.options],
        ]
        if c.choices:
            seen = _fish_quote(f"__fish_seen_subcommand_from {c.name}")
            lines.append(f"complete -c {PROG} -n {seen} -a {_fish_quote(' '.join(c.choices))}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- main

GENERATORS = {"bash": bash, "zsh": zsh, "fish": fish}


def generate(shell: str, group: Any) -> str:
    """The completion script for ``shell`` (bash, zsh or fish)."""
    return GENERATORS[shell](*command_tree(group))
