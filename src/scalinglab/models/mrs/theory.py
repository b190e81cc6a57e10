"""Closed-form and self-consistent theory of the MRS model (no sampling).

All equation numbers refer to Maloney, Roberts & Sully (2022), "A Solvable Model of Neural
Scaling Laws" (arXiv:2210.16859). Scales: latent dimension M, features N, samples T; teacher
variance σ_w², label-noise variance σ_ε², spectrum λ_I = λ₊ I^-(1+α) (eq. 23).
"""

from __future__ import annotations

import numpy as np

from scalinglab.core import rmt

__all__ = [
    "label_term_curve",
    "label_term_ridgeless",
    "linear_model_loss",
    "linear_model_loss_marchenko_pastur",
    "linear_model_loss_power_law",
    "noise_coefficient",
    "noise_term_optimal_ridge_heuristic",
    "noise_term_ridgeless",
    "optimal_ridge_fit",
    "plateau",
    "power_law_prefactor",
    "regime",
]


def regime(features: int, samples: int, latent_dim: int) -> str:
    """Which scale is largest (MRS §4.1).

    One of ``"N,T<M"``, ``"T<M<=N"``, ``"N<M<=T"`` or ``"N,T>=M"``.

    Examples
    --------
    >>> regime(features=100, samples=300, latent_dim=1000), regime(2000, 300, 1000)
    ('N,T<M', 'T<M<=N')
    """
    n_big, t_big = features >= latent_dim, samples >= latent_dim
    if n_big and t_big:
        return "N,T>=M"
    if n_big:
        return "T<M<=N"
    if t_big:
        return "N<M<=T"
    return "N,T<M"


def _delta_minus1(
    mu: float, lam: np.ndarray, *, closed_form: bool, alpha: float, lambda_plus: float
) -> float:
    if closed_form:
        return float(rmt.delta_minus1_closed_form(mu, lam.size, alpha, lambda_plus))
    return float(rmt.delta_minus1(lam, mu))


def label_term_ridgeless(
    features: int,
    samples: int,
    lam: np.ndarray,
    *,
    teacher_var: float = 1.0,
    closed_form: bool = False,
    alpha: float | None = None,
    lambda_plus: float | None = None,
) -> float:
    """Noiseless ridgeless test loss, MRS eq. (163).

    ``L = σ_w²/(2M) · Δ₋₁(min(N,T), M) / (1 − min(N,T)/max(N,T))``, with Δ₋₁ the root of
    eq. (164) (or the closed form (165) if ``closed_form``), and ``Δ₋₁(μ ≥ M) = 0`` (§4.1), so
    the loss is 0 when both N and T reach M. It is symmetric under N ↔ T and diverges at N = T.

    Examples
    --------
    Symmetric under N ↔ T, zero once both exceed M, infinite at N = T:

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> lam = power_law_spectrum(1000, alpha=1.0)
    >>> label_term_ridgeless(100, 300, lam) == label_term_ridgeless(300, 100, lam)
    True
    >>> label_term_ridgeless(2000, 3000, lam), label_term_ridgeless(200, 200, lam)
    (0.0, inf)
    """
    m = lam.size
    lo, hi = min(features, samples), max(features, samples)
    if lo >= m:
        return 0.0
    if lo == hi:
        return float("inf")
    if closed_form and (alpha is None or lambda_plus is None):
        raise ValueError("the closed form (165) needs alpha and lambda_plus")
    delta = _delta_minus1(
        lo, lam, closed_form=closed_form, alpha=alpha or 0.0, lambda_plus=lambda_plus or 0.0
    )
    return teacher_var / (2.0 * m) * delta / (1.0 - lo / hi)


