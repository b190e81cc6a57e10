"""Variable projection for the Chinchilla surface (Czech et al. 2026, arXiv 2603.22339).

For fixed exponents (α, β) the surface E + A·N^(−α) + B·D^(−β) is linear in
θ = (E, A, B). Variable projection (Golub & Pereyra 1973) eliminates θ exactly and
leaves a two-dimensional problem::

    F(α, β) = min_{θ ≥ 0} (1/n) Σ_i ρ(r_i(θ; α, β)),

solved here in three stages.

1. **Dense grid.** For squared error on raw loss the inner problem is a 3-unknown
   non-negative least-squares problem whose normal equations over the whole grid are
   one matrix product (the only term coupling α and β is Σ w_i N_i^(−α) D_i^(−β)),
   solved in closed form by :func:`~scalinglab.laws.nnls3.solve_nnls3`. Huber and
   log-space objectives are handled by the same grid pass with per-point weights w_i
   and targets t_i frozen at the current best fit: for Huber these are the IRLS weights
   ψ(r)/r, whose weighted least-squares problem majorises the Huber objective
   everywhere (so each pass cannot increase it); for log loss, r ≈ (p − p₀(1 − r₀))/p₀
   (Gauss–Newton), i.e. w = 1/p₀², t = p₀(1 − r₀). Passes repeat until the grid
   argmin stops moving.
2. **Exact inner solve** at any single (α, β): IRLS / Gauss–Newton with step halving on
   the 3-unknown NNLS (exact in one step for squared error on raw loss).
3. **Local refinement** of (α, β) by L-BFGS-B with the exact gradient of F from the
   envelope theorem (Danskin): ∂F/∂α = (1/n) Σ ψ(r_i) ∂r_i/∂α at the inner optimum,
   since the inner optimum is stationary in θ (or clamped, with zero derivative).

Weighted points and the kinked asymmetric absolute error go through the general engine
with the same law: for the latter its inner problem is a linear programme, its
refinement derivative-free and its verdict a probe of the exact profile
(:func:`scalinglab.laws.engine.fit_partially_linear`).

Internally N and D are divided by their geometric means (conditioning); parameters are
reported in the units of the input. The status is ``bound_hit`` when (α, β) ends on the
edge of the search box or when NNLS clamps E, A or B at zero.

This is the closed-form Chinchilla instance of the general engine
(:mod:`scalinglab.laws.engine`, law :func:`scalinglab.laws.catalog.chinchilla_law`): its
verdict on identifiability comes from :func:`scalinglab.laws.engine.law_status`, and
weighted data are fitted by the engine itself. Notation: α, β are the loss exponents;
``a``, ``b`` (in :class:`~scalinglab.laws.forms.ChinchillaSurface`) the allocation
exponents ``N* ∝ C^a``, ``D* ∝ C^b``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from scalinglab._types import Status
from scalinglab._validation import InputError, check_int, check_real
from scalinglab.laws._threads import single_blas_thread
from scalinglab.laws.catalog import chinchilla_law
from scalinglab.laws.engine import fit_partially_linear, law_status
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.io import ScalingData
from scalinglab.laws.nnls3 import Gram3, nnls3_single, solve_nnls3
from scalinglab.laws.objectives import Objective
from scalinglab.laws.results import SurfaceFit

__all__ = [
    "DEFAULT_EXPONENT_RANGE",
    "DEFAULT_GRID_STEP",
    "InnerSolution",
    "ScaledProblem",
    "fit_varpro",
    "inner_solve",
    "profile_grid",
]

#: Default search box for α and β (both ends inclusive).
DEFAULT_EXPONENT_RANGE = (0.01, 1.0)
#: Default (α, β) grid step before local refinement.
DEFAULT_GRID_STEP = 1e-3
#: Grid cells per chunk (bounds the memory of one pass to a few tens of MB).
_CHUNK_CELLS = 1 << 17
#: Grid step of the passes that converge IRLS / Gauss-Newton weights before the dense grid.
_COARSE_STEP = 0.01
#: Dense re-checks of the grid after refinement (Huber / log space).
_MAX_BASIN_CHECKS = 2
_N_PARAMS = 5


@dataclass(frozen=True)
class ScaledProblem:
    """Data in internal units: ``lx = log(N/N0)``, ``ly = log(D/D0)``, loss ``L``."""

    lx: np.ndarray
    ly: np.ndarray
    loss: np.ndarray
    N0: float
    D0: float
    k: float

    @classmethod
    def from_data(cls, data: ScalingData) -> ScaledProblem:
        N0, D0 = data.unit_scales()
        return cls(np.log(data.N / N0), np.log(data.D / D0), data.loss, N0, D0, data.k)

    def surface(self, theta: np.ndarray, alpha: float, beta: float) -> ChinchillaSurface:
        """Convert internal (E, A', B') to input units: A = A'·N0^α, B = B'·D0^β."""
        return ChinchillaSurface(
            E=float(theta[0]),
            A=float(theta[1] * self.N0**alpha),
            B=float(theta[2] * self.D0**beta),
            alpha=float(alpha),
            beta=float(beta),
            k=self.k,
        )


@dataclass(frozen=True)
class InnerSolution:
    """Exact inner solution at one (α, β)."""

    theta: np.ndarray
    value: float
    pred: np.ndarray
    iterations: int
    converged: bool


def _design(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(u), u, v], axis=1)


def _wls_design(X: np.ndarray, w: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Weighted NNLS ``min_{θ≥0} Σ w (t − Xθ)²`` for one design matrix X = [1, u, v]."""
    Xw = X * w[:, None]
    theta, _ = nnls3_single(Xw.T @ X, Xw.T @ t)
    return theta


