"""Dynamics of a two-layer linear network on sketched power-law features, with feature learning.

Model (the toy of Bordelon, Atanasov & Pehlevan 2024, "How feature learning can improve neural
scaling laws", in the notation of Atanasov's note §2–3): fixed random features ``z = S x ∈ R^m``
(the note's projection A = Sᵀ), a trainable m×m layer B and a readout w,

.. math:: f(x) = w^\\top B\\, S x, \\qquad B(0) = I,\\; w(0) = 0,

trained by gradient descent on the population loss ``½E(f(x) − y)²`` with step η for w and
``γ²η`` for B. γ is the feature-learning strength: at γ = 0 B never moves and the model is
exactly the lazy linear model of the note (``u = Bᵀw`` obeys ``u̇ = −K(u − v*)``).

**Exact reduction (gradient flow).** In the eigenbasis of ``K = S H Sᵀ`` (eigenvalues λ_k, best
sketched target v*), with ``e = u − v*``: ``ẇ = −BKe``, ``Ḃ = −γ² w (Ke)ᵀ``, hence
``d/dt(BBᵀ − γ²wwᵀ) = 0``, so ``BBᵀ = I + γ²wwᵀ``, and from the polar decomposition
``BᵀB = I + γ² uuᵀ/(1 + a)`` with ``a = γ²‖w‖² = (√(1 + 4γ²‖u‖²) − 1)/2``. Therefore

.. math:: \\dot u = -\\Big[(1 + a) I + \\frac{γ^2 u u^\\top}{1 + a}\\Big] K (u - v^*),

a closed equation for u. Starting from u = 0, ``u_k = v*_k φ_k`` with one scalar φ per
eigenvalue: ``φ̇_k = −(1+a)λ_k(φ_k − 1) − γ² φ_k s/(1+a)``, ``‖u‖² = Σ c_k φ_k²``,
``s = uᵀKe = Σ λ_k c_k φ_k(φ_k − 1)``, ``c_k = v*_k²`` — so it runs on an exact spectrum or on
the weighted atoms of the sketch's deterministic equivalent alike (:func:`rich_flow`).

**Why the exponent changes (heuristic, checked by simulation).** For a hard task (β < 1) the
target norm diverges, ‖u(t)‖² ∝ (modes learned)^{α(1−β)} ∝ τ^{1−β} in the effective time τ, and
the kernel multiplier ``1 + a ≈ γ‖u‖`` grows: ``dτ/dt ∝ γ τ^{(1−β)/2}``, so ``τ ∝ t^{2/(1+β)}``
and ``L ∝ τ^{−β} = t^{−2β/(1+β)}`` — the note's §3 exponent χ. For β > 1 the norm stays bounded
and the exponent stays β. The width floor is untouched: u lives in the m sketched features.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from scalinglab._types import Status

__all__ = ["kernel_boost", "network_gd", "rich_flow", "rich_rhs"]


def kernel_boost(norm2: float | np.ndarray, gamma: float) -> float | np.ndarray:
    """``a = γ²‖w‖² = (√(1 + 4γ²‖u‖²) − 1)/2`` from ``‖u‖²`` (balanced start B = I, w = 0).

    Examples
    --------
    >>> round(float(kernel_boost(2.0, 1.0)), 12)   # γ²‖w‖²(1 + γ²‖w‖²) = γ²‖u‖² = 2 → a = 1
    1.0
    >>> float(kernel_boost(5.0, 0.0))
    0.0
    """
    g2 = gamma * gamma
    x = 4.0 * g2 * np.asarray(norm2, dtype=np.float64)
    out = x / (2.0 * (np.sqrt(1.0 + x) + 1.0))  # (√(1+x) − 1)/2 without cancellation
    return float(out) if np.ndim(out) == 0 else out


def rich_rhs(phi: np.ndarray, lam: np.ndarray, c: np.ndarray, gamma: float) -> np.ndarray:
    """Right-hand side ``φ̇`` of the reduced gradient flow (module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> rich_rhs(np.zeros(2), np.array([1.0, 0.5]), np.array([1.0, 1.0]), 3.0).tolist()
    [1.0, 0.5]
    """
    a = kernel_boost(float(c @ (phi * phi)), gamma)
    s = float(np.sum(lam * c * phi * (phi - 1.0)))
    return -(1.0 + a) * lam * (phi - 1.0) - gamma * gamma * phi * s / (1.0 + a)


def _jacobian(phi, lam, c, gamma) -> np.ndarray:
    g2 = gamma * gamma
    a = kernel_boost(float(c @ (phi * phi)), gamma)
    s = float(np.sum(lam * c * phi * (phi - 1.0)))
    grad_a = g2 / (1.0 + 2.0 * a) * 2.0 * c * phi
    grad_s = lam * c * (2.0 * phi - 1.0)
    jac = -np.outer(lam * (phi - 1.0), grad_a)
    jac -= (g2 / (1.0 + a)) * np.outer(phi, grad_s)
    jac += (g2 * s / (1.0 + a) ** 2) * np.outer(phi, grad_a)
    jac[np.diag_indices_from(jac)] += -(1.0 + a) * lam - g2 * s / (1.0 + a)
    return jac


def _frozen_step(phi, lam, c, gamma, h, a, s):
    """Exact step of ``φ̇ = −(A + b)φ + A`` over h with ``A = (1+a)λ``, ``b = γ²s/(1+a)``."""
    big = (1.0 + a) * lam
    rate = big + gamma * gamma * s / (1.0 + a)
    x = rate * h
    small = np.abs(x) < 1e-8
    psi = np.where(small, 1.0 - 0.5 * x, -np.expm1(-x) / np.where(small, 1.0, x))
    return phi * np.exp(-x) + big * h * psi


def _scalars(phi, lam, c, gamma):
    return kernel_boost(float(c @ (phi * phi)), gamma), float(np.sum(lam * c * phi * (phi - 1.0)))


def rich_flow(
    lam: np.ndarray,
    c: np.ndarray,
    irreducible: float,
    gamma: float,
    times: np.ndarray,
    *,
    method: str = "exponential",
    log_step: float = 0.01,
    rtol: float = 1e-10,
    atol: float = 1e-13,
) -> tuple[np.ndarray, Status, str]:
    """Population risk ``½(Σ λ_k c_k (φ_k − 1)² + s²)`` of the reduced gradient flow at ``times``.

    Parameters
    ----------
    lam, c : ndarray
        Eigenvalues of K and summed target weights ``c_k = Σ v*²`` per eigenvalue (an exact
        spectrum, or deterministic-equivalent atoms).
    irreducible : float
        s² = σ_r² + σ² (twice the floor).
    gamma : float
        Feature-learning strength; 0 gives the lazy closed form ``φ = 1 − e^{−λt}`` (note eq. 9).
    times : ndarray
        Increasing flow times ≥ 0.
    method : {"exponential", "bdf"}
        ``exponential``: each mode is integrated exactly with the two global scalars (a, s)
        frozen at the step's midpoint (predictor–corrector, second order), steps ``h =
        log_step·t`` — O(modes) per step and unconditionally stable for the fast modes.
        ``bdf``: scipy's stiff solver with the analytic Jacobian (dense, O(modes³); a check).

    Returns
    -------
    risk, status, message
        ``status`` is ``failed`` when the solver stops early.

    Examples
    --------
    >>> import numpy as np
    >>> lam = np.arange(1, 51) ** -1.5
    >>> c = np.arange(1, 51) ** -0.25
    >>> lazy, _, _ = rich_flow(lam, c, 0.0, 0.0, np.array([10.0]))
    >>> rich, st, _ = rich_flow(lam, c, 0.0, 2.0, np.array([10.0]))
    >>> str(st), bool(rich[0] < lazy[0])
    ('converged', True)
    >>> bdf, _, _ = rich_flow(lam, c, 0.0, 2.0, np.array([10.0]), method="bdf")
    >>> bool(abs(rich[0] / bdf[0] - 1) < 1e-4)
    True
    """
    lam = np.asarray(lam, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    times = np.asarray(times, dtype=np.float64)
    if gamma == 0.0:
        decay = np.exp(-2.0 * np.outer(times, lam))
        return 0.5 * (decay @ (lam * c) + irreducible), Status.CONVERGED, "lazy closed form"
    if method == "bdf":
        sol = solve_ivp(
            lambda _t, y: rich_rhs(y, lam, c, gamma),
            (0.0, float(times[-1])),
            np.zeros(lam.size),
            method="BDF",
            t_eval=times,
            jac=lambda _t, y: _jacobian(y, lam, c, gamma),
            rtol=rtol,
            atol=atol,
        )
        phi = np.full((times.size, lam.size), np.nan)
        phi[: sol.y.shape[1]] = sol.y.T
        risk = 0.5 * ((phi - 1.0) ** 2 @ (lam * c) + irreducible)
        if not sol.success or sol.y.shape[1] != times.size:
            return risk, Status.FAILED, f"ODE solver stopped: {sol.message}"
        return risk, Status.CONVERGED, f"BDF, {sol.nfev} evaluations"
    phi = np.zeros(lam.size)
    t = 0.0
    out = np.empty(times.size)
    rate0 = float(lam.max()) * (1.0 + 2.0 * kernel_boost(float(c.sum()), gamma))
    h_min = log_step / rate0
    n_steps = 0
    for i, target in enumerate(times):
        while t < target:
            h = min(max(log_step * t, h_min), target - t)
            a, s = _scalars(phi, lam, c, gamma)
            half = _frozen_step(phi, lam, c, gamma, 0.5 * h, a, s)
            a, s = _scalars(half, lam, c, gamma)
            phi = _frozen_step(phi, lam, c, gamma, h, a, s)
            t += h
            n_steps += 1
        out[i] = 0.5 * (float((phi - 1.0) ** 2 @ (lam * c)) + irreducible)
    status = Status.CONVERGED if np.all(np.isfinite(out)) else Status.FAILED
    return out, status, f"exponential midpoint integrator, {n_steps} steps"


def network_gd(
    eigs: np.ndarray,
    vstar: np.ndarray,
    irreducible: float,
    gamma: float,
    lr: float,
    record: np.ndarray,
) -> np.ndarray:
    """Gradient descent on the full parameters (w ∈ R^m, B ∈ R^{m×m}) in the eigenbasis of K.

    ``w ← w − η B K e``, ``B ← B − γ²η w (K e)ᵀ`` (simultaneous), ``e = Bᵀw − v*``; the risk
    ``½(eᵀKe + s²)`` at the steps in ``record``. O(m²) per step: the check of the reduction,
    not the fast path.

    Examples
    --------
    >>> import numpy as np
    >>> eigs, vstar = np.array([1.0, 0.1]), np.array([1.0, 1.0])
    >>> lazy = network_gd(eigs, vstar, 0.0, 0.0, 0.5, np.array([3]))
    >>> bool(np.isclose(lazy[0], 0.5 * np.sum(eigs * vstar**2 * (1 - 0.5 * eigs) ** 6),
    ...                 rtol=1e-14))
    True
    """
    m = eigs.size
    w = np.zeros(m)
    b = np.eye(m)
    g2 = gamma * gamma
    steps = int(record[-1])
    slot = np.full(steps + 1, -1)
    slot[record] = np.arange(record.size)
    out = np.empty(record.size)
    if slot[0] >= 0:
        out[slot[0]] = 0.5 * (float(eigs @ vstar**2) + irreducible)
    for t in range(steps):
        ke = eigs * (b.T @ w - vstar)
        gw = b @ ke
        if g2:
            b -= (g2 * lr) * np.outer(w, ke)
        w -= lr * gw
        if slot[t + 1] >= 0:
            e = b.T @ w - vstar
            out[slot[t + 1]] = 0.5 * (float(eigs @ (e * e)) + irreducible)
    return out
