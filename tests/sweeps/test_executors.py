"""Executors: the same spec gives the same rows in-process, in a process pool and on Dask."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sweeps_helpers import RESULT_COLUMNS_IGNORED, toy_spec_text

from scalinglab._validation import InputError
from scalinglab.models import mrs
from scalinglab.sweeps.executors import ProcessExecutor, default_executor, make_executor
from scalinglab.sweeps.runner import run_sweep
from scalinglab.sweeps.spec import parse_spec
from scalinglab.sweeps.store import SweepStore, load_frame


def _rows(spec, db, executor):
    with SweepStore.open(db, create=True, lock=True) as store:
        result = run_sweep(spec, store, executor)
    assert result.pending == 0
    return load_frame(db).drop(columns=list(RESULT_COLUMNS_IGNORED))


def test_same_rows_on_all_three_executors(tmp_path):
    # includes a failing point: failures must be identical too
    spec = parse_spec(toy_spec_text(fixed="fail_at = 16"))
    local = _rows(spec, tmp_path / "local.db", make_executor("local"))
    process = _rows(spec, tmp_path / "process.db", make_executor("process", workers=2))
    dask = _rows(spec, tmp_path / "dask.db", make_executor("dask", workers=2))
    assert (local["status"] == "failed").sum() == 6
    # exact equality: each point's numbers depend on its seed only, never on where it ran
    pd.testing.assert_frame_equal(local, process)
    pd.testing.assert_frame_equal(local, dask)


def test_process_pool_survives_a_crashing_worker(tmp_path):
    # n = 3 kills its worker process with SIGKILL: the pool breaks, the in-flight points are
    # re-run one by one, the culprit is recorded as failed and every other point is done
    spec = parse_spec(toy_spec_text(fixed="crash_at = 3", grid="n = [1, 3, 6, 16]\nt = [10]"))
    db = tmp_path / "crash.db"
    with SweepStore.open(db, create=True, lock=True) as store:
        result = run_sweep(spec, store, ProcessExecutor(workers=2))
    assert (result.total, result.done, result.failed) == (8, 6, 2)
    df = load_frame(db)
    failed = df[df["status"] == "failed"]
    assert set(failed["n"]) == {3}
    assert failed["error"].str.startswith("WorkerDied").all()


def test_executor_choice_errors(tmp_path, run_cli, write_spec):
    assert default_executor() in ("local", "process")
    with pytest.raises(InputError, match="executor"):
        make_executor("threads")
    with pytest.raises(InputError, match="--scheduler needs --executor dask"):
        make_executor("process", scheduler="tcp://127.0.0.1:1")
    with pytest.raises(InputError, match="has its own workers"):
        make_executor("dask", workers=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(InputError, match="tcp://"):
        make_executor("dask", scheduler="127.0.0.1:8786")
    spec = write_spec(toy_spec_text())
    code, out, err = run_cli("sweep", "run", str(spec), "--workers", "0")
    assert code == 2 and out == "" and "workers" in err


def test_unreachable_scheduler_is_exit_2(tmp_path, run_cli, write_spec, monkeypatch):
    import scalinglab.sweeps.executors as ex

    monkeypatch.setattr(ex, "DASK_CONNECT_TIMEOUT", "1s")
    spec = write_spec(toy_spec_text())
    # port 9 (discard) on localhost: nothing listens there in a test environment
    code, out, err = run_cli(
        "sweep",
        "run",
        str(spec),
        "--db",
        str(tmp_path / "s.db"),
        "--scheduler",
        "tcp://127.0.0.1:9",
        "--quiet",
    )
    assert code == 2 and out == ""
    assert "cannot connect to the Dask scheduler" in err and len(err.strip().splitlines()) == 1


MRS_SPEC = """
model = "mrs"
run = "both"
[fixed]
latent_dim = 200
alpha = 1.0
seeds = 3
[grid]
features = [10, 30]
samples = [20, 60]
ridge = [0.0, "opt"]
"""


def test_mrs_rows_are_mrs_simulate_and_predict(tmp_path, run_cli, write_spec):
    spec_path = write_spec(MRS_SPEC)
    db = tmp_path / "mrs.db"
    code, out, _ = run_cli(
        "sweep",
        "run",
        str(spec_path),
        "--db",
        str(db),
        "--executor",
        "process",
        "--workers",
        "2",
        "--json",
        "--quiet",
    )
    assert code == 0 and json.loads(out)["done"] == 8
    df = load_frame(db)
    # each row is exactly what the model gives when called directly with the point's seed
    for row in df.itertuples():
        cfg = mrs.MRSConfig(latent_dim=200, alpha=1.0, features=row.features, samples=row.samples)
        sim = mrs.simulate(cfg, seeds=3, seed=row.seed, ridge=row.ridge)
        th = mrs.predict(cfg, ridge=row.ridge)
        # BLAS sums in an order set by its thread count (1 in the pool, 2 here) and by memory
        # alignment: 2e-14 relative measured on the loss; 1e-10 leaves room for ill-conditioning
        assert row.sim_loss_mean == pytest.approx(sim.loss_mean, rel=1e-10)
        assert row.sim_loss_sem == pytest.approx(sim.loss_sem, rel=1e-8)
        assert row.th_loss == pytest.approx(th.loss, rel=1e-12)
        assert row.th_regime == th.regime


SGD_SPEC = """
model = "sgd"
run = "both"
[fixed]
dim = 64
alpha = 2.0
beta = 0.5
record = 3
seeds = 2
[grid]
optimizer = ["sgd", "flow"]
features = [4, 8]
steps = [10, 100]
"""


def test_sgd_rows_are_sgd_simulate_and_predict(tmp_path):
    sgd = pytest.importorskip("scalinglab.models.sgd", reason="the SGD model is not installed")
    from scalinglab.core import exponents

    spec = parse_spec(SGD_SPEC)
    db = tmp_path / "sgd.db"
    df = _rows(spec, db, make_executor("local"))
    assert (df["status"] == "done").all() and len(df) == 8
    for row in df.itertuples():
        cfg = sgd.SGDConfig(
            dim=64,
            features=row.features,
            alpha=2.0,
            beta=0.5,
            record=3,
            steps=row.steps,
            optimizer=row.optimizer,
        )
        sim = sgd.simulate(cfg, seeds=2, seed=row.seed)
        th = sgd.predict(cfg, seeds=2, seed=row.seed)
        # same process, same seed: the sweep stores exactly the model's final-step numbers
        assert row.sim_risk == sim.risk_mean[-1]
        assert row.sim_risk_sem == sim.risk_sem[-1]
        assert row.th_risk == th.risk[-1]
        assert row.sim_compute == row.features * row.steps
    # exact exponents only where the gradient-flow law applies (note eqs. 6, 10)
    adapter = spec.adapter
    flow = dict(spec.points[0].params, optimizer="flow")
    rates = exponents.gradient_flow_exponents(2.0, 0.5)
    assert adapter.exact(flow) == {"a": rates["loss_vs_features"], "b": rates["loss_vs_time"]}
    assert adapter.exact(dict(flow, optimizer="sgd")) == {}
