"""Draws of the MRS model: the literal one, and an exactly equivalent reduced one.

The literal draw (MRS eqs. 19, 23, 28) is a feature map ``u`` (N × M, entries
``N(0, σ_u²/M)``) and latent training data ``x = Λ^{1/2} g`` (M × T, g standard Gaussian).

**Reduced draw.** The test loss (MRS eq. 40, averaged over teacher, noise and test inputs) is
invariant under ``u → O u`` (O ∈ O(N)) and ``x → x O'`` (O' ∈ O(T)), so it depends on the draw
only through ``uᵀu`` and ``W = g gᵀ``. More precisely, when N ≤ T it depends on x only through
``W Fᵀ`` with ``F = u Λ^{1/2}``, and when T < N on u only through ``uᵀu x``. Let
``Fᵀ = Q R`` (Q: M × N orthonormal). Because ``W ~ Wishart_M(T, I)`` is rotation invariant,
``W Q = (Q L₁₁ + P⊥ G) L₁₁ᵀ`` in distribution, where ``L₁₁`` is the N × N Bartlett factor of
``Wishart_N(T, I)`` (``L_ii² ~ χ²_{T−i+1}``, ``L_ij ~ N(0,1)`` below the diagonal), G is an
independent M × N standard Gaussian matrix and ``P⊥ = I − QQᵀ``. The matrix
``g_eff = Q L₁₁ + P⊥ G`` (M × N) satisfies ``g_effᵀ Q = L₁₁ᵀ``, hence
``g_eff g_effᵀ Fᵀ = W Fᵀ`` in distribution, jointly with u: the T training samples can be
replaced by N effective samples ``x_eff = Λ^{1/2} g_eff`` without changing the law of the loss.
The dual construction (T < N) replaces u by T effective features. When both N and T are at
least M, u and x are replaced by M × M Bartlett factors.

The reduced draw costs O(M r²) with r = min(N, T, M), instead of O(N M T) for the literal one.
It is checked against the literal draw in the tests (equal means within Monte Carlo error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from scalinglab.ridge import RidgePathStats, latent_linear_stats, numerical_rank, thin_svd

__all__ = [
    "bartlett_factor",
    "feature_gram_eigenvalues",
    "latent_covariance_eigenvalues",
    "reduced_path_stats",
    "sample_literal",
    "sample_reduced",
]


def bartlett_factor(p: int, dof: int, rng: np.random.Generator) -> np.ndarray:
    """Lower-triangular L (p × p) with ``L Lᵀ ~ Wishart_p(dof, I)`` (Bartlett decomposition).

    ``L_ii = sqrt(χ²_{dof − i})`` for i = 0..p−1 and ``L_ij ~ N(0, 1)`` for i > j; needs dof ≥ p.
    """
    if dof < p:
        raise ValueError(f"Bartlett factor needs dof >= p, got dof={dof}, p={p}")
    low = np.tril(rng.standard_normal((p, p)), -1)
    low[np.diag_indices(p)] = np.sqrt(rng.chisquare(dof - np.arange(p, dtype=np.float64)))
    return low


def sample_literal(
    features: int,
    samples: int,
    lam: np.ndarray,
    feature_var: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Literal draw: ``u`` (N × M) with variance σ_u²/M and ``x = Λ^{1/2} g`` (M × T)."""
    m = lam.size
    u = rng.standard_normal((features, m)) * np.sqrt(feature_var / m)
    x = rng.standard_normal((m, samples)) * np.sqrt(lam)[:, None]
    return u, x


@dataclass(frozen=True)
class _ReducedFactors:
    """Factors of a reduced draw on the side with r = min(N, T) < M.

    ``side == "primal"`` (N ≤ T): ``literal`` is u (N × M) and ``q r = (u Λ^{1/2})ᵀ``.
    ``side == "dual"`` (T < N): ``literal`` is x (M × T) and ``q r = x``.
    ``low`` is the r × r Bartlett factor, ``gauss`` the M × r Gaussian matrix and the effective
    factor is ``q low + (I − q qᵀ) gauss``.
    """

    side: str
    literal: np.ndarray
    q: np.ndarray
    r: np.ndarray
    low: np.ndarray
    gauss: np.ndarray


def _reduced_factors(
    features: int, samples: int, lam: np.ndarray, feature_var: float, rng: np.random.Generator
) -> _ReducedFactors:
    m = lam.size
    sqrt_lam = np.sqrt(lam)
    if features <= samples:
        u = rng.standard_normal((features, m)) * np.sqrt(feature_var / m)
        q, r = scipy.linalg.qr((u * sqrt_lam[None, :]).T, mode="economic", check_finite=False)
        low = bartlett_factor(features, samples, rng)
        return _ReducedFactors("primal", u, q, r, low, rng.standard_normal((m, features)))
    x = rng.standard_normal((m, samples)) * sqrt_lam[:, None]
    q, r = scipy.linalg.qr(x, mode="economic", check_finite=False)
    low = bartlett_factor(samples, features, rng)
    return _ReducedFactors("dual", x, q, r, low, rng.standard_normal((m, samples)))


def _effective(f: _ReducedFactors) -> np.ndarray:
    """``q low + (I − q qᵀ) gauss``: the effective Gaussian factor of the reduced draw."""
    return f.gauss + f.q @ (f.low - f.q.T @ f.gauss)


