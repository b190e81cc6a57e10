"""``scalinglab emergence simulate|predict|exponents``: multi-index models under online SGD."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from scalinglab.cli._common import CallbackProgress, emit_json, err_console, fail, save_figure

emergence_app = typer.Typer(
    help=(
        "Additive multi-index targets Σ_p a_p σ(⟨v_p, x⟩), a_p ∝ p^-β, learned by a 2-homogeneous "
        "two-layer network under online SGD: per-direction emergence and the power-law risk "
        "(Ren, Nichani, Wu, Lee 2025; Ben Arous, Erdogdu, Vural, Wu 2025)."
    ),
    no_args_is_help=True,
)

Dim = Annotated[int, typer.Option("--dim", help="Input dimension d.")]
Directions = Annotated[int, typer.Option("--directions", help="Teacher directions P (<= d).")]
Width = Annotated[int, typer.Option("--width", help="Student width m.")]
Decay = Annotated[float, typer.Option("--signal-decay", help="β in a_p ∝ p^-β (Σ a_p² = 1).")]
Activation = Annotated[
    str,
    typer.Option(
        "--activation",
        help="he1..he12, quadratic, abs, relu, tanh, cos, linear, or 'hermite:c0,c1,...'.",
    ),
]
Coefficients = Annotated[
    str | None,
    typer.Option("--coefficients", help="Amplitudes a_1,...,a_P (comma-separated; as given)."),
]
Student = Annotated[str, typer.Option("--student", help="homogeneous | fixed (second layer).")]
InitNorm = Annotated[float, typer.Option("--init-norm2", help="Initial ‖u_j‖² (homogeneous).")]
SecondLayer = Annotated[
    float | None, typer.Option("--second-layer", help="Fixed student's second layer (1/m).")
]
Noise = Annotated[float, typer.Option("--noise", help="Label-noise variance.")]
Optimizer = Annotated[str, typer.Option("--optimizer", help="sgd | flow (population, weights).")]
Batch = Annotated[int, typer.Option("--batch", help="Fresh samples per SGD step B.")]
Lr = Annotated[
    float | None,
    typer.Option("--lr", help="Step η (flow: time per step). Default 0.05·min(B,d)/d·d^(1-k/2)."),
]
DecaySteps = Annotated[
    int | None, typer.Option("--decay-steps", help="η_s = η/(1 + s/decay_steps) if set.")
]
Steps = Annotated[int, typer.Option("--steps", help="Number of steps (time = lr × steps).")]
Record = Annotated[int, typer.Option("--record", help="Number of log-spaced recorded steps.")]
Seeds = Annotated[int, typer.Option("--seeds", help="Independent runs (initialisation, data).")]
Seed = Annotated[int, typer.Option("--seed", help="Base random seed.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
Plot = Annotated[Path | None, typer.Option("--plot", help="Save a PNG figure here.")]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


def _parse_floats(text: str | None, name: str) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        fail(f"The '{name}' option must be comma-separated numbers. Got {text!r} instead.")
    return None  # pragma: no cover


def _config(**kw):
    from scalinglab.models.multiindex import MultiIndexConfig

    kw["coefficients"] = _parse_floats(kw.get("coefficients"), "--coefficients")
    return MultiIndexConfig(**kw)


def _check_plot(plot: Path | None) -> None:
    if plot is not None and not plot.parent.exists():
        fail(f"The output directory '{plot.parent}' does not exist.")


def _print_curve(steps, times, cols: dict) -> None:
    typer.echo(f"{'step':>10s}{'time':>12s}" + "".join(f"{k:>14s}" for k in cols))
    for i, s in enumerate(steps):
        row = "".join(f"{v[i]:>14.6g}" for v in cols.values())
        typer.echo(f"{int(s):>10d}{times[i]:>12.5g}" + row)


def _print_emergence(times) -> None:
    shown = ", ".join("never" if not math.isfinite(t) else f"{t:.4g}" for t in times)
    typer.echo(f"emergence times (b_p = a_p/2): {shown}")


@emergence_app.command("simulate")
def simulate_cmd(
    dim: Dim = 256,
    directions: Directions = 16,
    width: Width = 16,
    signal_decay: Decay = 1.0,
    activation: Activation = "he2",
    coefficients: Coefficients = None,
    student: Student = "homogeneous",
    init_norm2: InitNorm = 1e-4,
    second_layer: SecondLayer = None,
    noise: Noise = 0.0,
    optimizer: Optimizer = "sgd",
    batch: Batch = 1,
    lr: Lr = None,
    decay_steps: DecaySteps = None,
    steps: Steps = 1000,
    record: Record = 40,
    seeds: Seeds = 4,
    seed: Seed = 0,
    theory: Annotated[
        bool, typer.Option("--theory/--no-theory", help="Overlay the exact flow on --plot.")
    ] = True,
    json_: Json = False,
    plot: Plot = None,
    quiet: Quiet = False,
) -> None:
    """Online SGD over seeds: exact population risk (from the overlaps) and emergence times."""
    from scalinglab.models.multiindex import predict, simulate

    _check_plot(plot)
    cfg = _config(
        dim=dim, directions=directions, width=width, signal_decay=signal_decay,
        activation=activation, coefficients=coefficients, student=student,
        init_norm2=init_norm2, second_layer=second_layer, noise_var=noise, optimizer=optimizer,
        batch=batch, lr=lr, decay_steps=decay_steps, steps=steps, record=record,
    )  # fmt: skip
    with CallbackProgress("simulating", enabled=not quiet and not json_) as prog:
        sim = simulate(cfg, seeds=seeds, seed=seed, progress=prog)
    if str(sim.status) != "converged":
        err_console.print(f"[yellow]warning: {sim.status}: {sim.message}[/yellow]")
    if plot is not None:
        from scalinglab.plots.multiindex import plot_emergence

        pred = predict(cfg, seeds=seeds, seed=seed) if theory else None
        save_figure(plot_emergence(sim, pred).figure, plot)
    if json_:
        emit_json(sim.to_dict())
    else:
        _print_curve(sim.steps, sim.times, {"risk_mean": sim.risk_mean, "risk_sem": sim.risk_sem})
        _print_emergence(sim.emergence_times)


@emergence_app.command("predict")
def predict_cmd(
    dim: Dim = 256,
    directions: Directions = 16,
    width: Width = 16,
    signal_decay: Decay = 1.0,
    activation: Activation = "he2",
    coefficients: Coefficients = None,
    student: Student = "homogeneous",
    init_norm2: InitNorm = 1e-4,
    second_layer: SecondLayer = None,
    noise: Noise = 0.0,
    optimizer: Optimizer = "sgd",
    batch: Batch = 1,
    lr: Lr = None,
    decay_steps: DecaySteps = None,
    steps: Steps = 1000,
    record: Record = 40,
    seeds: Seeds = 4,
    seed: Seed = 0,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="ode (exact overlap flow) | riccati (σ = c·h_2: matrix Riccati closed form) | "
            "decoupled (per-direction closed forms, sum of emergence curves).",
        ),
    ] = "ode",
    json_: Json = False,
    plot: Plot = None,
) -> None:
    """Population-flow theory from the same seeds' initial overlaps as ``simulate``."""
    from scalinglab.models.multiindex import predict

    _check_plot(plot)
    cfg = _config(
        dim=dim, directions=directions, width=width, signal_decay=signal_decay,
        activation=activation, coefficients=coefficients, student=student,
        init_norm2=init_norm2, second_layer=second_layer, noise_var=noise, optimizer=optimizer,
        batch=batch, lr=lr, decay_steps=decay_steps, steps=steps, record=record,
    )  # fmt: skip
    pred = predict(cfg, seeds=seeds, seed=seed, method=method)
    if str(pred.status) != "converged":
        err_console.print(f"[yellow]warning: {pred.status}: {pred.message}[/yellow]")
    if plot is not None:
        from scalinglab.plots.multiindex import plot_emergence

        save_figure(plot_emergence(None, pred).figure, plot)
    if json_:
        emit_json(pred.to_dict())
    else:
        _print_curve(cfg.record_steps(), pred.times, {"risk": pred.risk})
        _print_emergence(pred.emergence_times)


