"""Helpers shared by the CLI command modules: JSON output, errors, progress, safe writes."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from scalinglab._types import to_jsonable
from scalinglab._validation import InputError

__all__ = [
    "CallbackProgress",
    "InputError",
    "atomic_write",
    "emit_json",
    "err_console",
    "fail",
    "out_console",
    "progress_bar",
    "save_figure",
]

out_console = Console()
err_console = Console(stderr=True)


def emit_json(obj: Any) -> None:
    """Print exactly one JSON object on stdout (NaN/inf as null)."""
    typer.echo(json.dumps(to_jsonable(obj), allow_nan=False))


def fail(message: str) -> None:
    """Abort with a one-line error message (exit code 2)."""
    raise InputError(message)


@contextlib.contextmanager
def atomic_write(path: Path | str, mode: str = "wb") -> Iterator[Any]:
    """Write to a temporary file next to ``path`` and rename it on success.

    A failure leaves no half-written file behind.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise InputError(f"The output directory '{path.parent}' does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_figure(fig: Any, path: Path | str, dpi: int = 130) -> Path:
    """Save a matplotlib figure atomically as PNG (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_write(path) as fh:
        fig.savefig(fh, format=fmt, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


@contextlib.contextmanager
def progress_bar(
    description: str, total: int | None, *, enabled: bool = True
) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields ``advance(n)``. Silent when disabled."""
    if not enabled or total is None or total <= 0:
        yield lambda n=1: None
        return
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)


class CallbackProgress:
    """A rich progress bar on stderr driven by a library ``progress(done, total)`` callback.

    Library functions take ``progress: Callable[[int, int], None] | None`` and never print;
    the CLI passes an instance of this class.
    """

    def __init__(self, label: str, *, enabled: bool = True) -> None:
        self.label = label
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> CallbackProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=None)
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
