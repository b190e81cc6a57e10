"""Data-reuse horizon L*(P) of multi-pass SGD from the homogenized deterministic equivalent.

Run by hand; each P costs seconds at d = 2000, ~30 s at d = 16000 and minutes at d = 64000:

    .venv/bin/python benchmarks/reuse_horizon.py --dim 2000 --samples 16,25,40,64,100
    .venv/bin/python benchmarks/reuse_horizon.py --dim 16000 --samples 100,250,640,1600

No sketch, noiseless, batch 1, default step, 10·P^α steps with 80 recorded; L* is the last
upward crossing of (multi-pass DE risk) / (exact one-pass risk) through 1.25, 1.5 and 2
(log-linear interpolation, as the ``dynamics-reuse`` figure). Prints L* per P, the fitted
slopes of log L* against log P, and the ratio at one epoch (L = P).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from scalinglab.figures.dynamics import last_crossing
from scalinglab.models.sgd.model import SGDConfig, predict

ALPHA, BETA = 1.5, 0.5
LEVELS = (1.25, 1.5, 2.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dim", type=int, default=2000)
    ap.add_argument("--samples", default="16,25,40,64,100", help="comma-separated P values")
    args = ap.parse_args()
    ps = [int(p) for p in args.samples.split(",")]
    horizons = {level: [] for level in LEVELS}
    for p in ps:
        t0 = time.perf_counter()
        cfg = SGDConfig(dim=args.dim, features=args.dim, sketch="none", alpha=ALPHA, beta=BETA,
                        batch=1, steps=int(10 * p**ALPHA), record=80)  # fmt: skip
        steps = cfg.record_steps().astype(float)
        one = predict(cfg, theory="exact", seeds=1).risk
        multi = predict(SGDConfig(**{**cfg.to_dict(), "data": p}), theory="deterministic").risk
        ratio = multi / one
        cross = {level: last_crossing(steps, ratio, level) for level in LEVELS}
        for level in LEVELS:
            horizons[level].append(cross[level])
        epoch = float(np.interp(np.log(p), np.log(steps), ratio))
        print(f"P = {p:5d}: L* " + ", ".join(f"{lv}×: {c:9.1f}" for lv, c in cross.items())
              + f"; ratio at L = P {epoch:.3f}  ({time.perf_counter() - t0:.1f} s)")  # fmt: skip
    pa = np.array(ps, dtype=float)
    for level in LEVELS:
        c = np.array(horizons[level])
        ok = np.isfinite(c)
        if ok.sum() >= 2:
            slope = np.polyfit(np.log(pa[ok]), np.log(c[ok]), 1)[0]
            print(f"fitted slope at {level}×: {slope:.3f} (predicted α = {ALPHA})")


if __name__ == "__main__":
    main()