@emergence_app.command("exponents")
def exponents_cmd(
    signal_decay: Decay = 1.0,
    directions: Annotated[
        int | None,
        typer.Option(
            "--directions", help="P: also give the finite-P reference exponent on [T_2, T_P/8]."
        ),
    ] = None,
    activation: Activation = "he2",
    dim: Annotated[
        int | None, typer.Option("--dim", help="d: also give the sample-complexity value.")
    ] = None,
    json_: Json = False,
) -> None:
    """Scaling-law exponents (signed log-log slopes of the risk) and sample-complexity orders."""
    from scalinglab.models.multiindex import finite_p_exponent, sample_complexity_order
    from scalinglab.models.multiindex import scaling_exponents as exps
    from scalinglab.models.multiindex.link import make_link

    out: dict = dict(exps(signal_decay))
    out["signal_decay"] = signal_decay
    out["finite_p_time"] = None
    if directions is not None:
        out["finite_p_time"] = finite_p_exponent(signal_decay, directions)
        out["directions"] = directions
        out["window"] = [2, max(3, directions // 8)]
    k = make_link(activation).information_exponent
    out["sample_complexity"] = sample_complexity_order(k, dim)
    out["activation"] = activation
    if signal_decay <= 0.5:
        out["message"] = "signal_decay <= 1/2: the tail dominates, no power law"
    if json_:
        emit_json(out)
        return
    for key in ("time", "samples", "width", "compute", "finite_p_time"):
        val = out[key]
        typer.echo(f"{key:>14s}  {'n/a' if val is None else f'{val:.6g}'}")
    sc = out["sample_complexity"]
    typer.echo(f"{'samples/dir.':>14s}  {sc['order']} (information exponent {sc['k']})")


def register(app: typer.Typer) -> None:
    app.add_typer(emergence_app, name="emergence")
