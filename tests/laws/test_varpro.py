"""Variable projection: exact recovery, grid profile and gradient against references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import nnls

from scalinglab._types import Status
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.objectives import Objective
from scalinglab.laws.synthetic import isoflop_sample
from scalinglab.laws.varpro import ScaledProblem, fit_varpro, inner_solve, profile_grid

TRUTH = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
OBJECTIVES = [
    Objective("mse", "raw"),
    Objective("huber", "raw"),
    Objective("mse", "log"),
    Objective("huber", "log"),
]


@pytest.fixture(scope="module")
def exact_data():
    return isoflop_sample(TRUTH, grid_width=0.6, points_per_budget=9)


@pytest.mark.parametrize("obj", OBJECTIVES, ids=lambda o: o.describe())
def test_exact_recovery_noise_free(exact_data, obj):
    fit = fit_varpro(exact_data, objective=obj, grid_step=0.01)
    assert fit.status == Status.CONVERGED, fit.message
    s = fit.surface
    # 1e-7 relative: noise-free data has an exact zero-residual optimum; refinement stops
    # when the objective (~residual²) no longer decreases in float64, i.e. parameters to
    # ~sqrt(1e-16)·(conditioning) — 1e-7 is that bound with a factor 10 of slack.
    np.testing.assert_allclose(
        [s.E, s.A, s.B, s.alpha, s.beta],
        [TRUTH.E, TRUTH.A, TRUTH.B, TRUTH.alpha, TRUTH.beta],
        rtol=1e-7,
    )


def test_grid_profile_matches_pointwise_nnls(llama3):
    prob = ScaledProblem.from_data(llama3)
    alphas = np.array([0.02, 0.2, 0.31, 0.6, 0.95])
    betas = np.array([0.05, 0.31, 0.5, 0.9])
    w = 1.0 / prob.loss**2
    f = profile_grid(prob.lx, prob.ly, alphas, betas, w, prob.loss)
    sw = np.sqrt(w)
    for i, al in enumerate(alphas):
        for j, be in enumerate(betas):
            X = np.stack([np.ones_like(prob.lx), np.exp(-al * prob.lx), np.exp(-be * prob.ly)], 1)
            _, rnorm = nnls(X * sw[:, None], prob.loss * sw)
            # Normal equations in float64 lose accuracy as cond(X)² (up to ~1e8 at
            # alpha = 0.02 where 1 and N^-alpha are nearly collinear): 1e-6 relative.
            np.testing.assert_allclose(f[i, j], rnorm**2, rtol=1e-6)


@pytest.mark.parametrize("obj", OBJECTIVES, ids=lambda o: o.describe())
def test_inner_solution_satisfies_kkt(llama3, obj):
    """KKT conditions of min_{θ≥0} F(θ) at the IRLS / Gauss–Newton inner solution."""
    prob = ScaledProblem.from_data(llama3)
    u, v = np.exp(-0.3 * prob.lx), np.exp(-0.32 * prob.ly)
    sol = inner_solve(u, v, prob.loss, obj)
    assert sol.converged
    X = np.stack([np.ones_like(u), u, v], axis=1)
    r = obj.residuals(sol.pred, prob.loss)
    dr = obj.psi(r) / (sol.pred if obj.space == "log" else 1.0)
    grad = X.T @ dr / r.size
    # Gradient scale: the same sum with |ψ| (no cancellation). The Newton iterations stop
    # when θ moves by < 1e-14 relative, leaving stationarity at ~1e-11 of that scale
    # (float64 rounding of the sums); 1e-9 keeps a factor 100 of margin.
    scale = np.abs(X).T @ np.abs(dr) / r.size
    free = sol.theta > 0
    assert np.all(np.abs(grad[free]) <= 1e-9 * scale[free])
    assert np.all(grad[~free] >= -1e-9 * scale[~free])


def test_refinement_gradient_matches_finite_differences(llama3):
    """Envelope-theorem gradient of F(alpha, beta) against central differences."""
    from scalinglab.laws import varpro as vp

    prob = ScaledProblem.from_data(llama3)
    obj = Objective("huber", "log")

    def F(al, be):
        return inner_solve(np.exp(-al * prob.lx), np.exp(-be * prob.ly), prob.loss, obj).value

    z = (0.27, 0.33)
    sol = inner_solve(np.exp(-z[0] * prob.lx), np.exp(-z[1] * prob.ly), prob.loss, obj)
    r = obj.residuals(sol.pred, prob.loss)
    dr = obj.psi(r) / sol.pred
    g = [
        -sol.theta[1] * np.mean(dr * prob.lx * np.exp(-z[0] * prob.lx)),
        -sol.theta[2] * np.mean(dr * prob.ly * np.exp(-z[1] * prob.ly)),
    ]
    h = 1e-5
    fd = [
        (F(z[0] + h, z[1]) - F(z[0] - h, z[1])) / (2 * h),
        (F(z[0], z[1] + h) - F(z[0], z[1] - h)) / (2 * h),
    ]
    # Central differences: truncation O(h²·F''') ~ 1e-10 relative, rounding
    # ~1e-16·F/h ~ 1e-11·F; 1e-5 relative is far above both yet catches a wrong formula.
    np.testing.assert_allclose(g, fd, rtol=1e-5)
    assert vp.DEFAULT_GRID_STEP == 1e-3


def test_bound_hit_on_grid_edge(exact_data):
    fit = fit_varpro(
        exact_data, objective=Objective("mse", "raw"), grid_step=0.01, alpha_range=(0.01, 0.3)
    )
    assert fit.status == Status.BOUND_HIT
    assert "alpha" in fit.message and "upper edge" in fit.message
    np.testing.assert_allclose(fit.surface.alpha, 0.3)


def test_bound_hit_on_clamped_E():
    # A surface with E < 0 (losses stay positive): the constrained fit must clamp E at 0.
    truth = ChinchillaSurface(E=-0.5, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    data = isoflop_sample(truth, grid_width=0.5, points_per_budget=7)
    assert np.all(data.loss > 0)
    fit = fit_varpro(data, objective=Objective("mse", "raw"), grid_step=0.01)
    assert fit.status == Status.BOUND_HIT
    assert "E" in fit.message and fit.surface.E == 0.0


def test_fewer_points_than_parameters_is_an_input_error(exact_data):
    from scalinglab import InputError

    with pytest.raises(InputError, match="at least 5 points"):
        fit_varpro(exact_data.take(np.arange(4)))


def test_weighted_points_equal_repeated_rows():
    from scalinglab.laws.io import from_arrays

    rng = np.random.default_rng(2)
    d = isoflop_sample(TRUTH, noise=0.01, rng=rng, points_per_budget=7)
    counts = rng.integers(1, 4, d.n_points)
    idx = np.repeat(np.arange(d.n_points), counts)
    obj = Objective("huber", "raw")
    weighted = fit_varpro(
        from_arrays(N=d.N, D=d.D, loss=d.loss, weight=counts.astype(float)), objective=obj
    )
    repeated = fit_varpro(d.take(idx), objective=obj, grid_step=0.01)
    assert weighted.status == repeated.status == Status.CONVERGED, weighted.message
    # Σ c_i ρ_i / Σ c_i is the repeated rows' mean: the same optimum by two code paths,
    # both refined to L-BFGS's ftol; 1e-6 relative on the exponents
    np.testing.assert_allclose(weighted.objective_value, repeated.objective_value, rtol=1e-9)
    np.testing.assert_allclose(
        [weighted.surface.alpha, weighted.surface.beta],
        [repeated.surface.alpha, repeated.surface.beta],
        rtol=1e-6,
    )
