"""Power-law spectra: the latent spectrum of the MRS data model.

Maloney, Roberts & Sully (2022), "A Solvable Model of Neural Scaling Laws" (MRS below):
the latent covariance Λ is diagonal with a power-law spectrum, either indexed (eq. 23)

.. math:: \\lambda_I = \\lambda_+ I^{-(1+\\alpha)}, \\qquad I = 1, \\dots, M,

or drawn from the density (eq. 22)
:math:`n(\\lambda) = M(\\beta-1)\\lambda_-^{\\beta-1}\\lambda^{-\\beta}\\theta(\\lambda-\\lambda_-)`
with :math:`\\lambda_+ = \\lambda_- M^{1+\\alpha}` (eq. 24) and
:math:`\\alpha = (2-\\beta)/(\\beta-1)` (eq. 25).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError, check_int, check_real

__all__ = [
    "PowerLawFit",
    "density_exponent",
    "fit_power_law",
    "loglog_slope",
    "power_law_spectrum",
    "sample_power_law_spectrum",
]


def power_law_spectrum(latent_dim: int, alpha: float, lambda_plus: float = 1.0) -> np.ndarray:
    """Indexed power-law spectrum ``λ_I = λ₊ I^-(1+α)``, I = 1..M, in decreasing order.

    Parameters
    ----------
    latent_dim : int
        M, the number of latent directions.
    alpha : float
        MRS exponent α > 0 (capacity exponent 1 + α).
    lambda_plus : float
        Largest eigenvalue λ₊ > 0.

    Returns
    -------
    numpy.ndarray, shape (M,)

    Notes
    -----
    MRS eq. (23).

    Examples
    --------
    >>> power_law_spectrum(4, alpha=1.0).round(4)
    array([1.    , 0.25  , 0.1111, 0.0625])
    """
    m = check_int(latent_dim, "latent_dim", "power_law_spectrum", low=1)
    a = check_real(alpha, "alpha", "power_law_spectrum", low=0.0, low_open=True)
    lp = check_real(lambda_plus, "lambda_plus", "power_law_spectrum", low=0.0, low_open=True)
    index = np.arange(1, m + 1, dtype=np.float64)
    return lp * index ** (-(1.0 + a))


def density_exponent(alpha: float) -> float:
    """Exponent β of the eigenvalue density (22) for a given α: β = (2 + α)/(1 + α) (eq. 25).

    Examples
    --------
    α = 1 (eigenvalues λ_I ∝ I⁻²) corresponds to the density n(λ) ∝ λ^-3/2, and eq. (25) inverts:

    >>> beta = density_exponent(1.0)
    >>> beta, (2 - beta) / (beta - 1)
    (1.5, 1.0)
    """
    return (2.0 + alpha) / (1.0 + alpha)


def sample_power_law_spectrum(
    latent_dim: int, alpha: float, lambda_plus: float, rng: np.random.Generator
) -> np.ndarray:
    """Draw M eigenvalues iid from the power-law density (22), sorted decreasing.

    The density is a Pareto law on ``[λ₋, ∞)`` with ``λ₋ = λ₊ M^-(1+α)`` (eq. 24), sampled by
    inversion: ``λ = λ₋ U^{-1/(β-1)} = λ₋ U^{-(1+α)}`` with U uniform on (0, 1]. Its
    expected order statistics follow eq. (23).

    Examples
    --------
    Every draw lies above λ₋ = λ₊ M^-(1+α) (eq. 24) and the order statistics decay like
    I^-(1+α):

    >>> lam = sample_power_law_spectrum(2000, 1.0, 1.0, np.random.default_rng(0))
    >>> bool(lam.min() >= 2000.0**-2), bool(np.all(np.diff(lam) <= 0))
    (True, True)
    >>> round(fit_power_law(lam).exponent, 1)
    2.0
    """
    m = check_int(latent_dim, "latent_dim", "sample_power_law_spectrum", low=1)
    a = check_real(alpha, "alpha", "sample_power_law_spectrum", low=0.0, low_open=True)
    lp = check_real(lambda_plus, "lambda_plus", "sample_power_law_spectrum", low=0.0, low_open=True)
    lambda_minus = lp * m ** (-(1.0 + a))
    uniform = 1.0 - rng.random(m)  # in (0, 1]
    return np.sort(lambda_minus * uniform ** (-(1.0 + a)))[::-1].copy()


# =========================================================================== estimation
#
# Spectra of data, features and kernels, and the capacity/source exponents measured from them.
#
# Conventions (Atanasov, "Simple derivation of scaling law exponents in linear models", §1,
# eq. (3)): the capacity exponent a and the source exponent b are defined by
#
#     λ_k ∝ k^-a,        R(k) ≡ Σ_{l>k} λ_l w_l² ∝ k^-(a·b),
#
# where λ_k are the eigenvalues of the feature covariance Σ (equivalently of the kernel Gram
# matrix K/n) and w_l the target's coefficients along the eigenvectors. With n samples and
# sample-space unit eigenvectors u_l of the (centred) Gram matrix, λ_l w_l² is measured as
# the label power ``p_l = (u_lᵀ y)²/n`` (the note: "project the labels onto the first k
# principal components of K and study how the remaining variance decays"). For MRS data
# (λ_I ∝ I^-(1+α), isotropic teacher) a = 1 + α and a·b = α.


@dataclass(frozen=True)
class PowerLawFit:
    """A power law ``v_k ≈ C k^-exponent`` fitted over an automatically chosen index window.

    Attributes
    ----------
    exponent : float
        The decay exponent (minus the log-log slope).
    prefactor : float
        C, in ``v_k ≈ C k^-exponent`` (for tail sums: ``C (k + ½)^-exponent``).
    ci : tuple of float
        Approximate 95 % interval ``exponent ± sqrt((1.96 se)² + drift²)``.
    se : float
        Statistical standard error of the exponent (see :func:`estimate_exponents`).
    drift : float
        Half the difference of the exponents fitted on the two halves of the window: the
        systematic part of the uncertainty (zero for an exact power law).
    window : tuple of int
        ``(k_min, k_max)``, the 1-based indices bounding the fitted range.
    rms : float
        Root-mean-square residual of the fit in natural-log units (per log-bin).
    status : Status
        ``converged`` if a window of at least ``min_decades`` passed the straightness test,
        ``failed`` otherwise (the least curved window is then reported).
    message : str

    Examples
    --------
    An exact power law is recovered with zero residual:

    >>> fit = fit_power_law(power_law_spectrum(1000, alpha=0.5))
    >>> round(fit.exponent, 9), round(fit.prefactor, 9), fit.window, fit.status.value
    (1.5, 1.0, (1, 1000), 'converged')
    """

    exponent: float
    prefactor: float
    ci: tuple[float, float]
    se: float
    drift: float
    window: tuple[int, int]
    rms: float
    status: Status
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "exponent": self.exponent,
            "prefactor": self.prefactor,
            "ci": list(self.ci),
            "se": self.se,
            "drift": self.drift,
            "window": list(self.window),
            "rms": self.rms,
            "status": self.status.value,
            "message": self.message,
        }


# Window-selection constants (calibrated on exact power laws, MRS latent spectra, and the
# digits / ReLU-kernel spectra; see docs/spectra.md).
BINS_PER_DECADE = 10  # log-bins of the index: every decade weighs the same in the fit
MAX_RELATIVE_DRIFT = 0.2  # slope may change by at most 20 % across an accepted window
MAX_RMS_LOG = 0.1  # rms residual (natural log) of an accepted window: ~10 % scatter
MIN_BINS = 5
MIN_DECADES = 1.0
Z95 = 1.959963984540054


@dataclass(frozen=True)
class LogBins:
    """Log-binned points: bin b holds indices ``members[b]`` (0-based into the value array)."""

    x: np.ndarray  # mean log(index) per bin
    y: np.ndarray  # mean log(value) per bin
    lo: np.ndarray  # smallest 1-based index per bin
    hi: np.ndarray  # largest 1-based index per bin
    starts: np.ndarray  # 0-based start offset of each bin into the value array
    counts: np.ndarray


def log_bins(index: np.ndarray, values: np.ndarray, shift: float) -> LogBins:
    """Group the (1-based) indices into bins of equal width in log10(index)."""
    logk = np.log10(index)
    edges = np.floor(logk * BINS_PER_DECADE + 1e-9).astype(np.int64)
    change = np.flatnonzero(np.diff(edges)) + 1
    starts = np.concatenate([[0], change])
    counts = np.diff(np.concatenate([starts, [index.size]]))
    lx = np.log(index + shift)
    ly = np.log(values)
    x = np.add.reduceat(lx, starts) / counts
    y = np.add.reduceat(ly, starts) / counts
    lo = index[starts]
    hi = index[starts + counts - 1]
    return LogBins(x, y, lo.astype(np.int64), hi.astype(np.int64), starts, counts)


def _window_fits(b: LogBins) -> dict[str, np.ndarray]:
    """Linear and quadratic least-squares fits of y(x) over every window [i, j] of bins.

    Returns arrays of shape (P, P) (NaN where j < i + MIN_BINS − 1): slope, intercept, rms
    of the linear fit, and the slope drift ``|2 c₂ (x_j − x_i)|`` of the quadratic fit.
    """
    p = b.x.size
    x0 = b.x - b.x.mean()  # conditioning
    y = b.y
    powers = np.stack([x0**k for k in range(5)])  # S0..S4
    cum_x = np.concatenate([np.zeros((5, 1)), np.cumsum(powers, axis=1)], axis=1)
    cum_y = np.concatenate(
        [np.zeros((3, 1)), np.cumsum(np.stack([y, x0 * y, x0**2 * y]), axis=1)], axis=1
    )
    cum_yy = np.concatenate([[0.0], np.cumsum(y * y)])
    i_idx, j_idx = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    valid = j_idx - i_idx + 1 >= MIN_BINS
    ii, jj = i_idx[valid], j_idx[valid]
    s = cum_x[:, jj + 1] - cum_x[:, ii]  # (5, W)
    t = cum_y[:, jj + 1] - cum_y[:, ii]  # (3, W)
    syy = cum_yy[jj + 1] - cum_yy[ii]
    n, sx, sxx = s[0], s[1], s[2]
    det = n * sxx - sx * sx
    slope = (n * t[1] - sx * t[0]) / det
    icpt = (t[0] - slope * sx) / n
    sse = syy - icpt * t[0] - slope * t[1]
    rms = np.sqrt(np.maximum(sse, 0.0) / n)
    mat = np.stack(
        [
            np.stack([s[0], s[1], s[2]], axis=-1),
            np.stack([s[1], s[2], s[3]], axis=-1),
            np.stack([s[2], s[3], s[4]], axis=-1),
        ],
        axis=-2,
    )  # (W, 3, 3)
    coef = np.linalg.solve(mat, t.T[..., None])[..., 0]
    drift = np.abs(2.0 * coef[:, 2] * (b.x[jj] - b.x[ii]))
    out = {}
    for name, val in (("slope", slope), ("icpt", icpt), ("rms", rms), ("drift", drift)):
        full = np.full((p, p), np.nan)
        full[ii, jj] = val
        out[name] = full
    # intercept was computed in centred x: convert to the raw x origin
    out["icpt"] = out["icpt"] - out["slope"] * b.x.mean()
    return out


def _select_window(b: LogBins, min_decades: float) -> tuple[int, int, bool, dict]:
    """Longest window (in decades) whose slope drifts ≤ 20 % and whose rms is ≤ 0.1."""
    fits = _window_fits(b)
    span = np.log10(b.hi[None, :] / b.lo[:, None])
    total = np.log10(b.hi[-1] / b.lo[0])
    need = min(min_decades, 0.6 * total)
    ok_size = np.isfinite(fits["slope"]) & (span >= need - 1e-12)
    if not np.any(ok_size):
        ok_size = np.isfinite(fits["slope"])
    if not np.any(ok_size):
        raise InputError(
            f"a power-law fit needs at least {MIN_BINS} log-bins "
            f"({BINS_PER_DECADE} per decade) of positive values; got {b.x.size}"
        )
    rel = fits["drift"] / np.maximum(np.abs(fits["slope"]), 1e-300)
    accept = ok_size & (rel <= MAX_RELATIVE_DRIFT) & (fits["rms"] <= MAX_RMS_LOG)
    if np.any(accept):
        # longest span; among (nearly) equal spans the smallest rms
        score = np.where(accept, span - 1e-3 * fits["rms"], -np.inf)
        i, j = np.unravel_index(int(np.argmax(score)), score.shape)
        return int(i), int(j), True, fits
    score = np.where(ok_size, rel, np.inf)
    i, j = np.unravel_index(int(np.argmin(score)), score.shape)
    return int(i), int(j), False, fits


def binned_slope_weights(b: LogBins, i: int, j: int) -> np.ndarray:
    """Weights g_b with ``slope = Σ_b g_b y_b`` for the linear fit over bins i..j."""
    x = b.x[i : j + 1]
    xc = x - x.mean()
    return xc / np.sum(xc * xc)


def _half_drift(b: LogBins, i: int, j: int) -> float:
    """Half the difference of the slopes fitted on the two halves (in log index) of [i, j]."""
    mid = 0.5 * (b.x[i] + b.x[j])
    left = np.arange(i, j + 1)[b.x[i : j + 1] <= mid]
    right = np.arange(i, j + 1)[b.x[i : j + 1] >= mid]
    if left.size < 2 or right.size < 2:
        return 0.0
    sl = np.polyfit(b.x[left], b.y[left], 1)[0]
    sr = np.polyfit(b.x[right], b.y[right], 1)[0]
    return 0.5 * abs(sl - sr)


def loglog_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ``log y`` against ``log x`` (all values > 0), unweighted.

    The package's plain power-law slope; :func:`fit_power_law` is the windowed, binned fit with
    a status for spectra.

    Examples
    --------
    >>> round(loglog_slope(np.array([1.0, 10.0, 100.0]), np.array([1.0, 0.1, 0.01])), 12)
    -1.0
    """
    lx, ly = np.log(np.asarray(x, dtype=np.float64)), np.log(np.asarray(y, dtype=np.float64))
    lx = lx - lx.mean()
    return float(lx @ (ly - ly.mean()) / (lx @ lx))


