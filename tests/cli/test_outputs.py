"""Every writing command against bad targets: one line on stderr, exit 2, nothing left behind.

The writers are found in the app (every option of type PATH named --out, --plot, --csv or
--db). Each needs a cheap base invocation to be driven; the table ``BASE`` holds one for the
commands present when this test was written. A writer discovered without a row is reported
as skipped with its name, so new commands show up here instead of passing silently.

"Unwritable" is a real one for root as well: a file under ``/proc`` cannot be created by
anyone (and a regular file as the parent directory is refused by the kernel).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import stat
from pathlib import Path

import pytest

UNWRITABLE_DIR = "/proc"  # no file can be created there, not even by root
WRITER_OPTIONS = ("--out", "--plot", "--csv", "--db")
LLAMA = ["--c-col", "compute_budget", "--d-col", "training_tokens", "--loss-col",
         "validation_loss"]  # fmt: skip

# command path -> (base arguments with {T} for the target, option, good suffix, huge args)
# "huge" replaces the base arguments by sizes far beyond any machine (None: no size knob).
BASE: dict[str, tuple[list[str], str, str, list[str] | None]] = {
    "mrs curve": (
        [
            "--vary",
            "samples",
            "-M",
            "60",
            "--alpha",
            "1",
            "-N",
            "5",
            "--values",
            "10,20",
            "--seeds",
            "1",
            "--quiet",
            "--out",
            "{T}",
        ],
        "--out",
        ".png",
        [
            "--vary",
            "samples",
            "-M",
            "10000000",
            "--alpha",
            "1",
            "-N",
            "10000000",
            "--values",
            "10000000",
            "--out",
            "{T}",
        ],
    ),
    "fit": (
        ["llama3", *LLAMA, "--method", "approach2", "--plot", "{T}"],
        "--plot",
        ".png",
        ["llama3", *LLAMA, "--grid-step", "1e-7", "--plot", "{T}"],
    ),
    "fit-bias": (["--points-per-budget", "3", "--plot", "{T}"], "--plot", ".png", None),
    "spectrum": (
        ["digits", "--quiet", "--plot", "{T}"],
        "--plot",
        ".png",
        ["digits", "--features", "relu:100000000", "--plot", "{T}"],
    ),
    "learning-curve": (
        [
            "digits",
            "--features",
            "relu:32",
            "--samples",
            "50,100",
            "--seeds",
            "1",
            "--quiet",
            "--plot",
            "{T}",
        ],
        "--plot",
        ".png",
        ["digits", "--features", "relu:10000000", "--plot", "{T}"],
    ),
    "sgd simulate": (
        [
            "--alpha",
            "1.5",
            "--beta",
            "0.5",
            "--dim",
            "40",
            "--features",
            "10",
            "--steps",
            "20",
            "--record",
            "3",
            "--seeds",
            "1",
            "--quiet",
            "--plot",
            "{T}",
        ],
        "--plot",
        ".png",
        ["--alpha", "1.5", "--beta", "0.5", "--dim", "100000000", "--plot", "{T}"],
    ),
    "sgd predict": (
        [
            "--alpha",
            "1.5",
            "--beta",
            "0.5",
            "--dim",
            "40",
            "--features",
            "10",
            "--steps",
            "20",
            "--record",
            "3",
            "--seeds",
            "1",
            "--plot",
            "{T}",
        ],
        "--plot",
        ".png",
        [
            "--alpha",
            "1.5",
            "--beta",
            "0.5",
            "--dim",
            "100000000",
            "--theory",
            "deterministic",
            "--plot",
            "{T}",
        ],
    ),
    "sgd frontier": (
        [
            "--alpha",
            "1.5",
            "--beta",
            "0.5",
            "--max-features",
            "64",
            "--num-features",
            "3",
            "--max-flops",
            "1e5",
            "--quiet",
            "--plot",
            "{T}",
        ],
        "--plot",
        ".png",
        ["--alpha", "1.5", "--beta", "0.5", "--max-features", "10000000", "--plot", "{T}"],
    ),
    "sgd phases": (["--plot", "{T}"], "--plot", ".png", None),
    "sweep export": (["{DB}", "--out", "{T}"], "--out", ".csv", None),
    "report": (["{DB}", "--out", "{T}"], "--out", ".html", None),
    "sweep run": (["{SPEC}", "--quiet", "--db", "{T}"], "--db", ".db", None),
}


def _writers(command, prefix=()):
    """(command path, option) for every PATH option named like an output."""
    subs = getattr(command, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _writers(sub, (*prefix, name))
        return
    for param in command.params:
        opts = [o for o in getattr(param, "opts", []) if o in WRITER_OPTIONS]
        if opts:
            yield " ".join(prefix), opts[0]


@functools.cache
def _discovered() -> list[tuple[str, str]]:
    import typer

    from scalinglab.cli import app

    return sorted(set(_writers(typer.main.get_command(app))))


@pytest.fixture
def store(tmp_path) -> Path:
    """A valid, empty sweep store in WAL mode (so reading it creates -wal/-shm files)."""
    from scalinglab.sweeps.store import SweepStore

    db = tmp_path / "store" / "s.db"
    db.parent.mkdir()
    with SweepStore.open(db, create=True):
        pass
    return db


@pytest.fixture
def spec(tmp_path) -> Path:
    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "store" / "spec.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text((root / "examples" / "mrs-quick.toml").read_text())
    return path


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _args(base: list[str], target: str, store: Path, spec: Path) -> list[str]:
    out = []
    for a in base:
        out.append(
            a.replace("{T}", target).replace("{DB}", str(store)).replace("{SPEC}", str(spec))
        )
    return out


def _assert_refused(code, out, err, before, root, what):
    assert code == 2, f"{what}: exit {code}\n{err}"
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("error"), f"{what}: {err!r}"
    assert "Traceback" not in err and not err.startswith("\n")
    assert _snapshot(root) == before, f"{what}: files left: {_snapshot(root) - before}"


def test_every_discovered_writer_has_a_row():
    """Lists writers without a base invocation (skipped below) — informative, never silent."""
    found = _discovered()
    assert found, "no writing command discovered"
    missing = [c for c, _ in found if c not in BASE and c != "figure"]  # figure: own test
    covered = [c for c, _ in found if c in BASE]
    assert len(covered) >= 10, covered
    if missing:
        pytest.skip(f"writers without a base invocation in BASE: {sorted(set(missing))}")


CASES = ("unwritable", "directory", "suffix", "file-as-parent", "huge")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", sorted(BASE))
def test_writer_refuses_bad_target(command, case, run_cli, tmp_path, monkeypatch, store, spec):
    base, option, suffix, huge = BASE[command]
    if (command, option) not in _discovered():
        pytest.skip(f"'{command} {option}' is not in the app")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile.txt").write_text("x")
    (tmp_path / "adir").mkdir()
    if case == "unwritable":
        target = f"{UNWRITABLE_DIR}/scalinglab-test{suffix}"
    elif case == "directory":
        target = "adir"
    elif case == "suffix":
        if option == "--db":
            pytest.skip("a sweep store may have any name")
        target = "out.xyz"
    elif case == "file-as-parent":
        target = f"afile.txt/x{suffix}"
    else:
        if huge is None:
            pytest.skip(f"{command} has no size argument")
        base, target = huge, f"ok{suffix}"
    before = _snapshot(tmp_path)
    code, out, err = run_cli(*command.split(), *_args(base, target, store, spec))
    _assert_refused(code, out, err, before, tmp_path, f"{command} [{case}]")
    assert not any(p.name.endswith(("-wal", "-shm")) for p in store.parent.iterdir())


def test_figure_out_directory_targets(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.csv").write_text("x")
    before = _snapshot(tmp_path)
    for args in (
        ["figure", "mrs-fig5", "--quick", "--out", "good.csv"],  # an existing file
        ["figure", "mrs-fig5", "--quick", "--out", f"{UNWRITABLE_DIR}/figs"],
        ["figure", "mrs-fig5", "--quick", "--out", "new", "--format", "gif"],
        ["figure", "mrs-fig5", "--quick", "--out", "good.csv/sub"],
    ):
        code, out, err = run_cli(*args)
        _assert_refused(code, out, err, before, tmp_path, " ".join(args))


def test_failure_after_writing_removes_everything(run_cli, tmp_path, monkeypatch):
    """The PNG is rendered, then writing the CSV fails: neither file may remain."""
    import pandas as pd

    monkeypatch.chdir(tmp_path)

    def broken(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    args = BASE["mrs curve"][0]
    code, _, err = run_cli("mrs", "curve", *[a.replace("{T}", "ok.png") for a in args],
                             "--csv", "c.csv")  # fmt: skip
    assert code == 2 and "No space left" in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_outputs_follow_the_umask(run_cli, tmp_path, monkeypatch, umask, store):
    from matplotlib.figure import Figure

    from scalinglab.cli.output import Outputs

    monkeypatch.chdir(tmp_path)
    old = os.umask(umask)
    try:
        code, _, err = run_cli("sweep", "export", str(store), "--out", "x.parquet")
        assert code == 0, err
        fig = Figure(figsize=(2, 2))
        fig.add_subplot().plot([1, 2])
        with Outputs() as outputs:
            outputs.save_figure(fig, outputs.file("p.svg", option="--plot"), dpi=50)
    finally:
        os.umask(old)
    for name in ("x.parquet", "p.svg"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o666 & ~umask, (name, oct(mode))


def test_replacing_a_file_keeps_its_mode(tmp_path):
    from scalinglab.cli.output import Outputs

    target = tmp_path / "t.csv"
    target.write_text("old")
    target.chmod(0o640)
    with Outputs() as outputs, outputs.open(outputs.file(target, option="--csv"), "w") as fh:
        fh.write("new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_sqlite_side_files_removed_after_refused_export(run_cli, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # another process has read the store in WAL mode: the side files exist until it closes
    conn = sqlite3.connect(store)
    conn.execute("SELECT count(*) FROM meta").fetchone()
    conn.close()
    for args in (["sweep", "export", str(store), "--out", "x.xlsx"],
                 ["sweep", "status", str(store)],
                 ["sweep", "export", str(store), "--out", "x.csv"]):  # fmt: skip
        run_cli(*args)
        assert not any(p.name.endswith(("-wal", "-shm")) for p in store.parent.iterdir()), args
    assert (tmp_path / "x.csv").exists() and not (tmp_path / "x.xlsx").exists()


def test_interrupt_leaves_nothing(tmp_path):
    """Ctrl-C inside a command: the temporary files are removed and nothing is committed."""
    from scalinglab.cli.output import Outputs

    with pytest.raises(KeyboardInterrupt), Outputs() as outputs:
        with outputs.open(outputs.file(tmp_path / "a.png", option="--out"), "wb") as fh:
            fh.write(b"partial")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_progress_lines_when_not_a_terminal(monkeypatch, capsys):
    """Off a terminal (logs, pipes) a long run prints one line per period, not nothing."""
    from scalinglab.cli.output import CallbackProgress

    class NotATerminal:
        is_terminal = False

    monkeypatch.setattr(CallbackProgress, "_console", lambda self: NotATerminal())
    with CallbackProgress("figure", every=0.0) as prog:
        for done in range(1, 4):
            prog(done, 3)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("figure: 3/3 (100 %)")
    with CallbackProgress("quiet", enabled=False) as prog:
        prog(1, 2)
    assert capsys.readouterr().err == ""
