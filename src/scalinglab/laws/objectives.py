"""Fit objectives: squared error, Huber or asymmetric absolute error, on raw or log loss.

The objective of a fit with predictions p_i of observed losses L_i (and optional point
weights w_i, default 1) is the weighted mean

    F = Σ w_i ρ(r_i) / Σ w_i,   r_i = log p_i − log L_i  (log space)   or   p_i − L_i  (raw),

with ρ(r) = r² (``mse``), the Huber function (Huber 1964, eq. (7); used with
δ = 10⁻³ on log loss by Hoffmann et al. 2022, §3.3)::

    ρ_δ(r) = r²/2             if |r| ≤ δ
             δ·(|r| − δ/2)     otherwise,

or the asymmetric absolute error (``asymmetric-mae``) that the ``chinchilla`` package
(Takano, PyPI ``chinchilla`` 0.2.0, ``_metrics.asymmetric_mae``, its default objective)
minimises::

    ρ_w(r) = w·r    if r > 0   (prediction above the observed loss)
             −r     otherwise,

with w = 10 by default (that package's default). It is the check loss of quantile
regression at τ = 1/(1 + w) divided by τ (Koenker & Bassett 1978): the fit tracks the
lower ≈ 9 % quantile of the losses — the "floor" of noisy runs — rather than their mean.
It is not differentiable at r = 0; :attr:`Objective.is_smooth` says so, and the
optimisers judge convergence by probing instead of by the gradient.

:meth:`Objective.irls_weight` gives ψ(r)/r (ψ = ρ'), the weight of iteratively
reweighted least squares: the quadratic ``ρ(r₀) + ½·w₀·(r² − r₀²)`` majorises ρ_δ for
w₀ = min(1, δ/|r₀|) (half-quadratic bound; e.g. Holland & Welsch 1977), so each weighted
least-squares step cannot increase the Huber objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._validation import check_choice, check_real

__all__ = [
    "ASYMMETRY_CHINCHILLA_PKG",
    "HUBER_DELTA_HOFFMANN",
    "LOSS_SPACES",
    "OBJECTIVES",
    "Objective",
]

#: Huber threshold on log loss used by Hoffmann et al. (2022), §3.3.
HUBER_DELTA_HOFFMANN = 1e-3
#: Weight of over-prediction in the ``chinchilla`` package's asymmetric MAE (its ``w = 1e1``).
ASYMMETRY_CHINCHILLA_PKG = 10.0
OBJECTIVES = ("huber", "mse", "asymmetric-mae")
LOSS_SPACES = ("log", "raw")


@dataclass(frozen=True)
class Objective:
    """Which residual is penalised and how.

    Parameters
    ----------
    kind : {"huber", "mse", "asymmetric-mae"}
        Penalty ρ.
    space : {"log", "raw"}
        Residual ``log p − log L`` or ``p − L``.
    delta : float
        Huber threshold δ (used by ``huber`` only).
    asymmetry : float
        Weight w of over-prediction (r > 0) in ``asymmetric-mae`` (used by it only).

    Examples
    --------
    >>> import numpy as np
    >>> o = Objective("asymmetric-mae", "raw")
    >>> o.rho(np.array([0.1, -0.1])).tolist()   # over-prediction costs 10x
    [1.0, 0.1]
    >>> round(o.value(np.array([2.1, 1.9]), np.array([2.0, 2.0]), np.array([1.0, 3.0])), 6)
    0.325
    """

    kind: str = "huber"
    space: str = "log"
    delta: float = HUBER_DELTA_HOFFMANN
    asymmetry: float = ASYMMETRY_CHINCHILLA_PKG

    def __post_init__(self) -> None:
        check_choice(self.kind, "objective", "Objective", OBJECTIVES)
        check_choice(self.space, "loss_space", "Objective", LOSS_SPACES)
        check_real(self.delta, "huber_delta", "Objective", low=0.0, low_open=True)
        check_real(self.asymmetry, "asymmetry", "Objective", low=0.0, low_open=True)

    @property
    def is_smooth(self) -> bool:
        """Continuously differentiable penalty (False for ``asymmetric-mae``)."""
        return self.kind != "asymmetric-mae"

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
        if self.kind == "asymmetric-mae":
            return np.where(r > 0, self.asymmetry * r, -r)
        a = np.abs(r)
        return np.where(a <= self.delta, 0.5 * r * r, self.delta * (a - 0.5 * self.delta))

    def psi(self, r: np.ndarray) -> np.ndarray:
        """Derivative ρ'(r) (for ``asymmetric-mae`` the subgradient w, −1, and 0 at r = 0)."""
        if self.kind == "mse":
            return 2.0 * r
        if self.kind == "asymmetric-mae":
            return np.where(r > 0, self.asymmetry, np.where(r < 0, -1.0, 0.0))
        return np.clip(r, -self.delta, self.delta)

    def irls_weight(self, r: np.ndarray) -> np.ndarray:
        """ψ(r)/r up to a constant factor: 1 (mse), min(1, δ/|r|) (Huber), or for
        ``asymmetric-mae`` w/|r| or 1/|r| with |r| floored at 10⁻⁹ (IRLS for L1)."""
        if self.kind == "mse":
            return np.ones_like(r)
        a = np.abs(r)
        if self.kind == "asymmetric-mae":
            return np.where(r > 0, self.asymmetry, 1.0) / np.maximum(a, 1e-9)
        with np.errstate(divide="ignore"):
            return np.where(a <= self.delta, 1.0, self.delta / a)

    def value(self, pred: np.ndarray, loss: np.ndarray, weights: np.ndarray | None = None) -> float:
        """Weighted mean penalty ``Σ w_i ρ(r_i) / Σ w_i`` (plain mean without weights);
        +inf when a log-space prediction is not positive."""
        if self.space == "log" and np.any(~(np.asarray(pred) > 0)):
            return float("inf")
        rho = self.rho(self.residuals(pred, loss))
        if weights is None:
            return float(np.mean(rho))
        w = np.asarray(weights, dtype=float)
        return float(np.sum(w * rho) / np.sum(w))

    @property
    def scale(self) -> float:
        """A residual size typical for this objective (δ for Huber, 10⁻³ for mse, 0.1 for
        the absolute-error objective, whose value is linear in the residual).

        Used only to bring objective values near 1 for optimiser stopping rules.
        """
        if self.kind == "asymmetric-mae":
            return 0.1
        return self.delta if self.kind == "huber" else 1e-3

    def describe(self) -> str:
        extra = f", delta={self.delta:g}" if self.kind == "huber" else ""
        if self.kind == "asymmetric-mae":
            extra = f", w={self.asymmetry:g}"
        return f"{self.kind} on {self.space} loss{extra}"

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "objective": self.kind,
            "loss_space": self.space,
            "huber_delta": self.delta,
        }
        if self.kind == "asymmetric-mae":
            out["asymmetry"] = self.asymmetry
        return out
