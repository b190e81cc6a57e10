"""Online SGD (and population gradient flow) of the multi-index model, vectorised over seeds.

Each SGD step draws B fresh samples ``x ~ N(0, I_d)``, labels ``y = f*(x) + ε`` with
``ε ~ N(0, noise_var)``, and moves every neuron along the batch-averaged gradient of
``½(f(x) − y)²``. For the 2-homogeneous student ``f = Σ_j ‖u_j‖² σ(⟨u_j, x⟩/‖u_j‖)``::

    ∇_{u_j} f(x) = 2 u_j σ(z_j) + ‖u_j‖ σ′(z_j) (x − z_j w_j),   z_j = ⟨w_j, x⟩

(the gradient of ``‖u‖²σ(⟨u,x⟩/‖u‖)``); the fixed student takes the spherical step
``w_j ← normalise(w_j − η s ḡ_⊥)`` with ``ḡ = (f − y) σ′(z_j) x`` averaged over the batch.

The risk is never estimated on a test set: at each recorded step it is the exact population
risk computed from the overlaps ``M = W Vᵀ``, ``Q = W Wᵀ`` and the norms
(:func:`~.flow.risk_from_overlaps`). The per-direction recovery ``b_p = Σ_j r_j² φ(M_jp)/φ(1)``
(:func:`~.flow.recovery`) is checked at ~900 log- and linearly spaced steps to measure the
emergence time of each direction, the first time with ``b_p ≥ a_p/2``.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from scalinglab._types import ProgressFn, Status
from scalinglab._validation import check_int
from scalinglab.models.multiindex.config import MultiIndexConfig
from scalinglab.models.multiindex.flow import (
    crossing_times,
    recovery,
    risk_from_overlaps,
)
from scalinglab.models.multiindex.results import MultiIndexSimulation

__all__ = ["initial_state", "initial_weights", "seed_streams", "simulate"]


def seed_streams(seed: int, index: int) -> tuple[np.random.Generator, ...]:
    """Independent streams of seed ``index``: (initialisation, data, label noise).

    Examples
    --------
    >>> init, data, noise = seed_streams(0, 1)
    >>> float(init.standard_normal()) == float(seed_streams(0, 1)[0].standard_normal())
    True
    """
    return tuple(np.random.default_rng([seed, index, stream]) for stream in range(3))


def initial_weights(cfg: MultiIndexConfig, seeds: int, seed: int) -> np.ndarray:
    """Initial weights ``U0`` (seeds, m, d): directions uniform on the sphere, norm² as set.

    The homogeneous student has ``‖u_j‖² = init_norm2``; the fixed student unit rows.

    Examples
    --------
    >>> cfg = MultiIndexConfig(dim=8, directions=2, width=3, init_norm2=0.01)
    >>> U = initial_weights(cfg, 2, 0)
    >>> U.shape, np.allclose(np.sum(U**2, axis=2), 0.01)
    ((2, 3, 8), True)
    """
    out = np.empty((seeds, cfg.width, cfg.dim))
    norm = 1.0 if cfg.student == "fixed" else np.sqrt(cfg.init_norm2)
    for i in range(seeds):
        g = seed_streams(seed, i)[0].standard_normal((cfg.width, cfg.dim))
        out[i] = norm * g / np.linalg.norm(g, axis=1, keepdims=True)
    return out


def initial_state(cfg: MultiIndexConfig, U: np.ndarray):
    """Overlaps ``(M, Q, r²)`` of weights U (..., m, d); the fixed student's r² is s.

    Examples
    --------
    >>> cfg = MultiIndexConfig(dim=8, directions=2, width=3)
    >>> M, Q, r2 = initial_state(cfg, initial_weights(cfg, 1, 0))
    >>> M.shape, np.allclose(np.diagonal(Q, axis1=1, axis2=2), 1.0)
    ((1, 3, 2), True)
    """
    P = cfg.directions
    if cfg.student == "fixed":
        W = U
        r2 = np.full(U.shape[:-1], cfg.second_layer_value())
    else:
        r2 = np.sum(U**2, axis=-1)
        W = U / np.sqrt(r2)[..., None]
    return W[..., :P], W @ np.swapaxes(W, -1, -2), r2


def simulate(
    config: MultiIndexConfig,
    *,
    seeds: int = 4,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> MultiIndexSimulation:
    """Monte Carlo online SGD (or the weight-space gradient flow), vectorised over seeds.

    Parameters
    ----------
    config : MultiIndexConfig
    seeds : int
        Independent runs (initialisation, data and label noise drawn per seed).
    seed : int
        Base seed; seed index i uses the streams ``default_rng([seed, i, stream])``.
    progress : callable, optional
        ``progress(done, total)`` in steps.

    Returns
    -------
    MultiIndexSimulation
        Exact population risk (overlaps) on :meth:`MultiIndexConfig.record_steps`, recovery
        curves and measured emergence times.

    Examples
    --------
    >>> cfg = MultiIndexConfig(dim=16, directions=2, width=2, batch=16, lr=0.05, steps=200,
    ...                        record=5)
    >>> sim = simulate(cfg, seeds=2, seed=0)
    >>> sim.risk.shape, bool(sim.risk_mean[-1] < sim.risk_mean[0])
    ((2, 5), True)
    """
    cfg = config
    seeds = check_int(seeds, "seeds", "simulate", low=1)
    seed = check_int(seed, "seed", "simulate", low=0)
    if cfg.optimizer == "flow":
        return _simulate_flow(cfg, seeds, seed, progress)
    link = cfg.link
    a = cfg.amplitudes()
    P, d, B = cfg.directions, cfg.dim, cfg.batch
    record = cfg.record_steps()
    etas = cfg.step_sizes()
    # recovery checks for the emergence times: ~600 linear + ~300 log-spaced steps
    checks = np.unique(
        np.concatenate(
            (
                np.linspace(1, cfg.steps, min(cfg.steps, 600)).round(),
                np.logspace(0, np.log10(cfg.steps), 300).round(),
            )
        ).astype(np.int64)
    )
    is_check = np.zeros(cfg.steps + 1, dtype=bool)
    is_check[checks] = True
    U = initial_weights(cfg, seeds, seed)
    data_rngs = [seed_streams(seed, i)[1] for i in range(seeds)]
    noise_rngs = [seed_streams(seed, i)[2] for i in range(seeds)]
    noise_sd = float(np.sqrt(cfg.noise_var))
    fixed = cfg.student == "fixed"
    s_fixed = cfg.second_layer_value()
    risk = np.empty((seeds, record.size))
    rec = np.empty((seeds, record.size, P))
    check_steps = [0]
    check_vals = [recovery(link, *_pick(initial_state(cfg, U)))]
    ri = 0
    X = np.empty((seeds, B, d))
    stable = True
    with threadpool_limits(1, "blas"), np.errstate(over="ignore", invalid="ignore"):
        for step in range(cfg.steps):
            for i in range(seeds):
                X[i] = data_rngs[i].standard_normal((B, d))
            y = np.einsum("sbp,p->sb", link.value(X[:, :, :P]), a)
            if noise_sd > 0:
                y = y + noise_sd * np.stack([g.standard_normal(B) for g in noise_rngs])
            if fixed:
                W = U
                Z = X @ np.swapaxes(W, 1, 2)  # (S, B, m)
                f = s_fixed * link.value(Z).sum(axis=2)
                E = ((f - y) / B)[:, :, None] * link.derivative(Z)  # (S, B, m)
                G = s_fixed * np.swapaxes(E, 1, 2) @ X  # (S, m, d)
                G -= np.sum(G * W, axis=2, keepdims=True) * W
                U = W - etas[step] * G
                U /= np.linalg.norm(U, axis=2, keepdims=True)
            else:
                r2 = np.sum(U**2, axis=2)
                r = np.sqrt(r2)
                W = U / r[..., None]
                Z = X @ np.swapaxes(W, 1, 2)  # (S, B, m)
                sig = link.value(Z)
                f = np.einsum("sbj,sj->sb", sig, r2)
                e = (f - y) / B  # (S, B)
                E = e[:, :, None] * link.derivative(Z)  # (S, B, m)
                c1 = np.einsum("sb,sbj->sj", e, sig)
                c2 = np.einsum("sbj,sbj->sj", E, Z)
                G = 2.0 * U * c1[..., None] + r[..., None] * (
                    np.swapaxes(E, 1, 2) @ X - c2[..., None] * W
                )
                U = U - etas[step] * G
            done = step + 1
            if is_check[done]:
                state = initial_state(cfg, U)
                check_steps.append(done)
                check_vals.append(recovery(link, *_pick(state)))
                if not np.all(np.isfinite(state[2])):
                    stable = False
            if ri < record.size and done == record[ri]:
                M, Q, r2 = initial_state(cfg, U)
                risk[:, ri] = risk_from_overlaps(link, a, M, Q, r2, cfg.noise_var)
                rec[:, ri] = recovery(link, M, r2)
                ri += 1
            if not stable:
                risk[:, ri:] = np.nan
                rec[:, ri:] = np.nan
                break
            if progress is not None and (done % 200 == 0 or done == cfg.steps):
                progress(done, cfg.steps)
    check_t = cfg.times(np.asarray(check_steps))
    emergence = crossing_times(check_t, np.asarray(check_vals), a / 2.0)
    status = Status.CONVERGED if stable and np.all(np.isfinite(risk)) else Status.FAILED
    msg = f"{seeds} seed(s), online SGD, batch {B}, η = {etas[0]:.4g}"
    if not stable:
        msg += "; diverged (non-finite weights): lower lr"
    if link.tail > 0:
        msg += f"; Hermite tail beyond degree {cfg.hermite_degree} = {link.tail:.2e}"
    return MultiIndexSimulation(
        config=cfg,
        seeds=seeds,
        seed=seed,
        steps=record,
        times=cfg.times(record),
        risk=risk,
        recovery_curves=rec,
        emergence=emergence,
        amplitudes=a,
        status=status,
        message=msg,
    )


def _pick(state):
    M, _Q, r2 = state
    return M, r2


def _simulate_flow(
    cfg: MultiIndexConfig, seeds: int, seed: int, progress: ProgressFn | None
) -> MultiIndexSimulation:
    """Population gradient flow of the d × m weights (2-homogeneous student), per seed."""
    from scalinglab._validation import InputError

    if cfg.student != "homogeneous":
        raise InputError("optimizer='flow' simulates the 2-homogeneous student only.")
    a = cfg.amplitudes()
    record = cfg.record_steps()
    times = cfg.times(record)
    grid = np.unique(np.concatenate(([0.0], times, np.linspace(0.0, times[-1], 400))))
    U0 = initial_weights(cfg, seeds, seed)
    risk = np.empty((seeds, record.size))
    rec = np.empty((seeds, record.size, cfg.directions))
    em = np.empty((seeds, cfg.directions))
    ok = True
    idx = np.searchsorted(grid, times)
    for i in range(seeds):
        r_all, bs, good = _flow_path(cfg, U0[i], grid)
        ok &= good
        risk[i], rec[i] = r_all[idx], bs[idx]
        em[i] = crossing_times(grid, bs, a / 2.0)
        if progress is not None:
            progress(i + 1, seeds)
    return MultiIndexSimulation(
        config=cfg,
        seeds=seeds,
        seed=seed,
        steps=record,
        times=times,
        risk=risk,
        recovery_curves=rec,
        emergence=em,
        amplitudes=a,
        status=Status.CONVERGED if ok else Status.FAILED,
        message=f"{seeds} seed(s), population gradient flow of the d×m weights",
    )


def _flow_path(
    cfg: MultiIndexConfig, U0: np.ndarray, grid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Risk and recovery along the weight-space flow (:func:`~.flow.weight_gradient`)."""
    from scipy.integrate import solve_ivp

    from scalinglab.models.multiindex.flow import weight_gradient

    link, a = cfg.link, cfg.amplitudes()
    shape = U0.shape
    with threadpool_limits(1, "blas"):
        sol = solve_ivp(
            lambda _t, y: -weight_gradient(link, a, y.reshape(shape)).ravel(),
            (0.0, float(grid[-1])), U0.ravel(), method="DOP853", t_eval=grid, rtol=1e-11,
            atol=1e-14,
        )  # fmt: skip
    Us = sol.y.T.reshape(-1, *shape)
    M, Q, r2 = initial_state(cfg, Us)
    risk = np.full(grid.size, np.nan)
    risk[: Us.shape[0]] = risk_from_overlaps(link, a, M, Q, r2, cfg.noise_var)
    rec = np.full((grid.size, cfg.directions), np.nan)
    rec[: Us.shape[0]] = recovery(link, M, r2)
    return risk, rec, bool(sol.success)
