"""Run small dense linear algebra on one BLAS thread.

The fits call BLAS on tiny operands (3×3 normal equations, L-BFGS updates in five
dimensions) thousands of times. A multithreaded BLAS synchronises its threads on every
call; on a busy two-core machine that made Approach 3 about 20× slower than one thread
(measured: 6.0 s against 0.25 s per fit). Large grid products keep the default threads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import threadpool_limits

__all__ = ["single_blas_thread"]


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (restored on exit)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield
