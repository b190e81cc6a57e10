"""Monte Carlo of the spectral estimator for a noisy single-index model (multiindex_math.md §B.5).

Data: x_i ~ N(0, I_d), y_i = σ(⟨w*, x_i⟩) + √Δ ξ_i with ‖w*‖ = 1, i = 1 … n, n = α d.
Estimator: the top eigenvector v̂ (largest algebraic eigenvalue) of

    D = (1/n) Σ_i T(y_i) x_i x_iᵀ,   T(y) = m(y) / (m(y) + 1) = 1 − 1/E[z² | y],

with m(y) = E[z² − 1 | y] (:func:`.nse.posterior_he2_mean`). T is bounded above by 1; it is
the uniformly optimal preprocessing of Luo, Alghamdi and Lu (2019) for even links, whose weak-
recovery threshold is the Mondelli–Montanari α_c(Δ) of :func:`.nse.weak_recovery_threshold`.
The overlap ⟨v̂, w*⟩² rises from O(1/d) to O(1) around α_c(Δ); at finite d the transition is
smeared over a relative width ~d^{−1/3}.

The d → ∞ overlap comes from the Lu–Li formula as stated in Mondelli & Montanari (arXiv
1708.05932, Lemma 2), evaluated with the output-law quadrature of :mod:`.nse`
(:func:`spectral_overlap_theory`); for this T its threshold is α_c(Δ) itself.

Samples are nested in α (one stream of n_max = max(α)·d rows per seed, prefixes for smaller
α), so a curve costs one pass over the data plus one eigen-decomposition per α.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from scalinglab._types import ProgressFn, Status, standard_error, to_jsonable
from scalinglab._validation import InputError, check_int, check_real
from scalinglab.models.multiindex.activations import Activation, activation, is_even
from scalinglab.models.multiindex.nse import (
    output_quadrature,
    posterior_he2_mean,
    weak_recovery_threshold,
)

__all__ = ["SpectralResult", "crossing_alpha", "spectral_overlap_theory", "spectral_overlaps"]

#: Overlap² level that defines the empirical threshold of a finite-d curve.
DEFAULT_LEVEL = 0.2


def crossing_alpha(alphas: np.ndarray, values: np.ndarray, level: float) -> float:
    """First α at which ``values`` reaches ``level``, interpolated linearly in log α.

    NaN if the curve never reaches the level; ``alphas[0]`` if it starts above it.

    Examples
    --------
    >>> crossing_alpha(np.array([1.0, 2.0, 4.0]), np.array([0.0, 0.1, 0.3]), 0.2)
    2.8284271247461903
    """
    a = np.asarray(alphas, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    above = np.flatnonzero(v >= level)
    if above.size == 0:
        return math.nan
    i = int(above[0])
    if i == 0:
        return float(a[0])
    frac = (level - v[i - 1]) / (v[i] - v[i - 1])
    return float(math.exp(math.log(a[i - 1]) + frac * (math.log(a[i]) - math.log(a[i - 1]))))


def spectral_overlap_theory(
    spec: str | Sequence[float] | np.ndarray | Activation,
    delta: float,
    alphas: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """d → ∞ overlap² of the spectral estimator with T(y) = 1 − 1/E[z²|y], at each α = n/d.

    Lu–Li formula (Mondelli & Montanari, arXiv 1708.05932, Lemma 2). With Z = T(y), G = z and
    τ = sup Z, for λ > τ let

        φ(λ) = λ E[Z G² / (λ − Z)],   ψ_α(λ) = λ (1/α + E[Z / (λ − Z)]),

    λ̄ = argmin_{λ>τ} ψ_α (ψ_α is convex: ψ'' = 2 E[Z²/(λ − Z)³] > 0), ζ_α(λ) = ψ_α(max(λ, λ̄)),
    and λ* the root of ζ_α(λ) = φ(λ). Then overlap² → ψ'_α(λ*) / (ψ'_α(λ*) − φ'(λ*)) if
    ψ'_α(λ*) > 0, else 0. Expectations over (y, G) use E[G² | y] = m(y) + 1 on the quadrature of
    :func:`.nse.output_quadrature`.

    Examples
    --------
    >>> ac = 0.7801133671                      # α_c(1) for h_2 (note Table B.4: 0.78011)
    >>> np.round(spectral_overlap_theory("he2", 1.0, [0.99 * ac, 1.05 * ac]), 3)
    array([0.   , 0.009])
    """
    from scipy.optimize import brentq

    owner = "spectral_overlap_theory"
    delta = check_real(delta, "delta", owner, low=0.0, low_open=True)
    a = np.asarray(alphas, dtype=np.float64).ravel()
    if a.size == 0 or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise InputError(f"The 'alphas' parameter of {owner} must be floats > 0. Got {a!r}.")
    act = activation(spec)
    if not is_even(act):
        raise InputError(
            f"The activation {act.name!r} is not even: the spectral threshold needs an even link."
        )
    _, q, m = output_quadrature(act, delta)
    t = m / (m + 1.0)
    g2 = m + 1.0
    tau = float(t.max())

    def dpsi(lam: float, alpha: float) -> float:
        r = t / (lam - t)
        return 1.0 / alpha + float(q @ r) - lam * float(q @ (r / (lam - t)))

    def psi(lam: float, alpha: float) -> float:
        return lam * (1.0 / alpha + float(q @ (t / (lam - t))))

    def phi(lam: float) -> float:
        return lam * float(q @ (t * g2 / (lam - t)))

    def dphi(lam: float) -> float:
        r = t * g2 / (lam - t)
        return float(q @ r) - lam * float(q @ (r / (lam - t)))

    out = np.zeros(a.size)
    lo = tau + 1e-9 * max(1.0, abs(tau))
    for k, alpha in enumerate(a):
        hi = tau + 10.0 * (1.0 + abs(tau)) * (1.0 + alpha)
        while dpsi(hi, alpha) < 0:
            hi *= 2.0
        lbar = lo if dpsi(lo, alpha) >= 0 else brentq(dpsi, lo, hi, args=(alpha,), xtol=1e-14)

        def gap(lam: float, alpha: float = alpha, lbar: float = lbar) -> float:
            return psi(max(lam, lbar), alpha) - phi(lam)

        while gap(hi) < 0:
            hi *= 2.0
        if gap(lo) >= 0:
            continue
        lam_star = brentq(gap, lo, hi, xtol=1e-14)
        slope = dpsi(lam_star, alpha)
        if slope > 0:
            out[k] = slope / (slope - dphi(lam_star))
    return out


@dataclass(frozen=True)
class SpectralResult:
    """Overlap² of the spectral estimator against α = n/d, for one link and noise level.

    Attributes
    ----------
    name, delta, d : activation name, noise variance Δ, dimension.
    alphas : np.ndarray
        Sample ratios n/d (increasing).
    overlap2 : np.ndarray
        ⟨v̂, w*⟩², shape ``(seeds, len(alphas))``.
    alpha_c : float
        Exact threshold α_c(Δ) (Mondelli–Montanari) for comparison.
    overlap2_theory : np.ndarray
        d → ∞ overlap² at ``alphas`` (:func:`spectral_overlap_theory`).
    seed : int
        Base seed; seed index k uses ``default_rng([seed, k])``.
    """

    name: str
    delta: float
    d: int
    alphas: np.ndarray
    overlap2: np.ndarray = field(repr=False)
    alpha_c: float
    seed: int
    overlap2_theory: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    status: Status = Status.CONVERGED
    message: str = ""

    @property
    def overlap2_mean(self) -> np.ndarray:
        return self.overlap2.mean(axis=0)

    @property
    def overlap2_sem(self) -> np.ndarray:
        return np.asarray(standard_error(self.overlap2, axis=0), dtype=np.float64)

    def empirical_threshold(self, level: float = DEFAULT_LEVEL) -> float:
        """α where the mean overlap² first reaches ``level`` (log-interpolated; NaN if never)."""
        return crossing_alpha(self.alphas, self.overlap2_mean, level)

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return to_jsonable(
            {
                "name": self.name,
                "delta": self.delta,
                "d": self.d,
                "seeds": int(self.overlap2.shape[0]),
                "seed": self.seed,
                "alphas": self.alphas,
                "overlap2_mean": self.overlap2_mean,
                "overlap2_sem": self.overlap2_sem,
                "overlap2_theory": self.overlap2_theory,
                "alpha_c": self.alpha_c,
                "empirical_threshold": self.empirical_threshold(),
                "level": DEFAULT_LEVEL,
                "status": self.status,
                "message": self.message,
            }
        )


def _one_seed(
    act: Activation, delta: float, d: int, counts: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    w_star = rng.standard_normal(d)
    w_star /= np.linalg.norm(w_star)
    n_max = int(counts[-1])
    x = rng.standard_normal((n_max, d))
    y = act(x @ w_star) + math.sqrt(delta) * rng.standard_normal(n_max)
    m = posterior_he2_mean(act, delta, y)
    t = m / (m + 1.0)
    out = np.empty(counts.size)
    acc = np.zeros((d, d))
    done = 0
    for k, n in enumerate(counts):
        block = x[done:n]
        acc += block.T @ (t[done:n, None] * block)
        done = int(n)
        _, vecs = np.linalg.eigh(acc / n)
        out[k] = float(vecs[:, -1] @ w_star) ** 2
    return out


def spectral_overlaps(
    spec: str | Sequence[float] | np.ndarray | Activation,
    delta: float,
    alphas: Sequence[float] | np.ndarray,
    *,
    d: int = 400,
    seeds: int = 4,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> SpectralResult:
    """Overlap² of the §B.5 spectral estimator for y = σ(⟨w*, x⟩) + √Δ ξ, n = α d.

    Parameters
    ----------
    spec : activation name, Hermite coefficients or Activation; must be even.
    delta : noise variance Δ > 0.
    alphas : increasing sample ratios n/d (each n = round(α d) ≥ 1).
    d : dimension (≥ 2). seeds : independent repetitions. seed : base seed.
    progress : called as ``progress(done, seeds)``.

    Raises
    ------
    InputError
        For a non-even link (its E[z|y] ≠ 0: no threshold to locate), bad Δ, d, α.

    Examples
    --------
    >>> r = spectral_overlaps("he2", 1.0, [0.5, 8.0], d=60, seeds=2, seed=1)
    >>> bool(r.overlap2_mean[0] < r.overlap2_mean[1]), round(r.alpha_c, 3)
    (True, 0.78)
    """
    owner = "spectral_overlaps"
    delta = check_real(delta, "delta", owner, low=0.0, low_open=True)
    d = check_int(d, "d", owner, low=2, high=5000)
    seeds = check_int(seeds, "seeds", owner, low=1, high=1000)
    seed = check_int(seed, "seed", owner, low=0)
    a = np.asarray(alphas, dtype=np.float64).ravel()
    if a.size == 0 or not np.all(np.isfinite(a)) or np.any(a <= 0) or np.any(np.diff(a) <= 0):
        raise InputError(
            f"The 'alphas' parameter of {owner} must be a non-empty increasing list of floats "
            f"> 0. Got {list(np.asarray(alphas).ravel())!r} instead."
        )
    act = activation(spec)
    if not is_even(act):
        raise InputError(
            f"The activation {act.name!r} is not even: the spectral threshold needs an even "
            "link (with an odd part E[z|y] ≠ 0 and a linear estimator already works)."
        )
    counts = np.maximum(1, np.round(a * d)).astype(int)
    if np.any(np.diff(counts) <= 0):
        raise InputError(
            f"The 'alphas' parameter of {owner} must give distinct sample sizes n = α d at "
            f"d = {d}. Got {a.tolist()!r}."
        )
    threshold = weak_recovery_threshold(act, delta)
    rows = []
    with threadpool_limits(1, "blas"):
        for k in range(seeds):
            rows.append(_one_seed(act, delta, d, counts, np.random.default_rng([seed, k])))
            if progress is not None:
                progress(k + 1, seeds)
    return SpectralResult(
        name=act.name,
        delta=delta,
        d=d,
        alphas=counts / d,
        overlap2=np.array(rows),
        alpha_c=threshold.alpha_c,
        overlap2_theory=spectral_overlap_theory(act, delta, counts / d),
        seed=seed,
        status=threshold.status,
        message=threshold.message,
    )
