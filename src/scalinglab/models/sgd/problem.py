"""Power-law sketched linear regression: data spectrum, target, sketch and its eigenbasis.

The data model shared by Atanasov's note (§2), Lin et al. (2024) and Paquette et al. (2024):

- inputs ``x ~ N(0, H)``, ``H = diag(λ_i)``, ``λ_i = i^-α`` (i = 1..d; note eq. 3);
- target ``y = ⟨w*, x⟩ + ε`` with ``λ_i w*_i² = i^-(1+αβ)`` (so the tail Σ_{l>k} λ_l w*_l² ∝
  k^-αβ, note eq. 3; in Paquette's terms b_j = j^-β_P), ε ~ N(0, σ²);
- features ``z = S x`` with a Gaussian sketch ``S ∈ R^{m×d}``, ``S_ij ~ N(0, 1/m)`` (Lin et al.
  2024; the note's A = Sᵀ with variance 1/N; Paquette's W = Sᵀ), or no sketch (z = x, m = d).

:func:`reduce_sketch` diagonalises ``K = S H Sᵀ`` through the SVD of ``S H^{1/2} = U Σ Vᵀ``:
``K = U Σ² Uᵀ``, the best parameter ``v* = K⁺ S H w*`` has coordinates ``(Vᵀa)_k / σ_k`` in the
basis U (``a = H^{1/2} w*``), and the approximation error is ``σ_r² = ‖a‖² − ‖Vᵀa‖²``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scalinglab._validation import check_choice, check_int, check_real
from scalinglab.core import exponents as ex
from scalinglab.models.sgd.theory import ModeSpectrum

__all__ = [
    "ReducedProblem",
    "data_spectrum",
    "draw_sketch",
    "reduce_identity",
    "reduce_sketch",
    "target_weights",
    "validate_power_law_setting",
]

#: Singular values below this fraction of the largest (times max(m, d)) count as zero.
RANK_TOL = np.finfo(np.float64).eps


def data_spectrum(dim: int, alpha: float) -> np.ndarray:
    """``λ_i = i^-α``, i = 1..d (note eq. 3; λ₁ = 1).

    Examples
    --------
    >>> data_spectrum(4, alpha=1.0)
    array([1.        , 0.5       , 0.33333333, 0.25      ])
    """
    return np.arange(1, dim + 1, dtype=np.float64) ** (-alpha)


def target_weights(dim: int, alpha: float, beta: float) -> np.ndarray:
    """``w*_i = i^{-(1 + αβ − α)/2}``, so that ``λ_i w*_i² = i^-(1+αβ)`` (deterministic).

    Examples
    --------
    The per-mode target power is ``λ_i w*_i² = i^-(1+αβ)``:

    >>> i = np.arange(1.0, 6.0)
    >>> power = data_spectrum(5, 1.5) * target_weights(5, 1.5, 0.5) ** 2
    >>> bool(np.allclose(power, i ** -(1 + 1.5 * 0.5)))
    True
    """
    return np.arange(1, dim + 1, dtype=np.float64) ** (-(1.0 + alpha * beta - alpha) / 2.0)


def draw_sketch(features: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """Gaussian sketch ``S ∈ R^{m×d}`` with iid ``N(0, 1/m)`` entries.

    Examples
    --------
    Entries have variance 1/m:

    >>> s = draw_sketch(200, 50, np.random.default_rng(0))
    >>> s.shape, round(float((s**2).mean() * 200), 2)
    ((200, 50), 1.0)
    """
    return rng.standard_normal((features, dim)) / np.sqrt(features)


@dataclass(frozen=True)
class ReducedProblem:
    """The sketched problem in the eigenbasis of K.

    Attributes
    ----------
    eigs : ndarray, shape (r,)
        Positive eigenvalues of K, descending (r = rank of K).
    vstar : ndarray, shape (r,)
        Coordinates of v* in the eigenbasis.
    approx : float
        σ_r², variance of the part of the target outside the sketch (twice the approximation
        risk).
    noise_var : float
        σ², label-noise variance.
    basis : ndarray, shape (m, r) or None
        Eigenvectors U of K (kept only when asked for, for literal simulation).

    Examples
    --------
    >>> lam = data_spectrum(3, 1.0)
    >>> problem = reduce_identity(lam, target_weights(3, 1.0, 1.0), noise_var=0.1)
    >>> problem.irreducible, problem.mode_spectrum().size
    (0.1, 3)
    """

    eigs: np.ndarray
    vstar: np.ndarray
    approx: float
    noise_var: float
    basis: np.ndarray | None = None

    @property
    def irreducible(self) -> float:
        """``s² = σ_r² + σ²``: twice the risk floor."""
        return self.approx + self.noise_var

    def mode_spectrum(self) -> ModeSpectrum:
        """Modes for the risk recursion, starting from v = 0 (C_k(0) = v*_k²)."""
        return ModeSpectrum(self.eigs, np.ones(self.eigs.size), self.vstar**2, self.irreducible)


def reduce_identity(lam: np.ndarray, wstar: np.ndarray, noise_var: float) -> ReducedProblem:
    """No sketch: K = H is already diagonal, v* = w*, no approximation error.

    Examples
    --------
    Without a sketch nothing is lost and v* = w*:

    >>> w = target_weights(4, 1.0, 1.0)
    >>> problem = reduce_identity(data_spectrum(4, 1.0), w, 0.0)
    >>> problem.approx, bool(np.array_equal(problem.vstar, w))
    (0.0, True)
    """
    return ReducedProblem(lam.copy(), wstar.copy(), 0.0, float(noise_var), None)


def reduce_sketch(
    sketch: np.ndarray,
    lam: np.ndarray,
    wstar: np.ndarray,
    noise_var: float,
    *,
    keep_basis: bool = False,
) -> ReducedProblem:
    """Eigenbasis of ``K = S H Sᵀ``, the best sketched parameter and the approximation error.

    Uses the thin SVD of ``B = S H^{1/2}`` (m×d): ``K = U Σ² Uᵀ`` and ``SHw* = B a`` with
    ``a = H^{1/2} w*``, so ``Uᵀ S H w* = Σ Vᵀ a`` and ``v*_k = (Vᵀa)_k/σ_k``. Singular values
    below ``RANK_TOL · max(m, d) · σ_max`` are treated as zero (their part of the target joins
    the approximation error).

    Examples
    --------
    Against the direct formulas ``eig(S H Sᵀ)`` and ``σ_r² = w*ᵀHw* − (SHw*)ᵀK⁺(SHw*)`` for
    m = 10 < d = 50; a sketch with m ≥ d loses nothing:

    >>> lam, w = data_spectrum(50, 1.5), target_weights(50, 1.5, 0.5)
    >>> s = draw_sketch(10, 50, np.random.default_rng(0))
    >>> problem = reduce_sketch(s, lam, w, 0.1)
    >>> k, b = s @ np.diag(lam) @ s.T, s @ (lam * w)
    >>> bool(np.allclose(problem.eigs, np.linalg.eigvalsh(k)[::-1]))
    True
    >>> bool(np.isclose(problem.approx, w @ (lam * w) - b @ np.linalg.pinv(k) @ b))
    True
    >>> full = reduce_sketch(draw_sketch(80, 50, np.random.default_rng(0)), lam, w, 0.1)
    >>> round(full.approx, 12)
    0.0
    """
    sqrt_lam = np.sqrt(lam)
    b = sketch * sqrt_lam[None, :]
    u, s, vt = np.linalg.svd(b, full_matrices=False)
    keep = s > RANK_TOL * max(b.shape) * (s[0] if s.size else 0.0)
    u, s, vt = u[:, keep], s[keep], vt[keep]
    a = sqrt_lam * wstar
    proj = vt @ a
    resid = a - vt.T @ proj
    approx = float(resid @ resid)
    return ReducedProblem(
        eigs=s**2,
        vstar=proj / s,
        approx=approx,
        noise_var=float(noise_var),
        basis=u if keep_basis else None,
    )


def validate_power_law_setting(config: Any, owner: str) -> None:
    """Check and normalise the fields every sketched power-law model shares, in place.

    ``dim`` and ``features`` (ints ≥ 1), ``convention`` (one of :data:`exponents.CONVENTIONS`),
    ``alpha`` and ``beta`` (finite; ``beta`` may be None) and their joint domain in that
    convention. Used by the configs of ``models.sgd`` and ``models.feature_learning``.

    Examples
    --------
    >>> from scalinglab.models.sgd import SGDConfig
    >>> SGDConfig(dim=0, features=10, alpha=1.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: The 'dim' parameter of SGDConfig must be an int ...
    """
    set_ = object.__setattr__
    set_(config, "dim", check_int(config.dim, "dim", owner, low=1))
    set_(config, "features", check_int(config.features, "features", owner, low=1))
    check_choice(config.convention, "convention", owner, ex.CONVENTIONS)
    set_(config, "alpha", check_real(config.alpha, "alpha", owner))
    if config.beta is not None:
        set_(config, "beta", check_real(config.beta, "beta", owner))
    ex.to_note(config.convention, config.alpha, config.beta)  # domain check
