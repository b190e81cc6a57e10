"""Gradient flow on P samples: the deterministic equivalent of its expected risk.

Conditional on the sketch, the features are ``z ~ N(0, K)`` (eigenvalues x_k, target
coordinates v*_k, independent label noise of variance s² = σ_r² + σ²; see
:mod:`scalinglab.models.sgd.theory`). Gradient flow on the empirical loss
``½ (1/P)‖Zv − y‖²`` from v = 0 gives ``v(t) = (1 − e^{−tK̂}) K̂⁺ ĉ`` with ``K̂ = ZᵀZ/P``
(note eq. 14), so ``v(t) − v* = −e^{−tK̂} v* + (1 − e^{−tK̂}) K̂⁺ b``, ``b = Zᵀξ/P``, and

.. math:: 2L(t) = \\underbrace{E\\,v^{*\\top} e^{-tK̂} K e^{-tK̂} v^*}_{S(t)}
          + \\underbrace{\\frac{s^2}{P} E \\operatorname{tr}\\big[K (1-e^{-tK̂})^2 K̂^+\\big]}_{N(t)}
          + s^2 .

Both expectations are written as inverse Laplace transforms of resolvents and replaced by their
deterministic equivalents (Bach 2023; Atanasov, Zavatone-Veth & Pehlevan 2024), with the
effective ridge κ_p solving ``κ − (κ/P) Σ_k x_k/(x_k + κ) = p``:

- one point: ``tr[K (p + K̂)⁻¹] ≃ (κ_p/p) Σ_k x_k/(x_k + κ_p)``;
- two points: ``E[(p + K̂)⁻¹ K (q + K̂)⁻¹] ≃ (κ_p κ_q/(p q)) (K+κ_p)⁻¹ K (K+κ_q)⁻¹ / D(p, q)``,
  ``D = 1 − (1/P) Σ_k x_k²/((x_k+κ_p)(x_k+κ_q))`` (at p = q the familiar ``1 − df₂/P``).

``S(t)`` is a double inverse Laplace transform of the two-point form; with ``a(t) =
tr[K(1 − e^{−tK̂})K̂⁺]`` one has ``N(t) = (s²/P)(2a(t) − a(2t))`` and ``a`` is a single inverse
transform of ``[(κ_p Σ x/(x+κ_p) − κ₀ Σ x/(x+κ₀))/p]/p`` (κ₀ = κ at p → 0, the never-learned
null space of K̂ removed). The inversions use the fixed Talbot contour of Abate & Valkó (2004).

This is the exact large-dimension limit for gradient flow; for full-batch GD (t = η·steps) and
multi-pass SGD it is the small-step approximation that neglects the discreteness and the SGD
noise.
"""

from __future__ import annotations

import numpy as np

from scalinglab._types import Status
from scalinglab.core.effective_ridge import data_kappa, data_kappa_real
from scalinglab.models.sgd.results import SGDPrediction, seed_streams

__all__ = ["flow_data_risk", "kappa_real", "predict_finite_data", "solve_kappa", "talbot_nodes"]

TALBOT_NODES = 32


