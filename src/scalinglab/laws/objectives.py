"""Fit objectives: mean squared error or Huber loss, on raw or log loss.

The objective of a fit with predictions p_i of observed losses L_i is the mean

    F = (1/n) Σ ρ(r_i),    r_i = log p_i − log L_i  (log space)   or   p_i − L_i  (raw space),

with ρ(r) = r² (``mse``) or the Huber function (Huber 1964, eq. (7); used with
δ = 10⁻³ on log loss by Hoffmann et al. 2022, §3.3)::

    ρ_δ(r) = r²/2             if |r| ≤ δ
             δ·(|r| − δ/2)     otherwise.

:meth:`Objective.irls_weight` gives ψ(r)/r (ψ = ρ'), the weight of iteratively
reweighted least squares: the quadratic ``ρ(r₀) + ½·w₀·(r² − r₀²)`` majorises ρ_δ for
w₀ = min(1, δ/|r₀|) (half-quadratic bound; e.g. Holland & Welsch 1977), so each weighted
least-squares step cannot increase the Huber objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._validation import check_choice, check_real

__all__ = ["HUBER_DELTA_HOFFMANN", "LOSS_SPACES", "OBJECTIVES", "Objective"]

#: Huber threshold on log loss used by Hoffmann et al. (2022), §3.3.
HUBER_DELTA_HOFFMANN = 1e-3
OBJECTIVES = ("huber", "mse")
LOSS_SPACES = ("log", "raw")


@dataclass(frozen=True)
class Objective:
    """Which residual is penalised and how.

    Parameters
    ----------
    kind : {"huber", "mse"}
        Penalty ρ.
    space : {"log", "raw"}
        Residual ``log p − log L`` or ``p − L``.
    delta : float
        Huber threshold δ (ignored for ``mse``).
    """

    kind: str = "huber"
    space: str = "log"
    delta: float = HUBER_DELTA_HOFFMANN

    def __post_init__(self) -> None:
        check_choice(self.kind, "objective", "Objective", OBJECTIVES)
        check_choice(self.space, "loss_space", "Objective", LOSS_SPACES)
        check_real(self.delta, "huber_delta", "Objective", low=0.0, low_open=True)

    @property
    def is_least_squares(self) -> bool:
        return self.kind == "mse"

    def residuals(self, pred: np.ndarray, loss: np.ndarray) -> np.ndarray:
        """``r = log p − log L`` or ``p − L``."""
        if self.space == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(pred) - np.log(loss)
        return pred - loss

    def rho(self, r: np.ndarray) -> np.ndarray:
        """Penalty per residual."""
        if self.kind == "mse":
            return r * r
        a = np.abs(r)
        return np.where(a <= self.delta, 0.5 * r * r, self.delta * (a - 0.5 * self.delta))

    def psi(self, r: np.ndarray) -> np.ndarray:
        """Derivative ρ'(r)."""
        if self.kind == "mse":
            return 2.0 * r
        return np.clip(r, -self.delta, self.delta)

    def irls_weight(self, r: np.ndarray) -> np.ndarray:
        """ψ(r)/r up to a constant factor: 1 (mse) or min(1, δ/|r|) (Huber)."""
        if self.kind == "mse":
            return np.ones_like(r)
        a = np.abs(r)
        with np.errstate(divide="ignore"):
            return np.where(a <= self.delta, 1.0, self.delta / a)

    def value(self, pred: np.ndarray, loss: np.ndarray) -> float:
        """Mean penalty ``(1/n) Σ ρ(r_i)``; +inf when a log-space prediction is not positive."""
        if self.space == "log" and np.any(~(np.asarray(pred) > 0)):
            return float("inf")
        return float(np.mean(self.rho(self.residuals(pred, loss))))

    @property
    def scale(self) -> float:
        """A residual size typical for this objective (δ for Huber, 10⁻³ otherwise).

        Used only to bring objective values near 1 for optimiser stopping rules.
        """
        return self.delta if self.kind == "huber" else 1e-3

    def describe(self) -> str:
        extra = f", delta={self.delta:g}" if self.kind == "huber" else ""
        return f"{self.kind} on {self.space} loss{extra}"

    def to_dict(self) -> dict[str, object]:
        return {"objective": self.kind, "loss_space": self.space, "huber_delta": self.delta}
