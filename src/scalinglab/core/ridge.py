"""Ridge regression on random features through one SVD: the whole ridge path at once.

Setting (Maloney, Roberts & Sully 2022, "MRS", eqs. 28–40): features ``φ = u x`` (N × T) of
latent training data x (M × T), labels ``y = w x + ε`` with a linear teacher w, and the ridge
estimator of eq. (33),

    θ*(γ) = (y + ε) φᵀ (γ I_N + φ φᵀ)⁻¹ = (y + ε) (γ I_T + φᵀ φ)⁻¹ φᵀ

(primal form (35) for N < T, dual form (58) for N > T). With the thin SVD
``φ = U S Vᵀ`` (r = min(N, T) singular values), both forms are
``θ* = (y + ε) V D Uᵀ`` with ``D = diag(s/(s² + γ))``; γ → 0⁺ is the minimum-norm solution
(``d_i = 1/s_i`` on the numerical rank, 0 beyond).

The test loss of MRS eq. (40), averaged exactly over teacher weights ``w ~ N(0, σ_w²/M)``,
label noise ``ε ~ N(0, σ_ε²)`` and test inputs with second moment Λ (MRS eq. 44 and the
x̂-average of App. "[aid]" in the implementer's notes), is

.. math::
   L_w = \\frac{\\sigma_w^2}{2M}\\Big[\\sum_{ij} d_i d_j G_{ij} H_{ij}
          - 2\\sum_i d_i c_i + \\operatorname{tr}\\Lambda\\Big], \\qquad
   L_\\varepsilon = \\frac{\\sigma_\\varepsilon^2}{2} \\sum_i d_i^2 G_{ii},

with ``A = Uᵀu`` (r × M), ``B = x V`` (M × r), ``G = A Λ Aᵀ``, ``H = Bᵀ B`` and
``c_i = (A Λ B)_{ii}``. Everything but the O(r²) contraction is computed once, so a ridge path
of any length costs about one ridgeless fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from scipy.optimize import minimize_scalar

__all__ = [
    "RidgePathStats",
    "latent_linear_stats",
    "numerical_rank",
    "optimal_ridge",
    "path_terms",
    "ridge_weights",
    "sampled_test_stats",
    "thin_svd",
]


@dataclass(frozen=True)
class RidgePathStats:
    """What the test loss needs along the ridge path, in the SVD basis of the features.

    Attributes
    ----------
    singular_values : ndarray, shape (r,)
        Singular values s of the training feature matrix φ (decreasing).
    rank : int
        Numerical rank used for the minimum-norm (γ = 0) solution.
    test_feature_cov : ndarray, shape (r, r)
        G: second moment of test features in the basis of left singular vectors.
    train_target_gram : ndarray, shape (r, r)
        H: Gram matrix of the latent training data in the basis of right singular vectors.
    cross : ndarray, shape (r,)
        c_i: cross moment between test features and test targets, per singular direction.
    target_power : float
        Second moment of the test target per unit teacher variance (tr Λ for exact averages).
    """

    singular_values: np.ndarray
    rank: int
    test_feature_cov: np.ndarray
    train_target_gram: np.ndarray
    cross: np.ndarray
    target_power: float


def thin_svd(phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin SVD ``φ = U diag(s) Vᵀ``: divide and conquer, falling back to QR iteration."""
    try:
        u, s, vt = scipy.linalg.svd(
            phi, full_matrices=False, lapack_driver="gesdd", check_finite=False
        )
    except np.linalg.LinAlgError:  # pragma: no cover - rare gesdd failure
        u, s, vt = scipy.linalg.svd(
            phi, full_matrices=False, lapack_driver="gesvd", check_finite=False
        )
    return u, s, vt.T


def numerical_rank(s: np.ndarray, shape: tuple[int, int]) -> int:
    """Number of singular values above ``s_max · max(shape) · eps`` (the ``pinv`` cut-off)."""
    if s.size == 0 or s[0] == 0:
        return 0
    tol = s[0] * max(shape) * np.finfo(np.float64).eps
    return int(np.count_nonzero(s > tol))


def latent_linear_stats(u: np.ndarray, x: np.ndarray, lam: np.ndarray) -> RidgePathStats:
    """Exact path statistics for linear random features of Gaussian latent data.

    Parameters
    ----------
    u : ndarray, shape (N, M)
        Random feature map (rows are features).
    x : ndarray, shape (M, T)
        Latent training inputs (columns are samples).
    lam : ndarray, shape (M,)
        Diagonal of the latent covariance Λ (test inputs ``x̂ ~ N(0, Λ)``).

    Returns
    -------
    RidgePathStats
        With the exact average over test inputs: ``G = Uᵀ u Λ uᵀ U``, ``H = (xV)ᵀ(xV)``,
        ``c = diag(Uᵀ u Λ x V)``, target power ``tr Λ``.
    """
    phi = u @ x
    left, s, right = thin_svd(phi)
    a = left.T @ u  # (r, M)
    b = x @ right  # (M, r)
    a_lam = a * lam[None, :]
    g = a_lam @ a.T
    h = b.T @ b
    c = np.einsum("im,mi->i", a_lam, b)
    return RidgePathStats(
        singular_values=s,
        rank=numerical_rank(s, phi.shape),
        test_feature_cov=g,
        train_target_gram=h,
        cross=c,
        target_power=float(lam.sum()),
    )


