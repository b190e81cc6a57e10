"""Power-law spectra: the latent spectrum of the MRS data model.

Maloney, Roberts & Sully (2022), "A Solvable Model of Neural Scaling Laws" (MRS below):
the latent covariance Λ is diagonal with a power-law spectrum, either indexed (eq. 23)

.. math:: \\lambda_I = \\lambda_+ I^{-(1+\\alpha)}, \\qquad I = 1, \\dots, M,

or drawn from the density (eq. 22)
:math:`n(\\lambda) = M(\\beta-1)\\lambda_-^{\\beta-1}\\lambda^{-\\beta}\\theta(\\lambda-\\lambda_-)`
with :math:`\\lambda_+ = \\lambda_- M^{1+\\alpha}` (eq. 24) and
:math:`\\alpha = (2-\\beta)/(\\beta-1)` (eq. 25).
"""

from __future__ import annotations

import numpy as np

from scalinglab._validation import check_int, check_real

__all__ = ["density_exponent", "power_law_spectrum", "sample_power_law_spectrum"]


def power_law_spectrum(latent_dim: int, alpha: float, lambda_plus: float = 1.0) -> np.ndarray:
    """Indexed power-law spectrum ``λ_I = λ₊ I^-(1+α)``, I = 1..M, in decreasing order.

    Parameters
    ----------
    latent_dim : int
        M, the number of latent directions.
    alpha : float
        MRS exponent α > 0 (capacity exponent 1 + α).
    lambda_plus : float
        Largest eigenvalue λ₊ > 0.

    Returns
    -------
    numpy.ndarray, shape (M,)

    Notes
    -----
    MRS eq. (23).
    """
    m = check_int(latent_dim, "latent_dim", "power_law_spectrum", low=1)
    a = check_real(alpha, "alpha", "power_law_spectrum", low=0.0, low_open=True)
    lp = check_real(lambda_plus, "lambda_plus", "power_law_spectrum", low=0.0, low_open=True)
    index = np.arange(1, m + 1, dtype=np.float64)
    return lp * index ** (-(1.0 + a))


def density_exponent(alpha: float) -> float:
    """Exponent β of the eigenvalue density (22) for a given α: β = (2 + α)/(1 + α) (eq. 25)."""
    return (2.0 + alpha) / (1.0 + alpha)


def sample_power_law_spectrum(
    latent_dim: int, alpha: float, lambda_plus: float, rng: np.random.Generator
) -> np.ndarray:
    """Draw M eigenvalues iid from the power-law density (22), sorted decreasing.

    The density is a Pareto law on ``[λ₋, ∞)`` with ``λ₋ = λ₊ M^-(1+α)`` (eq. 24), sampled by
    inversion: ``λ = λ₋ U^{-1/(β-1)} = λ₋ U^{-(1+α)}`` with U uniform on (0, 1]. Its
    expected order statistics follow eq. (23).
    """
    m = check_int(latent_dim, "latent_dim", "sample_power_law_spectrum", low=1)
    a = check_real(alpha, "alpha", "sample_power_law_spectrum", low=0.0, low_open=True)
    lp = check_real(lambda_plus, "lambda_plus", "sample_power_law_spectrum", low=0.0, low_open=True)
    lambda_minus = lp * m ** (-(1.0 + a))
    uniform = 1.0 - rng.random(m)  # in (0, 1]
    return np.sort(lambda_minus * uniform ** (-(1.0 + a)))[::-1].copy()
