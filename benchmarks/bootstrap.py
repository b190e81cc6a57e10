"""Benchmark of the Chinchilla bootstrap: today's refit-every-replicate path vs the batched one.

The Epoch AI replication data (Besiroglu et al. 2024, 240 points after their filtering)
is not shipped and this machine has no network, so the data are a synthetic set of the
same shape: 240 runs with model sizes 44M–16B (log-uniform), 1–300 tokens per parameter,
loss from Epoch's fitted surface (E = 1.8172, A = 482.01, B = 2085.43, α = 0.3478,
β = 0.3658) with 1 % multiplicative log-normal noise. The objective is Epoch's (and
Hoffmann et al.'s): Huber, δ = 10⁻³, on log loss; points are resampled.

In one run, on the same data and the same replicate indices (same seed):

* ``today``   — :func:`scalinglab.laws.uncertainty.bootstrap` with
  ``fit_law(d, "varpro", grid_step=1e-3)`` per replicate (the ``scalinglab fit
  --bootstrap`` path before this change), on ``--old`` replicates, extrapolated to
  ``--n-boot``;
* ``batched`` — :func:`scalinglab.laws.uncertainty.bootstrap_surface` on all ``--n-boot``
  replicates with ``--workers`` processes;

then the ratios (wall clock, and CPU seconds of all processes — the fair measure on a
machine shared with other jobs), the failed-replicate counts, the intervals, and the
largest difference between the two paths' estimates on the replicates both ran. Run::

    .venv/bin/python benchmarks/bootstrap.py                 # 4000 replicates, 2 workers
    .venv/bin/python benchmarks/bootstrap.py --n-boot 400 --old 10   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

from scalinglab.laws.fitting import fit_law
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.io import from_arrays
from scalinglab.laws.objectives import Objective
from scalinglab.laws.uncertainty import bootstrap, bootstrap_surface

EPOCH = ChinchillaSurface(E=1.8172, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658)
OBJ = Objective("huber", "log", 1e-3)


def epoch_like(n: int = 240, seed: int = 0):
    rng = np.random.default_rng(seed)
    N = 10 ** rng.uniform(np.log10(44e6), np.log10(16e9), n)
    D = N * 10 ** rng.uniform(0.0, np.log10(300.0), n)
    loss = EPOCH.loss(N, D) * np.exp(0.01 * rng.standard_normal(n))
    return from_arrays(N=N, D=D, loss=loss, source="epoch-like synthetic (240 points)")


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the honest cost on a
    machine shared with other jobs, where wall time depends on their load)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-boot", type=int, default=4000)
    ap.add_argument("--old", type=int, default=40, help="replicates run on today's path")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    data = epoch_like()
    budgets = [1e24]
    t0 = time.perf_counter()
    full = fit_law(data, "varpro", objective=OBJ, grid_step=1e-3)
    t_full = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), _cpu()
    old = bootstrap(
        data,
        lambda d: fit_law(d, "varpro", objective=OBJ, grid_step=1e-3),
        n_boot=args.old,
        budgets=budgets,
        seed=args.seed,
        scheme="points",
    )
    t_old, cpu_old = time.perf_counter() - t0, _cpu() - c0

    t0, c0 = time.perf_counter(), _cpu()
    new = bootstrap_surface(
        data,
        full.surface,
        objective=OBJ,
        n_boot=args.n_boot,
        budgets=budgets,
        seed=args.seed,
        scheme="points",
        workers=args.workers,
    )
    t_new, cpu_new = time.perf_counter() - t0, _cpu() - c0

    k = min(args.old, args.n_boot)
    same = {}
    if (
        old.n_failed == 0 and new.samples and all(np.isfinite(new.samples["alpha"][:k]))
    ):  # replicate-by-replicate comparison needs both paths to keep the same replicates
        for key in ("E", "alpha", "beta", "a"):
            same[key] = float(np.max(np.abs(new.samples[key][:k] / old.samples[key] - 1.0)))
    per_old = t_old / args.old
    out = {
        "data": data.source,
        "objective": OBJ.describe(),
        "cpu_count": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
        "full_fit_seconds": t_full,
        "full_fit": {k2: v for k2, v in full.params().items()},
        "full_fit_status": str(full.status),
        "today_seconds_per_replicate": per_old,
        "today_replicates_run": args.old,
        "today_extrapolated_seconds": per_old * args.n_boot,
        "batched_seconds": t_new,
        "batched_replicates": args.n_boot,
        "workers": args.workers,
        "ratio_wall": per_old * args.n_boot / t_new,
        "today_cpu_seconds_per_replicate": cpu_old / args.old,
        "batched_cpu_seconds": cpu_new,
        "ratio_cpu": cpu_old / args.old * args.n_boot / cpu_new,
        "batched_projected_wall_on_idle_cores": cpu_new / args.workers,
        "batched_status_counts": new.status_counts,
        "batched_n_failed": new.n_failed,
        "today_status_counts": old.status_counts,
        "max_rel_diff_first_replicates": same,
        "batched_intervals": {k2: list(v) for k2, v in new.intervals.items()},
        "batched_N_opt_1e24": new.allocations[0]["N_opt"],
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
