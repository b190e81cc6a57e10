"""The package's one effective-ridge solver against independent references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from scalinglab._types import Status
from scalinglab.core.effective_ridge import effective_ridge, require_converged


def _brentq_kappa(lam: np.ndarray, w: np.ndarray, mu: float) -> float:
    f = lambda s: np.sum(w * lam / (lam + np.exp(s))) - mu  # noqa: E731
    return float(np.exp(brentq(f, -80.0, 80.0, xtol=1e-14, rtol=1e-15)))


def test_weights_equal_repeated_eigenvalues():
    # Multiplicities are the same as listing an eigenvalue that many times.
    lam = np.array([3.0, 1.0, 0.2, 0.01])
    w = np.array([2, 1, 5, 3])
    mus = np.array([0.5, 2.0, 7.5, 10.9])
    weighted = effective_ridge(lam, mus, weights=w)
    repeated = effective_ridge(np.repeat(lam, w), mus)
    assert weighted.status is Status.CONVERGED
    np.testing.assert_allclose(weighted.kappa, repeated.kappa, rtol=1e-12)


@pytest.mark.parametrize("alpha", [0.3, 1.0, 2.5])
def test_against_brentq_on_power_law_spectra_with_weights(alpha):
    rng = np.random.default_rng(3)
    lam = np.arange(1, 401, dtype=float) ** -(1 + alpha)
    w = rng.integers(1, 4, size=lam.size).astype(float)
    mus = np.geomspace(0.3, 0.999 * w.sum(), 9)
    res = effective_ridge(lam, mus, weights=w)
    ref = [_brentq_kappa(lam, w, m) for m in mus]
    # both solvers stop at ~1e-13 in log kappa; brentq's own tolerance is 1e-14 absolute in s
    np.testing.assert_allclose(res.kappa, ref, rtol=1e-9)


def test_edges_and_bad_input():
    res = effective_ridge(np.array([1.0, 2.0]), np.array([0.0, 2.0, 3.0]))
    assert np.isinf(res.kappa[0]) and res.kappa[1] == 0.0 and res.kappa[2] == 0.0
    with pytest.raises(ValueError, match="weights"):
        effective_ridge(np.array([1.0, 2.0]), 1.0, weights=np.array([1.0]))


def test_unconverged_solve_is_never_returned_silently():
    from dataclasses import replace

    res = effective_ridge(np.array([1.0, 0.5]), 1.0)
    with pytest.raises(RuntimeError, match="did not converge"):
        require_converged(replace(res, status=Status.MAX_ITER))


def test_data_kappa_real_and_complex_agree_with_brentq_and_each_other():
    from scalinglab.core.effective_ridge import data_kappa, data_kappa_real

    rng = np.random.default_rng(5)
    x = np.arange(1, 301, dtype=float) ** -1.3
    n = rng.integers(1, 3, size=x.size).astype(float)
    samples = 120.0
    for p in (1e-6, 1e-3, 0.2):
        k, status = data_kappa_real(x, n, samples, p)
        ref = brentq(
            lambda kk, p=p: kk - kk / samples * np.sum(n * x / (x + kk)) - p, 1e-300, 10.0,
            xtol=1e-300, rtol=1e-15,
        )
        assert status is Status.CONVERGED
        assert k == pytest.approx(ref, rel=1e-12)  # both stop at ~1e-14 relative
        # the complex Newton solver from a nearby real start lands on the same root
        kc, st = data_kappa(x, n, samples, np.array([p + 0j]), np.array([1.1 * k + 0j]))
        assert st is Status.CONVERGED and kc[0].real == pytest.approx(k, rel=1e-12)
    # p = 0 with more samples than modes: no data bottleneck, kappa = 0
    assert data_kappa_real(x[:50], np.ones(50), 100.0, 0.0)[0] == 0.0


def test_data_kappa_complex_residual_vanishes():
    from scalinglab.core.effective_ridge import data_kappa

    x = np.arange(1, 101, dtype=float) ** -1.5
    n = np.ones_like(x)
    p = np.array([0.1 + 0.5j, -0.01 + 0.2j, 2.0 - 1.0j])
    k, status = data_kappa(x, n, 50.0, p, p + x.sum() / 50.0)
    resid = k - k / 50.0 * (x / (x[None, :] + k[:, None])).sum(axis=1) - p
    assert status is Status.CONVERGED
    np.testing.assert_allclose(np.abs(resid), 0.0, atol=1e-12)
