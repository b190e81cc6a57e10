"""Feature learning in a two-layer linear network on power-law data (note §3; Bordelon,
Atanasov & Pehlevan 2024): config, simulation, theory.

``f(x) = wᵀ B S x`` with a fixed Gaussian sketch S (m features, the lazy model's projection),
B (m×m, from the identity, step γ²η) and w (from zero, step η), population gradient descent or
flow; see :mod:`scalinglab.models.feature_learning.dynamics` for the exact reduction. At γ = 0
this *is* the lazy model of :mod:`scalinglab.models.sgd` with ``optimizer='flow'`` (same data,
target, sketch and seeds).

Examples
--------
>>> from scalinglab.models.feature_learning.model import FLConfig, predict, simulate
>>> cfg = FLConfig(dim=100, features=20, alpha=1.5, beta=0.5, gamma=1.0, time=50, record=6)
>>> sim = simulate(cfg, seeds=2)
>>> pred = predict(cfg, theory="exact", seeds=2)
>>> bool(abs(sim.loss[-1] / pred.loss[-1] - 1) < 0.05)
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from scalinglab._types import ProgressFn, Status
from scalinglab._validation import InputError, check_choice, check_int, check_real
from scalinglab.core import exponents as ex
from scalinglab.models.feature_learning.dynamics import kernel_boost, network_gd, rich_flow
from scalinglab.models.feature_learning.results import FLPrediction, FLSimulation
from scalinglab.models.sgd.problem import (
    data_spectrum,
    draw_sketch,
    reduce_identity,
    reduce_sketch,
    target_weights,
    validate_power_law_setting,
)
from scalinglab.models.sgd.results import seed_streams

__all__ = ["METHODS", "THEORIES", "FLConfig", "predict", "simulate"]

METHODS = ("network", "reduced")
THEORIES = ("auto", "exact", "deterministic")
SKETCHES = ("gaussian", "none")


@dataclass(frozen=True)
class FLConfig:
    """Settings of one feature-learning run; validated on construction.

    Parameters
    ----------
    dim : int
        d, data dimension.
    features : int
        m = N, width (sketched features); equals dim with ``sketch='none'``.
    alpha, beta : float
        Capacity and source exponents in ``convention`` (as in the SGD model).
    convention : {"note", "lin", "paquette", "mrs"}
    gamma : float
        Feature-learning strength γ ≥ 0 (0: lazy).
    time : float
        Final gradient-flow time t (> 0).
    record : int
        Number of log-spaced report times (>= 2).
    noise_var : float
        Label-noise variance σ².
    sketch : {"gaussian", "none"}
    """

    dim: int
    features: int
    alpha: float
    beta: float | None = None
    convention: str = "note"
    gamma: float = 1.0
    time: float = 1000.0
    record: int = 30
    noise_var: float = 0.0
    sketch: str = "gaussian"

    def __post_init__(self) -> None:
        owner = "FLConfig"
        set_ = object.__setattr__
        validate_power_law_setting(self, owner)
        set_(self, "gamma", check_real(self.gamma, "gamma", owner, low=0.0))
        set_(self, "time", check_real(self.time, "time", owner, low=0.0, low_open=True))
        set_(self, "record", check_int(self.record, "record", owner, low=2))
        set_(self, "noise_var", check_real(self.noise_var, "noise_var", owner, low=0.0))
        check_choice(self.sketch, "sketch", owner, SKETCHES)
        if self.sketch == "none" and self.features != self.dim:
            raise InputError(
                f"The 'features' parameter of FLConfig must equal dim ({self.dim}) when "
                f"sketch='none'. Got {self.features} instead."
            )

    @property
    def note_exponents(self) -> tuple[float, float]:
        """(α, β) in the note's convention."""
        return ex.to_note(self.convention, self.alpha, self.beta)

    def record_times(self) -> np.ndarray:
        """``record`` log-spaced times from ``min(1, time/10)`` to ``time``."""
        start = min(1.0, self.time / 10.0)
        return np.logspace(np.log10(start), np.log10(self.time), self.record)

    def default_lr(self) -> float:
        """A stable step for the network simulation: ``0.2/(x_top (1 + 2 a_max))``.

        ``x_top = (1 + √(tr H/m))²`` bounds the top of K's spectrum and ``a_max`` is the
        kernel boost at twice the target norm (:func:`kernel_boost`).
        """
        a, b = self.note_exponents
        lam = data_spectrum(self.dim, a)
        w2 = float(np.sum(target_weights(self.dim, a, b) ** 2))
        top = (1.0 + np.sqrt(lam.sum() / self.features)) ** 2
        return 0.2 / (top * (1.0 + 2.0 * kernel_boost(2.0 * w2, self.gamma)))

    def problem(self, rng: np.random.Generator):
        """The reduced problem (eigenbasis of K) of one sketch drawn with ``rng``."""
        a, b = self.note_exponents
        lam, wstar = data_spectrum(self.dim, a), target_weights(self.dim, a, b)
        if self.sketch == "none":
            return reduce_identity(lam, wstar, self.noise_var)
        return reduce_sketch(draw_sketch(self.features, self.dim, rng), lam, wstar, self.noise_var)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def simulate(
    config: FLConfig,
    *,
    seeds: int = 4,
    seed: int = 0,
    method: str = "network",
    lr: float | None = None,
    progress: ProgressFn | None = None,
) -> FLSimulation:
    """Risk curves of the network over ``seeds`` sketches (seed streams as in the SGD model).

    Parameters
    ----------
    method : {"network", "reduced"}
        ``network``: gradient descent on all parameters (w, B), step ``lr`` (default
        :meth:`FLConfig.default_lr`), the risk at the steps nearest ``time/lr``; O(m²) per step.
        ``reduced``: the exact reduced gradient flow (:func:`rich_flow`) per sketch, O(m) per
        step — the flow the network approaches as lr → 0.
    """
    cfg = config
    seeds = check_int(seeds, "seeds", "simulate", low=1)
    seed = check_int(seed, "seed", "simulate", low=0)
    check_choice(method, "method", "simulate", METHODS)
    times = cfg.record_times()
    curves = []
    for k in range(seeds):
        prob = cfg.problem(seed_streams(seed, k)[0])
        if method == "network":
            eta = cfg.default_lr() if lr is None else check_real(lr, "lr", "simulate", low=0.0,
                                                                  low_open=True)  # fmt: skip
            steps = np.maximum(1, np.round(times / eta)).astype(np.int64)
            curve = network_gd(prob.eigs, prob.vstar, prob.irreducible, cfg.gamma, eta, steps)
        else:
            curve, _, _ = rich_flow(prob.eigs, prob.vstar**2, prob.irreducible, cfg.gamma, times)
        curves.append(curve)
        if progress is not None:
            progress(k + 1, seeds)
    risk = np.array(curves)
    if not np.all(np.isfinite(risk)):
        raise InputError("The simulation diverged (non-finite risk); use a smaller lr.")
    return FLSimulation(cfg, seeds, seed, method, times, risk)


