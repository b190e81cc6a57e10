"""Approach 3 of Hoffmann et al. (2022): fit all five parameters of the surface at once.

The protocol of their §3.3 and Appendix D.2: parameterise the surface through
log-sum-exp,

    log L̂(N, D) = LSE(a − α·log N,  b − β·log D,  e),    A = eᵃ, B = eᵇ, E = eᵉ,

minimise the Huber loss (δ = 10⁻³) of ``log L̂ − log L`` with L-BFGS from a grid of
initialisations, and keep the best run. This module follows that recipe (in internal
units N/N0, D/D0 for conditioning: ``a' = a − α·log N0``, an exact
reparameterisation) and reports the best start and how many starts reached the best
objective.

Starts. ``starts="hoffmann"`` is the paper's grid (α, β ∈ {0, 0.5, …, 2},
e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25}: 4500 starts, in input units). The default
``"profiled"`` uses the structure of the problem instead: a 5×5 grid of (α, β) whose
(E, A, B) are the exact weighted NNLS solution at that (α, β), plus the variable-
projection optimum of the same objective (``seed_from_varpro``), so a few dozen runs
suffice.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from scalinglab._types import Status
from scalinglab._validation import InputError, check_choice, check_int
from scalinglab.laws._threads import single_blas_thread
from scalinglab.laws.diagnostics import (
    FLOOR_FRACTION,
    assess_optimum,
    check_chinchilla,
    combine,
    null_objective,
    numerical_hessian,
    probe_minimum,
    stationarity,
)
from scalinglab.laws.io import ScalingData
from scalinglab.laws.nnls3 import Gram3, solve_nnls3
from scalinglab.laws.objectives import Objective
from scalinglab.laws.results import SurfaceFit
from scalinglab.laws.varpro import ScaledProblem, fit_varpro

__all__ = [
    "HOFFMANN_INIT_GRID",
    "PROFILED_EXPONENTS",
    "StartResult",
    "fit_approach3",
    "hoffmann_starts",
    "lse_objective",
]

#: Grid of initialisations of Hoffmann et al. (2022), Appendix D.2 (input units).
HOFFMANN_INIT_GRID = {
    "e": (-1.0, -0.5, 0.0, 0.5, 1.0),
    "a": (0.0, 5.0, 10.0, 15.0, 20.0, 25.0),
    "b": (0.0, 5.0, 10.0, 15.0, 20.0, 25.0),
    "alpha": (0.0, 0.5, 1.0, 1.5, 2.0),
    "beta": (0.0, 0.5, 1.0, 1.5, 2.0),
}
#: Exponents of the default profiled starts (a 5×5 grid).
PROFILED_EXPONENTS = (0.1, 0.3, 0.5, 0.7, 0.9)
_N_PARAMS = 5
#: Starts whose objective is within this relative distance of the best "reached" it.
REACH_RTOL = 1e-6


@dataclass(frozen=True)
class StartResult:
    """One L-BFGS run: its start and end in internal log-parameters (e, a', b', α, β)."""

    start: np.ndarray
    end: np.ndarray
    value: float
    success: bool
    status: int
    message: str
    iterations: int
    grad_norm: float


def lse_objective(
    p: np.ndarray,
    lx: np.ndarray,
    ly: np.ndarray,
    loss: np.ndarray,
    obj: Objective,
    w: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """Objective ``Σ w_i ρ(r_i) / Σ w_i`` of the log-sum-exp surface and its exact gradient.

    ``p = (e, a, b, α, β)``; ``log L̂_i = LSE(e, a − α·lx_i, b − β·ly_i)``. With softmax
    weights s_j of the three terms, ∂log L̂/∂(e, a, b) = s and ∂log L̂/∂α = −s_A·lx.
    ``w`` are point weights (None: all 1). For ``asymmetric-mae`` the gradient is a
    subgradient.

    Examples
    --------
    >>> import numpy as np
    >>> lx, ly = np.log([1.0, 2.0, 4.0]), np.log([4.0, 2.0, 1.0])
    >>> p = np.array([np.log(2.0), 0.0, 0.0, 0.5, 0.5])     # L = 2 + N^-0.5 + D^-0.5
    >>> loss = 2.0 + np.exp(-0.5 * lx) + np.exp(-0.5 * ly)
    >>> f, g = lse_objective(p, lx, ly, loss, Objective("mse", "log"))
    >>> f, bool(np.all(np.abs(g) < 1e-15))
    (0.0, True)
    """
    e, a, b, al, be = p
    z1 = a - al * lx
    z2 = b - be * ly
    m = np.maximum(np.maximum(z1, z2), e)
    s0 = np.exp(e - m)
    s1 = np.exp(z1 - m)
    s2 = np.exp(z2 - m)
    tot = s0 + s1 + s2
    lse = m + np.log(tot)
    if obj.space == "log":
        r = lse - np.log(loss)
        dr = obj.psi(r) / tot
    else:
        pred = np.exp(lse)
        r = pred - loss
        dr = obj.psi(r) * pred / tot
    n = loss.size
    rho = obj.rho(r)
    if w is not None:
        n = float(np.sum(w))
        dr = dr * w
        rho = rho * w
    g = np.array(
        [
            np.sum(dr * s0),
            np.sum(dr * s1),
            np.sum(dr * s2),
            -np.dot(dr * s1, lx),
            -np.dot(dr * s2, ly),
        ]
    )
    return float(np.sum(rho) / n), g / n


def hoffmann_starts(prob: ScaledProblem) -> np.ndarray:
    """The 4500 starts of Hoffmann et al. (2022), App. D.2, in internal units."""
    rows = np.array(
        list(
            itertools.product(
                HOFFMANN_INIT_GRID["e"],
                HOFFMANN_INIT_GRID["a"],
                HOFFMANN_INIT_GRID["b"],
                HOFFMANN_INIT_GRID["alpha"],
                HOFFMANN_INIT_GRID["beta"],
            )
        )
    )
    return _to_internal(rows, prob)


def _to_internal(rows: np.ndarray, prob: ScaledProblem) -> np.ndarray:
    """(e, a, b, α, β) in input units -> internal: a' = a − α·log N0, b' = b − β·log D0."""
    out = np.array(rows, dtype=float, copy=True)
    out[:, 1] -= out[:, 3] * np.log(prob.N0)
    out[:, 2] -= out[:, 4] * np.log(prob.D0)
    return out


def _profiled_starts(
    prob: ScaledProblem, obj: Objective, exponents: tuple[float, ...]
) -> np.ndarray:
    """(α, β) grid with (E, A', B') from the weighted NNLS at each point (one batched solve).

    The weights are those of the first surrogate of the objective (1/L² in log space).
    """
    ex = np.asarray(exponents, dtype=float)
    U = np.exp(-np.outer(ex, prob.lx))
    V = np.exp(-np.outer(ex, prob.ly))
    loss = prob.loss
    w = 1.0 / loss**2 if obj.space == "log" else np.ones_like(loss)
    wt = w * loss
    g = Gram3(
        g00=np.sum(w),
        g01=(U @ w)[:, None],
        g02=(V @ w)[None, :],
        g11=((U * U) @ w)[:, None],
        g12=(U * w) @ V.T,
        g22=((V * V) @ w)[None, :],
        h0=np.sum(wt),
        h1=(U @ wt)[:, None],
        h2=(V @ wt)[None, :],
        c=np.dot(wt, loss),
    )
    theta = solve_nnls3(g).theta
    assert theta is not None
    floor = 1e-3 * float(np.min(loss))  # log-parameters need positive E, A, B
    th = np.maximum(theta, floor).reshape(-1, 3)
    ai, bi = np.meshgrid(ex, ex, indexing="ij")
    return np.column_stack([np.log(th), ai.ravel(), bi.ravel()])


def _run(
    start: np.ndarray,
    prob: ScaledProblem,
    obj: Objective,
    max_iter: int,
    w: np.ndarray | None = None,
) -> StartResult:
    scale = obj.scale**2

    def fun(p: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = lse_objective(p, prob.lx, prob.ly, prob.loss, obj, w)
        return f / scale, g / scale

    with np.errstate(over="ignore", invalid="ignore"):
        res = minimize(
            fun,
            start,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 20},
        )
        value, grad = lse_objective(res.x, prob.lx, prob.ly, prob.loss, obj, w)
    return StartResult(
        start=np.asarray(start, dtype=float),
        end=np.asarray(res.x, dtype=float),
        value=value if np.isfinite(value) else np.inf,
        success=bool(res.success),
        status=int(res.status),
        message=str(res.message),
        iterations=int(res.nit),
        grad_norm=float(np.max(np.abs(grad / scale))) if np.all(np.isfinite(grad)) else np.inf,
    )


def fit_approach3(
    data: ScalingData,
    *,
    objective: Objective | None = None,
    starts: str | np.ndarray = "profiled",
    seed_from_varpro: bool = True,
    max_iter: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> SurfaceFit:
    """Fit the Chinchilla surface by the Hoffmann et al. (2022) Approach 3 protocol.

    Parameters
    ----------
    data : ScalingData
        Runs (at least 5).
    objective : Objective, optional
        Default: Huber, δ = 10⁻³, on log loss (Hoffmann et al. 2022, §3.3).
    starts : {"profiled", "hoffmann"} or ndarray
        Grid of initialisations (see the module docstring); an array gives starts as rows
        (e, a, b, α, β) in input units, ``A = exp(a)`` etc.
    seed_from_varpro : bool
        Add the variable-projection optimum of the same objective as a start.
    max_iter : int
        L-BFGS iteration cap per start.
    progress : callable, optional
        ``progress(done, total)`` after each start.

    Returns
    -------
    SurfaceFit
        ``details`` holds ``n_starts``, ``n_reached_best``, ``best_start`` and the
        iteration counts.
    """
    obj = objective if objective is not None else Objective("huber", "log")
    max_iter = check_int(max_iter, "max_iter", "fit_approach3", low=1)
    if data.n_points < _N_PARAMS:
        raise InputError(
            f"approach3 fits {_N_PARAMS} parameters and needs at least {_N_PARAMS} points; "
            f"{data.source} has {data.n_points}."
        )
    prob = ScaledProblem.from_data(data)
    weight = getattr(data, "weight", None)
    w = None if weight is None else np.asarray(weight, dtype=float) / float(np.mean(weight))
    kinds: list[str] = []
    if isinstance(starts, str):
        check_choice(starts, "starts", "fit_approach3", ("profiled", "hoffmann"))
        grid = (
            hoffmann_starts(prob)
            if starts == "hoffmann"
            else _profiled_starts(prob, obj, PROFILED_EXPONENTS)
        )
        kinds = [starts] * len(grid)
    else:
        arr = np.atleast_2d(np.asarray(starts, dtype=float))
        if arr.shape[1] != _N_PARAMS or not np.all(np.isfinite(arr)):
            raise InputError("starts must be finite rows (e, a, b, alpha, beta).")
        grid = _to_internal(arr, prob)
        kinds = ["given"] * len(grid)
    varpro_fit = None
    if seed_from_varpro:
        varpro_fit = fit_varpro(data, objective=obj, grid_step=0.01)
        s = varpro_fit.surface
        floor = 1e-3 * float(np.min(prob.loss))
        seed = np.array(
            [
                np.log(max(s.E, floor)),
                np.log(max(s.A * prob.N0 ** (-s.alpha), floor)),
                np.log(max(s.B * prob.D0 ** (-s.beta), floor)),
                s.alpha,
                s.beta,
            ]
        )
        grid = np.vstack([seed[None, :], grid])
        kinds = ["varpro", *kinds]
    runs: list[StartResult] = []
    with single_blas_thread():
        for i, start in enumerate(grid):
            runs.append(_run(start, prob, obj, max_iter, w))
            if progress is not None:
                progress(i + 1, len(grid))
    values = np.array([r.value for r in runs])
    best_i = int(np.argmin(values))
    best = runs[best_i]
    tol = REACH_RTOL * abs(best.value) + 1e-12 * obj.scale**2
    n_reached = int(np.sum(values <= best.value + tol))
    e, a, b, al, be = best.end
    surface = prob.surface(np.exp([e, a, b]), al, be)
    polish = None
    if not obj.is_smooth:
        polish = _polish_nonsmooth(best, prob, obj, w)
        if polish["value"] < best.value:
            surface = polish["surface"]
        status, message = polish["verdict"]
        status, message = combine(
            (status, message), check_chinchilla(surface, _as_data(prob, surface))
        )
    else:
        status, message = _status(best, surface, prob, obj, w)
    start_in = best.start.copy()
    start_in[1] += start_in[3] * np.log(prob.N0)
    start_in[2] += start_in[4] * np.log(prob.D0)
    details = {
        "n_starts": len(runs),
        "n_reached_best": n_reached,
        "best_start": {
            "index": best_i,
            "kind": kinds[best_i],
            "e": float(start_in[0]),
            "a": float(start_in[1]),
            "b": float(start_in[2]),
            "alpha": float(start_in[3]),
            "beta": float(start_in[4]),
        },
        "iterations_best": best.iterations,
        "iterations_total": int(sum(r.iterations for r in runs)),
        "optimizer_message": best.message,
        "gradient_max": best.grad_norm,
        "stationarity_max": _kappa_max(best, prob, obj, w) if obj.is_smooth else None,
        "newton_decrement": _decrement(best, prob, obj, w) if obj.is_smooth else None,
        "polish": None if polish is None else polish["info"],
        "varpro_seed_objective": varpro_fit.objective_value if varpro_fit is not None else None,
    }
    return SurfaceFit(
        method="approach3",
        surface=surface,
        objective=obj,
        objective_value=best.value if polish is None else min(best.value, polish["value"]),
        n_points=data.n_points,
        status=status,
        message=message,
        details=details,
    )


_NAMES = ("log E", "log A", "log B", "alpha", "beta")


def _status(
    best: StartResult,
    surface,
    prob: ScaledProblem,
    obj: Objective,
    w: np.ndarray | None = None,
) -> tuple[Status, str]:
    """Scale-free verdict on the best run (:func:`~scalinglab.laws.diagnostics.assess_optimum`).

    Scales: 1 for the log-amplitudes (an e-fold change of a term), ``1/max|log N/N0|`` for
    α and the same in D for β (the exponent change that moves its term by an e-fold on
    the data); objective floor :data:`~scalinglab.laws.diagnostics.FLOOR_FRACTION` (ε^(1/3))
    times the objective of the constant model.
    """
    if not np.isfinite(best.value):
        return Status.FAILED, "no start reached a finite objective"
    value, grad = lse_objective(best.end, prob.lx, prob.ly, prob.loss, obj, w)
    scales = _scales(prob)
    floor = _floor(prob, obj)
    with np.errstate(over="ignore", invalid="ignore"):
        hess = numerical_hessian(
            lambda z: lse_objective(z, prob.lx, prob.ly, prob.loss, obj, w)[1], best.end, scales
        )
    verdict = assess_optimum(
        best.end,
        grad,
        value,
        names=_NAMES,
        scales=scales,
        value_floor=floor,
        hit_max_iter=best.status == 1,
        hess=hess if np.all(np.isfinite(hess)) else None,
    )
    if verdict[0] in (Status.FAILED, Status.MAX_ITER):
        return verdict[0], f"{verdict[1]}; L-BFGS: {best.message or best.status}"
    bad = [
        f"{name} = {val:.4g} <= 0"
        for name, val in (("alpha", surface.alpha), ("beta", surface.beta))
        if not val > 0
    ]
    if bad:
        return (
            Status.FAILED,
            f"the best fit has {', '.join(bad)}: the loss does not decrease with "
            f"{'N' if 'alpha' in bad[0] else 'D'} as the law requires (varpro bounds the "
            "exponents and says which term vanishes)",
        )
    return combine(verdict, check_chinchilla(surface, _as_data(prob, surface)))


def _scales(prob: ScaledProblem) -> np.ndarray:
    return np.array(
        [
            1.0,
            1.0,
            1.0,
            1.0 / max(np.max(np.abs(prob.lx)), 1e-12),
            1.0 / max(np.max(np.abs(prob.ly)), 1e-12),
        ]
    )


def _floor(prob: ScaledProblem, obj: Objective) -> float:
    return float(FLOOR_FRACTION * null_objective(prob.loss, obj.rho, obj.residuals))


def _kappa_max(
    best: StartResult, prob: ScaledProblem, obj: Objective, w: np.ndarray | None = None
) -> float:
    """Largest scale-free stationarity measure κ of the best run (NaN if not finite)."""
    value, grad = lse_objective(best.end, prob.lx, prob.ly, prob.loss, obj, w)
    if not (np.isfinite(value) and np.all(np.isfinite(grad))):
        return float("nan")
    k = stationarity(best.end, grad, value, scales=_scales(prob), value_floor=_floor(prob, obj))
    return float(np.max(k))


def _polish_nonsmooth(
    best: StartResult, prob: ScaledProblem, obj: Objective, w: np.ndarray | None
) -> dict[str, object]:
    """Finish a non-smooth fit (asymmetric MAE) where L-BFGS stalls at a kink.

    Raw loss: for fixed (α, β) the problem in (E, A, B) ≥ 0 is a linear programme
    (residual split into over- and under-prediction parts, Koenker & Bassett 1978),
    solved exactly through its dual with HiGHS; Nelder–Mead then minimises this exact profile over
    (α, β) from the best L-BFGS run. Log loss: Nelder–Mead on all five log-parameters.
    The verdict comes from :func:`~scalinglab.laws.diagnostics.probe_minimum`.
    """
    from scipy.optimize import linprog

    n = prob.loss.size
    ww = np.ones(n) if w is None else w
    ww = ww / np.sum(ww)
    scales = _scales(prob)
    if obj.space == "raw":
        lam_bounds = np.column_stack([-obj.asymmetry * ww, ww])

        def inner(z: np.ndarray) -> tuple[float, np.ndarray]:
            # Dual LP: max Σ L_i λ_i  s.t.  Xᵀλ ≤ 0,  −w·ww_i ≤ λ_i ≤ ww_i; the primal
            # (E, A, B) ≥ 0 are the multipliers of Xᵀλ ≤ 0 (half the size of the primal).
            X = np.column_stack([np.ones(n), np.exp(-z[0] * prob.lx), np.exp(-z[1] * prob.ly)])
            res = linprog(-prob.loss, A_ub=X.T, b_ub=np.zeros(3), bounds=lam_bounds, method="highs")
            if res.status != 0:
                return np.inf, np.full(3, np.nan)
            theta = np.maximum(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0)
            return obj.value(X @ theta, prob.loss, ww), theta

        def profile(z: np.ndarray) -> float:
            if not (z[0] > 0 and z[1] > 0):
                return np.inf
            return inner(z)[0]

        z0 = best.end[3:].copy()
        if not np.all(z0 > 0):
            z0 = np.array([0.3, 0.3])
        step = 0.02
        simplex = z0 + np.array([[0.0, 0.0], [step, 0.0], [0.0, step]])
        res = minimize(
            profile,
            z0,
            method="Nelder-Mead",
            options={
                "initial_simplex": simplex,
                "xatol": 1e-9,
                "fatol": 1e-15,
                "maxiter": 2000,
                "maxfev": 4000,
            },
        )
        value, theta = inner(res.x)
        verdict = probe_minimum(profile, res.x, names=("alpha", "beta"), scales=scales[3:])
        surface = prob.surface(theta, float(res.x[0]), float(res.x[1]))
    else:

        def full(p: np.ndarray) -> float:
            return lse_objective(p, prob.lx, prob.ly, prob.loss, obj, w)[0]

        res = minimize(
            full,
            best.end,
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 20000, "maxfev": 40000},
        )
        value = float(res.fun)
        verdict = probe_minimum(full, res.x, names=_NAMES, scales=scales)
        e, a, b, al, be = res.x
        surface = prob.surface(np.exp([e, a, b]), al, be)
    if not res.success and verdict[0] == Status.CONVERGED:
        verdict = (Status.MAX_ITER, f"Nelder-Mead polish: {res.message}")
    info = {
        "method": "LP profile + Nelder-Mead" if obj.space == "raw" else "Nelder-Mead",
        "evaluations": int(res.nfev),
        "objective": float(value),
        "lbfgs_objective": float(best.value),
    }
    return {"value": float(value), "surface": surface, "verdict": verdict, "info": info}


def _decrement(
    best: StartResult, prob: ScaledProblem, obj: Objective, w: np.ndarray | None = None
) -> float:
    """½·gᵀH⁻¹g / (F + F_floor) at the best run (NaN when H is not positive definite)."""
    value, grad = lse_objective(best.end, prob.lx, prob.ly, prob.loss, obj, w)
    with np.errstate(over="ignore", invalid="ignore"):
        H = numerical_hessian(
            lambda z: lse_objective(z, prob.lx, prob.ly, prob.loss, obj, w)[1],
            best.end,
            _scales(prob),
        )
    try:
        step = np.linalg.solve(
            np.linalg.cholesky(H).T, np.linalg.solve(np.linalg.cholesky(H), grad)
        )
    except np.linalg.LinAlgError:
        return float("nan")
    return float(0.5 * grad @ step / (abs(value) + _floor(prob, obj)))


def _as_data(prob: ScaledProblem, surface) -> object:
    """The data in input units, as the duck type :func:`check_chinchilla` reads."""

    class _D:
        N = prob.N0 * np.exp(prob.lx)
        D = prob.D0 * np.exp(prob.ly)
        loss = prob.loss

    return _D
