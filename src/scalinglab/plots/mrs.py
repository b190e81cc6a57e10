"""Figures for the MRS model: learning curves (theory lines, simulation points) and spectra."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["add_curve", "learning_curve_figure", "loglog_axes", "spectrum_axes"]


def loglog_axes(ax: Axes, xlabel: str, ylabel: str = "test loss", title: str = "") -> Axes:
    """Log-log axes with labels and a light grid."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def add_curve(
    ax: Axes,
    x: np.ndarray,
    mean: np.ndarray,
    sem: np.ndarray | None,
    *,
    theory_x: np.ndarray | None = None,
    theory_y: np.ndarray | None = None,
    color: str | None = None,
    label: str = "",
    theory_style: str = "-",
    theory_label: str | None = None,
) -> None:
    """Simulation points (stars with error bars) and an optional theory line in one colour."""
    line = None
    if theory_x is not None and theory_y is not None:
        (line,) = ax.plot(
            theory_x, theory_y, theory_style, color=color, lw=1.4, alpha=0.9, label=theory_label
        )
        color = line.get_color()
    ok = np.isfinite(mean) & (mean > 0)
    yerr = None if sem is None else np.where(ok, sem, 0.0)[ok]
    ax.errorbar(
        x[ok], mean[ok], yerr=yerr, fmt="*", ms=7, color=color, capsize=2, lw=1, label=label
    )


def learning_curve_figure(
    *,
    x: np.ndarray,
    mean: np.ndarray,
    sem: np.ndarray,
    theory_x: np.ndarray | None,
    theory_y: np.ndarray | None,
    xlabel: str,
    title: str,
    theory_label: str = "theory",
    ax: Axes | None = None,
) -> Axes:
    """One learning curve: simulation mean ± sem and the theory line, log-log, on ``ax``.

    A new Figure is made when ``ax`` is omitted; returns the Axes drawn on.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([10.0, 100.0, 1000.0])
    >>> ax = learning_curve_figure(x=x, mean=1 / x, sem=0.01 / x, theory_x=x, theory_y=1 / x,
    ...                            xlabel="T", title="demo")
    >>> ax.get_xscale()
    'log'
    """
    if ax is None:
        ax = Figure(figsize=(6.0, 4.2), layout="constrained").add_subplot()
    loglog_axes(ax, xlabel, title=title)
    add_curve(
        ax,
        x,
        mean,
        sem,
        theory_x=theory_x,
        theory_y=theory_y,
        label="simulation",
        theory_label=theory_label,
    )
    ax.legend(fontsize=8)
    _clip_theory_spikes(ax, mean)
    return ax


def _clip_theory_spikes(ax: Axes, data: np.ndarray) -> None:
    """Keep the y-range on the data when a theory line diverges (the N = T peak)."""
    finite = np.asarray(data)[np.isfinite(data) & (np.asarray(data) > 0)]
    if finite.size:
        lo, hi = finite.min(), finite.max()
        ax.set_ylim(lo / 3.0, hi * 10.0)


def spectrum_axes(ax: Axes, title: str = "", ylabel: str = "eigenvalue") -> Axes:
    """Log-log axes for a rank-ordered spectrum."""
    return loglog_axes(ax, "index i", ylabel=ylabel, title=title)


def finish_grid(fig: Figure, axes: Sequence[Axes]) -> Figure:
    """Legends on every panel, tight layout."""
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig
