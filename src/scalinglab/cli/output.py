"""The output layer, resource guards and progress reporting shared by every command.

Import nothing heavy here: this module is loaded for ``scalinglab --help``.

Outputs
-------
A command that writes files declares them all in one :class:`Outputs` before any work::

    with Outputs() as outputs:
        png = outputs.file(out, option="--out", suffixes=FIGURE_SUFFIXES)
        ...compute...
        outputs.save_figure(fig, png, dpi=dpi)
        with outputs.open(csv, "w") as fh:
            frame.to_csv(fh)
    # leaving the block without an error moves every file into place; any error
    # (bad input, OSError, Ctrl-C) removes everything the command wrote.

:meth:`Outputs.file` checks, before anything is computed, that the target is not a directory,
that its suffix is supported and that its directory exists and accepts a new file (a real
probe, so read-only file systems are caught even for root). Existing files are replaced
(the policy every ``--out`` help text states). Files are written to a temporary name in the
target directory and renamed into place only when the whole command succeeded, with the
permissions of the user's umask (or those of the file being replaced). Every failure is an
:class:`~scalinglab._validation.InputError`: one line on stderr, exit code 2.

Resource guards
---------------
:func:`guard` refuses a command whose estimated peak memory exceeds what the machine has
available, or whose estimated work exceeds :data:`WORK_LIMIT_S` seconds at nominal speed,
unless ``force`` is set; the message states the estimate.

Progress
--------
:class:`CallbackProgress` is a ``progress(done, total)`` callback for library functions: a
bar on a terminal, and one line every :data:`PROGRESS_EVERY_S` seconds otherwise (logs,
pipes, batch jobs). It starts drawing on the first call, so an error raised before any
progress leaves no blank line.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from scalinglab._validation import InputError

__all__ = [
    "FIGURE_FORMATS",
    "FIGURE_SUFFIXES",
    "PROGRESS_EVERY_S",
    "WORK_LIMIT_S",
    "CallbackProgress",
    "Outputs",
    "available_memory",
    "format_bytes",
    "format_seconds",
    "guard",
]

FIGURE_FORMATS = ("png", "pdf", "svg")
FIGURE_SUFFIXES = tuple(f".{f}" for f in FIGURE_FORMATS)
#: Estimated work beyond this many seconds (at nominal speed) is refused without --force.
WORK_LIMIT_S = 2 * 3600.0
#: Seconds between one-line progress reports when stderr is not a terminal.
PROGRESS_EVERY_S = 30.0
#: Floating-point operations per second assumed by work estimates (two cores, BLAS level 3).
NOMINAL_FLOPS = 2e10


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _probe_directory(directory: Path, option: str) -> None:
    """Fail unless a new file can really be created in ``directory``."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".scalinglab-probe-", dir=directory)
    except OSError as exc:
        raise InputError(f"{option}: cannot write in '{directory}': {_reason(exc)}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def root_figure(drawn: Any) -> Any:
    """The Figure behind what a plot function returned: a Figure, an Axes or several Axes."""
    if hasattr(drawn, "savefig"):
        return drawn
    if hasattr(drawn, "figure"):
        return drawn.figure
    first = next(iter(getattr(drawn, "flat", drawn)))
    return first.figure


class Outputs:
    """Every file one command writes: validated up front, committed together, or none.

    Parameters
    ----------
    overwrite : bool
        Replace existing files (default). With False an existing target is refused.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with Outputs() as outputs:
    ...     target = outputs.file(d / "a.csv", option="--csv", suffixes=(".csv",))
    ...     with outputs.open(target, "w") as fh:
    ...         _ = fh.write("x\\n1\\n")
    >>> (d / "a.csv").read_text()
    'x\\n1\\n'
    >>> outputs.file(d / "a.xlsx", option="--csv", suffixes=(".csv",))
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: --csv must end in .csv; got 'a.xlsx'
    """

    def __init__(self, *, overwrite: bool = True) -> None:
        self.overwrite = overwrite
        self._pending: list[tuple[str, Path]] = []  # (temporary file, target)
        self._created_dirs: list[Path] = []
        self._options: dict[Path, str] = {}
        self.written: list[Path] = []

    # -------------------------------------------------------------- declaring targets
    def file(
        self,
        path: Path | str,
        *,
        option: str,
        suffixes: tuple[str, ...] | None = None,
    ) -> Path:
        """Validate the output file ``path`` given with ``option``; return it as a Path."""
        path = Path(path)
        if path.is_dir():
            raise InputError(f"{option}: '{path}' is a directory; give a file name")
        if suffixes is not None and path.suffix.lower() not in suffixes:
            allowed = ", ".join(suffixes[:-1]) + (" or " if len(suffixes) > 1 else "")
            allowed += suffixes[-1]
            raise InputError(f"{option} must end in {allowed}; got '{path.name}'")
        if path.exists() and not self.overwrite:
            raise InputError(f"{option}: '{path}' exists and would not be replaced")
        parent = path.parent
        if not parent.exists():
            raise InputError(f"{option}: the directory '{parent}' does not exist")
        if not parent.is_dir():
            raise InputError(f"{option}: '{parent}' is not a directory")
        _probe_directory(parent, option)
        self._options[path] = option
        return path

    def directory(self, path: Path | str, *, option: str) -> Path:
        """Validate an output directory; create it (removed again if the command fails)."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise InputError(f"{option}: '{path}' exists and is not a directory")
        missing: list[Path] = []
        p = path
        while not p.exists():
            missing.append(p)
            p = p.parent
        if not p.is_dir():
            raise InputError(f"{option}: '{p}' is not a directory")
        _probe_directory(p, option)
        for d in reversed(missing):
            try:
                d.mkdir()
            except OSError as exc:
                raise InputError(f"{option}: cannot create '{d}': {_reason(exc)}") from None
            self._created_dirs.append(d)
        _probe_directory(path, option)
        return path

    # -------------------------------------------------------------- writing
    @contextlib.contextmanager
    def open(self, path: Path | str, mode: str = "wb") -> Iterator[IO[Any]]:
        """Open a temporary file for ``path``; it replaces ``path`` when the command succeeds."""
        path = Path(path)
        option = self._options.get(path, "output")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        except OSError as exc:
            raise InputError(f"{option}: cannot write '{path}': {_reason(exc)}") from None
        self._pending.append((tmp, path))
        try:
            with os.fdopen(fd, mode) as fh:
                yield fh
        except OSError as exc:
            raise InputError(f"{option}: cannot write '{path}': {_reason(exc)}") from None

    def save_figure(
        self, fig: Any, path: Path | str, *, dpi: int = 150, fmt: str | None = None
    ) -> Path:
        """Save a matplotlib figure (format from ``fmt`` or the suffix), then release it."""
        path = Path(path)
        if not 20 <= dpi <= 1200:
            raise InputError(f"--dpi must be between 20 and 1200; got {dpi}")
        fmt = (fmt or path.suffix.lstrip(".") or "png").lower()
        fig = root_figure(fig)
        try:
            with self.open(path, "wb") as fh:
                fig.savefig(fh, format=fmt, dpi=dpi, bbox_inches="tight")
        finally:
            with contextlib.suppress(Exception):
                fig.clear()
        return path

    # -------------------------------------------------------------- commit / discard
    def commit(self) -> list[Path]:
        """Move every written file into place (with the umask's permissions)."""
        fresh = _umask_mode()
        done: list[Path] = []
        try:
            for tmp, target in self._pending:
                mode = (target.stat().st_mode & 0o777) if target.exists() else fresh
                os.chmod(tmp, mode)
                existed = target.exists()
                os.replace(tmp, target)
                if not existed:
                    done.append(target)
                self.written.append(target)
        except OSError as exc:
            for target in done:
                with contextlib.suppress(OSError):
                    target.unlink()
            self.discard()
            raise InputError(f"cannot move the outputs into place: {_reason(exc)}") from None
        self._pending.clear()
        self._created_dirs.clear()
        return list(self.written)

    def discard(self) -> None:
        """Remove every temporary file and every directory this command created."""
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._pending.clear()
        for d in reversed(self._created_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        self._created_dirs.clear()

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


# ------------------------------------------------------------------ resource guards
def available_memory() -> int:
    """Bytes of memory available to a new allocation (``MemAvailable``, else physical RAM)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    with contextlib.suppress(ValueError, OSError, AttributeError):
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    return 2**62  # unknown: do not refuse


def format_bytes(n: float) -> str:
    """Human-readable bytes: ``format_bytes(3.2e10) == '29.8 GiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def format_seconds(s: float) -> str:
    """Human-readable duration: seconds, minutes, hours or days."""
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 3 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.3g} days"


def guard(
    what: str,
    *,
    memory: float = 0.0,
    seconds: float = 0.0,
    force: bool = False,
    hint: str = "use smaller sizes",
) -> None:
    """Refuse ``what`` if its estimated peak ``memory`` (bytes) or work (``seconds``) is
    beyond this machine, unless ``force``. The estimates come from the arguments alone.

    Examples
    --------
    >>> guard("tiny", memory=1e3, seconds=1.0)
    >>> guard("huge", memory=8e18)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: huge needs about 6.9 EiB... of memory ...
    """
    if force:
        return
    avail = available_memory()
    if memory > avail:
        size = format_bytes(memory) if memory < 1024**6 else f"{memory / 1024**6:.1f} EiB"
        raise InputError(
            f"{what} needs about {size} of memory (estimate) but this machine has "
            f"{format_bytes(avail)} available; {hint}, or pass --force to try anyway"
        )
    if seconds > WORK_LIMIT_S:
        raise InputError(
            f"{what} would run for about {format_seconds(seconds)} (rough estimate from the "
            f"sizes), beyond the {format_seconds(WORK_LIMIT_S)} allowed without --force; "
            f"{hint}, or pass --force to run it anyway"
        )


# ------------------------------------------------------------------ progress
class CallbackProgress:
    """A ``progress(done, total)`` callback: a bar on a terminal, periodic lines otherwise.

    Parameters
    ----------
    label : str
        What is running (shown before the counts).
    enabled : bool
        False: silent (``--quiet``, ``--json``).
    every : float
        Seconds between one-line reports when stderr is not a terminal.
    """

    def __init__(self, label: str, *, enabled: bool = True, every: float = PROGRESS_EVERY_S):
        self.label = label
        self.enabled = enabled
        self.every = every
        self._progress: Any = None
        self._task: Any = None
        self._tty: bool | None = None
        self._t0 = time.monotonic()
        self._last = self._t0

    def __enter__(self) -> CallbackProgress:
        self._t0 = self._last = time.monotonic()
        return self

    def _console(self) -> Any:
        """The rich console the bar draws on (stderr)."""
        from scalinglab.cli._common import err_console

        return err_console

    def _start_bar(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self._console(),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=None)

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._tty is None:
            self._tty = bool(self._console().is_terminal)
        if self._tty:
            if self._progress is None:
                self._start_bar()
            self._progress.update(self._task, completed=done, total=total)
            return
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            share = f" ({100 * done / total:.0f} %)" if total else ""
            sys.stderr.write(
                f"{self.label}: {done}/{total}{share} after {format_seconds(now - self._t0)}\n"
            )
            sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
