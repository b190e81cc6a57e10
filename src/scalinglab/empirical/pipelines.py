"""Which spectrum to measure on a data set: the inputs, random features of them, or a kernel.

One entry point, :func:`measure_pipeline_spectrum`, takes a data matrix and a pipeline
(``features="none" | "linear:N" | "ACT:N"`` or ``kernel="ACT"``) and returns the exponent
estimate of :func:`scalinglab.empirical.spectra.estimate_exponents` together with a
description of what was measured. :func:`pipeline_memory` estimates its peak memory from the
sizes alone, before anything is allocated.

- ``none``: covariance of the centred inputs (capacity a from λ_k ∝ k^-a, source b from
  Σ_{l>k} λ_l w_l² ∝ k^-ab; Bordelon et al. 2020 / Maloney et al. 2022 §3).
- ``linear:N`` / ``ACT:N``: N random features φ = σ(W x) of the centred inputs, weights
  N(0, 1/d) (linear: variance d, so the map is an isometry on average).
- ``kernel=ACT``: the infinite-width kernel matrix of that activation on at most
  ``max_samples`` inputs (a random subset beyond that).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scalinglab._types import ProgressFn
from scalinglab._validation import InputError, check_int

__all__ = ["MAX_KERNEL_SAMPLES", "PipelineSpectrum", "measure_pipeline_spectrum", "pipeline_memory"]

MAX_KERNEL_SAMPLES = 6000  # n × n kernel: 288 MB and about a minute of eigh on 2 cores


@dataclass
class PipelineSpectrum:
    """An exponent estimate and what it was measured on."""

    estimate: object  # scalinglab.empirical.spectra.ExponentEstimate
    description: str
    notes: list[str] = field(default_factory=list)
    #: eigenvalues of the inputs' covariance, rescaled to the estimate's λ_1 (features and
    #: kernels only, when asked for), for plotting beside the measured spectrum
    reference: np.ndarray | None = None


def _parse(features: str, kernel: str | None) -> tuple[str, int | None]:
    from scalinglab.core import random_features as nonlinear
    from scalinglab.empirical.learning_curve import parse_features

    if kernel is not None and str(features).strip() != "none":
        raise InputError("Give either features or a kernel, not both.")
    if kernel is not None:
        nonlinear.parse_activation(kernel)
        return "kernel", None
    kind, widths = parse_features(features)
    if len(widths) > 1:
        raise InputError(
            f"features {features!r}: a spectrum takes one width (e.g. relu:4096); "
            "learning curves take several"
        )
    return kind, (widths[0] if widths else None)


def pipeline_memory(
    n_samples: int,
    n_inputs: int,
    *,
    features: str = "none",
    kernel: str | None = None,
    max_samples: int = MAX_KERNEL_SAMPLES,
) -> float:
    """Estimated peak bytes of :func:`measure_pipeline_spectrum` (float64, a few copies).

    Inputs: n × d (twice: data and centred copy). Features: n × N matrix plus its Gram
    (min(n, N)² for the eigendecomposition) and the weights N × d. Kernel: three m × m
    matrices (kernel, eigenvectors, workspace) for m = min(n, max_samples).

    Examples
    --------
    >>> pipeline_memory(1797, 64, features="relu:100000000") > 1e12
    True
    """
    kind, width = _parse(features, kernel)
    n, d = int(n_samples), int(n_inputs)
    base = 8.0 * 2 * n * d
    if kind == "kernel":
        m = min(n, int(max_samples))
        return base + 8.0 * 3 * m * m
    if kind == "none":
        return base + 8.0 * 3 * d * d
    w = int(width or 0)
    return base + 8.0 * (2 * n * w + w * d + 3 * min(n, w) ** 2)


def measure_pipeline_spectrum(
    x: np.ndarray,
    y: np.ndarray | None = None,
    *,
    features: str = "none",
    kernel: str | None = None,
    seed: int = 0,
    max_samples: int = MAX_KERNEL_SAMPLES,
    reference: bool = False,
    progress: ProgressFn | None = None,
) -> PipelineSpectrum:
    """Capacity and source exponents of the spectrum chosen by ``features``/``kernel``.

    Parameters
    ----------
    x : ndarray (n, d)
        Data, rows = samples (centred here).
    y : ndarray (n,) or (n, k), optional
        Labels for the source exponent.
    features : str
        ``"none"``, ``"linear:N"`` or ``"ACT:N"`` (one width).
    kernel : str, optional
        Activation of an infinite-width kernel instead of features.
    seed : int
        Seed of the random features or of the kernel's subsample.
    max_samples : int
        Kernel spectra use at most this many samples.
    reference : bool
        Also compute the inputs' spectrum (rescaled) for features and kernels.
    progress : callable(done, total), optional
        Three steps: the matrix, the estimate, the reference.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((400, 30)) * np.arange(1, 31) ** -1.0
    >>> m = measure_pipeline_spectrum(x)
    >>> m.description, round(m.estimate.capacity, 1)
    ('covariance of the centred inputs', 2.0)
    """
    from scalinglab.core import random_features as nonlinear
    from scalinglab.empirical.spectra import eigensystem, estimate_exponents

    kind, width = _parse(features, kernel)
    check_int(seed, "seed", "the spectrum", low=0)
    check_int(max_samples, "max_samples", "the spectrum", low=2)
    x = np.asarray(x, dtype=float)
    notes: list[str] = []
    rng = np.random.default_rng(seed)
    x = x - x.mean(axis=0)

    def step(i: int) -> None:
        if progress is not None:
            progress(i, 3)

    if kind == "kernel":
        if x.shape[0] > max_samples:
            keep = np.sort(rng.choice(x.shape[0], max_samples, replace=False))
            x, y = x[keep], (y[keep] if y is not None else None)
            notes.append(f"kernel on a random subset of {max_samples} samples (max_samples)")
        k = nonlinear.kernel_matrix(x, kernel)
        step(1)
        est = estimate_exponents(kernel=k, y=y)
        description = f"{kernel} kernel (infinite width), inputs centred"
    elif kind == "none":
        step(1)
        est = estimate_exponents(x, y)
        description = "covariance of the centred inputs"
    else:
        act = "linear" if kind == "linear" else kind
        var = float(x.shape[1]) if kind == "linear" else None
        phi = nonlinear.random_features(x, int(width), act, rng, weight_var=var)
        step(1)
        est = estimate_exponents(phi, y, center=False)
        description = f"{width} {act} random features of the centred inputs"
    step(2)
    ref = None
    if reference and kind != "none":
        ref = eigensystem(x).eigenvalues
        ref = ref * (est.eigenvalues[0] / ref[0])
    step(3)
    return PipelineSpectrum(estimate=est, description=description, notes=notes, reference=ref)
