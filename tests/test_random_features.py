"""Nonlinear random features: closed-form kernels vs Monte Carlo and vs Hermite series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scalinglab._validation import InputError
from scalinglab.core import random_features as nl
from scalinglab.empirical import feature_spectra
from scalinglab.empirical.spectra import eigensystem

CLOSED_FORMS = ["linear", "relu", "step", "relu2", "erf", "pow1", "pow2", "pow3", "tanh"]


@pytest.fixture(scope="module")
def inputs() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.standard_normal((10, 6)) * np.linspace(0.4, 1.8, 6)


@pytest.mark.parametrize("act", CLOSED_FORMS)
def test_kernel_matches_wide_random_features(inputs, act):
    # (1/N) Σ_j σ(w_j·x)σ(w_j·x') is a mean of N iid terms: compare with the closed form in
    # units of its own standard error. 55 entries; |z| < 5 for all of them has probability
    # > 0.9999 under the null (Gaussian tails), while a wrong constant shifts z by ~N^{1/2}.
    n_feat = 60_000
    var = 1.3
    rng = np.random.default_rng(11)
    k = nl.kernel_matrix(inputs, act, weight_var=var)
    w = nl.draw_weights(inputs.shape[1], n_feat, act, rng, var)
    phi = nl.random_features(inputs, n_feat, act, rng, weights=w) * math.sqrt(n_feat)
    iu = np.triu_indices(inputs.shape[0])
    prod = phi[iu[0]] * phi[iu[1]]  # (pairs, N)
    mc = prod.mean(axis=1)
    se = prod.std(axis=1, ddof=1) / math.sqrt(n_feat)
    z = (mc - k[iu]) / se
    assert np.max(np.abs(z)) < 5.0


@pytest.mark.parametrize("act", ["erf", "pow2", "pow3", "linear"])
def test_closed_forms_match_the_hermite_series(inputs, act):
    # Independent reference: Mehler/Hermite expansion with Gauss–Hermite coefficients; exact
    # for polynomials (degree ≤ 3 < 60), and within its truncation bound for erf.
    k = nl.kernel_matrix(inputs, act, weight_var=0.8)
    hk = nl.hermite_kernel(inputs, nl.activation(act), 0.8, degree=60, nodes=200)
    assert np.max(np.abs(hk.kernel - k)) <= max(hk.max_error, 1e-12) * 1.01


def test_tanh_series_converges_within_its_bound(inputs):
    lo = nl.hermite_kernel(inputs, np.tanh, 1.0, degree=20)
    hi = nl.hermite_kernel(inputs, np.tanh, 1.0, degree=80)
    assert np.max(np.abs(lo.kernel - hi.kernel)) <= lo.max_error  # Cauchy–Schwarz bound
    assert hi.max_error < 1e-6


def test_relu_kernel_is_eq_179_with_the_fan_in():
    # MRS eq. (179) with σ_u²/(2π N_in) (mrs_math.md §1.4): checked on two explicit vectors.
    x = np.array([[3.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
    k = nl.kernel_matrix(x, "relu", weight_var=2.0)
    rho = 1.0 / math.sqrt(2.0)
    expected = 2.0 / (2 * math.pi * 4) * 3.0 * math.sqrt(2.0)
    expected *= rho * math.acos(-rho) + math.sqrt(1 - rho**2)
    assert k[0, 1] == pytest.approx(expected, rel=1e-14)
    assert k[0, 0] == pytest.approx(2.0 / 4 * 9.0 / 2.0, rel=1e-14)  # E[relu(u)²] = s²‖x‖²/2
    # homogeneity: the ReLU kernel scales with σ_u²
    np.testing.assert_allclose(nl.kernel_matrix(x, "relu", weight_var=1.0), k / 2.0, rtol=1e-14)


def test_cross_kernel_blocks_match_the_joint_kernel(inputs):
    a, b = inputs[:4], inputs[4:]
    full = nl.kernel_matrix(inputs, "erf")
    np.testing.assert_allclose(nl.kernel_matrix(a, "erf", x2=b), full[:4, 4:], rtol=1e-13)


def test_linear_map_adds_only_zeros_relu_extends_the_rank():
    # MRS §2.2 / Fig. 4: a linear map to N > N_in features keeps rank N_in; a ReLU map does not.
    rng = np.random.default_rng(5)
    x = rng.standard_normal((400, 12))
    lin = eigensystem(nl.random_features(x, 100, "linear", rng), center=False).eigenvalues
    relu = eigensystem(nl.random_features(x, 100, "relu", rng), center=False).eigenvalues
    assert lin.size == 12
    assert relu.size == 100


def test_power_law_inputs_have_the_projected_covariance():
    # x_in = u x with x ~ N(0, Λ) (MRS eq. 28): given u, rows are N(0, Ω), Ω = u Λ uᵀ. The
    # function draws u first from the generator, so the same seed reproduces it here.
    t, m, n_in = 20000, 400, 8
    x = feature_spectra.power_law_inputs(t, m, 1.0, n_in, np.random.default_rng(9))
    u = np.random.default_rng(9).standard_normal((n_in, m)) / math.sqrt(m)
    lam = np.arange(1, m + 1.0) ** -2.0
    omega = (u * lam) @ u.T
    sample = x.T @ x / t
    # Wishart: Var(S_ij) = (Ω_ii Ω_jj + Ω_ij²)/T; 5 standard errors over 36 entries.
    se = np.sqrt((np.outer(np.diag(omega), np.diag(omega)) + omega**2) / t)
    assert np.max(np.abs(sample - omega) / se) < 5.0


def test_kernel_spectra_vs_samples_shapes(inputs):
    x = np.random.default_rng(2).standard_normal((60, 5))
    spec = feature_spectra.kernel_spectra_vs_samples(x, "relu", [20, 60])
    assert spec[20].size <= 20 and spec[60].size <= 60
    assert np.all(np.diff(spec[60]) <= 0)


def test_bad_activation_and_inputs():
    with pytest.raises(InputError, match="unknown activation"):
        nl.parse_activation("swish")
    with pytest.raises(InputError, match="unknown activation"):
        nl.parse_activation("pow9")
    with pytest.raises(InputError, match="NaN"):
        nl.kernel_matrix(np.array([[1.0, np.nan]]), "relu")
    with pytest.raises(InputError, match="width"):
        nl.random_features(np.ones((3, 2)), 0, "relu", np.random.default_rng(0))
