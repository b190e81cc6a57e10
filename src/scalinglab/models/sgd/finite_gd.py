"""Full-batch gradient descent on P samples: exact risk per draw and its deterministic equivalent.

Setting (Atanasov's note §2.3, eqs. 13–15, with discrete steps instead of the flow): in the
eigenbasis of the sketched covariance ``K = S H Sᵀ`` (eigenvalues x_k, target coordinates v*_k,
independent residual noise of variance ``s² = σ_r² + σ²``; :mod:`scalinglab.models.sgd.problem`)
the P training features ``Z`` (rows ``~ N(0, K)``) and labels ``y = Z v* + ξ`` give
``K̂ = ZᵀZ/P`` and ``ĉ = Zᵀy/P``. Gradient descent ``v ← v − η(K̂v − ĉ)`` from v = 0 is, after n
steps,

.. math:: v_n = \\big(1 - (1 - ηK̂)^n\\big) K̂^{+} ĉ ,

so with the eigendecomposition ``K̂ = Q diag(μ) Qᵀ`` of one draw every recorded step costs
O(r²) (:func:`exact_gd_risk`); the risk is the package's ``½E(⟨v, Sx⟩ − y)² = ½[(v − v*)ᵀK(v −
v*) + s²]``. Gradient flow is the limit η → 0 at fixed ``t = ηn`` (note eq. 14).

**Deterministic equivalent with the discrete step.** Averaging over the data,

.. math:: 2\\bar L_n = \\underbrace{E\\, v^{*\\top} f_n(K̂) K f_n(K̂) v^*}_{\\text{signal}}
          + \\frac{s^2}{P} E \\operatorname{tr}\\big[K g_n(K̂)\\big] + s^2,
          \\qquad f_n(x) = (1 - ηx)^n,\\; g_n(x) = \\frac{(1 - f_n(x))^2}{x}.

Both are written with Cauchy's formula ``h(K̂) = (1/2πi)∮ h(z)(z − K̂)⁻¹ dz`` on a contour around
the spectrum, and the resolvents are replaced by the one- and two-point deterministic
equivalents of the sample covariance (Bach 2023; Atanasov, Zavatone-Veth & Pehlevan 2024; the
same ones :mod:`scalinglab.models.sgd.finite_data` inverts by Laplace transforms for the flow;
Bordelon, Atanasov & Pehlevan 2024, "A dynamical model of neural scaling laws", reduce to them
for the linear model). Contours (:func:`gd_contour`):

- a few steps (n ≤ 40): the circle ``|1 − ηz| = ρ`` (ρ = 1.3), trapezoidal rule;
- many steps: the image of the fixed Talbot contour for "time" n (Abate & Valkó 2004) under
  ``z = (1 − e^u)/η``. Then ``f_n(z) = e^{nu}``, so the discrete problem is exactly a Laplace
  inversion in ``u = log(1 − ηz)`` and inherits Talbot's accuracy; it needs the spectrum inside
  ``ηx < 1`` (checked against the bulk edge ``(√x₁ + √(tr K/P))²``).

At η → 0 with ηn = t fixed this is the gradient-flow deterministic equivalent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError
from scalinglab.core.effective_ridge import data_kappa
from scalinglab.models.protocol import standard_error
from scalinglab.models.sgd.finite_data import kappa_real, talbot_nodes
from scalinglab.models.sgd.problem import ReducedProblem
from scalinglab.models.sgd.results import SGDPrediction, seed_streams

__all__ = [
    "GDDataPrediction",
    "draw_data",
    "exact_gd_risk",
    "gd_contour",
    "gd_data_risk",
    "predict_gd_data",
]

#: Steps up to which the circle contour is used (beyond: the mapped Talbot contour).
CIRCLE_MAX_STEPS = 40
CIRCLE_RADIUS = 1.3
CIRCLE_NODES = 160
TALBOT_NODES = 32


@dataclass(frozen=True)
class GDDataPrediction(SGDPrediction):
    """An :class:`SGDPrediction` that also carries a standard error over draws (``risk_sem``).

    Examples
    --------
    >>> from scalinglab.models.sgd.model import SGDConfig
    >>> cfg = SGDConfig(dim=60, features=30, alpha=1.5, beta=0.5, optimizer="gd", data=40,
    ...                 steps=50, record=4)
    >>> pred = predict_gd_data(cfg, cfg.record_steps(), theory="exact", seeds=3)
    >>> sorted(pred.to_dict())
    ['risk', 'risk_sem', 'steps']
    """

    risk_sem: np.ndarray | None = None

    @property
    def loss_sem(self) -> np.ndarray | None:
        return self.risk_sem

    def to_dict(self) -> dict:
        out = {"steps": self.steps, "risk": self.risk}
        if self.risk_sem is not None:
            out["risk_sem"] = self.risk_sem
        return out


# --------------------------------------------------------------------------- exact per draw


def draw_data(
    eigs: np.ndarray,
    vstar: np.ndarray,
    irreducible: float,
    samples: int,
    feature_rng: np.random.Generator,
    noise_rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """P training pairs in the eigenbasis of K: ``Z`` (P×r, rows ``N(0, diag(eigs))``) and ``y``.

    Draws in the same order as the simulation (:mod:`scalinglab.models.sgd.sim`), so a given
    seed gives the same data set.

    Examples
    --------
    >>> import numpy as np
    >>> z, y = draw_data(np.array([1.0, 0.5]), np.array([1.0, 0.0]), 0.0, 3,
    ...                  np.random.default_rng(0), np.random.default_rng(1))
    >>> z.shape, bool(np.allclose(y, z[:, 0]))
    ((3, 2), True)
    """
    z = np.sqrt(eigs) * feature_rng.standard_normal((samples, eigs.size))
    y = z @ vstar + np.sqrt(irreducible) * noise_rng.standard_normal(samples)
    return z, y


def _gd_gain(mu: np.ndarray, lr: float, steps: np.ndarray) -> np.ndarray:
    """``(1 − (1 − ημ)^n)/μ`` for every n (rows) and μ (columns); ``nη`` at μ = 0."""
    n = np.asarray(steps, dtype=np.float64)[:, None]
    u = lr * mu[None, :]
    small = np.abs(u) < 1e-8
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        below = u < 1.0
        stable = np.where(below, -np.expm1(n * np.log1p(-np.where(below, u, 0.0))), 0.0)
        direct = 1.0 - (1.0 - u) ** n
        gain = np.where(below, stable, direct) / np.where(small, 1.0, mu[None, :])
    series = n * lr * (1.0 - 0.5 * (n - 1.0) * u)
    return np.where(small, series, gain)


def exact_gd_risk(
    eigs: np.ndarray,
    vstar: np.ndarray,
    irreducible: float,
    z: np.ndarray,
    y: np.ndarray,
    lr: float,
    steps: np.ndarray,
) -> np.ndarray:
    """Exact population risk of full-batch GD on one data set after each of ``steps``.

    ``v_n = Q diag((1 − (1 − ημ)^n)/μ) Qᵀ ĉ`` with ``K̂ = ZᵀZ/P = Q diag(μ) Qᵀ``, ``ĉ = Zᵀy/P``
    (note eq. 14 with the flow replaced by n steps of size η), and
    ``L = ½[(v_n − v*)ᵀ diag(eigs) (v_n − v*) + s²]``.

    Examples
    --------
    >>> import numpy as np
    >>> eigs, vstar = np.array([1.0, 0.25]), np.array([1.0, 2.0])
    >>> z, y = draw_data(eigs, vstar, 0.0, 10, np.random.default_rng(0),
    ...                  np.random.default_rng(1))
    >>> v = np.zeros(2)
    >>> for _ in range(7):
    ...     v -= 0.3 * (z.T @ (z @ v - y)) / 10
    >>> brute = 0.5 * np.sum(eigs * (v - vstar) ** 2)
    >>> bool(np.isclose(exact_gd_risk(eigs, vstar, 0.0, z, y, 0.3, np.array([7]))[0], brute))
    True
    """
    p = z.shape[0]
    khat = z.T @ z / p
    chat = z.T @ y / p
    mu, q = np.linalg.eigh(khat)
    ctil = q.T @ chat
    v = (_gd_gain(mu, lr, steps) * ctil) @ q.T  # (steps, r)
    d = v - vstar
    return 0.5 * (d * d @ eigs + irreducible)


def exact_flow_risk(
    eigs: np.ndarray,
    vstar: np.ndarray,
    irreducible: float,
    z: np.ndarray,
    y: np.ndarray,
    times: np.ndarray,
) -> np.ndarray:
    """Exact population risk of gradient flow on one data set (note eq. 14) at ``times``.

    ``v(t) = Q diag((1 − e^{−tμ})/μ) Qᵀ ĉ``; the η → 0 limit of :func:`exact_gd_risk` at
    ``t = ηn``.

    Examples
    --------
    >>> import numpy as np
    >>> eigs, vstar = np.array([1.0, 0.25]), np.array([1.0, 2.0])
    >>> z, y = draw_data(eigs, vstar, 0.0, 10, np.random.default_rng(0),
    ...                  np.random.default_rng(1))
    >>> gd = exact_gd_risk(eigs, vstar, 0.0, z, y, 1e-4, np.array([20000]))
    >>> bool(np.isclose(exact_flow_risk(eigs, vstar, 0.0, z, y, np.array([2.0]))[0], gd[0],
    ...                 rtol=1e-3))
    True
    """
    p = z.shape[0]
    mu, q = np.linalg.eigh(z.T @ z / p)
    ctil = q.T @ (z.T @ y / p)
    t = np.asarray(times, dtype=np.float64)[:, None]
    tiny = np.abs(mu) < 1e-14
    safe = np.where(tiny, 1.0, mu)
    gain = np.where(tiny[None, :], t, -np.expm1(-t * mu[None, :]) / safe[None, :])
    d = (gain * ctil) @ q.T - vstar
    return 0.5 * (d * d @ eigs + irreducible)


# --------------------------------------------------------------------------- contours


def gd_contour(
    steps: int, lr: float, *, upper: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes ``z_j``, weights ``ω_j`` and ``f_n(z_j) = (1 − ηz_j)^n`` of a Cauchy rule.

    For h analytic inside the contour, ``h(x) ≈ Σ_j ω_j h(z_j)/(z_j − x)`` for every x in
    ``[0, 1/η)`` (mapped Talbot, n > 40; with ``upper=True`` a second mapped Talbot contour,
    ``z = (1 + e^u)/η``, extends this to ``[0, 2/η)`` for steps that overshoot) or in
    ``(−0.3/η, 2.3/η)`` (circle, n ≤ 40).

    Examples
    --------
    >>> import numpy as np
    >>> z, w, f = gd_contour(500, 0.5)
    >>> x = np.array([0.0, 0.01, 0.5, 1.9])
    >>> approx = np.real((w * f) @ (1.0 / (z[:, None] - x[None, :])))
    >>> bool(np.allclose(approx, (1 - 0.5 * x) ** 500, atol=1e-11))
    True
    >>> z, w, f = gd_contour(501, 0.5, upper=True)
    >>> x = np.array([0.3, 2.5, 3.99])
    >>> approx = np.real((w * f) @ (1.0 / (z[:, None] - x[None, :])))
    >>> bool(np.allclose(approx, (1 - 0.5 * x) ** 501, atol=1e-11))
    True
    """
    n = int(steps)
    if n <= CIRCLE_MAX_STEPS:
        theta = 2.0 * np.pi * np.arange(CIRCLE_NODES) / CIRCLE_NODES
        w = CIRCLE_RADIUS * np.exp(1j * theta)
        z = (1.0 - w) / lr
        omega = -w / (CIRCLE_NODES * lr)
        return z, omega, w**n
    u, weights = talbot_nodes(float(n), TALBOT_NODES)  # weights include e^{n u}
    base = weights * np.exp(-n * u)  # du/(2πi) quadrature weights
    eu = np.exp(u)
    z = (1.0 - eu) / lr
    omega = base * (-eu / lr)
    f = np.exp(n * u)
    if not upper:
        return z, omega, f
    # 1 − ηz = −e^u: the image of the same contour around (1/η, 2/η], same orientation.
    z2 = (1.0 + eu) / lr
    omega2 = base * (eu / lr)
    f2 = (-1.0) ** n * f
    return np.concatenate((z, z2)), np.concatenate((omega, omega2)), np.concatenate((f, f2))


