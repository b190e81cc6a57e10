"""Variable projection for any partially linear law (Golub & Pereyra 1973; Czech et al. 2026).

A *partially linear* law predicts the loss of point i as

    L̂_i(θ, φ) = Σ_j θ_j · B_ij(φ),

a sum of linear coefficients θ_j (non-negative unless the law marks them signed) times
basis functions B_ij of the inputs that depend on a few nonlinear parameters φ with box
bounds. For fixed φ the fit in θ is a (weighted, bound-constrained) linear problem, so
the objective can be *projected* onto φ alone,

    F(φ) = min_θ  Σ_i w_i ρ(r_i(θ, φ)) / Σ_i w_i,        r_i = L̂_i − L_i  or  log L̂_i − log L_i,

and only F(φ) needs a nonlinear search. Czech et al. (2026, arXiv 2603.22339, abstract
and §"Variable projection") propose this as the scalable route to richer scaling-law
forms; :mod:`scalinglab.laws.varpro` is its closed-form Chinchilla instance.

The engine runs three stages, the same machinery as the Chinchilla fit:

1. **Dense grid** over φ. For squared error on raw loss every cell is one small NNLS
   problem built from the Gram matrix ``Bᵀ W B``; all cells are solved together
   (:func:`solve_nnls_batch`, exact enumeration of supports, Lawson & Hanson 1974,
   ch. 23). Huber and log-loss objectives use the same pass with IRLS / Gauss–Newton
   weights frozen at the current best fit, repeated until the argmin stops moving.
2. **Exact inner solve** at one φ: (projected) Newton / IRLS with step halving.
3. **Refinement** of φ by L-BFGS-B with the envelope-theorem gradient (Danskin):
   ``∂F/∂φ_k = Σ_i w_i ψ(r_i) ∂r_i/∂φ_k / Σ w`` with ``∂L̂_i/∂φ_k = Σ_j θ_j ∂B_ij/∂φ_k``
   at the inner optimum, exact when the law supplies ∂B/∂φ (every shipped law does).

Kinked objectives (the asymmetric absolute error, :mod:`scalinglab.laws.objectives`) have
no gradient to follow or test. For them stage 2 is exact — a linear programme on raw loss
(:func:`inner_lp`), sequential linear programmes on log loss — stage 1 adds an exact
coarse grid to the surrogate's argmin, stage 3 is Nelder–Mead on the exact profile, and
the verdict is :func:`~scalinglab.laws.diagnostics.probe_minimum` instead of the gradient
test.

Notation: in :mod:`scalinglab.laws`, Greek letters (``alpha``, ``beta``, …) are *loss*
exponents of the law being fitted; the Latin ``a`` and ``b`` are reserved for the
compute-allocation exponents ``N* ∝ C^a``, ``D* ∝ C^b`` of Hoffmann et al. (2022).

Statuses (:class:`scalinglab._types.Status`): ``not_identifiable`` (no more distinct
points than parameters, or a rank-deficient Jacobian at the optimum — the message names
the parameter), ``bound_hit`` (φ on the edge of its box, or a non-negative θ clamped at
0), ``max_iter`` (refinement stopped at its limit with a projected gradient that is not
small relative to the objective), ``failed`` (no finite objective), else ``converged``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import least_squares, minimize

from scalinglab._types import ProgressFn, Status
from scalinglab._validation import InputError, check_int
from scalinglab.laws._threads import single_blas_thread
from scalinglab.laws.diagnostics import (
    FLOOR_FRACTION,
    assess_optimum,
    check_linear_terms,
    combine,
    null_objective,
    probe_minimum,
    stationarity,
)
from scalinglab.laws.nnls3 import Gram3, nnls3_single, solve_nnls3
from scalinglab.laws.objectives import Objective

__all__ = [
    "NonlinearLaw",
    "NonlinearParam",
    "PartiallyLinearFit",
    "PartiallyLinearLaw",
    "ReplicateFit",
    "bootstrap_partially_linear",
    "fit_nonlinear",
    "fit_partially_linear",
    "grid_profile",
    "inner_fit",
    "inner_lp",
    "law_status",
    "solve_nnls_batch",
]

#: Grid cells × points × coefficients held in memory at once (≈ 32 MB of float64).
_CHUNK_ELEMENTS = 1 << 22
#: Relative singular-value threshold below which the Jacobian is called rank-deficient.
_RANK_TOL = 1e-9


@dataclass(frozen=True)
class NonlinearParam:
    """A nonlinear parameter: bounds and the step of its search grid.

    Parameters
    ----------
    name : str
        Name in the fitted parameters.
    lo, hi : float
        Inclusive bounds (``lo < hi``; both > 0 when ``log``).
    step : float
        Grid spacing, in units of the parameter or of log10 of it when ``log``.
    log : bool
        Search in log10 (for scale parameters such as a break point).

    Examples
    --------
    >>> NonlinearParam("alpha", 0.01, 1.0, 0.01).axis().size
    100
    """

    name: str
    lo: float
    hi: float
    step: float
    log: bool = False

    def to_z(self, x: np.ndarray | float) -> np.ndarray:
        """Search coordinate (log10 for ``log`` parameters)."""
        x = np.asarray(x, dtype=float)
        return np.log10(x) if self.log else x

    def from_z(self, z: np.ndarray | float) -> np.ndarray:
        """Inverse of :meth:`to_z`."""
        z = np.asarray(z, dtype=float)
        return 10.0**z if self.log else z

    def z_bounds(self) -> tuple[float, float]:
        return float(self.to_z(self.lo)), float(self.to_z(self.hi))

    def axis(self, step: float | None = None) -> np.ndarray:
        """Grid values (in parameter units), both bounds included."""
        zlo, zhi = self.z_bounds()
        st = self.step if step is None else step
        n = max(1, round((zhi - zlo) / st))
        return self.from_z(np.linspace(zlo, zhi, n + 1))


BasisFn = Callable[[Mapping[str, np.ndarray], np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PartiallyLinearLaw:
    """A law ``L̂_i = Σ_j θ_j B_ij(φ)``: linear coefficients times basis functions.

    Parameters
    ----------
    name : str
        Registry name (``scalinglab fit --law NAME``).
    inputs : tuple of str
        Names of the input columns the basis reads.
    linear : tuple of str
        Names of the coefficients θ_j, in basis-column order.
    nonlinear : tuple of NonlinearParam
        The parameters φ, with bounds and grid steps.
    basis : callable
        ``basis(x, phi) -> B`` with ``x`` a mapping of input arrays (length n) and
        ``phi`` of shape (G, q) — one row per parameter vector — returning B of shape
        (G, n, p). Write it with ``phi[:, k, None]`` so it broadcasts over the batch.
    basis_grad : callable, optional
        ``basis_grad(x, phi) -> dB`` of shape (G, n, p, q), ∂B_ij/∂φ_k. Without it the
        refinement uses central differences of ``basis`` (then the gradient is not exact).
    signed : tuple of str
        Coefficients allowed to be negative (all others are constrained ≥ 0).
    equation, reference : str
        Shown by ``scalinglab fit --list-laws``.

    Examples
    --------
    A one-variable power law ``L = E + A·x^(−α)`` in a few lines:

    >>> import numpy as np
    >>> law = PartiallyLinearLaw(
    ...     name="power", inputs=("x",), linear=("E", "A"),
    ...     nonlinear=(NonlinearParam("alpha", 0.05, 2.0, 0.01),),
    ...     basis=lambda x, phi: np.stack(
    ...         [np.ones((phi.shape[0], x["x"].size)), x["x"] ** -phi[:, 0, None]], axis=-1),
    ... )
    >>> x = np.geomspace(1, 1e4, 12)
    >>> fit = fit_partially_linear(law, {"x": x}, 0.5 + 3.0 * x**-0.7,
    ...                            objective=Objective("mse", "raw"))
    >>> str(fit.status), round(fit.params["alpha"], 6), round(fit.params["A"], 6)
    ('converged', 0.7, 3.0)
    """

    name: str
    inputs: tuple[str, ...]
    linear: tuple[str, ...]
    nonlinear: tuple[NonlinearParam, ...]
    basis: BasisFn
    basis_grad: Callable[[Mapping[str, np.ndarray], np.ndarray], np.ndarray] | None = None
    signed: tuple[str, ...] = ()
    equation: str = ""
    reference: str = ""

    @property
    def n_params(self) -> int:
        return len(self.linear) + len(self.nonlinear)

    @property
    def param_names(self) -> tuple[str, ...]:
        return self.linear + tuple(p.name for p in self.nonlinear)

    @property
    def nonneg(self) -> np.ndarray:
        return np.array([name not in self.signed for name in self.linear])

    def predict(self, params: Mapping[str, float], x: Mapping[str, np.ndarray]) -> np.ndarray:
        """The law at inputs ``x`` for parameters ``params`` (names as in ``param_names``)."""
        phi = np.array([[float(params[p.name]) for p in self.nonlinear]])
        theta = np.array([float(params[n]) for n in self.linear])
        xs = {k: np.atleast_1d(np.asarray(x[k], dtype=float)) for k in self.inputs}
        return self.basis(xs, phi)[0] @ theta

    def gradient_basis(self, x: Mapping[str, np.ndarray], phi: np.ndarray) -> np.ndarray:
        """∂B/∂φ, shape (G, n, p, q): the law's own derivative or central differences."""
        if self.basis_grad is not None:
            return self.basis_grad(x, phi)
        out = []
        for k in range(phi.shape[1]):
            h = 1e-6 * np.maximum(1.0, np.abs(phi[:, k]))
            up, dn = phi.copy(), phi.copy()
            up[:, k] += h
            dn[:, k] -= h
            out.append((self.basis(x, up) - self.basis(x, dn)) / (2 * h[:, None, None]))
        return np.stack(out, axis=-1)

    def describe(self) -> dict[str, Any]:
        """Name, equation, reference, inputs and parameters (for ``--list-laws``)."""
        return {
            "name": self.name,
            "equation": self.equation,
            "reference": self.reference,
            "inputs": list(self.inputs),
            "linear": list(self.linear),
            "signed": list(self.signed),
            "nonlinear": [
                {"name": p.name, "lo": p.lo, "hi": p.hi, "step": p.step, "log": p.log}
                for p in self.nonlinear
            ],
        }


# --------------------------------------------------------------------- batched NNLS


