"""The noise sensitivity exponent (NSE) and the exact weak-recovery threshold of a link.

Defilippis, Krzakala, Loureiro, Maillard, arXiv 2603.17896 (ICML 2026) define, for a link σ
(Definition 2.1 as quoted in multiindex_math.md §B.1),

    β★(σ) = min{β ∈ ℕ : E_{z~N(0,1)}[σ(z)^β (z² − 1)] ≠ 0},

and show that it sets the algorithmic cost of single-index learning under large additive noise,
of specialisation in separable multi-index models, and the rate of hierarchical models.

For the channel y = σ(z) + √Δ ξ (z, ξ ~ N(0, 1)) with E[z | y] ≡ 0 (even σ), the exact
algorithmic weak-recovery threshold is the Mondelli–Montanari formula (arXiv 1708.05932;
multiindex_math.md §B.2)

    α_c(Δ) = 1 / E_y[(E[z² − 1 | y])²],

which grows like β★! Δ^β★ / E[σ^β★ He₂]² as Δ → ∞ (§B.2). Here both are computed: the
coefficients E[σ^β He₂] by Gaussian quadrature (:mod:`.activations`), and α_c(Δ) by a
two-dimensional quadrature whose grids follow the noise scale √Δ (see
:func:`weak_recovery_threshold`).

Centring. σ is centred (E σ = 0). β★ and E[σ^β★ He₂] do not change when a constant c is added
to σ: E[(σ + c)^β He₂] = Σ_{j≤β} C(β, j) c^{β−j} E[σ^j He₂], and every term with j < β★
vanishes (j = 0 because E He₂ = 0). Nor does α_c (y is only shifted). The coefficients with
β > β★ do depend on c: Table B.3 of the note lists them for the uncentred |z|, z², cos z, ReLU.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scalinglab._types import Status, to_jsonable
from scalinglab._validation import InputError, check_int, check_real
from scalinglab.models.multiindex.activations import (
    ZERO_RTOL,
    Activation,
    activation,
    expectation,
    information_exponent,
    is_even,
)

__all__ = [
    "DEFAULT_BETA_MAX",
    "NSEResult",
    "ThresholdResult",
    "he2_power_moments",
    "hierarchical_rates",
    "large_noise_threshold",
    "noise_sensitivity_exponent",
    "output_quadrature",
    "posterior_he2_mean",
    "weak_recovery_threshold",
]

#: Largest power β searched for β★ by default. Table B.3 of the note goes to β = 3 and the
#: paper reports β★ ≤ 2 for every even polynomial of degree < 20 (β★ ≥ 3 is fine-tuned).
DEFAULT_BETA_MAX = 8

ActivationSpec = str | Sequence[float] | np.ndarray | Activation


def _he2(z: np.ndarray) -> np.ndarray:
    return z * z - 1.0


def he2_power_moments(spec: ActivationSpec, beta_max: int = DEFAULT_BETA_MAX) -> np.ndarray:
    """E[σ(z)^β He₂(z)] for β = 1 … beta_max (σ centred), shape ``(beta_max,)``.

    He₂(z) = z² − 1. For σ = Σ_j s_j h_j the β = 1, 2 values have the closed forms
    E[σ He₂] = √2 s_2 and E[σ² He₂] = 2 Σ_j j s_j² + 2 Σ_j √((j+1)(j+2)) s_j s_{j+2}
    (multiindex_math.md §B.2).

    Examples
    --------
    >>> np.round(he2_power_moments("he2", 3), 4)   # h_2: √2, 4, 2^{-3/2}·E(z²−1)^4 = 60/2^{1.5}
    array([ 1.4142,  4.    , 21.2132])
    >>> np.round(he2_power_moments("he4", 2), 6) + 0.0   # + 0.0 turns -0.0 into 0.0
    array([0., 8.])
    """
    beta_max = check_int(beta_max, "beta_max", "he2_power_moments", low=1, high=64)
    act = activation(spec)
    powers = np.arange(1, beta_max + 1)[:, None]
    return np.asarray(expectation(act, lambda z: act(z)[None, :] ** powers * _he2(z)[None, :]))


def _power_scales(act: Activation, beta_max: int) -> np.ndarray:
    """√(E[σ^{2β}] E[He₂²]): the Cauchy–Schwarz bound on |E[σ^β He₂]|, the zero test's scale."""
    powers = np.arange(1, beta_max + 1)[:, None]
    second = expectation(act, lambda z: act(z)[None, :] ** (2 * powers))
    return np.sqrt(2.0 * np.asarray(second))


