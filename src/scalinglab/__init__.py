"""scalinglab: neural scaling laws — solvable models, exact theory, and fits of scaling data.

Subpackages:

- :mod:`scalinglab.models` — one module per solvable model (``mrs``, ...), each with a
  validated config dataclass and ``simulate`` / ``predict`` returning the same named quantities;
- :mod:`scalinglab.core.rmt`, :mod:`scalinglab.core.ridge`, :mod:`scalinglab.empirical.spectra` — the numerical
  building blocks (self-consistent equations, ridge paths, power-law spectra);
- :mod:`scalinglab.laws` — fitting empirical scaling laws;
- :mod:`scalinglab.sweeps` — grids of runs with a crash-safe SQLite store.
"""

from importlib.metadata import PackageNotFoundError, version

from scalinglab._types import Status
from scalinglab._validation import InputError

try:
    __version__ = version("scalinglab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["InputError", "Status", "__version__"]
