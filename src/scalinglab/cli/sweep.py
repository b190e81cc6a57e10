"""``scalinglab sweep run|status|export`` and ``scalinglab report``: grids of model runs.

::

    scalinglab sweep run SPEC.toml [--db FILE] [--executor local|process|dask] [--workers K]
                                   [--scheduler ADDR] [--quiet] [--json]
    scalinglab sweep status FILE.db [--json]   -> {"total", "done", "failed", "pending"}
    scalinglab sweep export FILE.db --out FILE.csv|FILE.parquet [--json]
    scalinglab report FILE.db --out report.html [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from scalinglab.cli._common import CallbackProgress, Outputs, emit_json, err_console, fail

sweep_app = typer.Typer(
    help="Grids of model runs (simulate / predict) in a crash-safe, resumable SQLite store.",
    no_args_is_help=True,
)

MAX_FAILURES_SHOWN = 5


def _rate_column_class() -> type:
    """The rich column showing points per second (seconds per point when slower)."""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            if not speed:
                return Text("-- pt/s", style="progress.data.speed")
            if speed >= 1:
                return Text(f"{speed:.1f} pt/s", style="progress.data.speed")
            return Text(f"{1 / speed:.1f} s/pt", style="progress.data.speed")

    return RateColumn


def __getattr__(name: str) -> Any:
    if name == "_RateColumn":  # rich.progress is imported on first use (start-up time)
        return _rate_column_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _SweepProgress(CallbackProgress):
    """The shared progress callback, with the rate (points/s) and ETA on a terminal, and a
    line every 30 s otherwise."""

    def _console(self) -> Any:
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
            _rate_column_class()(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=None)


def _show_failures(store: Any) -> None:
    failures = store.failures(limit=MAX_FAILURES_SHOWN)
    for _, params, error in failures:
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        err_console.print(
            f"[red]failed[/red] {shown}: {error}", markup=True, highlight=False, soft_wrap=True
        )


@sweep_app.command("run")
def run(
    spec: Annotated[Path, typer.Argument(help="Sweep spec (TOML); see docs/sweeps.md.")],
    db: Annotated[
        Path | None, typer.Option("--db", help="Result store (default: SPEC with .db suffix).")
    ] = None,
    executor: Annotated[
        str | None,
        typer.Option(help="local | process | dask (default: process if >1 core, else local)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: one per core).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://host:8786); implies --executor dask."),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar, no messages on stderr.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run every point of a sweep not done yet (re-running resumes; failed points are retried)."""
    from scalinglab.sweeps.executors import make_executor
    from scalinglab.sweeps.runner import run_sweep
    from scalinglab.sweeps.spec import load_spec
    from scalinglab.sweeps.store import SweepStore

    if spec.is_dir():
        fail(f"'{spec}' is a directory, not a sweep spec (.toml)")
    sweep = load_spec(spec)
    db_path = db if db is not None else spec.with_suffix(".db")
    if not db_path.exists():  # a new store: its directory must accept files
        Outputs().file(db_path, option="--db")
    elif db_path.is_dir():
        fail(f"--db: '{db_path}' is a directory; give a file name")
    ex = make_executor(executor, workers=workers, scheduler=scheduler)
    with SweepStore.open(db_path, create=True, lock=True) as store:
        try:
            with _SweepProgress(sweep.name, enabled=not quiet) as prog:
                result = run_sweep(sweep, store, ex, progress=prog)
        except KeyboardInterrupt:
            counts = store.counts()
            sys.stderr.write(
                f"interrupted: {counts['done']}/{counts['total']} points recorded in {db_path}; "
                "run the same command again to resume\n"
            )
            raise typer.Exit(130) from None
        if result.failed and not quiet:
            _show_failures(store)
    if json_:
        emit_json({"db": str(db_path), **result.to_dict()})
        return
    typer.echo(
        f"{sweep.name}: {result.done}/{result.total} done, {result.failed} failed, "
        f"{result.pending} pending (ran {result.ran}, {result.skipped} already done) in "
        f"{result.elapsed_s:.1f} s [{result.executor} x{result.workers}] -> {db_path}"
    )


@sweep_app.command("status")
def status(
    db: Annotated[Path, typer.Argument(help="Sweep store (.db).")],
    json_: Annotated[
        bool, typer.Option("--json", help='Print {"total", "done", "failed", "pending"}.')
    ] = False,
) -> None:
    """Progress of a sweep: points total / done / failed / pending (safe while it runs)."""
    from scalinglab.sweeps.store import SweepStore

    with SweepStore.open(db, readonly=True) as store:
        counts = store.counts()
        meta = store.meta
        if json_:
            emit_json(counts)
            return
        name = meta.get("name", "(not run yet)")
        typer.echo(
            f"{name} ({meta.get('model', '?')}): {counts['total']} points, {counts['done']} "
            f"done, {counts['failed']} failed, {counts['pending']} pending"
        )
        if counts["failed"]:
            _show_failures(store)


@sweep_app.command("export")
def export(
    db: Annotated[Path, typer.Argument(help="Sweep store (.db).")],
    out: Annotated[
        Path,
        typer.Option("--out", help="FILE.csv or FILE.parquet (an existing file is replaced)."),
    ],
    json_: Annotated[bool, typer.Option("--json", help="Print {out, rows} as JSON.")] = False,
) -> None:
    """Write every point of a sweep (parameters, results, status) to CSV or Parquet."""
    with Outputs() as outputs:
        target = outputs.file(out, option="--out", suffixes=(".csv", ".parquet"))
        from scalinglab.sweeps.store import SweepStore

        with SweepStore.open(db, readonly=True) as store:
            frame = store.frame()
        with outputs.open(target, "wb") as fh:
            if target.suffix.lower() == ".csv":
                fh.write(frame.to_csv(index=False).encode())
            else:
                frame.to_parquet(fh, index=False)
        rows = len(frame)
    if json_:
        emit_json({"out": str(out), "rows": rows})
    else:
        typer.echo(f"{rows} rows -> {out}")


def report(
    db: Annotated[Path, typer.Argument(help="Sweep store (.db).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="HTML file (default: DB with .html suffix; an existing file is replaced)."
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print {out, ...} as JSON.")] = False,
) -> None:
    """One self-contained HTML page: theory vs simulation, residuals, fitted law, run table."""
    out_path = out if out is not None else db.with_suffix(".html")
    with Outputs() as outputs:
        target = outputs.file(out_path, option="--out", suffixes=(".html", ".htm"))
        from scalinglab.sweeps.report import build_report

        rep = build_report(db)
        with outputs.open(target, "w") as fh:
            fh.write(rep.html)
    if json_:
        emit_json({"out": str(out_path), **rep.summary()})
    else:
        typer.echo(f"report -> {out_path}")


def register(app: typer.Typer) -> None:
    app.add_typer(sweep_app, name="sweep")
    app.command("report")(report)
