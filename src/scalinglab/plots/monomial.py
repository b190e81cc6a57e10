"""Plot of a monomial random-feature spectrum against its chaos reference and the theorem."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from scalinglab.core.monomial_features import RFMonomialSpectrum, theorem_shape

__all__ = ["plot_monomial_spectrum"]


def plot_monomial_spectrum(
    res: RFMonomialSpectrum, ax: Axes | None = None, *, title: str | None = None
) -> Axes:
    """Eigenvalues λ_j(K), the chaos/product reference and the theorem's shape, log-log.

    The theorem's shape ``(log^{p−1}(j+1)/j)^α`` has no published constant: it is drawn with
    the prefactor that fits the eigenvalues over the report's window (least squares in log).
    The window is shaded; the dotted line marks ``d/log^{p+1} d`` (the head range, c₁ = 1).
    """
    if ax is None:
        ax = Figure(figsize=(5.4, 4.2), layout="constrained").add_subplot()
    ev = res.eigenvalues
    j = np.arange(1, ev.size + 1, dtype=np.float64)
    pos = ev > 0
    rep = res.exponents
    ax.loglog(j[pos], ev[pos], ".", ms=3, color="C0", label="exact eigenvalues of K")
    if res.reference is not None:
        ax.loglog(j, res.reference, "-", lw=1.2, color="C1", label="chaos/product reference")
    lo, hi = rep.window
    shape = theorem_shape(j, res.degree, res.alpha)
    sel = slice(lo - 1, hi)
    scale = float(np.exp(np.mean(np.log(ev[sel]) - np.log(shape[sel]))))
    ax.loglog(
        j,
        scale * shape,
        "--",
        lw=1.2,
        color="C3",
        label=f"(log^{res.degree - 1}(j+1)/j)^{res.alpha:g}, fitted prefactor",
    )
    ax.axvspan(lo, hi, color="0.5", alpha=0.12, lw=0)
    if res.theorem_head_limit > 1:
        ax.axvline(res.theorem_head_limit, color="0.4", ls=":", lw=1)
    tail = ev[pos][-1] if np.any(pos) else 1e-300
    ax.set_ylim(max(tail / 3, ev[0] * 1e-14), ev[0] * 3)
    ax.set_xlabel("index j")
    ax.set_ylabel("eigenvalue")
    text = (
        f"window [{lo}, {hi}]: naive {rep.naive_exponent:.3f}"
        + (f", vs ref {rep.slope_vs_reference:.3f}" if rep.slope_vs_reference is not None else "")
        + f", log-form {rep.log_corrected_exponent:.2f}"
    )
    ax.set_title(
        title
        or f"p = {res.degree}, alpha = {res.alpha:g}, v = {res.input_dim}, d = {res.features}\n"
        + text,
        fontsize=9,
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    return ax
