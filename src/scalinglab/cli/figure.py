"""``scalinglab figure ID --out DIR``: reproduce a paper figure as PNG (+ CSV of its data)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalinglab.cli._common import (
    FIGURE_FORMATS,
    CallbackProgress,
    Dpi,
    Outputs,
    emit_json,
    err_console,
    fail,
)


def figure(
    figure_id: Annotated[str, typer.Argument(help="Figure id, e.g. mrs-fig8 (see --list).")] = "",
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Output directory (created; files of the same name are replaced)."
        ),
    ] = Path("."),
    seeds: Annotated[
        int | None, typer.Option(help="Seeds per simulated point (default: the figure's).")
    ] = None,
    quick: Annotated[bool, typer.Option(help="Smaller grid, for a fast look.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="Image format: png, pdf or svg.")] = "png",
    dpi: Dpi = 150,
    list_: Annotated[bool, typer.Option("--list", help="List the available figures.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the written files as JSON.")] = False,
) -> None:
    """Reproduce a figure of a source paper (same settings as its caption)."""
    from scalinglab.figures import available_figures

    specs = available_figures()
    if list_ or not figure_id:
        if json_:
            emit_json({k: v.description for k, v in specs.items()})
        else:
            for key, spec in specs.items():
                typer.echo(f"{key:12s} {spec.description}")
        return
    if figure_id not in specs:
        fail(f"unknown figure '{figure_id}'; choose one of: {', '.join(specs)}")
    if seeds is not None and seeds < 1:
        fail(f"--seeds must be >= 1, got {seeds}")
    fmt = fmt.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        fail(f"--format must be one of {', '.join(FIGURE_FORMATS)}; got {fmt!r}")
    spec = specs[figure_id]
    kwargs: dict[str, object] = {"quick": quick}
    if seeds is not None:
        kwargs["seeds"] = seeds
    with Outputs() as outputs:
        outputs.directory(out, option="--out")
        with CallbackProgress(figure_id, enabled=not (quiet or json_)) as prog:
            output = spec.make(progress=prog, **kwargs)
        for name, fig in output.figures.items():
            path = out / f"{figure_id}{'' if name == 'main' else '-' + name}.{fmt}"
            outputs.save_figure(fig, outputs.file(path, option="--out"), dpi=dpi, fmt=fmt)
        for name, table in output.tables.items():
            path = out / f"{figure_id}{'' if name == 'main' else '-' + name}.csv"
            with outputs.open(outputs.file(path, option="--out"), "w") as fh:
                table.to_csv(fh, index=False)
    written = [str(p) for p in outputs.written]
    if json_:
        summary = None if output.summary is None else output.summary.to_dict(orient="records")
        emit_json(
            {"figure": figure_id, "files": written, "notes": output.notes, "summary": summary}
        )
    else:
        if output.summary is not None:
            _print_summary(figure_id, output.summary)
        for note in output.notes:
            err_console.print(f"[dim]{note}[/dim]")
        for path in written:
            typer.echo(path)


def _print_summary(figure_id: str, frame) -> None:
    from rich.table import Table

    from scalinglab.cli._common import out_console

    table = Table(title=f"{figure_id}: simulation vs theory")
    for col in frame.columns:
        table.add_column(str(col), justify="left" if frame[col].dtype == object else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row])
    out_console.print(table)


def register(app: typer.Typer) -> None:
    app.command("figure")(figure)
