"""Approach 1: the training-curve envelope recovers the optimum within its N resolution."""

from __future__ import annotations

import numpy as np
import pytest

from scalinglab import InputError
from scalinglab._types import Status
from scalinglab.laws.approach1 import fit_approach1
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.io import from_arrays

TRUTH = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)


def _curves(n_sizes=121, n_ckpt=200):
    sizes = np.geomspace(1e7, 1e10, n_sizes)
    tokens = np.geomspace(1e8, 1e13, n_ckpt)
    N, D = np.meshgrid(sizes, tokens, indexing="ij")
    return from_arrays(N=N.ravel(), D=D.ravel(), loss=TRUTH.loss(N, D).ravel()), sizes


def test_envelope_recovers_exponent_within_discretisation():
    data, sizes = _curves()
    fit = fit_approach1(data)
    assert fit.status == Status.CONVERGED
    env = fit.details["envelope"]
    C, n_win = np.array(env["C"]), np.array(env["N_opt"])
    # Along an IsoFLOP the loss is convex in log N, so the winning size is a grid
    # neighbour of the true optimum: |log N_win − log N*| ≤ log r (r = grid ratio).
    log_r = np.log(sizes[1] / sizes[0])
    inside = (TRUTH.n_opt(C) > sizes[0]) & (TRUTH.n_opt(C) < sizes[-1])
    assert np.all(np.abs(np.log(n_win[inside] / TRUTH.n_opt(C[inside]))) <= log_r * (1 + 1e-9))
    # A least-squares slope through points within ±log r of the true line errs by at
    # most 3·log r / (range of log C) for evenly spread points (sum |x − x̄| / sum (x − x̄)²).
    span = np.log(C.max() / C.min())
    assert abs(fit.a - TRUTH.a) <= 3 * log_r / span
    assert abs(fit.b - TRUTH.b) <= 3 * log_r / span


def test_runs_without_checkpoints_are_an_input_error():
    data = from_arrays(N=[1e8, 2e8, 4e8], D=[1e9, 1e9, 1e9], loss=[3.0, 2.9, 2.8])
    with pytest.raises(InputError, match="single row"):
        fit_approach1(data)


def test_one_model_size_is_an_input_error():
    data = from_arrays(N=[1e8, 1e8], D=[1e9, 2e9], loss=[3.0, 2.9])
    with pytest.raises(InputError, match="at least two model sizes"):
        fit_approach1(data)
