"""Exact population gradient flow of the multi-index model, on overlaps and on weights.

All formulas are from multiindex_math.md §A.2 (derived there and checked numerically).
Notation: teacher directions ``v_p`` (orthonormal), amplitudes ``a_p``; student neurons
``u_j = r_j w_j`` with ``‖w_j‖ = 1``; overlaps ``M_jp = ⟨w_j, v_p⟩``, ``Q_jl = ⟨w_j, w_l⟩``;
Mehler kernel ``φ(ρ) = Σ_k c_k² ρ^k`` of the link (:class:`~.link.Link`).

Population risk (§A.2.1; the package loss, label noise included)::

    R = ½[φ(1) Σ_p a_p² − 2 Σ_{j,p} r_j² a_p φ(M_jp) + Σ_{j,l} r_j² r_l² φ(Q_jl)] + ½ σ_ε²

Gradient flow ``du_j/dt = −∇_{u_j} R`` closes on (M, Q, r²) (§A.2.1)::

    g_j  = Σ_p a_p φ′(M_jp) v_p − Σ_{l≠j} r_l² φ′(Q_jl) w_l,   λ_j = ⟨g_j, w_j⟩
    dM_jp/dt = a_p φ′(M_jp) − Σ_{l≠j} r_l² φ′(Q_jl) M_lp − λ_j M_jp
    dQ_ij/dt = (H_ij − λ_i Q_ij) + (H_ji − λ_j Q_ij),   H_ij = ⟨g_i, w_j⟩
    d r_j²/dt = 4 r_j² (Σ_p a_p φ(M_jp) − Σ_l r_l² φ(Q_jl))

For the fixed-second-layer student ``f = Σ_j s σ(⟨w_j, x⟩)`` the same system holds with
``r_j² = s`` frozen and the angular velocities multiplied by ``s``.

For σ = h_2 the student is ``(xᵀBx − tr B)/√2`` with ``B = Σ_j u_j u_jᵀ``, the risk is
``½‖B − A‖_F²`` with ``A = Σ_p a_p v_p v_pᵀ``, and the flow is the matrix Riccati equation
``dB/dt = 2(AB + BA) − 4B²`` (§A.2.3), solved in closed form by :func:`riccati_closed_form`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from threadpoolctl import threadpool_limits

from scalinglab._types import Status
from scalinglab.models.multiindex.link import Link

__all__ = [
    "FlowResult",
    "crossing_times",
    "overlap_flow",
    "overlap_rhs",
    "recovery",
    "riccati_closed_form",
    "riccati_ode",
    "riccati_reduce",
    "risk_from_overlaps",
    "weight_flow",
    "weight_gradient",
]


def risk_from_overlaps(
    link: Link,
    a: np.ndarray,
    M: np.ndarray,
    Q: np.ndarray,
    r2: np.ndarray,
    noise_var: float = 0.0,
) -> np.ndarray:
    """Exact population risk from the overlaps (multiindex_math.md §A.2.1).

    ``M``: (..., m, P), ``Q``: (..., m, m), ``r2``: (..., m) (second-layer weights ``r_j²``).

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> a = np.array([0.8, 0.6]); link = make_link("he2")
    >>> M = np.eye(2); Q = np.eye(2)
    >>> round(float(risk_from_overlaps(link, a, M, Q, a)), 12)   # student = teacher
    0.0
    >>> float(risk_from_overlaps(link, a, M, Q, np.zeros(2), noise_var=0.2))  # ½(Σa² + σ²)
    0.6
    """
    a = np.asarray(a, dtype=np.float64)
    teacher = link.phi_one * float(np.sum(a**2))
    cross = np.einsum("...j,...jp,p->...", r2, link.phi(M), a)
    self_ = np.einsum("...j,...jl,...l->...", r2, link.phi(Q), r2)
    return 0.5 * (teacher - 2.0 * cross + self_) + 0.5 * noise_var


def recovery(link: Link, M: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """Per-direction recovery ``b_p = Σ_j r_j² φ(M_jp) / φ(1)``, to compare with ``a_p``.

    ``b_p = E[f(x) σ(⟨v_p, x⟩)] / E σ²``: the student's coefficient on the p-th teacher
    feature. For σ = h_2 it is ``⟨v_p, B v_p⟩`` (rotation invariant, unlike a per-neuron
    overlap, which is not identifiable for k = 2; §A.2.3).

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> M = np.array([[1.0, 0.0], [0.0, 0.5]])
    >>> recovery(make_link("he2"), M, np.array([0.3, 0.4])).tolist()
    [0.3, 0.1]
    """
    return np.einsum("...j,...jp->...p", r2, link.phi(M)) / link.phi_one


def overlap_rhs(
    link: Link,
    a: np.ndarray,
    M: np.ndarray,
    Q: np.ndarray,
    r2: np.ndarray,
    speed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time derivatives (dM, dQ, dr²) of the exact overlap flow (§A.2.1), batched over ``...``.

    ``speed`` is None for the 2-homogeneous student (norms learn); otherwise the fixed
    student's second-layer weights (angular velocity scaled by them, ``dr² = 0``).

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> M = np.array([[0.1]]); Q = np.eye(1); r2 = np.array([0.0])   # one neuron, σ = h_2
    >>> dM, dQ, dr2 = overlap_rhs(make_link("he2"), np.array([1.0]), M, Q, r2)
    >>> round(float(dM[0, 0]), 6)      # a φ'(M) − λ M = 2M(1 − M²)
    0.198
    """
    m = Q.shape[-1]
    off = 1.0 - np.eye(m)
    fm = link.dphi(M)  # (..., m, P)
    K = link.dphi(Q) * off * r2[..., None, :]  # K_jl = r_l² φ'(Q_jl), l ≠ j
    drive = fm * a  # a_p φ'(M_jp)
    lam = np.einsum("...jp,...jp->...j", drive, M) - np.einsum("...jl,...lj->...j", K, Q)
    dM = drive - K @ M - lam[..., None] * M
    H = drive @ np.swapaxes(M, -1, -2) - K @ Q  # H_ij = <g_i, w_j>
    Hl = H - lam[..., :, None] * Q
    if speed is None:
        dQ = Hl + np.swapaxes(Hl, -1, -2)
        dQ = dQ * off
        fit = np.einsum("...jp,p->...j", link.phi(M), a) - np.einsum(
            "...jl,...l->...j", link.phi(Q), r2
        )
        dr2 = 4.0 * r2 * fit
    else:
        s = np.asarray(speed, dtype=np.float64)
        dM = dM * s[..., :, None]
        dQ = (s[..., :, None] * Hl + np.swapaxes(s[..., :, None] * Hl, -1, -2)) * off
        dr2 = np.zeros_like(r2)
    return dM, dQ, dr2


