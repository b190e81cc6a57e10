"""The library's BLAS thread policy: small problems run on one thread.

A multithreaded BLAS synchronises its threads on every call. For the many small products and
factorisations of a simulation (matrices of a few hundred rows) that synchronisation dominates,
and on a machine whose cores are busy it collapses: ``mrs.simulate(MRSConfig(150, 1.0, 200,
260), seeds=30)`` took 27.0 s with the default threads and 0.65 s with one BLAS thread (41×)
beside other work on 2 cores. Large products (thousands of rows) do gain from threads on an
idle machine. The policy, applied at the public entry points of the models and fitters:

- estimated work (multiply-adds of the largest dense step) below :data:`SMALL_WORK`: one thread;
- above: the process default (all cores, or what the user set with threadpoolctl/env vars);
- the environment variable ``SCALINGLAB_BLAS_THREADS=<n>`` forces ``n`` threads everywhere
  (``0`` = leave BLAS alone), for benchmarks and for users who know their machine.

Process-pool and Dask workers of :mod:`scalinglab.sweeps` run one BLAS thread each (one worker
per core). ``benchmarks/threads.py`` measures the policy against forced 1 and 2 threads, idle and
beside two busy processes.
"""

from __future__ import annotations

import contextlib
import functools
import os
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
    >>> threads_for(1e12) is None
    True
    """
    forced = _forced()
    if forced is not None:
        return forced or None
    return 1 if work < SMALL_WORK else None


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
