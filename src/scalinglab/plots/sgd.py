"""Figures for the SGD / gradient-flow model: risk curves, compute-optimal frontier, phases."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from scalinglab.core import exponents as ex
from scalinglab.plots.results import root_figure

__all__ = ["plot_frontier", "plot_phase_diagram", "plot_risk_curves"]

PHASE_COLORS = {
    "Ia": "#8dd3c7",
    "Ib": "#b3de69",
    "Ic": "#ccebc5",
    "II": "#80b1d3",
    "III": "#fdb462",
    "IVa": "#fb8072",
    "IVb": "#bc80bd",
}


def _new_figure(ncols: int = 1, width: float = 6.0, ax: Any = None) -> tuple[Figure, Any]:
    """``ax`` as given (one Axes, or a pair for two panels) or a new Figure's Axes."""
    if ax is not None:
        return root_figure(ax), ax
    fig = Figure(figsize=(width * ncols, 4.4), layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, axes


def plot_risk_curves(
    simulations: list[Any] | None = None,
    predictions: list[Any] | None = None,
    labels: list[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Risk against steps: Monte Carlo means (±2 SEM band) and theory curves, log–log.

    ``simulations[i]`` and ``predictions[i]`` (either may be None) share ``labels[i]`` and a
    colour; the dotted line is the predicted floor ½(σ_r² + σ²). Draws on ``ax`` (a new Figure
    when omitted) and returns it.

    Examples
    --------
    >>> from scalinglab.models import sgd
    >>> cfg = sgd.SGDConfig(dim=100, features=20, alpha=1.5, beta=0.5, steps=200, record=8)
    >>> ax = plot_risk_curves(None, [sgd.predict(cfg)], ["m = 20"])
    >>> len(ax.lines) >= 1
    True
    """
    sims = simulations or []
    preds = predictions or []
    n = max(len(sims), len(preds))
    labels = labels or [""] * n
    _, ax = _new_figure(ax=ax)
    colors = [f"C{i}" for i in range(n)]
    for i in range(n):
        sim = sims[i] if i < len(sims) else None
        pred = preds[i] if i < len(preds) else None
        lab = labels[i]
        if sim is not None:
            mean, sem = sim.risk_mean, np.nan_to_num(sim.risk_sem)
            ax.plot(
                sim.steps,
                mean,
                "o",
                ms=3.5,
                color=colors[i],
                label=f"{lab} simulation ({sim.seeds} seeds)".strip(),
            )
            ax.fill_between(
                sim.steps,
                np.maximum(mean - 2 * sem, 1e-300),
                mean + 2 * sem,
                color=colors[i],
                alpha=0.2,
                lw=0,
            )
        if pred is not None:
            ax.plot(
                pred.steps,
                pred.risk,
                "-",
                color=colors[i],
                label=f"{lab} theory ({pred.theory})".strip(),
            )
            if pred.risk_floor > 0:
                ax.axhline(pred.risk_floor, color=colors[i], ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(r"population risk  $\frac{1}{2}\mathbb{E}[(\langle v, Sx\rangle - y)^2]$")
    if title:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_frontier(frontier: Any, ax: Any = None) -> Any:
    """Left: risk vs flops for every model size, the envelope and its fit. Right: m*(f).

    ``ax``: a pair of Axes to draw on (a new two-panel Figure when omitted); returns the pair.
    """
    _, (ax, bx) = _new_figure(2, 5.6, ax=ax)
    feats = frontier.features
    cmap = colormaps["viridis"]
    for k, (f, r) in enumerate(zip(frontier.flops, frontier.curves, strict=True)):
        ax.plot(f, r, color=cmap(k / max(1, len(feats) - 1)), lw=1.2, label=f"m = {feats[k]}")
    ok = np.isfinite(frontier.envelope)
    ax.plot(frontier.grid[ok], frontier.envelope[ok], "k--", lw=2, label="envelope $L^*(f)$")
    lo, hi = frontier.window
    fit_l, pred_l = frontier.fitted["loss_vs_compute"], frontier.predicted["loss_vs_compute"]
    xlab = "flops f = steps·B·m" if frontier.optimizer == "sgd" else "compute C = t·m"
    if fit_l is not None and np.isfinite(lo):
        sel = (frontier.grid >= lo) & (frontier.grid <= hi)
        g = frontier.grid[sel]
        anchor = frontier.envelope[sel][len(g) // 2]
        x0 = g[len(g) // 2]
        ax.axvspan(lo, hi, color="0.9", zorder=0, label="fit window")
        ax.plot(
            g, anchor * (g / x0) ** (-fit_l), color="C3", lw=1, label=f"fit: $f^{{-{fit_l:.3f}}}$"
        )
        if pred_l is not None:
            ax.plot(
                g,
                1.3 * anchor * (g / x0) ** (-pred_l),
                color="C1",
                lw=1,
                ls="-.",
                label=f"predicted: $f^{{-{pred_l:.3f}}}$ (×1.3)",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlab)
    ax.set_ylabel("risk")
    ph = f", phase {frontier.phase}" if frontier.phase else ""
    ax.set_title(
        f"{frontier.optimizer}: $\\alpha$={frontier.alpha:.3g}, $\\beta$={frontier.beta:.3g}{ph}"
    )
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, alpha=0.3)

    bx.plot(frontier.grid[ok], frontier.optimal_features[ok], "k-", lw=1.5, label="$m^*(f)$")
    fit_m, pred_m = (
        frontier.fitted["features_vs_compute"],
        frontier.predicted["features_vs_compute"],
    )
    if fit_m is not None and np.isfinite(lo):
        sel = (frontier.grid >= lo) & (frontier.grid <= hi)
        g = frontier.grid[sel]
        x0, y0 = g[len(g) // 2], frontier.optimal_features[sel][len(g) // 2]
        bx.axvspan(lo, hi, color="0.9", zorder=0)
        bx.plot(g, y0 * (g / x0) ** fit_m, color="C3", label=f"fit: $f^{{{fit_m:.3f}}}$")
        if pred_m is not None:
            bx.plot(
                g,
                y0 * (g / x0) ** pred_m,
                color="C1",
                ls="-.",
                label=f"predicted: $f^{{{pred_m:.3f}}}$",
            )
    for m in feats:
        bx.axhline(m, color="0.85", lw=0.6, zorder=0)
    bx.set_xscale("log")
    bx.set_yscale("log")
    bx.set_xlabel(xlab)
    bx.set_ylabel("compute-optimal model size $m^*$")
    bx.set_title("optimal model size (grey: sizes computed)")
    bx.legend(fontsize=8)
    bx.grid(True, alpha=0.3)
    return ax, bx


def plot_phase_diagram(
    point: tuple[float, float] | None = None, resolution: int = 400, ax: Any = None
) -> Any:
    """The 4+3 phase diagram in Paquette's (α_P, β_P) plane and the compute-optimal exponents.

    Left: phases. Right: the loss exponent η (L* ∝ f^-η) with contours of ξ (d* ∝ f^ξ).
    ``point`` (in Paquette's exponents) is marked on both panels. ``ax``: a pair of Axes (a new
    two-panel Figure when omitted); returns the pair.

    Examples
    --------
    >>> left, right = plot_phase_diagram((0.7, 0.3), resolution=40)
    >>> left.get_title().startswith("4+3 phases")
    True
    """
    a_p = np.linspace(0.02, 1.6, resolution)
    b_p = np.linspace(-0.6, 1.6, resolution)
    names = list(PHASE_COLORS)
    code = np.full((b_p.size, a_p.size), np.nan)
    eta = np.full_like(code, np.nan)
    xi = np.full_like(code, np.nan)
    for i, bb in enumerate(b_p):
        for j, aa in enumerate(a_p):
            if 2 * (aa + bb) <= 1:
                continue
            alpha = 2 * aa
            beta = (2 * aa + 2 * bb - 1) / alpha
            res = ex.sgd_compute_optimal(alpha, beta)
            if res is None:
                continue
            code[i, j] = names.index(res["phase"])
            eta[i, j] = res["loss_vs_compute"]
            xi[i, j] = res["features_vs_compute"]
    fig, (ax, bx) = _new_figure(2, 5.4, ax=ax)
    cmap = ListedColormap([PHASE_COLORS[n] for n in names])
    norm = BoundaryNorm(np.arange(len(names) + 1) - 0.5, len(names))
    extent = (a_p[0], a_p[-1], b_p[0], b_p[-1])
    ax.imshow(code, origin="lower", extent=extent, cmap=cmap, norm=norm, aspect="auto")
    for n in names:
        sel = code == names.index(n)
        if np.any(sel):
            ii, jj = np.nonzero(sel)
            ax.text(
                a_p[int(np.median(jj))],
                b_p[int(np.median(ii))],
                n,
                ha="center",
                va="center",
                fontsize=11,
                weight="bold",
            )
    xx = np.linspace(0.02, 1.1, 50)
    ax.plot(xx, 0.5 - xx, "k-", lw=1)
    ax.axvline(0.5, color="k", lw=1.5)
    ax.axhline(0.5, color="k", lw=0.8, ls="--")
    ax.set_ylim(b_p[0], b_p[-1])
    ax.plot([0.5, 1.6], [0.5, 1.6], "k-", lw=1)
    ax.set_xlabel(r"$\alpha_P$  (data eigenvalues $j^{-2\alpha_P}$)")
    ax.set_ylabel(r"$\beta_P$  (target coefficients $j^{-\beta_P}$)")
    ax.set_title(r"4+3 phases of one-pass SGD (white: $2(\alpha_P+\beta_P) \leq 1$)")
    im = bx.imshow(eta, origin="lower", extent=extent, cmap="magma", aspect="auto")
    fig.colorbar(im, ax=bx, label=r"$\eta$:  $L^* \propto f^{-\eta}$")
    levels = [0.3, 0.35, 0.4, 0.45, 0.55, 0.6]
    cs = bx.contour(a_p, b_p, xi, levels=levels, colors="w", linewidths=0.8)
    bx.clabel(cs, fmt="ξ=%.2f", fontsize=7)
    bx.set_xlabel(r"$\alpha_P$")
    bx.set_ylabel(r"$\beta_P$")
    bx.set_title(r"compute-optimal exponents (contours: $d^* \propto f^{\xi}$)")
    if point is not None:
        for axis in (ax, bx):
            axis.plot([point[0]], [point[1]], "*", color="cyan", ms=14, mec="k")
    return ax, bx
