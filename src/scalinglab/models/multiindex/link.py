"""The link function σ of the multi-index model as the dynamics need it.

A :class:`Link` bundles the centred activation σ (from
:mod:`scalinglab.models.multiindex.activations`) with its derivative σ′ (for SGD), its
normalised Hermite coefficients ``c_k = E[σ(z) h_k(z)]``, ``h_k = He_k/√(k!)``, and the Mehler
kernel ``φ(ρ) = E[σ(u)σ(u′)] = Σ_k c_k² ρ^k`` for unit-variance u, u′ with correlation ρ
(multiindex_math.md §A.2.1), truncated at ``degree``. Polynomial links (``he<k>``,
``quadratic``, ``linear``, Hermite coefficients) are exact; for the others :attr:`Link.tail`
reports the Hermite mass dropped by the truncation, ``E σ² − Σ_{k≤K} c_k²``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from scalinglab._validation import InputError
from scalinglab.models.multiindex import activations as acts

__all__ = ["Link", "make_link"]


def _horner(power: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Evaluate Σ_i power[i] z^i by Horner's rule (fast on small arrays, SGD's hot path)."""
    top = np.flatnonzero(power)
    n = int(top[-1]) if top.size else 0
    coef = [float(c) for c in power[: n + 1]]

    def fn(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=np.float64)
        out = np.full(z.shape, coef[n])
        for c in reversed(coef[:n]):
            out *= z
            if c != 0.0:
                out += c
        return out

    return fn


def _power_basis(coeffs: np.ndarray) -> np.ndarray:
    """Power-basis coefficients of Σ_k c_k h_k, h_k = He_k/√(k!)."""
    from numpy.polynomial import hermite_e

    he = coeffs / np.sqrt([math.factorial(k) for k in range(coeffs.size)])
    return hermite_e.herme2poly(he)


def _poly_value_derivative(coeffs: np.ndarray):
    power = _power_basis(coeffs)
    dpower = power[1:] * np.arange(1, power.size) if power.size > 1 else np.zeros(1)
    return _horner(power), _horner(dpower)


_DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "abs": np.sign,
    "relu": lambda z: (np.asarray(z) > 0).astype(np.float64),
    "tanh": lambda z: 1.0 / np.cosh(z) ** 2,
    "cos": lambda z: -np.sin(z),
}


@dataclass(frozen=True)
class Link:
    """A centred activation with its Hermite data (see the module docstring).

    Attributes
    ----------
    name : str
        Name of the activation (``"hermite:…"`` for a coefficient vector).
    coeffs : ndarray
        ``c_0..c_K`` (``c_0 = 0``: centred).
    second_moment : float
        ``E σ(z)²`` of the centred σ (exact, not truncated).
    information_exponent : int
        Smallest k ≥ 1 with ``c_k ≠ 0``.
    """

    name: str
    coeffs: np.ndarray = field(repr=False)
    second_moment: float
    information_exponent: int
    value: Callable[[np.ndarray], np.ndarray] = field(repr=False, compare=False)
    derivative: Callable[[np.ndarray], np.ndarray] = field(repr=False, compare=False)

    @property
    def tail(self) -> float:
        """Hermite mass beyond the truncation: ``E σ² − Σ_k c_k²`` (0 for polynomials)."""
        return max(0.0, self.second_moment - self.phi_one)

    @property
    def phi_one(self) -> float:
        """``φ(1) = Σ_k c_k²`` of the (truncated) series."""
        return float(np.sum(self.coeffs**2))

    def __post_init__(self) -> None:
        c2 = self.coeffs**2
        object.__setattr__(self, "_phi", _horner(c2))
        object.__setattr__(self, "_dphi", _horner(c2[1:] * np.arange(1, c2.size)))

    def phi(self, rho: np.ndarray) -> np.ndarray:
        """Mehler kernel ``φ(ρ) = Σ_k c_k² ρ^k`` (truncated series)."""
        return self._phi(rho)  # type: ignore[attr-defined]

    def dphi(self, rho: np.ndarray) -> np.ndarray:
        """``φ′(ρ) = Σ_k k c_k² ρ^{k−1}``."""
        return self._dphi(rho)  # type: ignore[attr-defined]

    def leading_coefficient(self) -> float:
        """``c_k`` at the information exponent k."""
        return float(self.coeffs[self.information_exponent])


def make_link(spec: str | Sequence[float], degree: int = 24) -> Link:
    """Build the :class:`Link` of an activation name or of Hermite coefficients ``c_0, c_1, …``.

    Named activations are centred (``σ − E σ``), never rescaled; ``he<k>`` is ``He_k/√(k!)``.
    Polynomials keep all their coefficients whatever ``degree``.

    Raises
    ------
    InputError
        Unknown name, zero Hermite mass, or ``sign`` (σ′ = 0 almost everywhere: SGD cannot
        move).

    Examples
    --------
    >>> link = make_link("he4")
    >>> link.information_exponent, round(float(link.phi(0.5)), 6)
    (4, 0.0625)
    >>> make_link([0.0, 0.0, 1.0, 0.0, 0.5]).information_exponent
    2
    >>> round(make_link("abs").leading_coefficient(), 6)  # E|z| h_2 = 1/√π
    0.56419
    """
    act = acts.activation(spec)
    if act.name == "sign":
        raise InputError(
            "The activation 'sign' has σ′ = 0 almost everywhere: gradient training cannot "
            "move the student. Choose another activation."
        )
    value: Callable[[np.ndarray], np.ndarray] = act
    if act.hermite is not None:
        coeffs = np.asarray(act.hermite, dtype=np.float64).copy()
        value, derivative = _poly_value_derivative(coeffs)
        second = float(np.sum(coeffs**2))
    else:
        coeffs = acts.hermite_coefficients(act, degree)
        derivative = _DERIVATIVES[act.name]
        second = acts.hermite_mass(act)
    coeffs[0] = 0.0
    scale = math.sqrt(second)
    coeffs[np.abs(coeffs) <= acts.ZERO_RTOL * scale] = 0.0  # quadrature round-off
    k = acts.information_exponent(act)
    return Link(act.name, coeffs, float(second), int(k), value, derivative)
