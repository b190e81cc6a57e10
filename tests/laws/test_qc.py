"""Issue 15 §5: per-budget IsoFLOP QC flags, each rule against data built to trip it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scalinglab.laws.approach2 import fit_approach2
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.io import from_arrays, load_llama3
from scalinglab.laws.qc import QC_FLAGS, apply_qc, isoflop_qc
from scalinglab.laws.synthetic import isoflop_sample

TRUTH = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
BUDGETS = [1e18, 1e19, 1e20]


def _flags(rep):
    return {(b.C, f.name): f for b in rep.budgets for f in b.flags}


@pytest.mark.parametrize("width", [0.25, 0.5, 1.0, 1.5])
def test_clean_noise_free_curves_raise_no_flag(width):
    # Noise-free, centred grids: nothing is wrong, whatever the parabola's own bias.
    rep = isoflop_qc(isoflop_sample(TRUTH, BUDGETS, grid_width=width, points_per_budget=15))
    assert rep.n_flagged_points == 0, [b.flag_names for b in rep.budgets]


def test_duplicates_keep_the_first_row():
    d = isoflop_sample(TRUTH, BUDGETS, grid_width=0.5, points_per_budget=7)
    rows = np.r_[np.arange(d.n_points), 3, 3, 10]
    dup = d.take(rows)
    rep = isoflop_qc(from_arrays(N=dup.N, D=dup.D, loss=dup.loss))
    f = _flags(rep)
    assert f[(1e18, "duplicates")].rows == (21, 22)  # the copies, not row 3
    assert f[(1e19, "duplicates")].rows == (23,)
    # Dropping the copies gives back exactly the clean fit.
    clean = fit_approach2(d)
    fixed = fit_approach2(apply_qc(from_arrays(N=dup.N, D=dup.D, loss=dup.loss), rep))
    assert fixed.a == pytest.approx(clean.a, abs=1e-12)


def test_outlier_is_found_and_removing_it_restores_the_fit():
    rng = np.random.default_rng(3)
    d = isoflop_sample(TRUTH, BUDGETS, grid_width=0.5, points_per_budget=11)
    loss = d.loss * (1 + 0.002 * rng.standard_normal(d.n_points))
    bad = loss.copy()
    bad[16] *= 1.04  # an interior run of the 1e19 budget, 20 noise SDs off
    rep = isoflop_qc(from_arrays(N=d.N, D=d.D, loss=bad))
    assert _flags(rep)[(1e19, "outliers")].rows == (16,)
    assert rep.n_flagged_points == 1
    with_out = fit_approach2(from_arrays(N=d.N, D=d.D, loss=bad))
    cleaned = fit_approach2(apply_qc(from_arrays(N=d.N, D=d.D, loss=bad), rep))
    reference = fit_approach2(from_arrays(N=d.N, D=d.D, loss=loss).take(np.r_[0:16, 17:33]))
    # Removing the flagged row gives the fit of the data without that row, exactly.
    assert cleaned.a == pytest.approx(reference.a, abs=1e-12)
    assert abs(cleaned.a - TRUTH.a) < abs(with_out.a - TRUTH.a)


def test_false_alarm_rate_is_near_its_nominal_level():
    # Gaussian noise, no outlier: the Bonferroni test should flag <= 1 % of budgets;
    # allow 4 % over 150 budgets (binomial: P(>= 6 of 150 at p = 0.01) ~ 0.02).
    rng = np.random.default_rng(0)
    d = isoflop_sample(TRUTH, [1e18, 1e19, 1e20, 1e21, 1e22], grid_width=0.5, points_per_budget=9)
    flagged_budgets = 0
    for _ in range(30):
        loss = d.loss * (1 + 0.003 * rng.standard_normal(d.n_points))
        rep = isoflop_qc(from_arrays(N=d.N, D=d.D, loss=loss))
        flagged_budgets += sum("outliers" in b.flag_names for b in rep.budgets)
    assert flagged_budgets <= 6


def test_too_few_points_excludes_the_budget_for_every_method():
    d = isoflop_sample(TRUTH, BUDGETS, grid_width=0.5, points_per_budget=7)
    keep = np.r_[0:7, 7:11, 14:21]  # the 1e19 budget keeps 4 runs
    small = d.take(keep)
    small = from_arrays(N=small.N, D=small.D, loss=small.loss)
    rep = isoflop_qc(small)
    f = _flags(rep)[(1e19, "too_few_points")]
    assert f.action == "exclude_budget" and len(f.rows) == 4
    assert apply_qc(small, rep, "surface").budgets.size == 2


def test_weak_curvature_and_off_centre():
    # A flat, noisy budget: no reliable minimum (excluded from Approach 2 only).
    rng = np.random.default_rng(1)
    d = isoflop_sample(TRUTH, BUDGETS, grid_width=0.05, points_per_budget=9)
    loss = d.loss * (1 + 0.01 * rng.standard_normal(d.n_points))
    rep = isoflop_qc(from_arrays(N=d.N, D=d.D, loss=loss))
    assert all("weak_curvature" in b.flag_names for b in rep.budgets)
    assert rep.excluded("approach2").all() and not rep.excluded("surface").any()
    # A +-0.25 grid shifted by 0.18 decade: the vertex sits near its edge -> warning.
    off = isoflop_qc(isoflop_sample(TRUTH, BUDGETS, grid_width=0.25, offset=0.18))
    for b in off.budgets:
        (flag,) = b.flags
        assert flag.name == "off_centre" and flag.action == "warn"
        assert b.vertex_position < 0.2 or b.vertex_position > 0.8
    # Shifted beyond the grid: the minimum is an extrapolation -> excluded.
    far = isoflop_qc(isoflop_sample(TRUTH, BUDGETS, grid_width=0.25, offset=1.0))
    assert all(
        f.name == "off_centre" and f.action == "exclude_budget_approach2"
        for b in far.budgets
        for f in b.flags
    )


def test_flag_names_are_the_documented_ones():
    assert QC_FLAGS == ("duplicates", "outliers", "too_few_points", "weak_curvature", "off_centre")


def test_llama3_qc():
    rep = isoflop_qc(load_llama3())
    names = {(f"{b.C:.3g}", n) for b in rep.budgets for n in b.flag_names}
    # The 3e21 budget has 6 runs on a shallow curve: t = 2.8 < 3.
    assert names == {("3e+21", "weak_curvature")}
    assert rep.n_flagged_points == 6


def test_cli_reports_and_applies_qc(run_cli, tmp_path):
    from importlib import resources

    src = resources.files("scalinglab").joinpath("data", "llama3_isoflops_points.csv")
    path = tmp_path / "llama3.csv"
    path.write_bytes(src.read_bytes())
    cols = ["--c-col", "compute_budget", "--d-col", "training_tokens"]
    cols += ["--loss-col", "validation_loss", "--method", "approach2", "--json", "--quiet"]
    code, out, err = run_cli("fit", str(path), *cols)
    assert code == 0, err
    plain = json.loads(out)
    assert plain["qc"]["applied"] is False and plain["qc"]["n_flagged_points"] == 6
    assert plain["qc"]["n_points_fitted"] == 133
    code, out, err = run_cli("fit", str(path), *cols, "--qc")
    assert code == 0, err
    res = json.loads(out)
    assert res["qc"]["applied"] is True and res["qc"]["n_points_fitted"] == 127
    assert len(res["details"]["budgets"]) == 9
    assert res["a"] != plain["a"]


def test_plot_circles_flagged_rows():
    from scalinglab.laws.fitting import fit_law
    from scalinglab.plots.fit import plot_fit

    d = load_llama3()
    rep = isoflop_qc(d)
    fig = plot_fit(d, fit_law(d, "approach2"), flagged=rep.flagged)
    ax = fig.axes[0]
    red = [
        c
        for c in ax.collections
        if len(c.get_edgecolors()) and np.allclose(c.get_edgecolors()[0][:3], (1.0, 0.0, 0.0))
    ]
    assert len(red) == 1 and len(red[0].get_offsets()) == rep.n_flagged_points == 6
