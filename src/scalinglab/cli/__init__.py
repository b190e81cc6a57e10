"""The ``scalinglab`` command line: a thin typer layer over the library.

Each module in this package that defines ``register(app)`` adds its commands; they are
discovered at start-up, so a new command group is one new file here. Command modules import
only typer and :mod:`scalinglab.cli._common` at module level (the library is imported inside
each command), which keeps ``scalinglab --help`` and every ``--help`` well under 0.5 s; see
the rules in :mod:`scalinglab.cli._common`.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys

import typer

from scalinglab._validation import InputError

try:  # typer >= 0.20 vendors its own copy of click: importing click too would cost 0.1 s
    import typer._click as click
except ImportError:  # pragma: no cover - older typer uses click itself
    import click
_tclick = click.exceptions

__all__ = ["app", "main", "readable_type_labels"]

_APP_SETTINGS: dict = dict(
    name="scalinglab",
    help=(
        "Neural scaling laws: solvable models you can simulate, exact theory for them, "
        "and fits of real scaling data."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_app = typer.Typer(**_APP_SETTINGS)  # commands are added on first use: see app / main()


_LABELS = {"int": "INTEGER", "float": "FLOAT", "str": "TEXT", "path": "PATH", "bool": "BOOLEAN"}


def readable_type_labels() -> None:
    """Show option types as ``INTEGER``, ``FLOAT``, ``TEXT``, ``PATH`` (as other typer and
    click tools do) instead of typer 0.2x's ``<int>``/``<str>``/``<list[str]>``, and no
    label on on/off flags. Patches typer's parameter class once; harmless if typer changes."""
    core = getattr(typer, "core", None)
    param_cls = getattr(core, "_TyperParameter", None)
    original = getattr(param_cls, "display_type", None)
    if original is None or getattr(original, "_scalinglab", False):
        return

    def display_type(self, ctx):  # type: ignore[no-untyped-def]
        if getattr(self, "is_flag", False) or getattr(self, "is_bool_flag", False):
            return None
        label = original(self, ctx)
        if not isinstance(label, str):
            return label
        inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
        if inner.startswith("list[") and inner.endswith("]"):
            inner = inner[5:-1]
        if "|" in inner:  # choices
            return "[" + inner + "]"
        return _LABELS.get(inner.lower(), inner.upper())

    display_type._scalinglab = True  # type: ignore[attr-defined]
    param_cls.display_type = display_type


readable_type_labels()


_REGISTERED = False


def _register_all() -> None:
    """Import every command module of this package and let it ``register`` its commands."""
    global _REGISTERED
    if _REGISTERED:
        return
    _REGISTERED = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(_app)


def __getattr__(name: str) -> typer.Typer:
    """``scalinglab.cli.app``: the typer app with every command module registered."""
    if name == "app":
        _register_all()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


_USAGE_ERRORS = (_tclick.UsageError,)
_CLICK_ERRORS = (_tclick.ClickException,)
_EXITS = tuple({getattr(_tclick, "Exit", typer.Exit), typer.Exit})
_ABORTS = tuple({getattr(_tclick, "Abort", KeyboardInterrupt), KeyboardInterrupt})


def _print_version(value: bool) -> None:
    if value:
        from scalinglab import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


@_app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        help="Print the version and exit.",
        is_eager=True,
        callback=_print_version,
    ),
) -> None:
    """Neural scaling laws: solvable models, exact theory, and fits of scaling data."""


_PARAMETER = re.compile(
    r"The '(?P<name>[-\w]+)' parameter of (?P<owner>.+?) (?P<verb>must|only|is|needs|cannot) "
)


def _options_of(command: click.Command, args: list[str]) -> set[str]:
    """The ``--long`` option names of the (sub)command that ``args`` invoke."""
    cmd = command
    for token in args:
        sub = getattr(cmd, "commands", None)
        if not sub or token.startswith("-"):
            continue
        if token not in sub:
            break
        cmd = sub[token]
    names: set[str] = set()
    for param in getattr(cmd, "params", []):
        names.update(o for o in getattr(param, "opts", []) if o.startswith("--"))
    return names


def _user_message(message: str, options: set[str]) -> str:
    """Say the option the user typed (``--alpha``) where the library names its parameter
    and owner (``The 'alpha' parameter of to_note``), and 'finite' for an unbounded range."""
    m = _PARAMETER.search(message)
    if m:
        name = m["name"].lstrip("-")
        flag = "--" + name.replace("_", "-")
        if flag not in options:  # e.g. noise_var is typed as --noise
            flag = "--" + name.split("_")[0]
        if flag in options:
            message = message[: m.start()] + f"{flag} {m['verb']} " + message[m.end() :]
    return message.replace("a float in the range (-inf, inf)", "a finite number")


def _plain(value: object) -> str | None:
    return None if isinstance(value, typer.models.DefaultPlaceholder) else value  # type: ignore[return-value]


