"""Sweep adapter of the multi-index model (:mod:`scalinglab.models.sweep_adapter`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from scalinglab._validation import check_choice, check_int
from scalinglab.models.sweep_adapter import ModelAdapter, Scalar, split_params

__all__ = ["sweep_adapter"]


def sweep_adapter() -> ModelAdapter:
    """The sweep adapter of this model (see :mod:`scalinglab.models.sweep_adapter`).

    Points report the final risk (exact population risk from the overlaps). Scaling-law roles:
    N = width, T = steps. Exact constants: the asymptotic exponents of §A.3 (time exponent as
    ``b``, width exponent as ``a``, both as positive decay rates).

    Examples
    --------
    >>> adapter = sweep_adapter()
    >>> cfg, canon = adapter.build({"dim": 8, "directions": 2, "width": 2, "signal_decay": 1.0})
    >>> adapter.exact(canon), canon["method"]
    ({'a': 1.0, 'b': 1.0}, 'ode')
    """
    from scalinglab.models import multiindex as mi
    from scalinglab.models.multiindex.predict import METHODS

    fields = tuple(f.name for f in dataclasses.fields(mi.MultiIndexConfig))
    options = ("seeds", "method")

    def build(params: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
        cfg_kw, opts = split_params(params, fields)
        for key in ("activation", "coefficients"):
            if isinstance(cfg_kw.get(key), list):
                cfg_kw[key] = tuple(cfg_kw[key])
        cfg = mi.MultiIndexConfig(**cfg_kw)
        canon = cfg.to_dict()
        owner = "the multiindex sweep model"
        canon["seeds"] = check_int(opts.get("seeds", 4), "seeds", owner, low=1)
        method = opts.get("method", "ode")
        check_choice(method, "method", "the multiindex sweep model", METHODS)
        canon["method"] = method
        return cfg, canon

    def compute(cfg: Any) -> float:
        # flops proxy of one SGD run: width x dim x batch x steps
        return float(cfg.width) * cfg.dim * cfg.batch * cfg.steps

    def simulate(cfg: Any, params: Mapping[str, Any], seed: int) -> dict[str, Scalar]:
        res = mi.simulate(cfg, seeds=params["seeds"], seed=seed)
        sem = float(res.risk_sem[-1])
        return {
            "risk": float(res.risk_mean[-1]),
            "risk_sem": sem if math.isfinite(sem) else None,
            "time": float(res.times[-1]),
            "step": int(res.steps[-1]),
            "compute": compute(cfg),
            "status": str(res.status),
        }

    def predict(cfg: Any, params: Mapping[str, Any], seed: int) -> dict[str, Scalar]:
        # conditioned on the simulation's initial networks (same seed)
        res = mi.predict(cfg, seeds=params["seeds"], seed=seed, method=params["method"])
        return {
            "risk": float(res.risk[-1]),
            "time": float(res.times[-1]),
            "compute": compute(cfg),
            "method": res.method,
            "status": str(res.status),
            "message": res.message,
        }

    def exact(params: Mapping[str, Any]) -> dict[str, float]:
        cfg = build(params)[0]
        if cfg.coefficients is not None:
            return {}
        ex = mi.scaling_exponents(cfg.signal_decay)
        if not math.isfinite(ex["time"]):
            return {}
        return {"a": -ex["width"], "b": -ex["time"]}

    return ModelAdapter(
        name="multiindex",
        description="additive multi-index target under online SGD, exact overlap-flow theory "
        "(scalinglab.models.multiindex)",
        parameters=fields + options,
        build=build,
        simulate=simulate,
        predict=predict,
        sim_loss="risk",
        sim_loss_err="risk_sem",
        theory_loss="risk",
        axes={"N": "width", "T": "steps"},
        exact=exact,
        default_fit="chinchilla",
    )
