"""The MRS model: simulation against theory, exact identities and independent references.

Tolerances. Simulated means carry Monte Carlo error (we allow 4 standard errors). The planar
theory (163) is exact only as N, T, M → ∞; at finite sizes it misses O(1/min(N, T)) terms,
measured at about 0.8 (1 + α)/min(N, T) (e.g. +2.9 % at α = 1, min = 50). Where theory is
compared with simulation we allow ``4 sem + (1 + α)/min(N, T)``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from scalinglab._validation import InputError
from scalinglab.core.ridge import latent_linear_stats, path_terms
from scalinglab.core.spectra import power_law_spectrum
from scalinglab.models import mrs
from scalinglab.models.mrs import model as mrs_model
from scalinglab.models.mrs import sampling as mrs_sampling
from scalinglab.models.mrs import theory
from scalinglab.models.mrs.sampling import (
    feature_gram_eigenvalues,
    reduced_path_stats,
    sample_literal,
    sample_reduced,
)


def _z(a_mean, a_sem, b_mean, b_sem=0.0):
    return abs(a_mean - b_mean) / np.hypot(a_sem, b_sem)


def _finite_size_tol(sim: mrs.MRSSimulation, th: float, cfg: mrs.MRSConfig) -> float:
    return 4 * sim.loss_sem + (1 + cfg.alpha) / min(cfg.features, cfg.samples) * th


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("features", 0),
        ("samples", -3),
        ("latent_dim", 0),
        ("alpha", 0.0),
        ("alpha", -1.0),
        ("alpha", float("nan")),
        ("noise_var", -0.1),
        ("teacher_var", 0.0),
        ("feature_var", float("inf")),
        ("spectrum", "uniform"),
        ("feature_map", "tanh"),
    ],
)
def test_config_rejects_bad_values(field, value):
    kwargs = dict(latent_dim=100, alpha=1.0, features=10, samples=20)
    kwargs[field] = value
    with pytest.raises(InputError, match=field):
        mrs.MRSConfig(**kwargs)


def test_same_seed_same_numbers():
    cfg = mrs.MRSConfig(latent_dim=200, alpha=1.0, features=30, samples=50, noise_var=0.1)
    a = mrs.simulate(cfg, seeds=3, seed=9)
    b = mrs.simulate(cfg, seeds=3, seed=9)
    c = mrs.simulate(cfg, seeds=3, seed=10)
    assert a.per_seed == b.per_seed
    assert a.loss_mean != c.loss_mean


# --------------------------------------------------------------------------- reduced draw


@pytest.mark.parametrize(("n", "t"), [(25, 70), (70, 25), (30, 30), (200, 260), (60, 400)])
def test_reduced_stats_equal_materialised_reduced_draw(n, t):
    lam = power_law_spectrum(150, 1.0)
    a = reduced_path_stats(n, t, lam, 1.7, np.random.default_rng(4))
    b = latent_linear_stats(*sample_reduced(n, t, lam, 1.7, np.random.default_rng(4)), lam)
    for x, y in zip(path_terms(a, [0.0, 1e-3, 1.0]), path_terms(b, [0.0, 1e-3, 1.0]), strict=True):
        # two algebraic routes to the same numbers; N = T is nearly singular at γ = 0
        np.testing.assert_allclose(x, y, rtol=1e-6 if n == t else 1e-9, atol=1e-14)


@pytest.mark.parametrize(("n", "t", "alpha"), [(40, 90, 1.0), (90, 40, 1.0), (60, 60, 0.5)])
def test_cholesky_and_qr_routes_give_the_same_draw(monkeypatch, n, t, alpha):
    # Both routes compute the same (q, R) in exact arithmetic (R with a positive diagonal), so
    # on one generator state they must agree to rounding: eps · cond(F Fᵀ) (≤ 1e4 here) times
    # the cancellation in the label term (tr Λ minus the fitted part, ~1e2) ≈ 1e-10.
    lam = power_law_spectrum(300, alpha)
    chol = reduced_path_stats(n, t, lam, 1.0, np.random.default_rng(8))
    monkeypatch.setattr(mrs_sampling, "CHOLESKY_MAX_CONDITION", 0.0)  # force Householder QR
    qr = reduced_path_stats(n, t, lam, 1.0, np.random.default_rng(8))
    gammas = [0.0, 1e-4, 1.0]
    for x, y in zip(path_terms(chol, gammas), path_terms(qr, gammas), strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-8 if n == t else 1e-9)


def test_cholesky_route_refuses_ill_conditioned_grams():
    well = np.diag([1.0, 1e-6])
    ill = np.diag([1.0, 1e-10])  # cond 1e10 > CHOLESKY_MAX_CONDITION = 1e8
    np.testing.assert_allclose(mrs_sampling._cholesky_if_well_conditioned(well), np.sqrt(well))
    assert mrs_sampling._cholesky_if_well_conditioned(ill) is None
    assert mrs_sampling._cholesky_if_well_conditioned(np.diag([1.0, -1.0])) is None


@pytest.mark.parametrize(("n", "t"), [(25, 70), (70, 25), (200, 260), (60, 400)])
def test_reduced_draw_has_the_law_of_the_literal_draw(n, t):
    # Same expected label and noise terms (at a finite ridge, with noise) over many draws.
    cfg = mrs.MRSConfig(latent_dim=150, alpha=1.0, features=n, samples=t, noise_var=0.05)
    red = mrs.simulate(cfg, seeds=300, seed=1, ridge=0.01, method="reduced")
    lit = mrs.simulate(cfg, seeds=300, seed=2, ridge=0.01, method="literal")
    assert _z(red.label_mean, red.label_sem, lit.label_mean, lit.label_sem) < 4
    assert _z(red.noise_mean, red.noise_sem, lit.noise_mean, lit.noise_sem) < 4
    # spread too: per-draw standard deviations agree within 25 % (their sampling error
    # with 300 draws is ~4 % each; heavy tails near the interpolation peak widen it)
    sd_red = np.std(red.per_seed["loss"])
    sd_lit = np.std(lit.per_seed["loss"])
    assert abs(sd_red / sd_lit - 1) < 0.25


def test_feature_spectrum_from_reduced_draw_has_the_literal_trace():
    # E tr(φφᵀ) = N T σ_u² tr Λ / M exactly; both draws must reproduce it.
    m, n, t = 120, 40, 90
    lam = power_law_spectrum(m, 1.0)
    rng = np.random.default_rng(0)
    traces = [feature_gram_eigenvalues(n, t, lam, 1.0, rng).sum() for _ in range(400)]
    expected = n * t * lam.sum() / m
    sem = np.std(traces, ddof=1) / np.sqrt(len(traces))
    assert abs(np.mean(traces) - expected) < 4 * sem


# --------------------------------------------------------------------------- theory vs simulation


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
@pytest.mark.parametrize(("n", "t"), [(50, 200), (200, 50), (100, 600), (600, 100)])
def test_ridgeless_theory_163_matches_simulation(alpha, n, t):
    cfg = mrs.MRSConfig(latent_dim=1000, alpha=alpha, features=n, samples=t)
    sim = mrs.simulate(cfg, seeds=6, seed=7)
    th = mrs.predict(cfg).loss
    assert abs(sim.loss_mean - th) < _finite_size_tol(sim, th, cfg)


def test_closed_form_prediction_close_to_root():
    # (165) vs (164) inside predict, scaling regime: continuum error 2/μ + 0.6 % (see test_rmt)
    cfg = mrs.MRSConfig(latent_dim=6000, alpha=1.0, features=300, samples=1200)
    exact = mrs.predict(cfg).loss
    closed = mrs.predict(cfg, closed_form=True).loss
    assert closed == pytest.approx(exact, rel=2 / 300 + 0.006)


def test_noiseless_ridgeless_loss_is_symmetric_in_n_and_t():
    # A property of the model, checked on simulations alone (no theory involved).
    a = mrs.simulate(
        mrs.MRSConfig(latent_dim=800, alpha=1.0, features=60, samples=240), seeds=24, seed=1
    )
    b = mrs.simulate(
        mrs.MRSConfig(latent_dim=800, alpha=1.0, features=240, samples=60), seeds=24, seed=2
    )
    assert _z(a.loss_mean, a.loss_sem, b.loss_mean, b.loss_sem) < 4


def test_divergence_at_n_equals_t():
    lam = power_law_spectrum(800, 1.0)
    assert theory.label_term_ridgeless(100, 100, lam) == np.inf
    at_peak = mrs.simulate(
        mrs.MRSConfig(latent_dim=800, alpha=1.0, features=100, samples=100), seeds=4, seed=3
    )
    away = mrs.predict(mrs.MRSConfig(latent_dim=800, alpha=1.0, features=100, samples=200)).loss
    assert at_peak.loss_mean > 30 * away  # the interpolation peak
    # near the peak the loss grows as 1/|1 − N/T| (eq. 163): check at |1 − N/T| = 0.2
    cfg = mrs.MRSConfig(latent_dim=800, alpha=1.0, features=100, samples=125)
    near = mrs.simulate(cfg, seeds=12, seed=4)
    th = mrs.predict(cfg).loss
    assert abs(near.loss_mean - th) < _finite_size_tol(near, th, cfg)


def test_plateau_when_t_much_larger_than_n():
    # T ≫ N (and T > M): loss → σ_w² Δ₋₁(N, M)/(2M), eq. (170), times 1/(1 − N/T) at finite T.
    cfg = mrs.MRSConfig(latent_dim=1000, alpha=1.0, features=40, samples=4000)
    sim = mrs.simulate(cfg, seeds=8, seed=5)
    pred = mrs.predict(cfg)
    plateau = pred.plateau_in_samples / (1 - 40 / 4000)
    assert abs(sim.loss_mean - plateau) < _finite_size_tol(sim, plateau, cfg)


def test_collapse_when_features_exceed_latent_dim():
    m = 300
    # T < M < N: eq. (163) with Δ₋₁(T, M) and the factor 1/(1 − T/N) (MRS §4.1)
    cfg = mrs.MRSConfig(latent_dim=m, alpha=1.0, features=2 * m, samples=int(0.8 * m))
    sim = mrs.simulate(cfg, seeds=8, seed=6)
    th = mrs.predict(cfg).loss
    assert abs(sim.loss_mean - th) < _finite_size_tol(sim, th, cfg)
    # T > M, N > M, no noise: realisable, the ridgeless fit is exact (loss 0 up to round-off)
    above = mrs.simulate(
        mrs.MRSConfig(latent_dim=m, alpha=1.0, features=2 * m, samples=int(1.2 * m)),
        seeds=3,
        seed=7,
    )
    assert above.loss_mean < 1e-12 * power_law_spectrum(m, 1.0).sum() / (2 * m)
    assert mrs.predict(above.config).loss == 0.0


# --------------------------------------------------------------------------- noise term


@pytest.mark.parametrize(("m", "n", "t"), [(400, 50, 200), (100, 300, 260)])
def test_noise_term_equals_inverse_wishart_mean_when_t_exceeds_rank(m, n, t):
    # T > r = min(N, M): the noise coefficient is E tr[W⁻¹ Σ] for W ~ Wishart_r(T, Σ),
    # i.e. exactly r/(T − r − 1) (independent of the spectrum). (86) gives the limit r/(T − r).
    cfg = mrs.MRSConfig(latent_dim=m, alpha=1.0, features=n, samples=t, noise_var=1.0)
    sim = mrs.simulate(cfg, seeds=200, seed=8)
    r = min(n, m)
    assert _z(sim.noise_mean, sim.noise_sem, 0.5 * r / (t - r - 1)) < 4


@pytest.mark.parametrize(("n", "t", "alpha"), [(400, 100, 1.0), (400, 200, 1.0), (400, 60, 2.0)])
def test_noise_term_general_spectrum_form_matches_simulation(n, t, alpha):
    # The deterministic-equivalent noise coefficient (mrs_theory.noise_coefficient) in the
    # overparameterised crossover, where eq. (86) is 3–11 % low. Finite-size allowance as above.
    cfg = mrs.MRSConfig(latent_dim=2000, alpha=alpha, features=n, samples=t, noise_var=1.0)
    sim = mrs.simulate(cfg, seeds=6, seed=9)
    th = mrs.predict(cfg).noise_term
    assert abs(sim.noise_mean - th) < 4 * sim.noise_sem + (1 + alpha) / t * th


def test_general_noise_form_reduces_to_eq_86_in_scaling_regime():
    # When Δ₀(T, M) = α (1 << T << M), the general form is exactly (86): α + 1/(N/T − 1).
    lam = power_law_spectrum(400000, 1.0)
    for n, t in ((3000, 300), (1200, 600)):
        general = theory.noise_coefficient(n, t, lam, 1.0, form="spectrum")
        closed = theory.noise_coefficient(n, t, lam, 1.0, form="closed_form")
        # residual: Δ₀(T, M) − α ≈ 1/(M/T − 1) + O(1/T) finite-T terms (~1e-2 at T = 300)
        assert general == pytest.approx(closed, rel=0.01)


def test_noise_term_tends_to_alpha_over_two_for_small_t():
    # Tempered overfitting: L_ε → σ_ε² α/2 as T/r → 0 (MRS §2.1, eq. 86 first row).
    lam = power_law_spectrum(200000, 1.0)
    coef = theory.noise_coefficient(20000, 200, lam, 1.0)
    assert coef == pytest.approx(1.0, rel=0.02)  # α + T/(N − T) = 1.0101, finite-T ~ 1 %


# --------------------------------------------------------------------------- finite ridge


def _fixed_feature_theory(u, lam, t, gamma):
    """Finite-γ deterministic equivalent over the training data for one feature map u.

    Independent implementation of eqs. (82), (118), (62) in the effective-ridge form of the
    implementer's notes (§3.3): κ solves γ = κ (T − Σ ω/(ω+κ)) over the eigenvalues ω of
    Ω = u Λ uᵀ; label = T/(T − df₂) [tr Λ − Σ s (ω + 2κ)/(ω + κ)²], noise = df₂/(T − df₂).
    """
    omega, vec = np.linalg.eigh((u * lam) @ u.T)
    s = np.einsum("ji,jk,ki->i", vec, (u * lam**2) @ u.T, vec)
    kappa = brentq(
        lambda k: k * (t - np.sum(omega / (omega + k))) - gamma,
        1e-300,
        (gamma + omega.sum()) / t + 1.0,
        xtol=1e-300,
        rtol=1e-14,
    )
    df2 = np.sum(omega**2 / (omega + kappa) ** 2)
    label = t / (t - df2) * (lam.sum() - np.sum(s * (omega + 2 * kappa) / (omega + kappa) ** 2))
    return label, df2 / (t - df2)


@pytest.mark.parametrize("gamma", [1e-4, 1e-2, 1.0])
def test_finite_ridge_path_matches_fixed_feature_theory(gamma):
    # For one fixed u, average the exact loss over training sets and compare with the
    # deterministic equivalent (which the notes measure at 0.1–0.5 % for N = T = 500).
    m, n, t = 800, 150, 150
    lam = power_law_spectrum(m, 1.0)
    rng = np.random.default_rng(12)
    u, _ = sample_literal(n, 1, lam, 1.0, rng)
    labels, noises = [], []
    for _ in range(16):
        x = rng.standard_normal((m, t)) * np.sqrt(lam)[:, None]
        lab, noi = path_terms(latent_linear_stats(u, x, lam), [gamma])
        labels.append(lab[0])
        noises.append(noi[0])
    th_label, th_noise = _fixed_feature_theory(u, lam, t, gamma)
    for sims, th in ((labels, th_label), (noises, th_noise)):
        sem = np.std(sims, ddof=1) / np.sqrt(len(sims))
        # 4 sem + the O(1/N) finite-size allowance of the planar theory (2/150 here)
        assert abs(np.mean(sims) - th) < 4 * sem + 2 / n * th


def test_optimal_ridge_fit_172_and_171():
    # The paper's claims (§3.2.2): γ* loss is well described by (172); (171) overestimates
    # as N, T → M. (172) is a phenomenological fit: the notes measure 0.03–0.5 % at
    # N, T <= M/2 and M = 2000; we allow 2 %.
    for n, t in ((200, 200), (200, 1000)):
        cfg = mrs.MRSConfig(latent_dim=2000, alpha=1.0, features=n, samples=t)
        sim = mrs.simulate(cfg, seeds=3, seed=13, ridge="opt")
        assert sim.loss_mean == pytest.approx(mrs.predict(cfg, ridge="opt").loss, rel=0.02)
        assert all(g > 0 for g in sim.per_seed["ridge"])
    cfg = mrs.MRSConfig(latent_dim=600, alpha=1.0, features=300, samples=300)
    sim = mrs.simulate(cfg, seeds=3, seed=14, ridge="opt")
    fit171 = theory.optimal_ridge_fit(300, 300, 600, 1.0, 1.0, 1.0, include_latent=False)
    assert fit171 > 1.2 * sim.loss_mean


def test_optimal_ridge_never_worse_than_ridgeless():
    cfg = mrs.MRSConfig(latent_dim=300, alpha=1.0, features=60, samples=80, noise_var=1e-4)
    opt = mrs.simulate(cfg, seeds=5, seed=2, ridge="opt")
    zero = mrs.simulate(cfg, seeds=5, seed=2, ridge=0.0)
    assert np.all(np.array(opt.per_seed["loss"]) <= np.array(zero.per_seed["loss"]) * (1 + 1e-12))


def test_ridge_path_first_column_is_ridgeless_simulation():
    cfg = mrs.MRSConfig(latent_dim=200, alpha=1.0, features=30, samples=60, noise_var=0.01)
    path = mrs.simulate_ridge_path(cfg, [0.0, 0.1, 1.0], seeds=3, seed=5)
    sim = mrs.simulate(cfg, seeds=3, seed=5, ridge=0.0)
    np.testing.assert_allclose(path.loss[:, 0], sim.per_seed["loss"], rtol=1e-12)
    assert path.mean().shape == (3,)


# --------------------------------------------------------------------------- options


def test_density_spectrum_matches_theory_on_each_drawn_spectrum():
    cfg = mrs.MRSConfig(latent_dim=1000, alpha=1.0, features=100, samples=300, spectrum="density")
    sim = mrs.simulate(cfg, seeds=12, seed=1)
    ratio = np.array(sim.per_seed["loss"]) / np.array(sim.per_seed["theory"])
    sem = ratio.std(ddof=1) / np.sqrt(ratio.size)
    assert abs(ratio.mean() - 1) < 4 * sem + (1 + cfg.alpha) / 100


def test_sampled_test_set_option_agrees_with_exact_average():
    cfg = mrs.MRSConfig(latent_dim=300, alpha=1.0, features=40, samples=100)
    exact = mrs.simulate(cfg, seeds=10, seed=3)
    sampled = mrs.simulate(cfg, seeds=10, seed=3, test_samples=5000)
    assert sampled.test == "sampled:5000"
    # different draws of (u, x) and a finite test set: compare means within combined error
    # plus the test-set sampling error (~2/sqrt(5000) relative)
    assert abs(sampled.loss_mean - exact.loss_mean) < (
        4 * np.hypot(sampled.loss_sem, exact.loss_sem) + 0.03 * exact.loss_mean
    )


def test_relu_features_sampled_loss_matches_literal_fit():
    # ReLU features (eq. 174) have no closed-form test average: the library samples the test
    # set but averages the teacher exactly. Check against literally fitting C teachers.
    from scalinglab.core import ridge

    cfg = mrs.MRSConfig(
        latent_dim=80, alpha=1.0, features=50, samples=70, feature_map="relu", noise_var=0.01
    )
    rng = np.random.default_rng(3)
    lam = cfg.latent_spectrum()
    x_all = rng.standard_normal((80, 70 + 3000)) * np.sqrt(lam)[:, None]
    phi_all = mrs_model.relu_features(cfg, x_all, rng)
    phi, x, phi_t, x_t = phi_all[:, :70], x_all[:, :70], phi_all[:, 70:], x_all[:, 70:]
    lab, noi = ridge.path_terms(ridge.sampled_test_stats(phi, x, phi_t, x_t), [0.1])
    exact_teacher = lab[0] / (2 * 80) + 0.5 * 0.01 * noi[0]
    c = 3000
    w = rng.standard_normal((c, 80)) / np.sqrt(80)
    y = w @ x + rng.standard_normal((c, 70)) * 0.1
    theta = ridge.ridge_weights(phi, y, 0.1)
    per = 0.5 * np.mean((theta @ phi_t - w @ x_t) ** 2, axis=1)
    assert abs(per.mean() - exact_teacher) < 4 * per.std(ddof=1) / np.sqrt(c)
    sim = mrs.simulate(cfg, seeds=2, seed=0, ridge=0.1)
    assert sim.test.startswith("sampled") and sim.loss_mean > 0


def test_prediction_has_no_formula_for_finite_ridge_or_relu():
    cfg = mrs.MRSConfig(latent_dim=100, alpha=1.0, features=10, samples=20)
    pred = mrs.predict(cfg, ridge=0.5)
    assert pred.loss is None and "no closed-form" in pred.reason
    relu = mrs.MRSConfig(latent_dim=100, alpha=1.0, features=10, samples=20, feature_map="relu")
    assert mrs.predict(relu).loss is None


@pytest.mark.parametrize(
    ("m", "alpha", "n", "t", "noise"),
    [(400, 1.0, 80, 200, 0.0), (300, 2.33, 600, 900, 1e-8), (300, 1.0, 100, 600, 1e-5)],
)
def test_optimal_ridge_deterministic_equivalent_matches_oracle_simulation(m, alpha, n, t, noise):
    # The simulation picks γ* per draw (an oracle); the theory minimises the expected loss.
    # Both optima agree to first order (the loss is flat at its minimum), so the finite-size
    # allowance 4 sem + (1 + α)/min(N, T) applies; the ridges agree within 25 % (flat basin).
    cfg = mrs.MRSConfig(latent_dim=m, alpha=alpha, features=n, samples=t, noise_var=noise)
    de = mrs.predict(cfg, ridge="opt").deterministic_equivalent
    sim = mrs.simulate(cfg, seeds=30, seed=5, ridge="opt")
    assert abs(sim.loss_mean - de["loss"]) < _finite_size_tol(sim, de["loss"], cfg)
    assert de["ridge"] == pytest.approx(sim.ridge_opt_mean, rel=0.25)


def test_finite_ridge_prediction_carries_the_deterministic_equivalent():
    # Not an MRS formula, so outside "loss"; checked against simulation with the module's
    # finite-size allowance: 4 sem + (1 + α)/min(N, T) of the value.
    cfg = mrs.MRSConfig(latent_dim=400, alpha=1.0, features=80, samples=200, noise_var=1e-4)
    pred = mrs.predict(cfg, ridge=0.01)
    de = pred.deterministic_equivalent
    sim = mrs.simulate(cfg, seeds=40, seed=3, ridge=0.01)
    assert pred.loss is None
    assert abs(sim.loss_mean - de["loss"]) < _finite_size_tol(sim, de["loss"], cfg)
    assert abs(sim.noise_mean - de["noise_term"]) < 4 * sim.noise_sem + 2 / 80 * de["noise_term"]


# --------------------------------------------------------------------------- appendix A


def test_linear_model_power_law_219_and_230_match_simulation():
    # App. A: z = θ x on N-dim power-law data, teacher variance σ_w²/N. Simulated with the
    # identity feature map (u = I, M = N) and exact averages. The notes measure (219) within
    # 1.7 % and (230) within 3.2 % for T >= 100 at N = 1000.
    n, alpha, noise_var = 600, 1.0, 1e-6
    lam = power_law_spectrum(n, alpha)
    rng = np.random.default_rng(21)
    for t in (150, 300):
        losses = []
        for _ in range(6):
            x = rng.standard_normal((n, t)) * np.sqrt(lam)[:, None]
            lab, noi = path_terms(latent_linear_stats(np.eye(n), x, lam), [0.0])
            losses.append(lab[0] / (2 * n) + 0.5 * noise_var * noi[0])
        mean, sem = np.mean(losses), np.std(losses, ddof=1) / np.sqrt(6)
        th219 = theory.linear_model_loss(n, t, lam, noise_var=noise_var)
        th230 = theory.linear_model_loss_power_law(n, t, alpha, 1.0, 1.0, noise_var)
        assert abs(mean - th219) < 4 * sem + (1 + alpha) / t * th219
        assert abs(mean - th230) < 4 * sem + 0.035 * th230


def test_linear_model_isotropic_data_exact_values():
    # Λ = σ_x² I: projecting onto a random T-dim subspace keeps T/N of the signal, so the
    # label term is exactly σ_w² σ_x² (1 − T/N)/2 (eq. 227); the noise coefficient is the
    # inverse-Wishart mean T/(N − T − 1) (eq. 227 has its limit T/(N − T)).
    n, t, var = 120, 40, 2.0
    lam = np.full(n, var)
    rng = np.random.default_rng(8)
    labels, noises = [], []
    for _ in range(200):
        x = rng.standard_normal((n, t)) * np.sqrt(var)
        lab, noi = path_terms(latent_linear_stats(np.eye(n), x, lam), [0.0])
        labels.append(lab[0] / (2 * n))
        noises.append(noi[0])
    assert _z(np.mean(labels), np.std(labels, ddof=1) / np.sqrt(200), 0.5 * var * (1 - t / n)) < 4
    assert _z(np.mean(noises), np.std(noises, ddof=1) / np.sqrt(200), t / (n - t - 1)) < 4
    assert theory.linear_model_loss_marchenko_pastur(n, t, var, 1.0, 0.0) == pytest.approx(
        0.5 * var * (1 - t / n)
    )
