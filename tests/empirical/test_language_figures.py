"""The registered text-statistics figures in --quick mode: they run and carry their checks."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab.figures import get_figure


@pytest.mark.slow
def test_lang_entropy_quick_markov_gaps():
    out = get_figure("lang-entropy").make(quick=True)
    assert "main" in out.figures
    gaps = out.summary["gap"].to_numpy()
    assert np.all(np.abs(gaps) < 0.01)  # the 0.01 nats, at 2e5 tokens here
    assert any("not the paper" in note for note in out.notes)


@pytest.mark.slow
def test_lang_correlations_quick_copy_process_follows_exact():
    out = get_figure("lang-correlations").make(quick=True)
    table = out.tables["main"]
    copy = table[table.panel == "copy"]
    ok = copy.exact_fro >= copy.floor_fro  # above the floor the estimate must be close
    ratio = copy.fro_debiased[ok] / copy.exact_fro[ok]
    np.testing.assert_allclose(ratio, 1.0, atol=0.05)  # s.d. ≲ 1 % above the floor
    assert set(out.summary["data"]) >= {"copy process"}


@pytest.mark.slow
def test_lang_collapse_quick_runs_and_scores():
    out = get_figure("lang-collapse").make(quick=True)
    row = out.summary.iloc[0]
    assert np.isfinite(row["residual"]) and row["residual"] > 0
    assert 0.1 <= row["best_beta"] <= 3.0
    frame = out.tables["main"]
    # n-gram learning curves: more training tokens never raise the n = 1 held-out loss
    n1 = frame[frame.n == 1].sort_values("tokens")["loss"].to_numpy()
    assert np.all(np.diff(n1) < 0)
