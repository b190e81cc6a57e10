"""The linear model of MRS App. A: ridgeless regression on the data itself, simulated.

Monte Carlo over the training inputs with exact averages over teacher, label noise and test
input (MRS eq. 219); the closed forms it is compared with are (227) (Marchenko–Pastur data) and
(230) (power-law data), and its two traces are the finite-size Δ₋₁ and Δ₀ of App. B.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from scalinglab._types import standard_error
from scalinglab._validation import InputError, check_int, check_real
from scalinglab.core.ridge import thin_svd
from scalinglab.models.mrs.sampling import bartlett_factor

__all__ = [
    "DEFAULT_SEEDS",
    "LinearModelDraws",
    "linear_model_coefficients",
    "simulate_linear_model",
]

DEFAULT_SEEDS = 3


def linear_model_coefficients(
    lam: np.ndarray, samples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """One draw of the App. A linear model: ``(tr Λ(I − P), tr Λ X⁺X⁺ᵀ)``.

    X (T × N) has rows x ~ N(0, Λ), ``P = X⁺X`` projects onto its row space. The ridgeless
    (minimum-norm) test loss of MRS eq. (219), averaged exactly over the teacher
    w ~ N(0, σ_w²/N), the label noise and the test input, is
    ``½[(σ_w²/N) tr Λ(I − P) + σ_ε² tr Λ X⁺X⁺ᵀ]``; the two traces are the finite-size
    counterparts of Δ₋₁(T, N) and Δ₀(T, N).

    For T < N: one thin SVD ``Xᵀ = U S Vᵀ`` gives ``Σ_n λ_n(1 − ‖U_n‖²)`` and
    ``Σ_i (UᵀΛU)_ii/s_i²``. For T > N, P = I and ``tr Λ(XᵀX)⁻¹ = ‖L⁻¹‖²_F`` with L the
    Bartlett factor of ``Wishart_N(T, I)`` (XᵀX = Λ^{1/2} L Lᵀ Λ^{1/2} in distribution), which
    costs N³ instead of T N². Isotropic data with T < N likewise use the T × T Bartlett factor
    of ``XXᵀ/λ ~ Wishart_T(N, I)``. T = N is refused (the loss is infinite in expectation).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> label, noise = linear_model_coefficients(np.ones(50), 100, rng)
    >>> label, 0.5 < noise < 2.0      # E noise = N/(T − N − 1) = 1.02 for isotropic data
    (0.0, True)
    """
    lv = np.asarray(lam, dtype=np.float64)
    if lv.ndim != 1 or lv.size == 0 or np.any(lv <= 0) or not np.all(np.isfinite(lv)):
        raise InputError("linear model: the spectrum must be a 1-D array of positive numbers")
    n = lv.size
    t = check_int(samples, "samples", "linear_model_coefficients", low=1)
    if t == n:
        raise InputError("linear model: T = N is the interpolation pole (infinite loss)")
    if t > n:
        return 0.0, _inverse_wishart_trace(n, t, rng)
    if np.all(lv == lv[0]):  # isotropic: tr Λ(I − P) = λ(N − T), XXᵀ/λ ~ Wishart_T(N, I)
        return float(lv[0] * (n - t)), _inverse_wishart_trace(t, n, rng)
    xt = rng.standard_normal((n, t)) * np.sqrt(lv)[:, None]  # Xᵀ, columns are samples
    left, s, _ = thin_svd(xt)
    row_power = np.einsum("ni,ni->n", left, left)
    label = float(np.sum(lv * (1.0 - row_power)))
    noise = float(np.sum(np.einsum("ni,n,ni->i", left, lv, left) / s**2))
    return max(label, 0.0), noise


def _inverse_wishart_trace(p: int, dof: int, rng: np.random.Generator) -> float:
    """``tr W⁻¹`` for W ~ Wishart_p(dof, I) through its Bartlett factor (p³ work)."""
    low = bartlett_factor(p, dof, rng)
    inv = scipy.linalg.solve_triangular(low, np.eye(p), lower=True, check_finite=False)
    return float(np.sum(inv * inv))


@dataclass(frozen=True)
class LinearModelDraws:
    """Monte Carlo of the App. A linear model at one (N, T): coefficients and losses per seed."""

    label_coef: np.ndarray
    noise_coef: np.ndarray
    loss: np.ndarray

    @property
    def loss_mean(self) -> float:
        return float(np.mean(self.loss))

    @property
    def loss_sem(self) -> float:
        return standard_error(self.loss)


def simulate_linear_model(
    lam: np.ndarray,
    samples: int,
    *,
    teacher_var: float = 1.0,
    noise_var: float = 0.0,
    seeds: int = DEFAULT_SEEDS,
    seed: int = 0,
) -> LinearModelDraws:
    """Ridgeless test loss of the App. A linear model over ``seeds`` independent draws.

    ``loss = ½[(σ_w²/N) tr Λ(I − P) + σ_ε² tr Λ X⁺X⁺ᵀ]`` per draw
    (:func:`linear_model_coefficients`); compare with MRS eq. (219) and its closed forms.

    Examples
    --------
    >>> sim = simulate_linear_model(np.ones(40), 10, seeds=2)  # isotropic, T < N, no noise
    >>> round(sim.loss_mean, 12)                                # ½ σ_w²σ_x²(1 − T/N), (227)
    0.375
    """
    sw = check_real(teacher_var, "teacher_var", "simulate_linear_model", low=0.0)
    se = check_real(noise_var, "noise_var", "simulate_linear_model", low=0.0)
    k = check_int(seeds, "seeds", "simulate_linear_model", low=1)
    rng = np.random.default_rng(check_int(seed, "seed", "simulate_linear_model", low=0))
    n = np.asarray(lam).size
    coefs = np.array([linear_model_coefficients(lam, samples, rng) for _ in range(k)])
    loss = 0.5 * (sw / n * coefs[:, 0] + se * coefs[:, 1])
    return LinearModelDraws(label_coef=coefs[:, 0], noise_coef=coefs[:, 1], loss=loss)
