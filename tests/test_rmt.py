"""Self-consistent equations (scalinglab.core.rmt) against independent references.

References: scipy's brentq on the original equation (164); the Marchenko–Pastur closed forms
(MRS eqs. 222, 226); the integral definition of k(α) (eq. 244) by quadrature; the published
table of k(α); the coincident-regime slope (238); and a finite-γ solve of eq. (231).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from scalinglab._types import Status
from scalinglab.core import rmt
from scalinglab.core.spectra import power_law_spectrum


def _delta_brentq(lam: np.ndarray, mu: float) -> float:
    """Root of 1 = Σ λ/(Δ + μλ) (eq. 164) by plain bracketing in Δ."""
    return brentq(
        lambda d: np.sum(lam / (d + mu * lam)) - 1.0,
        1e-300,
        2 * lam.sum(),
        xtol=1e-300,
        rtol=1e-15,
        maxiter=500,
    )


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_delta_minus1_matches_brentq(alpha):
    lam = power_law_spectrum(500, alpha)
    mus = np.array([0.3, 1.0, 7.5, 50.0, 249.0, 480.0, 499.0, 499.9])
    got = rmt.delta_minus1(lam, mus)
    ref = np.array([_delta_brentq(lam, m) for m in mus])
    # both solvers converge to ~1e-15 relative; 1e-10 leaves room for conditioning near mu -> M
    np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_delta_minus1_marchenko_pastur_closed_form():
    # Λ = σ² I_M: 1 = M σ²/(Δ + μσ²)  =>  Δ = (M − μ) σ²  (eq. 222 with N -> M)
    lam = np.full(300, 2.5)
    mus = np.array([1.0, 10.0, 150.0, 299.0])
    np.testing.assert_allclose(rmt.delta_minus1(lam, mus), (300 - mus) * 2.5, rtol=1e-12)


def test_delta_minus1_limits():
    lam = power_law_spectrum(200, 1.0)
    assert rmt.delta_minus1(lam, 0.0) == pytest.approx(lam.sum(), rel=1e-15)  # L(T -> 0)
    assert rmt.delta_minus1(lam, 200.0) == 0.0  # full rank: no pole (MRS §4.1)
    assert rmt.delta_minus1(lam, 5000.0) == 0.0


def test_coincident_slope_eq_238():
    # Near μ = M: Δ = μ(M − μ)/Σ λ⁻¹ + O((M − μ)²) (MRS eqs. 235–238).
    m = 1000
    lam = power_law_spectrum(m, 1.0)
    mu = m * (1 - 1e-5)
    expected = mu * (m - mu) / np.sum(1 / lam)
    # relative size of the next order term is O(1 - μ/M) = 1e-5
    assert rmt.delta_minus1(lam, mu) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(
    ("alpha", "k_table"),
    # MRS eq. (166); values as tabulated from the closed form, k(1) = π²/4
    [(0.4, 4.37595), (0.5, 3.76090), (1.0, 2.46740), (1.5, 2.00682), (2.0, 1.76805)],
)
def test_k_alpha_table_and_integral(alpha, k_table):
    k = rmt.k_alpha(alpha)
    assert k == pytest.approx(k_table, abs=6e-6)  # table rounded to 5 decimals
    integral, _ = quad(lambda s: 1.0 / (1.0 + s ** (1.0 + alpha)), 0, np.inf, limit=200)
    assert k == pytest.approx(integral ** (1.0 + alpha), rel=1e-8)  # eq. (244)


def test_k_alpha_one_is_pi_squared_over_four():
    assert rmt.k_alpha(1.0) == pytest.approx(np.pi**2 / 4, rel=1e-14)


def test_closed_form_165_in_large_m_regime():
    # (165) replaces the sum over I by an integral (eq. 243), an O(1/μ) error (measured
    # coefficient 0.7-1.5 for alpha in [0.5, 2]), and interpolates between the scaling and
    # coincident regimes (eq. 247), which costs <= 0.5 % for μ/M <= 0.1. Tolerance: 2/μ + 0.6 %.
    m = 20000
    for alpha in (0.5, 1.0, 2.0):
        lam = power_law_spectrum(m, alpha)
        mus = np.array([50.0, 200.0, 1000.0, 2000.0])
        exact = rmt.delta_minus1(lam, mus)
        closed = rmt.delta_minus1_closed_form(mus, m, alpha)
        assert np.all(np.abs(closed / exact - 1) <= 2.0 / mus + 0.006)


def test_closed_form_165_power_law_scaling():
    # Scaling regime: Δ₋₁ ≈ λ₊ k μ^-α (eq. 242) when 1 << μ << M.
    m, alpha = 200000, 1.0
    lam = power_law_spectrum(m, alpha)
    mu = 300.0
    # corrections: (μ/M)^α = 1.5e-3 relative, and O(1/μ) finite-μ effects (~0.5 % here)
    assert rmt.delta_minus1(lam, mu) == pytest.approx(rmt.k_alpha(alpha) * mu**-alpha, rel=0.01)


def test_delta_0_marchenko_pastur():
    # Λ = σ² I_N: Δ₀ = 1/(N/μ − 1) for μ < N and 1/(μ/N − 1) for μ > N (eq. 226).
    lam = np.full(400, 0.7)
    mus = np.array([10.0, 100.0, 399.0, 401.0, 1000.0])
    expected = np.where(mus < 400, 1 / (400 / mus - 1), 1 / (mus / 400 - 1))
    np.testing.assert_allclose(rmt.delta_0(lam, mus), expected, rtol=1e-9)


def _delta_finite_gamma(lam: np.ndarray, mu: float, gamma: float) -> float:
    """Eq. (231): Δ = Σ λ / (γ + μλ/(1 + Δ)), solved by brentq (independent of rmt)."""
    f = lambda d: d - np.sum(lam / (gamma + mu * lam / (1.0 + d)))  # noqa: E731
    hi = lam.sum() / gamma + 10
    return brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-15, maxiter=1000)


def test_delta_0_is_the_gamma0_term_of_eq_231():
    # (1 + γ∂γ)Δ(γ) → Δ₀ as γ → 0: compare d(γΔ)/dγ by central differences at small γ.
    lam = power_law_spectrum(300, 1.0)
    mu = 60.0
    d_m1 = rmt.delta_minus1(lam, mu)
    g = 1e-6 * d_m1
    h = 0.25 * g
    num = (
        (g + h) * _delta_finite_gamma(lam, mu, g + h)
        - (g - h) * _delta_finite_gamma(lam, mu, g - h)
    ) / (2 * h)
    # γΔ(γ) = Δ₋₁ + Δ₀γ + Δ₁γ² ...: the O(γ) error term Δ₁γ/Δ₀ ~ 1e-5 here
    assert rmt.delta_0(lam, mu) == pytest.approx(num, rel=1e-4)


def test_delta_0_scaling_value_alpha():
    # Eq. (257): Δ₀ → α in the scaling regime (1 << μ << M); coincident correction (258)
    # 1/(M/μ − 1) = 5e-4 and finite-μ corrections ~1 % at μ = 200.
    m = 400000
    for alpha in (0.5, 1.0, 2.0):
        lam = power_law_spectrum(m, alpha)
        assert rmt.delta_0(lam, 200.0) == pytest.approx(alpha, rel=0.02)


def test_effective_ridge_vectorised_and_converged():
    lam = power_law_spectrum(2000, 1.5)
    mus = np.geomspace(0.01, 1999.99, 200).reshape(20, 10)
    res = rmt.effective_ridge(lam, mus)
    assert res.status is Status.CONVERGED
    assert res.kappa.shape == (20, 10)
    df = (lam[:, None] / (lam[:, None] + res.kappa.ravel()[None, :])).sum(axis=0)
    np.testing.assert_allclose(df, mus.ravel(), rtol=1e-11)  # defining equation
    assert res.iterations < 30  # safeguarded Newton: a handful of steps, not bisection


def test_effective_ridge_rejects_bad_input():
    with pytest.raises(ValueError):
        rmt.effective_ridge(np.array([1.0, -1.0]), 0.5)
    with pytest.raises(ValueError):
        rmt.effective_ridge(np.array([1.0, 2.0]), np.nan)
