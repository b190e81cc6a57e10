"""The library's BLAS thread policy: small problems run on one thread.

A multithreaded BLAS synchronises its threads on every call. For the many small products and
factorisations of a simulation (matrices of a few hundred rows) that synchronisation dominates,
and on a machine whose cores are busy it collapses: ``mrs.simulate(MRSConfig(150, 1.0, 200,
260), seeds=30)`` took 27.0 s with the default threads and 0.65 s with one BLAS thread (41×)
beside other work on 2 cores. Large products (thousands of rows) do gain from threads on an
idle machine. The policy, applied at the public entry points of the models and fitters:

- estimated work (multiply-adds of the largest dense step) below :data:`SMALL_WORK`: one thread;
- above: as many threads as there are idle cores — cores minus the load that *other* processes
  put on the machine (the 1-minute load average less this process's own share of it,
  estimated from its CPU time), rounded, at least one, never more than the process default. A
  threaded BLAS beside busy processes spins on cores it cannot get, which is the collapse
  measured above;
- the environment variable ``SCALINGLAB_BLAS_THREADS=<n>`` forces ``n`` threads everywhere
  (``0`` = leave BLAS alone), for benchmarks and for users who know their machine.

Process-pool and Dask workers of :mod:`scalinglab.sweeps` run one BLAS thread each (one worker
per core). ``benchmarks/threads.py`` measures the policy against forced 1 and 2 threads, idle and
beside two busy processes.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["SMALL_WORK", "blas_threads", "blas_threads_for", "single_blas_thread", "with_policy"]

#: Multiply-adds of the largest dense step below which BLAS runs on one thread (measured in
#: benchmarks/threads.py: below ~1e9 one thread was never slower than two on 2 cores).
SMALL_WORK = 1e9

F = TypeVar("F", bound=Callable[..., Any])


def _forced() -> int | None:
    raw = os.environ.get("SCALINGLAB_BLAS_THREADS", "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


@contextlib.contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Limit BLAS to ``limit`` threads inside the block (None or 0: no change)."""
    if not limit:
        yield
        return
    with _controller().limit(limits=limit, user_api="blas"):
        yield


@functools.cache
def _controller() -> Any:
    # Inspecting the loaded BLAS libraries costs milliseconds; do it once per process, after
    # loading scipy's BLAS (wheels of numpy and scipy each carry their own OpenBLAS).
    import scipy.linalg  # noqa: F401
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_blas_thread() -> contextlib.AbstractContextManager[None]:
    """One BLAS thread inside the block (for loops of tiny solves, e.g. fits)."""
    return blas_threads(1)


def threads_for(work: float) -> int | None:
    """The thread limit the policy chooses for ``work`` multiply-adds (None: no limit).

    Examples
    --------
    >>> threads_for(1e6)
    1
    >>> threads_for(1e12) in (None, *range(1, (os.cpu_count() or 1) + 1))  # idle cores
    True
    """
    forced = _forced()
    if forced is not None:
        return forced or None
    if work < SMALL_WORK:
        return 1
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this platform
        return None
    others = max(0.0, load - _own_load())
    idle = max(1, round(cores - others))
    return None if idle >= cores else idle


_START = (time.monotonic(), time.process_time())
_LOAD_WINDOW = 60.0  # seconds: the time constant of the 1-minute load average


def _own_load() -> float:
    """This process's share of the 1-minute load average (an estimate).

    Its CPU time over the last minute divided by wall time is its mean number of busy threads;
    the load average weights that by how long the process has been running (its exponential
    average starts from zero).
    """
    global _START
    now, cpu = time.monotonic(), time.process_time()
    t0, c0 = _START
    elapsed = now - t0
    if elapsed < 1.0:
        return 0.0
    util = (cpu - c0) / elapsed
    if elapsed > _LOAD_WINDOW:  # keep a window of about one minute
        _START = (now - _LOAD_WINDOW / 2, cpu - util * _LOAD_WINDOW / 2)
    return util * (1.0 - math.exp(-elapsed / _LOAD_WINDOW))


def blas_threads_for(work: float) -> contextlib.AbstractContextManager[None]:
    """Context manager applying the policy to a step of ``work`` multiply-adds."""
    return blas_threads(threads_for(work))


def with_policy(work: Callable[..., float]) -> Callable[[F], F]:
    """Decorator: run the function under the policy; ``work(*args, **kwargs)`` estimates it.

    Nested calls keep the outer decision (the inner limit is only applied when no limit is in
    force), so a sweep worker's one thread is never raised.
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                est = float(work(*args, **kwargs))
            except Exception:  # a bad argument: let the function itself report it
                est = 0.0
            with blas_threads_for(est):
                return fn(*args, **kwargs)

        return inner  # type: ignore[return-value]

    return wrap
