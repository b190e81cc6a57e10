"""Helpers shared by the CLI command modules.

Writing a command module (``cli/<name>.py`` with ``register(app)``; it is found at start-up):

- **Start-up cost.** The module is imported for ``scalinglab --help``: import only typer,
  the standard library and ``scalinglab.cli._common`` at module level; import numpy-heavy
  library code (scipy, pandas, matplotlib, models) *inside* the command function.
  ``tests/cli/test_help_speed.py`` fails if a command module pulls in scipy at start-up.
- **Options.** Every option has help text. Reuse :data:`Json`, :data:`Quiet`, :data:`Force`,
  :data:`Dpi` below. Type labels read ``INTEGER``/``FLOAT``/``TEXT``/``PATH`` (see
  :func:`scalinglab.cli.readable_type_labels`).
- **Errors.** Raise :class:`InputError` (or call :func:`fail`) naming the option the user
  typed (``--alpha must be ...``), never an internal function: the CLI prints one line on
  stderr and exits with code 2.
- **Outputs.** Declare every file the command writes in one
  :class:`~scalinglab.cli.output.Outputs` *before* any work (``outputs.file(path,
  option="--plot", suffixes=FIGURE_SUFFIXES)``), write with ``outputs.open`` /
  ``outputs.save_figure``, and print only after the ``with`` block: files appear together
  when the command succeeds (umask permissions), and nothing is left when it fails.
- **Resources.** Before allocating, estimate peak memory (bytes) and work (seconds at
  :data:`~scalinglab.cli.output.NOMINAL_FLOPS`) from the arguments and call
  ``guard("what", memory=..., seconds=..., force=force)``; offer ``--force``.
- **Progress.** Pass ``CallbackProgress(label, enabled=not (quiet or json_))`` as the
  library's ``progress`` callback: a bar on a terminal, a line every 30 s otherwise.
- **JSON.** ``--json`` prints exactly one object through :func:`emit_json` (NaN -> null).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from scalinglab._validation import InputError
from scalinglab.cli.output import (
    FIGURE_FORMATS,
    FIGURE_SUFFIXES,
    CallbackProgress,
    Outputs,
    guard,
)

__all__ = [
    "FIGURE_FORMATS",
    "FIGURE_SUFFIXES",
    "CallbackProgress",
    "Dpi",
    "Force",
    "InputError",
    "Json",
    "Outputs",
    "Quiet",
    "atomic_write",
    "emit_json",
    "err_console",
    "fail",
    "guard",
    "out_console",
    "progress_bar",
    "save_figure",
]


class _LazyConsole:
    """A rich ``Console`` made on first use (rich.console costs 0.1 s at start-up)."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._kwargs)
        return getattr(self._console, name)


out_console: Any = _LazyConsole()
err_console: Any = _LazyConsole(stderr=True)

#: ``--json``: print exactly one JSON object on stdout.
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
#: ``--quiet``: no progress output.
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar or progress lines.")]
#: ``--force``: run even when the resource estimate exceeds the machine.
Force = Annotated[
    bool,
    typer.Option(
        "--force", help="Run even if the memory/time estimate exceeds what this machine has."
    ),
]


#: ``--dpi``: resolution of raster figures.
def _check_dpi(value: int) -> int:
    if not 20 <= value <= 1200:
        raise InputError(f"--dpi must be between 20 and 1200; got {value}")
    return value


Dpi = Annotated[
    int,
    typer.Option(
        "--dpi", help="Resolution of PNG figures, 20-1200 dots per inch.", callback=_check_dpi
    ),
]


def emit_json(obj: Any) -> None:
    """Print exactly one JSON object on stdout (NaN/inf as null)."""
    from scalinglab._types import to_jsonable

    typer.echo(json.dumps(to_jsonable(obj), allow_nan=False))


def fail(message: str) -> None:
    """Abort with a one-line error message (exit code 2)."""
    raise InputError(message)


@contextlib.contextmanager
def atomic_write(path: Path | str, mode: str = "wb", *, option: str = "output") -> Iterator[Any]:
    """Write one file through the output layer (validated, atomic, umask permissions).

    Prefer one :class:`Outputs` per command when it writes several files.
    """
    with Outputs() as outputs:
        target = outputs.file(path, option=option)
        with outputs.open(target, mode) as fh:
            yield fh


def save_figure(fig: Any, path: Path | str, dpi: int = 150, *, option: str = "--plot") -> Path:
    """Save one matplotlib figure through the output layer (.png, .pdf or .svg)."""
    with Outputs() as outputs:
        target = outputs.file(path, option=option, suffixes=FIGURE_SUFFIXES)
        outputs.save_figure(fig, target, dpi=dpi)
    return Path(path)


@contextlib.contextmanager
def progress_bar(
    description: str, total: int | None, *, enabled: bool = True
) -> Iterator[Callable[[int], None]]:
    """Count ``total`` steps; yields ``advance(n)`` (bar on a terminal, lines otherwise)."""
    if not enabled or total is None or total <= 0:
        yield lambda n=1: None
        return
    done = 0
    with CallbackProgress(description, enabled=enabled) as prog:

        def advance(n: int = 1) -> None:
            nonlocal done
            done += n
            prog(done, total)

        yield advance
