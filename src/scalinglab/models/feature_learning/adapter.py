"""Sweep adapter of the feature-learning model (:mod:`scalinglab.models.sweep_adapter`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from scalinglab._validation import InputError, check_int
from scalinglab.models.sweep_adapter import ModelAdapter, Scalar, split_params

__all__ = ["sweep_adapter"]


def sweep_adapter() -> ModelAdapter:
    """The sweep adapter of this model: N = features, T = time, compute = N·t."""
    from scalinglab.models import feature_learning as fl

    fields = tuple(f.name for f in dataclasses.fields(fl.FLConfig))
    options = ("seeds", "theory", "method")

    def build(params: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
        cfg_kw, opts = split_params(params, fields)
        cfg = fl.FLConfig(**cfg_kw)
        canon = cfg.to_dict()
        canon["seeds"] = check_int(opts.get("seeds", 4), "seeds", "the feature_learning sweep",
                                   low=1)  # fmt: skip
        for key, allowed, default in (("theory", fl.THEORIES, "auto"),
                                      ("method", fl.METHODS, "network")):  # fmt: skip
            val = opts.get(key, default)
            if val not in allowed:
                raise InputError(
                    f"The '{key}' parameter of the feature_learning sweep model must be one of "
                    f"{', '.join(allowed)}. Got {val!r} instead."
                )
            canon[key] = val
        return cfg, canon

    def simulate(cfg: Any, params: Mapping[str, Any], seed: int) -> dict[str, Scalar]:
        res = fl.simulate(cfg, seeds=params["seeds"], seed=seed, method=params["method"])
        sem = float(res.loss_sem[-1])
        return {
            "risk": float(res.loss[-1]),
            "risk_sem": sem if math.isfinite(sem) else None,
            "time": float(res.times[-1]),
            "compute": float(cfg.features) * float(cfg.time),
        }

    def predict(cfg: Any, params: Mapping[str, Any], seed: int) -> dict[str, Scalar]:
        res = fl.predict(cfg, theory=params["theory"], seeds=params["seeds"], seed=seed)
        return {
            "risk": float(res.risk[-1]),
            "risk_floor": float(res.risk_floor),
            "time": float(res.times[-1]),
            "compute": float(cfg.features) * float(cfg.time),
            "theory": res.theory,
            "status": str(res.status),
            "message": res.message,
        }

    return ModelAdapter(
        name="feature_learning",
        description="two-layer linear network with feature-learning strength gamma "
        "(scalinglab.models.feature_learning)",
        parameters=fields + options,
        build=build,
        simulate=simulate,
        predict=predict,
        sim_loss="risk",
        sim_loss_err="risk_sem",
        theory_loss="risk",
        axes={"N": "features", "T": "time"},
        default_fit="chinchilla",
    )
