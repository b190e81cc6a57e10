"""The `fit` and `fit-bias` commands: JSON contract and one-line errors for bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.synthetic import isoflop_sample

LLAMA = ["--c-col", "compute_budget", "--d-col", "training_tokens", "--loss-col", "validation_loss"]
KEYS = {
    "method",
    "E",
    "A",
    "B",
    "alpha",
    "beta",
    "objective",
    "n_points",
    "status",
    "a",
    "b",
    "allocations",
    "ci",
}


@pytest.fixture(scope="module")
def llama_csv(tmp_path_factory):
    from importlib import resources

    src = resources.files("scalinglab").joinpath("data", "llama3_isoflops_points.csv")
    path = tmp_path_factory.mktemp("data") / "llama3.csv"
    path.write_bytes(src.read_bytes())
    return path


@pytest.fixture(scope="module")
def synth_csv(tmp_path_factory):
    truth = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    d = isoflop_sample(truth, grid_width=0.5, points_per_budget=7)
    path = tmp_path_factory.mktemp("data") / "synth.csv"
    lines = ["N,D,loss"] + [
        f"{float(n)!r},{float(t)!r},{float(y)!r}" for n, t, y in zip(d.N, d.D, d.loss, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _json(run_cli, *args):
    code, out, err = run_cli(*args, "--json", "--quiet")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("method", ["varpro", "approach3"])
def test_surface_methods_json_contract(run_cli, synth_csv, method):
    res = _json(run_cli, "fit", str(synth_csv), "--method", method, "--budget", "1e22", "1e23")
    assert KEYS <= res.keys()
    assert res["method"] == method and res["status"] == "converged"
    # Noise-free synthetic input: the CLI reports the truth in input units (1e-6: see
    # the exact-recovery tests of the library).
    np.testing.assert_allclose([res["alpha"], res["beta"], res["E"]], [0.34, 0.28, 1.69], rtol=1e-6)
    np.testing.assert_allclose(res["a"], 0.28 / 0.62, rtol=1e-6)
    assert [row["C"] for row in res["allocations"]] == [1e22, 1e23]
    assert set(res["allocations"][0]) >= {"C", "N_opt", "D_opt"}
    assert res["ci"] == {}
    assert res["n_points"] == 35


def test_approach2_json_and_bootstrap_ci(run_cli, llama_csv):
    res = _json(
        run_cli,
        "fit",
        str(llama_csv),
        *LLAMA,
        "--method",
        "approach2",
        "--budget",
        "3.8e25",
        "--bootstrap",
        "20",
        "--seed",
        "3",
    )
    assert KEYS <= res.keys()
    assert res["E"] is None and res["alpha"] is None  # no surface: null, not NaN
    assert abs(res["a"] - 0.4632) < 5e-5
    ci = res["ci"]
    assert ci["n_boot"] == 20 and ci["a"][0] < res["a"] < ci["a"][1]
    assert ci["allocations"][0]["C"] == 3.8e25
    again = _json(
        run_cli,
        "fit",
        str(llama_csv),
        *LLAMA,
        "--method",
        "approach2",
        "--budget",
        "3.8e25",
        "--bootstrap",
        "20",
        "--seed",
        "3",
    )
    assert again["ci"] == ci  # same seed, same intervals


def test_budget_forms_are_equivalent(run_cli, synth_csv):
    forms = (
        ["--budget", "1e22", "1e23"],
        ["--budget", "1e22,1e23"],
        ["--budget", "1e22", "--budget", "1e23"],
    )
    results = [_json(run_cli, "fit", str(synth_csv), "--method", "approach2", *f) for f in forms]
    assert results[0]["allocations"] == results[1]["allocations"] == results[2]["allocations"]


def test_plot_is_written(run_cli, llama_csv, tmp_path):
    out = tmp_path / "fit.png"
    res = _json(run_cli, "fit", str(llama_csv), *LLAMA, "--method", "approach2", "--plot", str(out))
    assert res["status"] == "converged"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_bias_json(run_cli):
    res = _json(run_cli, "fit-bias", "--alpha", "0.4", "--beta", "0.22", "--grid-width", "1.0")
    rows = {r["method"]: r for r in res["rows"]}
    assert set(rows) == {"approach2", "varpro", "approach3"}
    assert abs(rows["varpro"]["N_opt_rel_error"]) < 1e-8
    assert rows["approach2"]["N_opt_rel_error"] > 1e-3  # biased when alpha > beta


def _write(tmp_path, text, name="bad.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


GOOD_ROWS = "".join(
    f"{n},{d},{y}\n"
    for n, d, y in [
        (1e8, 2e9, 3.1),
        (2e8, 1e9, 3.0),
        (4e8, 5e8, 3.05),
        (1e8, 2e10, 2.8),
        (2e8, 1e10, 2.7),
        (4e8, 5e9, 2.75),
    ]
)


@pytest.mark.parametrize(
    ("text", "args", "needle"),
    [
        ("N,D,loss\n" + GOOD_ROWS + "1e8,abc,3.0\n", [], "line 8: column 'D' is not a number"),
        ("N,D,loss\n" + GOOD_ROWS + "1e8,,3.0\n", [], "line 8: column 'D' is empty"),
        ("N,D,loss\n" + GOOD_ROWS + "1e8,2e9,nan\n", [], "line 8: column 'loss' is not finite"),
        ("N,D,loss\n" + GOOD_ROWS + "-1e8,2e9,3.0\n", [], "line 8: column 'N' must be > 0"),
        ("N,D,loss\n" + GOOD_ROWS + "1e8,2e9,0\n", [], "line 8: column 'loss' must be > 0"),
        ("N,D,loss\n" + GOOD_ROWS, ["--loss-col", "val"], "column 'val' (--loss-col) not found"),
        ("N,tokens,loss\n" + GOOD_ROWS, [], "need two of the columns N, D, C"),
        ("N,D,L\n" + GOOD_ROWS, [], "no 'loss' column"),
        ("N,D,loss\n1e8,2e9,3.1\n2e8,1e9,3.0\n", ["--method", "varpro"], "at least 5 points"),
        (
            "C,D,loss\n1e20,1e9,3\n1e20,2e9,2.9\n1e20,4e9,2.95\n",
            ["--method", "approach2"],
            "at least two compute budgets",
        ),
        ("N,D,loss\n" + GOOD_ROWS, ["--method", "approach9"], "--method must be one of"),
        ("N,D,loss\n" + GOOD_ROWS, ["--objective", "l1"], "--objective must be"),
        ("N,D,loss\n" + GOOD_ROWS, ["--budget", "-5"], "--budget must be a finite number > 0"),
        ("N,D,loss\n" + GOOD_ROWS, ["--huber-delta", "nan"], "--huber-delta"),
        ("N,D,loss\n", [], "has no data rows"),
    ],
)
def test_bad_input_is_one_line_exit_2(run_cli, tmp_path, text, args, needle):
    code, out, err = run_cli("fit", _write(tmp_path, text), *args, "--json")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert needle in err
    assert "Traceback" not in err


def test_missing_file_and_no_half_written_plot(run_cli, tmp_path):
    code, out, err = run_cli("fit", str(tmp_path / "nope.csv"), "--json")
    assert code == 2 and "no such file" in err and out == ""
    bad = _write(tmp_path, "N,D,loss\n" + GOOD_ROWS + "1e8,abc,3\n")
    code, _, err = run_cli("fit", bad, "--plot", str(tmp_path / "p.png"))
    assert code == 2 and not (tmp_path / "p.png").exists()
    assert not list(tmp_path.glob(".p.png*"))


def test_failed_fit_is_a_status_not_an_error(run_cli, tmp_path):
    truth = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    d = isoflop_sample(truth, [1e19, 1e20], offset=2.0, points_per_budget=5)
    path = tmp_path / "offcentre.csv"
    path.write_text(
        "N,D,loss\n"
        + "".join(
            f"{float(n)!r},{float(t)!r},{float(y)!r}\n"
            for n, t, y in zip(d.N, d.D, d.loss, strict=True)
        )
    )
    res = _json(run_cli, "fit", str(path), "--method", "approach2")
    assert res["status"] == "failed" and res["a"] is None and math.isfinite(res["n_points"])


def test_real_process_json_only_on_stdout(llama_csv):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scalinglab",
            "fit",
            str(llama_csv),
            *LLAMA,
            "--method",
            "approach2",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["method"] == "approach2"
    assert Path(llama_csv).exists()
