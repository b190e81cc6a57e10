"""How a sweep builds, runs and reads one model: the :class:`ModelAdapter` contract.

This is the sweep-facing half of the model protocol. Each model folder builds its adapter in
``models/<name>/adapter.py`` and exposes it as ``MODEL.sweep``; :mod:`scalinglab.sweeps` finds
it through :func:`scalinglab.models.get`. The adapter gives

- the parameters a spec may set (config fields and run options such as ``ridge``),
- ``build(params)``: a validated config plus the *canonical* parameters (types fixed, defaults
  filled in), which define a point's identity,
- ``simulate(config, params, seed)`` and ``predict(config, params, seed)``: flat dicts of
  scalars (``predict`` may ignore the seed; a theory that conditions on random draws, like
  the SGD one on its sketches, uses it to condition on the simulation's draws),
- which returned quantity is the loss (and its standard error), and which parameters play the
  roles N (model size), T (data) and M (latent dimension) in a scaling-law fit,
- optionally, the exact law constants (e.g. the MRS exponent α) to print beside fitted ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scalinglab._validation import parse_ridge

__all__ = ["ModelAdapter", "Scalar", "check_ridge", "flat_scalars", "split_params"]

Scalar = float | int | str | bool | None
BuildFn = Callable[[Mapping[str, Any]], tuple[Any, dict[str, Any]]]
SimulateFn = Callable[[Any, Mapping[str, Any], int], Mapping[str, Any]]
PredictFn = Callable[[Any, Mapping[str, Any], int], Mapping[str, Any]]
ExactFn = Callable[[Mapping[str, Any]], dict[str, float]]


@dataclass(frozen=True)
class ModelAdapter:
    """Everything a sweep needs to know about one model.

    Parameters
    ----------
    name : str
        The name a spec uses (``model = "mrs"``).
    description : str
        One line for ``--help`` and the report.
    parameters : tuple of str
        Every key a spec may set in ``[fixed]`` or ``[grid]``.
    build : callable(params) -> (config, canonical_params)
        Validates the parameters (raising :class:`InputError` naming the parameter) and returns
        the model config and the canonical parameter dict (all keys, defaults filled in, values
        of fixed types). The canonical dict is hashed into the point's identity.
    simulate, predict : callable or None
        Return flat dicts of scalars (use :func:`flat_scalars`).
    sim_loss, sim_loss_err, theory_loss : str
        Names of the loss, its standard error (simulate) and the theory loss (predict).
    axes : mapping
        Scaling-law roles: ``"N"`` (model size), ``"T"`` (data), optionally ``"M"``.
    exact : callable(params) -> dict, optional
        Exact law constants for the fit report, e.g. ``{"alpha": 1.0, "L0": ...}``.
    default_fit : str
        The law fitted across a sweep when the spec has no ``[fit]`` table.
    """

    name: str
    description: str
    parameters: tuple[str, ...]
    build: BuildFn
    simulate: SimulateFn | None = None
    predict: PredictFn | None = None
    sim_loss: str = "loss_mean"
    sim_loss_err: str | None = "loss_sem"
    theory_loss: str = "loss"
    axes: Mapping[str, str] = field(default_factory=dict)
    exact: ExactFn | None = None
    default_fit: str = "chinchilla"

    def supports(self, run: str) -> bool:
        """Whether this adapter can do ``run`` ("simulate", "predict" or "both")."""
        need_sim = run in ("simulate", "both")
        need_th = run in ("predict", "both")
        return (not need_sim or self.simulate is not None) and (
            not need_th or self.predict is not None
        )


def flat_scalars(d: Mapping[str, Any], *, skip: tuple[str, ...] = ()) -> dict[str, Scalar]:
    """Keep the scalar entries of a result dict (numbers, strings, booleans, None).

    Tuples/lists of strings are joined with ``"; "``; other nested values (arrays, dicts) are
    dropped: a sweep stores one row of scalars per point. Non-finite floats become None.
    """
    out: dict[str, Scalar] = {}
    for key, val in d.items():
        if key in skip:
            continue
        if isinstance(val, (list, tuple)) and all(isinstance(v, str) for v in val):
            out[key] = "; ".join(val)
        elif val is None or isinstance(val, (str, bool)):
            out[key] = val
        elif isinstance(val, int) or (hasattr(val, "dtype") and getattr(val, "ndim", 1) == 0):
            num = val.item() if hasattr(val, "item") else val
            if isinstance(num, float) and not math.isfinite(num):
                num = None
            out[key] = num
        elif isinstance(val, float):
            out[key] = val if math.isfinite(val) else None
    return out


def check_ridge(value: object, owner: str) -> float | str:
    """A ridge value: a float >= 0 or the string ``"opt"`` (the test-loss-minimising γ*)."""
    return parse_ridge(value, "ridge", owner)


def split_params(
    params: Mapping[str, Any], config_fields: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split spec parameters into config fields and run options."""
    cfg = {k: v for k, v in params.items() if k in config_fields}
    opts = {k: v for k, v in params.items() if k not in config_fields}
    return cfg, opts
