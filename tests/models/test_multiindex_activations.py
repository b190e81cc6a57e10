"""Centred activations and their Hermite expansions (models/multiindex/activations.py).

References are independent of the module's quadrature: closed forms (cos, |z|, ReLU, sign,
polynomials), scipy's adaptive ``quad`` split at the kink, and the identity Σ c_k² = E σ².
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from scalinglab._validation import InputError
from scalinglab.models.multiindex.activations import (
    ACTIVATION_NAMES,
    activation,
    gaussian_expectation,
    hermite_coefficients,
    hermite_mass,
    information_exponent,
    is_even,
    normalized_hermite,
)


def _quad_expect(f, split: bool) -> float:
    """E f(z) by scipy's adaptive quadrature, split at 0 for kinked integrands."""
    dens = lambda z: f(z) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
    if split:
        left = integrate.quad(dens, -np.inf, 0.0, epsabs=1e-14, epsrel=1e-13, limit=400)[0]
        right = integrate.quad(dens, 0.0, np.inf, epsabs=1e-14, epsrel=1e-13, limit=400)[0]
        return left + right
    return integrate.quad(dens, -np.inf, np.inf, epsabs=1e-14, epsrel=1e-13, limit=400)[0]


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_every_named_activation_is_centred_and_finite(name):
    act = activation(name)
    mean = float(gaussian_expectation(lambda z: act(z), act.kinks))
    # centred up to quadrature rounding (scale of σ is O(1) for every named activation)
    assert abs(mean) < 1e-12
    assert hermite_mass(name) > 0.1


def test_normalized_hermite_is_orthonormal():
    h = normalized_hermite(np.array([0.3]), 8)[:, 0]
    he = [
        np.polynomial.hermite_e.hermeval(0.3, np.eye(9)[k]) / math.sqrt(math.factorial(k))
        for k in range(9)
    ]
    np.testing.assert_allclose(h, he, rtol=1e-13)  # same polynomial, two evaluation routes
    gram = gaussian_expectation(
        lambda z: normalized_hermite(z, 10)[:, None] * normalized_hermite(z, 10)[None, :]
    )
    np.testing.assert_allclose(gram, np.eye(11), atol=1e-12)  # Gauss–Hermite is exact here


def test_cos_coefficients_closed_form():
    # E[cos z He_k] = Re(i^k) e^{-1/2}: c_{2m} = (−1)^m e^{−1/2}/√((2m)!), odd ones vanish
    c = hermite_coefficients("cos", 12)
    ref = np.zeros(13)
    for m in range(1, 7):
        ref[2 * m] = (-1) ** m * math.exp(-0.5) / math.sqrt(math.factorial(2 * m))
    np.testing.assert_allclose(c, ref, atol=1e-13)  # smooth entire σ: GH error ~1e-15


@pytest.mark.parametrize("name", ["abs", "relu", "sign", "tanh"])
def test_coefficients_match_scipy_quad(name):
    act = activation(name)
    c = hermite_coefficients(name, 9)
    for k in range(1, 10):
        hk = lambda z, k=k: float(act(np.array(z))) * normalized_hermite(z, k)[k]  # noqa: E731
        ref = _quad_expect(hk, split=bool(act.kinks))
        assert c[k] == pytest.approx(ref, abs=1e-10)  # quad's tolerance is 1e-13 absolute


def test_low_coefficients_closed_forms():
    # |z|: c_2 = E[|z|(z²−1)]/√2 = √(2/π)/√2 = 1/√π;  ReLU: c_1 = 1/2, c_2 = 1/(2√π)
    # sign: c_1 = √(2/π), c_3 = E[sign·He_3]/√6 = −√(2/π)/√6   (exact Gaussian moments)
    assert hermite_coefficients("abs", 2)[2] == pytest.approx(1 / math.sqrt(math.pi), abs=1e-13)
    c = hermite_coefficients("relu", 2)
    assert c[1] == pytest.approx(0.5, abs=1e-13)
    assert c[2] == pytest.approx(0.5 / math.sqrt(math.pi), abs=1e-13)
    c = hermite_coefficients("sign", 3)
    assert c[1] == pytest.approx(math.sqrt(2 / math.pi), abs=1e-13)
    assert c[3] == pytest.approx(-math.sqrt(2 / math.pi) / math.sqrt(6), abs=1e-13)
    # tanh: μ1 = E[z tanh z] = 0.605706 (multiindex_math.md Table B.3, 6 digits)
    assert hermite_coefficients("tanh", 1)[1] == pytest.approx(0.605706, abs=1e-6)


