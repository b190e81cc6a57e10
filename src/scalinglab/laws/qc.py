"""Quality control of IsoFLOP curves before Approach 2 (and variable projection).

IsoFLOP data in the wild have repeated rows, budgets with too few runs, curves too flat
to locate a minimum, grids that miss the minimum, and single bad runs. Each budget is
checked by five rules, applied in this order; each flag names the rows it concerns and
what is done with them. All thresholds are free of the units of N and of the loss.

``duplicates`` (rows excluded)
    Rows of one budget with the same N (equal at relative precision 10⁻⁹; within a
    budget the same N means the same run). The first row is kept, later copies are
    excluded: a repeated row would count one run twice in every fit.
``outliers`` (rows excluded)
    Leave-one-out test on the least-squares parabola of loss in log10 N: for each row,
    the parabola through the *other* rows predicts it with error e_i; the externally
    studentised error t_i = e_i / (s_(i)·√(1 + leverage)) is Student-t with n − 4
    degrees of freedom for Gaussian noise. A row is an outlier when |t_i| exceeds the
    Bonferroni critical value t_{1 − α/(2n), n−4} with α = :data:`OUTLIER_ALPHA` = 0.01
    (so a clean budget is flagged with probability ≤ 1 %) and |e_i| also exceeds
    :data:`OUTLIER_FLOOR` (10⁻⁴) of the budget's median loss, so that the systematic
    misfit of a parabola to a noise-free curve is not called an outlier. The smallest
    and largest N of a budget are not tested: their leave-one-out prediction is an
    extrapolation, where the parabola's own bias (α ≠ β) dominates (a noise-free
    ±1.5-decade grid had its edge rows flagged otherwise). Needs at least 6 rows; the
    worst row is removed and the test repeated while one is flagged.
``too_few_points`` (budget excluded)
    Fewer than ``min_points`` (default 5) rows left: a parabola (3 coefficients) needs
    spare points to say anything about its own fit.
``weak_curvature`` (budget excluded from Approach 2)
    The parabola's curvature c₂ is not significantly positive: t = c₂/SE(c₂) <
    :data:`CURVATURE_T` (default 3; SE from the ordinary least-squares covariance
    σ̂²(XᵀX)⁻¹). Such a curve has no reliable vertex; the points still inform a surface
    fit, so variable projection keeps them.
``off_centre`` (warning, or budget excluded from Approach 2)
    Position of the vertex in the sampled log10 N range, u = (x* − x_min)/(x_max −
    x_min). Outside [0, 1] the minimum is an extrapolation: excluded from Approach 2.
    Inside but u < 0.2 or u > 0.8: a warning — off-centre grids bias the parabola vertex
    when α ≠ β (see ``scalinglab fit-bias``). Variable projection keeps the points.

:func:`isoflop_qc` returns a :class:`QCReport`; :meth:`QCReport.passing` gives the
rows to fit for a method.

Examples
--------
>>> import numpy as np
>>> from scalinglab.laws.forms import ChinchillaSurface
>>> from scalinglab.laws.synthetic import isoflop_sample
>>> truth = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
>>> d = isoflop_sample(truth, [1e18, 1e19, 1e20], grid_width=0.5, points_per_budget=7)
>>> rep = isoflop_qc(d)
>>> rep.n_flagged_points, [b.flag_names for b in rep.budgets]
(0, [[], [], []])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import t as student_t

from scalinglab._validation import check_choice, check_int

__all__ = [
    "CURVATURE_T",
    "OFF_CENTRE_EDGE",
    "OUTLIER_ALPHA",
    "OUTLIER_FLOOR",
    "QC_FLAGS",
    "BudgetQC",
    "QCFlag",
    "QCReport",
    "apply_qc",
    "isoflop_qc",
]

QC_FLAGS = ("duplicates", "outliers", "too_few_points", "weak_curvature", "off_centre")
#: Family-wise false-alarm probability of the outlier test per budget (Bonferroni).
OUTLIER_ALPHA = 0.01
#: Smallest outlier error, as a fraction of the budget's median loss.
OUTLIER_FLOOR = 1e-4
#: Smallest t-statistic of the parabola curvature.
CURVATURE_T = 3.0
#: The vertex must lie in [OFF_CENTRE_EDGE, 1 − OFF_CENTRE_EDGE] of the sampled range.
OFF_CENTRE_EDGE = 0.2
_MIN_OUTLIER_ROWS = 6
#: Which flags remove rows for which method ("all": every method).
_ACTIONS = {
    "duplicates": "exclude_rows",
    "outliers": "exclude_rows",
    "too_few_points": "exclude_budget",
    "weak_curvature": "exclude_budget_approach2",
    "off_centre": "exclude_budget_approach2",  # or "warn" when the vertex is inside
}


@dataclass(frozen=True)
class QCFlag:
    """One flag on one budget: its name, what it concerns and what is done."""

    name: str
    rows: tuple[int, ...]
    action: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rows": list(self.rows),
            "action": self.action,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class BudgetQC:
    """The checks of one compute budget."""

    C: float
    rows: tuple[int, ...]
    flags: tuple[QCFlag, ...]
    curvature_t: float
    vertex_position: float

    @property
    def flag_names(self) -> list[str]:
        return [f.name for f in self.flags]

    def to_dict(self) -> dict[str, Any]:
        return {
            "C": self.C,
            "n_points": len(self.rows),
            "flags": [f.to_dict() for f in self.flags],
            "curvature_t": self.curvature_t,
            "vertex_position": self.vertex_position,
        }


@dataclass(frozen=True)
class QCReport:
    """Per-budget QC of IsoFLOP data (row indices refer to the data that was checked)."""

    budgets: tuple[BudgetQC, ...]
    n_rows: int
    settings: dict[str, float] = field(default_factory=dict)

    def excluded(self, method: str = "approach2") -> np.ndarray:
        """Boolean mask of the rows a method should leave out.

        Row-level flags and ``too_few_points`` apply to every method; ``weak_curvature``
        and an out-of-range ``off_centre`` only to Approach 2 (they concern the parabola
        vertex, not the data).
        """
        check_choice(method, "method", "QCReport.excluded", ("approach2", "surface"))
        out = np.zeros(self.n_rows, dtype=bool)
        for b in self.budgets:
            for f in b.flags:
                if f.action == "exclude_rows" or f.action == "exclude_budget":
                    out[list(f.rows)] = True
                elif f.action == "exclude_budget_approach2" and method == "approach2":
                    out[list(f.rows)] = True
        return out

    def passing(self, method: str = "approach2") -> np.ndarray:
        """Indices of the rows that pass, for ``method`` (``approach2`` or ``surface``)."""
        return np.nonzero(~self.excluded(method))[0]

    @property
    def flagged(self) -> np.ndarray:
        """Boolean mask of every row named by any flag (warnings included)."""
        out = np.zeros(self.n_rows, dtype=bool)
        for b in self.budgets:
            for f in b.flags:
                out[list(f.rows)] = True
        return out

    @property
    def n_flagged_points(self) -> int:
        return int(np.sum(self.flagged))

    def to_dict(self) -> dict[str, Any]:
        return {
            "budgets": [b.to_dict() for b in self.budgets],
            "n_flagged_points": self.n_flagged_points,
            "n_excluded_approach2": int(np.sum(self.excluded("approach2"))),
            "n_excluded_surface": int(np.sum(self.excluded("surface"))),
            "settings": dict(self.settings),
        }


def _parabola(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Least-squares coefficients (centred x) and their covariance (None without dof)."""
    xc = x - x.mean()
    X = np.stack([np.ones_like(xc), xc, xc * xc], axis=1)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    dof = x.size - 3
    if dof <= 0:
        return coef, None
    resid = y - X @ coef
    s2 = float(resid @ resid) / dof
    try:
        cov = s2 * np.linalg.inv(X.T @ X)
    except np.linalg.LinAlgError:
        return coef, None
    return coef, cov


