"""Configuration of the multi-index (additive) model under online SGD.

Teacher ``f*(x) = Σ_{p≤P} a_p σ(⟨v_p, x⟩)`` with ``x ~ N(0, I_d)``, orthonormal ``v_p`` (the
first P coordinate vectors: the student's initialisation is isotropic, so this is no loss of
generality) and ``a_p ∝ p^-signal_decay`` with ``Σ a_p² = 1`` (Ren, Nichani, Wu, Lee,
arXiv 2504.19983; Ben Arous, Erdogdu, Vural, Wu, arXiv 2508.03688; multiindex_math.md §A.1).

Student, ``student="homogeneous"`` (Ren et al.): ``f(x) = Σ_{j≤m} ‖u_j‖² σ(⟨u_j, x⟩/‖u_j‖)``,
both layers learning through ``u_j``; ``‖u_j‖² = init_norm2`` and uniform directions at start.
``student="fixed"``: ``f(x) = Σ_j s σ(⟨w_j, x⟩)`` with a fixed second layer ``s``
(``second_layer``, default ``1/m``) and unit ``w_j`` trained by spherical SGD.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np

from scalinglab._validation import InputError, check_choice, check_int, check_real
from scalinglab.models.multiindex.link import Link, make_link

__all__ = ["OPTIMIZERS", "STUDENTS", "MultiIndexConfig", "amplitudes"]

STUDENTS = ("homogeneous", "fixed")
OPTIMIZERS = ("sgd", "flow")


def amplitudes(directions: int, signal_decay: float) -> np.ndarray:
    """``a_p = p^-β / (Σ_q q^-2β)^½`` for p = 1..P, so that ``Σ a_p² = 1``.

    Examples
    --------
    >>> a = amplitudes(4, 1.0)
    >>> round(float(np.sum(a**2)), 12), bool(np.all(np.diff(a) < 0))
    (1.0, True)
    """
    p = np.arange(1, directions + 1, dtype=np.float64)
    a = p ** (-float(signal_decay))
    return a / math.sqrt(float(np.sum(a**2)))


@dataclass(frozen=True)
class MultiIndexConfig:
    """Settings of one run; validated on construction.

    Parameters
    ----------
    dim : int
        d, input dimension (>= 1).
    directions : int
        P, number of teacher directions (1 <= P <= d).
    width : int
        m, student width (>= 1).
    signal_decay : float
        β >= 0 in ``a_p ∝ p^-β``.
    activation : str or tuple of float
        he2, he3, he4, he6, abs, relu, tanh, quadratic, cos (centred, never rescaled), or the
        Hermite coefficients ``(c_0, c_1, …)`` of σ in the basis ``He_k/√(k!)``.
    coefficients : tuple of float or None
        User-given amplitudes ``a_1..a_P`` (used as given, not renormalised); overrides
        ``signal_decay``.
    student : {"homogeneous", "fixed"}
    init_norm2 : float
        ``‖u_j‖²`` at initialisation (homogeneous student), > 0.
    second_layer : float or None
        Fixed second-layer weight s of the ``fixed`` student (default ``1/m``).
    noise_var : float
        Label-noise variance σ_ε² >= 0.
    optimizer : {"sgd", "flow"}
        Online SGD with fresh samples, or population gradient flow of the weights.
    batch : int
        B >= 1 fresh samples per SGD step.
    lr : float or None
        η > 0 (for ``flow``: time per step). Default :meth:`step_size`.
    decay_steps : int or None
        If set, ``η_s = η / (1 + s/decay_steps)``; otherwise a constant step.
    steps : int
        Number of steps (>= 1). Time is ``t = Σ_s η_s`` (``lr × steps`` for a constant step).
    record : int
        Number of log-spaced recorded steps (>= 2).
    hermite_degree : int
        Truncation degree K of the Hermite series of non-polynomial σ (>= 2).
    """

    dim: int
    directions: int
    width: int
    signal_decay: float = 1.0
    activation: str | tuple[float, ...] = "he2"
    coefficients: tuple[float, ...] | None = None
    student: str = "homogeneous"
    init_norm2: float = 1e-4
    second_layer: float | None = None
    noise_var: float = 0.0
    optimizer: str = "sgd"
    batch: int = 1
    lr: float | None = None
    decay_steps: int | None = None
    steps: int = 1000
    record: int = 40
    hermite_degree: int = 24

    def __post_init__(self) -> None:
        owner = "MultiIndexConfig"
        set_ = object.__setattr__
        set_(self, "dim", check_int(self.dim, "dim", owner, low=1))
        set_(self, "directions", check_int(self.directions, "directions", owner, low=1))
        if self.directions > self.dim:
            raise InputError(
                f"The 'directions' parameter of {owner} must be <= dim ({self.dim}): the "
                f"teacher directions are orthonormal. Got {self.directions} instead."
            )
        set_(self, "width", check_int(self.width, "width", owner, low=1))
        set_(self, "signal_decay", check_real(self.signal_decay, "signal_decay", owner, low=0.0))
        if not isinstance(self.activation, str):
            try:
                acts = tuple(float(c) for c in self.activation)  # type: ignore[union-attr]
            except (TypeError, ValueError):
                raise InputError(
                    f"The 'activation' parameter of {owner} must be a name or Hermite "
                    f"coefficients. Got {self.activation!r} instead."
                ) from None
            set_(self, "activation", acts)
        if self.coefficients is not None:
            try:
                coefs = tuple(float(c) for c in self.coefficients)
            except (TypeError, ValueError):
                raise InputError(
                    f"The 'coefficients' parameter of {owner} must be {self.directions} numbers. "
                    f"Got {self.coefficients!r} instead."
                ) from None
            if len(coefs) != self.directions or not all(math.isfinite(c) for c in coefs):
                raise InputError(
                    f"The 'coefficients' parameter of {owner} must be {self.directions} finite "
                    f"numbers (one per direction). Got {self.coefficients!r} instead."
                )
            set_(self, "coefficients", coefs)
        check_choice(self.student, "student", owner, STUDENTS)
        set_(
            self,
            "init_norm2",
            check_real(self.init_norm2, "init_norm2", owner, low=0.0, low_open=True),
        )
        if self.second_layer is not None:
            set_(
                self,
                "second_layer",
                check_real(self.second_layer, "second_layer", owner, low=0.0, low_open=True),
            )
        set_(self, "noise_var", check_real(self.noise_var, "noise_var", owner, low=0.0))
        check_choice(self.optimizer, "optimizer", owner, OPTIMIZERS)
        set_(self, "batch", check_int(self.batch, "batch", owner, low=1))
        if self.lr is not None:
            set_(self, "lr", check_real(self.lr, "lr", owner, low=0.0, low_open=True))
        if self.decay_steps is not None:
            set_(self, "decay_steps", check_int(self.decay_steps, "decay_steps", owner, low=1))
        set_(self, "steps", check_int(self.steps, "steps", owner, low=1))
        set_(self, "record", check_int(self.record, "record", owner, low=2))
        set_(self, "hermite_degree", check_int(self.hermite_degree, "hermite_degree", owner, low=2))
        _ = self.link  # validates the activation (unknown name, zero Hermite mass)

    # ------------------------------------------------------------------ derived quantities
    @cached_property
    def link(self) -> Link:
        """The activation with its Hermite data (:func:`make_link`)."""
        return make_link(self.activation, self.hermite_degree)

    def amplitudes(self) -> np.ndarray:
        """``a_1..a_P`` (user-given ``coefficients`` or the normalised power law)."""
        if self.coefficients is not None:
            return np.asarray(self.coefficients, dtype=np.float64)
        return amplitudes(self.directions, self.signal_decay)

    def second_layer_value(self) -> float:
        """s of the fixed student (``second_layer`` or ``1/m``)."""
        return float(self.second_layer) if self.second_layer is not None else 1.0 / self.width

    def step_size(self) -> float:
        """η: ``lr`` if given, else ``0.05·min(B, d)/d · d^{−max(k−2, 0)/2}`` (k: information
        exponent; multiindex_math.md §A.2.4: noise enters at relative order ηd/B, and k ≥ 3
        needs η ≍ d^{−k/2}). For ``flow`` the default time per step is 0.05.
        """
        if self.lr is not None:
            return float(self.lr)
        if self.optimizer == "flow":
            return 0.05
        k = self.link.information_exponent
        eta = 0.05 * min(self.batch, self.dim) / self.dim
        return eta * self.dim ** (-max(k - 2, 0) / 2.0)

    def step_sizes(self) -> np.ndarray:
        """η_s for s = 0..steps−1."""
        s = np.arange(self.steps, dtype=np.float64)
        eta = self.step_size()
        if self.decay_steps is None:
            return np.full(self.steps, eta)
        return eta / (1.0 + s / self.decay_steps)

    def record_steps(self) -> np.ndarray:
        """``record`` log-spaced integer steps in [1, steps], always ending at ``steps``."""
        grid = np.unique(np.round(np.logspace(0, np.log10(self.steps), self.record)).astype(int))
        return np.unique(np.concatenate((grid, [self.steps]))).astype(np.int64)

    def times(self, steps: np.ndarray | None = None) -> np.ndarray:
        """Flow time ``t = Σ_{s<step} η_s`` of the given steps (default :meth:`record_steps`)."""
        steps = self.record_steps() if steps is None else np.asarray(steps, dtype=np.int64)
        cum = np.concatenate(([0.0], np.cumsum(self.step_sizes())))
        return cum[steps]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_tuple(values: Sequence[float] | None) -> tuple[float, ...] | None:
    """Helper for CLI/sweeps: a sequence as a tuple of floats (None stays None)."""
    return None if values is None else tuple(float(v) for v in values)