def _noop() -> None:
    """Placeholder callback of a listed command (never run)."""


def _app_for(args: list[str]) -> typer.Typer:
    """A root app holding only what ``args`` need, so typer inspects one command's options.

    Building the click tree inspects every command's signature; ``scalinglab mrs curve
    --help`` needs one command and ``scalinglab --help`` only names and one-line helps (the
    listing uses option-less stand-ins). Same root options, same behaviour.
    """
    import inspect

    first = next((a for a in args if not a.startswith("-")), None)
    commands = {
        (info.name or typer.main.get_command_name(info.callback.__name__)): info
        for info in _app.registered_commands
        if info.callback is not None
    }
    groups = {_plain(g.name): g for g in _app.registered_groups}
    mini = typer.Typer(**_APP_SETTINGS)
    mini.callback()(_root)
    if first in commands:
        mini.registered_commands.append(commands[first])
    elif first in groups:
        mini.registered_groups.append(groups[first])
    else:
        for name, info in commands.items():
            text = info.help or inspect.getdoc(info.callback) or ""
            mini.command(name, help=text, hidden=info.hidden)(_noop)
        for name, g in groups.items():
            sub = g.typer_instance
            text = _plain(g.help) or (_plain(sub.info.help) if sub is not None else None) or ""
            stub = typer.Typer(help=text)
            stub.command("-")(_noop)
            mini.add_typer(stub, name=name, hidden=bool(_plain(g.hidden)))
    return mini


_LITERAL = re.compile(r"``([^`]+)``")


def _plain_help(cmd: click.Command) -> None:
    """Plain help screens: click's layout (typer's rich panels cost 0.2-0.3 s of imports per
    call, half the start-up budget), and reST ``literal`` markup shown as 'literal'."""
    if hasattr(cmd, "rich_markup_mode"):
        cmd.rich_markup_mode = None
    for attr in ("help", "short_help", "epilog"):
        text = getattr(cmd, attr, None)
        if isinstance(text, str) and "``" in text:
            setattr(cmd, attr, _LITERAL.sub(r"'\1'", text))
    for param in getattr(cmd, "params", []):
        text = getattr(param, "help", None)
        if isinstance(text, str) and "``" in text:
            param.help = _LITERAL.sub(r"'\1'", text)
    for sub in (getattr(cmd, "commands", None) or {}).values():
        _plain_help(sub)


def _wants_help(args: list[str]) -> bool:
    head = args[: args.index("--")] if "--" in args else args
    return any(a in ("--help", "-h") for a in head)


def _print_help(command: click.Command, args: list[str]) -> bool:
    """Render the help of the (sub)command ``args`` name without parsing any option: typer
    0.2x would build a pydantic adapter per parameter first (a quarter second of imports).
    Returns False (let click handle it) when ``args`` do not name a command path."""
    ctx = click.Context(command, info_name="scalinglab", **(command.context_settings or {}))
    cmd = command
    for token in args:
        if token.startswith("-"):
            continue
        sub = getattr(cmd, "commands", None)
        if not sub or token not in sub:
            return False
        cmd = sub[token]
        ctx = click.Context(cmd, info_name=token, parent=ctx, **(cmd.context_settings or {}))
    text = cmd.get_help(ctx)
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; bad input gives one line on stderr and exit code 2, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["-V"], ["--version"]):  # fast path: no command module is imported
        from scalinglab import __version__

        sys.stdout.write(f"{__version__}\n")
        return 0
    _register_all()
    command = typer.main.get_command(_app_for(args))
    _plain_help(command)
    if _wants_help(args) and _print_help(command, args):
        return 0
    try:
        rv = command.main(args=args, prog_name="scalinglab", standalone_mode=False)
    except _USAGE_ERRORS as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            # a group called without a subcommand: its help, as `--help` would show it
            sys.stdout.write(exc.ctx.get_help() + "\n")
            return 0
        where = f" ({exc.ctx.command_path})" if exc.ctx is not None else ""
        sys.stderr.write(f"error{where}: {_one_line(exc.format_message())}\n")
        return 2
    except _ABORTS:
        sys.stderr.write("aborted\n")
        return 130
    except _EXITS as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except _CLICK_ERRORS as exc:
        sys.stderr.write(f"error: {_one_line(exc.format_message())}\n")
        return 2
    except InputError as exc:
        message = _user_message(str(exc), _options_of(command, args))
        sys.stderr.write(f"error: {_one_line(message)}\n")
        return 2
    except MemoryError:
        sys.stderr.write(
            "error: out of memory; use smaller sizes (the resource estimate missed this case)\n"
        )
        return 2
    except OSError as exc:  # the file system refused (full disk, permissions, read-only)
        where = f": '{exc.filename}'" if exc.filename else ""
        sys.stderr.write(f"error: {exc.strerror or exc.__class__.__name__}{where}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    if isinstance(rv, int):
        return rv
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
