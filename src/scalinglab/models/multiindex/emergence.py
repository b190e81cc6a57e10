"""Decoupled closed forms of emergence, scaling-law exponents and sample-complexity orders.

Sources: multiindex_math.md §A.2.2–A.2.4 (derived there; the scalar solutions are the
decoupled limit of the exact flow with a small initial norm, one student neuron per teacher
direction) and §A.3 (exponents, reproducing Ren, Nichani, Wu, Lee, arXiv 2504.19983).

Per direction p with amplitude ``a_p``, link coefficient ``c_k`` at the information exponent k
and the greedy winner's initial overlap ``q0 = max_j M_jp(0)²``:

- k = 2 (exact for σ = c h_2; §A.2.3), with ``x = 4 a_p c² t``:
  ``b_p(t) = c_p e^x / (1 + c_p(e^x − 1)/a_p)`` with ``c_p = Σ_j r_j² M_jp(0)²``;
  emergence at ``t_p = ln((a_p − c_p)/c_p) / (4 a_p c²)``.
- k ≥ 3 (§A.2.2): angular blow-up at ``T_p = q0^{1−k/2} / (k(k−2) a_p c_k²)``, then the norm
  grows logistically, ``r² → a_p`` at rate ``4 a_p φ(1)``: emergence (``b_p = a_p/2``) at
  ``T_p + ln((a_p − r0²)/r0²) / (4 a_p φ(1))``.
- risk as a sum of emergence curves: ``R(t) ≈ ½ φ(1) Σ_p (a_p − b_p(t))² + ½σ_ε²``.

Exponents (§A.3, β = signal_decay > ½; signed log–log slopes of the risk):
time and samples ``−(2β−1)/β``, width ``1 − 2β``, compute ``C ∝ m t``: ``−(2β−1)/(1+β)``.
The finite-P reference (:func:`finite_p_exponent`) is the least-squares slope of the step-sum
``R(t) = ½ Σ_{p: T_p > t} a_p²`` over the same fitting window; it differs from the asymptote
at P ≤ 1024 (§A.3 table).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from scalinglab._validation import InputError, check_int, check_real
from scalinglab.models.multiindex.config import amplitudes as power_law_amplitudes
from scalinglab.models.multiindex.link import Link

__all__ = [
    "blowup_times",
    "decoupled_curves",
    "emergence_times_decoupled",
    "finite_p_exponent",
    "greedy_winners",
    "sample_complexity_order",
    "scaling_exponents",
    "step_sum_slope",
]


def _check_k(link: Link) -> int:
    k = link.information_exponent
    if k < 2:
        raise InputError(
            f"The decoupled emergence formulas need an information exponent k >= 2; "
            f"{link.name!r} has k = {k} (every neuron then moves at once; use the exact flow)."
        )
    return k


def blowup_times(link: Link, a: np.ndarray, q0: np.ndarray) -> np.ndarray:
    """Angular blow-up times ``T_p = q0^{1−k/2} / (k(k−2) a_p c_k²)`` for k ≥ 3 (§A.2.2).

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> float(blowup_times(make_link("he4"), np.array([0.5]), np.array([0.01]))[0])  # 1/(8 a q0)
    25.0
    """
    k = _check_k(link)
    if k == 2:
        raise InputError("k = 2 has no blow-up: use emergence_times_decoupled (logistic)")
    c2 = link.leading_coefficient() ** 2
    return np.asarray(q0, dtype=np.float64) ** (1.0 - k / 2.0) / (k * (k - 2) * np.asarray(a) * c2)


def greedy_winners(link: Link, a: np.ndarray, M0: np.ndarray) -> np.ndarray:
    """Neuron matched to each direction by greedy maximum selection (§A.1, [S2]).

    Repeatedly pick the unmatched pair (j, p) with the earliest blow-up, i.e. the largest
    ``a_p M_jp(0)^{k−2}`` (k ≥ 3), and remove both; with ``m < P`` the leftover directions
    take their best neuron again. ``M0`` (..., m, P); returns (..., P) neuron indices.

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> M0 = np.array([[0.3, 0.25], [0.1, 0.2]])   # neuron 0 wins direction 0, so 1 takes 1
    >>> greedy_winners(make_link("he4"), np.array([1.0, 1.0]), M0).tolist()
    [0, 1]
    """
    k = link.information_exponent
    M0 = np.asarray(M0, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    flat = M0.reshape(-1, *M0.shape[-2:])
    out = np.empty((flat.shape[0], flat.shape[-1]), dtype=np.int64)
    for i, M in enumerate(flat):
        score = a[None, :] * np.abs(M) ** max(k - 2, 1)
        free_j = np.ones(M.shape[0], dtype=bool)
        todo = np.ones(M.shape[1], dtype=bool)
        while todo.any():
            if not free_j.any():
                free_j[:] = True
            masked = np.where(free_j[:, None] & todo[None, :], score, -np.inf)
            j, p = np.unravel_index(int(np.argmax(masked)), masked.shape)
            out[i, p] = j
            free_j[j] = False
            todo[p] = False
    return out.reshape((*M0.shape[:-2], M0.shape[-1]))


def emergence_times_decoupled(
    link: Link, a: np.ndarray, M0: np.ndarray, r2_0: np.ndarray
) -> np.ndarray:
    """Decoupled emergence time of each direction (``b_p = a_p/2``), per seed.

    ``M0`` (..., m, P) and ``r2_0`` (..., m): the actual initial overlaps and norms.

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> M0 = np.array([[0.1, 0.0]]); r2 = np.array([1e-2])
    >>> t = emergence_times_decoupled(make_link("he2"), np.array([0.8, 0.6]), M0, r2)
    >>> round(float(t[0]), 4), float(t[1])   # ln((a − c)/c)/(4a) with c = 1e-4; c = 0: never
    (2.8085, inf)
    """
    k = _check_k(link)
    a = np.asarray(a, dtype=np.float64)
    M0 = np.asarray(M0, dtype=np.float64)
    r2_0 = np.asarray(r2_0, dtype=np.float64)
    c2 = link.leading_coefficient() ** 2
    if k == 2:
        cp = np.einsum("...j,...jp->...p", r2_0, M0**2)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(cp < a / 2, np.log((a - cp) / cp) / (4.0 * a * c2), 0.0)
    win = greedy_winners(link, a, M0)
    q0 = np.take_along_axis(M0**2, win[..., None, :], axis=-2)[..., 0, :]
    r0 = np.take_along_axis(r2_0, win, axis=-1)
    tb = blowup_times(link, a, q0)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm_phase = np.where(r0 < a / 2, np.log((a - r0) / r0) / (4.0 * a * link.phi_one), 0.0)
    return tb + norm_phase


def decoupled_curves(
    link: Link,
    a: np.ndarray,
    M0: np.ndarray,
    r2_0: np.ndarray,
    times: np.ndarray,
    noise_var: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Decoupled recovery curves ``b_p(t)`` and the summed risk (see the module docstring).

    Returns (risk (..., T), b (..., T, P)).

    Examples
    --------
    >>> from scalinglab.models.multiindex.link import make_link
    >>> M0 = np.array([[0.1]]); r2 = np.array([1e-2]); t = np.array([0.0, 50.0])
    >>> risk, b = decoupled_curves(make_link("he2"), np.array([1.0]), M0, r2, t)
    >>> np.round(risk, 6).tolist(), round(float(b[-1, 0]), 6)
    ([0.4999, 0.0], 1.0)
    """
    k = _check_k(link)
    a = np.asarray(a, dtype=np.float64)
    M0 = np.asarray(M0, dtype=np.float64)
    r2_0 = np.asarray(r2_0, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)[:, None]  # (T, 1)
    c2 = link.leading_coefficient() ** 2
    if k == 2:
        cp = np.einsum("...j,...jp->...p", r2_0, M0**2)[..., None, :]  # (..., 1, P)
        # b = c e^{x} / (1 + c (e^{x} − 1)/a), x = 4 a c² t, written without overflow
        x = 4.0 * a * c2 * t
        ex = np.exp(-x)
        b = cp / (ex + cp * (1.0 - ex) / a)
    else:
        tb = emergence_times_decoupled(link, a, M0, r2_0)[..., None, :]
        # logistic norm phase centred on the emergence time: b = a/2 at t = tb
        rate = 4.0 * a * link.phi_one
        b = a / (1.0 + np.exp(-np.clip(rate * (t - tb), -700.0, 700.0)))
    risk = 0.5 * link.phi_one * np.sum((a - b) ** 2, axis=-1) + 0.5 * noise_var
    return risk, b


