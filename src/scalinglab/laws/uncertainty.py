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
Replicates whose fit raises an input error or reports ``failed`` are counted and left
out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError, check_choice, check_int, check_real
from scalinglab.laws.approach1 import run_labels
from scalinglab.laws.io import ScalingData

__all__ = ["SCHEMES", "BootstrapResult", "bootstrap", "resample_indices"]

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

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "level": self.level,
            "n_boot": self.n_boot,
            "n_ok": self.n_boot - self.n_failed,
            "n_failed": self.n_failed,
            "scheme": self.scheme,
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
    for i in range(n_boot):
        idx = resample_indices(data, scheme, rng)
        try:
            fit = fit_fn(data.take(idx))
        except InputError:
            fit = None
        if fit is None or fit.status == Status.FAILED:  # type: ignore[attr-defined]
            failed += 1
        else:
            records.append(dict(fit.params()))  # type: ignore[attr-defined]
            n_opt.append(np.atleast_1d(fit.n_opt(C)))  # type: ignore[attr-defined]
            d_opt.append(np.atleast_1d(fit.d_opt(C)))  # type: ignore[attr-defined]
        if progress is not None:
            progress(i + 1, n_boot)
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
    )
