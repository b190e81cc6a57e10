"""Geometry of a data set: nearest-neighbour distances and the intrinsic dimension they imply.

Maloney, Roberts & Sully (2022), §4.3: the nearest-neighbour (NN) distance of sample α is
``δ_α = min_{β≠α} ‖x_β − x_α‖`` (eq. 189) and the typical distance in T points is
``⟨δ⟩ = (1/T) Σ_α δ_α`` (eq. 190). With ``T/V ~ ⟨δ⟩^{-d_in}`` (eq. 191) the slope of
log ⟨δ⟩ against log T is ``−1/d_in``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scalinglab._validation import InputError

__all__ = ["mean_nearest_neighbour_distance"]


def mean_nearest_neighbour_distance(x: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """⟨δ⟩ (MRS eq. 190) of the first T rows of ``x``, for every T in ``sizes``.

    Parameters
    ----------
    x : ndarray, shape (T_max, d)
        Samples in rows.
    sizes : sequence of int
        Prefix sizes T (2 ≤ T ≤ T_max); nested prefixes share one Gram matrix.

    Returns
    -------
    ndarray, shape (len(sizes),)
        The mean over the T points of the Euclidean distance to their nearest neighbour
        among those T points.

    Notes
    -----
    One Gram matrix ``G = x xᵀ`` serves every prefix: ``‖x_α − x_β‖² = G_αα + G_ββ − 2 G_αβ``
    (clipped at 0 against rounding). The nearest neighbour within a prefix of size T is the
    row minimum over its first T columns, so all sizes cost O(T_max² d) once. Memory is
    T_max² floats (6000 samples: 288 MB).

    Examples
    --------
    Points on a unit-spaced line are one apart; for uniform points in the unit square the slope of
    log ⟨δ⟩ against log T is −1/d_in = −1/2:

    >>> mean_nearest_neighbour_distance(np.arange(5.0)[:, None], [2, 5])
    array([1., 1.])
    >>> from scalinglab.core.spectra import loglog_slope
    >>> sizes = [100, 200, 500, 1000, 2000]
    >>> delta = mean_nearest_neighbour_distance(np.random.default_rng(0).random((2000, 2)), sizes)
    >>> round(loglog_slope(np.array(sizes), delta), 1)
    -0.5
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or not np.all(np.isfinite(arr)):
        raise InputError("x must be a finite 2-D array (samples in rows)")
    t_max = arr.shape[0]
    ts = np.asarray(sizes, dtype=int)
    if ts.size == 0 or np.any(ts < 2) or np.any(ts > t_max):
        raise InputError(f"sizes must lie in [2, {t_max}], got {list(ts)}")
    gram = arr @ arr.T
    sq = np.diag(gram).copy()
    dist2 = gram
    dist2 *= -2.0
    dist2 += sq[:, None]
    dist2 += sq[None, :]
    np.fill_diagonal(dist2, np.inf)
    out = np.empty(ts.size)
    for k, t in enumerate(ts):
        nearest = dist2[:t, :t].min(axis=1)
        out[k] = np.sqrt(np.clip(nearest, 0.0, None)).mean()
    return out
