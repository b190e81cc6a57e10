"""Result types and seed streams of the SGD model (a leaf module: no imports from the model).

The loss of this model is the package's loss (docs/notation.md): ``½E(⟨v, Sx⟩ − y)²`` on a fresh
test pair whose label carries the training label noise, so it includes the floor ``½σ²``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scalinglab._types import Status
from scalinglab.models.protocol import Prediction, Simulation, standard_error

__all__ = ["SGDPrediction", "SGDSimulation", "seed_streams"]


def seed_streams(seed: int, index: int) -> tuple[np.random.Generator, ...]:
    """Independent streams of seed ``index``: (sketch, features/data, label noise)."""
    return tuple(np.random.default_rng([seed, index, stream]) for stream in range(3))


@dataclass(frozen=True)
class SGDSimulation(Simulation):
    """Monte Carlo risk curves: ``risk`` has shape (seeds, len(steps)).

    ``risk_mean``/``risk_sem`` are the mean over seeds and its standard error (NaN with one
    seed). Each seed draws its own sketch and data.
    """

    config: Any
    seeds: int
    seed: int
    method: str
    steps: np.ndarray
    risk: np.ndarray = field(repr=False)

    @property
    def risk_mean(self) -> np.ndarray:
        return self.risk.mean(axis=0)

    @property
    def risk_sem(self) -> np.ndarray:
        return np.asarray(standard_error(self.risk, axis=0), dtype=np.float64)

    model = "sgd"

    @property
    def loss(self) -> np.ndarray:
        """Protocol name of ``risk_mean``: ½E(⟨v, Sx⟩ − y)², noise floor included."""
        return self.risk_mean

    @property
    def loss_sem(self) -> np.ndarray:
        return self.risk_sem

    @property
    def components(self) -> dict[str, Any]:
        return {}

    @property
    def axis(self) -> tuple[str, np.ndarray]:
        return ("steps", self.steps)

    @property
    def status(self) -> Status:
        return Status.CONVERGED if np.all(np.isfinite(self.risk)) else Status.FAILED

    @property
    def message(self) -> str:
        return f"{self.seeds} seed(s), {self.method} simulation"

    def to_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "risk_mean": self.risk_mean, "risk_sem": self.risk_sem}


@dataclass(frozen=True)
class SGDPrediction(Prediction):
    """Theoretical risk on the step grid of the config.

    ``theory`` names the path used: ``exact`` (exact expected risk conditional on each sketch,
    averaged over ``seeds`` sketches), ``recursion``/``volterra`` (the same quantity by the
    step-by-step recursion or the FFT Volterra solver), ``deterministic`` (sketch-free
    deterministic equivalent), ``data-flow`` (finite-data gradient-flow deterministic
    equivalent). ``risk_floor`` is the t → ∞ floor of the noise-free-optimiser part (½ s²).
    """

    config: Any
    theory: str
    steps: np.ndarray
    risk: np.ndarray
    risk_floor: float
    status: Status
    message: str
    seeds: int | None = None

    model = "sgd"

    @property
    def loss(self) -> np.ndarray:
        """Protocol name of ``risk``."""
        return self.risk

    @property
    def components(self) -> dict[str, Any]:
        return {"floor": self.risk_floor}

    @property
    def axis(self) -> tuple[str, np.ndarray]:
        return ("steps", self.steps)

    @property
    def formulas(self) -> tuple[str, ...]:
        return (self.theory,)

    def to_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "risk": self.risk}
