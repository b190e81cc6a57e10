"""Multi-pass SGD on a fixed data set of P samples: exact sampling expectation and Monte Carlo.

Setting (Lin et al. 2025, "Improved scaling laws in linear regression via data reuse", as in the
lecture notes `000_…`): P stored pairs ``(z_i, y_i)`` in the eigenbasis of K (the SGD model's
reduced coordinates), mini-batches of B indices per step, ``v ← v − (η/B) Σ_{i∈batch}
z_i(z_iᵀv − y_i)`` from v = 0. Sampling:

- ``replacement``: B indices uniform with replacement, independently every step (the SGD
  model's default multi-pass sampling);
- ``without``: B distinct indices per step, independently every step;
- ``epochs``: random reshuffling — each epoch a fresh permutation cut into ⌊P/B⌋ batches (a
  last partial batch is dropped), so in the first epoch every sample is used once: the first
  epoch *is* one-pass SGD on fresh samples.

**Exact expectation over the sampling (one data set).** With ``v̂ = K̂⁺ĉ`` (K̂ = ZᵀZ/P,
ĉ = Zᵀy/P), residuals ``r_i = y_i − z_iᵀv̂`` (``Σ_i r_i z_i = 0``) and ``Δ = v − v̂``, the batch
gradient has mean ``K̂Δ`` and covariance ``f·Cov_i(z_iz_iᵀΔ − r_iz_i)`` with ``f = 1/B`` (with
replacement) or ``(P − B)/(B(P − 1))`` (without), so the mean μ = EΔ and second moment
``M = EΔΔᵀ`` obey exactly

.. math:: μ' = (1 − ηK̂)μ,\\qquad
          M' = (1 − ηK̂)M(1 − ηK̂) + η^2 f\\,\\big[A(M) − 2R_1(μ) + R_2 − K̂MK̂\\big],

``A(M) = (1/P)Σ_i (z_iᵀMz_i) z_iz_iᵀ``, ``R_1(μ) = (1/P)Σ_i r_i(z_iᵀμ) z_iz_iᵀ``,
``R_2 = (1/P)Σ_i r_i² z_iz_iᵀ``; the risk is ``½[tr KM + 2δᵀKμ + δᵀKδ + s²]`` with
``δ = v̂ − v*``. O(P r²) per step (r features): for small problems
(:func:`expected_multipass_risk`); when the data are interpolated (P < r, all r_i = 0) the same
expectation is run in sample space, O(P³) per step, whatever r is. Reshuffled epochs are not a
Markov chain in (μ, M) and have Monte Carlo only (:func:`multipass_paths`). Beyond these sizes,
:mod:`scalinglab.models.sgd.homogenized` closes the noise term on the training loss (O(r) per
step per data set, and a deterministic equivalent with no data sets at all).
"""

from __future__ import annotations

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError, check_choice
from scalinglab.models.protocol import standard_error
from scalinglab.models.sgd.results import seed_streams

__all__ = [
    "SAMPLINGS",
    "expected_multipass_risk",
    "multipass_paths",
    "noise_factor",
    "predict_multipass",
]

SAMPLINGS = ("replacement", "without", "epochs")


def noise_factor(sampling: str, batch: int, samples: int) -> float:
    """f in ``Cov(batch gradient) = f·Cov_i(per-sample gradient)``.

    ``1/B`` for B indices drawn with replacement, ``(P − B)/(B(P − 1))`` for B distinct ones.

    Examples
    --------
    >>> noise_factor("replacement", 4, 100), noise_factor("without", 100, 100)
    (0.25, 0.0)
    """
    check_choice(sampling, "sampling", "noise_factor", ("replacement", "without"))
    if sampling == "replacement":
        return 1.0 / batch
    return (samples - batch) / (batch * (samples - 1.0)) if samples > 1 else 0.0


def _lr_at(step: int, phases) -> float:
    for start, end, eta in phases:
        if start <= step < end:
            return eta
    return phases[-1][2]


