"""Bootstrap: seeded reproducibility, resampling schemes, and sane intervals."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab.laws.approach2 import fit_approach2
from scalinglab.laws.objectives import Objective
from scalinglab.laws.uncertainty import bootstrap, resample_indices
from scalinglab.laws.varpro import fit_varpro


def test_within_budget_resampling_keeps_the_design(llama3):
    rng = np.random.default_rng(0)
    idx = resample_indices(llama3, "budgets", rng)
    np.testing.assert_array_equal(
        np.bincount(llama3.group[idx], minlength=llama3.budgets.size), llama3.budget_sizes
    )
    assert np.unique(idx).size < idx.size  # it does draw with replacement


def test_same_seed_same_intervals_and_estimate_inside(llama3):
    budgets = [1e24, 3.8e25]
    r1 = bootstrap(llama3, fit_approach2, n_boot=40, budgets=budgets, seed=7)
    r2 = bootstrap(llama3, fit_approach2, n_boot=40, budgets=budgets, seed=7)
    assert r1.to_dict() == r2.to_dict()
    assert r1.scheme == "budgets"
    point = fit_approach2(llama3)
    lo, hi = r1.intervals["a"]
    assert lo < point.a < hi
    for entry, c in zip(r1.allocations, budgets, strict=True):
        assert entry["N_opt"][0] < float(point.n_opt(c)) < entry["N_opt"][1]


def test_surface_intervals_cover_every_parameter(llama3):
    def fit(d):
        return fit_varpro(d, objective=Objective("mse", "raw"), grid_step=0.02)

    res = bootstrap(llama3, fit, n_boot=12, budgets=[1e24], seed=1)
    for key in ("E", "A", "B", "alpha", "beta", "a", "b"):
        lo, hi = res.intervals[key]
        assert np.isfinite(lo) and lo < hi
    assert res.n_failed == 0
    d = res.to_dict()
    assert d["n_ok"] == 12 and d["allocations"][0]["C"] == 1e24


def test_batched_bootstrap_equals_refitting_each_replicate(llama3):
    from scalinglab.laws.uncertainty import bootstrap_surface

    obj = Objective("huber", "log")

    def fit(d):
        return fit_varpro(d, objective=obj, grid_step=0.01)

    full = fit(llama3)
    slow = bootstrap(llama3, fit, n_boot=6, budgets=[3.8e25], seed=3)
    fast = bootstrap_surface(
        llama3, full.surface, objective=obj, n_boot=6, budgets=[3.8e25], seed=3
    )
    assert slow.n_failed == fast.n_failed == 0
    assert fast.status_counts == {"converged": 6}
    for key in ("E", "alpha", "beta", "a"):
        # the same replicates (same seed, same draws) optimised by two paths; both stop
        # at L-BFGS's ftol 1e-15 on the objective, i.e. ~1e-7 on the parameters
        np.testing.assert_allclose(fast.samples[key], slow.samples[key], rtol=1e-6)


def test_failed_replicates_are_counted_never_dropped(llama3):
    from scalinglab._types import Status
    from scalinglab.laws.results import SurfaceFit

    calls = {"n": 0}

    def flaky(d):
        calls["n"] += 1
        fit = fit_varpro(d, objective=Objective("mse", "raw"), grid_step=0.05)
        if calls["n"] % 3 == 0:  # every third replicate fails
            return SurfaceFit(
                fit.method, fit.surface, fit.objective, fit.objective_value, fit.n_points,
                Status.FAILED, "synthetic failure",
            )  # fmt: skip
        return fit

    res = bootstrap(llama3, flaky, n_boot=9, seed=0)
    assert res.n_failed == 3 and res.status_counts == {"converged": 6, "failed": 3}
    d = res.to_dict()
    assert (d["n_ok"], d["n_failed"], d["status_counts"]["failed"]) == (6, 3, 3)
    assert res.samples["alpha"].size == 6


@pytest.mark.slow
def test_process_executor_gives_the_same_replicates():
    from scalinglab.laws.catalog import get_law
    from scalinglab.laws.engine import bootstrap_partially_linear

    x = np.geomspace(1, 1e3, 30)
    y = (1 + 2 * x**-0.5) * (1 + 0.01 * np.sin(3 * x))
    counts = np.random.default_rng(0).multinomial(30, np.full(30, 1 / 30), size=8)
    args = (get_law("power"), {"x": x}, y, counts, {"alpha": 0.5})
    one = bootstrap_partially_linear(*args, objective=Objective("huber", "raw"), block=3)
    two = bootstrap_partially_linear(*args, objective=Objective("huber", "raw"), block=3, workers=2)
    assert [r.params for r in one] == [r.params for r in two]  # same code, same floats
