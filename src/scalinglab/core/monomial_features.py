"""Exact spectrum of monomial random features on power-law Gaussian data.

Setting of Paquette, Xiao & Zhu (arXiv 2603.14578; spec ``rf_monomial_math.md`` §C): inputs
x ~ N(0, H) in ℝ^v with ``H = diag(j^-α)``, a Gaussian sketch W ∈ ℝ^{v×d} with i.i.d. N(0, 1)
entries, and the entrywise monomial ``f(y) = y^p``. The object is the (uncentred) population
feature covariance

.. math:: K = \\mathbb E_x\\big[\\tfrac1d f(W^\\top x) f(W^\\top x)^\\top\\big]
   \\in \\mathbb R^{d\\times d},

whose j-th eigenvalue the paper bounds by ``(log^{p−1}(j+1)/j)^α`` in the head. Note the
exponent convention: this α is the *decay* of λ_j(H); MRS's α is one less (λ_I = I^-(1+α)).

Nothing here samples x. With ``G = Wᵀ H W`` and ``g = diag G``, ``y = Wᵀx ~ N(0, G)`` and
Mehler's formula gives (Wick's theorem for monomials)

.. math:: K_{kl} = \\frac1d \\sum_{r \\equiv p\\,(2)} r!\\, a_{p,r}^2\\,
   (g_k g_l)^{(p-r)/2} G_{kl}^r, \\qquad a_{p,r} = \\frac{p!}{r!\\,((p-r)/2)!\\,2^{(p-r)/2}},

so p = 2 is ``(g gᵀ + 2 G∘G)/d`` and p = 3 is ``(9 (g gᵀ)∘G + 6 G∘G∘G)/d``: one v·d² product
and one d³ eigendecomposition. The sharp check of the theorem's log correction is the
chaos/product *reference sequence* (spec §C.2), enumerated best-first over index tuples.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg

from scalinglab._types import ProgressFn
from scalinglab._validation import InputError, check_int, check_real

__all__ = [
    "MAX_REFERENCE_DEGREE",
    "MonomialExponents",
    "RFMonomialSpectrum",
    "activation_covariance",
    "analyze_rf_monomial",
    "default_window",
    "feature_covariance_monte_carlo",
    "monomial_covariance",
    "monomial_exponents",
    "monomial_hermite_coefficients",
    "rf_monomial_reference",
    "rf_monomial_spectrum",
    "theorem_head_limit",
    "theorem_shape",
    "top_products",
]

MAX_DEGREE = 12  # g^p of a tr H ~ 3 stays far from overflow; the theorem is about fixed p
MAX_REFERENCE_DEGREE = 3  # the spec derives the chaos reference for p = 1, 2, 3 only
WINDOW_START = 5  # spec §C.3: j ∈ [5, d/20]
WINDOW_FRACTION = 20
MIN_WINDOW_POINTS = 5


def _power_law(input_dim: int, alpha: float) -> np.ndarray:
    return np.arange(1, input_dim + 1, dtype=np.float64) ** (-alpha)


def _check_h(h: np.ndarray, owner: str) -> np.ndarray:
    arr = np.asarray(h, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InputError(
            f"{owner}: the input covariance must be a non-empty 1-D array of its diagonal "
            "(finite, non-negative)"
        )
    return arr


def _check_weights(weights: np.ndarray, v: int, owner: str) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != v or w.shape[1] < 1:
        raise InputError(f"{owner}: weights must have shape (v, d) = ({v}, d); got {w.shape}")
    if not np.all(np.isfinite(w)):
        raise InputError(f"{owner}: weights contain NaN or infinite values")
    return w


def monomial_hermite_coefficients(degree: int) -> np.ndarray:
    """Coefficients ``a_{p,r}`` of ``z^p = Σ_r a_{p,r} He_r(z)`` (probabilists' Hermite).

    ``a_{p,r} = p!/(r! ((p−r)/2)! 2^{(p−r)/2})`` for r ≡ p (mod 2), zero otherwise
    (rf_monomial_math.md §C.2).

    Examples
    --------
    >>> monomial_hermite_coefficients(3).tolist()   # z³ = He₃ + 3 He₁
    [0.0, 3.0, 0.0, 1.0]
    """
    p = check_int(degree, "degree", "monomial_hermite_coefficients", low=0, high=MAX_DEGREE)
    a = np.zeros(p + 1)
    for r in range(p % 2, p + 1, 2):
        j = (p - r) // 2
        a[r] = math.factorial(p) / (math.factorial(r) * math.factorial(j) * 2**j)
    return a


def monomial_covariance(weights: np.ndarray, h: np.ndarray, degree: int) -> np.ndarray:
    """Exact population covariance K of monomial random features (no sampling of x).

    ``K = E_x[(1/d) f(Wᵀx) f(Wᵀx)ᵀ]``, f(y) = y^p, x ~ N(0, diag(h)); Mehler/Wick form of
    rf_monomial_math.md §C.2 (module docstring). p = 2 and p = 3 use the closed forms
    ``(g gᵀ + 2 G∘G)/d`` and ``(9 (g gᵀ)∘G + 6 G∘G∘G)/d``; other p the general series.

    Parameters
    ----------
    weights : ndarray (v, d)
        The sketch W (any scale; the paper's convention is N(0, 1) entries).
    h : ndarray (v,)
        Diagonal of the input covariance H.
    degree : int
        p ≥ 1.

    Returns
    -------
    ndarray (d, d)

    Examples
    --------
    >>> w = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> monomial_covariance(w, np.array([1.0, 1.0]), 2)   # E[y⁴] = 3 g², E[y₁²y₂²] = g₁g₂
    array([[ 1.5,  2. ],
           [ 2. , 24. ]])
    """
    p = check_int(degree, "degree", "monomial_covariance", low=1, high=MAX_DEGREE)
    hv = _check_h(h, "monomial_covariance")
    w = _check_weights(weights, hv.size, "monomial_covariance")
    d = w.shape[1]
    gram = (w * hv[:, None]).T @ w  # G = Wᵀ H W, the one v·d² product
    gram = 0.5 * (gram + gram.T)
    g = np.diag(gram).copy()
    if p == 1:
        out = gram
    elif p == 2:
        out = np.square(gram)
        out *= 2.0
        out += np.outer(g, g)
    elif p == 3:
        out = np.outer(9.0 * g, g)
        out += 6.0 * np.square(gram)
        out *= gram
    else:
        a = monomial_hermite_coefficients(p)
        out = np.zeros_like(gram)
        power = np.ones_like(gram) if p % 2 == 0 else gram.copy()
        for r in range(p % 2, p + 1, 2):
            half = (p - r) // 2
            gh = g**half
            out += (math.factorial(r) * a[r] ** 2) * np.outer(gh, gh) * power
            power *= gram
            power *= gram
    out /= d
    return out


def activation_covariance(
    weights: np.ndarray, h: np.ndarray, act: str, *, hermite_degree: int = 40
) -> np.ndarray:
    """``K = E_x[(1/d) σ(Wᵀx) σ(Wᵀx)ᵀ]`` for any activation the package knows.

    The pair (w_kᵀx, w_lᵀx) is Gaussian with covariance G = WᵀHW, which is the setting of the
    infinite-width kernel ``E_w[σ(w·a)σ(w·b)]`` with inputs ``a_k = H^{1/2} w_k`` and unit
    weight variance per coordinate; so this is
    :func:`scalinglab.core.random_features.kernel_matrix` (closed forms for relu, step, relu2,
    erf, powP; the Hermite series for tanh) applied to the columns of ``H^{1/2} W``, over d.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> w, h = rng.standard_normal((6, 4)), 1.0 / np.arange(1, 7)
    >>> bool(np.allclose(activation_covariance(w, h, "pow3"), monomial_covariance(w, h, 3)))
    True
    """
    from scalinglab.core.random_features import kernel_matrix

    hv = _check_h(h, "activation_covariance")
    w = _check_weights(weights, hv.size, "activation_covariance")
    inputs = (np.sqrt(hv)[:, None] * w).T  # d × v, rows a_k = H^{1/2} w_k
    kern = kernel_matrix(inputs, act, weight_var=float(hv.size), hermite_degree=hermite_degree)
    return kern / w.shape[1]


def feature_covariance_monte_carlo(
    weights: np.ndarray,
    h: np.ndarray,
    degree: int,
    samples: int,
    rng: np.random.Generator,
    *,
    chunk: int = 20000,
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo estimate of K and its entrywise standard error (the check of the exact K).

    Draws ``samples`` inputs x = H^{1/2} z and averages ``(1/d) f(Wᵀx) f(Wᵀx)ᵀ``; the standard
    error of entry (k, l) is the sample standard deviation of its summand over √samples.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> w, h = rng.standard_normal((5, 3)), 1.0 / np.arange(1, 6) ** 1.5
    >>> mean, sem = feature_covariance_monte_carlo(w, h, 2, 20000, rng)
    >>> z = (mean - monomial_covariance(w, h, 2)) / sem
    >>> bool(np.all(np.abs(z) < 5))
    True
    """
    p = check_int(degree, "degree", "feature_covariance_monte_carlo", low=1, high=MAX_DEGREE)
    n = check_int(samples, "samples", "feature_covariance_monte_carlo", low=2)
    hv = _check_h(h, "feature_covariance_monte_carlo")
    w = _check_weights(weights, hv.size, "feature_covariance_monte_carlo")
    d = w.shape[1]
    total = np.zeros((d, d))
    total_sq = np.zeros((d, d))
    scale = np.sqrt(hv)
    done = 0
    while done < n:
        m = min(chunk, n - done)
        x = rng.standard_normal((m, hv.size)) * scale
        f = (x @ w) ** p
        total += f.T @ f
        f2 = f * f
        total_sq += f2.T @ f2
        done += m
    mean = total / n
    var = (total_sq / n - mean**2) * n / (n - 1)
    sem = np.sqrt(np.maximum(var, 0.0) / n)
    return mean / d, sem / d


def rf_monomial_spectrum(
    alpha: float, input_dim: int, features: int, degree: int, *, seed: int = 0
) -> np.ndarray:
    """Eigenvalues (decreasing) of the exact K for H = diag(j^-α), W with N(0, 1) entries.

    Examples
    --------
    >>> ev = rf_monomial_spectrum(1.5, 40, 20, 1, seed=0)
    >>> ev.shape, bool(np.all(np.diff(ev) <= 0))
    ((20,), True)
    """
    a, v, d, p = _check_sizes(alpha, input_dim, features, degree, "rf_monomial_spectrum")
    rng = np.random.default_rng(check_int(seed, "seed", "rf_monomial_spectrum", low=0))
    w = rng.standard_normal((v, d))
    kmat = monomial_covariance(w, _power_law(v, a), p)
    del w
    ev = scipy.linalg.eigvalsh(kmat, overwrite_a=True, check_finite=False)
    return ev[::-1].copy()


def _check_sizes(alpha, input_dim, features, degree, owner) -> tuple[float, int, int, int]:
    a = check_real(alpha, "alpha", owner, low=0.0, low_open=True)
    v = check_int(input_dim, "input_dim", owner, low=1)
    d = check_int(features, "features", owner, low=1)
    p = check_int(degree, "degree", owner, low=1, high=MAX_DEGREE)
    if d > v:
        raise InputError(
            f"{owner}: features d = {d} exceeds the input dimension v = {v}; the theorem "
            "(Paquette-Xiao-Zhu) needs d <= v"
        )
    return a, v, d, p


def top_products(lam: np.ndarray, order: int, count: int) -> np.ndarray:
    """The ``count`` largest products ``λ_{a1}⋯λ_{ap}`` over multisets a1 ≤ … ≤ ap.

    Best-first search: ``lam`` is sorted decreasing, so a tuple's product is at most that of
    any tuple obtained by lowering one index; a heap pops tuples in decreasing product and pushes
    the successors that raise one index while keeping the tuple sorted (each multiset once).
    Costs O(count · p · log count) instead of enumerating all C(v + p − 1, p) multisets.

    Examples
    --------
    >>> top_products(np.array([1.0, 0.5, 0.25]), 2, 4).tolist()   # 1·1, 1·½, ½·½ = 1·¼
    [1.0, 0.5, 0.25, 0.25]
    """
    p = check_int(order, "order", "top_products", low=1)
    c = check_int(count, "count", "top_products", low=1)
    lv = np.asarray(lam, dtype=np.float64)
    if lv.ndim != 1 or lv.size == 0 or np.any(lv <= 0) or np.any(np.diff(lv) > 0):
        raise InputError("top_products: lam must be a 1-D, positive, non-increasing array")
    n = lv.size
    start = (0,) * p
    heap: list[tuple[float, tuple[int, ...]]] = [(-float(lv[0] ** p), start)]
    seen = {start}
    out: list[float] = []
    while heap and len(out) < c:
        neg, t = heapq.heappop(heap)
        out.append(-neg)
        for i in range(p):
            nxt = t[i] + 1
            if nxt < n and (i == p - 1 or nxt <= t[i + 1]):
                new = (*t[:i], nxt, *t[i + 1 :])
                if new not in seen:
                    seen.add(new)
                    heapq.heappush(heap, (-float(np.prod(lv[list(new)])), new))
    return np.array(out)


def rf_monomial_reference(h: np.ndarray, degree: int, count: int) -> np.ndarray:
    """Chaos/product reference sequence for λ_j(K), j = 1..count (rf_monomial_math.md §C.2).

    - p = 1: λ_j(H) (K = WᵀHW/d → H on its head).
    - p = 2: ``4 ×`` the sorted products λ_aλ_b, a ≤ b (top chaos: p!·p! = 4).
    - p = 3: the sorted union of the chaos-1 values ``9[(s²+2s₂)λ_a + 4sλ_a² + 8λ_a³]``
      (s = tr H, s₂ = tr H²; from E[(wᵀHw)² wwᵀ]) and the top chaos ``36 λ_aλ_bλ_c``.

    The chaos-0 part (p even) is low rank and not included, so the reference is meant for
    j ≥ 5. For p ≥ 4 the spec gives no reference and this raises ``InputError``.

    Examples
    --------
    >>> h = np.arange(1, 200.0) ** -1.5
    >>> rf_monomial_reference(h, 2, 3) / 4      # λ₁², λ₁λ₂, λ₁λ₃
    array([1.        , 0.35355339, 0.19245009])
    """
    hv = _check_h(h, "rf_monomial_reference")
    p = check_int(degree, "degree", "rf_monomial_reference", low=1, high=MAX_DEGREE)
    c = check_int(count, "count", "rf_monomial_reference", low=1)
    if p > MAX_REFERENCE_DEGREE:
        raise InputError(
            f"rf_monomial_reference: the chaos reference is derived for p <= "
            f"{MAX_REFERENCE_DEGREE} only (rf_monomial_math.md §C.2); got p = {p}"
        )
    lam = np.sort(hv[hv > 0])[::-1]
    if p == 1:
        ref = lam[:c]
    elif p == 2:
        ref = 4.0 * top_products(lam, 2, c)
    else:
        s, s2 = lam.sum(), np.square(lam).sum()
        chaos1 = 9.0 * ((s * s + 2.0 * s2) * lam + 4.0 * s * lam**2 + 8.0 * lam**3)
        top = 36.0 * top_products(lam, 3, c)
        ref = np.sort(np.concatenate([chaos1[:c], top]))[::-1][:c]
    if ref.size < c:
        raise InputError(f"rf_monomial_reference: only {ref.size} values exist, asked {c}")
    return ref


def theorem_shape(index: np.ndarray, degree: int, alpha: float) -> np.ndarray:
    """The theorem's head shape ``(log^{p−1}(j+1)/j)^α`` (arXiv 2603.14578, abstract).

    Examples
    --------
    >>> theorem_shape(np.array([1.0, 10.0]), 1, 2.0).round(12).tolist()
    [1.0, 0.01]
    """
    j = np.asarray(index, dtype=np.float64)
    return (np.log(j + 1.0) ** (degree - 1) / j) ** alpha


def theorem_head_limit(features: int, degree: int) -> float:
    """``d / log^{p+1} d``: the head range of the theorem with its constant c₁ set to 1.

    Examples
    --------
    >>> round(theorem_head_limit(2000, 2), 2)   # vacuous at feasible d (spec §C.3)
    4.55
    """
    d = float(features)
    return d / math.log(d) ** (degree + 1)


def default_window(features: int) -> tuple[int, int]:
    """The fitting window ``[5, d/20]`` of rf_monomial_math.md §C.3.

    Examples
    --------
    >>> default_window(2000)
    (5, 100)
    """
    d = check_int(features, "features", "default_window", low=1)
    hi = d // WINDOW_FRACTION
    if hi - WINDOW_START + 1 < MIN_WINDOW_POINTS:
        raise InputError(
            f"the default window [5, d/20] needs d >= {WINDOW_FRACTION * (WINDOW_START + 4)} "
            f"features; got d = {d} (give a window explicitly)"
        )
    return WINDOW_START, hi


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.polyfit(x, y, 1)[0])


@dataclass(frozen=True)
class MonomialExponents:
    """Exponent report over a window j ∈ [lo, hi] (1-based), rf_monomial_math.md §C.3.

    Attributes
    ----------
    window : (lo, hi)
    naive_exponent : float
        −slope of log λ_j against log j (plain least squares over every j in the window).
    naive_exponent_reference, naive_exponent_theorem : float or None
        The same fit applied to the reference sequence, and to the theorem's shape.
    slope_vs_reference : float or None
        Slope of log λ_j against log ref_j (1 when the data follow the reference).
    ratio_band : (min, max) or None
        Range of λ_j / ref_j over the window.
    log_corrected_exponent : float
        Slope of log λ_j against log(log^{p−1}(j+1)/j): the α a plain fit of the theorem's
        form returns (it overshoots α at feasible sizes, spec §C.3).
    """

    window: tuple[int, int]
    naive_exponent: float
    naive_exponent_reference: float | None
    naive_exponent_theorem: float
    slope_vs_reference: float | None
    ratio_band: tuple[float, float] | None
    log_corrected_exponent: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": list(self.window),
            "naive_exponent": self.naive_exponent,
            "naive_exponent_reference": self.naive_exponent_reference,
            "naive_exponent_theorem": self.naive_exponent_theorem,
            "slope_vs_reference": self.slope_vs_reference,
            "ratio_band": None if self.ratio_band is None else list(self.ratio_band),
            "log_corrected_exponent": self.log_corrected_exponent,
        }


