"""Speed of the SGD theory against Monte Carlo and against the step-by-step recursion.

Run by hand (timings are noisy on a shared machine; the script prints the load average):

    .venv/bin/python benchmarks/sgd.py            # full run (a few minutes)
    .venv/bin/python benchmarks/sgd.py --quick    # smaller sizes

1. Theory vs Monte Carlo at the same accuracy. For one sketch the exact expected risk curve
   (secular closed form) is computed once; Monte Carlo SGD needs K runs for a relative standard
   error ε, K = (max_t sd_t / mean_t / ε)², where sd_t is the run-to-run standard deviation of
   the risk at fixed sketch (measured on a pilot of runs). We report the time of K runs divided
   by the theory time, for ε = 1%. The theory is exact to ~1e-12, so this favours Monte Carlo.
   (At B = 1 the single-run risk is heavy-tailed, so the pilot's |z| against the theory can
   exceed 3 with few runs; the test suite checks agreement with B = 2 and 1000-run checks
   at B = 1 agree within 2 standard errors.)
2. Time to a 10⁷-step risk curve at d = 10⁴: closed form on the full unsketched spectrum
   (m = d = 10⁴ modes), on the sketch-free deterministic equivalent (m = 2500) and on one exact
   sketch (m = 1000), against the recursion's measured cost per step extrapolated to 10⁷ steps.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from scalinglab.models.sgd.deterministic import deterministic_modes
from scalinglab.models.sgd.model import SGDConfig
from scalinglab.models.sgd.problem import data_spectrum, target_weights
from scalinglab.models.sgd.results import seed_streams
from scalinglab.models.sgd.sim import sgd_reduced
from scalinglab.models.sgd.theory import risk_recursion, risk_spectral


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def theory_vs_monte_carlo(dim: int, features: int, steps: int, pilot: int, eps: float) -> None:
    cfg = SGDConfig(dim=dim, features=features, alpha=1.5, beta=0.5, steps=steps, batch=1,
                    noise_var=0.01, record=40)  # fmt: skip
    record = cfg.record_steps()
    (_, prob), t_sketch = _timed(cfg.reduced_problem, seed_streams(0, 0)[0])
    spec = prob.mode_spectrum()
    eta = cfg.step_size()
    curve, t_theory = _timed(risk_spectral, spec, eta, 1, record)
    # Monte Carlo with the same sketch: `pilot` independent runs, vectorised.
    rngs = [np.random.default_rng([7, k]) for k in range(2 * pilot)]
    eig = np.tile(prob.eigs, (pilot, 1))
    vst = np.tile(prob.vstar, (pilot, 1))
    floor = np.full(pilot, prob.irreducible)
    risk, t_mc = _timed(
        sgd_reduced, eig, vst, floor, batch=1, phases=cfg.phases(), record=record, data=None,
        feature_rngs=rngs[:pilot], noise_rngs=rngs[pilot:],
    )  # fmt: skip
    rel_sd = float(np.max(risk.std(axis=0, ddof=1) / curve.risk))
    runs_needed = int(np.ceil((rel_sd / eps) ** 2))
    t_mc_needed = t_mc / pilot * runs_needed
    z = (risk.mean(axis=0) - curve.risk) / (risk.std(axis=0, ddof=1) / np.sqrt(pilot))
    _, t_rec = _timed(risk_recursion, spec, eta, 1, record)
    print(f"[1] d={dim}, m={features}, {steps} steps, B=1 (sketch drawn in {t_sketch:.2f} s)")
    print(f"    theory (closed form)      {t_theory:8.3f} s")
    print(f"    theory (recursion)        {t_rec:8.3f} s")
    zmax = float(np.max(np.abs(z)))
    print(f"    Monte Carlo, {pilot} runs     {t_mc:8.3f} s   max |z| vs theory {zmax:.2f}")
    print(f"    run-to-run rel. sd (max)  {rel_sd:8.3f}  → {runs_needed} runs for {eps:.0%} error")
    print(f"    Monte Carlo at {eps:.0%}        {t_mc_needed:8.1f} s")
    print(f"    ratio MC / closed form    {t_mc_needed / t_theory:8.0f}×")
    print(f"    ratio MC / recursion      {t_mc_needed / t_rec:8.0f}×")


def long_curve(dim: int, steps: int, rec_steps: int) -> None:
    a, b = 1.5, 0.5
    lam, w = data_spectrum(dim, a), target_weights(dim, a, b)
    record = np.unique(np.round(np.logspace(0, np.log10(steps), 60)).astype(np.int64))
    print(f"[2] {steps:.0e}-step risk curve at d = {dim} (60 recorded steps)")
    cases = []
    full = SGDConfig(dim=dim, features=dim, sketch="none", alpha=a, beta=b, steps=steps)
    cases.append(("no sketch, m = d", full.reduced_problem(None)[1].mode_spectrum(), full))
    m_de = dim // 4
    de, t_de = _timed(deterministic_modes, lam, lam * w**2, m_de, 0.0)
    cfg_de = SGDConfig(dim=dim, features=m_de, alpha=a, beta=b, steps=steps)
    cases.append((f"deterministic equivalent, m = {m_de} ({de.spectrum.size} atoms, "
                  f"DE {t_de:.1f} s)", de.spectrum, cfg_de))  # fmt: skip
    m_ex = dim // 10
    cfg_ex = SGDConfig(dim=dim, features=m_ex, alpha=a, beta=b, steps=steps)
    (_, prob), t_sk = _timed(cfg_ex.reduced_problem, seed_streams(0, 0)[0])
    cases.append((f"exact sketch, m = {m_ex} (SVD {t_sk:.1f} s)", prob.mode_spectrum(), cfg_ex))
    for label, spec, cfg in cases:
        eta = cfg.step_size()
        curve, t_fast = _timed(risk_spectral, spec, eta, 1, record)
        short = np.unique(np.round(np.logspace(0, np.log10(rec_steps), 20)).astype(np.int64))
        _, t_short = _timed(risk_recursion, spec, eta, 1, short)
        t_rec = t_short / rec_steps * steps
        print(f"    {label}")
        print(f"      closed form {t_fast:7.2f} s  ({curve.message});  recursion "
              f"{t_short:.2f} s for {rec_steps} steps → {t_rec:,.0f} s for {steps:.0e} "
              f"(×{t_rec / t_fast:,.0f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    if args.quick:
        theory_vs_monte_carlo(400, 100, 2000, 16, 0.01)
        long_curve(2000, 10**7, 2000)
    else:
        theory_vs_monte_carlo(1000, 250, 10**4, 32, 0.01)
        long_curve(10**4, 10**7, 5000)


if __name__ == "__main__":
    main()
