"""Learning curves predicted from a measured spectrum, against actual random-feature regression.

The analogue of Maloney, Roberts & Sully (2022), Fig. 14, with a prediction: measure the
eigenvalues η_k of the kernel (or data covariance) and the label power ``v_k² = (u_kᵀy)²/n``
on the whole data set (:mod:`scalinglab.empirical.spectra`), then predict the test error of ridge
regression on N random features from T samples with the deterministic equivalent of
:func:`scalinglab.core.rf_theory.rf_ridge_risk` — no fitted constants. The same data are then
split into a held-out test set and nested training sets, and actual random-feature ridge
regression is run (one SVD per draw serves the whole ridge path, :mod:`scalinglab.core.ridge`).

Feature types
-------------
- ``"none"``: ridge regression on the centred inputs themselves (p = ∞ with the linear
  kernel x·x'; one width, reported as ``inf``).
- ``"linear"``: N random linear features ``Φ = X Wᵀ/√N``, ``W`` iid N(0, 1) — the Gaussian
  setting of the theory (Defilippis, Loureiro & Misiakiewicz 2024).
- an activation (``"relu"``, ``"tanh"``, ``"erf"``, ``"step"``, ``"relu2"``, ``"powP"``): N
  nonlinear random features (:func:`scalinglab.models.nonlinear.random_features`) and the
  infinite-width kernel (:func:`~scalinglab.models.nonlinear.kernel_matrix`) for the spectrum;
  the theory then relies on Gaussian equivalence of the features.

Loss: the test mean squared error summed over outputs, ``(1/T̂) Σ ‖ẑ − ŷ‖²`` (no ½), with
labels centred by their overall mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scalinglab._types import ProgressFn, Status, standard_error
from scalinglab._validation import InputError, check_int, check_real, parse_ridge
from scalinglab.core import random_features as nonlinear
from scalinglab.core import rf_theory
from scalinglab.core import ridge as ridge_lib
from scalinglab.core.spectra import PowerLawFit, fit_power_law
from scalinglab.empirical.spectra import eigensystem, kernel_eigensystem, label_power, tail_sums

__all__ = [
    "LearningCurve",
    "MeasuredSpectrum",
    "TheorySpectrum",
    "learning_curve",
    "measure_spectrum",
    "parse_features",
]

LINEAR_WEIGHT_VAR_PER_INPUT = 1.0  # "linear" features: W iid N(0, 1) as in DLM's Φ = XF/√p


def parse_features(spec: str) -> tuple[str, list[int]]:
    """Parse ``"none"``, ``"linear:N"`` or ``"ACT:N1,N2,..."`` into (kind, widths)."""
    text = str(spec).strip()
    if text == "none":
        return "none", []
    kind, sep, rest = text.partition(":")
    kind = kind.strip()
    if kind != "linear":
        nonlinear.parse_activation(kind)
    if not sep or not rest.strip():
        raise InputError(
            f"features {spec!r}: give the width(s), e.g. {kind}:1024 or {kind}:256,1024,4096"
        )
    widths = []
    for part in rest.split(","):
        try:
            w = int(part)
        except ValueError:
            raise InputError(
                f"features {spec!r}: width {part.strip()!r} is not an integer"
            ) from None
        if w < 1:
            raise InputError(f"features {spec!r}: widths must be >= 1; got {w}")
        widths.append(w)
    return kind, widths


EXTRAPOLATE_MODES_PER_SAMPLE = 100  # power-law tail continued to K = 100 n modes
TAIL_BINS_PER_DECADE = 200  # coarse-graining of the tail (midpoint error ~1e-4 relative)


@dataclass(frozen=True)
class TheorySpectrum:
    """What :func:`scalinglab.core.rf_theory.rf_ridge_risk` is given: modes, power, noise."""

    eigenvalues: np.ndarray
    target_power: np.ndarray
    multiplicity: np.ndarray
    noise_var: float
    extrapolated_from: int | None


@dataclass(frozen=True)
class MeasuredSpectrum:
    """Eigenvalues and per-mode label power of the data under a feature type (all samples).

    Attributes
    ----------
    eigenvalues, label_power : ndarray (r,)
    residual_power : float
        Label power outside the span of the features (only when d < n): noise to the theory.
    rank_limited : bool
        True when the number of modes is limited by the samples (Gram / kernel spectra), so
        the measured spectrum is truncated and the tail is extrapolated for predictions.
    capacity_fit, tail_fit : PowerLawFit
    """

    eigenvalues: np.ndarray
    label_power: np.ndarray
    residual_power: float
    kind: str
    weight_var: float | None
    n_samples: int
    rank_limited: bool
    capacity_fit: PowerLawFit
    tail_fit: PowerLawFit

    def for_theory(self, *, extrapolate: bool = True) -> TheorySpectrum:
        """Spectrum for the deterministic equivalent, with a power-law tail if rank-limited.

        Modes 1..k_c (k_c = the smaller fit-window end) are used as measured. Beyond, when
        the spectrum is rank-limited and both power-law fits converged, the eigenvalues are
        continued as ``η_{k_c} (k/k_c)^-a`` and the remaining label power as
        ``R(k) = R(k_c) ((k+½)/(k_c+½))^-(ab)`` up to K = 100 n modes, coarse-grained into
        200 groups per decade (:func:`rf_ridge_risk` ``multiplicity``). The finite-sample
        spectrum itself puts all label power into n modes and makes the theory optimistic
        at T ≳ n/10; the power beyond K and the residual power count as label noise.
        """
        eta, pw = self.eigenvalues, self.label_power
        ok = (
            self.capacity_fit.status is Status.CONVERGED
            and self.tail_fit.status is Status.CONVERGED
        )
        if not (extrapolate and self.rank_limited and ok):
            return TheorySpectrum(eta, pw, np.ones_like(eta), self.residual_power, None)
        kc = int(min(self.capacity_fit.window[1], self.tail_fit.window[1], eta.size - 1))
        a, s = self.capacity_fit.exponent, self.tail_fit.exponent
        r_kc = float(np.sum(pw[kc:]))
        big_k = EXTRAPOLATE_MODES_PER_SAMPLE * self.n_samples
        edges = np.unique(
            np.round(
                np.geomspace(kc, big_k, int(TAIL_BINS_PER_DECADE * np.log10(big_k / kc)) + 2)
            ).astype(np.int64)
        )
        first, last = edges[:-1] + 1, edges[1:]  # groups of modes first..last
        count = (last - first + 1).astype(np.float64)

        def tail(k: np.ndarray) -> np.ndarray:
            return r_kc * ((k + 0.5) / (kc + 0.5)) ** (-s)

        # mean of η_k over each group via the midpoint (groups are ≤ 1.2 % wide in k)
        mid = np.sqrt(first * last.astype(np.float64))
        eta_tail = eta[kc - 1] * (mid / kc) ** (-a)
        pw_tail = tail(first - 1.0) - tail(last.astype(np.float64))
        noise = self.residual_power + float(tail(np.array(float(big_k))))
        return TheorySpectrum(
            np.concatenate([eta[:kc], eta_tail]),
            np.concatenate([pw[:kc], pw_tail]),
            np.concatenate([np.ones(kc), count]),
            noise,
            kc,
        )


def _weight_var(kind: str, n_in: int, weight_var: float | None) -> float | None:
    if kind == "none":
        return None
    if kind == "linear":
        return LINEAR_WEIGHT_VAR_PER_INPUT * n_in if weight_var is None else weight_var
    return nonlinear.default_weight_var(kind) if weight_var is None else weight_var


def measure_spectrum(
    x: np.ndarray, y: np.ndarray, kind: str, *, weight_var: float | None = None
) -> MeasuredSpectrum:
    """Spectrum and label power the theory needs, from centred inputs ``x`` and labels ``y``.

    ``"none"`` / ``"linear"``: covariance of the inputs (scaled by s² = σ_u²/N_in for linear
    features, whose kernel is s² x·x'); activations: the kernel matrix on all samples, K/n.
    """
    n_in = x.shape[1]
    var = _weight_var(kind, n_in, weight_var)
    yy = y if y.ndim == 2 else y[:, None]
    if kind in ("none", "linear"):
        scale = 1.0 if kind == "none" else np.sqrt(var / n_in)
        xs = x * scale
        es = eigensystem(xs, center=False, vectors=True)
        power = label_power(es, yy, xs)
    else:
        k = nonlinear.kernel_matrix(x, kind, weight_var=var)
        es = kernel_eigensystem(k, vectors=True)
        power = label_power(es, yy)
    total = float(np.sum((yy - yy.mean(axis=0)) ** 2) / x.shape[0])
    tail = tail_sums(power)
    return MeasuredSpectrum(
        eigenvalues=es.eigenvalues,
        label_power=power,
        residual_power=max(total - float(np.sum(power)), 0.0),
        kind=kind,
        weight_var=var,
        n_samples=x.shape[0],
        rank_limited=es.method in ("gram", "kernel"),
        capacity_fit=fit_power_law(es.eigenvalues),
        tail_fit=fit_power_law(tail, tail_sum=True),
    )


@dataclass(frozen=True)
class LearningCurve:
    """Predicted and measured test error on a grid of widths (rows) × training sizes (columns).

    ``ridge`` is a number (λ on ``‖y − Φa‖² + λ‖a‖²``) or ``"opt"``: then each curve is at its
    own optimal ridge (theory: minimum of the prediction; measurement: the test-set oracle).
    """

    samples: np.ndarray
    widths: np.ndarray
    ridge: float | str
    predicted: np.ndarray
    measured: np.ndarray
    measured_sem: np.ndarray
    measured_ridge: np.ndarray
    predicted_ridge: np.ndarray
    null_error: float
    kind: str
    seeds: int
    n_test: int
    spectrum: MeasuredSpectrum
    theory_spectrum: TheorySpectrum

    @property
    def ratio(self) -> np.ndarray:
        """predicted / measured."""
        return self.predicted / self.measured

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": self.kind,
            "samples": self.samples,
            "widths": [None if not np.isfinite(w) else int(w) for w in self.widths],
            "ridge": self.ridge,
            "predicted": self.predicted,
            "measured": self.measured,
            "measured_sem": self.measured_sem,
            "predicted_ridge": self.predicted_ridge,
            "measured_ridge": self.measured_ridge,
            "ratio": self.ratio,
            "max_abs_log_ratio": float(np.nanmax(np.abs(np.log(self.ratio)))),
            "null_error": self.null_error,
            "seeds": self.seeds,
            "n_test": self.n_test,
            "capacity": self.spectrum.capacity_fit.exponent,
            "source": self.spectrum.tail_fit.exponent / self.spectrum.capacity_fit.exponent,
            "extrapolated_from": self.theory_spectrum.extrapolated_from,
            "noise_var": self.theory_spectrum.noise_var,
        }


def _features(
    x: np.ndarray, kind: str, width: int, rng: np.random.Generator, var: float | None
) -> np.ndarray:
    if kind == "none":
        return x
    act = "linear" if kind == "linear" else kind
    return nonlinear.random_features(x, width, act, rng, weight_var=var)


def _check_learning_inputs(x, y, features, samples, test_fraction):
    """Arrays, feature kind and widths, the training-size grid and the test-set size."""
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if ya.ndim == 1:
        ya = ya[:, None]
    if xa.ndim != 2 or ya.shape[0] != xa.shape[0]:
        raise InputError(f"x must be (n, d) and y have n rows; got {xa.shape} and {ya.shape}")
    kind, widths = parse_features(features)
    widths_f = np.array([np.inf]) if kind == "none" else np.array(widths, dtype=np.float64)
    frac = check_real(
        test_fraction, "test_fraction", "learning_curve", low=0.0, high=1.0,
        low_open=True, high_open=True,
    )
    n = xa.shape[0]
    n_test = max(1, round(frac * n))
    pool = n - n_test
    if samples is None:
        samples = np.unique(np.round(np.geomspace(min(10, pool), pool, 12)).astype(int))
    t_grid = np.asarray(sorted({int(t) for t in samples}), dtype=np.int64)
    if t_grid.size == 0 or t_grid[0] < 1 or t_grid[-1] > pool:
        raise InputError(
            f"training sizes must lie in [1, {pool}] (n = {n} minus {n_test} test samples)"
        )
    return xa, ya, kind, widths_f, t_grid, n_test


def _counter(progress: ProgressFn | None, total: int):
    done = [0]

    def step() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    return step


def _predict_curve(th, widths_f, t_grid, ridge, step):
    """Theory test error (excess risk + unlearnable power) and its ridge, per width and T."""
    kw = {"noise_var": th.noise_var, "multiplicity": th.multiplicity}
    pred = np.empty((widths_f.size, t_grid.size))
    pred_ridge = np.empty_like(pred)
    for i, p in enumerate(widths_f):
        for j, t in enumerate(t_grid):
            if ridge == "opt":
                lam, risk = rf_theory.optimal_ridge(th.eigenvalues, th.target_power, t, p, **kw)
            else:
                lam = float(ridge)
                risk = float(
                    rf_theory.rf_ridge_risk(
                        th.eigenvalues, th.target_power, t, p, lam, **kw
                    ).excess_risk
                )
            # test labels carry the unlearnable power too: test error = excess + σ²
            pred[i, j], pred_ridge[i, j] = risk + th.noise_var, lam
        step()
    return pred, pred_ridge


def _measure_curve(xc, yc, kind, widths_f, t_grid, ridge, var, seeds, seed, n_test, step):
    """Measured test error of actual ridge regression: (seeds, widths, T) arrays."""
    n = xc.shape[0]
    meas = np.empty((seeds, widths_f.size, t_grid.size))
    meas_ridge = np.empty_like(meas)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(seeds)]
    for s, rng in enumerate(rngs):
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
        for i, p in enumerate(widths_f):
            phi = _features(xc, kind, 0 if kind == "none" else int(p), rng, var)
            phi_te, y_te = phi[test_idx].T, yc[test_idx].T
            for j, t in enumerate(t_grid):
                tr = train_idx[:t]
                stats = ridge_lib.sampled_test_stats(phi[tr].T, yc[tr].T, phi_te, y_te)
                if ridge == "opt":
                    lam, val = ridge_lib.optimal_ridge(stats, 1.0, 0.0)
                else:
                    lam = float(ridge)
                    val = float(ridge_lib.path_terms(stats, [lam])[0][0])
                meas[s, i, j], meas_ridge[s, i, j] = val, lam
            step()
    return meas, meas_ridge


def learning_curve(
    x: np.ndarray,
    y: np.ndarray,
    *,
    features: str = "relu:1024",
    samples: Sequence[int] | None = None,
    ridge: float | str = "opt",
    seeds: int = 4,
    seed: int = 0,
    test_fraction: float = 0.25,
    weight_var: float | None = None,
    extrapolate: bool = True,
    progress: ProgressFn | None = None,
) -> LearningCurve:
    """Predict the learning curve from the spectrum and measure it with actual regression.

    Parameters
    ----------
    x : ndarray (n, d)
        Inputs (centred here by their mean).
    y : ndarray (n,) or (n, C)
        Labels (centred here by their mean).
    features : str
        ``"none"``, ``"linear:N[,N2...]"`` or ``"ACT:N[,N2...]"`` (see module notes).
    samples : sequence of int, optional
        Training-set sizes T (default: 12 log-spaced sizes from 10 to the training pool).
    ridge : float >= 0 or "opt"
    seeds : int
        Independent draws of (test split, training order, feature weights).
    seed : int
        Root seed (``numpy.random.SeedSequence(seed).spawn(seeds)``).
    test_fraction : float
        Share of the samples held out for testing in each draw.
    weight_var : float, optional
        σ_u² of the random weights (default: 2 for the ReLU family, 1 for other activations,
        N_in for linear features, i.e. unit-variance entries).
    extrapolate : bool
        Continue a rank-limited spectrum with its fitted power laws
        (:meth:`MeasuredSpectrum.for_theory`).
    progress : callable(done, total), optional

    Returns
    -------
    LearningCurve

    Examples
    --------
    >>> from scalinglab.empirical.datasets import load_dataset
    >>> ds = load_dataset("digits")
    >>> lc = learning_curve(ds.x, ds.y, features="relu:64", samples=[20, 80, 320], seeds=2)
    >>> lc.measured.shape, bool(lc.measured[0, -1] < lc.measured[0, 0])
    ((1, 3), True)
    """
    xa, ya, kind, widths_f, t_grid, n_test = _check_learning_inputs(
        x, y, features, samples, test_fraction
    )
    seeds = check_int(seeds, "seeds", "learning_curve", low=1)
    ridge = parse_ridge(ridge, "ridge", "learning_curve")
    n = xa.shape[0]
    xc = xa - xa.mean(axis=0)
    yc = ya - ya.mean(axis=0)
    if not np.any(yc):
        raise InputError("labels are constant; there is nothing to learn")
    spec = measure_spectrum(xc, yc, kind, weight_var=weight_var)
    total = len(widths_f) * seeds + len(widths_f)
    step = _counter(progress, total)
    th = spec.for_theory(extrapolate=extrapolate)
    pred, pred_ridge = _predict_curve(th, widths_f, t_grid, ridge, step)
    meas, meas_ridge = _measure_curve(
        xc, yc, kind, widths_f, t_grid, ridge, spec.weight_var, seeds, seed, n_test, step
    )
    sem = np.asarray(standard_error(meas, axis=0), dtype=np.float64)
    return LearningCurve(
        samples=t_grid,
        widths=widths_f,
        ridge=ridge,
        predicted=pred,
        measured=meas.mean(axis=0),
        measured_sem=sem,
        measured_ridge=meas_ridge.mean(axis=0),
        predicted_ridge=pred_ridge,
        null_error=float(np.sum(yc**2) / n),
        kind=kind,
        seeds=seeds,
        n_test=n_test,
        spectrum=spec,
        theory_spectrum=th,
    )
