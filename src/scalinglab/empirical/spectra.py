"""Spectra measured from data: eigensystems of sample covariances and kernels, label power,
and the capacity/source exponent estimates of a data set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
from scipy.linalg import blas

from scalinglab._types import Status
from scalinglab._validation import InputError
from scalinglab.core.spectra import (
    LogBins,
    PowerLawFit,
    binned_slope_weights,
    fit_power_law,
    log_bins,
)

__all__ = [
    "EigenSystem",
    "ExponentEstimate",
    "eigensystem",
    "estimate_exponents",
    "kernel_eigensystem",
    "label_power",
    "tail_sums",
]


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


def _bin_members(lo_k: int, hi_k: int, shift: float) -> LogBins:
    index = np.arange(lo_k, hi_k + 1, dtype=np.float64)
    return log_bins(index, np.ones_like(index), shift)


def _capacity_se(es: EigenSystem, x: np.ndarray | None, window: tuple[int, int]) -> float:
    """Infinitesimal-jackknife standard error of the binned log-log slope of λ_k.

    To first order, giving sample i the weight (1 + ε) changes λ_k by ε(w_ik − 1)λ_k/n, so the
    slope ``Σ_b g_b ⟨log λ_k⟩_b`` has influence ``IF_i = Σ_k h_k (w_ik − 1)`` with
    ``h_k = g_b/|b|``, and variance ``Σ_i IF_i²/n²``. For Gaussian data this gives
    Var(log λ̂_k) = 2/n (Anderson 1963); heavier tails are picked up from the data.
    """
    lo_k, hi_k = window
    b = _bin_members(lo_k, hi_k, 0.0)
    g = binned_slope_weights(b, 0, b.x.size - 1)
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
    g = binned_slope_weights(kb, 0, kb.x.size - 1)
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

    Examples
    --------
    Gaussian data with covariance eigenvalues k^-1.5 (the fit needs a straight range of at
    least a decade; digits' raw pixels have none and report ``failed`` with the reason):

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((4000, 300)) * np.arange(1, 301) ** -0.75
    >>> est = estimate_exponents(x)
    >>> str(est.status), round(est.capacity, 1)
    ('converged', 1.5)
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
