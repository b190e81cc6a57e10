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

from scalinglab.core.ridge import RidgePathStats, latent_linear_stats, numerical_rank, thin_svd

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

    Examples
    --------
    Lower triangular with a positive diagonal, and ``E[L Lᵀ] = dof · I``:

    >>> rng = np.random.default_rng(0)
    >>> low = bartlett_factor(3, 10, rng)
    >>> bool(np.array_equal(low, np.tril(low))), bool(np.all(np.diag(low) > 0))
    (True, True)
    >>> mean = np.mean([f @ f.T for f in (bartlett_factor(3, 10, rng) for _ in range(1000))], 0)
    >>> bool(np.allclose(mean / 10, np.eye(3), atol=0.06))  # about 4 standard errors
    True
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
    """Literal draw: ``u`` (N × M) with variance σ_u²/M and ``x = Λ^{1/2} g`` (M × T).

    Examples
    --------
    >>> lam = np.array([1.0, 0.5, 0.25])
    >>> u, x = sample_literal(5, 8, lam, 1.0, np.random.default_rng(0))
    >>> u.shape, x.shape
    ((5, 3), (3, 8))
    """
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
        q, r = _positive_qr((u * sqrt_lam[None, :]).T)
        low = bartlett_factor(features, samples, rng)
        return _ReducedFactors("primal", u, q, r, low, rng.standard_normal((m, features)))
    x = rng.standard_normal((m, samples)) * sqrt_lam[:, None]
    q, r = _positive_qr(x)
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

    Examples
    --------
    Shapes in the three cases (M = 30):

    >>> from scalinglab.core.ridge import latent_linear_stats, path_terms
    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> lam = power_law_spectrum(30, 1.0)
    >>> [tuple(a.shape for a in sample_reduced(n, t, lam, 1.0, np.random.default_rng(0)))
    ...  for n, t in ((5, 8), (8, 5), (40, 50))]
    [((5, 30), (30, 5)), ((5, 30), (30, 5)), ((30, 30), (30, 30))]

    The ridgeless label term has the same mean as under the literal draw (100 draws each):

    >>> def label(u, x):
    ...     return path_terms(latent_linear_stats(u, x, lam), [0.0])[0][0]
    >>> lit = [label(*sample_literal(5, 8, lam, 1.0, np.random.default_rng(s))) for s in range(100)]
    >>> red = [label(*sample_reduced(5, 8, lam, 1.0, np.random.default_rng(s + 10**6)))
    ...        for s in range(100)]
    >>> sem = np.hypot(np.std(lit), np.std(red)) / np.sqrt(100)
    >>> bool(abs(np.mean(lit) - np.mean(red)) < 3 * sem)
    True
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


#: Largest condition number of ``F Fᵀ`` for which the Cholesky route is used. Its error in the
#: implied orthonormal basis is about ``eps · cond(F Fᵀ)`` (≤ 2e-8 here); above it the
#: Householder QR route (error ``eps · cond(F)``) takes over.
CHOLESKY_MAX_CONDITION = 1e8


