"""Nonlinear random features: activations, finite-width feature maps, infinite-width kernels.

One hidden layer of random weights (Maloney, Roberts & Sully 2022, "MRS", eqs. 13, 174–175):

.. math:: \\varphi_j(x) = \\sigma(w_j \\cdot x), \\qquad
   w_j \\sim \\mathcal N(0, \\sigma_u^2 I/N_{in}),

and its infinite-width kernel (MRS eq. 178), ``Σ(x, x') = E_w[σ(w·x) σ(w·x')]``, the limit of
``(1/N) Σ_j φ_j(x) φ_j(x')``. Feature maps here return ``Φ/√N`` so that ``Φ Φᵀ → K``.

Closed forms (a = s²‖x‖², b = s²‖x'‖², s² = σ_u²/N_in, ρ = cos θ the input correlation):

- ``relu``: ``√(ab)/(2π) [ρ arccos(−ρ) + √(1−ρ²)]`` — MRS eq. (179) with the 1/N_in of (175)
  restored (mrs_math.md §1.4); the order-1 arc-cosine kernel (Cho & Saul 2009).
- arc-cosine family ``step`` (Θ(z), order 0) and ``relu2`` (Θ(z) z², order 2):
  ``(ab)^{n/2} J_n(θ)/(2π)`` with ``J₀ = π − θ``, ``J₁ = sin θ + (π − θ) cos θ``,
  ``J₂ = 3 sin θ cos θ + (π − θ)(1 + 2 cos² θ)`` (Cho & Saul 2009, eq. 6).
- ``erf``: ``(2/π) arcsin(2c/√((1+2a)(1+2b)))`` with ``c = s² x·x'`` (Williams 1997).
- ``powP`` (σ(z) = z^P): ``(ab)^{P/2} Σ_k k! h_k² ρ^k`` with the Hermite coefficients
  ``h_k = P!/(k! ((P−k)/2)! 2^{(P−k)/2})`` of z^P (k ≡ P mod 2) — Wick's theorem.
- ``tanh``: no closed form; the same Hermite series with coefficients from Gauss–Hermite
  quadrature (:func:`hermite_kernel`), truncated with a rigorous error bound.
- ``linear``: ``c``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import erf as _erf

from scalinglab._validation import InputError, check_int, check_real

__all__ = [
    "ACTIVATIONS",
    "HermiteKernel",
    "activation",
    "default_weight_var",
    "draw_weights",
    "hermite_kernel",
    "kernel_matrix",
    "parse_activation",
    "random_features",
]

ACTIVATIONS = ("linear", "relu", "step", "relu2", "erf", "tanh")  # plus "powP", P = 1..8
HE_INIT = 2.0  # He initialisation for the ReLU family, MRS §2.2: u ~ N(0, 2/N_in)
MAX_MONOMIAL = 8
ROW_CHUNK = 2048

_POW = re.compile(r"^pow([1-8])$")


def parse_activation(name: str) -> str:
    """Validate an activation name: one of :data:`ACTIVATIONS` or ``pow1`` … ``pow8``.

    Examples
    --------
    >>> parse_activation("pow3")
    'pow3'
    >>> parse_activation("gelu")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: unknown activation 'gelu'; choose one of linear, relu, ...
    """
    if not isinstance(name, str) or not (name in ACTIVATIONS or _POW.match(name)):
        opts = ", ".join(ACTIVATIONS)
        raise InputError(
            f"unknown activation {name!r}; choose one of {opts}, or powP (z^P, P = 1..8)"
        )
    return name


def default_weight_var(name: str) -> float:
    """σ_u²: 2 (He) for the ReLU family as in MRS §2.2, 1 otherwise.

    Examples
    --------
    >>> default_weight_var("relu"), default_weight_var("tanh")
    (2.0, 1.0)
    """
    return HE_INIT if parse_activation(name) in ("relu", "step", "relu2") else 1.0


def _monomial_power(name: str) -> int | None:
    m = _POW.match(name)
    return int(m.group(1)) if m else None


def activation(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The elementwise function σ for an activation name.

    Examples
    --------
    >>> activation("relu")(np.array([-1.0, 2.0])), activation("pow3")(np.array([2.0]))
    (array([0., 2.]), array([8.]))
    """
    name = parse_activation(name)
    p = _monomial_power(name)
    if p is not None:
        return lambda z: z**p
    return {
        "linear": lambda z: z,
        "relu": lambda z: np.maximum(z, 0.0),
        "step": lambda z: (z > 0).astype(np.float64),
        "relu2": lambda z: np.maximum(z, 0.0) ** 2,
        "erf": _erf,
        "tanh": np.tanh,
    }[name]


