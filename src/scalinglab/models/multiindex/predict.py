"""Theory of the multi-index model, started from the simulation's own initial overlaps.

The initial weights are drawn with the same seed streams as :func:`~.simulate.simulate`, so
the prediction for ``(seeds, seed)`` is the population flow of exactly those networks
(multiindex_math.md §A.2.2 "library rule": no initialisation randomness in the comparison).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from scalinglab._types import ProgressFn, Status
from scalinglab._validation import InputError, check_choice, check_int
from scalinglab.models.multiindex.config import MultiIndexConfig
from scalinglab.models.multiindex.emergence import (
    decoupled_curves,
    emergence_times_decoupled,
    sample_complexity_order,
    scaling_exponents,
    step_sum_slope,
)
from scalinglab.models.multiindex.flow import (
    crossing_times,
    overlap_flow,
    riccati_closed_form,
    riccati_ode,
    riccati_reduce,
)
from scalinglab.models.multiindex.results import MultiIndexPrediction
from scalinglab.models.multiindex.simulate import initial_state, initial_weights

__all__ = ["METHODS", "predict"]

METHODS = ("ode", "riccati", "decoupled")
#: The Riccati closed form is used while a_max·c²·t <= this (it loses precision beyond ~10).
RICCATI_SWITCH = 8.0


def _exponents(cfg: MultiIndexConfig, M0, r2_0, pred: MultiIndexPrediction) -> dict:
    """Asymptotic, finite-P and fitted time exponents, and the sample-complexity order."""
    link = cfg.link
    out: dict = {
        "asymptotic": scaling_exponents(cfg.signal_decay) if cfg.coefficients is None else None,
        "sample_complexity": sample_complexity_order(link.information_exponent, max(cfg.dim, 2)),
        "finite_p_time": None,
        "fitted_time": None,
        "window": None,
    }
    P = cfg.directions
    if P < 16 or cfg.student != "homogeneous" or link.information_exponent < 2:
        return out
    a = cfg.amplitudes()
    T = np.mean(emergence_times_decoupled(link, a, M0, r2_0), axis=0)
    Ts = np.sort(T)
    lo, hi = float(Ts[1]), float(Ts[P // 8 - 1])
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo < hi):
        return out
    out["window"] = [lo, hi]
    out["finite_p_time"] = step_sum_slope(T, a, lo, hi)
    sel = (pred.times >= lo) & (pred.times <= hi) & np.isfinite(pred.risk)
    if sel.sum() >= 5 and pred.times[-1] >= hi:
        out["fitted_time"] = float(
            np.polyfit(np.log(pred.times[sel]), np.log(pred.risk[sel]), 1)[0]
        )
    return out


def predict(
    config: MultiIndexConfig,
    *,
    seeds: int = 4,
    seed: int = 0,
    method: str = "ode",
    progress: ProgressFn | None = None,
) -> MultiIndexPrediction:
    """Population-flow theory on the config's time grid (``t = Σ η_s``).

    Parameters
    ----------
    config : MultiIndexConfig
    seeds, seed : int
        Which initial networks (the same draws as :func:`simulate` with these arguments); the
        risk is averaged over them.
    method : {"ode", "riccati", "decoupled"}
        ``ode``: the exact overlap flow (§A.2.1). ``riccati``: σ = c·h_2 only, the matrix
        Riccati closed form (§A.2.3) while ``a_max c² t <= 8``, continued by the Riccati ODE.
        ``decoupled``: per-direction closed forms, risk as a sum of emergence curves
        (§A.2.2–A.2.3).
    progress : callable, optional
        ``progress(done, seeds)``.

    Returns
    -------
    MultiIndexPrediction
        With ``exponents``: asymptotic (§A.3), finite-P reference and fitted time exponents
        over [T_2, T_{P/8}] of the decoupled emergence times (P >= 16), and the sample
        complexity order.

    Examples
    --------
    >>> cfg = MultiIndexConfig(dim=16, directions=2, width=2, batch=16, lr=0.05, steps=200,
    ...                        record=5)
    >>> pred = predict(cfg, seeds=2)
    >>> pred.risk.shape, str(pred.status), pred.exponents["sample_complexity"]["order"]
    ((5,), 'converged', 'd log d')
    """
    cfg = config
    check_choice(method, "method", "predict", METHODS)
    seeds = check_int(seeds, "seeds", "predict", low=1)
    seed = check_int(seed, "seed", "predict", low=0)
    U0 = initial_weights(cfg, seeds, seed)
    M0, _, r2_0 = initial_state(cfg, U0)
    pred = _predict(cfg, seeds=seeds, seed=seed, method=method, progress=progress)
    return dataclasses.replace(pred, exponents=_exponents(cfg, M0, r2_0, pred))


def _predict(
    config: MultiIndexConfig,
    *,
    seeds: int = 4,
    seed: int = 0,
    method: str = "ode",
    progress: ProgressFn | None = None,
) -> MultiIndexPrediction:
    """:func:`predict` without the exponent summary."""
    cfg = config
    check_choice(method, "method", "predict", METHODS)
    seeds = check_int(seeds, "seeds", "predict", low=1)
    seed = check_int(seed, "seed", "predict", low=0)
    link, a = cfg.link, cfg.amplitudes()
    times = cfg.times()
    U0 = initial_weights(cfg, seeds, seed)
    M0, Q0, r2_0 = initial_state(cfg, U0)
    fixed = cfg.student == "fixed"
    if method == "ode":
        speed = np.full(cfg.width, cfg.second_layer_value()) if fixed else None
        res = overlap_flow(link, a, M0, Q0, r2_0, times, speed=speed, noise_var=cfg.noise_var)
        if progress is not None:
            progress(seeds, seeds)
        msg = res.message
        if link.tail > 0:
            msg += f"; Hermite tail beyond degree {cfg.hermite_degree} = {link.tail:.2e}"
        return MultiIndexPrediction(
            cfg, "ode", times, res.risk, res.recovery.mean(axis=0), res.emergence_times, a,
            res.status, msg, seeds, "exact overlap flow, multiindex_math.md §A.2.1",
        )  # fmt: skip
    if fixed:
        raise InputError(f"method={method!r} is for the 2-homogeneous student; use method='ode'.")
    if method == "decoupled":
        risk, b = decoupled_curves(link, a, M0, r2_0, times, cfg.noise_var)
        em = emergence_times_decoupled(link, a, M0, r2_0)
        k = link.information_exponent
        formula = (
            "k = 2 logistic b_p(t), §A.2.3"
            if k == 2
            else "k >= 3 blow-up q0^(1-k/2)/(k(k-2) a c_k^2) + norm phase, §A.2.2"
        )
        return MultiIndexPrediction(
            cfg, "decoupled", times, risk, b.mean(axis=0), em, a, Status.CONVERGED,
            f"decoupled closed forms (cross terms neglected), information exponent {k}",
            seeds, formula + "; risk = ½φ(1)Σ_p (a_p − b_p)² + ½σ²",
        )  # fmt: skip
    return _predict_riccati(cfg, M0, Q0, r2_0, times, seeds, progress)


def _predict_riccati(cfg, M0, Q0, r2_0, times, seeds, progress) -> MultiIndexPrediction:
    link, a = cfg.link, cfg.amplitudes()
    nz = np.flatnonzero(link.coeffs)
    if list(nz) != [2]:
        raise InputError(
            f"method='riccati' needs σ = c·h_2 (a pure second Hermite component); "
            f"{link.name!r} is not. Use method='ode'."
        )
    c2 = float(link.coeffs[2] ** 2)
    grid = np.unique(
        np.concatenate(([0.0], times, np.linspace(0.0, times[-1], 1500)))
    )  # dense grid for the emergence times
    t_switch = RICCATI_SWITCH / (float(np.max(a)) * c2)
    S, P = M0.shape[0], cfg.directions
    risk = np.empty((S, times.size))
    rec = np.empty((S, times.size, P))
    em = np.empty((S, P))
    idx = np.searchsorted(grid, times)
    ok = True
    for i in range(S):
        W0 = riccati_reduce(M0[i], Q0[i], r2_0[i])
        early = grid[grid <= t_switch]
        late = grid[grid > t_switch]
        r_e, b_e = riccati_closed_form(a, W0, c2 * early)
        r_all, b_all = [r_e], [b_e]
        if late.size:
            B_s = _riccati_matrix(a, W0, c2 * t_switch)
            r_l, b_l, _ = riccati_ode(a, B_s, c2 * (np.concatenate(([t_switch], late)) - t_switch))
            if r_l.size != late.size + 1:
                ok = False
                r_l = np.concatenate((r_l, np.full(late.size + 1 - r_l.size, np.nan)))
                b_l = np.vstack((b_l, np.full((late.size + 1 - b_l.shape[0], P), np.nan)))
            r_all.append(r_l[1:])
            b_all.append(b_l[1:])
        r_full = c2 * np.concatenate(r_all) + 0.5 * cfg.noise_var
        b_full = np.vstack(b_all)
        risk[i], rec[i] = r_full[idx], b_full[idx]
        em[i] = crossing_times(grid, b_full, a / 2.0)
        if progress is not None:
            progress(i + 1, S)
    msg = (
        f"Riccati closed form for t <= {t_switch:.4g} (a_max c² t <= {RICCATI_SWITCH:g}), "
        "Riccati ODE (DOP853) beyond, in the (P + m)-dimensional span of {v_p, w_j(0)}"
    )
    return MultiIndexPrediction(
        cfg, "riccati", times, risk, rec.mean(axis=0), em, a,
        Status.CONVERGED if ok else Status.FAILED, msg, seeds,
        "dB/dt = 2(AB + BA) - 4B^2 and its closed form, multiindex_math.md §A.2.3",
    )  # fmt: skip


def _riccati_matrix(a: np.ndarray, W0: np.ndarray, t: float) -> np.ndarray:
    """B(t) of the closed form of §A.2.3 (n × n in the reduced basis)."""
    n, m = W0.shape
    af = np.zeros(n)
    af[: a.size] = a
    mid = np.where(af > 0, np.expm1(4.0 * af * t) / np.where(af > 0, af, 1.0), 4.0 * t)
    K = np.eye(m) + W0.T @ (mid[:, None] * W0)
    G = np.exp(2.0 * af * t)[:, None] * W0
    B = G @ np.linalg.solve(K, G.T)
    return 0.5 * (B + B.T)
