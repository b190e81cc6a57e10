"""Approach 2 of Hoffmann et al. (2022, §3.2): IsoFLOP parabolas, then power laws.

For every compute budget C the runs trace an IsoFLOP curve; a parabola of loss in
log10 N is fitted by least squares and its vertex taken as N*(C) (likewise in log10 D
for D*(C)). A parabola that opens downwards, or whose vertex lies outside the sampled
range of the budget, has no interior minimum: that budget is refused and reported, not
silently dropped. Finally ``log10 N* = log10 n_coef + a·log10 C`` (and the same for D*)
by ordinary least squares over the accepted budgets.

The parabola is only a second-order Taylor approximation of
``L(w) = E + P·10^(−αw) + R·10^(βw)`` (w = log10 N/N*); when α ≠ β the curve is
asymmetric and the vertex is biased even without noise (Czech et al. 2026,
arXiv 2603.22339) — see :mod:`scalinglab.laws.synthetic`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import InputError
from scalinglab.laws.diagnostics import partial_status
from scalinglab.laws.forms import PowerLawFrontier
from scalinglab.laws.io import ScalingData
from scalinglab.laws.results import FrontierFit

__all__ = ["BudgetParabola", "Parabola", "fit_approach2", "fit_parabola"]

_MIN_POINTS = 3


@dataclass(frozen=True)
class Parabola:
    """``L = c0 + c1·x + c2·x²`` fitted on x = log10 of N or D, with the sampled x-range."""

    c0: float
    c1: float
    c2: float
    x_min: float
    x_max: float

    @property
    def vertex(self) -> float:
        """``x* = −c1/(2·c2)``."""
        return -self.c1 / (2.0 * self.c2)

    @property
    def has_interior_minimum(self) -> bool:
        """Opens upwards and its vertex lies within the sampled range."""
        return bool(self.c2 > 0 and self.x_min <= self.vertex <= self.x_max)

    def __call__(self, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return self.c0 + self.c1 * x + self.c2 * x * x

    def to_dict(self) -> dict[str, float]:
        return {
            "c0": self.c0,
            "c1": self.c1,
            "c2": self.c2,
            "x_min": self.x_min,
            "x_max": self.x_max,
        }


def fit_parabola(x: np.ndarray, y: np.ndarray) -> Parabola | None:
    """Least-squares parabola through (x, y); None if fewer than three distinct x.

    Solved in the centred variable x − x̄ (conditioning) and converted back.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if np.unique(x).size < _MIN_POINTS:
        return None
    xm = float(np.mean(x))
    xc = x - xm
    X = np.stack([np.ones_like(xc), xc, xc * xc], axis=1)
    (p0, p1, p2), *_ = np.linalg.lstsq(X, y, rcond=None)
    # L = p0 + p1 (x − m) + p2 (x − m)² expanded in powers of x.
    return Parabola(
        c0=float(p0 - p1 * xm + p2 * xm * xm),
        c1=float(p1 - 2.0 * p2 * xm),
        c2=float(p2),
        x_min=float(np.min(x)),
        x_max=float(np.max(x)),
    )


@dataclass(frozen=True)
class BudgetParabola:
    """One IsoFLOP budget: its parabolas and optimum, or why it was refused."""

    C: float
    n_points: int
    accepted: bool
    reason: str
    n_opt: float
    d_opt: float
    loss_opt: float
    parabola_n: Parabola | None
    parabola_d: Parabola | None

    def to_dict(self) -> dict[str, object]:
        return {
            "C": self.C,
            "n_points": self.n_points,
            "accepted": self.accepted,
            "reason": self.reason,
            "N_opt": self.n_opt,
            "D_opt": self.d_opt,
            "loss_opt": self.loss_opt,
            "parabola_log10N": self.parabola_n.to_dict() if self.parabola_n else None,
            "parabola_log10D": self.parabola_d.to_dict() if self.parabola_d else None,
        }


