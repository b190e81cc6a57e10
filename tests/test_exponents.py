"""Exponent conventions and predicted exponents (scalinglab.core.exponents)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scalinglab._validation import InputError
from scalinglab.core import exponents as ex


@pytest.mark.parametrize("conv", ["note", "lin", "paquette"])
def test_round_trip_every_convention(conv):
    rng = np.random.default_rng(1)
    for _ in range(50):
        a, b = rng.uniform(0.1, 4.0), rng.uniform(0.05, 3.0)
        there = ex.from_note(conv, a, b)
        back = ex.to_note(conv, *there)
        # exact algebra; tolerance is a few ulps of the arithmetic
        np.testing.assert_allclose(back, (a, b), rtol=1e-13)


def test_known_conversions():
    # note (α, β) = (1.5, 0.5): a = 1.5, b = 1 + αβ = 1.75; α_P = 0.75, β_P = (1 + 0.75 − 1.5)/2
    assert ex.from_note("lin", 1.5, 0.5) == pytest.approx((1.5, 1.75))
    assert ex.from_note("paquette", 1.5, 0.5) == pytest.approx((0.75, 0.125))
    # Paquette's isotropic-looking b_j = 1 (β_P = 0) is MRS with α_M = 2α_P − 1
    assert ex.to_note("paquette", 0.75, 0.0) == pytest.approx((1.5, 1 / 3))
    assert ex.mrs_alpha(1.5, 1 / 3) == pytest.approx(0.5)


def test_mrs_round_trip_and_null():
    for am in (0.1, 0.5, 2.0):
        a, b = ex.to_note("mrs", am)
        assert ex.from_note("mrs", a, b) == pytest.approx((am,))
    assert ex.from_note("mrs", 1.5, 0.5) is None  # not an isotropic teacher
    assert ex.mrs_alpha(0.8, 0.1) is None  # α ≤ 1 has no MRS equivalent


@pytest.mark.parametrize(
    "bad",
    [
        ("note", -1.0, 0.5),
        ("note", 1.0, -0.5),
        ("lin", 1.5, 0.9),  # b ≤ 1: target not summable
        ("paquette", 0.3, 0.1),  # 2(α+β) ≤ 1
        ("nope", 1.0, 1.0),
        ("note", float("nan"), 1.0),
    ],
)
def test_invalid_inputs_raise(bad):
    with pytest.raises(InputError):
        ex.to_note(*bad)


def test_mrs_requires_no_beta():
    with pytest.raises(InputError):
        ex.to_note("mrs", 0.5, 0.3)
    with pytest.raises(InputError):
        ex.to_note("note", 1.5)


@pytest.mark.parametrize("a,b", [(1.2, 0.3), (1.5, 0.5), (2.0, 0.9), (3.0, 1.0)])
def test_gradient_flow_matches_note_eq12(a, b):
    # Atanasov's note, eq. (12): L ∝ C^-αβ/(α+1), N ∝ C^{1/(α+1)}, t ∝ C^{α/(α+1)} (β ≤ 1)
    g = ex.gradient_flow_exponents(a, b)
    assert g["loss_vs_compute"] == pytest.approx(a * b / (a + 1))
    assert g["features_vs_compute"] == pytest.approx(1 / (a + 1))
    assert g["time_vs_compute"] == pytest.approx(a / (a + 1))
    assert g["loss_vs_time"] == pytest.approx(b)
    assert g["loss_vs_features"] == pytest.approx(a * b)


@pytest.mark.parametrize(
    "ap,bp,phase",
    [(1.0, 0.3, "Ia"), (0.8, -0.1, "Ia"), (1.0, 0.7, "II"), (0.7, 1.2, "III"), (0.4, 0.3, "Ib"),
     (0.2, 0.8, "Ic"), (0.4, 0.8, "IVa"), (0.27, 0.8, "IVb")],
)  # fmt: skip
def test_phase_classification(ap, bp, phase):
    a, b = ex.to_note("paquette", ap, bp)
    assert ex.phase(a, b) == phase


@pytest.mark.parametrize("ap,bp", [(1.0, 0.3), (0.8, 0.1), (2.0, 0.45)])
def test_phase_ia_closed_form(ap, bp):
    # Paquette et al. (2024), Phase Ia: ξ = 1/(2α+1), η = (2α+2β−1)/(2α+1)
    res = ex.sgd_compute_optimal(*ex.to_note("paquette", ap, bp))
    assert res["features_vs_compute"] == pytest.approx(1 / (2 * ap + 1))
    assert res["loss_vs_compute"] == pytest.approx((2 * ap + 2 * bp - 1) / (2 * ap + 1))


@pytest.mark.parametrize("ap,bp", [(1.0, 0.7), (0.8, 0.6), (2.0, 1.5)])
def test_phase_ii_closed_form(ap, bp):
    # Phase II: ξ = β/(α+β), η = (2α+2β−1)/(2(α+β))
    res = ex.sgd_compute_optimal(*ex.to_note("paquette", ap, bp))
    assert res["features_vs_compute"] == pytest.approx(bp / (ap + bp))
    assert res["loss_vs_compute"] == pytest.approx((2 * ap + 2 * bp - 1) / (2 * (ap + bp)))


@pytest.mark.parametrize("ap,bp", [(0.7, 1.2), (1.0, 1.5), (0.6, 2.0)])
def test_phase_iii_closed_form(ap, bp):
    # Phase III: ξ = 1/2, η = 1 − 1/(4α)
    res = ex.sgd_compute_optimal(*ex.to_note("paquette", ap, bp))
    assert res["features_vs_compute"] == pytest.approx(0.5)
    assert res["loss_vs_compute"] == pytest.approx(1 - 1 / (4 * ap))


def test_lin_isotropic_matches_note_law():
    # Lin et al. (2024) isotropic prior (b = a): M* ∝ C^{1/(a+1)}, R* ∝ C^{-(a-1)/(a+1)},
    # which is the note's eq. (12) with α = a, αβ = a − 1.
    for a in (1.5, 2.0, 3.0):
        lin = ex.lin_sgd_rates(a, a)
        assert lin["features_vs_compute"] == pytest.approx(1 / (a + 1))
        assert lin["loss_vs_compute"] == pytest.approx((a - 1) / (a + 1))
        gf = ex.gradient_flow_exponents(*ex.to_note("lin", a, a))
        assert gf["loss_vs_compute"] == pytest.approx(lin["loss_vs_compute"])


def test_report_carries_lin_rates_consistent_with_gradient_flow():
    # Two derivations of the same rates: Lin et al.'s bias term decays in samples with the
    # note's time exponent β, and their approximation term with the note's N^-αβ (while
    # αβ ≤ α, i.e. the sketch floor has not saturated). Exact identities, so rounding only.
    for alpha, beta in ((2.0, 0.5), (1.5, 0.8), (3.0, 0.9)):
        rep = ex.exponent_report(alpha, beta, "note")
        gf, lin = rep.gradient_flow, rep.lin_rates
        assert lin["bias_vs_samples"] == pytest.approx(gf["loss_vs_time"], rel=1e-12)
        assert lin["approx_vs_features"] == pytest.approx(gf["loss_vs_features"], rel=1e-12)
    # Lin et al.'s bounds need a > 1 and b > 1: a = α = 0.8 has none.
    assert ex.exponent_report(0.8, 0.5, "note").lin_rates is None


def test_balance_picks_the_crossing():
    terms = [ex.PowerTerm("x", -1.0, 1.0), ex.PowerTerm("y", 0.0, -2.0)]
    xi, eta, active = ex.balance_exponents(terms)
    # −1 + ξ = −2ξ → ξ = 1/3, loss exponent 2/3
    assert xi == pytest.approx(1 / 3)
    assert eta == pytest.approx(2 / 3)
    assert set(active) == {"x", "y"}


def test_report_contract_and_signs():
    rng = np.random.default_rng(3)
    for _ in range(40):
        a, b = rng.uniform(0.2, 3.0), rng.uniform(0.05, 2.5)
        d = ex.exponent_report(a, b).to_dict()
        assert set(d) == {
            "note", "lin", "paquette", "mrs", "gradient_flow", "phase", "sgd_compute_optimal",
            "feature_learning",
        }  # fmt: skip
        assert set(d["gradient_flow"]) == {
            "loss_vs_time", "loss_vs_features", "loss_vs_data", "loss_vs_compute",
            "features_vs_compute", "time_vs_compute",
        }  # fmt: skip
        assert d["phase"] in ex.PHASES
        values = list(d["gradient_flow"].values()) + list(d["sgd_compute_optimal"].values())
        assert all(v > 0 for v in values)


def test_cli_exponents_json(run_cli):
    code, out, err = run_cli("exponents", "--alpha", "0.5", "--convention", "mrs", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["mrs"] == {"alpha": 0.5}
    assert d["note"] == pytest.approx({"alpha": 1.5, "beta": 1 / 3})
    code, out, err = run_cli("exponents", "--alpha", "1.5", "--beta", "0.5", "--json")
    assert json.loads(out)["mrs"] == {"alpha": None}
    code, out, err = run_cli("exponents", "--alpha", "1.5", "--beta", "-3", "--json")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_feature_learning_key_closed_forms():
    # note §3: chi = 2 beta/(1 + beta) for hard tasks, beta for easy ones; the width term is
    # unchanged, so L* ~ C^-(ab chi/(ab + chi)) (issue 14: 0.353 at alpha 1.5, beta 0.5)
    fl = ex.exponent_report(1.5, 0.5).to_dict()["feature_learning"]
    assert fl["time"] == pytest.approx(2 / 3, rel=1e-14)
    assert fl["loss_vs_compute"] == pytest.approx(0.75 * (2 / 3) / (0.75 + 2 / 3), rel=1e-12)
    assert fl["features_vs_compute"] == pytest.approx((2 / 3) / (0.75 + 2 / 3), rel=1e-12)
    easy = ex.exponent_report(1.5, 1.5).to_dict()
    assert easy["feature_learning"]["time"] == 1.5
    assert easy["feature_learning"]["loss_vs_compute"] == easy["gradient_flow"]["loss_vs_compute"]
    rng = np.random.default_rng(5)
    for _ in range(20):
        a, b = rng.uniform(1.05, 3.0), rng.uniform(0.05, 0.95)
        rep = ex.exponent_report(a, b).to_dict()
        rich, lazy = rep["feature_learning"], rep["gradient_flow"]
        assert all(v > 0 for v in rich.values())
        # feature learning never hurts: faster in time, better compute exponent
        assert rich["time"] > lazy["loss_vs_time"]
        assert rich["loss_vs_compute"] > lazy["loss_vs_compute"]
