"""CLI contract of ``spectrum`` and ``learning-curve``: one JSON object, one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

CONTRACT = ("capacity", "capacity_ci", "fit_window", "source", "source_ci")


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(1)
    k = np.arange(1, 41.0)
    x = rng.standard_normal((300, 40)) * k**-0.75  # λ_k = k^-1.5
    y = x @ (rng.standard_normal(40) * k**-0.3)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "y_short.npy", y[:100])
    np.savez(tmp_path / "xy.npz", x=x, y=y)
    (tmp_path / "ragged.csv").write_text("1,2,3\n4,5,6\n7,8\n")
    (tmp_path / "const.csv").write_text("1,2,3\n4,2,6\n7,2,9\n5,2,1\n")
    return tmp_path


def _one_line_error(code, out, err):
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_spectrum_digits_json_contract(run_cli):
    code, out, err = run_cli("spectrum", "digits", "--json")
    assert code == 0, err
    res = json.loads(out)  # exactly one JSON object on stdout
    for key in CONTRACT:
        assert key in res
    assert len(res["capacity_ci"]) == 2 and len(res["fit_window"]) == 2
    assert res["capacity_ci"][0] < res["capacity"] < res["capacity_ci"][1]
    assert res["source"] is not None  # digits carries its labels
    assert res["n_samples"] == 1797


def test_spectrum_without_labels_gives_null_source(run_cli, files):
    code, out, err = run_cli("spectrum", str(files / "x.npy"), "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["source"] is None and res["source_ci"] is None
    assert res["capacity"] == pytest.approx(1.5, abs=0.15)  # 300 samples of 40 dims


def test_spectrum_features_and_plot(run_cli, files):
    png = files / "s.png"
    code, out, err = run_cli(
        "spectrum", str(files / "xy.npz"), "--features", "relu:200", "--json", "--plot", str(png)
    )
    assert code == 0, err
    res = json.loads(out)
    assert res["source"] is not None
    assert png.stat().st_size > 10_000
    code, out, err = run_cli("spectrum", str(files / "x.npy"), "--kernel", "erf")
    assert code == 0, err
    assert "capacity" in out


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["ragged.csv"], "ragged CSV"),
        (["const.csv"], "constant column"),
        (["x.npy", "--labels", "y_short.npy"], "100 labels for 300 samples"),
        (["x.npy", "--features", "gelu:10"], "unknown activation"),
        (["x.npy", "--features", "relu:10", "--kernel", "relu"], "not both"),
        (["x.npy", "--plot", "nodir/x.png"], "does not exist"),
        (["missing.npy"], "not found"),
    ],
)
def test_spectrum_bad_input_is_one_line(run_cli, files, monkeypatch, args, match):
    monkeypatch.chdir(files)
    code, out, err = run_cli("spectrum", *args, "--json")
    _one_line_error(code, out, err)
    assert match in err


def test_learning_curve_json(run_cli, files):
    png = files / "lc.png"
    code, out, err = run_cli(
        "learning-curve",
        str(files / "xy.npz"),
        "--features",
        "relu:64,128",
        "--samples",
        "10,40,120",
        "--seeds",
        "2",
        "--json",
        "--plot",
        str(png),
    )
    assert code == 0, err
    res = json.loads(out)
    assert res["widths"] == [64, 128]
    assert np.array(res["predicted"]).shape == (2, 3)
    assert np.array(res["measured"]).shape == (2, 3)
    assert png.exists()


def test_learning_curve_bad_input(run_cli, files):
    _one_line_error(*run_cli("learning-curve", str(files / "x.npy"), "--json"))  # no labels
    code, out, err = run_cli("learning-curve", str(files / "xy.npz"), "--ridge", "-1", "--json")
    _one_line_error(code, out, err)
    code, out, err = run_cli("learning-curve", str(files / "xy.npz"), "--samples", "10,x", "--json")
    _one_line_error(code, out, err)


def test_figures_are_registered(run_cli):
    code, out, _ = run_cli("figure", "--list", "--json")
    assert code == 0
    figs = json.loads(out)
    assert "mrs-fig13" in figs and "mrs-fig14" in figs


def test_fig4_linear_map_keeps_the_input_rank_relu_extends_it(tmp_path):
    # Reference: linear algebra. A linear map of T centred digits (61 non-constant pixels)
    # to N features has rank min(N, 61); a ReLU layer's features are full rank min(N, T).
    from scalinglab.figures import get_figure

    out = get_figure("mrs-fig4").make(quick=True)
    table = out.tables["main"]
    n_in, t = 61, 1797
    for _, row in table[table.panel != "both"].iterrows():
        n = int(row.curve.split("N = ")[1])
        expected = min(n, n_in) if row.panel == "left" else min(n, t)
        assert row.n_modes == expected, row.curve
    assert table[table.panel == "both"].n_modes.item() == n_in


def test_spectrum_cli_is_the_library_pipeline(run_cli):
    """``spectrum`` only parses and formats: the estimate is empirical.pipelines'."""
    from scalinglab.empirical.datasets import load_dataset
    from scalinglab.empirical.pipelines import measure_pipeline_spectrum

    code, out, err = run_cli("spectrum", "digits", "--features", "relu:256", "--json")
    assert code == 0, err
    data = json.loads(out)
    ds = load_dataset("digits")
    lib = measure_pipeline_spectrum(ds.x, ds.y, features="relu:256", seed=0)
    assert data["spectrum_of"] == lib.description
    assert data["capacity"] == pytest.approx(lib.estimate.capacity, rel=1e-12)
    assert data["source"] == pytest.approx(lib.estimate.source, rel=1e-12)
