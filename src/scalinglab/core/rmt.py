"""Self-consistent equations of random-matrix theory, solved robustly in log space.

The central object is the *effective ridge* κ(μ) of a spectrum {λ_I}: the root of

.. math:: \\mathrm{df}_1(\\kappa) \\equiv \\sum_I \\frac{\\lambda_I}{\\lambda_I + \\kappa} = \\mu,
   \\qquad 0 < \\mu < n,

where n is the number of positive eigenvalues. Everything in the ridgeless Maloney–Roberts–Sully
(MRS) solution follows from it:

- Δ₋₁(μ, M) of MRS eq. (164), ``1 = Σ_I λ_I / (Δ₋₁ + μ λ_I)``, is ``Δ₋₁ = μ κ(μ)``, and
  ``Δ₋₁ = 0`` for μ ≥ n;
- Δ₀(μ, M) of MRS eqs. (253)–(254), (261): ``Δ₀ = df₂/(μ − df₂)`` with
  ``df₂ = Σ λ²/(λ+κ)²`` for μ < n, and ``1/(μ/n − 1)`` for μ > n.

The closed forms of MRS App. B.1 (eqs. 165–166 = 251–252, 245–246) and the interpolation (258)
are provided for the power-law spectrum.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from scalinglab.core.effective_ridge import (
    EffectiveRidge,
    effective_ridge,
    positive_modes,
    require_converged,
)

__all__ = [
    "EffectiveRidge",
    "delta_0",
    "delta_0_interpolation",
    "delta_minus1",
    "delta_minus1_closed_form",
    "effective_ridge",
    "k_alpha",
]



def delta_minus1(eigs: np.ndarray, mu: np.ndarray | float) -> np.ndarray:
    """Δ₋₁(μ, M): root of MRS eq. (164), ``1 = Σ_I λ_I/(Δ₋₁ + μ λ_I)``.

    Returns ``μ κ(μ)`` for 0 < μ < n, ``0`` for μ ≥ n (MRS §4.1: no pole once the empirical
    covariance has full rank), and ``tr Λ`` at μ = 0 (its limit).

    Examples
    --------
    Two equal eigenvalues at μ = 1: eq. (164) reads ``1 = 2/(Δ₋₁ + 1)``, so Δ₋₁ = 1; the
    μ = 0 limit is tr Λ = 2 and the pole is gone once μ ≥ n = 2:

    >>> delta_minus1(np.array([1.0, 1.0]), np.array([0.0, 1.0, 2.0, 3.0]))
    array([2., 1., 0., 0.])
    """
    lam = positive_modes(eigs, None)[0]
    mu_arr = np.asarray(mu, dtype=np.float64)
    kappa = require_converged(effective_ridge(lam, mu_arr))
    with np.errstate(invalid="ignore"):
        out = mu_arr * kappa
    out = np.where(mu_arr <= 0, lam.sum(), out)
    out = np.where(mu_arr >= lam.size, 0.0, out)
    return out if out.ndim else float(out)


def delta_0(eigs: np.ndarray, mu: np.ndarray | float) -> np.ndarray:
    """Δ₀(μ, M): the γ⁰ term of the ridge expansion, MRS App. B eqs. (253)–(254), (261).

    For μ < n: ``Δ₀ = df₂/(μ − df₂)`` with ``df₂ = Σ λ²/(λ+κ)²`` and κ the effective ridge
    (equivalently ``κ_B/(1 − κ_B)``, κ_B of eq. 254). For μ > n: ``1/(μ/n − 1)`` (eq. 261).
    At μ = n it is infinite (the interpolation peak).

    Examples
    --------
    Two equal eigenvalues at μ = 1 have κ = 1, df₂ = 2·(1/2)² = 1/2, so Δ₀ = (1/2)/(1 − 1/2) = 1;
    above the interpolation point μ = 4 > n = 2 gives 1/(4/2 − 1) = 1 as well:

    >>> delta_0(np.array([1.0, 1.0]), np.array([1.0, 4.0]))
    array([1., 1.])
    """
    lam = positive_modes(eigs, None)[0]
    n = lam.size
    mu_arr = np.asarray(mu, dtype=np.float64)
    kappa = require_converged(effective_ridge(lam, mu_arr))
    flat_mu = mu_arr.ravel()
    flat_k = np.asarray(kappa).ravel()
    out = np.empty_like(flat_mu)
    below = (flat_mu > 0) & (flat_mu < n)
    if np.any(below):
        k = flat_k[below][None, :]
        df2 = ((lam[:, None] / (lam[:, None] + k)) ** 2).sum(axis=0)
        out[below] = df2 / (flat_mu[below] - df2)
    above = flat_mu > n
    out[above] = 1.0 / (flat_mu[above] / n - 1.0)
    out[flat_mu == n] = np.inf
    out[flat_mu <= 0] = 0.0
    out = out.reshape(mu_arr.shape)
    return out if out.ndim else float(out)


def k_alpha(alpha: np.ndarray | float) -> np.ndarray | float:
    """The constant k(α) of MRS eq. (166) = (245)/(246).

    ``k = [ (π/(1+α)) / sin(π/(1+α)) ]^{1+α} = [Γ(α/(1+α)) Γ((2+α)/(1+α))]^{1+α}``,
    e.g. k(1) = π²/4.

    Examples
    --------
    Both forms of eq. (166) give k(1) = π²/4:

    >>> bool(np.isclose(k_alpha(1.0), np.pi**2 / 4))
    True
    """
    a = np.asarray(alpha, dtype=np.float64)
    p = 1.0 + a
    log_k = p * (gammaln(a / p) + gammaln((2.0 + a) / p))
    out = np.exp(log_k)
    return out if out.ndim else float(out)


def delta_minus1_closed_form(
    mu: np.ndarray | float, latent_dim: int, alpha: float, lambda_plus: float = 1.0
) -> np.ndarray | float:
    """Closed-form Δ₋₁(μ, M) for the power-law spectrum (23): MRS eq. (165) = (251)/(252).

    ``Δ₋₁ ≈ (λ₊/M^α) { k[(M/μ)^α − 1] + [2 + α(1 − k)](1 − μ/M) }`` for μ < M, else 0.
    Accurate to about 1 % for μ ≳ 50 and M ≫ μ; it diverges as μ → 0 instead of tending to tr Λ.

    Examples
    --------
    Against the exact root of eq. (164) on the indexed spectrum λ_I = I⁻² (α = 1, M = 10⁴):

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> exact = delta_minus1(power_law_spectrum(10_000, 1.0), 200.0)
    >>> approx = delta_minus1_closed_form(200.0, 10_000, alpha=1.0)
    >>> bool(abs(approx / exact - 1) < 0.01)
    True
    >>> delta_minus1_closed_form(20_000.0, 10_000, alpha=1.0)  # μ ≥ M: no pole
    0.0
    """
    mu_arr = np.asarray(mu, dtype=np.float64)
    m = float(latent_dim)
    k = k_alpha(alpha)
    with np.errstate(divide="ignore"):
        val = (lambda_plus / m**alpha) * (
            k * ((m / mu_arr) ** alpha - 1.0) + (2.0 + alpha * (1.0 - k)) * (1.0 - mu_arr / m)
        )
    out = np.where(mu_arr < m, val, 0.0)
    return out if out.ndim else float(out)


def delta_0_interpolation(mu: np.ndarray | float, rank: float, alpha: float) -> np.ndarray | float:
    """Closed-form Δ₀ for the power-law spectrum: MRS eqs. (258), (261), (262).

    ``α + 1/(n/μ − 1)`` for μ < n (scaling value α plus the universal coincident value) and
    ``1/(μ/n − 1)`` for μ > n, with n the rank of the spectrum (M, or min(N, M) for the
    projected random-feature spectrum of eq. 264/267).

    Examples
    --------
    Half-way to the interpolation point the coincident term is 1/(2 − 1) = 1, so Δ₀ = α + 1; at
    twice the rank it is 1/(2 − 1) = 1; at μ = n it is infinite:

    >>> delta_0_interpolation(np.array([50.0, 100.0, 200.0]), rank=100, alpha=1.0)
    array([ 2., inf,  1.])
    """
    mu_arr = np.asarray(mu, dtype=np.float64)
    with np.errstate(divide="ignore"):
        below = alpha + 1.0 / (rank / mu_arr - 1.0)
        above = 1.0 / (mu_arr / rank - 1.0)
    out = np.where(mu_arr < rank, below, np.where(mu_arr > rank, above, np.inf))
    return out if out.ndim else float(out)
