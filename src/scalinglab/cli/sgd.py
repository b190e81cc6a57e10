"""``scalinglab sgd simulate|predict|frontier|phases`` and ``scalinglab exponents``."""

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

sgd_app = typer.Typer(
    help=(
        "SGD, gradient descent and gradient flow on sketched power-law linear regression "
        "(Atanasov's note, Lin et al. 2024, Paquette et al. 2024): simulation, exact theory, "
        "compute-optimal frontier, phase diagram."
    ),
    no_args_is_help=True,
)

# Options shared by simulate and predict (typer needs them spelled out per command).
Dim = Annotated[int, typer.Option("--dim", help="Data dimension d.")]
Features = Annotated[int, typer.Option("--features", help="Number of sketched features m.")]
Alpha = Annotated[float, typer.Option("--alpha", help="Capacity exponent (in --convention).")]
Beta = Annotated[
    float | None, typer.Option("--beta", help="Source exponent (omit for --convention mrs).")
]
Convention = Annotated[
    str, typer.Option("--convention", help="note | lin | paquette | mrs (how to read α, β).")
]
Optimizer = Annotated[str, typer.Option("--optimizer", help="sgd | gd | flow.")]
Batch = Annotated[int, typer.Option("--batch", help="SGD batch size B.")]
Lr = Annotated[
    float | None,
    typer.Option("--lr", help="Step size η (flow: time per step). Default: a stable choice."),
]
Schedule = Annotated[str, typer.Option("--schedule", help="constant | geometric (Lin et al.).")]
Steps = Annotated[int, typer.Option("--steps", help="Number of steps.")]
Data = Annotated[
    int | None,
    typer.Option("--data", help="P training samples reused (default: fresh samples/population)."),
]
Noise = Annotated[float, typer.Option("--noise", help="Label-noise variance σ².")]
Sketch = Annotated[str, typer.Option("--sketch", help="gaussian | none (needs m = d).")]
Record = Annotated[int, typer.Option("--record", help="Number of log-spaced recorded steps.")]
Sampling = Annotated[
    str,
    typer.Option(
        "--sampling",
        help="Multi-pass SGD (--data): replacement | without (distinct indices per batch) | "
        "epochs (reshuffled; simulate only).",
    ),
]
Seeds = Annotated[int, typer.Option("--seeds", help="Independent sketches/runs.")]
Seed = Annotated[int, typer.Option("--seed", help="Base random seed.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
Plot = Annotated[
    Path | None,
    typer.Option("--plot", help="Save a figure here: .png, .pdf or .svg (replaces a file)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
#: flops per data dimension of the deterministic equivalent (measured: d = 1e5 in ~25 s idle)
DETERMINISTIC_FLOPS_PER_DIM = 5e6


def _sgd_cost(
    dim: int, features: int, steps: int, batch: int, seeds: int, data: int | None, sketch: str
) -> tuple[float, float]:
    """Peak bytes and seconds of an SGD simulation or exact theory from its sizes.

    Each seed draws an m × d sketch (its SVD costs m d min(m, d)), then runs ``steps`` steps
    of batch B in the rank-r eigenbasis (r = min(m, d)); reused data adds P × d per seed.
    """
    m = dim if sketch == "none" else features
    r = min(m, dim)
    mem = 8.0 * (3 * m * dim + 6 * dim + (data or 0) * dim + seeds * r * 4)
    flops = seeds * (4.0 * m * dim * r + 4.0 * steps * batch * r + 2.0 * (data or 0) * dim * r)
    return mem, flops / NOMINAL_FLOPS


def _config(**kw):
    from scalinglab.models.sgd.model import SGDConfig

    return SGDConfig(**kw)


def _print_curve(steps, cols: dict) -> None:  # numpy arrays
    header = f"{'step':>10s}" + "".join(f"{k:>14s}" for k in cols)
    typer.echo(header)
    for i, s in enumerate(steps):
        typer.echo(f"{int(s):>10d}" + "".join(f"{v[i]:>14.6g}" for v in cols.values()))


@sgd_app.command("simulate")
def simulate_cmd(
    alpha: Alpha,
    beta: Beta = None,
    dim: Dim = 1000,
    features: Features = 250,
    convention: Convention = "note",
    optimizer: Optimizer = "sgd",
    batch: Batch = 1,
    lr: Lr = None,
    schedule: Schedule = "constant",
    steps: Steps = 1000,
    data: Data = None,
    noise: Noise = 0.0,
    sketch: Sketch = "gaussian",
    record: Record = 40,
    sampling: Sampling = "replacement",
    seeds: Seeds = 8,
    seed: Seed = 0,
    method: Annotated[
        str, typer.Option("--method", help="reduced (eigenbasis, fast) | literal (data space).")
    ] = "reduced",
    theory: Annotated[
        bool, typer.Option("--theory/--no-theory", help="Overlay the theory on --plot.")
    ] = True,
    json_: Json = False,
    plot: Plot = None,
    dpi: Dpi = 150,
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Monte Carlo risk curves (mean and standard error over seeds)."""
    if seeds < 1:
        fail(f"--seeds must be >= 1; got {seeds}")
    if seed < 0:
        fail(f"--seed must be >= 0; got {seed}")
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        from scalinglab.models.sgd.model import predict, simulate

        cfg = _config(
            dim=dim, features=features, alpha=alpha, beta=beta, convention=convention,
            optimizer=optimizer, batch=batch, lr=lr, schedule=schedule, steps=steps, data=data,
            noise_var=noise, sketch=sketch, record=record, sampling=sampling,
        )  # fmt: skip
        mem, secs = _sgd_cost(dim, features, steps, batch, seeds, data, sketch)
        guard(f"sgd simulate at d={dim}, m={features}", memory=mem, seconds=secs, force=force)
        with CallbackProgress("simulating", enabled=not (quiet or json_)) as prog:
            sim = simulate(cfg, seeds=seeds, seed=seed, method=method, progress=prog)
        if plot_path is not None:
            from scalinglab.plots.sgd import plot_risk_curves

            pred = predict(cfg, seeds=seeds, seed=seed) if theory else None
            a, b = cfg.note_exponents
            fig = plot_risk_curves(
                [sim], [pred], [""], title=_title(optimizer, dim, features, a, b)
            )
            outputs.save_figure(fig, plot_path, dpi=dpi)
    if json_:
        emit_json(sim.to_dict())
    else:
        _print_curve(sim.steps, {"risk_mean": sim.risk_mean, "risk_sem": sim.risk_sem})


@sgd_app.command("predict")
def predict_cmd(
    alpha: Alpha,
    beta: Beta = None,
    dim: Dim = 1000,
    features: Features = 250,
    convention: Convention = "note",
    optimizer: Optimizer = "sgd",
    batch: Batch = 1,
    lr: Lr = None,
    schedule: Schedule = "constant",
    steps: Steps = 1000,
    data: Data = None,
    noise: Noise = 0.0,
    sketch: Sketch = "gaussian",
    record: Record = 40,
    sampling: Sampling = "replacement",
    seeds: Seeds = 8,
    seed: Seed = 0,
    theory: Annotated[
        str,
        typer.Option(
            "--theory",
            help="auto | exact (per sketch, averaged over --seeds; with --data: per sketch "
            "and data set, plus risk_sem) | deterministic (sketch-free; with --data: "
            "the discrete-step deterministic equivalent for gd, homogenized multi-pass SGD for "
            "sgd) | recursion | volterra.",
        ),
    ] = "auto",
    json_: Json = False,
    plot: Plot = None,
    dpi: Dpi = 150,
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Theoretical expected risk on the same step grid as 'sgd simulate'."""
    if seeds < 1:
        fail(f"--seeds must be >= 1; got {seeds}")
    if seed < 0:
        fail(f"--seed must be >= 0; got {seed}")
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        from scalinglab.models.sgd.model import predict

        cfg = _config(
            dim=dim, features=features, alpha=alpha, beta=beta, convention=convention,
            optimizer=optimizer, batch=batch, lr=lr, schedule=schedule, steps=steps, data=data,
            noise_var=noise, sketch=sketch, record=record, sampling=sampling,
        )  # fmt: skip
        if theory == "deterministic" or data is not None:
            mem = 8.0 * 16 * dim
            secs = dim * DETERMINISTIC_FLOPS_PER_DIM / NOMINAL_FLOPS
        else:
            mem, secs = _sgd_cost(dim, features, steps, batch, seeds, data, sketch)
        guard(f"sgd predict at d={dim}, m={features}", memory=mem, seconds=secs, force=force)
        with CallbackProgress("predicting", enabled=not (quiet or json_)) as prog:
            pred = predict(cfg, theory=theory, seeds=seeds, seed=seed, progress=prog)
        if plot_path is not None:
            from scalinglab.plots.sgd import plot_risk_curves

            a, b = cfg.note_exponents
            fig = plot_risk_curves(None, [pred], [""], title=_title(optimizer, dim, features, a, b))
            outputs.save_figure(fig, plot_path, dpi=dpi)
    if pred.status.value != "converged":
        err_console.print(f"[yellow]warning: {pred.status}: {pred.message}[/yellow]")
    if json_:
        emit_json(pred.to_dict())
    else:
        cols = {"risk": pred.risk}
        if getattr(pred, "risk_sem", None) is not None:
            cols["risk_sem"] = pred.risk_sem
        _print_curve(pred.steps, cols)


@sgd_app.command("frontier")
def frontier_cmd(
    alpha: Alpha,
    beta: Beta = None,
    convention: Convention = "note",
    min_features: Annotated[int, typer.Option("--min-features", help="Smallest m.")] = 32,
    max_features: Annotated[int, typer.Option("--max-features", help="Largest m.")] = 2048,
    num_features: Annotated[int, typer.Option("--num-features", help="Number of sizes.")] = 8,
    dim_ratio: Annotated[
        float, typer.Option("--dim-ratio", help="Data dimension d = ratio·m.")
    ] = 4.0,
    batch: Batch = 1,
    max_flops: Annotated[float, typer.Option("--max-flops", help="Largest budget.")] = 1e9,
    optimizer: Annotated[str, typer.Option("--optimizer", help="sgd | flow.")] = "sgd",
    json_: Json = False,
    plot: Plot = None,
    dpi: Dpi = 150,
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Risk vs flops for many model sizes, the compute-optimal envelope and its exponents."""
    if not (2 <= min_features < max_features):
        fail("--min-features must be >= 2 and smaller than --max-features.")
    if num_features < 3:
        fail("--num-features must be >= 3.")
    if not (dim_ratio >= 1 and dim_ratio < float("inf")):
        fail(f"--dim-ratio must be a finite number >= 1; got {dim_ratio}")
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        import numpy as np

        from scalinglab.models.sgd.frontier import compute_frontier

        sizes = np.unique(
            np.round(np.logspace(np.log10(min_features), np.log10(max_features), num_features))
        ).astype(int)
        dims = np.ceil(dim_ratio * sizes)
        guard(
            f"sgd frontier up to m={max_features} (d={int(dims[-1])})",
            memory=8.0 * 16 * float(dims[-1]),
            seconds=float(dims.sum()) * DETERMINISTIC_FLOPS_PER_DIM / NOMINAL_FLOPS,
            force=force,
        )
        with CallbackProgress("frontier", enabled=not (quiet or json_)) as prog:
            fr = compute_frontier(
                alpha, beta, convention=convention, features=sizes, dim_ratio=dim_ratio,
                batch=batch, max_flops=max_flops, optimizer=optimizer, progress=prog,
            )  # fmt: skip
        if plot_path is not None:
            from scalinglab.plots.sgd import plot_frontier

            outputs.save_figure(plot_frontier(fr), plot_path, dpi=dpi)
    if json_:
        emit_json(fr.to_dict())
        return
    typer.echo(f"phase: {fr.phase}   fit window: {fr.window[0]:.3g} .. {fr.window[1]:.3g}")
    typer.echo(f"{'exponent':<22s}{'fitted':>10s}{'predicted':>11s}")
    for key in ("loss_vs_compute", "features_vs_compute"):
        f, p = fr.fitted[key], fr.predicted[key]
        fs = "-" if f is None else f"{f:.4f}"
        ps = "-" if p is None else f"{p:.4f}"
        typer.echo(f"{key:<22s}{fs:>10s}{ps:>11s}")
    if fr.message:
        err_console.print(f"[yellow]{fr.message}[/yellow]")


@sgd_app.command("phases")
def phases_cmd(
    alpha: Annotated[
        float | None, typer.Option("--alpha", help="Mark this setting (with --beta).")
    ] = None,
    beta: Beta = None,
    convention: Convention = "note",
    json_: Json = False,
    plot: Plot = None,
    dpi: Dpi = 150,
) -> None:
    """The 4+3 phase diagram of compute-optimal one-pass SGD (Paquette et al. 2024)."""
    outputs = Outputs()
    plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
    from scalinglab.core import exponents as ex

    point = None
    marked = None
    if alpha is not None:
        rep = ex.exponent_report(alpha, beta, convention)
        point = rep.paquette
        marked = rep.to_dict()
    table = {
        "Ia": "2β_P < 1 < 2α_P",
        "Ib": "2β_P < 1, 2α_P < 1, 2(α_P+β_P) > 1",
        "Ic": "2β_P > 1, α_P < 1/4",
        "II": "2β_P > 1, β_P < α_P, 2α_P > 1",
        "III": "β_P > α_P > 1/2",
        "IVa": f"2β_P > 1, {ex.PHASE_IV_SPLIT:.4f} <= α_P < 1/2 (split derived here)",
        "IVb": f"2β_P > 1, 1/4 <= α_P < {ex.PHASE_IV_SPLIT:.4f} (split derived here)",
    }
    if plot_path is not None:
        from scalinglab.plots.sgd import plot_phase_diagram

        with outputs:
            outputs.save_figure(plot_phase_diagram(point), plot_path, dpi=dpi)
    if json_:
        emit_json({"phases": table, "setting": marked})
        return
    for name, cond in table.items():
        typer.echo(f"{name:<4s} {cond}")
    if marked is not None:
        sgd = marked["sgd_compute_optimal"]
        typer.echo(
            f"setting: phase {marked['phase']}, d* ∝ f^{sgd['features_vs_compute']:.4f}, "
            f"L* ∝ f^-{sgd['loss_vs_compute']:.4f}"
        )


def _title(optimizer: str, dim: int, features: int, a: float, b: float) -> str:
    return f"{optimizer}: $d$={dim}, $m$={features}, $\\alpha$={a:.3g}, $\\beta$={b:.3g}"


def exponents_cmd(
    alpha: Alpha,
    beta: Beta = None,
    convention: Convention = "note",
    json_: Json = False,
) -> None:
    """A setting in every convention, its predicted exponents and its 4+3 phase."""
    from scalinglab.core import exponents as ex

    rep = ex.exponent_report(alpha, beta, convention)
    d = rep.to_dict()
    if json_:
        emit_json(d)
        return
    typer.echo(f"note      α = {rep.alpha:.6g}, β = {rep.beta:.6g}")
    typer.echo(f"lin       a = {rep.lin[0]:.6g}, b = {rep.lin[1]:.6g}")
    typer.echo(f"paquette  α = {rep.paquette[0]:.6g}, β = {rep.paquette[1]:.6g}")
    typer.echo("mrs       " + ("-" if rep.mrs is None else f"α = {rep.mrs:.6g}"))
    typer.echo("gradient flow (loss ∝ X^-e, size ∝ C^e):")
    for k, v in rep.gradient_flow.items():
        typer.echo(f"  {k:<22s}{v:.6g}")
    if rep.feature_learning:
        typer.echo("feature learning, rich regime (note §3; width term unchanged):")
        for k, v in rep.feature_learning.items():
            typer.echo(f"  {k:<22s}{v:.6g}")
    typer.echo(f"phase     {rep.phase}")
    sgd = d["sgd_compute_optimal"]
    if sgd["features_vs_compute"] is not None:
        typer.echo(
            f"one-pass SGD: d* ∝ f^{sgd['features_vs_compute']:.6g}, "
            f"L* ∝ f^-{sgd['loss_vs_compute']:.6g}"
        )
    if rep.lin_rates is not None:
        r = rep.lin_rates
        typer.echo(
            f"Lin et al. bounds (Approx-Bias balance): Approx ∝ M^-{r['approx_vs_features']:.6g}, "
            f"Bias ∝ (Nγ)^-{r['bias_vs_samples']:.6g}, Var ∝ N^-{r['variance_vs_samples']:.6g}; "
            f"M* ∝ C^{r['features_vs_compute']:.6g}, R* ∝ C^-{r['loss_vs_compute']:.6g}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(sgd_app, name="sgd")
    app.command("exponents")(exponents_cmd)
