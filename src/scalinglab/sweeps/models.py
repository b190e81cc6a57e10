"""Model adapters: how a sweep builds, runs and reads one model.

A sweep knows nothing about any particular model. It asks an adapter, looked up by the name
written in the spec (``model = "mrs"``), for

- the parameters a spec may set (config fields and run options such as ``ridge``),
- ``build(params)``: a validated config plus the *canonical* parameters (types fixed, defaults
  filled in), which define a point's identity,
- ``simulate(config, params, seed)`` and ``predict(config, params, seed)``: flat dicts of
  scalars (``predict`` may ignore the seed; a theory that conditions on random draws, like
  the SGD one on its sketches, uses it to condition on the simulation's draws),
- which returned quantity is the loss (and its standard error), and which parameters play the
  roles N (model size), T (data) and M (latent dimension) in a scaling-law fit,
- optionally, the exact law constants (e.g. the MRS exponent α) to print beside fitted ones.

Built-in adapters: ``mrs`` (:mod:`scalinglab.models.mrs`) and ``sgd``
(:mod:`scalinglab.models.sgd`, when installed). A spec may also name an adapter by import path,
``model = "package.module:ADAPTER"``; the module must be importable on every worker.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scalinglab._validation import InputError, check_int, check_real

__all__ = [
    "ModelAdapter",
    "available_models",
    "flat_scalars",
    "get_model",
    "register_model",
]

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


_REGISTRY: dict[str, ModelAdapter | Callable[[], ModelAdapter]] = {}


def register_model(name: str, adapter: ModelAdapter | Callable[[], ModelAdapter]) -> None:
    """Register an adapter (or a zero-argument factory that imports the model lazily)."""
    if name in _REGISTRY:
        raise RuntimeError(f"model adapter {name!r} registered twice")
    _REGISTRY[name] = adapter


def available_models() -> list[str]:
    """Names of the registered adapters (import-path adapters are not listed)."""
    return sorted(_REGISTRY)


def get_model(name: str) -> ModelAdapter:
    """The adapter for ``name``: a registered name or ``"package.module:ATTRIBUTE"``.

    Raises
    ------
    InputError
        If the name is unknown, the module cannot be imported, or the attribute is not an
        adapter.
    """
    if ":" in name:
        mod_name, _, attr = name.partition(":")
        try:
            module = importlib.import_module(mod_name)
        except ImportError as exc:
            raise InputError(f"cannot import the model module {mod_name!r}: {exc}") from None
        adapter = getattr(module, attr, None)
        if not isinstance(adapter, ModelAdapter):
            raise InputError(f"{name!r} is not a scalinglab.sweeps.models.ModelAdapter")
        return adapter
    entry = _REGISTRY.get(name)
    if entry is None:
        raise InputError(
            f"unknown model {name!r}; choose one of: {', '.join(available_models())} "
            "(or 'package.module:ADAPTER')"
        )
    if isinstance(entry, ModelAdapter):
        return entry
    try:
        adapter = entry()
    except ImportError as exc:
        raise InputError(f"model {name!r} is not available in this installation: {exc}") from None
    _REGISTRY[name] = adapter
    return adapter


# --------------------------------------------------------------------------- shared helpers


def check_ridge(value: object, owner: str) -> float | str:
    """A ridge value: a float >= 0 or the string ``"opt"`` (the test-loss-minimising γ*)."""
    if value == "opt":
        return "opt"
    if isinstance(value, str):
        raise InputError(
            f"The 'ridge' parameter of {owner} must be a float >= 0 or 'opt'. "
            f"Got {value!r} instead."
        )
    return check_real(value, "ridge", owner, low=0.0)


def split_params(
    params: Mapping[str, Any], config_fields: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split spec parameters into config fields and run options."""
    cfg = {k: v for k, v in params.items() if k in config_fields}
    opts = {k: v for k, v in params.items() if k not in config_fields}
    return cfg, opts


# --------------------------------------------------------------------------- MRS


def _mrs_adapter() -> ModelAdapter:
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


register_model("mrs", _mrs_adapter)


# --------------------------------------------------------------------------- SGD

SGD_THEORIES = ("auto", "exact", "deterministic", "recursion", "volterra")


def _sgd_adapter() -> ModelAdapter:
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
        # a = alpha min(beta, 1), b = beta (note eqs. 6, 10), via scalinglab.core.exponents. No exact
        # pair is claimed for SGD, whose time exponent depends on the phase.
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


register_model("sgd", _sgd_adapter)
