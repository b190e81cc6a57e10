"""Centred activations of multi-index models and their Hermite expansions.

An activation is a function σ of one standard Gaussian variable z ~ N(0, 1). Every activation
here is **centred** (E σ(z) = 0, the constant is subtracted) and **never rescaled**, so that
E σ(z)² is the Hermite mass Σ_{k≥1} c_k² of the chosen function itself.

The Hermite basis is the normalised one, h_k = He_k/√(k!), with E[h_j(z) h_k(z)] = δ_jk, and the
coefficients are c_k = E[σ(z) h_k(z)] (multiindex_math.md §A.2.1). The information exponent is
the lowest k ≥ 1 with c_k ≠ 0.

Named activations (:data:`ACTIVATION_NAMES`): ``he1`` … ``he12`` (h_k itself, ``he2`` = h_2 =
(z²−1)/√2), ``quadratic`` (z² − 1), ``abs`` (|z| − √(2/π)), ``relu`` (max(z, 0) − 1/√(2π)),
``tanh``, ``cos`` (cos z − e^{−1/2}), ``sign`` and ``linear`` (z). A user activation is given
by its normalised-Hermite coefficients, as a sequence ``[c_0, c_1, …]`` (``c_0`` is dropped:
centring) or as the text ``"hermite:c0,c1,…"`` (the form the command line uses).

Expectations use Gauss–Hermite quadrature for polynomial activations and composite
Gauss–Legendre panels on the Gaussian weight for the others, split at the kinks (|z|, ReLU,
sign), each with a refinement check of its accuracy (:func:`expectation`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.polynomial import hermite_e

from scalinglab._validation import InputError, check_choice

__all__ = [
    "ACTIVATION_NAMES",
    "ZERO_RTOL",
    "Activation",
    "QuadratureError",
    "activation",
    "expectation",
    "gaussian_expectation",
    "hermite_coefficients",
    "hermite_mass",
    "information_exponent",
    "is_even",
    "normalized_hermite",
]

#: Relative size below which a Hermite coefficient (or an expectation) counts as zero, measured
#: against the natural scale of the quantity (√(E σ²) for c_k). Quadrature is accurate to about
#: 1e-13 of that scale, so 1e-9 separates "zero up to rounding" from any genuine coefficient.
ZERO_RTOL = 1e-9

#: Largest k accepted in the names ``he<k>``.
MAX_NAMED_DEGREE = 12

_BASE_NAMES = ("quadratic", "abs", "relu", "tanh", "cos", "sign", "linear")
#: Every activation name accepted by :func:`activation` (besides ``hermite:c0,c1,…``).
ACTIVATION_NAMES: tuple[str, ...] = tuple(f"he{k}" for k in range(1, MAX_NAMED_DEGREE + 1)) + (
    _BASE_NAMES
)

_SQRT_2PI = math.sqrt(2.0 * math.pi)
_OWNER = "activation"


class QuadratureError(ArithmeticError):
    """A Gaussian expectation did not reach its accuracy target with the largest rule tried."""


@dataclass(frozen=True)
class Activation:
    """A centred activation σ(z) with what quadrature needs to know about it.

    Attributes
    ----------
    name : str
        The name it was built from (``"he4"``, ``"abs"``, ``"hermite:0,0,0,0,1"``).
    func : Callable[[np.ndarray], np.ndarray]
        The centred function, vectorised over a float64 array.
    kinks : tuple[float, ...]
        Points where σ is not smooth (quadrature panels are split there).
    hermite : np.ndarray | None
        Exact normalised-Hermite coefficients ``[0, c_1, …, c_K]`` when σ is a polynomial.
    n_values : int | None
        Number of distinct values σ takes when that number is finite (``sign``: 2), else None.
    parity : int
        +1 if σ is even, −1 if σ is odd, 0 if neither (known exactly for every named σ).
    """

    name: str
    func: Callable[[np.ndarray], np.ndarray]
    kinks: tuple[float, ...] = ()
    hermite: np.ndarray | None = None
    n_values: int | None = None
    parity: int = 0

    def __call__(self, z: np.ndarray | float) -> np.ndarray:
        """Evaluate the centred activation at ``z`` (float64)."""
        return self.func(np.asarray(z, dtype=np.float64))


def normalized_hermite(z: np.ndarray | float, degree: int) -> np.ndarray:
    """Normalised Hermite polynomials h_0 … h_degree at ``z``, shape ``(degree + 1, *z.shape)``.

    Uses the stable three-term recurrence h_{k+1} = (z h_k − √k h_{k−1}) / √(k+1), with
    h_0 = 1 and h_1 = z (multiindex_math.md §A.2.1: h_k = He_k/√(k!)).

    Examples
    --------
    >>> import numpy as np
    >>> h = normalized_hermite(np.array([0.0, 1.0, 2.0]), 2)
    >>> np.allclose(h[2], (np.array([0.0, 1.0, 2.0]) ** 2 - 1) / np.sqrt(2))
    True
    """
    x = np.asarray(z, dtype=np.float64)
    out = np.empty((degree + 1, *x.shape))
    out[0] = 1.0
    if degree >= 1:
        out[1] = x
    for k in range(1, degree):
        out[k + 1] = (x * out[k] - math.sqrt(k) * out[k - 1]) / math.sqrt(k + 1)
    return out


# ---------------------------------------------------------------------------------------------
# Quadrature
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _gauss_hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = hermite_e.hermegauss(n)
    return nodes, weights / _SQRT_2PI


@lru_cache(maxsize=16)
def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def _panel_rule(
    kinks: tuple[float, ...], half_width: float, per_panel: int
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre rule for E[f(z)] on [−L, L], panels ≤ 0.5 wide, split at kinks."""
    edges = {-half_width, half_width, *(k for k in kinks if abs(k) < half_width)}
    bounds = np.array(sorted(edges))
    pieces = []
    for a, b in itertools.pairwise(bounds):
        n_panels = max(1, math.ceil((b - a) / 0.5))
        pieces.append(np.linspace(a, b, n_panels + 1))
    panel_edges = np.unique(np.concatenate(pieces))
    x, w = _gauss_legendre(per_panel)
    left, right = panel_edges[:-1, None], panel_edges[1:, None]
    half = 0.5 * (right - left)
    nodes = (0.5 * (left + right) + half * x[None, :]).ravel()
    weights = (half * w[None, :]).ravel() * np.exp(-0.5 * nodes**2) / _SQRT_2PI
    return nodes, weights