@dataclass(frozen=True)
class NSEResult:
    """β★ of one link, with the numbers that decide it.

    Attributes
    ----------
    name : str
        Activation name.
    beta_star : int | None
        The NSE; None means β★ = ∞ when ``status`` is converged (proved), or "larger than
        ``beta_max``" when ``status`` is bound_hit.
    moments : np.ndarray
        E[σ^β He₂] for β = 1 … beta_max (σ centred).
    information_exponent : int
        Lowest Hermite degree of σ.
    even : bool
        Whether σ is even (generative exponent 2).
    gap_relevant : bool
        β★ governs a statistical-to-computational gap only for even links (§B.1, §B.3).
    status, message
        How β★ was decided.
    is_zero : np.ndarray
        Outcome of the zero test for each β (True: zero up to quadrature accuracy).
    """

    name: str
    beta_star: int | None
    moments: np.ndarray = field(repr=False)
    information_exponent: int
    even: bool
    gap_relevant: bool
    status: Status
    message: str
    is_zero: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=bool))

    def to_dict(self) -> dict[str, Any]:
        """JSON view (``nse`` is null for infinity)."""
        return to_jsonable(
            {
                "name": self.name,
                "nse": self.beta_star,
                "nse_status": self.status,
                "nse_message": self.message,
                "he2_power_moments": self.moments,
                "he2_moment_is_zero": self.is_zero,
                "information_exponent": self.information_exponent,
                "even": self.even,
                "gap_relevant": self.gap_relevant,
            }
        )


def noise_sensitivity_exponent(spec: ActivationSpec, beta_max: int = DEFAULT_BETA_MAX) -> NSEResult:
    """β★(σ) = min{β : E[σ^β (z² − 1)] ≠ 0} (arXiv 2603.17896, Definition 2.1; note §B.1).

    A moment counts as zero when |E[σ^β He₂]| ≤ ZERO_RTOL · √(E[σ^{2β}] E[He₂²]) (scale-aware:
    relative to its Cauchy–Schwarz bound).

    Infinity. The search stops at ``beta_max``. If σ takes finitely many values v_1 … v_K (e.g.
    ``sign``, K = 2), every function of σ is a polynomial of degree ≤ K − 1 in σ (Lagrange
    interpolation), so E[g(σ) He₂] = 0 for all g as soon as the moments β = 1 … K − 1 vanish
    (β = 0 vanishes since E He₂ = 0); then β★ = ∞ is proved and returned as None with status
    converged. Otherwise all-zero moments up to ``beta_max`` give None with status bound_hit.

    Examples
    --------
    >>> [noise_sensitivity_exponent(n).beta_star for n in ("he2", "abs", "cos", "he4", "he6")]
    [1, 1, 1, 2, 2]
    >>> r = noise_sensitivity_exponent("sign")
    >>> r.beta_star, str(r.status)
    (None, 'converged')
    >>> r = noise_sensitivity_exponent("relu")
    >>> r.beta_star, r.even, r.gap_relevant
    (1, False, False)
    """
    beta_max = check_int(beta_max, "beta_max", "noise_sensitivity_exponent", low=1, high=64)
    act = activation(spec)
    moments = he2_power_moments(act, beta_max)
    scales = _power_scales(act, beta_max)
    is_zero = np.abs(moments) <= ZERO_RTOL * scales
    nonzero = np.flatnonzero(~is_zero)
    even = is_even(act)
    ie = information_exponent(act)
    if nonzero.size:
        beta_star: int | None = int(nonzero[0] + 1)
        status = Status.CONVERGED
        message = f"E[σ^β He2] first non-zero at β = {beta_star}"
    elif act.n_values is not None and act.n_values - 1 <= beta_max:
        beta_star = None
        status = Status.CONVERGED
        message = (
            f"σ takes {act.n_values} values and E[σ^β He2] = 0 for β ≤ {act.n_values - 1}, "
            "so E[g(σ) He2] = 0 for every g: β★ = ∞"
        )
    else:
        beta_star = None
        status = Status.BOUND_HIT
        message = f"E[σ^β He2] = 0 for every β ≤ beta_max = {beta_max}: β★ > {beta_max}"
    return NSEResult(
        name=act.name,
        beta_star=beta_star,
        moments=moments,
        information_exponent=ie,
        even=even,
        gap_relevant=even,
        status=status,
        message=message,
        is_zero=is_zero,
    )


