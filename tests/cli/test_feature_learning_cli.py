"""CLI contract of ``scalinglab feature-learning`` and of ``sgd predict --data`` (issue 14)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scalinglab.models.feature_learning import FLConfig, predict

BASE = ("--alpha", "1.5", "--beta", "0.5", "--dim", "120", "--features", "30", "--time", "40",
        "--record", "5", "--seeds", "2")  # fmt: skip


def test_predict_json_matches_library(run_cli):
    code, out, err = run_cli("feature-learning", "predict", *BASE, "--gamma", "2", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert set(d) == {"time", "risk", "risk_floor"}
    cfg = FLConfig(dim=120, features=30, alpha=1.5, beta=0.5, gamma=2.0, time=40.0, record=5)
    np.testing.assert_allclose(d["risk"], predict(cfg, seeds=2).risk, rtol=1e-12)


def test_simulate_json_and_table(run_cli):
    code, out, err = run_cli("feature-learning", "simulate", *BASE, "--json", "--quiet")
    assert code == 0, err
    d = json.loads(out)
    assert set(d) == {"time", "risk_mean", "risk_sem"} and len(d["risk_mean"]) == 5
    code, out, _ = run_cli("feature-learning", "simulate", *BASE, "--method", "reduced",
                           "--quiet")  # fmt: skip
    assert code == 0 and out.splitlines()[0].split() == ["time", "risk_mean", "risk_sem"]


@pytest.mark.parametrize(
    "bad", [("--gamma", "-1"), ("--time", "0"), ("--sketch", "nope"), ("--seeds", "0")]
)
def test_bad_input_is_one_line_exit_2(run_cli, bad):
    code, out, err = run_cli("feature-learning", "simulate", *BASE, *bad, "--json")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_frontier_json_contract(run_cli):
    code, out, err = run_cli("feature-learning", "frontier", "--alpha", "1.5", "--beta", "0.5",
                             "--min-features", "16", "--max-features", "64", "--num-features",
                             "3", "--max-time", "200", "--json", "--quiet")  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    want = 0.75 * (2 / 3) / (0.75 + 2 / 3)  # alpha beta chi / (alpha beta + chi)
    assert d["predicted"]["width_unchanged"]["loss_vs_compute"] == pytest.approx(want)
    assert {"fitted", "compute", "loss", "optimal_features", "status"} <= set(d)


def test_sgd_predict_gd_data_exact_has_sem(run_cli):
    args = ("sgd", "predict", "--alpha", "1.5", "--beta", "0.5", "--dim", "80", "--features",
            "40", "--optimizer", "gd", "--data", "30", "--steps", "100", "--record", "4",
            "--seeds", "3")  # fmt: skip
    code, out, err = run_cli(*args, "--theory", "exact", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert set(d) == {"steps", "risk", "risk_sem"} and all(s > 0 for s in d["risk_sem"])
    code, out, err = run_cli(*args, "--theory", "deterministic", "--json")
    assert code == 0, err
    de = json.loads(out)
    assert set(de) == {"steps", "risk"}
    # deterministic equivalent vs the 3-draw average: same curve within 25 % at these sizes
    np.testing.assert_allclose(de["risk"], d["risk"], rtol=0.25)