def _solve_sym(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``A x = b`` for a batch of small symmetric matrices (pinv where singular)."""
    try:
        with np.errstate(all="ignore"):
            x = np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        x = np.full(b.shape, np.nan)
    bad = ~np.all(np.isfinite(x), axis=-1)
    if np.any(bad):
        x[bad] = (np.linalg.pinv(A[bad], hermitian=True) @ b[bad][..., None])[..., 0]
    return x


def solve_nnls_batch(
    G: np.ndarray, h: np.ndarray, c: np.ndarray, nonneg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``min_θ c − 2hᵀθ + θᵀGθ`` with ``θ_j ≥ 0`` where ``nonneg[j]``, batched.

    Parameters
    ----------
    G : ndarray, shape (M, p, p)
        Symmetric positive semi-definite Gram matrices ``Bᵀ W B``.
    h : ndarray, shape (M, p)
        ``Bᵀ W t``.
    c : ndarray, shape (M,)
        ``tᵀ W t``.
    nonneg : ndarray of bool, shape (p,)
        Which coefficients are constrained.

    Returns
    -------
    theta : ndarray, shape (M, p)
    f : ndarray, shape (M,)
        Minimum weighted sum of squares (clipped at 0; only rounding makes it negative).

    Notes
    -----
    The programme is convex; its minimiser is the unconstrained minimiser on its own
    support, so the feasible support candidate with the smallest objective is optimal
    (Lawson & Hanson 1974, ch. 23). Each candidate's objective is evaluated exactly as
    ``c − 2hᵀθ + θᵀGθ``, so an ill-conditioned candidate can only look worse, never
    better. Columns are scaled to unit diagonal first (Jacobi), and the full support is
    tried first: a well-posed problem costs one solve. 2^(#constrained) supports at
    most, so this is meant for a handful of coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> G = np.array([[[2.0, 0.0], [0.0, 1.0]]]); h = np.array([[2.0, -1.0]])
    >>> theta, f = solve_nnls_batch(G, h, np.array([3.0]), np.array([True, True]))
    >>> theta.round(12).tolist(), f.round(12).tolist()
    ([[1.0, 0.0]], [1.0])
    """
    M, p = h.shape
    d = np.sqrt(np.clip(np.einsum("mii->mi", G), 0.0, None))
    d = np.where(d > 0, d, 1.0)
    Gs = G / (d[:, :, None] * d[:, None, :])
    hs = h / d

    def objective(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return (
            c[rows]
            - 2.0 * np.einsum("mi,mi->m", hs[rows], x)
            + np.einsum("mi,mij,mj->m", x, Gs[rows], x)
        )

    theta = np.zeros((M, p))
    best = np.full(M, np.inf)
    all_rows = np.arange(M)
    full = _solve_sym(Gs, hs)
    ok = np.all((full >= 0) | ~nonneg, axis=1)
    theta[ok] = full[ok]
    best[ok] = objective(full[ok], all_rows[ok])
    rest = all_rows[~ok]
    if rest.size:
        cons = np.nonzero(nonneg)[0]
        free = np.nonzero(~nonneg)[0]
        for r in range(len(cons) - 1, -1, -1):
            for keep in itertools.combinations(cons, r):
                sup = np.sort(np.concatenate([free, np.array(keep, dtype=int)]))
                if sup.size == 0:
                    x = np.zeros((rest.size, p))
                    f = c[rest].astype(float)
                else:
                    xs = _solve_sym(Gs[rest][:, sup][:, :, sup], hs[rest][:, sup])
                    x = np.zeros((rest.size, p))
                    x[:, sup] = xs
                    f = objective(x, rest)
                feas = np.all((x >= 0) | ~nonneg, axis=1) & np.isfinite(f)
                take = feas & (f < best[rest])
                best[rest[take]] = f[take]
                theta[rest[take]] = x[take]
    return theta / d, np.maximum(best, 0.0)


def _nnls_one(G: np.ndarray, h: np.ndarray, nonneg: np.ndarray) -> np.ndarray:
    """One problem: the scalar 3-coefficient solver when it applies, else the batch one."""
    if G.shape[0] == 3 and bool(np.all(nonneg)):
        d = np.sqrt(np.clip(np.diag(G), 0.0, None))
        d = np.where(d > 0, d, 1.0)
        th, _ = nnls3_single(G / np.outer(d, d), h / d)
        return th / d
    th, _ = solve_nnls_batch(G[None], h[None], np.zeros(1), nonneg)
    return th[0]


# --------------------------------------------------------------------- grid stage


def grid_profile(
    law: PartiallyLinearLaw,
    x: Mapping[str, np.ndarray],
    phis: np.ndarray,
    w: np.ndarray,
    t: np.ndarray,
) -> np.ndarray:
    """Weighted NNLS profile ``min_θ Σ_i w_i (t_i − Σ_j θ_j B_ij(φ))²`` at many φ.

    Parameters
    ----------
    law : PartiallyLinearLaw
    x : mapping of str to ndarray
        Inputs (length n).
    phis : ndarray, shape (G, q)
        Parameter vectors.
    w, t : ndarray, shape (n,) or (R, n)
        Weights and targets; with R rows (bootstrap replicates as count weights) the
        profile is computed for every replicate at once.

    Returns
    -------
    ndarray, shape (G,) or (R, G)

    Notes
    -----
    With products ``P_gn,jk = B_gnj B_gnk`` the Gram matrices of all replicates are the
    batched matrix product ``W @ P_g``, (R, n)·(n, p²) for every cell g; cells are
    processed in chunks.

    Examples
    --------
    >>> import numpy as np
    >>> from scalinglab.laws.catalog import get_law
    >>> law = get_law("power")
    >>> xx = np.geomspace(1, 100, 9); y = 1 + 2 * xx**-0.5
    >>> f = grid_profile(law, {"x": xx}, np.array([[0.5], [0.9]]), np.ones(9), y)
    >>> bool(f[0] < 1e-20 < f[1])
    True
    """
    w2 = np.atleast_2d(w)
    t2 = np.broadcast_to(np.atleast_2d(t), w2.shape)
    R, n = w2.shape
    p = len(law.linear)
    out = np.empty((R, phis.shape[0]))
    rows = max(1, _CHUNK_ELEMENTS // max(1, n * p * p))
    c = np.sum(w2 * t2 * t2, axis=1)
    wt = w2 * t2
    nonneg = law.nonneg
    for s in range(0, phis.shape[0], rows):
        ph = phis[s : s + rows]
        B = law.basis(x, ph)  # (g, n, p)
        g = B.shape[0]
        if R == 1:
            Bw = B * w2[0][None, :, None]
            Gm = np.matmul(Bw.transpose(0, 2, 1), B)  # (g, p, p)
            hm = np.matmul(wt[0], B)  # (g, p)
        else:
            P = (B[..., :, None] * B[..., None, :]).reshape(g, n, p * p)
            Gm = np.matmul(w2[None], P).transpose(1, 0, 2).reshape(R * g, p, p)
            hm = np.matmul(wt[None], B).transpose(1, 0, 2).reshape(R * g, p)
        cm = np.repeat(c, g)
        if p == 3 and bool(np.all(nonneg)):  # closed form of the Chinchilla-shaped case
            d = np.sqrt(np.clip(np.einsum("mii->mi", Gm), 0.0, None))
            d = np.where(d > 0, d, 1.0)
            Gs = Gm / (d[:, :, None] * d[:, None, :])
            hs = hm / d
            gram = Gram3(
                Gs[:, 0, 0], Gs[:, 0, 1], Gs[:, 0, 2], Gs[:, 1, 1], Gs[:, 1, 2], Gs[:, 2, 2],
                hs[:, 0], hs[:, 1], hs[:, 2], cm,
            )  # fmt: skip
            f = solve_nnls3(gram, want_theta=False).f
        else:
            _, f = solve_nnls_batch(Gm, hm, cm, nonneg)
        out[:, s : s + g] = f.reshape(R, g)
    return out[0] if np.ndim(w) == 1 else out


# --------------------------------------------------------------------- inner solve


@dataclass(frozen=True)
class InnerFit:
    """Exact inner solution at one φ."""

    theta: np.ndarray
    value: float
    pred: np.ndarray
    basis: np.ndarray
    iterations: int
    converged: bool


def _wmean(w: np.ndarray, v: np.ndarray) -> float:
    return float(np.sum(w * v) / np.sum(w))


def _value(obj: Objective, w: np.ndarray, pred: np.ndarray, loss: np.ndarray) -> float:
    if obj.space == "log" and np.any(~(pred > 0)):
        return math.inf
    return _wmean(w, obj.rho(obj.residuals(pred, loss)))


def _curvature(obj: Objective, r: np.ndarray) -> np.ndarray:
    """ρ''(r): 2 for squared error, 1 inside the Huber threshold, else the IRLS weight."""
    if obj.kind == "mse":
        return np.full(r.shape, 2.0)
    if obj.kind == "huber":
        return (np.abs(r) <= obj.delta).astype(float)
    return np.asarray(obj.irls_weight(r), dtype=float)


def inner_fit(
    B: np.ndarray,
    loss: np.ndarray,
    obj: Objective,
    w: np.ndarray,
    nonneg: np.ndarray,
    theta0: np.ndarray | None = None,
    *,
    max_iter: int = 300,
    tol: float = 1e-13,
) -> InnerFit:
    """Minimise ``Σ w ρ(r) / Σ w`` over θ (θ_j ≥ 0 where ``nonneg``) for a fixed basis B (n, p).

    Squared error on raw loss is one NNLS solve. Otherwise each iteration solves the
    projected (Gauss–)Newton model ``g·Δ + ½ΔᵀHΔ`` (H = Σ w ρ'' JᵀJ, J = ∂r/∂θ) as an NNLS
    problem, falling back to the IRLS weighted least-squares step when H is singular, and
    halves the step until the objective does not increase (Huber 1964; Holland & Welsch
    1977 for the IRLS majoriser).

    Examples
    --------
    >>> import numpy as np
    >>> B = np.stack([np.ones(5), np.arange(1.0, 6.0)], axis=1)
    >>> sol = inner_fit(B, 1 + 2 * np.arange(1.0, 6.0), Objective("huber", "log"),
    ...                 np.ones(5), np.array([True, True]))
    >>> sol.theta.round(8).tolist(), sol.converged
    ([1.0, 2.0], True)
    """
    p = B.shape[1]
    if obj.kind == "mse" and obj.space == "raw":
        Bw = B * w[:, None]
        theta = _nnls_one(Bw.T @ B, Bw.T @ loss, nonneg)
        pred = B @ theta
        return InnerFit(theta, _value(obj, w, pred, loss), pred, B, 1, True)
    if theta0 is None or _value(obj, w, B @ theta0, loss) == math.inf:
        w0 = w / loss**2 if obj.space == "log" else w
        Bw = B * w0[:, None]
        theta = _nnls_one(Bw.T @ B, Bw.T @ loss, nonneg)
    else:
        theta = np.asarray(theta0, dtype=float).copy()
    pred = B @ theta
    val = _value(obj, w, pred, loss)
    if val == math.inf:  # no positive prediction to start a log-space fit from
        return InnerFit(theta, val, pred, B, 0, False)
    for it in range(1, max_iter + 1):
        r = obj.residuals(pred, loss)
        J = B / pred[:, None] if obj.space == "log" else B
        curv = w * _curvature(obj, r)
        H = (J * curv[:, None]).T @ J
        g = J.T @ (w * obj.psi(r))
        cand = None
        if np.count_nonzero(curv) >= p:
            cand = _nnls_one(H, H @ theta - g, nonneg)
            if not np.all(np.isfinite(cand)):
                cand = None
        if cand is None:
            ww = w * obj.irls_weight(r)
            if obj.space == "log":
                ww, tt = ww / pred**2, pred * (1.0 - r)
            else:
                tt = loss
            Bw = B * ww[:, None]
            cand = _nnls_one(Bw.T @ B, Bw.T @ tt, nonneg)
        step = 1.0
        while True:
            new = theta + step * (cand - theta)
            new_pred = B @ new
            new_val = _value(obj, w, new_pred, loss)
            if new_val <= val:
                break
            step *= 0.5
            if step < 1e-12:
                return InnerFit(theta, val, pred, B, it, True)
        moved = np.max(np.abs(new - theta) / (np.abs(new) + np.abs(theta) + 1e-300))
        theta, pred, val = new, new_pred, new_val
        if moved < tol:
            return InnerFit(theta, val, pred, B, it, True)
    return InnerFit(theta, val, pred, B, max_iter, False)


def inner_lp(
    B: np.ndarray, loss: np.ndarray, obj: Objective, w: np.ndarray, nonneg: np.ndarray
) -> InnerFit:
    """Exact inner minimum of the asymmetric absolute error on raw loss (a linear programme).

    With r = Bθ − L split into over- and under-prediction parts u, v ≥ 0 the problem
    ``min Σ ω_i (a·u_i + v_i)`` (ω = w/Σw, a the asymmetry) is a linear programme
    (quantile regression, Koenker & Bassett 1978). It is solved through its dual, half
    the size: ``max Lᵀλ`` subject to ``−a·ω_i ≤ λ_i ≤ ω_i``, ``(Bᵀλ)_j ≤ 0`` for
    θ_j ≥ 0 and ``(Bᵀλ)_j = 0`` for signed θ_j; θ are the multipliers of those
    constraints (HiGHS, via :func:`scipy.optimize.linprog`). Columns of B are scaled to
    unit maximum first.

    Examples
    --------
    >>> import numpy as np
    >>> B = np.stack([np.ones(5), np.arange(1.0, 6.0)], axis=1)
    >>> y = 1 + 2 * np.arange(1.0, 6.0) + np.array([0.0, 0.3, 0.0, -0.2, 0.0])
    >>> sol = inner_lp(B, y, Objective("asymmetric-mae", "raw"), np.ones(5),
    ...                np.array([True, True]))
    >>> sol.theta.round(10).tolist()   # the line under all points, through the 1st and 4th
    [1.0666666667, 1.9333333333]
    >>> bool(np.all(sol.pred <= y + 1e-12)), round(sol.value, 10)
    (True, 0.1533333333)
    """
    from scipy.optimize import linprog

    if obj.kind != "asymmetric-mae" or obj.space != "raw":
        raise InputError("inner_lp solves the asymmetric MAE on raw loss only.")
    p = B.shape[1]
    d = np.max(np.abs(B), axis=0)
    d = np.where(d > 0, d, 1.0)
    Bs = B / d
    om = w / np.sum(w)
    cons, free = np.asarray(nonneg, dtype=bool), ~np.asarray(nonneg, dtype=bool)
    kw: dict[str, Any] = {}
    if cons.any():
        kw.update(A_ub=Bs[:, cons].T, b_ub=np.zeros(int(cons.sum())))
    if free.any():
        kw.update(A_eq=Bs[:, free].T, b_eq=np.zeros(int(free.sum())))
    bounds = np.column_stack([-obj.asymmetry * om, om])
    res = linprog(-loss, bounds=bounds, method="highs", **kw)
    if res.status != 0:
        return InnerFit(np.zeros(p), math.inf, np.full(loss.shape, np.nan), B, 0, False)
    ts = np.zeros(p)
    if cons.any():
        ts[cons] = np.maximum(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0)
    if free.any():
        ts[free] = -np.asarray(res.eqlin.marginals, dtype=float)
    theta = ts / d
    pred = B @ theta
    return InnerFit(theta, _value(obj, w, pred, loss), pred, B, int(res.nit), True)


def _lp_certified(
    B: np.ndarray,
    loss: np.ndarray,
    obj: Objective,
    w: np.ndarray,
    nonneg: np.ndarray,
    support: np.ndarray,
) -> InnerFit | None:
    """The optimum of :func:`inner_lp` from a guessed basis, or None when not certified.

    A vertex of the linear programme fits p points S exactly: θ = B_S⁻¹ L_S. It is
    optimal when the Karush–Kuhn–Tucker conditions hold: θ_j > 0 where constrained
    (then every constraint (Bᵀλ)_j = 0 is active), λ_i = −a·ω_i for over-predicted and
    ω_i for under-predicted points off S (complementary slackness), and the λ_S that
    solve ``B_Sᵀλ_S = −B_Nᵀλ_N`` lie in [−a·ω_i, ω_i] (to 10⁻⁹ relative). The previous
    grid point's basis usually passes at the next one, at the cost of two 3×3 solves
    instead of a linear programme.
    """
    p = B.shape[1]
    if support.size != p:
        return None
    BS = B[support]
    try:
        theta = np.linalg.solve(BS, loss[support])
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(theta)) or np.any(theta[nonneg] <= 0.0):
        return None
    r = B @ theta - loss
    om = w / np.sum(w)
    off = np.ones(loss.size, dtype=bool)
    off[support] = False
    lam_off = np.where(r[off] > 0, -obj.asymmetry * om[off], om[off])
    try:
        lam_s = np.linalg.solve(BS.T, -(B[off].T @ lam_off))
    except np.linalg.LinAlgError:
        return None
    slack = 1e-9 * om[support]
    ok = np.all(lam_s >= -obj.asymmetry * om[support] - slack) and np.all(
        lam_s <= om[support] + slack
    )
    if not ok:
        return None
    pred = B @ theta
    return InnerFit(theta, _value(obj, w, pred, loss), pred, B, 0, True)


def _sequential_lp(
    B: np.ndarray,
    loss: np.ndarray,
    obj: Objective,
    w: np.ndarray,
    lp: Callable[[np.ndarray, np.ndarray, np.ndarray], InnerFit],
    *,
    max_iter: int = 50,
    tol: float = 1e-13,
) -> InnerFit:
    """Asymmetric MAE on *log* loss at fixed φ by sequential linear programming.

    ``log p`` is linearised around the current predictions p₀ (residuals r₀):
    ``r ≈ r₀ + (p − p₀)/p₀``, which makes the step an asymmetric-MAE linear programme
    in θ with rows ``B/p₀`` and targets ``1 − r₀`` (the Gauss–Newton model of
    :func:`inner_fit`, with the exact L1 step in place of a weighted least-squares
    one); the step is halved until the true objective does not increase. The start is
    the raw-loss programme with weights w/L (relative errors ≈ log errors).
    """
    sol = lp(B, loss, w / loss)
    theta = sol.theta
    pred = B @ theta
    val = _value(obj, w, pred, loss)
    for it in range(1, max_iter + 1):
        if not np.isfinite(val):
            return InnerFit(theta, val, pred, B, it, False)
        r = np.log(pred) - np.log(loss)
        cand = lp(B / pred[:, None], 1.0 - r, w).theta
        step = 1.0
        while True:
            new = theta + step * (cand - theta)
            new_pred = B @ new
            new_val = _value(obj, w, new_pred, loss)
            if new_val <= val:
                break
            step *= 0.5
            if step < 1e-12:
                return InnerFit(theta, val, pred, B, it, True)
        moved = np.max(np.abs(new - theta) / (np.abs(new) + np.abs(theta) + 1e-300))
        theta, pred, val = new, new_pred, new_val
        if moved < tol:
            return InnerFit(theta, val, pred, B, it, True)
    return InnerFit(theta, val, pred, B, max_iter, False)


# --------------------------------------------------------------------- the fit


@dataclass(frozen=True)
class PartiallyLinearFit:
    """A fitted partially linear law.

    Attributes
    ----------
    law : PartiallyLinearLaw
    params : dict
        Linear coefficients then nonlinear parameters, by name.
    objective : Objective
    objective_value : float
        ``Σ w ρ(r) / Σ w`` at ``params``.
    n_points : int
    status : Status
    message : str
    details : dict
        Grid, refinement and identifiability diagnostics.
    """

    law: PartiallyLinearLaw
    params: dict[str, float]
    objective: Objective
    objective_value: float
    n_points: int
    status: Status
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def theta(self) -> np.ndarray:
        return np.array([self.params[n] for n in self.law.linear])

    @property
    def phi(self) -> np.ndarray:
        return np.array([self.params[p.name] for p in self.law.nonlinear])

    def predict(self, x: Mapping[str, np.ndarray]) -> np.ndarray:
        """The fitted law at inputs ``x``."""
        return self.law.predict(self.params, x)

    def to_dict(self) -> dict[str, Any]:
        return {
            "law": self.law.name,
            "params": dict(self.params),
            "objective": self.objective_value,
            "objective_name": self.objective.kind,
            "loss_space": self.objective.space,
            "huber_delta": self.objective.delta if self.objective.kind == "huber" else None,
            "n_points": self.n_points,
            "status": str(self.status),
            "message": self.message,
            "details": self.details,
        }


def _check_inputs(
    law: PartiallyLinearLaw,
    x: Mapping[str, Any],
    loss: Any,
    weights: Any,
    obj: Objective,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    y = np.asarray(loss, dtype=float).ravel()
    if y.size == 0:
        raise InputError(f"law {law.name!r}: no data points.")
    xs: dict[str, np.ndarray] = {}
    for name in law.inputs:
        if name not in x:
            raise InputError(f"law {law.name!r} needs the input {name!r}; got {sorted(x)}.")
        v = np.asarray(x[name], dtype=float).ravel()
        if v.size != y.size:
            raise InputError(
                f"law {law.name!r}: input {name!r} has {v.size} values, the loss {y.size}."
            )
        if not np.all(np.isfinite(v)):
            raise InputError(f"law {law.name!r}: input {name!r} has non-finite values.")
        xs[name] = v
    if not np.all(np.isfinite(y)):
        raise InputError(f"law {law.name!r}: the loss has non-finite values.")
    if obj.space == "log" and np.any(y <= 0):
        raise InputError(f"law {law.name!r}: a log-loss objective needs losses > 0.")
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.size != y.size or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise InputError(
            f"law {law.name!r}: weights must be {y.size} finite values >= 0, not all 0."
        )
    return xs, y, w


def _grid_cells(law: PartiallyLinearLaw, steps: Mapping[str, float] | None) -> np.ndarray:
    axes = [p.axis((steps or {}).get(p.name)) for p in law.nonlinear]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def _surrogate(
    obj: Objective, w: np.ndarray, pred: np.ndarray, loss: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and targets of the weighted least-squares model of ρ around ``pred``."""
    if obj.kind == "mse" and obj.space == "raw":
        return w, loss
    r = obj.residuals(pred, loss)
    ww = w * obj.irls_weight(r)
    if obj.space == "log":
        return ww / pred**2, pred * (1.0 - r)
    return ww, loss


def _envelope_grad(
    law: PartiallyLinearLaw,
    x: Mapping[str, np.ndarray],
    phi: np.ndarray,
    sol: InnerFit,
    loss: np.ndarray,
    obj: Objective,
    w: np.ndarray,
) -> np.ndarray:
    """∂F/∂φ at the inner optimum (envelope theorem), shape (q,)."""
    dB = law.gradient_basis(x, phi[None])[0]  # (n, p, q)
    dpred = np.einsum("npq,p->nq", dB, sol.theta)
    r = obj.residuals(sol.pred, loss)
    dr = obj.psi(r) * w
    if obj.space == "log":
        dr = dr / sol.pred
    return dr @ dpred / np.sum(w)


def _identifiability(
    law: PartiallyLinearLaw,
    x: Mapping[str, np.ndarray],
    phi: np.ndarray,
    sol: InnerFit,
    w: np.ndarray,
    clamped: np.ndarray,
    skip: set[str] | frozenset[str] = frozenset(),
) -> tuple[str | None, dict[str, Any]]:
    """Name a parameter that the data cannot determine, or None.

    The Jacobian of the predictions with respect to the free parameters (coefficients
    not clamped at 0, and φ) is column-scaled; a zero column or a relative singular value
    below ``_RANK_TOL`` means a direction of parameter space that leaves every prediction
    unchanged. The parameter with the largest weight in that direction is named.
    """
    dB = law.gradient_basis(x, phi[None])[0]
    cols = [sol.basis[:, j] for j in range(len(law.linear)) if not clamped[j]]
    names = [n for j, n in enumerate(law.linear) if not clamped[j]]
    cols += [dB[:, :, k] @ sol.theta for k, p in enumerate(law.nonlinear) if p.name not in skip]
    names += [p.name for p in law.nonlinear if p.name not in skip]
    J = np.stack(cols, axis=1) * np.sqrt(w)[:, None]
    norms = np.linalg.norm(J, axis=0)
    info: dict[str, Any] = {}
    for nm, nv in zip(names, norms, strict=True):
        if not nv > 0:
            why = (
                "its coefficient is 0"
                if nm in {p.name for p in law.nonlinear}
                else "its basis is 0"
            )
            return f"{nm} has no effect on the predictions ({why})", info
    Js = J / norms
    s, vt = np.linalg.svd(Js, compute_uv=True)[1:]
    ratio = float(s[-1] / s[0]) if s.size and s[0] > 0 else 0.0
    info["jacobian_condition"] = 1.0 / ratio if ratio > 0 else math.inf
    if J.shape[0] < J.shape[1] or ratio < _RANK_TOL:
        k = int(np.argmax(np.abs(vt[-1])))
        return (
            f"{names[k]} is not identifiable: the data determine only a combination of it "
            f"with other parameters (Jacobian singular value ratio {ratio:.1e})"
        ), info
    return None, info


def fit_partially_linear(
    law: PartiallyLinearLaw,
    x: Mapping[str, Any],
    loss: Any,
    *,
    objective: Objective | None = None,
    weights: Any = None,
    grid_steps: Mapping[str, float] | None = None,
    start: Mapping[str, float] | Sequence[Mapping[str, float]] | None = None,
    grid: bool = True,
    refine: bool = True,
    max_passes: int = 20,
    max_refine_iter: int = 500,
    progress: ProgressFn | None = None,
) -> PartiallyLinearFit:
    """Fit a partially linear law by variable projection (grid, inner solve, refinement).

    Parameters
    ----------
    law : PartiallyLinearLaw
    x : mapping of str to array
        The law's inputs, each of length n.
    loss : array, shape (n,)
    objective : Objective, optional
        Default: Huber (δ = 10⁻³) on raw loss, where the inner problem is linear.
    weights : array, shape (n,), optional
        Non-negative point weights (e.g. bootstrap counts); the objective is
        ``Σ w ρ(r) / Σ w``.
    grid_steps : mapping, optional
        Override grid steps by parameter name.
    start : mapping or sequence of mappings, optional
        Nonlinear parameters to try besides the grid optimum (warm starts); the best of
        all candidates by the exact objective is refined.
    grid : bool
        Run the grid stage (False: refine from ``start`` only).
    refine : bool
        Polish with L-BFGS-B on the exact envelope gradient.
    max_passes : int
        Grid passes for Huber / log-space objectives.
    max_refine_iter : int
        Iteration cap of the refinement.
    progress : callable, optional
        ``progress(done, total)`` after each grid pass.

    Returns
    -------
    PartiallyLinearFit
        Never raises for a degenerate design: the status says what went wrong.

    Raises
    ------
    InputError
        Missing or misshapen inputs, non-finite values, non-positive loss in log space.

    Examples
    --------
    >>> import numpy as np
    >>> from scalinglab.laws.catalog import get_law
    >>> n = np.geomspace(1e7, 1e10, 6); d = np.geomspace(1e9, 1e12, 6)
    >>> N, D = (m.ravel() for m in np.meshgrid(n, d))
    >>> y = 1.69 + 406.4 * N**-0.34 + 410.7 * D**-0.28
    >>> fit = fit_partially_linear(get_law("chinchilla"), {"N": N, "D": D}, y,
    ...                            objective=Objective("mse", "raw"))
    >>> str(fit.status), round(fit.params["alpha"], 6), round(fit.params["beta"], 6)
    ('converged', 0.34, 0.28)
    """
    obj = objective if objective is not None else Objective("huber", "raw")
    max_passes = check_int(max_passes, "max_passes", "fit_partially_linear", low=1)
    xs, y, w = _check_inputs(law, x, loss, weights, obj)
    nonneg = law.nonneg
    q = len(law.nonlinear)
    zb = [p.z_bounds() for p in law.nonlinear]
    to_z = lambda phi: np.array([p.to_z(v) for p, v in zip(law.nonlinear, phi, strict=True)])  # noqa: E731
    from_z = lambda z: np.array([p.from_z(v) for p, v in zip(law.nonlinear, z, strict=True)])  # noqa: E731

    solve_at = _solver(law, xs, y, obj, w)
    exact_grid = obj.kind == "mse" and obj.space == "raw"
    candidates: list[np.ndarray] = []
    grid_info: dict[str, Any] = {}
    with single_blas_thread():
        for st in [start] if isinstance(start, Mapping) else list(start or []):
            candidates.append(np.array([float(st[p.name]) for p in law.nonlinear]))
        if grid:
            cells = _grid_cells(law, grid_steps)
            ww, tt = w, y
            seen: set[int] = set()
            passes = 0
            best_i = -1
            for passes in range(1, max_passes + 1):
                with np.errstate(all="ignore"):
                    f = grid_profile(law, xs, cells, ww, tt)
                f = np.where(np.isfinite(f), f, np.inf)
                best_i = int(np.argmin(f))
                if progress is not None:
                    progress(passes, passes + 1)
                if exact_grid or best_i in seen:
                    break
                seen.add(best_i)
                sol = solve_at(cells[best_i], None)
                if not np.isfinite(sol.value):
                    break
                ww, tt = _surrogate(obj, w, sol.pred, y)
            candidates.append(cells[best_i])
            grid_info = {"cells": int(cells.shape[0]), "passes": passes}
            if not obj.is_smooth:  # the surrogate's argmin may miss: an exact coarse grid
                candidates += _exact_coarse_cells(law, solve_at)
        if not candidates:
            raise InputError("fit_partially_linear needs grid=True or a start.")
        ranked = sorted(
            ((solve_at(phi, None), phi) for phi in candidates), key=lambda t: t[0].value
        )
        best_sol, best_phi = ranked[0]
        grid_info.update({"phi": best_phi.tolist(), "objective": best_sol.value})
        refine_info: dict[str, Any] | None = None
        phi, sol = best_phi, best_sol
        if refine and np.isfinite(sol.value) and not obj.is_smooth:
            phi, sol, refine_info = _refine_nonsmooth(
                law, ranked, zb, to_z, from_z, max_refine_iter, solve_at
            )
        elif refine and np.isfinite(sol.value):
            phi, sol, refine_info = _refine(
                law,
                xs,
                y,
                obj,
                w,
                nonneg,
                best_phi,
                best_sol,
                zb,
                to_z,
                from_z,
                max_refine_iter,
                solve_at,
            )
    status, message, diag = _decide_status(
        law, xs, y, obj, w, phi, sol, zb, to_z, refine_info, assess=refine_info is not None
    )
    params = {n: float(v) for n, v in zip(law.linear, sol.theta, strict=True)}
    params.update({p.name: float(v) for p, v in zip(law.nonlinear, phi, strict=True)})
    return PartiallyLinearFit(
        law=law,
        params=params,
        objective=obj,
        objective_value=float(sol.value),
        n_points=int(y.size),
        status=status,
        message=message,
        details={"grid": grid_info, "refine": refine_info, **diag, "n_nonlinear": q},
    )


def _solver(
    law: PartiallyLinearLaw,
    xs: Mapping[str, np.ndarray],
    y: np.ndarray,
    obj: Objective,
    w: np.ndarray,
) -> Callable[[np.ndarray, np.ndarray | None], InnerFit]:
    """The exact inner solve at φ: a linear programme for the asymmetric MAE on raw loss
    (:func:`inner_lp`; bases of recent solves are tried first, :func:`_lp_certified`),
    sequential linear programmes for it on log loss (:func:`_sequential_lp`), else
    (projected) Newton / IRLS (:func:`inner_fit`)."""
    nonneg = law.nonneg
    raw = dataclasses.replace(obj, space="raw")
    recent: list[np.ndarray] = []  # optimal bases of recent solves, newest first

    def lp(B: np.ndarray, t: np.ndarray, ww: np.ndarray) -> InnerFit:
        for k, support in enumerate(recent):  # near a kink of F a few bases alternate
            sol = _lp_certified(B, t, raw, ww, nonneg, support)
            if sol is not None:
                recent.insert(0, recent.pop(k))
                return sol
        sol = inner_lp(B, t, raw, ww, nonneg)
        if np.isfinite(sol.value):
            recent.insert(0, np.argsort(np.abs(sol.pred - t))[: B.shape[1]])
            del recent[_RECENT_BASES:]
        return sol

    def solve_at(phi: np.ndarray, theta0: np.ndarray | None) -> InnerFit:
        B = law.basis(xs, phi[None])[0]
        if not np.all(np.isfinite(B)):
            return InnerFit(np.zeros(B.shape[1]), math.inf, np.full(y.shape, np.nan), B, 0, False)
        if obj.kind != "asymmetric-mae":
            return inner_fit(B, y, obj, w, nonneg, theta0)
        if obj.space == "raw":
            return lp(B, y, w)
        return _sequential_lp(B, y, obj, w, lp)

    return solve_at


#: Most Nelder-Mead restarts of one run of :func:`fit_nonlinear` on a kinked objective.
_NM_RESTARTS = 12
#: Optimal bases of the asymmetric-MAE linear programme remembered by one solver.
_RECENT_BASES = 8
#: Cells of the exact coarse grid searched for kinked objectives (per law, all dimensions).
_EXACT_GRID_CELLS = 144
#: Grid cells kept as starts of the derivative-free refinement.
_NONSMOOTH_STARTS = 3


def _exact_coarse_cells(
    law: PartiallyLinearLaw, solve_at: Callable[[np.ndarray, np.ndarray | None], InnerFit]
) -> list[np.ndarray]:
    """The best cells of a coarse grid of φ by the *exact* inner objective.

    For a kinked objective the weighted least-squares surrogate of the dense grid is
    only a local model; about :data:`_EXACT_GRID_CELLS` exact inner solves (linear
    programmes) over the whole box guard against a wrong basin.
    """
    q = len(law.nonlinear)
    m = max(3, int(_EXACT_GRID_CELLS ** (1.0 / q)))
    axes = []
    for p in law.nonlinear:
        zlo, zhi = p.z_bounds()
        axes.append(p.from_z(np.linspace(zlo, zhi, m)))
    mesh = np.meshgrid(*axes, indexing="ij")
    cells = np.stack([g.ravel() for g in mesh], axis=1)
    vals = np.array([solve_at(c, None).value for c in cells])
    order = np.argsort(vals)[:_NONSMOOTH_STARTS]
    return [cells[i] for i in order if np.isfinite(vals[i])]


def _refine_nonsmooth(
    law: PartiallyLinearLaw,
    ranked: Sequence[tuple[InnerFit, np.ndarray]],
    zb: Sequence[tuple[float, float]],
    to_z: Callable[[np.ndarray], np.ndarray],
    from_z: Callable[[np.ndarray], np.ndarray],
    max_iter: int,
    solve_at: Callable[[np.ndarray, np.ndarray | None], InnerFit],
) -> tuple[np.ndarray, InnerFit, dict[str, Any]]:
    """Derivative-free refinement of F(z) for kinked objectives (asymmetric MAE).

    F is piecewise smooth with kinks where the inner optimum changes its set of exactly
    fitted points, so gradients do not decide anything. Nelder–Mead (bounded, scipy) runs
    from the best :data:`_NONSMOOTH_STARTS` distinct candidates with a simplex of one
    grid step, then restarts once from its end with a simplex 1000× smaller (the usual
    remedy for a collapsed simplex); the best end point wins. The verdict comes later
    from :func:`~scalinglab.laws.diagnostics.probe_minimum` (:func:`_decide_status`).
    """
    lo = np.array([b[0] for b in zb])
    hi = np.array([b[1] for b in zb])
    steps = np.array([p.step for p in law.nonlinear])
    best_sol, best_phi = ranked[0]
    ref = best_sol.value if best_sol.value > 0 else 1.0

    def f(z: np.ndarray) -> float:
        return solve_at(from_z(np.clip(z, lo, hi)), None).value / ref

    evals, iters, hit_max = 0, 0, False

    def nelder_mead(z: np.ndarray, size: np.ndarray, xatol: float, maxfev: int) -> np.ndarray:
        nonlocal evals, iters, hit_max
        simplex = np.clip(z + np.vstack([np.zeros(z.size), np.diag(size)]), lo, hi)
        res = minimize(
            f, z, method="Nelder-Mead", bounds=list(zb),
            options={"initial_simplex": simplex, "xatol": xatol, "fatol": 1e-15,
                     "maxfev": maxfev},
        )  # fmt: skip
        evals += int(res.nfev)
        iters += int(res.nit)
        hit_max = res.status in (1, 2)
        return np.clip(res.x, lo, hi)

    # basins: a short run from each distinct start; then the best end to full precision
    ends: list[tuple[float, np.ndarray]] = []
    starts: list[np.ndarray] = []
    for _, phi in ranked:
        z0 = to_z(phi)
        if any(np.all(np.abs(z0 - s) <= 0.5 * steps) for s in starts):
            continue
        if len(starts) >= _NONSMOOTH_STARTS:
            break
        starts.append(z0)
        z = nelder_mead(z0, steps, 1e-5, 60 * len(steps) + 100)
        ends.append((f(z), z))
    z = min(ends, key=lambda t: t[0])[1]
    for size in (0.1, 1e-4):  # restarts with fresh simplices: a collapsed one cannot turn
        z = nelder_mead(z, size * steps, 1e-10, max_iter * 2)
    sol = solve_at(from_z(z), None)
    if sol.value < best_sol.value:
        best_sol, best_phi = sol, from_z(z)
    info = {
        "method": "Nelder-Mead on the exact profile",
        "iterations": iters,
        "evaluations": evals,
        "starts": len(starts),
        "optimizer_message": "" if not hit_max else "Nelder-Mead reached its evaluation limit",
        "hit_max_iter": bool(hit_max),
    }
    return best_phi, best_sol, info


def _refine(
    law: PartiallyLinearLaw,
    xs: Mapping[str, np.ndarray],
    y: np.ndarray,
    obj: Objective,
    w: np.ndarray,
    nonneg: np.ndarray,
    phi0: np.ndarray,
    sol0: InnerFit,
    zb: Sequence[tuple[float, float]],
    to_z: Callable[[np.ndarray], np.ndarray],
    from_z: Callable[[np.ndarray], np.ndarray],
    max_iter: int,
    solve_at: Callable[[np.ndarray, np.ndarray | None], InnerFit],
) -> tuple[np.ndarray, InnerFit, dict[str, Any]]:
    """L-BFGS-B on F(z) (z = φ, or log10 φ for log parameters) with the envelope gradient."""
    cache: dict[str, Any] = {"theta": sol0.theta}
    ref = sol0.value if sol0.value > 0 else 1.0
    lo = np.array([b[0] for b in zb])
    hi = np.array([b[1] for b in zb])

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        phi = from_z(np.clip(z, lo, hi))
        s = solve_at(phi, cache["theta"])
        if not np.isfinite(s.value):
            return 1e300, np.zeros_like(z)
        cache["theta"] = s.theta
        g = _envelope_grad(law, xs, phi, s, y, obj, w)
        jac = np.array(
            [phi[k] * math.log(10.0) if p.log else 1.0 for k, p in enumerate(law.nonlinear)]
        )
        return s.value / ref, g * jac / ref

    z0 = to_z(phi0)
    res = minimize(
        fun,
        z0,
        jac=True,
        method="L-BFGS-B",
        bounds=list(zb),
        options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-12, "maxcor": 20},
    )
    z = np.clip(res.x, lo, hi)
    phi = from_z(z)
    sol = solve_at(phi, cache["theta"])
    if not sol.value <= sol0.value:  # never return worse than the start
        phi, sol = phi0, sol0
    info = {
        "iterations": int(res.nit),
        "evaluations": int(res.nfev),
        "optimizer_message": str(res.message),
        "hit_max_iter": bool(res.status == 1),
    }
    return phi, sol, info


def law_status(
    law: PartiallyLinearLaw,
    x: Mapping[str, Any],
    loss: Any,
    params: Mapping[str, float],
    *,
    objective: Objective | None = None,
    weights: Any = None,
    refine_info: Mapping[str, Any] | None = None,
) -> tuple[Status, str, dict[str, Any]]:
    """Status of parameters ``params`` of ``law`` on data, by the engine's rules.

    Used by every fitter of a partially linear law (the engine itself and the
    closed-form Chinchilla instance :func:`scalinglab.laws.varpro.fit_varpro`), so one
    data set gets one verdict whichever fitter produced the optimum.

    Examples
    --------
    >>> import numpy as np
    >>> from scalinglab.laws.catalog import get_law
    >>> x = np.geomspace(1, 100, 8)
    >>> st, msg, _ = law_status(get_law("power"), {"x": x}, np.linspace(2.0, 2.1, 8),
    ...                         {"E": 2.05, "A": 0.0, "alpha": 0.5})
    >>> str(st), msg.split(":")[0]
    ('not_identifiable', 'alpha not identifiable')
    """
    obj = objective if objective is not None else Objective("huber", "raw")
    xs, y, w = _check_inputs(law, x, loss, weights, obj)
    phi = np.array([float(params[p.name]) for p in law.nonlinear])
    theta = np.array([float(params[n]) for n in law.linear])
    B = law.basis(xs, phi[None])[0]
    pred = B @ theta
    sol = InnerFit(theta, _value(obj, w, pred, y), pred, B, 0, True)
    zb = [p.z_bounds() for p in law.nonlinear]

    def to_z(v: np.ndarray) -> np.ndarray:
        return np.array([p.to_z(u) for p, u in zip(law.nonlinear, v, strict=True)])

    return _decide_status(law, xs, y, obj, w, phi, sol, zb, to_z, refine_info)


def _decide_status(
    law: PartiallyLinearLaw,
    xs: Mapping[str, np.ndarray],
    y: np.ndarray,
    obj: Objective,
    w: np.ndarray,
    phi: np.ndarray,
    sol: InnerFit,
    zb: Sequence[tuple[float, float]],
    to_z: Callable[[np.ndarray], np.ndarray],
    refine_info: Mapping[str, Any] | None,
    *,
    assess: bool = True,
) -> tuple[Status, str, dict[str, Any]]:
    """Status by scale-free criteria, combined with :func:`diagnostics.combine`.

    * design: no more distinct input points than parameters, or a constant loss;
    * rank: a zero or (relatively) singular direction of the Jacobian names a parameter
      the data cannot determine (e.g. all points at one D: B·D^(−β) is a constant);
    * vanishing terms: :func:`diagnostics.check_linear_terms`, with each nonlinear
      parameter attributed to the one term whose basis it enters (from ∂B/∂φ);
    * stationarity: :func:`diagnostics.assess_optimum` on the envelope gradient in the
      search coordinates (KKT on the box bounds, relative to the objective).
    """
    diag: dict[str, Any] = {}
    if not np.isfinite(sol.value):
        return Status.FAILED, "no parameter value gives a finite objective", diag
    n_params = law.n_params
    used = w > 0
    rows = np.stack([xs[k][used] for k in law.inputs], axis=1)
    n_distinct = int(np.unique(rows, axis=0).shape[0])
    diag["n_distinct_points"] = n_distinct
    if n_distinct <= n_params:
        return (
            Status.NOT_IDENTIFIABLE,
            f"{n_distinct} distinct input points for {n_params} parameters "
            f"({', '.join(law.param_names)}): the fit interpolates, nothing is estimated",
            diag,
        )
    if np.ptp(y[used]) == 0.0 and law.nonlinear:
        return (
            Status.NOT_IDENTIFIABLE,
            f"the loss is constant ({y[used][0]:g}): nothing determines "
            f"{', '.join(p.name for p in law.nonlinear)}",
            diag,
        )
    verdicts: list[tuple[Status, str]] = []
    clamped = law.nonneg & (sol.theta <= 0.0)
    dB = law.gradient_basis(xs, phi[None])[0]  # (n, p, q)
    depends: dict[str, list[str]] = {}
    for k, par in enumerate(law.nonlinear):
        terms = [j for j in range(len(law.linear)) if np.any(dB[:, j, k] != 0.0)]
        if len(terms) == 1:
            depends.setdefault(law.linear[terms[0]], []).append(par.name)
    # parameters inside a clamped term are reported by check_linear_terms below
    skip = {nm for j, c in enumerate(law.linear) if clamped[j] for nm in depends.get(c, [])}
    why, info = _identifiability(law, xs, phi, sol, w, clamped, skip)
    diag.update(info)
    if why is not None:
        constant = [k for k in law.inputs if np.unique(xs[k][used]).size < 2]
        if constant:
            why += f" (input {', '.join(repr(k) for k in constant)} takes a single value)"
        verdicts.append((Status.NOT_IDENTIFIABLE, why))
    cons = np.nonzero(law.nonneg)[0]
    if cons.size:
        verdicts.append(
            check_linear_terms(
                [law.linear[j] for j in cons], sol.theta[cons], sol.basis[:, cons], y, depends
            )
        )
    # Along a direction the data do not determine, stationarity means nothing: a
    # not-identifiable verdict is final.
    if any(v[0] == Status.NOT_IDENTIFIABLE for v in verdicts):
        assess = False
    if assess and law.nonlinear and not obj.is_smooth:
        verdict = _probe_verdict(law, xs, y, obj, w, phi, zb, to_z)
        diag["probe"] = verdict[1] or "no coordinate or coordinate-pair step lowers the objective"
        if verdict[0] == Status.FAILED and refine_info and refine_info.get("hit_max_iter"):
            verdict = (Status.MAX_ITER, verdict[1] + " (the refinement hit its evaluation limit)")
        verdicts.append(verdict)
    elif assess and law.nonlinear:
        gz = _envelope_grad(law, xs, phi, sol, y, obj, w) * np.array(
            [phi[k] * math.log(10.0) if p.log else 1.0 for k, p in enumerate(law.nonlinear)]
        )
        floor = FLOOR_FRACTION * null_objective(y, obj.rho, obj.residuals)
        verdict = assess_optimum(
            to_z(phi),
            gz,
            sol.value,
            names=[p.name for p in law.nonlinear],
            lower=[b[0] for b in zb],
            upper=[b[1] for b in zb],
            value_floor=floor,
            hit_max_iter=bool(refine_info is not None and refine_info.get("hit_max_iter")),
        )
        diag["stationarity_kappa"] = float(
            np.max(
                stationarity(
                    to_z(phi),
                    gz,
                    sol.value,
                    lower=[b[0] for b in zb],
                    upper=[b[1] for b in zb],
                    value_floor=floor,
                )
            )
        )
        verdicts.append(verdict)
    status, message = combine(*verdicts)
    return status, message, diag


def _probe_verdict(
    law: PartiallyLinearLaw,
    xs: Mapping[str, np.ndarray],
    y: np.ndarray,
    obj: Objective,
    w: np.ndarray,
    phi: np.ndarray,
    zb: Sequence[tuple[float, float]],
    to_z: Callable[[np.ndarray], np.ndarray],
) -> tuple[Status, str]:
    """Verdict on a kinked objective: :func:`~scalinglab.laws.diagnostics.probe_minimum`
    on the exact profile F(z), each search coordinate probed by ±10⁻⁶ of max(|z|, 1)."""
    solve_at = _solver(law, xs, y, obj, w)

    def f(z: np.ndarray) -> float:
        ph = np.array([p.from_z(v) for p, v in zip(law.nonlinear, z, strict=True)])
        return solve_at(ph, None).value

    return probe_minimum(
        f,
        to_z(phi),
        names=[p.name for p in law.nonlinear],
        lower=[b[0] for b in zb],
        upper=[b[1] for b in zb],
    )


# --------------------------------------------------------------------- bootstrap


@dataclass(frozen=True)
class ReplicateFit:
    """The outcome of one bootstrap replicate (plain data, so it crosses processes)."""

    status: Status
    message: str
    params: dict[str, float]
    objective_value: float


_WORKER_LAW: dict[str, PartiallyLinearLaw] = {}


def _set_worker_law(law: PartiallyLinearLaw) -> None:
    _WORKER_LAW["law"] = law


def _boot_block(
    x: Mapping[str, np.ndarray],
    y: np.ndarray,
    counts: np.ndarray,
    obj: Objective,
    start: Mapping[str, float],
    cells: np.ndarray | None,
    sur_w: np.ndarray,
    sur_t: np.ndarray,
    law: PartiallyLinearLaw | None = None,
) -> list[ReplicateFit]:
    """Fit a block of replicates (rows of ``counts``): one batched coarse grid, then refine."""
    law = law if law is not None else _WORKER_LAW["law"]
    out: list[ReplicateFit] = []
    with single_blas_thread():
        best_cells = None
        phi0 = np.array([float(start[p.name]) for p in law.nonlinear])
        if cells is not None:
            with np.errstate(all="ignore"):
                f = grid_profile(law, x, cells, counts * sur_w[None, :], sur_t)
            f = np.where(np.isfinite(f), f, np.inf)
            best_cells = cells[np.argmin(f, axis=1)]
            # a grid optimum next to the full-data optimum is the same basin: no second start
            z0 = np.array([p.to_z(v) for p, v in zip(law.nonlinear, phi0, strict=True)])
            zc = np.stack([p.to_z(best_cells[:, k]) for k, p in enumerate(law.nonlinear)], 1)
            span = np.array([np.ptp(p.to_z(np.unique(cells[:, k]))) / max(1, np.unique(
                cells[:, k]).size - 1) for k, p in enumerate(law.nonlinear)])  # fmt: skip
            same = np.all(np.abs(zc - z0) <= 1.5 * span, axis=1)
            best_cells[same] = phi0
        theta0 = inner_fit(law.basis(x, phi0[None])[0], y, obj, np.ones_like(y), law.nonneg).theta
        for r in range(counts.shape[0]):
            try:
                out.append(_fit_replicate(law, x, y, obj, counts[r], phi0, theta0, best_cells, r))
            except (InputError, np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
                out.append(ReplicateFit(Status.FAILED, f"error: {exc}", {}, math.nan))
    return out


def _fit_replicate(
    law: PartiallyLinearLaw,
    x: Mapping[str, np.ndarray],
    y: np.ndarray,
    obj: Objective,
    w: np.ndarray,
    phi0: np.ndarray,
    theta0: np.ndarray,
    best_cells: np.ndarray | None,
    r: int,
) -> ReplicateFit:
    """One replicate: best start, joint L-BFGS-B, exact inner polish, status; the full
    variable-projection refinement only when that point is not stationary."""
    nonneg = law.nonneg
    starts = [phi0]
    B0 = law.basis(x, phi0[None])[0]
    best = InnerFit(theta0, _value(obj, w, B0 @ theta0, y), B0 @ theta0, B0, 0, False)
    best_phi = phi0
    if best_cells is not None and not np.array_equal(best_cells[r], phi0):
        starts.append(best_cells[r])
        sol = inner_fit(law.basis(x, best_cells[r][None])[0], y, obj, w, nonneg, theta0)
        if sol.value < best.value:
            best, best_phi = sol, best_cells[r]
    zb = [p.z_bounds() for p in law.nonlinear]

    def to_z(v: np.ndarray) -> np.ndarray:
        return np.array([p.to_z(u) for p, u in zip(law.nonlinear, v, strict=True)])

    status = Status.FAILED  # kinked objectives: always the exact, derivative-free path
    if obj.is_smooth:
        phi, sol = _joint_refine(law, x, y, obj, w, best, best_phi, zb)
        status, message, _ = _decide_status(law, x, y, obj, w, phi, sol, zb, to_z, None)
    if status in (Status.FAILED, Status.MAX_ITER):  # not stationary: the careful path
        fit = fit_partially_linear(
            law,
            x,
            y,
            objective=obj,
            weights=w,
            start=[{p.name: v for p, v in zip(law.nonlinear, st, strict=True)} for st in starts],
            grid=False,
        )
        return ReplicateFit(fit.status, fit.message, fit.params, fit.objective_value)
    params = {n: float(v) for n, v in zip(law.linear, sol.theta, strict=True)}
    params.update({p.name: float(v) for p, v in zip(law.nonlinear, phi, strict=True)})
    return ReplicateFit(status, message, params, float(sol.value))


def _joint_refine(
    law: PartiallyLinearLaw,
    x: Mapping[str, np.ndarray],
    y: np.ndarray,
    obj: Objective,
    w: np.ndarray,
    start: InnerFit,
    phi0: np.ndarray,
    zb: Sequence[tuple[float, float]],
) -> tuple[np.ndarray, InnerFit]:
    """L-BFGS-B on (θ, z) together from a good start, then the exact inner solve at φ.

    Near an optimum that is already close (a bootstrap replicate started at the
    full-data fit) one joint quasi-Newton run costs one O(n) evaluation per step,
    against a nested inner solve per step for the projected problem.
    """
    p = len(law.linear)
    theta0 = start.theta
    wn = w / np.sum(w)
    logs = np.array([par.log for par in law.nonlinear])
    ly = np.log(y)
    th_scale = np.maximum(np.abs(theta0), 1e-12 * max(1.0, float(np.max(np.abs(theta0)))))
    lo_th = np.where(law.nonneg, 0.0, -np.inf)

    def split(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = v[p:]
        return v[:p] * th_scale, np.where(logs, 10.0**z, z)

    f0 = max(start.value, 1e-300)

    def fg(v: np.ndarray) -> tuple[float, np.ndarray]:
        theta, phi = split(v)
        B = law.basis(x, phi[None])[0]
        pred = B @ theta
        if obj.space == "log":
            if np.any(pred <= 0):
                return 1e300, np.zeros_like(v)
            r = np.log(pred) - ly
        else:
            r = pred - y
        val = float(wn @ obj.rho(r))
        d = wn * obj.psi(r)
        if obj.space == "log":
            d = d / pred
        dB = law.gradient_basis(x, phi[None])[0]
        g_th = (B.T @ d) * th_scale
        g_phi = np.einsum("npq,p,n->q", dB, theta, d)
        g_phi = np.where(logs, g_phi * phi * math.log(10.0), g_phi)
        return val / f0, np.concatenate([g_th, g_phi]) / f0

    v0 = np.concatenate(
        [theta0 / th_scale, [par.to_z(u) for par, u in zip(law.nonlinear, phi0, strict=True)]]
    )
    bounds = [
        (lo / sc if np.isfinite(lo) else None, None) for lo, sc in zip(lo_th, th_scale, strict=True)
    ]
    bounds += list(zb)
    res = minimize(
        fg,
        v0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-12, "maxcor": 20},
    )
    theta, phi = split(res.x)
    phi = np.clip(phi, [par.lo for par in law.nonlinear], [par.hi for par in law.nonlinear])
    sol = inner_fit(law.basis(x, phi[None])[0], y, obj, w, law.nonneg, np.maximum(theta, lo_th))
    return phi, sol


def bootstrap_partially_linear(
    law: PartiallyLinearLaw,
    x: Mapping[str, Any],
    loss: Any,
    counts: np.ndarray,
    start: Mapping[str, float],
    *,
    objective: Objective | None = None,
    coarse_steps: Mapping[str, float] | None = None,
    block: int = 64,
    workers: int = 1,
    progress: ProgressFn | None = None,
) -> list[ReplicateFit]:
    """Refit many bootstrap replicates given as count weights, fast.

    Parameters
    ----------
    law, x, loss, objective
        As in :func:`fit_partially_linear`.
    counts : ndarray, shape (R, n)
        How often each point is drawn in each replicate (``np.bincount`` of the
        resampled indices); a replicate's objective ``Σ c_i ρ(r_i) / Σ c_i`` is that of
        the resampled rows.
    start : mapping
        The full-data optimum (nonlinear parameters): every replicate starts from it.
    coarse_steps : mapping, optional
        Steps of the coarse grid searched for a better basin per replicate (default:
        5× each parameter's own step). The grid stage of a block of replicates is one
        batched computation (:func:`grid_profile` with R weight rows), using the
        IRLS / Gauss–Newton surrogate of the full-data fit.
    block : int
        Replicates per task.
    workers : int
        Processes (1: in this process). Uses the ``fork`` start method, so laws defined
        interactively work without pickling.
    progress : callable, optional
        ``progress(done, total)`` in replicates.

    Returns
    -------
    list of ReplicateFit
        One per replicate, in order; failures are ``Status.FAILED`` entries, never dropped.

    Examples
    --------
    >>> import numpy as np
    >>> from scalinglab.laws.catalog import get_law
    >>> x = np.geomspace(1, 1e3, 20); y = (1 + 2 * x**-0.5) * (1 + 0.01 * np.sin(x))
    >>> counts = np.random.default_rng(0).multinomial(20, np.full(20, 0.05), size=3)
    >>> reps = bootstrap_partially_linear(get_law("power"), {"x": x}, y, counts,
    ...                                   {"alpha": 0.5}, objective=Objective("mse", "raw"))
    >>> [str(r.status) for r in reps]
    ['converged', 'converged', 'converged']
    """
    obj = objective if objective is not None else Objective("huber", "raw")
    counts = np.asarray(counts, dtype=float)
    xs, y, _ = _check_inputs(law, x, loss, None, obj)
    if counts.ndim != 2 or counts.shape[1] != y.size:
        raise InputError(f"counts must have shape (R, {y.size}); got {counts.shape}.")
    workers = check_int(workers, "workers", "bootstrap_partially_linear", low=1)
    block = check_int(block, "block", "bootstrap_partially_linear", low=1)
    steps = dict(coarse_steps or {p.name: 5 * p.step for p in law.nonlinear})
    cells = _grid_cells(law, steps) if law.nonlinear else None
    full = law.basis(xs, np.array([[float(start[p.name]) for p in law.nonlinear]]))[0]
    sol = inner_fit(full, y, obj, np.ones_like(y), law.nonneg)
    sur_w, sur_t = _surrogate(obj, np.ones_like(y), sol.pred, y)
    R = counts.shape[0]
    chunks = [counts[i : i + block] for i in range(0, R, block)]
    results: list[list[ReplicateFit]] = [[] for _ in chunks]
    done = 0
    if workers == 1 or len(chunks) == 1:
        for i, ch in enumerate(chunks):
            results[i] = _boot_block(xs, y, ch, obj, start, cells, sur_w, sur_t, law)
            done += ch.shape[0]
            if progress is not None:
                progress(done, R)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_set_worker_law, initargs=(law,)
        ) as pool:
            futs = {
                pool.submit(_boot_block, xs, y, ch, obj, start, cells, sur_w, sur_t): i
                for i, ch in enumerate(chunks)
            }
            for fut in as_completed(futs):
                i = futs[fut]
                results[i] = fut.result()
                done += chunks[i].shape[0]
                if progress is not None:
                    progress(done, R)
    return [r for chunk in results for r in chunk]


# --------------------------------------------------------------------- not partially linear


@dataclass(frozen=True)
class NonlinearLaw:
    """A law with no linear coefficients to project out: every parameter is searched.

    Parameters
    ----------
    name, inputs, equation, reference
        As in :class:`PartiallyLinearLaw`.
    nonlinear : tuple of NonlinearParam
        All parameters, with bounds and the steps of the start grid.
    predict_batch : callable
        ``predict_batch(x, P) -> L̂`` with P of shape (G, q) and L̂ of shape (G, n).

    The fit (:func:`fit_nonlinear`) evaluates the objective on the grid of ``nonlinear``,
    starts L-BFGS-B from the best cells (multistart) with central-difference gradients of
    ``predict_batch`` (one batched call per gradient), and decides the status with the
    same rules as the partially linear engine.

    Examples
    --------
    >>> get_nonlinear_law = __import__("scalinglab.laws.catalog", fromlist=["get_law"]).get_law
    >>> get_nonlinear_law("kaplan").param_names
    ('alpha_N', 'alpha_D', 'N_c', 'D_c')
    """

    name: str
    inputs: tuple[str, ...]
    nonlinear: tuple[NonlinearParam, ...]
    predict_batch: Callable[[Mapping[str, np.ndarray], np.ndarray], np.ndarray]
    equation: str = ""
    reference: str = ""
    linear: tuple[str, ...] = ()
    signed: tuple[str, ...] = ()

    @property
    def n_params(self) -> int:
        return len(self.nonlinear)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.nonlinear)

    def predict(self, params: Mapping[str, float], x: Mapping[str, np.ndarray]) -> np.ndarray:
        """The law at inputs ``x``."""
        P = np.array([[float(params[p.name]) for p in self.nonlinear]])
        xs = {k: np.atleast_1d(np.asarray(x[k], dtype=float)) for k in self.inputs}
        return self.predict_batch(xs, P)[0]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "equation": self.equation,
            "reference": self.reference,
            "inputs": list(self.inputs),
            "linear": [],
            "signed": [],
            "nonlinear": [
                {"name": p.name, "lo": p.lo, "hi": p.hi, "step": p.step, "log": p.log}
                for p in self.nonlinear
            ],
            "partially_linear": False,
        }


def fit_nonlinear(
    law: NonlinearLaw,
    x: Mapping[str, Any],
    loss: Any,
    *,
    objective: Objective | None = None,
    weights: Any = None,
    grid_steps: Mapping[str, float] | None = None,
    n_starts: int = 8,
    max_iter: int = 3000,
    progress: ProgressFn | None = None,
) -> PartiallyLinearFit:
    """Multistart fit of a law that is not partially linear (same statuses as the engine).

    Parameters
    ----------
    law : NonlinearLaw
    x, loss, objective, weights, grid_steps, progress
        As in :func:`fit_partially_linear`.
    n_starts : int
        L-BFGS-B runs, from the best grid cells.
    max_iter : int
        Iteration cap of each run.

    Returns
    -------
    PartiallyLinearFit
        ``details["starts"]`` records how many starts reached the best objective.

    Examples
    --------
    >>> import numpy as np
    >>> from scalinglab.laws.catalog import get_law
    >>> law = get_law("kaplan")
    >>> N, D = (m.ravel() for m in np.meshgrid(np.geomspace(1e6, 1e10, 6),
    ...                                         np.geomspace(1e8, 1e11, 6)))
    >>> truth = {"alpha_N": 0.076, "alpha_D": 0.095, "N_c": 8.8e13, "D_c": 5.4e13}
    >>> y = law.predict(truth, {"N": N, "D": D})
    >>> steps = {"alpha_N": 0.04, "alpha_D": 0.04, "N_c": 1.0, "D_c": 1.0}  # coarse grid
    >>> fit = fit_nonlinear(law, {"N": N, "D": D}, y, objective=Objective("mse", "log"),
    ...                     grid_steps=steps, n_starts=2)
    >>> str(fit.status), round(fit.params["alpha_N"], 5), round(fit.params["alpha_D"], 5)
    ('converged', 0.076, 0.095)
    """
    obj = objective if objective is not None else Objective("huber", "raw")
    n_starts = check_int(n_starts, "n_starts", "fit_nonlinear", low=1)
    xs, y, w = _check_inputs(law, x, loss, weights, obj)  # type: ignore[arg-type]
    cells = _grid_cells(law, grid_steps)  # type: ignore[arg-type]
    prob = _NonlinearProblem(law, xs, y, w, obj)
    n_distinct, design = _nonlinear_design(law, xs, y, w)
    if design is not None:  # degenerate designs never reach the optimiser
        nan_params = {p.name: math.nan for p in law.nonlinear}
        return PartiallyLinearFit(
            law, nan_params, obj, math.nan, int(y.size), Status.NOT_IDENTIFIABLE,  # type: ignore[arg-type]
            design + ": nothing is estimated", {"n_distinct_points": n_distinct},
        )  # fmt: skip
    with single_blas_thread():
        f = prob.values(cells)
        if progress is not None:
            progress(1, 2)
        order = np.argsort(f)[: min(n_starts, int(np.sum(np.isfinite(f))))]
        if order.size == 0:
            nan_params = {p.name: math.nan for p in law.nonlinear}
            return PartiallyLinearFit(
                law, nan_params, obj, math.inf, int(y.size), Status.FAILED,  # type: ignore[arg-type]
                "no grid cell gives a finite objective", {},
            )  # fmt: skip
        ref = max(float(f[order[0]]), 1e-300)
        runs = [prob.run(prob.to_z(cells[i]), ref, max_iter) for i in order]
        if progress is not None:
            progress(2, 2)
    runs.sort(key=lambda t: t[0])
    best_val, z, hit_max = runs[0]
    reached = sum(1 for v, _, _ in runs if v <= best_val * (1 + 1e-8) + 1e-300)
    params = {p.name: float(v) for p, v in zip(law.nonlinear, prob.from_z(z), strict=True)}
    details: dict[str, Any] = {
        "grid": {"cells": int(cells.shape[0])},
        "starts": {"n": len(runs), "reached_best": reached},
        "n_distinct_points": n_distinct,
    }
    status, message = combine(prob.verdict(z, best_val, hit_max))
    return PartiallyLinearFit(
        law,
        params,
        obj,
        best_val,
        int(y.size),
        status,
        message,
        details,  # type: ignore[arg-type]
    )


def _nonlinear_design(
    law: NonlinearLaw, xs: Mapping[str, np.ndarray], y: np.ndarray, w: np.ndarray
) -> tuple[int, str | None]:
    """Distinct input points, and why the design cannot be fitted (or None)."""
    rows_x = np.stack([xs[k][w > 0] for k in law.inputs], axis=1)
    n_distinct = int(np.unique(rows_x, axis=0).shape[0])
    if n_distinct <= len(law.nonlinear):
        return n_distinct, f"{n_distinct} distinct input points for {len(law.nonlinear)} parameters"
    if np.ptp(y[w > 0]) == 0.0:
        return n_distinct, "the loss is constant"
    return n_distinct, None


class _NonlinearProblem:
    """Objective, gradient, local runs and verdict of :func:`fit_nonlinear` in search
    coordinates z (log10 for ``log`` parameters)."""

    def __init__(
        self,
        law: NonlinearLaw,
        xs: Mapping[str, np.ndarray],
        y: np.ndarray,
        w: np.ndarray,
        obj: Objective,
    ) -> None:
        self.law, self.xs, self.y, self.w, self.obj = law, xs, y, w, obj
        self.wn = w / np.sum(w)
        self.q = len(law.nonlinear)
        self.rows = max(1, _CHUNK_ELEMENTS // max(1, y.size))
        self.lo = np.array([p.z_bounds()[0] for p in law.nonlinear])
        self.hi = np.array([p.z_bounds()[1] for p in law.nonlinear])

    def from_z(self, z: np.ndarray) -> np.ndarray:
        return np.array([p.from_z(v) for p, v in zip(self.law.nonlinear, z, strict=True)])

    def to_z(self, v: np.ndarray) -> np.ndarray:
        return np.array([p.to_z(u) for p, u in zip(self.law.nonlinear, v, strict=True)])

    def values(self, P: np.ndarray) -> np.ndarray:
        """Objective at parameter rows P (+inf where not finite)."""
        obj, y = self.obj, self.y
        out = np.empty(P.shape[0])
        for s in range(0, P.shape[0], self.rows):
            with np.errstate(all="ignore"):
                pred = self.law.predict_batch(self.xs, P[s : s + self.rows])
                if obj.space == "log":
                    bad = ~np.all(pred > 0, axis=1)
                    r = np.log(np.where(pred > 0, pred, 1.0)) - np.log(y)
                else:
                    bad = np.zeros(pred.shape[0], dtype=bool)
                    r = pred - y
                v = obj.rho(r) @ self.wn
            out[s : s + self.rows] = np.where(bad | ~np.isfinite(v), np.inf, v)
        return out

    def value_z(self, z: np.ndarray) -> float:
        return float(self.values(self.from_z(np.clip(z, self.lo, self.hi))[None])[0])

    def _shifted(self, z: np.ndarray, h: np.ndarray, centre: bool) -> np.ndarray:
        q = self.q
        Z = np.repeat(z[None], 2 * q + int(centre), axis=0)
        Z[np.arange(q), np.arange(q)] += h
        Z[q + np.arange(q), np.arange(q)] -= h
        with np.errstate(all="ignore"):
            return self.law.predict_batch(self.xs, np.array([self.from_z(zz) for zz in Z]))

    def grad_z(self, z: np.ndarray) -> np.ndarray:
        """Σ w ψ(r) ∂r/∂z / Σ w with ∂r/∂z by central differences of the predictions
        (one batched call): accurate where the residuals are small, unlike differences
        of the objective itself."""
        q = self.q
        h = 1e-6 * np.maximum(1.0, np.abs(z))
        pred = self._shifted(z, h, centre=True)
        with np.errstate(all="ignore"):
            r = self.obj.residuals(pred, self.y[None, :])
            dr = (r[:q] - r[q : 2 * q]) / (2 * h[:, None])
            g = dr @ (self.wn * self.obj.psi(r[-1]))
        return np.where(np.isfinite(g), g, 0.0)

    def run(self, z0: np.ndarray, ref: float, max_iter: int) -> tuple[float, np.ndarray, bool]:
        """One local run from z0: (objective, end point, stopped on its iteration cap).

        Trust-region least squares for mse (and Huber with equal weights), Nelder–Mead
        for the kinked asymmetric MAE (gradients decide nothing there), else L-BFGS-B.
        """
        obj, lo, hi = self.obj, self.lo, self.hi
        bounds = list(zip(lo, hi, strict=True))
        if not obj.is_smooth:
            size = np.array([p.step for p in self.law.nonlinear])
            z, val, hit = z0, self.value_z(z0), False
            for k in range(_NM_RESTARTS):  # restarts with fresh simplices until no gain
                scale = 10.0 ** -(k % 4)
                simplex = np.clip(z + np.vstack([np.zeros(z.size), np.diag(scale * size)]), lo, hi)
                res = minimize(
                    lambda v: self.value_z(v) / ref, z, method="Nelder-Mead", bounds=bounds,
                    options={"initial_simplex": simplex, "xatol": 1e-10, "fatol": 1e-15,
                             "maxfev": max_iter},
                )  # fmt: skip
                z_new = np.clip(res.x, lo, hi)
                new_val = self.value_z(z_new)
                hit = res.status in (1, 2)
                gain = val - new_val
                if new_val <= val:
                    z, val = z_new, new_val
                if k >= 1 and not gain > 1e-12 * abs(val):
                    break
            return val, z, hit
        equal_w = bool(np.all(self.w == self.w[0]))
        if obj.kind == "mse" or (obj.kind == "huber" and equal_w):
            sw = np.sqrt(self.wn)

            def resid(z: np.ndarray) -> np.ndarray:
                with np.errstate(all="ignore"):
                    pred = self.law.predict_batch(self.xs, self.from_z(z)[None])[0]
                    r = obj.residuals(pred, self.y)
                return np.where(np.isfinite(r), r, 1e150) * sw

            # trust-region least squares: Gauss-Newton accuracy at the optimum
            res = least_squares(
                resid, z0, bounds=(lo, hi), jac="3-point", xtol=1e-15, ftol=1e-15,
                gtol=1e-15, max_nfev=max_iter,
                loss="linear" if obj.kind == "mse" else "huber",
                f_scale=1.0 if obj.kind == "mse" else obj.delta * float(sw[0]),
            )  # fmt: skip
            z = np.clip(res.x, lo, hi)
            return self.value_z(z), z, res.status == 0  # 0: max_nfev
        res = minimize(
            lambda z: (self.value_z(z) / ref, self.grad_z(np.clip(z, lo, hi)) / ref),
            z0, jac=True, method="L-BFGS-B", bounds=bounds,
            options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-12},
        )  # fmt: skip
        z = np.clip(res.x, lo, hi)
        return self.value_z(z), z, res.status == 1

    def verdict(self, z: np.ndarray, best_val: float, hit_max: bool) -> tuple[Status, str]:
        """Jacobian rank (identifiability), then stationarity: the scale-free gradient test,
        or coordinate probes (:func:`~scalinglab.laws.diagnostics.probe_minimum`) for a
        kinked objective."""
        law, q = self.law, self.q
        h = 1e-6 * np.maximum(1.0, np.abs(z))
        pred = self._shifted(z, h, centre=False)
        J = ((pred[:q] - pred[q:]) / (2 * h[:, None])).T * np.sqrt(self.w)[:, None]
        norms = np.linalg.norm(J, axis=0)
        if not np.all(norms > 0):
            k = int(np.argmin(norms))
            return Status.NOT_IDENTIFIABLE, f"{law.nonlinear[k].name} has no effect"
        s, vt = np.linalg.svd(J / norms)[1:]
        if s[-1] / s[0] < _RANK_TOL:
            k = int(np.argmax(np.abs(vt[-1])))
            return (
                Status.NOT_IDENTIFIABLE,
                f"{law.nonlinear[k].name} is not identifiable (Jacobian singular "
                f"value ratio {s[-1] / s[0]:.1e})",
            )
        names = list(law.param_names)
        if not self.obj.is_smooth:
            verdict = probe_minimum(self.value_z, z, names=names, lower=self.lo, upper=self.hi)
            if hit_max and verdict[0] == Status.FAILED:
                return Status.MAX_ITER, verdict[1]
            return verdict
        floor = FLOOR_FRACTION * null_objective(self.y, self.obj.rho, self.obj.residuals)
        return assess_optimum(
            z, self.grad_z(z), best_val, names=names, lower=self.lo, upper=self.hi,
            value_floor=floor, hit_max_iter=hit_max,
        )  # fmt: skip
