"""The spectral ridge path (scalinglab.core.ridge) against brute-force computations on one draw.

References: explicit M × M matrices for the exact averaged loss (MRS eq. 44 and its x̂-average),
direct primal/dual solves (eqs. 35, 58), ``numpy.linalg.pinv`` for the ridgeless limit, and a
literal Monte Carlo of eq. (40) with many teachers and test points.
"""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab.core import ridge
from scalinglab.core.spectra import power_law_spectrum
from scalinglab.models.mrs.sampling import sample_literal


def _brute_force_terms(u, x, lam, gamma):
    """tr[(B − I)Λ(B − I)ᵀ] and tr[RΛRᵀ] with B = x φᵀ q u, R = φᵀ q u, built explicitly."""
    phi = u @ x
    if gamma == 0:
        hat = np.linalg.pinv(phi)  # T × N, min-norm
    else:
        hat = phi.T @ np.linalg.inv(gamma * np.eye(phi.shape[0]) + phi @ phi.T)
    r = hat @ u  # T × M
    b = x @ r  # M × M
    lam_m = np.diag(lam)
    eye = np.eye(lam.size)
    label = np.trace((b - eye) @ lam_m @ (b - eye).T)
    noise = np.trace(r @ lam_m @ r.T)
    return label, noise


@pytest.mark.parametrize(("n", "t"), [(20, 50), (50, 20), (35, 35), (60, 90)])
@pytest.mark.parametrize("gamma", [0.0, 1e-3, 0.3])
def test_path_terms_match_brute_force(n, t, gamma):
    lam = power_law_spectrum(80, 1.0)
    u, x = sample_literal(n, t, lam, 1.0, np.random.default_rng(n * 100 + t))
    stats = ridge.latent_linear_stats(u, x, lam)
    label, noise = ridge.path_terms(stats, [gamma])
    ref_label, ref_noise = _brute_force_terms(u, x, lam, gamma)
    # Exact same quantity by two algebraic routes: agreement to round-off. At N = T (35, 35)
    # and γ = 0 the system is nearly singular, so the loss is huge and loses digits.
    rtol = 1e-6 if (n == t and gamma == 0) else 1e-9
    np.testing.assert_allclose(label[0], ref_label, rtol=rtol)
    np.testing.assert_allclose(noise[0], ref_noise, rtol=rtol)


def test_rank_deficient_both_above_latent_dim_is_realisable():
    # N, T > M: the features span the latent space, the noiseless ridgeless fit is exact.
    lam = power_law_spectrum(30, 1.0)
    u, x = sample_literal(60, 90, lam, 1.0, np.random.default_rng(1))
    stats = ridge.latent_linear_stats(u, x, lam)
    assert stats.rank == 30
    label, noise = ridge.path_terms(stats, [0.0])
    assert label[0] < 1e-10 * lam.sum()  # exactly 0 up to round-off
    _, ref_noise = _brute_force_terms(u, x, lam, 0.0)
    np.testing.assert_allclose(noise[0], ref_noise, rtol=1e-8)


def test_primal_and_dual_solutions_agree():
    rng = np.random.default_rng(3)
    for n, t in ((15, 40), (40, 15)):
        phi = rng.standard_normal((n, t))
        y = rng.standard_normal((2, t))
        theta = ridge.ridge_weights(phi, y, 0.7)
        # the other form, written out (q φ = φ Q, MRS eq. 57)
        other = y @ np.linalg.solve(0.7 * np.eye(t) + phi.T @ phi, phi.T)
        np.testing.assert_allclose(theta, other, rtol=1e-10, atol=1e-12)


def test_exact_average_matches_literal_monte_carlo_of_eq_40():
    # One draw of (u, x); the literal loss of eq. (40) averaged over C teachers and T̂ test
    # points must agree with the exact average within its Monte Carlo error.
    m, n, t, gamma = 60, 25, 40, 0.05
    lam = power_law_spectrum(m, 1.0)
    rng = np.random.default_rng(11)
    u, x = sample_literal(n, t, lam, 1.0, rng)
    noise_var = 0.01
    stats = ridge.latent_linear_stats(u, x, lam)
    label, noise = ridge.path_terms(stats, [gamma])
    exact = label[0] / (2 * m) + noise_var / 2 * noise[0]
    c, t_test = 4000, 4000
    w = rng.standard_normal((c, m)) / np.sqrt(m)
    eps = rng.standard_normal((c, t)) * np.sqrt(noise_var)
    theta = ridge.ridge_weights(u @ x, w @ x + eps, gamma)
    x_test = rng.standard_normal((m, t_test)) * np.sqrt(lam)[:, None]
    per_teacher = 0.5 * np.mean((theta @ (u @ x_test) - w @ x_test) ** 2, axis=1)
    sem = per_teacher.std(ddof=1) / np.sqrt(c)
    # 4 standard errors over teachers; the shared test set adds a further ~1/sqrt(T̂) relative
    # fluctuation (1.6 %), so the tolerance is 4 sem + 3 % of the value.
    assert abs(per_teacher.mean() - exact) < 4 * sem + 0.03 * exact


def test_sampled_test_stats_converge_to_exact():
    m, n, t = 50, 20, 45
    lam = power_law_spectrum(m, 1.0)
    rng = np.random.default_rng(5)
    u, x = sample_literal(n, t, lam, 1.0, rng)
    exact = ridge.path_terms(ridge.latent_linear_stats(u, x, lam), [0.0, 0.1])
    x_test = rng.standard_normal((m, 200_000)) * np.sqrt(lam)[:, None]
    sampled = ridge.path_terms(ridge.sampled_test_stats(u @ x, x, u @ x_test, x_test), [0.0, 0.1])
    # relative Monte Carlo error of second moments with 2e5 test points is ~0.3 %
    np.testing.assert_allclose(sampled[0], exact[0], rtol=0.02)
    np.testing.assert_allclose(sampled[1], exact[1], rtol=0.02)


def test_optimal_ridge_beats_dense_grid():
    lam = power_law_spectrum(100, 1.0)
    u, x = sample_literal(40, 45, lam, 1.0, np.random.default_rng(2))
    stats = ridge.latent_linear_stats(u, x, lam)
    gamma_star, best = ridge.optimal_ridge(stats, 1 / 200, 0.5 * 1e-4)
    grid = np.geomspace(1e-12, 1e6, 20001)
    lab, noi = ridge.path_terms(stats, grid)
    grid_best = (lab / 200 + 0.5e-4 * noi).min()
    assert gamma_star > 0
    assert best <= grid_best * (1 + 1e-9)  # never worse than an exhaustive grid
    assert best >= grid_best * (1 - 1e-4)  # and the grid (step 0.1 %) is nearly as good


def test_path_terms_rejects_negative_ridge():
    lam = power_law_spectrum(20, 1.0)
    stats = ridge.latent_linear_stats(
        *sample_literal(5, 8, lam, 1.0, np.random.default_rng(0)), lam
    )
    with pytest.raises(ValueError):
        ridge.path_terms(stats, [-1.0])
