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

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from scalinglab._types import Status

__all__ = [
    "EffectiveRidge",
    "delta_0",
    "delta_0_interpolation",
    "delta_minus1",
    "delta_minus1_closed_form",
    "effective_ridge",
    "k_alpha",
]

_MAX_ITER = 200
_STEP_TOL = 1e-13


@dataclass(frozen=True)
class EffectiveRidge:
    """Solution of ``Σ λ/(λ+κ) = μ`` for an array of μ.

    Attributes
    ----------
    kappa : ndarray
        κ(μ); ``inf`` where μ ≤ 0 and ``0`` where μ ≥ n (no root: the system is full rank).
    iterations : int
        Newton/bisection iterations used (the maximum over μ).
    status : Status
        ``converged``, or ``max_iter`` if some μ did not reach the step tolerance.
    """

    kappa: np.ndarray
    iterations: int
    status: Status


def _positive_eigs(eigs: np.ndarray) -> np.ndarray:
    lam = np.asarray(eigs, dtype=np.float64).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("eigenvalues must be a non-empty array of finite, non-negative numbers")
    return lam[lam > 0]


def effective_ridge(eigs: np.ndarray, mu: np.ndarray | float) -> EffectiveRidge:
    """Solve ``df₁(κ) = Σ_I λ_I/(λ_I + κ) = μ`` for κ > 0, vectorised over μ.

    Parameters
    ----------
    eigs : array_like, shape (M,)
        Non-negative eigenvalues (zeros are allowed and do not count towards the rank n).
    mu : float or array_like
        Target degrees of freedom (number of features or samples).

    Returns
    -------
    EffectiveRidge

    Notes
    -----
    ``df₁`` decreases monotonically from n (κ → 0) to 0 (κ → ∞), so the root is unique and
    bracketed by ``κ_hi = Σλ/μ`` (where ``df₁ < Σλ/κ = μ``) and
    ``κ_lo = λ_min (n − μ)/(2μ)`` (where ``df₁ ≥ n/(1 + κ/λ_min) > μ``). The solver runs a
    safeguarded Newton iteration in s = log κ on whichever of

    - ``log df₁(κ) − log μ``            (μ ≤ n/2), or
    - ``log(n − df₁(κ)) − log(n − μ)``  (μ > n/2, with ``n − df₁ = Σ κ/(λ+κ)`` computed directly)

    is better conditioned, falling back to bisection whenever a Newton step leaves the bracket.
    """
    lam = _positive_eigs(eigs)
    n = lam.size
    mu_arr = np.asarray(mu, dtype=np.float64)
    shape = mu_arr.shape
    mu_flat = mu_arr.ravel()
    if np.any(~np.isfinite(mu_flat)):
        raise ValueError("mu must be finite")
    kappa = np.empty_like(mu_flat)
    kappa[mu_flat <= 0] = np.inf
    kappa[mu_flat >= n] = 0.0
    active = np.flatnonzero((mu_flat > 0) & (mu_flat < n))
    iterations = 0
    status = Status.CONVERGED
    if active.size:
        m = mu_flat[active]
        lam_sum = lam.sum()
        lam_min = lam.min()
        s_lo = np.log(lam_min * (n - m) / (2.0 * m))
        s_hi = np.log(lam_sum / m)
        small = m <= 0.5 * n
        target = np.where(small, np.log(m), np.log(n - m))
        s = 0.5 * (s_lo + s_hi)
        converged = np.zeros(m.size, dtype=bool)
        lam_col = lam[:, None]
        for iterations in range(1, _MAX_ITER + 1):  # noqa: B007 - count is reported
            idx = np.flatnonzero(~converged)
            if idx.size == 0:
                break
            k = np.exp(s[idx])[None, :]
            ratio = lam_col / (lam_col + k)  # λ/(λ+κ)
            df1 = ratio.sum(axis=0)
            comp = (k / (lam_col + k)).sum(axis=0)  # n − df1, computed without cancellation
            curv = (ratio * (k / (lam_col + k))).sum(axis=0)  # Σ λκ/(λ+κ)²
            sm = small[idx]
            value = np.where(sm, np.log(df1), -np.log(comp)) - np.where(
                sm, target[idx], -target[idx]
            )
            # value is decreasing in s in both branches; derivative:
            deriv = np.where(sm, -curv / df1, -curv / comp)
            # update bracket
            pos = value > 0  # root lies at larger s
            s_lo[idx] = np.where(pos, s[idx], s_lo[idx])
            s_hi[idx] = np.where(pos, s_hi[idx], s[idx])
            with np.errstate(divide="ignore", invalid="ignore"):
                step = -value / deriv
            step = np.where(value == 0, 0.0, step)
            newton_done = np.abs(step) < _STEP_TOL
            new = s[idx] + step
            bad = ~newton_done & (~np.isfinite(new) | (new <= s_lo[idx]) | (new >= s_hi[idx]))
            new = np.where(bad, 0.5 * (s_lo[idx] + s_hi[idx]), new)
            done = newton_done | (s_hi[idx] - s_lo[idx] < _STEP_TOL)
            s[idx] = new
            converged[idx] = done
        else:
            status = Status.MAX_ITER
        kappa[active] = np.exp(s)
    return EffectiveRidge(kappa=kappa.reshape(shape), iterations=iterations, status=status)


def _require_converged(res: EffectiveRidge) -> np.ndarray:
    if res.status is not Status.CONVERGED:
        raise RuntimeError(
            f"effective-ridge solver did not converge in {res.iterations} iterations"
        )
    return res.kappa


def delta_minus1(eigs: np.ndarray, mu: np.ndarray | float) -> np.ndarray:
    """Δ₋₁(μ, M): root of MRS eq. (164), ``1 = Σ_I λ_I/(Δ₋₁ + μ λ_I)``.

    Returns ``μ κ(μ)`` for 0 < μ < n, ``0`` for μ ≥ n (MRS §4.1: no pole once the empirical
    covariance has full rank), and ``tr Λ`` at μ = 0 (its limit).
    """
    lam = _positive_eigs(eigs)
    mu_arr = np.asarray(mu, dtype=np.float64)
    kappa = _require_converged(effective_ridge(lam, mu_arr))
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
    """
    lam = _positive_eigs(eigs)
    n = lam.size
    mu_arr = np.asarray(mu, dtype=np.float64)
    kappa = _require_converged(effective_ridge(lam, mu_arr))
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
    """
    mu_arr = np.asarray(mu, dtype=np.float64)
    with np.errstate(divide="ignore"):
        below = alpha + 1.0 / (rank / mu_arr - 1.0)
        above = 1.0 / (mu_arr / rank - 1.0)
    out = np.where(mu_arr < rank, below, np.where(mu_arr > rank, above, np.inf))
    return out if out.ndim else float(out)