# ------------------------------------------------------------------------------- exponents
def scaling_exponents(signal_decay: float) -> dict[str, float]:
    """Asymptotic scaling-law exponents of the risk (§A.3), signed log–log slopes.

    ``time = samples = −(2β−1)/β``, ``width = 1 − 2β``, ``compute = −(2β−1)/(1+β)``; NaN for
    β ≤ ½ (the tail dominates: no power law).

    Examples
    --------
    >>> scaling_exponents(1.0)
    {'time': -1.0, 'samples': -1.0, 'width': -1.0, 'compute': -0.5}
    >>> round(scaling_exponents(0.8)["compute"], 6)   # −1/3 (Ren et al., via the note)
    -0.333333
    """
    b = check_real(signal_decay, "signal_decay", "scaling_exponents", low=0.0)
    if b <= 0.5:
        nan = float("nan")
        return {"time": nan, "samples": nan, "width": nan, "compute": nan}
    t = -(2.0 * b - 1.0) / b
    compute = -(2.0 * b - 1.0) / (1.0 + b)
    return {"time": t, "samples": t, "width": 1.0 - 2.0 * b, "compute": compute}


def step_sum_slope(
    emergence_times: Sequence[float] | np.ndarray,
    amplitudes: Sequence[float] | np.ndarray,
    t_lo: float,
    t_hi: float,
) -> float:
    """Least-squares slope of ``log R`` against ``log t`` on [t_lo, t_hi] for the step sum
    ``R(t) = ½ Σ_{p: T_p > t} a_p²`` (§A.3), exactly (a continuous fit: uniform in log t).

    ``log R`` is piecewise constant in ``s = log t``, so the slope
    ``Cov(s, log R)/Var(s)`` is a finite sum; no grid is involved.

    Examples
    --------
    >>> p = np.arange(1, 16385.0)
    >>> round(step_sum_slope(p, p**-1.0, 2.0, 16384 / 8), 2)   # note §A.3: −1.008
    -1.01
    """
    T = np.asarray(emergence_times, dtype=np.float64)
    a2 = np.asarray(amplitudes, dtype=np.float64) ** 2
    if not (0 < t_lo < t_hi):
        raise InputError(f"the fitting window must satisfy 0 < t_lo < t_hi; got [{t_lo}, {t_hi}]")
    if not np.any(T > t_hi):
        raise InputError("the step-sum risk vanishes inside the window (t_hi >= every T_p)")
    s0, s1 = math.log(t_lo), math.log(t_hi)
    inner = np.sort(np.log(T[(T > t_lo) & (T < t_hi)]))
    edges = np.concatenate(([s0], inner, [s1]))
    mid_t = np.exp(0.5 * (edges[:-1] + edges[1:]))
    logR = np.array([math.log(0.5 * float(np.sum(a2[t < T]))) for t in mid_t])
    sbar = 0.5 * (s0 + s1)
    cov = float(np.sum(logR * 0.5 * ((edges[1:] - sbar) ** 2 - (edges[:-1] - sbar) ** 2)))
    var = (s1 - s0) ** 3 / 12.0
    return cov / var


