"""One entry point for every fitting method, with each method's default objective."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scalinglab._validation import check_choice
from scalinglab.laws.approach1 import fit_approach1
from scalinglab.laws.approach2 import fit_approach2
from scalinglab.laws.approach3 import fit_approach3
from scalinglab.laws.diagnostics import check_design, refused_surface_fit, review_surface_fit
from scalinglab.laws.io import ScalingData
from scalinglab.laws.objectives import HUBER_DELTA_HOFFMANN, Objective
from scalinglab.laws.results import FrontierFit, SurfaceFit
from scalinglab.laws.varpro import fit_varpro

__all__ = ["METHODS", "SURFACE_METHODS", "default_objective", "fit_law"]

METHODS = ("approach3", "varpro", "approach2", "approach1")
SURFACE_METHODS = ("approach3", "varpro")
#: Approach 3 follows Hoffmann et al. (log loss); variable projection works where its
#: inner problem is linear (raw loss), as in Czech et al. (2026).
_DEFAULT_SPACE = {"approach3": "log", "varpro": "raw"}


def default_objective(
    method: str,
    kind: str | None = None,
    space: str | None = None,
    delta: float | None = None,
) -> Objective:
    """The objective a method uses when options are left out (Huber, δ = 10⁻³)."""
    check_choice(method, "method", "fit", METHODS)
    return Objective(
        kind=kind or "huber",
        space=space or _DEFAULT_SPACE.get(method, "log"),
        delta=HUBER_DELTA_HOFFMANN if delta is None else delta,
    )


def fit_law(
    data: ScalingData,
    method: str,
    *,
    objective: Objective | None = None,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> SurfaceFit | FrontierFit:
    """Fit ``data`` with ``method`` (``approach3``, ``varpro``, ``approach2``, ``approach1``).

    ``objective`` applies to the surface methods; ``options`` go to the method's function
    (e.g. ``grid_step`` for varpro, ``starts`` for approach3).
    """
    check_choice(method, "method", "fit", METHODS)
    if method in SURFACE_METHODS:
        obj = objective if objective is not None else default_objective(method)
        design = check_design(data)  # degenerate designs never reach an optimiser
        if design[1]:
            return refused_surface_fit(data, method, obj, design)
        if method == "varpro":
            fit = fit_varpro(data, objective=obj, progress=progress, **options)
        else:
            fit = fit_approach3(data, objective=obj, progress=progress, **options)
        return review_surface_fit(fit, data)
    if method == "approach2":
        return fit_approach2(data, **options)
    return fit_approach1(data, **options)
