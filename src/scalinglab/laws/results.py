"""Result types of the fits: a fitted surface (Approach 3, variable projection) or a
fitted frontier only (Approaches 1 and 2). Both answer ``n_opt(C)`` and ``d_opt(C)``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scalinglab._types import Status
from scalinglab.laws.forms import ChinchillaSurface, PowerLawFrontier
from scalinglab.laws.objectives import Objective

__all__ = ["FrontierFit", "SurfaceFit"]


@dataclass(frozen=True)
class SurfaceFit:
    """A fitted Chinchilla surface, in the units of the input columns.

    Attributes
    ----------
    method : str
        ``"varpro"`` or ``"approach3"``.
    surface : ChinchillaSurface
        E, A, B, α, β (and k).
    objective : Objective
        What was minimised.
    objective_value : float
        Its value at the reported parameters, ``(1/n) Σ ρ(r_i)``.
    n_points : int
        Rows used.
    status : Status
        converged / max_iter / bound_hit / not_identifiable / partial / failed.
    message : str
        Human-readable reason for the status.
    details : dict
        Method-specific diagnostics (grid, starts, iterations).
    """

    method: str
    surface: ChinchillaSurface
    objective: Objective
    objective_value: float
    n_points: int
    status: Status
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def a(self) -> float:
        return self.surface.a

    @property
    def b(self) -> float:
        return self.surface.b

    def n_opt(self, C: np.ndarray | float) -> np.ndarray:
        return self.surface.n_opt(C)

    def d_opt(self, C: np.ndarray | float) -> np.ndarray:
        return self.surface.d_opt(C)

    def params(self) -> dict[str, float]:
        """E, A, B, alpha, beta, a, b as floats."""
        s = self.surface
        return {"E": s.E, "A": s.A, "B": s.B, "alpha": s.alpha, "beta": s.beta, "a": s.a, "b": s.b}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, **self.params()}
        out.update(
            {
                "objective": self.objective_value,
                "objective_name": self.objective.kind,
                "loss_space": self.objective.space,
                "huber_delta": self.objective.delta if self.objective.kind == "huber" else None,
                "asymmetry": (
                    self.objective.asymmetry if self.objective.kind == "asymmetric-mae" else None
                ),
                "n_points": self.n_points,
                "status": str(self.status),
                "message": self.message,
                "k": self.surface.k,
                "details": self.details,
            }
        )
        return out


@dataclass(frozen=True)
class FrontierFit:
    """A compute-optimal frontier ``N*(C) = n_coef·C^a``, ``D*(C) = d_coef·C^b``.

    ``details`` carries the per-budget parabolas (Approach 2) or the loss envelope
    (Approach 1).
    """

    method: str
    frontier: PowerLawFrontier
    n_points: int
    status: Status
    message: str
    k: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def a(self) -> float:
        return self.frontier.a

    @property
    def b(self) -> float:
        return self.frontier.b

    def n_opt(self, C: np.ndarray | float) -> np.ndarray:
        return self.frontier.n_opt(C)

    def d_opt(self, C: np.ndarray | float) -> np.ndarray:
        return self.frontier.d_opt(C)

    def params(self) -> dict[str, float]:
        f = self.frontier
        return {"a": f.a, "b": f.b, "n_coef": f.n_coef, "d_coef": f.d_coef}

    def to_dict(self) -> dict[str, Any]:
        nan = float("nan")
        return {
            "method": self.method,
            "E": nan,
            "A": nan,
            "B": nan,
            "alpha": nan,
            "beta": nan,
            **self.params(),
            "objective": nan,
            "n_points": self.n_points,
            "status": str(self.status),
            "message": self.message,
            "k": self.k,
            "details": self.details,
        }
