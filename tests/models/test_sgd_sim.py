"""Monte Carlo SGD / GD / gradient flow against the theory."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab.core.exponents import gradient_flow_exponents
from scalinglab.core.spectra import loglog_slope as fit_power_law
from scalinglab.models.sgd.model import SGDConfig, predict, simulate
from scalinglab.models.sgd.results import seed_streams
from scalinglab.models.sgd.theory import risk_spectral

# Batch >= 2 below: at B = 1 and a large step the single-run risk is heavy-tailed, so few-seed
# means are biased low and their standard errors unreliable.
# Largest |z| accepted over ~20–40 correlated time points: a single Gaussian exceeds 4.5 with
# probability 7e-6, so a Bonferroni bound over 40 points keeps false alarms below 3e-4.
Z_MAX = 4.5


def _per_seed_theory(cfg: SGDConfig, seeds: int, seed: int = 0) -> np.ndarray:
    out = []
    for k in range(seeds):
        _, prob = cfg.reduced_problem(seed_streams(seed, k)[0])
        spec = prob.mode_spectrum()
        out.append(
            risk_spectral(spec, cfg.step_size(), cfg.batch, cfg.record_steps(), cfg.schedule).risk
        )
    return np.array(out)


def _max_z(sim_risk: np.ndarray, theory: np.ndarray) -> float:
    diff = sim_risk - theory  # per seed: sketch variation cancels, only SGD noise remains
    sem = diff.std(axis=0, ddof=1) / np.sqrt(diff.shape[0])
    return float(np.max(np.abs(diff.mean(axis=0)) / sem))


@pytest.mark.parametrize("schedule", ["constant", "geometric"])
def test_recursion_matches_monte_carlo_sgd(schedule):
    cfg = SGDConfig(dim=200, features=60, alpha=1.5, beta=0.5, batch=2, steps=1000,
                    noise_var=0.02, schedule=schedule, record=20)  # fmt: skip
    sim = simulate(cfg, seeds=32)
    theory = _per_seed_theory(cfg, 32)
    assert _max_z(sim.risk, theory) < Z_MAX
    # the public predict averages the same sketches
    np.testing.assert_allclose(predict(cfg, seeds=32).risk, theory.mean(axis=0), rtol=1e-12)


def test_literal_data_space_sgd_matches_theory():
    """SGD on x ~ N(0,H) in d dimensions with features Sx: checks the reduction to K's basis
    (independent residual, approximation floor) as well as the recursion."""
    cfg = SGDConfig(dim=60, features=20, alpha=1.5, beta=0.6, batch=1, steps=400,
                    noise_var=0.05, record=15)  # fmt: skip
    sim = simulate(cfg, seeds=40, method="literal")
    assert _max_z(sim.risk, _per_seed_theory(cfg, 40)) < Z_MAX


def test_multipass_literal_matches_reduced():
    # No exact theory for multi-pass SGD: the two representations must agree in distribution.
    cfg = SGDConfig(dim=50, features=25, alpha=1.5, beta=0.5, batch=2, steps=400, data=40,
                    noise_var=0.05, record=12)  # fmt: skip
    lit = simulate(cfg, seeds=40, method="literal", seed=1)
    red = simulate(cfg, seeds=40, seed=2)
    z = np.abs(lit.risk_mean - red.risk_mean) / np.hypot(lit.risk_sem, red.risk_sem)
    assert np.max(z) < Z_MAX


@pytest.mark.parametrize("data", [None, 120])
def test_gradient_flow_closed_form_is_the_small_step_limit_of_gd(data):
    """GD with step η after t/η steps approaches the closed-form flow (note eqs. 9, 14) with
    error O(η): halving η halves the error."""
    base = dict(dim=120, features=60, alpha=1.5, beta=0.5, data=data, noise_var=0.05, record=12)
    errors = []
    for eta, steps in [(0.2, 500), (0.1, 1000)]:
        gd = simulate(SGDConfig(optimizer="gd", lr=eta, steps=steps, **base), seeds=3)
        flow = simulate(SGDConfig(optimizer="flow", lr=eta, steps=steps, **base), seeds=3)
        errors.append(np.max(np.abs(gd.risk - flow.risk) / flow.risk))
    assert errors[1] < 0.05  # already within 5% at η = 0.1 (λ₁ = 1)
    assert errors[0] / errors[1] == pytest.approx(2.0, rel=0.2)  # first-order convergence


def test_population_gd_simulation_equals_closed_form():
    cfg = SGDConfig(dim=100, features=40, alpha=1.5, beta=0.5, optimizer="gd", steps=300, record=10)
    sim = simulate(cfg, seeds=3)
    np.testing.assert_allclose(sim.risk_mean, predict(cfg, seeds=3).risk, rtol=1e-10)


def test_finite_data_flow_deterministic_equivalent():
    """Gradient flow on P = 150 samples: simulation (closed form per dataset) vs the
    two-point deterministic equivalent, conditional on the same sketches."""
    cfg = SGDConfig(dim=300, features=100, alpha=1.5, beta=0.6, optimizer="flow", steps=3000,
                    data=150, noise_var=0.05, record=12)  # fmt: skip
    sim = simulate(cfg, seeds=24)
    pred = predict(cfg, seeds=24)
    # 4 standard errors of the simulation + 3% for the O(1/P) finite-size bias of the DE
    assert np.all(np.abs(sim.risk_mean - pred.risk) <= 4 * sim.risk_sem + 0.03 * pred.risk)


def test_simulated_sgd_exponent_in_time():
    """Unsketched one-pass SGD in phase Ia: the simulated risk decays as t^-β (note eq. 6).

    Window: steps 20..2000 (after the first modes, well before the finite-d floor at
    t ~ d^α/η ≈ 2e5). Tolerance 0.05 on the slope: over this window the exact theory curve's
    own slope is within 0.03 of β (discreteness, prefactor corrections) and 8 seeds add ±0.01.
    Batch 4 keeps the heavy tail of the single-run risk (multiplicative SGD noise) small.
    """
    a, b = 1.5, 0.5
    cfg = SGDConfig(dim=2000, features=2000, sketch="none", alpha=a, beta=b, steps=2000,
                    record=25, batch=4)  # fmt: skip
    sim = simulate(cfg, seeds=8)
    win = sim.steps >= 20
    measured = -fit_power_law(sim.steps[win], sim.risk_mean[win])
    assert measured == pytest.approx(gradient_flow_exponents(a, b)["loss_vs_time"], abs=0.05)