def gaussian_expectation(
    func: Callable[[np.ndarray], np.ndarray],
    kinks: Sequence[float] = (),
    *,
    rtol: float = 1e-11,
    half_width: float = 14.0,
    rule: str = "auto",
) -> np.ndarray:
    """E[f(z)] for z ~ N(0, 1), by quadrature with a doubling accuracy check.

    ``func`` maps the node array (shape ``(n,)``) to an array of shape ``(..., n)``; the result
    has shape ``(...)``. With ``rule="auto"``: without kinks the rule is Gauss–Hermite with
    n = 50, 100, 200, 300 nodes (numpy's rule overflows beyond ~350); with kinks it is
    composite Gauss–Legendre on [−half_width, half_width] with panels at most 0.5 wide, split
    at the kinks, and 12, 24, 48 nodes per panel (the Gaussian mass outside ±14 is 1.6e−44).
    The rule is refined until two successive answers agree to ``rtol`` times E|f|
    (component-wise, plus 1e−300).
    ``rule="panels"`` forces the panel rule (Gauss–Hermite converges only like e^{−c√n} for
    functions with complex poles near the real axis, e.g. tanh), ``rule="hermite"`` the
    Gauss–Hermite rule. :func:`expectation` picks the rule for an activation.

    Raises
    ------
    QuadratureError
        If the largest rule still disagrees with the previous one.

    Examples
    --------
    >>> round(float(gaussian_expectation(lambda z: z**4)), 12)
    3.0
    >>> e_abs = float(gaussian_expectation(np.abs, kinks=(0.0,)))
    >>> bool(abs(e_abs - np.sqrt(2 / np.pi)) < 1e-13)
    True
    """
    rule = check_choice(rule, "rule", "gaussian_expectation", ("auto", "hermite", "panels"))
    kinks = tuple(float(k) for k in kinks)
    if rule == "panels" or (rule == "auto" and kinks):
        rules = [_panel_rule(kinks, half_width, n) for n in (12, 24, 48)]
    else:
        rules = [_gauss_hermite(n) for n in (50, 100, 200, 300)]
    previous = None
    worst = math.inf
    for nodes, weights in rules:
        values = np.asarray(func(nodes), dtype=np.float64)
        estimate = values @ weights
        scale = np.abs(values) @ weights
        if previous is not None:
            worst = float(np.max(np.abs(estimate - previous) / (scale + 1e-300)))
            if worst <= rtol:
                return estimate
        previous = estimate
    raise QuadratureError(
        f"Gaussian expectation did not converge: successive rules differ by {worst:.2e} "
        f"relative to E|f| (target {rtol:.0e})."
    )


