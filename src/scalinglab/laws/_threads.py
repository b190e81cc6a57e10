"""One BLAS thread for the fits' many tiny solves: the package policy in :mod:`scalinglab._threads`.

The fits call BLAS on tiny operands (3×3 normal equations, L-BFGS updates in five dimensions)
thousands of times; on a busy two-core machine a threaded BLAS made Approach 3 about 20× slower
than one thread (6.0 s against 0.25 s per fit).
"""

from scalinglab._threads import single_blas_thread

__all__ = ["single_blas_thread"]
