"""Feature-learning model: lazy limit, exact reduction, χ exponents, compute frontier."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab import InputError
from scalinglab.models.feature_learning import FLConfig, predict, simulate
from scalinglab.models.feature_learning.dynamics import network_gd, rich_flow
from scalinglab.models.feature_learning.frontier import (
    candidate_laws,
    chi,
    power_law_atoms,
    rich_frontier,
    time_exponent,
)
from scalinglab.models.sgd.results import seed_streams
from scalinglab.models.sgd.theory import risk_flow, risk_gd


def test_gamma_zero_network_is_the_lazy_model():
    cfg = FLConfig(dim=80, features=30, alpha=1.5, beta=0.5, gamma=0.0, time=40.0, record=6)
    lr = cfg.default_lr()
    sim = simulate(cfg, seeds=3, seed=2, lr=lr)
    pred = predict(cfg, theory="exact", seeds=3, seed=2)
    lazy_gd, lazy_flow = [], []
    for k in range(3):
        spec = cfg.problem(seed_streams(2, k)[0]).mode_spectrum()
        steps = np.maximum(1, np.round(cfg.record_times() / lr)).astype(int)
        lazy_gd.append(risk_gd(spec, lr, steps))
        lazy_flow.append(risk_flow(spec, cfg.record_times()))
    # the existing lazy theory (sgd.theory) on the same sketches: equal up to rounding
    np.testing.assert_allclose(sim.loss, np.mean(lazy_gd, axis=0), rtol=1e-12)
    np.testing.assert_allclose(pred.loss, np.mean(lazy_flow, axis=0), rtol=1e-13)


def test_reduced_flow_is_the_small_step_limit_of_network_gd():
    cfg = FLConfig(dim=40, features=40, alpha=1.5, beta=0.4, gamma=2.0, sketch="none")
    prob = cfg.problem(np.random.default_rng(0))
    t = np.array([3.0, 30.0])
    flow, _, _ = rich_flow(prob.eigs, prob.vstar**2, 0.0, 2.0, t, method="bdf")
    errs = []
    for lr in (0.02, 0.01):
        net = network_gd(prob.eigs, prob.vstar, 0.0, 2.0, lr, np.round(t / lr).astype(int))
        errs.append(np.max(np.abs(net / flow - 1)))
    # GD on (w, B) -> the reduced flow at first order in the step (error halves, +-15 %)
    assert errs[0] < 0.02 and 1.7 < errs[0] / errs[1] < 2.3, errs


def test_exponential_integrator_matches_stiff_solver():
    lam, c = power_law_atoms(1.5, 0.5, exact_modes=100, max_index=1e5, per_decade=30)
    t = np.logspace(-1, 3, 7)
    bdf, st, _ = rich_flow(lam, c, 0.01, 3.0, t, method="bdf")
    fast, _, _ = rich_flow(lam, c, 0.01, 3.0, t, log_step=0.005)
    assert str(st) == "converged"
    # second-order midpoint at log_step 0.005: ~2e-4 measured, 1e-3 allowed
    np.testing.assert_allclose(fast, bdf, rtol=1e-3)


@pytest.mark.parametrize(("beta", "expected"), [(0.5, chi(0.5)), (0.3, chi(0.3)), (1.5, 1.5)])
def test_rich_time_exponent(beta, expected):
    # infinite width and dimension (binned tail to index 1e9), gamma = 4, t in [1e2, 1e4]
    out = time_exponent(1.5, beta, 4.0, (1e2, 1e4), points=7)
    assert abs(out["exponent"] - expected) < 0.05, out["exponent"]
    # finite-time drift across the window, measured 0.000-0.008 here
    assert abs(out["first_half"] - out["second_half"]) < 0.02
    if beta < 1:  # clearly away from the lazy exponent
        assert out["exponent"] - beta > 0.1


def test_deterministic_prediction_tracks_exact_average():
    cfg = FLConfig(dim=400, features=100, alpha=1.5, beta=0.5, gamma=1.0, time=300.0, record=6)
    ex = predict(cfg, theory="exact", seeds=8)
    de = predict(cfg, theory="deterministic")
    # sketch deterministic equivalent at m = 100: 5 % covers its O(1/sqrt m) spread
    np.testing.assert_allclose(de.loss, ex.loss, rtol=0.05)


def test_candidate_laws_and_config_validation():
    laws = candidate_laws(1.5, 0.5)
    # closed forms quoted in the issue: 0.353 vs 0.400
    assert round(laws["width_unchanged"]["loss_vs_compute"], 3) == 0.353
    assert round(laws["beta_to_chi"]["loss_vs_compute"], 3) == 0.4
    with pytest.raises(InputError, match="gamma"):
        FLConfig(dim=10, features=5, alpha=1.5, beta=0.5, gamma=-1.0)
    with pytest.raises(InputError, match="features"):
        FLConfig(dim=10, features=5, alpha=1.5, beta=0.5, sketch="none")


@pytest.mark.slow
def test_rich_frontier_follows_the_width_unchanged_law():
    res = rich_frontier(1.5, 0.5, 4.0, features=np.logspace(np.log10(32), np.log10(2048), 7),
                        max_time=3e4, time_points=40)  # fmt: skip
    want = res.predicted["width_unchanged"]
    # measured 0.35 / 0.48 (see docs/dynamics.md); 0.02 covers the envelope discretisation
    assert abs(res.fitted["loss_vs_compute"] - want["loss_vs_compute"]) < 0.02
    assert abs(res.fitted["features_vs_compute"] - want["features_vs_compute"]) < 0.04
    # and rejects beta -> chi in both terms (0.400)
    assert res.predicted["beta_to_chi"]["loss_vs_compute"] - res.fitted["loss_vs_compute"] > 0.03


def test_width_floor_is_the_lazy_one():
    # u lives in the N sketched features, so t -> infinity gives the lazy floor 1/2 sigma_r^2
    # for any gamma (note §3 changes the time term only)
    cfg = FLConfig(dim=300, features=40, alpha=1.5, beta=0.5, gamma=4.0, time=1e6, record=3)
    prob = cfg.problem(seed_streams(0, 0)[0])
    rich, _, _ = rich_flow(prob.eigs, prob.vstar**2, prob.irreducible, 4.0, np.array([1e7]))
    lazy, _, _ = rich_flow(prob.eigs, prob.vstar**2, prob.irreducible, 0.0, np.array([1e7]))
    # at t = 1e7 every sketched mode (smallest eigenvalue 3.4e-3 here) is fully learned
    np.testing.assert_allclose(rich, 0.5 * prob.irreducible, rtol=1e-6)
    np.testing.assert_allclose(lazy, 0.5 * prob.irreducible, rtol=1e-6)