def expectation(
    act: Activation, func: Callable[[np.ndarray], np.ndarray], *, half_width: float = 14.0
) -> np.ndarray:
    """E[f(z)] with the rule suited to ``act``: Gauss–Hermite for polynomial σ, else panels.

    ``func`` receives the nodes z (shape ``(n,)``) and returns shape ``(..., n)``; panels are
    split at the activation's kinks and at their mirror images.

    Examples
    --------
    >>> tanh = activation("tanh")
    >>> round(float(expectation(tanh, lambda z: z * tanh(z))), 6)   # Table B.3: 0.605706
    0.605706
    """
    if act.hermite is not None:
        return gaussian_expectation(func, rule="hermite")
    kinks = tuple(sorted(set(act.kinks) | {-k for k in act.kinks}))
    return gaussian_expectation(func, kinks, rule="panels", half_width=half_width)


# ---------------------------------------------------------------------------------------------
# Named and user activations
# ---------------------------------------------------------------------------------------------


def _from_hermite(name: str, coeffs: Sequence[float] | np.ndarray) -> Activation:
    c = np.asarray(coeffs, dtype=np.float64).ravel().copy()
    if c.size == 0 or not np.all(np.isfinite(c)):
        raise InputError(
            f"The Hermite coefficients of {_OWNER} {name!r} must be a non-empty list of finite "
            f"floats. Got {list(np.asarray(coeffs).ravel())!r} instead."
        )
    c[0] = 0.0  # centring: E σ = c_0
    if not np.any(c != 0.0):
        raise InputError(
            f"The {_OWNER} {name!r} has zero Hermite mass after centring (all c_k = 0 for "
            "k >= 1): it is constant, so it carries no information about z."
        )
    c = np.trim_zeros(c, "b")
    degree = c.size - 1
    # He_k coefficients for numpy's hermeval: c_k / √(k!)
    he = c / np.sqrt([math.factorial(k) for k in range(degree + 1)])
    odd = np.any(c[1::2] != 0.0)
    even = np.any(c[2::2] != 0.0)
    parity = 1 if not odd else (-1 if not even else 0)
    return Activation(
        name=name,
        func=lambda z, he=he: hermite_e.hermeval(z, he),
        hermite=c,
        parity=parity,
    )