def finite_p_exponent(
    signal_decay: float,
    directions: int,
    *,
    window: tuple[float, float] | None = None,
    emergence_times: Sequence[float] | np.ndarray | None = None,
) -> float:
    """Finite-P reference time exponent: :func:`step_sum_slope` of ``a_p ∝ p^-β`` (Σa² = 1).

    Parameters
    ----------
    signal_decay, directions : float, int
        β and P.
    window : (p_lo, p_hi), optional
        Fitting window in direction indices, ``[T_{p_lo}, T_{p_hi}]``; default ``(2, P/8)``
        (§A.5.5).
    emergence_times : array, optional
        The ``T_p`` (default ``T_p = p^β``, i.e. ``T_p ∝ 1/a_p``; pass the k = 2 times with
        their log factors, or measured ones, to get the matching finite-size reference).

    Examples
    --------
    >>> round(finite_p_exponent(0.75, 16384), 2), round(finite_p_exponent(1.5, 16384), 3)
    (-0.73, -1.329)
    >>> round(finite_p_exponent(0.75, 64), 2)     # asymptote −0.667: biased at small P
    -0.84
    """
    b = check_real(signal_decay, "signal_decay", "finite_p_exponent", low=0.0)
    P = check_int(directions, "directions", "finite_p_exponent", low=4)
    a = power_law_amplitudes(P, b)
    if emergence_times is None:
        T = np.arange(1, P + 1, dtype=np.float64) ** b
    else:
        T = np.asarray(emergence_times, dtype=np.float64)
        if T.shape != (P,):
            raise InputError(f"emergence_times must have {P} entries, got shape {T.shape}")
    lo, hi = window if window is not None else (2, max(3, P // 8))
    lo_i, hi_i = round(lo), round(hi)
    if not (1 <= lo_i < hi_i <= P):
        raise InputError(f"window must satisfy 1 <= p_lo < p_hi <= P = {P}; got {window}")
    Ts = np.sort(T)
    return step_sum_slope(T, a, float(Ts[lo_i - 1]), float(Ts[hi_i - 1]))


def sample_complexity_order(information_exponent: int, dim: int | None = None) -> dict:
    """Online-SGD sample complexity of one direction by information exponent (§A.1, §A.2.4).

    k = 1: ``d``; k = 2: ``d log d``; k ≥ 3: ``d^{k−1}`` (Ben Arous, Gheissari, Jagannath 2021,
    tight for online SGD), up to the amplitude factors of §A.2.4. Returns the order as text
    and, when ``dim`` is given, its value.

    Examples
    --------
    >>> sample_complexity_order(4, 10)
    {'k': 4, 'order': 'd^3', 'value': 1000.0}
    >>> sample_complexity_order(2)["order"]
    'd log d'
    """
    k = check_int(information_exponent, "information_exponent", "sample_complexity_order", low=1)
    if k == 1:
        order, fn = "d", (lambda d: float(d))
    elif k == 2:
        order, fn = "d log d", (lambda d: float(d) * math.log(d))
    else:
        order, fn = f"d^{k - 1}", (lambda d: float(d) ** (k - 1))
    out: dict = {"k": k, "order": order}
    if dim is not None:
        out["value"] = fn(check_int(dim, "dim", "sample_complexity_order", low=2))
    return out
