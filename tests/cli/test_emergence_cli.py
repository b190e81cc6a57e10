"""``scalinglab emergence``: JSON contract and the one-line error contract."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scalinglab.models.multiindex import MultiIndexConfig, predict, simulate

SMALL = ["--dim", "16", "--directions", "2", "--width", "2", "--signal-decay", "1",
         "--activation", "he2", "--batch", "16", "--lr", "0.05", "--steps", "120",
         "--init-norm2", "1e-3", "--record", "6"]  # fmt: skip
CFG = MultiIndexConfig(dim=16, directions=2, width=2, signal_decay=1.0, activation="he2",
                       batch=16, lr=0.05, steps=120, init_norm2=1e-3, record=6)  # fmt: skip


def test_simulate_json_contract(run_cli):
    code, out, err = run_cli("emergence", "simulate", *SMALL, "--seeds", "2", "--seed", "3",
                             "--json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"steps", "times", "risk_mean", "risk_sem", "emergence_times"}
    np.testing.assert_allclose(data["times"], 0.05 * np.asarray(data["steps"]), rtol=1e-12)
    ref = simulate(CFG, seeds=2, seed=3)
    np.testing.assert_allclose(data["risk_mean"], ref.risk_mean, rtol=1e-12)
    assert len(data["emergence_times"]) == 2


def test_predict_json_contract_uses_the_same_initial_networks(run_cli):
    code, out, err = run_cli("emergence", "predict", *SMALL, "--seeds", "2", "--seed", "3",
                             "--json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"times", "risk", "emergence_times"}
    ref = predict(CFG, seeds=2, seed=3)
    np.testing.assert_allclose(data["risk"], ref.risk, rtol=1e-12)
    # the flow at t = 0 is the risk of the simulated initial networks
    sim = simulate(MultiIndexConfig(**{**CFG.to_dict(), "steps": 1}), seeds=2, seed=3)
    assert data["risk"][0] == pytest.approx(sim.risk_mean[0], rel=0.05)  # one SGD step apart


def test_exponents_json(run_cli):
    code, out, err = run_cli("emergence", "exponents", "--signal-decay", "1.5",
                             "--directions", "256", "--json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["time"] == pytest.approx(-(2 * 1.5 - 1) / 1.5, rel=1e-15)
    assert data["samples"] == data["time"]
    assert data["width"] == pytest.approx(-2.0, rel=1e-15)
    assert data["compute"] == pytest.approx(-2.0 / 2.5, rel=1e-15)
    assert data["finite_p_time"] == pytest.approx(-1.309, abs=5e-3)  # note §A.3 table
    code, out, _ = run_cli("emergence", "exponents", "--signal-decay", "0.4", "--json")
    assert code == 0 and json.loads(out)["time"] is None  # no power law: NaN -> null


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--dim", "4", "--directions", "8"], "directions"),
        (["--width", "0"], "width"),
        (["--lr", "0"], "lr"),
        (["--lr", "-1"], "lr"),
        (["--activation", "softplus"], "softplus"),
        (["--activation", "hermite:3"], "zero Hermite mass"),
        (["--activation", "sign"], "sign"),
        (["--batch", "0"], "batch"),
        (["--coefficients", "1,x"], "coefficients"),
        (["--coefficients", "1,2,3"], "coefficients"),
        (["--student", "both"], "student"),
    ],
)
def test_bad_input_is_one_line_exit_2(run_cli, args, needle):
    base = ["--dim", "8", "--directions", "2", "--width", "2", "--steps", "5"]
    code, out, err = run_cli("emergence", "simulate", *base, *args, "--json")
    assert code == 2
    assert out == ""
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_predict_bad_method_and_riccati_needs_he2(run_cli):
    code, _, err = run_cli("emergence", "predict", *SMALL, "--method", "nope")
    assert code == 2 and "method" in err
    code, _, err = run_cli("emergence", "predict", *SMALL[:-6], "--activation", "he4",
                           "--method", "riccati")  # fmt: skip
    assert code == 2 and "riccati" in err
