"""``scalinglab spectrum`` and ``scalinglab learning-curve``: exponents and learning curves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalinglab._validation import parse_ridge
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

MAX_KERNEL_SAMPLES = 6000  # same as scalinglab.empirical.pipelines.MAX_KERNEL_SAMPLES


def _load(data: str, labels: str | None, drop_constant: bool):
    from scalinglab.empirical.datasets import load_dataset

    return load_dataset(data, labels, drop_constant=drop_constant)


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
    plot: Annotated[
        Path | None,
        typer.Option(help="Save a plot of the fits: .png, .pdf or .svg (replaces a file)."),
    ] = None,
    dpi: Dpi = 150,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    force: Force = False,
) -> None:
    """Capacity exponent a (λ_k ∝ k^-a) and source exponent b (Σ_{l>k} λ_l w_l² ∝ k^-ab)."""
    if kernel is not None and features != "none":
        fail("give either --features or --kernel, not both")
    if max_samples < 2:
        fail(f"--max-samples must be >= 2; got {max_samples}")
    if seed < 0:
        fail(f"--seed must be >= 0; got {seed}")
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        from scalinglab.empirical.pipelines import measure_pipeline_spectrum, pipeline_memory

        try:
            pipeline_memory(1, 1, features=features, kernel=kernel)  # parses --features/--kernel
        except ValueError as exc:
            fail(_option_message(str(exc)))
        ds = _load(data, labels, drop_constant)
        guard(
            f"spectrum of {ds.name} with --features {features}"
            if kernel is None
            else f"spectrum of {ds.name} with --kernel {kernel}",
            memory=pipeline_memory(
                ds.n_samples, ds.n_features, features=features, kernel=kernel,
                max_samples=max_samples,
            ),
            force=force,
            hint="use a smaller width or --max-samples",
        )  # fmt: skip
        with CallbackProgress("spectrum", enabled=not quiet and not json_) as prog:
            measured = measure_pipeline_spectrum(
                ds.x,
                ds.y,
                features=features,
                kernel=kernel,
                seed=seed,
                max_samples=max_samples,
                reference=plot is not None,
                progress=prog,
            )
        est = measured.estimate
        notes = list(ds.notes) + [
            n.replace("(max_samples)", "(--max-samples)") for n in measured.notes
        ]
        source_desc = measured.description
        result = est.to_dict()
        result.update(
            {
                "data": ds.name,
                "spectrum_of": source_desc,
                "n_features": int(ds.n_features),
                "notes": notes,
            }
        )
        if plot_path is not None:
            from scalinglab.plots.spectra import plot_exponents

            title = f"{ds.name}: {source_desc} ($n$ = {est.n_samples})"
            fig = plot_exponents(
                est,
                title=title,
                reference=measured.reference,
                reference_label="inputs (rescaled to the same $\\lambda_1$)",
            )
            outputs.save_figure(fig, plot_path, dpi=dpi)
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


def _option_message(message: str) -> str:
    """Say ``--features``/``--kernel`` where the library says ``features``/``kernel``."""
    if message.startswith("features "):
        return "--" + message
    return message.replace("Give either features or a kernel", "give either --features or --kernel")


def _parse_ints(text: str | None, name: str) -> list[int] | None:
    if text is None:
        return None
    try:
        vals = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        fail(f"{name} must be comma-separated integers; got {text!r}")
    if not vals:
        fail(f"{name} is empty")
    if any(v < 1 for v in vals):
        fail(f"{name} must be integers >= 1; got {text!r}")
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
    plot: Annotated[
        Path | None,
        typer.Option(help="Save the learning curves: .png, .pdf or .svg (replaces a file)."),
    ] = None,
    dpi: Dpi = 150,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    force: Force = False,
) -> None:
    """Learning curve predicted from the measured spectrum vs actual random-feature regression."""
    ridge_val = parse_ridge(ridge, "--ridge", "learning-curve")
    t_grid = _parse_ints(samples, "--samples")
    if seeds < 1:
        fail(f"--seeds must be >= 1; got {seeds}")
    if seed < 0:
        fail(f"--seed must be >= 0; got {seed}")
    if not 0 < test_fraction < 1:
        fail(f"--test-fraction must be in (0, 1); got {test_fraction}")
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        import numpy as np

        from scalinglab.empirical.learning_curve import learning_curve, parse_features

        try:
            _, widths = parse_features(features)
        except ValueError as exc:
            fail(_option_message(str(exc)))
        ds = _load(data, labels, drop_constant)
        if ds.y is None:
            fail("learning-curve needs labels (--labels, or labels inside the .npz)")
        widest = max(widths) if widths else 0
        n, d = ds.n_samples, ds.n_features
        guard(
            f"learning-curve of {ds.name} with --features {features}",
            memory=8.0
            * (2 * n * d + 2 * n * widest + widest * d + 3 * min(n, max(widest, d)) ** 2),
            force=force,
            hint="use smaller widths",
        )
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
        if plot_path is not None:
            from scalinglab.plots.spectra import plot_learning_curve

            title = (
                f"{ds.name}: {lc.kind} features, ridge {lc.ridge}, "
                f"{lc.seeds} seeds, {lc.n_test} test samples"
            )
            outputs.save_figure(plot_learning_curve(lc, title=title), plot_path, dpi=dpi)
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
