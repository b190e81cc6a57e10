"""Plots of the multi-index model: emergence (recovery curves under the summed risk) and
power-law risk curves with their reference slopes. Matplotlib ``Figure`` objects only."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["plot_emergence", "plot_recovery", "plot_risk", "plot_slope"]


def plot_recovery(
    sim: Any | None, pred: Any | None, ax: Axes | None = None, *, max_directions: int = 12
) -> Axes:
    """Per-direction recovery ``b_p/a_p`` against time: simulation dots over theory lines.

    ``sim`` (a ``MultiIndexSimulation``, seed-averaged) and ``pred`` (``MultiIndexPrediction``)
    may each be None. Shows at most ``max_directions`` directions, spread over 1..P.

    Examples
    --------
    >>> from scalinglab.models.multiindex import MultiIndexConfig, predict
    >>> cfg = MultiIndexConfig(dim=8, directions=2, width=2, lr=0.2, steps=50, record=5)
    >>> ax = plot_recovery(None, predict(cfg, seeds=1))
    >>> len(ax.lines)            # two directions and the ½ line
    3
    """
    if ax is None:
        ax = Figure(figsize=(6.4, 4.2), layout="constrained").add_subplot()
    src = pred if pred is not None else sim
    a = np.asarray(src.amplitudes)
    P = a.size
    show = np.unique(np.round(np.linspace(0, P - 1, min(P, max_directions))).astype(int))
    if show.size <= 10:
        colors = [f"C{i}" for i in range(show.size)]
    else:
        from matplotlib import colormaps

        cmap = colormaps["turbo"]
        colors = [cmap(0.05 + 0.9 * i / (show.size - 1)) for i in range(show.size)]
    for c, p in zip(colors, show, strict=True):
        if pred is not None:
            ax.plot(pred.times, pred.recovery[:, p] / a[p], color=c, lw=1.4,
                    label=f"p = {p + 1}")  # fmt: skip
        if sim is not None:
            rec = sim.recovery_curves.mean(axis=0)[:, p] / a[p]
            ax.plot(sim.times, rec, "o", color=c, ms=3.0,
                    label=None if pred is not None else f"p = {p + 1}")  # fmt: skip
    ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_xlabel("time t = η · steps")
    ax.set_ylabel("recovery b_p / a_p")
    ax.set_ylim(-0.05, 1.15)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    return ax


def plot_risk(
    sims: list[Any | None],
    preds: list[Any | None],
    labels: list[str],
    ax: Axes | None = None,
    *,
    loglog: bool = True,
) -> Axes:
    """Risk against time: simulation means (dots, ±1 SEM bars) over theory lines.

    Examples
    --------
    >>> from scalinglab.models.multiindex import MultiIndexConfig, predict
    >>> cfg = MultiIndexConfig(dim=8, directions=2, width=2, lr=0.2, steps=50, record=5)
    >>> ax = plot_risk([None], [predict(cfg, seeds=1)], ["h2"])
    >>> ax.get_legend().get_texts()[0].get_text()
    'h2 exact flow'
    """
    if ax is None:
        ax = Figure(figsize=(6.4, 4.2), layout="constrained").add_subplot()
    for i, label in enumerate(labels):
        c = f"C{i % 10}"
        pred = preds[i] if i < len(preds) else None
        sim = sims[i] if i < len(sims) else None
        if pred is not None:
            ax.plot(pred.times, pred.risk, color=c, lw=1.5, label=f"{label} exact flow".strip())
        if sim is not None:
            sem = np.nan_to_num(sim.risk_sem)
            ax.errorbar(sim.times, sim.risk_mean, yerr=sem, fmt="o", ms=3.0, color=c,
                        mfc="none", label=f"{label} SGD".strip())  # fmt: skip
    if loglog:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("time t = η · steps")
    ax.set_ylabel("population risk ½E(f − y)²")
    ax.legend(fontsize=7)
    return ax


def plot_slope(ax: Axes, t0: float, r0: float, t1: float, slope: float, **kwargs: Any) -> Axes:
    """Draw a reference power law ``r0 (t/t0)^slope`` on [t0, t1] (log–log axes).

    Examples
    --------
    >>> ax = plot_slope(Figure().add_subplot(), 1.0, 1.0, 10.0, -1.0)
    >>> float(ax.lines[0].get_ydata()[-1])
    0.1
    """
    t = np.geomspace(t0, t1, 20)
    ax.plot(t, r0 * (t / t0) ** slope, **kwargs)
    return ax


def plot_emergence(sim: Any | None, pred: Any | None, ax: Axes | None = None) -> Axes:
    """Figure 1 layout: the summed risk on top, per-direction recovery below; returns the
    recovery Axes (its ``.figure`` holds both panels). With ``ax`` given, draws the recovery
    curves only.

    Examples
    --------
    >>> from scalinglab.models.multiindex import MultiIndexConfig, predict
    >>> cfg = MultiIndexConfig(dim=8, directions=2, width=2, lr=0.2, steps=50, record=5)
    >>> ax = plot_emergence(None, predict(cfg, seeds=1))
    >>> len(ax.figure.axes)      # risk on top, recovery below
    2
    """
    if ax is not None:
        return plot_recovery(sim, pred, ax)
    fig = Figure(figsize=(7.0, 7.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1, 1.3))
    plot_risk([sim], [pred], [""], top, loglog=False)
    top.set_xscale("log")
    top.set_xlabel("")
    src = pred if pred is not None else sim
    cfg = src.config
    top.set_title(
        f"σ = {cfg.link.name}, d = {cfg.dim}, P = {cfg.directions}, m = {cfg.width}, "
        f"β = {cfg.signal_decay:g}, B = {cfg.batch}, η = {cfg.step_size():.3g}",
        fontsize=9,
    )
    return plot_recovery(sim, pred, bottom)