def reduced_path_stats(
    features: int,
    samples: int,
    lam: np.ndarray,
    feature_var: float,
    rng: np.random.Generator,
) -> RidgePathStats:
    """Exact ridge-path statistics of one reduced draw, without materialising it.

    Same law as ``latent_linear_stats(*sample_reduced(...), lam)``, with O(M r²) work and
    r = min(N, T). Write the primal case (N ≤ T); the dual case is its mirror image. Let
    ``F = u Λ^{1/2}`` (N × M), ``Fᵀ = q R`` with q orthonormal, L the N × N Bartlett factor,
    G an M × N Gaussian matrix, and the effective data ``X = q L + (I − q qᵀ) G``. With
    ``Z = L − qᵀG``:

    - features ``φ = u Λ^{1/2} X = Rᵀ L`` (because ``qᵀX = L``);
    - test-feature second moment ``u Λ uᵀ = F Fᵀ = Rᵀ R``;
    - training Gram ``x_effᵀ x_eff = Xᵀ Λ X = GᵀΛG + Zᵀ qᵀΛG + (qᵀΛG)ᵀ Z + Zᵀ qᵀΛq Z``;
    - cross moment ``u Λ x_eff = F Λ X = FΛG + (FΛFᵀ) R⁻¹ Z``.

    Two routes compute these. The **Cholesky route** never forms q: R is the Cholesky factor
    of ``F Fᵀ`` and every q-product is ``R⁻ᵀ`` times an N × N product of F
    (``qᵀG = R⁻ᵀ F G``, ``qᵀΛG = R⁻ᵀ FΛG``, ``qᵀΛq = R⁻ᵀ FΛFᵀ R⁻¹``): four BLAS-3 products
    of M × N blocks (3.5 M N² multiply-adds). It is used while ``cond(F Fᵀ) ≤``
    :data:`CHOLESKY_MAX_CONDITION` (estimated by LAPACK ``pocon``). Otherwise (α large, or N
    close to M) the **QR route** forms q by Householder QR (about 6 M N² multiply-adds).
    Both consume the generator identically, so the route changes only rounding.

    Examples
    --------
    It consumes the generator like :func:`sample_reduced`, so one seed gives the same path as the
    materialised reduced draw, in the primal (N ≤ T) and dual (T < N) cases:

    >>> from scalinglab.core.ridge import latent_linear_stats, path_terms
    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> lam = power_law_spectrum(30, 1.0)
    >>> for n, t in ((5, 8), (8, 5)):
    ...     u, x = sample_reduced(n, t, lam, 1.0, np.random.default_rng(3))
    ...     direct = path_terms(latent_linear_stats(u, x, lam), [0.0, 0.1])
    ...     stats = reduced_path_stats(n, t, lam, 1.0, np.random.default_rng(3))
    ...     fast = path_terms(stats, [0.0, 0.1])
    ...     print(bool(np.allclose(direct, fast)))
    True
    True
    """
    m = lam.size
    if min(features, samples) >= m:
        u, x = _both_full(features, samples, lam, feature_var, rng)
        return latent_linear_stats(u, x, lam)
    sqrt_lam = np.sqrt(lam)
    if features <= samples:
        f_mat = rng.standard_normal((features, m))  # u, then F = u Λ^{1/2}
        f_mat *= np.sqrt(feature_var / m) * sqrt_lam[None, :]
        side, dof = "primal", samples
    else:
        x = rng.standard_normal((m, samples))
        x *= sqrt_lam[:, None]
        f_mat = x.T
        side, dof = "dual", features
    r = f_mat.shape[0]
    gram_f = f_mat @ f_mat.T  # F Fᵀ (numpy dispatches A Aᵀ to syrk)
    q, r_up = None, _cholesky_if_well_conditioned(gram_f)
    if r_up is None:
        q, r_up = _positive_qr(f_mat.T)
    low = bartlett_factor(r, dof, rng)
    gauss = rng.standard_normal((m, r))
    if q is None:
        eff_gram, f_lam_eff = _cholesky_products(f_mat, r_up, low, gauss, lam)
    else:
        eff_gram, f_lam_eff = _qr_products(q, r_up, low, gauss, lam)
    if side == "primal":
        phi = r_up.T @ low
        left, s, right = thin_svd(phi)
        r_left = r_up @ left
        g = r_left.T @ r_left  # Uᵀ F Fᵀ U
        h = right.T @ eff_gram @ right
        c = np.einsum("ki,ki->i", left, f_lam_eff @ right)
    else:
        scale = feature_var / m
        phi = np.sqrt(scale) * (low.T @ r_up)
        left, s, right = thin_svd(phi)
        g = scale * (left.T @ eff_gram @ left)
        r_right = r_up @ right
        h = r_right.T @ r_right  # Vᵀ F Fᵀ V
        c = np.sqrt(scale) * np.einsum("ki,ki->i", left, f_lam_eff.T @ right)
    return RidgePathStats(
        singular_values=s,
        rank=numerical_rank(s, phi.shape),
        test_feature_cov=g,
        train_target_gram=h,
        cross=c,
        target_power=float(lam.sum()),
    )


