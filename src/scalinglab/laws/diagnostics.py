"""Deciding what a fit may claim: identifiability of the design, stationarity, bounds.

Every function here returns a *verdict* ``(Status, message)``; ``Status.CONVERGED`` with
an empty message means "no objection". Verdicts are combined with :func:`combine`, which
keeps the most serious one (order :data:`SEVERITY`) and joins the messages. Nothing
here raises on odd data except :func:`check_design` on fewer rows than parameters (an
input error, as everywhere in :mod:`scalinglab.laws`).

Three kinds of check, all free of the units of N, D, the loss and the objective:

1. **Design** (:func:`check_design`, before any optimiser runs). A law
   ``L = E + A/N^α + B/D^β`` has five parameters. Along one variable the term
   ``A·N^(−α)`` plus the shared offset needs three distinct values of N to fix (A, α):
   with two, only the difference ``A·(N₁^(−α) − N₂^(−α))`` is seen and any α fits. The
   design is refused (``not_identifiable``) when

   * the loss does not vary (only E is determined);
   * N (or D) takes fewer than three distinct values (α, A — or β, B — not identifiable);
   * the distinct (N, D) points are no more than the parameters (an interpolating fit:
     no residual degree of freedom, nothing checks the law);
   * log D is an exact increasing affine function of log N (``D = c·N^s``, e.g. a fixed
     tokens-per-parameter ratio): then ``B/D^β = B·c^(−β)·N^(−sβ)`` is a second power of
     N, and the two terms can trade places (α ↔ sβ), so α and β are not identifiable.

   Distinct values are counted after rounding log values at relative precision 10⁻⁹.

2. **Stationarity and bounds** (:func:`assess_optimum`, after the optimiser). With
   objective F at parameters x, gradient g, lower/upper bounds and a *scale* s_i for
   every parameter, the projected gradient is g_i except on an active bound whose
   multiplier has the right sign (g_i > 0 at a lower bound, g_i < 0 at an upper one:
   the Karush–Kuhn–Tucker conditions, Nocedal & Wright 2006, Thm. 12.1), where it is 0.
   The point is stationary when every

       κ_i = |pg_i| · s_i / (|F| + F_floor)  ≤  gtol,

   i.e. a change of x_i by its own scale would change F by at most a fraction ``gtol``
   to first order. ``F_floor`` (:data:`FLOOR_FRACTION` = ε^(1/3) ≈ 6·10⁻⁶ times the
   objective of the constant model, :func:`null_objective`) keeps the criterion
   meaningful when the data are fitted exactly (F → 0): the gradient is then rounding
   noise, ~ε per residual, and a floor of √ε·F_null was measured too small for Huber
   in its linear regime (κ = 1.3·10⁻⁴ on noise-free data); on real data F is 1–10 % of
   F_null and the floor changes κ by well under 0.1 %. κ does not change when the
   objective is multiplied by a constant or a parameter is rescaled together with its
   scale — unlike an absolute threshold on |g|, which refused correct optima whose
   objective happened to be large. Rounding leaves κ ≈ √(ε·cond) even at exact optima
   of ill-conditioned fits (measured up to 8.7·10⁻⁶), hence :data:`DEFAULT_GTOL` = 10⁻⁴.
   When a Hessian H is known (:func:`numerical_hessian`) the sharper test is the Newton
   decrement ``½·pgᵀH⁻¹pg / (|F| + F_floor) ≤ dtol`` (Boyd & Vandenberghe 2004, §9.5.1):
   the relative decrease a Newton step would still bring, invariant under every linear
   change of parameters. Kinked objectives (asymmetric MAE) have no vanishing gradient
   at their minimum; :func:`probe_minimum` tests them by coordinate probes instead.

3. **Terms that vanish** (:func:`check_linear_terms`, :func:`check_chinchilla`). When a
   linear coefficient (A or B) is zero — clamped by non-negativity, or so small that its
   term is below ``rtol`` of the loss everywhere on the data — the objective does not
   depend on the nonlinear parameters inside that term (α or β): those are *not
   identifiable*. A vanishing coefficient with no parameter inside (the irreducible
   loss E) is an active bound instead (``bound_hit``: the data ask for E < 0).

Examples
--------
>>> import numpy as np
>>> from scalinglab.laws.io import from_arrays
>>> d = from_arrays(N=[1e8, 2e8, 4e8, 8e8] * 2, D=[1e9] * 4 + [4e9] * 4,
...                 loss=[3.1, 3.0, 2.9, 2.85, 3.0, 2.9, 2.8, 2.75])
>>> status, message = check_design(d)
>>> str(status)
'not_identifiable'
>>> message
'beta, B not identifiable: D takes only 2 distinct values (3 are needed to fix B and beta)'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError, check_int, check_real
from scalinglab.laws.forms import ChinchillaSurface
from scalinglab.laws.objectives import Objective
from scalinglab.laws.results import SurfaceFit

__all__ = [
    "DEFAULT_DTOL",
    "DEFAULT_GTOL",
    "FLOOR_FRACTION",
    "SEVERITY",
    "TERM_RTOL",
    "Verdict",
    "assess_optimum",
    "check_chinchilla",
    "check_design",
    "check_linear_terms",
    "combine",
    "count_distinct",
    "null_objective",
    "numerical_hessian",
    "partial_status",
    "probe_minimum",
    "refused_surface_fit",
    "review_surface_fit",
    "stationarity",
]

#: A verdict: a status and a message naming the parameter and the reason.
Verdict = tuple[Status, str]

#: Most serious first: :func:`combine` keeps the first status of this order it sees.
SEVERITY: tuple[Status, ...] = (
    Status.FAILED,
    Status.NOT_IDENTIFIABLE,
    Status.MAX_ITER,
    Status.PARTIAL,
    Status.BOUND_HIT,
    Status.CONVERGED,
)
#: Default stationarity tolerance on κ_i (see the module docstring). At exact optima
#: rounding leaves κ ≈ √(ε·cond): measured up to 8.7e-6 on bootstrap replicates of the
#: Llama 3 data whose approach3 objective equals varpro's to 6e-15 (relative). 1e-4
#: leaves a factor 10; runs stopped early measured κ ≥ 8e-2 (20 L-BFGS iterations).
DEFAULT_GTOL = 1e-4
#: Default tolerance on the relative Newton decrement ½·gᵀH⁻¹g / F: the objective must be
#: within 10⁻⁹ (relative) of the minimum of its local quadratic model.
DEFAULT_DTOL = 1e-9
#: ``F_floor`` as a fraction of the constant model's objective: ε^(1/3).
FLOOR_FRACTION = float(np.finfo(float).eps ** (1.0 / 3.0))
#: A linear term is "vanishing" when its largest value on the data is below this
#: fraction of the largest loss.
TERM_RTOL = 1e-9
#: Relative precision at which two log-values count as the same N or D.
_DISTINCT_RTOL = 1e-9
#: Smallest/largest singular value of the centred (log N, log D) design below which
#: the two columns count as collinear.
_COLLINEAR_RTOL = 1e-9
_CHINCHILLA_PARAMS = 5


def _ok() -> Verdict:
    return Status.CONVERGED, ""


def combine(*verdicts: Verdict) -> Verdict:
    """The most serious of several verdicts, with the messages of that severity joined.

    Examples
    --------
    >>> s, m = combine((Status.CONVERGED, ""), (Status.BOUND_HIT, "E at 0"),
    ...                (Status.BOUND_HIT, "beta at 1"))
    >>> str(s), m
    ('bound_hit', 'E at 0; beta at 1')
    """
    if not verdicts:
        return _ok()
    worst = min((SEVERITY.index(Status(s)) for s, _ in verdicts))
    status = SEVERITY[worst]
    msgs: list[str] = []
    for s, m in verdicts:
        if Status(s) == status and m and m not in msgs:
            msgs.append(m)
    if status == Status.CONVERGED:
        return status, "converged"
    return status, "; ".join(msgs)


def count_distinct(x: np.ndarray | Sequence[float], rtol: float = _DISTINCT_RTOL) -> int:
    """Number of distinct positive values, equal at relative precision ``rtol``.

    Examples
    --------
    >>> count_distinct([1e9, 1e9 * (1 + 1e-12), 2e9])
    2
    """
    lx = np.log(np.asarray(x, dtype=float))
    return int(np.unique(np.round(lx / rtol)).size)


def _distinct_points(N: np.ndarray, D: np.ndarray) -> int:
    key = np.stack([np.round(np.log(N) / _DISTINCT_RTOL), np.round(np.log(D) / _DISTINCT_RTOL)])
    return int(np.unique(key, axis=1).shape[1])


def check_design(data, n_params: int = _CHINCHILLA_PARAMS) -> Verdict:
    """Can ``L = E + A/N^α + B/D^β`` be identified from these runs at all?

    Parameters
    ----------
    data : ScalingData
        The runs (N, D, loss).
    n_params : int
        Parameters of the law (5 for the Chinchilla surface).

    Returns
    -------
    (Status, str)
        ``(NOT_IDENTIFIABLE, message)`` naming the parameters that are not identifiable
        and why (see the module docstring for the rules), else ``(CONVERGED, "")``.

    Raises
    ------
    InputError
        Fewer rows than parameters (the file cannot hold a fit at all).

    Examples
    --------
    >>> from scalinglab.laws.io import load_llama3, from_arrays
    >>> check_design(load_llama3())
    (<Status.CONVERGED: 'converged'>, '')
    >>> d = load_llama3()
    >>> same = from_arrays(N=d.N[:1].repeat(10), D=d.D[:1].repeat(10), loss=d.loss[:1].repeat(10))
    >>> print(check_design(same)[1])
    E, A, B, alpha, beta not identifiable: the 10 rows hold only 1 distinct (N, D) point \
