"""Benchmark: exact K of monomial random features against the Monte Carlo covariance.

Run by hand::

    .venv/bin/python benchmarks/monomial_spectrum.py            # d = 2000, v = 3000 + ratio run
    .venv/bin/python benchmarks/monomial_spectrum.py --quick    # d = 1000, v = 2000

What is timed (x ~ N(0, diag(j^-1.5)), W with N(0, 1) entries):

- **large**: ``analyze_rf_monomial`` for p = 2 and 3 — one v·d² product for G = WᵀHW, the
  Hadamard closed form of K, one d × d ``eigvalsh``, the reference sequence and the fits.
- **ratio**: at a smaller size, the Monte Carlo estimate ``(1/n) Σ f(Wᵀx) f(Wᵀx)ᵀ / d`` (the
  route without the closed form) needs n samples to get the window's eigenvalues λ_5 … λ_{d/20}
  to 1 % rms (relative to the exact ones; about what a slope to ~0.01 needs). The rms error
  is measured over 4 independent runs of n₀ samples and checked to fall as n^-1/2 by pooling
  them; n for 1 % is n₀ (rms/1 %)², and the Monte Carlo time is the best measured time per
  sample times n. The exact route is exact to rounding, so this understates its advantage.

The machine is shared (2 cores): timings are noisy; run when it is quiet and repeat.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.linalg

from scalinglab.core.monomial_features import (
    analyze_rf_monomial,
    feature_covariance_monte_carlo,
    monomial_covariance,
)

TARGET = 0.01


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def window_errors(k_est: np.ndarray, exact_ev: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Relative errors of the estimated eigenvalues λ_lo … λ_hi against the exact ones."""
    ev = scipy.linalg.eigvalsh(k_est)[::-1]
    return ev[lo - 1 : hi] / exact_ev[lo - 1 : hi] - 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    v, d = (2000, 1000) if args.quick else (3000, 2000)
    print(f"large: v = {v}, d = {d}, alpha = 1.5")
    for p in (2, 3):
        res, t = timed(analyze_rf_monomial, 1.5, p, v, d, seed=0)
        best = t
        _, t2 = timed(analyze_rf_monomial, 1.5, p, v, d, seed=0)
        best = min(best, t2)
        rep = res.exponents
        print(
            f"  p = {p}: exact K + eigvalsh + reference + fits {best:6.2f} s (best of 2); "
            f"naive {rep.naive_exponent:.3f}, slope vs ref {rep.slope_vs_reference:.3f}"
        )

    vr, dr, p = (300, 150, 2) if args.quick else (400, 200, 2)
    lo, hi = 5, max(dr // 20, 10)
    rng = np.random.default_rng(0)
    w = rng.standard_normal((vr, dr))
    h = np.arange(1, vr + 1.0) ** -1.5
    scipy.linalg.eigvalsh(monomial_covariance(w, h, p))  # warm-up (BLAS threads, caches)
    t_exact = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        ev = scipy.linalg.eigvalsh(monomial_covariance(w, h, p))[::-1]
        t_exact = min(t_exact, time.perf_counter() - t0)
    print(f"ratio run: v = {vr}, d = {dr}, p = {p}, window [{lo}, {hi}], target {TARGET:.0%}")
    print(f"  exact:       {t_exact * 1e3:8.1f} ms (best of 3)")
    n0, runs = (20_000, 4) if args.quick else (50_000, 4)
    errs, times, pooled = [], [], np.zeros((dr, dr))
    for r in range(runs):
        (mean, _), t = timed(feature_covariance_monte_carlo, w, h, p, n0, np.random.default_rng(r))
        pooled += mean / runs
        errs.append(window_errors(mean, ev, lo, hi))
        times.append(t)
    rms = float(np.sqrt(np.mean(np.square(errs))))
    rms_pooled = float(np.sqrt(np.mean(np.square(window_errors(pooled, ev, lo, hi)))))
    per_sample = min(times) / n0
    print(
        f"  Monte Carlo: {runs} runs of n = {n0}: rms relative error over the window "
        f"{rms:.3%}; pooled (n = {runs * n0}) {rms_pooled:.3%} "
        f"(ratio {rms / rms_pooled:.2f}; {np.sqrt(runs):.2f} for n^-1/2)"
    )
    n_needed = n0 * (rms / TARGET) ** 2
    t_mc = per_sample * n_needed
    print(
        f"  Monte Carlo for {TARGET:.0%} rms: n ~ {n_needed:.3g} samples, ~{t_mc:.3g} s "
        f"({per_sample * 1e6:.1f} us/sample, best run)"
    )
    print(f"  ratio Monte Carlo / exact: {t_mc / t_exact:.3g}x")


if __name__ == "__main__":
    main()
