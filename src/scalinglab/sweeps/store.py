"""The result store of a sweep: one SQLite file, crash-safe, resumable.

Layout: a ``meta`` table (what the file is, the spec it was run with) and a ``points`` table,
one row per planned point, keyed by the point's identity (a hash of model, canonical
parameters, seed, run mode and package version; :func:`scalinglab.sweeps.spec.point_id`).

Crash safety
------------
- WAL journal with ``synchronous=NORMAL``: a committed point survives a kill -9 (or crash) of
  the runner or of any worker, since the write-ahead log is in the file system before the
  commit returns; an uncommitted point is simply still pending. Only an OS crash or power cut
  can roll back the last few commits (no fsync per commit: it cost 0.4-4 ms per point here,
  up to 8 % of a 50 ms point); the file stays consistent and those points run again.
- Each finished point is written in its own transaction (status, result, error, timing), so a
  sweep interrupted at any instant resumes with nothing lost and nothing duplicated (the
  identity is the primary key).
- Only the runner writes; workers return results to it. A second runner on the same file is
  refused (an advisory ``flock`` on the file, released by the kernel if the runner dies).
- A file that is not a sweep store (another SQLite database, a corrupted file, anything else)
  is refused with a one-line error before anything is written to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scalinglab._validation import InputError

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "PointOutcome",
    "PointTask",
    "SweepStore",
    "load_frame",
]

APPLICATION_ID = 0x53434C53  # "SCLS": written in the SQLite header, identifies a sweep store
SCHEMA_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
STATUSES = ("pending", "done", "failed")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE points (
    id TEXT PRIMARY KEY,
    idx INTEGER NOT NULL,
    model TEXT NOT NULL,
    params TEXT NOT NULL,
    seed INTEGER NOT NULL,
    replicate INTEGER NOT NULL,
    run TEXT NOT NULL,
    blocks TEXT NOT NULL,
    in_plan INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    result TEXT,
    error TEXT,
    duration REAL,
    worker TEXT,
    finished_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX points_plan ON points (in_plan, status);
"""


@dataclass(frozen=True)
class PointTask:
    """What a worker needs to run one point (picklable, small).

    Examples
    --------
    Built from a planned point, and picklable (it travels to worker processes):

    >>> import pickle
    >>> from scalinglab.sweeps.spec import parse_spec
    >>> spec = parse_spec('''
    ... model = "mrs"
    ... run = "predict"
    ... fixed = { latent_dim = 50, alpha = 1.0, samples = 20, features = 5 }
    ... ''')
    >>> p = spec.points[0]
    >>> task = PointTask(p.id, p.model, p.params, p.seed, p.run)
    >>> pickle.loads(pickle.dumps(task)) == task
    True
    """

    id: str
    model: str
    params: dict[str, Any]
    seed: int
    run: str


@dataclass(frozen=True)
class PointOutcome:
    """The result of one point: ``status`` is "done" (with ``result``) or "failed" (``error``).

    Examples
    --------
    A failed point carries its one-line error and no result:

    >>> out = PointOutcome("0" * 32, "failed", None, "ValueError: boom", 0.01, "worker-1")
    >>> out.status, out.result, out.error
    ('failed', None, 'ValueError: boom')
    """

    id: str
    status: str
    result: dict[str, dict[str, Any]] | None
    error: str | None
    duration: float
    worker: str


def _check_file(path: Path) -> None:
    """Refuse, without writing, any file that is not a scalinglab sweep store."""
    if not path.is_file():
        raise InputError(f"'{path}' is not a file")
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise InputError(f"cannot read '{path}': {exc}") from None
    if not header:
        raise InputError(f"'{path}' is empty: not a scalinglab sweep store")
    if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        raise InputError(
            f"'{path}' is not a SQLite database (corrupted, or another kind of file): "
            "not a scalinglab sweep store"
        )
    app_id = int.from_bytes(header[68:72], "big")
    if app_id != APPLICATION_ID:
        raise InputError(
            f"'{path}' is a SQLite database of another application "
            f"(application_id {app_id:#x}): not a scalinglab sweep store"
        )


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rw'}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1e3)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _verify(conn: sqlite3.Connection, path: Path) -> dict[str, str]:
    """Integrity check and meta table of an opened store; raises InputError if broken."""
    try:
        problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems[:3]))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"meta", "points"} <= tables:
            raise sqlite3.DatabaseError("missing tables")
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise InputError(f"'{path}' is a corrupted scalinglab sweep store ({exc})") from None
    if meta.get("app") != "scalinglab-sweep":
        raise InputError(f"'{path}' is a corrupted scalinglab sweep store (bad meta table)")
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise InputError(
            f"'{path}' was written by a newer scalinglab (store schema {version}, this version "
            f"reads up to {SCHEMA_VERSION})"
        )
    return meta