def predict(
    config: FLConfig,
    *,
    theory: str = "auto",
    seeds: int = 4,
    seed: int = 0,
) -> FLPrediction:
    """Risk of the reduced gradient flow on the time grid.

    ``exact``: per sketch (the simulation's sketches), averaged — the exact flow of the
    network given each sketch. ``deterministic``: one run on the weighted atoms of the
    sketch's deterministic equivalent (:func:`scalinglab.models.sgd.deterministic.
    deterministic_modes`): a deterministic (mean-field) prediction for large m, d.
    ``auto``: ``exact``. At γ = 0 both are the lazy closed form (note eq. 9).
    """
    cfg = config
    check_choice(theory, "theory", "predict", THEORIES)
    seeds = check_int(seeds, "seeds", "predict", low=1)
    seed = check_int(seed, "seed", "predict", low=0)
    times = cfg.record_times()
    if theory == "deterministic" and cfg.sketch == "gaussian":
        from scalinglab.models.sgd.deterministic import deterministic_modes

        a, b = cfg.note_exponents
        lam, wstar = data_spectrum(cfg.dim, a), target_weights(cfg.dim, a, b)
        modes = deterministic_modes(
            lam, lam * wstar**2, cfg.features, cfg.noise_var,
            points_per_decade=max(200, int(np.ceil(2.5 * np.sqrt(cfg.features)))),
        )  # fmt: skip
        spec = modes.spectrum
        risk, status, msg = rich_flow(spec.eigs, spec.c0, spec.irreducible, cfg.gamma, times)
        if modes.status is not Status.CONVERGED:
            status = modes.status
        return FLPrediction(cfg, "deterministic", times, risk, 0.5 * spec.irreducible, status,
                            f"{spec.size} atoms; {msg}")  # fmt: skip
    curves, floors, status, msg = [], [], Status.CONVERGED, ""
    for k in range(seeds if cfg.sketch == "gaussian" else 1):
        prob = cfg.problem(seed_streams(seed, k)[0])
        curve, st, msg = rich_flow(prob.eigs, prob.vstar**2, prob.irreducible, cfg.gamma, times)
        curves.append(curve)
        floors.append(0.5 * prob.irreducible)
        if st is not Status.CONVERGED:
            status = st
    return FLPrediction(cfg, "exact", times, np.mean(curves, axis=0), float(np.mean(floors)),
                        status, msg, seeds=len(curves))  # fmt: skip
