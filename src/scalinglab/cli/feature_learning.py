"""``scalinglab feature-learning simulate|predict|frontier``: the rich regime of a two-layer
linear network on power-law data (note §3; :mod:`scalinglab.models.feature_learning`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalinglab.cli._common import (
    FIGURE_SUFFIXES,
    CallbackProgress,
    Dpi,
    Force,
    Outputs,
    emit_json,
    err_console,
    fail,
    guard,
)
from scalinglab.cli.output import NOMINAL_FLOPS

fl_app = typer.Typer(
    help=(
        "Feature learning (rich regime): a two-layer linear network f = wᵀBSx whose layer B "
        "trains with strength γ (γ = 0: the lazy model of `scalinglab sgd`). Simulation, "
        "exact/deterministic flow, compute-optimal frontier."
    ),
    no_args_is_help=True,
)

Alpha = Annotated[float, typer.Option("--alpha", help="Capacity exponent (in --convention).")]
Beta = Annotated[
    float | None, typer.Option("--beta", help="Source exponent (omit for --convention mrs).")
]
Convention = Annotated[
    str, typer.Option("--convention", help="note | lin | paquette | mrs (how to read α, β).")
]
Dim = Annotated[int, typer.Option("--dim", help="Data dimension d.")]
Features = Annotated[int, typer.Option("--features", help="Width N (sketched features m).")]
Gamma = Annotated[float, typer.Option("--gamma", help="Feature-learning strength γ >= 0.")]
Time = Annotated[float, typer.Option("--time", help="Final gradient-flow time t.")]
Record = Annotated[int, typer.Option("--record", help="Number of log-spaced report times.")]
Noise = Annotated[float, typer.Option("--noise", help="Label-noise variance σ².")]
Sketch = Annotated[str, typer.Option("--sketch", help="gaussian | none (needs N = d).")]
Seeds = Annotated[int, typer.Option("--seeds", help="Independent sketches.")]
Seed = Annotated[int, typer.Option("--seed", help="Base random seed.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
Plot = Annotated[
    Path | None,
    typer.Option("--plot", help="Save a figure here: .png, .pdf or .svg (replaces a file)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


def _config(**kw):
    from scalinglab.models.feature_learning import FLConfig

    return FLConfig(**kw)


def _print_curve(times, cols: dict) -> None:
    typer.echo(f"{'time':>12s}" + "".join(f"{k:>14s}" for k in cols))
    for i, t in enumerate(times):
        typer.echo(f"{t:>12.5g}" + "".join(f"{v[i]:>14.6g}" for v in cols.values()))


@fl_app.command("simulate")
def simulate_cmd(
    alpha: Alpha,
    beta: Beta = None,
    dim: Dim = 400,
    features: Features = 100,
    convention: Convention = "note",
    gamma: Gamma = 1.0,
    time: Time = 1000.0,
    record: Record = 30,
    noise: Noise = 0.0,
    sketch: Sketch = "gaussian",
    seeds: Seeds = 4,
    seed: Seed = 0,
    method: Annotated[
        str,
        typer.Option(
            "--method", help="network (GD on w and B, O(N²) per step) | reduced (exact flow)."
        ),
    ] = "network",
    lr: Annotated[
        float | None, typer.Option("--lr", help="Network GD step (default: a stable choice).")
    ] = None,
    json_: Json = False,
    plot: Plot = None,
    dpi: Dpi = 150,
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Risk vs flow time over seeds (mean and standard error)."""
    if seeds < 1:
        fail(f"--seeds must be >= 1; got {seeds}")
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        from scalinglab.models.feature_learning import predict, simulate

        cfg = _config(dim=dim, features=features, alpha=alpha, beta=beta, convention=convention,
                      gamma=gamma, time=time, record=record, noise_var=noise,
                      sketch=sketch)  # fmt: skip
        m = dim if sketch == "none" else features
        eta = lr or cfg.default_lr()
        per_step = 6.0 * m * m if method == "network" else 40.0 * m
        steps = time / eta if method == "network" else 2000.0
        guard(f"feature-learning simulate at N={m}", memory=8.0 * (m * dim + 4 * m * m),
              seconds=seeds * (4.0 * m * dim * m + steps * per_step) / NOMINAL_FLOPS,
              force=force)  # fmt: skip
        with CallbackProgress("simulating", enabled=not (quiet or json_)) as prog:
            sim = simulate(cfg, seeds=seeds, seed=seed, method=method, lr=lr, progress=prog)
        if plot_path is not None:
            pred = predict(cfg, theory="exact", seeds=seeds, seed=seed)
            ax = sim.plot(theory=pred)
            outputs.save_figure(ax.figure, plot_path, dpi=dpi)
    if json_:
        emit_json(sim.to_dict())
    else:
        _print_curve(sim.times, {"risk_mean": sim.loss, "risk_sem": sim.loss_sem})


