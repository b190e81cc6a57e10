"""Approach 3 (Hoffmann protocol): recovery, gradient, and agreement with varpro."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab._types import Status
from scalinglab.laws.approach3 import _to_internal, fit_approach3, hoffmann_starts, lse_objective
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.objectives import Objective
from scalinglab.laws.synthetic import isoflop_sample
from scalinglab.laws.varpro import ScaledProblem, fit_varpro

TRUTH = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)


def test_exact_recovery_noise_free_without_varpro_seed():
    data = isoflop_sample(TRUTH, grid_width=0.6, points_per_budget=9)
    fit = fit_approach3(data, seed_from_varpro=False)
    assert fit.status == Status.CONVERGED, fit.message
    s = fit.surface
    # 1e-6 relative: L-BFGS stops when the Huber objective (~residual²/2 ~ 1e-20 here)
    # stops decreasing in float64; parameters are then good to ~1e-8, 100× margin.
    np.testing.assert_allclose(
        [s.E, s.A, s.B, s.alpha, s.beta],
        [TRUTH.E, TRUTH.A, TRUTH.B, TRUTH.alpha, TRUTH.beta],
        rtol=1e-6,
    )
    assert fit.details["n_reached_best"] >= 1
    assert fit.details["n_starts"] == 25


def test_gradient_matches_finite_differences(llama3):
    prob = ScaledProblem.from_data(llama3)
    p = np.array([np.log(0.6), np.log(0.1), np.log(0.1), 0.3, 0.32])
    for obj in (Objective("huber", "log"), Objective("mse", "raw")):
        _, g = lse_objective(p, prob.lx, prob.ly, prob.loss, obj)
        fd = np.empty(5)
        for i in range(5):
            e = np.zeros(5)
            e[i] = 1e-6
            fd[i] = (
                lse_objective(p + e, prob.lx, prob.ly, prob.loss, obj)[0]
                - lse_objective(p - e, prob.lx, prob.ly, prob.loss, obj)[0]
            ) / 2e-6
        # Central differences with h = 1e-6: truncation ~1e-12, rounding ~1e-16·F/h;
        # relative 1e-6 of the largest component catches any wrong term.
        np.testing.assert_allclose(g, fd, atol=1e-6 * np.max(np.abs(fd)))


def test_hoffmann_grid_is_the_paper_grid_in_internal_units(llama3):
    prob = ScaledProblem.from_data(llama3)
    starts = hoffmann_starts(prob)
    assert starts.shape == (4500, 5)
    # The internal reparameterisation a' = a − α log N0 leaves the objective unchanged:
    # evaluate one start both in input units (N0 = D0 = 1) and internally.
    raw = np.array([[0.5, 10.0, 15.0, 0.5, 1.0]])
    unit = ScaledProblem(np.log(llama3.N), np.log(llama3.D), llama3.loss, 1.0, 1.0, 6.0)
    obj = Objective("huber", "log")
    f_raw, _ = lse_objective(raw[0], unit.lx, unit.ly, unit.loss, obj)
    f_int, _ = lse_objective(_to_internal(raw, prob)[0], prob.lx, prob.ly, prob.loss, obj)
    np.testing.assert_allclose(f_int, f_raw, rtol=1e-12)


@pytest.mark.parametrize(
    "obj", [Objective("huber", "log"), Objective("mse", "raw")], ids=lambda o: o.describe()
)
def test_approach3_and_varpro_agree_on_the_same_objective(llama3, obj):
    """Two different algorithms (5-D L-BFGS without varpro seeding; 2-D projection)."""
    a3 = fit_approach3(llama3, objective=obj, seed_from_varpro=False)
    vp = fit_varpro(llama3, objective=obj, grid_step=0.01)
    assert a3.status == Status.CONVERGED and vp.status == Status.CONVERGED
    # Same minimum: objective values to 1e-8 relative (both stop on float64 objective
    # decrease), parameters to 1e-4 relative (a flat valley: the objective is quadratic
    # in the parameters, so 1e-8 in F allows ~1e-4 along the weakest direction).
    np.testing.assert_allclose(a3.objective_value, vp.objective_value, rtol=1e-8)
    pa, pv = a3.surface, vp.surface
    np.testing.assert_allclose(
        [pa.E, pa.A, pa.B, pa.alpha, pa.beta], [pv.E, pv.A, pv.B, pv.alpha, pv.beta], rtol=1e-4
    )
