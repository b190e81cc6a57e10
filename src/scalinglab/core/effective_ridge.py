"""The effective-ridge (self-consistent degrees-of-freedom) equation, solved once for the package.

Every deterministic equivalent here reduces to ``df₁(κ) = Σ_I w_I λ_I/(λ_I + κ) = μ`` on a
spectrum with multiplicities: MRS eq. (164) (Δ₋₁ = μ κ with μ = min(N, T)), the random-feature
ridge equivalent (Bach 2023; Defilippis, Loureiro & Misiakiewicz 2024), and the sketched-SGD
deterministic equivalent (Paquette et al. 2024; Bordelon, Atanasov & Pehlevan 2024). This module
is their one solver: bracketed, safeguarded Newton in log κ, vectorised over μ, and it always
returns a :class:`~scalinglab._types.Status` — no caller can receive an unconverged κ silently.

The finite-data form ``κ − (κ/P) Σ_k n_k x_k/(x_k + κ) = p`` (the same equation with
μ = P and the ridge moved to the right-hand side; Bordelon, Atanasov & Pehlevan 2024) is solved
at real p by :func:`data_kappa_real` and at complex p (Laplace/contour inversions of the GD
dynamics) by :func:`data_kappa`; both also return a status.

Examples
--------
>>> import numpy as np
>>> res = effective_ridge(np.array([1.0, 1.0]), 1.0)   # 2·1/(1+κ) = 1  ⇒  κ = 1
>>> float(res.kappa), str(res.status)
(1.0, 'converged')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._types import Status

__all__ = [
    "EffectiveRidge",
    "data_kappa",
    "data_kappa_real",
    "effective_ridge",
    "require_converged",
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


def positive_modes(
    eigs: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    lam = np.asarray(eigs, dtype=np.float64).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("eigenvalues must be a non-empty array of finite, non-negative numbers")
    w = np.ones_like(lam) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != lam.shape or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite, non-negative and match the eigenvalues")
    keep = (lam > 0) & (w > 0)
    return lam[keep], w[keep]


def effective_ridge(
    eigs: np.ndarray, mu: np.ndarray | float, *, weights: np.ndarray | None = None
) -> EffectiveRidge:
    """Solve ``df₁(κ) = Σ_I w_I λ_I/(λ_I + κ) = μ`` for κ > 0, vectorised over μ.

    Parameters
    ----------
    eigs : array_like, shape (M,)
        Non-negative eigenvalues (zeros are allowed and do not count towards the rank n).
    mu : float or array_like
        Target degrees of freedom (number of features or samples).
    weights : array_like, shape (M,), optional
        Multiplicities w_I of the eigenvalues (default 1); the rank is n = Σ w_I over λ_I > 0.

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
    lam, wts = positive_modes(eigs, weights)
    n = float(wts.sum())
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
        lam_sum = float(np.sum(wts * lam))
        lam_min = lam.min()
        s_lo = np.log(lam_min * (n - m) / (2.0 * m))
        s_hi = np.log(lam_sum / m)
        small = m <= 0.5 * n
        target = np.where(small, np.log(m), np.log(n - m))
        s = 0.5 * (s_lo + s_hi)
        converged = np.zeros(m.size, dtype=bool)
        lam_col, w_col = lam[:, None], wts[:, None]
        for iterations in range(1, _MAX_ITER + 1):  # noqa: B007 - count is reported
            idx = np.flatnonzero(~converged)
            if idx.size == 0:
                break
            k = np.exp(s[idx])[None, :]
            ratio = lam_col / (lam_col + k)  # λ/(λ+κ)
            df1 = (w_col * ratio).sum(axis=0)
            comp = (w_col * k / (lam_col + k)).sum(axis=0)  # n − df1, without cancellation
            curv = (w_col * ratio * (k / (lam_col + k))).sum(axis=0)  # Σ wλκ/(λ+κ)²
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


def require_converged(res: EffectiveRidge) -> np.ndarray:
    """κ of a converged solve; ``RuntimeError`` naming the iteration count otherwise."""
    if res.status is not Status.CONVERGED:
        raise RuntimeError(
            f"effective-ridge solver did not converge in {res.iterations} iterations"
        )
    return res.kappa


