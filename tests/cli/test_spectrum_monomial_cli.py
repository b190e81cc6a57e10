"""``scalinglab spectrum rf-monomial``: JSON contract, conventions, one-line errors, routing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

KEYS = (
    "eigenvalues",
    "reference",
    "window",
    "naive_exponent",
    "slope_vs_reference",
    "log_corrected_exponent",
)
BASE = ("spectrum", "rf-monomial", "--alpha", "1.5", "--input-dim", "600", "--features", "300")


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _one_line_error(code, out, err):
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_json_contract_and_naive_exponent_definition(run_cli):
    code, out, err = run_cli(*BASE, "--degree", "2", "--json")
    assert code == 0, err
    res = json.loads(out)
    for key in KEYS:
        assert key in res
    ev, ref = np.array(res["eigenvalues"]), np.array(res["reference"])
    assert ev.size == 300 and ref.size == 300 and np.all(np.diff(ev) <= 0)
    assert res["window"] == [5, 15]  # [5, d/20]
    # naive_exponent = −slope of log λ_j vs log j over the window (issue 12), recomputed here
    j = np.arange(5, 16)
    slope = np.polyfit(np.log(j), np.log(ev[j - 1]), 1)[0]
    assert res["naive_exponent"] == pytest.approx(-slope, rel=1e-12)
    slope_ref = np.polyfit(np.log(ref[j - 1]), np.log(ev[j - 1]), 1)[0]
    assert res["slope_vs_reference"] == pytest.approx(slope_ref, rel=1e-12)
    assert res["within_theorem"] is True


def test_conventions_unit_weights_and_one_over_d(run_cli):
    # p = 1: tr K = (1/d) Σ_k w_kᵀ H w_k has mean tr H and variance 2 tr H²/d when W has
    # N(0, 1) entries and H = diag(j^-alpha); another scale of W or H would miss by far
    code, out, err = run_cli(*BASE, "--degree", "1", "--seed", "3", "--json")
    assert code == 0, err
    ev = np.array(json.loads(out)["eigenvalues"])
    h = np.arange(1, 601.0) ** -1.5
    se = np.sqrt(2 * np.sum(h**2) / 300)
    assert abs(ev.sum() - h.sum()) < 4 * se  # 4 standard errors


def test_seed_changes_the_draw_and_is_reproducible(run_cli):
    outs = [run_cli(*BASE, "--degree", "1", "--seed", s, "--json")[1] for s in ("1", "1", "2")]
    a, b, c = (np.array(json.loads(o)["eigenvalues"]) for o in outs)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_human_output_plot_and_window(run_cli, tmp_path):
    png = tmp_path / "k.png"
    code, out, err = run_cli(
        *BASE, "--degree", "3", "--window", "4,20", "--plot", str(png), "--quiet"
    )
    assert code == 0, err
    assert "slope vs reference" in out and "j = 4..20" in out
    assert png.stat().st_size > 10_000


def test_alpha_below_one_is_flagged(run_cli):
    code, out, err = run_cli(
        "spectrum", "rf-monomial", "--alpha", "0.8", "--degree", "2",
        "--input-dim", "400", "--features", "200", "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["within_theorem"] is False
    assert any("outside the theorem" in n for n in res["notes"])


@pytest.mark.parametrize(
    "extra",
    [
        ("--degree", "0"),
        ("--degree", "2", "--alpha", "0"),
        ("--degree", "2", "--features", "900"),  # d > v
        ("--degree", "2", "--features", "60"),  # too small for the default window
        ("--degree", "2", "--window", "5"),
        ("--degree", "2", "--window", "10,5"),
        ("--degree", "2", "--plot", "x.pdf"),
        ("--degree", "2", "--plot", "/no/such/dir/x.png"),
        ("--degree", "two"),
        (),  # --degree missing
    ],
)
def test_bad_input_is_one_line(run_cli, extra):
    code, out, err = run_cli(*BASE, *extra, "--json")
    _one_line_error(code, out, err)


def test_dataset_spectrum_is_unchanged_and_help_mentions_the_route(run_cli):
    code, out, err = run_cli("spectrum", "--help")
    assert code == 0
    assert "rf-monomial" in out
    code, out, err = run_cli("spectrum", "no-such-file.npy", "--json")
    _one_line_error(code, out, err)