def _newton_path(x, cnt, samples, path, k) -> np.ndarray:
    """Continuation of ``κ − (κ/P) Σ n x/(x+κ) = p`` along the columns of ``path`` (rows: many
    independent contours at once), Newton from the previous column's solution ``k``.

    Each column is one call of the package's solver
    (:func:`scalinglab.core.effective_ridge.data_kappa`); a column that does not converge
    raises instead of passing an unconverged κ on.
    """
    out = np.empty(path.shape, dtype=np.complex128)
    for j in range(path.shape[1]):
        k, status = data_kappa(x, cnt, samples, path[:, j], k)
        if status is not Status.CONVERGED:
            raise RuntimeError(f"finite-data effective ridge did not converge ({status})")
        out[:, j] = k
    return out


def _kappa_half(x, cnt, samples, p) -> np.ndarray:
    """κ along half-contours ``p`` (rows; first column real): a real start right of the
    spectrum (p ≥ 0) from bisection, left of it from ``κ ≈ p + tr K/P`` far away, walking in
    along the real line."""
    shift = float(np.sum(cnt * x)) / samples
    p0 = p[:, 0].real
    if np.all(p0 >= 0):
        k = np.array([kappa_real(x, cnt, samples, float(v)) for v in p0], dtype=np.complex128)
        return _newton_path(x, cnt, samples, p, k)
    far = p0 - 10.0 * (shift + float(x.max()))
    lead = np.linspace(far, p0, 40, axis=1)[:, :-1].astype(np.complex128)
    out = _newton_path(x, cnt, samples, np.concatenate((lead, p), axis=1), far + shift + 0j)
    return out[:, lead.shape[1] :]


