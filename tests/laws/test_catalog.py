"""Shipped partially linear laws: exact recovery on noise-free synthetic data, and the registry."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab import InputError
from scalinglab._types import Status
from scalinglab.laws.catalog import (
    annealing_areas,
    effective_data,
    get_law,
    list_laws,
    power_law,
    register_law,
)
from scalinglab.laws.engine import NonlinearParam, PartiallyLinearLaw, fit_partially_linear
from scalinglab.laws.objectives import Objective

MSE = Objective("mse", "raw")
HUBER_LOG = Objective("huber", "log")
# Noise-free data have an exact zero-residual optimum; the refinement stops when the
# objective (~residual²) stops decreasing in float64, which pins parameters to about
# sqrt(1e-16)·(conditioning). 1e-7 relative is that bound with a factor 10 of slack
# (the same reasoning as tests/laws/test_varpro.py).
RTOL = 1e-7


def _grid(*axes):
    return (m.ravel() for m in np.meshgrid(*axes))


def _check(name, x, truth, obj=MSE, **kw):
    law = get_law(name)
    y = law.predict(truth, x)
    fit = fit_partially_linear(law, x, y, objective=obj, **kw)
    assert fit.status == Status.CONVERGED, fit.message
    for k, v in truth.items():
        np.testing.assert_allclose(fit.params[k], v, rtol=RTOL, err_msg=k)
    return fit


@pytest.mark.parametrize("obj", [MSE, HUBER_LOG], ids=lambda o: o.describe())
def test_chinchilla_exact_recovery(obj):
    N, D = _grid(np.geomspace(1e7, 1e10, 6), np.geomspace(1e9, 1e12, 6))
    # Hoffmann et al. (2022), eq. (10)
    truth = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
    _check("chinchilla", {"N": N, "D": D}, truth, obj)


def test_data_constrained_exact_recovery():
    N, U, ep = _grid(np.geomspace(1e8, 1e10, 4), np.geomspace(1e9, 1e11, 3), [1, 2, 4, 8, 16, 40])
    # Muennighoff et al. (2023), fitted constants of their eq. (5) / appendix
    truth = {"E": 1.87, "A": 521.0, "B": 1488.0, "alpha": 0.35, "beta": 0.353, "r_star": 15.4}
    steps = {"alpha": 0.05, "beta": 0.05, "r_star": 0.1}  # coarse grid: keeps the test fast
    _check("data_constrained", {"N": N, "U": U, "epochs": ep}, truth, grid_steps=steps)


def test_effective_data_limits():
    # one epoch: D' = U; R << R*: D' ≈ U·epochs (repeats as good as new); R >> R*: U(1+R*)
    assert effective_data(5.0, 1.0, 15.4) == 5.0
    np.testing.assert_allclose(effective_data(1.0, 1.001, 15.4), 1.001, rtol=1e-4)
    np.testing.assert_allclose(effective_data(1.0, 1e9, 15.4), 16.4, rtol=1e-14)


def _schedules():
    T = 10_000
    s = np.arange(1, T + 1)
    cosine = 0.1 + 0.45 * (1 + np.cos(np.pi * s / T))
    wsd = np.where(s < 8000, 1.0, 1.0 - 0.9 * (s - 8000) / 2000)
    steps = np.arange(200, T + 1, 200)
    a1, a2 = annealing_areas(cosine, steps)
    b1, b2 = annealing_areas(wsd, steps)
    return {"S1": np.r_[a1, b1], "S2": np.r_[a2, b2]}


def test_annealing_exact_recovery():
    truth = {"L0": 2.0, "A": 3.0, "alpha": 0.5, "C": 3e-5}
    _check("annealing", _schedules(), truth)


def test_annealing_areas_against_a_direct_loop():
    rng = np.random.default_rng(3)
    lr = np.abs(rng.standard_normal(50))
    s1, s2 = annealing_areas(lr, decay=0.9)
    # Tissue et al. (2024) eqs. (1)-(2) written out literally, with eta_0 = eta_1
    m, acc2, ref1, ref2 = 0.0, 0.0, [], []
    for i in range(50):
        prev = lr[i - 1] if i > 0 else lr[0]
        m = 0.9 * m + (prev - lr[i])
        acc2 += m
        ref1.append(lr[: i + 1].sum())
        ref2.append(acc2)
    np.testing.assert_allclose(s1, ref1, rtol=1e-13)  # summation order only
    np.testing.assert_allclose(s2, ref2, rtol=1e-12, atol=1e-13)
    with pytest.raises(InputError):
        annealing_areas(lr, np.array([0, 3]))


def test_broken_power_exact_recovery():
    x = np.geomspace(1, 1e8, 40)
    truth = {"E": 0.5, "A": 5.0, "alpha0": 0.2, "alpha1": 0.4, "x_b": 1e4}
    steps = {"alpha0": 0.1, "alpha1": 0.1, "x_b": 0.25}  # coarse grid: keeps the test fast
    _check("broken_power", {"x": x}, truth, grid_steps=steps)


def test_broken_power_asymptotic_exponents():
    law = get_law("broken_power")
    p = {"E": 0.0, "A": 1.0, "alpha0": 0.3, "alpha1": 0.5, "x_b": 100.0}
    lo, hi = np.array([1e-6, 1e-5]), np.array([1e9, 1e10])
    slope = lambda v: -np.diff(np.log(law.predict(p, {"x": v})))[0] / np.log(10)  # noqa: E731
    # far from the break the local exponent is alpha0 below and alpha0 + alpha1 above; the
    # correction is of order (x/x_b)^(1/f) = 1e-80 and (x_b/x)^(1/f) = 1e-70
    np.testing.assert_allclose(slope(lo), 0.3, rtol=1e-12)
    np.testing.assert_allclose(slope(hi), 0.8, rtol=1e-12)


def test_power_and_mrs_exact_recovery():
    x = np.geomspace(1, 1e4, 12)
    _check("power", {"x": x}, {"E": 0.5, "A": 3.0, "alpha": 0.7})
    n, t = _grid(np.geomspace(10, 4000, 7), np.geomspace(10, 4000, 7))
    _check(
        "mrs",
        {"N": n, "T": t, "M": np.full(n.size, 5000.0)},
        {"L0": 3e-3, "alpha": 0.7},
        Objective("mse", "log"),
    )


def test_registry_lists_shipped_laws_and_accepts_user_laws():
    shipped = {"chinchilla", "data_constrained", "annealing", "broken_power", "power", "mrs"}
    assert shipped <= set(list_laws())
    for name in shipped:
        law = get_law(name)
        assert law.reference and law.equation
    with pytest.raises(InputError, match="unknown law"):
        get_law("nope")
    with pytest.raises(InputError, match="already registered"):
        register_law(power_law())

    # a user law without a derivative: the refinement falls back to central differences
    def basis(x, phi):
        decay = np.exp(-x["t"] / phi[:, 0, None])
        return np.stack([np.ones_like(decay), decay], -1)

    law = PartiallyLinearLaw(
        name="test_exp_decay",
        inputs=("t",),
        linear=("c", "amp"),
        nonlinear=(NonlinearParam("tau", 0.1, 100.0, 0.02, log=True),),
        basis=basis,
    )
    register_law(law, replace=True)
    t = np.linspace(0, 20, 30)
    y = 0.3 + 2.0 * np.exp(-t / 4.0)
    fit = fit_partially_linear(get_law("test_exp_decay"), {"t": t}, y, objective=MSE)
    assert fit.status == Status.CONVERGED
    # central differences (h = 1e-6) give the gradient to ~1e-10: the optimum is still
    # found to the float64 floor of the objective; 1e-6 allows for the inexact gradient
    np.testing.assert_allclose([fit.params["tau"], fit.params["amp"]], [4.0, 2.0], rtol=1e-6)


def test_cli_lists_laws_and_fits_a_named_law(run_cli, tmp_path):
    import json

    code, out, err = run_cli("fit", "--list-laws", "--json")
    assert code == 0, err
    names = [d["name"] for d in json.loads(out)["laws"]]
    assert {"chinchilla", "data_constrained", "annealing", "broken_power", "mrs"} <= set(names)

    law = get_law("power")
    x = np.geomspace(1, 1e4, 15)
    y = law.predict({"E": 0.5, "A": 3.0, "alpha": 0.7}, {"x": x})
    path = tmp_path / "p.csv"
    path.write_text(
        "size,loss\n" + "".join(f"{a:.17g},{b:.17g}\n" for a, b in zip(x, y, strict=True))
    )
    code, out, err = run_cli(
        "fit", str(path), "--law", "power", "--x-col", "x=size", "--objective", "mse", "--json"
    )
    assert code == 0, err
    res = json.loads(out)
    assert res["law"] == "power" and res["status"] == "converged"
    np.testing.assert_allclose(res["params"]["alpha"], 0.7, rtol=RTOL)
    code, _, err = run_cli("fit", str(path), "--law", "nope")
    assert code == 2 and "unknown law" in err
    code, _, err = run_cli("fit", str(path), "--law", "power")  # no column x
    assert code == 2 and "no column 'x'" in err


def test_cli_prints_misallocation_with_interval(run_cli):
    import json

    args = ("fit", "llama3", "--c-col", "compute_budget", "--d-col", "training_tokens")
    args += ("--loss-col", "validation_loss", "--objective", "mse", "--budget", "3.8e25")
    code, out, err = run_cli(*args, "--plan-n", "3.933e11", "--bootstrap", "8", "--json")
    assert code == 0, err
    m = json.loads(out)["misallocation"]
    # Czech et al. (2026): the Approach-2 plan (N = 393.3e9) wastes ≈ 6.3 % of 3.8e25
    assert round(100 * m["wasted_fraction"], 1) == 6.3
    lo, hi = m["ci"]["wasted_fraction"]
    assert 0 <= lo <= hi


@pytest.mark.parametrize(
    "obj",
    [Objective("mse", "log"), pytest.param(Objective("huber", "raw"), marks=pytest.mark.slow)],
    ids=lambda o: o.describe(),
)
def test_kaplan_not_partially_linear_exact_recovery(obj):
    from scalinglab.laws.engine import fit_nonlinear

    law = get_law("kaplan")
    N, D = _grid(np.geomspace(1e6, 1e10, 6), np.geomspace(1e8, 1e11, 6))
    # Kaplan et al. (2020), eq. (1.5) constants
    truth = {"alpha_N": 0.076, "alpha_D": 0.095, "N_c": 8.8e13, "D_c": 5.4e13}
    y = law.predict(truth, {"N": N, "D": D})
    steps = {"alpha_N": 0.04, "alpha_D": 0.04, "N_c": 1.0, "D_c": 1.0}  # coarse: fast
    fit = fit_nonlinear(law, {"N": N, "D": D}, y, objective=obj, grid_steps=steps, n_starts=4)
    assert fit.status == Status.CONVERGED, fit.message
    for k, v in truth.items():
        np.testing.assert_allclose(fit.params[k], v, rtol=RTOL, err_msg=k)


def test_kaplan_degenerate_designs_are_not_identifiable():
    from scalinglab.laws.engine import fit_nonlinear

    law = get_law("kaplan")
    N, D = np.geomspace(1e6, 1e10, 8), np.geomspace(1e8, 1e11, 8)
    steps = {"alpha_N": 0.04, "alpha_D": 0.04, "N_c": 1.0, "D_c": 1.0}
    # (Note: one D alone does not make Kaplan's law degenerate — [(N_c/N)^k + c]^alpha_D
    # still has four separable parameters — unlike the additive Chinchilla form.)
    flat = fit_nonlinear(law, {"N": N, "D": D}, np.full(8, 2.5), grid_steps=steps, n_starts=2)
    assert flat.status == Status.NOT_IDENTIFIABLE and "constant" in flat.message
    y = law.predict({"alpha_N": 0.076, "alpha_D": 0.095, "N_c": 8.8e13, "D_c": 5.4e13},
                    {"N": N[:4], "D": D[:4]})  # fmt: skip
    four = fit_nonlinear(law, {"N": N[:4], "D": D[:4]}, y, grid_steps=steps, n_starts=2)
    assert four.status == Status.NOT_IDENTIFIABLE and "4 distinct" in four.message