def _check_delta(delta: object, owner: str) -> float:
    return check_real(delta, "delta", owner, low=0.0, low_open=True)


def large_noise_threshold(
    spec: ActivationSpec, delta: float, beta_max: int = DEFAULT_BETA_MAX
) -> float:
    """The large-noise law α_c(Δ) ≃ β★! Δ^β★ / E[σ^β★ He₂]² (multiindex_math.md §B.2).

    Raises
    ------
    InputError
        If σ is not even (the threshold formula needs E[z | y] ≡ 0) or β★ is not finite.

    Examples
    --------
    >>> round(large_noise_threshold("he2", 100.0), 10)    # Δ/2
    50.0
    >>> round(large_noise_threshold("he4", 1e4) / 1e8 * 32, 12)   # Δ²/32
    1.0
    """
    delta = _check_delta(delta, "large_noise_threshold")
    res = noise_sensitivity_exponent(spec, beta_max)
    if not res.even:
        raise InputError(
            f"The activation {res.name!r} is not even: the threshold α_c(Δ) needs an even link "
            "(with an odd part E[z|y] ≠ 0 and weak recovery needs only α > 0)."
        )
    if res.beta_star is None:
        raise InputError(
            f"The activation {res.name!r} has no finite noise sensitivity exponent "
            f"({res.message}), so α_c(Δ) has no power-law asymptote."
        )
    b = res.beta_star
    return math.factorial(b) * delta**b / float(res.moments[b - 1]) ** 2


@dataclass(frozen=True)
class ThresholdResult:
    """α_c(Δ) of one link and one noise level.

    Attributes
    ----------
    delta : float
        Noise variance Δ.
    alpha_c : float
        Weak-recovery threshold n/d; 0.0 for links with an odd part (first-order regime).
    info : float
        E_y[(E[z² − 1 | y])²] (NaN in the first-order regime).
    regime : str
        ``"second_order"`` (even link, Mondelli–Montanari formula) or ``"first_order"``.
    rel_error : float
        |difference| between the last two refinements, relative (0.0 when not computed).
    status, message
        Converged when the refinements agree to ``rtol``.
    """

    delta: float
    alpha_c: float
    info: float
    regime: str
    rel_error: float
    status: Status
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return to_jsonable(
            {
                "delta": self.delta,
                "alpha_c": self.alpha_c,
                "info": self.info,
                "regime": self.regime,
                "rel_error": self.rel_error,
                "status": self.status,
                "message": self.message,
            }
        )


#: Gaussian-kernel cut-off: nodes further than this many √Δ from y are dropped (e^{−50}).
_KERNEL_CUT = 10.0
#: Widest z panel (the Gaussian weight φ(z) must be resolved even where σ is flat).
_Z_PANEL_MAX = 0.25
#: Truncations |z| ≤ L tried for the z integral.
_Z_LIMITS = (5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 9.0, 10.0, 11.0, 12.0)


def _he2_tail(limit: float) -> float:
    """E[He₂(z)² 1{|z| > L}] = 2[L³φ(L) + Lφ(L) + 2Q(L)] (Gaussian incomplete moments)."""
    phi = math.exp(-0.5 * limit * limit) / math.sqrt(2.0 * math.pi)
    q = 0.5 * math.erfc(limit / math.sqrt(2.0))
    return 2.0 * (limit**3 * phi + limit * phi + 2.0 * q)


