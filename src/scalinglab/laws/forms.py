"""Loss surfaces and compute-optimal frontiers.

The Chinchilla surface (Hoffmann et al. 2022, "Training Compute-Optimal Large Language
Models", eq. (2))::

    L(N, D) = E + A / N^α + B / D^β,

with training compute C = k·N·D (k = 6 FLOPs per parameter per token, their §2). Its
compute-optimal allocation (their eq. (4), with C/6 replaced by C/k) is::

    N*(C) = G · (C/k)^a,   D*(C) = G⁻¹ · (C/k)^b,
    G = (αA / (βB))^(1/(α+β)),   a = β/(α+β),   b = α/(α+β).

Along that frontier the loss is a power law in compute (substitute N*, D* into L)::

    L*(C) = E + K · (C/k)^(−γ),   γ = αβ/(α+β),   K = A·G^(−α) + B·G^(β).

Approaches 1 and 2 do not estimate a surface, only the frontier
``N*(C) = n_coef · C^a`` and ``D*(C) = d_coef · C^b`` (:class:`PowerLawFrontier`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = [
    "DEFAULT_FLOPS_PER_PARAM_TOKEN",
    "AllocationLaw",
    "ChinchillaSurface",
    "PowerLawFrontier",
]

#: FLOPs per parameter per training token, C = 6·N·D (Hoffmann et al. 2022, §2).
DEFAULT_FLOPS_PER_PARAM_TOKEN = 6.0


class AllocationLaw(Protocol):
    """Anything that maps a compute budget to a model size and a token count."""

    def n_opt(self, C: np.ndarray | float) -> np.ndarray: ...

    def d_opt(self, C: np.ndarray | float) -> np.ndarray: ...


@dataclass(frozen=True)
class ChinchillaSurface:
    """``L(N, D) = E + A/N^α + B/D^β`` in the units of N and D it was fitted in.

    Parameters
    ----------
    E, A, B : float
        Irreducible loss and the two amplitudes (≥ 0).
    alpha, beta : float
        Exponents of model size N and data D (> 0).
    k : float
        FLOPs per parameter per token in ``C = k·N·D`` (default 6).
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    k: float = DEFAULT_FLOPS_PER_PARAM_TOKEN

    def loss(self, N: np.ndarray | float, D: np.ndarray | float) -> np.ndarray:
        """Loss at model size ``N`` and tokens ``D`` (Hoffmann et al. 2022, eq. (2))."""
        N = np.asarray(N, dtype=float)
        D = np.asarray(D, dtype=float)
        return self.E + self.A * N ** (-self.alpha) + self.B * D ** (-self.beta)

    @property
    def a(self) -> float:
        """Exponent of ``N*(C) ∝ C^a``: ``a = β/(α+β)``."""
        return self.beta / (self.alpha + self.beta)

    @property
    def b(self) -> float:
        """Exponent of ``D*(C) ∝ C^b``: ``b = α/(α+β)``."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def G(self) -> float:
        """``G = (αA/(βB))^(1/(α+β))`` of Hoffmann et al. (2022), eq. (4)."""
        return float(
            (self.alpha * self.A / (self.beta * self.B)) ** (1.0 / (self.alpha + self.beta))
        )

    def n_opt(self, C: np.ndarray | float) -> np.ndarray:
        """Compute-optimal model size ``N*(C) = G·(C/k)^a`` (Hoffmann et al. 2022, eq. (4))."""
        return self.G * (np.asarray(C, dtype=float) / self.k) ** self.a

    def d_opt(self, C: np.ndarray | float) -> np.ndarray:
        """Compute-optimal token count ``D*(C) = G⁻¹·(C/k)^b`` (Hoffmann et al. 2022, eq. (4))."""
        return (np.asarray(C, dtype=float) / self.k) ** self.b / self.G

    @property
    def frontier_exponent(self) -> float:
        """``γ = αβ/(α+β)`` in ``L*(C) = E + K·(C/k)^(−γ)``."""
        return self.alpha * self.beta / (self.alpha + self.beta)

    @property
    def frontier_coef(self) -> float:
        """``K = A·G^(−α) + B·G^β`` in ``L*(C) = E + K·(C/k)^(−γ)``."""
        G = self.G
        return float(self.A * G ** (-self.alpha) + self.B * G**self.beta)

    def loss_opt(self, C: np.ndarray | float) -> np.ndarray:
        """Loss on the compute-optimal frontier, ``L*(C) = E + K·(C/k)^(−γ)``."""
        c = np.asarray(C, dtype=float) / self.k
        return self.E + self.frontier_coef * c ** (-self.frontier_exponent)

    def compute_for_loss(self, loss: np.ndarray | float) -> np.ndarray:
        """Smallest compute whose optimal allocation reaches ``loss`` (inverse of ``loss_opt``).

        ``C = k·((loss − E)/K)^(−1/γ)``; infinite for ``loss ≤ E``.
        """
        excess = np.asarray(loss, dtype=float) - self.E
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.k * (excess / self.frontier_coef) ** (-1.0 / self.frontier_exponent)
        return np.where(excess > 0, out, np.inf)

    def in_units(self, n_unit: float, d_unit: float) -> ChinchillaSurface:
        """The same surface for ``N' = N/n_unit`` and ``D' = D/d_unit``.

        ``A/N^α = (A·n_unit^(−α))/N'^α``, so ``A' = A·n_unit^(−α)`` (same for B).
        """
        return ChinchillaSurface(
            E=self.E,
            A=self.A * n_unit ** (-self.alpha),
            B=self.B * d_unit ** (-self.beta),
            alpha=self.alpha,
            beta=self.beta,
            k=self.k * n_unit * d_unit,
        )

    def to_dict(self) -> dict[str, float]:
        return {
            "E": self.E,
            "A": self.A,
            "B": self.B,
            "alpha": self.alpha,
            "beta": self.beta,
            "a": self.a,
            "b": self.b,
            "k": self.k,
        }


@dataclass(frozen=True)
class PowerLawFrontier:
    """``N*(C) = n_coef·C^a`` and ``D*(C) = d_coef·C^b`` (the output of Approaches 1 and 2)."""

    n_coef: float
    a: float
    d_coef: float
    b: float

    def n_opt(self, C: np.ndarray | float) -> np.ndarray:
        return self.n_coef * np.asarray(C, dtype=float) ** self.a

    def d_opt(self, C: np.ndarray | float) -> np.ndarray:
        return self.d_coef * np.asarray(C, dtype=float) ** self.b

    def to_dict(self) -> dict[str, float]:
        return {"n_coef": self.n_coef, "a": self.a, "d_coef": self.d_coef, "b": self.b}
