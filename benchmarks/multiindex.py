"""Benchmark of the multi-index model: exact flow vs Monte Carlo SGD, and simulator capacity.

1. **Same accuracy, which cost?** At d = 256, P = m = 16, β = 1, σ = h_2, t ∈ [0, 33.3]
   (the note's §A.5.3 setting), the exact overlap flow gives the population-flow risk curve
   of given initial networks to ~1e−10. Mini-batch SGD with η = 0.02 approximates it with an
   error that shrinks with the batch: we time SGD at B = d and B = 4d, measure its
   max|R_sgd − R_flow|/R0 over the same networks, and report the CPU-time ratio SGD/flow.
2. **Capacity:** the largest d (with P = m = d/16, B = d, η = 0.02, 200 steps timed and
   extrapolated to the 1665 steps of t = 33.3, one seed) whose SGD run fits in one minute of
   CPU, and the largest overlap flow (P = m) that integrates to t = 33.3 in one minute.

CPU seconds (``time.process_time``) are reported besides wall clock: the machine is shared.
Run::

    .venv/bin/python benchmarks/multiindex.py            # ~5 min
    .venv/bin/python benchmarks/multiindex.py --quick    # ~1 min
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from scalinglab.models.multiindex import MultiIndexConfig, predict, simulate


def _timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def accuracy_vs_cost(quick: bool) -> dict:
    d, P = (128, 8) if quick else (256, 16)
    base = dict(dim=d, directions=P, width=P, signal_decay=1.0, init_norm2=1e-4, record=120)
    flow_cfg = MultiIndexConfig(**base, batch=d, lr=0.02, steps=1665)
    pred, fw, fc = _timed(lambda: predict(flow_cfg, seeds=1, seed=0))
    rows = {"flow": {"wall_s": fw, "cpu_s": fc, "max_dev_over_R0": 0.0}}
    for mult in (1, 4):
        cfg = MultiIndexConfig(**base, batch=mult * d, lr=0.02, steps=1665)
        sim, sw, sc = _timed(lambda cfg=cfg: simulate(cfg, seeds=1, seed=0))
        r0 = pred.risk_per_seed[0, 0]
        dev = float(np.max(np.abs(sim.risk[0] - pred.risk_per_seed[0])) / r0)
        rows[f"sgd_B={mult}d"] = {"wall_s": sw, "cpu_s": sc, "max_dev_over_R0": dev,
                                  "cpu_ratio_to_flow": sc / fc}  # fmt: skip
    return {"d": d, "P": P, "m": P, "t_max": 33.3, "runs": rows}


def capacity(quick: bool) -> dict:
    budget = 60.0
    sgd = []
    for d in (256, 512, 1024) if quick else (256, 512, 1024, 2048):
        P = max(1, d // 16)
        cfg = MultiIndexConfig(dim=d, directions=P, width=P, init_norm2=1e-4, batch=d,
                               lr=0.02, steps=200, record=4)  # fmt: skip
        _, w, c = _timed(lambda cfg=cfg: simulate(cfg, seeds=1, seed=0))
        sgd.append({"d": d, "P": P, "m": P, "cpu_s_1665_steps": c * 1665 / 200,
                    "wall_s_1665_steps": w * 1665 / 200})  # fmt: skip
    flows = []
    for P in (16, 32, 64) if quick else (16, 32, 64, 128):
        cfg = MultiIndexConfig(dim=4 * P, directions=P, width=P, init_norm2=1e-4, batch=1,
                               lr=0.02, steps=1665, record=20)  # fmt: skip
        _, w, c = _timed(lambda cfg=cfg: predict(cfg, seeds=1, seed=0))
        flows.append({"P": P, "m": P, "cpu_s": c, "wall_s": w})
    fits = [r for r in sgd if r["cpu_s_1665_steps"] <= budget]
    ffits = [r for r in flows if r["cpu_s"] <= budget]
    return {
        "sgd": sgd,
        "flow": flows,
        "largest_sgd_in_one_minute": fits[-1] if fits else None,
        "largest_flow_in_one_minute": ffits[-1] if ffits else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (~1 min)")
    args = ap.parse_args()
    out = {"accuracy_vs_cost": accuracy_vs_cost(args.quick), "capacity": capacity(args.quick)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