@fl_app.command("predict")
def predict_cmd(
    alpha: Alpha,
    beta: Beta = None,
    dim: Dim = 400,
    features: Features = 100,
    convention: Convention = "note",
    gamma: Gamma = 1.0,
    time: Time = 1000.0,
    record: Record = 30,
    noise: Noise = 0.0,
    sketch: Sketch = "gaussian",
    seeds: Seeds = 4,
    seed: Seed = 0,
    theory: Annotated[
        str,
        typer.Option(
            "--theory",
            help="auto | exact (reduced flow per sketch, averaged over --seeds) | "
            "deterministic (on the sketch's deterministic-equivalent atoms).",
        ),
    ] = "auto",
    json_: Json = False,
    plot: Plot = None,
    dpi: Dpi = 150,
    force: Force = False,
) -> None:
    """Exact reduced gradient flow of the network (γ = 0: the lazy closed form)."""
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        from scalinglab.models.feature_learning import predict

        cfg = _config(dim=dim, features=features, alpha=alpha, beta=beta, convention=convention,
                      gamma=gamma, time=time, record=record, noise_var=noise,
                      sketch=sketch)  # fmt: skip
        m = dim if sketch == "none" else features
        guard(f"feature-learning predict at N={m}", memory=8.0 * (m * dim + 16 * dim),
              seconds=seeds * (4.0 * m * dim * m + 4e4 * m) / NOMINAL_FLOPS,
              force=force)  # fmt: skip
        pred = predict(cfg, theory=theory, seeds=seeds, seed=seed)
        if plot_path is not None:
            outputs.save_figure(pred.plot().figure, plot_path, dpi=dpi)
    if str(pred.status) != "converged":
        err_console.print(f"[yellow]warning: {pred.status}: {pred.message}[/yellow]")
    if json_:
        emit_json(pred.to_dict())
    else:
        _print_curve(pred.times, {"risk": pred.risk})


@fl_app.command("frontier")
def frontier_cmd(
    alpha: Alpha,
    beta: Beta = None,
    convention: Convention = "note",
    gamma: Gamma = 4.0,
    min_features: Annotated[int, typer.Option("--min-features", help="Smallest N.")] = 32,
    max_features: Annotated[int, typer.Option("--max-features", help="Largest N.")] = 2048,
    num_features: Annotated[int, typer.Option("--num-features", help="Number of widths.")] = 7,
    dim_ratio: Annotated[
        float, typer.Option("--dim-ratio", help="Data dimension d = ratio·N.")
    ] = 4.0,
    max_time: Annotated[float, typer.Option("--max-time", help="Longest flow time.")] = 3e4,
    json_: Json = False,
    plot: Plot = None,
    dpi: Dpi = 150,
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Compute-optimal frontier (C = N·t) of the rich-regime flow vs both candidate laws."""
    if not (2 <= min_features < max_features):
        fail("--min-features must be >= 2 and smaller than --max-features.")
    if num_features < 3:
        fail("--num-features must be >= 3.")
    if not (1.0 <= dim_ratio < float("inf")):
        fail(f"--dim-ratio must be a finite number >= 1; got {dim_ratio}")
    if not (max_time > 1.0):
        fail(f"--max-time must be > 1; got {max_time}")
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        import numpy as np

        from scalinglab.core.exponents import to_note
        from scalinglab.models.feature_learning.frontier import rich_frontier

        a, b = to_note(convention, alpha, beta)
        sizes = np.logspace(np.log10(min_features), np.log10(max_features), num_features)
        guard("feature-learning frontier", memory=8.0 * 64 * dim_ratio * max_features,
              seconds=num_features * 5e6 * dim_ratio * max_features / NOMINAL_FLOPS,
              force=force)  # fmt: skip
        with CallbackProgress("frontier", enabled=not (quiet or json_)) as prog:
            fr = rich_frontier(a, b, gamma, features=sizes, dim_ratio=dim_ratio,
                               max_time=max_time, progress=prog)  # fmt: skip
        if plot_path is not None:
            from scalinglab.plots.dynamics import plot_rich_frontier

            outputs.save_figure(plot_rich_frontier(fr).figure, plot_path, dpi=dpi)
    if json_:
        emit_json(fr.to_dict())
        return
    typer.echo(f"γ = {gamma:g}   fit window: C = {fr.fit_window[0]:.3g} .. {fr.fit_window[1]:.3g}")
    typer.echo(f"{'exponent':<22s}{'fitted':>10s}{'width kept':>12s}{'β→χ':>10s}")
    for key in ("loss_vs_compute", "features_vs_compute"):
        f = fr.fitted.get(key)
        fs = "-" if f is None else f"{f:.4f}"
        w = fr.predicted["width_unchanged"][key]
        c = fr.predicted["beta_to_chi"][key]
        typer.echo(f"{key:<22s}{fs:>10s}{w:>12.4f}{c:>10.4f}")
    if str(fr.status) != "converged":
        err_console.print(f"[yellow]{fr.status}: {fr.message}[/yellow]")


def register(app: typer.Typer) -> None:
    app.add_typer(fl_app, name="feature-learning")