_DATA_MAX_ITER = 400
_DATA_NEWTON_ITER = 100
_DATA_TOL = 1e-14
_DATA_MAX_HALVINGS = 40


def data_kappa_real(
    eigs: np.ndarray, weights: np.ndarray, samples: float, p: float
) -> tuple[float, Status]:
    """Real κ ≥ 0 with ``κ − (κ/P) Σ_k n_k x_k/(x_k + κ) = p`` for p ≥ 0, bisection in log κ.

    The left side is −∞ < h(κ) with h increasing for κ beyond the root, h(0) = 0 and
    h(κ) ≈ κ − tr/P for large κ, so the root lies in ``(0, 2 max(p, 1) + tr/P]``; at p = 0 the
    root is 0 when Σ n_k ≤ P (no data bottleneck) and positive otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> k, status = data_kappa_real(np.array([1.0]), np.array([1.0]), 1.0, 1.0)
    >>> round(k, 10), str(status)   # κ − κ/(1+κ) = 1  ⇒  κ² − κ − 1 = 0
    (1.6180339887, 'converged')
    """
    x = np.asarray(eigs, dtype=np.float64)
    n = np.asarray(weights, dtype=np.float64)
    if p == 0.0 and float(n.sum()) <= samples:
        return 0.0, Status.CONVERGED

    def h(k: float) -> float:
        return k - k / samples * float(np.sum(n * x / (x + k))) - p

    lo, hi = 1e-300, max(p, 1.0) * 2.0 + float(np.sum(n * x)) / samples
    for _ in range(_DATA_MAX_ITER):
        mid = float(np.sqrt(lo * hi))
        if h(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi / lo < 1 + _DATA_TOL:
            return float(np.sqrt(lo * hi)), Status.CONVERGED
    return float(np.sqrt(lo * hi)), Status.MAX_ITER


def data_kappa(
    eigs: np.ndarray, weights: np.ndarray, samples: float, p: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, Status]:
    """Complex κ with ``κ − (κ/P) Σ_k n_k x_k/(x_k + κ) = p`` at many complex p (Newton).

    ``start`` holds one initial guess per p (the caller continues along its contour: the
    solution at a neighbouring node, or the large-|p| expansion ``κ ≈ p + tr/P``). Newton's
    steps are damped (halved until the residual decreases), so a poor start walks in instead
    of cycling. Every entry must reach a relative step of 1e-14, else the status is
    ``max_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> x, n = np.array([1.0]), np.array([1.0])
    >>> k, status = data_kappa(x, n, 1.0, np.array([1.0 + 0j]), np.array([2.0 + 0j]))
    >>> round(float(k[0].real), 10), str(status)
    (1.6180339887, 'converged')
    """
    x = np.asarray(eigs, dtype=np.float64)
    nx = np.asarray(weights, dtype=np.float64) * x
    pp = np.asarray(p, dtype=np.complex128).ravel()
    k = np.asarray(start, dtype=np.complex128).ravel().copy()

    def residual(kk: np.ndarray, pk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        den = x[None, :] + kk[:, None]
        h = kk - kk / samples * (nx / den).sum(axis=1) - pk
        hp = 1.0 - (nx * x / den**2).sum(axis=1) / samples
        return h, hp

    active = np.ones(pp.size, dtype=bool)
    for _ in range(_DATA_NEWTON_ITER):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        h, hp = residual(k[a], pp[a])
        step = h / hp
        # damped Newton: halve the step until |h| decreases (plain Newton can cycle far from
        # the root at complex p, which a fixed iteration count used to hide)
        scale = np.ones(a.size)
        for _halving in range(_DATA_MAX_HALVINGS):
            trial = k[a] - scale * step
            worse = np.abs(residual(trial, pp[a])[0]) > np.abs(h)
            if not worse.any():
                break
            scale = np.where(worse, 0.5 * scale, scale)
        k[a] -= scale * step
        done = np.abs(scale * step) <= _DATA_TOL * np.abs(k[a])
        active[a[done]] = False
    status = Status.CONVERGED if not active.any() else Status.MAX_ITER
    return k, status
