"""Plots for the noise sensitivity exponent: α_c(Δ) with its asymptote, spectral overlaps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["plot_spectral_overlaps", "plot_thresholds"]


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=(6.0, 4.6), layout="constrained")
    return fig.add_subplot(1, 1, 1)


def plot_thresholds(
    curves: Sequence[dict[str, Any]], *, ax: Axes | None = None, title: str = ""
) -> Axes:
    """α_c(Δ) (solid) and the large-noise law β★! Δ^β★ / E[σ^β★ He₂]² (dashed), log–log.

    Each curve is a dict with ``label``, ``delta``, ``alpha_c`` and optionally ``asymptote``
    (None to omit). The dotted line is the noiseless limit α_c = 1/2.
    """
    ax = _axes(ax)
    for k, c in enumerate(curves):
        color = f"C{k}"
        ax.plot(c["delta"], c["alpha_c"], "-", color=color, lw=1.8, label=c["label"])
        if c.get("asymptote") is not None:
            ax.plot(c["delta"], c["asymptote"], "--", color=color, lw=1.0)
    ax.axhline(0.5, color="0.4", ls=":", lw=1.0, label="α_c = 1/2 (Δ → 0)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("noise variance Δ")
    ax.set_ylabel("weak-recovery threshold α_c = n/d")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_spectral_overlaps(
    results: Sequence[Any],
    *,
    theory: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    ax: Axes | None = None,
    title: str = "",
) -> Axes:
    """Monte Carlo overlap² (points, ±2 SEM) against α, the d → ∞ theory and α_c(Δ) (vertical).

    ``results`` are :class:`~scalinglab.models.multiindex.spectral.SpectralResult` objects;
    ``theory[k]`` is an optional dense ``(alphas, overlap2)`` curve for ``results[k]`` (default:
    the result's own ``overlap2_theory`` at its α values).
    """
    ax = _axes(ax)
    for k, r in enumerate(results):
        color = f"C{k}"
        sem = np.nan_to_num(r.overlap2_sem)
        ax.errorbar(
            r.alphas,
            r.overlap2_mean,
            yerr=2 * sem,
            fmt="o",
            ms=4,
            color=color,
            capsize=2,
            label=f"Δ = {r.delta:g}: Monte Carlo, d = {r.d}",
        )
        tx, ty = theory[k] if theory is not None else (r.alphas, r.overlap2_theory)
        if len(ty):
            ax.plot(tx, ty, "-", color=color, lw=1.3, label=f"Δ = {r.delta:g}: d → ∞")
        ax.axvline(r.alpha_c, color=color, ls=":", lw=1.2)
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("sample ratio α = n/d")
    ax.set_ylabel("overlap² ⟨v̂, w*⟩²")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return ax
