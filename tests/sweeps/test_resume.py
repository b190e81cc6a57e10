"""Interrupt a real `scalinglab sweep run` (kill -9, Ctrl-C) mid-sweep and resume it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sweeps_helpers import RESULT_COLUMNS_IGNORED, toy_spec_text

from scalinglab.sweeps.executors import LocalExecutor
from scalinglab.sweeps.runner import run_sweep
from scalinglab.sweeps.spec import parse_spec
from scalinglab.sweeps.store import SweepStore, load_frame

# 10 n-values x 2 t-values x 2 replicates = 40 points of 50 ms: about 1 s on 2 workers
# 0.15 s per point keeps a few seconds of sweep left after the 4th/8th point: beside two busy
# loops the polling test process was once starved long enough (0.05 s points) for the whole
# sweep to finish before its Ctrl-C arrived
SLOW_SPEC = toy_spec_text(
    fixed="sleep = 0.15",
    grid="n = { log = [1, 1000], num = 10, integer = true }\nt = [10, 100]",
)
TOTAL = 40
WAIT_S = 60.0  # generous: the machine is shared and a cold start imports numpy in 3 processes


def _start(spec: Path, db: Path, env: dict, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scalinglab",
            "sweep",
            "run",
            str(spec),
            "--db",
            str(db),
            "--executor",
            "process",
            "--workers",
            "2",
            "--quiet",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kw,
    )


def _done(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with SweepStore.open(db, readonly=True) as store:
            return store.counts()["done"]
    except Exception:  # the runner may still be creating the file
        return 0


def _wait_for_done(db: Path, at_least: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_S
    while _done(db) < at_least:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.05)


def _descendants(pid: int) -> set[int]:
    """All processes below ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        kids = {p for p, pp in parents.items() if pp in frontier} - found
        found |= kids
        frontier = kids
    return found


def _alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def _reference(tmp_path: Path):
    db = tmp_path / "reference.db"
    with SweepStore.open(db, create=True) as store:
        run_sweep(parse_spec(SLOW_SPEC), store, LocalExecutor())
    return load_frame(db).drop(columns=list(RESULT_COLUMNS_IGNORED))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_kill_9_mid_sweep_then_resume(tmp_path, write_spec, subprocess_env):
    spec = write_spec(SLOW_SPEC)
    db = tmp_path / "killed.db"
    proc = _start(spec, db, subprocess_env)
    _wait_for_done(db, 8, proc)
    workers = _descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done_at_kill = _done(db)
    assert 8 <= done_at_kill < TOTAL  # really killed mid-sweep
    before = load_frame(db).set_index("id")
    finished = before[before["status"] == "done"]

    # orphaned pool workers notice the runner is gone and exit on their own (they poll
    # once a second)
    deadline = time.monotonic() + 10
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(workers), "pool workers outlived the killed runner"

    resumed = _start(spec, db, subprocess_env)
    out, err = resumed.communicate(timeout=WAIT_S)
    assert resumed.returncode == 0, err
    summary = json.loads(out)
    assert summary["total"] == TOTAL and summary["done"] == TOTAL
    assert summary["skipped"] == done_at_kill
    assert summary["ran"] == TOTAL - done_at_kill  # nothing recorded was run again

    after = load_frame(db)
    assert after["id"].is_unique and len(after) == TOTAL  # nothing duplicated
    # the points recorded before the kill were not touched by the resumed run
    kept = after.set_index("id").loc[finished.index]
    assert (kept["finished_at"] == finished["finished_at"]).all()
    # and the final rows are those of an uninterrupted run (nothing lost, nothing changed)
    reference = _reference(tmp_path)
    import pandas as pd

    pd.testing.assert_frame_equal(after.drop(columns=list(RESULT_COLUMNS_IGNORED)), reference)


@pytest.mark.skipif(os.name != "posix", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_stops_cleanly_and_resumes(tmp_path, write_spec, subprocess_env):
    spec = write_spec(SLOW_SPEC)
    db = tmp_path / "interrupted.db"
    # a new session = its own process group, like a shell job; Ctrl-C hits the whole group
    proc = _start(spec, db, subprocess_env, start_new_session=True)
    _wait_for_done(db, 4, proc)
    done_at_signal = _done(db)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=WAIT_S)
    if proc.returncode == 0 and done_at_signal >= TOTAL - 4:
        # Seen once with the machine loaded by a second heavy job: this (starved) test process
        # saw the 4th point only when the sweep was nearly through, and the sweep ended before
        # the signal. That says nothing about Ctrl-C; a sweep that ignores the signal with
        # many points left still fails below.
        pytest.skip(f"the sweep finished before Ctrl-C ({done_at_signal}/{TOTAL} at signal)")
    assert proc.returncode == 130, (done_at_signal, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted:") and "resume" in lines[0]
    assert "Traceback" not in err
    done = _done(db)
    assert 4 <= done < TOTAL
    resumed = _start(spec, db, subprocess_env)
    out, err = resumed.communicate(timeout=WAIT_S)
    assert resumed.returncode == 0, err
    summary = json.loads(out)
    assert (summary["done"], summary["skipped"]) == (TOTAL, done)