def monomial_exponents(
    eigenvalues: np.ndarray,
    degree: int,
    alpha: float,
    *,
    reference: np.ndarray | None = None,
    window: tuple[int, int] | None = None,
) -> MonomialExponents:
    """Naive, reference-relative and log-corrected exponents of a spectrum over a window.

    Parameters
    ----------
    eigenvalues : ndarray
        λ_1 ≥ λ_2 ≥ … (at least ``window[1]`` of them, positive in the window).
    degree, alpha : int, float
        p and the data exponent α (for the theorem's shape only).
    reference : ndarray, optional
        The reference sequence (:func:`rf_monomial_reference`), at least ``window[1]`` long.
    window : (lo, hi), optional
        1-based inclusive window; default :func:`default_window` of the spectrum's length.

    Examples
    --------
    >>> j = np.arange(1, 201.0)
    >>> rep = monomial_exponents(j ** -1.5, 1, 1.5, reference=j ** -1.5)
    >>> round(rep.naive_exponent, 6), round(rep.slope_vs_reference, 6), rep.window
    (1.5, 1.0, (5, 10))
    """
    p = check_int(degree, "degree", "monomial_exponents", low=1, high=MAX_DEGREE)
    a = check_real(alpha, "alpha", "monomial_exponents", low=0.0, low_open=True)
    ev = np.asarray(eigenvalues, dtype=np.float64).ravel()
    lo, hi = default_window(ev.size) if window is None else window
    lo = check_int(lo, "window[0]", "monomial_exponents", low=1)
    hi = check_int(hi, "window[1]", "monomial_exponents", low=lo + MIN_WINDOW_POINTS - 1)
    if hi > ev.size:
        raise InputError(f"window end {hi} exceeds the {ev.size} eigenvalues")
    vals = ev[lo - 1 : hi]
    if not np.all(np.isfinite(vals)) or np.any(vals <= 0):
        raise InputError(f"eigenvalues in the window [{lo}, {hi}] must be positive and finite")
    j = np.arange(lo, hi + 1, dtype=np.float64)
    log_j, log_v = np.log(j), np.log(vals)
    shape = theorem_shape(j, p, 1.0)
    naive_ref = slope_ref = band = None
    if reference is not None:
        ref = np.asarray(reference, dtype=np.float64).ravel()
        if ref.size < hi or np.any(ref[lo - 1 : hi] <= 0):
            raise InputError(f"the reference must hold {hi} positive values")
        r = ref[lo - 1 : hi]
        naive_ref = -_slope(log_j, np.log(r))
        slope_ref = _slope(np.log(r), log_v)
        ratio = vals / r
        band = (float(ratio.min()), float(ratio.max()))
    return MonomialExponents(
        window=(lo, hi),
        naive_exponent=-_slope(log_j, log_v),
        naive_exponent_reference=naive_ref,
        naive_exponent_theorem=-_slope(log_j, a * np.log(shape)),
        slope_vs_reference=slope_ref,
        ratio_band=band,
        log_corrected_exponent=_slope(np.log(shape), log_v),
    )