def sampled_test_stats(
    phi: np.ndarray, x: np.ndarray, phi_test: np.ndarray, x_test: np.ndarray
) -> RidgePathStats:
    """Path statistics with a sampled test set (any feature map), exact over the teacher.

    The loss is then ``σ_w²/(2 M T̂) ‖x φᵀ q φ̂ − x̂‖²_F + σ_ε²/(2 T̂) ‖φᵀ q φ̂‖²_F``: the
    same formula as :func:`latent_linear_stats` with empirical test moments.

    Parameters
    ----------
    phi : ndarray, shape (N, T)
        Training features.
    x : ndarray, shape (M, T)
        Latent training inputs.
    phi_test : ndarray, shape (N, T̂)
        Test features.
    x_test : ndarray, shape (M, T̂)
        Latent test inputs.
    """
    n_test = x_test.shape[1]
    left, s, right = thin_svd(phi)
    a = left.T @ phi_test  # (r, T̂)
    b = x @ right  # (M, r)
    g = (a @ a.T) / n_test
    h = b.T @ b
    c = np.einsum("it,ti->i", a, x_test.T @ b) / n_test
    return RidgePathStats(
        singular_values=s,
        rank=numerical_rank(s, phi.shape),
        test_feature_cov=g,
        train_target_gram=h,
        cross=c,
        target_power=float(np.einsum("mt,mt->", x_test, x_test) / n_test),
    )


def _shrinkage(stats: RidgePathStats, gammas: np.ndarray) -> np.ndarray:
    """d_i(γ) = s_i/(s_i² + γ); the minimum-norm limit 1/s_i on the rank for γ = 0."""
    s = stats.singular_values
    gam = np.asarray(gammas, dtype=np.float64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = s[None, :] / (s[None, :] ** 2 + gam)
    ridgeless = gam[:, 0] == 0
    if np.any(ridgeless):
        dz = np.zeros_like(s)
        dz[: stats.rank] = 1.0 / s[: stats.rank]
        d[ridgeless] = dz
    return d


def path_terms(
    stats: RidgePathStats, gammas: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Label and noise coefficients along the ridge path.

    Returns ``(label, noise)`` with the test loss ``σ_w²/(2M) · label + σ_ε²/2 · noise``.

    ``label = Σ_ij d_i d_j G_ij H_ij − 2 Σ_i d_i c_i + tr Λ`` and ``noise = Σ_i d_i² G_ii``.
    """
    gam = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
    if np.any(gam < 0) or not np.all(np.isfinite(gam)):
        raise ValueError("ridge values must be finite and >= 0")
    d = _shrinkage(stats, gam)
    gh = stats.test_feature_cov * stats.train_target_gram
    quad = np.einsum("gi,ij,gj->g", d, gh, d, optimize=True)
    label = quad - 2.0 * d @ stats.cross + stats.target_power
    noise = (d**2) @ np.diag(stats.test_feature_cov)
    # Exact arithmetic gives label >= 0; round-off can leave a tiny negative residue.
    label = np.maximum(label, 0.0)
    return label, noise


def optimal_ridge(
    stats: RidgePathStats, label_scale: float, noise_scale: float, *, grid_points: int = 48
) -> tuple[float, float]:
    """γ* minimising ``label_scale · label(γ) + noise_scale · noise(γ)``, and that minimum.

    A log-spaced scan over ``[s_min² · 1e-6, s_max² · 1e2]`` (and γ = 0) locates the basin;
    a bounded Brent search in log γ between the neighbouring grid points refines it. This is
    the oracle (test-set tuned) ridge of MRS Figs. 7–9.
    """

    def total(g: np.ndarray) -> np.ndarray:
        lab, noi = path_terms(stats, g)
        return label_scale * lab + noise_scale * noi

    s = stats.singular_values[: max(stats.rank, 1)]
    lo = np.log(max(s[-1] ** 2 * 1e-6, np.finfo(float).tiny * 1e10))
    hi = np.log(s[0] ** 2 * 1e2)
    log_grid = np.linspace(lo, hi, grid_points)
    values = total(np.exp(log_grid))
    ridgeless = float(total(np.zeros(1))[0])
    i = int(np.argmin(values))
    a = log_grid[max(i - 1, 0)]
    b = log_grid[min(i + 1, grid_points - 1)]
    res = minimize_scalar(
        lambda t: float(total(np.exp(np.array([t])))[0]),
        bounds=(a, b),
        method="bounded",
        options={"xatol": 1e-6},
    )
    best_log, best_val = (
        (res.x, float(res.fun)) if res.fun <= values[i] else (log_grid[i], values[i])
    )
    if ridgeless <= best_val:
        return 0.0, ridgeless
    return float(np.exp(best_log)), float(best_val)


def ridge_weights(phi: np.ndarray, y: np.ndarray, gamma: float) -> np.ndarray:
    """Ridge solution θ* of MRS eq. (33) for one γ > 0 by a direct solve.

    Uses the primal form (35), ``θ = y φᵀ (γ I_N + φφᵀ)⁻¹``, when N ≤ T and the dual form (58),
    ``θ = y (γ I_T + φᵀφ)⁻¹ φᵀ``, when N > T (MRS footnote 21). Used as an independent
    reference for the spectral path; ``y`` has shape (C, T).
    """
    if gamma <= 0:
        raise ValueError("ridge_weights needs gamma > 0; use the spectral path for gamma = 0")
    n, t = phi.shape
    if n <= t:
        gram = phi @ phi.T
        gram[np.diag_indices(n)] += gamma
        return scipy.linalg.solve(gram, phi @ y.T, assume_a="pos").T
    gram = phi.T @ phi
    gram[np.diag_indices(t)] += gamma
    return (scipy.linalg.solve(gram, y.T, assume_a="pos")).T @ phi.T