def _create(path: Path) -> None:
    """Create an empty store atomically: build it next to ``path``, then link it into place."""
    from scalinglab import __version__

    if not path.parent.exists():
        raise InputError(f"the directory of '{path}' does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)  # mkstemp's 0600 -> the user's umask, like any file
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.executescript(_SCHEMA)
            meta = {
                "app": "scalinglab-sweep",
                "schema_version": str(SCHEMA_VERSION),
                "created_at": repr(time.time()),
                "created_by": __version__,
            }
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            conn.execute("COMMIT")
        finally:
            conn.close()
        with contextlib.suppress(FileExistsError):  # someone else created it first: use theirs
            os.link(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


class SweepStore:
    """A sweep's SQLite store. Use :meth:`open` (or as a context manager).

    Parameters are keyword-only in :meth:`open`: ``create`` makes a new store if the file does
    not exist, ``readonly`` opens for reading only (status, export, report), ``lock`` takes the
    single-runner lock.

    Examples
    --------
    Plan two points, finish one, then "resume": only the other is still to do. A file that is
    not a store is refused:

    >>> import tempfile
    >>> from scalinglab.sweeps.spec import parse_spec
    >>> spec = parse_spec('''
    ... model = "mrs"
    ... run = "predict"
    ... fixed = { latent_dim = 50, alpha = 1.0, samples = 20 }
    ... grid = { features = [5, 10] }
    ... ''', source="demo.toml")
    >>> path = Path(tempfile.mkdtemp()) / "demo.sqlite"
    >>> with SweepStore.open(path, create=True, lock=True) as store:
    ...     store.sync_plan(spec)
    ...     first, second = store.todo()
    ...     store.record(PointOutcome(first.id, "done", {"predict": {"loss": 0.5}}, None, 0.0, "w"))
    ...     print(store.counts())
    {'total': 2, 'done': 1, 'failed': 0, 'pending': 1}
    >>> with SweepStore.open(path, lock=True) as store:
    ...     store.sync_plan(spec)
    ...     print([task.id == second.id for task in store.todo()], store.meta["name"])
    [True] demo
    >>> other = path.with_name("notes.txt")
    >>> _ = other.write_text("hello")
    >>> SweepStore.open(other)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: '...notes.txt' is not a SQLite database ...
    """

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        meta: dict[str, str],
        lock_fd: int | None,
        readonly: bool,
    ) -> None:
        self.path = path
        self._conn = conn
        self._meta = meta
        self._lock_fd = lock_fd
        self.readonly = readonly

    # ------------------------------------------------------------------ opening and closing

    @classmethod
    def open(
        cls, path: str | Path, *, create: bool = False, readonly: bool = False, lock: bool = False
    ) -> SweepStore:
        p = Path(path)
        if not p.exists():
            if not create:
                raise InputError(f"sweep store '{p}' does not exist")
            _create(p)
        _check_file(p)
        try:
            check = _connect(p, readonly=True)
        except sqlite3.Error as exc:
            raise InputError(f"cannot open '{p}': {exc}") from None
        try:
            meta = _verify(check, p)
        finally:
            check.close()
        lock_fd = cls._lock(p) if lock else None
        try:
            if readonly:
                # A validated store: read through a normal connection so that SQLite removes
                # its -wal/-shm files on close; a true read-only one if the file is not ours
                # to write (read-only media, another user's file).
                try:
                    conn = _connect(p, readonly=not os.access(p, os.W_OK))
                except sqlite3.OperationalError:
                    conn = _connect(p, readonly=True)
            else:
                conn = _connect(p, readonly=False)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            if lock_fd is not None:
                os.close(lock_fd)
            raise InputError(f"cannot open '{p}': {exc}") from None
        return cls(p, conn, meta, lock_fd, readonly)

    @staticmethod
    def _lock(path: Path) -> int | None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX: no runner lock
            return None
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(
                f"another 'sweep run' is writing '{path}'; wait for it or use another --db"
            ) from None
        except OSError:  # pragma: no cover - filesystem without flock: run unlocked
            return fd
        return fd

    def close(self) -> None:
        """Close the store. SQLite deletes the ``-wal``/``-shm`` side files when the last
        connection to a store closes, but only if that connection has read through the WAL:
        one that never ran a query (an export refused before reading, say) would leave the
        side files that the validating read-only connection created. So read once first."""
        with contextlib.suppress(sqlite3.Error):
            if not self._conn.in_transaction:
                self._conn.execute("SELECT count(*) FROM meta").fetchone()
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise RuntimeError("this store was opened read-only")
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # ------------------------------------------------------------------ plan and results

    @property
    def meta(self) -> dict[str, Any]:
        """The store's meta table; ``spec`` (decoded JSON) once a sweep has been planned."""
        out: dict[str, Any] = dict(self._meta)
        if "spec" in out:
            out["spec"] = json.loads(out["spec"])
        return out

    def sync_plan(self, spec: Any) -> None:
        """Make the spec's points the current plan (one transaction).

        New points are added as pending; points already in the store keep their results (a
        changed spec reuses every point whose identity did not change); points no longer in
        the spec stay in the file but leave the plan (not counted, not exported).
        """
        rows = [
            (
                p.id,
                p.idx,
                p.model,
                json.dumps(p.params),
                p.seed,
                p.replicate,
                p.run,
                json.dumps(list(p.blocks)),
            )
            for p in spec.points
        ]
        meta = {
            "spec": json.dumps(spec.to_meta()),
            "spec_text": spec.text,
            "name": spec.name,
            "model": spec.model,
        }
        with self._tx() as conn:
            conn.execute("UPDATE points SET in_plan = 0")
            conn.executemany(
                "INSERT INTO points (id, idx, model, params, seed, replicate, run, blocks) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET in_plan = 1, "
                "idx = excluded.idx, blocks = excluded.blocks",
                rows,
            )
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
        self._meta.update(meta)

    def todo(self) -> list[PointTask]:
        """The planned points that are not done (pending or failed), in plan order."""
        cur = self._conn.execute(
            "SELECT id, model, params, seed, run FROM points "
            "WHERE in_plan = 1 AND status != 'done' ORDER BY idx"
        )
        return [PointTask(i, m, json.loads(p), s, r) for i, m, p, s, r in cur]

    def record(self, outcome: PointOutcome) -> None:
        """Write one finished point (done or failed) in its own transaction."""
        if outcome.status not in ("done", "failed"):
            raise ValueError(f"outcome status must be 'done' or 'failed', got {outcome.status!r}")
        result = None if outcome.result is None else json.dumps(outcome.result, allow_nan=False)
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE points SET status = ?, result = ?, error = ?, duration = ?, worker = ?, "
                "finished_at = ?, attempts = attempts + 1 WHERE id = ?",
                (
                    outcome.status,
                    result,
                    outcome.error,
                    outcome.duration,
                    outcome.worker,
                    time.time(),
                    outcome.id,
                ),
            )
            if cur.rowcount != 1:
                raise KeyError(f"point {outcome.id} is not in the store")

    def counts(self) -> dict[str, int]:
        """``{"total", "done", "failed", "pending"}`` over the current plan."""
        out = dict.fromkeys(STATUSES, 0)
        for status, n in self._conn.execute(
            "SELECT status, COUNT(*) FROM points WHERE in_plan = 1 GROUP BY status"
        ):
            out[status] = n
        return {
            "total": sum(out.values()),
            "done": out["done"],
            "failed": out["failed"],
            "pending": out["pending"],
        }

    def failures(self, limit: int = 20) -> list[tuple[str, dict[str, Any], str]]:
        """(id, params, error) of failed points in the plan (at most ``limit``)."""
        cur = self._conn.execute(
            "SELECT id, params, error FROM points WHERE in_plan = 1 AND status = 'failed' "
            "ORDER BY idx LIMIT ?",
            (limit,),
        )
        return [(i, json.loads(p), e or "") for i, p, e in cur]

    def rows(self) -> list[dict[str, Any]]:
        """Every planned point as a flat dict (parameters, results, status), in plan order."""
        cur = self._conn.execute(
            "SELECT idx, id, status, replicate, seed, params, blocks, result, error, duration, "
            "worker, finished_at FROM points WHERE in_plan = 1 ORDER BY idx"
        )
        out = []
        for idx, pid, status, rep, seed, params, blocks, result, error, dur, worker, fin in cur:
            row: dict[str, Any] = {
                "idx": idx,
                "id": pid,
                "status": status,
                "replicate": rep,
                "seed": seed,
            }
            row.update(json.loads(params))
            res = json.loads(result) if result else {}
            for prefix, part in (("sim_", "simulate"), ("th_", "predict")):
                for k, v in (res.get(part) or {}).items():
                    row[prefix + k] = v
            row.update(
                {
                    "error": error,
                    "duration_s": dur,
                    "worker": worker,
                    "finished_at": fin,
                    "blocks": json.loads(blocks),
                }
            )
            out.append(row)
        return out

    def frame(self) -> Any:
        """The planned points as a pandas DataFrame (see :func:`load_frame`)."""
        import pandas as pd

        rows = self.rows()
        df = pd.DataFrame.from_records(rows)
        if df.empty:
            return df
        df["blocks"] = df["blocks"].map(lambda b: ",".join(map(str, b)))
        return df

    def export(self, out: str | Path) -> int:
        """Write the planned points to CSV or Parquet (by suffix), atomically; returns rows."""
        out = Path(out)
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise InputError(f"--out must end in .csv or .parquet, got '{out.name}'")
        if not out.parent.exists():
            raise InputError(f"the output directory '{out.parent}' does not exist")
        df = self.frame()
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # mkstemp's 0600 -> the user's umask, like any file
        try:
            with os.fdopen(fd, "wb") as fh:
                if suffix == ".csv":
                    fh.write(df.to_csv(index=False).encode())
                else:
                    df.to_parquet(fh, index=False)
            os.replace(tmp, out)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return len(df)