@dataclass(frozen=True)
class RFMonomialSpectrum:
    """Exact spectrum of monomial random features with its reference and exponent report."""

    alpha: float
    degree: int
    input_dim: int
    features: int
    seed: int
    eigenvalues: np.ndarray
    reference: np.ndarray | None
    exponents: MonomialExponents
    theorem_head_limit: float
    within_theorem: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the CLI keys of issue 12."""
        out: dict[str, Any] = {
            "alpha": self.alpha,
            "degree": self.degree,
            "input_dim": self.input_dim,
            "features": self.features,
            "seed": self.seed,
            "eigenvalues": self.eigenvalues,
            "reference": self.reference,
        }
        out.update(self.exponents.to_dict())
        out.update(
            {
                "theorem_head_limit": self.theorem_head_limit,
                "within_theorem": self.within_theorem,
                "notes": list(self.notes),
            }
        )
        return out


def analyze_rf_monomial(
    alpha: float,
    degree: int,
    input_dim: int,
    features: int,
    *,
    seed: int = 0,
    window: tuple[int, int] | None = None,
    progress: ProgressFn | None = None,
) -> RFMonomialSpectrum:
    """Exact spectrum, reference sequence and exponent report in one call.

    α ≤ 1 is computed but flagged (``within_theorem = False``): the theorem assumes α > 1
    (trace-class H as v → ∞). The reference is given for p ≤ 3 (else ``None``).

    Examples
    --------
    >>> res = analyze_rf_monomial(1.5, 2, 800, 400, seed=0)
    >>> res.exponents.window, res.within_theorem
    ((5, 20), True)
    >>> round(res.exponents.naive_exponent_reference, 3)   # the reference alone: well below 1.5
    1.211
    """
    a, v, d, p = _check_sizes(alpha, input_dim, features, degree, "analyze_rf_monomial")
    s = check_int(seed, "seed", "analyze_rf_monomial", low=0)
    lo, hi = default_window(d) if window is None else window
    if not (isinstance(lo, int | np.integer) and isinstance(hi, int | np.integer)):
        raise InputError(f"window must be two integers; got {window!r}")
    if not (1 <= lo and lo + MIN_WINDOW_POINTS - 1 <= hi <= d):
        raise InputError(
            f"window must satisfy 1 <= lo, lo + {MIN_WINDOW_POINTS - 1} <= hi <= d = {d}; "
            f"got ({lo}, {hi})"
        )
    if progress is not None:
        progress(0, 2)
    ev = rf_monomial_spectrum(a, v, d, p, seed=s)
    if progress is not None:
        progress(1, 2)
    notes = []
    ref = None
    if p <= MAX_REFERENCE_DEGREE:
        ref = rf_monomial_reference(_power_law(v, a), p, d)
    else:
        notes.append(f"no chaos reference for p = {p} (derived for p <= 3 only)")
    within = a > 1.0
    if not within:
        notes.append(f"alpha = {a:g} <= 1: outside the theorem (it assumes alpha > 1)")
    limit = theorem_head_limit(d, p)
    if limit < hi:
        notes.append(
            f"the theorem's head range d/log^(p+1) d = {limit:.3g} (c1 = 1) ends before the "
            f"window end {hi}: compare with the reference, not with the asymptotic shape"
        )
    rep = monomial_exponents(ev, p, a, reference=ref, window=(int(lo), int(hi)))
    if progress is not None:
        progress(2, 2)
    return RFMonomialSpectrum(
        alpha=a,
        degree=p,
        input_dim=v,
        features=d,
        seed=s,
        eigenvalues=ev,
        reference=ref,
        exponents=rep,
        theorem_head_limit=limit,
        within_theorem=within,
        notes=notes,
    )
