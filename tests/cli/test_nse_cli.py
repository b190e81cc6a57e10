"""CLI contract of ``scalinglab nse``: one JSON object, one-line errors with exit code 2."""

from __future__ import annotations

import json

import pytest


def _one_line_error(code, out, err):
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_nse_json_contract(run_cli):
    code, out, err = run_cli("nse", "relu", "abs", "he4", "--delta", "1", "10", "--json")
    assert code == 0, err
    res = json.loads(out)  # exactly one JSON object on stdout
    acts = res["activations"]
    assert [a["name"] for a in acts] == ["relu", "abs", "he4"]
    for a in acts:
        for key in ("name", "nse", "information_exponent", "even", "gap_relevant", "thresholds"):
            assert key in a
        assert [t["delta"] for t in a["thresholds"]] == [1.0, 10.0]
    relu, abs_, he4 = acts
    assert (relu["nse"], relu["information_exponent"], relu["even"]) == (1, 1, False)
    assert relu["gap_relevant"] is False
    assert [t["alpha_c"] for t in relu["thresholds"]] == [0.0, 0.0]  # first-order link
    assert (abs_["nse"], abs_["even"], he4["nse"], he4["information_exponent"]) == (1, True, 2, 4)
    # note Table B.4 (5 significant digits)
    assert abs_["thresholds"][0]["alpha_c"] == pytest.approx(1.7621, rel=1e-4)
    assert he4["thresholds"][1]["alpha_c"] == pytest.approx(5.9691, rel=1e-4)
    assert he4["thresholds"][1]["asymptote"] == pytest.approx(100 / 32, rel=1e-12)


def test_nse_infinity_is_null_and_delta_forms_agree(run_cli):
    code, out, err = run_cli("nse", "sign", "--json")
    assert code == 0, err
    sign = json.loads(out)["activations"][0]
    assert sign["nse"] is None and sign["nse_status"] == "converged"
    assert sign["thresholds"] == []
    runs = [
        run_cli("nse", "he2", "--delta", "1", "--delta", "100", "--json"),
        run_cli("nse", "he2", "--delta", "1,100", "--json"),
    ]
    values = [
        [t["alpha_c"] for t in json.loads(o)["activations"][0]["thresholds"]] for _, o, _ in runs
    ]
    assert values[0] == values[1]


def test_nse_hermite_coefficients_and_gamma(run_cli):
    code, out, err = run_cli("nse", "hermite:0,0,0,0,1,0,1", "--gamma", "1", "--json")
    assert code == 0, err
    act = json.loads(out)["activations"][0]
    assert act["nse"] == 2 and act["information_exponent"] == 4
    # §B.2: E[σ² He2] = 20 + 2√30 for h_4 + h_6
    assert act["he2_power_moments"][1] == pytest.approx(30.954451, rel=1e-7)
    assert act["hierarchical"] == {
        "alg_threshold_exponent": 4.0,
        "mse_exponent_alg": -0.25,
        "mse_exponent_opt": -0.5,
    }


def test_nse_human_output(run_cli):
    code, out, err = run_cli("nse", "abs", "sign", "--delta", "1", "--quiet")
    assert code == 0, err
    assert "abs" in out and "inf" in out and "second_order" in out and "first_order" in out


@pytest.mark.parametrize(
    "args",
    [
        ("softplus",),
        ("hermite:3",),
        ("hermite:1,x",),
        ("abs", "--delta", "0"),
        ("abs", "--delta", "-1"),
        ("abs", "--delta", "nan"),
        ("abs", "--delta", "x"),
        ("abs", "3"),
        ("--delta", "1"),
        ("abs", "--beta-max", "0"),
        ("abs", "--rtol", "0.5"),
        ("abs", "--gamma", "0.5"),
        ("abs", "--delta", "1e-12"),
    ],
)
def test_nse_bad_input_is_one_line(run_cli, args):
    _one_line_error(*run_cli("nse", *args))


@pytest.mark.slow  # --list imports every figure module (about 6 s)
def test_nse_figures_are_registered(run_cli):
    code, out, err = run_cli("figure", "--list")
    assert code == 0, err
    assert "nse-fig3" in out and "nse-spectral" in out


@pytest.mark.slow
def test_nse_fig3_quick(run_cli, tmp_path):
    code, out, err = run_cli("figure", "nse-fig3", "--quick", "--out", str(tmp_path), "--json",
                             "--quiet")  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert (tmp_path / "nse-fig3.png").exists() and (tmp_path / "nse-fig3.csv").exists()
    slopes = {row["link"]: row["slope(last two)"] for row in res["summary"]}
    # log–log slope between Δ = 1e5 and 1e6: β★ (note §B.5, ±0.01)
    assert slopes["he2"] == pytest.approx(1.0, abs=0.01)
    assert slopes["abs"] == pytest.approx(1.0, abs=0.01)
    assert slopes["he4"] == pytest.approx(2.0, abs=0.01)
