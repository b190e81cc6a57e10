"""Sweep adapter of the MRS model (:mod:`scalinglab.models.sweep_adapter`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from scalinglab._validation import InputError, check_int
from scalinglab.models.sweep_adapter import (
    ModelAdapter,
    Scalar,
    check_ridge,
    flat_scalars,
    split_params,
)

__all__ = ["sweep_adapter"]


def sweep_adapter() -> ModelAdapter:
    """The sweep adapter of this model (see :mod:`scalinglab.models.sweep_adapter`)."""
    from scalinglab.models import mrs
    from scalinglab.models.mrs import theory as mrs_theory

    fields = tuple(f.name for f in dataclasses.fields(mrs.MRSConfig))
    options = ("seeds", "ridge", "closed_form")

    def build(params: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
        cfg_kw, opts = split_params(params, fields)
        cfg = mrs.MRSConfig(**cfg_kw)
        canon = cfg.to_dict()
        canon["seeds"] = check_int(opts.get("seeds", 4), "seeds", "the mrs sweep model", low=1)
        canon["ridge"] = check_ridge(opts.get("ridge", 0.0), "the mrs sweep model")
        closed = opts.get("closed_form", False)
        if not isinstance(closed, bool):
            raise InputError(
                "The 'closed_form' parameter of the mrs sweep model must be true or false. "
                f"Got {closed!r} instead."
            )
        canon["closed_form"] = closed
        return cfg, canon

    def simulate(cfg: Any, params: Mapping[str, Any], seed: int) -> dict[str, Scalar]:
        res = mrs.simulate(cfg, seeds=params["seeds"], seed=seed, ridge=params["ridge"])
        return flat_scalars(res.to_dict(), skip=("config", "per_seed", "seed", "seeds", "ridge"))

    def predict(cfg: Any, params: Mapping[str, Any], seed: int) -> dict[str, Scalar]:
        res = mrs.predict(cfg, ridge=params["ridge"], closed_form=params["closed_form"])
        row = flat_scalars(res.to_dict(), skip=("config", "ridge"))
        if res.deterministic_equivalent is not None:  # RF ridge theory at finite / optimal γ
            de = res.deterministic_equivalent
            row |= flat_scalars({f"de_{k}": de[k] for k in ("loss", "label_term", "noise_term")})
            row["de_ridge"] = float(de["ridge"])
        return row

    def exact(params: Mapping[str, Any]) -> dict[str, float]:
        # Both exponents of the MRS law equal α (MRS eqs. 167-168); L0 is eq. (173).
        m, a = params["latent_dim"], params["alpha"]
        l0 = mrs_theory.power_law_prefactor(m, a, params["lambda_plus"], params["teacher_var"])
        return {"alpha": float(a), "a": float(a), "b": float(a), "L0": float(l0)}

    return ModelAdapter(
        name="mrs",
        description="Maloney-Roberts-Sully random-feature ridge model (scalinglab.models.mrs)",
        parameters=fields + options,
        build=build,
        simulate=simulate,
        predict=predict,
        sim_loss="loss_mean",
        sim_loss_err="loss_sem",
        theory_loss="loss",
        axes={"N": "features", "T": "samples", "M": "latent_dim"},
        exact=exact,
        default_fit="mrs",
    )