def _named(name: str) -> Activation:
    if name.startswith("he") and name[2:].isdigit():
        k = int(name[2:])
        if 1 <= k <= MAX_NAMED_DEGREE:
            c = np.zeros(k + 1)
            c[k] = 1.0
            return _from_hermite(name, c)
    if name == "quadratic":
        return _from_hermite(name, [0.0, 0.0, math.sqrt(2.0)])  # z² − 1 = √2 h_2
    if name == "linear":
        return _from_hermite(name, [0.0, 1.0])
    if name == "abs":
        m = math.sqrt(2.0 / math.pi)
        return Activation(name, lambda z: np.abs(z) - m, kinks=(0.0,), parity=1)
    if name == "relu":
        m = 1.0 / _SQRT_2PI
        return Activation(name, lambda z: np.maximum(z, 0.0) - m, kinks=(0.0,), parity=0)
    if name == "tanh":
        return Activation(name, np.tanh, parity=-1)
    if name == "cos":
        m = math.exp(-0.5)
        return Activation(name, lambda z: np.cos(z) - m, parity=1)
    if name == "sign":
        return Activation(name, np.sign, kinks=(0.0,), n_values=2, parity=-1)
    allowed = ", ".join(repr(n) for n in ACTIVATION_NAMES)
    raise InputError(
        f"The 'name' parameter of {_OWNER} must be one of {allowed} or 'hermite:c0,c1,...'. "
        f"Got {name!r} instead."
    )


