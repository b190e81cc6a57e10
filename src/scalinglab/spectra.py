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
import scipy.linalg
from scipy.linalg import blas

from scalinglab._types import Status
from scalinglab._validation import InputError, check_int, check_real

__all__ = [
    "EigenSystem",
    "ExponentEstimate",
    "PowerLawFit",
    "density_exponent",
    "eigensystem",
    "estimate_exponents",
    "fit_power_law",
    "kernel_eigensystem",
    "label_power",
    "power_law_spectrum",
    "sample_power_law_spectrum",
    "tail_sums",
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
    """
    m = check_int(latent_dim, "latent_dim", "power_law_spectrum", low=1)
    a = check_real(alpha, "alpha", "power_law_spectrum", low=0.0, low_open=True)
    lp = check_real(lambda_plus, "lambda_plus", "power_law_spectrum", low=0.0, low_open=True)
    index = np.arange(1, m + 1, dtype=np.float64)
    return lp * index ** (-(1.0 + a))


def density_exponent(alpha: float) -> float:
    """Exponent β of the eigenvalue density (22) for a given α: β = (2 + α)/(1 + α) (eq. 25)."""
    return (2.0 + alpha) / (1.0 + alpha)


def sample_power_law_spectrum(
    latent_dim: int, alpha: float, lambda_plus: float, rng: np.random.Generator
) -> np.ndarray:
    """Draw M eigenvalues iid from the power-law density (22), sorted decreasing.

    The density is a Pareto law on ``[λ₋, ∞)`` with ``λ₋ = λ₊ M^-(1+α)`` (eq. 24), sampled by
    inversion: ``λ = λ₋ U^{-1/(β-1)} = λ₋ U^{-(1+α)}`` with U uniform on (0, 1]. Its
    expected order statistics follow eq. (23).
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
class _Binned:
    """Log-binned points: bin b holds indices ``members[b]`` (0-based into the value array)."""

    x: np.ndarray  # mean log(index) per bin
    y: np.ndarray  # mean log(value) per bin
    lo: np.ndarray  # smallest 1-based index per bin
    hi: np.ndarray  # largest 1-based index per bin
    starts: np.ndarray  # 0-based start offset of each bin into the value array
    counts: np.ndarray


def _log_bins(index: np.ndarray, values: np.ndarray, shift: float) -> _Binned:
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
    return _Binned(x, y, lo.astype(np.int64), hi.astype(np.int64), starts, counts)


def _window_fits(b: _Binned) -> dict[str, np.ndarray]:
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


def _select_window(b: _Binned, min_decades: float) -> tuple[int, int, bool, dict]:
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


def _binned_slope_weights(b: _Binned, i: int, j: int) -> np.ndarray:
    """Weights g_b with ``slope = Σ_b g_b y_b`` for the linear fit over bins i..j."""
    x = b.x[i : j + 1]
    xc = x - x.mean()
    return xc / np.sum(xc * xc)


def _half_drift(b: _Binned, i: int, j: int) -> float:
    """Half the difference of the slopes fitted on the two halves (in log index) of [i, j]."""
    mid = 0.5 * (b.x[i] + b.x[j])
    left = np.arange(i, j + 1)[b.x[i : j + 1] <= mid]
    right = np.arange(i, j + 1)[b.x[i : j + 1] >= mid]
    if left.size < 2 or right.size < 2:
        return 0.0
    sl = np.polyfit(b.x[left], b.y[left], 1)[0]
    sr = np.polyfit(b.x[right], b.y[right], 1)[0]
    return 0.5 * abs(sl - sr)


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
    b = _log_bins(index, v, shift)
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
        g = _binned_slope_weights(b, i, j)
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


# --------------------------------------------------------------------------- eigensystems

ROW_CHUNK = 4096  # rows per block when projecting samples on eigenvectors (bounds memory)
RANK_RTOL = 1e-12  # eigenvalues below RANK_RTOL · λ_max are numerical zeros


@dataclass(frozen=True)
class EigenSystem:
    """Eigenvalues of the second-moment matrix ``(1/n) XᵀX`` of n samples (rows of X).

    The nonzero eigenvalues are those of the sample-space Gram matrix ``(1/n) X Xᵀ``; the
    smaller of the two problems is solved (``method``: ``"covariance"`` d × d when d ≤ n,
    ``"gram"`` n × n otherwise, ``"kernel"`` for a given kernel matrix).

    Attributes
    ----------
    eigenvalues : ndarray, shape (r,)
        Decreasing, numerical zeros removed (r = numerical rank).
    method : str
    n_samples : int
    dim : int or None
        Feature dimension d (None for a kernel matrix).
    feature_vectors : ndarray (d, r) or None
        Unit eigenvectors in feature space (covariance method, when requested).
    sample_vectors : ndarray (n, r) or None
        Unit eigenvectors in sample space (gram / kernel methods, when requested).
    """

    eigenvalues: np.ndarray
    method: str
    n_samples: int
    dim: int | None
    feature_vectors: np.ndarray | None = None
    sample_vectors: np.ndarray | None = None


def _as_matrix(x: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 1:
        raise InputError(f"{name} must be a 2-D array with at least 2 rows; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinite values")
    return arr


def _sym_eig(mat: np.ndarray, vectors: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Eigen-decomposition of a symmetric matrix (upper triangle used), decreasing order."""
    if vectors:
        w, v = scipy.linalg.eigh(mat, lower=False, driver="evd", check_finite=False)
        return w[::-1].copy(), v[:, ::-1].copy()
    w = scipy.linalg.eigh(mat, lower=False, eigvals_only=True, driver="evd", check_finite=False)
    return w[::-1].copy(), None


def _truncate(w: np.ndarray, v: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    top = w[0] if w.size else 0.0
    r = int(np.count_nonzero(w > top * RANK_RTOL)) if top > 0 else 0
    return w[:r], (v[:, :r] if v is not None else None)


def eigensystem(x: np.ndarray, *, center: bool = True, vectors: bool = False) -> EigenSystem:
    """Spectrum of the empirical covariance ``(1/n) XᵀX`` of the rows of ``x`` (MRS eq. 8/11).

    Parameters
    ----------
    x : array_like, shape (n, d)
        Samples in rows.
    center : bool
        Subtract the column means first (MRS §2.1 assumes centred data).
    vectors : bool
        Also return eigenvectors (needed for label projections and the sampling error).

    Returns
    -------
    EigenSystem

    Notes
    -----
    Forms ``XᵀX/n`` (d × d, BLAS ``syrk``) when d ≤ n and ``XXᵀ/n`` (n × n) otherwise, and
    diagonalises it with LAPACK ``syevd`` (values only unless ``vectors``): the cost is
    O(n d min(n, d)) + O(min(n, d)³) instead of O(max(n, d)³).
    """
    arr = _as_matrix(x, "x")
    if center:
        arr = arr - arr.mean(axis=0)
    n, d = arr.shape
    if d <= n:
        mat = blas.dsyrk(1.0 / n, arr.T, trans=0)  # XᵀX/n, upper triangle
        w, v = _truncate(*_sym_eig(mat, vectors))
        return EigenSystem(w, "covariance", n, d, feature_vectors=v)
    mat = blas.dsyrk(1.0 / n, arr.T, trans=1)  # XXᵀ/n, upper triangle
    w, u = _truncate(*_sym_eig(mat, vectors))
    return EigenSystem(w, "gram", n, d, sample_vectors=u)


def kernel_eigensystem(
    kernel: np.ndarray, *, center: bool = False, vectors: bool = False
) -> EigenSystem:
    """Spectrum of a kernel (Gram) matrix K over n samples: the eigenvalues of ``K/n``.

    These estimate the eigenvalues of the kernel's integral operator (equivalently of the
    feature covariance Σ, Atanasov §1). ``center=True`` uses ``HKH`` (H = I − 11ᵀ/n), the
    kernel of mean-subtracted features.
    """
    k = _as_matrix(kernel, "kernel")
    n = k.shape[0]
    if k.shape[1] != n:
        raise InputError(f"kernel must be square; got shape {k.shape}")
    if not np.allclose(k, k.T, rtol=1e-10, atol=1e-12 * np.max(np.abs(k))):
        raise InputError("kernel must be symmetric")
    if center:
        k = k - k.mean(axis=0)
        k = k - k.mean(axis=1)[:, None]
    w, u = _truncate(*_sym_eig(k / n, vectors))
    return EigenSystem(w, "kernel", n, None, sample_vectors=u)


def _centered_labels(y: np.ndarray, n: int) -> np.ndarray:
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise InputError(f"labels must have {n} rows (one per sample); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError("labels contain NaN or infinite values")
    arr = arr - arr.mean(axis=0)
    if not np.any(arr):
        raise InputError("labels are constant: there is no target to measure a source exponent")
    return arr


def label_power(es: EigenSystem, y: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
    """Target power per eigen-direction, ``p_k = Σ_c (u_kᵀ y_c)²/n`` (labels centred).

    ``p_k`` estimates ``λ_k w_k²`` of Atanasov eq. (3), summed over outputs c. For the
    covariance method it is computed as ``(v_kᵀ Xᵀ y)²/(n² λ_k)`` (``X v_k = √(nλ_k) u_k``), so
    ``x`` (the same array, centred as in :func:`eigensystem`) is required.
    """
    n = es.n_samples
    yc = _centered_labels(y, n)
    if es.method == "covariance":
        if es.feature_vectors is None or x is None:
            raise ValueError("label_power needs feature vectors and x for the covariance method")
        proj = es.feature_vectors.T @ (np.asarray(x, dtype=np.float64).T @ yc)  # (r, C)
        return np.sum(proj**2, axis=1) / (n * n * es.eigenvalues)
    if es.sample_vectors is None:
        raise ValueError("label_power needs sample vectors (eigensystem(..., vectors=True))")
    return np.sum((es.sample_vectors.T @ yc) ** 2, axis=1) / n


def tail_sums(power: np.ndarray) -> np.ndarray:
    """``R(k) = Σ_{l>k} p_l`` for k = 1..r−1 (summed from the small end, no cancellation)."""
    p = np.asarray(power, dtype=np.float64)
    rev = np.cumsum(p[::-1])[::-1]  # rev[i] = Σ_{l ≥ i+1} (1-based)
    return rev[1:].copy()


def _sample_weights(es: EigenSystem, x: np.ndarray | None, cols: np.ndarray) -> np.ndarray:
    """``w_ik = (x_i·v_k)²/λ_k`` (= n u_ik²): sample i's share of eigenvalue k, Σ_i w_ik = n."""
    if es.method == "covariance":
        v = es.feature_vectors[:, cols]
        out = np.empty((es.n_samples, cols.size))
        for start in range(0, es.n_samples, ROW_CHUNK):
            block = x[start : start + ROW_CHUNK] @ v
            out[start : start + ROW_CHUNK] = block**2
        return out / es.eigenvalues[cols]
    return es.n_samples * es.sample_vectors[:, cols] ** 2


def _bin_members(lo_k: int, hi_k: int, shift: float) -> _Binned:
    index = np.arange(lo_k, hi_k + 1, dtype=np.float64)
    return _log_bins(index, np.ones_like(index), shift)


def _capacity_se(es: EigenSystem, x: np.ndarray | None, window: tuple[int, int]) -> float:
    """Infinitesimal-jackknife standard error of the binned log-log slope of λ_k.

    To first order, giving sample i the weight (1 + ε) changes λ_k by ε(w_ik − 1)λ_k/n, so the
    slope ``Σ_b g_b ⟨log λ_k⟩_b`` has influence ``IF_i = Σ_k h_k (w_ik − 1)`` with
    ``h_k = g_b/|b|``, and variance ``Σ_i IF_i²/n²``. For Gaussian data this gives
    Var(log λ̂_k) = 2/n (Anderson 1963); heavier tails are picked up from the data.
    """
    lo_k, hi_k = window
    b = _bin_members(lo_k, hi_k, 0.0)
    g = _binned_slope_weights(b, 0, b.x.size - 1)
    h = np.repeat(g / b.counts, b.counts)
    cols = np.arange(lo_k - 1, hi_k)
    w = _sample_weights(es, x, cols)
    infl = (w - 1.0) @ h
    return float(np.sqrt(np.sum(infl**2)) / es.n_samples)


SOURCE_BOOTSTRAP = 200  # resamples of the per-mode label powers (cheap: no eigensolves)


def _source_se(power: np.ndarray, tail: np.ndarray, window: tuple[int, int]) -> float:
    """Bootstrap standard error of the tail-sum slope over the per-mode label powers.

    Inside the window [k₁, k₂], ``R(k) = R(k₂) + Σ_{k<l≤k₂} p_l``; the p_l are resampled with
    replacement within their 1/10-decade bins (B = 200, fixed seed) and the slope refitted on
    the same bins. This measures the mode-to-mode scatter of the label power, the dominant
    uncertainty of the source exponent on real data.
    """
    k1, k2 = window
    if k2 <= k1 + 1:
        return 0.0
    rng = np.random.default_rng(0)
    lidx = np.arange(k1 + 1, k2 + 1)  # modes whose power enters R(k) for k in [k1, k2)
    lb = _bin_members(k1 + 1, k2, 0.0)
    draws = np.concatenate(
        [
            s + rng.integers(0, c, size=(SOURCE_BOOTSTRAP, c))
            for s, c in zip(lb.starts, lb.counts, strict=True)
        ],
        axis=1,
    )
    p_boot = power[lidx - 1][draws]  # (B, L)
    # R*(k) for k = k1..k2: R(k2) + sum of resampled p_l for l > k
    rev = np.cumsum(p_boot[:, ::-1], axis=1)[:, ::-1]  # rev[:, i] = Σ_{l ≥ k1+1+i}
    r_boot = np.concatenate([rev, np.zeros((SOURCE_BOOTSTRAP, 1))], axis=1) + tail[k2 - 1]
    kb = _bin_members(k1, k2, 0.5)
    g = _binned_slope_weights(kb, 0, kb.x.size - 1)
    logr = np.log(np.maximum(r_boot, 1e-300))
    ybins = np.add.reduceat(logr, kb.starts, axis=1) / kb.counts
    slopes = ybins @ g
    return float(np.std(slopes, ddof=1))


@dataclass(frozen=True)
class ExponentEstimate:
    """Capacity and source exponents measured from a spectrum (and labels).

    ``capacity`` = a in ``λ_k ∝ k^-a``; ``source`` = b in ``Σ_{l>k} λ_l w_l² ∝ k^-(a·b)``
    (Atanasov eq. 3), None without labels. Intervals are approximate 95 % intervals.
    """

    capacity: float
    capacity_ci: tuple[float, float]
    fit_window: tuple[int, int]
    source: float | None
    source_ci: tuple[float, float] | None
    source_window: tuple[int, int] | None
    capacity_fit: PowerLawFit
    tail_fit: PowerLawFit | None
    eigenvalues: np.ndarray
    label_power: np.ndarray | None
    method: str
    n_samples: int
    dim: int | None
    explained_fraction: float | None

    @property
    def status(self) -> Status:
        fits = [self.capacity_fit] + ([self.tail_fit] if self.tail_fit is not None else [])
        bad = [f for f in fits if f.status is not Status.CONVERGED]
        return bad[0].status if bad else Status.CONVERGED

    def to_dict(self) -> dict[str, Any]:
        return {
            "capacity": self.capacity,
            "capacity_ci": list(self.capacity_ci),
            "fit_window": list(self.fit_window),
            "source": self.source,
            "source_ci": list(self.source_ci) if self.source_ci is not None else None,
            "source_window": list(self.source_window) if self.source_window else None,
            "status": self.status.value,
            "capacity_fit": self.capacity_fit.to_dict(),
            "tail_fit": self.tail_fit.to_dict() if self.tail_fit is not None else None,
            "method": self.method,
            "n_samples": self.n_samples,
            "dim": self.dim,
            "rank": int(self.eigenvalues.size),
            "explained_fraction": self.explained_fraction,
        }


def estimate_exponents(
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    *,
    kernel: np.ndarray | None = None,
    center: bool = True,
    center_kernel: bool = False,
    window: tuple[int, int] | None = None,
    source_window: tuple[int, int] | None = None,
) -> ExponentEstimate:
    """Measure the capacity exponent a (and, with labels, the source exponent b).

    Parameters
    ----------
    x : array_like (n, d), optional
        Samples (rows) of data or features: the spectrum of their covariance is used.
    y : array_like (n,) or (n, C), optional
        Labels; several outputs add their label powers.
    kernel : array_like (n, n), optional
        A kernel Gram matrix instead of ``x`` (see ``models.nonlinear.kernel_matrix``).
    center, center_kernel : bool
        Centre the columns of ``x`` / double-centre the kernel.
    window, source_window : (k_min, k_max), optional
        Fixed fit windows instead of the automatic choice.

    Returns
    -------
    ExponentEstimate

    Notes
    -----
    Capacity: :func:`fit_power_law` on the eigenvalues; its statistical error is the
    infinitesimal jackknife over samples (:func:`_capacity_se`). Source: the tail sums
    ``R(k) = Σ_{l>k} p_l`` of the label powers (:func:`label_power`) are fitted against
    ``k + ½``; the slope s_R = a·b gives ``b = s_R/a`` with errors combined in quadrature
    (relative). The power of the labels outside the span of the features (only possible when
    d < n) is not part of R(k); its complement is reported as ``explained_fraction``.
    """
    if (x is None) == (kernel is None):
        raise InputError("give exactly one of x (samples) or kernel (Gram matrix)")
    if kernel is not None:
        es = kernel_eigensystem(kernel, center=center_kernel, vectors=True)
        xc = None
    else:
        xc = _as_matrix(x, "x")
        if center:
            xc = xc - xc.mean(axis=0)
        es = eigensystem(xc, center=False, vectors=True)
    if y is not None:
        _centered_labels(y, es.n_samples)  # validate before any fitting
    if es.eigenvalues.size < 2:
        raise InputError("the data have rank < 2: no spectrum to fit")
    cap = fit_power_law(es.eigenvalues, window=window, se=lambda w: _capacity_se(es, xc, w))
    a = cap.exponent
    a_half = 0.5 * (cap.ci[1] - cap.ci[0])
    if y is None:
        return ExponentEstimate(
            capacity=a,
            capacity_ci=cap.ci,
            fit_window=cap.window,
            source=None,
            source_ci=None,
            source_window=None,
            capacity_fit=cap,
            tail_fit=None,
            eigenvalues=es.eigenvalues,
            label_power=None,
            method=es.method,
            n_samples=es.n_samples,
            dim=es.dim,
            explained_fraction=None,
        )
    power = label_power(es, y, xc)
    yc = _centered_labels(y, es.n_samples)
    total = float(np.sum(yc**2) / es.n_samples)
    tail = tail_sums(power)
    tfit = fit_power_law(
        tail, tail_sum=True, window=source_window, se=lambda w: _source_se(power, tail, w)
    )
    s_r = tfit.exponent
    b = s_r / a
    s_half = 0.5 * (tfit.ci[1] - tfit.ci[0])
    b_half = abs(b) * float(np.hypot(s_half / s_r, a_half / a)) if s_r != 0 else np.inf
    return ExponentEstimate(
        capacity=a,
        capacity_ci=cap.ci,
        fit_window=cap.window,
        source=float(b),
        source_ci=(float(b - b_half), float(b + b_half)),
        source_window=tfit.window,
        capacity_fit=cap,
        tail_fit=tfit,
        eigenvalues=es.eigenvalues,
        label_power=power,
        method=es.method,
        n_samples=es.n_samples,
        dim=es.dim,
        explained_fraction=float(np.sum(power) / total) if total > 0 else None,
    )
