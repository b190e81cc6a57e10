"""CLI contract of ``scalinglab lang``: one JSON object, one-line errors with exit code 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

STATS_KEYS = (
    "lags", "op_norm", "fro_norm", "fro_debiased", "floor_op", "floor_fro", "beta", "beta_ci",
    "window", "tokens", "vocab",
)  # fmt: skip


def _one_line_error(code, out, err):
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_predict_reproduces_published_numbers(run_cli):
    code, out, err = run_cli(
        "lang", "predict", "--gamma", "0.325", "--beta", "0.88",
        "--se-gamma", "0.003", "--se-beta", "0.06", "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["alpha_D"] == pytest.approx(0.18466, abs=5e-6)
    assert res["se"] == pytest.approx(0.0127, abs=5e-5)
    code, out, _ = run_cli(
        "lang", "predict", "--gamma", "0.265", "--beta", "0.94",
        "--se-gamma", "0.016", "--se-beta", "0.16", "--json",
    )  # fmt: skip
    res = json.loads(out)
    assert res["alpha_D"] == pytest.approx(0.14096, abs=5e-6)
    assert res["se"] == pytest.approx(0.0255, abs=5e-5)


def test_predict_compares_with_runs(run_cli, tmp_path):
    p = np.geomspace(1e5, 1e9, 8)
    loss = 2.0 + 25.0 * p**-0.185
    np.savetxt(tmp_path / "runs.csv", np.column_stack([p, loss]), delimiter=",",
               header="tokens,loss", comments="")  # fmt: skip
    code, out, err = run_cli(
        "lang", "predict", "--gamma", "0.325", "--beta", "0.88", "--runs",
        str(tmp_path / "runs.csv"), "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["measured"]["alpha_D"] == pytest.approx(0.185, abs=1e-4)  # exact data


def test_stats_json_contract_and_plot(run_cli, tmp_path):
    png = tmp_path / "c.png"
    code, out, err = run_cli(
        "lang", "stats", "bundled", "--vocab", "1024", "--lags", "1:32", "--window", "1:16",
        "--json", "--plot", str(png),
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    for key in STATS_KEYS:
        assert key in res
    assert res["window"][0] == 1 and res["window"][1] <= 16
    assert len(res["lags"]) == len(res["op_norm"]) == len(res["floor_op"])
    assert png.stat().st_size > 1000


def test_stats_npy_ids_used_as_is(run_cli, tmp_path):
    from scalinglab.empirical.language import copy_process

    np.save(tmp_path / "ids.npy", copy_process(300_000, 16, q=0.6, a=0.5, seed=3))
    code, out, err = run_cli(
        "lang", "stats", str(tmp_path / "ids.npy"), "--lags", "1:16", "--floor", "uniform",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["vocab"] == 16 and res["tokens"] == 300_000


def test_entropy_json_and_user_losses(run_cli, tmp_path):
    code, out, err = run_cli("lang", "entropy", "bundled", "--n-max", "3", "--json",
                             "--h-inf", "0")  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert len(res["H_n"]) == 4 and res["H_n"][0] > res["H_n"][1]
    assert "not the paper" in res["note"]
    n = np.arange(1, 9)
    np.savetxt(tmp_path / "ln.csv", np.column_stack([n, 1.5 + n**-0.3]), delimiter=",",
               header="n,loss", comments="")  # fmt: skip
    code, out, err = run_cli("lang", "entropy", "--losses", str(tmp_path / "ln.csv"), "--json")
    assert code == 0, err
    assert json.loads(out)["gamma"] == pytest.approx(0.3, abs=1e-6)


def test_collapse_finds_generating_beta(run_cli, tmp_path):
    xs = np.geomspace(0.1, 1e4, 9)
    ns = np.repeat(np.arange(1.0, 7.0), xs.size)
    xa = np.tile(xs, 6)
    loss = 1.9 + ns**-0.3 * (0.4 + xa**-0.3)
    p = xa * ns ** (2 * 0.9)
    np.savetxt(tmp_path / "t.csv", np.column_stack([p, ns, loss]), delimiter=",",
               header="tokens,n,loss", comments="")  # fmt: skip
    code, out, err = run_cli(
        "lang", "collapse", str(tmp_path / "t.csv"), "--gamma", "0.3", "--beta", "0.9",
        "--h-inf", "1.9", "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["residual"] < 1e-12
    assert res["best_beta"] == pytest.approx(0.9)


@pytest.mark.parametrize(
    "args",
    [
        ("lang", "stats", "EMPTY"),
        ("lang", "stats", "BINARY"),
        ("lang", "stats", "bundled", "--vocab", "1"),
        ("lang", "stats", "bundled", "--lags", "1:100000"),
        ("lang", "stats", "NOISE"),
        ("lang", "stats", "bundled", "--lags", "abc"),
        ("lang", "predict", "--gamma", "0.3", "--beta", "0"),
        ("lang", "entropy"),
        ("lang", "collapse", "EMPTY", "--gamma", "0.3", "--beta", "1", "--h-inf", "1"),
    ],
)
def test_bad_inputs_one_line_exit_2(run_cli, tmp_path, args):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02\x03")
    np.save(tmp_path / "noise.npy", np.random.default_rng(0).integers(0, 200, 3000))
    subst = {
        "EMPTY": str(tmp_path / "empty.txt"),
        "BINARY": str(tmp_path / "bin.txt"),
        "NOISE": str(tmp_path / "noise.npy"),
    }
    _one_line_error(*run_cli(*[subst.get(a, a) for a in args]))
