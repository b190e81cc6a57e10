"""Figures 5–9 of Maloney, Roberts & Sully (2022), with the settings of their captions.

Where a caption leaves a value out (legend entries were lost with the figure), the choice made
here is stated in the figure's notes. Constants: λ₊ = σ_u² = σ_w² = 1, σ_ε² = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scalinglab._types import ProgressFn
from scalinglab.core.spectra import power_law_spectrum
from scalinglab.empirical.geometry import mean_nearest_neighbour_distance
from scalinglab.figures import FigureOutput, register_figure
from scalinglab.models import mrs
from scalinglab.models.mrs import theory
from scalinglab.models.mrs.rf_equivalent import mrs_optimal_loss
from scalinglab.models.mrs.sampling import feature_gram_eigenvalues, latent_covariance_eigenvalues
from scalinglab.plots.mrs import add_curve, finish_grid, loglog_axes, spectrum_axes

SMALL_SIZE_SEEDS = 8  # MRS Figs 7-8 show several realisations where min(N, T) <= 10
DEFAULT_SEEDS = 3


@dataclass
class _Counter:
    total: int
    progress: ProgressFn | None
    done: int = 0

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def _seeds_for(n: int, t: int, seeds: int) -> int:
    return max(seeds, SMALL_SIZE_SEEDS) if min(n, t) <= 10 else seeds


def _simulate_points(
    configs: Sequence[mrs.MRSConfig], ridge: float | str, seeds: int, counter: _Counter
) -> tuple[np.ndarray, np.ndarray]:
    means, sems = [], []
    for i, cfg in enumerate(configs):
        k = _seeds_for(cfg.features, cfg.samples, seeds)
        sim = mrs.simulate(cfg, seeds=k, seed=1000 + i, ridge=ridge)
        means.append(sim.loss_mean)
        sems.append(sim.loss_sem if sim.loss_sem is not None else 0.0)
        counter.step()
    return np.array(means), np.array(sems)


def _dense(lo: float, hi: float, exclude: int | None = None) -> np.ndarray:
    grid = np.unique(np.round(np.geomspace(lo, hi, 400)).astype(int))
    if exclude is not None:
        grid = grid[grid != exclude]
    return grid


def _with_gap(x: np.ndarray, y: np.ndarray, at: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN at ``at`` so a theory line breaks at the N = T pole instead of bridging it."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if not x[0] < at < x[-1]:
        return x, y
    i = int(np.searchsorted(x, at))
    return np.insert(x, i, at), np.insert(y, i, np.nan)


def _record(rows: list[dict], panel: str, configs, means, sems, theory_values, ridge) -> None:
    for cfg, m, s, th in zip(configs, means, sems, theory_values, strict=True):
        rows.append(
            {
                "panel": panel,
                "M": cfg.latent_dim,
                "alpha": cfg.alpha,
                "N": cfg.features,
                "T": cfg.samples,
                "ridge": ridge,
                "sim_mean": m,
                "sim_sem": s,
                "theory": th,
                "sim_over_theory": m / th if th and np.isfinite(th) and th > 0 else np.nan,
            }
        )


def summarize(rows: list[dict], *, peak_margin: float = 0.3) -> pd.DataFrame:
    """Per curve: how far simulation is from theory (points with |1 − N/T| < margin skipped).

    Near N = T the ridgeless loss diverges and a finite sample of draws cannot estimate it, so
    those points are left out of the summary (they are in the CSV).
    """
    frame = pd.DataFrame(rows)
    frame = frame[np.isfinite(frame["sim_over_theory"])]
    ratio_nt = np.minimum(frame["N"], frame["T"]) / np.maximum(frame["N"], frame["T"])
    frame = frame[(frame["ridge"] != 0.0) | (1 - ratio_nt >= peak_margin)]
    out = []
    for (panel, m, alpha, n_or_t), grp in frame.groupby(
        ["panel", "M", "alpha", frame["N"].where(frame["panel"] != "top-right", frame["T"])],
        sort=False,
    ):
        dev = grp["sim_over_theory"] - 1
        out.append(
            {
                "panel": panel,
                "M": int(m),
                "alpha": float(alpha),
                "curve": f"{'T' if panel == 'top-right' else 'N'}={int(n_or_t)}",
                "points": len(grp),
                "median sim/theory": float(np.median(grp["sim_over_theory"])),
                "max |sim/theory-1|": float(np.abs(dev).max()),
            }
        )
    return pd.DataFrame(out)


def _ridgeless_theory(n, t, m, alpha) -> np.ndarray:
    return theory.label_term_curve(n, t, power_law_spectrum(m, alpha))


def _opt_theory(n: int, t: int, m: int, alpha: float, *, include_latent: bool) -> float:
    return theory.optimal_ridge_fit(n, t, m, alpha, 1.0, 1.0, include_latent=include_latent)


# ----------------------------------------------------------------------------- Figure 5


@register_figure("mrs-fig5", "latent data spectrum: power law up to min(T, M) (MRS Fig. 5)")
def figure5(
    *, quick: bool = False, seeds: int = 1, progress: ProgressFn | None = None
) -> FigureOutput:
    left = dict(m=1000, alpha=1.0, t_values=(250, 500, 1000, 4000))
    right = dict(m=2000, t=1000, alphas=(0.5, 1.0, 2.0))
    if quick:
        left["m"], right["m"], right["t"] = 400, 800, 400
        left["t_values"] = (100, 200, 400, 1600)
    counter = _Counter(len(left["t_values"]) + len(right["alphas"]), progress)
    fig = Figure(figsize=(11, 4.3))
    ax1, ax2 = fig.subplots(1, 2)
    rng = np.random.default_rng(5)
    lam = power_law_spectrum(left["m"], left["alpha"])
    spectrum_axes(ax1, f"M = {left['m']}, α = 1, T varied")
    rows = []
    for t in left["t_values"]:
        ev = latent_covariance_eigenvalues(t, lam, rng)
        ev = ev[ev > 1e-300]
        ax1.plot(np.arange(1, ev.size + 1), ev, "*", ms=2.5, label=f"T = {t}")
        rows.append({"panel": "left", "T": t, "alpha": 1.0, "rank": ev.size})
        counter.step()
    ax1.plot(np.arange(1, lam.size + 1), lam, "k--", lw=1, label="λ_I (T = ∞)")
    spectrum_axes(ax2, f"T = {right['t']}, M = {right['m']}, α varied")
    for a in right["alphas"]:
        lam_a = power_law_spectrum(right["m"], a)
        ev = latent_covariance_eigenvalues(right["t"], lam_a, rng)
        ev = ev[ev > 1e-300]
        (line,) = ax2.plot(np.arange(1, ev.size + 1), ev, "*", ms=2.5, label=f"α = {a:g}")
        ax2.plot(np.arange(1, lam_a.size + 1), lam_a, "--", lw=1, color=line.get_color())
        counter.step()
    for ax in (ax1, ax2):
        ax.set_ylim(bottom=1e-12)
    fig.suptitle(
        "Eigenvalues of the empirical latent covariance $\\frac{1}{T} x x^\\top$", fontsize=11
    )
    finish_grid(fig, (ax1, ax2))
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        notes=[
            "T values (left) and alphas (right) are not in the caption: chosen as "
            f"{left['t_values']} and {right['alphas']}."
        ],
    )


# ----------------------------------------------------------------------------- Figure 6


def _power_law_fit(ev: np.ndarray, lo: int, hi: int) -> tuple[float, float]:
    idx = np.arange(lo, hi + 1)
    slope, icpt = np.polyfit(np.log(idx), np.log(ev[lo - 1 : hi]), 1)
    return slope, icpt


@register_figure("mrs-fig6", "random-feature spectrum: power law up to min(N, T) (MRS Fig. 6)")
def figure6(
    *, quick: bool = False, seeds: int = 1, progress: ProgressFn | None = None
) -> FigureOutput:
    m = 1500 if quick else 5000
    big = 1200 if quick else 4000
    sizes = (big // 4, big // 2, big)
    counter = _Counter(2 * len(sizes), progress)
    lam = power_law_spectrum(m, 1.0)
    rng = np.random.default_rng(6)
    fig = Figure(figsize=(11, 4.3))
    axes = fig.subplots(1, 2)
    rows = []
    panels = (("left", f"N = {big}, T varied", "T"), ("right", f"T = {big}, N varied", "N"))
    for ax, (panel, title, varied) in zip(axes, panels, strict=True):
        spectrum_axes(ax, f"M = {m}, α = 1, {title}")
        ax.plot(np.arange(1, m + 1), lam, "-", lw=1.5, color="C0", label="latent λ_I")
        for j, size in enumerate(sizes):
            n, t = (big, size) if varied == "T" else (size, big)
            ev = feature_gram_eigenvalues(n, t, lam, 1.0, rng) / t
            ev = ev[ev > 1e-300]
            ax.plot(
                np.arange(1, ev.size + 1),
                ev,
                "*",
                ms=2.5,
                color=f"C{j + 1}",
                label=f"{varied} = {size}",
            )
            lo, hi = 10, max(20, min(n, t) // 4)
            slope, _ = _power_law_fit(ev, lo, hi)
            rows.append(
                {
                    "panel": panel,
                    "N": n,
                    "T": t,
                    "fitted_slope": slope,
                    "fit_window": f"[{lo}, {hi}]",
                }
            )
            counter.step()
        # fit line: the widest feature spectrum (N = T = big), over its fitting window
        slope, icpt = _power_law_fit(ev, lo, hi)
        idx = np.arange(1, ev.size + 1)
        ax.plot(
            idx,
            np.exp(icpt) * idx**slope,
            "k--",
            lw=1,
            label=f"fit to {varied} = {size} on [{lo}, {hi}]: slope {slope:.2f}",
        )
        ax.set_ylim(bottom=1e-12)
    fig.suptitle(
        "Eigenvalues of the random-feature covariance $\\frac{1}{T} \\phi \\phi^\\top$", fontsize=11
    )
    finish_grid(fig, axes)
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        notes=["Slopes are fitted over [10, min(N, T)/4]; -(1 + alpha) = -2 expected."],
    )


# ----------------------------------------------------------------------------- Figures 7-8

_N_VALUES = (10, 100, 1000)
_ALPHAS = (0.5, 1.0, 1.5, 2.0)


def _t_grid(m: int, quick: bool) -> list[int]:
    if quick:
        return [2, 5, 15, 40, 150, 400, 700, 1400, m]
    return [2, 4, 7, 15, 30, 70, 150, 300, 700, 1500, 3000, m]


def _sizes(quick: bool) -> tuple[int, tuple[int, ...]]:
    return (1400, (10, 100, 300)) if quick else (6000, _N_VALUES)


def _panel_vs_t(
    ax,
    *,
    m: int,
    alpha: float,
    n: int,
    t_grid: Sequence[int],
    ridge: float | str,
    seeds: int,
    counter: _Counter,
    rows: list[dict],
    panel: str,
    color: str,
    label: str,
    opt_fits: str = "172",
) -> None:
    configs = [mrs.MRSConfig(latent_dim=m, alpha=alpha, features=n, samples=t) for t in t_grid]
    means, sems = _simulate_points(configs, ridge, seeds, counter)
    x = np.array(t_grid, dtype=float)
    if ridge == 0.0:
        dense = _dense(1, m, exclude=n)
        th_dense = _ridgeless_theory(np.full(dense.shape, n), dense, m, alpha)
        th_pts = _ridgeless_theory(np.full(x.shape, n), x.astype(int), m, alpha)
        dense, th_dense = _with_gap(dense, th_dense, n)
        add_curve(ax, x, means, sems, theory_x=dense, theory_y=th_dense, color=color, label=label)
    else:
        dense = _dense(1, m)
        fits = {
            key: np.array(
                [_opt_theory(n, int(t), m, alpha, include_latent=key == "172") for t in dense]
            )
            for key in ("171", "172")
        }
        th_pts = np.array(
            [_opt_theory(n, t, m, alpha, include_latent=opt_fits == "172") for t in t_grid]
        )
        add_curve(
            ax, x, means, sems, theory_x=dense, theory_y=fits[opt_fits], color=color, label=label
        )
        if opt_fits == "172":
            ax.plot(dense, fits["171"], "--", color=ax.lines[-1].get_color(), lw=1, alpha=0.8)
    _record(rows, panel, configs, means, sems, th_pts, ridge)


def _family_vs_t(ax, curves: Sequence[tuple[int, float, str]], **common: Any) -> None:
    """One :func:`_panel_vs_t` per (N, alpha, label), coloured C0, C1, ..."""
    for j, (n, alpha, label) in enumerate(curves):
        _panel_vs_t(ax, n=n, alpha=alpha, label=label, color=f"C{j}", **common)


def _panel_vs_n(ax, *, m, alpha, t, n_grid, seeds, counter, rows, panel, color, label) -> None:
    configs = [mrs.MRSConfig(latent_dim=m, alpha=alpha, features=n, samples=t) for n in n_grid]
    means, sems = _simulate_points(configs, 0.0, seeds, counter)
    dense = _dense(1, m, exclude=t)
    th_dense = _ridgeless_theory(dense, np.full(dense.shape, t), m, alpha)
    x = np.array(n_grid, dtype=float)
    th_pts = _ridgeless_theory(x.astype(int), np.full(x.shape, t), m, alpha)
    dense, th_dense = _with_gap(dense, th_dense, t)
    add_curve(ax, x, means, sems, theory_x=dense, theory_y=th_dense, color=color, label=label)
    _record(rows, panel, configs, means, sems, th_pts, 0.0)


def _ylim_from_rows(ax, rows: list[dict], panel: str) -> None:
    vals = np.array([r["sim_mean"] for r in rows if r["panel"] == panel])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size:
        ax.set_ylim(vals.min() / 3, vals.max() * 5)


@register_figure("mrs-fig7", "optimally regularised loss vs T with the fit (41) (MRS Fig. 7)")
def figure7(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    m, n_values = _sizes(quick)
    t_grid = _t_grid(m, quick)
    n_fixed = n_values[-1]
    counter = _Counter(len(t_grid) * (len(n_values) + len(_ALPHAS)), progress)
    fig = Figure(figsize=(11, 4.5))
    ax1, ax2 = fig.subplots(1, 2)
    rows: list[dict] = []
    loglog_axes(ax1, "training samples T", title=f"γ = γ*, M = {m}, α = 1, N varied")
    _family_vs_t(
        ax1,
        [(n, 1.0, f"N = {n}") for n in n_values],
        m=m,
        t_grid=t_grid,
        ridge="opt",
        seeds=seeds,
        counter=counter,
        rows=rows,
        panel="left",
        opt_fits="171",
    )
    loglog_axes(ax2, "training samples T", title=f"γ = γ*, M = {m}, N = {n_fixed}, α varied")
    _family_vs_t(
        ax2,
        [(n_fixed, a, f"α = {a:g}") for a in _ALPHAS],
        m=m,
        t_grid=t_grid,
        ridge="opt",
        seeds=seeds,
        counter=counter,
        rows=rows,
        panel="right",
        opt_fits="171",
    )
    _ylim_from_rows(ax1, rows, "left")
    _ylim_from_rows(ax2, rows, "right")
    fig.suptitle(
        "Optimally regularised test loss (stars) and the fit L0 (1/N + 1/T)^alpha (41)", fontsize=11
    )
    finish_grid(fig, (ax1, ax2))
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        summary=summarize(rows),
        notes=[
            f"N values {n_values} and alphas {_ALPHAS} are not in the caption (lost "
            "legends); gamma* minimises each draw's exact test loss."
        ],
    )


@register_figure("mrs-fig8", "ridgeless theory (163) vs simulation; optimal ridge (MRS Fig. 8)")
def figure8(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    m, n_values = _sizes(quick)
    t_grid = _t_grid(m, quick)
    n_fixed = n_values[-1]
    counter = _Counter(len(t_grid) * (3 * len(n_values) + len(_ALPHAS)), progress)
    fig = Figure(figsize=(11, 8.6))
    axes = fig.subplots(2, 2)
    rows: list[dict] = []
    ax = loglog_axes(axes[0, 0], "training samples T", title=f"γ = 0, M = {m}, α = 1, N varied")
    _family_vs_t(
        ax,
        [(n, 1.0, f"N = {n}") for n in n_values],
        m=m,
        t_grid=t_grid,
        ridge=0.0,
        seeds=seeds,
        counter=counter,
        rows=rows,
        panel="top-left",
    )
    ax = loglog_axes(axes[0, 1], "features N", title=f"γ = 0, M = {m}, α = 1, T varied")
    for j, t in enumerate(n_values):
        _panel_vs_n(
            ax,
            m=m,
            alpha=1.0,
            t=t,
            n_grid=t_grid,
            seeds=seeds,
            counter=counter,
            rows=rows,
            panel="top-right",
            color=f"C{j}",
            label=f"T = {t}",
        )
    ax = loglog_axes(
        axes[1, 0], "training samples T", title=f"γ = 0, M = {m}, N = {n_fixed}, α varied"
    )
    _family_vs_t(
        ax,
        [(n_fixed, a, f"α = {a:g}") for a in _ALPHAS],
        m=m,
        t_grid=t_grid,
        ridge=0.0,
        seeds=seeds,
        counter=counter,
        rows=rows,
        panel="bottom-left",
    )
    ax = loglog_axes(
        axes[1, 1],
        "training samples T",
        title=f"γ = γ*, M = {m}, α = 1: (172) solid, (171) dashed",
    )
    _family_vs_t(
        ax,
        [(n, 1.0, f"N = {n}") for n in n_values],
        m=m,
        t_grid=t_grid,
        ridge="opt",
        seeds=seeds,
        counter=counter,
        rows=rows,
        panel="bottom-right",
        opt_fits="172",
    )
    for axis, panel in zip(
        axes.ravel(), ("top-left", "top-right", "bottom-left", "bottom-right"), strict=True
    ):
        _ylim_from_rows(axis, rows, panel)
    fig.suptitle("MRS model: simulation (stars, mean ± s.e.) vs theory (lines)", fontsize=11)
    finish_grid(fig, axes.ravel())
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        summary=summarize(rows),
        notes=[
            f"N, T values {n_values} and alphas {_ALPHAS} are not in the caption (lost "
            "legends). Theory: eq. (163) with Delta_-1 from (164); bottom right: fits (171), "
            "(172)."
        ],
    )


# ----------------------------------------------------------------------------- Figure 9


def _breakdown_t_grid(m: int) -> list[int]:
    fixed = {1, 2, 5, 10, 20, 50, 100, 200, 3 * m, 10 * m}
    near_m = {int(f * m) for f in (0.4, 0.7, 0.9, 0.97, 1.1, 1.5)}
    return sorted(fixed | near_m)


def _ridgeless_with_noise(n: int, t_values, m: int, alpha: float, noise_var: float) -> np.ndarray:
    """Eq. (163) plus the noise term (86)/(186) on the projected spectrum, per T."""
    lam = power_law_spectrum(m, alpha)
    t_arr = np.asarray(t_values, dtype=int)
    label = theory.label_term_curve(np.full(t_arr.shape, n), t_arr, lam)
    if noise_var == 0:
        return label
    noise = [theory.noise_term_ridgeless(n, int(t), lam, alpha, noise_var=noise_var) for t in t_arr]
    return label + np.array(noise)


def _paper_opt_law(n: int, t: int, m: int, alpha: float, noise_var: float) -> float:
    """The paper's optimal-ridge fit (185) plus the heuristic noise term (187)."""
    law = _opt_theory(n, t, m, alpha, include_latent=True)
    if noise_var > 0:
        law += theory.noise_term_optimal_ridge_heuristic(t, m, alpha, noise_var)
    return law


