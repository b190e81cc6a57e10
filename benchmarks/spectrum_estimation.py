"""Benchmark: spectrum and exponent estimation on large arrays, against a naive reference.

Run by hand::

    .venv/bin/python benchmarks/spectrum_estimation.py            # 20000 x 3000 (+ ratio run)
    .venv/bin/python benchmarks/spectrum_estimation.py --quick    # 5000 x 800

What is timed (power-law Gaussian data, λ_k = k^-1.5, and a linear target):

- **large**: ``eigensystem(x)`` (values only: one ``syrk`` for XᵀX/n, one ``syevd`` without
  vectors), ``estimate_exponents(x)`` (adds eigenvectors, the window search and the
  infinitesimal-jackknife error) and ``estimate_exponents(x, y)`` (adds label projections and
  the tail fit) on the full array.
- **ratio**: on a smaller array with n > d (the naive route is too slow at 20000 samples),
  the naive estimate — ``numpy.linalg.eigh`` of the n × n Gram matrix with eigenvectors, as
  one would to project labels — against ``estimate_exponents(x, y)``, which solves the
  d × d problem instead.

The machine is shared (2 cores): timings are noisy; run when it is quiet and repeat.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from scalinglab.empirical.spectra import eigensystem, estimate_exponents


def data(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    k = np.arange(1, d + 1.0)
    x = rng.standard_normal((n, d)) * k**-0.75
    y = x @ (rng.standard_normal(d) * k**-0.2)
    return x, y


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def naive(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc = x - x.mean(axis=0)
    w, u = np.linalg.eigh(xc @ xc.T / x.shape[0])
    return w, (u.T @ (y - y.mean())) ** 2 / x.shape[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n, d = (5000, 800) if args.quick else (20000, 3000)
    nr, dr = (2000, 300) if args.quick else (6000, 800)

    x, y = data(n, d)
    print(f"large: {n} x {d} float64 ({x.nbytes / 2**20:.0f} MiB)")
    es, t_vals = timed(eigensystem, x)
    print(f"  eigensystem (values only, {es.method} {d}x{d}):  {t_vals:7.2f} s")
    est, t_cap = timed(estimate_exponents, x)
    print(
        f"  estimate_exponents(x):       {t_cap:7.2f} s   a = {est.capacity:.4f} "
        f"[{est.capacity_ci[0]:.4f}, {est.capacity_ci[1]:.4f}] window {est.fit_window}"
    )
    est, t_src = timed(estimate_exponents, x, y)
    print(
        f"  estimate_exponents(x, y):    {t_src:7.2f} s   b = {est.source:.4f} "
        f"[{est.source_ci[0]:.4f}, {est.source_ci[1]:.4f}] window {est.source_window}"
    )

    xs, ys = data(nr, dr, seed=1)
    print(f"ratio run: {nr} x {dr}")
    (w_naive, _), t_naive = timed(naive, xs, ys)
    est_s, t_ours = timed(estimate_exponents, xs, ys)
    top = np.sort(w_naive)[::-1][: est_s.eigenvalues.size]
    err = np.max(np.abs(top - est_s.eigenvalues) / est_s.eigenvalues[0])
    print(f"  naive eigh of the {nr}x{nr} Gram with vectors: {t_naive:7.2f} s")
    print(f"  estimate_exponents (d x d route, with fits):    {t_ours:7.2f} s")
    print(f"  speed-up: {t_naive / t_ours:.1f}x   (max eigenvalue difference / λ_1: {err:.1e})")


if __name__ == "__main__":
    main()
