"""Accuracy of the homogenized multi-pass SGD closure against the exact sampling expectation.

Run by hand (minutes; the P = N = 200 row alone takes ~3.5 min on one core):

    .venv/bin/python benchmarks/multipass_closure.py            # the grid and the size trend
    .venv/bin/python benchmarks/multipass_closure.py --quick    # the grid at P <= 100 only

For each setting, six data sets (seeded sketch, features and noise of
:func:`scalinglab.models.sgd.results.seed_streams`), the default step, 2000 steps and 10
recorded steps; printed: max over the steps of |mean homogenized / mean exact − 1|.
"""

from __future__ import annotations

import argparse

import numpy as np

from scalinglab.models.sgd.finite_gd import draw_data
from scalinglab.models.sgd.homogenized import homogenized_risk
from scalinglab.models.sgd.model import SGDConfig
from scalinglab.models.sgd.multipass import expected_multipass_risk
from scalinglab.models.sgd.results import seed_streams

DRAWS = 6


def closure_error(dim: int, features: int, alpha: float, beta: float, samples: int,
                  batch: int) -> float:  # fmt: skip
    cfg = SGDConfig(dim=dim, features=features, alpha=alpha, beta=beta, data=samples,
                    batch=batch, steps=2000, record=10, noise_var=0.05)  # fmt: skip
    record, hom, exact = cfg.record_steps(), [], []
    for k in range(DRAWS):
        prob = cfg.reduced_problem(seed_streams(0, k)[0])[1]
        _, feat, noise = seed_streams(0, k)
        z, y = draw_data(prob.eigs, prob.vstar, prob.irreducible, samples, feat, noise)
        args = (prob.eigs, prob.vstar, prob.irreducible, z, y)
        kw = {"batch": batch, "phases": cfg.phases(), "record": record}
        exact.append(expected_multipass_risk(*args, **kw))
        hom.append(homogenized_risk(*args, **kw))
    return float(np.max(np.abs(np.mean(hom, 0) / np.mean(exact, 0) - 1)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the grid at P <= 100 only")
    args = ap.parse_args()
    ps = (25, 50, 100) if args.quick else (25, 50, 100, 400)
    print("grid: d = 200, N = 50, σ² = 0.05")
    print("| α, β | P | B = 1 | B = 4 | B = 16 |")
    for alpha, beta in ((1.5, 0.5), (2.0, 0.3)):
        for p in ps:
            errs = [closure_error(200, 50, alpha, beta, p, b) for b in (1, 4, 16)]
            print(f"| {alpha}, {beta} | {p} | " + " | ".join(f"{100 * e:.1f} %" for e in errs))
    if args.quick:
        return
    print("size trend: α = 1.5, β = 0.5, B = 1, d = 4N")
    for n in (50, 100, 200):
        for p in (n // 2, n):
            err = closure_error(4 * n, n, 1.5, 0.5, p, 1)
            print(f"  N = {n:4d}, P = {p:4d}: {100 * err:.1f} %")


if __name__ == "__main__":
    main()