def _de_opt(n: int, t: int, m: int, alpha: float, noise_var: float) -> float:
    cfg = mrs.MRSConfig(latent_dim=m, alpha=alpha, features=n, samples=t, noise_var=noise_var)
    return mrs_optimal_loss(cfg)["loss"]


def _breakdown_figure(
    *,
    m: int,
    alpha: float,
    noise_var: float,
    n_values: Sequence[int],
    seeds: int,
    progress: ProgressFn | None,
    title: str,
) -> tuple[Figure, list[dict]]:
    """Loss vs T when M is not the largest scale (MRS §4.1): ridgeless (left), γ* (right).

    Left: simulation against (163) + noise term. Right: γ* simulation against the random-
    feature deterministic equivalent at its optimal ridge (solid; recorded as ``theory``) and
    the paper's fit (185) + (187) (dashed; recorded as ``paper_law``).
    """
    t_grid = _breakdown_t_grid(m)
    counter = _Counter(2 * len(t_grid) * len(n_values), progress)
    fig = Figure(figsize=(11, 4.5))
    ax1, ax2 = fig.subplots(1, 2)
    rows: list[dict] = []
    tag = f"M = {m}, α = {alpha:g}" + (f", σ_ε² = {noise_var:g}" if noise_var else "")
    loglog_axes(ax1, "training samples T", title=f"γ = 0: (163) + noise term; {tag}")
    loglog_axes(ax2, "training samples T", title="γ = γ*: RF theory; paper's fit dashed")
    de_grid = np.unique(np.round(np.geomspace(1, 10 * m, 60)).astype(int))
    for j, n in enumerate(n_values):
        configs = [
            mrs.MRSConfig(latent_dim=m, alpha=alpha, features=n, samples=t, noise_var=noise_var)
            for t in t_grid
        ]
        for ax, ridge, panel in ((ax1, 0.0, "left"), (ax2, "opt", "right")):
            means, sems = _simulate_points(configs, ridge, seeds, counter)
            x = np.array(t_grid, float)
            if ridge == 0.0:
                dense = _dense(1, 10 * m, exclude=n)
                th = _ridgeless_with_noise(n, dense, m, alpha, noise_var)
                th_pts = _ridgeless_with_noise(n, t_grid, m, alpha, noise_var)
                dense, th = _with_gap(dense, th, n)
                start = len(rows)
            else:
                dense = de_grid
                th = np.array([_de_opt(n, int(t), m, alpha, noise_var) for t in dense])
                th_pts = np.array([_de_opt(n, t, m, alpha, noise_var) for t in t_grid])
                law_dense = _dense(1, 10 * m)
                law = [_paper_opt_law(n, int(t), m, alpha, noise_var) for t in law_dense]
                ax.plot(law_dense, np.where(np.array(law) > 0, law, np.nan), "--",
                        color=f"C{j}", lw=1, alpha=0.7)  # fmt: skip
                start = len(rows)
            th = np.where(th > 0, th, np.nan)
            add_curve(
                ax, x, means, sems, theory_x=dense, theory_y=th, color=f"C{j}", label=f"N = {n}"
            )
            _record(rows, panel, configs, means, sems, th_pts, ridge)
            if ridge == "opt":
                for row, t in zip(rows[start:], t_grid, strict=True):
                    row["paper_law"] = _paper_opt_law(n, t, m, alpha, noise_var)
    for ax, panel in ((ax1, "left"), (ax2, "right")):
        ax.axvline(m, color="grey", lw=0.8, ls=":")
        vals = np.array([r["sim_mean"] for r in rows if r["panel"] == panel])
        vals = vals[vals > 1e-14]
        ax.set_ylim(max(vals.min() / 3, 1e-12), vals.max() * 5)
    fig.suptitle(title, fontsize=10)
    finish_grid(fig, (ax1, ax2))
    return fig, rows