def sample_reduced(
    features: int,
    samples: int,
    lam: np.ndarray,
    feature_var: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Reduced draw ``(u_eff, x_eff)`` with the same law of the test loss as the literal draw.

    Shapes: (N, M) and (M, N) when N ≤ T and N < M; (T, M) and (M, T) when T < N and T < M;
    (M, M) and (M, M) when N, T ≥ M.
    """
    m = lam.size
    if min(features, samples) >= m:
        return _both_full(features, samples, lam, feature_var, rng)
    f = _reduced_factors(features, samples, lam, feature_var, rng)
    if f.side == "primal":
        return f.literal, np.sqrt(lam)[:, None] * _effective(f)
    return np.sqrt(feature_var / m) * _effective(f).T, f.literal


def _both_full(
    features: int, samples: int, lam: np.ndarray, feature_var: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    m = lam.size
    u_eff = np.sqrt(feature_var / m) * bartlett_factor(m, features, rng).T
    x_eff = np.sqrt(lam)[:, None] * bartlett_factor(m, samples, rng)
    return u_eff, x_eff


def reduced_path_stats(
    features: int,
    samples: int,
    lam: np.ndarray,
    feature_var: float,
    rng: np.random.Generator,
) -> RidgePathStats:
    """Exact ridge-path statistics of one reduced draw, without materialising it.

    Same numbers as ``latent_linear_stats(*sample_reduced(...), lam)`` for the same generator
    state, with fewer O(M r²) products. In the primal case (N ≤ T), with
    ``X = q L + (I − q qᵀ) G`` and ``Z = L − qᵀG``:

    - features ``φ = u x_eff = Rᵀ L`` (because ``qᵀX = L``);
    - ``u Λ uᵀ = Rᵀ R``, so ``G = (R U)ᵀ(R U)``;
    - ``x_effᵀ x_eff = Xᵀ Λ X = S₂₂ + S₁₂ᵀ Z + Zᵀ S₁₂ + Zᵀ S₁₁ Z`` with ``S₁₁ = qᵀΛq``,
      ``S₁₂ = qᵀΛG``, ``S₂₂ = GᵀΛG``;
    - ``u Λ x_eff = Rᵀ qᵀ Λ X = Rᵀ (S₁₂ + S₁₁ Z)``.

    The dual case (T < N) is the mirror image with x literal and u reduced.
    """
    m = lam.size
    if min(features, samples) >= m:
        u, x = _both_full(features, samples, lam, feature_var, rng)
        return latent_linear_stats(u, x, lam)
    f = _reduced_factors(features, samples, lam, feature_var, rng)
    z = f.low - f.q.T @ f.gauss
    q_lam = f.q * lam[:, None]
    s11 = q_lam.T @ f.q
    s12 = q_lam.T @ f.gauss
    s22 = (f.gauss * lam[:, None]).T @ f.gauss
    s12_z = s12.T @ z
    eff_gram = s22 + s12_z + s12_z.T + z.T @ s11 @ z  # Xᵀ Λ X
    q_lam_eff = s12 + s11 @ z  # qᵀ Λ X
    if f.side == "primal":
        phi = f.r.T @ f.low
        left, s, right = thin_svd(phi)
        ru = f.r @ left
        g = ru.T @ ru
        h = right.T @ eff_gram @ right
        c = np.einsum("ki,ki->i", ru, q_lam_eff @ right)
    else:
        scale = feature_var / m
        phi = np.sqrt(scale) * (f.low.T @ f.r)
        left, s, right = thin_svd(phi)
        rv = f.r @ right
        g = scale * (left.T @ eff_gram @ left)
        h = rv.T @ rv
        c = np.sqrt(scale) * np.einsum("ki,ki->i", q_lam_eff @ left, rv)
    return RidgePathStats(
        singular_values=s,
        rank=numerical_rank(s, phi.shape),
        test_feature_cov=g,
        train_target_gram=h,
        cross=c,
        target_power=float(lam.sum()),
    )


def feature_gram_eigenvalues(
    features: int, samples: int, lam: np.ndarray, feature_var: float, rng: np.random.Generator
) -> np.ndarray:
    """Eigenvalues of ``φ φᵀ`` (decreasing, the min(N, T, M) nonzero ones) from a reduced draw.

    ``φ φᵀ = F W Fᵀ`` has the law of the literal draw; in the primal reduction the features
    are ``φ_eff = Rᵀ L`` (N × N), in the dual one ``(σ_u²/M)^{1/2} Lᵀ R`` (T × T).
    """
    m = lam.size
    if min(features, samples) >= m:
        u, x = _both_full(features, samples, lam, feature_var, rng)
        phi = u @ x
    else:
        f = _reduced_factors(features, samples, lam, feature_var, rng)
        if f.side == "primal":
            phi = f.r.T @ f.low
        else:
            phi = np.sqrt(feature_var / m) * (f.low.T @ f.r)
    return scipy.linalg.svdvals(phi, check_finite=False) ** 2


def latent_covariance_eigenvalues(
    samples: int, lam: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Eigenvalues of the empirical latent covariance ``(1/T) x xᵀ`` (MRS eq. 8), decreasing.

    For T < M from the T × T Gram ``xᵀx``; for T ≥ M from the Bartlett factor of ``g gᵀ``
    (``x xᵀ = Λ^{1/2} L Lᵀ Λ^{1/2}`` in law), at O(M³) cost whatever T.
    """
    m = lam.size
    sqrt_lam = np.sqrt(lam)
    if samples < m:
        x = rng.standard_normal((m, samples)) * sqrt_lam[:, None]
        ev = scipy.linalg.eigvalsh(x.T @ x, check_finite=False)[::-1]
    else:
        ev = scipy.linalg.svdvals(sqrt_lam[:, None] * bartlett_factor(m, samples, rng)) ** 2
    return np.clip(ev, 0.0, None) / samples
