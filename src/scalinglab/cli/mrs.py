"""``scalinglab mrs``: the Maloney–Roberts–Sully model — theory, simulation, learning curves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from scalinglab._validation import InputError, check_int
from scalinglab.cli._common import (
    CallbackProgress,
    atomic_write,
    emit_json,
    out_console,
    save_figure,
)
from scalinglab.models import mrs
from scalinglab.models.mrs import theory

mrs_app = typer.Typer(
    help=(
        "Maloney-Roberts-Sully solvable model: power-law latent data, random features, ridge "
        "regression. Theory (predict), Monte Carlo (simulate) and learning curves (curve)."
    ),
    no_args_is_help=True,
)

# Options shared by predict / simulate / curve -------------------------------------------------
LatentDim = Annotated[int, typer.Option("--latent-dim", "-M", help="Latent dimension M.")]
Alpha = Annotated[float, typer.Option("--alpha", help="Spectral exponent alpha > 0.")]
Features = Annotated[int, typer.Option("--features", "-N", help="Number of random features N.")]
Samples = Annotated[int, typer.Option("--samples", "-T", help="Number of training samples T.")]
LambdaPlus = Annotated[float, typer.Option("--lambda-plus", help="Largest eigenvalue.")]
TeacherVar = Annotated[float, typer.Option("--teacher-var", help="Teacher variance sigma_w^2.")]
FeatureVar = Annotated[float, typer.Option("--feature-var", help="Feature variance sigma_u^2.")]
NoiseVar = Annotated[float, typer.Option("--noise-var", help="Label-noise variance sigma_eps^2.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
RidgeOpt = Annotated[
    str,
    typer.Option(
        "--ridge",
        help="Ridge gamma >= 0 (0 = ridgeless), or 'opt' for the test-optimal gamma*.",
    ),
]


def parse_ridge(text: str) -> float | str:
    """Parse ``--ridge``: a number >= 0 or the word ``opt``."""
    if text.strip().lower() == "opt":
        return "opt"
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"--ridge must be a number >= 0 or 'opt', got {text!r}") from None
    if not np.isfinite(value) or value < 0:
        raise InputError(f"--ridge must be a number >= 0 or 'opt', got {text!r}")
    return value


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if not np.isfinite(value):
        return "inf"
    return f"{value:.5g}"


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
            help="Use the closed forms (165)-(166) for Delta_-1 and (86) for noise.",
        ),
    ] = False,
    json_: Json = False,
) -> None:
    """Theory for the test loss (no sampling).

    Ridgeless: eq. (163) with Delta_-1 from (164) (or (165) with --closed-form), plus the noise
    term. --ridge opt: the paper's fit (172)/(185) for the optimally regularised loss. A finite
    ridge gamma > 0 has no formula in the paper: the JSON then has "loss": null and a "reason",
    and "deterministic_equivalent" holds the general random-feature ridge theory (Bach 2023;
    Defilippis et al. 2024), which is not an MRS result.
    """
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
    pred = mrs.predict(cfg, ridge=parse_ridge(ridge), closed_form=closed_form)
    if json_:
        emit_json(pred)
        return
    table = Table(title=f"MRS theory  M={latent_dim} alpha={alpha:g} N={features} T={samples}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("test loss", _fmt(pred.loss))
    table.add_row("  label term", _fmt(pred.label_term))
    table.add_row("  noise term", _fmt(pred.noise_term))
    table.add_row("regime", pred.regime)
    table.add_row("Delta_-1(min(N,T), M)", _fmt(pred.delta_minus1))
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
        str, typer.Option(help="auto | reduced (O(M r^2) exact-law draw) | literal.")
    ] = "auto",
    test_samples: Annotated[
        int | None,
        typer.Option(help="Sampled test set of this size instead of exact test averages."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    json_: Json = False,
) -> None:
    """Monte Carlo test loss: mean and standard error over seeds, with the theory beside it.

    The average over test inputs, teacher weights and label noise is exact (closed form); the
    Monte Carlo is over the feature map and the training set only.
    """
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
    ridge_value = parse_ridge(ridge)
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
    table = Table(title=f"MRS simulation  M={latent_dim} alpha={alpha:g} N={features} T={samples}")
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
        row("gamma* (mean)", f"{sim.ridge_opt_mean:.3g}", None, "ridge")
    out_console.print(table)
    if pred.formulas:
        out_console.print("theory: " + "; ".join(pred.formulas))
    out_console.print(f"{seeds} seeds, draw: {sim.method}, test average: {sim.test}")


def _grid_values(values: str | None, start: int, stop: int, points: int) -> list[int]:
    if values:
        try:
            out = [int(float(v)) for v in values.replace(",", " ").split()]
        except ValueError:
            raise InputError(f"--values must be a list of integers, got {values!r}") from None
    else:
        check_int(points, "points", "curve", low=2)
        check_int(start, "start", "curve", low=1)
        check_int(stop, "stop", "curve", low=start + 1)
        out = sorted({round(float(v)) for v in np.geomspace(start, stop, points)})
    if any(v < 1 for v in out):
        raise InputError("curve values must be integers >= 1")
    return out


@mrs_app.command("curve")
def curve_cmd(
    vary: Annotated[str, typer.Option("--vary", help="samples or features.")],
    latent_dim: LatentDim,
    alpha: Alpha,
    out: Annotated[Path, typer.Option("--out", help="PNG file to write.")],
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
    seeds: Annotated[int, typer.Option("--seeds")] = 3,
    lambda_plus: LambdaPlus = 1.0,
    teacher_var: TeacherVar = 1.0,
    feature_var: FeatureVar = 1.0,
    noise_var: NoiseVar = 0.0,
    ridge: RidgeOpt = "0",
    seed: Annotated[int, typer.Option("--seed")] = 0,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the data as CSV.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet")] = False,
    json_: Json = False,
) -> None:
    """Learning curve: theory line and simulation points (mean ± sem) on log-log axes."""
    from scalinglab.plots.mrs import learning_curve_figure

    if vary not in ("samples", "features"):
        raise InputError(f"--vary must be 'samples' or 'features', got {vary!r}")
    fixed_name = "features" if vary == "samples" else "samples"
    fixed = features if vary == "samples" else samples
    if fixed is None:
        raise InputError(f"--vary {vary} needs --{fixed_name}")
    if out.suffix.lower() != ".png":
        raise InputError(f"--out must be a .png file, got '{out}'")
    for target in (out, csv):
        if target is not None and not target.resolve().parent.is_dir():
            raise InputError(f"The output directory '{target.parent}' does not exist.")
    grid = _grid_values(values, start, stop, points)
    ridge_value = parse_ridge(ridge)
    base = dict(
        latent_dim=latent_dim,
        alpha=alpha,
        lambda_plus=lambda_plus,
        teacher_var=teacher_var,
        feature_var=feature_var,
        noise_var=noise_var,
    )

    def config(v: int) -> mrs.MRSConfig:
        sizes = (
            {"features": fixed, "samples": v}
            if vary == "samples"
            else {"features": v, "samples": fixed}
        )
        return mrs.MRSConfig(**base, **sizes)

    configs = [config(v) for v in grid]  # validates everything before any work
    rows = []
    with CallbackProgress(f"curve ({len(grid)} points)", enabled=not (quiet or json_)) as prog:
        for i, cfg in enumerate(configs):
            sim = mrs.simulate(cfg, seeds=seeds, seed=seed + i, ridge=ridge_value)
            pred = mrs.predict(cfg, ridge=ridge_value if ridge_value == "opt" else 0.0)
            rows.append(
                {
                    vary: grid[i],
                    fixed_name: fixed,
                    "loss_mean": sim.loss_mean,
                    "loss_sem": sim.loss_sem,
                    "label_mean": sim.label_mean,
                    "noise_mean": sim.noise_mean,
                    "theory": pred.loss if ridge_value in (0.0, "opt") else None,
                }
            )
            prog(i + 1, len(grid))
    dense = np.unique(np.geomspace(min(grid), max(grid), 300).round().astype(int))
    theory_y: list[float] = []
    if ridge_value == 0.0:
        lam = configs[0].latent_spectrum()
        n_arr = np.full(dense.shape, fixed) if vary == "samples" else dense
        t_arr = dense if vary == "samples" else np.full(dense.shape, fixed)
        curve = theory.label_term_curve(n_arr, t_arr, lam, teacher_var)
        if noise_var > 0:
            curve = curve + np.array(
                [
                    0.5 * noise_var * theory.noise_coefficient(int(n), int(t), lam, alpha)
                    for n, t in zip(n_arr, t_arr, strict=True)
                ]
            )
        theory_y = [v if np.isfinite(v) else np.nan for v in curve]
    elif ridge_value == "opt":
        for v in dense:
            p = mrs.predict(config(int(v)), ridge="opt")
            theory_y.append(p.loss if p.loss is not None else np.nan)
    fig = learning_curve_figure(
        x=np.array(grid, dtype=float),
        mean=np.array([r["loss_mean"] for r in rows]),
        sem=np.array([r["loss_sem"] if r["loss_sem"] is not None else 0.0 for r in rows]),
        theory_x=dense.astype(float) if theory_y else None,
        theory_y=np.array(theory_y) if theory_y else None,
        xlabel="training samples T" if vary == "samples" else "features N",
        title=(
            f"MRS: M={latent_dim}, alpha={alpha:g}, {'N' if vary == 'samples' else 'T'}={fixed}, "
            f"ridge={ridge}, {seeds} seeds"
        ),
        theory_label="theory (163)" if ridge_value == 0.0 else "fit (172)/(185)",
    )
    save_figure(fig, out)
    if csv is not None:
        import pandas as pd

        with atomic_write(csv, "w") as fh:
            pd.DataFrame(rows).to_csv(fh, index=False)
    if json_:
        emit_json({"vary": vary, "points": rows, "png": str(out), "csv": str(csv) if csv else None})
        return
    table = Table(title=f"learning curve: {vary}")
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


@mrs_app.command("linear-model")
def linear_model_cmd(
    dim: Annotated[int, typer.Option("--dim", "-N", help="Data dimension N (= model size).")],
    samples: Samples,
    alpha: Annotated[
        float | None, typer.Option("--alpha", help="Power-law spectrum exponent (eq. 228).")
    ] = None,
    data_var: Annotated[
        float | None,
        typer.Option("--data-var", help="Isotropic data variance sigma_x^2 (Marchenko-Pastur)."),
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

    n = check_int(dim, "dim", "linear-model", low=1)
    t = check_int(samples, "samples", "linear-model", low=1)
    check_real(teacher_var, "teacher_var", "linear-model", low=0.0, low_open=True)
    check_real(noise_var, "noise_var", "linear-model", low=0.0)
    if (alpha is None) == (data_var is None):
        raise InputError("give exactly one of --alpha (power-law data) or --data-var (isotropic)")
    if alpha is not None:
        a = check_real(alpha, "alpha", "linear-model", low=0.0, low_open=True)
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
        v = check_real(data_var, "data_var", "linear-model", low=0.0, low_open=True)
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
