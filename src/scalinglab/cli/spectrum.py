"""``scalinglab spectrum`` and ``scalinglab learning-curve``: exponents and learning curves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from scalinglab.cli._common import (
    CallbackProgress,
    emit_json,
    err_console,
    fail,
    progress_bar,
    save_figure,
)

MAX_KERNEL_SAMPLES = 6000  # n × n kernel: 288 MB and about a minute of eigh on 2 cores


def _load(data: str, labels: str | None, drop_constant: bool):
    from scalinglab.empirical.datasets import load_dataset

    return load_dataset(data, labels, drop_constant=drop_constant)


def _check_plot(plot: Path | None) -> None:
    if plot is not None:
        if plot.suffix.lower() not in (".png", ".pdf", ".svg"):
            fail(f"--plot must end in .png, .pdf or .svg; got '{plot.name}'")
        if not plot.parent.exists():
            fail(f"the output directory '{plot.parent}' does not exist")


def spectrum(
    data: Annotated[
        str, typer.Argument(help="'digits', or a .npy/.npz/.csv file (rows = samples).")
    ],
    labels: Annotated[
        str | None,
        typer.Option(help="Labels file (.npy/.npz/.csv), or a column name of the CSV."),
    ] = None,
    features: Annotated[
        str,
        typer.Option(
            help="none | linear:N | ACT:N with ACT in relu, tanh, erf, step, relu2, powP."
        ),
    ] = "none",
    kernel: Annotated[
        str | None,
        typer.Option(help="Infinite-width kernel instead of features: relu, tanh, erf, ..."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random features / subsample.")] = 0,
    max_samples: Annotated[
        int, typer.Option(help="Kernel spectra use at most this many samples (random subset).")
    ] = MAX_KERNEL_SAMPLES,
    drop_constant: Annotated[
        bool, typer.Option(help="Drop constant columns instead of rejecting them.")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Save a plot of the fits (PNG).")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Capacity exponent a (λ_k ∝ k^-a) and source exponent b (Σ_{l>k} λ_l w_l² ∝ k^-ab)."""
    from scalinglab.core import random_features as nonlinear
    from scalinglab.empirical.learning_curve import parse_features
    from scalinglab.empirical.spectra import eigensystem, estimate_exponents

    _check_plot(plot)
    if kernel is not None and features != "none":
        fail("give either --features or --kernel, not both")
    if max_samples < 2:
        fail(f"--max-samples must be >= 2; got {max_samples}")
    if kernel is not None:
        nonlinear.parse_activation(kernel)
    kind, widths = parse_features(features)
    if len(widths) > 1:
        fail("spectrum takes one width (e.g. relu:4096); learning-curve takes several")
    ds = _load(data, labels, drop_constant)
    notes = list(ds.notes)
    rng = np.random.default_rng(seed)
    x = ds.x - ds.x.mean(axis=0)
    y = ds.y
    with progress_bar("spectrum", 3, enabled=not quiet and not json_) as advance:
        if kernel is not None:
            if x.shape[0] > max_samples:
                keep = np.sort(rng.choice(x.shape[0], max_samples, replace=False))
                x, y = x[keep], (y[keep] if y is not None else None)
                notes.append(f"kernel on a random subset of {max_samples} samples (--max-samples)")
            k = nonlinear.kernel_matrix(x, kernel)
            advance(1)
            est = estimate_exponents(kernel=k, y=y)
            source_desc = f"{kernel} kernel (infinite width), inputs centred"
        elif kind == "none":
            advance(1)
            est = estimate_exponents(x, y)
            source_desc = "covariance of the centred inputs"
        else:
            act = "linear" if kind == "linear" else kind
            var = float(x.shape[1]) if kind == "linear" else None
            phi = nonlinear.random_features(x, widths[0], act, rng, weight_var=var)
            advance(1)
            est = estimate_exponents(phi, y, center=False)
            source_desc = f"{widths[0]} {act} random features of the centred inputs"
        advance(1)
        reference = None
        if plot is not None and (kernel is not None or kind != "none"):
            reference = eigensystem(x).eigenvalues
            reference = reference * (est.eigenvalues[0] / reference[0])
        advance(1)
    result = est.to_dict()
    result.update(
        {
            "data": ds.name,
            "spectrum_of": source_desc,
            "n_features": int(ds.n_features),
            "notes": notes,
        }
    )
    if plot is not None:
        from scalinglab.plots.spectra import plot_exponents

        title = f"{ds.name}: {source_desc} (n = {est.n_samples})"
        fig = plot_exponents(
            est,
            title=title,
            reference=reference,
            reference_label="inputs (rescaled to the same λ_1)",
        )
        save_figure(fig, plot)
        result["plot"] = str(plot)
    if json_:
        emit_json(result)
        return
    lo, hi = est.capacity_ci
    typer.echo(f"data       {ds.name}: {est.n_samples} samples x {ds.n_features} inputs")
    typer.echo(f"spectrum   {source_desc} ({est.method}, rank {est.eigenvalues.size})")
    typer.echo(
        f"capacity   a = {est.capacity:.4f}  (95% CI {lo:.4f} .. {hi:.4f}), "
        f"window k = {est.fit_window[0]}..{est.fit_window[1]}"
    )
    if est.source is not None:
        blo, bhi = est.source_ci
        typer.echo(
            f"source     b = {est.source:.4f}  (95% CI {blo:.4f} .. {bhi:.4f}), "
            f"a*b = {est.tail_fit.exponent:.4f}, "
            f"window k = {est.source_window[0]}..{est.source_window[1]}"
        )
    else:
        typer.echo("source     (no labels)")
    typer.echo(f"status     {est.status.value}")
    for fit in (est.capacity_fit, est.tail_fit):
        if fit is not None and fit.status.value != "converged":
            err_console.print(f"[yellow]warning:[/yellow] {fit.message}", soft_wrap=True)
    for note in notes:
        err_console.print(f"[dim]{note}[/dim]", soft_wrap=True)
    if plot is not None:
        typer.echo(f"plot       {plot}")