@dataclass(frozen=True)
class FlowResult:
    """Trajectory of an overlap flow on ``times`` (arrays carry a leading seed axis).

    ``risk``: (seeds, T); ``recovery``: (seeds, T, P); ``M``, ``Q``, ``r2`` at the final time;
    ``emergence_times``: (seeds, P), first time with ``b_p ≥ a_p/2`` (NaN if never).
    """

    times: np.ndarray
    risk: np.ndarray
    recovery: np.ndarray
    emergence_times: np.ndarray
    M: np.ndarray
    Q: np.ndarray
    r2: np.ndarray
    status: Status
    message: str


def crossing_times(times: np.ndarray, values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """First time each column of ``values`` (T, …, P) reaches ``levels`` (P,), interpolated
    linearly between grid points; NaN where it never does.

    Examples
    --------
    >>> crossing_times(np.array([0.0, 1.0, 2.0]), np.array([[0.0], [0.2], [1.0]]), np.array([0.6]))
    array([1.5])
    """
    times = np.asarray(times, dtype=np.float64)
    v = np.moveaxis(np.asarray(values, dtype=np.float64), 0, -1)  # (..., P, T)
    lv = np.asarray(levels, dtype=np.float64)[..., None]
    above = v >= lv
    first = np.argmax(above, axis=-1)
    hit = np.take_along_axis(above, first[..., None], axis=-1)[..., 0]
    out = np.full(first.shape, np.nan)
    i = np.where(hit, first, 0)
    v1 = np.take_along_axis(v, i[..., None], axis=-1)[..., 0]
    v0 = np.take_along_axis(v, np.maximum(i - 1, 0)[..., None], axis=-1)[..., 0]
    t1, t0 = times[i], times[np.maximum(i - 1, 0)]
    lvl = np.broadcast_to(lv[..., 0], v1.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(v1 > v0, (lvl - v0) / (v1 - v0), 1.0)
    t = np.where(i == 0, times[0], t0 + np.clip(frac, 0.0, 1.0) * (t1 - t0))
    out[hit] = t[hit]
    return out


def _dense_grid(times: np.ndarray, points: int = 1500) -> np.ndarray:
    t_max = float(np.max(times))
    t_pos = times[times > 0]
    t_min = float(t_pos.min()) if t_pos.size else t_max
    grid = np.concatenate(([0.0], np.logspace(np.log10(t_min), np.log10(t_max), points), times))
    grid = np.concatenate((grid, np.linspace(0.0, t_max, points)))
    return np.unique(grid)


def overlap_flow(
    link: Link,
    a: np.ndarray,
    M0: np.ndarray,
    Q0: np.ndarray,
    r2_0: np.ndarray,
    times: np.ndarray,
    *,
    speed: np.ndarray | None = None,
    noise_var: float = 0.0,
    rtol: float = 1e-10,
    atol: float = 1e-13,
    dense: int = 1500,
) -> FlowResult:
    """Integrate the exact overlap flow (§A.2.1) from (M0, Q0, r²_0), batched over seeds.

    Parameters
    ----------
    link : Link
    a : ndarray (P,)
    M0, Q0, r2_0 : ndarray
        Initial overlaps, shapes (S, m, P), (S, m, m), (S, m) (a 2-D/1-D input is one seed).
    times : ndarray
        Increasing times ≥ 0 at which to report the risk.
    speed : ndarray (m,) or None
        Fixed student's second layer (None: 2-homogeneous student, ``r2_0`` learns).
    rtol, atol : float
        Tolerances of the DOP853 integrator.
    dense : int
        Extra grid points (log and linear) used to locate the emergence times.

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> M0 = np.array([[0.1]]); Q0 = np.eye(1); r0 = np.array([1e-3])
    >>> res = overlap_flow(make_link("he2"), np.array([1.0]), M0, Q0, r0, np.array([0.0, 20.0]))
    >>> bool(abs(res.risk[0, -1]) < 1e-10), str(res.status)
    (True, 'converged')
    """
    a = np.asarray(a, dtype=np.float64)
    single = np.ndim(M0) == 2
    M0 = np.atleast_3d(M0) if not single else np.asarray(M0, dtype=np.float64)[None]
    Q0 = np.asarray(Q0, dtype=np.float64).reshape(M0.shape[0], M0.shape[1], M0.shape[1])
    r2_0 = np.asarray(r2_0, dtype=np.float64).reshape(M0.shape[0], M0.shape[1])
    S, m, P = M0.shape
    times = np.asarray(times, dtype=np.float64)
    grid = _dense_grid(times, dense) if dense else np.unique(np.concatenate(([0.0], times)))
    sizes = (S * m * P, S * m * m, S * m)

    def unpack(y: np.ndarray):
        M = y[: sizes[0]].reshape(S, m, P)
        Q = y[sizes[0] : sizes[0] + sizes[1]].reshape(S, m, m)
        r2 = y[sizes[0] + sizes[1] :].reshape(S, m)
        return M, Q, r2

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        dM, dQ, dr2 = overlap_rhs(link, a, *unpack(y), speed=speed)
        return np.concatenate((dM.ravel(), dQ.ravel(), dr2.ravel()))

    y0 = np.concatenate((M0.ravel(), Q0.ravel(), r2_0.ravel()))
    with threadpool_limits(1, "blas"):
        sol = solve_ivp(
            rhs, (0.0, float(grid[-1])), y0, method="DOP853", t_eval=grid, rtol=rtol, atol=atol
        )
    ys = sol.y.T if sol.y.size else np.empty((0, y0.size))
    n_ok = ys.shape[0]
    M_t = ys[:, : sizes[0]].reshape(n_ok, S, m, P)
    Q_t = ys[:, sizes[0] : sizes[0] + sizes[1]].reshape(n_ok, S, m, m)
    r2_t = ys[:, sizes[0] + sizes[1] :].reshape(n_ok, S, m)
    risk_d = risk_from_overlaps(link, a, M_t, Q_t, r2_t, noise_var)  # (T, S)
    rec_d = recovery(link, M_t, r2_t)  # (T, S, P)
    full_risk = np.full((grid.size, S), np.nan)
    full_risk[:n_ok] = risk_d
    full_rec = np.full((grid.size, S, P), np.nan)
    full_rec[:n_ok] = rec_d
    idx = np.searchsorted(grid, times)
    emergence = crossing_times(grid[:n_ok], rec_d, a / 2.0) if n_ok else np.full((S, P), np.nan)
    status = Status.CONVERGED if sol.success else Status.FAILED
    msg = "DOP853 on the exact overlap flow" + ("" if sol.success else f": {sol.message}")
    last = n_ok - 1
    return FlowResult(
        times=times,
        risk=full_risk[idx].T,
        recovery=np.moveaxis(full_rec[idx], 0, 1),
        emergence_times=emergence,
        M=M_t[last] if n_ok else M0,
        Q=Q_t[last] if n_ok else Q0,
        r2=r2_t[last] if n_ok else r2_0,
        status=status,
        message=msg,
    )


# ---------------------------------------------------------------------------- weight space
def weight_gradient(link: Link, a: np.ndarray, U: np.ndarray) -> np.ndarray:
    """``∇_U R`` of the 2-homogeneous student in weight space (m × d; ``v_p = e_p``).

    Written directly from R(U) with ``∇_u [‖u‖² φ(⟨u, v⟩/‖u‖)] = 2u φ + φ′ (‖u‖ v − ⟨u,v⟩u/‖u‖)``
    (multiindex_math.md §A.5.1 asks for this independent route to check the overlap flow).

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> U = np.array([[1.0, 0.0]]); a = np.array([1.0])
    >>> weight_gradient(make_link("he2"), a, U).tolist()   # teacher recovered: zero gradient
    [[0.0, 0.0]]
    """
    a = np.asarray(a, dtype=np.float64)
    P = a.size
    r = np.linalg.norm(U, axis=1)
    W = U / r[:, None]
    M = W[:, :P]
    Q = W @ W.T
    m = U.shape[0]
    off = 1.0 - np.eye(m)
    grad = np.zeros_like(U)
    # teacher terms: −Σ_p a_p [2u φ(M) + φ'(M)(r v_p − M u)]
    fm, dm = link.phi(M), link.dphi(M)
    grad -= 2.0 * U * (fm @ a)[:, None]
    grad[:, :P] -= r[:, None] * dm * a
    grad += U * ((dm * M) @ a)[:, None]
    # self term ½ r⁴ φ(1): 2 r² u φ(1)
    grad += 2.0 * (r**2)[:, None] * U * link.phi_one
    # pair terms l ≠ j: r_l² [2u φ(Q) + φ'(Q)(r_j w_l − Q u_j)]
    fq, dq = link.phi(Q) * off, link.dphi(Q) * off
    r2 = r**2
    grad += 2.0 * U * (fq @ r2)[:, None]
    grad += r[:, None] * ((dq * r2[None, :]) @ W)
    grad -= U * ((dq * Q) @ r2)[:, None]
    return grad


def weight_flow(
    link: Link,
    a: np.ndarray,
    U0: np.ndarray,
    times: np.ndarray,
    *,
    noise_var: float = 0.0,
    rtol: float = 1e-11,
    atol: float = 1e-14,
) -> tuple[np.ndarray, np.ndarray, Status, str]:
    """Population gradient flow ``dU/dt = −∇_U R`` of the d × m weights (reference route).

    Returns (risk on ``times``, U at the last time, status, message).

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> U0 = np.array([[0.05, 0.02, 0.0]])
    >>> risk, U, st, _ = weight_flow(make_link("he2"), np.array([1.0]), U0, np.array([0.0, 30.0]))
    >>> round(float(risk[-1]), 8), str(st)
    (0.0, 'converged')
    """
    a = np.asarray(a, dtype=np.float64)
    U0 = np.asarray(U0, dtype=np.float64)
    shape = U0.shape
    P = a.size

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return -weight_gradient(link, a, y.reshape(shape)).ravel()

    times = np.asarray(times, dtype=np.float64)
    with threadpool_limits(1, "blas"):
        sol = solve_ivp(
            rhs, (0.0, float(times[-1])), U0.ravel(), method="DOP853", t_eval=times,
            rtol=rtol, atol=atol,
        )  # fmt: skip
    risks = np.full(times.size, np.nan)
    for i in range(sol.y.shape[1]):
        U = sol.y[:, i].reshape(shape)
        r2 = np.sum(U**2, axis=1)
        W = U / np.sqrt(r2)[:, None]
        risks[i] = risk_from_overlaps(link, a, W[:, :P], W @ W.T, r2, noise_var)
    U_end = sol.y[:, -1].reshape(shape) if sol.y.size else U0
    status = Status.CONVERGED if sol.success else Status.FAILED
    return (
        risks,
        U_end,
        status,
        "DOP853 on the d×m weight flow" + ("" if sol.success else f": {sol.message}"),
    )


# ------------------------------------------------------------------------------ k = 2 Riccati
def riccati_reduce(M0: np.ndarray, Q0: np.ndarray, r2_0: np.ndarray) -> np.ndarray:
    """Coordinates of ``W0 = U0ᵀ`` in an orthonormal basis of span{v_p, w_j}: (P + m) × m.

    The first P rows are ``⟨v_p, u_j⟩ = r_j M_jp``; the last m rows factor the Gram matrix of
    the components orthogonal to span{v_p}. The Riccati flow stays in this subspace, so it
    is exact in (P + m) dimensions whatever d.

    Examples
    --------
    >>> W = riccati_reduce(np.array([[0.6]]), np.eye(1), np.array([4.0]))
    >>> np.round(W.ravel(), 6).tolist()   # r M = 1.2 along v, r √(1 − M²) = 1.6 orthogonal
    [1.2, 1.6]
    """
    r = np.sqrt(np.asarray(r2_0, dtype=np.float64))
    Cv = (np.asarray(M0, dtype=np.float64) * r[:, None]).T  # (P, m)
    G = (r[:, None] * np.asarray(Q0, dtype=np.float64)) * r[None, :]
    Gp = G - Cv.T @ Cv
    Gp = 0.5 * (Gp + Gp.T)
    lam, vec = np.linalg.eigh(Gp)
    L = (vec * np.sqrt(np.clip(lam, 0.0, None))).T  # LᵀL = Gp
    return np.vstack((Cv, L))


def _a_full(a: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n)
    out[: a.size] = a
    return out


def riccati_closed_form(
    a: np.ndarray, W0: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Closed form of ``dB/dt = 2(AB + BA) − 4B²`` with ``B(0) = W0 W0ᵀ`` (§A.2.3)::

        B(t) = e^{2At} W0 [I_m + W0ᵀ A⁻¹(e^{4At} − I) W0]⁻¹ W0ᵀ e^{2At}

    with ``A⁻¹(e^{4At} − I)`` taken spectrally (``4t`` on ker A). ``W0`` is given in a basis
    whose first P vectors are the ``v_p`` (e.g. :func:`riccati_reduce`). Accurate to ~1e−9
    while ``a_max t ≲ 10`` (entries grow like ``e^{4 a_max t}``).

    Returns (risk ``½‖B − A‖_F²`` on ``times``, ``⟨v_p, B v_p⟩`` of shape (T, P)).

    Examples
    --------
    >>> W0 = np.array([[1e-2], [0.0]])           # one neuron on v_1, a_1 = 1
    >>> risk, b = riccati_closed_form(np.array([1.0]), W0, np.array([0.0, 10.0]))
    >>> round(float(b[-1, 0]), 8)                 # logistic b(t) → a
    1.0
    """
    a = np.asarray(a, dtype=np.float64)
    W0 = np.asarray(W0, dtype=np.float64)
    n, m = W0.shape
    P = a.size
    af = _a_full(a, n)
    risks, bs = [], []
    for t in np.asarray(times, dtype=np.float64):
        grow = np.exp(2.0 * af * t)
        with np.errstate(divide="ignore", invalid="ignore"):
            mid = np.where(af > 0, np.expm1(4.0 * af * t) / np.where(af > 0, af, 1.0), 4.0 * t)
        K = np.eye(m) + W0.T @ (mid[:, None] * W0)
        G = grow[:, None] * W0  # e^{2At} W0
        X = np.linalg.solve(K, G.T)  # K⁻¹ Gᵀ
        GtG = G.T @ G
        KinvGtG = np.linalg.solve(K, GtG)
        trB2 = float(np.sum(KinvGtG * KinvGtG.T))
        bvv = np.einsum("pm,mp->p", G[:P], X[:, :P])
        trAB = float(bvv @ a)
        risks.append(0.5 * (trB2 - 2.0 * trAB + float(a @ a)))
        bs.append(bvv)
    return np.array(risks), np.array(bs)


def riccati_ode(
    a: np.ndarray,
    B0: np.ndarray,
    times: np.ndarray,
    *,
    rtol: float = 1e-11,
    atol: float = 1e-14,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integrate ``dB/dt = 2(AB + BA) − 4B²`` (§A.2.3) in a basis whose first P vectors are v_p.

    Returns (risk ``½‖B − A‖_F²`` on ``times``, ``⟨v_p, B v_p⟩`` (T, P), B at the last time).

    Examples
    --------
    >>> risk, b, B = riccati_ode(np.array([1.0]), np.diag([1e-4, 0.0]), np.array([0.0, 10.0]))
    >>> round(float(b[-1, 0]), 8)
    1.0
    """
    a = np.asarray(a, dtype=np.float64)
    B0 = np.asarray(B0, dtype=np.float64)
    n = B0.shape[0]
    A = np.diag(_a_full(a, n))
    P = a.size

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        B = y.reshape(n, n)
        return (2.0 * (A @ B + B @ A) - 4.0 * B @ B).ravel()

    times = np.asarray(times, dtype=np.float64)
    sol = solve_ivp(
        rhs, (0.0, float(times[-1])), B0.ravel(), method="DOP853", t_eval=times,
        rtol=rtol, atol=atol,
    )  # fmt: skip
    Bs = sol.y.T.reshape(-1, n, n)
    risk = 0.5 * np.sum((Bs - A) ** 2, axis=(1, 2))
    b = np.diagonal(Bs, axis1=1, axis2=2)[:, :P]
    return risk, b, Bs[-1]
