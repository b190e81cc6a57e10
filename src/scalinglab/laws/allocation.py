"""Compute-optimal allocation and the cost of a misallocation.

An allocation law maps a budget C to (N, D) with k·N·D = C. Given a reference surface
taken as the truth, a plan that uses N_plan(C) instead of N*(C) reaches a higher loss.
Two ways to price that (Czech et al. 2026, arXiv 2603.22339, §"Llama 3"):

* **wasted fraction** ``1 − C_eff/C``, where C_eff is the compute with which the optimal
  allocation already reaches the plan's loss: ``L*(C_eff) = L(N_plan, C/(k·N_plan))``,
  solved in closed form from ``L*(C) = E + K·(C/k)^(−γ)`` (see
  :mod:`scalinglab.laws.forms`). This is the "share of the budget wasted" figure.
* **extra compute fraction** ``C'/C − 1``: how much more compute the plan's own
  allocation rule needs to reach the loss the optimum reaches at C,
  ``L(N_plan(C'), C'/(k·N_plan(C'))) = L*(C)`` (solved by bracketing in log C').
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from scalinglab._validation import check_real
from scalinglab.laws.forms import AllocationLaw, ChinchillaSurface

__all__ = ["Allocation", "MisallocationCost", "allocate", "misallocation_cost"]


@dataclass(frozen=True)
class Allocation:
    """Model size and tokens for one budget (``loss`` is NaN when no surface is known)."""

    C: float
    N_opt: float
    D_opt: float
    tokens_per_param: float
    loss: float

    def to_dict(self) -> dict[str, float]:
        return {
            "C": self.C,
            "N_opt": self.N_opt,
            "D_opt": self.D_opt,
            "tokens_per_param": self.tokens_per_param,
            "loss": self.loss,
        }


def allocate(law: AllocationLaw, budgets: np.ndarray | list[float]) -> list[Allocation]:
    """N*(C), D*(C) and tokens per parameter at each budget.

    ``law`` is a fitted surface or frontier; with a surface the predicted loss
    ``L(N*, D*)`` is included.
    """
    C = np.atleast_1d(np.asarray(budgets, dtype=float))
    n, d = np.atleast_1d(law.n_opt(C)), np.atleast_1d(law.d_opt(C))
    surface = getattr(law, "surface", law if isinstance(law, ChinchillaSurface) else None)
    loss = surface.loss(n, d) if surface is not None else np.full(C.shape, np.nan)
    return [
        Allocation(float(c), float(ni), float(di), float(di / ni), float(li))
        for c, ni, di, li in zip(C, n, d, loss, strict=True)
    ]


@dataclass(frozen=True)
class MisallocationCost:
    """What a plan loses against the optimum of a reference surface at budget C."""

    C: float
    N_plan: float
    D_plan: float
    N_opt: float
    D_opt: float
    loss_plan: float
    loss_opt: float
    wasted_fraction: float
    extra_compute_fraction: float

    def to_dict(self) -> dict[str, float]:
        return dict(vars(self))


def misallocation_cost(
    truth: ChinchillaSurface, plan: AllocationLaw, C: float, *, max_factor: float = 1e6
) -> MisallocationCost:
    """Price the plan ``N_plan(C)`` against the optimum of ``truth`` at budget ``C``.

    Parameters
    ----------
    truth : ChinchillaSurface
        The surface taken as correct (its ``k`` converts compute to N·D).
    plan : AllocationLaw
        The allocation rule being priced; only ``plan.n_opt`` is used, D follows from
        ``D = C/(k·N)`` so the plan spends exactly the budget.
    C : float
        Budget in FLOPs.
    max_factor : float
        Largest C'/C searched for the extra compute (∞ reported beyond it).

    Returns
    -------
    MisallocationCost
        Both prices (see the module docstring); zero for the optimal plan.
    """
    C = check_real(C, "C", "misallocation_cost", low=0.0, low_open=True)
    k = truth.k

    def plan_loss(c: float) -> float:
        n = float(np.asarray(plan.n_opt(c)))
        return float(truth.loss(n, c / (k * n)))

    n_plan = float(np.asarray(plan.n_opt(C)))
    d_plan = C / (k * n_plan)
    loss_plan = plan_loss(C)
    loss_opt = float(truth.loss_opt(C))
    c_eff = float(truth.compute_for_loss(loss_plan))
    wasted = 1.0 - c_eff / C if np.isfinite(c_eff) else 1.0
    target = loss_opt

    def gap(log_c: float) -> float:
        return plan_loss(float(np.exp(log_c))) - target

    if loss_plan <= target:
        extra = 0.0
    elif gap(np.log(C * max_factor)) > 0:
        extra = float("inf")
    else:
        root = brentq(gap, np.log(C), np.log(C * max_factor), xtol=1e-14, rtol=1e-14)
        extra = float(np.exp(root) / C - 1.0)
    return MisallocationCost(
        C=C,
        N_plan=n_plan,
        D_plan=d_plan,
        N_opt=float(truth.n_opt(C)),
        D_opt=float(truth.d_opt(C)),
        loss_plan=loss_plan,
        loss_opt=loss_opt,
        wasted_fraction=max(0.0, wasted),
        extra_compute_fraction=extra,
    )