def _parse_ints(text: str | None, name: str) -> list[int] | None:
    if text is None:
        return None
    try:
        vals = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        fail(f"{name} must be comma-separated integers; got {text!r}")
    if not vals:
        fail(f"{name} is empty")
    return vals


def learning_curve_cmd(
    data: Annotated[
        str, typer.Argument(help="'digits', or a .npy/.npz/.csv file (rows = samples).")
    ],
    labels: Annotated[
        str | None,
        typer.Option(help="Labels file (.npy/.npz/.csv), or a column name of the CSV."),
    ] = None,
    features: Annotated[
        str,
        typer.Option(help="none | linear:N[,N2..] | ACT:N[,N2..] (ACT: relu, tanh, erf, ...)."),
    ] = "relu:256,1024",
    samples: Annotated[
        str | None, typer.Option(help="Training sizes T, comma separated (default: 12, log).")
    ] = None,
    ridge: Annotated[str, typer.Option(help="Ridge λ (number >= 0) or 'opt'.")] = "opt",
    seeds: Annotated[int, typer.Option(help="Independent splits / feature draws.")] = 3,
    seed: Annotated[int, typer.Option(help="Root seed.")] = 0,
    test_fraction: Annotated[float, typer.Option(help="Share held out for testing.")] = 0.25,
    extrapolate: Annotated[
        bool, typer.Option(help="Continue a sample-limited spectrum by its power-law fits.")
    ] = True,
    drop_constant: Annotated[
        bool, typer.Option(help="Drop constant columns instead of rejecting them.")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Save the learning curves (PNG).")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Learning curve predicted from the measured spectrum vs actual random-feature regression."""
    from scalinglab.empirical.learning_curve import learning_curve, parse_features

    _check_plot(plot)
    parse_features(features)
    t_grid = _parse_ints(samples, "--samples")
    if ridge == "opt":
        ridge_val: float | str = "opt"
    else:
        try:
            ridge_val = float(ridge)
        except ValueError:
            fail(f"--ridge must be a number >= 0 or 'opt'; got {ridge!r}")
        if not np.isfinite(ridge_val) or ridge_val < 0:
            fail(f"--ridge must be a number >= 0 or 'opt'; got {ridge!r}")
    ds = _load(data, labels, drop_constant)
    if ds.y is None:
        fail("learning-curve needs labels (--labels, or labels inside the .npz)")
    with CallbackProgress("learning curve", enabled=not quiet and not json_) as prog:
        lc = learning_curve(
            ds.x,
            ds.y,
            features=features,
            samples=t_grid,
            ridge=ridge_val,
            seeds=seeds,
            seed=seed,
            test_fraction=test_fraction,
            extrapolate=extrapolate,
            progress=prog,
        )
    result = lc.to_dict()
    result.update({"data": ds.name, "notes": ds.notes})
    if plot is not None:
        from scalinglab.plots.spectra import plot_learning_curve

        title = (
            f"{ds.name}: {lc.kind} features, ridge {lc.ridge}, "
            f"{lc.seeds} seeds, {lc.n_test} test samples"
        )
        save_figure(plot_learning_curve(lc, title=title), plot)
        result["plot"] = str(plot)
    if json_:
        emit_json(result)
        return
    typer.echo(
        f"{ds.name}: {ds.n_samples} samples, features {features}, ridge {lc.ridge}, "
        f"{lc.seeds} seeds, test set {lc.n_test}"
    )
    typer.echo(
        f"spectrum: a = {result['capacity']:.3f}, b = {result['source']:.3f}"
        + (
            f", tail extrapolated beyond k = {lc.theory_spectrum.extrapolated_from}"
            if lc.theory_spectrum.extrapolated_from
            else ""
        )
    )
    header = "       T" + "".join(
        f"  {'N=' + ('inf' if not np.isfinite(w) else str(int(w))):>24s}" for w in lc.widths
    )
    typer.echo(header)
    typer.echo("        " + "".join(f"  {'predicted  measured  ratio':>24s}" for _ in lc.widths))
    for j, t in enumerate(lc.samples):
        row = f"{t:8d}"
        for i in range(lc.widths.size):
            row += f"  {lc.predicted[i, j]:9.4g} {lc.measured[i, j]:9.4g} {lc.ratio[i, j]:5.2f}"
        typer.echo(row)
    if plot is not None:
        typer.echo(f"plot: {plot}")


def register(app: typer.Typer) -> None:
    from scalinglab.cli.spectrum_monomial import SpectrumCommand  # routes `spectrum rf-monomial`

    app.command("spectrum", cls=SpectrumCommand)(spectrum)
    app.command("learning-curve")(learning_curve_cmd)
