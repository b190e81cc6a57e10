"""The issue-14 dynamics figures in quick mode: they run, and their summaries match theory."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab.figures import get_figure


@pytest.mark.slow
def test_dynamics_figures_quick():
    data = get_figure("dynamics-data").make(quick=True, seeds=3)
    # note eq. (15) data floor P^-0.75 on the binned infinite spectrum: 0.740 measured
    assert abs(data.summary["fitted"].iloc[0] - 0.75) < 0.03
    rich = get_figure("dynamics-rich").make(quick=True)
    s = rich.summary
    # chi for hard tasks, beta for the easy one, within the 0.05
    assert np.all(np.abs(s["fitted"] - s["predicted"]) < 0.05), s
    front = get_figure("dynamics-frontier").make(quick=True).summary
    rich_loss = front[(front.gamma == 4.0) & (front.exponent == "loss_vs_compute")]
    # quick grid (widths 32..512): 0.351 vs 0.353, and clearly not 0.400
    assert abs(rich_loss["fitted"].iloc[0] - rich_loss["width_unchanged"].iloc[0]) < 0.02
    assert set(data.figures) == {"main"} and set(rich.figures) == {"main"}


@pytest.mark.slow
def test_reuse_figure_quick():
    out = get_figure("dynamics-reuse").make(quick=True, seeds=8)
    slope = out.summary["fitted"].iloc[0]
    # horizon grows faster than one epoch (slope 1) and near P^alpha; 1.38 measured with 8
    # data sets at P = 25, 40, 64 (exact sampling expectation)
    assert 1.1 < slope < 1.7, slope
    # the deterministic equivalent at d = 1000, P = 25, 64, 160 (no draws): 1.40 measured; the
    # local slope falls with P/d (finite-d truncation, docs/dynamics.md), so only the band
    slope_de = out.summary["fitted"].iloc[1]
    assert 1.3 < slope_de < 1.6, slope_de
    assert set(out.tables["horizon"]["theory"]) == {"exact", "deterministic"}


@pytest.mark.slow
def test_multipass_figure_quick():
    out = get_figure("dynamics-multipass").make(quick=True, seeds=12)
    s = out.summary
    # the gradient-flow approximation misses the SGD noise: measured 18-28 % below Monte Carlo
    # on average over the steps; the homogenized deterministic equivalent 1-3 % (12 seeds give
    # a Monte Carlo standard error of ~14 % per point), so it must be at least 3x closer
    assert np.all(s["mean_rel_flow"] < -0.1), s
    assert np.all(np.abs(s["mean_rel_de"]) < np.abs(s["mean_rel_flow"]) / 3), s
