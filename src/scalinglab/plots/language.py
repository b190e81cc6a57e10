"""Plots of text statistics: correlation decay, conditional entropies, the loss collapse.

Each function draws on ``ax`` (a new Figure's axes when omitted) and returns the Axes.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from scalinglab.empirical.language import (
    CollapseResult,
    CorrExponentFit,
    EntropyEstimate,
    EntropyExponentFit,
    LagCorrelations,
)

__all__ = ["plot_collapse", "plot_correlations", "plot_entropies"]


def _set_title(ax: Axes, text: str) -> None:
    """Titles wrap at ~48 characters so that two panels side by side keep them on the canvas."""
    ax.set_title(textwrap.fill(text, 48), fontsize=10)


def _axes(ax: Axes | None, size: tuple[float, float] = (5.4, 4.2)) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=size, layout="constrained").subplots()


def plot_correlations(
    corr: LagCorrelations,
    fit: CorrExponentFit | None = None,
    *,
    ax: Axes | None = None,
    title: str = "",
    exact: np.ndarray | None = None,
) -> Axes:
    """‖Ĉ(n)‖_op, ‖Ĉ(n)‖_F and the debiased Frobenius norm against n, with floors and the fit.

    Examples
    --------
    >>> from scalinglab.empirical.language import lag_correlations
    >>> x = np.random.default_rng(0).integers(0, 8, 5000)
    >>> ax = plot_correlations(lag_correlations(x, 8, [1, 2, 4], floor="uniform"))
    >>> ax.get_xscale()
    'log'
    """
    ax = _axes(ax)
    n = corr.lags
    ax.loglog(n, corr.op_norm, "o", ms=4, color="C0", label="‖Ĉ(n)‖ operator")
    ax.loglog(n, corr.floor_op, "-", lw=1, color="C0", alpha=0.5, label="operator floor")
    ax.loglog(n, corr.fro_norm, "s", ms=3, color="C1", mfc="none", label="‖Ĉ(n)‖ Frobenius")
    ax.loglog(n, corr.fro_debiased, "s", ms=4, color="C1", label="Frobenius, debiased")
    ax.loglog(n, corr.floor_fro, "-", lw=1, color="C1", alpha=0.5, label="Frobenius floor")
    if exact is not None:
        ax.loglog(n, exact, "k:", lw=1.2, label="exact")
    if fit is not None:
        grid = np.geomspace(fit.window[0], fit.window[1], 40)
        lo, hi = fit.ci
        ax.loglog(
            grid,
            fit.predict(grid),
            "--",
            color="C3",
            lw=1.6,
            label=f"fit ({fit.norm}) β = {fit.beta:.2f} [{lo:.2f}, {hi:.2f}]",
        )
        ax.axvspan(fit.window[0], fit.window[1], color="C3", alpha=0.06, lw=0)
    ax.set_xlabel("lag n (tokens)")
    ax.set_ylabel("correlation norm")
    _set_title(ax, title or f"P = {corr.tokens:,} tokens, V = {corr.vocab}")
    ax.legend(fontsize=7, loc="lower left")
    return ax


def plot_entropies(
    est: EntropyEstimate | None,
    fit: EntropyExponentFit | None = None,
    *,
    n: np.ndarray | None = None,
    h: np.ndarray | None = None,
    ax: Axes | None = None,
    title: str = "",
) -> Axes:
    """H_n (or user losses L_n) minus the fitted H_∞ against n, log-log, with the fit.

    Examples
    --------
    >>> from scalinglab.empirical.language import fit_entropy_exponent
    >>> n = np.arange(1, 6)
    >>> h = 2 + n**-0.5
    >>> ax = plot_entropies(None, fit_entropy_exponent(n, h), n=n, h=h)
    >>> ax.get_yscale()
    'log'
    """
    ax = _axes(ax)
    if est is not None:
        n, h = est.n, est.h
    if n is None or h is None:
        raise ValueError("give an EntropyEstimate or both n and h")
    n = np.asarray(n, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if fit is None:  # nothing to subtract: plain H_n against n
        ax.plot(n, h, "o-", color="C0", label="H_n (n-gram bound), no power-law fit")
        ax.set_xlabel("context length n")
        ax.set_ylabel("H_n (nats)")
        _set_title(ax, title)
        ax.legend(fontsize=7)
        return ax
    h_inf = fit.h_inf
    pos = n >= 1
    ax.loglog(n[pos], h[pos] - h_inf, "o", color="C0", label="H_n − H_∞ (n-gram bound)")
    if fit is not None:
        grid = np.geomspace(fit.window[0], fit.window[1], 40)
        lo, hi = fit.gamma_ci
        ax.loglog(
            grid,
            fit.predict(grid) - h_inf,
            "--",
            color="C3",
            label=f"γ = {fit.gamma:.3f} [{lo:.3f}, {hi:.3f}], H_∞ = {fit.h_inf:.3f}",
        )
    ax.set_xlabel("context length n")
    ax.set_ylabel("H_n − H_∞ (nats)")
    if est is not None and n[0] == 0:
        _set_title(ax, title or f"H_0 = {h[0]:.3f} nats (not shown)")
    elif title:
        _set_title(ax, title)
    ax.legend(fontsize=7)
    return ax


def plot_collapse(result: CollapseResult, *, ax: Axes | None = None, title: str = "") -> Axes:
    """n^γ(L_n − H_∞) against P/n^{2β}, one colour per context position n.

    Examples
    --------
    >>> from scalinglab.empirical.language import collapse
    >>> r = collapse([10.0, 100.0, 40.0, 400.0], [1, 1, 2, 2], [3.0, 2.5, 2.8, 2.4],
    ...              gamma=0.3, beta=1.0, h_inf=2.0)
    >>> plot_collapse(r).get_xscale()
    'log'
    """
    ax = _axes(ax)
    values = np.unique(result.n)
    colours = [colormaps["viridis"](v) for v in np.linspace(0, 0.9, values.size)]
    for colour, value in zip(colours, values, strict=True):
        sel = result.n == value
        order = np.argsort(result.x[sel])
        ax.loglog(
            result.x[sel][order], result.y[sel][order], "o-", ms=3, lw=1, color=colour,
            label=f"n = {value:g}",
        )  # fmt: skip
    ax.set_xlabel("P / n^{2β}")
    ax.set_ylabel("n^γ (L_n − H_∞)")
    _set_title(ax, title or f"collapse residual {result.residual:.3g} (score {result.score:.3f})")
    if values.size <= 12:
        ax.legend(fontsize=7, ncol=2)
    return ax
