"""Solvable models, one folder each, all on one protocol (:mod:`scalinglab.models.protocol`).

Every sub-package ``models/<name>/`` that defines ``MODEL`` (a :class:`Model`) in its
``__init__`` is a registered model: adding a model is adding a folder. Models are imported on
first use, so listing them is cheap.

Examples
--------
>>> from scalinglab.models import available, get
>>> "mrs" in available() and "sgd" in available()
True
>>> mrs = get("mrs")
>>> cfg = mrs.example()
>>> round(mrs.predict(cfg).loss, 6) > 0
True
"""

from __future__ import annotations

import importlib
import pkgutil

from scalinglab._validation import InputError
from scalinglab.models.protocol import Model, Prediction, Simulation, standard_error

__all__ = ["Model", "Prediction", "Simulation", "available", "get", "register", "standard_error"]

_EXTRA: dict[str, Model] = {}


def _discovered() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if info.ispkg and not info.name.startswith("_")
    )


def available() -> list[str]:
    """Names of the registered models (folders under ``models/`` and :func:`register` calls)."""
    return sorted(set(_discovered()) | set(_EXTRA))


def register(model: Model) -> None:
    """Register a model defined outside this package (e.g. in a notebook or a plugin)."""
    if not isinstance(model, Model):
        raise TypeError("register() takes a scalinglab.models.Model")
    if model.name in available():
        raise InputError(f"a model named {model.name!r} is already registered")
    _EXTRA[model.name] = model


def get(name: str) -> Model:
    """The :class:`Model` registered under ``name``.

    Raises
    ------
    InputError
        If no model has that name.
    """
    if name in _EXTRA:
        return _EXTRA[name]
    if name not in _discovered():
        raise InputError(f"unknown model {name!r}; choose one of: {', '.join(available())}")
    module = importlib.import_module(f"{__name__}.{name}")
    model = getattr(module, "MODEL", None)
    if not isinstance(model, Model):
        raise InputError(f"models/{name} does not define MODEL (a scalinglab.models.Model)")
    return model
