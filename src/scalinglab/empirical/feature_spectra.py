"""Spectra of random-feature maps and kernels on data (MRS Figs. 4, 13, 14 pipelines)."""

from __future__ import annotations

import math

import numpy as np

from scalinglab._types import ProgressFn
from scalinglab._validation import InputError, check_int
from scalinglab.core.random_features import check_inputs, kernel_matrix, random_features

__all__ = ["kernel_spectra_vs_samples", "power_law_inputs", "random_feature_spectra"]




def power_law_inputs(
    samples: int,
    latent_dim: int,
    alpha: float,
    input_dim: int,
    rng: np.random.Generator,
    *,
    lambda_plus: float = 1.0,
    feature_var: float = 1.0,
) -> np.ndarray:
    """Inputs from the MRS data model: ``x_in = u x`` (rows), MRS Figs. 13–14 pipeline.

    Latent ``x ~ N(0, Λ)`` with ``λ_I = λ₊ I^-(1+α)`` (eq. 23) in M dims, projected by
    ``u ~ N(0, σ_u²/M)`` (eq. 28) to N_in dims. Because x is Gaussian, ``u x`` given u is
    ``N(0, Ω)`` with ``Ω = u Λ uᵀ``; the samples are drawn as ``g Ω^{1/2}`` (g: T × N_in
    standard normal), which has exactly the same law and never forms the M × T latent matrix.

    Examples
    --------
    The samples have covariance ``Ω = u Λ uᵀ``; the same seed reproduces u (drawn first):

    >>> from scalinglab.core.spectra import power_law_spectrum
    >>> x = power_law_inputs(20_000, 100, 1.0, 3, np.random.default_rng(0))
    >>> u = np.random.default_rng(0).standard_normal((3, 100)) / 10.0
    >>> omega = (u * power_law_spectrum(100, 1.0)) @ u.T
    >>> err = np.linalg.norm(x.T @ x / 20_000 - omega) / np.linalg.norm(omega)
    >>> x.shape, bool(err < 0.05)  # sampling error O(1/√T) ≈ 1 %
    ((20000, 3), True)
    """
    from scalinglab.core.spectra import power_law_spectrum

    t = check_int(samples, "samples", "power_law_inputs", low=1)
    m = check_int(latent_dim, "latent_dim", "power_law_inputs", low=1)
    n_in = check_int(input_dim, "input_dim", "power_law_inputs", low=1)
    lam = power_law_spectrum(m, alpha, lambda_plus)
    u = rng.standard_normal((n_in, m)) * math.sqrt(feature_var / m)
    f = u * np.sqrt(lam)[None, :]
    omega = f @ f.T
    w, v = np.linalg.eigh(omega)
    root = (v * np.sqrt(np.maximum(w, 0.0))) @ v.T
    return rng.standard_normal((t, n_in)) @ root


def kernel_spectra_vs_samples(
    x: np.ndarray,
    act: str,
    sample_sizes: list[int],
    *,
    weight_var: float | None = None,
    center_inputs: bool = True,
    progress: ProgressFn | None = None,
) -> dict[int, np.ndarray]:
    """Eigenvalues of the infinite-width kernel ``K/T`` on the first T rows, for each T.

    MRS Fig. 13 (``N_ReLU → ∞``): the spectrum of the data–data kernel (179) for growing T.
    Inputs are centred with the mean of all rows (MRS §2.1) when ``center_inputs``.

    Examples
    --------
    The eigenvalues of K/T sum to tr K/T; for ReLU with He weights ``K_ii = ‖x_i‖²/N_in``:

    >>> x = np.random.default_rng(1).standard_normal((40, 5))
    >>> spectra = kernel_spectra_vs_samples(x, "relu", [10, 40])
    >>> xc = x - x.mean(axis=0)
    >>> [(t, ev.size, bool(np.isclose(ev.sum(), (xc[:t] ** 2).sum() / (5 * t))))
    ...  for t, ev in spectra.items()]
    [(10, 10, True), (40, 40, True)]
    """
    from scalinglab.empirical.spectra import kernel_eigensystem

    arr = check_inputs(x)
    if center_inputs:
        arr = arr - arr.mean(axis=0)
    out: dict[int, np.ndarray] = {}
    for i, t in enumerate(sample_sizes):
        if t > arr.shape[0]:
            raise InputError(f"sample size {t} exceeds the {arr.shape[0]} available rows")
        k = kernel_matrix(arr[:t], act, weight_var=weight_var)
        out[t] = kernel_eigensystem(k).eigenvalues
        if progress is not None:
            progress(i + 1, len(sample_sizes))
    return out


def random_feature_spectra(
    x: np.ndarray,
    act: str,
    widths: list[int],
    rng: np.random.Generator,
    *,
    weight_var: float | None = None,
    center_inputs: bool = True,
) -> dict[int, np.ndarray]:
    """Eigenvalues of the feature covariance ``(1/T) Φᵀ Φ`` (MRS eq. 11) for several widths N.

    MRS Fig. 4: a linear map only adds zero eigenvalues, a nonlinear one extends the power law
    up to min(N, T). Uses the smaller of the N × N and T × T problems. Features are scaled by
    1/√N (see :func:`random_features`), so the eigenvalues are on the scale of the kernel's.

    Examples
    --------
    MRS Fig. 4: 50 linear features of 5-dimensional inputs span only 5 directions, while ReLU
    features have min(N, T) = 40 nonzero eigenvalues:

    >>> x = np.random.default_rng(1).standard_normal((40, 5))
    >>> linear = random_feature_spectra(x, "linear", [50], np.random.default_rng(2))[50]
    >>> relu = random_feature_spectra(x, "relu", [50], np.random.default_rng(2))[50]
    >>> linear.size, relu.size
    (5, 40)
    """
    from scalinglab.empirical.spectra import eigensystem

    arr = check_inputs(x)
    if center_inputs:
        arr = arr - arr.mean(axis=0)
    return {
        n: eigensystem(
            random_features(arr, n, act, rng, weight_var=weight_var), center=False
        ).eigenvalues
        for n in widths
    }