@pytest.mark.parametrize("name", ["cos", "tanh"])
def test_parseval_for_smooth_activations(name):
    # Σ_k c_k² → E σ²; the series tail after degree 60 is below 1e-9 for these analytic σ
    c = hermite_coefficients(name, 60)
    assert np.sum(c**2) == pytest.approx(hermite_mass(name), abs=1e-9)


def test_hermite_mass_closed_forms():
    # E(|z| − √(2/π))² = 1 − 2/π; E(cos z − e^{−1/2})² = (1 + e^{−2})/2 − e^{−1}
    assert hermite_mass("abs") == pytest.approx(1 - 2 / math.pi, rel=1e-12)
    assert hermite_mass("cos") == pytest.approx((1 + math.exp(-2)) / 2 - math.exp(-1), rel=1e-12)
    assert hermite_mass("quadratic") == pytest.approx(2.0, rel=1e-15)


def test_user_coefficients_are_centred_and_not_rescaled():
    act = activation([3.0, 0.0, 0.0, 0.0, 2.0])
    z = np.linspace(-2, 2, 7)
    np.testing.assert_allclose(act(z), 2 * (z**4 - 6 * z**2 + 3) / math.sqrt(24), rtol=1e-13)
    assert act.name == "hermite:0,0,0,0,2"
    assert activation("hermite:0, 0, 0, 0, 2").name == "hermite:0,0,0,0,2"
    np.testing.assert_array_equal(hermite_coefficients(act, 6), [0, 0, 0, 0, 2, 0, 0])


def test_information_exponent_and_parity():
    expected = {
        "he1": 1,
        "he2": 2,
        "he3": 3,
        "he4": 4,
        "he6": 6,
        "quadratic": 2,
        "abs": 2,
        "relu": 1,
        "tanh": 1,
        "cos": 2,
        "sign": 1,
        "linear": 1,
    }
    assert {n: information_exponent(n) for n in expected} == expected
    even = {n for n in expected if is_even(n)}
    assert even == {"he2", "he4", "he6", "quadratic", "abs", "cos"}
    # every named parity flag agrees with the numerical test
    for n in ACTIVATION_NAMES:
        assert is_even(n) == (activation(n).parity == 1)


def test_information_exponent_threshold_is_scale_aware():
    # a small but genuine c_1 counts; the same σ scaled by 1e6 keeps its exponent
    assert information_exponent([0, 1e-7, 0, 0, 1]) == 1
    assert information_exponent([0, 0, 0, 1e6, 1e6]) == 3
    assert information_exponent([0, 0, 0, 1e-6, 1e-6]) == 3


@pytest.mark.parametrize(
    "bad, match",
    [
        ("softplus", "must be one of"),
        ("he0", "must be one of"),
        ("he13", "must be one of"),
        ("hermite:1,x", "comma-separated floats"),
        ([1.0], "zero Hermite mass"),
        ([2.0, 0.0, 0.0], "zero Hermite mass"),
        ("hermite:5", "zero Hermite mass"),
        ([np.nan, 1.0], "finite floats"),
        ([], "finite floats"),
    ],
)
def test_bad_specs_raise_input_error(bad, match):
    with pytest.raises(InputError, match=match):
        activation(bad)


def test_bad_degree_raises():
    with pytest.raises(InputError, match="'degree' parameter"):
        hermite_coefficients("abs", -1)
