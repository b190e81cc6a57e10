"""Measured exponents of the rich regime: time exponent vs γ, and the compute-optimal frontier.

Two candidate laws for the rich regime (note §3; Bordelon, Atanasov & Pehlevan 2024), with
``χ = 2β/(1+β)`` for β < 1 and compute ``C = N t`` (note eq. 12):

- *width term unchanged*: ``L ≈ t^{−χ} + N^{−αβ}`` ⇒ ``L* ∝ C^{−αβχ/(αβ+χ)}``,
  ``N* ∝ C^{χ/(αβ+χ)}``;
- *β → χ everywhere*: ``L ≈ t^{−χ} + N^{−αχ}`` ⇒ ``L* ∝ C^{−αχ/(α+1)}``, ``N* ∝ C^{1/(α+1)}``.

:func:`rich_frontier` measures which one the model follows: risk curves for many widths N from
the reduced flow on the sketch's deterministic-equivalent atoms, their lower envelope over
``C = N t`` and least-squares slopes where the optimal width lies inside the grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scalinglab._types import ProgressFn, Status
from scalinglab._validation import InputError, check_int, check_real
from scalinglab.models.feature_learning.dynamics import rich_flow

__all__ = [
    "FrontierResult",
    "candidate_laws",
    "chi",
    "power_law_atoms",
    "rich_frontier",
    "time_exponent",
]


def chi(beta: float) -> float:
    """Rich-regime time exponent: ``2β/(1+β)`` for β < 1, β otherwise (note §3).

    Examples
    --------
    >>> round(chi(0.5), 12), chi(1.5)
    (0.666666666667, 1.5)
    """
    return 2.0 * beta / (1.0 + beta) if beta < 1.0 else float(beta)


def candidate_laws(alpha: float, beta: float) -> dict[str, dict[str, float]]:
    """Compute-optimal exponents of the two candidate rich-regime laws (positive numbers).

    Examples
    --------
    >>> laws = candidate_laws(1.5, 0.5)
    >>> round(laws["width_unchanged"]["loss_vs_compute"], 4)
    0.3529
    >>> round(laws["beta_to_chi"]["loss_vs_compute"], 4)
    0.4
    """
    c = chi(beta)
    ab = alpha * beta
    return {
        "width_unchanged": {
            "loss_vs_compute": ab * c / (ab + c),
            "features_vs_compute": c / (ab + c),
        },
        "beta_to_chi": {
            "loss_vs_compute": alpha * c / (alpha + 1.0),
            "features_vs_compute": 1.0 / (alpha + 1.0),
        },
    }


def power_law_atoms(
    alpha: float,
    beta: float,
    *,
    exact_modes: int = 1000,
    max_index: float = 1e9,
    per_decade: int = 200,
    with_counts: bool = False,
) -> tuple[np.ndarray, ...]:
    """Unsketched power-law problem with an (effectively) infinite tail, as weighted atoms.

    Modes 1..``exact_modes`` exactly (``λ_k = k^-α``, ``c_k = w*_k²`` with ``λ_k c_k =
    k^-(1+αβ)``); beyond, log-spaced bins up to ``max_index`` with the summed ``c`` at the bin's
    geometric centre. The reduced flow depends on the modes only through (λ, c), so this is
    the infinite-width, infinite-dimension limit up to the bin width. ``with_counts`` also
    returns the number of modes per atom (for resolvent sums such as the data deterministic
    equivalent of :func:`scalinglab.models.sgd.finite_gd.gd_data_risk`).

    Examples
    --------
    >>> import numpy as np
    >>> lam, c, n = power_law_atoms(1.5, 0.5, exact_modes=10, max_index=1e4, per_decade=20,
    ...                             with_counts=True)
    >>> int(n.sum()), bool(abs(c.sum() / (np.arange(1, 10001) ** -0.25).sum() - 1) < 1e-5)
    (10000, True)
    >>> bool(abs((lam * c).sum() / (np.arange(1, 10001) ** -1.75).sum() - 1) < 0.01)
    True
    """
    k = np.arange(1, exact_modes + 1, dtype=np.float64)
    lam = [k**-alpha]
    c = [k ** -(1.0 + alpha * beta - alpha)]
    edges = np.unique(
        np.round(np.logspace(np.log10(exact_modes + 0.5), np.log10(max_index),
                             int(per_decade * np.log10(max_index / exact_modes)) + 2))
    )  # fmt: skip
    lo, hi = edges[:-1], edges[1:]
    centre = np.sqrt(lo * hi)
    # Σ_{lo<k≤hi} k^-p ≈ ∫ (Euler–Maclaurin midpoint), p = 1 + αβ − α
    p = 1.0 + alpha * beta - alpha
    lo_h, hi_h = lo + 0.5, hi + 0.5
    if abs(1.0 - p) < 1e-12:
        mass = np.log(hi_h / lo_h)
    else:
        mass = (hi_h ** (1.0 - p) - lo_h ** (1.0 - p)) / (1.0 - p)
    lam.append(centre**-alpha)
    c.append(mass)
    if with_counts:
        counts = np.concatenate((np.ones(exact_modes), hi - lo))
        return np.concatenate(lam), np.concatenate(c), counts
    return np.concatenate(lam), np.concatenate(c)


def time_exponent(
    alpha: float,
    beta: float,
    gamma: float,
    window: tuple[float, float],
    *,
    points: int = 9,
    atoms: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Fitted ``L ∝ t^-e`` over ``window`` for the infinite-width reduced flow.

    Returns the least-squares slope over the window and the local slopes of its two halves
    (their difference is the finite-time drift).

    Examples
    --------
    >>> out = time_exponent(1.5, 0.5, 0.0, (10.0, 1000.0), points=5)
    >>> abs(out["exponent"] - 0.5) < 0.02
    True
    """
    lam, c = power_law_atoms(alpha, beta) if atoms is None else atoms
    t = np.logspace(np.log10(window[0]), np.log10(window[1]), points)
    risk, status, msg = rich_flow(lam, c, 0.0, gamma, t, log_step=0.02)
    lt, lr = np.log(t), np.log(risk)
    half = points // 2
    return {
        "exponent": float(-np.polyfit(lt, lr, 1)[0]),
        "first_half": float(-np.polyfit(lt[: half + 1], lr[: half + 1], 1)[0]),
        "second_half": float(-np.polyfit(lt[half:], lr[half:], 1)[0]),
        "times": t,
        "risk": risk,
        "status": status,
        "message": msg,
    }