def load_frame(path: str | Path, *, statuses: Sequence[str] | None = None) -> Any:
    """Load a sweep store as a pandas DataFrame, one row per planned point.

    Columns: ``idx, id, status, replicate, seed``, the model parameters, ``sim_<quantity>``
    (simulation) and ``th_<quantity>`` (theory) results, ``error``, ``duration_s``, ``worker``,
    ``finished_at``, ``blocks``. ``statuses`` keeps only those statuses (e.g. ``["done"]``).

    Examples
    --------
    One row per planned point, with the theory results under ``th_``:

    >>> import tempfile
    >>> from scalinglab.sweeps.spec import parse_spec
    >>> spec = parse_spec('''
    ... model = "mrs"
    ... run = "predict"
    ... fixed = { latent_dim = 50, alpha = 1.0, samples = 20 }
    ... grid = { features = [5, 10] }
    ... ''')
    >>> path = Path(tempfile.mkdtemp()) / "demo.sqlite"
    >>> with SweepStore.open(path, create=True) as store:
    ...     store.sync_plan(spec)
    ...     task = store.todo()[0]
    ...     store.record(PointOutcome(task.id, "done", {"predict": {"loss": 0.5}}, None, 0.0, "w"))
    >>> frame = load_frame(path)
    >>> frame["features"].tolist(), frame["status"].tolist(), frame["th_loss"].tolist()[0]
    ([5, 10], ['done', 'pending'], 0.5)
    >>> load_frame(path, statuses=["done"])["features"].tolist()
    [5]
    """
    with SweepStore.open(path, readonly=True) as store:
        df = store.frame()
    if statuses is not None and not df.empty:
        df = df[df["status"].isin(list(statuses))].reset_index(drop=True)
    return df