def _loo_scores(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Externally studentised prediction errors of the parabola, and their dof.

    For every row i the parabola is fitted to the other n − 1 rows (residual standard
    deviation s_(i), n − 4 degrees of freedom); e_i is its error at row i and
    ``t_i = e_i / (s_(i)·sqrt(1 + x_iᵀ(XᵀX)⁻¹x_i))`` is Student-t distributed with
    n − 4 dof when the errors are Gaussian (e.g. Cook & Weisberg 1982, §2.2.2). Scoring
    each row against a fit that excludes it avoids masking by the row's own influence.
    Returns ``(e, t)``.
    """
    n = x.size
    err = np.empty(n)
    t = np.empty(n)
    for i in range(n):
        m = np.arange(n) != i
        mu = x[m].mean()
        xc = x[m] - mu
        X = np.stack([np.ones_like(xc), xc, xc * xc], axis=1)
        coef, *_ = np.linalg.lstsq(X, y[m], rcond=None)
        r = y[m] - X @ coef
        s2 = float(r @ r) / max(m.sum() - 3, 1)
        d = x[i] - mu
        xi = np.array([1.0, d, d * d])
        lev = float(xi @ np.linalg.solve(X.T @ X, xi))
        err[i] = y[i] - float(xi @ coef)
        se = np.sqrt(s2 * (1.0 + lev))
        t[i] = err[i] / se if se > 0 else (np.inf if err[i] != 0 else 0.0)
    return err, t


def _check_budget(
    C: float,
    rows: np.ndarray,
    N: np.ndarray,
    loss: np.ndarray,
    min_points: int,
    t_min: float,
    edge: float,
) -> BudgetQC:
    flags: list[QCFlag] = []
    x_all = np.log10(N[rows])
    key = np.round(np.log(N[rows]) * 1e9)
    _, first = np.unique(key, return_index=True)
    dup_mask = np.ones(rows.size, dtype=bool)
    dup_mask[first] = False
    if np.any(dup_mask):
        flags.append(
            QCFlag(
                "duplicates",
                tuple(int(i) for i in rows[dup_mask]),
                "exclude_rows",
                f"{int(dup_mask.sum())} repeated row(s) of the same N (the first is kept)",
            )
        )
    keep = ~dup_mask
    # Outliers: one at a time, the worst leave-one-out error first.
    out_rows: list[int] = []
    while np.sum(keep) >= _MIN_OUTLIER_ROWS:
        idx = np.nonzero(keep)[0]
        e, t = _loo_scores(x_all[idx], loss[rows[idx]])
        floor = OUTLIER_FLOOR * float(np.median(loss[rows[idx]]))
        crit = float(student_t.ppf(1.0 - OUTLIER_ALPHA / (2.0 * idx.size), idx.size - 4))
        score = np.where(np.abs(e) > floor, np.abs(t), 0.0)
        xs = x_all[idx]
        score[(xs <= xs.min()) | (xs >= xs.max())] = 0.0  # extrapolated: not tested
        j = int(np.argmax(score))
        if score[j] > crit:
            out_rows.append(int(rows[idx[j]]))
            keep[idx[j]] = False
        else:
            break
    if out_rows:
        flags.append(
            QCFlag(
                "outliers",
                tuple(sorted(out_rows)),
                "exclude_rows",
                f"{len(out_rows)} row(s) whose leave-one-out parabola error fails the "
                f"Bonferroni t-test at {OUTLIER_ALPHA:g}",
            )
        )
    idx = np.nonzero(keep)[0]
    t_stat, u = float("nan"), float("nan")
    budget_rows = tuple(int(i) for i in rows[idx])
    if idx.size < min_points:
        flags.append(
            QCFlag(
                "too_few_points",
                budget_rows,
                "exclude_budget",
                f"{idx.size} usable row(s), fewer than {min_points}",
            )
        )
        return BudgetQC(float(C), tuple(int(i) for i in rows), tuple(flags), t_stat, u)
    x, y = x_all[idx], loss[rows[idx]]
    coef, cov = _parabola(x, y)
    c2 = float(coef[2])
    se = float(np.sqrt(cov[2, 2])) if cov is not None else float("nan")
    t_stat = c2 / se if se > 0 else (np.inf if c2 > 0 else -np.inf)
    if not t_stat >= t_min:
        flags.append(
            QCFlag(
                "weak_curvature",
                budget_rows,
                "exclude_budget_approach2",
                f"curvature t = {t_stat:.3g} < {t_min:g} (no reliable parabola minimum)",
            )
        )
    if c2 > 0:
        vertex = float(x.mean() - coef[1] / (2.0 * c2))
        u = (vertex - float(x.min())) / max(float(np.ptp(x)), 1e-300)
        if not (0.0 <= u <= 1.0):
            flags.append(
                QCFlag(
                    "off_centre",
                    budget_rows,
                    "exclude_budget_approach2",
                    f"parabola minimum at {u:.2f} of the sampled log10 N range (outside it)",
                )
            )
        elif u < edge or u > 1.0 - edge:
            flags.append(
                QCFlag(
                    "off_centre",
                    budget_rows,
                    "warn",
                    f"parabola minimum at {u:.2f} of the sampled log10 N range "
                    f"(outside [{edge:g}, {1 - edge:g}])",
                )
            )
    return BudgetQC(float(C), tuple(int(i) for i in rows), tuple(flags), float(t_stat), u)


def isoflop_qc(
    data: Any,
    *,
    min_points: int = 5,
    curvature_t: float = CURVATURE_T,
    off_centre_edge: float = OFF_CENTRE_EDGE,
) -> QCReport:
    """Run the five QC rules (module docstring) on every compute budget of ``data``.

    Parameters
    ----------
    data : ScalingData
        Runs grouped into budgets (``data.group``, ``data.budgets``).
    min_points : int
        Fewest usable rows a budget needs (``too_few_points``).
    curvature_t, off_centre_edge : float
        Thresholds of ``weak_curvature`` and ``off_centre``.

    Returns
    -------
    QCReport

    Examples
    --------
    A repeated row and a corrupted loss in one budget:

    >>> import numpy as np
    >>> from scalinglab.laws.forms import ChinchillaSurface
    >>> from scalinglab.laws.io import from_arrays
    >>> from scalinglab.laws.synthetic import isoflop_sample
    >>> t = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    >>> d = isoflop_sample(t, [1e18, 1e19], grid_width=0.5, points_per_budget=9)
    >>> loss = d.loss.copy(); loss[3] += 0.05
    >>> bad = from_arrays(N=np.r_[d.N, d.N[:1]], D=np.r_[d.D, d.D[:1]],
    ...                   loss=np.r_[loss, d.loss[:1]])
    >>> rep = isoflop_qc(bad)
    >>> [(f.name, f.rows) for b in rep.budgets for f in b.flags]
    [('duplicates', (18,)), ('outliers', (3,))]
    """
    min_points = check_int(min_points, "min_points", "isoflop_qc", low=3)
    N = np.asarray(data.N, dtype=float)
    loss = np.asarray(data.loss, dtype=float)
    budgets = []
    for g, C in enumerate(np.asarray(data.budgets, dtype=float)):
        rows = np.nonzero(np.asarray(data.group) == g)[0]
        budgets.append(
            _check_budget(float(C), rows, N, loss, min_points, curvature_t, off_centre_edge)
        )
    settings = {
        "min_points": float(min_points),
        "outlier_alpha": OUTLIER_ALPHA,
        "outlier_floor": OUTLIER_FLOOR,
        "curvature_t": float(curvature_t),
        "off_centre_edge": float(off_centre_edge),
    }
    return QCReport(tuple(budgets), int(loss.size), settings)


def apply_qc(data: Any, report: QCReport, method: str = "approach2") -> Any:
    """The rows of ``data`` that pass ``report`` for ``method``, regrouped into budgets.

    ``method`` is ``"approach2"`` (every exclusion) or ``"surface"`` (row flags and
    ``too_few_points`` only). Budgets left without rows disappear.

    Examples
    --------
    >>> import numpy as np
    >>> from scalinglab.laws.io import load_llama3
    >>> d = load_llama3()
    >>> rep = isoflop_qc(d)
    >>> apply_qc(d, rep, "approach2").budgets.size, apply_qc(d, rep, "surface").n_points
    (9, 133)
    """
    from scalinglab.laws.io import ScalingData

    check_choice(method, "method", "apply_qc", ("approach2", "surface"))
    idx = report.passing(method)
    weight = getattr(data, "weight", None)
    return ScalingData(
        N=data.N[idx],
        D=data.D[idx],
        C=data.C[idx],
        loss=data.loss[idx],
        k=data.k,
        source=data.source,
        columns=data.columns,
        weight=None if weight is None else weight[idx],
    )