def expected_multipass_risk(
    eigs: np.ndarray,
    vstar: np.ndarray,
    irreducible: float,
    z: np.ndarray,
    y: np.ndarray,
    *,
    batch: int,
    phases: list[tuple[int, int, float]],
    record: np.ndarray,
    sampling: str = "replacement",
    space: str = "auto",
) -> np.ndarray:
    """Exact expectation over the mini-batch sampling of the risk on one data set (docstring).

    Parameters
    ----------
    eigs, vstar : ndarray, shape (r,)
        Eigenvalues of K and target coordinates (reduced problem).
    irreducible : float
        s² = σ_r² + σ².
    z, y : ndarray, shapes (P, r) and (P,)
        The data set.
    batch : int
        B ≤ P.
    phases : list of (start, end, η)
        Constant-step phases covering the run (:meth:`SGDConfig.phases`).
    record : ndarray of int
        Sorted steps at which the expected risk is returned.
    sampling : {"replacement", "without"}
    space : {"auto", "features", "samples"}
        Run the recursion on r×r moments (``features``) or, for interpolated data (P < r,
        zero residuals), on P×P moments in sample space (``samples``); ``auto`` picks the
        latter when it applies.

    Examples
    --------
    >>> import numpy as np
    >>> eigs, vstar = np.array([1.0, 0.3]), np.array([1.0, -1.0])
    >>> z = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> y = z @ vstar
    >>> r = expected_multipass_risk(eigs, vstar, 0.0, z, y, batch=2, phases=[(0, 5, 0.5)],
    ...                             record=np.array([1]), sampling="without")
    >>> float(r[0]) == 0.5 * (1.0 * 0.75**2 + 0.3 * 0.75**2)   # B = P without: plain GD
    True
    """
    check_choice(sampling, "sampling", "expected_multipass_risk", ("replacement", "without"))
    p, _ = z.shape
    if batch > p:
        raise InputError(f"batch ({batch}) must be <= the number of samples ({p}).")
    khat = z.T @ z / p
    vhat = np.linalg.lstsq(z, y, rcond=None)[0]  # min-norm least squares = K̂⁺ĉ
    resid = y - z @ vhat
    delta = vhat - vstar
    check_choice(space, "space", "expected_multipass_risk", ("auto", "features", "samples"))
    interpolated = p < z.shape[1] and np.max(np.abs(resid)) <= 1e-9 * max(
        1.0, float(np.max(np.abs(y)))
    )
    if space == "samples" and not interpolated:
        raise InputError("space='samples' needs interpolated data (P < r, zero residuals).")
    if space != "features" and interpolated:
        return _sample_space_risk(eigs, irreducible, z, y, vhat, delta, batch=batch,
                                  phases=phases, record=record, sampling=sampling)  # fmt: skip
    f = noise_factor(sampling, batch, p)
    r2 = (z * (resid * resid)[:, None]).T @ z / p
    rz = z * resid[:, None]  # r_i z_i
    mu = -vhat.copy()
    m = np.outer(vhat, vhat)
    steps = int(record[-1])
    slot = np.full(steps + 1, -1)
    slot[record] = np.arange(record.size)
    out = np.empty(record.size)

    def risk() -> float:
        return 0.5 * (float(np.sum(eigs * np.diag(m))) + 2.0 * float(delta @ (eigs * mu))
                      + float(delta @ (eigs * delta)) + irreducible)  # fmt: skip

    if slot[0] >= 0:
        out[slot[0]] = risk()
    for t in range(steps):
        eta = _lr_at(t, phases)
        q = np.einsum("pi,ij,pj->p", z, m, z)  # z_iᵀ M z_i
        a_m = (z * q[:, None]).T @ z / p
        w1 = rz @ mu  # r_i z_iᵀμ
        r1 = (z * w1[:, None]).T @ z / p
        km = khat @ m
        kmk = km @ khat
        step_m = m - eta * (km + km.T) + eta * eta * kmk
        m = step_m + eta * eta * f * (a_m - 2.0 * r1 + r2 - kmk)
        m = 0.5 * (m + m.T)
        mu = mu - eta * (khat @ mu)
        if slot[t + 1] >= 0:
            out[slot[t + 1]] = risk()
    return out


