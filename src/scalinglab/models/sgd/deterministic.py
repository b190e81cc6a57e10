"""Deterministic equivalent of the sketched spectrum: the modes of K = S H Sᵀ without a sketch.

For a Gaussian sketch ``S ∈ R^{m×d}`` (entries N(0, 1/m)), ``K = S H Sᵀ`` is a sample-covariance
type matrix; its normalised Stieltjes transform ``s(ζ) = (1/m) tr (K − ζ)⁻¹`` concentrates on the
solution of the Marchenko–Pastur/Silverstein equation

.. math:: s = \\Big(-ζ + \\frac1m \\sum_{i=1}^d \\frac{λ_i}{1 + λ_i s}\\Big)^{-1},

and with ``κ = 1/s`` (the effective ridge at ridge −ζ) the target-weighted resolvent is
``aᵀ(M̃ − ζ)⁻¹a ≃ (κ/(−ζ)) Σ_i a_i²/(λ_i + κ)``, ``M̃ = H^{1/2}SᵀSH^{1/2}``, ``a_i² = λ_i w*_i²``
(Bach 2023, Prop. 1; Paquette et al. 2024, the deterministic equivalent of their eq. 12 with
``1 = m_s + (1/d)Σ ...``). Since ``Bᵀ φ(BBᵀ) B = φ(BᵀB) BᵀB`` for ``B = S H^{1/2}``, the forcing
weights of the risk recursion, ``Σ_k λ_k C_k(0) δ(x − λ_k)``, are exactly the spectral measure of
``M̃`` in the direction a on x > 0; the atom at x = 0 carries the approximation error
``σ_r² = κ₀ Σ_i a_i²/(λ_i + κ₀)`` with ``Σ_i λ_i/(λ_i + κ₀) = m`` (m < d).

:func:`deterministic_modes` evaluates both spectral densities slightly above the real axis on a
log grid (continuation in x with Newton steps) and turns them into weighted atoms, so the exact
SGD solvers of :mod:`scalinglab.models.sgd.theory` apply unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._types import Status
from scalinglab.core.effective_ridge import effective_ridge, require_converged
from scalinglab.models.sgd.theory import ModeSpectrum

__all__ = [
    "DeterministicModes",
    "SpectralAtoms",
    "approximation_error",
    "config_spectrum",
    "deterministic_modes",
    "ridge_kappa",
    "spectral_atoms",
]

_NEWTON_ITER = 50
_FIXED_POINT_ITER = 2000
_GAP_FACTOR = 100.0  # Im s below this many ε·|s| is a spectral gap


def ridge_kappa(lam: np.ndarray, target_df: float) -> float:
    """κ > 0 with ``Σ_i λ_i/(λ_i + κ) = target_df`` (0 < target_df < #λ).

    The package's one effective-ridge solver (:mod:`scalinglab.core.effective_ridge`); raises
    if it does not converge.

    Examples
    --------
    Two equal eigenvalues at df = 1: ``2/(1 + κ) = 1``, so κ = 1:

    >>> ridge_kappa(np.array([1.0, 1.0]), 1.0)
    1.0
    """
    n = np.asarray(lam).size
    if not 0.0 < target_df < n:
        raise ValueError("target_df must lie in (0, number of eigenvalues)")
    return float(require_converged(effective_ridge(lam, target_df)))


def approximation_error(lam: np.ndarray, energy: np.ndarray, features: int) -> float:
    """Deterministic equivalent of σ_r² (twice the approximation risk of the best sketched model).

    ``σ_r² ≃ κ₀ Σ_i a_i²/(λ_i + κ₀)`` with ``df₁(κ₀) = m`` (Bach 2023; the ridgeless limit of
    the random-feature bias); 0 when m ≥ d.

    Examples
    --------
    Against the exact σ_r² of sketched draws (d = 400, m = 100), averaged over 20 sketches:

    >>> from scalinglab.models.sgd.problem import (
    ...     data_spectrum, draw_sketch, reduce_sketch, target_weights)
    >>> lam, w = data_spectrum(400, 1.5), target_weights(400, 1.5, 0.5)
    >>> theory = approximation_error(lam, lam * w**2, 100)
    >>> draws = [reduce_sketch(draw_sketch(100, 400, np.random.default_rng(s)), lam, w, 0.0).approx
    ...          for s in range(20)]
    >>> sem = np.std(draws, ddof=1) / np.sqrt(20)
    >>> bool(abs(np.mean(draws) - theory) < 3 * sem)  # 3 SEM over 20 sketches
    True
    >>> approximation_error(lam, lam * w**2, 400)  # m ≥ d: nothing is lost
    0.0
    """
    if features >= lam.size:
        return 0.0
    k0 = ridge_kappa(lam, float(features))
    return float(k0 * np.sum(energy / (lam + k0)))


@dataclass(frozen=True)
class DeterministicModes:
    """Atoms of the deterministic-equivalent spectrum and their diagnostics.

    ``mass_error`` and ``weight_error`` are the relative differences between the raw
    quadrature of the densities and their exact totals (min(m, d) modes, ‖a‖² − σ_r² target
    weight) before the atoms were renormalised.

    Examples
    --------
    The atoms carry min(m, d) modes, and before renormalisation the quadrature was already
    within a per cent of the exact totals:

    >>> from scalinglab.models.sgd.problem import data_spectrum, target_weights
    >>> lam, w = data_spectrum(400, 1.5), target_weights(400, 1.5, 0.5)
    >>> modes = deterministic_modes(lam, lam * w**2, 100, 0.1, points_per_decade=50)
    >>> modes.status.value, round(float(modes.spectrum.counts.sum()), 9)
    ('converged', 100.0)
    >>> abs(modes.mass_error) < 0.01, abs(modes.weight_error) < 0.01
    (True, True)
    """

    spectrum: ModeSpectrum
    approx: float
    mass_error: float
    weight_error: float
    status: Status


def _residual(lam: np.ndarray, mult: np.ndarray, m: int, zeta: complex, s: complex) -> float:
    return float(abs(s * (-zeta + np.sum(mult * lam / (1.0 + lam * s)) / m) - 1.0))


def _newton_s(lam: np.ndarray, mult: np.ndarray, m: int, zeta: complex, s: complex) -> complex:
    for _ in range(_NEWTON_ITER):
        den = 1.0 + lam * s
        h = np.sum(mult * lam / den) / m
        hp = -np.sum(mult * (lam / den) ** 2) / m
        step = (s * (-zeta + h) - 1.0) / (-zeta + h + s * hp)
        s = s - step
        if not np.isfinite(s) or abs(step) <= 1e-13 * abs(s):
            break
    return complex(s)


def _solve_s(
    lam: np.ndarray, mult: np.ndarray, m: int, zeta: complex, s0: complex
) -> tuple[complex, bool]:
    """Root of ``s(−ζ + (1/m)Σ n λ/(1+λs)) = 1`` on the upper-half-plane branch.

    Newton from ``s0`` (the previous grid point); if that fails or leaves the branch, the
    fixed-point map (a contraction on the upper half-plane) brings it back and Newton polishes.
    """
    s = _newton_s(lam, mult, m, zeta, s0)
    if np.isfinite(s) and s.imag > -1e-9 * abs(s) and _residual(lam, mult, m, zeta, s) < 1e-9:
        return s, True
    s = s0 if (np.isfinite(s0) and s0.imag > 0) else 1j / abs(zeta)
    for _ in range(_FIXED_POINT_ITER):
        s_new = 1.0 / (-zeta + np.sum(mult * lam / (1.0 + lam * s)) / m)
        done = abs(s_new - s) <= 1e-12 * abs(s_new)
        s = s_new
        if done:
            break
    polished = _newton_s(lam, mult, m, zeta, s)
    if np.isfinite(polished) and polished.imag > -1e-9 * abs(polished):
        if _residual(lam, mult, m, zeta, polished) < _residual(lam, mult, m, zeta, s):
            s = polished
    return complex(s), bool(np.isfinite(s) and _residual(lam, mult, m, zeta, s) < 1e-6)


@dataclass(frozen=True)
class SpectralAtoms:
    """Weighted atoms of the positive spectrum of ``M̃ = H^{1/2} GᵀG H^{1/2}/m`` (G: m×d
    standard Gaussian) in the deterministic-equivalent limit.

    Attributes
    ----------
    x : ndarray, shape (n,)
        Atom locations (increasing).
    counts : ndarray, shape (n,)
        Eigenvalues per atom; they sum to ``min(m, Σ mult)``.
    weights : ndarray, shape (k, n)
        For each energy vector a², the measure ``Σ_j (u_jᵀa)² δ(x − x_j)`` of M̃'s
        eigenvectors u_j on x > 0, per atom; row i sums to ``Σ a_i² − zero_weights[i]``.
    zero_weights : ndarray, shape (k,)
        The part of each energy on the null space of M̃: ``κ₀ Σ a²/(λ + κ₀)`` (m < d), else 0.
    mass_error, weight_errors
        Relative errors of the raw quadrature against those totals, before renormalising.
    status : Status
    """

    x: np.ndarray
    counts: np.ndarray
    weights: np.ndarray
    zero_weights: np.ndarray
    mass_error: float
    weight_errors: np.ndarray
    status: Status


def spectral_atoms(
    lam: np.ndarray,
    multiplicity: np.ndarray | None,
    samples: int,
    energies: np.ndarray,
    *,
    points_per_decade: int = 200,
    smoothing: float = 1e-6,
) -> SpectralAtoms:
    """Atoms of a sample-covariance spectrum and of several weighted spectral measures.

    ``M̃ = H^{1/2} GᵀG H^{1/2}/m`` covers both uses in the package: the sketched covariance
    (H the data spectrum, m the sketch size) and the empirical covariance ``K̂ = ZᵀZ/P`` of P
    samples (H = K, m = P). ``s(ζ) = (1/m)tr(GHGᵀ/m − ζ)⁻¹`` solves the Marchenko–Pastur /
    Silverstein equation ``s(−ζ + (1/m)Σ_i n_i λ_i/(1 + λ_i s)) = 1`` (multiplicities n_i),
    κ = 1/s, and ``aᵀ(M̃ − ζ)⁻¹a ≃ (κ/(−ζ)) Σ_i a_i²/(λ_i + κ)`` (Bach 2023, Prop. 1). Both
    densities are sampled at ``ζ = x(1 + i·smoothing)`` on a log grid from above the bulk edge
    down, with continuation in x (midpoint rule in log x), as :func:`deterministic_modes`.

    Parameters
    ----------
    lam : ndarray, shape (d,)
        Eigenvalues λ_i > 0 of H.
    multiplicity : ndarray, shape (d,), optional
        n_i (default 1): atoms of H may stand for several modes.
    samples : int
        m.
    energies : ndarray, shape (k, d)
        Rows a² (summed over the modes of an atom of H).

    Examples
    --------
    One eigenvalue λ = 1 of multiplicity 200 and m = 400 samples: the Marchenko–Pastur law
    with ratio ½, whose mean is 1 and whose second moment is 1 + ½:

    >>> at = spectral_atoms(np.ones(1), np.array([200.0]), 400, np.array([[200.0]]),
    ...                     points_per_decade=400)
    >>> round(float(at.counts.sum()), 9)
    200.0
    >>> mean, second = at.counts @ at.x / 200, at.counts @ at.x**2 / 200
    >>> bool(abs(mean - 1) < 2e-3), bool(abs(second - 1.5) < 5e-3)
    (True, True)
    """
    lam = np.asarray(lam, dtype=np.float64)
    mult = np.ones_like(lam) if multiplicity is None else np.asarray(multiplicity, float)
    energies = np.atleast_2d(np.asarray(energies, dtype=np.float64))
    m = int(samples)
    d_eff = float(mult.sum())
    n_pos = min(float(m), d_eff)
    zero_modes = m - n_pos  # zero eigenvalues of the m×m companion when m > d
    if m < d_eff:
        k0 = float(require_converged(effective_ridge(lam, float(m), weights=mult)))
        zero_w = k0 * np.sum(energies / (lam + k0), axis=1)
    else:
        zero_w = np.zeros(energies.shape[0])
    top = (np.sqrt(lam.max()) + np.sqrt(np.sum(mult * lam) / m)) ** 2
    x_hi = 4.0 * top
    x_lo = 1e-4 * lam.min() * (1.0 - np.sqrt(min(d_eff, m) / max(d_eff, m)) + 1e-3) ** 2
    delta = np.log(10.0) / points_per_decade
    n_pts = int(np.ceil(np.log(x_hi / x_lo) / delta)) + 1
    xs = x_hi * np.exp(-delta * np.arange(n_pts))
    eps = smoothing
    dens = np.zeros(n_pts)
    wts = np.zeros((energies.shape[0], n_pts))
    zeta0 = xs[0] * (1 + 1j * eps)
    s = 1.0 / (-zeta0 + np.sum(mult * lam / (1.0 - lam / zeta0)) / m)
    ok = True
    for j, x in enumerate(xs):
        zeta = x * (1.0 + 1j * eps)
        s, good = _solve_s(lam, mult, m, zeta, s)
        ok = ok and good
        # remove the exact zeros of the m×m companion (m > d) from the normalised transform
        s_pos = s + zero_modes / (m * zeta)
        # Outside the support Im s is only the O(ε) smoothing: treat it as a gap.
        if s_pos.imag <= _GAP_FACTOR * eps * abs(s_pos):
            continue
        dens[j] = m * s_pos.imag / np.pi
        kappa = 1.0 / s
        tw = (kappa / (-zeta)) * (energies / (lam + kappa)).sum(axis=1) + zero_w / zeta
        wts[:, j] = tw.imag / np.pi
    counts = np.maximum(dens, 0.0) * xs * delta
    weights = np.maximum(wts, 0.0) * xs * delta
    totals = energies.sum(axis=1) - zero_w
    mass_error = float(counts.sum() / n_pos - 1.0)
    sums = weights.sum(axis=1)
    safe = np.where(sums > 0, sums, 1.0)
    weight_errors = np.where(totals > 0, sums / np.where(totals > 0, totals, 1.0) - 1.0, 0.0)
    counts *= n_pos / counts.sum()
    scale = np.where((totals > 0) & (sums > 0), totals / safe, 1.0)
    weights *= scale[:, None]
    tiny = 1e-14 * counts.max()
    keep = (counts > tiny) | np.any(
        weights > 1e-14 * np.maximum(weights.max(axis=1, keepdims=True), 1e-300), axis=0
    )
    counts = np.maximum(counts[keep], tiny)[::-1]
    status = Status.CONVERGED if ok else Status.FAILED
    return SpectralAtoms(
        xs[keep][::-1], counts, weights[:, keep][:, ::-1], zero_w, mass_error, weight_errors,
        status,
    )  # fmt: skip


def deterministic_modes(
    lam: np.ndarray,
    energy: np.ndarray,
    features: int,
    noise_var: float,
    *,
    points_per_decade: int = 200,
    smoothing: float = 1e-6,
) -> DeterministicModes:
    """Weighted atoms approximating the spectrum of K and the target weights, for large d, m.

    Parameters
    ----------
    lam : ndarray, shape (d,)
        Data eigenvalues λ_i.
    energy : ndarray, shape (d,)
        Target energy per data mode ``a_i² = λ_i w*_i²``.
    features : int
        m, the sketch size.
    noise_var : float
        σ², label-noise variance (added to the irreducible term).
    points_per_decade : int
        Resolution of the log grid in x.
    smoothing : float
        Relative imaginary part of ζ = x(1 + i·smoothing), just enough to pick the right branch;
        the densities are then sampled essentially on the real axis (midpoint rule in log x,
        spacing ``Δ = ln 10 / points_per_decade``).

    Returns
    -------
    DeterministicModes
        Atoms at the grid points with count ``(m/π) Im s · x Δ`` and target weight
        ``(1/π) Im[aᵀ(M̃−ζ)⁻¹a + σ_r²/ζ] · x Δ`` (the atom at zero removed), renormalised to the
        exact totals.

    Examples
    --------
    The SGD risk on the atoms matches the exact risk of actual sketches, averaged over eight
    draws (d = 400, m = 100, 1000 steps):

    >>> from scalinglab.models.sgd.problem import (
    ...     data_spectrum, draw_sketch, reduce_sketch, target_weights)
    >>> from scalinglab.models.sgd.theory import risk_spectral
    >>> lam, w = data_spectrum(400, 1.5), target_weights(400, 1.5, 0.5)
    >>> modes = deterministic_modes(lam, lam * w**2, 100, 0.1, points_per_decade=50)
    >>> steps = np.array([100, 1000])
    >>> equivalent = risk_spectral(modes.spectrum, 0.25, 1, steps).risk
    >>> sketched = np.array([risk_spectral(reduce_sketch(draw_sketch(100, 400,
    ...     np.random.default_rng(s)), lam, w, 0.1).mode_spectrum(), 0.25, 1, steps).risk
    ...     for s in range(8)])
    >>> sem = sketched.std(axis=0, ddof=1) / np.sqrt(8)
    >>> bool(np.all(np.abs(sketched.mean(axis=0) - equivalent) < 3 * sem))  # 3 SEM, 8 sketches
    True
    """
    lam = np.asarray(lam, dtype=np.float64)
    energy = np.asarray(energy, dtype=np.float64)
    atoms = spectral_atoms(lam, None, int(features), energy[None, :],
                           points_per_decade=points_per_decade, smoothing=smoothing)  # fmt: skip
    approx = float(atoms.zero_weights[0])
    weights = atoms.weights[0]
    spectrum = ModeSpectrum(atoms.x, atoms.counts, weights / atoms.x, approx + float(noise_var))
    mass_error, weight_error, status = atoms.mass_error, float(atoms.weight_errors[0]), atoms.status
    return DeterministicModes(spectrum, approx, mass_error, weight_error, status)


def config_spectrum(
    cfg, *, points_per_decade: int | None = None
) -> tuple[ModeSpectrum, Status, str]:
    """The mode spectrum of an SGD/GD config with its sketch replaced by deterministic atoms.

    ``cfg`` needs ``data_spectrum()``, ``target()``, ``features``, ``noise_var`` and
    ``sketch`` (:class:`scalinglab.models.sgd.SGDConfig`). Without a sketch the spectrum is
    exact. Returns (spectrum, status, a one-line description).

    Examples
    --------
    >>> from scalinglab.models.sgd.model import SGDConfig
    >>> spec, status, msg = config_spectrum(SGDConfig(dim=200, features=50, alpha=1.5, beta=0.5))
    >>> round(float(spec.counts.sum()), 9), status.value
    (50.0, 'converged')
    """
    from scalinglab.models.sgd.problem import reduce_identity

    lam, wstar = cfg.data_spectrum(), cfg.target()
    if cfg.sketch == "none":
        return reduce_identity(lam, wstar, cfg.noise_var).mode_spectrum(), Status.CONVERGED, (
            "no sketch: exact"
        )
    modes = deterministic_modes(
        lam,
        lam * wstar**2,
        cfg.features,
        cfg.noise_var,
        points_per_decade=points_per_decade or max(200, int(np.ceil(2.5 * np.sqrt(cfg.features)))),
    )
    spec = modes.spectrum
    msg = (
        f"sketch by {spec.size} deterministic-equivalent atoms; raw mass error "
        f"{modes.mass_error:+.1e}, weight error {modes.weight_error:+.1e}"
    )
    return spec, modes.status, msg
