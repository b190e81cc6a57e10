"""SGDConfig validation, reproducibility, the frontier exponents and the CLI contract."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scalinglab._validation import InputError
from scalinglab.models.sgd.frontier import compute_frontier
from scalinglab.models.sgd.model import SGDConfig, predict, simulate

SMALL = dict(dim=80, features=30, alpha=1.5, beta=0.5, steps=200, record=10)


@pytest.mark.parametrize(
    "kw",
    [
        dict(features=0),
        dict(alpha=-1.0),
        dict(lr=-0.1),
        dict(lr=float("nan")),
        dict(batch=0),
        dict(noise_var=-1.0),
        dict(optimizer="adam"),
        dict(schedule="cosine"),
        dict(sketch="none"),  # features != dim
        dict(optimizer="gd", batch=4),
        dict(data=2, batch=4),
        dict(beta=None),
        dict(convention="mrs"),  # beta must be omitted
    ],
)
def test_config_rejects_bad_values(kw):
    with pytest.raises(InputError):
        SGDConfig(**{**SMALL, **kw})


def test_conventions_give_the_same_problem():
    a = SGDConfig(**SMALL)
    b = SGDConfig(**{**SMALL, "alpha": 0.75, "beta": 0.125, "convention": "paquette"})
    c = SGDConfig(**{**SMALL, "alpha": 1.5, "beta": 1.75, "convention": "lin"})
    for other in (b, c):
        np.testing.assert_allclose(other.target(), a.target(), rtol=1e-14)
        np.testing.assert_allclose(other.data_spectrum(), a.data_spectrum(), rtol=1e-14)


def test_simulation_is_reproducible_and_seeded():
    cfg = SGDConfig(**SMALL)
    one, two = simulate(cfg, seeds=3, seed=5), simulate(cfg, seeds=3, seed=5)
    np.testing.assert_array_equal(one.risk, two.risk)
    assert not np.array_equal(one.risk, simulate(cfg, seeds=3, seed=6).risk)


def test_simulate_and_predict_share_the_grid():
    cfg = SGDConfig(**SMALL)
    assert np.array_equal(simulate(cfg, seeds=2).steps, predict(cfg, seeds=2).steps)
    assert cfg.record_steps()[-1] == cfg.steps


def test_predict_theories_agree():
    cfg = SGDConfig(**{**SMALL, "steps": 300, "noise_var": 0.01})
    exact = predict(cfg, theory="exact", seeds=2).risk
    for theory in ("recursion", "volterra"):
        # the same expected risk by independent routes; rounding only
        np.testing.assert_allclose(predict(cfg, theory=theory, seeds=2).risk, exact, rtol=1e-9)


@pytest.mark.parametrize(
    "ap,bp",
    [(1.0, 0.3), (1.0, 0.7)],  # phases Ia and II
)
def test_frontier_exponents_match_phase_predictions(ap, bp):
    """Fit window: the flops where m* lies inside [1.5·m_min, m_max/1.5] (8 sizes 32..2048).
    Tolerances: 0.02 on the loss exponent and 0.03 on the size exponent — the finite-size
    drift of local slopes measured over this window (see docs/sgd.md)."""
    fr = compute_frontier(ap, bp, convention="paquette", max_flops=1e9)
    assert fr.fitted["loss_vs_compute"] == pytest.approx(fr.predicted["loss_vs_compute"], abs=0.02)
    assert fr.fitted["features_vs_compute"] == pytest.approx(
        fr.predicted["features_vs_compute"], abs=0.03
    )


def test_flow_frontier_matches_note_eq12():
    fr = compute_frontier(1.5, 0.5, optimizer="flow", max_flops=1e8)
    # note eq. (12): L* ∝ C^-αβ/(α+1) = C^-0.3, N* ∝ C^{1/(α+1)} = C^0.4; same tolerances
    assert fr.fitted["loss_vs_compute"] == pytest.approx(0.3, abs=0.02)
    assert fr.fitted["features_vs_compute"] == pytest.approx(0.4, abs=0.03)


# --------------------------------------------------------------------------- CLI

ARGS = ["--alpha", "1.5", "--beta", "0.5", "--dim", "80", "--features", "30", "--steps", "200",
        "--record", "10", "--seeds", "3"]  # fmt: skip


def test_cli_simulate_and_predict_json_contract(run_cli, tmp_path):
    code, out, err = run_cli("sgd", "simulate", *ARGS, "--json", "--quiet")
    assert code == 0, err
    sim = json.loads(out)
    assert set(sim) == {"steps", "risk_mean", "risk_sem"}
    code, out, err = run_cli("sgd", "predict", *ARGS, "--json")
    assert code == 0, err
    pred = json.loads(out)
    assert set(pred) == {"steps", "risk"}
    assert pred["steps"] == sim["steps"]
    assert len(pred["risk"]) == len(sim["risk_mean"]) == len(sim["risk_sem"])
    png = tmp_path / "risk.png"
    code, _, err = run_cli("sgd", "simulate", *ARGS, "--quiet", "--plot", str(png))
    assert code == 0, err
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize(
    "extra",
    [
        ["--lr", "50"],  # unstable step
        ["--sketch", "none"],  # features != dim
        ["--optimizer", "adam"],
        ["--seeds", "0"],
        ["--plot", "/no/such/dir/x.png"],
    ],
)
def test_cli_bad_input_is_one_line_exit_2(run_cli, extra):
    code, out, err = run_cli("sgd", "predict", *ARGS, *extra)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_phases_and_frontier(run_cli, tmp_path):
    code, out, err = run_cli("sgd", "phases", "--alpha", "1.5", "--beta", "0.5", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert set(d["phases"]) == {"Ia", "Ib", "Ic", "II", "III", "IVa", "IVb"}
    assert d["setting"]["phase"] == "Ia"
    png = tmp_path / "f.png"
    code, out, err = run_cli("sgd", "frontier", "--alpha", "1.5", "--beta", "0.5",
                             "--max-features", "256", "--num-features", "5", "--max-flops",
                             "1e7", "--json", "--quiet", "--plot", str(png))  # fmt: skip
    assert code == 0, err
    fr = json.loads(out)
    assert {"fitted", "predicted", "flops", "envelope_risk", "optimal_features"} <= set(fr)
    assert png.exists()