def _sample_space_risk(eigs, irreducible, z, y, vhat, delta, *, batch, phases, record, sampling):
    """The same expectation in sample space when the data are interpolated (P < r, r_i = 0).

    ``Δ = Zᵀa`` stays in the span of the samples and ``a' = (1 − (η/B) D G) a`` with
    ``G = ZZᵀ`` and D the diagonal of sample counts in the batch, so with
    ``E[D X D] = c₂X + (c₁ − c₂)Diag(X)`` (``c₁ = E c_i²``, ``c₂ = E c_ic_j``) the P×P moments
    obey ``M' = M − (η/P)(GM + MG) + (η/B)²[c₂ GMG + (c₁ − c₂) Diag(GMG)]`` — O(P³) per step
    instead of O(P r²).
    """
    p = z.shape[0]
    g = z @ z.T
    glam = (z * eigs) @ z.T  # Z K Zᵀ
    a = -np.linalg.solve(g, y)  # Δ₀ = −v̂ = Zᵀa
    if sampling == "replacement":
        c1 = batch / p + batch * (batch - 1.0) / p**2
        c2 = batch * (batch - 1.0) / p**2
    else:
        c2 = batch * (batch - 1.0) / (p * (p - 1.0)) if p > 1 else 0.0
        c1 = batch / p
    cross = z @ (eigs * delta)  # Z K δ
    base = float(delta @ (eigs * delta)) + irreducible
    mu, m = a.copy(), np.outer(a, a)
    steps = int(record[-1])
    slot = np.full(steps + 1, -1)
    slot[record] = np.arange(record.size)
    out = np.empty(record.size)

    def risk() -> float:
        return 0.5 * (float(np.sum(m * glam)) + 2.0 * float(cross @ mu) + base)

    if slot[0] >= 0:
        out[slot[0]] = risk()
    for t in range(steps):
        eta = _lr_at(t, phases)
        gm = g @ m
        gmg = gm @ g
        m = m - (eta / p) * (gm + gm.T) + (eta / batch) ** 2 * c2 * gmg
        m[np.diag_indices(p)] += (eta / batch) ** 2 * (c1 - c2) * np.diag(gmg)
        # The update maps symmetric M to symmetric M, but ``gm + gm.T`` damps only the
        # symmetric part: an antisymmetric rounding error grows by 1 + (η/B)²c₂‖G‖² per step
        # (it reached 1e36 after 2000 steps at P = 25, B = 4). Keep M exactly symmetric.
        m = 0.5 * (m + m.T)
        mu = mu - (eta / p) * (g @ mu)
        if slot[t + 1] >= 0:
            out[slot[t + 1]] = risk()
    return out


