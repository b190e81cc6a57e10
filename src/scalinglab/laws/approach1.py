"""Approach 1 of Hoffmann et al. (2022, §3.1): the lower envelope of training curves.

Each model size N is one run whose rows are checkpoints (tokens seen D, loss). Along a
run, compute grows as C = k·N·D. At each of ``n_grid`` log-spaced compute values the
run with the lowest loss (losses interpolated linearly in log C between checkpoints,
never extrapolated) is the compute-optimal model N*(C); D*(C) = C/(k·N*). Power laws
``N* = n_coef·C^a`` and ``D* = d_coef·C^b`` are then fitted by least squares in log
space over the envelope (Hoffmann et al. use 1500 compute values).

Only compute values covered by at least two runs enter the fit: where a single run
exists the "envelope" is that run by default, which says nothing about the optimum.
Compute values won by the smallest or the largest model are left out too: there the
optimum may lie outside the sampled sizes and the envelope is pinned to the edge (with
those points a noise-free test surface gave a 0.025 error in a; without them the error
is within the grid-resolution bound).
"""

from __future__ import annotations

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError, check_int
from scalinglab.laws.forms import PowerLawFrontier
from scalinglab.laws.io import ScalingData
from scalinglab.laws.results import FrontierFit

__all__ = ["ENVELOPE_POINTS", "fit_approach1", "run_labels"]

#: Number of log-spaced compute values of the envelope (Hoffmann et al. 2022, §3.1).
ENVELOPE_POINTS = 1500


def run_labels(data: ScalingData) -> tuple[np.ndarray, np.ndarray]:
    """Label rows by run (distinct model size N, relative tolerance 1e-9).

    Returns ``(run, sizes)``: the run index of every row and each run's N.
    """
    key = np.round(np.log(data.N) * 1e9)
    sizes_key, run = np.unique(key, return_inverse=True)
    sizes = np.array([data.N[run == r][0] for r in range(sizes_key.size)])
    return run, sizes


def fit_approach1(data: ScalingData, *, n_grid: int = ENVELOPE_POINTS) -> FrontierFit:
    """Fit the compute-optimal frontier from the lower envelope of training curves.

    Parameters
    ----------
    data : ScalingData
        Checkpoints: rows sharing a model size N are one run, D is tokens seen so far.
    n_grid : int
        Number of log-spaced compute values of the envelope.

    Returns
    -------
    FrontierFit
        ``details["envelope"]`` holds the compute grid, the winning N and the envelope
        loss at every covered point.

    Raises
    ------
    InputError
        Fewer than two runs, or a run with fewer than two checkpoints.
    """
    n_grid = check_int(n_grid, "n_grid", "fit_approach1", low=10)
    run, sizes = run_labels(data)
    counts = np.bincount(run)
    if sizes.size < 2:
        raise InputError(
            f"approach1 needs training curves of at least two model sizes; {data.source} has "
            f"one (N = {sizes[0]:.4g})."
        )
    if np.any(counts < 2):
        r = int(np.argmin(counts))
        raise InputError(
            f"approach1 needs runs with intermediate checkpoints (a step/tokens column as D): "
            f"the run with N = {sizes[r]:.4g} in {data.source} has a single row."
        )
    C = data.k * data.N * data.D
    lc = np.log(C)
    grid = np.linspace(lc.min(), lc.max(), n_grid)
    curves = np.full((sizes.size, n_grid), np.inf)
    for r in range(sizes.size):  # one vectorised interpolation per run (few runs)
        rows = np.nonzero(run == r)[0]
        order = rows[np.argsort(lc[rows], kind="stable")]
        x, y = lc[order], data.loss[order]
        inside = (grid >= x[0]) & (grid <= x[-1])
        curves[r, inside] = np.interp(grid[inside], x, y)
    winner = np.argmin(curves, axis=0)
    covered = (np.sum(np.isfinite(curves), axis=0) >= 2) & (winner > 0) & (winner < sizes.size - 1)
    env_loss = curves[winner, np.arange(n_grid)]
    n_star = sizes[winner]
    c_env = np.exp(grid)
    d_star = c_env / (data.k * n_star)
    details = {
        "n_runs": int(sizes.size),
        "n_envelope_points": int(np.sum(covered)),
        "envelope": {
            "C": c_env[covered].tolist(),
            "N_opt": n_star[covered].tolist(),
            "loss": env_loss[covered].tolist(),
        },
    }
    nan = float("nan")
    distinct = np.unique(n_star[covered]).size
    if np.sum(covered) < 2 or distinct < 2:
        return FrontierFit(
            method="approach1",
            frontier=PowerLawFrontier(nan, nan, nan, nan),
            n_points=data.n_points,
            status=Status.FAILED,
            message=(
                "no compute value is won by an interior model size (neither the smallest "
                "nor the largest run) where two runs overlap; add smaller or larger models"
            ),
            k=data.k,
            details=details,
        )
    lcc = np.log10(c_env[covered])
    a, log_n = np.polyfit(lcc, np.log10(n_star[covered]), 1)
    b, log_d = np.polyfit(lcc, np.log10(d_star[covered]), 1)
    return FrontierFit(
        method="approach1",
        frontier=PowerLawFrontier(
            n_coef=float(10.0**log_n), a=float(a), d_coef=float(10.0**log_d), b=float(b)
        ),
        n_points=data.n_points,
        status=Status.CONVERGED,
        message=f"envelope won by {distinct} of {sizes.size} model sizes",
        k=data.k,
        details=details,
    )