def _kappa_nodes(x, cnt, samples, zs: np.ndarray, steps: int) -> np.ndarray:
    """κ at the nodes of :func:`gd_contour` for a stack of contours of one kind (rows of
    ``zs``; all n ≤ 40 or all n > 40): continuation over the half with θ ≥ 0 of each contour
    piece, conjugation for the mirror half."""
    zs = np.atleast_2d(zs)
    p = -zs
    kap = np.empty(zs.shape, dtype=np.complex128)
    q = zs.shape[1]
    if steps <= CIRCLE_MAX_STEPS:
        half = np.arange(q // 2 + 1)
        kap[:, half] = _kappa_half(x, cnt, samples, p[:, half])
        rest = np.arange(q // 2 + 1, q)
        kap[:, rest] = np.conj(kap[:, q - rest])
        return kap
    length = 2 * TALBOT_NODES - 1
    mid = TALBOT_NODES - 1
    for start in range(0, q, length):
        half = start + mid + np.arange(TALBOT_NODES)
        kap[:, half] = _kappa_half(x, cnt, samples, p[:, half])
        kap[:, start + mid - np.arange(1, TALBOT_NODES)] = np.conj(kap[:, half[1:]])
    return kap


def _contour_table(x, cnt, samples, steps, lr, upper) -> dict[int, tuple]:
    """(z, ω, f, κ) for every n in ``steps``, κ solved for all contours of a kind at once."""
    table: dict[int, tuple] = {}
    for small in (True, False):
        group = [int(n) for n in steps if n > 0 and (n <= CIRCLE_MAX_STEPS) == small]
        if not group:
            continue
        rules = [gd_contour(n, lr, upper=upper) for n in group]
        kaps = _kappa_nodes(x, cnt, samples, np.stack([r[0] for r in rules]), group[0])
        for n, rule, kap in zip(group, rules, kaps, strict=True):
            table[n] = (*rule, kap)
    return table


def _trace_h(x, cnt, nodes) -> float:
    """DE of ``E tr[K h_n(K̂)]``, ``h_n(x) = (1 − f_n(x))/x``, on a solved contour ``nodes``.

    On a contour around the whole spectrum (0 included) ``∮ z⁻¹ (z − K̂)⁻¹ dz = 0``, so
    ``h_n(z)`` may be replaced by ``−f_n(z)/z``, which decays along the contour like ``f_n``.
    """
    z, omega, f, kap = nodes
    trace = -(kap / -z) * ((cnt * x) @ (1.0 / (x[:, None] + kap[None, :])))  # E tr[K(z−K̂)⁻¹]
    return float(np.real(np.sum(omega * (-f / z) * trace)))


def bulk_edge(eigs: np.ndarray, counts: np.ndarray, samples: int) -> float:
    """Rough upper edge of the spectrum of K̂: ``(√x₁ + √(tr K/P))²``.

    Examples
    --------
    >>> bulk_edge(__import__("numpy").array([1.0]), __import__("numpy").array([1.0]), 4)
    2.25
    """
    return float((np.sqrt(eigs.max()) + np.sqrt(np.sum(counts * eigs) / samples)) ** 2)


def gd_data_risk(
    eigs: np.ndarray,
    counts: np.ndarray,
    c0: np.ndarray,
    irreducible: float,
    samples: int,
    lr: float,
    steps: np.ndarray,
) -> np.ndarray:
    """Deterministic-equivalent risk of full-batch GD on P samples after each of ``steps``.

    Parameters
    ----------
    eigs, counts, c0 : ndarray
        Modes of K: eigenvalues x_k, multiplicities n_k, summed ``v*_k²``
        (:class:`scalinglab.models.sgd.theory.ModeSpectrum`; DE atoms work too).
    irreducible : float
        s² = σ_r² + σ².
    samples : int
        P.
    lr : float
        η; needs ``η·edge < 1.9`` beyond 40 steps (:func:`bulk_edge`; above 0.9 a second
        contour covers the overshooting modes).
    steps : ndarray of int
        Steps n ≥ 0.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(1, 41) ** -1.5
    >>> r = gd_data_risk(x, np.ones(40), x ** 0.5 * 0 + 1 / np.arange(1, 41), 0.0, 80, 0.5,
    ...                  np.array([0, 10, 1000]))
    >>> bool(r[0] > r[1] > r[2] > 0)
    True
    """
    x = np.asarray(eigs, dtype=np.float64)
    cnt = np.asarray(counts, dtype=np.float64)
    c = np.asarray(c0, dtype=np.float64)
    s2 = float(irreducible)
    steps = np.asarray(steps)
    edge = lr * bulk_edge(x, cnt, samples)
    if np.any(steps > CIRCLE_MAX_STEPS) and edge >= 1.9:
        raise InputError(
            f"The discrete-step deterministic equivalent needs η·edge < 1.9 (η·edge ≈ "
            f"{edge:.3g}, edge = (√x₁ + √(tr K/P))²); use a smaller --lr or --theory exact."
        )
    upper = edge >= 0.9  # steps that overshoot some modes (1 − ηx < 0) need the second piece
    out = np.empty(steps.size)
    nxx = cnt * x * x
    table = _contour_table(x, cnt, samples, np.unique(np.concatenate((steps, 2 * steps))), lr,
                           upper)  # fmt: skip
    for i, n in enumerate(steps):
        if n == 0:
            out[i] = 0.5 * (float(c @ x) + s2)
            continue
        z, omega, f, kap = table[int(n)]
        inv = 1.0 / (x[:, None] + kap[None, :])  # (modes, nodes)
        a = omega * f * (kap / -z)
        num = inv.T @ ((c * x)[:, None] * inv)
        den = 1.0 - inv.T @ (nxx[:, None] * inv) / samples
        signal = float(np.real(a @ (num / den) @ a))
        trace = 2.0 * _trace_h(x, cnt, table[int(n)]) - _trace_h(x, cnt, table[2 * int(n)])
        out[i] = 0.5 * (signal + s2 / samples * trace + s2)
    return out


# --------------------------------------------------------------------------- predictions


def _problems(cfg, seeds: int, seed: int) -> list[ReducedProblem]:
    probs = []
    for k in range(seeds):
        _, prob = cfg.reduced_problem(seed_streams(seed, k)[0])
        probs.append(prob)
    return probs


def predict_gd_data(
    cfg, record: np.ndarray, *, theory: str = "exact", seeds: int = 8, seed: int = 0
) -> GDDataPrediction:
    """Full-batch GD on ``cfg.data`` samples: exact per draw, or deterministic equivalent.

    ``theory='exact'``: for each of ``seeds`` draws (the same sketches *and* data sets as
    :func:`scalinglab.models.sgd.simulate` with the same ``seed``), the exact risk of
    :func:`exact_gd_risk`; mean and standard error. ``theory='sketch-exact'``: the
    discrete-step deterministic equivalent in the data, exact in each sketch, averaged.
    ``theory='deterministic'``: deterministic in both (the sketch by its deterministic
    equivalent atoms, :func:`scalinglab.models.sgd.deterministic.deterministic_modes`).

    Examples
    --------
    >>> from scalinglab.models.sgd.model import SGDConfig
    >>> cfg = SGDConfig(dim=80, features=40, alpha=1.5, beta=0.5, optimizer="gd", data=30,
    ...                 steps=200, record=3)
    >>> ex = predict_gd_data(cfg, cfg.record_steps(), theory="exact", seeds=4)
    >>> de = predict_gd_data(cfg, cfg.record_steps(), theory="sketch-exact", seeds=4)
    >>> bool(abs(de.risk[-1] / ex.risk[-1] - 1) < 0.3)
    True
    """
    eta = cfg.step_size()
    record = np.asarray(record)
    if theory == "deterministic":
        from scalinglab.models.sgd.deterministic import config_spectrum

        spec, _, msg = config_spectrum(cfg)
        risk = gd_data_risk(
            spec.eigs, spec.counts, spec.c0, spec.irreducible, cfg.data, eta, record
        )
        return GDDataPrediction(
            cfg, "data-gd-deterministic", record, risk, 0.5 * spec.irreducible,
            Status.CONVERGED if np.all(np.isfinite(risk)) else Status.FAILED,
            f"discrete-step GD deterministic equivalent ({msg})",
        )  # fmt: skip
    probs = _problems(cfg, seeds, seed)
    curves = []
    if theory == "exact":
        rank = max(p.eigs.size for p in probs)
        for k, prob in enumerate(probs):
            eigs = np.zeros(rank)
            vstar = np.zeros(rank)
            eigs[: prob.eigs.size], vstar[: prob.vstar.size] = prob.eigs, prob.vstar
            _, feat, noise = seed_streams(seed, k)
            z, y = draw_data(eigs, vstar, prob.irreducible, cfg.data, feat, noise)
            if cfg.optimizer == "flow":
                curves.append(exact_flow_risk(eigs, vstar, prob.irreducible, z, y, eta * record))
            else:
                curves.append(exact_gd_risk(eigs, vstar, prob.irreducible, z, y, eta, record))
        label = f"data-{cfg.optimizer}-exact"
        msg = f"exact {cfg.optimizer} risk per draw (sketch and data), averaged"
    else:
        for prob in probs:
            spec = prob.mode_spectrum()
            curves.append(
                gd_data_risk(spec.eigs, spec.counts, spec.c0, spec.irreducible, cfg.data, eta,
                             record)
            )  # fmt: skip
        label = "data-gd"
        msg = "discrete-step GD deterministic equivalent in the data, exact per sketch"
    arr = np.array(curves)
    sem = np.asarray(standard_error(arr, axis=0), dtype=np.float64)
    floor = float(np.mean([0.5 * p.irreducible for p in probs]))
    status = Status.CONVERGED if np.all(np.isfinite(arr)) else Status.FAILED
    return GDDataPrediction(
        cfg, label, record, arr.mean(axis=0), floor, status, msg, seeds=len(curves),
        risk_sem=sem,
    )  # fmt: skip
