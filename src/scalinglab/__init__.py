"""scalinglab: neural scaling laws — solvable models, exact theory, and fits of scaling data.

The notebook API. Names load on first use, so ``import scalinglab`` stays cheap::

    import scalinglab as sl
    sim = sl.mrs.simulate(sl.MRSConfig(latent_dim=2000, alpha=1.0, features=200, samples=400))
    fit = sl.fit_law(sl.load_llama3())

Layout (docs/architecture.md): :mod:`scalinglab.core` model-free maths on spectra;
:mod:`scalinglab.models` one folder per solvable model on one protocol; :mod:`scalinglab.empirical`
measuring real data; :mod:`scalinglab.laws` fitting scaling laws; :mod:`scalinglab.sweeps` grids
of runs in SQLite; :mod:`scalinglab.plots`, :mod:`scalinglab.figures`, :mod:`scalinglab.cli` output.

Examples
--------
>>> import scalinglab as sl
>>> cfg = sl.MRSConfig(latent_dim=1000, alpha=1.0, features=100, samples=300)
>>> sim = sl.mrs.simulate(cfg, seeds=4, seed=0)
>>> theory = sl.mrs.predict(cfg)
>>> abs(sim.loss / theory.loss - 1) < 0.05
True
>>> {"mrs", "sgd"} <= set(sl.available_models())
True
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from scalinglab._types import Status
from scalinglab._validation import InputError

try:
    __version__ = version("scalinglab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

# public name -> "module" (a submodule) or "module:attribute"
_LAZY: dict[str, str] = {
    # models and their configs
    "models": "scalinglab.models",
    "get_model": "scalinglab.models:get",
    "available_models": "scalinglab.models:available",
    "mrs": "scalinglab.models.mrs",
    "MRSConfig": "scalinglab.models.mrs:MRSConfig",
    "sgd": "scalinglab.models.sgd",
    "SGDConfig": "scalinglab.models.sgd:SGDConfig",
    "multiindex": "scalinglab.models.multiindex",
    "MultiIndexConfig": "scalinglab.models.multiindex:MultiIndexConfig",
    "feature_learning": "scalinglab.models.feature_learning",
    "FLConfig": "scalinglab.models.feature_learning:FLConfig",
    "noise_sensitivity_exponent": "scalinglab.models.multiindex.nse:noise_sensitivity_exponent",
    "weak_recovery_threshold": "scalinglab.models.multiindex.nse:weak_recovery_threshold",
    # fitting scaling data
    "laws": "scalinglab.laws",
    "fit_law": "scalinglab.laws.fitting:fit_law",
    "read_scaling_data": "scalinglab.laws.io:read_csv",
    "scaling_data_from_arrays": "scalinglab.laws.io:from_arrays",
    "load_llama3": "scalinglab.laws.io:load_llama3",
    "allocate": "scalinglab.laws.allocation:allocate",
    "bootstrap": "scalinglab.laws.uncertainty:bootstrap",
    # measuring data
    "load_dataset": "scalinglab.empirical.datasets:load_dataset",
    "estimate_exponents": "scalinglab.empirical.spectra:estimate_exponents",
    "learning_curve": "scalinglab.empirical.learning_curve:learning_curve",
    "language": "scalinglab.empirical.language",
    "fit_partially_linear": "scalinglab.laws.engine:fit_partially_linear",
    "get_law": "scalinglab.laws.catalog:get_law",
    "read_law_csv": "scalinglab.laws.catalog:read_law_csv",
    "list_laws": "scalinglab.laws.catalog:list_laws",
    # theory helpers
    "exponent_report": "scalinglab.core.exponents:exponent_report",
    "power_law_spectrum": "scalinglab.core.spectra:power_law_spectrum",
    "fit_power_law": "scalinglab.core.spectra:fit_power_law",
    # sweeps and figures
    "sweeps": "scalinglab.sweeps",
    "load_spec": "scalinglab.sweeps.spec:load_spec",
    "run_sweep": "scalinglab.sweeps.runner:run_sweep",
    "SweepStore": "scalinglab.sweeps.store:SweepStore",
    "figures": "scalinglab.figures",
    "plots": "scalinglab.plots",
}

__all__ = ["InputError", "Status", "__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'scalinglab' has no attribute {name!r}")
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    value = getattr(module, attr) if attr else module
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