def check_inputs(x: np.ndarray, name: str = "x") -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InputError(f"{name} must be a 2-D array (samples x inputs); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinite values")
    return arr


def random_features(
    x: np.ndarray,
    width: int,
    act: str,
    rng: np.random.Generator,
    *,
    weight_var: float | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Finite-width random features ``Φ = σ(X Wᵀ)/√N`` (n × N), MRS eqs. (13)/(174).

    Parameters
    ----------
    x : ndarray (n, N_in)
        Inputs in rows.
    width : int
        N, the number of features.
    act : str
        Activation name (see :func:`parse_activation`).
    rng : numpy.random.Generator
        Source of the weights ``W ~ N(0, σ_u²/N_in)`` (N × N_in).
    weight_var : float, optional
        σ_u² (default :func:`default_weight_var`).
    weights : ndarray (N, N_in), optional
        Use these weights instead of drawing (e.g. the same map for train and test sets).

    Returns
    -------
    ndarray (n, N)
        Scaled so that ``Φ Φᵀ`` converges to :func:`kernel_matrix` as N → ∞.

    Examples
    --------
    ``Φ Φᵀ`` approaches the infinite-width kernel; with N = 20 000 features the fluctuation is
    O(1/√N) of the kernel's scale (about 1.5 here):

    >>> x = np.random.default_rng(0).standard_normal((3, 5))
    >>> phi = random_features(x, 20_000, "relu", np.random.default_rng(1))
    >>> phi.shape, bool(np.abs(phi @ phi.T - kernel_matrix(x, "relu")).max() < 0.05)
    ((3, 20000), True)
    """
    arr = check_inputs(x)
    n_in = arr.shape[1]
    sigma = activation(act)
    if weights is None:
        width = check_int(width, "width", "random_features", low=1)
        var = default_weight_var(act) if weight_var is None else weight_var
        var = check_real(var, "weight_var", "random_features", low=0.0, low_open=True)
        weights = rng.standard_normal((width, n_in)) * math.sqrt(var / n_in)
    elif weights.shape[1] != n_in:
        raise InputError(f"weights have {weights.shape[1]} inputs, x has {n_in}")
    out = np.empty((arr.shape[0], weights.shape[0]))
    scale = 1.0 / math.sqrt(weights.shape[0])
    for start in range(0, arr.shape[0], ROW_CHUNK):
        out[start : start + ROW_CHUNK] = sigma(arr[start : start + ROW_CHUNK] @ weights.T) * scale
    return out


def draw_weights(
    n_in: int, width: int, act: str, rng: np.random.Generator, weight_var: float | None = None
) -> np.ndarray:
    """Weights ``W ~ N(0, σ_u²/N_in)`` of shape (N, N_in) for :func:`random_features`.

    Examples
    --------
    The same generator state gives the same map as :func:`random_features`, and the entries have
    variance σ_u²/N_in (2/4 for ReLU on 4 inputs):

    >>> x = np.random.default_rng(0).standard_normal((3, 4))
    >>> w = draw_weights(4, 50, "relu", np.random.default_rng(2))
    >>> same = random_features(x, 50, "relu", np.random.default_rng(2))
    >>> bool(np.array_equal(random_features(x, 50, "relu", None, weights=w), same))
    True
    >>> round(float((draw_weights(4, 5000, "relu", np.random.default_rng(0)) ** 2).mean()), 2)
    0.5
    """
    var = default_weight_var(act) if weight_var is None else weight_var
    return rng.standard_normal((width, n_in)) * math.sqrt(var / n_in)


# --------------------------------------------------------------------------- kernels


def _hermite_monomial_coeffs(p: int) -> np.ndarray:
    """h_k with ``z^p = Σ_k h_k He_k(z)`` (probabilists' Hermite), k = 0..p."""
    h = np.zeros(p + 1)
    for k in range(p % 2, p + 1, 2):
        j = (p - k) // 2
        h[k] = math.factorial(p) / (math.factorial(k) * math.factorial(j) * 2**j)
    return h


def _arccos_j(order: int, theta: np.ndarray) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    if order == 0:
        return np.pi - theta
    if order == 1:
        return s + (np.pi - theta) * c
    return 3.0 * s * c + (np.pi - theta) * (1.0 + 2.0 * c * c)


def kernel_matrix(
    x: np.ndarray,
    act: str,
    *,
    weight_var: float | None = None,
    x2: np.ndarray | None = None,
    hermite_degree: int = 40,
) -> np.ndarray:
    """Infinite-width kernel ``K_ij = E_w[σ(w·x_i) σ(w·x_j)]``, w ~ N(0, σ_u²/N_in) (MRS 178).

    Parameters
    ----------
    x : ndarray (n, N_in)
    act : str
        Activation; closed forms for linear, relu (eq. 179), step, relu2, erf, powP; a Hermite
        series (:func:`hermite_kernel`) for tanh.
    weight_var : float, optional
        σ_u² (default :func:`default_weight_var`).
    x2 : ndarray (m, N_in), optional
        Second set of inputs (cross-kernel, n × m); default ``x``.
    hermite_degree : int
        Truncation degree of the Hermite series (tanh only).

    Returns
    -------
    ndarray (n, m)

    Examples
    --------
    ReLU with He weights (σ_u² = 2) on inputs with ‖x‖² = N_in: the diagonal is
    ``E[relu(u)²] = a/2 = 1`` and orthogonal inputs (ρ = 0) give ``√(ab)/(2π) = 1/π`` (eq. 179):

    >>> k = kernel_matrix(np.sqrt(2.0) * np.eye(2), "relu")
    >>> bool(np.allclose(k, [[1.0, 1 / np.pi], [1 / np.pi, 1.0]]))
    True
    """
    act = parse_activation(act)
    a1 = check_inputs(x)
    a2 = a1 if x2 is None else check_inputs(x2, "x2")
    if a2.shape[1] != a1.shape[1]:
        raise InputError(f"x2 has {a2.shape[1]} inputs, x has {a1.shape[1]}")
    var = default_weight_var(act) if weight_var is None else weight_var
    var = check_real(var, "weight_var", "kernel_matrix", low=0.0, low_open=True)
    s2 = var / a1.shape[1]
    cross = s2 * (a1 @ a2.T)  # c = s² x·x'
    if act == "linear":
        return cross
    sq1 = s2 * np.einsum("ij,ij->i", a1, a1)  # a = s²‖x‖²
    sq2 = sq1 if x2 is None else s2 * np.einsum("ij,ij->i", a2, a2)
    if act == "erf":
        denom = np.sqrt(np.outer(1.0 + 2.0 * sq1, 1.0 + 2.0 * sq2))
        return (2.0 / np.pi) * np.arcsin(np.clip(2.0 * cross / denom, -1.0, 1.0))
    if act == "tanh":
        return hermite_kernel(a1, np.tanh, var, degree=hermite_degree, x2=x2).kernel
    norms = np.sqrt(np.outer(sq1, sq2))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(norms > 0, cross / norms, 0.0)
    rho = np.clip(rho, -1.0, 1.0)
    p = _monomial_power(act)
    if p is not None:
        h = _hermite_monomial_coeffs(p)
        series = np.zeros_like(rho)
        for k in range(p, -1, -1):  # Horner in ρ
            series = series * rho + math.factorial(k) * h[k] ** 2
        return norms**p * series
    order = {"step": 0, "relu": 1, "relu2": 2}[act]
    theta = np.arccos(rho)
    return norms**order * _arccos_j(order, theta) / (2.0 * np.pi)


@dataclass(frozen=True)
class HermiteKernel:
    """A kernel from its Hermite series, with a bound on the truncation error.

    ``kernel[i, j] = Σ_{k ≤ K} k! c_k(a_i) c_k(b_j) ρ_ij^k``; by Cauchy–Schwarz and Parseval the
    dropped terms are bounded by ``sqrt(t_K(a_i) t_K(b_j))``, ``t_K(a) = E[σ(√a z)²] −
    Σ_{k ≤ K} k! c_k(a)²``; ``max_error`` is the largest such bound.

    Examples
    --------
    For σ(z) = z³ the degree-3 series is exact, so the bound is at round-off level and the kernel
    matches the Wick closed form of ``pow3``:

    >>> x = np.random.default_rng(0).standard_normal((3, 5))
    >>> hk = hermite_kernel(x, lambda z: z**3, 1.0, degree=3)
    >>> hk.degree, hk.max_error < 1e-10, bool(np.allclose(hk.kernel, kernel_matrix(x, "pow3")))
    (3, True, True)
    """

    kernel: np.ndarray
    degree: int
    max_error: float


def hermite_kernel(
    x: np.ndarray,
    fn: Callable[[np.ndarray], np.ndarray],
    weight_var: float,
    *,
    degree: int = 40,
    x2: np.ndarray | None = None,
    nodes: int = 160,
) -> HermiteKernel:
    """Kernel of any activation from its Hermite expansion (numerical, any σ).

    With u = w·x, v = w·x' jointly Gaussian (variances a, b, correlation ρ), the Mehler
    expansion gives ``E[σ(u)σ(v)] = Σ_k k! c_k(a) c_k(b) ρ^k`` with
    ``c_k(a) = E[σ(√a z) He_k(z)]/k!`` (z standard normal), computed by Gauss–Hermite
    quadrature with ``nodes`` points. Used for tanh, and as an independent check of the closed
    forms in the tests. The error bound assumes exact coefficients: it holds for smooth σ
    (erf: within 1e-6 of the closed form at degree 60), not for kinked ones (ReLU, step),
    whose coefficients Gauss–Hermite quadrature resolves only to ~1e-3.

    Examples
    --------
    Against the closed-form erf kernel (Williams 1997):

    >>> from scipy.special import erf
    >>> x = np.random.default_rng(0).standard_normal((3, 5))
    >>> hk = hermite_kernel(x, erf, 1.0, degree=60)
    >>> bool(np.abs(hk.kernel - kernel_matrix(x, "erf")).max() < 1e-6), hk.max_error < 1e-6
    (True, True)
    """
    degree = check_int(degree, "degree", "hermite_kernel", low=0)
    a1 = check_inputs(x)
    a2 = a1 if x2 is None else check_inputs(x2, "x2")
    s2 = weight_var / a1.shape[1]
    z, wq = hermegauss(nodes)
    wq = wq / math.sqrt(2.0 * math.pi)
    he = np.empty((degree + 1, z.size))  # He_k(z) by the three-term recurrence
    he[0] = 1.0
    if degree >= 1:
        he[1] = z
    for k in range(1, degree):
        he[k + 1] = z * he[k] - k * he[k - 1]
    fact = np.array([math.factorial(k) for k in range(degree + 1)], dtype=np.float64)

    def coeffs(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sq = s2 * np.einsum("ij,ij->i", arr, arr)
        vals = fn(np.sqrt(sq)[:, None] * z[None, :])  # (n, Q)
        c = (vals * wq) @ he.T / fact  # (n, K+1)
        second = (vals**2) @ wq
        rest = np.maximum(second - (c**2) @ fact, 0.0)
        return c, np.sqrt(sq), rest

    c1, r1, t1 = coeffs(a1)
    c2, r2, t2 = (c1, r1, t1) if x2 is None else coeffs(a2)
    norms = np.outer(r1, r2)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(norms > 0, s2 * (a1 @ a2.T) / norms, 0.0)
    rho = np.clip(rho, -1.0, 1.0)
    kern = np.zeros_like(rho)
    for k in range(degree, -1, -1):  # Horner in ρ
        kern = kern * rho + fact[k] * np.outer(c1[:, k], c2[:, k])
    bound = float(np.sqrt(np.max(t1) * np.max(t2)))
    return HermiteKernel(kernel=kern, degree=degree, max_error=bound)
