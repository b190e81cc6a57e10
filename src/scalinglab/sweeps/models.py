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

Every registered model of :mod:`scalinglab.models` whose ``MODEL.sweep`` is set is sweepable
by name; the adapters live in the model folders (``models/<name>/adapter.py``). A spec may
also name an adapter by import path, ``model = "package.module:ADAPTER"`` (the module must be
importable on every worker), and :func:`register_model` adds one at run time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from scalinglab._validation import InputError
from scalinglab.models.sweep_adapter import (
    ModelAdapter,
    Scalar,
    check_ridge,
    flat_scalars,
    split_params,
)

__all__ = [
    "ModelAdapter",
    "Scalar",
    "available_models",
    "check_ridge",
    "flat_scalars",
    "get_model",
    "register_model",
    "split_params",
]

_REGISTRY: dict[str, ModelAdapter | Callable[[], ModelAdapter]] = {}


def register_model(name: str, adapter: ModelAdapter | Callable[[], ModelAdapter]) -> None:
    """Register an adapter (or a zero-argument factory that imports the model lazily).

    Examples
    --------
    A toy adapter whose theory loss is 1/N (the last line restores the registry):

    >>> toy = ModelAdapter(
    ...     name="toy", description="loss = 1/N", parameters=("features",),
    ...     build=lambda p: (None, {"features": int(p["features"])}),
    ...     predict=lambda cfg, p, seed: {"loss": 1.0 / p["features"]}, axes={"N": "features"})
    >>> register_model("toy", toy)
    >>> get_model("toy") is toy, "toy" in available_models()
    (True, True)
    >>> register_model("toy", toy)
    Traceback (most recent call last):
    ...
    RuntimeError: model adapter 'toy' registered twice
    >>> del _REGISTRY["toy"]
    """
    if name in _REGISTRY:
        raise RuntimeError(f"model adapter {name!r} registered twice")
    _REGISTRY[name] = adapter


def _protocol_models() -> list[str]:
    from scalinglab import models

    return models.available()


def available_models() -> list[str]:
    """Names of the sweepable models (import-path adapters are not listed).

    Examples
    --------
    >>> {"mrs", "sgd"} <= set(available_models())
    True
    """
    from scalinglab import models

    names = set(_REGISTRY)
    for name in models.available():
        if models.get(name).sweep is not None:
            names.add(name)
    return sorted(names)


def get_model(name: str) -> ModelAdapter:
    """The adapter for ``name``: a registered name or ``"package.module:ATTRIBUTE"``.

    Raises
    ------
    InputError
        If the name is unknown, the module cannot be imported, or the attribute is not an
        adapter.

    Examples
    --------
    >>> adapter = get_model("mrs")
    >>> adapter.axes["N"], adapter.axes["T"], adapter.supports("both")
    ('features', 'samples', True)
    >>> get_model("no-such-model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: unknown model 'no-such-model'; choose one of: ...
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
    if entry is None and name in _protocol_models():
        from scalinglab import models

        entry = models.get(name).sweep
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