for 5 parameters
    """
    n_params = check_int(n_params, "n_params", "check_design", low=1)
    N, D, loss = np.asarray(data.N), np.asarray(data.D), np.asarray(data.loss)
    n = int(loss.size)
    if n < n_params:
        raise InputError(
            f"the law has {n_params} parameters and needs at least {n_params} points; "
            f"{getattr(data, 'source', 'the data')} has {n}."
        )
    problems: list[str] = []
    n_pts = _distinct_points(N, D)
    if n_pts <= n_params:
        few = "only " if n_pts < n_params else ""
        return (
            Status.NOT_IDENTIFIABLE,
            f"E, A, B, alpha, beta not identifiable: the {n} rows hold {few}{n_pts} distinct "
            f"(N, D) point{'s' if n_pts != 1 else ''} for {n_params} parameters"
            + (
                " (the fit would interpolate, with no residual to check the law)"
                if n_pts == n_params
                else ""
            ),
        )
    spread = float(np.ptp(loss))
    if not spread > 1e-12 * float(np.max(np.abs(loss))):
        return (
            Status.NOT_IDENTIFIABLE,
            f"A, B, alpha, beta not identifiable: the loss is the same ({loss[0]:.6g}) on "
            "every row, so only E is determined",
        )
    for col, vals, exp, amp in (("N", N, "alpha", "A"), ("D", D, "beta", "B")):
        k = count_distinct(vals)
        if k < 3:
            problems.append(
                f"{exp}, {amp} not identifiable: {col} takes only {k} distinct "
                f"value{'s' if k != 1 else ''} (3 are needed to fix {amp} and {exp})"
            )
    if not problems:
        X = np.stack([np.log(N), np.log(D)], axis=1)
        X = X - X.mean(axis=0)
        sv = np.linalg.svd(X, compute_uv=False)
        if sv[-1] <= _COLLINEAR_RTOL * sv[0]:
            slope = float(np.polyfit(X[:, 0], X[:, 1], 1)[0])
            if slope > 0:
                problems.append(
                    "alpha, beta not identifiable: every run has D = c*N^s with the same "
                    f"c and s = {slope:.4g}, so A/N^alpha and B/D^beta are both powers of N "
                    "and can trade places (degenerate design)"
                )
    if problems:
        return Status.NOT_IDENTIFIABLE, "; ".join(problems)
    return _ok()


def null_objective(loss: np.ndarray, rho, residual) -> float:
    """Objective of the best constant prediction: a scale for "fits nothing".

    ``rho`` and ``residual`` are the objective's penalty and residual functions (e.g.
    ``Objective.rho`` and ``Objective.residuals``); the constant is the median loss (the
    minimiser for absolute-type penalties, close to it for the others).

    Examples
    --------
    >>> import numpy as np
    >>> from scalinglab.laws.objectives import Objective
    >>> o = Objective("mse", "raw")
    >>> round(null_objective(np.array([1.0, 2.0, 3.0]), o.rho, o.residuals), 6)
    0.666667
    """
    loss = np.asarray(loss, dtype=float)
    pred = np.full_like(loss, float(np.median(loss)))
    return float(np.mean(rho(residual(pred, loss))))


def _kappa(x, g, value, scales, lower, upper, value_floor):
    p = x.size
    s = np.maximum(np.abs(x), 1.0) if scales is None else np.asarray(scales, dtype=float)
    lo = (
        np.full(p, -np.inf)
        if lower is None
        else np.asarray([-np.inf if v is None else v for v in lower], dtype=float)
    )
    hi = (
        np.full(p, np.inf)
        if upper is None
        else np.asarray([np.inf if v is None else v for v in upper], dtype=float)
    )
    at_lo = x <= lo + 1e-9 * s
    at_hi = x >= hi - 1e-9 * s
    pg = g.copy()
    pg[at_lo & (g > 0)] = 0.0
    pg[at_hi & (g < 0)] = 0.0
    denom = abs(float(value)) + max(float(value_floor), 0.0)
    if denom <= 0.0:
        denom = np.finfo(float).tiny
    return np.abs(pg) * s / denom, at_lo, at_hi, lo, hi


def stationarity(
    x: np.ndarray | Sequence[float],
    grad: np.ndarray | Sequence[float],
    value: float,
    *,
    scales: np.ndarray | Sequence[float] | None = None,
    lower: np.ndarray | Sequence[float] | None = None,
    upper: np.ndarray | Sequence[float] | None = None,
    value_floor: float = 0.0,
) -> np.ndarray:
    """κ_i = |projected gradient_i|·s_i / (|F| + F_floor) for every parameter.

    Same arguments as :func:`assess_optimum`; the largest κ is what it compares with
    ``gtol``.

    Examples
    --------
    >>> stationarity([2.0, 0.5], [-2.0, 1e-3], 1.0, upper=[2.0, None]).tolist()
    [0.0, 0.001]
    """
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad, dtype=float)
    return _kappa(x, g, value, scales, lower, upper, value_floor)[0]


def numerical_hessian(
    grad,
    x: np.ndarray | Sequence[float],
    scales: np.ndarray | Sequence[float] | None = None,
    h: float = 1e-5,
) -> np.ndarray:
    """Symmetrised central-difference Hessian from an exact gradient function.

    Column i is ``(∇F(x + h·s_i·e_i) − ∇F(x − h·s_i·e_i)) / (2·h·s_i)``; truncation error
    O(h²), rounding O(ε/h) relative.

    Examples
    --------
    >>> import numpy as np
    >>> grad = lambda z: np.array([2 * z[0] + z[1], z[0] + 6 * z[1]])
    >>> numerical_hessian(grad, [0.3, -1.0]).round(9).tolist()
    [[2.0, 1.0], [1.0, 6.0]]
    """
    x = np.asarray(x, dtype=float)
    s = np.maximum(np.abs(x), 1.0) if scales is None else np.asarray(scales, dtype=float)
    p = x.size
    H = np.empty((p, p))
    for i in range(p):
        e = np.zeros(p)
        e[i] = h * s[i]
        H[:, i] = (np.asarray(grad(x + e)) - np.asarray(grad(x - e))) / (2.0 * e[i])
    return 0.5 * (H + H.T)


def assess_optimum(
    x: np.ndarray | Sequence[float],
    grad: np.ndarray | Sequence[float],
    value: float,
    *,
    names: Sequence[str],
    scales: np.ndarray | Sequence[float] | None = None,
    lower: np.ndarray | Sequence[float] | None = None,
    upper: np.ndarray | Sequence[float] | None = None,
    value_floor: float = 0.0,
    gtol: float = DEFAULT_GTOL,
    hit_max_iter: bool = False,
    hess: np.ndarray | None = None,
    dtol: float = DEFAULT_DTOL,
) -> Verdict:
    """Is ``x`` a (KKT) stationary point of the objective, judged without units?

    With a Hessian ``hess`` the test is the Newton decrement: the decrease
    ``½·pgᵀ H⁻¹ pg`` that a Newton step on the free parameters would still bring, relative
    to |F| + F_floor, must not exceed ``dtol``. It is invariant under any linear change
    of parameters, so it also holds on ill-conditioned problems, where rounding leaves
    gradients of κ ≈ √(ε·cond) at exact optima. Without a Hessian (or when it is not
    positive definite on the free parameters) κ_i ≤ ``gtol`` is used.

    Parameters
    ----------
    x, grad : array, shape (p,)
        Parameters where the optimiser stopped and the gradient of the objective there
        (in the same parameterisation).
    value : float
        Objective value F at ``x``.
    names : sequence of str
        Parameter names, for messages.
    scales : array, optional
        Scale s_i of each parameter (default ``max(|x_i|, 1)``). Use 1 for log-amplitudes
        (a unit change is an e-fold change of the amplitude).
    lower, upper : array, optional
        Bounds (±inf or None for none). A parameter within ``1e-9·s_i`` of a bound is on it.
    value_floor : float
        ``F_floor`` added to |F| (see the module docstring); e.g.
        ``FLOOR_FRACTION * null_objective(...)``.
    gtol : float
        Tolerance on κ_i.
    hit_max_iter : bool
        The optimiser stopped on its iteration cap: a non-stationary point is then
        ``max_iter`` instead of ``failed``.
    hess : array, shape (p, p), optional
        Hessian of the objective at ``x`` (e.g. :func:`numerical_hessian`).
    dtol : float
        Tolerance on the relative Newton decrement.

    Returns
    -------
    (Status, str)
        ``FAILED`` (non-finite value or gradient; or not stationary), ``MAX_ITER``,
        ``BOUND_HIT`` (stationary with an active bound: the message names it and its
        multiplier), or ``(CONVERGED, "")``.

    Examples
    --------
    The optimum of (x − 3)² on [0, 2] lies on the upper bound with multiplier 2:

    >>> s, m = assess_optimum([2.0], [-2.0], 1.0, names=["x"], lower=[0.0], upper=[2.0])
    >>> str(s), m
    ('bound_hit', 'x = 2 is on its upper bound 2 (the objective still decreases beyond it)')

    The same absolute gradient is negligible or not depending on the objective's size:

    >>> str(assess_optimum([1.0], [1e-3], 1e3, names=["x"])[0])
    'converged'
    >>> str(assess_optimum([1.0], [1e-3], 1.0, names=["x"])[0])
    'failed'

    With the curvature known, what matters is the decrease still available,
    g²/(2h) = 5e-7 of F here, above ``dtol``:

    >>> str(assess_optimum([1.0], [1e-3], 1.0, names=["x"], hess=[[1.0]])[0])
    'failed'
    >>> str(assess_optimum([1.0], [1e-5], 1.0, names=["x"], hess=[[1.0]])[0])
    'converged'
    """
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad, dtype=float)
    p = x.size
    gtol = check_real(gtol, "gtol", "assess_optimum", low=0.0, low_open=True)
    if not (np.isfinite(value) and np.all(np.isfinite(x)) and np.all(np.isfinite(g))):
        return Status.FAILED, "the optimiser ended at a non-finite objective, parameter or gradient"
    kappa, at_lo, at_hi, lo, hi = _kappa(x, g, value, scales, lower, upper, value_floor)
    worst = int(np.argmax(kappa)) if p else 0
    decided = False
    if hess is not None and p:
        free = ~((at_lo & (g > 0)) | (at_hi & (g < 0)))
        H = np.asarray(hess, dtype=float)[np.ix_(free, free)]
        gf = g[free]
        try:
            chol = np.linalg.cholesky(0.5 * (H + H.T))
        except np.linalg.LinAlgError:
            chol = None
        if chol is not None and gf.size:
            step = np.linalg.solve(chol.T, np.linalg.solve(chol, gf))
            denom = abs(float(value)) + max(float(value_floor), 0.0)
            dec = 0.5 * float(gf @ step) / max(denom, np.finfo(float).tiny)
            if dec > dtol:
                s_free = np.asarray(
                    np.maximum(np.abs(x), 1.0) if scales is None else scales, dtype=float
                )[free]
                j = int(np.argmax(np.abs(step) / s_free))
                name = [n for n, f in zip(names, free, strict=True) if f][j]
                msg = (
                    f"not stationary: a Newton step would still lower the objective by "
                    f"{dec:.2g} of its value (tolerance {dtol:g}), mostly along {name}"
                )
                return (Status.MAX_ITER if hit_max_iter else Status.FAILED), msg
            decided = True
    if p and not decided and kappa[worst] > gtol:
        msg = (
            f"not stationary: the projected gradient in {names[worst]} is "
            f"{kappa[worst]:.2g} of the objective per unit of its scale (tolerance {gtol:g})"
        )
        return (Status.MAX_ITER if hit_max_iter else Status.FAILED), msg
    active = []
    for i in range(p):
        if at_lo[i] and g[i] > 0:
            active.append(
                f"{names[i]} = {x[i]:.6g} is on its lower bound {lo[i]:g} "
                "(the objective still decreases beyond it)"
            )
        elif at_hi[i] and g[i] < 0:
            active.append(
                f"{names[i]} = {x[i]:.6g} is on its upper bound {hi[i]:g} "
                "(the objective still decreases beyond it)"
            )
    if active:
        return Status.BOUND_HIT, "; ".join(active)
    return _ok()


def probe_minimum(
    f,
    x: np.ndarray | Sequence[float],
    *,
    names: Sequence[str],
    scales: np.ndarray | Sequence[float] | None = None,
    lower: np.ndarray | Sequence[float] | None = None,
    upper: np.ndarray | Sequence[float] | None = None,
    h: float = 1e-6,
    rtol: float = 1e-10,
    diagonals: bool = True,
) -> Verdict:
    """Stationarity of a *non-smooth* objective by probing: is ``f(x)`` a local minimum
    along every coordinate (and every pair of coordinates)?

    The gradient of a piecewise-linear objective (e.g. the asymmetric absolute error)
    need not vanish at its minimum, so :func:`assess_optimum` does not apply. Instead
    ``f(x ± h·s_i·e_i)`` is evaluated for every parameter i (steps that would leave the
    bounds are skipped — a bound with the objective decreasing outward is reported as
    ``bound_hit``); the point is refused when any probe lowers f by more than
    ``rtol·|f(x)|``. With ``diagonals`` the four steps ``x + h·(±s_i e_i ± s_j e_j)``
    of every pair i < j are probed too: a kinked valley running diagonally (where a
    simplex search tends to stall) is descended along them although every single
    coordinate step climbs its walls. Probes cannot certify a minimum along every
    direction, but they refuse every stop where one parameter, or two together, still
    improve the fit.

    Examples
    --------
    >>> f = lambda z: abs(z[0] - 1.0) + 10 * abs(z[1])
    >>> probe_minimum(f, [1.0, 0.0], names=["a", "b"])
    (<Status.CONVERGED: 'converged'>, '')
    >>> print(probe_minimum(f, [1.5, 0.0], names=["a", "b"])[1])
    not a minimum: moving a by -1.5e-06 lowers the objective by 1.5e-06 (3e-06 relative)

    A valley along the diagonal: no coordinate step descends, a diagonal one does.

    >>> g = lambda z: 10 * abs(z[0] - z[1]) - 0.1 * (z[0] + z[1])
    >>> str(probe_minimum(g, [1.0, 1.0], names=["a", "b"], diagonals=False)[0])
    'converged'
    >>> print(probe_minimum(g, [1.0, 1.0], names=["a", "b"])[1])
    not a minimum: moving a, b by +1e-06, +1e-06 lowers the objective by 2e-07 (1e-06 relative)
    """
    x = np.asarray(x, dtype=float)
    p = x.size
    s = np.maximum(np.abs(x), 1.0) if scales is None else np.asarray(scales, dtype=float)
    lo = np.full(p, -np.inf) if lower is None else np.asarray(lower, dtype=float)
    hi = np.full(p, np.inf) if upper is None else np.asarray(upper, dtype=float)
    f0 = float(f(x))
    if not np.isfinite(f0):
        return Status.FAILED, "the objective is not finite at the optimiser's end point"
    tol = rtol * max(abs(f0), np.finfo(float).tiny)
    active = []
    for i in range(p):
        for sign in (1.0, -1.0):
            step = sign * h * s[i]
            z = x.copy()
            z[i] += step
            if z[i] < lo[i] or z[i] > hi[i]:
                continue
            fz = float(f(z))
            if fz < f0 - tol:
                return (
                    Status.FAILED,
                    f"not a minimum: moving {names[i]} by {step:.2g} lowers the objective "
                    f"by {f0 - fz:.2g} ({(f0 - fz) / abs(f0):.2g} relative)",
                )
        if x[i] <= lo[i] + h * s[i] or x[i] >= hi[i] - h * s[i]:
            edge = "lower" if x[i] <= lo[i] + h * s[i] else "upper"
            bound = lo[i] if edge == "lower" else hi[i]
            active.append(f"{names[i]} = {x[i]:.6g} is on its {edge} bound {bound:g}")
    if diagonals:
        for i in range(p):
            for j in range(i + 1, p):
                for si, sj in ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)):
                    z = x.copy()
                    z[i] += si * h * s[i]
                    z[j] += sj * h * s[j]
                    if not (lo[i] <= z[i] <= hi[i] and lo[j] <= z[j] <= hi[j]):
                        continue
                    fz = float(f(z))
                    if fz < f0 - tol:
                        return (
                            Status.FAILED,
                            f"not a minimum: moving {names[i]}, {names[j]} by "
                            f"{si * h * s[i]:+.2g}, {sj * h * s[j]:+.2g} lowers the objective "
                            f"by {f0 - fz:.2g} ({(f0 - fz) / abs(f0):.2g} relative)",
                        )
    if active:
        return Status.BOUND_HIT, "; ".join(active)
    return _ok()


def check_linear_terms(
    names: Sequence[str],
    coefs: np.ndarray | Sequence[float],
    basis: np.ndarray,
    loss: np.ndarray,
    depends: Mapping[str, Iterable[str]] | None = None,
    *,
    rtol: float = TERM_RTOL,
) -> Verdict:
    """Flag linear coefficients whose term vanishes on the data (non-negative laws).

    Parameters
    ----------
    names : sequence of str
        Names of the linear coefficients (e.g. ``("E", "A", "B")``).
    coefs : array, shape (m,)
        Their fitted values (≥ 0).
    basis : array, shape (n, m)
        Each coefficient's basis function on the data (1, N^(−α), D^(−β)).
    loss : array, shape (n,)
        Observed loss, for the scale.
    depends : mapping, optional
        For each coefficient, the nonlinear parameters that enter only through its term
        (``{"A": ["alpha"], "B": ["beta"]}``).
    rtol : float
        A term whose largest value on the data is ≤ ``rtol·max|loss|`` vanishes.

    Returns
    -------
    (Status, str)
        ``NOT_IDENTIFIABLE`` when a vanishing term carries nonlinear parameters,
        ``BOUND_HIT`` when a vanishing term carries none (a coefficient on its bound 0),
        else ``(CONVERGED, "")``.

    Examples
    --------
    >>> import numpy as np
    >>> N = np.array([1.0, 2.0, 4.0, 8.0])
    >>> basis = np.stack([np.ones(4), N ** -0.3], axis=1)
    >>> s, m = check_linear_terms(["E", "A"], [2.0, 0.0], basis, np.full(4, 2.0),
    ...                           {"A": ["alpha"]})
    >>> str(s), m
    ('not_identifiable', 'alpha not identifiable: A = 0, so the term A*(...) is zero on every \
row and the objective does not depend on alpha')
    """
    c = np.asarray(coefs, dtype=float)
    basis = np.asarray(basis, dtype=float)
    scale = float(np.max(np.abs(loss)))
    depends = depends or {}
    out: list[Verdict] = []
    for j, name in enumerate(names):
        size = abs(c[j]) * float(np.max(np.abs(basis[:, j])))
        if size > rtol * scale:
            continue
        inner = list(depends.get(name, ()))
        if inner:
            out.append(
                (
                    Status.NOT_IDENTIFIABLE,
                    f"{', '.join(inner)} not identifiable: {name} = {c[j]:.3g}, so the term "
                    f"{name}*(...) is {'zero' if c[j] == 0 else 'negligible'} on every row "
                    f"and the objective does not depend on {' or '.join(inner)}",
                )
            )
        else:
            out.append(
                (
                    Status.BOUND_HIT,
                    f"{name} = {c[j]:.3g} is pinned at its bound 0 (the data ask for a "
                    f"negative {name})",
                )
            )
    return combine(*out) if out else _ok()


def check_chinchilla(surface, data) -> Verdict:
    """:func:`check_linear_terms` for ``E + A/N^α + B/D^β`` in the data's units.

    Examples
    --------
    >>> from scalinglab.laws.forms import ChinchillaSurface
    >>> from scalinglab.laws.io import load_llama3
    >>> d = load_llama3()
    >>> s, m = check_chinchilla(ChinchillaSurface(4e-18, 59.1, 155.1, 0.31, 0.31), d)
    >>> str(s), m
    ('bound_hit', 'E = 4e-18 is pinned at its bound 0 (the data ask for a negative E)')
    """
    N, D = np.asarray(data.N, dtype=float), np.asarray(data.D, dtype=float)
    with np.errstate(over="ignore", under="ignore"):
        basis = np.stack([np.ones_like(N), N ** (-surface.alpha), D ** (-surface.beta)], axis=1)
    return check_linear_terms(
        ("E", "A", "B"),
        (surface.E, surface.A, surface.B),
        basis,
        data.loss,
        {"A": ("alpha",), "B": ("beta",)},
    )


def partial_status(n_refused: int, n_total: int, what: str = "budgets") -> Verdict:
    """``PARTIAL`` when some of ``n_total`` units (budgets) were refused, else no objection.

    Examples
    --------
    >>> partial_status(44, 61)
    (<Status.PARTIAL: 'partial'>, '44 of 61 budgets refused')
    >>> partial_status(0, 61)
    (<Status.CONVERGED: 'converged'>, '')
    """
    if n_refused <= 0:
        return _ok()
    return Status.PARTIAL, f"{n_refused} of {n_total} {what} refused"


def refused_surface_fit(data, method: str, objective: Objective, verdict: Verdict) -> SurfaceFit:
    """The result of a surface fit that was not attempted: NaN parameters, the verdict.

    Used when :func:`check_design` refuses the data, so that no optimiser ever sees a
    degenerate design (and no number is reported that the data cannot determine).

    Examples
    --------
    >>> from scalinglab.laws.io import from_arrays
    >>> d = from_arrays(N=[1e8] * 6, D=[1e9] * 6, loss=[3.0] * 6)
    >>> fit = refused_surface_fit(d, "varpro", Objective("mse", "raw"), check_design(d))
    >>> str(fit.status), fit.surface.alpha
    ('not_identifiable', nan)
    """
    nan = float("nan")
    status, message = verdict
    return SurfaceFit(
        method=method,
        surface=ChinchillaSurface(nan, nan, nan, nan, nan, k=float(data.k)),
        objective=objective,
        objective_value=nan,
        n_points=int(np.asarray(data.loss).size),
        status=Status(status),
        message=message,
        details={"design": message, "attempted": False},
    )


def review_surface_fit(fit: SurfaceFit, data) -> SurfaceFit:
    """Combine a surface fit's own status with :func:`check_chinchilla`.

    An exponent whose amplitude vanishes is not identifiable: it is replaced by NaN in
    the returned surface (the optimiser's value is kept in
    ``details["not_identifiable"]``), so no allocation is computed from an arbitrary
    number. A vanishing E turns ``converged`` into ``bound_hit``.

    Examples
    --------
    >>> from scalinglab.laws.io import load_llama3
    >>> d = load_llama3()
    >>> fit = SurfaceFit("approach3", ChinchillaSurface(0.6, 0.0, 155.1, 0.01, 0.31),
    ...                  Objective(), 1e-5, d.n_points, Status.CONVERGED, "converged")
    >>> out = review_surface_fit(fit, d)
    >>> str(out.status), out.surface.alpha, out.details["not_identifiable"]
    ('not_identifiable', nan, {'alpha': 0.01})
    """
    if not np.all(np.isfinite([fit.surface.alpha, fit.surface.beta])):
        return fit
    verdict = check_chinchilla(fit.surface, data)
    if verdict[0] == Status.BOUND_HIT and fit.status == Status.BOUND_HIT:
        return fit  # the method already reported its bounds
    status, message = combine((fit.status, fit.message), verdict)
    if status != Status.NOT_IDENTIFIABLE and status == fit.status and message == fit.message:
        return fit
    surface = fit.surface
    details = dict(fit.details)
    if status == Status.NOT_IDENTIFIABLE:
        N = np.asarray(data.N, dtype=float)
        D = np.asarray(data.D, dtype=float)
        scale = TERM_RTOL * float(np.max(np.abs(data.loss)))
        lost: dict[str, float] = {}
        changes: dict[str, float] = {}
        with np.errstate(over="ignore", under="ignore"):
            for amp, exp, x in (("A", "alpha", N), ("B", "beta", D)):
                size = abs(getattr(surface, amp)) * float(np.max(x ** (-getattr(surface, exp))))
                if size <= scale:
                    lost[exp] = float(getattr(surface, exp))
                    changes[exp] = float("nan")
        if not changes:
            return dataclasses.replace(fit, status=status, message=message)
        surface = dataclasses.replace(surface, **changes)
        details["not_identifiable"] = lost
    return dataclasses.replace(
        fit, surface=surface, status=status, message=message, details=details
    )