@dataclass(frozen=True)
class FrontierResult:
    """Compute-optimal envelope and its fitted exponents (positive numbers)."""

    alpha: float
    beta: float
    gamma: float
    features: np.ndarray
    compute: np.ndarray
    loss: np.ndarray
    optimal_features: np.ndarray
    fit_window: tuple[float, float]
    fitted: dict[str, float]
    predicted: dict[str, dict[str, float]]
    status: Status
    message: str
    curves: dict[int, tuple[np.ndarray, np.ndarray]] = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "gamma": self.gamma,
            "features": self.features,
            "compute": self.compute,
            "loss": self.loss,
            "optimal_features": self.optimal_features,
            "fit_window": list(self.fit_window),
            "fitted": self.fitted,
            "predicted": self.predicted,
            "status": str(self.status),
            "message": self.message,
        }


def rich_frontier(
    alpha: float,
    beta: float,
    gamma: float,
    *,
    features: np.ndarray | None = None,
    dim_ratio: float = 4.0,
    max_time: float = 1e5,
    time_points: int = 60,
    seeds: int | None = None,
    progress: ProgressFn | None = None,
) -> FrontierResult:
    """Compute-optimal frontier ``C = N t`` of the reduced flow on deterministic sketch atoms.

    For each width N (d = ``dim_ratio``·N) the risk curve on a log time grid, then on a common
    compute grid the envelope ``L*(C) = min_N L_N(C/N)`` (log–log interpolation in t), the
    optimal width by a parabola in log N through the best grid point and its neighbours, and
    least-squares slopes over the computes whose optimum lies in ``[1.5 N_min, N_max/1.5]``.
    With ``seeds`` the curves are instead averages over that many drawn Gaussian sketches
    (the exact flow of each simulated network; an SVD of N×d per draw).

    Examples
    --------
    >>> res = rich_frontier(1.5, 0.5, 1.0, features=[16, 32, 64], max_time=300, time_points=12)
    >>> sorted(res.fitted)
    ['features_vs_compute', 'loss_vs_compute']
    """
    from scalinglab.models.sgd.deterministic import deterministic_modes
    from scalinglab.models.sgd.problem import data_spectrum, target_weights

    alpha = check_real(alpha, "alpha", "rich_frontier", low=0.0, low_open=True)
    beta = check_real(beta, "beta", "rich_frontier", low=0.0, low_open=True)
    gamma = check_real(gamma, "gamma", "rich_frontier", low=0.0)
    feats = np.unique(
        np.round(np.logspace(np.log10(32), np.log10(2048), 7) if features is None else features)
    ).astype(np.int64)
    if feats.size < 3 or feats[0] < 2:
        raise InputError("rich_frontier needs at least three widths >= 2.")
    time_points = check_int(time_points, "time_points", "rich_frontier", low=4)
    times = np.logspace(-1, np.log10(max_time), time_points)
    curves: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    status = Status.CONVERGED
    for i, n in enumerate(feats):
        d = max(round(dim_ratio * n), int(n))
        lam, w = data_spectrum(d, alpha), target_weights(d, alpha, beta)
        if seeds:
            from scalinglab.models.sgd.problem import draw_sketch, reduce_sketch
            from scalinglab.models.sgd.results import seed_streams

            runs = []
            for k in range(seeds):
                sk = draw_sketch(int(n), d, seed_streams(int(n), k)[0])
                prob = reduce_sketch(sk, lam, w, 0.0)
                r_k, st, _ = rich_flow(prob.eigs, prob.vstar**2, prob.irreducible, gamma, times,
                                       log_step=0.02)  # fmt: skip
                runs.append(r_k)
                if st is not Status.CONVERGED:
                    status = Status.PARTIAL
            risk = np.mean(runs, axis=0)
        else:
            ppd = max(200, int(2.5 * np.sqrt(n)))
            modes = deterministic_modes(lam, lam * w**2, int(n), 0.0, points_per_decade=ppd)
            spec = modes.spectrum
            risk, st, _ = rich_flow(spec.eigs, spec.c0, spec.irreducible, gamma, times,
                                    log_step=0.02)  # fmt: skip
            if st is not Status.CONVERGED or modes.status is not Status.CONVERGED:
                status = Status.PARTIAL
        curves[int(n)] = (times, risk)
        if progress is not None:
            progress(i + 1, feats.size)
    c_lo = feats[-1] * times[0]
    c_hi = feats[0] * times[-1]
    if not c_hi > c_lo:
        raise InputError("The compute ranges of the widths do not overlap; raise max_time.")
    compute = np.logspace(np.log10(c_lo), np.log10(c_hi), 80)
    table = np.empty((feats.size, compute.size))
    for j, n in enumerate(feats):
        t, r = curves[int(n)]
        table[j] = np.exp(np.interp(np.log(compute / n), np.log(t), np.log(r)))
    best = np.argmin(table, axis=0)
    loss = table[best, np.arange(compute.size)]
    logn = np.log(feats.astype(np.float64))
    opt = np.empty(compute.size)
    for k, b in enumerate(best):
        if 0 < b < feats.size - 1:
            x, y = logn[b - 1 : b + 2], np.log(table[b - 1 : b + 2, k])
            a2, a1, a0 = np.polyfit(x, y, 2)
            xs = -a1 / (2 * a2) if a2 > 0 else x[1]
            opt[k] = np.exp(np.clip(xs, x[0], x[2]))
            loss[k] = np.exp(min(np.polyval([a2, a1, a0], xs), np.log(loss[k])))
        else:
            opt[k] = feats[b]
    inside = (opt >= 1.5 * feats[0]) & (opt <= feats[-1] / 1.5)
    fitted: dict[str, float] = {}
    window = (float("nan"), float("nan"))
    msg = f"{feats.size} widths {feats[0]}..{feats[-1]}, d = {dim_ratio:g}·N, γ = {gamma:g}, " + (
        f"{seeds} sketch(es) per width" if seeds else "deterministic-equivalent sketch atoms"
    )
    if inside.sum() >= 4:
        lc = np.log(compute[inside])
        fitted = {
            "loss_vs_compute": float(-np.polyfit(lc, np.log(loss[inside]), 1)[0]),
            "features_vs_compute": float(np.polyfit(lc, np.log(opt[inside]), 1)[0]),
        }
        window = (float(compute[inside][0]), float(compute[inside][-1]))
    else:
        status = Status.NOT_IDENTIFIABLE
        msg += "; the optimum is not inside the width grid over enough computes"
    return FrontierResult(alpha, beta, gamma, feats, compute, loss, opt, window,
                          fitted, candidate_laws(alpha, beta), status, msg, curves)  # fmt: skip
