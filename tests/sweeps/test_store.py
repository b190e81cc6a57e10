"""The SQLite store: resume, failing points, changed specs, exports, refusing foreign files."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest
from sweeps_helpers import fingerprint, toy_spec_text
from sweeps_toymodel import L0

from scalinglab._validation import InputError
from scalinglab.sweeps.executors import LocalExecutor
from scalinglab.sweeps.runner import run_sweep
from scalinglab.sweeps.spec import parse_spec
from scalinglab.sweeps.store import APPLICATION_ID, SweepStore, load_frame


def _run(spec, db):
    with SweepStore.open(db, create=True, lock=True) as store:
        return run_sweep(spec, store, LocalExecutor())


def test_store_file_is_wal_with_application_id(tmp_path):
    db = tmp_path / "s.db"
    _run(parse_spec(toy_spec_text()), db)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    finally:
        conn.close()


def test_rerun_skips_finished_points(tmp_path):
    spec = parse_spec(toy_spec_text())
    db = tmp_path / "s.db"
    first = _run(spec, db)
    assert (first.total, first.done, first.ran, first.skipped) == (36, 36, 36, 0)
    before = load_frame(db)
    second = _run(spec, db)
    assert (second.done, second.ran, second.skipped) == (36, 0, 36)
    pd.testing.assert_frame_equal(before, load_frame(db))


def test_results_are_the_model_values(tmp_path):
    db = tmp_path / "s.db"
    _run(parse_spec(toy_spec_text()), db)
    df = load_frame(db)
    # independent reference: the toy law L0 (n^-a + t^-a), computed here, not by the model
    expected = L0 * (df["n"] ** -0.5 + df["t"] ** -0.5)
    assert (df["th_loss"] - expected).abs().max() <= 1e-15 * expected.max()
    # the simulation is the law times 1 + 0.01 z, z a mean of 16 normals: |z| < 6/4 always
    # in practice (6 standard deviations of z, whose sd is 1/4)
    assert ((df["sim_loss_mean"] / expected - 1).abs() < 0.015).all()


def test_failing_point_recorded_and_sweep_goes_on(tmp_path, run_cli, write_spec):
    spec_path = write_spec(toy_spec_text(fixed="fail_at = 6"))
    db = tmp_path / "s.db"
    code, out, err = run_cli(
        "sweep", "run", str(spec_path), "--db", str(db), "--executor", "local", "--json"
    )
    assert code == 0
    summary = json.loads(out)
    # n = 6 is one of the 6 n-values: 3 t-values x 2 replicates fail, the other 30 are done
    assert (summary["done"], summary["failed"], summary["pending"]) == (30, 6, 0)
    assert "deliberate failure at n=6" in err
    df = load_frame(db)
    failed = df[df["status"] == "failed"]
    assert set(failed["n"]) == {6}
    assert failed["error"].str.startswith("RuntimeError: deliberate failure at n=6").all()
    assert failed["sim_loss_mean"].isna().all()
    code, out, _ = run_cli("sweep", "status", str(db), "--json")
    assert code == 0 and json.loads(out) == {"total": 36, "done": 30, "failed": 6, "pending": 0}
    # a re-run retries the failed points (and only them)
    code, out, _ = run_cli(
        "sweep", "run", str(spec_path), "--db", str(db), "--executor", "local", "--json", "--quiet"
    )
    again = json.loads(out)
    assert (again["ran"], again["skipped"], again["failed"]) == (6, 30, 6)


def test_changed_spec_reuses_finished_points(tmp_path):
    db = tmp_path / "s.db"
    _run(parse_spec(toy_spec_text(grid="n = [1, 3]\nt = [10]")), db)
    old = load_frame(db).set_index("id")
    grown = _run(parse_spec(toy_spec_text(grid="n = [1, 3, 6]\nt = [10]")), db)
    assert (grown.total, grown.ran, grown.skipped) == (6, 2, 4)
    new = load_frame(db).set_index("id")
    pd.testing.assert_series_equal(old["sim_loss_mean"], new.loc[old.index, "sim_loss_mean"])
    # shrinking the grid leaves the dropped points out of the plan, not out of the file
    small = _run(parse_spec(toy_spec_text(grid="n = [1]\nt = [10]")), db)
    assert (small.total, small.ran) == (2, 0)
    assert len(load_frame(db)) == 2


def test_export_csv_and_parquet_roundtrip(tmp_path, run_cli):
    db = tmp_path / "s.db"
    _run(parse_spec(toy_spec_text()), db)
    df = load_frame(db)
    for suffix in ("csv", "parquet"):
        out = tmp_path / f"out.{suffix}"
        code, stdout, _ = run_cli("sweep", "export", str(db), "--out", str(out), "--json")
        assert code == 0 and json.loads(stdout) == {"out": str(out), "rows": 36}
        back = pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
        assert list(back.columns) == list(df.columns)
        # CSV prints floats with repr, so values round-trip exactly
        pd.testing.assert_series_equal(back["sim_loss_mean"], df["sim_loss_mean"])
        assert list(back["id"]) == list(df["id"])
    code, _, err = run_cli("sweep", "export", str(db), "--out", str(tmp_path / "out.xlsx"))
    assert code == 2 and ".csv or .parquet" in err and not (tmp_path / "out.xlsx").exists()


def test_second_runner_is_refused(tmp_path):
    db = tmp_path / "s.db"
    spec = parse_spec(toy_spec_text())
    with SweepStore.open(db, create=True, lock=True):
        with pytest.raises(InputError, match="another 'sweep run'"):
            SweepStore.open(db, create=True, lock=True)
    _run(spec, db)  # the lock went with the first store


def _foreign_sqlite(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.execute("INSERT INTO users VALUES ('x')")
    conn.commit()
    conn.close()


def _corrupt_store(path):
    _run(parse_spec(toy_spec_text()), path)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[page : 2 * page] = b"\xa5" * page  # garbage over the second page (a b-tree page)
    path.write_bytes(bytes(data))


def _truncated_store(path):
    _run(parse_spec(toy_spec_text()), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


BAD_FILES = {
    "text": (lambda p: p.write_text("name,loss\na,1\n"), "not a SQLite database"),
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "foreign-sqlite": (_foreign_sqlite, "another application"),
    "corrupted-store": (_corrupt_store, "corrupted"),
    "truncated-store": (_truncated_store, "corrupted"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_db_file_exit_2_untouched(kind, tmp_path, run_cli, write_spec):
    make, phrase = BAD_FILES[kind]
    db = tmp_path / "bad.db"
    make(db)
    for extra in ("-wal", "-shm"):  # leave only the main file, as a user would hand it over
        (tmp_path / f"bad.db{extra}").unlink(missing_ok=True)
    before = fingerprint(db)
    spec = write_spec(toy_spec_text())
    commands = [
        ("sweep", "status", str(db), "--json"),
        ("sweep", "run", str(spec), "--db", str(db), "--executor", "local", "--quiet"),
        ("sweep", "export", str(db), "--out", str(tmp_path / "x.csv")),
        ("report", str(db), "--out", str(tmp_path / "x.html")),
    ]
    for args in commands:
        code, out, err = run_cli(*args)
        assert code == 2, (args, err)
        assert out == ""
        assert len(err.strip().splitlines()) == 1 and phrase in err, err
        assert "Traceback" not in err
        assert fingerprint(db) == before
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.html").exists()


def test_missing_store_is_an_input_error(tmp_path, run_cli):
    code, out, err = run_cli("sweep", "status", str(tmp_path / "none.db"))
    assert code == 2 and out == "" and "does not exist" in err
