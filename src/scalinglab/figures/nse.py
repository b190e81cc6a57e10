"""Noise sensitivity exponent figures (Defilippis–Krzakala–Loureiro–Maillard, arXiv 2603.17896).

- ``nse-fig3``: the exact weak-recovery threshold α_c(Δ) of several links against the noise
  variance Δ, with their large-noise laws β★! Δ^β★ / E[σ^β★ He₂]² (multiindex_math.md §B.2,
  §B.4), and the ratio to the law.
- ``nse-spectral``: the §B.5 spectral-estimator Monte Carlo for σ = h_2 at Δ = 4 and 16, with
  the d → ∞ overlap and α_c(Δ): the transition moves by ≈ 4^β★ = 4.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scalinglab._types import ProgressFn
from scalinglab.figures import FigureOutput, register_figure
from scalinglab.models.multiindex.nse import (
    large_noise_threshold,
    noise_sensitivity_exponent,
    weak_recovery_threshold,
)
from scalinglab.models.multiindex.spectral import (
    DEFAULT_LEVEL,
    crossing_alpha,
    spectral_overlap_theory,
    spectral_overlaps,
)
from scalinglab.plots.nse import plot_spectral_overlaps, plot_thresholds

FIG3_LINKS = ("he2", "abs", "cos", "he4", "he6")
FIG3_LINKS_QUICK = ("he2", "abs", "he4")
SPECTRAL_DELTAS = (4.0, 16.0)
SPECTRAL_SEEDS = 4


def _tick(progress: ProgressFn | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


@register_figure("nse-fig3", "alpha_c(Delta) of several links with their Delta^beta* laws (NSE)")
def figure3(
    *, quick: bool = False, seeds: int = 1, progress: ProgressFn | None = None
) -> FigureOutput:
    links = FIG3_LINKS_QUICK if quick else FIG3_LINKS
    deltas = np.logspace(-2, 6, 9 if quick else 33)
    total = len(links) * deltas.size
    rows: list[dict] = []
    curves = []
    done = 0
    for name in links:
        res = noise_sensitivity_exponent(name)
        alpha, asym = [], []
        for delta in deltas:
            thr = weak_recovery_threshold(name, float(delta))
            law = large_noise_threshold(name, float(delta))
            alpha.append(thr.alpha_c)
            asym.append(law)
            rows.append(
                {
                    "link": name,
                    "nse": res.beta_star,
                    "delta": float(delta),
                    "alpha_c": thr.alpha_c,
                    "asymptote": law,
                    "ratio": thr.alpha_c / law,
                    "status": str(thr.status),
                    "rel_error": thr.rel_error,
                }
            )
            done += 1
            _tick(progress, done, total)
        curves.append(
            {
                "label": f"{name} (β★ = {res.beta_star})",
                "delta": deltas,
                "alpha_c": np.array(alpha),
                "asymptote": np.array(asym),
            }
        )
    fig = Figure(figsize=(11.5, 4.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    plot_thresholds(curves, ax=ax1, title="α_c(Δ) (solid) and β★! Δ^β★ / E[σ^β★ He2]² (dashed)")
    ax1.set_ylim(0.3, None)
    for k, c in enumerate(curves):
        ax2.plot(c["delta"], c["alpha_c"] / c["asymptote"], "-o", ms=3, color=f"C{k}",
                 label=c["label"])  # fmt: skip
    ax2.axhline(1.0, color="0.4", ls=":", lw=1.0)
    ax2.set_ylim(0.02, 10.0)  # small Δ (ratio ≫ 1) is not the law's regime
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("noise variance Δ")
    ax2.set_ylabel("α_c / large-noise law")
    ax2.set_title("ratio to the Δ^β★ law (slow for β★ = 2: heavy tails)", fontsize=10)
    ax2.grid(True, which="major", alpha=0.3)
    ax2.legend(fontsize=8)
    table = pd.DataFrame(rows)
    summary = []
    for name in links:
        sub = table[table["link"] == name].sort_values("delta")
        d, a = sub["delta"].to_numpy(), sub["alpha_c"].to_numpy()
        summary.append(
            {
                "link": name,
                "nse": int(sub["nse"].iloc[0]),
                "alpha_c(0.01)": a[0],
                "alpha_c(1)": float(np.interp(0.0, np.log10(d), a)),
                "slope(last two)": math.log(a[-1] / a[-2]) / math.log(d[-1] / d[-2]),
                "ratio(Δ max)": float(sub["ratio"].iloc[-1]),
            }
        )
    return FigureOutput(
        figures={"main": fig},
        tables={"main": table},
        summary=pd.DataFrame(summary),
        notes=[
            "alpha_c = 1/E_y(E(z²-1 | y)²) (Mondelli-Montanari) by noise-scaled quadrature; "
            "the dashed laws are exact asymptotes (note §B.2), not fits."
        ],
    )


@register_figure("nse-spectral", "spectral estimator overlap vs n/d at two noise levels (NSE §B.5)")
def figure_spectral(
    *, quick: bool = False, seeds: int = SPECTRAL_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    d = 150 if quick else 400
    seeds = min(seeds, 2) if quick else seeds
    alphas = np.geomspace(0.5, 64.0, 9 if quick else 15)
    results, theory, rows, summary = [], [], [], []
    for k, delta in enumerate(SPECTRAL_DELTAS):

        def prog(done: int, total: int, k: int = k) -> None:
            _tick(progress, k * total + done, len(SPECTRAL_DELTAS) * total)

        res = spectral_overlaps("he2", delta, alphas, d=d, seeds=seeds, seed=11, progress=prog)
        grid = np.geomspace(alphas[0], alphas[-1], 120)
        dense = spectral_overlap_theory("he2", delta, grid)
        results.append(res)
        theory.append((grid, dense))
        for a, m, s, t in zip(
            res.alphas, res.overlap2_mean, res.overlap2_sem, res.overlap2_theory, strict=True
        ):
            rows.append(
                {"delta": delta, "d": d, "alpha": a, "overlap2_mean": m, "overlap2_sem": s,
                 "overlap2_theory": t, "alpha_c": res.alpha_c}
            )  # fmt: skip
        summary.append(
            {
                "delta": delta,
                "alpha_c": res.alpha_c,
                f"theory crossing {DEFAULT_LEVEL:g}": crossing_alpha(grid, dense, DEFAULT_LEVEL),
                f"MC crossing {DEFAULT_LEVEL:g}": res.empirical_threshold(),
            }
        )
    fig = Figure(figsize=(7.0, 4.8), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    plot_spectral_overlaps(
        results,
        theory=theory,
        ax=ax,
        title=f"σ = h_2, T(y) = 1 − 1/E[z²|y]; dotted: α_c(Δ); {seeds} seeds",
    )
    ratio = summary[1]["alpha_c"] / summary[0]["alpha_c"]
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        summary=pd.DataFrame(summary),
        notes=[f"alpha_c(16)/alpha_c(4) = {ratio:.4f} (NSE 1: ≈ 4)"],
    )