def multipass_paths(
    eigs: np.ndarray,
    vstar: np.ndarray,
    irreducible: float,
    z: np.ndarray,
    y: np.ndarray,
    *,
    batch: int,
    phases: list[tuple[int, int, float]],
    record: np.ndarray,
    sampling: str,
    runs: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Monte Carlo over the sampling on one data set: ``runs`` SGD paths, risk at ``record``.

    Returns an array of shape (runs, len(record)).

    Examples
    --------
    >>> import numpy as np
    >>> eigs, vstar = np.array([1.0, 0.3]), np.array([1.0, -1.0])
    >>> z = np.random.default_rng(0).standard_normal((6, 2))
    >>> out = multipass_paths(eigs, vstar, 0.0, z, z @ vstar, batch=2, phases=[(0, 9, 0.3)],
    ...                       record=np.array([3, 9]), sampling="epochs", runs=4,
    ...                       rng=np.random.default_rng(1))
    >>> out.shape, bool(np.all(out[:, 1] < out[:, 0]))
    ((4, 2), True)
    """
    check_choice(sampling, "sampling", "multipass_paths", SAMPLINGS)
    p, r = z.shape
    if batch > p:
        raise InputError(f"batch ({batch}) must be <= the number of samples ({p}).")
    steps = int(record[-1])
    slot = np.full(steps + 1, -1)
    slot[record] = np.arange(record.size)
    v = np.zeros((runs, r))
    out = np.empty((runs, record.size))
    per_epoch = p // batch
    order = None

    def risk() -> np.ndarray:
        d = v - vstar
        return 0.5 * (d * d @ eigs + irreducible)

    if slot[0] >= 0:
        out[:, slot[0]] = risk()
    for t in range(steps):
        if sampling == "replacement":
            idx = rng.integers(0, p, size=(runs, batch))
        elif sampling == "without":
            idx = np.argsort(rng.random((runs, p)), axis=1)[:, :batch]
        else:
            k = t % per_epoch
            if k == 0:
                order = np.argsort(rng.random((runs, p)), axis=1)
            idx = order[:, k * batch : (k + 1) * batch]
        zb = z[idx]  # (runs, B, r)
        res = np.einsum("kbr,kr->kb", zb, v) - y[idx]
        v -= (_lr_at(t, phases) / batch) * np.einsum("kbr,kb->kr", zb, res)
        if slot[t + 1] >= 0:
            out[:, slot[t + 1]] = risk()
    return out


def predict_multipass(cfg, record: np.ndarray, *, seeds: int = 8, seed: int = 0):
    """Exact sampling expectation of multi-pass SGD, per drawn sketch and data set, averaged.

    The same sketches and data sets as :func:`scalinglab.models.sgd.simulate` with the same
    ``seed``; returns a :class:`~scalinglab.models.sgd.finite_gd.GDDataPrediction` (with
    ``risk_sem`` over the draws).

    Examples
    --------
    >>> from scalinglab.models.sgd.model import SGDConfig
    >>> cfg = SGDConfig(dim=40, features=20, alpha=1.5, beta=0.5, data=30, batch=2, steps=60,
    ...                 record=4)
    >>> pred = predict_multipass(cfg, cfg.record_steps(), seeds=2)
    >>> pred.theory, len(pred.risk)
    ('multipass-exact', 4)
    """
    from scalinglab.models.sgd.finite_gd import GDDataPrediction, draw_data

    sampling = getattr(cfg, "sampling", "replacement")
    if sampling == "epochs":
        raise InputError(
            "sampling='epochs' (reshuffling) has no exact expectation; use simulate, or "
            "sampling 'replacement' / 'without'."
        )
    probs = [cfg.reduced_problem(seed_streams(seed, k)[0])[1] for k in range(seeds)]
    rank = max(p.eigs.size for p in probs)
    # feature space O(P r²) per step, sample space O(P³) when P < r (interpolated data)
    cost = float(seeds) * cfg.data * min(rank, cfg.data) ** 2 * float(cfg.steps)
    if cost > 5e10:
        raise InputError(
            f"The exact multi-pass expectation costs P·min(P, r)²·steps·seeds ≈ {cost:.1e} "
            "flops here; "
            "use smaller sizes, fewer --seeds, or simulate."
        )
    curves = []
    for k, prob in enumerate(probs):
        eigs, vstar = np.zeros(rank), np.zeros(rank)
        eigs[: prob.eigs.size], vstar[: prob.vstar.size] = prob.eigs, prob.vstar
        _, feat, noise = seed_streams(seed, k)
        z, y = draw_data(eigs, vstar, prob.irreducible, cfg.data, feat, noise)
        curves.append(
            expected_multipass_risk(eigs, vstar, prob.irreducible, z, y, batch=cfg.batch,
                                    phases=cfg.phases(), record=record, sampling=sampling)
        )  # fmt: skip
    arr = np.array(curves)
    return GDDataPrediction(
        cfg, "multipass-exact", np.asarray(record), arr.mean(axis=0),
        float(np.mean([0.5 * p.irreducible for p in probs])),
        Status.CONVERGED if np.all(np.isfinite(arr)) else Status.FAILED,
        f"exact expectation over {sampling} sampling per data set, {len(curves)} draw(s)",
        seeds=len(curves), risk_sem=np.asarray(standard_error(arr, axis=0), dtype=np.float64),
    )  # fmt: skip
