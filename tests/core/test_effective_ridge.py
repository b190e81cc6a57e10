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