def activation(spec: str | Sequence[float] | np.ndarray | Activation) -> Activation:
    """The centred activation named by ``spec`` (a name, Hermite coefficients, or an Activation).

    Parameters
    ----------
    spec : str, sequence of float, or Activation
        A name from :data:`ACTIVATION_NAMES`; ``"hermite:c0,c1,..."``; or the normalised-Hermite
        coefficients ``[c_0, c_1, ...]`` of σ = Σ_k c_k h_k (c_0 is dropped, σ is centred).

    Returns
    -------
    Activation
        Callable on float64 arrays; E σ(z) = 0 for z ~ N(0, 1), scale untouched.

    Raises
    ------
    InputError
        For an unknown name, unparsable coefficients, or zero Hermite mass (σ constant).

    Examples
    --------
    >>> sigma = activation("abs")
    >>> float(sigma(0.0)) == -float(np.sqrt(2 / np.pi))
    True
    >>> bool(np.isclose(activation("he2")(3.0), 8 / np.sqrt(2), rtol=1e-15))
    True
    >>> activation([5.0, 0.0, 0.0, 0.0, 1.0]).name
    'hermite:0,0,0,0,1'
    >>> activation("softplus")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: The 'name' parameter of activation must be one of ...
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text.startswith("hermite:"):
            try:
                coeffs = [float(part) for part in text[len("hermite:") :].split(",")]
            except ValueError:
                raise InputError(
                    f"The Hermite coefficients of {_OWNER} {spec!r} must be comma-separated "
                    "floats, as in 'hermite:0,0,0,0,1'."
                ) from None
            return activation(coeffs)
        return _named(text)
    coeffs = np.asarray(spec, dtype=np.float64).ravel()
    shown = np.trim_zeros(np.concatenate([[0.0], coeffs[1:]]), "b") if coeffs.size else coeffs
    label = "hermite:" + (",".join(f"{v:g}" for v in shown) or "0")
    return _from_hermite(label, coeffs)


def hermite_mass(spec: str | Sequence[float] | np.ndarray | Activation) -> float:
    """E σ(z)² = Σ_{k≥1} c_k² of the centred activation (its total Hermite mass).

    Examples
    --------
    >>> round(hermite_mass("abs"), 12) == round(1 - 2 / np.pi, 12)
    True
    """
    act = activation(spec)
    if act.hermite is not None:
        return float(np.sum(act.hermite**2))
    return float(expectation(act, lambda z: act(z) ** 2))


def hermite_coefficients(
    spec: str | Sequence[float] | np.ndarray | Activation, degree: int
) -> np.ndarray:
    """Normalised-Hermite coefficients c_0 … c_degree of the centred activation.

    c_k = E[σ(z) h_k(z)] with h_k = He_k/√(k!) (multiindex_math.md §A.2.1), so c_0 = 0 and
    Σ_k c_k² ≤ E σ². Exact for Hermite-coefficient activations (and the he<k>, quadratic,
    linear names); otherwise Gaussian quadrature by :func:`expectation` with its doubling
    accuracy check: Gauss–Legendre panels on the Gaussian weight, split at the kinks of |z|,
    ReLU and sign (Gauss–Hermite is exact for polynomials but converges only like e^{−c√n}
    for tanh, whose poles sit at ±iπ/2).

    Examples
    --------
    >>> c = hermite_coefficients("quadratic", 4)
    >>> np.allclose(c, [0, 0, np.sqrt(2), 0, 0])
    True
    >>> c = hermite_coefficients("relu", 2)     # 1/2 and 1/(2√π) (Table B.3: E[σ He2]/√2)
    >>> np.allclose(c, [0, 0.5, 1 / (2 * np.sqrt(np.pi))], atol=1e-12)
    True
    """
    from scalinglab._validation import check_int

    degree = check_int(degree, "degree", "hermite_coefficients", low=0, high=200)
    act = activation(spec)
    if act.hermite is not None:
        out = np.zeros(degree + 1)
        n = min(degree + 1, act.hermite.size)
        out[:n] = act.hermite[:n]
        return out
    half_width = max(14.0, 2.0 * math.sqrt(degree + 1) + 10.0)
    coeffs = expectation(
        act, lambda z: act(z)[None, :] * normalized_hermite(z, degree), half_width=half_width
    )
    coeffs[0] = 0.0  # exactly centred (quadrature leaves ~1e-17)
    return coeffs


def information_exponent(
    spec: str | Sequence[float] | np.ndarray | Activation, max_degree: int = 40
) -> int:
    """The smallest k ≥ 1 with c_k ≠ 0 (multiindex_math.md §A.1: the lowest Hermite degree).

    A coefficient counts as zero when |c_k| ≤ :data:`ZERO_RTOL` · √(E σ²): the threshold
    scales with the activation, so σ and 1000 σ have the same exponent.

    Raises
    ------
    InputError
        For an unknown name or a constant σ.
    QuadratureError
        If no coefficient up to ``max_degree`` is non-zero (cannot happen for σ ≠ 0 with a
        convergent Hermite series unless its mass sits beyond ``max_degree``).

    Examples
    --------
    >>> [information_exponent(n) for n in ("relu", "abs", "he4", "tanh", "cos")]
    [1, 2, 4, 1, 2]
    >>> information_exponent([0, 0, 0, 1e-6])
    3
    """
    act = activation(spec)
    coeffs = hermite_coefficients(act, max_degree)
    scale = math.sqrt(hermite_mass(act))
    nonzero = np.flatnonzero(np.abs(coeffs[1:]) > ZERO_RTOL * scale)
    if nonzero.size == 0:
        raise QuadratureError(
            f"No Hermite coefficient of {act.name!r} up to degree {max_degree} is non-zero."
        )
    return int(nonzero[0] + 1)


def is_even(spec: str | Sequence[float] | np.ndarray | Activation) -> bool:
    """True when σ(−z) = σ(z), i.e. E[(σ(z) − σ(−z))²] ≤ (ZERO_RTOL)² · 4 E σ².

    The test is on the function itself, not on a truncated Hermite series; it is exact for
    Hermite-coefficient activations (all odd c_k zero).

    Examples
    --------
    >>> [is_even(n) for n in ("abs", "he4", "cos", "relu", "tanh")]
    [True, True, True, False, False]
    >>> is_even([0, 0, 1, 0, 1])
    True
    """
    act = activation(spec)
    if act.hermite is not None:
        return bool(not np.any(act.hermite[1::2] != 0.0))
    odd_mass = float(expectation(act, lambda z: (act(z) - act(-z)) ** 2))
    return odd_mass <= (ZERO_RTOL**2) * 4.0 * hermite_mass(act)