def talbot_nodes(t: float, nodes: int = TALBOT_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Full fixed-Talbot contour: points p_j and weights W_j with ``f(t) ≈ Σ_j W_j F(p_j)``.

    Abate & Valkó (2004), eq. (41): ``p_k = r θ_k (cot θ_k + i)``, θ_k = kπ/M, r = 2M/(5t),
    weights ``(r/M)·γ_k e^{t p_k}`` with γ₀ = ½, ``γ_k = 1 + iσ_k``,
    ``σ_k = θ_k + (θ_k cot θ_k − 1) cot θ_k``; written over the whole contour (conjugate nodes
    included, real part implicit) so that double transforms factor into two sums.
    """
    r = 2.0 * nodes / (5.0 * t)
    theta = np.arange(1, nodes) * np.pi / nodes
    cot = 1.0 / np.tan(theta)
    p = r * theta * (cot + 1j)
    gamma = 1.0 + 1j * (theta + (theta * cot - 1.0) * cot)
    pts = np.concatenate((np.conj(p[::-1]), [r + 0j], p))
    gam = np.concatenate((np.conj(gamma[::-1]), [1.0 + 0j], gamma))
    weights = (r / (2.0 * nodes)) * gam * np.exp(t * pts)
    return pts, weights


def kappa_real(x: np.ndarray, n: np.ndarray, samples: int, p: float) -> float:
    """Real κ ≥ 0 with κ − (κ/P) Σ n x/(x+κ) = p (p ≥ 0): the package's solver
    (:func:`scalinglab.core.effective_ridge.data_kappa_real`); raises if it does not converge."""
    k, status = data_kappa_real(x, n, samples, p)
    if status is not Status.CONVERGED:
        raise RuntimeError(f"finite-data effective ridge did not converge ({status})")
    return k


def solve_kappa(x, n, samples, p, k_init) -> np.ndarray:
    """Complex κ with ``κ − (κ/P) Σ n x/(x+κ) = p`` at many p (Newton from ``k_init``): the
    package's solver (:func:`scalinglab.core.effective_ridge.data_kappa`); raises if it does
    not converge."""
    k, status = data_kappa(x, n, samples, p, k_init)
    if status is not Status.CONVERGED:
        raise RuntimeError(f"finite-data effective ridge did not converge ({status})")
    return k


def _kappa_table(x, n, samples, times, nodes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Talbot points, weights and κ for every time (rows), continued from small to large t.

    The contour for time t is the fixed shape scaled by 1/t, so κ at the previous (smaller)
    time is a good Newton start; the smallest time starts from the large-|p| expansion
    κ ≈ p + (1/P) Σ n x.
    """
    order = np.argsort(times)
    pts = np.empty((times.size, 2 * nodes - 1), dtype=np.complex128)
    wts = np.empty_like(pts)
    kap = np.empty_like(pts)
    half = slice(nodes - 1, None)  # real node and upper half; the rest by conjugation
    prev = None
    for i in order:
        pts[i], wts[i] = talbot_nodes(float(times[i]), nodes)
        p = pts[i, half]
        guess = p + float(np.sum(n * x)) / samples if prev is None else prev
        k = solve_kappa(x, n, samples, p, guess)
        kap[i, half] = k
        kap[i, : nodes - 1] = np.conj(k[1:][::-1])
        prev = k
    return pts, wts, kap


def flow_data_risk(
    eigs: np.ndarray,
    counts: np.ndarray,
    c0: np.ndarray,
    irreducible: float,
    samples: int,
    times: np.ndarray,
    nodes: int = TALBOT_NODES,
) -> np.ndarray:
    """Deterministic-equivalent risk of gradient flow on P samples at the given times.

    Parameters
    ----------
    eigs, counts, c0 : ndarray
        Modes of K: eigenvalues x_k, multiplicities n_k and summed ``v*_k²`` (ModeSpectrum).
    irreducible : float
        s² = σ_r² + σ².
    samples : int
        P.
    times : ndarray
        Gradient-flow times (t = 0 returns the initial risk).
    """
    x = np.asarray(eigs, dtype=np.float64)
    n = np.asarray(counts, dtype=np.float64)
    c = np.asarray(c0, dtype=np.float64)
    s2 = float(irreducible)
    times = np.asarray(times, dtype=np.float64)
    out = np.full(times.size, 0.5 * (float(c @ x) + s2))
    pos = times > 0
    if not np.any(pos):
        return out
    tp = times[pos]
    k0 = kappa_real(x, n, samples, 0.0)
    null_part = k0 * float(np.sum(n * x / (x + k0))) if k0 > 0 else 0.0
    all_t = np.concatenate((tp, 2.0 * tp))
    pts, wts, kap = _kappa_table(x, n, samples, all_t, nodes)
    # a(t) = L^{-1}[(κ_p Σ n x/(x+κ_p) − κ₀ Σ n x/(x+κ₀))/p²]
    a_all = np.empty(all_t.size)
    for i in range(all_t.size):
        g = (kap[i] * ((n * x) @ (1.0 / (x[:, None] + kap[i][None, :]))) - null_part) / pts[i] ** 2
        a_all[i] = float(np.real(wts[i] @ g))
    a1, a2 = a_all[: tp.size], a_all[tp.size :]
    risk = np.empty(tp.size)
    for i in range(tp.size):
        kp, w, p = kap[i], wts[i], pts[i]
        inv = 1.0 / (x[:, None] + kp[None, :])  # (modes, nodes)
        num = inv.T @ ((c * x)[:, None] * inv)
        den = 1.0 - inv.T @ ((n * x * x)[:, None] * inv) / samples
        pref = kp / p
        signal = float(np.real(w @ ((np.outer(pref, pref) * num / den) @ w)))
        noise = s2 / samples * (2.0 * a1[i] - a2[i])
        risk[i] = 0.5 * (signal + noise + s2)
    out[pos] = risk
    return out


def predict_finite_data(cfg, record: np.ndarray, *, seeds: int = 8, seed: int = 0, **_: object):
    """Finite-data prediction for :func:`scalinglab.models.sgd.predict` (time t = η·step).

    Exact in the sketch (each of ``seeds`` sketches, the same draws as the simulation) and
    deterministic-equivalent in the data.
    """
    eta = cfg.step_size()
    times = eta * np.asarray(record, dtype=np.float64)
    curves, floors = [], []
    for k in range(seeds):
        _, prob = cfg.reduced_problem(seed_streams(seed, k)[0])
        spec = prob.mode_spectrum()
        curves.append(
            flow_data_risk(spec.eigs, spec.counts, spec.c0, spec.irreducible, cfg.data, times)
        )
        floors.append(0.5 * spec.irreducible)
        if cfg.sketch == "none":
            break
    risk = np.mean(curves, axis=0)
    approx = (
        ""
        if cfg.optimizer == "flow"
        else (f"; {cfg.optimizer} approximated by gradient flow at t = η·step (no SGD noise)")
    )
    status = Status.CONVERGED if np.all(np.isfinite(risk)) else Status.FAILED
    return SGDPrediction(
        cfg,
        "data-flow",
        np.asarray(record),
        risk,
        float(np.mean(floors)),
        status,
        f"finite-data gradient-flow deterministic equivalent (Talbot, {TALBOT_NODES} nodes)"
        + approx,
        seeds=len(curves),
    )
