"""Monte Carlo simulation of SGD, GD and gradient flow on sketched power-law regression.

Every path returns the *exact population risk* of its parameters (closed form, no test set):

.. math:: L(v) = \\tfrac12\\big[(v - v^*)^\\top K (v - v^*) + σ_r^2 + σ^2\\big]
          = \\tfrac12\\big[(S^\\top v - w^*)^\\top H (S^\\top v - w^*) + σ^2\\big].

Two equivalent representations are simulated:

- *reduced* (default): the features are drawn directly in the eigenbasis of K,
  ``z̃ = Λ^{1/2} g``, with label noise ``ξ ~ N(0, σ_r² + σ²)`` independent of z̃. This has exactly
  the distribution of the original problem (the residual of the best sketched predictor is a
  Gaussian independent of the features, see :mod:`scalinglab.models.sgd.theory`), and costs
  O(B·r) per step instead of O(B·m·d);
- *literal*: inputs ``x ~ N(0, H)`` in d dimensions, features ``S x``, labels ``⟨w*, x⟩ + ε``,
  risk from the data-space formula. Used to check the reduction.

Arrays carry a leading seed axis; seeds with smaller rank are padded with zero modes (which
never move and never contribute).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scalinglab._types import ProgressFn

__all__ = [
    "flow_closed_form",
    "gd_iterate",
    "sgd_literal",
    "sgd_reduced",
]

_BLOCK_ELEMENTS = 1_000_000  # random numbers drawn per block and seed group


def _lr_at(step: int, phases: Sequence[tuple[int, int, float]]) -> float:
    for start, end, eta in phases:
        if start <= step < end:
            return eta
    return phases[-1][2]


def _record_mask(record: np.ndarray, steps: int) -> np.ndarray:
    slot = np.full(steps + 1, -1, dtype=np.int64)
    slot[record] = np.arange(record.size)
    return slot


def sgd_reduced(
    eigs: np.ndarray,
    vstar: np.ndarray,
    floor: np.ndarray,
    *,
    batch: int,
    phases: Sequence[tuple[int, int, float]],
    record: np.ndarray,
    data: int | None,
    feature_rngs: Sequence[np.random.Generator],
    noise_rngs: Sequence[np.random.Generator],
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """One-pass (``data=None``) or multi-pass SGD in the eigenbasis of K, vectorised over seeds.

    Parameters
    ----------
    eigs, vstar : ndarray, shape (K, r)
        Per-seed eigenvalues of K (zero-padded) and target coordinates.
    floor : ndarray, shape (K,)
        ``s² = σ_r² + σ²`` per seed.
    phases : list of (start, end, η)
        Constant-step phases covering [0, steps).
    record : ndarray of int
        Sorted steps at which the risk is recorded.
    data : int or None
        P, the number of training samples reused with replacement (multi-pass SGD); None for
        a fresh sample every step.
    feature_rngs, noise_rngs : sequences of Generator
        One generator per seed for the features and for the label noise (separate streams, so
        results do not depend on the block size).

    Returns
    -------
    ndarray, shape (K, len(record))
        Population risk along the run.

    Examples
    --------
    The seed average follows the exact expected risk of the recursion
    (:func:`scalinglab.models.sgd.theory.risk_recursion`):

    >>> from scalinglab.models.sgd.problem import data_spectrum, reduce_identity, target_weights
    >>> from scalinglab.models.sgd.theory import risk_recursion
    >>> lam = data_spectrum(3, 1.0)
    >>> problem = reduce_identity(lam, target_weights(3, 1.0, 1.0), noise_var=0.1)
    >>> seeds, record = 64, np.array([20, 50])
    >>> risk = sgd_reduced(
    ...     np.tile(problem.eigs, (seeds, 1)), np.tile(problem.vstar, (seeds, 1)),
    ...     np.full(seeds, problem.irreducible), batch=1, phases=[(0, 50, 0.25)],
    ...     record=record, data=None,
    ...     feature_rngs=[np.random.default_rng(k) for k in range(seeds)],
    ...     noise_rngs=[np.random.default_rng(1000 + k) for k in range(seeds)])
    >>> theory = risk_recursion(problem.mode_spectrum(), 0.25, 1, record)
    >>> sem = risk.std(axis=0, ddof=1) / np.sqrt(seeds)
    >>> bool(np.all(np.abs(risk.mean(axis=0) - theory) < 4 * sem))  # 4 SEM over 64 seeds
    True
    """
    n_seeds, rank = eigs.shape
    steps = int(record[-1])
    sqrt_e = np.sqrt(eigs)
    s_noise = np.sqrt(floor)
    delta = -vstar.copy()  # v − v*, starting from v = 0
    out = np.empty((n_seeds, record.size))
    slot = _record_mask(record, steps)

    def risk() -> np.ndarray:
        return 0.5 * (np.sum(eigs * delta * delta, axis=1) + floor)

    if slot[0] >= 0:
        out[:, slot[0]] = risk()
    if data is not None:
        zdata = np.stack(
            [sqrt_e[k] * feature_rngs[k].standard_normal((data, rank)) for k in range(n_seeds)]
        )
        xidata = np.stack(
            [s_noise[k] * noise_rngs[k].standard_normal(data) for k in range(n_seeds)]
        )
        seed_idx = np.arange(n_seeds)[:, None]
    block = max(1, _BLOCK_ELEMENTS // max(1, batch * rank))
    t = 0
    while t < steps:
        nb = min(block, steps - t)
        if data is None:
            g = np.stack(
                [feature_rngs[k].standard_normal((nb, batch, rank)) for k in range(n_seeds)]
            )
            xi = np.stack([noise_rngs[k].standard_normal((nb, batch)) for k in range(n_seeds)])
            xi *= s_noise[:, None, None]
        else:
            idx = np.stack(
                [feature_rngs[k].integers(0, data, size=(nb, batch)) for k in range(n_seeds)]
            )
        for j in range(nb):
            eta = _lr_at(t, phases)
            if data is None:
                z = g[:, j] * sqrt_e[:, None, :]
                e = xi[:, j]
            else:
                z = zdata[seed_idx, idx[:, j]]
                e = xidata[seed_idx, idx[:, j]]
            resid = np.einsum("kbr,kr->kb", z, delta) - e
            delta -= (eta / batch) * np.einsum("kbr,kb->kr", z, resid)
            t += 1
            if slot[t] >= 0:
                out[:, slot[t]] = risk()
        if progress is not None:
            progress(t, steps)
        if not np.all(np.isfinite(delta)):
            raise FloatingPointError("SGD diverged (non-finite parameters); lower the step size")
    return out


def sgd_literal(
    sketches: Sequence[np.ndarray | None],
    lam: np.ndarray,
    wstar: np.ndarray,
    noise_var: float,
    *,
    batch: int,
    phases: Sequence[tuple[int, int, float]],
    record: np.ndarray,
    data: int | None,
    feature_rngs: Sequence[np.random.Generator],
    noise_rngs: Sequence[np.random.Generator],
) -> np.ndarray:
    """SGD on the original problem: x ~ N(0, H) in d dimensions, features S x, y = ⟨w*,x⟩ + ε.

    ``sketches[k]`` is the m×d sketch of seed k, or None for no sketch (z = x). Cost
    O(B·m·d) per step: meant for checking the reduced simulation at small d.

    Examples
    --------
    With a 2 × 3 sketch the literal simulation follows the theory of the reduced problem
    (:func:`scalinglab.models.sgd.problem.reduce_sketch`):

    >>> from scalinglab.models.sgd.problem import (
    ...     data_spectrum, draw_sketch, reduce_sketch, target_weights)
    >>> from scalinglab.models.sgd.theory import risk_recursion
    >>> lam, w = data_spectrum(3, 1.0), target_weights(3, 1.0, 1.0)
    >>> sketch = draw_sketch(2, 3, np.random.default_rng(0))
    >>> seeds, record = 64, np.array([20, 50])
    >>> risk = sgd_literal(
    ...     [sketch] * seeds, lam, w, 0.1, batch=1, phases=[(0, 50, 0.25)], record=record,
    ...     data=None, feature_rngs=[np.random.default_rng(k) for k in range(seeds)],
    ...     noise_rngs=[np.random.default_rng(1000 + k) for k in range(seeds)])
    >>> theory = risk_recursion(reduce_sketch(sketch, lam, w, 0.1).mode_spectrum(), 0.25, 1, record)
    >>> sem = risk.std(axis=0, ddof=1) / np.sqrt(seeds)
    >>> bool(np.all(np.abs(risk.mean(axis=0) - theory) < 4 * sem))  # 4 SEM over 64 seeds
    True
    """
    n_seeds = len(sketches)
    dim = lam.size
    mats = np.stack([np.eye(dim) if s is None else s for s in sketches])  # (K, m, d)
    feats = mats.shape[1]
    sqrt_lam = np.sqrt(lam)
    sigma = np.sqrt(noise_var)
    steps = int(record[-1])
    slot = _record_mask(record, steps)
    v = np.zeros((n_seeds, feats))
    out = np.empty((n_seeds, record.size))

    def risk() -> np.ndarray:
        err = np.einsum("kmd,km->kd", mats, v) - wstar[None, :]
        return 0.5 * (np.sum(lam * err * err, axis=1) + noise_var)

    if slot[0] >= 0:
        out[:, slot[0]] = risk()
    if data is not None:
        xdata = np.stack(
            [sqrt_lam * feature_rngs[k].standard_normal((data, dim)) for k in range(n_seeds)]
        )
        ydata = xdata @ wstar + sigma * np.stack(
            [noise_rngs[k].standard_normal(data) for k in range(n_seeds)]
        )
        zdata = np.einsum("kpd,kmd->kpm", xdata, mats)
        seed_idx = np.arange(n_seeds)[:, None]
    for t in range(steps):
        eta = _lr_at(t, phases)
        if data is None:
            x = np.stack(
                [sqrt_lam * feature_rngs[k].standard_normal((batch, dim)) for k in range(n_seeds)]
            )
            y = x @ wstar + sigma * np.stack(
                [noise_rngs[k].standard_normal(batch) for k in range(n_seeds)]
            )
            z = np.einsum("kbd,kmd->kbm", x, mats)
        else:
            idx = np.stack([feature_rngs[k].integers(0, data, size=batch) for k in range(n_seeds)])
            z = zdata[seed_idx, idx]
            y = ydata[seed_idx, idx]
        resid = np.einsum("kbm,km->kb", z, v) - y
        v -= (eta / batch) * np.einsum("kbm,kb->km", z, resid)
        if slot[t + 1] >= 0:
            out[:, slot[t + 1]] = risk()
    return out


def _empirical_moments(
    eigs: np.ndarray,
    vstar: np.ndarray,
    floor: np.ndarray,
    data: int,
    feature_rngs: Sequence[np.random.Generator],
    noise_rngs: Sequence[np.random.Generator],
) -> tuple[np.ndarray, np.ndarray]:
    """Empirical covariance ``K̂ = Z̃ᵀZ̃/P`` and ``ĉ = Z̃ᵀy/P`` per seed (reduced coordinates)."""
    n_seeds, rank = eigs.shape
    khat = np.empty((n_seeds, rank, rank))
    chat = np.empty((n_seeds, rank))
    for k in range(n_seeds):
        z = np.sqrt(eigs[k]) * feature_rngs[k].standard_normal((data, rank))
        y = z @ vstar[k] + np.sqrt(floor[k]) * noise_rngs[k].standard_normal(data)
        khat[k] = z.T @ z / data
        chat[k] = z.T @ y / data
    return khat, chat


def gd_iterate(
    eigs: np.ndarray,
    vstar: np.ndarray,
    floor: np.ndarray,
    *,
    lr: float,
    record: np.ndarray,
    data: int | None,
    feature_rngs: Sequence[np.random.Generator],
    noise_rngs: Sequence[np.random.Generator],
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Full-batch gradient descent, iterated: ``v ← v − η(K̂ v − ĉ)``.

    With ``data=None`` the gradient is the population one (K̂ = K, ĉ = K v*); otherwise the
    empirical one on P samples. O(r²) per step and seed.

    Examples
    --------
    With the population gradient it reproduces
    :func:`scalinglab.models.sgd.theory.risk_gd` exactly:

    >>> from scalinglab.models.sgd.problem import data_spectrum, reduce_identity, target_weights
    >>> from scalinglab.models.sgd.theory import risk_gd
    >>> problem = reduce_identity(data_spectrum(3, 1.0), target_weights(3, 1.0, 1.0), 0.1)
    >>> steps = np.array([0, 1, 10])
    >>> risk = gd_iterate(
    ...     problem.eigs[None], problem.vstar[None], np.array([problem.irreducible]), lr=0.5,
    ...     record=steps, data=None, feature_rngs=[], noise_rngs=[])
    >>> bool(np.allclose(risk[0], risk_gd(problem.mode_spectrum(), 0.5, steps)))
    True
    """
    n_seeds, rank = eigs.shape
    steps = int(record[-1])
    slot = _record_mask(record, steps)
    if data is None:
        khat = eigs[:, :, None] * np.eye(rank)[None]
        chat = eigs * vstar
    else:
        khat, chat = _empirical_moments(eigs, vstar, floor, data, feature_rngs, noise_rngs)
    v = np.zeros((n_seeds, rank))
    out = np.empty((n_seeds, record.size))

    def risk() -> np.ndarray:
        d = v - vstar
        return 0.5 * (np.sum(eigs * d * d, axis=1) + floor)

    if slot[0] >= 0:
        out[:, slot[0]] = risk()
    for t in range(steps):
        v -= lr * (np.einsum("kij,kj->ki", khat, v) - chat)
        if slot[t + 1] >= 0:
            out[:, slot[t + 1]] = risk()
        if progress is not None and (t + 1) % 1000 == 0:
            progress(t + 1, steps)
    if not np.all(np.isfinite(v)):
        raise FloatingPointError("GD diverged (non-finite parameters); lower the step size")
    return out


