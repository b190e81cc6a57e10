"""Experiment grids over any model, a crash-safe SQLite result store, and executors.

Typical use::

    from scalinglab.sweeps import load_spec, SweepStore, make_executor, run_sweep, load_frame

    spec = load_spec("examples/mrs-quick.toml")
    with SweepStore.open("mrs-quick.db", create=True, lock=True) as store:
        run_sweep(spec, store, make_executor("process", workers=2))
    df = load_frame("mrs-quick.db")

Modules: :mod:`~scalinglab.sweeps.spec` (TOML specs), :mod:`~scalinglab.sweeps.store` (SQLite),
:mod:`~scalinglab.sweeps.executors` (local, process pool, Dask), :mod:`~scalinglab.sweeps.models`
(model adapters), :mod:`~scalinglab.sweeps.runner`, :mod:`~scalinglab.sweeps.fitting` (laws
fitted across a sweep) and :mod:`~scalinglab.sweeps.report` (HTML report).
"""

from __future__ import annotations

from typing import Any

from scalinglab.sweeps.executors import make_executor
from scalinglab.sweeps.models import ModelAdapter, get_model, register_model
from scalinglab.sweeps.runner import SweepRunResult, run_sweep
from scalinglab.sweeps.spec import SweepSpec, load_spec, parse_spec
from scalinglab.sweeps.store import SweepStore, load_frame

__all__ = [
    "LawFit",
    "ModelAdapter",
    "SweepRunResult",
    "SweepSpec",
    "SweepStore",
    "build_report",
    "fit_sweep",
    "get_model",
    "load_frame",
    "load_spec",
    "make_executor",
    "parse_spec",
    "register_model",
    "run_sweep",
]

_LAZY = {"LawFit": "fitting", "fit_sweep": "fitting", "build_report": "report"}


def __getattr__(name: str) -> Any:  # fitting/report pull in scipy and matplotlib: load on use
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
