"""Appendix figures 15–19 of Maloney, Roberts & Sully (2022): App. A linear model, App. B Δ's.

- Figs 15–16: ridgeless linear regression on the data itself (App. A, eq. 219), simulated
  (Monte Carlo over the training inputs, exact averages over teacher, noise and test inputs)
  against the closed forms (227) (Marchenko–Pastur data) and (230) (power-law data).
- Figs 17–18: Δ₋₁(μ, M) and Δ₀(μ, M): the numerical roots of (234) and (253)–(254)/(261)
  (:mod:`scalinglab.core.rmt`) against the interpolations (251) and (258)/(262), with Monte
  Carlo points from the linear model (``tr Λ(I − P) → Δ₋₁``, ``tr Λ X⁺X⁺ᵀ → Δ₀``).
- Fig. 19: Δ^F₀(T, N) of the projected spectrum Ω = uΛuᵀ for one drawn u, against (264),
  with the deterministic equivalent of :func:`scalinglab.models.mrs.theory.noise_coefficient`.

Values the captions leave out (lost legends) are stated in each figure's notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg
from matplotlib.figure import Figure

from scalinglab._types import ProgressFn
from scalinglab.core import rmt
from scalinglab.core.spectra import power_law_spectrum
from scalinglab.figures import FigureOutput, register_figure
from scalinglab.models.mrs import theory
from scalinglab.models.mrs.linear_model import (
    DEFAULT_SEEDS,
    LinearModelDraws,
    simulate_linear_model,
)
from scalinglab.plots.mrs import finish_grid, loglog_axes

__all__: list[str] = []

PEAK_MARGIN = 0.3  # summaries skip |1 − min/max| < 0.3: the T = N pole needs far more draws


@dataclass
class _Counter:
    total: int
    progress: ProgressFn | None
    done: int = 0

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


# ----------------------------------------------------------------------------- simulation


# ----------------------------------------------------------------------------- helpers


def _grid(lo: float, hi: float, points: int, avoid: int | None = None) -> list[int]:
    """Integer log grid; drops points within 8 % of ``avoid`` (the T = N pole)."""
    vals = sorted({round(float(v)) for v in np.geomspace(lo, hi, points)})
    if avoid is not None:
        vals = [v for v in vals if abs(v / avoid - 1.0) > 0.08]
    return vals


def _dense(lo: float, hi: float, pole: float | None = None) -> np.ndarray:
    """Dense float grid for theory lines, with a NaN-break at ``pole``."""
    x = np.geomspace(lo, hi, 500)
    if pole is not None and lo < pole < hi:
        x = x[np.abs(x / pole - 1.0) > 1e-3]
        x = np.insert(x, int(np.searchsorted(x, pole)), np.nan)
    return x


def _curve_summary(rows: list[dict], by: Sequence[str], extra: str | None = None) -> pd.DataFrame:
    """Per curve: sim/theory away from the pole; ``extra`` names a second theory column."""
    frame = pd.DataFrame(rows)
    ratio_nt = np.minimum(frame["N"], frame["T"]) / np.maximum(frame["N"], frame["T"])
    frame = frame[(1.0 - ratio_nt >= PEAK_MARGIN) & np.isfinite(frame["sim_over_theory"])]
    out = []
    for key, grp in frame.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        rec = {**dict(zip(by, key, strict=True)), "points": len(grp)}
        cols = [("theory", "theory")] + ([(extra, extra)] if extra else [])
        for col, name in cols:
            ratio = grp["sim_mean"] / grp[col]
            rec[f"median sim/{name}"] = float(np.median(ratio))
            rec[f"max |sim/{name}-1|"] = float(np.abs(ratio - 1.0).max())
        z = (grp["sim_mean"] - grp[cols[-1][0]]) / grp["sim_sem"].where(grp["sim_sem"] > 0)
        rec[f"max |z| vs {cols[-1][1]}"] = (
            float(np.nanmax(np.abs(z))) if z.notna().any() else np.nan
        )
        out.append(rec)
    return pd.DataFrame(out)


def _row(panel: str, curve: str, n: int, t: int, sim: LinearModelDraws, th: float) -> dict:
    ok = np.isfinite(th) and th > 0
    return {
        "panel": panel,
        "curve": curve,
        "N": n,
        "T": t,
        "sim_mean": sim.loss_mean,
        "sim_sem": sim.loss_sem,
        "theory": th,
        "sim_over_theory": sim.loss_mean / th if ok else np.nan,
    }


def _points(ax, x, rows: list[dict], color: str, label: str) -> None:
    mean = np.array([r["sim_mean"] for r in rows])
    sem = np.array([r["sim_sem"] for r in rows])
    ok = mean > 0
    ax.errorbar(np.asarray(x)[ok], mean[ok], yerr=2 * sem[ok], fmt="*", ms=7, color=color,
                capsize=2, lw=1, label=label)  # fmt: skip


# ----------------------------------------------------------------------------- Figure 15


@register_figure("mrs-fig15", "linear model on Marchenko-Pastur data: no T <-> N symmetry (App. A)")
def figure15(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    """MRS Fig. 15: σ_w² = 1, σ_ε² = 0.25; left N = 2000 and T varied, right T = 1000, N varied.

    Isotropic data Λ = σ_x² I: theory (227). One draw per (N, T, seed) serves every σ_x², since
    ``tr Λ(I − P) = σ_x²(N − T)`` and ``tr Λ X⁺X⁺ᵀ`` does not depend on σ_x².
    """
    n_fix, t_fix = (300, 150) if quick else (2000, 1000)
    data_vars = (0.1, 1.0, 10.0)
    teacher_var, noise_var = 1.0, 0.25
    t_grid = _grid(2, 8 * n_fix, 9 if quick else 14, avoid=n_fix)
    n_grid = _grid(2, 8 * t_fix, 9 if quick else 14, avoid=t_fix)
    counter = _Counter(len(t_grid) + len(n_grid), progress)
    fig = Figure(figsize=(11, 4.5))
    axes = fig.subplots(1, 2)
    rows: list[dict] = []
    panels = (
        ("left", axes[0], "training samples T", t_grid, f"N = {n_fix}, T varied"),
        ("right", axes[1], "features N", n_grid, f"T = {t_fix}, N varied"),
    )
    for panel, ax, xlabel, grid, title in panels:
        loglog_axes(ax, xlabel, title=title)
        draws = []
        for i, v in enumerate(grid):
            n, t = (n_fix, v) if panel == "left" else (v, t_fix)
            draws.append(simulate_linear_model(np.ones(n), t, seeds=seeds, seed=15000 + i))
            counter.step()
        pole = float(n_fix if panel == "left" else t_fix)
        dense = _dense(1.5, 10 * pole, pole)
        for j, sx in enumerate(data_vars):
            curve = f"sigma_x^2 = {sx:g}"
            cur = []
            for v, d in zip(grid, draws, strict=True):
                n, t = (n_fix, v) if panel == "left" else (v, t_fix)
                loss = 0.5 * (teacher_var * sx / n * d.label_coef + noise_var * d.noise_coef)
                sim = LinearModelDraws(d.label_coef * sx, d.noise_coef, loss)
                th = theory.linear_model_loss_marchenko_pastur(n, t, sx, teacher_var, noise_var)
                cur.append(_row(panel, curve, n, t, sim, th))
            rows.extend(cur)
            th_line = [
                np.nan
                if not np.isfinite(x)
                else theory.linear_model_loss_marchenko_pastur(
                    *((n_fix, x) if panel == "left" else (x, t_fix)), sx, teacher_var, noise_var
                )
                for x in dense
            ]
            ax.plot(dense, th_line, "-", color=f"C{j}", lw=1.3)
            _points(ax, grid, cur, f"C{j}", curve)
        ax.axvline(pole, color="0.5", ls=":", lw=0.8)
        vals = np.array([r["sim_mean"] for r in rows if r["panel"] == panel])
        ax.set_ylim(vals[vals > 0].min() / 3, vals.max() * 5)
    fig.suptitle(
        "Linear model on MP data (sigma_w^2 = 1, sigma_eps^2 = 0.25): simulation (stars, "
        "mean ± 2 s.e.) vs eq. (227) (lines)",
        fontsize=10,
    )
    finish_grid(fig, axes)
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        summary=_curve_summary(rows, ("panel", "curve")),
        notes=[
            f"sigma_x^2 values {data_vars} are not in the caption (lost legend).",
            "Monte Carlo over the training inputs only (Bartlett factor for T > N); the "
            "averages over teacher, noise and test input are exact.",
            f"summary skips points with |1 - min(N,T)/max(N,T)| < {PEAK_MARGIN} (they are in "
            "the CSV); the mean noise trace is T/(N - T - 1) at finite size, (227) has T/(N - T).",
        ],
    )


# ----------------------------------------------------------------------------- Figure 16


def _power_law_panel(
    ax, *, panel: str, vary: str, fixed: int, grid: list[int], curves, seeds, counter, rows, cache
) -> None:
    pole = float(fixed)
    dense = _dense(1.5, 10 * pole, pole)
    for j, (alpha, noise_var, label) in enumerate(curves):
        cur = []
        for i, v in enumerate(grid):
            n, t = (fixed, v) if vary == "T" else (v, fixed)
            lam = power_law_spectrum(n, alpha)
            key = (alpha, n, t)  # the coefficients do not depend on the noise variance
            if key not in cache:
                cache[key] = simulate_linear_model(lam, t, seeds=seeds, seed=16000 + i)
            base = cache[key]
            loss = 0.5 * (base.label_coef / n + noise_var * base.noise_coef)
            sim = LinearModelDraws(base.label_coef, base.noise_coef, loss)
            th = theory.linear_model_loss_power_law(n, t, alpha, 1.0, 1.0, noise_var)
            row = _row(panel, label, n, t, sim, th)
            row["alpha"], row["noise_var"] = alpha, noise_var
            row["theory_219"] = theory.linear_model_loss(n, t, lam, noise_var=noise_var)
            cur.append(row)
            counter.step()
        rows.extend(cur)
        th_line = [
            np.nan
            if not np.isfinite(x)
            else theory.linear_model_loss_power_law(
                *((fixed, x) if vary == "T" else (x, fixed)), alpha, 1.0, 1.0, noise_var
            )
            for x in dense
        ]
        ax.plot(dense, th_line, "-", color=f"C{j}", lw=1.3)
        ax.plot(grid, [r["theory_219"] for r in cur], "o", mfc="none", color=f"C{j}", ms=5)
        _points(ax, grid, cur, f"C{j}", label)
    ax.axvline(pole, color="0.5", ls=":", lw=0.8)
    vals = np.array([r["sim_mean"] for r in rows if r["panel"] == panel])
    ax.set_ylim(vals[vals > 0].min() / 3, vals.max() * 5)


@register_figure(
    "mrs-fig16", "linear model on power-law data: T^-alpha, no plateau, T <-> N asymmetry (App. A)"
)
def figure16(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    """MRS Fig. 16: λ₊ = 1, σ_w² = 1; theory (230) (lines) and (219) numerically (circles).

    Top left: N = 2000, σ_ε² = 1e-6, α varied, loss vs T. Top right: T = 1000, σ_ε² = 1e-6,
    α varied, loss vs N. Bottom: α = 1, N = 2000, σ_ε² varied, loss vs T (the caption's
    "N varied ... N = 2000" read as loss vs T at N = 2000, mrs_math.md §6 #11).
    """
    n_fix, t_fix = (300, 150) if quick else (2000, 1000)
    alphas = (0.5, 1.0, 2.0)
    noise_vars = (1e-6, 1e-4, 1e-2)
    t_grid = _grid(2, 8 * n_fix, 8 if quick else 13, avoid=n_fix)
    n_grid = _grid(2, 6 * t_fix, 8 if quick else 13, avoid=t_fix)
    counter = _Counter(len(alphas) * (len(t_grid) + len(n_grid)) + len(noise_vars) * len(t_grid),
                       progress)  # fmt: skip
    fig = Figure(figsize=(11, 8.6))
    axes = fig.subplots(2, 2)
    axes[1, 1].set_visible(False)
    rows: list[dict] = []
    common = dict(seeds=seeds, counter=counter, rows=rows, cache={})
    loglog_axes(axes[0, 0], "training samples T", title=f"N = {n_fix}, noise 1e-6, alpha varied")
    _power_law_panel(axes[0, 0], panel="top-left", vary="T", fixed=n_fix, grid=t_grid,
                     curves=[(a, 1e-6, f"alpha = {a:g}") for a in alphas], **common)  # fmt: skip
    loglog_axes(axes[0, 1], "features N", title=f"T = {t_fix}, noise 1e-6, alpha varied")
    _power_law_panel(axes[0, 1], panel="top-right", vary="N", fixed=t_fix, grid=n_grid,
                     curves=[(a, 1e-6, f"alpha = {a:g}") for a in alphas], **common)  # fmt: skip
    loglog_axes(axes[1, 0], "training samples T", title=f"N = {n_fix}, alpha = 1, noise varied")
    _power_law_panel(axes[1, 0], panel="bottom", vary="T", fixed=n_fix, grid=t_grid,
                     curves=[(1.0, s, f"noise var = {s:g}") for s in noise_vars],
                     **common)  # fmt: skip
    fig.suptitle(
        "Linear model on power-law data: simulation (stars) vs eq. (230) (lines) and eq. (219) "
        "solved numerically (circles)",
        fontsize=10,
    )
    finish_grid(fig, [axes[0, 0], axes[0, 1], axes[1, 0]])
    return FigureOutput(
        figures={"main": fig},
        tables={"main": pd.DataFrame(rows)},
        summary=_curve_summary(rows, ("panel", "curve"), extra="theory_219"),
        notes=[
            f"alphas {alphas} and noise variances {noise_vars} are not in the caption (lost "
            "legends).",
            "'theory' is the closed form (230); 'theory_219' is (219) with Delta_-1, Delta_0 "
            "from the exact roots on the spectrum.",
            "The caption's 'L ~ N for N >> T' does not follow from (230): the label part falls "
            "as 1/N to the noise floor sigma_eps^2 alpha/2 (mrs_math.md §6 #10); the simulation "
            "agrees with (230).",
        ],
    )


# ----------------------------------------------------------------------------- Figures 17-18


def _delta_figure(
    *,
    kind: str,
    quick: bool,
    seeds: int,
    progress: ProgressFn | None,
) -> FigureOutput:
    m_main = 300 if quick else 1000
    alphas = (0.5, 1.0, 2.0)
    m_values = (100, 300, 1000) if quick else (300, 1000, 3000)
    curves = [("left", m_main, a) for a in alphas] + [("right", m, 1.0) for m in m_values]
    counter = _Counter(len(curves), progress)
    fig = Figure(figsize=(11, 4.5))
    axes = dict(zip(("left", "right"), fig.subplots(1, 2), strict=True))
    ylabel = "Delta_-1(mu, M)" if kind == "minus1" else "Delta_0(mu, M)"
    loglog_axes(axes["left"], "mu", ylabel=ylabel, title=f"M = {m_main}, alpha varied")
    loglog_axes(axes["right"], "mu", ylabel=ylabel, title="alpha = 1, M varied")
    rows: list[dict] = []
    for j, (panel, m, alpha) in enumerate(curves):
        ax = axes[panel]
        color = f"C{j % len(alphas)}"
        lam = power_law_spectrum(m, alpha)
        top = m - 1 if kind == "minus1" else 4 * m
        mu = np.unique(np.round(np.geomspace(1, top, 60)).astype(int))
        mu = mu[mu != m]
        if kind == "minus1":
            numeric = np.asarray(rmt.delta_minus1(lam, mu.astype(float)))
            dense = np.geomspace(1, m * (1 - 1e-6), 400)
            analytic_dense = rmt.delta_minus1_closed_form(dense, m, alpha)
            analytic = rmt.delta_minus1_closed_form(mu.astype(float), m, alpha)
        else:
            numeric = np.asarray(rmt.delta_0(lam, mu.astype(float)))
            dense = _dense(1, 4 * m, m)
            analytic_dense = rmt.delta_0_interpolation(dense, m, alpha)
            analytic = rmt.delta_0_interpolation(mu.astype(float), m, alpha)
        label = f"alpha = {alpha:g}" if panel == "left" else f"M = {m}"
        ax.plot(dense, analytic_dense, "-", color=color, lw=1.3)
        ax.plot(mu, numeric, ".", color=color, ms=5, label=f"{label}: root (dots)")
        mc_pts = [u for u in _grid(2, top, 7 if quick else 9) if abs(u / m - 1) > 0.08]
        mc_vals, mc_sems = [], []
        for i, u in enumerate(mc_pts):
            sim = simulate_linear_model(lam, u, seeds=seeds, seed=17000 + 100 * j + i)
            vals = sim.label_coef if kind == "minus1" else sim.noise_coef
            mc_vals.append(float(np.mean(vals)))
            mc_sems.append(float(np.std(vals, ddof=1) / np.sqrt(vals.size)) if seeds > 1 else 0.0)
        ax.errorbar(mc_pts, mc_vals, yerr=2 * np.array(mc_sems), fmt="x", color=color, ms=6,
                    lw=1, capsize=2)  # fmt: skip
        num_at_mc = (
            rmt.delta_minus1(lam, np.array(mc_pts, float))
            if kind == "minus1"
            else rmt.delta_0(lam, np.array(mc_pts, float))
        )
        for u, nv, av in zip(mu, numeric, analytic, strict=True):
            rows.append(
                {
                    "panel": panel,
                    "M": m,
                    "alpha": alpha,
                    "mu": int(u),
                    "numeric": float(nv),
                    "analytic": float(av),
                    "analytic_over_numeric": float(av / nv) if nv > 0 else np.nan,
                    "monte_carlo": np.nan,
                    "mc_sem": np.nan,
                }
            )
        for u, mv, ms, nv in zip(mc_pts, mc_vals, mc_sems, np.atleast_1d(num_at_mc), strict=True):
            av = (
                rmt.delta_minus1_closed_form(float(u), m, alpha)
                if kind == "minus1"
                else rmt.delta_0_interpolation(float(u), m, alpha)
            )
            rows.append(
                {
                    "panel": panel,
                    "M": m,
                    "alpha": alpha,
                    "mu": int(u),
                    "numeric": float(nv),
                    "analytic": float(av),
                    "analytic_over_numeric": float(av / nv) if nv > 0 else np.nan,
                    "monte_carlo": mv,
                    "mc_sem": ms,
                }
            )
        counter.step()
    for ax in axes.values():
        if kind == "minus1":
            ax.set_ylim(bottom=1e-9)
        else:
            ax.set_ylim(0.1, 1e3)
    frame = pd.DataFrame(rows)
    summary = _delta_summary(frame)
    eq = "(251)" if kind == "minus1" else "(258)/(262)"
    root = "(234)" if kind == "minus1" else "(253)-(254), (261)"
    fig.suptitle(
        f"{ylabel}: numerical root of {root} (dots), analytic {eq} (lines), Monte Carlo of "
        "the linear model (crosses, ± 2 s.e.)",
        fontsize=10,
    )
    finish_grid(fig, list(axes.values()))
    mc_note = (
        "Monte Carlo: tr Lambda(I - P) of T = mu samples (its mean is Delta_-1 up to finite-size "
        "corrections)"
        if kind == "minus1"
        else "Monte Carlo: tr Lambda X+ X+^T of T = mu samples (mean -> Delta_0; for mu > M "
        "exactly M/(mu - M - 1))"
    )
    return FigureOutput(
        figures={"main": fig},
        tables={"main": frame},
        summary=summary,
        notes=[
            f"M = {m_main} with alphas {alphas} (left) and alpha = 1 with M in {m_values} "
            "(right) are our choice (the caption gives no values).",
            mc_note,
        ],
    )


def _delta_summary(frame: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (panel, m, alpha), grp in frame.groupby(["panel", "M", "alpha"], sort=False):
        dev = np.abs(grp["analytic_over_numeric"] - 1)
        mu = grp["mu"]
        mc = grp[grp["monte_carlo"].notna()]
        mc = mc[np.abs(mc["mu"] / m - 1) >= PEAK_MARGIN]
        out.append(
            {
                "panel": panel,
                "M": int(m),
                "alpha": float(alpha),
                "max |an/root-1| mu<10": float(dev[mu < 10].max()),
                "10<=mu<50": float(dev[(mu >= 10) & (mu < 50)].max()),
                "mu>=50": float(dev[mu >= 50].max()),
                "median MC/root": float(np.median(mc["monte_carlo"] / mc["numeric"])),
            }
        )
    return pd.DataFrame(out)


@register_figure("mrs-fig17", "Delta_-1(mu, M): numerical root of (234) vs analytic (251)")
def figure17(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    """MRS Fig. 17: Δ₋₁(μ, M) for μ < M; the root of (234) against (251) and Monte Carlo."""
    return _delta_figure(kind="minus1", quick=quick, seeds=seeds, progress=progress)


@register_figure("mrs-fig18", "Delta_0(mu, M): numerical (253)-(254), (261) vs analytic (258)")
def figure18(
    *, quick: bool = False, seeds: int = DEFAULT_SEEDS, progress: ProgressFn | None = None
) -> FigureOutput:
    """MRS Fig. 18: Δ₀(μ, M) on both sides of μ = M; numerics against (258)/(262)."""
    return _delta_figure(kind="zero", quick=quick, seeds=seeds, progress=progress)


# ----------------------------------------------------------------------------- Figure 19


@register_figure(
    "mrs-fig19", "Delta^F_0(T, N) of the projected spectrum u Lambda u^T vs (264) (App. B)"
)
def figure19(
    *, quick: bool = False, seeds: int = 1, progress: ProgressFn | None = None
) -> FigureOutput:
    """MRS Fig. 19: λ₊ = 2, σ_u² = 1, M = 4000, N = 2000, α varied; Δ^F₀ against T.

    Numerical: the eigenvalues ω of Ω = uΛuᵀ for one drawn u (N × M, entries N(0, σ_u²/M)),
    then ``Δ₀ = df₂/(T − df₂)`` on ω (T < N) or ``N/(T − N)`` (T > N), i.e.
    :func:`scalinglab.core.rmt.delta_0` on ω. Analytic: (264). Dashed: the deterministic
    equivalent of Ω's spectrum (:func:`scalinglab.models.mrs.theory.noise_coefficient`).
    ``seeds`` draws of u are averaged (default 1, as in the paper).
    """
    m, n = (800, 400) if quick else (4000, 2000)
    lambda_plus, feature_var = 2.0, 1.0
    alphas = (0.5, 1.0, 1.5, 2.0)
    t_values = np.unique(np.round(np.geomspace(1, 4 * n, 70)).astype(int))
    t_values = t_values[t_values != n]
    counter = _Counter(len(alphas) * seeds, progress)
    fig = Figure(figsize=(11, 4.5))
    ax1, ax2 = fig.subplots(1, 2)
    loglog_axes(ax1, "training samples T", ylabel="Delta^F_0(T, N)",
                title=f"M = {m}, N = {n}, lambda+ = 2: dots numerical, lines (264)")  # fmt: skip
    ax2.set_xscale("log")
    ax2.set_xlabel("training samples T")
    ax2.set_ylabel("(264) / numerical")
    ax2.set_title("ratio of the analytic form to the numerics", fontsize=10)
    ax2.grid(True, alpha=0.3)
    rows: list[dict] = []
    rng = np.random.default_rng(19)
    for j, alpha in enumerate(alphas):
        lam = power_law_spectrum(m, alpha, lambda_plus)
        numeric = np.zeros(t_values.size)
        for _ in range(seeds):
            f = rng.standard_normal((n, m)) * np.sqrt(feature_var / m) * np.sqrt(lam)[None, :]
            omega = scipy.linalg.eigvalsh(f @ f.T, check_finite=False)
            omega = np.clip(omega, 0.0, None)
            numeric += np.asarray(rmt.delta_0(omega, t_values.astype(float))) / seeds
            counter.step()
        analytic = rmt.delta_0_interpolation(t_values.astype(float), min(n, m), alpha)
        det_eq = np.array(
            [theory.noise_coefficient(n, int(t), lam, alpha, form="spectrum") for t in t_values]
        )
        dense = _dense(1, 4 * n, n)
        color = f"C{j}"
        ax1.plot(dense, rmt.delta_0_interpolation(dense, min(n, m), alpha), "-", color=color,
                 lw=1.3)  # fmt: skip
        ax1.plot(t_values, numeric, ".", color=color, ms=5, label=f"alpha = {alpha:g}")
        ax1.plot(t_values, np.where(t_values < n, det_eq, np.nan), "--", color=color, lw=0.9)
        ax2.plot(t_values, analytic / numeric, ".-", color=color, ms=3, lw=0.8,
                 label=f"alpha = {alpha:g}")  # fmt: skip
        for t, nv, av, dv in zip(t_values, numeric, analytic, det_eq, strict=True):
            rows.append(
                {
                    "alpha": alpha,
                    "T": int(t),
                    "numeric": float(nv),
                    "analytic_264": float(av),
                    "det_equivalent": float(dv),
                    "analytic_over_numeric": float(av / nv) if nv > 0 else np.nan,
                }
            )
    ax1.axvline(n, color="0.5", ls=":", lw=0.8)
    ax1.set_ylim(0.1, 1e3)
    ax2.axvline(n, color="0.5", ls=":", lw=0.8)
    ax2.set_ylim(0.5, 1.5)
    fig.suptitle(
        "Delta^F_0 of a truncated power law (Omega = u Lambda u^T): numerical (dots), (264) "
        "(lines), deterministic equivalent (dashed)",
        fontsize=10,
    )
    finish_grid(fig, (ax1, ax2))
    frame = pd.DataFrame(rows)
    summary = []
    for alpha, grp in frame.groupby("alpha", sort=False):
        below = grp[grp["T"] < n]
        bands = {
            "T<10": below[below["T"] < 10],
            "10<=T<N/3": below[(below["T"] >= 10) & (below["T"] < n / 3)],
            "N/3<=T<N": below[below["T"] >= n / 3],
        }
        rec = {"alpha": float(alpha)}
        for name, b in bands.items():
            rec[f"max |264/num-1| {name}"] = float(np.abs(b["analytic_over_numeric"] - 1).max())
        rec["max |deteq/num-1| T>=10"] = float(
            np.abs(below["det_equivalent"] / below["numeric"] - 1)[below["T"] >= 10].max()
        )
        summary.append(rec)
    return FigureOutput(
        figures={"main": fig},
        tables={"main": frame},
        summary=pd.DataFrame(summary),
        notes=[
            f"alphas {alphas} are not in the caption (lost legend); one draw of u per alpha.",
            "For T > N every form equals N/(T - N) exactly (the summary covers T < N).",
        ],
    )
