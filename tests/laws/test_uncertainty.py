"""Bootstrap: seeded reproducibility, resampling schemes, and sane intervals."""

from __future__ import annotations

import numpy as np

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
