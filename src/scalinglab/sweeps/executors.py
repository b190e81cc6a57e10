"""Executors: where the points of a sweep run.

Every executor has one method, ``run(fn, tasks, on_error)``, that yields ``fn(task)`` for each
task *as it finishes* (in any order); an infrastructure failure of one task (a worker process
that died, a Dask ``KilledWorker``) is turned into ``on_error(task, exc)`` and the run goes on.
Results never depend on the executor: each point carries its own seed.

- :class:`LocalExecutor` — in this process, one point after another.
- :class:`ProcessExecutor` — a local process pool (the default when more than one core).
  Workers ignore Ctrl-C (the runner stops them), limit their BLAS threads so that
  ``workers x threads <= cores``, and exit by themselves if the runner is killed. If a worker
  dies (segfault, OOM kill), the points that were in flight are re-run one by one in a fresh
  single-worker pool, so the one that kills its worker is recorded as failed and the others
  are not lost.
- :class:`DaskExecutor` — ``dask.distributed``: a ``LocalCluster`` when no scheduler address is
  given, else a client of the scheduler at ``tcp://host:port`` (for SLURM/PBS clusters start
  one with ``dask-jobqueue``; see docs/sweeps.md). Workers must be able to import scalinglab.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from scalinglab._validation import InputError, check_choice, check_int

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "ProcessExecutor",
    "WorkerDied",
    "available_cores",
    "default_executor",
    "make_executor",
]

EXECUTORS = ("local", "process", "dask")
PARENT_POLL_S = 1.0  # how often a pool worker checks that the runner is still alive
WINDOW_PER_WORKER = 2  # tasks queued per worker in the process pool (keeps workers busy)
DASK_CONNECT_TIMEOUT = "10s"

T = TypeVar("T")
R = TypeVar("R")


class WorkerDied(RuntimeError):
    """A worker process died while running a task (crash, OOM kill, signal).

    Examples
    --------
    >>> issubclass(WorkerDied, RuntimeError)
    True
    """


class Executor(Protocol):
    """What the runner needs from an executor.

    Examples
    --------
    Every executor of this module has the two attributes and ``run``:

    >>> [(e.name, e.workers) for e in (LocalExecutor(), ProcessExecutor(2), DaskExecutor(2))]
    [('local', 1), ('process', 2), ('dask', 2)]
    """

    name: str
    workers: int

    def run(
        self,
        fn: Callable[[T], R],
        tasks: Sequence[T],
        on_error: Callable[[T, BaseException], R],
    ) -> Iterator[R]: ...


def available_cores() -> int:
    """CPU cores this process may use.

    Examples
    --------
    >>> 1 <= available_cores() <= (os.cpu_count() or 1)
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def default_executor() -> str:
    """``"process"`` when more than one core is available, else ``"local"``.

    Examples
    --------
    >>> default_executor() == ("process" if available_cores() > 1 else "local")
    True
    """
    return "process" if available_cores() > 1 else "local"


# --------------------------------------------------------------------------- in-process


class LocalExecutor:
    """Run every task in this process, in order.

    Examples
    --------
    A failing task becomes ``on_error(task, exc)`` and the run goes on:

    >>> def on_error(task, exc):
    ...     return f"{task}: {type(exc).__name__}"
    >>> list(LocalExecutor().run(lambda x: 1 / x, [4, 0, 2], on_error))
    [0.25, '0: ZeroDivisionError', 0.5]
    """

    name = "local"

    def __init__(self) -> None:
        self.workers = 1

    def run(
        self,
        fn: Callable[[T], R],
        tasks: Sequence[T],
        on_error: Callable[[T, BaseException], R],
    ) -> Iterator[R]:
        for task in tasks:
            try:
                out = fn(task)
            except Exception as exc:
                out = on_error(task, exc)
            yield out


# --------------------------------------------------------------------------- process pool


def _watch_runner(runner_pid: int, parent_pid: int) -> None:
    """Exit this worker once the runner is gone (e.g. after a kill -9 of the runner)."""
    while True:
        time.sleep(PARENT_POLL_S)
        gone = os.getppid() != parent_pid
        try:
            os.kill(runner_pid, 0)
        except ProcessLookupError:
            gone = True
        except PermissionError:  # pragma: no cover - pid reused by another user's process
            gone = True
        if gone:
            os._exit(1)


def _init_worker(runner_pid: int, blas_threads: int | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if blas_threads is not None:
        with contextlib.suppress(ImportError):
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=blas_threads)
    watcher = threading.Thread(
        target=_watch_runner, args=(runner_pid, os.getppid()), name="runner-watch", daemon=True
    )
    watcher.start()