def flow_closed_form(
    eigs: np.ndarray,
    vstar: np.ndarray,
    floor: np.ndarray,
    *,
    times: np.ndarray,
    data: int | None,
    feature_rngs: Sequence[np.random.Generator],
    noise_rngs: Sequence[np.random.Generator],
) -> np.ndarray:
    """Gradient flow in closed form in the eigenbasis (note eqs. 9 and 14).

    ``v(t) = (1 − e^{−tK̂}) K̂⁺ ĉ`` from v(0) = 0: with the population gradient K̂ = K
    (diagonal here) this is note eq. (9); with P samples, K̂ = Z̃ᵀZ̃/P is diagonalised once per
    seed (eq. 14) and any time costs O(r²).

    Examples
    --------
    With the population gradient it is :func:`scalinglab.models.sgd.theory.risk_flow`; with P
    samples and t → ∞ it is least squares, whose expected excess risk on r = 3 Gaussian
    features is ``s² r/(P − r − 1)``:

    >>> from scalinglab.models.sgd.problem import data_spectrum, reduce_identity, target_weights
    >>> from scalinglab.models.sgd.theory import risk_flow
    >>> problem = reduce_identity(data_spectrum(3, 1.0), target_weights(3, 1.0, 1.0), 0.1)
    >>> times = np.array([0.0, 1.0, 10.0])
    >>> risk = flow_closed_form(
    ...     problem.eigs[None], problem.vstar[None], np.array([problem.irreducible]),
    ...     times=times, data=None, feature_rngs=[], noise_rngs=[])
    >>> bool(np.allclose(risk[0], risk_flow(problem.mode_spectrum(), times)))
    True
    >>> seeds = 400
    >>> risk = flow_closed_form(
    ...     np.tile(problem.eigs, (seeds, 1)), np.tile(problem.vstar, (seeds, 1)),
    ...     np.full(seeds, 0.1), times=np.array([1e6]), data=20,
    ...     feature_rngs=[np.random.default_rng(k) for k in range(seeds)],
    ...     noise_rngs=[np.random.default_rng(5000 + k) for k in range(seeds)])
    >>> ols = 0.5 * (0.1 + 0.1 * 3 / (20 - 3 - 1))
    >>> sem = risk.std(ddof=1) / np.sqrt(seeds)
    >>> bool(abs(risk.mean() - ols) < 4 * sem)  # 4 SEM over 400 seeds
    True
    """
    n_seeds = eigs.shape[0]
    t = np.asarray(times, dtype=np.float64)
    out = np.empty((n_seeds, t.size))
    if data is None:
        for k in range(n_seeds):
            resid = np.exp(-np.outer(t, eigs[k])) * vstar[k]  # v − v* = −e^{−tλ} v*
            out[k] = 0.5 * (resid**2 @ eigs[k] + floor[k])
        return out
    khat, chat = _empirical_moments(eigs, vstar, floor, data, feature_rngs, noise_rngs)
    for k in range(n_seeds):
        mu, q = np.linalg.eigh(khat[k])
        ctil = q.T @ chat[k]
        pos = mu > 1e-12 * max(mu[-1], 1e-300)
        coef = np.zeros_like(mu)
        coef[pos] = ctil[pos] / mu[pos]
        grow = -np.expm1(-np.outer(t, np.where(pos, mu, 0.0)))  # 1 − e^{−tμ}
        v = (grow * coef) @ q.T  # (times, r)
        d = v - vstar[k]
        out[k] = 0.5 * (d**2 @ eigs[k] + floor[k])
    return out
