"""Deterministic equivalent of the test error of random-feature ridge regression.

Setting (Bach 2023; Defilippis, Loureiro & Misiakiewicz 2024, "DLM"; formulas collected in
``sgd_math.md``, last section): inputs whose feature covariance Σ has eigenvalues η_k, a target
with power ``v_k²`` along eigen-direction k (``v_k² = η_k β_k²`` for ``y = β·x + ε``; the
``λ_k w_k²`` of the source condition), n samples, p random features ``Φ = X F/√p`` (F iid
standard normal, so ``Φ Φᵀ → X Xᵀ`` as p → ∞), label noise σ², and the ridge estimator of

.. math:: \\min_a \\|y - \\Phi a\\|^2 + \\lambda \\|a\\|^2 .

With ``df₁(ν) = Σ η/(η+ν)`` and ``df₂(ν) = Σ η²/(η+ν)²``, ν₂ solves

.. math:: \\nu_2 \\,(n - \\mathrm{df}_1(\\nu_2))\\,(p - \\mathrm{df}_1(\\nu_2)) = \\lambda p,
   \\qquad \\nu_1 = \\lambda/(n - \\mathrm{df}_1(\\nu_2)),

and, with ``χ = Σ η/(η+ν₂)² / (p − df₂)`` and
``Υ = [df₂ (p − 2 df₁) + df₁²] / [n (p − df₂)]``,

.. math:: B = \\nu_2^2 \\sum_k v_k^2 \\frac{1 + \\chi \\eta_k}{(\\eta_k + \\nu_2)^2}, \\qquad
   \\text{test MSE} = \\frac{B + \\sigma^2}{1 - \\Upsilon}.

The excess risk against noiseless test targets is ``(B + σ² Υ)/(1 − Υ)``. p = ∞ is kernel
ridge regression (χ = 0, Υ = df₂/n, ν₂(n − df₁) = λ).

**MRS mapping.** Maloney, Roberts & Sully (2022) use features ``φ = u x`` with
``u ~ N(0, σ_u²/M)`` (eq. 28), the loss ``½‖θφ − y‖² + γ/2 ‖θ‖²`` (eq. 33), a teacher
``w ~ N(0, σ_w²/M)`` (eq. 27) and the test loss ``½ E(ẑ − ŷ)²`` with noiseless ŷ (eq. 40).
Since ``φ_MRS = √(σ_u² N/M) Φ_DLM``, the MRS model is the DLM model with

    η = Λ (the latent spectrum),  v_k² = λ_k σ_w²/M,  n = T,  p = N,  λ = γ M/(σ_u² N),

and ``L_MRS = ½ (B + σ_ε² Υ)/(1 − Υ)`` (label term ``½B/(1−Υ)``, noise term
``½σ_ε²Υ/(1−Υ)``). At γ = 0 this is exactly MRS eq. (163) (label) and the noise coefficient of
``mrs_theory.noise_coefficient`` (spectrum form); at γ > 0, where MRS has no formula, it is
checked against ``mrs.simulate`` in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError
from scalinglab.core.effective_ridge import effective_ridge, require_converged

__all__ = [
    "RFRiskPrediction",
    "optimal_ridge",
    "rf_ridge_risk",
]

_MAX_ITER = 200
_STEP_TOL = 1e-13
_CHUNK = 256  # (n, p, λ) combinations per vectorised block


@dataclass(frozen=True)
class RFRiskPrediction:
    """Deterministic-equivalent test error on a grid of (samples, features, ridge).

    All arrays have the broadcast shape of the inputs.

    Attributes
    ----------
    test_error : ndarray
        ``(B + σ²)/(1 − Υ)``: mean squared error against noisy test labels.
    excess_risk : ndarray
        ``(B + σ² Υ)/(1 − Υ)``: against noiseless targets (MRS's convention, without ½).
    bias, variance : ndarray
        ``B/(1 − Υ)`` and ``σ² Υ/(1 − Υ)`` (their sum is the excess risk).
    nu1, nu2, upsilon, chi : ndarray
        The effective ridges and the auxiliary quantities of the formula.
    status : Status
        ``converged`` unless the fixed-point solver hit its iteration cap.

    Examples
    --------
    The test error exceeds the excess risk by exactly the test-label noise σ², and the excess
    risk is bias + variance:

    >>> pred = rf_ridge_risk(np.ones(10), np.full(10, 0.1), 20, 5, 1.0, noise_var=0.5)
    >>> round(float(pred.test_error - pred.excess_risk), 12)
    0.5
    >>> bool(np.isclose(pred.excess_risk, pred.bias + pred.variance)), pred.status.value
    (True, 'converged')
    """

    test_error: np.ndarray
    excess_risk: np.ndarray
    bias: np.ndarray
    variance: np.ndarray
    nu1: np.ndarray
    nu2: np.ndarray
    upsilon: np.ndarray
    chi: np.ndarray
    status: Status

    def to_dict(self) -> dict[str, Any]:
        return {
            "test_error": self.test_error,
            "excess_risk": self.excess_risk,
            "bias": self.bias,
            "variance": self.variance,
            "nu1": self.nu1,
            "nu2": self.nu2,
            "upsilon": self.upsilon,
            "chi": self.chi,
            "status": self.status.value,
        }


def _check_spectrum(
    eigs: np.ndarray, power: np.ndarray, multiplicity: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    eta = np.asarray(eigs, dtype=np.float64).ravel()
    v2 = np.asarray(power, dtype=np.float64).ravel()
    mult = (
        np.ones_like(eta)
        if multiplicity is None
        else np.asarray(multiplicity, dtype=np.float64).ravel()
    )
    if mult.shape != eta.shape or np.any(~np.isfinite(mult)) or np.any(mult <= 0):
        raise InputError("multiplicity must be positive and of the same length as eigs")
    if eta.size == 0 or eta.shape != v2.shape:
        raise InputError(
            f"eigenvalues and target power must be non-empty and of equal length; "
            f"got {eta.size} and {v2.size}"
        )
    if not (np.all(np.isfinite(eta)) and np.all(np.isfinite(v2))):
        raise InputError("eigenvalues and target power must be finite")
    if np.any(eta < 0) or np.any(v2 < 0):
        raise InputError("eigenvalues and target power must be >= 0")
    if np.any((eta == 0) & (v2 > 0)):
        raise InputError("target power on a zero eigenvalue is not learnable; drop those modes")
    keep = eta > 0
    return eta[keep], v2[keep], mult[keep]


def _df_root(eta: np.ndarray, mult: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """ν with ``df₁(ν) = Σ_k m_k η_k/(η_k+ν) = μ`` (0 where μ ≥ Σ m_k): the effective ridge.

    Solved by the package's one solver, :func:`scalinglab.core.effective_ridge.effective_ridge`;
    a solve that does not converge raises instead of returning its last iterate.
    """
    return require_converged(effective_ridge(eta, mu, weights=mult))


def _solve_nu2(
    eta: np.ndarray, mult: np.ndarray, n: np.ndarray, p: np.ndarray, lam: np.ndarray
) -> tuple[np.ndarray, bool]:
    """ν₂ solving ``ν (n − df₁)(1 − df₁/p) = λ`` on ν > ν_min, where df₁(ν_min) = min(n, p).

    The left side increases strictly in ν beyond ν_min, where it is 0 ≤ λ, so the root is
    unique; it is bracketed by ``max(ν_min, λ/n)`` and ``max(2S/n, 2S/p, 4λ/n)`` (S = Σ η) and
    found by Newton's method in log ν with bisection whenever a step leaves the bracket.
    """
    nu_min = _df_root(eta, mult, np.minimum(n, p))
    nu = nu_min.copy()
    active = np.flatnonzero(lam > 0)
    if active.size == 0:
        return nu, True
    total = float(np.sum(mult * eta))
    na, pa, la = n[active], p[active], lam[active]
    inv_p = np.where(np.isinf(pa), 0.0, 1.0 / pa)
    lo = np.log(np.maximum(nu_min[active], la / na))
    hi = np.log(np.maximum.reduce([2 * total / na, 2 * total * inv_p, 4 * la / na]))
    s = 0.5 * (lo + hi)
    done = np.zeros(active.size, dtype=bool)
    col, wcol = eta[:, None], mult[:, None]
    for _ in range(_MAX_ITER):
        idx = np.flatnonzero(~done)
        if idx.size == 0:
            break
        v = np.exp(s[idx])[None, :]
        r = col / (col + v)
        df1 = (wcol * r).sum(axis=0)
        s1 = (wcol * r / (col + v)).sum(axis=0)  # Σ η/(η+ν)² = −d df₁/dν
        a = na[idx] - df1
        b = 1.0 - df1 * inv_p[idx]
        h = v[0] * a * b - la[idx]
        dh = v[0] * (a * b + v[0] * s1 * (b + a * inv_p[idx]))  # dh/d log ν
        pos = h > 0
        hi[idx] = np.where(pos, s[idx], hi[idx])
        lo[idx] = np.where(pos, lo[idx], s[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = -h / dh
        new = s[idx] + step
        bad = ~np.isfinite(new) | (new <= lo[idx]) | (new >= hi[idx])
        new = np.where(bad, 0.5 * (lo[idx] + hi[idx]), new)
        fin = (np.abs(new - s[idx]) < _STEP_TOL) | (hi[idx] - lo[idx] < _STEP_TOL)
        s[idx] = new
        done[idx] = fin
    nu[active] = np.exp(s)
    return nu, bool(np.all(done))


def rf_ridge_risk(
    eigs: np.ndarray,
    target_power: np.ndarray,
    samples: np.ndarray | float,
    features: np.ndarray | float,
    ridge: np.ndarray | float,
    *,
    noise_var: float = 0.0,
    multiplicity: np.ndarray | None = None,
) -> RFRiskPrediction:
    """Deterministic-equivalent test error of random-feature ridge regression (DLM 2024).

    Parameters
    ----------
    eigs : array_like (K,)
        Eigenvalues η_k of the feature covariance (kernel operator); zeros are dropped.
    target_power : array_like (K,)
        ``v_k²``: target power along each eigen-direction (``λ_k w_k²``; for several outputs,
        the sum over outputs — the formula is linear in it).
    samples, features, ridge : float or array_like
        n, p (``numpy.inf`` for kernel ridge regression) and λ ≥ 0 (on the summed loss
        ``‖y − Φa‖² + λ‖a‖²`` with ``ΦΦᵀ → K``); broadcast against each other.
    noise_var : float
        σ² of the training-label noise.
    multiplicity : array_like (K,), optional
        Number of modes each entry stands for (a coarse-grained tail: ``eigs[k]`` repeated
        ``multiplicity[k]`` times with total power ``target_power[k]``); default 1.

    Returns
    -------
    RFRiskPrediction

    Notes
    -----
    λ = 0 is the minimum-norm interpolator: df₁(ν₂) = min(n, p) (ν₂ = 0 when min(n, p) is at
    least the number of positive eigenvalues). The error is infinite at n = p with λ = 0.

    Examples
    --------
    Ridgeless least squares on K = 10 isotropic modes (p = ∞) with n = 50 samples has no bias
    and variance ``σ² K/(n − K)`` = 10/40:

    >>> pred = rf_ridge_risk(np.ones(10), np.full(10, 0.1), 50, np.inf, 0.0, noise_var=1.0)
    >>> float(pred.excess_risk), float(pred.bias)
    (0.25, 0.0)

    The random-feature risk decreases towards kernel ridge regression as p grows:

    >>> risk = rf_ridge_risk(
    ...     np.ones(10), np.full(10, 0.1), 20, np.array([5, 20, 1e6, np.inf]), 1.0, noise_var=0.5
    ... ).excess_risk
    >>> risk.round(4)
    array([0.79  , 0.3531, 0.3731, 0.3731])
    """
    eta, v2, mult = _check_spectrum(eigs, target_power, multiplicity)
    n_b, p_b, l_b = np.broadcast_arrays(
        np.asarray(samples, dtype=np.float64),
        np.asarray(features, dtype=np.float64),
        np.asarray(ridge, dtype=np.float64),
    )
    shape = n_b.shape
    n, p, lam = n_b.ravel(), p_b.ravel(), l_b.ravel()
    if np.any(~np.isfinite(n)) or np.any(n <= 0):
        raise InputError("samples must be finite and > 0")
    if np.any(np.isnan(p)) or np.any(p <= 0):
        raise InputError("features must be > 0 (inf for kernel ridge regression)")
    if np.any(~np.isfinite(lam)) or np.any(lam < 0):
        raise InputError("ridge must be finite and >= 0")
    if not np.isfinite(noise_var) or noise_var < 0:
        raise InputError(f"noise_var must be finite and >= 0; got {noise_var!r}")
    out = {k: np.empty(n.size) for k in ("B", "ups", "chi", "nu1", "nu2")}
    converged = True
    for start in range(0, n.size, _CHUNK):
        sl = slice(start, start + _CHUNK)
        nn, pp, ll = n[sl], p[sl], lam[sl]
        nu2, ok = _solve_nu2(eta, mult, nn, pp, ll)
        converged &= ok
        col, wcol = eta[:, None], mult[:, None]
        den = col + nu2[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = col / den
            df1 = (wcol * r).sum(axis=0)
            df2 = (wcol * r * r).sum(axis=0)
            s1 = (wcol * r / den).sum(axis=0)
            finite_p = np.isfinite(pp)
            chi = np.where(finite_p, s1 / (pp - df2), 0.0)
            ups = np.where(
                finite_p,
                (df2 * (pp - 2.0 * df1) + df1 * df1) / (nn * (pp - df2)),
                df2 / nn,
            )
            ratio = (nu2[None, :] / den) ** 2
            bias = ((v2[:, None] * ratio) * (1.0 + chi[None, :] * col)).sum(axis=0)
            bias = np.where(nu2 == 0, 0.0, bias)
            nu1 = np.where(
                ll > 0, ll / (nn - df1), nu2 * (1.0 - df1 * np.where(finite_p, 1.0 / pp, 0.0))
            )
        out["B"][sl], out["ups"][sl], out["chi"][sl] = bias, ups, chi
        out["nu1"][sl], out["nu2"][sl] = nu1, nu2
    ups = out["ups"]
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1.0 - ups
        # Υ = 1 exactly at the interpolation threshold n = p < rank with λ = 0 (round-off
        # would leave 1 − Υ ~ 1e-16 instead of 0)
        peak = (lam == 0) & (n == p) & (n < float(mult.sum()))
        singular = (denom <= 0) | peak
        bias_t = np.where(singular, np.inf, out["B"] / denom)
        var_t = np.where(singular, np.inf if noise_var > 0 else 0.0, noise_var * ups / denom)
        test = np.where(singular, np.inf, (out["B"] + noise_var) / denom)
    excess = bias_t + var_t

    def rs(a: np.ndarray) -> np.ndarray:
        return a.reshape(shape)

    return RFRiskPrediction(
        test_error=rs(test),
        excess_risk=rs(excess),
        bias=rs(bias_t),
        variance=rs(var_t),
        nu1=rs(out["nu1"]),
        nu2=rs(out["nu2"]),
        upsilon=rs(ups),
        chi=rs(out["chi"]),
        status=Status.CONVERGED if converged else Status.MAX_ITER,
    )


def optimal_ridge(
    eigs: np.ndarray,
    target_power: np.ndarray,
    samples: float,
    features: float,
    *,
    noise_var: float = 0.0,
    grid: np.ndarray | None = None,
    multiplicity: np.ndarray | None = None,
) -> tuple[float, float]:
    """Ridge λ* minimising the predicted excess risk at one (n, p), and that minimum.

    A log grid (default 1e-14 … 1e2 times ``n Σ η``, 6 points per decade, plus λ = 0) locates
    the basin; a parabola through the three lowest neighbouring points in log λ refines it.
    The grid reaches far below the signal scale because with weak label noise the optimum
    sits there: MRS with α = 2.33, σ_ε² = 1e-8, N = 2000, T = 3000, M = 1000 has
    λ* ≈ 2e-9 · n Σ η (a grid starting at 1e-8 missed it by 26 % in risk).

    Examples
    --------
    For kernel ridge regression (p = ∞) on K isotropic modes the optimal summed-loss ridge is
    ``σ² K/‖β‖²`` (Dobriban & Wager 2018), here 0.5 · 20/1 = 10:

    >>> lam_star, risk = optimal_ridge(np.ones(20), np.full(20, 0.05), 30, np.inf, noise_var=0.5)
    >>> round(lam_star, 2)
    10.0
    """
    eta = np.asarray(eigs, dtype=np.float64)
    mult = np.ones_like(eta) if multiplicity is None else np.asarray(multiplicity, float)
    scale = samples * float(np.sum(mult * eta))
    kw = {"noise_var": noise_var, "multiplicity": multiplicity}
    lams = np.geomspace(1e-14, 1e2, 97) * scale if grid is None else np.asarray(grid, float)
    risk = rf_ridge_risk(eigs, target_power, samples, features, lams, **kw).excess_risk
    zero = float(rf_ridge_risk(eigs, target_power, samples, features, 0.0, **kw).excess_risk)
    i = int(np.argmin(risk))
    best_l, best_r = float(lams[i]), float(risk[i])
    if 0 < i < lams.size - 1:
        a, b, _ = np.polyfit(np.log(lams[i - 1 : i + 2]), risk[i - 1 : i + 2], 2)
        if a > 0:
            xv = -b / (2 * a)
            lv = float(np.exp(xv))
            rv = float(rf_ridge_risk(eigs, target_power, samples, features, lv, **kw).excess_risk)
            if rv < best_r:
                best_l, best_r = lv, rv
    if np.isfinite(zero) and zero <= best_r:
        return 0.0, zero
    return best_l, best_r
