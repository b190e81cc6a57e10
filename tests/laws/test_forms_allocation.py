"""Closed forms of the surface and allocation against brute-force minimisation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from scalinglab.laws.allocation import allocate, misallocation_cost
from scalinglab.laws.forms import ChinchillaSurface, PowerLawFrontier

SURF = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)


@pytest.mark.parametrize("C", [1e18, 1e21, 3.8e25])
def test_n_opt_is_the_isoflop_minimum(C):
    # Brute force: minimise L(N, C/(kN)) over log N with a bounded scalar search.
    res = minimize_scalar(
        lambda x: SURF.loss(np.exp(x), C / (SURF.k * np.exp(x))),
        bounds=(np.log(1e3), np.log(1e15)),
        method="bounded",
        options={"xatol": 1e-10},
    )
    # 1e-6 relative: xatol 1e-10 in log N, but the minimum is flat, so the scalar search
    # locates it only to ~sqrt(machine eps) in log N.
    np.testing.assert_allclose(SURF.n_opt(C), np.exp(res.x), rtol=1e-6)
    np.testing.assert_allclose(SURF.n_opt(C) * SURF.d_opt(C) * SURF.k, C, rtol=1e-12)
    np.testing.assert_allclose(SURF.loss_opt(C), res.fun, rtol=1e-12)
    np.testing.assert_allclose(SURF.compute_for_loss(SURF.loss_opt(C)), C, rtol=1e-10)


def test_units_change_leaves_predictions_invariant():
    scaled = SURF.in_units(1e9, 1e12)
    N, D = np.array([1e8, 3e10]), np.array([2e9, 5e11])
    np.testing.assert_allclose(scaled.loss(N / 1e9, D / 1e12), SURF.loss(N, D), rtol=1e-13)
    np.testing.assert_allclose(scaled.n_opt(1e22) * 1e9, SURF.n_opt(1e22), rtol=1e-12)


def test_optimal_plan_costs_nothing_and_a_bad_plan_costs_both_ways():
    C = 1e24
    zero = misallocation_cost(SURF, SURF, C)
    assert abs(zero.wasted_fraction) < 1e-10 and abs(zero.extra_compute_fraction) < 1e-10
    # Plan: the optimum's rule but with N halved at every budget.
    plan = PowerLawFrontier(
        n_coef=0.5 * SURF.G * SURF.k ** (-SURF.a), a=SURF.a, d_coef=1.0, b=SURF.b
    )
    cost = misallocation_cost(SURF, plan, C)
    # Independent check of the wasted share: the optimum reaches the plan's loss at C_eff,
    # found here by bisection on the optimum's loss curve.
    lo, hi = np.log(C) - 5, np.log(C)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if SURF.loss_opt(np.exp(mid)) > cost.loss_plan else (lo, mid)
    np.testing.assert_allclose(cost.wasted_fraction, 1 - np.exp(hi) / C, rtol=1e-9)
    # Extra compute: following the plan's own rule to C(1+x) reaches the optimum's loss.
    c2 = C * (1 + cost.extra_compute_fraction)
    n2 = plan.n_opt(c2)
    np.testing.assert_allclose(SURF.loss(n2, c2 / (SURF.k * n2)), SURF.loss_opt(C), rtol=1e-12)
    assert 0 < cost.wasted_fraction < cost.extra_compute_fraction < 1


def test_allocate_reports_tokens_per_parameter():
    (row,) = allocate(SURF, [1e23])
    np.testing.assert_allclose(row.tokens_per_param, row.D_opt / row.N_opt)
    np.testing.assert_allclose(row.loss, SURF.loss_opt(1e23), rtol=1e-12)
