"""Suite-wide test setup (tests/ and the doctests under src/): headless matplotlib and one BLAS
thread for the whole session.

One thread because the suite is thousands of small-matrix computations: on the shared 2-core
machine the full suite took 20 min 45 s with default BLAS threads under load and 3 min 46 s with
one. Results do not depend on the thread count beyond rounding (checked by the thread benchmark).
"""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    from scalinglab._threads import blas_threads

    with blas_threads(1):
        yield
