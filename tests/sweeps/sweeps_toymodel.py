"""A cheap deterministic model for the sweep tests (importable by worker processes).

``loss = L0 (n^-a + t^-a)`` exactly in ``predict``; ``simulate`` multiplies it by
``1 + 0.01 z`` with ``z`` the mean of 16 standard normals drawn from the point's seed, so a
point's result depends on its seed and nothing else (not on the executor or the order).
Deliberate trouble for chosen values: ``n == fail_at`` raises, ``n == crash_at`` kills the
worker process (SIGKILL), ``sleep`` makes a point take that many seconds.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

import numpy as np

from scalinglab._validation import check_int, check_real
from scalinglab.sweeps.models import ModelAdapter

L0 = 2.0


@dataclass(frozen=True)
class ToyConfig:
    n: int
    t: int
    alpha: float
    sleep: float
    fail_at: int
    crash_at: int


def build(params):
    owner = "ToyConfig"
    cfg = ToyConfig(
        n=check_int(params.get("n", 10), "n", owner, low=1),
        t=check_int(params.get("t", 10), "t", owner, low=1),
        alpha=check_real(params.get("alpha", 1.0), "alpha", owner, low=0.0, low_open=True),
        sleep=check_real(params.get("sleep", 0.0), "sleep", owner, low=0.0),
        fail_at=check_int(params.get("fail_at", -1), "fail_at", owner),
        crash_at=check_int(params.get("crash_at", -1), "crash_at", owner),
    )
    return cfg, dict(cfg.__dict__)


def law(cfg: ToyConfig) -> float:
    return L0 * (cfg.n**-cfg.alpha + cfg.t**-cfg.alpha)


def simulate(cfg: ToyConfig, params, seed: int) -> dict:
    if cfg.n == cfg.fail_at:
        raise RuntimeError(f"deliberate failure at n={cfg.n}")
    if cfg.n == cfg.crash_at:
        os.kill(os.getpid(), signal.SIGKILL)
    if cfg.sleep:
        time.sleep(cfg.sleep)
    z = np.random.default_rng(seed).standard_normal(16)
    loss = law(cfg) * (1.0 + 0.01 * z.mean())
    return {"loss_mean": loss, "loss_sem": law(cfg) * 0.01 / 4.0, "draw": float(z[0])}


def predict(cfg: ToyConfig, params, seed: int) -> dict:
    return {"loss": law(cfg)}


def exact(params) -> dict:
    a = float(params["alpha"])
    return {"alpha": a, "a": a, "b": a, "L0": L0}


TOY = ModelAdapter(
    name="toy",
    description="toy power law for tests",
    parameters=("n", "t", "alpha", "sleep", "fail_at", "crash_at"),
    build=build,
    simulate=simulate,
    predict=predict,
    axes={"N": "n", "T": "t"},
    exact=exact,
    default_fit="chinchilla",
)
