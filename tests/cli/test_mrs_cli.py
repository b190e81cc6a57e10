"""``scalinglab mrs`` and ``scalinglab figure``: the CLI contract external checks rely on."""

from __future__ import annotations

import json

import pytest

from scalinglab.models import mrs

BASE = ["--latent-dim", "500", "--alpha", "1", "--features", "40", "--samples", "120"]


def test_predict_json_contract(run_cli):
    code, out, err = run_cli("mrs", "predict", *BASE, "--json")
    assert code == 0, err
    data = json.loads(out)
    expected = mrs.predict(mrs.MRSConfig(latent_dim=500, alpha=1.0, features=40, samples=120))
    assert data["loss"] == pytest.approx(expected.loss, rel=1e-12)
    assert set(data) >= {"loss", "label_term", "noise_term", "regime", "formulas"}


def test_predict_closed_form_and_noise(run_cli):
    code, out, _ = run_cli(
        "mrs", "predict", *BASE, "--noise-var", "0.01", "--closed-form", "--json"
    )
    data = json.loads(out)
    assert code == 0
    # eq. (86), T > N < M: σ²/2 · N/(T − N) = 0.005 · 40/80
    assert data["noise_term"] == pytest.approx(0.005 * 40 / 80, rel=1e-12)


def test_predict_finite_ridge_is_null_with_reason(run_cli):
    code, out, _ = run_cli("mrs", "predict", *BASE, "--ridge", "0.1", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["loss"] is None and data["reason"]


def test_simulate_json_contract(run_cli):
    code, out, err = run_cli("mrs", "simulate", *BASE, "--seeds", "3", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["seeds"] == 3
    assert isinstance(data["loss_mean"], float) and isinstance(data["loss_sem"], float)
    assert data["loss_mean"] == pytest.approx(data["theory"], rel=0.1)


def test_simulate_opt_ridge(run_cli):
    code, out, _ = run_cli("mrs", "simulate", *BASE, "--seeds", "2", "--ridge", "opt", "--json")
    data = json.loads(out)
    assert code == 0 and data["ridge"] == "opt" and data["ridge_opt_mean"] > 0


@pytest.mark.parametrize(
    "args",
    [
        [
            "mrs",
            "predict",
            "--latent-dim",
            "500",
            "--alpha",
            "1",
            "--features",
            "0",
            "--samples",
            "10",
        ],
        [
            "mrs",
            "predict",
            "--latent-dim",
            "500",
            "--alpha",
            "-1",
            "--features",
            "5",
            "--samples",
            "10",
        ],
        [
            "mrs",
            "predict",
            "--latent-dim",
            "500",
            "--alpha",
            "nan",
            "--features",
            "5",
            "--samples",
            "10",
        ],
        ["mrs", "simulate", *BASE, "--seeds", "0"],
        ["mrs", "simulate", *BASE, "--ridge", "banana"],
        ["mrs", "simulate", *BASE, "--ridge", "-1"],
        ["mrs", "predict", *BASE, "--unknown-option"],
        ["mrs", "predict", "--alpha", "1"],
        [
            "mrs",
            "curve",
            "--vary",
            "width",
            "--latent-dim",
            "100",
            "--alpha",
            "1",
            "--out",
            "x.png",
        ],
    ],
)
def test_bad_input_one_line_exit_2(run_cli, args):
    code, out, err = run_cli(*args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_curve_writes_png_and_csv(run_cli, tmp_path):
    png, csv = tmp_path / "c.png", tmp_path / "c.csv"
    code, out, err = run_cli(
        "mrs",
        "curve",
        "--vary",
        "samples",
        "--latent-dim",
        "300",
        "--alpha",
        "1",
        "--features",
        "30",
        "--values",
        "10,60,200",
        "--seeds",
        "2",
        "--out",
        str(png),
        "--csv",
        str(csv),
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert len(data["points"]) == 3
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
    assert csv.read_text().splitlines()[0].startswith("samples,")


def test_curve_bad_output_dir_leaves_nothing(run_cli, tmp_path):
    target = tmp_path / "missing" / "c.png"
    code, _, err = run_cli(
        "mrs",
        "curve",
        "--vary",
        "samples",
        "--latent-dim",
        "300",
        "--alpha",
        "1",
        "--features",
        "30",
        "--values",
        "10,60",
        "--seeds",
        "2",
        "--out",
        str(target),
    )
    assert code == 2 and "does not exist" in err
    assert not target.parent.exists()


def test_linear_model_command(run_cli):
    code, out, _ = run_cli(
        "mrs", "linear-model", "--dim", "100", "--samples", "40", "--data-var", "2", "--json"
    )
    assert code == 0
    assert json.loads(out)["loss"] == pytest.approx(0.5 * 2 * (1 - 40 / 100))


def test_figure_list_and_fig5(run_cli, tmp_path):
    code, out, _ = run_cli("figure", "--list", "--json")
    assert code == 0
    ids = json.loads(out)
    assert {
        "mrs-fig4",
        "mrs-fig5",
        "mrs-fig6",
        "mrs-fig7",
        "mrs-fig8",
        "mrs-fig9",
        "mrs-fig10",
        "mrs-fig11",
        "mrs-fig12",
    } <= set(ids)
    code, out, err = run_cli(
        "figure", "mrs-fig5", "--quick", "--quiet", "--out", str(tmp_path), "--json"
    )
    assert code == 0, err
    files = json.loads(out)["files"]
    png = [f for f in files if f.endswith(".png")]
    assert png and (tmp_path / "mrs-fig5.png").stat().st_size > 20_000


def test_curve_cli_is_the_library_curve(run_cli, tmp_path):
    """``mrs curve`` only parses and formats: its points are models.mrs.curve's, and the
    theory line (label_term_curve + noise_coefficient) meets predict() at the grid points."""
    import numpy as np

    from scalinglab.models.mrs.curve import learning_curve

    out_png = tmp_path / "c.png"
    code, out, err = run_cli(
        "mrs", "curve", "--vary", "samples", "-M", "300", "--alpha", "1", "-N", "20",
        "--values", "10,40,160", "--seeds", "2", "--noise-var", "1e-3", "--out", str(out_png),
        "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    lib = learning_curve(
        "samples", latent_dim=300, alpha=1.0, fixed=20, grid=[10, 40, 160], seeds=2,
        noise_var=1e-3,
    )  # fmt: skip
    assert data["points"] == json.loads(json.dumps(lib.points))
    assert out_png.stat().st_size > 0
    for t in (10, 40, 160):
        i = int(np.flatnonzero(lib.theory_x == t)[0])
        cfg = mrs.MRSConfig(latent_dim=300, alpha=1.0, features=20, samples=t, noise_var=1e-3)
        # two routes to eq. (163) + App. B noise: agree to rounding
        assert lib.theory_y[i] == pytest.approx(mrs.predict(cfg).loss, rel=1e-9)


def test_curve_grid_and_ridge_rules():
    from scalinglab._validation import InputError
    from scalinglab.models.mrs.curve import curve_grid, learning_curve

    assert curve_grid(start=10, stop=1000, points=3) == [10, 100, 1000]
    assert curve_grid([5, 7]) == [5, 7]
    for bad in ("0,10", "1.5", "x"):
        with pytest.raises(InputError):
            curve_grid(bad)
    c = learning_curve("features", latent_dim=100, alpha=1.0, fixed=30, grid=[5], ridge=0.1)
    assert c.theory_y is None and c.points[0]["theory"] is None  # no MRS formula at γ > 0
