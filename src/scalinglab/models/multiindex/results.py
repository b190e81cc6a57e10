"""Result types of the multi-index model (a leaf module: no imports from the model).

The loss is the package's loss (docs/notation.md): ``½E(f(x) − y)²`` on a fresh test pair
whose label carries the training label noise, i.e. the exact population risk ``R`` of
multiindex_math.md §A.2.1 (which has the ½ and the noise term ``½σ_ε²``), so no mapping is
needed; the CLI keys ``risk_*`` carry the same number. It is always computed from the
overlaps (M, Q, norms), never from a sampled test set.

Emergence time of direction p: the first time at which the recovery
``b_p = Σ_j r_j² φ(M_jp)/φ(1)`` reaches ``a_p/2`` (multiindex_math.md §A.2.2–A.2.3; for σ = h_2
``b_p = ⟨v_p, B v_p⟩``). Times are flow times ``t = Σ_s η_s`` (``lr × steps``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scalinglab._types import Status
from scalinglab.models.protocol import Prediction, Simulation, standard_error

__all__ = ["MultiIndexPrediction", "MultiIndexSimulation", "mean_times"]


def mean_times(per_seed: np.ndarray) -> np.ndarray:
    """Mean over seeds (axis 0) of emergence times; NaN where any seed never emerged.

    Examples
    --------
    >>> mean_times(np.array([[1.0, np.nan], [3.0, 2.0]])).tolist()
    [2.0, nan]
    """
    arr = np.asarray(per_seed, dtype=np.float64)
    return arr.mean(axis=0)


@dataclass(frozen=True)
class MultiIndexSimulation(Simulation):
    """Monte Carlo curves: ``risk`` (seeds, T) on ``steps``/``times``.

    ``recovery_curves`` (seeds, T, P): ``b_p`` on the same grid; ``emergence`` (seeds, P):
    measured emergence times (NaN where a direction has not emerged by the last step).
    """

    config: Any
    seeds: int
    seed: int
    steps: np.ndarray
    times: np.ndarray
    risk: np.ndarray = field(repr=False)
    recovery_curves: np.ndarray = field(repr=False)
    emergence: np.ndarray = field(repr=False)
    amplitudes: np.ndarray = field(repr=False)
    status: Status = Status.CONVERGED
    message: str = ""

    model = "multiindex"

    @property
    def risk_mean(self) -> np.ndarray:
        return self.risk.mean(axis=0)

    @property
    def risk_sem(self) -> np.ndarray:
        return np.asarray(standard_error(self.risk, axis=0), dtype=np.float64)

    @property
    def loss(self) -> np.ndarray:
        """Protocol name of ``risk_mean`` (½E(f − y)², noise floor included)."""
        return self.risk_mean

    @property
    def loss_sem(self) -> np.ndarray:
        return self.risk_sem

    @property
    def emergence_times(self) -> np.ndarray:
        """Mean emergence time per direction over seeds (NaN if a seed never emerged)."""
        return mean_times(self.emergence)

    @property
    def components(self) -> dict[str, Any]:
        return {"noise_floor": 0.5 * float(self.config.noise_var)}

    @property
    def axis(self) -> tuple[str, np.ndarray]:
        return ("time", self.times)

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "times": self.times,
            "risk_mean": self.risk_mean,
            "risk_sem": self.risk_sem,
            "emergence_times": self.emergence_times,
            "emergence_times_per_seed": self.emergence,
            "emergence_times_sem": np.asarray(standard_error(self.emergence, axis=0)),
            "recovery_mean": self.recovery_curves.mean(axis=0),
            "amplitudes": self.amplitudes,
            "seeds": self.seeds,
            "status": str(self.status),
            "message": self.message,
        }


@dataclass(frozen=True)
class MultiIndexPrediction(Prediction):
    """Theory on the config's time grid, started from the simulation's own initial overlaps.

    ``method``: ``ode`` (exact overlap flow), ``riccati`` (σ = h_2 matrix Riccati closed form,
    continued by the Riccati ODE once ``a_max t > 8``), ``decoupled`` (per-direction closed
    forms, risk as a sum of emergence curves). ``risk_per_seed`` (seeds, T), ``recovery``
    (T, P) averaged over seeds, ``emergence`` (seeds, P). ``exponents``: the asymptotic
    exponents (§A.3), the finite-P step-sum reference and the fitted slope of ``risk`` over
    the same window [T_2, T_{P/8}] (when the time grid covers it), and the online-SGD
    sample-complexity order of the link's information exponent.
    """

    config: Any
    method: str
    times: np.ndarray
    risk_per_seed: np.ndarray = field(repr=False)
    recovery: np.ndarray = field(repr=False)
    emergence: np.ndarray = field(repr=False)
    amplitudes: np.ndarray = field(repr=False)
    status: Status
    message: str
    seeds: int = 1
    formula: str = ""
    exponents: dict[str, Any] = field(default_factory=dict)

    model = "multiindex"

    @property
    def risk(self) -> np.ndarray:
        """Mean over the seeds' initial conditions."""
        return self.risk_per_seed.mean(axis=0)

    @property
    def loss(self) -> np.ndarray:
        """Protocol name of ``risk``."""
        return self.risk

    @property
    def emergence_times(self) -> np.ndarray:
        return mean_times(self.emergence)

    @property
    def components(self) -> dict[str, Any]:
        return {"noise_floor": 0.5 * float(self.config.noise_var)}

    @property
    def axis(self) -> tuple[str, np.ndarray]:
        return ("time", self.times)

    @property
    def formulas(self) -> tuple[str, ...]:
        return (self.formula,)

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": self.config.record_steps(),
            "times": self.times,
            "risk": self.risk,
            "emergence_times": self.emergence_times,
            "emergence_times_per_seed": self.emergence,
            "recovery": self.recovery,
            "amplitudes": self.amplitudes,
            "method": self.method,
            "exponents": self.exponents,
            "seeds": self.seeds,
            "status": str(self.status),
            "message": self.message,
        }
