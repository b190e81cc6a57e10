"""Bootstrap confidence intervals for fitted laws and their allocations.

Resampling schemes (Efron & Tibshirani 1993, ch. 6 and 8):

* ``points`` — n rows drawn with replacement from all rows;
* ``budgets`` — for IsoFLOP data, each budget's rows are resampled within that budget,
  so every replicate keeps the design (same budgets, same number of runs per budget);
* ``runs`` — for training curves (Approach 1), whole runs (model sizes) are drawn with
  replacement; a run drawn twice adds nothing to the envelope, so the distinct drawn
  runs are kept.

Intervals are percentile intervals of the replicate estimates: for every parameter,
for ``a = β/(α+β)`` and ``b``, and for N*(C), D*(C) at the requested budgets.
Replicates whose fit raises an input error or reports ``failed`` or ``not_identifiable``
are left out of the intervals but counted: ``n_failed`` and ``status_counts`` (every
replicate's status) are part of the result, never silently dropped.

:func:`bootstrap` refits each replicate with any fitting function (today's generic path).
:func:`bootstrap_surface` is the fast path for the Chinchilla surface: each replicate is
the same data with count weights, so the variable-projection engine
(:func:`scalinglab.laws.engine.bootstrap_partially_linear`) starts every replicate at
the full-data optimum, searches a coarse grid for a better basin for a whole block of
replicates in one batched computation, refines with exact gradients, and spreads blocks
over processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError, check_choice, check_int, check_real
from scalinglab.laws.approach1 import run_labels
from scalinglab.laws.catalog import chinchilla_law
from scalinglab.laws.engine import bootstrap_partially_linear
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.io import ScalingData
from scalinglab.laws.objectives import Objective

__all__ = ["SCHEMES", "BootstrapResult", "bootstrap", "bootstrap_surface", "resample_indices"]

#: Statuses whose replicate estimates do not enter the intervals.
_EXCLUDED = (Status.FAILED, Status.NOT_IDENTIFIABLE)

SCHEMES = ("auto", "points", "budgets", "runs")


def resample_indices(data: ScalingData, scheme: str, rng: np.random.Generator) -> np.ndarray:
    """Row indices of one bootstrap replicate under ``scheme`` (not ``auto``)."""
    n = data.n_points
    if scheme == "points":
        return rng.integers(0, n, size=n)
    if scheme == "budgets":
        order = np.argsort(data.group, kind="stable")
        sizes = np.bincount(data.group, minlength=data.budgets.size)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        g = data.group[order]
        pos = starts[g] + np.floor(rng.random(n) * sizes[g]).astype(np.int64)
        return order[pos]
    if scheme == "runs":
        run, sizes = run_labels(data)
        chosen = np.unique(rng.integers(0, sizes.size, size=sizes.size))
        return np.nonzero(np.isin(run, chosen))[0]
    raise ValueError(f"unknown scheme {scheme!r}")


@dataclass(frozen=True)
class BootstrapResult:
    """Percentile intervals from ``n_boot`` replicates.

    ``intervals`` maps parameter names to ``(low, high)``; ``allocations`` holds, for each
    budget C, the intervals of N*(C) and D*(C); ``samples`` the replicate values.
    """

    level: float
    n_boot: int
    n_failed: int
    scheme: str
    intervals: dict[str, tuple[float, float]]
    allocations: list[dict[str, object]]
    samples: dict[str, np.ndarray] = field(repr=False)
    status_counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "level": self.level,
            "n_boot": self.n_boot,
            "n_ok": self.n_boot - self.n_failed,
            "n_failed": self.n_failed,
            "scheme": self.scheme,
            "status_counts": dict(self.status_counts),
        }
        out.update({k: list(v) for k, v in self.intervals.items()})
        out["allocations"] = self.allocations
        return out


def bootstrap(
    data: ScalingData,
    fit_fn: Callable[[ScalingData], object],
    *,
    n_boot: int,
    budgets: np.ndarray | list[float] = (),
    seed: int = 0,
    level: float = 0.95,
    scheme: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> BootstrapResult:
    """Refit ``n_boot`` resampled data sets and return percentile intervals.

    Parameters
    ----------
    data : ScalingData
        The original data.
    fit_fn : callable
        ``fit_fn(data) -> SurfaceFit | FrontierFit`` (anything with ``params()``,
        ``status``, ``n_opt`` and ``d_opt``).
    n_boot : int
        Number of replicates.
    budgets : array-like
        Budgets C at which to give intervals for N*(C) and D*(C).
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same intervals.
    level : float
        Coverage of the percentile intervals.
    scheme : {"auto", "points", "budgets", "runs"}
        ``auto``: ``budgets`` for IsoFLOP data, else ``points``.
    progress : callable, optional
        ``progress(done, total)`` after each replicate.
    """
    n_boot = check_int(n_boot, "n_boot", "bootstrap", low=1)
    level = check_real(
        level, "level", "bootstrap", low=0.0, high=1.0, low_open=True, high_open=True
    )
    scheme = check_choice(scheme, "scheme", "bootstrap", SCHEMES)
    if scheme == "auto":
        scheme = "budgets" if data.is_isoflop else "points"
    rng = np.random.default_rng(seed)
    C = np.atleast_1d(np.asarray(budgets, dtype=float))
    records: list[dict[str, float]] = []
    n_opt: list[np.ndarray] = []
    d_opt: list[np.ndarray] = []
    failed = 0
    counts: dict[str, int] = {}
    for i in range(n_boot):
        idx = resample_indices(data, scheme, rng)
        try:
            fit = fit_fn(data.take(idx))
        except InputError:
            fit = None
        st = "failed" if fit is None else str(fit.status)  # type: ignore[attr-defined]
        counts[st] = counts.get(st, 0) + 1
        if fit is None or fit.status in _EXCLUDED:  # type: ignore[attr-defined]
            failed += 1
        else:
            records.append(dict(fit.params()))  # type: ignore[attr-defined]
            n_opt.append(np.atleast_1d(fit.n_opt(C)))  # type: ignore[attr-defined]
            d_opt.append(np.atleast_1d(fit.d_opt(C)))  # type: ignore[attr-defined]
        if progress is not None:
            progress(i + 1, n_boot)
    return _summarise(records, n_opt, d_opt, C, level, n_boot, failed, scheme, counts)


def _summarise(
    records: list[dict[str, float]],
    n_opt: list[np.ndarray],
    d_opt: list[np.ndarray],
    C: np.ndarray,
    level: float,
    n_boot: int,
    failed: int,
    scheme: str,
    counts: dict[str, int],
) -> BootstrapResult:
    """Percentile intervals of the kept replicates."""
    lo_q, hi_q = 50.0 * (1.0 - level), 100.0 - 50.0 * (1.0 - level)
    nan = float("nan")
    samples: dict[str, np.ndarray] = {}
    intervals: dict[str, tuple[float, float]] = {}
    if records:
        for key in records[0]:
            vals = np.array([r[key] for r in records], dtype=float)
            samples[key] = vals
            finite = vals[np.isfinite(vals)]
            intervals[key] = (
                (float(np.percentile(finite, lo_q)), float(np.percentile(finite, hi_q)))
                if finite.size
                else (nan, nan)
            )
    allocations: list[dict[str, object]] = []
    if C.size:
        N = np.array(n_opt) if n_opt else np.full((0, C.size), nan)
        D = np.array(d_opt) if d_opt else np.full((0, C.size), nan)
        samples["N_opt"], samples["D_opt"] = N, D
        for j, c in enumerate(C):
            entry: dict[str, object] = {"C": float(c)}
            for name, M in (("N_opt", N), ("D_opt", D)):
                col = M[:, j][np.isfinite(M[:, j])] if M.size else np.array([])
                entry[name] = (
                    [float(np.percentile(col, lo_q)), float(np.percentile(col, hi_q))]
                    if col.size
                    else [nan, nan]
                )
            allocations.append(entry)
    return BootstrapResult(
        level=level,
        n_boot=n_boot,
        n_failed=failed,
        scheme=scheme,
        intervals=intervals,
        allocations=allocations,
        samples=samples,
        status_counts=dict(sorted(counts.items())),
    )


def bootstrap_surface(
    data: ScalingData,
    surface: ChinchillaSurface,
    *,
    objective: Objective,
    n_boot: int,
    budgets: np.ndarray | list[float] = (),
    seed: int = 0,
    level: float = 0.95,
    scheme: str = "auto",
    alpha_range: tuple[float, float] = (0.01, 1.0),
    beta_range: tuple[float, float] = (0.01, 1.0),
    coarse_step: float = 0.05,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> BootstrapResult:
    """Bootstrap of the Chinchilla surface by the batched variable-projection path.

    Same replicates as :func:`bootstrap` with the same ``seed`` and ``scheme`` (the
    indices are drawn by :func:`resample_indices` in the same order), so the two paths
    can be compared replicate by replicate.

    Parameters
    ----------
    data : ScalingData
    surface : ChinchillaSurface
        The full-data optimum (e.g. ``fit_varpro(data).surface``): every replicate starts
        there.
    objective : Objective
        What each replicate minimises (the full fit's objective).
    n_boot, budgets, seed, level, scheme, progress
        As in :func:`bootstrap`.
    alpha_range, beta_range : (float, float)
        Exponent box (as in :func:`scalinglab.laws.varpro.fit_varpro`).
    coarse_step : float
        Step of the per-replicate basin check grid over (α, β).
    workers : int
        Processes.

    Examples
    --------
    >>> from scalinglab.laws.io import load_llama3
    >>> from scalinglab.laws.varpro import fit_varpro
    >>> d = load_llama3(); obj = Objective("mse", "raw")
    >>> fit = fit_varpro(d, objective=obj, grid_step=0.05)
    >>> res = bootstrap_surface(d, fit.surface, objective=obj, n_boot=4, seed=1)
    >>> res.n_boot, res.n_failed, res.status_counts
    (4, 0, {'converged': 4})
    """
    n_boot = check_int(n_boot, "n_boot", "bootstrap_surface", low=1)
    level = check_real(
        level, "level", "bootstrap_surface", low=0.0, high=1.0, low_open=True, high_open=True
    )
    scheme = check_choice(scheme, "scheme", "bootstrap_surface", SCHEMES)
    if scheme == "auto":
        scheme = "budgets" if data.is_isoflop else "points"
    rng = np.random.default_rng(seed)
    n = data.n_points
    counts = np.empty((n_boot, n))
    for i in range(n_boot):
        counts[i] = np.bincount(resample_indices(data, scheme, rng), minlength=n)
    N0, D0 = data.unit_scales()
    x = {"N": data.N / N0, "D": data.D / D0}
    law = chinchilla_law(alpha_range, beta_range, coarse_step)
    start = {"alpha": surface.alpha, "beta": surface.beta}
    reps = bootstrap_partially_linear(
        law,
        x,
        data.loss,
        counts,
        start,
        objective=objective,
        coarse_steps={"alpha": coarse_step, "beta": coarse_step},
        workers=workers,
        progress=progress,
    )
    C = np.atleast_1d(np.asarray(budgets, dtype=float))
    records: list[dict[str, float]] = []
    n_opt: list[np.ndarray] = []
    d_opt: list[np.ndarray] = []
    failed = 0
    status_counts: dict[str, int] = {}
    for rep in reps:
        status_counts[str(rep.status)] = status_counts.get(str(rep.status), 0) + 1
        if rep.status in _EXCLUDED:
            failed += 1
            continue
        p = rep.params
        s = ChinchillaSurface(
            E=p["E"],
            A=p["A"] * N0 ** p["alpha"],
            B=p["B"] * D0 ** p["beta"],
            alpha=p["alpha"],
            beta=p["beta"],
            k=data.k,
        )
        records.append({k: v for k, v in s.to_dict().items() if k != "k"})
        with np.errstate(all="ignore"):
            n_opt.append(np.atleast_1d(s.n_opt(C)))
            d_opt.append(np.atleast_1d(s.d_opt(C)))
    return _summarise(records, n_opt, d_opt, C, level, n_boot, failed, scheme, status_counts)