def _z_rule(
    act: Activation, limit: float, step: float, per_panel: int
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre nodes in z whose panels change σ by ≤ ``step`` (and ≤ 0.25 wide).

    Panels are placed uniformly in τ(z) = V_σ(z)/step + z/0.25, with V_σ the variation of σ
    measured on a pilot grid of spacing 1e−3; kinks are panel edges.
    """
    edges = [-limit, *sorted(k for k in act.kinks if abs(k) < limit), limit]
    x, w = np.polynomial.legendre.leggauss(per_panel)
    all_edges = []
    for a, b in itertools.pairwise(edges):
        pilot = np.linspace(a, b, max(2, math.ceil((b - a) / 1e-3)) + 1)
        values = act(pilot)
        dtau = np.abs(np.diff(values)) / step + np.diff(pilot) / _Z_PANEL_MAX
        tau = np.concatenate([[0.0], np.cumsum(dtau)])
        n_panels = max(1, math.ceil(tau[-1]))
        all_edges.append(np.interp(np.linspace(0.0, tau[-1], n_panels + 1), tau, pilot))
    panel_edges = np.unique(np.concatenate(all_edges))
    left, right = panel_edges[:-1, None], panel_edges[1:, None]
    half = 0.5 * (right - left)
    nodes = (0.5 * (left + right) + half * x[None, :]).ravel()
    weights = (half * w[None, :]).ravel() * np.exp(-0.5 * nodes**2) / math.sqrt(2.0 * math.pi)
    return nodes, weights


def _y_posterior(
    act: Activation, delta: float, limit: float, resolution: float, per_panel: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes y_i of the output law, their probability weights q_i = p(y_i) dy_i, m(y_i).

    Grids of size ``resolution``·√Δ (z panels by σ-variation, y panels by width).
    """
    sd = math.sqrt(delta)
    z, wz = _z_rule(act, limit, resolution * sd, per_panel)
    s = act(z)
    order = np.argsort(s, kind="stable")
    s, wz, a = s[order], wz[order], _he2(z[order]) * wz[order]
    # y rule: composite Gauss–Legendre, panels resolution·√Δ wide, covering σ's range ± cut·√Δ
    lo, hi = s[0] - _KERNEL_CUT * sd, s[-1] + _KERNEL_CUT * sd
    n_panels = max(1, math.ceil((hi - lo) / (resolution * sd)))
    edges = np.linspace(lo, hi, n_panels + 1)
    x, w = np.polynomial.legendre.leggauss(per_panel)
    half = 0.5 * (edges[1:] - edges[:-1])[:, None]
    y = (0.5 * (edges[1:] + edges[:-1])[:, None] + half * x[None, :]).ravel()
    wy = (half * w[None, :]).ravel()
    norm = 1.0 / math.sqrt(2.0 * math.pi * delta)
    q = np.zeros(y.size)
    m = np.zeros(y.size)
    block = 64
    for start in range(0, y.size, block):
        yb = y[start : start + block]
        j0 = int(np.searchsorted(s, yb[0] - _KERNEL_CUT * sd, side="left"))
        j1 = int(np.searchsorted(s, yb[-1] + _KERNEL_CUT * sd, side="right"))
        if j1 <= j0:
            continue
        kern = np.exp(-0.5 * ((yb[:, None] - s[None, j0:j1]) / sd) ** 2) * norm
        p = kern @ wz[j0:j1]
        num = kern @ a[j0:j1]
        ok = p > 0.0
        q[start : start + block][ok] = wy[start : start + block][ok] * p[ok]
        m[start : start + block][ok] = num[ok] / p[ok]
    keep = q > 0.0
    return y[keep], q[keep], m[keep]


def _info(act: Activation, delta: float, limit: float, resolution: float, per_panel: int) -> float:
    """E_y[(E[He₂(z)|y])²] for y = σ(z) + √Δ ξ, on grids of size ``resolution``·√Δ."""
    _, q, m = _y_posterior(act, delta, limit, resolution, per_panel)
    return float(q @ (m * m))


def output_quadrature(
    spec: ActivationSpec, delta: float, *, resolution: float = 0.5, per_panel: int = 8
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A quadrature of the output law of y = σ(z) + √Δ ξ with m(y) = E[z² − 1 | y] at its nodes.

    Returns ``(y, q, m)``: E_y[f(y, m(y))] ≈ Σ_i q_i f(y_i, m_i) (q_i = p(y_i) dy_i, Σ q_i ≈ 1),
    on the grids of :func:`weak_recovery_threshold` (|z| ≤ 8).

    Examples
    --------
    >>> y, q, m = output_quadrature("abs", 1.0)
    >>> round(float(q.sum()), 10), round(float(q @ (m + 1)), 10)   # Σ q = 1, E[z²] = 1
    (1.0, 1.0)
    """
    delta = _check_delta(delta, "output_quadrature")
    resolution = check_real(resolution, "resolution", "output_quadrature", low=0.01, high=2.0)
    per_panel = check_int(per_panel, "per_panel", "output_quadrature", low=2, high=32)
    return _y_posterior(activation(spec), delta, 8.0, resolution, per_panel)


def posterior_he2_mean(
    spec: ActivationSpec, delta: float, y: np.ndarray | Sequence[float]
) -> np.ndarray:
    """m(y) = E[z² − 1 | y] for the channel y = σ(z) + √Δ ξ, at the given outputs y.

    m(y) = E_z[He₂(z) φ_Δ(y − σ(z))] / E_z[φ_Δ(y − σ(z))], with the z rule of
    :func:`weak_recovery_threshold` (panels changing σ by ≤ √Δ/2, 8 nodes each, |z| ≤ 8).
    Where no node lies within 10√Δ of y (far outside σ's range) m is extrapolated from the
    nearest node. m ≥ −1 always (E[z² | y] ≥ 0).

    Examples
    --------
    >>> m = posterior_he2_mean("he2", 1e-2, [0.0, 4 / np.sqrt(2)])   # y ≈ h_2(z): z² − 1 ≈ √2 y
    >>> np.round(m, 1) + 0.0
    array([0., 4.])
    """
    delta = _check_delta(delta, "posterior_he2_mean")
    act = activation(spec)
    yy = np.asarray(y, dtype=np.float64)
    if not np.all(np.isfinite(yy)):
        raise InputError("The 'y' parameter of posterior_he2_mean must be finite floats.")
    sd = math.sqrt(delta)
    z, wz = _z_rule(act, 8.0, 0.5 * sd, 8)
    s = act(z)
    order = np.argsort(s, kind="stable")
    s, wz, a = s[order], wz[order], _he2(z[order]) * wz[order]
    flat = yy.ravel()
    out = np.empty(flat.size)
    yorder = np.argsort(flat, kind="stable")
    block = 256
    for start in range(0, flat.size, block):
        idx = yorder[start : start + block]
        yb = flat[idx]
        j0 = int(np.searchsorted(s, yb[0] - _KERNEL_CUT * sd, side="left"))
        j1 = int(np.searchsorted(s, yb[-1] + _KERNEL_CUT * sd, side="right"))
        j0, j1 = min(j0, s.size - 1), max(j1, j0 + 1)
        # log-kernel shifted per row: no underflow even far from every node
        expo = -0.5 * ((yb[:, None] - s[None, j0:j1]) / sd) ** 2
        kern = np.exp(expo - expo.max(axis=1, keepdims=True))
        out[idx] = (kern @ a[j0:j1]) / (kern @ wz[j0:j1])
    return out.reshape(yy.shape)


def weak_recovery_threshold(
    spec: ActivationSpec,
    delta: float,
    *,
    rtol: float = 1e-4,
    max_refinements: int = 4,
) -> ThresholdResult:
    """α_c(Δ) = 1 / E_y[(E[z² − 1 | y])²] for y = σ(z) + √Δ ξ (Mondelli–Montanari; note §B.2).

    Quadrature. With the σ-sorted z nodes, p(y) = E_z φ_Δ(y − σ(z)) and
    N(y) = E_z[He₂(z) φ_Δ(y − σ(z))] are Gaussian sums over the nodes within 10√Δ of y, and
    E_y[m²] = ∫ N(y)²/p(y) dy. The z panels change σ by at most h√Δ (and are ≤ 0.25 wide),
    the y panels are h√Δ wide, both with Gauss–Legendre nodes, so the grids follow the noise
    scale from Δ = 1e−2 to 1e6 (a fixed y grid was 5 % wrong at small Δ, note §B.4). The rule
    is refined (h = 1, ½, ¼ …, with 6 then 8 nodes per panel) until two successive values
    agree to ``rtol``. The z range |z| ≤ L is the smallest L in 5 … 12 with
    E[He₂² 1{|z|>L}] ≤ (rtol/100) E_y[m²]: the neglected part of E_y[m²] = E[m(y) He₂(z)] is
    about E[He₂² 1{|z|>L}] at small Δ (y pins σ(z) down) and smaller at large Δ (m → 0); the
    tests compare with L = 12.

    Links with an odd part have E[z | y] ≠ 0 and are learnable at any α > 0: they get
    α_c = 0 with regime ``"first_order"`` (generative exponent 1; note §B.1).

    Examples
    --------
    >>> r = weak_recovery_threshold("he2", 1.0)
    >>> round(r.alpha_c, 4), str(r.status)           # note Table B.4: 0.78011
    (0.7801, 'converged')
    >>> weak_recovery_threshold("relu", 1.0).alpha_c
    0.0
    """
    owner = "weak_recovery_threshold"
    delta = _check_delta(delta, owner)
    rtol = check_real(rtol, "rtol", owner, low=1e-10, high=0.1)
    max_refinements = check_int(max_refinements, "max_refinements", owner, low=1, high=8)
    act = activation(spec)
    if not is_even(act):
        return ThresholdResult(
            delta=delta,
            alpha_c=0.0,
            info=math.nan,
            regime="first_order",
            rel_error=0.0,
            status=Status.CONVERGED,
            message="σ has an odd part: E[z|y] ≠ 0, weak recovery for every α > 0",
        )
    # z range from a first, coarse estimate of E_y[m²]
    rough = _info(act, delta, 6.0, 2.0, 6)
    limit = _Z_LIMITS[-1]
    for candidate in _Z_LIMITS:
        if rough > 0 and _he2_tail(candidate) / rough <= rtol / 100.0:
            limit = candidate
            break
    schedule = [(1.0, 6), (1.0, 8)] + [(0.5**i, 8) for i in range(1, max_refinements)]
    previous = math.nan
    info = math.nan
    rel_error = math.inf
    for resolution, per_panel in schedule:
        info = _info(act, delta, limit, resolution, per_panel)
        if math.isfinite(previous):
            rel_error = abs(info - previous) / abs(info)
            if rel_error <= rtol:
                return ThresholdResult(
                    delta=delta,
                    alpha_c=1.0 / info,
                    info=info,
                    regime="second_order",
                    rel_error=rel_error,
                    status=Status.CONVERGED,
                    message=f"refinements agree to {rel_error:.1e} (|z| <= {limit:g})",
                )
        previous = info
    return ThresholdResult(
        delta=delta,
        alpha_c=1.0 / info,
        info=info,
        regime="second_order",
        rel_error=rel_error,
        status=Status.MAX_ITER,
        message=f"refinements still differ by {rel_error:.1e} > rtol = {rtol:g}",
    )


def hierarchical_rates(gamma: float, beta_star: int | None) -> dict[str, float]:
    """Rates of the hierarchical model y = Σ_k k^{−γ} σ(⟨w_k, x⟩) + √Δ ξ (note §B.1).

    Direction k is learned algorithmically at n/d = Θ(k^{2γβ★}) (arXiv 2603.17896, Theorem 5.2
    as quoted), so k*(α) = α^{1/(2γβ★)} and the MSE Σ_{k>k*} k^{−2γ} decays as
    α^{−(1/β★)(1 − 1/(2γ))}; the information-theoretic exponent is −(1 − 1/(2γ)).
    β★ = None (∞) gives an infinite threshold exponent and no algorithmic decay (0).

    Examples
    --------
    >>> hierarchical_rates(1.0, 2)
    {'alg_threshold_exponent': 4.0, 'mse_exponent_alg': -0.25, 'mse_exponent_opt': -0.5}
    """
    owner = "hierarchical_rates"
    gamma = check_real(gamma, "gamma", owner, low=0.5, low_open=True)
    opt = -(1.0 - 1.0 / (2.0 * gamma))
    if beta_star is None:
        return {
            "alg_threshold_exponent": math.inf,
            "mse_exponent_alg": 0.0,
            "mse_exponent_opt": opt,
        }
    b = check_int(beta_star, "beta_star", owner, low=1)
    return {
        "alg_threshold_exponent": 2.0 * gamma * b,
        "mse_exponent_alg": opt / b,
        "mse_exponent_opt": opt,
    }
