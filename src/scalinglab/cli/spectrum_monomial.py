"""``scalinglab spectrum rf-monomial``: exact spectrum of monomial random features.

``spectrum`` takes a data set as its argument; the word ``rf-monomial`` in that place routes to
this command instead (:class:`SpectrumCommand`), so every ``spectrum <dataset>`` call is
unchanged. There is no ``register`` here: ``cli/spectrum.py`` installs the router.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from scalinglab.cli._common import CallbackProgress, emit_json, err_console, fail, save_figure

ROUTE = "rf-monomial"
ROUTE_HELP = (
    f"'scalinglab spectrum {ROUTE} --alpha A --degree P --input-dim V --features D' gives the "
    "exact spectrum of monomial random features on power-law data (see "
    f"'scalinglab spectrum {ROUTE} --help')."
)


def rf_monomial(
    alpha: Annotated[
        float, typer.Option("--alpha", help="Data exponent: H = diag(j^-alpha), alpha > 0.")
    ],
    degree: Annotated[int, typer.Option("--degree", help="Monomial degree p >= 1: f(y) = y^p.")],
    input_dim: Annotated[int, typer.Option("--input-dim", help="Input dimension v.")],
    features: Annotated[int, typer.Option("--features", help="Number of features d <= v.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sketch W (N(0,1) entries).")] = 0,
    window: Annotated[
        str | None,
        typer.Option("--window", help="Fitting window 'LO,HI' (1-based; default 5,d/20)."),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Save spectrum, reference and shape (PNG).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Exact population spectrum of K = E_x[(1/d) f(W^T x) f(W^T x)^T], f(y) = y^p.

    x ~ N(0, diag(j^-alpha)), W has i.i.d. N(0,1) entries (Paquette-Xiao-Zhu, arXiv
    2603.14578). K is computed in closed form (no sampling of x); the eigenvalues are compared
    with the chaos/product reference sequence (p <= 3) and the theorem's shape
    (log^(p-1)(j+1)/j)^alpha over the window.
    """
    from scalinglab.core.monomial_features import analyze_rf_monomial

    win = _parse_window(window)
    if plot is not None:
        if plot.suffix.lower() != ".png":
            fail(f"--plot must end in .png; got '{plot.name}'")
        if not plot.resolve().parent.is_dir():
            fail(f"the output directory '{plot.parent}' does not exist")
    with CallbackProgress("rf-monomial spectrum", enabled=not (quiet or json_)) as prog:
        res = analyze_rf_monomial(
            alpha, degree, input_dim, features, seed=seed, window=win, progress=prog
        )
    out: dict[str, Any] = res.to_dict()
    if plot is not None:
        from scalinglab.plots.monomial import plot_monomial_spectrum

        ax = plot_monomial_spectrum(res)
        save_figure(ax.figure, plot)
        out["plot"] = str(plot)
    if json_:
        emit_json(out)
        return
    rep = res.exponents

    def fmt(v: float | None, digits: int = 3) -> str:
        return "—" if v is None else f"{v:.{digits}f}"

    typer.echo(
        f"K of y^{res.degree} features: v = {res.input_dim}, d = {res.features}, "
        f"alpha = {res.alpha:g}, seed {res.seed}; window j = {rep.window[0]}..{rep.window[1]}"
    )
    typer.echo(
        f"naive exponent            {fmt(rep.naive_exponent)}   "
        f"(reference alone {fmt(rep.naive_exponent_reference)}, "
        f"theorem shape alone {fmt(rep.naive_exponent_theorem)})"
    )
    typer.echo(f"slope vs reference        {fmt(rep.slope_vs_reference)}")
    band = rep.ratio_band
    typer.echo(
        "ratio band lambda/ref     " + ("—" if band is None else f"{band[0]:.3f} .. {band[1]:.3f}")
    )
    typer.echo(f"log-corrected exponent    {fmt(rep.log_corrected_exponent)}")
    typer.echo(f"top eigenvalues           {', '.join(f'{v:.4g}' for v in res.eigenvalues[:5])}")
    for note in res.notes:
        err_console.print(f"[dim]{note}[/dim]", soft_wrap=True)
    if plot is not None:
        typer.echo(f"plot                      {plot}")


def _parse_window(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        lo, hi = (int(p) for p in parts)
    except ValueError:
        fail(f"--window must be two integers 'LO,HI'; got {text!r}")
    return lo, hi


def _rf_monomial_command() -> Any:
    app = typer.Typer(add_completion=False)
    app.command(ROUTE)(rf_monomial)
    return typer.main.get_command(app)


class SpectrumCommand(TyperCommand):
    """The ``spectrum`` command, with ``spectrum rf-monomial ...`` routed to :func:`rf_monomial`.

    Only a first argument equal to ``rf-monomial`` is routed; anything else is parsed by the
    data-set command exactly as before.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epilog = ROUTE_HELP if not self.epilog else f"{self.epilog}\n\n{ROUTE_HELP}"

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        if args and args[0] == ROUTE:
            target = _rf_monomial_command()
            return target.make_context(f"{info_name} {ROUTE}", args[1:], parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)