def _positive_qr(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Householder QR with ``diag(R) ≥ 0``: in exact arithmetic the Cholesky route's (q, R)."""
    q, r_up = scipy.linalg.qr(a, mode="economic", check_finite=False)
    signs = np.where(np.diag(r_up) < 0, -1.0, 1.0)
    return q * signs[None, :], r_up * signs[:, None]


def _cholesky_if_well_conditioned(gram: np.ndarray) -> np.ndarray | None:
    """Upper Cholesky factor R of ``gram`` (``RᵀR = gram``), or None if too ill-conditioned."""
    try:
        r_up = scipy.linalg.cholesky(gram, lower=False, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    anorm = float(np.abs(gram).sum(axis=0).max())
    rcond, info = scipy.linalg.lapack.dpocon(r_up, anorm, uplo="U")
    if info != 0 or not rcond * CHOLESKY_MAX_CONDITION >= 1.0:
        return None
    return r_up


def _cholesky_products(
    f_mat: np.ndarray, r_up: np.ndarray, low: np.ndarray, gauss: np.ndarray, lam: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(XᵀΛX, FΛX)`` from products of F and G only (see :func:`reduced_path_stats`).

    Overwrites ``f_mat`` with ``F Λ^{1/2}`` and ``gauss`` with ``Λ^{1/2} G``: fresh M × N
    buffers cost page faults comparable to the arithmetic on them.
    """
    sqrt_lam = np.sqrt(lam)
    fg = f_mat @ gauss
    f_half = np.multiply(f_mat, sqrt_lam[None, :], out=f_mat)  # F Λ^{1/2}
    g_half = np.multiply(gauss, sqrt_lam[:, None], out=gauss)  # Λ^{1/2} G
    f_lam_g = f_half @ g_half  # F Λ G
    f_lam_f = f_half @ f_half.T  # F Λ Fᵀ (syrk)
    g_lam_g = g_half.T @ g_half  # Gᵀ Λ G (syrk)
    solve_t = scipy.linalg.solve_triangular
    z = low - solve_t(r_up, fg, trans="T", check_finite=False)  # Z = L − qᵀG
    w = solve_t(r_up, z, check_finite=False)  # W = R⁻¹ Z
    f_lam_f_w = f_lam_f @ w
    # Zᵀ qᵀΛG = Wᵀ FΛG and Zᵀ qᵀΛq Z = Wᵀ FΛFᵀ W, so with Y = FΛG + ½ FΛFᵀ W:
    # XᵀΛX = GᵀΛG + Wᵀ Y + Yᵀ W
    wt_y = w.T @ (f_lam_g + 0.5 * f_lam_f_w)
    return g_lam_g + wt_y + wt_y.T, f_lam_g + f_lam_f_w


def _qr_products(
    q: np.ndarray, r_up: np.ndarray, low: np.ndarray, gauss: np.ndarray, lam: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(XᵀΛX, FΛX)`` with an explicit orthonormal q (Householder route)."""
    z = low - q.T @ gauss
    q_lam = q * lam[:, None]
    s11 = q_lam.T @ q
    s12 = q_lam.T @ gauss
    g_half = gauss * np.sqrt(lam)[:, None]
    s22 = g_half.T @ g_half
    s12_z = s12.T @ z
    eff_gram = s22 + s12_z + s12_z.T + z.T @ s11 @ z  # Xᵀ Λ X
    return eff_gram, r_up.T @ (s12 + s11 @ z)  # F Λ X = Rᵀ qᵀΛX


def feature_gram_eigenvalues(
    features: int, samples: int, lam: np.ndarray, feature_var: float, rng: np.random.Generator
) -> np.ndarray:
    """Eigenvalues of ``φ φᵀ`` (decreasing, the min(N, T, M) nonzero ones) from a reduced draw.

    ``φ φᵀ = F W Fᵀ`` has the law of the literal draw; in the primal reduction the features
    are ``φ_eff = Rᵀ L`` (N × N), in the dual one ``(σ_u²/M)^{1/2} Lᵀ R`` (T × T).

    Examples
    --------
    The min(N, T, M) nonzero eigenvalues of ``φφᵀ`` for the same seed as :func:`sample_reduced`:

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> lam = power_law_spectrum(30, 1.0)
    >>> ev = feature_gram_eigenvalues(5, 8, lam, 1.0, np.random.default_rng(3))
    >>> u, x = sample_reduced(5, 8, lam, 1.0, np.random.default_rng(3))
    >>> ev.size, bool(np.allclose(ev, np.linalg.svd(u @ x, compute_uv=False) ** 2))
    (5, True)
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

    Examples
    --------
    At O(M³) cost even for T = 10⁸ samples, where the empirical covariance has converged to Λ:

    >>> lam = np.array([1.0, 0.5, 0.25])
    >>> ev = latent_covariance_eigenvalues(10**8, lam, np.random.default_rng(0))
    >>> bool(np.allclose(ev, lam, rtol=1e-3))  # fluctuations are O(1/√T) = 1e-4
    True
    """
    m = lam.size
    sqrt_lam = np.sqrt(lam)
    if samples < m:
        x = rng.standard_normal((m, samples)) * sqrt_lam[:, None]
        ev = scipy.linalg.eigvalsh(x.T @ x, check_finite=False)[::-1]
    else:
        ev = scipy.linalg.svdvals(sqrt_lam[:, None] * bartlett_factor(m, samples, rng)) ** 2
    return np.clip(ev, 0.0, None) / samples
