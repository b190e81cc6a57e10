"""Benchmark of the surface fits on the Llama 3 IsoFLOP points (133 runs).

Prints, in one run on the same data, wall time and the objective reached for

* ``varpro``    — variable projection at (alpha, beta) grid step 1e-3 (target: < 1 s);
* ``approach3`` — the Hoffmann protocol as implemented here (25 profiled starts plus the
  varpro seed; target: >= 10x faster than the plain multistart at an equal or lower
  objective);
* ``plain``     — the usual practice: L-BFGS-B (scipy, analytic gradient, default
  tolerances) from every one of the 4500 starts of Hoffmann et al. (2022, App. D.2),
  in raw units;
* ``chinchilla`` — the ``chinchilla`` package from PyPI (kyo-takano), same grid, its
  own BFGS, run in its own virtual environment (``--chinchilla-python``).

Every objective is re-evaluated here with one function: the mean Huber loss (delta =
1e-3) of log L̂ − log L (Hoffmann et al. 2022, §3.3). Run::

    .venv/bin/python benchmarks/fit.py            # full (several minutes)
    .venv/bin/python benchmarks/fit.py --quick    # every 2nd grid value for plain/chinchilla

The chinchilla venv: ``python3 -m venv /work/bench-venvs/chinchilla &&
/work/bench-venvs/chinchilla/bin/pip install chinchilla`` (kept outside the repository).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from scalinglab.laws.approach3 import HOFFMANN_INIT_GRID, fit_approach3
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.io import load_llama3
from scalinglab.laws.objectives import Objective
from scalinglab.laws.varpro import fit_varpro

OBJ = Objective("huber", "log", 1e-3)
DEFAULT_CC_PYTHON = "/work/bench-venvs/chinchilla/bin/python"

_CC_SCRIPT = r"""
import json, os, sys, time
from functools import partial
import numpy as np, pandas as pd
from chinchilla import Chinchilla
from chinchilla._metrics import log_huber
src, proj, grid = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
cc = Chinchilla(proj, param_grid=grid, loss_fn=partial(log_huber, delta=1e-3), log_level=40)
t0 = time.perf_counter()
cc.fit(parallel=True)
print(json.dumps({"seconds": time.perf_counter() - t0, **cc.get_params()}))
"""


def hoffmann_grid(stride: int) -> dict[str, list[float]]:
    return {k: list(v[::stride]) for k, v in HOFFMANN_INIT_GRID.items()}


def plain_multistart(N, D, L, grid: dict[str, list[float]]) -> tuple[np.ndarray, float, int]:
    """The usual practice: L-BFGS-B from every start of the 5-parameter grid, raw units."""
    logN, logD, logL = np.log(N), np.log(D), np.log(L)
    delta = OBJ.delta

    def f(p):
        e, a, b, al, be = p
        z = np.stack([np.full_like(logN, e), a - al * logN, b - be * logD])
        m = z.max(axis=0)
        s = np.exp(z - m)
        tot = s.sum(axis=0)
        r = m + np.log(tot) - logL
        ar = np.abs(r)
        rho = np.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta))
        psi = np.clip(r, -delta, delta) / tot / r.size
        g = np.array(
            [psi @ s[0], psi @ s[1], psi @ s[2], -(psi * s[1]) @ logN, -(psi * s[2]) @ logD]
        )
        return float(np.mean(rho)), g

    best_x, best_f, n = None, np.inf, 0
    for x0 in itertools.product(grid["e"], grid["a"], grid["b"], grid["alpha"], grid["beta"]):
        with np.errstate(all="ignore"):
            res = minimize(f, np.array(x0, dtype=float), jac=True, method="L-BFGS-B")
        n += 1
        if np.isfinite(res.fun) and res.fun < best_f:
            best_x, best_f = res.x, float(res.fun)
    return best_x, best_f, n


def objective_of(surface: ChinchillaSurface, data) -> float:
    return OBJ.value(surface.loss(data.N, data.D), data.loss)


def timed(fn, repeats: int):
    """Wall times of ``repeats`` calls (the table shows the minimum and the median)."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, times