def label_term_curve(
    features: np.ndarray | int, samples: np.ndarray | int, lam: np.ndarray, teacher_var: float = 1.0
) -> np.ndarray:
    """Vectorised eq. (163) over arrays of N and T (broadcast); ``inf`` at N = T < M.

    Examples
    --------
    Agrees point by point with :func:`label_term_ridgeless`:

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> lam = power_law_spectrum(1000, alpha=1.0)
    >>> curve = label_term_curve(np.array([100, 300, 2000]), 300, lam)
    >>> bool(np.isclose(curve[0], label_term_ridgeless(100, 300, lam))), float(curve[1])
    (True, inf)
    """
    n = np.asarray(features, dtype=np.float64)
    t = np.asarray(samples, dtype=np.float64)
    n, t = np.broadcast_arrays(n, t)
    lo, hi = np.minimum(n, t), np.maximum(n, t)
    m = lam.size
    delta = np.asarray(rmt.delta_minus1(lam, lo.ravel())).reshape(lo.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = teacher_var / (2.0 * m) * delta / (1.0 - lo / hi)
    out = np.where(lo >= m, 0.0, np.where(lo == hi, np.inf, out))
    return out


def noise_coefficient(
    features: int, samples: int, lam: np.ndarray, alpha: float, *, form: str = "spectrum"
) -> float:
    """Δ^F₀(T, N): the ridgeless noise term is ``σ_ε²/2 · Δ^F₀`` (MRS eqs. 62, 85).

    Parameters
    ----------
    form : {"spectrum", "closed_form"}
        ``"closed_form"``: MRS eq. (86) = (267), read as ``α + 1/(r/T − 1)`` for T < r and
        ``1/(T/r − 1)`` for T > r, with r = min(N, M) the rank of the features.

        ``"spectrum"`` (any spectrum Λ): the App. B equations (253)–(254) applied to the
        projected spectrum of ``Ω = u Λ uᵀ`` (eq. 263), with the spectrum of Ω replaced by its
        deterministic equivalent (Ω has the nonzero spectrum of an unnormalised sample
        covariance of Λ with N samples). With κ the effective ridge of Λ at μ = T
        (``Σ λ/(λ+κ) = T``) and ``d = Σ λ²/(λ+κ)²``, this gives, for T < r,

        ``Δ^F₀ = (N d + T² − 2 T d) / ((N − T)(T − d))``,

        and ``r/(T − r)`` for T > r. It reduces to ``d/(T − d) = Δ₀(T, M)`` (eq. 265–266) as
        N → ∞, and to eq. (86) when ``Δ₀(T, M) = α`` (the scaling value (257)). This closed
        expression is derived here (it is not printed in the paper); against simulation it is
        within about 1 % for T ≳ 50, where (86) is 3–11 % low in the crossover T ~ r/3 … r.

    Examples
    --------
    Above the rank r = min(N, M) both forms are ``r/(T − r)``; below it the closed form (86) is
    α + 1/(r/T − 1), and the spectrum form tends to Δ₀(T, M) as N → ∞:

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> lam = power_law_spectrum(1000, alpha=1.0)
    >>> noise_coefficient(100, 300, lam, 1.0)
    0.5
    >>> noise_coefficient(100, 50, lam, 1.0, form="closed_form")
    2.0
    >>> wide = noise_coefficient(10**7, 50, lam, 1.0)
    >>> bool(np.isclose(wide, rmt.delta_0(lam, 50), rtol=1e-4))
    True
    """
    m = lam.size
    r = min(features, m)
    t = samples
    if t == r:
        return float("inf")
    if t > r:
        return r / (t - r)
    if form == "closed_form":
        return float(rmt.delta_0_interpolation(t, r, alpha))
    if form != "spectrum":
        raise ValueError(f"unknown noise form {form!r}")
    kappa = float(rmt.effective_ridge(lam, t).kappa)
    d = float(np.sum((lam / (lam + kappa)) ** 2))
    n = float(features)
    return (n * d + t * t - 2.0 * t * d) / ((n - t) * (t - d))


def noise_term_ridgeless(
    features: int,
    samples: int,
    lam: np.ndarray,
    alpha: float,
    *,
    noise_var: float,
    form: str = "spectrum",
) -> float:
    """Noise term of the ridgeless test loss ``σ_ε²/2 · Δ^F₀(T, N)`` (:func:`noise_coefficient`).

    Examples
    --------
    ``σ_ε²/2 · r/(T − r)`` with r = N = 100, T = 300: 0.2/2 · 1/2:

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> lam = power_law_spectrum(1000, alpha=1.0)
    >>> round(noise_term_ridgeless(100, 300, lam, 1.0, noise_var=0.2), 12)
    0.05
    """
    if noise_var == 0:
        return 0.0
    return 0.5 * noise_var * noise_coefficient(features, samples, lam, alpha, form=form)


def plateau(
    mu: int,
    lam: np.ndarray,
    *,
    teacher_var: float = 1.0,
    closed_form: bool = False,
    alpha: float | None = None,
    lambda_plus: float | None = None,
) -> float:
    """Plateau ``σ_w²/(2M) Δ₋₁(μ, M)``: eq. (169) with μ = T (N ≫ T), eq. (170) with μ = N (T ≫ N).

    Also the N → ∞ limit (182) of the loss when μ = T.

    Examples
    --------
    The N → ∞ limit of the ridgeless loss (eq. 182):

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> lam = power_law_spectrum(1000, alpha=1.0)
    >>> bool(np.isclose(plateau(300, lam), label_term_ridgeless(10**9, 300, lam)))
    True
    """
    if closed_form and (alpha is None or lambda_plus is None):
        raise ValueError("the closed form (165) needs alpha and lambda_plus")
    delta = _delta_minus1(
        mu, lam, closed_form=closed_form, alpha=alpha or 0.0, lambda_plus=lambda_plus or 0.0
    )
    return teacher_var / (2.0 * lam.size) * delta


def power_law_prefactor(
    latent_dim: int, alpha: float, lambda_plus: float, teacher_var: float
) -> float:
    """L₀ = λ₊ σ_w² k(α)/(2M), eq. (173): ``L ≈ L₀ μ^-α`` in the scaling regime (eqs. 167–168).

    Examples
    --------
    With k(1) = π²/4: L₀ = π²/(8M):

    >>> bool(np.isclose(power_law_prefactor(1000, 1.0, 1.0, 1.0), np.pi**2 / 8000))
    True
    """
    return lambda_plus * teacher_var * float(rmt.k_alpha(alpha)) / (2.0 * latent_dim)


def optimal_ridge_fit(
    features: int,
    samples: int,
    latent_dim: int,
    alpha: float,
    lambda_plus: float,
    teacher_var: float,
    *,
    include_latent: bool = True,
) -> float:
    """Phenomenological law for the optimally regularised noiseless loss.

    With ``include_latent=False``: eq. (171), ``L₀ (1/N + 1/T)^α``. Otherwise eq. (185), whose
    first line (N, T ≤ M) is eq. (172), ``L₀[(1/N + 1/T)^α − M^-α]``; for T ≤ M < N it is
    ``σ_w²λ₊/(2M){k(T^-α − M^-α) + M^-α[2 + α(1−k)](1 − T/M)}`` (the N → ∞ loss (182)); the
    case N ≤ M < T by N ↔ T duality; 0 when both exceed M. These are fits proposed by the paper,
    not derivations (MRS §3.2.2, §4.1).

    Examples
    --------
    For T ≤ M < N it is the closed-form plateau (182); it vanishes once N, T > M:

    >>> fit = optimal_ridge_fit(10**9, 300, 1000, 1.0, 1.0, 1.0)
    >>> closed = plateau(300, np.ones(1000), closed_form=True, alpha=1.0, lambda_plus=1.0)
    >>> bool(np.isclose(fit, closed)), optimal_ridge_fit(2000, 3000, 1000, 1.0, 1.0, 1.0)
    (True, 0.0)
    """
    l0 = power_law_prefactor(latent_dim, alpha, lambda_plus, teacher_var)
    n, t, m = float(features), float(samples), float(latent_dim)
    if not include_latent:
        return l0 * (1.0 / n + 1.0 / t) ** alpha
    if n <= m and t <= m:
        return l0 * ((1.0 / n + 1.0 / t) ** alpha - m**-alpha)
    if n > m and t > m:
        return 0.0
    lo = min(n, t)
    k = float(rmt.k_alpha(alpha))
    return (
        teacher_var
        * lambda_plus
        / (2.0 * m)
        * (k * (lo**-alpha - m**-alpha) + m**-alpha * (2.0 + alpha * (1.0 - k)) * (1.0 - lo / m))
    )


def noise_term_optimal_ridge_heuristic(
    samples: int, latent_dim: int, alpha: float, noise_var: float
) -> float:
    """Heuristic noise term at optimal ridge, eq. (187): ``σ_ε²/2 / [M/(T + αM) + T/M]``.

    Tends to ``σ_ε² α/2`` for T ≪ M and to ``σ_ε² M/(2T)`` for T ≫ M. The paper's "bump"
    correction (188) has an unspecified fit constant and is not implemented.

    Examples
    --------
    The two limits σ_ε² α/2 (T ≪ M) and σ_ε² M/(2T) (T ≫ M):

    >>> round(noise_term_optimal_ridge_heuristic(1, 10**6, alpha=1.0, noise_var=1.0), 6)
    0.5
    >>> round(noise_term_optimal_ridge_heuristic(10**8, 100, 1.0, 1.0) / (100 / 2e8), 6)
    1.0
    """
    t, m = float(samples), float(latent_dim)
    return 0.5 * noise_var / (m / (t + alpha * m) + t / m)


def linear_model_loss(
    dim: int,
    samples: int,
    lam: np.ndarray,
    *,
    teacher_var: float = 1.0,
    noise_var: float = 0.0,
) -> float:
    """Ridgeless test loss of the linear model without random features, MRS App. A eq. (219).

    Model ``z = θ x`` on x ∈ R^N with covariance Λ (``lam``, length N = ``dim``) and teacher
    variance σ_w²/N: ``L = ½[(σ_w²/N) Δ₋₁(T, N) + σ_ε² Δ₀(T, N)]``.

    Examples
    --------
    Isotropic data reproduces the Marchenko–Pastur form (227):

    >>> loss = linear_model_loss(100, 50, np.ones(100), noise_var=0.1)
    >>> bool(np.isclose(loss, linear_model_loss_marchenko_pastur(100, 50, 1.0, 1.0, 0.1)))
    True
    """
    if lam.size != dim:
        raise ValueError("the spectrum must have length dim")
    label = teacher_var / dim * float(rmt.delta_minus1(lam, samples)) if samples < dim else 0.0
    noise = noise_var * float(rmt.delta_0(lam, samples)) if noise_var > 0 else 0.0
    return 0.5 * (label + noise)


def linear_model_loss_marchenko_pastur(
    dim: int, samples: int, data_var: float, teacher_var: float, noise_var: float
) -> float:
    """App. A eq. (227) for isotropic data Λ = σ_x² I_N.

    ``½[σ_w²σ_x²(1 − T/N) + σ_ε²/(N/T − 1)]`` for T < N and ``½ σ_ε²/(T/N − 1)`` for T > N.

    Examples
    --------
    Below the interpolation point: ½[(1 − 1/2) + 0.1/(2 − 1)] = 0.3; above it only noise:

    >>> linear_model_loss_marchenko_pastur(100, 50, 1.0, 1.0, 0.1)
    0.3
    >>> linear_model_loss_marchenko_pastur(100, 200, 1.0, 1.0, 0.1)
    0.05
    """
    n, t = float(dim), float(samples)
    if t < n:
        return 0.5 * (teacher_var * data_var * (1 - t / n) + noise_var / (n / t - 1))
    if t > n:
        return 0.5 * noise_var / (t / n - 1)
    return float("inf")


def linear_model_loss_power_law(
    dim: int, samples: int, alpha: float, lambda_plus: float, teacher_var: float, noise_var: float
) -> float:
    """App. A eq. (230): the closed form of (219) for the power-law spectrum (23) in N dims.

    Examples
    --------
    Within a few per cent of the exact eq. (219) on the same spectrum:

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> exact = linear_model_loss(2000, 200, power_law_spectrum(2000, 1.0), noise_var=0.01)
    >>> round(linear_model_loss_power_law(2000, 200, 1.0, 1.0, 1.0, 0.01) / exact, 2)
    1.02
    """
    n, t = float(dim), float(samples)
    if t > n:
        return 0.5 * noise_var / (t / n - 1)
    if t == n:
        return float("inf")
    k = float(rmt.k_alpha(alpha))
    label = (
        lambda_plus
        * teacher_var
        / n ** (alpha + 1)
        * (k * ((n / t) ** alpha - 1) + (2 + alpha * (1 - k)) * (1 - t / n))
    )
    return 0.5 * (label + noise_var * (alpha + 1 / (n / t - 1)))