def fit_power_law(
    values: np.ndarray,
    *,
    tail_sum: bool = False,
    window: tuple[int, int] | None = None,
    min_decades: float = MIN_DECADES,
    se: float | Callable[[tuple[int, int]], float] | None = None,
) -> PowerLawFit:
    """Fit ``v_k ∝ k^-s`` to a decreasing positive sequence, choosing the index window.

    Parameters
    ----------
    values : array_like, shape (K,)
        v_1, v_2, … (eigenvalues, or tail sums R(k) for k = 1..K). Non-positive values and
        values below ``1e-12 · max`` end the sequence (numerical rank).
    tail_sum : bool
        Fit against ``k + ½`` instead of k: for ``R(k) = Σ_{l>k} l^-(1+s)`` this removes the
        leading small-k bias (Euler–Maclaurin, ``R(k) ≈ (k + ½)^-s/s``).
    window : (k_min, k_max), optional
        Fixed 1-based window instead of the automatic choice.
    min_decades : float
        Shortest window considered (capped at 60 % of the available decades).
    se : float or callable, optional
        Statistical standard error of the exponent, or a function of the chosen window
        ``(k_min, k_max)`` returning it (default: the OLS error of the binned fit, which
        ignores correlations between eigenvalues and is only a floor).

    Returns
    -------
    PowerLawFit

    Notes
    -----
    The indices are grouped into bins of 1/10 decade and each bin is represented by the mean
    of log k and log v over its members, so every decade has the same weight (a plain fit
    over all k would be dominated by the largest decade). The automatic window is the
    longest one (in decades, at least ``min_decades``) over which (i) the slope of a
    quadratic fit in log-log changes by at most 20 % of the linear slope and (ii) the rms
    residual of the linear fit is at most 0.1 (natural log). This excludes the head (e.g. a
    mean mode) and the rank-limited drop at the end of finite-sample spectra.

    Examples
    --------
    The tail sums ``R(k) = Σ_{l>k} l⁻²`` decay like ``(k + ½)⁻¹``; ``tail_sum=True`` removes the
    small-k bias of the plain fit:

    >>> l = np.arange(1.0, 100_001.0)
    >>> tail = np.cumsum(l[::-1] ** -2.0)[::-1][1:1001]  # R(1), ..., R(1000)
    >>> fit = fit_power_law(tail, tail_sum=True)
    >>> round(fit.exponent, 2), fit.status.value, bool(fit.ci[0] < 1.0 < fit.ci[1])
    (1.0, 'converged', True)
    >>> round(fit_power_law(tail).exponent, 2)
    0.98
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size == 0 or not np.all(np.isfinite(v)):
        raise InputError("power-law fit: values must be a non-empty array of finite numbers")
    vmax = np.max(v) if v.size else 0.0
    if vmax <= 0:
        raise InputError("power-law fit: all values are zero or negative")
    bad = np.flatnonzero(v <= vmax * 1e-12)
    stop = int(bad[0]) if bad.size else v.size
    v = v[:stop]
    index = np.arange(1, v.size + 1, dtype=np.float64)
    shift = 0.5 if tail_sum else 0.0
    b = log_bins(index, v, shift)
    if b.x.size < MIN_BINS:
        raise InputError(
            f"power-law fit: need at least {MIN_BINS} log-bins of positive values "
            f"(about {int(10 ** ((MIN_BINS - 1) / BINS_PER_DECADE)) + MIN_BINS} points); "
            f"got {v.size} positive values"
        )
    if window is None:
        i, j, ok, fits = _select_window(b, min_decades)
        slope = fits["slope"][i, j]
        icpt = fits["icpt"][i, j]
        rms = fits["rms"][i, j]
        rel = fits["drift"][i, j] / abs(slope)
    else:
        k_lo, k_hi = int(window[0]), int(window[1])
        sel = np.flatnonzero((b.lo >= k_lo) & (b.hi <= k_hi))
        if sel.size < 2:
            raise InputError(f"power-law fit: window {window} holds fewer than 2 log-bins")
        i, j = int(sel[0]), int(sel[-1])
        slope, icpt = np.polyfit(b.x[i : j + 1], b.y[i : j + 1], 1)
        rms = float(np.sqrt(np.mean((b.y[i : j + 1] - icpt - slope * b.x[i : j + 1]) ** 2)))
        ok, rel = True, 0.0
    drift = _half_drift(b, i, j)
    window_k = (int(b.lo[i]), int(b.hi[j]))
    if callable(se):
        se = se(window_k)
    if se is None:
        g = binned_slope_weights(b, i, j)
        m = j - i + 1
        se = float(rms * np.sqrt(np.sum(g * g)) * np.sqrt(m / max(m - 2, 1)))
    half = float(np.hypot(Z95 * se, drift))
    exponent = float(-slope)
    if ok:
        status, message = Status.CONVERGED, "power-law window found"
    else:
        status = Status.FAILED
        message = (
            f"no straight range: the slope drifts by {100 * rel:.0f} % over the least curved "
            f"window of >= {min(min_decades, 0.6 * np.log10(b.hi[-1] / b.lo[0])):.2g} decades"
        )
    return PowerLawFit(
        exponent=exponent,
        prefactor=float(np.exp(icpt)),
        ci=(exponent - half, exponent + half),
        se=float(se),
        drift=float(drift),
        window=window_k,
        rms=float(rms),
        status=status,
        message=message,
    )