def run_chinchilla(python: str, data, grid, timeout: float) -> tuple[dict | None, str]:
    if not Path(python).exists():
        return None, f"not run: {python} not found (create the venv, see the docstring)"
    with tempfile.TemporaryDirectory() as tmp:
        proj = Path(tmp) / "proj"
        proj.mkdir()
        rows = ["C,N,D,loss"] + [
            f"{c!r},{n!r},{d!r},{y!r}"
            for c, n, d, y in zip(
                map(float, data.C),
                map(float, data.N),
                map(float, data.D),
                map(float, data.loss),
                strict=True,
            )
        ]
        (proj / "df.csv").write_text("\n".join(rows) + "\n")
        try:
            proc = subprocess.run(
                [python, "-c", _CC_SCRIPT, "-", str(proj), json.dumps(grid)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None, f"not finished within {timeout:.0f} s"
    if proc.returncode != 0:
        tail = " ".join(proc.stderr.strip().splitlines()[-1:])
        return None, f"failed (exit {proc.returncode}): {tail}"
    return json.loads(proc.stdout.strip().splitlines()[-1]), "ok"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="every 2nd grid value (plain, chinchilla)")
    ap.add_argument("--chinchilla-python", default=DEFAULT_CC_PYTHON)
    ap.add_argument("--chinchilla-timeout", type=float, default=1800.0)
    ap.add_argument("--skip-chinchilla", action="store_true")
    args = ap.parse_args()
    stride = 2 if args.quick else 1
    grid = hoffmann_grid(stride)
    n_grid = int(np.prod([len(v) for v in grid.values()]))
    data = load_llama3()
    print(f"Llama 3 IsoFLOP points: n = {data.n_points}; objective = mean Huber (delta 1e-3) of")
    print(
        f"log residuals; {os.cpu_count()} CPU cores; load average at start {os.getloadavg()[0]:.2f}"
    )
    rows = []

    fit, t = timed(lambda: fit_varpro(data, objective=OBJ, grid_step=1e-3), 5)
    rows.append(("varpro, Huber/log, grid step 1e-3", t, fit.surface, fit.status, ""))
    fit_mse, t_mse = timed(
        lambda: fit_varpro(data, objective=Objective("mse", "raw"), grid_step=1e-3), 5
    )
    rows.append(
        (
            "varpro, MSE/raw (published setup), 1e-3",
            t_mse,
            fit_mse.surface,
            fit_mse.status,
            "different objective",
        )
    )
    a3, t3 = timed(lambda: fit_approach3(data, objective=OBJ), 3)
    note = f"{a3.details['n_reached_best']}/{a3.details['n_starts']} starts reached best"
    rows.append(("approach3 (profiled starts + varpro seed)", t3, a3.surface, a3.status, note))

    t0 = time.perf_counter()
    x, _, n_plain = plain_multistart(data.N, data.D, data.loss, grid)
    t_plain = time.perf_counter() - t0
    plain_surface = ChinchillaSurface(np.exp(x[0]), np.exp(x[1]), np.exp(x[2]), x[3], x[4])
    rows.append(
        (f"plain L-BFGS-B multistart ({n_plain} starts)", [t_plain], plain_surface, "-", "")
    )

    if args.skip_chinchilla:
        cc, cc_msg = None, "skipped (--skip-chinchilla)"
    else:
        cc, cc_msg = run_chinchilla(args.chinchilla_python, data, grid, args.chinchilla_timeout)
    if cc is not None:
        cc_surface = ChinchillaSurface(cc["E"], cc["A"], cc["B"], cc["alpha"], cc["beta"])
        rows.append(
            (
                f"chinchilla 0.2.0 BFGS ({n_grid} starts)",
                [cc["seconds"]],
                cc_surface,
                "-",
                "own venv, 2 processes",
            )
        )

    print()
    print(
        f"{'method':44s} {'time [s]':>14s} {'objective':>13s} {'E':>7s} {'A':>8s} "
        f"{'B':>8s} {'alpha':>7s} {'beta':>7s}  notes"
    )
    for name, times, s, status, note in rows:
        tt = f"{min(times):.3f}" + (
            f" (med {statistics.median(times):.3f})" if len(times) > 1 else ""
        )
        print(
            f"{name:44s} {tt:>14s} {objective_of(s, data):13.6e} {s.E:7.4f} {s.A:8.2f} "
            f"{s.B:8.2f} {s.alpha:7.4f} {s.beta:7.4f}  {status} {note}".rstrip()
        )
    if cc is None:
        print(f"{'chinchilla (PyPI)':44s} {cc_msg}")
    f_a3, f_plain = objective_of(a3.surface, data), objective_of(plain_surface, data)
    print()
    print(
        f"varpro step 1e-3 (Huber/log): min {min(t):.3f} s, target < 1 s: "
        f"{'met' if min(t) < 1 else 'NOT met'}; MSE/raw min {min(t_mse):.3f} s"
    )
    verdict = "equal or lower" if f_a3 <= f_plain * (1 + 1e-9) else "HIGHER"
    print(
        f"approach3 vs plain multistart: {t_plain / min(t3):.1f}x faster; objective "
        f"{f_a3:.9e} vs {f_plain:.9e} ({verdict})"
    )
    if cc is not None:
        f_cc = objective_of(cc_surface, data)
        print(
            f"approach3 vs chinchilla package: {cc['seconds'] / min(t3):.1f}x faster; objective "
            f"{f_a3:.9e} vs {f_cc:.9e}"
        )
    print(f"load average at end {os.getloadavg()[0]:.2f} (2 shared cores: timings are noisy)")


if __name__ == "__main__":
    sys.exit(main())