def _wls(u: np.ndarray, v: np.ndarray, w: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Weighted NNLS ``min_{θ≥0} Σ w (t − E − A u − B v)²`` for one (α, β)."""
    return _wls_design(_design(u, v), w, t)


def _surrogate(obj: Objective, pred: np.ndarray, loss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights and targets of the weighted least-squares surrogate around ``pred``."""
    r = obj.residuals(pred, loss)
    w = obj.irls_weight(r)
    if obj.space == "log":
        return w / pred**2, pred * (1.0 - r)
    return w, loss


def _newton_target(
    obj: Objective, X: np.ndarray, theta: np.ndarray, pred: np.ndarray, loss: np.ndarray
) -> np.ndarray | None:
    """Minimiser over θ' ≥ 0 of the (Gauss–)Newton model of F around θ.

    With J = ∂r/∂θ (X, or X/p in log space), g = Σ ψ(r_i) J_i and H = Σ ψ'(r_i) J_iᵀJ_i
    (ψ' = 2 for squared error, 1 inside the Huber threshold, 0 outside), the model
    ``g·(θ' − θ) + ½ (θ' − θ)ᵀ H (θ' − θ)`` is an NNLS problem in θ' with G = H and
    h = Hθ − g. The Huber objective is piecewise quadratic, so once the set of points
    inside the threshold settles this step is exact. None when H is singular (fewer
    than three points inside the threshold).
    """
    r = obj.residuals(pred, loss)
    J = X / pred[:, None] if obj.space == "log" else X
    if obj.kind == "mse":
        curv = np.full(r.shape, 2.0)
    else:
        curv = (np.abs(r) <= obj.delta).astype(float)
    if np.count_nonzero(curv) < 3:
        return None
    H = (J * curv[:, None]).T @ J
    g = J.T @ obj.psi(r)
    if not np.linalg.det(H) > 0:
        return None
    target, _ = nnls3_single(H, H @ theta - g)
    return target


def inner_solve(
    u: np.ndarray,
    v: np.ndarray,
    loss: np.ndarray,
    obj: Objective,
    theta0: np.ndarray | None = None,
    *,
    max_iter: int = 500,
    tol: float = 1e-14,
) -> InnerSolution:
    """Minimise ``(1/n) Σ ρ(r_i)`` over ``θ = (E, A, B) ≥ 0`` for fixed features u, v.

    Squared error on raw loss is one NNLS solve. Otherwise each iteration moves towards
    the projected (Gauss–)Newton point of :func:`_newton_target` (an IRLS step, whose
    weighted least-squares problem majorises the Huber loss, when the Newton model is
    singular) and halves the step until the true objective does not increase. It stops
    when θ moves by less than ``tol`` relative or no step decreases the objective.
    """
    X = _design(u, v)

    def pred_of(th: np.ndarray) -> np.ndarray:
        return X @ th

    if obj.kind == "mse" and obj.space == "raw":
        theta = _wls_design(X, np.ones_like(loss), loss)
        pred = pred_of(theta)
        return InnerSolution(theta, obj.value(pred, loss), pred, 1, True)
    if theta0 is None or obj.value(pred_of(theta0), loss) == np.inf:
        w0 = 1.0 / loss**2 if obj.space == "log" else np.ones_like(loss)
        theta = _wls_design(X, w0, loss)
    else:
        theta = np.asarray(theta0, dtype=float).copy()
    pred = pred_of(theta)
    val = obj.value(pred, loss)
    for it in range(1, max_iter + 1):
        cand = _newton_target(obj, X, theta, pred, loss)
        if cand is None:
            w, t = _surrogate(obj, pred, loss)
            cand = _wls_design(X, w, t)
        step = 1.0
        while True:
            new = theta + step * (cand - theta)
            new_pred = pred_of(new)
            new_val = obj.value(new_pred, loss)
            if new_val <= val:
                break
            step *= 0.5
            if step < 1e-12:
                return InnerSolution(theta, val, pred, it, True)
        moved = np.max(np.abs(new - theta) / (np.abs(new) + np.abs(theta) + 1e-300))
        theta, pred, val = new, new_pred, new_val
        if moved < tol:
            return InnerSolution(theta, val, pred, it, True)
    return InnerSolution(theta, val, pred, max_iter, False)


def profile_grid(
    lx: np.ndarray,
    ly: np.ndarray,
    alphas: np.ndarray,
    betas: np.ndarray,
    w: np.ndarray,
    t: np.ndarray,
) -> np.ndarray:
    """Weighted NNLS profile ``min_{θ≥0} Σ w_i (t_i − E − A u_i − B v_i)²`` on a grid.

    Parameters
    ----------
    lx, ly : ndarray, shape (n,)
        ``log N`` and ``log D`` in internal units.
    alphas, betas : ndarray, shapes (nα,), (nβ,)
        Grid of exponents.
    w, t : ndarray, shape (n,)
        Point weights and targets (shared by every grid cell).

    Returns
    -------
    ndarray, shape (nα, nβ)
        Minimum weighted sum of squares at each cell.

    Notes
    -----
    With U = exp(−α ⊗ lx) and V = exp(−β ⊗ ly) the normal-equation entries are
    matrix–vector products except ``Σ w u v``, which is the matrix product
    ``(U·w) Vᵀ``; the 3-unknown NNLS is then solved elementwise. Work is
    O(nα·nβ·n) in BLAS plus O(nα·nβ) elementwise, in chunks of α rows.
    """
    V = np.exp(-np.outer(betas, ly))
    wt = w * t
    g02 = V @ w
    g22 = (V * V) @ w
    h2 = V @ wt
    g00, h0, c = np.sum(w), np.sum(wt), np.dot(wt, t)
    out = np.empty((alphas.size, betas.size))
    rows = max(1, _CHUNK_CELLS // max(1, betas.size))
    for start in range(0, alphas.size, rows):
        a = alphas[start : start + rows]
        U = np.exp(-np.outer(a, lx))
        g = Gram3(
            g00=g00,
            g01=(U @ w)[:, None],
            g02=g02[None, :],
            g11=((U * U) @ w)[:, None],
            g12=(U * w) @ V.T,
            g22=g22[None, :],
            h0=h0,
            h1=(U @ wt)[:, None],
            h2=h2[None, :],
            c=c,
        )
        out[start : start + a.size] = solve_nnls3(g, want_theta=False).f
    return out


def _axis(lo: float, hi: float, step: float) -> np.ndarray:
    n = round((hi - lo) / step)
    return lo + step * np.arange(n + 1) if n > 0 else np.array([lo])


def _check_range(rng: tuple[float, float], name: str) -> tuple[float, float]:
    lo = check_real(rng[0], f"{name}_range[0]", "fit_varpro", low=0.0, low_open=True)
    hi = check_real(rng[1], f"{name}_range[1]", "fit_varpro", low=lo, low_open=True)
    return lo, hi


def _refine(
    prob: ScaledProblem,
    obj: Objective,
    start: tuple[float, float],
    theta0: np.ndarray,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    max_iter: int,
) -> tuple[float, float, InnerSolution, dict[str, object]]:
    """L-BFGS-B on F(α, β) with the envelope-theorem gradient."""
    cache: dict[str, object] = {"theta": theta0, "inner_iters": 0, "inner_failed": 0}

    def solve_at(z: np.ndarray) -> tuple[InnerSolution, np.ndarray, np.ndarray]:
        u = np.exp(-z[0] * prob.lx)
        v = np.exp(-z[1] * prob.ly)
        sol = inner_solve(u, v, prob.loss, obj, cache["theta"])  # type: ignore[arg-type]
        cache["theta"] = sol.theta
        cache["inner_iters"] = int(cache["inner_iters"]) + sol.iterations  # type: ignore[arg-type]
        if not sol.converged:
            cache["inner_failed"] = int(cache["inner_failed"]) + 1  # type: ignore[arg-type]
        return sol, u, v

    z0 = np.array(start, dtype=float)
    sol0, _, _ = solve_at(z0)
    ref = sol0.value if sol0.value > 0 else 1.0

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        sol, u, v = solve_at(z)
        r = obj.residuals(sol.pred, prob.loss)
        dr = obj.psi(r) / (sol.pred if obj.space == "log" else 1.0)
        g_alpha = -sol.theta[1] * np.mean(dr * prob.lx * u)
        g_beta = -sol.theta[2] * np.mean(dr * prob.ly * v)
        return sol.value / ref, np.array([g_alpha, g_beta]) / ref

    res = minimize(
        fun,
        z0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-12, "maxcor": 20},
    )
    z = np.clip(res.x, [bounds[0][0], bounds[1][0]], [bounds[0][1], bounds[1][1]])
    final, _, _ = solve_at(z)
    if final.value > sol0.value:  # never return worse than the grid point
        z, final = z0, sol0
    info = {
        "iterations": int(res.nit),
        "evaluations": int(res.nfev),
        "optimizer_message": str(res.message),
        "optimizer_success": bool(res.success),
        "hit_max_iter": bool(res.status == 1),
        "inner_iterations": int(cache["inner_iters"]),  # type: ignore[arg-type]
        "inner_failures": int(cache["inner_failed"]),  # type: ignore[arg-type]
    }
    return float(z[0]), float(z[1]), final, info


def fit_varpro(
    data: ScalingData,
    *,
    objective: Objective | None = None,
    grid_step: float = DEFAULT_GRID_STEP,
    alpha_range: tuple[float, float] = DEFAULT_EXPONENT_RANGE,
    beta_range: tuple[float, float] = DEFAULT_EXPONENT_RANGE,
    refine: bool = True,
    max_passes: int = 25,
    max_refine_iter: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> SurfaceFit:
    """Fit ``L = E + A/N^α + B/D^β`` by variable projection.

    Parameters
    ----------
    data : ScalingData
        Runs (at least 5).
    objective : Objective, optional
        Default: Huber (δ = 10⁻³) on raw loss, where the inner problem is linear.
    grid_step : float
        Spacing of the dense (α, β) grid.
    alpha_range, beta_range : (float, float)
        Search box for the exponents (inclusive).
    refine : bool
        Polish the grid optimum with L-BFGS-B on exact gradients.
    max_passes : int
        Maximum grid passes for Huber / log-space objectives.
    max_refine_iter : int
        Iteration cap of the refinement.
    progress : callable, optional
        ``progress(done, total)`` after each grid pass.

    Returns
    -------
    SurfaceFit
        Parameters in input units; ``details`` records the grid and refinement (for
        weighted points or ``asymmetric-mae``: ``{"weighted": bool, "engine": ...}``, the
        details of :func:`scalinglab.laws.engine.fit_partially_linear`).
    """
    obj = objective if objective is not None else Objective("huber", "raw")
    step = check_real(grid_step, "grid_step", "fit_varpro", low=0.0, low_open=True)
    a_lo, a_hi = _check_range(alpha_range, "alpha")
    b_lo, b_hi = _check_range(beta_range, "beta")
    max_passes = check_int(max_passes, "max_passes", "fit_varpro", low=1)
    if data.n_points < _N_PARAMS:
        raise InputError(
            f"varpro fits {_N_PARAMS} parameters and needs at least {_N_PARAMS} points; "
            f"{data.source} has {data.n_points}."
        )
    prob = ScaledProblem.from_data(data)
    weight = getattr(data, "weight", None)
    if weight is not None or not obj.is_smooth:  # the general engine (same law, same rules)
        return _fit_by_engine(data, prob, obj, weight, step, (a_lo, a_hi), (b_lo, b_hi),
                              progress)  # fmt: skip
    alphas, betas = _axis(a_lo, a_hi, step), _axis(b_lo, b_hi, step)
    loss = prob.loss
    w: np.ndarray
    t: np.ndarray
    if obj.space == "log":
        w, t = 1.0 / loss**2, loss.copy()
    else:
        w, t = np.ones_like(loss), loss.copy()
    exact_grid = obj.kind == "mse" and obj.space == "raw"
    bounds = ((a_lo, a_hi), (b_lo, b_hi))
    n_passes = 0

    def grid_pass(
        grid_a: np.ndarray, grid_b: np.ndarray, w, t, warm
    ) -> tuple[float, float, InnerSolution]:
        nonlocal n_passes
        f = profile_grid(prob.lx, prob.ly, grid_a, grid_b, w, t)
        i, j = np.unravel_index(int(np.argmin(f)), f.shape)
        n_passes += 1
        if progress is not None:
            progress(n_passes, n_passes + 1)
        al, be = float(grid_a[i]), float(grid_b[j])
        with single_blas_thread():
            return (
                al,
                be,
                inner_solve(np.exp(-al * prob.lx), np.exp(-be * prob.ly), loss, obj, warm),
            )

    # Stage 1a (Huber / log space only): converge the surrogate weights on a coarse grid.
    # Each pass globally minimises a weighted least-squares surrogate over the whole box.
    warm = None
    coarse = max(step, _COARSE_STEP)
    ca, cb = _axis(a_lo, a_hi, coarse), _axis(b_lo, b_hi, coarse)
    if not exact_grid and coarse > step:
        seen: set[tuple[float, float]] = set()
        for _ in range(max_passes):
            al, be, sol = grid_pass(ca, cb, w, t, warm)
            warm = sol.theta
            if (al, be) in seen:
                break
            seen.add((al, be))
            w, t = _surrogate(obj, sol.pred, loss)
    # Stage 1b: the dense grid; stage 3: refine. Then re-check the basin with a grid pass
    # (coarse when there is one: basins are wider than its step) using the weights of the
    # refined optimum; a better cell far from the optimum restarts the refinement there.
    grid_alpha, grid_beta, grid_sol = grid_pass(alphas, betas, w, t, warm)
    check_a, check_b = (ca, cb) if not exact_grid and coarse > step else (alphas, betas)
    check_step = coarse if not exact_grid and coarse > step else step
    alpha, beta, sol = grid_alpha, grid_beta, grid_sol
    refine_info: dict[str, object] | None = None
    checks = 0
    while True:
        if refine:
            with single_blas_thread():
                alpha, beta, sol, refine_info = _refine(
                    prob, obj, (grid_alpha, grid_beta), grid_sol.theta, bounds, max_refine_iter
                )
        if exact_grid or checks >= _MAX_BASIN_CHECKS:
            break
        checks += 1
        w, t = _surrogate(obj, sol.pred, loss)
        cand_alpha, cand_beta, cand = grid_pass(check_a, check_b, w, t, sol.theta)
        near = (
            abs(cand_alpha - alpha) <= 1.5 * check_step
            and abs(cand_beta - beta) <= 1.5 * check_step
        )
        if near or cand.value >= sol.value:
            break
        grid_alpha, grid_beta, grid_sol = cand_alpha, cand_beta, cand
        alpha, beta, sol = cand_alpha, cand_beta, cand
    grid_info = {
        "alpha_range": [a_lo, a_hi],
        "beta_range": [b_lo, b_hi],
        "step": step,
        "shape": [int(alphas.size), int(betas.size)],
        "passes": n_passes,
        "alpha": grid_alpha,
        "beta": grid_beta,
        "objective": grid_sol.value,
    }
    surface = prob.surface(sol.theta, alpha, beta)
    status, message = _status(alpha, beta, sol, (a_lo, a_hi), (b_lo, b_hi), step, refine_info)
    # One verdict for every Chinchilla fitter: the engine's identifiability rules
    # (distinct points, Jacobian rank, clamps and edges) on this optimum.
    law = chinchilla_law((a_lo, a_hi), (b_lo, b_hi), step)
    e_status, e_message, e_diag = law_status(
        law,
        {"N": np.exp(prob.lx), "D": np.exp(prob.ly)},
        loss,
        {"E": sol.theta[0], "A": sol.theta[1], "B": sol.theta[2], "alpha": alpha, "beta": beta},
        objective=obj,
    )
    if e_status == Status.NOT_IDENTIFIABLE or status == Status.CONVERGED:
        status, message = e_status, e_message
    return SurfaceFit(
        method="varpro",
        surface=surface,
        objective=obj,
        objective_value=sol.value,
        n_points=data.n_points,
        status=status,
        message=message,
        details={"grid": grid_info, "refine": refine_info, **e_diag},
    )


def _fit_by_engine(
    data: ScalingData,
    prob: ScaledProblem,
    obj: Objective,
    weight: np.ndarray | None,
    step: float,
    a_rng: tuple[float, float],
    b_rng: tuple[float, float],
    progress: Callable[[int, int], None] | None,
) -> SurfaceFit:
    """Weighted or kinked fits ``Σ w ρ(r) / Σ w`` by the engine's Chinchilla law, in
    internal units.

    Point weights need the engine's general grid; the asymmetric MAE needs its exact
    inner linear programme, derivative-free refinement and probing verdict
    (:func:`scalinglab.laws.engine.fit_partially_linear`). The engine's grid is the
    general batched one, so its step is at least 0.01 here (the refinement, not the
    grid, sets the precision of the optimum).
    """
    law = chinchilla_law(a_rng, b_rng, max(step, 0.01))
    fit = fit_partially_linear(
        law,
        {"N": np.exp(prob.lx), "D": np.exp(prob.ly)},
        prob.loss,
        objective=obj,
        weights=None if weight is None else np.asarray(weight, dtype=float),
        progress=progress,
    )
    p = fit.params
    return SurfaceFit(
        method="varpro",
        surface=prob.surface(np.array([p["E"], p["A"], p["B"]]), p["alpha"], p["beta"]),
        objective=obj,
        objective_value=fit.objective_value,
        n_points=data.n_points,
        status=fit.status,
        message=fit.message,
        details={"weighted": weight is not None, "engine": fit.details},
    )


def _status(
    alpha: float,
    beta: float,
    sol: InnerSolution,
    a_rng: tuple[float, float],
    b_rng: tuple[float, float],
    step: float,
    refine_info: dict[str, object] | None,
) -> tuple[Status, str]:
    edge_tol = 1e-9 * max(1.0, step)
    problems = []
    for name, val, (lo, hi) in (("alpha", alpha, a_rng), ("beta", beta, b_rng)):
        if val <= lo + edge_tol:
            problems.append(
                f"{name} = {val:g} is at the lower edge of its search range [{lo:g}, {hi:g}]"
            )
        elif val >= hi - edge_tol:
            problems.append(
                f"{name} = {val:g} is at the upper edge of its search range [{lo:g}, {hi:g}]"
            )
    clamped = [name for name, x in zip(("E", "A", "B"), sol.theta, strict=True) if x <= 0.0]
    if clamped:
        problems.append(f"{', '.join(clamped)} clamped at 0 by the non-negativity constraint")
    if problems:
        return Status.BOUND_HIT, "; ".join(problems)
    if not sol.converged:
        return Status.MAX_ITER, "the inner IRLS solve did not converge"
    if refine_info is not None and refine_info["hit_max_iter"]:
        return Status.MAX_ITER, "the (alpha, beta) refinement reached its iteration limit"
    return Status.CONVERGED, "converged"
