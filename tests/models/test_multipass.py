"""Multi-pass SGD on a fixed data set: exact sampling expectation, Monte Carlo, epochs."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab import InputError
from scalinglab.models.sgd.finite_gd import draw_data, exact_gd_risk
from scalinglab.models.sgd.model import SGDConfig, predict, simulate
from scalinglab.models.sgd.multipass import expected_multipass_risk, multipass_paths
from scalinglab.models.sgd.problem import data_spectrum, target_weights
from scalinglab.models.sgd.results import seed_streams
from scalinglab.models.sgd.theory import risk_spectral

# Multiple-testing rule: the largest |z| over the <= 15 recorded (correlated) steps of one
# comparison; a Gaussian exceeds 4.5 with probability 7e-6, so a Bonferroni bound keeps the
# false-alarm rate of a comparison below 1e-4.
Z_MAX = 4.5


def _data(p=40, d=30, noise=0.05, seed=1):
    eigs, vstar = data_spectrum(d, 1.5), target_weights(d, 1.5, 0.5)
    z, y = draw_data(eigs, vstar, noise, p, np.random.default_rng(seed),
                     np.random.default_rng(seed + 1))  # fmt: skip
    return eigs, vstar, noise, z, y


@pytest.mark.parametrize("sampling", ["replacement", "without"])
def test_exact_expectation_matches_monte_carlo_on_one_data_set(sampling):
    eigs, vstar, noise, z, y = _data()
    record = np.unique(np.round(np.logspace(0, np.log10(300), 12)).astype(int))
    phases = [(0, 300, 0.4)]
    exact = expected_multipass_risk(eigs, vstar, noise, z, y, batch=2, phases=phases,
                                    record=record, sampling=sampling)  # fmt: skip
    mc = multipass_paths(eigs, vstar, noise, z, y, batch=2, phases=phases, record=record,
                         sampling=sampling, runs=800, rng=np.random.default_rng(7))  # fmt: skip
    zscore = (mc.mean(axis=0) - exact) / (mc.std(axis=0, ddof=1) / np.sqrt(mc.shape[0]))
    assert np.max(np.abs(zscore)) < Z_MAX, zscore


def test_full_batch_without_replacement_is_gradient_descent():
    eigs, vstar, noise, z, y = _data(p=12)
    steps = np.array([1, 5, 50])
    exact = expected_multipass_risk(eigs, vstar, noise, z, y, batch=12, phases=[(0, 50, 0.3)],
                                    record=steps, sampling="without")  # fmt: skip
    # f = (P - B)/(B (P - 1)) = 0: no sampling noise, exactly GD (independent closed form)
    np.testing.assert_allclose(exact, exact_gd_risk(eigs, vstar, noise, z, y, 0.3, steps),
                               rtol=1e-10)  # fmt: skip


def test_first_epoch_is_one_pass_sgd():
    # reshuffled epochs: the first P/B steps see every sample once = fresh data each step
    cfg = SGDConfig(dim=100, features=40, alpha=1.5, beta=0.5, batch=2, data=200, steps=100,
                    noise_var=0.05, record=10, sampling="epochs")  # fmt: skip
    sim = simulate(cfg, seeds=64, seed=4)
    fresh = SGDConfig(**{**cfg.to_dict(), "data": None, "sampling": "replacement"})
    theory = []
    for k in range(64):  # exact one-pass theory of each seed's own sketch
        spec = fresh.reduced_problem(seed_streams(4, k)[0])[1].mode_spectrum()
        theory.append(risk_spectral(spec, fresh.step_size(), 2, fresh.record_steps()).risk)
    diff = sim.risk - np.array(theory)  # paired: the sketch spread cancels
    zscore = diff.mean(axis=0) / (diff.std(axis=0, ddof=1) / np.sqrt(64))
    assert np.max(np.abs(zscore)) < Z_MAX, zscore


def test_predict_exact_matches_simulation_per_data_set():
    cfg = SGDConfig(dim=60, features=25, alpha=1.5, beta=0.5, batch=2, data=30, steps=300,
                    noise_var=0.05, record=10)  # fmt: skip
    sim = simulate(cfg, seeds=24, seed=2)
    pred = predict(cfg, theory="exact", seeds=24, seed=2)
    assert pred.theory == "multipass-exact" and pred.risk_sem.shape == pred.risk.shape
    # same sketches and data sets: the paired difference only carries the sampling noise
    zscore = (sim.risk_mean - pred.risk) / sim.risk_sem
    assert np.max(np.abs(zscore)) < Z_MAX, zscore


@pytest.mark.slow
def test_reuse_is_as_good_as_fresh_data_early_and_worse_late():
    # noiseless, unsketched: Lin et al.'s bias term depends on the steps only until the data
    # floor P^-(alpha beta) ~ L^-beta, i.e. L ~ P^alpha (= 64 steps at P = 16)
    cfg = SGDConfig(dim=64, features=64, sketch="none", alpha=1.5, beta=0.5, batch=1, data=16,
                    steps=2000, record=12)  # fmt: skip
    multi = predict(cfg, theory="exact", seeds=8)
    one = predict(SGDConfig(**{**cfg.to_dict(), "data": None}), theory="exact", seeds=1)
    ratio = multi.risk / one.risk
    early = multi.steps <= 16  # within the first epoch on average
    late = multi.steps >= 30 * 64
    # early: reuse costs < 10 % (5 SEM over 8 data sets is ~ 8 %); late: > 50 % worse
    assert np.all(np.abs(ratio[early] - 1) < 0.1), ratio
    assert np.all(ratio[late] > 1.5), ratio


def test_sampling_validation():
    with pytest.raises(InputError, match="sampling"):
        SGDConfig(dim=10, features=5, alpha=1.5, beta=0.5, sampling="epochs")
    with pytest.raises(InputError, match="sampling"):
        SGDConfig(dim=10, features=5, alpha=1.5, beta=0.5, data=8, sampling="bogus")
    cfg = SGDConfig(dim=10, features=5, alpha=1.5, beta=0.5, data=8, sampling="epochs")
    with pytest.raises(InputError, match="no exact expectation"):
        predict(cfg, theory="exact")


@pytest.mark.parametrize("sampling", ["replacement", "without"])
def test_sample_space_recursion_equals_feature_space(sampling):
    # P = 25 < r = 60: the data are interpolated, so both exact recursions apply
    eigs, vstar, noise, z, y = _data(p=25, d=60)
    record = np.array([1, 7, 60, 250])
    kw = dict(batch=3, phases=[(0, 250, 0.3)], record=record, sampling=sampling)
    feat = expected_multipass_risk(eigs, vstar, noise, z, y, space="features", **kw)
    samp = expected_multipass_risk(eigs, vstar, noise, z, y, space="samples", **kw)
    np.testing.assert_allclose(samp, feat, rtol=1e-9)  # two exact routes, rounding only


def test_sample_space_recursion_stays_exact_over_long_runs():
    # Regression: without re-symmetrising M, antisymmetric rounding errors in the sample-space
    # recursion grew by 1 + (η/B)²c₂‖G‖² per step and the risk reached -1e36 after 2000 steps
    # (P = 25, r = 50, B = 4, η = 0.4). Both exact routes must still agree at 3000 steps.
    eigs, vstar, noise, z, y = _data(p=25, d=50)
    record = np.array([10, 1000, 3000])
    kw = dict(batch=4, phases=[(0, 3000, 0.4)], record=record, sampling="replacement")
    feat = expected_multipass_risk(eigs, vstar, noise, z, y, space="features", **kw)
    samp = expected_multipass_risk(eigs, vstar, noise, z, y, space="samples", **kw)
    np.testing.assert_allclose(samp, feat, rtol=1e-8)
