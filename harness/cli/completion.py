"""`harness completion bash|zsh|fish`: a shell completion script, generated from the real
parser: its commands and sub-commands, their options, and the choices of those that have some.

The values of -b/--backend are the instance names of `harness list`, asked for when completing
(`harness completion --instances`), so that the script needs no plugin when it is made and
stays true when plugins come and go. Any other value, and a SUITE or other file, completes as
a file name."""

from __future__ import annotations

import argparse

from harness.cli import common
from harness.cli.parser_walk import Node, walk

NAME = "completion"
HELP = "print a shell completion script (bash, zsh or fish)"
DESCRIPTION = ("Print a completion script for bash, zsh or fish: commands, sub-commands, "
               "options, their choices, and the backend instances for -b. Install: "
               "`harness completion bash > ~/.local/share/bash-completion/completions/harness` "
               "(see the README for zsh and fish).")
SHELLS = ("bash", "zsh", "fish")
INSTANCES = "harness completion --instances 2>/dev/null"  # what the scripts run for -b


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", nargs="?", choices=SHELLS, help="the shell")
    parser.add_argument("--instances", action="store_true",
                        help=argparse.SUPPRESS)  # the scripts' source of -b values


def run(args: argparse.Namespace) -> int:
    if args.instances:
        print("\n".join(sorted(common.registry(args).instances)))
        return common.EXIT_OK
    if args.shell is None:
        common.error("name a shell: harness completion bash, zsh or fish")
        return common.EXIT_USAGE
    # the parser `harness --help` shows (the built-in and declared commands), handed over by
    # harness.cli, which registers this command: no import cycle
    print(script(args.shell, args.help_parser()), end="")
    return common.EXIT_OK


# -- the scripts --------------------------------------------------------------------------------
def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for `shell`, from `parser`."""
    from harness._version import __version__

    nodes = walk(parser)
    head = (f"# {shell} completion for `harness` (wic-harness {__version__}), made by "
            f"`harness completion {shell}`.\n")
    if shell == "zsh":  # zsh reads #compdef on the first line of a file in $fpath
        head = "#compdef harness\n" + head
    return head + {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](nodes)


def _quote(text: str) -> str:
    """`text` in single quotes, for any of the three shells."""
    return "'" + text.replace("'", "'\\''") + "'"


def _paths(nodes: list[Node]) -> str:
    """The case pattern of every command path but the root (`harness/run|harness/cache|...`)."""
    return "|".join(n.path for n in nodes[1:]) or "harness/-"


def _bash(nodes: list[Node]) -> str:
    out = [
        "_harness() {",
        "    local cur prev path w i words",
        '    cur="${COMP_WORDS[COMP_CWORD]}"',
        '    prev="${COMP_WORDS[COMP_CWORD-1]}"',
        "    path=harness",
        "    for (( i = 1; i < COMP_CWORD; i++ )); do",
        '        w="${COMP_WORDS[i]}"',
        f'        case "$path/$w" in {_paths(nodes)}) path="$path/$w" ;; esac',
        "    done",
        "    COMPREPLY=()",
        '    case "$path" in',
    ]
    for node in nodes:
        out.append(f"    {node.path})")
        out.append('        case "$prev" in')
        plain = []  # a file or another value: bash's default
        for option in (o for o in node.options if o.value):
            if option.backend:
                words = f'"$({INSTANCES})"'
            elif option.choices:
                words = _quote(" ".join(option.choices))
            else:
                plain += option.flags
                continue
            out.append(f"            {'|'.join(option.flags)}) COMPREPLY=( $(compgen -W {words} "
                       '-- "$cur") ); return 0 ;;')
        if plain:
            out.append(f"            {'|'.join(plain)}) return 0 ;;")
        out.append("        esac")
        flags = " ".join(f for o in node.options for f in o.flags)
        out.append(f"        words={_quote(' '.join(node.commands))}")
        out.append(f'        [[ "$cur" == -* ]] && words={_quote(flags)} ;;')
    out += [
        "    esac",
        '    if [[ "$cur" == -* || -n "$words" ]]; then',
        '        COMPREPLY=( $(compgen -W "$words" -- "$cur") )',
        "    fi",
        "}",
        "complete -o bashdefault -o default -F _harness harness",
    ]
    return "\n".join(out) + "\n"


def _zsh_item(name: str, help: str) -> str:
    return _quote(name.replace(":", "\\:") + (":" + help if help else ""))


def _zsh(nodes: list[Node]) -> str:
    out = [
        "_harness() {",
        "    local where=harness w i cur=${words[CURRENT]} prev=${words[CURRENT-1]}",
        "    local files=",
        "    local -a cmds opts names",
        "    for (( i = 2; i < CURRENT; i++ )); do",
        "        w=${words[i]}",
        f'        case "$where/$w" in {_paths(nodes)}) where="$where/$w" ;; esac',
        "    done",
        '    case "$where" in',
    ]
    for node in nodes:
        out.append(f"    {node.path})")
        out.append('        case "$prev" in')
        for option in (o for o in node.options if o.value):
            if option.backend:
                action = f'names=(${{(f)"$({INSTANCES})"}}); compadd -a names'
            elif option.choices:
                action = "compadd -- " + " ".join(map(_quote, option.choices))
            else:
                action = "_files"
            out.append(f"            {'|'.join(option.flags)}) {action}; return ;;")
        out.append("        esac")
        cmds = " ".join(_zsh_item(name, help) for name, help in node.commands.items())
        opts = " ".join(_zsh_item(f, o.help) for o in node.options for f in o.flags)
        out.append(f"        cmds=({cmds})")
        out.append(f"        opts=({opts})")
        out.append("        files=1 ;;" if node.files else "        ;;")
    out += [
        "    esac",
        "    if [[ $cur == -* ]]; then",
        "        _describe -t options option opts",
        "    elif (( ${#cmds} )); then",
        "        _describe -t commands command cmds",
        "    elif [[ -n $files ]]; then",
        "        _files",
        "    fi",
        "}",
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        '    _harness "$@"',
        "else",
        "    compdef _harness harness",
        "fi",
    ]
    return "\n".join(out) + "\n"


def _fish(nodes: list[Node]) -> str:
    out = [
        "function __harness_at",
        "    set -l where harness",
        "    set -l words (commandline -opc)",
        "    set -e words[1]",
        "    for w in $words",
        '        switch "$where/$w"',
        f"            case {' '.join(n.path for n in nodes[1:]) or 'harness/-'}",
        '                set where "$where/$w"',
        "        end",
        "    end",
        '    test "$where" = "$argv[1]"',
        "end",
        "complete -c harness -e",
        "complete -c harness -f",
    ]
    for node in nodes:
        at = f"-n {_quote('__harness_at ' + node.path)}"
        for name, help in node.commands.items():
            out.append(f"complete -c harness {at} -a {_quote(name)} -d {_quote(help)}")
        for option in node.options:
            flags = " ".join(_fish_flag(f) for f in option.flags)
            if option.backend:
                value = f" -x -a {_quote('(' + INSTANCES + ')')}"
            elif option.choices:
                value = f" -x -a {_quote(' '.join(option.choices))}"
            else:
                value = " -r -F" if option.value else ""
            out.append(f"complete -c harness {at} {flags}{value} -d {_quote(option.help)}")
        if node.files:
            out.append(f"complete -c harness {at} -F")
    return "\n".join(out) + "\n"


def _fish_flag(flag: str) -> str:
    if flag.startswith("--"):
        return f"-l {flag[2:]}"
    return f"-s {flag[1:]}" if len(flag) == 2 else f"-o {flag[1:]}"
