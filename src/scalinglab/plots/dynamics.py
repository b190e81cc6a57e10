"""Plots for training dynamics: finite data, data reuse, lazy vs rich, the rich frontier.

Matplotlib on :class:`~matplotlib.figure.Figure` objects only (no pyplot); every function takes
``ax=None`` and returns the Axes it drew on.

Examples
--------
>>> import numpy as np
>>> ax = plot_curves([(np.array([1, 10, 100]), np.array([1.0, 0.3, 0.1]), "a", None)],
...                  slopes=[(0.5, "t^-0.5")])
>>> ax.get_xscale()
'log'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from scalinglab.plots.results import new_axes

__all__ = ["plot_curves", "plot_rich_frontier"]

Series = tuple[np.ndarray, np.ndarray, str, np.ndarray | None]


def plot_curves(
    series: Sequence[Series],
    *,
    ax: Axes | None = None,
    xlabel: str = "time t",
    ylabel: str = "risk ½E(f − y)²",
    slopes: Sequence[tuple[float, str]] = (),
    styles: Sequence[dict[str, Any]] | None = None,
    title: str | None = None,
) -> Axes:
    """Log–log curves ``(x, y, label, sem)`` (band ±2 SEM where given) and reference slopes.

    Each reference slope ``(e, label)`` is a dotted line ``∝ x^-e`` through the first curve's
    value at a third of its x-range (log scale).
    """
    ax = new_axes(ax, size=(5.4, 3.9))
    for i, (x, y, label, sem) in enumerate(series):
        style = dict(styles[i]) if styles is not None else {}
        line = ax.plot(x, y, label=label, **({"lw": 1.5} | style))[0]
        if sem is not None and np.any(np.isfinite(sem)):
            ax.fill_between(x, y - 2 * sem, y + 2 * sem, color=line.get_color(), alpha=0.2, lw=0)
    if series and slopes:
        x0, y0 = np.asarray(series[0][0], float), np.asarray(series[0][1], float)
        lx = np.log(x0[x0 > 0])
        anchor = float(np.exp(lx.min() + (lx.max() - lx.min()) / 3))
        ya = float(np.exp(np.interp(np.log(anchor), np.log(x0), np.log(y0))))
        xs = np.array([anchor, x0.max()])
        for e, label in slopes:
            ax.plot(xs, ya * (xs / anchor) ** (-e), ":", color="k", lw=1.2, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="x-small")
    return ax


def plot_rich_frontier(
    result: Any, *, ax: Axes | None = None, slopes: Sequence[tuple[float, str]] | None = None
) -> Axes:
    """Risk vs compute ``C = N t`` per width, the envelope, and reference slopes.

    ``result`` is a :class:`scalinglab.models.feature_learning.frontier.FrontierResult`;
    ``slopes`` (exponent, label) default to the two candidate rich-regime laws.
    """
    ax = new_axes(ax, size=(5.4, 3.9))
    for n, (t, r) in result.curves.items():
        ax.plot(n * t, r, color="0.6", lw=0.8)
    ax.plot(result.compute, result.loss, color="C3", lw=2.2, label="envelope L*(C)")
    lo, hi = result.fit_window
    if np.isfinite(lo):
        c = np.array([lo, hi])
        y0 = float(np.exp(np.interp(np.log(lo), np.log(result.compute), np.log(result.loss))))
        if slopes is None:
            slopes = [
                (result.predicted["width_unchanged"]["loss_vs_compute"], "αβχ/(αβ+χ)"),
                (result.predicted["beta_to_chi"]["loss_vs_compute"], "αχ/(α+1)"),
            ]
        for (e, name), style in zip(slopes, ("--", ":", "-."), strict=False):
            ax.plot(c, 0.8 * y0 * (c / lo) ** (-e), style, color="k", label=f"C^-{e:.3f} ({name})")
    fit = result.fitted.get("loss_vs_compute")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("compute C = N·t")
    ax.set_ylabel("risk")
    ax.set_title(
        f"rich regime γ = {result.gamma:g}, α = {result.alpha:g}, β = {result.beta:g}"
        + (f": fitted C^-{fit:.3f}" if fit is not None else ""),
        fontsize="medium",
    )
    ax.legend(fontsize="x-small")
    return ax