def _refusal(par: Parabola | None, var: str) -> str:
    if par is None:
        return f"fewer than {_MIN_POINTS} distinct {var} values"
    if par.c2 <= 0:
        return f"the parabola in log10 {var} opens downwards (no minimum)"
    return (
        f"the parabola minimum log10 {var} = {par.vertex:.3f} lies outside the sampled "
        f"range [{par.x_min:.3f}, {par.x_max:.3f}]"
    )


def _budget(C: float, N: np.ndarray, D: np.ndarray, L: np.ndarray) -> BudgetParabola:
    pn = fit_parabola(np.log10(N), L)
    pd = fit_parabola(np.log10(D), L)
    reasons = [
        _refusal(p, var)
        for p, var in ((pn, "N"), (pd, "D"))
        if p is None or not p.has_interior_minimum
    ]
    nan = float("nan")
    if reasons:
        return BudgetParabola(C, int(L.size), False, "; ".join(reasons), nan, nan, nan, pn, pd)
    assert pn is not None and pd is not None
    return BudgetParabola(
        C=C,
        n_points=int(L.size),
        accepted=True,
        reason="",
        n_opt=float(10.0**pn.vertex),
        d_opt=float(10.0**pd.vertex),
        loss_opt=float(pn(pn.vertex)),
        parabola_n=pn,
        parabola_d=pd,
    )


def fit_approach2(data: ScalingData) -> FrontierFit:
    """Chinchilla Approach 2 on IsoFLOP data.

    Parameters
    ----------
    data : ScalingData
        Runs grouped into compute budgets (``data.group``); at least two budgets.

    Returns
    -------
    FrontierFit
        ``a``, ``b`` and the coefficients of ``N* = n_coef·C^a``, ``D* = d_coef·C^b``;
        ``details["budgets"]`` lists every budget with its parabolas or the reason it
        was refused. Status ``failed`` when fewer than two budgets are usable,
        ``partial`` when some budgets were refused (the message lists them).
    """
    if data.budgets.size < 2:
        raise InputError(
            f"approach2 needs IsoFLOP data with at least two compute budgets; {data.source} "
            f"has a single budget (C = {data.budgets[0]:.4g})."
        )
    budgets = []
    for g, C in enumerate(data.budgets):
        rows = data.group == g
        budgets.append(_budget(float(C), data.N[rows], data.D[rows], data.loss[rows]))
    ok = [b for b in budgets if b.accepted]
    refused = [b for b in budgets if not b.accepted]
    details = {"budgets": [b.to_dict() for b in budgets], "n_refused": len(refused)}
    nan = float("nan")
    if len(ok) < 2:
        return FrontierFit(
            method="approach2",
            frontier=PowerLawFrontier(nan, nan, nan, nan),
            n_points=data.n_points,
            status=Status.FAILED,
            message=(
                f"only {len(ok)} of {len(budgets)} budgets have an interior parabola minimum; "
                "at least two are needed for the power laws"
            ),
            k=data.k,
            details=details,
        )
    lc = np.log10([b.C for b in ok])
    a, log_n = np.polyfit(lc, np.log10([b.n_opt for b in ok]), 1)
    b_exp, log_d = np.polyfit(lc, np.log10([b.d_opt for b in ok]), 1)
    status, message = Status.CONVERGED, "converged"
    if refused:
        # Some budgets carry no optimum: the power laws rest on the rest only (partial).
        status = partial_status(len(refused), len(budgets))[0]
        message = f"{len(refused)} of {len(budgets)} budgets refused: " + "; ".join(
            f"C = {b.C:.3g}: {b.reason}" for b in refused
        )
    return FrontierFit(
        method="approach2",
        frontier=PowerLawFrontier(
            n_coef=float(10.0**log_n), a=float(a), d_coef=float(10.0**log_d), b=float(b_exp)
        ),
        n_points=data.n_points,
        status=status,
        message=message,
        k=data.k,
        details=details,
    )
