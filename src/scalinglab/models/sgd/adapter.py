"""Sweep adapter of the SGD model (:mod:`scalinglab.models.sweep_adapter`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from scalinglab._validation import InputError, check_int
from scalinglab.models.sweep_adapter import (
    ModelAdapter,
    Scalar,
    split_params,
)

__all__ = ["sweep_adapter"]

SGD_THEORIES = ("auto", "exact", "deterministic", "recursion", "volterra")


def sweep_adapter() -> ModelAdapter:
    """The sweep adapter of this model (see :mod:`scalinglab.models.sweep_adapter`)."""
    from scalinglab.core import exponents
    from scalinglab.models import sgd

    fields = tuple(f.name for f in dataclasses.fields(sgd.SGDConfig))
    options = ("seeds", "theory")

    def build(params: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
        cfg_kw, opts = split_params(params, fields)
        cfg = sgd.SGDConfig(**cfg_kw)
        canon = cfg.to_dict()
        canon["seeds"] = check_int(opts.get("seeds", 4), "seeds", "the sgd sweep model", low=1)
        theory = opts.get("theory", "auto")
        if theory not in SGD_THEORIES:
            raise InputError(
                f"The 'theory' parameter of the sgd sweep model must be one of "
                f"{', '.join(SGD_THEORIES)}. Got {theory!r} instead."
            )
        canon["theory"] = theory
        return cfg, canon

    def compute(cfg: Any) -> float:
        # flops proxy of one run: features x steps x batch (Paquette et al. 2024: f = r B d)
        return float(cfg.features) * float(cfg.steps) * float(cfg.batch)

    def simulate(cfg: Any, params: Mapping[str, Any], seed: int) -> dict[str, Scalar]:
        res = sgd.simulate(cfg, seeds=params["seeds"], seed=seed)
        sem = float(res.risk_sem[-1])
        return {
            "risk": float(res.risk_mean[-1]),
            "risk_sem": sem if math.isfinite(sem) else None,
            "step": int(res.steps[-1]),
            "compute": compute(cfg),
            "lr": float(cfg.step_size()),
            "method": res.method,
        }

    def predict(cfg: Any, params: Mapping[str, Any], seed: int) -> dict[str, Scalar]:
        # "exact" theory: averaged over the same sketches as the simulation (same seed)
        res = sgd.predict(cfg, theory=params["theory"], seeds=params["seeds"], seed=seed)
        return {
            "risk": float(res.risk[-1]),
            "risk_floor": float(res.risk_floor),
            "step": int(res.steps[-1]),
            "compute": compute(cfg),
            "theory": res.theory,
            "status": str(res.status),
            "message": res.message,
        }

    def exact(params: Mapping[str, Any]) -> dict[str, float]:
        # Gradient flow / GD (time = lr x steps, a rescaling of steps): L ~ N^-a + t^-b with
        # a = alpha min(beta, 1), b = beta (note eqs. 6, 10), via scalinglab.core.exponents.
        # No exact pair is claimed for SGD, whose time exponent depends on the phase.
        if params.get("optimizer") not in ("flow", "gd"):
            return {}
        cfg = build(params)[0]
        rates = exponents.gradient_flow_exponents(*cfg.note_exponents)
        return {"a": float(rates["loss_vs_features"]), "b": float(rates["loss_vs_time"])}

    return ModelAdapter(
        name="sgd",
        description="sketched power-law linear regression under SGD / GD / gradient flow "
        "(scalinglab.models.sgd)",
        parameters=fields + options,
        build=build,
        simulate=simulate,
        predict=predict,
        sim_loss="risk",
        sim_loss_err="risk_sem",
        theory_loss="risk",
        axes={"N": "features", "T": "steps"},
        exact=exact,
        default_fit="chinchilla",
    )
