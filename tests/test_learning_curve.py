"""Learning curves predicted from measured spectra vs actual random-feature regression."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab._validation import InputError
from scalinglab.core.rf_theory import rf_ridge_risk
from scalinglab.core.spectra import fit_power_law
from scalinglab.empirical.datasets import load_digits
from scalinglab.empirical.learning_curve import MeasuredSpectrum, learning_curve, parse_features
from scalinglab.empirical.spectra import tail_sums


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_linear_ridge_on_digits_is_predicted_within_10_percent(digits):
    # Ridge on the 61 pixels: the spectrum is complete (n = 1797 >> d = 61), the label power
    # outside the pixels' span acts as noise. Measured ratios 0.94-1.02 (2 seeds x 449 test
    # images); band ±10 %.
    lc = learning_curve(
        digits.x, digits.y, features="none", samples=[15, 30, 60, 120, 300, 900], seeds=2
    )
    assert lc.theory_spectrum.extrapolated_from is None
    assert np.all((lc.ratio > 0.9) & (lc.ratio < 1.1))


def test_relu_features_on_digits_within_the_stated_band(digits):
    # ReLU random features (N = 256) with the optimal ridge, predicted from the ReLU-kernel
    # spectrum with its power-law tail. For N = 256 and T <= 350 the observed ratio
    # predicted/measured is 0.88-1.0 (up to ~12 % optimistic); wider layers and larger T are
    # worse (down to 0.64 at N = 4096, T = 1348, docs/spectra.md) and are not asserted here.
    # Band [0.8, 1.1] for this setting.
    lc = learning_curve(
        digits.x, digits.y, features="relu:256", samples=[20, 40, 80, 160, 320], seeds=2
    )
    assert lc.theory_spectrum.extrapolated_from is not None
    assert np.all((lc.ratio > 0.8) & (lc.ratio < 1.1))
    assert np.all(np.diff(lc.measured[0]) < 0)  # more data helps (optimal ridge)
    assert lc.measured[0, 0] < lc.null_error


def test_extrapolated_tail_reproduces_a_long_exact_spectrum():
    # An exact power law measured on n = 400 "samples" (400 modes) is continued by the fitted
    # laws to 100 n modes in 200 groups per decade; the risk must match that of the exact
    # 40000-mode spectrum (coarse-graining error ~1e-4; the last mode's power is kept exact).
    n, a, s = 400, 1.6, 0.7
    big = 100 * n
    k = np.arange(1, big + 1.0)
    eta = k**-a
    power = (k - 0.5) ** -s - (k + 0.5) ** -s
    head_power = power[:n].copy()
    head_power[-1] += power[n:].sum()  # a sample-limited spectrum holds all power in n modes
    tail = tail_sums(head_power)
    meas = MeasuredSpectrum(
        eigenvalues=eta[:n],
        label_power=head_power,
        residual_power=0.0,
        kind="relu",
        weight_var=2.0,
        n_samples=n,
        rank_limited=True,
        capacity_fit=fit_power_law(eta[:n]),
        tail_fit=fit_power_law(tail, tail_sum=True),
    )
    th = meas.for_theory()
    assert th.extrapolated_from is not None
    t_grid = np.array([10, 50, 200, 400])
    ours = rf_ridge_risk(
        th.eigenvalues,
        th.target_power,
        t_grid,
        300,
        1e-3,
        noise_var=th.noise_var,
        multiplicity=th.multiplicity,
    ).test_error
    exact = rf_ridge_risk(eta, power, t_grid, 300, 1e-3, noise_var=power[big:].sum()).test_error
    np.testing.assert_allclose(ours, exact, rtol=5e-3)  # fit exponents from 400 points: ~0.3 %
    # without the tail the theory is badly optimistic at T ~ n
    raw = rf_ridge_risk(eta[:n], head_power, 400, 300, 1e-3).test_error
    assert raw < 0.8 * exact[-1]


def test_parse_features():
    assert parse_features("none") == ("none", [])
    assert parse_features("relu:256,1024") == ("relu", [256, 1024])
    assert parse_features("linear:32") == ("linear", [32])
    for bad, match in [
        ("relu", "give the width"),
        ("relu:abc", "not an integer"),
        ("relu:0", ">= 1"),
        ("gelu:10", "unknown activation"),
    ]:
        with pytest.raises(InputError, match=match):
            parse_features(bad)


def test_learning_curve_input_errors(digits):
    with pytest.raises(InputError, match="training sizes"):
        learning_curve(digits.x, digits.y, features="none", samples=[5000])
    with pytest.raises(InputError, match="ridge"):
        learning_curve(digits.x, digits.y, features="none", ridge="best")
    with pytest.raises(InputError, match="n rows"):
        learning_curve(digits.x, digits.y[:10], features="none")
