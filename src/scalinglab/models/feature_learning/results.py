"""Result types of the feature-learning model (a leaf module: no imports from the model).

The loss is the package's ``½E(f(x) − y)²`` on a fresh pair, label noise included (floor ½σ²).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scalinglab._types import Status
from scalinglab.models.protocol import Prediction, Simulation, standard_error

__all__ = ["FLPrediction", "FLSimulation"]


@dataclass(frozen=True)
class FLSimulation(Simulation):
    """Risk curves over seeds: ``risk`` has shape (seeds, len(times)); axis = flow time."""

    config: Any
    seeds: int
    seed: int
    method: str
    times: np.ndarray
    risk: np.ndarray = field(repr=False)

    model = "feature_learning"

    @property
    def loss(self) -> np.ndarray:
        return self.risk.mean(axis=0)

    @property
    def loss_sem(self) -> np.ndarray:
        return np.asarray(standard_error(self.risk, axis=0), dtype=np.float64)

    @property
    def components(self) -> dict[str, Any]:
        return {}

    @property
    def axis(self) -> tuple[str, np.ndarray]:
        return ("time", self.times)

    @property
    def status(self) -> Status:
        return Status.CONVERGED if np.all(np.isfinite(self.risk)) else Status.FAILED

    @property
    def message(self) -> str:
        return f"{self.seeds} seed(s), {self.method} simulation"

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.times, "risk_mean": self.loss, "risk_sem": self.loss_sem}


@dataclass(frozen=True)
class FLPrediction(Prediction):
    """Theory risk on the time grid; ``risk_floor`` = ½(σ_r² + σ²), the width/noise floor."""

    config: Any
    theory: str
    times: np.ndarray
    risk: np.ndarray
    risk_floor: float
    status: Status
    message: str
    seeds: int | None = None

    model = "feature_learning"

    @property
    def loss(self) -> np.ndarray:
        return self.risk

    @property
    def components(self) -> dict[str, Any]:
        return {"floor": self.risk_floor}

    @property
    def axis(self) -> tuple[str, np.ndarray]:
        return ("time", self.times)

    @property
    def formulas(self) -> tuple[str, ...]:
        return (self.theory,)

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.times, "risk": self.risk, "risk_floor": self.risk_floor}
