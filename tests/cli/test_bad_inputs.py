"""Bad input across every command: one line on stderr naming what the user typed, exit 2,
no traceback, no blank line, nothing written.

Each case is (arguments, a word the message must contain). Files named ``bad.csv``,
``empty.csv``, ``notastore.db``, ``bad.toml``, ``spec.toml`` and the directory ``adir`` are
made in a fresh working directory first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

MRS = ["-M", "200", "--alpha", "1", "-N", "20", "-T", "40"]
CURVE = ["mrs", "curve", "--vary", "samples", "-M", "60", "--alpha", "1", "-N", "5",
         "--values", "10,20", "--seeds", "1", "--out", "c.png"]  # fmt: skip
SGD = ["--alpha", "1.5", "--beta", "0.5", "--dim", "40", "--features", "10", "--steps", "20"]
LL = ["llama3", "--c-col", "compute_budget", "--d-col", "training_tokens", "--loss-col",
      "validation_loss"]  # fmt: skip
HUGE_MRS = ["-M", "10000000", "--alpha", "1", "-N", "10000000", "-T", "10000000"]

CASES: list[tuple[list[str], str]] = [
    # mrs predict
    (["mrs", "predict", "-M", "0", "--alpha", "1", "-N", "20", "-T", "40"], "--latent-dim"),
    (["mrs", "predict", "-M", "200", "--alpha", "-1", "-N", "20", "-T", "40"], "--alpha"),
    (["mrs", "predict", "-M", "200", "--alpha", "nan", "-N", "20", "-T", "40"], "--alpha"),
    (["mrs", "predict", "-M", "200", "--alpha", "inf", "-N", "20", "-T", "40"], "--alpha"),
    (["mrs", "predict", "-M", "200", "--alpha", "1", "-N", "0", "-T", "40"], "--features"),
    (["mrs", "predict", "-M", "200", "--alpha", "1", "-N", "20", "-T", "0"], "--samples"),
    (["mrs", "predict", *MRS, "--ridge", "-1"], "--ridge"),
    (["mrs", "predict", *MRS, "--ridge", "abc"], "--ridge"),
    (["mrs", "predict", *MRS, "--ridge", "nan"], "--ridge"),
    (["mrs", "predict", *MRS, "--lambda-plus", "0"], "--lambda-plus"),
    (["mrs", "predict", *MRS, "--teacher-var", "-1"], "--teacher-var"),
    (["mrs", "predict", *MRS, "--feature-var", "0"], "--feature-var"),
    (["mrs", "predict", *MRS, "--noise-var", "-1"], "--noise-var"),
    (["mrs", "predict", "-M", "abc", "--alpha", "1", "-N", "20", "-T", "40"], "latent-dim"),
    (["mrs", "predict", "-M", "200", "-N", "20", "-T", "40"], "alpha"),
    # mrs simulate
    (["mrs", "simulate", *MRS, "--seeds", "0"], "--seeds"),
    (["mrs", "simulate", *MRS, "--seed", "-1"], "--seed"),
    (["mrs", "simulate", *MRS, "--spectrum", "foo"], "--spectrum"),
    (["mrs", "simulate", *MRS, "--feature-map", "foo"], "--feature-map"),
    (["mrs", "simulate", *MRS, "--relu-input-dim", "5"], "--relu-input-dim"),
    (["mrs", "simulate", *MRS, "--method", "foo"], "--method"),
    (["mrs", "simulate", *MRS, "--test-samples", "0"], "--test-samples"),
    (["mrs", "simulate", *HUGE_MRS], "memory"),
    (["mrs", "simulate", "-M", "200000", "--alpha", "1", "-N", "20000", "-T", "20000"], "GiB"),
    # mrs curve
    ([*CURVE[:3], "foo", *CURVE[4:]], "--vary"),
    ([*CURVE[:8], *CURVE[10:]], "--features"),
    ([*CURVE[:11], "a,b", *CURVE[12:]], "--values"),
    ([*CURVE[:11], "0,10", *CURVE[12:]], "--values"),
    ([*CURVE[:11], "10.5", *CURVE[12:]], "--values"),
    ([*CURVE[:10], *CURVE[12:], "--points", "1"], "--points"),
    ([*CURVE[:10], *CURVE[12:], "--start", "0"], "--start"),
    ([*CURVE[:10], *CURVE[12:], "--start", "10", "--stop", "5"], "--stop"),
    ([*CURVE[:13], "0", *CURVE[14:]], "--seeds"),
    ([*CURVE, "--ridge", "x"], "--ridge"),
    ([*CURVE[:-1], "c.txt"], "--out"),
    ([*CURVE, "--csv", "c.png"], "--csv"),
    ([*CURVE, "--dpi", "5"], "--dpi"),
    # mrs linear-model
    (["mrs", "linear-model", "--dim", "10", "-T", "20"], "--alpha"),
    (
        ["mrs", "linear-model", "--dim", "10", "-T", "20", "--alpha", "1", "--data-var", "1"],
        "--data-var",
    ),
    (["mrs", "linear-model", "--dim", "0", "-T", "20", "--alpha", "1"], "--dim"),
    (["mrs", "linear-model", "--dim", "10", "-T", "20", "--data-var", "-1"], "--data-var"),
    # sgd simulate / predict / frontier / phases
    (["sgd", "simulate", *SGD[:1], "nan", *SGD[2:]], "--alpha"),
    (["sgd", "simulate", *SGD, "--convention", "foo"], "--convention"),
    (["sgd", "simulate", *SGD, "--optimizer", "foo"], "--optimizer"),
    (["sgd", "simulate", *SGD, "--batch", "0"], "--batch"),
    (["sgd", "simulate", *SGD[:-1], "0"], "--steps"),
    (["sgd", "simulate", *SGD, "--schedule", "foo"], "--schedule"),
    (["sgd", "simulate", *SGD, "--sketch", "foo"], "--sketch"),
    (["sgd", "simulate", *SGD, "--record", "0"], "--record"),
    (["sgd", "simulate", *SGD, "--seeds", "0"], "--seeds"),
    (["sgd", "simulate", *SGD, "--noise", "-1"], "--noise"),
    (["sgd", "simulate", *SGD, "--lr", "-1"], "--lr"),
    (["sgd", "simulate", *SGD, "--method", "foo", "--quiet"], "--method"),
    (["sgd", "simulate", "--alpha", "1.5", "--beta", "0.5", "--dim", "100000000"], "memory"),
    (["sgd", "predict", *SGD, "--theory", "foo"], "--theory"),
    (
        [
            "sgd",
            "predict",
            "--alpha",
            "1.5",
            "--beta",
            "0.5",
            "--dim",
            "100000000",
            "--theory",
            "deterministic",
        ],
        "--force",
    ),
    (
        ["sgd", "frontier", "--alpha", "1.5", "--beta", "0.5", "--min-features", "1"],
        "--min-features",
    ),
    (
        ["sgd", "frontier", "--alpha", "1.5", "--beta", "0.5", "--num-features", "2"],
        "--num-features",
    ),
    (
        ["sgd", "frontier", "--alpha", "1.5", "--beta", "0.5", "--max-features", "10000000"],
        "--force",
    ),
    (["sgd", "frontier", "--alpha", "1.5", "--beta", "0.5", "--dim-ratio", "0.5"], "--dim-ratio"),
    (["sgd", "phases", "--alpha", "nan", "--beta", "0.5"], "--alpha"),
    # exponents
    (["exponents", "--alpha", "nan"], "--alpha"),
    (["exponents", "--alpha", "1", "--beta", "inf"], "--beta"),
    (["exponents", "--alpha", "1", "--convention", "foo"], "--convention"),
    (["exponents"], "alpha"),
    (["exponents", "--alpha", "x"], "alpha"),
    # spectrum
    (["spectrum", "nothere.npy"], "nothere"),
    (["spectrum", "digits", "--features", "foo:10"], "foo"),
    (["spectrum", "digits", "--features", "relu"], "--features"),
    (["spectrum", "digits", "--features", "relu:abc"], "--features"),
    (["spectrum", "digits", "--features", "relu:0"], "--features"),
    (["spectrum", "digits", "--features", "relu:10,20"], "one width"),
    (["spectrum", "digits", "--kernel", "foo"], "foo"),
    (["spectrum", "digits", "--kernel", "relu", "--features", "relu:10"], "--kernel"),
    (["spectrum", "digits", "--max-samples", "1"], "--max-samples"),
    (["spectrum", "digits", "--seed", "-1"], "--seed"),
    (["spectrum", "digits", "--plot", "x.gif"], "--plot"),
    (["spectrum", "digits", "--labels", "nothere.npy"], "--labels"),
    (["spectrum", "digits", "--features", "relu:100000000"], "memory"),
    (["spectrum", "bad.csv"], "bad.csv"),
    # learning-curve
    (["learning-curve", "digits", "--samples", "0"], "--samples"),
    (["learning-curve", "digits", "--samples", "a,b"], "--samples"),
    (["learning-curve", "digits", "--ridge", "-1"], "--ridge"),
    (["learning-curve", "digits", "--ridge", "foo"], "--ridge"),
    (["learning-curve", "digits", "--seeds", "0"], "--seeds"),
    (["learning-curve", "digits", "--test-fraction", "1.5"], "--test-fraction"),
    (["learning-curve", "digits", "--features", "relu:0"], "--features"),
    (["learning-curve", "digits", "--features", "relu:10000000"], "memory"),
    # fit
    (["fit", "nothere.csv"], "nothere.csv"),
    (["fit", "adir"], "directory"),
    (["fit", *LL, "--method", "foo"], "--method"),
    (["fit", *LL, "--objective", "foo"], "--objective"),
    (["fit", *LL, "--loss-space", "foo"], "--loss-space"),
    (["fit", *LL, "--huber-delta", "0"], "--huber-delta"),
    (["fit", *LL, "--bootstrap", "-1"], "--bootstrap"),
    (["fit", *LL, "--level", "1.5"], "--level"),
    (["fit", *LL, "--k", "0"], "--k"),
    (["fit", *LL, "--grid-step", "0"], "--grid-step"),
    (["fit", *LL, "--grid-step", "1e-7"], "memory"),
    (["fit", *LL, "--bootstrap", "100000000"], "--bootstrap"),
    (["fit", *LL, "--budget", "abc"], "--budget"),
    (["fit", "llama3", "--loss-col", "nope"], "nope"),
    (["fit", "bad.csv"], "line"),
    (["fit", "empty.csv"], "empty.csv"),
    (["fit", *LL, "--plot", "x.gif"], "--plot"),
    # fit-bias
    (["fit-bias", "--alpha", "-1"], "--alpha"),
    (["fit-bias", "--points-per-budget", "2"], "--points-per-budget"),
    (["fit-bias", "--extrapolate-to", "0"], "--extrapolate-to"),
    (["fit-bias", "--offset", "nan"], "--offset"),
    # sweeps and reports
    (["sweep", "run", "nothere.toml"], "nothere.toml"),
    (["sweep", "run", "bad.toml"], "bad.toml"),
    (["sweep", "run", "adir"], "directory"),
    (["sweep", "run", "spec.toml", "--executor", "foo"], "foo"),
    (["sweep", "run", "spec.toml", "--workers", "0"], "workers"),
    (["sweep", "status", "nothere.db"], "nothere.db"),
    (["sweep", "status", "notastore.db"], "notastore.db"),
    (["sweep", "export", "notastore.db", "--out", "x.csv"], "notastore.db"),
    (["report", "notastore.db"], "notastore.db"),
    # figures
    (["figure", "nope"], "nope"),
    (["figure", "mrs-fig5", "--seeds", "0"], "--seeds"),
    (["figure", "mrs-fig5", "--format", "gif"], "--format"),
    # the command line itself
    (["nosuchcommand"], "nosuchcommand"),
    (["mrs", "nosuchcommand"], "nosuchcommand"),
    (["--nope"], "--nope"),
    (["mrs", "predict", *MRS, "--nope"], "--nope"),
]


def _case_id(case: tuple[list[str], str]) -> str:
    args, _ = case
    return " ".join(args)[:70]


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir").mkdir()
    (tmp_path / "bad.csv").write_text("N,D,loss\n1e8,1e9,abc\n2e8,1e9,2.5\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "notastore.db").write_text("not a database\n")
    (tmp_path / "bad.toml").write_text("x = [\n")
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "spec.toml").write_text((root / "examples" / "mrs-quick.toml").read_text())
    return tmp_path


def test_enough_cases():
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_bad_input_contract(case, run_cli, workdir):
    args, word = case
    before = sorted(str(p) for p in workdir.rglob("*"))
    code, out, err = run_cli(*args)
    assert code == 2, f"exit {code}; stderr: {err!r}; stdout: {out[:200]!r}"
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith("error"), err
    assert "Traceback" not in err
    assert word.lower() in err.lower(), f"message does not name {word!r}: {err!r}"
    for internal in ("to_note", "fit_varpro", "MRSConfig", "SGDConfig", "check_"):
        assert internal not in err, f"message names an internal function: {err!r}"
    assert out == "", f"stdout not empty: {out[:200]!r}"
    assert sorted(str(p) for p in workdir.rglob("*")) == before, "a file was written"
