"""Figures for spectra, their power-law fits, and learning curves (each returns a Figure)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from scalinglab.core.spectra import PowerLawFit
from scalinglab.empirical.spectra import ExponentEstimate, tail_sums

__all__ = [
    "plot_exponents",
    "plot_learning_curve",
    "plot_spectrum_family",
]


def _fit_line(ax, fit: PowerLawFit, *, tail_sum: bool, scale: float = 1.0, **kw) -> None:
    k = np.geomspace(fit.window[0], fit.window[1], 50)
    kk = k + 0.5 if tail_sum else k
    ax.plot(k, scale * fit.prefactor * kk ** (-fit.exponent), **kw)


def plot_exponents(
    est: ExponentEstimate,
    *,
    title: str = "",
    reference: np.ndarray | None = None,
    reference_label: str = "inputs",
    ax: Any = None,
) -> Any:
    """Eigenvalues with the capacity fit (and, with labels, the tail sums with the source fit).

    ``reference``: another spectrum drawn for comparison (e.g. the raw inputs' spectrum next to
    the spectrum of their ReLU features: the spectral extension of MRS §2.2). ``ax``: one Axes
    (two when the estimate has labels) to draw on; a new Figure when omitted. Returns the Axes
    drawn on (an array of them).
    """
    panels = 2 if est.label_power is not None else 1
    if ax is None:
        fig = Figure(figsize=(5.2 * panels, 4.2), layout="constrained")
        axes = fig.subplots(1, panels, squeeze=False)[0]
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if axes.size != panels:
            raise ValueError(f"plot_exponents needs {panels} Axes for this estimate")
        fig = axes[0].figure
    ax = axes[0]
    lam = est.eigenvalues
    k = np.arange(1, lam.size + 1)
    if reference is not None:
        ref = np.asarray(reference)
        ax.loglog(np.arange(1, ref.size + 1), ref, ".", ms=3, color="0.6", label=reference_label)
    ax.loglog(k, lam, ".", ms=3, color="C0", label="eigenvalues $\\lambda_k$")
    cap = est.capacity_fit
    lo, hi = est.capacity_ci
    _fit_line(
        ax,
        cap,
        tail_sum=False,
        color="C3",
        ls="--",
        lw=1.6,
        label=f"fit a = {cap.exponent:.3f} [{lo:.3f}, {hi:.3f}]",
    )
    ax.axvspan(*cap.window, color="C3", alpha=0.07, lw=0)
    ax.set_xlabel("index k")
    ax.set_ylabel("eigenvalue $\\lambda_k$")
    ax.set_title("spectrum (capacity $\\lambda_k \\propto k^{-a}$)")
    ax.legend(fontsize=8)
    if panels == 2:
        ax2 = axes[1]
        tail = tail_sums(est.label_power)
        kt = np.arange(1, tail.size + 1)
        pos = tail > 0
        ax2.loglog(kt[pos], tail[pos], ".", ms=3, color="C2", label="$R(k) = \\sum_{l>k} p_l$")
        tf = est.tail_fit
        blo, bhi = est.source_ci
        _fit_line(
            ax2,
            tf,
            tail_sum=True,
            color="C3",
            ls="--",
            lw=1.6,
            label=f"a·b = {tf.exponent:.3f}, b = {est.source:.3f} [{blo:.3f}, {bhi:.3f}]",
        )
        ax2.axvspan(*tf.window, color="C3", alpha=0.07, lw=0)
        ax2.set_xlabel("index k")
        ax2.set_ylabel("remaining label power $R(k)$")
        ax2.set_title("target tail (source $R(k) \\propto k^{-ab}$)")
        ax2.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return axes


def plot_spectrum_family(
    spectra: Mapping[str, np.ndarray],
    *,
    ax=None,
    normalize: bool = True,
    fits: Mapping[str, PowerLawFit] | None = None,
    reference: tuple[str, np.ndarray] | None = None,
    title: str = "",
    xlabel: str = "index k",
    ylabel: str | None = None,
) -> Figure:
    """Several spectra on log-log axes (MRS Figs. 4, 13), optionally rescaled by their top value.

    ``fits`` adds dashed power-law fits over their windows; ``reference`` a grey spectrum
    (e.g. the inputs'). With ``ax`` given, draws into it and returns its figure.
    """
    if ax is None:
        fig = Figure(figsize=(5.4, 4.2), layout="constrained")
        ax = fig.subplots()
    else:
        fig = ax.figure
    if reference is not None:
        name, ref = reference
        ref = np.asarray(ref)
        scale = ref[0] if normalize else 1.0
        ax.loglog(np.arange(1, ref.size + 1), ref / scale, "*", ms=3, color="0.55", label=name)
    for i, (label, lam) in enumerate(spectra.items()):
        lam = np.asarray(lam)
        scale = lam[0] if normalize else 1.0
        ax.loglog(np.arange(1, lam.size + 1), lam / scale, "-", lw=1.3, color=f"C{i}", label=label)
        if fits is not None and label in fits:
            _fit_line(
                ax, fits[label], tail_sum=False, scale=1.0 / scale, color=f"C{i}", ls="--", lw=1.0
            )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or ("λ_k / λ_1" if normalize else "λ_k"))
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return fig


def plot_learning_curve(
    curves: Sequence,
    *,
    ax=None,
    title: str = "",
    labels: Sequence[str] | None = None,
) -> Figure:
    """Measured (markers, ±1 s.e.) and predicted (lines) test error vs T, one colour per width.

    ``curves``: :class:`scalinglab.empirical.learning_curve.LearningCurve` objects (or one).
    """
    if ax is None:
        fig = Figure(figsize=(5.6, 4.4), layout="constrained")
        ax = fig.subplots()
    else:
        fig = ax.figure
    if not isinstance(curves, (list, tuple)):
        curves = [curves]
    c = 0
    for n_curve, lc in enumerate(curves):
        for i, w in enumerate(lc.widths):
            name = "inputs (p = ∞)" if not np.isfinite(w) else f"N = {int(w)}"
            if labels is not None:
                name = f"{labels[n_curve]}, {name}"
            col = f"C{c}"
            ax.errorbar(
                lc.samples,
                lc.measured[i],
                yerr=np.nan_to_num(lc.measured_sem[i]),
                fmt="o",
                ms=3.5,
                color=col,
                capsize=2,
                label=f"{name}: measured",
            )
            ax.plot(lc.samples, lc.predicted[i], "-", color=col, lw=1.3, label=f"{name}: theory")
            c += 1
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training samples T")
    ax.set_ylabel("test MSE (summed over outputs)")
    if title:
        ax.set_title(textwrap.fill(title, 80), fontsize=9)
    ax.legend(fontsize=7)
    return fig
