"""α_D = γ/(2β) with the published inputs, the horizon algebra and the collapse map."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab._validation import InputError
from scalinglab.empirical import language as lang


@pytest.mark.parametrize(
    ("gamma", "beta", "se_g", "se_b", "alpha", "se"),
    [
        (0.325, 0.88, 0.003, 0.06, 0.18466, 0.0127),  # TinyStories (paper: 0.185 ± 0.013)
        (0.265, 0.94, 0.016, 0.16, 0.14096, 0.0255),  # WikiText-103 (paper: 0.141 ± 0.025)
    ],
)
def test_published_predictions(gamma, beta, se_g, se_b, alpha, se):
    r = lang.predict_data_exponent(gamma, beta, se_g, se_b)
    assert r["alpha_D"] == pytest.approx(alpha, abs=5e-6)  # quoted to 5 decimals
    assert r["se"] == pytest.approx(se, abs=5e-5)  # quoted to 3 significant digits


def test_horizon_scales_as_p_to_one_over_two_beta():
    fit = lang.CorrExponentFit(0.88, 0.0, (0.88, 0.88), 0.02, (1, 16), 8, "op", "converged", "")
    p = np.geomspace(1e4, 1e10, 7)
    n_star = lang.horizon_fit(p, fit, floor_scale=1.3)
    np.testing.assert_allclose(n_star ** (2 * 0.88) / p, n_star[0] ** 1.76 / p[0], rtol=1e-12)
    # at n*, the fitted norm equals κ × floor exactly
    np.testing.assert_allclose(fit.predict(n_star), lang.FLOOR_KAPPA * 1.3 / np.sqrt(p))


def test_collapse_of_data_generated_from_ell_is_exact():
    gamma, beta, h_inf = 0.325, 0.88, 1.9
    xs = np.geomspace(0.1, 1e4, 9)
    ns = np.repeat(np.arange(1.0, 9.0), xs.size)
    x_all = np.tile(xs, 8)
    loss = h_inf + ns**-gamma * (0.4 + x_all**-0.3)
    res = lang.collapse(x_all * ns ** (2 * beta), ns, loss, gamma=gamma, beta=beta, h_inf=h_inf)
    assert res.residual <= 1e-12
    assert res.score == pytest.approx(1.0)
    # a wrong β breaks the collapse
    bad = lang.collapse(x_all * ns ** (2 * beta), ns, loss, gamma=gamma, beta=0.5, h_inf=h_inf)
    assert bad.residual > 1e-3 and bad.score < res.score


def test_fit_data_exponent_recovers_alpha():
    p = np.geomspace(1e5, 1e9, 8)
    noise = np.random.default_rng(1).normal(0, 2e-4, p.size)
    fit = lang.fit_data_exponent(p, 2.1 + 30.0 * p**-0.185 + noise)
    assert fit.gamma_ci[0] < 0.185 < fit.gamma_ci[1]


def test_bad_predict_inputs():
    with pytest.raises(InputError, match="beta"):
        lang.predict_data_exponent(0.3, 0.0)
    with pytest.raises(InputError, match="two context positions"):
        lang.collapse([1.0, 2.0], [1, 1], [3.0, 2.5], gamma=0.3, beta=0.9, h_inf=1.0)