def _mp_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        # Import the heavy modules once in the fork server; workers fork from it ready to go.
        # (Replaces the default ['__main__'], so the caller's script is not re-imported.)
        ctx.set_forkserver_preload(["numpy", "scalinglab.sweeps.runner"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not POSIX


class ProcessExecutor:
    """A local process pool of ``workers`` processes (default: one per core).

    Examples
    --------
    The pool is started only by ``run``; the worker count is validated up front:

    >>> ProcessExecutor(workers=2).workers
    2
    >>> ProcessExecutor(workers=0)
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: The 'workers' parameter of the process executor must be \
an int in the range [1, inf]. Got 0 instead.
    """

    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        cores = available_cores()
        self.workers = check_int(
            workers if workers is not None else cores, "workers", "the process executor", low=1
        )
        self._blas_threads = max(1, cores // self.workers)

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_mp_context(),
            initializer=_init_worker,
            initargs=(os.getpid(), self._blas_threads),
        )

    @staticmethod
    def _stop(pool: ProcessPoolExecutor, *, kill: bool) -> None:
        procs = list(getattr(pool, "_processes", {}).values()) if kill else []
        pool.shutdown(wait=not kill, cancel_futures=True)
        for proc in procs:  # Ctrl-C or an error: do not wait for running points
            with contextlib.suppress(Exception):
                proc.terminate()

    def run(
        self,
        fn: Callable[[T], R],
        tasks: Sequence[T],
        on_error: Callable[[T, BaseException], R],
    ) -> Iterator[R]:
        queue = collections.deque(tasks)
        if not queue:
            return
        pool = self._pool(self.workers)
        window = WINDOW_PER_WORKER * self.workers
        inflight: dict[Future, T] = {}
        clean = False
        try:
            while queue or inflight:
                broken = False
                while queue and len(inflight) < window:
                    try:
                        fut = pool.submit(fn, queue[0])
                    except BrokenProcessPool:  # died between two submissions
                        broken = True
                        break
                    inflight[fut] = queue.popleft()
                if not broken:
                    done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                else:
                    done = set()
                suspects: list[T] = []
                for fut in done:
                    task = inflight.pop(fut)
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        suspects.append(task)
                    except Exception as exc:
                        yield on_error(task, exc)
                if suspects or broken:
                    # The pool is dead: keep what finished before it died; every other task
                    # in flight went down with it and is a suspect.
                    wait(inflight)
                    for fut, task in inflight.items():
                        exc = fut.exception()
                        if exc is None:
                            yield fut.result()
                        elif isinstance(exc, BrokenProcessPool):
                            suspects.append(task)
                        else:
                            yield on_error(task, exc)
                    inflight.clear()
                    self._stop(pool, kill=True)
                    yield from self._isolate(fn, suspects, on_error)
                    pool = self._pool(self.workers)
            clean = True
        finally:
            self._stop(pool, kill=not clean)

    def _isolate(
        self,
        fn: Callable[[T], R],
        suspects: Iterable[T],
        on_error: Callable[[T, BaseException], R],
    ) -> Iterator[R]:
        """Re-run tasks one at a time, each alone in a worker: find the one that kills it."""
        pool = self._pool(1)
        try:
            for task in suspects:
                try:
                    yield pool.submit(fn, task).result()
                except BrokenProcessPool:
                    yield on_error(task, WorkerDied("the worker process died running this point"))
                    self._stop(pool, kill=True)
                    pool = self._pool(1)
                except Exception as exc:
                    yield on_error(task, exc)
        finally:
            self._stop(pool, kill=True)


# --------------------------------------------------------------------------- Dask


class DaskExecutor:
    """Run tasks on a Dask cluster: a ``LocalCluster`` or the scheduler at ``scheduler``.

    Examples
    --------
    Nothing connects until ``run``; the scheduler address is checked on construction:

    >>> DaskExecutor(scheduler="tcp://head-node:8786").scheduler
    'tcp://head-node:8786'
    >>> DaskExecutor(scheduler="head-node:8786")
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: --scheduler must be an address such as tcp://host:8786, \
got 'head-node:8786'
    """

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        if scheduler is not None and "://" not in scheduler:
            raise InputError(
                f"--scheduler must be an address such as tcp://host:8786, got {scheduler!r}"
            )
        self.scheduler = scheduler
        cores = available_cores()
        self.workers = check_int(
            workers if workers is not None else cores, "workers", "the dask executor", low=1
        )

    @contextlib.contextmanager
    def _client(self) -> Iterator[Any]:
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        else:
            cluster = None
            try:
                client = Client(self.scheduler, timeout=DASK_CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise InputError(
                    f"cannot connect to the Dask scheduler at {self.scheduler}: {exc}"
                ) from None
        try:
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def run(
        self,
        fn: Callable[[T], R],
        tasks: Sequence[T],
        on_error: Callable[[T, BaseException], R],
    ) -> Iterator[R]:
        if not tasks:
            return
        from distributed import as_completed

        with self._client() as client:
            keys = [f"scalinglab-point-{getattr(t, 'id', i)}" for i, t in enumerate(tasks)]
            futures = client.map(fn, list(tasks), key=keys, pure=False)
            by_key = dict(zip(keys, tasks, strict=True))
            try:
                for fut in as_completed(futures):
                    task = by_key[fut.key]
                    if fut.status == "finished":
                        out = fut.result()
                    else:
                        out = on_error(task, fut.exception())
                    fut.release()
                    yield out
            finally:
                client.cancel([f for f in futures if not f.done()])


# --------------------------------------------------------------------------- factory


def make_executor(
    kind: str | None = None, *, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """Build an executor by name ("local", "process", "dask"; default: :func:`default_executor`).

    A scheduler address implies ``"dask"``.

    Examples
    --------
    A scheduler address implies Dask; contradictory options are one-line errors:

    >>> make_executor("local").name, make_executor(scheduler="tcp://head-node:8786").name
    ('local', 'dask')
    >>> make_executor("local", scheduler="tcp://head-node:8786")
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: --scheduler needs --executor dask (got --executor local)
    """
    if kind is None:
        kind = "dask" if scheduler is not None else default_executor()
    check_choice(kind, "executor", "sweep run", EXECUTORS)
    if scheduler is not None and kind != "dask":
        raise InputError(f"--scheduler needs --executor dask (got --executor {kind})")
    if workers is not None:
        check_int(workers, "workers", "sweep run", low=1)
        if scheduler is not None:
            raise InputError("--workers sizes a local cluster; a --scheduler has its own workers")
    if kind == "local":
        if workers not in (None, 1):
            raise InputError("--workers applies to the process and dask executors, not local")
        return LocalExecutor()
    if kind == "process":
        return ProcessExecutor(workers)
    return DaskExecutor(workers, scheduler)
