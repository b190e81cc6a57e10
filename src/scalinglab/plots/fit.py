"""Figure of a scaling-law fit: IsoFLOP data and curves, and the compute-optimal frontier."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

__all__ = ["plot_bias", "plot_fit"]


def _budget_colours(budgets: np.ndarray):
    norm = LogNorm(vmin=float(budgets.min()), vmax=float(max(budgets.max(), budgets.min() * 1.01)))
    cmap = colormaps["viridis"]
    return norm, cmap


def _left_isoflop(ax, data, fit, norm, cmap, flagged=None) -> None:
    """Loss against N per budget, with fitted curves and the frontier; flagged rows are
    drawn as open red circles."""
    method = fit.method
    by_c = {}
    if method == "approach2":
        by_c = {round(float(np.log10(b["C"])), 6): b for b in fit.details["budgets"]}
    for g, C in enumerate(data.budgets):
        rows = data.group == g
        colour = cmap(norm(C))
        ax.scatter(data.N[rows], data.loss[rows], s=14, color=colour, zorder=3)
        lo, hi = np.log10(data.N[rows].min()), np.log10(data.N[rows].max())
        pad = 0.15 * max(hi - lo, 0.1)
        n = np.logspace(lo - pad, hi + pad, 120)
        if hasattr(fit, "surface"):
            ax.plot(n, fit.surface.loss(n, C / (data.k * n)), color=colour, lw=1.2)
        elif method == "approach2" and round(float(np.log10(C)), 6) in by_c:
            b = by_c[round(float(np.log10(C)), 6)]
            par = b["parabola_log10N"]
            if par is not None:
                x = np.log10(n)
                y = par["c0"] + par["c1"] * x + par["c2"] * x * x
                ax.plot(n, y, color=colour, lw=1.2, ls="-" if b["accepted"] else ":")
            if b["accepted"]:
                ax.plot(
                    b["N_opt"], b["loss_opt"], marker="*", ms=11, color=colour, mec="k", zorder=4
                )
    if hasattr(fit, "surface"):
        c = np.logspace(np.log10(data.budgets.min()), np.log10(data.budgets.max()), 100)
        ax.plot(fit.n_opt(c), fit.surface.loss_opt(c), "k--", lw=1.5, label="compute-optimal N*(C)")
        ax.plot(fit.n_opt(data.budgets), fit.surface.loss_opt(data.budgets), "k*", ms=9)
    elif method == "approach2":
        acc = [b for b in fit.details["budgets"] if b["accepted"]]
        if acc:
            ax.plot(
                [b["N_opt"] for b in acc],
                [b["loss_opt"] for b in acc],
                "k--",
                lw=1.2,
                label="parabola minima N*(C)",
            )
    if flagged is not None and np.any(flagged):
        ax.scatter(
            data.N[flagged],
            data.loss[flagged],
            s=70,
            facecolors="none",
            edgecolors="red",
            linewidths=1.4,
            zorder=5,
            label=f"QC-flagged ({int(np.sum(flagged))})",
        )
    ax.set_xscale("log")
    ax.set_xlabel("model size N (parameters)")
    ax.set_ylabel("loss")
    ax.set_title("IsoFLOP curves (colour: compute budget)")
    ax.legend(loc="upper right", fontsize=8)


def _left_envelope(ax, data, fit) -> None:
    """Approach 1: training curves against compute and their lower envelope."""
    from scalinglab.laws.approach1 import run_labels

    run, sizes = run_labels(data)
    norm = LogNorm(vmin=float(sizes.min()), vmax=float(max(sizes.max(), sizes.min() * 1.01)))
    cmap = colormaps["plasma"]
    C = data.k * data.N * data.D
    for r, n in enumerate(sizes):
        rows = np.nonzero(run == r)[0]
        order = rows[np.argsort(C[rows])]
        ax.plot(C[order], data.loss[order], color=cmap(norm(n)), lw=1.0, alpha=0.8)
    env = fit.details["envelope"]
    if env["C"]:
        ax.plot(env["C"], env["loss"], "k--", lw=1.5, label="lower envelope (fitted part)")
    ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, label="model size N", pad=0.01)
    ax.set_xscale("log")
    ax.set_xlabel("compute C = k·N·D (FLOPs)")
    ax.set_ylabel("loss")
    ax.set_title("training curves (colour: model size)")
    ax.legend(loc="upper right", fontsize=8)


def plot_fit(
    data: Any,
    fit: Any,
    *,
    bootstrap: Any = None,
    budgets: np.ndarray | None = None,
    flagged: np.ndarray | None = None,
) -> Figure:
    """Two panels: the data with fitted IsoFLOP curves, and N*(C), D*(C) against compute.

    Parameters
    ----------
    data : ScalingData
        The fitted runs.
    fit : SurfaceFit or FrontierFit
        Result of any method.
    bootstrap : BootstrapResult, optional
        Adds percentile bands of N*(C) and D*(C) at ``budgets``.
    budgets : array-like, optional
        Budgets of the allocation table (marked on the frontier panel).
    flagged : array of bool, optional
        Rows of ``data`` flagged by the IsoFLOP QC (:mod:`scalinglab.laws.qc`), circled
        in red.
    """
    fig = Figure(figsize=(11, 4.4))
    ax_l, ax_r = fig.subplots(1, 2)
    norm, cmap = _budget_colours(np.asarray(data.budgets))
    if fit.method == "approach1":
        _left_envelope(ax_l, data, fit)
    else:
        _left_isoflop(ax_l, data, fit, norm, cmap, flagged)
        sm = ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=ax_l, label="compute budget C (FLOPs)", pad=0.01)
    C_all = data.k * data.N * data.D
    c_lo, c_hi = float(C_all.min()), float(C_all.max())
    if budgets is not None and len(budgets):
        c_lo, c_hi = min(c_lo, float(np.min(budgets))), max(c_hi, float(np.max(budgets)))
    c = np.logspace(np.log10(c_lo), np.log10(c_hi), 100)
    if np.isfinite(fit.a):
        ax_r.plot(c, fit.n_opt(c), color="tab:blue", lw=1.8, label=f"N*(C) ∝ C^{fit.a:.3f}")
        ax_r.plot(c, fit.d_opt(c), color="tab:orange", lw=1.8, label=f"D*(C) ∝ C^{fit.b:.3f}")
    if fit.method == "approach2":
        acc = [b for b in fit.details["budgets"] if b["accepted"]]
        ax_r.plot([b["C"] for b in acc], [b["N_opt"] for b in acc], "o", color="tab:blue", ms=5)
        ax_r.plot([b["C"] for b in acc], [b["D_opt"] for b in acc], "o", color="tab:orange", ms=5)
    if fit.method == "approach1" and fit.details["envelope"]["C"]:
        env_c = np.asarray(fit.details["envelope"]["C"])
        env_n = np.asarray(fit.details["envelope"]["N_opt"])
        keep = slice(None, None, max(1, env_c.size // 150))
        ax_r.plot(env_c[keep], env_n[keep], ".", color="tab:blue", ms=3, label="envelope winners")
        ax_r.plot(env_c[keep], env_c[keep] / (data.k * env_n[keep]), ".", color="tab:orange", ms=3)
    if bootstrap is not None and bootstrap.allocations:
        bc = np.array([e["C"] for e in bootstrap.allocations])
        for key, colour in (("N_opt", "tab:blue"), ("D_opt", "tab:orange")):
            lo = np.array([e[key][0] for e in bootstrap.allocations])
            hi = np.array([e[key][1] for e in bootstrap.allocations])
            if bc.size > 1:
                ax_r.fill_between(bc, lo, hi, color=colour, alpha=0.25, lw=0)
            ax_r.errorbar(
                bc,
                np.sqrt(lo * hi),
                yerr=[np.sqrt(lo * hi) - lo, hi - np.sqrt(lo * hi)],
                fmt="none",
                ecolor=colour,
                capsize=3,
            )
        ax_r.plot(
            [], [], color="grey", alpha=0.4, lw=6, label=f"{100 * bootstrap.level:g}% bootstrap"
        )
    if budgets is not None and len(budgets) and np.isfinite(fit.a):
        b = np.asarray(budgets, dtype=float)
        ax_r.plot(b, fit.n_opt(b), "s", mfc="none", color="tab:blue", ms=6)
        ax_r.plot(b, fit.d_opt(b), "s", mfc="none", color="tab:orange", ms=6)
    ax_r.set_xscale("log")
    ax_r.set_yscale("log")
    ax_r.set_xlabel("compute budget C (FLOPs)")
    ax_r.set_ylabel("N* (parameters), D* (tokens)")
    ax_r.set_title(f"compute-optimal allocation ({fit.method})")
    ax_r.grid(True, which="major", alpha=0.3)
    ax_r.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_bias(rows: list[Any]) -> Figure:
    """Bars of |relative error of N*(C)| per setting and method (log scale).

    ``rows`` are :class:`~scalinglab.laws.synthetic.BiasRow` (or their ``to_dict()``);
    errors below 1e-16 (exact up to rounding) are drawn at 1e-16.
    """
    recs = [r.to_dict() if hasattr(r, "to_dict") else r for r in rows]
    methods = list(dict.fromkeys(r["method"] for r in recs))

    def key(r: dict[str, Any]) -> str:
        return r["label"] or (
            f"α={r['alpha']:.3g} β={r['beta']:.3g} w={r['grid_width']:g} "
            f"o={r['offset']:g} d={r['drift']:g}"
        )

    labels = list(dict.fromkeys(key(r) for r in recs))

    fig = Figure(figsize=(8.5, 0.42 * len(labels) + 1.6))
    ax = fig.subplots()
    height = 0.8 / max(1, len(methods))
    colours = {"approach2": "tab:red", "varpro": "tab:blue", "approach3": "tab:green"}
    y = np.arange(len(labels))
    for m_i, method in enumerate(methods):
        err = np.full(len(labels), np.nan)
        for r in recs:
            if r["method"] == method:
                err[labels.index(key(r))] = abs(r["N_opt_rel_error"])
        err = np.maximum(err, 1e-16)
        ax.barh(
            y + (m_i - (len(methods) - 1) / 2) * height,
            err,
            height=height,
            left=1e-17,
            color=colours.get(method, None),
            label=method,
        )
    ax.set_xscale("log")
    ax.set_xlim(1e-17, 1.0)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("|relative error of N*(C)| at the extrapolation budget (noise-free data)")
    ax.set_title("Approach 2 bias vs grid width, off-centre sampling and α ≠ β")
    ax.grid(True, axis="x", which="major", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8)
    fig.tight_layout()
    return fig
