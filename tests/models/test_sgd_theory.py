"""Exact SGD risk: the three solvers against each other, the secular roots against eigh, and the
deterministic equivalent against the exact per-sketch theory."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab.models.sgd.deterministic import approximation_error, deterministic_modes
from scalinglab.models.sgd.model import SGDConfig, predict
from scalinglab.models.sgd.problem import data_spectrum, draw_sketch, reduce_sketch, target_weights
from scalinglab.models.sgd.theory import (
    ModeSpectrum,
    risk_recursion,
    risk_spectral,
    secular_roots,
    solve_volterra_fft,
    stability_margin,
    volterra_kernels,
)


def _power_spectrum(n: int, a: float, b: float, noise: float = 0.01) -> ModeSpectrum:
    k = np.arange(1, n + 1.0)
    lam = k**-a
    return ModeSpectrum(lam, np.ones(n), k ** (-1 - a * b) / lam, noise)


RECORD = np.concatenate(([0], np.unique(np.round(np.logspace(0, 4, 25)).astype(int))))


@pytest.mark.parametrize(
    "n,a,b,lr,batch",
    [(300, 1.5, 0.5, 0.5, 2), (400, 3.0, 0.3, 0.45, 1), (200, 1.1, 1.5, 0.2, 8)],
)
def test_spectral_solution_equals_recursion(n, a, b, lr, batch):
    spec = _power_spectrum(n, a, b)
    assert stability_margin(spec, lr, batch) > 0
    ref = risk_recursion(spec, lr, batch, RECORD)
    fast = risk_spectral(spec, lr, batch, RECORD)
    assert fast.status.value == "converged"
    # Same quantity computed two ways; differences are floating-point rounding only.
    np.testing.assert_allclose(fast.risk, ref, rtol=1e-10)


def test_geometric_schedule_spectral_equals_recursion():
    spec = _power_spectrum(300, 2.0, 0.6)
    ref = risk_recursion(spec, 0.4, 2, RECORD, "geometric")
    fast = risk_spectral(spec, 0.4, 2, RECORD, "geometric")
    np.testing.assert_allclose(fast.risk, ref, rtol=1e-10)  # rounding only


def test_volterra_fft_equals_recursion():
    spec = _power_spectrum(250, 1.5, 0.5, noise=0.05)
    steps = 2**13
    forcing, kernel = volterra_kernels(spec, 0.3, 1, steps)
    q = solve_volterra_fft(forcing, kernel)
    rec = RECORD[RECORD < steps]
    ref = risk_recursion(spec, 0.3, 1, rec)
    # FFT convolution rounding is ~1e-16 × (kernel mass × length); 1e-9 is generous
    np.testing.assert_allclose(0.5 * q[rec], ref, rtol=1e-9)


def test_secular_roots_match_dense_eigenvalues():
    rng = np.random.default_rng(0)
    n = 150
    rho = np.sort(rng.uniform(1e-6, 1.0, n) ** 3)
    w = rng.uniform(0.0, 1.0, n) * 1e-3 * rho
    sol = secular_roots(rho, w)
    nu = np.sort(sol.roots(rho))
    dense = np.linalg.eigvalsh(np.diag(rho) - np.sqrt(np.outer(w, w)))
    # eigvalsh is accurate to ~eps·‖A‖ in absolute terms
    np.testing.assert_allclose(nu, dense, rtol=0, atol=1e-13)
    # and the secular solution interlaces: ν_0 < ρ_0 < ν_1 < ρ_1 ...
    assert np.all(nu[1:] > rho[:-1]) and np.all(nu < rho)


def test_unstable_step_is_reported():
    spec = _power_spectrum(100, 1.5, 0.5)
    assert stability_margin(spec, 1.0, 1) == -np.inf  # ηλ₁ = 1 ≥ 2B/(B+1)
    with pytest.raises(FloatingPointError):
        risk_spectral(spec, 1.0, 1, RECORD)


def test_sketch_reduction_matches_data_space_risk():
    # v = v* in the eigenbasis must give exactly the approximation floor in data space.
    rng = np.random.default_rng(2)
    d, m = 60, 20
    lam, w = data_spectrum(d, 1.5), target_weights(d, 1.5, 0.5)
    s = draw_sketch(m, d, rng)
    prob = reduce_sketch(s, lam, w, 0.0, keep_basis=True)
    vstar = prob.basis @ prob.vstar
    err = s.T @ vstar - w
    np.testing.assert_allclose(np.sum(lam * err**2), prob.approx, rtol=1e-10)
    # and v* is the least-squares optimum: the gradient S H (Sᵀv* − w*) vanishes
    np.testing.assert_allclose(s @ (lam * err), 0.0, atol=1e-12)


def test_deterministic_approximation_error_scaling():
    # σ_r² ∝ m^{-α min(β,1)}: the note's eq. (10) for β < 1, saturating at m^{-α} for β > 1
    # (Paquette et al. 2024, F₀). Local slope between m = 2000 and 8000 at d = 50 m.
    for a, b in [(1.5, 0.5), (1.5, 2.0)]:
        vals = []
        for m in (2000, 8000):
            d = 50 * m
            lam = data_spectrum(d, a)
            vals.append(approximation_error(lam, lam * target_weights(d, a, b) ** 2, m))
        slope = -np.log(vals[1] / vals[0]) / np.log(4.0)
        # finite-m corrections to the power law are O(m^{-min(β,1)α ...}); 0.05 covers them
        assert slope == pytest.approx(a * min(b, 1.0), abs=0.05)


def test_deterministic_equivalent_matches_exact_at_large_d():
    """DE vs the exact recursion averaged over sketches (d = 1600, m = 400)."""
    cfg = SGDConfig(dim=1600, features=400, alpha=1.5, beta=0.5, steps=20000, record=15)
    de = predict(cfg, theory="deterministic")
    per = np.array([predict(cfg, seeds=1, seed=s).risk for s in range(4)])
    mean, sem = per.mean(axis=0), per.std(axis=0, ddof=1) / 2.0
    # 3 standard errors of the 4-sketch mean, plus 2% for the O(1/√m) bias of the DE at m=400
    assert np.all(np.abs(de.risk - mean) <= 3 * sem + 0.02 * mean)


def test_deterministic_modes_mass():
    d, m = 1500, 300
    lam = data_spectrum(d, 1.3)
    modes = deterministic_modes(lam, lam * target_weights(d, 1.3, 0.7) ** 2, m, 0.0)
    # quadrature of the DE density on the log grid: raw mass within 1e-3 of m before rescaling
    assert abs(modes.mass_error) < 1e-3
    assert abs(modes.weight_error) < 2e-2
    assert modes.spectrum.counts.sum() == pytest.approx(m)
