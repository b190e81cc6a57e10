"""Exact expected risk of SGD on Gaussian linear regression, in the eigenbasis of the features.

Setting (conditional on the sketch S): features ``z = S x ~ N(0, K)``, ``K = S H Sᵀ`` with
eigenpairs (λ_k, u_k); labels ``y = ⟨w*, x⟩ + ε``. With ``v* = K⁺ S H w*`` the residual
``r = y − ⟨v*, z⟩`` is Gaussian and uncorrelated with z, hence *independent* of z: the sketched
problem is exactly a well-specified regression on z with extra label noise of variance
``σ_r² = w*ᵀHw* − (SHw*)ᵀK⁺(SHw*)`` (the approximation error). The population risk is

.. math:: L(v) = \\tfrac12\\big[(v - v^*)^\\top K (v - v^*) + σ_r^2 + σ^2\\big].

One-pass SGD with batch B and step η on the batch-*averaged* loss ½(⟨v,z⟩ − y)²,
``v ← v − (η/B) Σ_b z_b(⟨v, z_b⟩ − y_b)``, has, for ``C_k = E⟨u_k, v − v*⟩²`` (Isserlis:
``E[z zᵀ M z zᵀ] = 2KMK + tr(KM) K``),

.. math:: C_k(t+1) = g_k C_k(t) + \\frac{η^2}{B} λ_k\\, q(t), \\quad
          g_k = 1 - 2ηλ_k + \\frac{B+1}{B} η^2 λ_k^2, \\quad
          q(t) = 2L(t) = \\sum_j λ_j C_j(t) + σ_r^2 + σ^2,

the recursion of ``sgd_math.md`` (there with the batch summed: Paquette's γ equals η/B).
Unrolled it is the Volterra equation of Paquette, Paquette, Xiao & Pennington (2024, eq. 9)

.. math:: q(t) = F(t) + \\sum_{s<t} \\mathcal K(t-1-s)\\, q(s), \\quad
          F(t) = s^2 + \\sum_k λ_k C_k(0) g_k^t, \\quad
          \\mathcal K(n) = \\frac{η^2}{B}\\sum_k λ_k^2 g_k^n,

(s² = σ_r² + σ²). Three solvers are provided:

- :func:`risk_recursion`: the recursion step by step, O(modes) per step (reference);
- :func:`solve_volterra_fft`: the Volterra equation by divide-and-conquer FFT convolution;
- :func:`risk_spectral`: the closed form. The transfer matrix ``A = diag(g) + uuᵀ``,
  ``u_k = η λ_k √(n_k/B)``, is diagonal plus rank one, so its eigenvalues ``μ_i = 1 − ν_i``
  solve the secular equation ``1 = Σ_k u_k² / (ρ_k − ν)`` (ρ_k = 1 − g_k) — equivalently the
  poles of the z-transform of the Volterra equation — and
  ``q(t) = q_∞ + Σ_i μ_i^t c_i``: O(modes) per recorded step, for any number of steps.

Modes may be *atoms* of a continuous spectrum (the deterministic equivalent): an atom of
eigenvalue x standing for n modes carries the summed second moment; everything above holds
with u_k scaled by √n_k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._types import Status

__all__ = [
    "ModeSpectrum",
    "SecularSolution",
    "SpectralCurve",
    "geometric_schedule",
    "risk_flow",
    "risk_gd",
    "risk_recursion",
    "risk_spectral",
    "secular_roots",
    "solve_volterra_fft",
    "stability_margin",
    "volterra_kernels",
]

_EPS = np.finfo(np.float64).eps
_MAX_SECULAR_ITER = 60
_CHUNK_ELEMENTS = 2_000_000  # roots × poles per block (16 MB of float64)


@dataclass(frozen=True)
class ModeSpectrum:
    """A risk problem in the eigenbasis of the feature covariance.

    Attributes
    ----------
    eigs : ndarray, shape (n,)
        Eigenvalues λ_k > 0 of K (or atom locations).
    counts : ndarray, shape (n,)
        Number of modes each entry stands for (1 for an exact spectrum).
    c0 : ndarray, shape (n,)
        Summed initial second moment ``C_k(0) = Σ ⟨u, v₀ − v*⟩²`` over the entry's modes.
    irreducible : float
        ``s² = σ_r² + σ²``: twice the risk no parameter can remove.

    Examples
    --------
    One mode of eigenvalue 1 starting at distance 1 from v*, no noise:

    >>> spec = ModeSpectrum(np.array([1.0]), np.ones(1), np.ones(1), irreducible=0.0)
    >>> spec.size, spec.eigs
    (1, array([1.]))
    >>> ModeSpectrum(np.array([0.0]), np.ones(1), np.ones(1), 0.0)
    Traceback (most recent call last):
    ...
    ValueError: eigs must be finite and > 0 (drop zero modes first)
    """

    eigs: np.ndarray
    counts: np.ndarray
    c0: np.ndarray
    irreducible: float

    def __post_init__(self) -> None:
        eigs = np.asarray(self.eigs, dtype=np.float64).ravel()
        counts = np.asarray(self.counts, dtype=np.float64).ravel()
        c0 = np.asarray(self.c0, dtype=np.float64).ravel()
        if not (eigs.shape == counts.shape == c0.shape):
            raise ValueError("eigs, counts and c0 must have the same length")
        if np.any(~np.isfinite(eigs)) or np.any(eigs <= 0):
            raise ValueError("eigs must be finite and > 0 (drop zero modes first)")
        if np.any(counts <= 0) or np.any(c0 < 0):
            raise ValueError("counts must be > 0 and c0 >= 0")
        if not (np.isfinite(self.irreducible) and self.irreducible >= 0):
            raise ValueError("irreducible must be finite and >= 0")
        object.__setattr__(self, "eigs", eigs)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "c0", c0)

    @property
    def size(self) -> int:
        return int(self.eigs.size)


# --------------------------------------------------------------------------- schedules


DEFAULT_LR_FRACTION = 0.5


def stable_step_size(trace: float, top: float, batch: int, optimizer: str = "sgd") -> float:
    """The package's default step size η for a spectrum with trace ``tr K`` and top ``λ₁``.

    SGD: ``η = ½·min(2B/tr K, B/((B+1) λ₁))`` — half the noise-feedback limit ``η tr K/(2B) < 1``
    and half the step at which the top mode contracts fastest (Paquette et al. 2024, §2). GD:
    ``η = 1/(2λ₁)``. Flow: time per step 1.

    Examples
    --------
    >>> stable_step_size(trace=10.0, top=1.0, batch=1)
    0.1
    >>> stable_step_size(trace=10.0, top=1.0, batch=1, optimizer="gd")
    0.5
    """
    if optimizer == "flow":
        return 1.0
    if optimizer == "gd":
        return DEFAULT_LR_FRACTION / top
    return DEFAULT_LR_FRACTION * min(2.0 * batch / trace, batch / ((batch + 1.0) * top))


def geometric_schedule(steps: int, lr: float) -> list[tuple[int, int, float]]:
    """Lin et al. (2024) geometric step decay as constant-step phases ``(start, end, η)``.

    Lin, Wu, Kakade, Bartlett, Lee (2024), eq. (SGD) schedule: ``η_t = η / 2^ℓ`` for
    ``ℓ K ≤ t < (ℓ+1) K`` with ``K = ⌈N / log₂ N⌉`` (N = steps); a single phase when N < 4.

    Examples
    --------
    16 steps: phases of ⌈16/log₂16⌉ = 4 steps, the step halving each phase:

    >>> geometric_schedule(16, 0.1)
    [(0, 4, 0.1), (4, 8, 0.05), (8, 12, 0.025), (12, 16, 0.0125)]
    """
    if steps < 4:
        return [(0, steps, lr)]
    length = int(np.ceil(steps / np.log2(steps)))
    phases = []
    start, ell = 0, 0
    while start < steps:
        end = min(steps, start + length)
        phases.append((start, end, lr / 2.0**ell))
        start, ell = end, ell + 1
    return phases


def _phases(steps: int, lr: float, schedule: str) -> list[tuple[int, int, float]]:
    if schedule == "constant":
        return [(0, steps, lr)]
    if schedule == "geometric":
        return geometric_schedule(steps, lr)
    raise ValueError(f"unknown schedule {schedule!r}")


def _decay_rates(eigs: np.ndarray, lr: float, batch: int) -> np.ndarray:
    """ρ_k = 1 − g_k = ηλ(2 − (B+1)/B · ηλ)."""
    x = lr * eigs
    return x * (2.0 - (batch + 1.0) / batch * x)


def stability_margin(spec: ModeSpectrum, lr: float, batch: int) -> float:
    """``1 − Σ_k u_k²/ρ_k`` (> 0 and all ρ_k > 0 iff the mean risk stays bounded).

    This is D(1) of the secular function: the noise feedback gain must stay below one
    (Paquette et al. 2024, the kernel norm ``Σ_n K(n) < 1``). Returns ``-inf`` if some mode
    grows on its own (ρ_k ≤ 0, i.e. ηλ_k ≥ 2B/(B+1)).

    Examples
    --------
    One mode with λ = 1, B = 1: ρ = η(2 − 2η) and the margin is 1 − η²/ρ = 1 − η/(2 − 2η);
    at η = 1 the mode no longer contracts on its own:

    >>> spec = ModeSpectrum(np.array([1.0]), np.ones(1), np.ones(1), 0.0)
    >>> [stability_margin(spec, lr, batch=1) for lr in (0.25, 0.5, 1.0)]
    [0.8333333333333334, 0.5, -inf]
    """
    rho = _decay_rates(spec.eigs, lr, batch)
    if np.any(rho <= 0):
        return -np.inf
    w = lr**2 * spec.counts * spec.eigs**2 / batch
    return float(1.0 - np.sum(w / rho))


# --------------------------------------------------------------------------- reference solvers


def risk_recursion(
    spec: ModeSpectrum,
    lr: float,
    batch: int,
    record: np.ndarray,
    schedule: str = "constant",
) -> np.ndarray:
    """Expected risk at the steps ``record`` by iterating the per-mode recursion.

    O(modes) work per step (a Python loop over steps): the reference the fast solvers are
    tested against. ``record`` must be sorted, integers in [0, steps].

    Examples
    --------
    One step by hand (λ = 1, C(0) = 1, η = 1/4, B = 1): g = 1 − 1/2 + 2/16 = 5/8,
    C(1) = 5/8 + (1/16)·q(0) = 11/16, so L(1) = 11/32:

    >>> spec = ModeSpectrum(np.array([1.0]), np.ones(1), np.ones(1), 0.0)
    >>> risk_recursion(spec, 0.25, 1, np.array([0, 1]))
    array([0.5    , 0.34375])
    """
    record = np.asarray(record, dtype=np.int64)
    steps = int(record[-1]) if record.size else 0
    lam, n = spec.eigs, spec.counts
    c = spec.c0.copy()
    s2 = spec.irreducible
    out = np.empty(record.size)
    idx = 0
    while idx < record.size and record[idx] == 0:
        out[idx] = 0.5 * (lam @ c + s2)
        idx += 1
    for start, end, eta in _phases(steps, lr, schedule):
        g = 1.0 - _decay_rates(lam, eta, batch)
        kick = eta**2 / batch * lam * n
        for t in range(start, end):
            q = lam @ c + s2
            c = g * c + kick * q
            while idx < record.size and record[idx] == t + 1:
                out[idx] = 0.5 * (lam @ c + s2)
                idx += 1
    return out


def volterra_kernels(
    spec: ModeSpectrum, lr: float, batch: int, steps: int, block: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    """Forcing ``F(t)`` and kernel ``𝒦(t)`` for t = 0..steps−1 (Paquette et al. 2024, eq. 9).

    ``F(t) = s² + Σ λ_k C_k(0) g_k^t`` and ``𝒦(t) = (η²/B) Σ n_k λ_k² g_k^t`` in the risk-doubled
    normalisation q = 2L (the ½ of the risk cancels against the 2 in the recursion).

    Examples
    --------
    One mode (λ = 1, C(0) = 1, s² = 0, η = 1/4, B = 1): F(t) = g^t and 𝒦(t) = η² g^t, g = 5/8:

    >>> spec = ModeSpectrum(np.array([1.0]), np.ones(1), np.ones(1), 0.0)
    >>> forcing, kernel = volterra_kernels(spec, 0.25, 1, 3)
    >>> forcing, kernel / 0.0625
    (array([1.      , 0.625   , 0.390625]), array([1.      , 0.625   , 0.390625]))
    """
    lam = spec.eigs
    g = 1.0 - _decay_rates(lam, lr, batch)
    if np.any(g <= 0) or np.any(g >= 1):
        raise ValueError("every mode must contract on its own (0 < g_k < 1)")
    logg = np.log(g)
    a_f = lam * spec.c0
    a_k = lr**2 / batch * spec.counts * lam**2
    forcing = np.empty(steps)
    kernel = np.empty(steps)
    for lo in range(0, steps, block):
        t = np.arange(lo, min(steps, lo + block), dtype=np.float64)
        powers = np.exp(np.outer(t, logg))
        forcing[lo : lo + t.size] = powers @ a_f
        kernel[lo : lo + t.size] = powers @ a_k
    return forcing + spec.irreducible, kernel


def solve_volterra_fft(forcing: np.ndarray, kernel: np.ndarray, base: int = 64) -> np.ndarray:
    """Solve ``q(t) = F(t) + Σ_{s<t} 𝒦(t−1−s) q(s)`` for t = 0..T−1.

    Divide and conquer (online convolution): the left half is solved first, its contribution
    to the right half added with one FFT convolution, then the right half is solved; blocks of
    ``base`` steps are solved directly. O(T log² T).

    Examples
    --------
    The FFT solution is twice the risk of the step-by-step recursion (300 steps, so the
    divide-and-conquer path is used):

    >>> from scalinglab.models.sgd.problem import data_spectrum, reduce_identity, target_weights
    >>> lam = data_spectrum(50, 1.5)
    >>> spec = reduce_identity(lam, target_weights(50, 1.5, 0.5), 0.1).mode_spectrum()
    >>> q = solve_volterra_fft(*volterra_kernels(spec, 0.25, 1, 300))
    >>> bool(np.allclose(q / 2, risk_recursion(spec, 0.25, 1, np.arange(300)), rtol=1e-12))
    True
    """
    forcing = np.asarray(forcing, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    total = forcing.size
    if kernel.size < total:
        raise ValueError("kernel must have at least as many entries as forcing")
    # Strictly causal kernel: kk[j] multiplies q(t - j), kk[0] = 0.
    kk = np.concatenate(([0.0], kernel[: max(total - 1, 0)]))
    q = forcing.copy()

    def direct(lo: int, hi: int) -> None:
        for t in range(lo + 1, hi):
            q[t] += kk[1 : t - lo + 1] @ q[t - 1 : lo - 1 if lo > 0 else None : -1]

    def solve(lo: int, hi: int) -> None:
        if hi - lo <= base:
            direct(lo, hi)
            return
        mid = (lo + hi) // 2
        solve(lo, mid)
        # contribution of q[lo:mid] to t in [mid, hi): Σ_s kk[t - s] q[s]
        left = q[lo:mid]
        ker = kk[: hi - lo]
        size = 1 << int(np.ceil(np.log2(left.size + ker.size)))
        conv = np.fft.irfft(np.fft.rfft(left, size) * np.fft.rfft(ker, size), size)
        q[mid:hi] += conv[mid - lo : hi - lo]
        solve(mid, hi)

    if total:
        solve(0, total)
    return q


# --------------------------------------------------------------------------- secular equation


@dataclass(frozen=True)
class SecularSolution:
    """Roots ``ν_i = ρ[origin_i] + tau_i`` of ``1 = Σ_k w_k/(ρ_k − ν)`` (ρ ascending).

    Stored relative to a nearby pole so that ``ρ_k − ν_i`` is accurate when the root is very
    close to that pole.

    Examples
    --------
    The roots are the eigenvalues of ``diag(ρ) − √w √wᵀ`` (one below each pole):

    >>> rho, w = np.array([1.0, 2.0]), np.array([0.1, 0.2])
    >>> sol = secular_roots(rho, w)
    >>> sol.status.value, sol.origin
    ('converged', array([0, 1]))
    >>> matrix = np.diag(rho) - np.outer(np.sqrt(w), np.sqrt(w))
    >>> bool(np.allclose(sol.roots(rho), np.linalg.eigvalsh(matrix)))
    True
    """

    origin: np.ndarray  # int, index of the reference pole of each root
    tau: np.ndarray
    iterations: int
    status: Status

    def roots(self, rho: np.ndarray) -> np.ndarray:
        return rho[self.origin] + self.tau


def _row_chunks(n_rows: int, n_cols: int) -> list[tuple[int, int]]:
    size = max(1, _CHUNK_ELEMENTS // max(1, n_cols))
    return [(lo, min(n_rows, lo + size)) for lo in range(0, n_rows, size)]


def secular_roots(rho: np.ndarray, w: np.ndarray) -> SecularSolution:
    """All roots of ``f(ν) = 1 − Σ_k w_k/(ρ_k − ν)`` for ρ strictly ascending and w > 0.

    There is one root below ρ₀ and one in each interval (ρ_{i−1}, ρ_i). Each is found by the
    Bunch–Nielsen–Sorensen / "middle way" iteration: the sums over the poles left and right of
    the interval are each replaced by a constant plus one pole term matching value and slope,
    and the resulting quadratic is solved; a bisection step is taken whenever the update leaves
    the current bracket. Vectorised over roots, in blocks.

    Examples
    --------
    Each root makes the secular function vanish and the roots interlace with the poles:

    >>> rho, w = np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3])
    >>> nu = secular_roots(rho, w).roots(rho)
    >>> bool(np.allclose(1 - (w / (rho[None, :] - nu[:, None])).sum(axis=1), 0.0, atol=1e-12))
    True
    >>> bool(nu[0] < 1 < nu[1] < 2 < nu[2] < 3)
    True
    """
    rho = np.asarray(rho, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n = rho.size
    if n == 0:
        return SecularSolution(np.zeros(0, np.int64), np.zeros(0), 0, Status.CONVERGED)
    if np.any(np.diff(rho) <= 0):
        raise ValueError("poles must be strictly ascending")
    origin = np.zeros(n, dtype=np.int64)
    tau = np.zeros(n)
    worst_iter = 0
    ok = True
    idx_all = np.arange(n)
    for lo, hi in _row_chunks(n, n):
        i = idx_all[lo:hi]
        o, t, iters, conv = _secular_block(rho, w, i)
        origin[lo:hi], tau[lo:hi] = o, t
        worst_iter = max(worst_iter, iters)
        ok = ok and conv
    return SecularSolution(origin, tau, worst_iter, Status.CONVERGED if ok else Status.MAX_ITER)


def _secular_block(
    rho: np.ndarray, w: np.ndarray, i: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int, bool]:
    n = rho.size
    r = i.size
    total_w = float(np.sum(w))
    k = np.arange(n)
    first = i == 0
    left_pole = np.where(first, 0, i - 1)
    # Choose the origin: the pole nearer to the root (sign of f at the interval midpoint).
    mid = np.where(first, rho[0] - 0.5 * total_w, 0.5 * (rho[left_pole] + rho[i]))
    fmid = 1.0 - np.sum(w[None, :] / (rho[None, :] - mid[:, None]), axis=1)
    use_left = (~first) & (fmid <= 0.0)
    origin = np.where(use_left, left_pole, i)
    delta = rho[None, :] - rho[origin][:, None]  # ρ_k − o, exact 0 at the origin pole
    left_mask = k[None, :] < i[:, None]
    d_left = np.where(first, -np.inf, rho[left_pole] - rho[origin])  # δ of the left pole
    d_right = rho[i] - rho[origin]
    # Bracket for τ (f decreases in τ on the interval): f(lo) > 0 > f(hi).
    lo_b = np.where(first, -total_w * (1.0 + 1e-12) - 1e-300, np.where(use_left, 0.0, mid - rho[i]))
    hi_b = np.where(first, 0.0, np.where(use_left, mid - rho[left_pole], 0.0))
    tau = np.where(first, -0.5 * total_w, 0.5 * (lo_b + hi_b))
    tau = np.where(first, np.maximum(tau, lo_b), tau)
    active = np.ones(r, dtype=bool)
    iters = 0
    for iters in range(1, _MAX_SECULAR_ITER + 1):  # noqa: B007 - iters reported
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        diff = delta[a] - tau[a, None]  # ρ_k − ν
        with np.errstate(divide="ignore", invalid="ignore"):
            term = w[None, :] / diff
            term2 = term / diff
        lm = left_mask[a]
        p_val = -np.sum(np.where(lm, term, 0.0), axis=1)  # > 0
        q_val = np.sum(np.where(lm, 0.0, term), axis=1)  # > 0
        p_der = np.sum(np.where(lm, term2, 0.0), axis=1)  # = -P'(τ) ≥ 0
        q_der = np.sum(np.where(lm, 0.0, term2), axis=1)  # = Q'(τ) ≥ 0
        f = 1.0 + p_val - q_val
        scale = 1.0 + p_val + q_val
        ta = tau[a]
        # Update bracket.
        pos = f > 0
        lo_b[a] = np.where(pos, ta, lo_b[a])
        hi_b[a] = np.where(pos, hi_b[a], ta)
        done = np.abs(f) <= 8.0 * _EPS * n**0.5 * scale
        # Two-pole model: c + p1/(x − dL) − q1/(dR − x) = 0.
        dl, dr = d_left[a], d_right[a]
        has_left = np.isfinite(dl)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            p1 = np.where(has_left, p_der * (ta - dl) ** 2, 0.0)
            p0 = np.where(has_left, p_val - p1 / (ta - dl), p_val)
            q1 = q_der * (dr - ta) ** 2
            q0 = q_val - q1 / (dr - ta)
            c = 1.0 + p0 - q0
            # c (x − dL)(dR − x) + p1 (dR − x) − q1 (x − dL) = 0  →  A x² − B x + C = 0
            dl0 = np.where(has_left, dl, 0.0)
            qa = c
            qb = c * (dl0 + dr) - p1 - q1
            qc = c * dl0 * dr - p1 * dr - q1 * dl0
            # no left pole: c − q1/(dR − x) = 0 → x = dR − q1/c
            disc = np.sqrt(np.maximum(qb * qb - 4.0 * qa * qc, 0.0))
            sgn = np.where(qb >= 0, 1.0, -1.0)
            den = qb + sgn * disc
            x1 = den / (2.0 * qa)
            x2 = 2.0 * qc / den
            x_single = dr - q1 / c
        lo_a, hi_a = lo_b[a], hi_b[a]
        in1 = (x1 > lo_a) & (x1 < hi_a)
        in2 = (x2 > lo_a) & (x2 < hi_a)
        x_new = np.where(in2, x2, np.where(in1, x1, 0.5 * (lo_a + hi_a)))
        x_new = np.where(
            has_left,
            x_new,
            np.where((x_single > lo_a) & (x_single < hi_a), x_single, 0.5 * (lo_a + hi_a)),
        )
        x_new = np.where(np.isfinite(x_new), x_new, 0.5 * (lo_a + hi_a))
        step_small = np.abs(x_new - ta) <= 4.0 * _EPS * np.maximum(np.abs(ta), np.abs(x_new))
        tau[a] = np.where(done, ta, x_new)
        finished = (
            done | step_small | (hi_a - lo_a <= 4.0 * _EPS * np.maximum(abs(lo_a), abs(hi_a)))
        )
        active[a[finished]] = False
    converged = not np.any(active)
    return origin, tau, iters, converged


# --------------------------------------------------------------------------- closed-form solution


@dataclass(frozen=True)
class SpectralCurve:
    """Risk at recorded steps from :func:`risk_spectral`, with the solver's diagnostics.

    Examples
    --------
    >>> spec = ModeSpectrum(np.array([1.0, 0.1]), np.ones(2), np.ones(2), 0.0)
    >>> curve = risk_spectral(spec, 0.25, 1, np.array([0, 10]))
    >>> curve.steps, curve.status.value
    (array([ 0, 10]), 'converged')
    """

    steps: np.ndarray
    risk: np.ndarray
    status: Status
    message: str


def _prepare_modes(spec: ModeSpectrum, lr: float, batch: int):
    """Sort by decay rate and merge exactly repeated eigenvalues (identical poles)."""
    lam = spec.eigs
    rho = _decay_rates(lam, lr, batch)
    order = np.argsort(rho, kind="stable")
    lam_s, rho_s = lam[order], rho[order]
    n_s, c_s = spec.counts[order], spec.c0[order]
    # Group exactly equal eigenvalues: their modes evolve identically, so summing them is exact.
    new_group = np.concatenate(([True], np.diff(rho_s) > 0))
    gid = np.cumsum(new_group) - 1
    if not np.all(new_group):
        n_g = np.bincount(gid, weights=n_s)
        c_g = np.bincount(gid, weights=c_s)
        lam_g = np.bincount(gid, weights=lam_s * n_s) / n_g
        if np.any(np.abs(lam_s - lam_g[gid]) > 1e-12 * lam_s):
            raise ValueError(
                "two different eigenvalues have the same SGD decay rate (ηλ symmetric about "
                "B/((B+1)η)); lower the learning rate"
            )
        lam_s, n_s, c_s = lam_g, n_g, c_g
    return lam_s, n_s, c_s


def _phase_solution(lam, rho, n, c_start, s2, lr, batch, local_steps):
    """Risk at ``local_steps`` (from the phase start) and the state at the phase end.

    State in symmetric coordinates ``y_k = C_k/√n_k``: ``y(t+1) = (diag(1−ρ) + uuᵀ) y + a``,
    ``u = ηλ√(n/B)``, ``a = (η/√B) s² √n λ`` and ``q = s² + (√B/η) uᵀy``.
    """
    u = lr * lam * np.sqrt(n / batch)
    w = u * u
    if not np.all(rho > 0) or float(np.sum(w / rho)) >= 1.0:
        raise FloatingPointError(
            f"unstable: the mean risk grows without bound at step size {lr:g} (stability "
            "needs Σ_k η²λ_k²/(B ρ_k) < 1 and ηλ_max < 2B/(B+1))"
        )
    big_s = float(np.sum(w / rho))
    y0 = c_start / np.sqrt(n)
    # Fixed point y∞ = (diag ρ − uuᵀ)^{-1} a  (Sherman–Morrison), a = (η/√B) s² u.
    y_inf = (lr / np.sqrt(batch)) * s2 * (u / rho) / (1.0 - big_s)
    q_inf = s2 / (1.0 - big_s)
    dev = y0 - y_inf
    sol = secular_roots(rho, w)
    nu = sol.roots(rho)
    log_mu = np.log1p(-nu)
    coef = np.empty(rho.size)  # Σ_k u_k dev_k / (ρ_k − ν_i)
    dprime = np.empty(rho.size)  # Σ_k w_k / (ρ_k − ν_i)²
    for lo, hi in _row_chunks(rho.size, rho.size):
        o = sol.origin[lo:hi]
        diff = (rho[None, :] - rho[o][:, None]) - sol.tau[lo:hi, None]
        inv = 1.0 / diff
        coef[lo:hi] = inv @ (u * dev)
        dprime[lo:hi] = (inv * inv) @ w
    amp = coef / dprime  # (uᵀ v_i)(v_iᵀ dev) with v_i ∝ u/(ρ − ν_i)
    t = np.asarray(local_steps, dtype=np.float64)
    decay = np.exp(np.outer(t, log_mu)) if t.size else np.zeros((0, rho.size))
    q = q_inf + (np.sqrt(batch) / lr) * (decay @ amp)
    # Consistency of the eigen-expansion at t = 0: Σ_i amp_i must equal uᵀ dev.
    closure = abs(float(np.sum(amp)) - float(u @ dev)) / max(
        float(np.sum(np.abs(amp))), abs(float(u @ dev)), 1e-300
    )
    return q, sol, log_mu, coef, dprime, u, y_inf, closure


def _phase_end_state(rho, n, sol, log_mu, coef, dprime, u, y_inf, length):
    """``C`` after ``length`` steps: y = y∞ + Σ_i μ_i^T v_i (v_iᵀ dev), O(n²)."""
    weight = np.exp(length * log_mu) * coef / dprime  # μ_i^T (v_iᵀ dev) / ‖·‖ factor
    y = y_inf.copy()
    for lo, hi in _row_chunks(rho.size, rho.size):
        o = sol.origin[lo:hi]
        diff = (rho[None, :] - rho[o][:, None]) - sol.tau[lo:hi, None]
        y += (weight[lo:hi] @ (1.0 / diff)) * u
    return y * np.sqrt(n)


def risk_spectral(
    spec: ModeSpectrum,
    lr: float,
    batch: int,
    record: np.ndarray,
    schedule: str = "constant",
) -> SpectralCurve:
    """Exact expected SGD risk at the steps ``record`` from the eigen-solution of the recursion.

    Cost O(modes²) per constant-step phase (the secular roots and projections) plus O(modes)
    per recorded step, independent of the number of steps. With the geometric schedule each
    phase starts from the exact state at the end of the previous one.

    Raises
    ------
    FloatingPointError
        If the step size is unstable (``stability_margin`` ≤ 0).

    Examples
    --------
    Agrees with the step-by-step recursion, for the constant and the geometric schedule:

    >>> from scalinglab.models.sgd.problem import data_spectrum, reduce_identity, target_weights
    >>> lam = data_spectrum(50, 1.5)
    >>> spec = reduce_identity(lam, target_weights(50, 1.5, 0.5), 0.1).mode_spectrum()
    >>> steps = np.array([0, 10, 1000])
    >>> for schedule in ("constant", "geometric"):
    ...     curve = risk_spectral(spec, 0.25, 1, steps, schedule)
    ...     reference = risk_recursion(spec, 0.25, 1, steps, schedule)
    ...     print(curve.status.value, bool(np.allclose(curve.risk, reference, rtol=1e-10)))
    converged True
    converged True
    """
    record = np.asarray(record, dtype=np.int64)
    if record.size and (np.any(np.diff(record) < 0) or record[0] < 0):
        raise ValueError("record must be sorted and non-negative")
    steps = int(record[-1]) if record.size else 0
    lam, n, c = _prepare_modes(spec, lr, batch)
    s2 = spec.irreducible
    out = np.empty(record.size, dtype=np.float64)
    zero = record == 0
    out[zero] = 0.5 * (lam @ c + s2)
    worst_closure, status, iters = 0.0, Status.CONVERGED, 0
    for start, end, eta in _phases(steps, lr, schedule):
        rho = _decay_rates(lam, eta, batch)
        sel = (record > start) & (record <= end)
        q, sol, log_mu, coef, dprime, u, y_inf, closure = _phase_solution(
            lam, rho, n, c, s2, eta, batch, record[sel] - start
        )
        out[sel] = 0.5 * q
        worst_closure = max(worst_closure, closure)
        iters = max(iters, sol.iterations)
        if sol.status is not Status.CONVERGED:
            status = sol.status
        if end < steps:
            c = _phase_end_state(rho, n, sol, log_mu, coef, dprime, u, y_inf, end - start)
    message = f"secular iterations {iters}, eigen-expansion closure {worst_closure:.1e}"
    if worst_closure > 1e-6 and status is Status.CONVERGED:
        status = Status.FAILED
        message += " (eigenvectors inaccurate)"
    return SpectralCurve(record, out, status, message)


# --------------------------------------------------------------------------- deterministic paths


def risk_gd(spec: ModeSpectrum, lr: float, steps: np.ndarray) -> np.ndarray:
    """Population gradient descent: ``L(t) = ½(Σ λ_k C_k(0) (1 − ηλ_k)^{2t} + s²)``.

    Examples
    --------
    One mode (λ = 1, η = 1/4): L(1) = ½ (3/4)² = 0.28125, and SGD with a huge batch is GD:

    >>> spec = ModeSpectrum(np.array([1.0]), np.ones(1), np.ones(1), 0.0)
    >>> risk_gd(spec, 0.25, np.array([0, 1]))
    array([0.5    , 0.28125])
    >>> steps = np.array([0, 1, 5])
    >>> bool(np.allclose(risk_recursion(spec, 0.25, 10**9, steps), risk_gd(spec, 0.25, steps)))
    True
    """
    t = np.asarray(steps, dtype=np.float64)
    base = np.abs(1.0 - lr * spec.eigs)
    decay = np.power(base[None, :], 2.0 * t[:, None])
    return 0.5 * (decay @ (spec.eigs * spec.c0) + spec.irreducible)


def risk_flow(spec: ModeSpectrum, times: np.ndarray) -> np.ndarray:
    """Population gradient flow: ``L(t) = ½(Σ λ_k C_k(0) e^{−2λ_k t} + s²)`` (note eq. 9).

    Examples
    --------
    One mode: ½ e^{-2} at t = 1; and GD with a tiny step η at t/η steps tends to the flow:

    >>> one = ModeSpectrum(np.array([1.0]), np.ones(1), np.ones(1), 0.0)
    >>> bool(np.isclose(risk_flow(one, np.array([1.0]))[0], np.exp(-2) / 2))
    True
    >>> spec = ModeSpectrum(np.array([1.0, 0.1]), np.ones(2), np.ones(2), 0.0)
    >>> flow = risk_flow(spec, np.array([1.0]))
    >>> bool(np.allclose(risk_gd(spec, 1e-4, np.array([1e4])), flow, rtol=1e-3))
    True
    """
    t = np.asarray(times, dtype=np.float64)
    decay = np.exp(-2.0 * np.outer(t, spec.eigs))
    return 0.5 * (decay @ (spec.eigs * spec.c0) + spec.irreducible)
