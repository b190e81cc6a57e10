"""Variable-projection engine: batched NNLS, grid profile, gradient, statuses vs references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import lsq_linear, nnls

from scalinglab._types import Status
from scalinglab.laws.catalog import chinchilla_law, get_law
from scalinglab.laws.engine import (
    fit_partially_linear,
    grid_profile,
    inner_fit,
    law_status,
    solve_nnls_batch,
)
from scalinglab.laws.io import from_arrays
from scalinglab.laws.objectives import Objective
from scalinglab.laws.synthetic import CHINCHILLA_SURFACE, isoflop_sample
from scalinglab.laws.varpro import fit_varpro


def test_batched_nnls_matches_scipy_bounded_least_squares():
    rng = np.random.default_rng(0)
    nonneg = np.array([True, False, True, True])  # one signed coefficient
    lb = np.where(nonneg, 0.0, -np.inf)
    Gs, hs, cs, refs = [], [], [], []
    for _ in range(200):
        X = rng.standard_normal((12, 4)) * rng.uniform(0.1, 10, 4)
        t = rng.standard_normal(12)
        Gs.append(X.T @ X)
        hs.append(X.T @ t)
        cs.append(t @ t)
        refs.append(lsq_linear(X, t, bounds=(lb, np.inf), tol=1e-14, method="bvls"))
    theta, f = solve_nnls_batch(np.array(Gs), np.array(hs), np.array(cs), nonneg)
    for i, ref in enumerate(refs):
        # two exact solvers of one convex problem; normal equations lose ~cond(X)² ≈ 1e6·eps
        np.testing.assert_allclose(f[i], 2 * ref.cost, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(theta[i], ref.x, rtol=1e-6, atol=1e-8)


def test_grid_profile_matches_pointwise_nnls_and_replicates():
    law = get_law("data_constrained")
    rng = np.random.default_rng(1)
    N = np.geomspace(1e8, 1e10, 20)
    U = rng.choice([1e9, 1e10], 20)
    ep = rng.choice([1.0, 4.0, 20.0], 20)
    x = {"N": N, "U": U, "epochs": ep}
    y = law.predict(
        {"E": 1.9, "A": 500, "B": 1500, "alpha": 0.35, "beta": 0.35, "r_star": 15}, x
    ) * np.exp(0.01 * rng.standard_normal(20))
    phis = np.array([[0.3, 0.3, 5.0], [0.35, 0.4, 15.0], [0.8, 0.1, 300.0]])
    w = rng.uniform(0.5, 2.0, 20)
    f = grid_profile(law, x, phis, w, y)
    B = law.basis(x, phis)
    sw = np.sqrt(w)
    for g in range(3):
        _, rnorm = nnls(B[g] * sw[:, None], y * sw)
        # normal equations vs QR-based NNLS: ~cond² rounding; 1e-7 relative
        np.testing.assert_allclose(f[g], rnorm**2, rtol=1e-7)
    W = rng.integers(0, 3, (4, 20)).astype(float)  # bootstrap counts as weights
    fr = grid_profile(law, x, phis, W, y)
    for r in range(4):
        # same sums in a different order; f = c − hᵀθ cancels ~c/f ≈ 1e3 of the digits
        np.testing.assert_allclose(fr[r], grid_profile(law, x, phis, W[r], y), rtol=1e-10)


def _projected(law, x, y, obj, phi):
    B = law.basis(x, np.atleast_2d(phi))[0]
    return inner_fit(B, y, obj, np.ones_like(y), law.nonneg).value


@pytest.mark.parametrize(
    "obj", [Objective("mse", "raw"), Objective("huber", "log")], ids=lambda o: o.describe()
)
def test_envelope_gradient_matches_finite_differences(obj):
    from scalinglab.laws.engine import _envelope_grad  # white-box: the formula itself

    law = get_law("data_constrained")
    rng = np.random.default_rng(2)
    N, U, ep = (m.ravel() for m in np.meshgrid(np.geomspace(1e8, 1e10, 4), [1e9, 1e10], [1, 3, 9]))
    x = {"N": N, "U": U, "epochs": ep}
    truth = {"E": 1.9, "A": 500, "B": 1500, "alpha": 0.35, "beta": 0.35, "r_star": 15}
    y = law.predict(truth, x) * np.exp(0.02 * rng.standard_normal(N.size))
    phi = np.array([0.33, 0.37, 12.0])
    B = law.basis(x, phi[None])[0]
    sol = inner_fit(B, y, obj, np.ones_like(y), law.nonneg)
    g = _envelope_grad(law, x, phi, sol, y, obj, np.ones_like(y))
    fd = []
    for k in range(3):
        h = 1e-5 * max(1.0, phi[k])
        up, dn = phi.copy(), phi.copy()
        up[k] += h
        dn[k] -= h
        fd.append((_projected(law, x, y, obj, up) - _projected(law, x, y, obj, dn)) / (2 * h))
    # central differences: truncation O(h²) ~ 1e-10 relative; the inner solve converges to
    # 1e-13; 1e-5 relative is far above both and still catches a wrong derivative
    np.testing.assert_allclose(g, fd, rtol=1e-5)


@pytest.mark.parametrize(
    "obj",
    [Objective("mse", "raw"), pytest.param(Objective("huber", "log"), marks=pytest.mark.slow)],
    ids=lambda o: o.describe(),
)
def test_engine_chinchilla_equals_closed_form_varpro_on_llama3(llama3, obj):
    vp = fit_varpro(llama3, objective=obj, grid_step=0.01)
    eng = fit_partially_linear(
        chinchilla_law(), {"N": llama3.N, "D": llama3.D}, llama3.loss, objective=obj
    )
    s = vp.surface
    # the same optimum found by two implementations; both refine to L-BFGS's ftol 1e-15,
    # which pins the objective to ~1e-12 relative and the parameters to ~1e-6
    np.testing.assert_allclose(eng.objective_value, vp.objective_value, rtol=1e-9)
    np.testing.assert_allclose(
        [eng.params[k] for k in ("E", "A", "B", "alpha", "beta")],
        [s.E, s.A, s.B, s.alpha, s.beta],
        rtol=1e-5,
    )
    assert eng.status == vp.status == Status.CONVERGED


def test_count_weights_equal_repeated_rows():
    rng = np.random.default_rng(4)
    d = isoflop_sample(CHINCHILLA_SURFACE, noise=0.01, rng=rng, points_per_budget=7)
    counts = rng.integers(0, 3, d.n_points)
    idx = np.repeat(np.arange(d.n_points), counts)
    law = chinchilla_law(step=0.05)
    obj = Objective("huber", "log")
    a = fit_partially_linear(law, {"N": d.N, "D": d.D}, d.loss, weights=counts, objective=obj)
    b = fit_partially_linear(law, {"N": d.N[idx], "D": d.D[idx]}, d.loss[idx], objective=obj)
    # identical objectives (Σ c_i ρ_i / Σ c_i); only summation order differs
    np.testing.assert_allclose(a.objective_value, b.objective_value, rtol=1e-10)
    np.testing.assert_allclose(a.phi, b.phi, rtol=1e-6)


def _degenerate():
    d = isoflop_sample(CHINCHILLA_SURFACE, points_per_budget=5)
    N = d.N
    return {
        "same_D": (N, np.full(N.size, 1e11), CHINCHILLA_SURFACE.loss(N, 1e11), "D"),
        "one_row_10x": (np.full(10, 1e9), np.full(10, 2e10), np.full(10, 2.5), "distinct"),
        "constant_loss": (d.N, d.D, np.full(d.N.size, 2.5), "constant"),
        "rising_with_N": (d.N, d.D, 2 + 0.01 * np.log(d.N), "alpha"),
        "five_points": (d.N[::5][:5], d.D[::5][:5], d.loss[::5][:5], "5 distinct"),
    }


@pytest.mark.parametrize("case", list(_degenerate()))
@pytest.mark.parametrize(
    "obj", [Objective("huber", "raw"), Objective("mse", "log")], ids=lambda o: o.describe()
)
def test_degenerate_designs_are_not_identifiable_never_an_exception(case, obj):
    N, D, y, says = _degenerate()[case]
    eng = fit_partially_linear(chinchilla_law(step=0.05), {"N": N, "D": D}, y, objective=obj)
    assert eng.status == Status.NOT_IDENTIFIABLE and says in eng.message, eng.message
    vp = fit_varpro(from_arrays(N=N, D=D, loss=y), objective=obj, grid_step=0.05)
    assert vp.status == Status.NOT_IDENTIFIABLE, vp.message


def test_law_status_names_the_bound_and_the_clamped_term():
    law = chinchilla_law(alpha_range=(0.01, 0.3))
    d = isoflop_sample(CHINCHILLA_SURFACE, grid_width=0.6, points_per_budget=9)
    fit = fit_partially_linear(law, {"N": d.N, "D": d.D}, d.loss, objective=Objective("mse", "raw"))
    assert fit.status == Status.BOUND_HIT and "alpha" in fit.message
    assert fit.params["alpha"] == 0.3
    st, msg, _ = law_status(
        law, {"N": d.N, "D": d.D}, d.loss, fit.params, objective=Objective("mse", "raw")
    )
    assert (st, msg) == (fit.status, fit.message)
