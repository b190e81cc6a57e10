"""The ``scalinglab`` command line: a thin typer layer over the library.

Each module in this package that defines ``register(app)`` adds its commands; they are
discovered at start-up, so a new command group is one new file here.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click
import typer

try:  # typer >= 0.20 vendors its own copy of click
    from typer._click import exceptions as _tclick
except ImportError:  # pragma: no cover - older typer uses click itself
    _tclick = click.exceptions

from scalinglab._validation import InputError

__all__ = ["app", "main"]

app = typer.Typer(
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


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)


_register_all()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


_USAGE_ERRORS = (click.exceptions.UsageError, _tclick.UsageError)
_CLICK_ERRORS = (click.exceptions.ClickException, _tclick.ClickException)
_EXITS = tuple({click.exceptions.Exit, getattr(_tclick, "Exit", click.exceptions.Exit), typer.Exit})
_ABORTS = tuple({click.exceptions.Abort, getattr(_tclick, "Abort", click.exceptions.Abort)})


def _print_version(value: bool) -> None:
    if value:
        from scalinglab import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        is_eager=True,
        callback=_print_version,
    ),
) -> None:
    """Neural scaling laws: solvable models, exact theory, and fits of scaling data."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; bad input gives one line on stderr and exit code 2, never a traceback."""
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    try:
        rv = command.main(args=args, prog_name="scalinglab", standalone_mode=False)
    except _USAGE_ERRORS as exc:
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
        sys.stderr.write(f"error: {_one_line(str(exc))}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    if isinstance(rv, int):
        return rv
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