_BREAKDOWN_NOTE = (
    "right panel: 'theory' is the random-feature ridge deterministic equivalent at its optimal "
    "ridge (not an MRS formula); the paper's fit is the dashed line and the 'paper_law' column"
)


@register_figure("mrs-fig9", "breakdown when N > M: collapse at T = M (MRS Fig. 9)")
def figure9(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    m = 400 if quick else 1000
    n_values = (m // 2, 2 * m, 10 * m)
    fig, rows = _breakdown_figure(
        m=m,
        alpha=1.0,
        noise_var=0.0,
        n_values=n_values,
        seeds=seeds,
        progress=progress,
        title="N > M: the loss collapses to 0 as T reaches M (dotted line); losses below the "
        "axis are exactly 0",
    )
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        summary=summarize(rows),
        notes=[f"N values {n_values} are not in the caption (lost legend).", _BREAKDOWN_NOTE],
    )


@register_figure("mrs-fig10", "label noise when M is not the largest scale (MRS Fig. 10)")
def figure10(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    """MRS Fig. 10: α = 2.33, M = 1000, σ_ε² = 1e-8, N ∈ {500, 2000}, T from 1 to 10⁴."""
    m = 400 if quick else 1000
    n_values = (m // 2, 2 * m)
    fig, rows = _breakdown_figure(
        m=m,
        alpha=2.33,
        noise_var=1e-8,
        n_values=n_values,
        seeds=seeds,
        progress=progress,
        title="Label noise: for N > M the T^-alpha law turns into a ~1/T noise decay past "
        "T = M; for N < M a plateau, then noise decay",
    )
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        summary=summarize(rows),
        notes=[
            "The paper's right panel fits a constant c in its noise correction (188); we draw "
            "(185) + (187) without it.",
            _BREAKDOWN_NOTE,
        ],
    )


# ----------------------------------------------------------------------------- Figure 12


@register_figure(
    "mrs-fig12", "nearest-neighbour distance vs T: d_in set by alpha, not by M (MRS Fig. 12)"
)
def figure12(
    *, quick: bool = False, seeds: int = 1, progress: ProgressFn | None = None
) -> FigureOutput:
    """MRS Fig. 12: ⟨δ⟩ (eq. 190) of latent data vs T, with power-law fits.

    Left: M = 3000, α ∈ {0.5, 1, 2}. Right: α = 1, M ∈ {1000, 3000, 6000}. λ₊ = 1. The
    paper's fit is ⟨δ⟩ ∝ T^(−α/12), i.e. d_in = 12/α whatever M. ``seeds`` is unused (one data
    set per curve; nested prefixes give every T).
    """
    t_max = 1500 if quick else 6000
    m_left = 1000 if quick else 3000
    alphas = (0.5, 1.0, 2.0)
    latent_dims = (500, 1000, 2000) if quick else (1000, 3000, 6000)
    t_grid = np.unique(np.round(np.geomspace(100, t_max, 10)).astype(int))
    panels = {
        "left": [(m_left, a, f"α = {a:g}") for a in alphas],
        "right": [(m, 1.0, f"M = {m}") for m in latent_dims],
    }
    counter = _Counter(sum(len(c) for c in panels.values()), progress)
    fig = Figure(figsize=(11, 4.5))
    axes = dict(zip(panels, fig.subplots(1, 2), strict=True))
    cache: dict[tuple[int, float], np.ndarray] = {}
    rows: list[dict] = []
    for panel, curves in panels.items():
        ax = axes[panel]
        varied = "α varied" if panel == "left" else "M varied"
        fixed = f"M = {m_left}" if panel == "left" else "α = 1"
        loglog_axes(ax, "training samples T", ylabel="<delta>", title=f"{fixed}, {varied}")
        for j, (m, alpha, label) in enumerate(curves):
            if (m, alpha) not in cache:
                rng = np.random.default_rng(1200 + m + int(100 * alpha))
                x = rng.standard_normal((t_max, m)) * np.sqrt(power_law_spectrum(m, alpha))
                cache[m, alpha] = mean_nearest_neighbour_distance(x, t_grid)
            delta = cache[m, alpha]
            slope, icpt = np.polyfit(np.log(t_grid), np.log(delta), 1)
            ax.plot(t_grid, delta, "*", color=f"C{j}", ms=7, label=f"{label}: slope {slope:.3f}")
            ax.plot(t_grid, np.exp(icpt) * t_grid**slope, "--", color=f"C{j}", lw=1)
            rows.append(
                {
                    "panel": panel,
                    "M": m,
                    "alpha": alpha,
                    "fitted slope": float(slope),
                    "-alpha/12": -alpha / 12,
                    "implied # = -alpha/slope": float(-alpha / slope),
                }
            )
            counter.step()
    fig.suptitle(
        "Nearest-neighbour distance of latent data (stars) with power-law fits (dashed); "
        "MRS: <delta> ~ T^(-alpha/12)",
        fontsize=10,
    )
    finish_grid(fig, list(axes.values()))
    table = pd.DataFrame(rows)
    return FigureOutput(
        figures={"main": fig},
        tables={"main": table},
        summary=table,
        notes=[
            f"T from 100 to {t_max} (nested prefixes of one data set per curve); the alphas "
            f"{alphas} and Ms {latent_dims} are not in the caption (lost legends)."
        ],
    )


# ----------------------------------------------------------------------------- Figure 11


@register_figure(
    "mrs-fig11", "double descent in N at fixed T; the optimal ridge removes it (MRS Fig. 11)"
)
def figure11(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    """MRS Fig. 11 (a sketch in the paper), here with simulation points.

    Loss vs N at T = T₀: ridgeless theory (163) (solid) and the paper's optimal-ridge law
    (172) at T₀ and 8 T₀ (dashed), with ridgeless and γ* simulations. M = 6000, α = 1,
    λ₊ = σ_w² = σ_u² = 1; T₀ = 100 (the paper leaves T₀ open). Vertical lines mark N = T.
    """
    m, alpha = (1400, 1.0) if quick else (6000, 1.0)
    t0 = 50 if quick else 100
    n_grid = sorted({int(v) for v in np.round(np.geomspace(2, m, 9 if quick else 14))})
    curves = [(t0, 0.0, f"T = T0 = {t0}, γ = 0"), (t0, "opt", "T = T0, γ = γ*")]
    curves.append((8 * t0, "opt", f"T = 8 T0 = {8 * t0}, γ = γ*"))
    counter = _Counter(len(curves) * len(n_grid), progress)
    fig = Figure(figsize=(6.5, 4.8))
    ax = fig.subplots()
    loglog_axes(ax, "features N", title=f"M = {m}, α = {alpha:g}")
    rows: list[dict] = []
    lam = power_law_spectrum(m, alpha)
    for j, (t, ridge, label) in enumerate(curves):
        configs = [mrs.MRSConfig(latent_dim=m, alpha=alpha, features=n, samples=t) for n in n_grid]
        means, sems = _simulate_points(configs, ridge, seeds, counter)
        if ridge == 0.0:
            dense = _dense(1, m, exclude=t)
            th = theory.label_term_curve(dense, np.full(dense.shape, t), lam)
            th_pts = theory.label_term_curve(np.array(n_grid), np.full(len(n_grid), t), lam)
            dense, th = _with_gap(dense, th, t)
            style = "-"
        else:
            dense = _dense(1, m)
            th = np.array([_opt_theory(int(n), t, m, alpha, include_latent=True) for n in dense])
            th_pts = np.array([_opt_theory(n, t, m, alpha, include_latent=True) for n in n_grid])
            style = "--"
        ax.errorbar(n_grid, means, yerr=2 * np.asarray(sems), fmt="*", color=f"C{j}", ms=7,
                    capsize=2, label=label)  # fmt: skip
        ax.plot(dense, th, style, color=f"C{j}", lw=1.3)
        ax.axvline(t, color=f"C{j}", ls=":", lw=0.8)
        _record(rows, "main", configs, means, sems, th_pts, ridge)
    _ylim_from_rows(ax, rows, "main")
    fig.suptitle(
        "Double descent at $\\gamma = 0$ (solid: eq. 163) vs the optimal ridge (dashed: eq. 172)",
        fontsize=10,
    )
    finish_grid(fig, [ax])
    frame = pd.DataFrame(rows)
    summary = (
        frame.assign(curve=[f"T={r['T']}, ridge={r['ridge']}" for r in rows])
        .groupby("curve", sort=False)["sim_over_theory"]
        .agg(points="count", median="median")
        .reset_index()
    )
    return FigureOutput(
        figures={"main": fig},
        tables={"main": frame},
        summary=summary,
        notes=[
            f"T0 = {t0} is our choice (the paper's Fig. 11 is a sketch without values); "
            "error bars are 2 standard errors; the ridgeless point at N = T is off-scale."
        ],
    )
