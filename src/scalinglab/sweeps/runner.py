"""Run a sweep: plan the points into the store, run the unfinished ones, record each result.

:func:`execute_point` is what a worker runs for one point (it never raises: a point that fails
comes back as a failed outcome with its error). :func:`run_sweep` drives an executor and writes
every outcome to the store in its own transaction as soon as it arrives.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from scalinglab._types import ProgressFn, to_jsonable
from scalinglab.sweeps.executors import Executor
from scalinglab.sweeps.models import get_model
from scalinglab.sweeps.spec import SweepSpec
from scalinglab.sweeps.store import PointOutcome, PointTask, SweepStore

__all__ = ["SweepRunResult", "execute_point", "failed_outcome", "run_sweep"]



def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _error_text(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def execute_point(task: PointTask) -> PointOutcome:
    """Run one point (simulate and/or predict) and return its outcome; never raises."""
    start = time.perf_counter()
    try:
        adapter = get_model(task.model)
        config, _ = adapter.build(task.params)
        result: dict[str, Any] = {}
        if task.run in ("simulate", "both"):
            result["simulate"] = dict(adapter.simulate(config, task.params, task.seed))
        if task.run in ("predict", "both"):
            result["predict"] = dict(adapter.predict(config, task.params, task.seed))
        clean = to_jsonable(result)
    except Exception as exc:
        return PointOutcome(
            task.id, "failed", None, _error_text(exc), time.perf_counter() - start, _worker_name()
        )
    return PointOutcome(task.id, "done", clean, None, time.perf_counter() - start, _worker_name())


def failed_outcome(task: PointTask, exc: BaseException) -> PointOutcome:
    """The outcome of a point whose execution failed outside the model (e.g. a dead worker)."""
    return PointOutcome(task.id, "failed", None, _error_text(exc), 0.0, "")


@dataclass(frozen=True)
class SweepRunResult:
    """Summary of one ``run_sweep`` call; counts are over the whole plan after the run."""

    total: int
    done: int
    failed: int
    pending: int
    ran: int
    skipped: int
    elapsed_s: float
    executor: str
    workers: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def run_sweep(
    spec: SweepSpec,
    store: SweepStore,
    executor: Executor,
    *,
    progress: ProgressFn | None = None,
) -> SweepRunResult:
    """Run every planned point of ``spec`` that is not done yet, recording each outcome.

    Finished points (same identity) are skipped; failed ones are retried. Each outcome is
    committed on arrival, so interrupting this call (Ctrl-C, kill -9) loses nothing that was
    recorded; running it again resumes.

    Parameters
    ----------
    spec : SweepSpec
    store : SweepStore
        Opened for writing (preferably with ``lock=True``).
    executor : Executor
        See :mod:`scalinglab.sweeps.executors`.
    progress : callable(done, total), optional
        Called after each recorded point, ``total`` being the number of points to run.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from scalinglab.sweeps import SweepStore, make_executor, parse_spec
    >>> spec = parse_spec('''
    ... model = "mrs"
    ... [fixed]
    ... latent_dim = 300
    ... alpha = 1.0
    ... samples = 50
    ... [grid]
    ... features = [10, 20]
    ... ''')
    >>> db = pathlib.Path(tempfile.mkdtemp()) / "demo.db"
    >>> with SweepStore.open(db, create=True) as store:
    ...     result = run_sweep(spec, store, make_executor("local"))
    >>> result.done, result.failed
    (2, 0)
    """
    start = time.perf_counter()
    store.sync_plan(spec)
    todo = store.todo()
    skipped = store.counts()["done"]
    if progress is not None:
        progress(0, len(todo))
    stream = executor.run(execute_point, todo, failed_outcome)
    ran = 0
    try:
        for outcome in stream:
            store.record(outcome)
            ran += 1
            if progress is not None:
                progress(ran, len(todo))
    finally:
        stream.close()  # stops the workers at once on Ctrl-C or an error
    counts = store.counts()
    return SweepRunResult(
        total=counts["total"],
        done=counts["done"],
        failed=counts["failed"],
        pending=counts["pending"],
        ran=ran,
        skipped=skipped,
        elapsed_s=time.perf_counter() - start,
        executor=executor.name,
        workers=executor.workers,
    )
