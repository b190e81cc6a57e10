"""Speed of the finite-data, multi-pass and feature-learning theory against Monte Carlo.

Run by hand (timings are noisy on a shared machine; the script prints the load average):

    .venv/bin/python benchmarks/dynamics.py            # full run (about five minutes)
    .venv/bin/python benchmarks/dynamics.py --quick    # smaller sizes

1. Full-batch GD on P samples, no sketch: the discrete-step deterministic equivalent (one call,
   no draws) against Monte Carlo over data sets at the same accuracy. Monte Carlo = brute-force
   GD iterations per drawn data set; it needs K = (max_t sd_t/mean_t/ε)² data sets for a relative
   standard error ε (sd_t: draw-to-draw spread, from a pilot). Reported: time of K draws /
   time of the deterministic equivalent at ε = 1 %, and the same for the exact per-draw
   eigendecomposition (which replaces the iterations inside Monte Carlo).
2. Multi-pass SGD on one data set: exact sampling expectation vs Monte Carlo over the sampling,
   same accuracy rule.
3. Feature learning: the reduced flow (O(m) per step) against gradient descent on the network's
   parameters (O(m²) per step) for the same curve.
4. Multi-pass SGD averaged over data sets, no sketch: the homogenized deterministic equivalent
   (one call) against Monte Carlo (one SGD path per drawn data set) at the same accuracy, and
   against averaging the exact sampling expectation per data set (timed, and its data-set
   spread estimated, on eight draws).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from scalinglab.models.feature_learning.dynamics import network_gd, rich_flow
from scalinglab.models.sgd.finite_gd import draw_data, exact_gd_risk, gd_data_risk
from scalinglab.models.sgd.homogenized import multipass_de_risk
from scalinglab.models.sgd.multipass import expected_multipass_risk, multipass_paths
from scalinglab.models.sgd.problem import data_spectrum, reduce_identity, target_weights


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def _brute_gd(eigs, vstar, irr, z, y, lr, record):
    p = z.shape[0]
    khat, chat = z.T @ z / p, z.T @ y / p
    v = np.zeros(eigs.size)
    out, slot = [], set(int(s) for s in record)
    for t in range(int(record[-1])):
        v -= lr * (khat @ v - chat)
        if t + 1 in slot:
            d = v - vstar
            out.append(0.5 * (d * d @ eigs + irr))
    return np.array(out)


def finite_gd(dim: int, samples: int, steps: int, pilot: int, eps: float) -> None:
    lam, w = data_spectrum(dim, 1.5), target_weights(dim, 1.5, 0.5)
    noise = 0.05
    spec = reduce_identity(lam, w, noise).mode_spectrum()
    record = np.unique(np.round(np.logspace(0, np.log10(steps), 12)).astype(int))
    de, t_de = _timed(gd_data_risk, spec.eigs, spec.counts, spec.c0, noise, samples, 0.5, record)
    curves, t_eig, t_brute = [], 0.0, 0.0
    for k in range(pilot):
        z, y = draw_data(lam, w, noise, samples, np.random.default_rng([3, k, 1]),
                         np.random.default_rng([3, k, 2]))  # fmt: skip
        c, dt = _timed(exact_gd_risk, lam, w, noise, z, y, 0.5, record)
        t_eig += dt
        if k < 3:
            b, db = _timed(_brute_gd, lam, w, noise, z, y, 0.5, record)
            t_brute += db
            assert np.allclose(b, c, rtol=1e-9)
        curves.append(c)
    arr = np.array(curves)
    mean, sd = arr.mean(axis=0), arr.std(axis=0, ddof=1)
    runs = int(np.ceil((np.max(sd / mean) / eps) ** 2))
    z = np.max(np.abs(de - mean) / (sd / np.sqrt(pilot)))
    per_brute = t_brute / 3
    per_eig = t_eig / pilot
    print(f"[1] GD on P = {samples} samples, d = {dim}, {steps} steps, no sketch, σ² = {noise}")
    print(f"    deterministic equivalent    {t_de:8.3f} s   max |z| vs {pilot} draws {z:.2f}")
    print(f"    per draw: eigendecomposition {per_eig:7.3f} s, brute-force GD {per_brute:7.3f} s")
    print(f"    draw-to-draw rel. sd (max)   {np.max(sd / mean):.3f} → {runs} draws for {eps:.0%}")
    print(
        f"    Monte Carlo (GD iterations) at {eps:.0%}: {runs * per_brute:9.1f} s  "
        f"ratio {runs * per_brute / t_de:,.0f}×"
    )
    print(
        f"    Monte Carlo (exact per draw) at {eps:.0%}: {runs * per_eig:8.1f} s  "
        f"ratio {runs * per_eig / t_de:,.0f}×"
    )


def multipass(dim: int, samples: int, steps: int, pilot: int, eps: float) -> None:
    lam, w = data_spectrum(dim, 1.5), target_weights(dim, 1.5, 0.5)
    z, y = draw_data(lam, w, 0.05, samples, np.random.default_rng(1), np.random.default_rng(2))
    record = np.unique(np.round(np.logspace(0, np.log10(steps), 12)).astype(int))
    phases = [(0, steps, 0.4)]
    ex, t_ex = _timed(expected_multipass_risk, lam, w, 0.05, z, y, batch=2, phases=phases,
                      record=record)  # fmt: skip
    mc, t_mc = _timed(multipass_paths, lam, w, 0.05, z, y, batch=2, phases=phases, record=record,
                      sampling="replacement", runs=pilot, rng=np.random.default_rng(3))  # fmt: skip
    rel = np.max(mc.std(axis=0, ddof=1) / ex)
    runs = int(np.ceil((rel / eps) ** 2))
    zmax = np.max(np.abs(mc.mean(axis=0) - ex) / (mc.std(axis=0, ddof=1) / np.sqrt(pilot)))
    print(f"[2] multi-pass SGD on one data set: P = {samples}, r = {dim}, B = 2, {steps} steps")
    print(f"    exact sampling expectation  {t_ex:8.3f} s   max |z| vs {pilot} runs {zmax:.2f}")
    print(f"    run-to-run rel. sd (max)     {rel:.3f} → {runs} runs for {eps:.0%}")
    print(
        f"    Monte Carlo at {eps:.0%}: {runs * t_mc / pilot:8.2f} s   "
        f"ratio {runs * t_mc / pilot / t_ex:,.1f}×"
    )


def feature_learning(dim: int, time_max: float) -> None:
    lam, w = data_spectrum(dim, 1.5), target_weights(dim, 1.5, 0.5)
    t = np.logspace(0, np.log10(time_max), 10)
    red, t_red = _timed(rich_flow, lam, w**2, 0.0, 2.0, t)
    lr = 0.01
    net, t_net = _timed(network_gd, lam, w, 0.0, 2.0, lr, np.round(t / lr).astype(int))
    err = np.max(np.abs(net / red[0] - 1))
    print(f"[3] feature learning γ = 2, m = {dim}, flow time {time_max:g}")
    print(
        f"    reduced flow {t_red:7.3f} s;  network GD (η = {lr}) {t_net:7.2f} s "
        f"(ratio {t_net / t_red:,.0f}×, max rel. difference {err:.1e} = O(η))"
    )


EXACT_DRAWS = 8


def multipass_de(dim: int, samples: int, steps: int, pilot: int, eps: float) -> None:
    lam, w = data_spectrum(dim, 1.5), target_weights(dim, 1.5, 0.5)
    noise, lr = 0.05, 0.25
    spec = reduce_identity(lam, w, noise).mode_spectrum()
    record = np.unique(np.round(np.logspace(0, np.log10(steps), 12)).astype(int))
    phases = [(0, steps, lr)]
    (de, _), t_de = _timed(multipass_de_risk, spec.eigs, spec.counts, spec.c0, noise, samples,
                      batch=1, lr=lr, record=record)  # fmt: skip
    paths, t_mc, t_exact, exact = [], 0.0, 0.0, []
    for k in range(pilot):
        z, y = draw_data(lam, w, noise, samples, np.random.default_rng([4, k, 1]),
                         np.random.default_rng([4, k, 2]))  # fmt: skip
        run, dt = _timed(multipass_paths, lam, w, noise, z, y, batch=1, phases=phases,
                         record=record, sampling="replacement", runs=1,
                         rng=np.random.default_rng([4, k, 3]))  # fmt: skip
        t_mc += dt
        paths.append(run[0])
        if k < EXACT_DRAWS:
            ex, dt = _timed(expected_multipass_risk, lam, w, noise, z, y, batch=1,
                            phases=phases, record=record)  # fmt: skip
            t_exact += dt
            exact.append(ex)
    arr = np.array(paths)
    mean, sd = arr.mean(axis=0), arr.std(axis=0, ddof=1)
    runs = int(np.ceil((np.max(sd / mean) / eps) ** 2))
    zmax = np.max(np.abs(de - mean) / (sd / np.sqrt(pilot)))
    # the exact expectation has no sampling spread, only the data spread: fewer draws needed
    sd_ex = np.max(np.std(exact, axis=0, ddof=1) / np.mean(exact, axis=0))
    runs_ex = int(np.ceil((sd_ex / eps) ** 2))
    per_ex = t_exact / EXACT_DRAWS
    print(f"[4] multi-pass SGD over data sets: P = {samples}, d = {dim}, B = 1, {steps} steps")
    print(f"    deterministic equivalent    {t_de:8.3f} s   max |z| vs {pilot} paths {zmax:.2f}")
    print(f"    path-to-path rel. sd (max)   {np.max(sd / mean):.3f} → {runs} paths for {eps:.0%}")
    print(
        f"    Monte Carlo at {eps:.0%}: {runs * t_mc / pilot:8.1f} s   "
        f"ratio {runs * t_mc / pilot / t_de:,.0f}×"
    )
    print(
        f"    exact expectation per data set {per_ex:.2f} s; at {eps:.0%} (≈{runs_ex} data "
        f"sets, spread from {EXACT_DRAWS} draws) {runs_ex * per_ex:8.1f} s   "
        f"ratio {runs_ex * per_ex / t_de:,.0f}×"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    args = ap.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    if args.quick:
        finite_gd(300, 60, 2000, 24, 0.01)
        multipass(20, 30, 300, 200, 0.01)
        feature_learning(60, 100.0)
        multipass_de(200, 60, 2000, 48, 0.01)
    else:
        finite_gd(800, 100, 10000, 48, 0.01)
        multipass(40, 60, 1000, 400, 0.01)
        feature_learning(150, 300.0)
        multipass_de(1000, 200, 10000, 64, 0.01)


if __name__ == "__main__":
    main()
