"""``scalinglab mrs``: the Maloney–Roberts–Sully model — theory, simulation, learning curves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalinglab._validation import InputError, check_int, parse_ridge
from scalinglab.cli._common import (
    FIGURE_SUFFIXES,
    CallbackProgress,
    Dpi,
    Force,
    Outputs,
    emit_json,
    guard,
    out_console,
)
from scalinglab.cli.output import NOMINAL_FLOPS

mrs_app = typer.Typer(
    help=(
        "Maloney-Roberts-Sully solvable model: power-law latent data, random features, ridge "
        "regression. Theory (predict), Monte Carlo (simulate) and learning curves (curve)."
    ),
    no_args_is_help=True,
)

# Options shared by predict / simulate / curve -------------------------------------------------
LatentDim = Annotated[int, typer.Option("--latent-dim", "-M", help="Latent dimension M.")]
Alpha = Annotated[float, typer.Option("--alpha", help="Spectral exponent α > 0.")]
Features = Annotated[int, typer.Option("--features", "-N", help="Number of random features N.")]
Samples = Annotated[int, typer.Option("--samples", "-T", help="Number of training samples T.")]
LambdaPlus = Annotated[float, typer.Option("--lambda-plus", help="Largest eigenvalue λ₊.")]
TeacherVar = Annotated[float, typer.Option("--teacher-var", help="Teacher variance σ_w².")]
FeatureVar = Annotated[float, typer.Option("--feature-var", help="Feature variance σ_u².")]
NoiseVar = Annotated[float, typer.Option("--noise-var", help="Label-noise variance σ_ε².")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar or progress lines.")]
RidgeOpt = Annotated[
    str,
    typer.Option(
        "--ridge",
        help="Ridge γ >= 0 (0 = ridgeless), or 'opt' for the test-optimal γ*.",
    ),
]
RELU_TEST_SAMPLES = 4000  # the model's sampled test set for ReLU features


def _simulate_cost(
    m: int,
    n: int,
    t: int,
    seeds: int,
    *,
    literal: bool,
    relu: bool = False,
    relu_input_dim: int | None = None,
    test_samples: int | None = None,
) -> tuple[float, float]:
    """Peak bytes and seconds of ``mrs simulate`` from its sizes (float64, a few copies).

    Linear features: the draw holds M × (N + T) Gaussians (both factors at the largest
    sizes) and min(N, T)² Gram/QR factors; work O(M r²) per seed (O(M N T) for the literal
    draw). ReLU: M × (T + test) inputs, N × M weights and N × (T + test) features.
    """
    r = min(n, t)
    if relu:
        cols = t + (test_samples or RELU_TEST_SAMPLES)
        k = relu_input_dim or m
        mem = 8.0 * (2 * m * cols + n * k + (k * m if relu_input_dim else 0) + 2 * n * cols)
        flops = seeds * 2.0 * (n * k * cols + (k * m * cols if relu_input_dim else 0) + n * n * t)
        return mem, flops / NOMINAL_FLOPS
    mem = 8.0 * (2 * m * (n + t) + 3 * r * r + (test_samples or 0) * (m + n))
    flops = seeds * (4.0 * m * r * r + 10.0 * r**3 + (2.0 * m * n * t if literal else 0.0))
    return mem, flops / NOMINAL_FLOPS


def _fmt(value: float | None) -> str:
    import math

    if value is None:
        return "—"
    if not math.isfinite(value):
        return "inf"
    return f"{value:.5g}"


def _ridge(text: str, command: str) -> float | str:
    return parse_ridge(text, "--ridge", f"mrs {command}")


def _table(title: str):  # rich is imported lazily
    from rich.table import Table

    return Table(title=title)


@mrs_app.command("predict")
def predict_cmd(
    latent_dim: LatentDim,
    alpha: Alpha,
    features: Features,
    samples: Samples,
    lambda_plus: LambdaPlus = 1.0,
    teacher_var: TeacherVar = 1.0,
    feature_var: FeatureVar = 1.0,
    noise_var: NoiseVar = 0.0,
    ridge: RidgeOpt = "0",
    closed_form: Annotated[
        bool,
        typer.Option(
            "--closed-form",
            help="Use the closed forms (165)-(166) for Δ₋₁ and (86) for noise.",
        ),
    ] = False,
    json_: Json = False,
) -> None:
    """Theory for the test loss (no sampling).

    Ridgeless: eq. (163) with Δ₋₁ from (164) (or (165) with --closed-form), plus the noise
    term. --ridge opt: the paper's fit (172)/(185) for the optimally regularised loss. A finite
    ridge γ > 0 has no formula in the paper: the JSON then has "loss": null and a "reason",
    and "deterministic_equivalent" holds the general random-feature ridge theory (Bach 2023;
    Defilippis et al. 2024), which is not an MRS result.
    """
    from scalinglab.models import mrs

    ridge_value = _ridge(ridge, "predict")
    cfg = mrs.MRSConfig(
        latent_dim=latent_dim,
        alpha=alpha,
        features=features,
        samples=samples,
        lambda_plus=lambda_plus,
        teacher_var=teacher_var,
        feature_var=feature_var,
        noise_var=noise_var,
    )
    pred = mrs.predict(cfg, ridge=ridge_value, closed_form=closed_form)
    if json_:
        emit_json(pred)
        return
    table = _table(f"MRS theory  M={latent_dim} α={alpha:g} N={features} T={samples}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("test loss", _fmt(pred.loss))
    table.add_row("  label term", _fmt(pred.label_term))
    table.add_row("  noise term", _fmt(pred.noise_term))
    table.add_row("regime", pred.regime)
    table.add_row("Δ₋₁(min(N,T), M)", _fmt(pred.delta_minus1))
    table.add_row("plateau in N (169)", _fmt(pred.plateau_in_features))
    table.add_row("plateau in T (170)", _fmt(pred.plateau_in_samples))
    table.add_row("L0 (173)", _fmt(pred.power_law_prefactor))
    table.add_row("optimal-ridge law (172)/(185)", _fmt(pred.optimal_ridge_law))
    if pred.deterministic_equivalent is not None:
        de = pred.deterministic_equivalent
        table.add_row("RF ridge det. equivalent", _fmt(de["loss"]))
        table.add_row("  at ridge", _fmt(de["ridge"]))
    out_console.print(table)
    if pred.reason:
        out_console.print(f"[yellow]no formula:[/yellow] {pred.reason}")
    else:
        out_console.print("formulas: " + "; ".join(pred.formulas))


@mrs_app.command("simulate")
def simulate_cmd(
    latent_dim: LatentDim,
    alpha: Alpha,
    features: Features,
    samples: Samples,
    seeds: Annotated[int, typer.Option("--seeds", help="Independent draws to average.")] = 4,
    lambda_plus: LambdaPlus = 1.0,
    teacher_var: TeacherVar = 1.0,
    feature_var: FeatureVar = 1.0,
    noise_var: NoiseVar = 0.0,
    ridge: RidgeOpt = "0",
    seed: Annotated[int, typer.Option("--seed", help="Root random seed.")] = 0,
    spectrum: Annotated[
        str, typer.Option(help="deterministic (eq. 23) or density (eq. 22, drawn per seed).")
    ] = "deterministic",
    feature_map: Annotated[str, typer.Option(help="linear (eq. 28) or relu (eq. 174).")] = "linear",
    relu_input_dim: Annotated[
        int | None,
        typer.Option(help="ReLU only: linear map to this input dim first (Figs 13-14 pipeline)."),
    ] = None,
    method: Annotated[
        str, typer.Option(help="auto | reduced (O(M r²) exact-law draw) | literal.")
    ] = "auto",
    test_samples: Annotated[
        int | None,
        typer.Option(help="Sampled test set of this size instead of exact test averages."),
    ] = None,
    quiet: Quiet = False,
    force: Force = False,
    json_: Json = False,
) -> None:
    """Monte Carlo test loss: mean and standard error over seeds, with the theory beside it.

    The average over test inputs, teacher weights and label noise is exact (closed form); the
    Monte Carlo is over the feature map and the training set only.
    """
    from scalinglab.models import mrs

    cfg = mrs.MRSConfig(
        latent_dim=latent_dim,
        alpha=alpha,
        features=features,
        samples=samples,
        lambda_plus=lambda_plus,
        teacher_var=teacher_var,
        feature_var=feature_var,
        noise_var=noise_var,
        spectrum=spectrum,
        feature_map=feature_map,
        relu_input_dim=relu_input_dim,
    )
    ridge_value = _ridge(ridge, "simulate")
    check_int(seeds, "--seeds", "mrs simulate", low=1)
    check_int(seed, "--seed", "mrs simulate", low=0)
    if method not in ("auto", "reduced", "literal"):
        raise InputError(f"--method must be auto, reduced or literal; got {method!r}")
    if test_samples is not None:
        check_int(test_samples, "--test-samples", "mrs simulate", low=1)
    mem, secs = _simulate_cost(
        latent_dim, features, samples, seeds,
        literal=method == "literal" or test_samples is not None,
        relu=feature_map == "relu", relu_input_dim=relu_input_dim, test_samples=test_samples,
    )  # fmt: skip
    guard(
        f"mrs simulate at M={latent_dim}, N={features}, T={samples}",
        memory=mem,
        seconds=secs,
        force=force,
    )
    with CallbackProgress("simulate", enabled=not (quiet or json_)) as prog:
        sim = mrs.simulate(
            cfg,
            seeds=seeds,
            seed=seed,
            ridge=ridge_value,
            method=method,
            test_samples=test_samples,
            progress=prog,
        )
    pred = mrs.predict(cfg, ridge=ridge_value)
    theory_loss = pred.loss
    de = pred.deterministic_equivalent
    if json_:
        out = sim.to_dict()
        out["theory"] = theory_loss
        out["theory_formulas"] = list(pred.formulas) if theory_loss is not None else []
        out["deterministic_equivalent"] = de
        emit_json(out)
        return
    table = _table(f"MRS simulation  M={latent_dim} α={alpha:g} N={features} T={samples}")
    columns = ["quantity", "simulation (mean ± sem)", "theory"]
    if de is not None:
        columns.append("RF det. equiv.")
    for col in columns:
        table.add_column(col, justify="right" if col != "quantity" else "left")

    def pm(mean: float, sem: float | None) -> str:
        return f"{mean:.5g} ± {sem:.2g}" if sem is not None else f"{mean:.5g}"

    def row(name: str, sim_value: str, theory_value: float | None, key: str) -> None:
        cells = [name, sim_value, _fmt(theory_value)]
        if de is not None:
            cells.append(_fmt(de[key]))
        table.add_row(*cells)

    row("test loss", pm(sim.loss_mean, sim.loss_sem), theory_loss, "loss")
    row("  label term", pm(sim.label_mean, sim.label_sem), pred.label_term, "label_term")
    row("  noise term", pm(sim.noise_mean, sim.noise_sem), pred.noise_term, "noise_term")
    if sim.ridge_opt_mean is not None:
        row("γ* (mean)", f"{sim.ridge_opt_mean:.3g}", None, "ridge")
    out_console.print(table)
    if pred.formulas:
        out_console.print("theory: " + "; ".join(pred.formulas))
    out_console.print(f"{seeds} seeds, draw: {sim.method}, test average: {sim.test}")


@mrs_app.command("curve")
def curve_cmd(
    vary: Annotated[str, typer.Option("--vary", help="samples or features.")],
    latent_dim: LatentDim,
    alpha: Alpha,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Figure to write: .png, .pdf or .svg (an existing file is replaced)."
        ),
    ],
    features: Annotated[
        int | None, typer.Option("--features", "-N", help="N (fixed when varying samples).")
    ] = None,
    samples: Annotated[
        int | None, typer.Option("--samples", "-T", help="T (fixed when varying features).")
    ] = None,
    values: Annotated[
        str | None, typer.Option(help="Explicit values of the varied size, e.g. '10,100,1000'.")
    ] = None,
    start: Annotated[int, typer.Option(help="First value of a log grid.")] = 10,
    stop: Annotated[int, typer.Option(help="Last value of a log grid.")] = 3000,
    points: Annotated[int, typer.Option(help="Points of the log grid.")] = 12,
    seeds: Annotated[int, typer.Option("--seeds", help="Independent draws per point.")] = 3,
    lambda_plus: LambdaPlus = 1.0,
    teacher_var: TeacherVar = 1.0,
    feature_var: FeatureVar = 1.0,
    noise_var: NoiseVar = 0.0,
    ridge: RidgeOpt = "0",
    seed: Annotated[
        int, typer.Option("--seed", help="Root random seed (point i uses seed + i).")
    ] = 0,
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the data as CSV (an existing file is replaced)."),
    ] = None,
    dpi: Dpi = 150,
    quiet: Quiet = False,
    force: Force = False,
    json_: Json = False,
) -> None:
    """Learning curve: theory line and simulation points (mean ± sem) on log-log axes."""
    if vary not in ("samples", "features"):
        raise InputError(f"--vary must be 'samples' or 'features', got {vary!r}")
    fixed_name = "features" if vary == "samples" else "samples"
    fixed = features if vary == "samples" else samples
    if fixed is None:
        raise InputError(f"--vary {vary} needs --{fixed_name}")
    check_int(fixed, f"--{fixed_name}", "mrs curve", low=1)
    check_int(seeds, "--seeds", "mrs curve", low=1)
    check_int(seed, "--seed", "mrs curve", low=0)
    ridge_value = _ridge(ridge, "curve")
    with Outputs() as outputs:
        png = outputs.file(out, option="--out", suffixes=FIGURE_SUFFIXES)
        table_path = outputs.file(csv, option="--csv", suffixes=(".csv",)) if csv else None
        from scalinglab.models.mrs.curve import curve_grid, learning_curve

        try:
            grid = curve_grid(values, start, stop, points)
        except InputError as exc:
            raise InputError(_curve_option_message(str(exc))) from None
        cost = [
            _simulate_cost(
                latent_dim,
                fixed if vary == "samples" else v,
                v if vary == "samples" else fixed,
                seeds,
                literal=False,
            )
            for v in grid
        ]
        guard(
            f"mrs curve up to {'T' if vary == 'samples' else 'N'}={max(grid)} at M={latent_dim}",
            memory=max(c[0] for c in cost),
            seconds=sum(c[1] for c in cost),
            force=force,
        )
        with CallbackProgress(f"curve ({len(grid)} points)", enabled=not (quiet or json_)) as prog:
            curve = learning_curve(
                vary,  # type: ignore[arg-type]
                latent_dim=latent_dim,
                alpha=alpha,
                fixed=fixed,
                grid=grid,
                seeds=seeds,
                seed=seed,
                ridge=ridge_value,
                lambda_plus=lambda_plus,
                teacher_var=teacher_var,
                feature_var=feature_var,
                noise_var=noise_var,
                progress=prog,
            )
        import numpy as np

        from scalinglab.plots.mrs import learning_curve_figure

        rows = curve.points
        fig = learning_curve_figure(
            x=np.array(curve.grid, dtype=float),
            mean=np.array([r["loss_mean"] for r in rows]),
            sem=np.array([r["loss_sem"] if r["loss_sem"] is not None else 0.0 for r in rows]),
            theory_x=curve.theory_x,
            theory_y=curve.theory_y,
            xlabel="training samples $T$" if vary == "samples" else "features $N$",
            title=(
                f"MRS: $M$={latent_dim}, $\\alpha$={alpha:g}, "
                f"${'N' if vary == 'samples' else 'T'}$={fixed}, "
                f"$\\gamma$={ridge}, {seeds} seeds"
            ),
            theory_label=curve.theory_label or "",
        )
        outputs.save_figure(fig, png, dpi=dpi)
        if table_path is not None:
            import pandas as pd

            with outputs.open(table_path, "w") as fh:
                pd.DataFrame(rows).to_csv(fh, index=False)
    if json_:
        emit_json({"vary": vary, "points": rows, "png": str(out), "csv": str(csv) if csv else None})
        return
    table = _table(f"learning curve: {vary}")
    for col in (vary, "simulation", "sem", "theory", "sim/theory"):
        table.add_column(col, justify="right")
    for r in rows:
        th = r["theory"]
        ratio = r["loss_mean"] / th if th and np.isfinite(th) and th > 0 else None
        table.add_row(
            str(r[vary]),
            f"{r['loss_mean']:.4g}",
            _fmt(r["loss_sem"]),
            _fmt(th),
            f"{ratio:.3f}" if ratio else "—",
        )
    out_console.print(table)
    out_console.print(f"wrote {out}" + (f" and {csv}" if csv else ""))


def _curve_option_message(message: str) -> str:
    """Name the command-line options in a :func:`curve_grid` message."""
    for name in ("values", "start", "stop", "points"):
        message = message.replace(f"'{name}' parameter of the learning curve", f"--{name}")
    return message.replace("The --", "--")


@mrs_app.command("linear-model")
def linear_model_cmd(
    dim: Annotated[int, typer.Option("--dim", "-N", help="Data dimension N (= model size).")],
    samples: Samples,
    alpha: Annotated[
        float | None, typer.Option("--alpha", help="Power-law spectrum exponent (eq. 228).")
    ] = None,
    data_var: Annotated[
        float | None,
        typer.Option("--data-var", help="Isotropic data variance σ_x² (Marchenko-Pastur)."),
    ] = None,
    lambda_plus: LambdaPlus = 1.0,
    teacher_var: TeacherVar = 1.0,
    noise_var: NoiseVar = 0.0,
    json_: Json = False,
) -> None:
    """Appendix A: linear regression on the data itself (no random features), ridgeless.

    Give --alpha for power-law data (eq. 219 numerically, and the closed form 230) or
    --data-var for isotropic data (eq. 227).
    """
    from scalinglab._validation import check_real
    from scalinglab.core.spectra import power_law_spectrum
    from scalinglab.models.mrs import theory

    owner = "mrs linear-model"
    n = check_int(dim, "--dim", owner, low=1)
    t = check_int(samples, "--samples", owner, low=1)
    check_real(teacher_var, "--teacher-var", owner, low=0.0, low_open=True)
    check_real(noise_var, "--noise-var", owner, low=0.0)
    check_real(lambda_plus, "--lambda-plus", owner, low=0.0, low_open=True)
    if (alpha is None) == (data_var is None):
        raise InputError("give exactly one of --alpha (power-law data) or --data-var (isotropic)")
    if alpha is not None:
        a = check_real(alpha, "--alpha", owner, low=0.0, low_open=True)
        guard(f"mrs linear-model at N={n}", memory=8.0 * 4 * n, force=False)
        lam = power_law_spectrum(n, a, lambda_plus)
        loss = (
            float("inf")
            if t == n
            else theory.linear_model_loss(n, t, lam, teacher_var=teacher_var, noise_var=noise_var)
        )
        closed = theory.linear_model_loss_power_law(n, t, a, lambda_plus, teacher_var, noise_var)
        result = {
            "loss": loss,
            "loss_closed_form": closed,
            "formulas": ["(219)", "(230)"],
            "spectrum": "power_law",
        }
    else:
        v = check_real(data_var, "--data-var", owner, low=0.0, low_open=True)
        loss = theory.linear_model_loss_marchenko_pastur(n, t, v, teacher_var, noise_var)
        result = {
            "loss": loss,
            "loss_closed_form": loss,
            "formulas": ["(227)"],
            "spectrum": "isotropic",
        }
    result.update({"dim": n, "samples": t})
    if json_:
        emit_json(result)
        return
    out_console.print(
        f"linear model (App. A), N={n}, T={t}: loss = {_fmt(result['loss'])} "
        f"[{result['formulas'][0]}], closed form = {_fmt(result['loss_closed_form'])}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(mrs_app, name="mrs")
