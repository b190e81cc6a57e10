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

    Examples
    --------
    Built by :func:`latent_linear_stats` or :func:`sampled_test_stats`; with identity features
    on three latent directions the target power is tr Λ:

    >>> rng = np.random.default_rng(0)
    >>> lam = np.array([1.0, 0.5, 0.25])
    >>> stats = latent_linear_stats(np.eye(3), rng.standard_normal((3, 20)), lam)
    >>> stats.rank, stats.target_power, stats.test_feature_cov.shape
    (3, 1.75, (3, 3))
    """

    singular_values: np.ndarray
    rank: int
    test_feature_cov: np.ndarray
    train_target_gram: np.ndarray
    cross: np.ndarray
    target_power: float


def thin_svd(phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin SVD ``φ = U diag(s) Vᵀ``: divide and conquer, falling back to QR iteration.

    Examples
    --------
    The factors reconstruct φ, with r = min(N, T) columns:

    >>> phi = np.random.default_rng(0).standard_normal((4, 6))
    >>> u, s, v = thin_svd(phi)
    >>> u.shape, s.shape, v.shape, bool(np.allclose((u * s) @ v.T, phi))
    ((4, 4), (4,), (6, 4), True)
    """
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
    """Number of singular values above ``s_max · max(shape) · eps`` (the ``pinv`` cut-off).

    Examples
    --------
    An outer product has rank one although all four singular values come back non-negative:

    >>> a = np.arange(1.0, 5.0)
    >>> numerical_rank(np.linalg.svd(np.outer(a, a), compute_uv=False), (4, 4))
    1
    """
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

    Examples
    --------
    Identity features (N = M = 3) with T = 20 samples: the ridgeless fit recovers the teacher, so
    the label term vanishes, while the noise term equals ``tr(Λ (x xᵀ)⁻¹)``; at huge γ the
    predictor is zero and the label term is tr Λ:

    >>> rng = np.random.default_rng(0)
    >>> lam = np.array([1.0, 0.5, 0.25])
    >>> x = rng.standard_normal((3, 20)) * np.sqrt(lam)[:, None]
    >>> stats = latent_linear_stats(np.eye(3), x, lam)
    >>> label, noise = path_terms(stats, [0.0, 1e12])
    >>> label.round(6)
    array([0.  , 1.75])
    >>> bool(np.isclose(noise[0], np.trace(np.diag(lam) @ np.linalg.inv(x @ x.T))))
    True
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

    Examples
    --------
    Against the direct formula with ``q = (γ I + φφᵀ)⁻¹`` for tanh features:

    >>> rng = np.random.default_rng(1)
    >>> x, x_test, w = (rng.standard_normal(s) for s in ((3, 10), (3, 7), (4, 3)))
    >>> phi, phi_test = np.tanh(w @ x), np.tanh(w @ x_test)
    >>> label, noise = path_terms(sampled_test_stats(phi, x, phi_test, x_test), [0.5])
    >>> q = np.linalg.inv(0.5 * np.eye(4) + phi @ phi.T)
    >>> direct_label = np.linalg.norm(x @ phi.T @ q @ phi_test - x_test) ** 2 / 7
    >>> direct_noise = np.linalg.norm(phi.T @ q @ phi_test) ** 2 / 7
    >>> bool(np.isclose(label[0], direct_label)), bool(np.isclose(noise[0], direct_noise))
    (True, True)
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

    Examples
    --------
    γ → ∞ predicts zero: the label term tends to tr Λ and the noise term to zero:

    >>> rng = np.random.default_rng(0)
    >>> lam = np.array([1.0, 0.5])
    >>> stats = latent_linear_stats(rng.standard_normal((3, 2)), rng.standard_normal((2, 5)), lam)
    >>> label, noise = path_terms(stats, [1e12])
    >>> round(float(label[0]), 6), round(float(noise[0]), 6)
    (1.5, 0.0)
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

    Examples
    --------
    The returned minimum is no worse than a dense scan of the same objective:

    >>> rng = np.random.default_rng(0)
    >>> lam = np.array([1.0, 0.5, 0.25])
    >>> x = rng.standard_normal((3, 20)) * np.sqrt(lam)[:, None]
    >>> stats = latent_linear_stats(rng.standard_normal((5, 3)), x, lam)
    >>> gamma, best = optimal_ridge(stats, 1.0, 1.0)
    >>> label, noise = path_terms(stats, np.geomspace(1e-6, 1e4, 2001))
    >>> gamma > 0, bool(best <= (label + noise).min() + 1e-12)
    (True, True)
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

    Examples
    --------
    Primal (N ≤ T) and dual (N > T) forms both equal the spectral form ``y V diag(s/(s²+γ)) Uᵀ``:

    >>> rng = np.random.default_rng(0)
    >>> for n, t in ((4, 6), (8, 5)):
    ...     phi, y = rng.standard_normal((n, t)), rng.standard_normal((1, t))
    ...     u, s, v = thin_svd(phi)
    ...     spectral = y @ v @ np.diag(s / (s**2 + 0.5)) @ u.T
    ...     print(bool(np.allclose(ridge_weights(phi, y, 0.5), spectral)))
    True
    True
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
