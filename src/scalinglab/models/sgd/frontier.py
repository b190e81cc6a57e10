"""Compute-optimal frontier of one-pass SGD (or gradient flow): the envelope over model size.

For each model size m the theoretical risk curve ``L_m(r)`` is computed (deterministic
equivalent by default, so no sketch noise), plotted against flops ``f = r·B·m`` (for gradient
flow, compute ``C = t·m``). The compute-optimal frontier is the lower envelope
``L*(f) = min_m L_m(f)`` and ``m*(f)`` its argmin (Paquette et al. 2024, Section 4; the note's
eq. 12). The exponents of ``L*`` and ``m*`` are fitted by least squares in log–log over a window
where the optimum lies strictly inside the grid of m, and reported next to the predictions of
:mod:`scalinglab.core.exponents`.

The step size for each m follows the phase analysis: ``η = ½·min(2B/tr K, B/((B+1)λ_max(K)))``,
i.e. constant when tr K stays bounded (2α_P > 1) and ∝ 1/tr K otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scalinglab._types import ProgressFn, Status
from scalinglab._validation import InputError, check_choice, check_int, check_real
from scalinglab.core import exponents as ex
from scalinglab.core.spectra import loglog_slope
from scalinglab.models.sgd.deterministic import deterministic_modes
from scalinglab.models.sgd.problem import data_spectrum, target_weights
from scalinglab.models.sgd.theory import risk_flow, risk_spectral, stable_step_size

__all__ = ["Frontier", "compute_frontier", "default_points_per_decade"]

#: A frontier point is "interior" if m* is at least this factor away from the grid ends.
INTERIOR_MARGIN = 1.5


@dataclass(frozen=True)
class Frontier:
    """Risk curves for several model sizes, their envelope and exponents.

    Attributes
    ----------
    features : ndarray, shape (k,)
        Model sizes m.
    flops : list of ndarray
        Per m, the flops of each recorded step.
    curves : list of ndarray
        Per m, the risk at those flops.
    grid : ndarray
        Common flops grid of the envelope.
    envelope : ndarray
        ``L*(f)`` on ``grid`` (NaN where no curve reaches f).
    optimal_features : ndarray
        ``m*(f)`` (parabolic interpolation of log L in log m around the best grid point).
    window : (float, float)
        Flops range of the fits (the interior of the envelope).
    fitted, predicted : dict
        ``loss_vs_compute`` and ``features_vs_compute`` exponents (positive).

    Examples
    --------
    The envelope lies below every individual curve (gradient flow, three small models):

    >>> fr = compute_frontier(1.5, 0.5, features=np.array([16, 32, 64]), max_flops=1e5,
    ...                       optimizer="flow", points_per_decade=20)
    >>> fr.features, fr.phase
    (array([16, 32, 64]), 'Ia')
    >>> below = [np.all(fr.envelope <= np.exp(np.interp(np.log(fr.grid), np.log(f), np.log(c),
    ...          left=np.inf, right=np.inf)) * (1 + 1e-12)) for f, c in zip(fr.flops, fr.curves)]
    >>> bool(all(below))
    True
    """

    alpha: float
    beta: float
    optimizer: str
    batch: int
    features: np.ndarray
    flops: list[np.ndarray] = field(repr=False)
    curves: list[np.ndarray] = field(repr=False)
    grid: np.ndarray = field(repr=False)
    envelope: np.ndarray = field(repr=False)
    optimal_features: np.ndarray = field(repr=False)
    window: tuple[float, float]
    fitted: dict[str, float | None]
    predicted: dict[str, float | None]
    phase: str | None
    status: Status
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "phase": self.phase,
            "optimizer": self.optimizer,
            "features": self.features,
            "flops": self.grid,
            "envelope_risk": self.envelope,
            "optimal_features": self.optimal_features,
            "window": list(self.window),
            "fitted": self.fitted,
            "predicted": self.predicted,
            "status": self.status,
            "message": self.message,
        }


def default_points_per_decade(features: int) -> int:
    """Grid resolution resolving the top-eigenvalue bumps of relative width ≈ 4/√m.

    Examples
    --------
    At least 100, growing like 2.5√m:

    >>> default_points_per_decade(100), default_points_per_decade(10_000)
    (100, 250)
    """
    return int(max(100, np.ceil(2.5 * np.sqrt(features))))


def compute_frontier(
    alpha: float,
    beta: float | None = None,
    *,
    convention: str = "note",
    features: np.ndarray | None = None,
    dim_ratio: float = 4.0,
    batch: int = 1,
    max_flops: float = 1e9,
    optimizer: str = "sgd",
    record: int = 60,
    points_per_decade: int | None = None,
    progress: ProgressFn | None = None,
) -> Frontier:
    """Risk-versus-flops curves for a grid of model sizes, their envelope and exponents.

    Parameters
    ----------
    alpha, beta, convention
        Exponents (see :mod:`scalinglab.core.exponents`).
    features : array of int, optional
        Model sizes m (default: 8 sizes log-spaced in [32, 2048]).
    dim_ratio : float
        Data dimension d = ⌈dim_ratio · m⌉ (> 1; Paquette et al. take v/d fixed).
    batch : int
        SGD batch B (flops per step = B·m).
    max_flops : float
        Largest budget; each curve runs to ``max_flops/(B m)`` steps.
    points_per_decade : int, optional
        Resolution of the deterministic-equivalent grid; default ``max(100, 2.5√m)`` so that
        the isolated top eigenvalues (relative width ≈ 4/√m) are resolved.
    optimizer : {"sgd", "flow"}
        One-pass SGD (exact theory on the deterministic-equivalent spectrum) or population
        gradient flow (compute C = t·m).

    Examples
    --------
    Gradient flow at α = 1.5, β = 0.5 (phase Ia): the fitted exponents of L*(C) and m*(C) come
    within 0.03 of the predictions of :mod:`scalinglab.core.exponents` (0.3 and 0.4) on four
    small model sizes:

    >>> fr = compute_frontier(1.5, 0.5, features=np.array([16, 32, 64, 128]),
    ...                       max_flops=1e6, optimizer="flow", points_per_decade=40)
    >>> fr.status.value, fr.predicted
    ('converged', {'loss_vs_compute': 0.3, 'features_vs_compute': 0.4})
    >>> round(fr.fitted["loss_vs_compute"], 2), round(fr.fitted["features_vs_compute"], 2)
    (0.29, 0.43)
    """
    owner = "compute_frontier"
    check_choice(optimizer, "optimizer", owner, ("sgd", "flow"))
    batch = check_int(batch, "batch", owner, low=1)
    dim_ratio = check_real(dim_ratio, "dim_ratio", owner, low=1.0)
    max_flops = check_real(max_flops, "max_flops", owner, low=1.0, low_open=True)
    record = check_int(record, "record", owner, low=8)
    a, b = ex.to_note(convention, alpha, beta)
    if features is None:
        features = np.unique(np.round(np.logspace(np.log10(32), np.log10(2048), 8)).astype(int))
    features = np.asarray(sorted(set(int(m) for m in features)), dtype=np.int64)
    if features.size < 3 or features[0] < 2:
        raise InputError("The frontier needs at least 3 model sizes, each >= 2.")
    flops_list, curves = [], []
    status, notes = Status.CONVERGED, []
    for i, m in enumerate(features):
        d = int(np.ceil(dim_ratio * m))
        lam, wstar = data_spectrum(d, a), target_weights(d, a, b)
        ppd = points_per_decade or default_points_per_decade(int(m))
        modes = deterministic_modes(lam, lam * wstar**2, int(m), 0.0, points_per_decade=ppd)
        spec = modes.spectrum
        if modes.status is not Status.CONVERGED:
            status = modes.status
        per_step = batch * m if optimizer == "sgd" else m
        last = max(2, int(max_flops // per_step))
        steps = np.unique(np.round(np.logspace(0, np.log10(last), record)).astype(np.int64))
        if optimizer == "sgd":
            eta = stable_step_size(float(spec.counts @ spec.eigs), float(spec.eigs.max()), batch)
            curve = risk_spectral(spec, eta, batch, steps)
            risk = curve.risk
            if curve.status is not Status.CONVERGED:
                status = curve.status
                notes.append(f"m={m}: {curve.message}")
        else:
            risk = risk_flow(spec, steps.astype(float))
        flops_list.append(steps * float(per_step))
        curves.append(risk)
        if progress is not None:
            progress(i + 1, features.size)
    grid, env, mstar = _envelope(features, flops_list, curves)
    lo_m, hi_m = features[0] * INTERIOR_MARGIN, features[-1] / INTERIOR_MARGIN
    interior = _longest_run(np.isfinite(env) & (mstar > lo_m) & (mstar < hi_m))
    if optimizer == "sgd":
        pred = ex.sgd_compute_optimal(a, b) or {}
        predicted = {
            "loss_vs_compute": pred.get("loss_vs_compute"),
            "features_vs_compute": pred.get("features_vs_compute"),
        }
    else:
        gf = ex.gradient_flow_exponents(a, b)
        predicted = {
            "loss_vs_compute": gf["loss_vs_compute"],
            "features_vs_compute": gf["features_vs_compute"],
        }
    if np.count_nonzero(interior) >= 4:
        gi = grid[interior]
        fitted = {
            "loss_vs_compute": -loglog_slope(gi, env[interior]),
            "features_vs_compute": loglog_slope(gi, mstar[interior]),
        }
        window = (float(gi[0]), float(gi[-1]))
    else:
        fitted = {"loss_vs_compute": None, "features_vs_compute": None}
        window = (float("nan"), float("nan"))
        status = Status.FAILED
        notes.append("the optimum never lies inside the grid of model sizes: widen it")
    return Frontier(
        alpha=a,
        beta=b,
        optimizer=optimizer,
        batch=batch,
        features=features,
        flops=flops_list,
        curves=curves,
        grid=grid,
        envelope=env,
        optimal_features=mstar,
        window=window,
        fitted=fitted,
        predicted=predicted,
        phase=ex.phase(a, b),
        status=status,
        message="; ".join(notes),
    )


def _longest_run(mask: np.ndarray) -> np.ndarray:
    """Keep only the longest run of consecutive True values."""
    best, best_len, start = None, 0, None
    for i, v in enumerate(np.append(mask, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start > best_len:
                best, best_len = (start, i), i - start
            start = None
    out = np.zeros_like(mask)
    if best is not None:
        out[best[0] : best[1]] = True
    return out


def _envelope(features, flops_list, curves, points: int = 200):
    """Lower envelope on a log grid of flops and the interpolated argmin in log m."""
    lo = min(f[0] for f in flops_list)
    hi = min(f[-1] for f in flops_list)  # every curve reaches the largest budget
    grid = np.logspace(np.log10(lo), np.log10(hi), points)
    logl = np.full((len(curves), points), np.inf)
    for k, (f, r) in enumerate(zip(flops_list, curves, strict=True)):
        inside = (grid >= f[0]) & (grid <= f[-1])
        logl[k, inside] = np.interp(np.log(grid[inside]), np.log(f), np.log(r))
    best = np.argmin(logl, axis=0)
    env = np.exp(logl[best, np.arange(points)])
    env[~np.isfinite(env)] = np.nan
    logm = np.log(features.astype(float))
    mstar = np.exp(logm[best])
    for j in range(points):
        i = best[j]
        if 0 < i < len(features) - 1 and np.all(np.isfinite(logl[i - 1 : i + 2, j])):
            y0, y1, y2 = logl[i - 1 : i + 2, j]
            x0, x1, x2 = logm[i - 1 : i + 2]
            # vertex of the parabola through the three points
            den = (x0 - x1) * (x0 - x2) * (x1 - x2)
            ca = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / den
            cb = (x2**2 * (y0 - y1) + x1**2 * (y2 - y0) + x0**2 * (y1 - y2)) / den
            if ca > 0:
                mstar[j] = np.exp(np.clip(-cb / (2 * ca), x0, x2))
    return grid, env, mstar
