"""Laws fitted across a sweep: recover known parameters; agree with an independent fitter."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from scalinglab._types import Status
from scalinglab.models.mrs import theory as mrs_theory
from scalinglab.sweeps.fitting import fit_chinchilla, fit_mrs, fit_sweep
from scalinglab.sweeps.models import get_model
from scalinglab.sweeps.runner import run_sweep
from scalinglab.sweeps.spec import parse_spec
from scalinglab.sweeps.store import SweepStore, load_frame


def _grid(lo=10, hi=4000, k=7):
    v = np.geomspace(lo, hi, k)
    n, t = np.meshgrid(v, v)
    return n.ravel(), t.ravel()


def test_mrs_form_recovers_exact_parameters():
    n, t = _grid()
    m, alpha, l0 = 5000.0, 0.7, 3e-3
    loss = l0 * ((1 / n + 1 / t) ** alpha - m**-alpha)
    fit = fit_mrs(n, t, loss, np.full_like(n, m))
    assert fit.status == Status.CONVERGED
    # noise-free data: limited only by the 1e-10 tolerance of the bounded search in alpha
    assert fit.params["alpha"] == pytest.approx(alpha, rel=1e-7)
    assert fit.params["L0"] == pytest.approx(l0, rel=1e-6)
    assert fit.rmse_log < 1e-8


def test_mrs_form_excludes_points_outside_its_domain():
    n, t = _grid(hi=8000)
    m, alpha = 5000.0, 1.0
    loss = 2e-4 * ((1 / n + 1 / t) ** alpha - m**-alpha)
    fit = fit_mrs(n, t, np.where(loss > 0, loss, 1e-19), np.full_like(n, m))
    # eq. (185): the form holds for N, T <= M; the 8000-points and beyond are excluded
    assert fit.n_excluded == int(np.sum((n > m) | (t > m)))
    assert fit.params["alpha"] == pytest.approx(alpha, rel=1e-7)


def test_mrs_form_standard_errors_match_curve_fit():
    rng = np.random.default_rng(7)
    n, t = _grid(k=6)
    m = 6000.0
    loss = 1e-3 * ((1 / n + 1 / t) ** 1.2 - m**-1.2) * np.exp(0.03 * rng.standard_normal(n.size))
    fit = fit_mrs(n, t, loss, np.full_like(n, m))

    def model(x, log_l0, a):  # the same least-squares problem, solved by scipy
        s = 1 / x[0] + 1 / x[1]
        return log_l0 + np.log(s**a - m**-a)

    popt, pcov = optimize.curve_fit(model, (n, t), np.log(loss), p0=[np.log(1e-3), 1.0])
    # two solvers of one problem: agree to their tolerances (curve_fit's default 1.5e-8)
    assert fit.params["alpha"] == pytest.approx(popt[1], rel=1e-6)
    assert fit.stderr["alpha"] == pytest.approx(np.sqrt(pcov[1, 1]), rel=1e-4)
    assert fit.stderr["L0"] == pytest.approx(np.exp(popt[0]) * np.sqrt(pcov[0, 0]), rel=1e-4)


def test_chinchilla_recovers_exact_parameters():
    n, t = _grid()
    truth = {"E": 0.1, "A": 2.0, "B": 5.0, "a": 0.3, "b": 0.6}
    loss = truth["E"] + truth["A"] * n ** -truth["a"] + truth["B"] * t ** -truth["b"]
    fit = fit_chinchilla(n, t, loss)
    assert fit.status == Status.CONVERGED
    for k, v in truth.items():
        # noise-free: limited by Nelder-Mead's 1e-9 tolerance on log exponents
        assert fit.params[k] == pytest.approx(v, rel=1e-5), k
    assert fit.predict(np.array([50.0]), np.array([70.0]))[0] == pytest.approx(
        0.1 + 2.0 * 50**-0.3 + 5.0 * 70**-0.6, rel=1e-6
    )


def test_chinchilla_one_axis_and_too_few_points():
    n = np.geomspace(10, 1000, 8)
    loss = 0.5 + 3.0 * n**-0.4 + 2.0 * 100.0**-0.5  # T fixed at 100: its term joins E
    fit = fit_chinchilla(n, np.full_like(n, 100.0), loss)
    assert fit.params["a"] == pytest.approx(0.4, rel=1e-5)
    assert fit.params["E"] == pytest.approx(0.5 + 0.2, rel=1e-5)
    assert "only N varies" in fit.message
    bad = fit_chinchilla(n[:3], np.full(3, 100.0), loss[:3])
    assert bad.status == Status.FAILED and not bad.params
    assert fit_mrs(n[:2], n[:2], loss[:2]).status == Status.FAILED


def test_fit_sweep_on_mrs_theory_returns_exact_exponents(tmp_path):
    # predict(ridge="opt") is eq. (172) itself (N, T <= M), whose constants are alpha and
    # L0 = lambda_+ sigma_w^2 k(alpha)/(2M) (eq. 173): the fit must give them back exactly
    spec = parse_spec(
        'model = "mrs"\nrun = "predict"\n[fixed]\nlatent_dim = 3000\nridge = "opt"\n'
        "[grid]\nalpha = [0.5, 1.5]\nfeatures = { log = [10, 2000], num = 5, integer = true }\n"
        "samples = { log = [10, 2000], num = 5, integer = true }\n"
    )
    db = tmp_path / "th.db"
    from scalinglab.sweeps.executors import LocalExecutor

    with SweepStore.open(db, create=True) as store:
        run_sweep(spec, store, LocalExecutor())
    fits = fit_sweep(load_frame(db), spec.to_meta()["fit"], get_model("mrs"))
    assert [f.group for f in fits] == [{"alpha": 0.5}, {"alpha": 1.5}]
    for f in fits:
        a = f.group["alpha"]
        l0 = mrs_theory.power_law_prefactor(3000, a, 1.0, 1.0)
        assert f.exact["alpha"] == a and f.exact["L0"] == pytest.approx(l0, rel=1e-14)
        assert f.params["alpha"] == pytest.approx(a, rel=1e-7)
        assert f.params["L0"] == pytest.approx(l0, rel=1e-6)
        assert f.n_points == 25


def test_chinchilla_on_noisy_data_matches_scipy_least_squares():
    # the engine's optimum of the relative-error objective against scipy's trust-region
    # least squares on the same residuals, started at the truth
    rng = np.random.default_rng(5)
    n, t = _grid(k=6)
    loss = (0.1 + 2.0 * n**-0.3 + 5.0 * t**-0.6) * (1 + 0.01 * rng.standard_normal(n.size))
    fit = fit_chinchilla(n, t, loss)
    assert fit.status == Status.CONVERGED, fit.message

    def rel(p):
        return (p[0] + p[1] * n ** -p[3] + p[2] * t ** -p[4]) / loss - 1.0

    ref = optimize.least_squares(rel, [0.1, 2.0, 5.0, 0.3, 0.6], xtol=1e-15, ftol=1e-15)
    got = [fit.params[k] for k in ("E", "A", "B", "a", "b")]
    # two optimisers of one smooth problem, both to ~1e-12 in the objective: the
    # parameters agree to ~sqrt(1e-12)·conditioning; 1e-5 relative
    np.testing.assert_allclose(got, ref.x, rtol=1e-5)
