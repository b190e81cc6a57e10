"""Learning curves of the MRS model: simulation points and the theory line, in one call.

A learning curve varies one size (samples T at fixed features N, or N at fixed T) over a
grid, simulates each point (mean ± standard error over seeds) and evaluates the theory on a
dense grid for the line: ridgeless, MRS eq. (163) with Δ₋₁ from (164) plus the noise term of
App. B (253)–(254); at the optimal ridge, the paper's fit (172)/(185). A finite ridge γ > 0
has no MRS formula, so the curve then has simulation points only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from scalinglab._types import ProgressFn
from scalinglab._validation import InputError, check_choice, check_int, parse_ridge
from scalinglab.models.mrs import theory
from scalinglab.models.mrs.model import MRSConfig, predict, simulate

__all__ = ["MRSCurve", "curve_grid", "learning_curve"]

DENSE_POINTS = 300  # points of the theory line (log-spaced, rounded to integers)


def curve_grid(
    values: str | Sequence[int] | None = None,
    start: int = 10,
    stop: int = 3000,
    points: int = 12,
) -> list[int]:
    """Sizes of a learning curve: explicit ``values`` or ``points`` log-spaced integers.

    Parameters
    ----------
    values : str, sequence of int, or None
        Explicit sizes (``"10,100,1000"`` or a list); each must be an integer >= 1.
    start, stop, points : int
        Otherwise a log grid from ``start`` to ``stop`` with ``points`` points (duplicates
        after rounding are dropped).

    Examples
    --------
    >>> curve_grid("10, 100 1000")
    [10, 100, 1000]
    >>> curve_grid(start=10, stop=1000, points=3)
    [10, 100, 1000]
    """
    if values is not None and not (isinstance(values, str) and not values.strip()):
        items = values.replace(",", " ").split() if isinstance(values, str) else list(values)
        out: list[int] = []
        for v in items:
            try:
                f = float(v)
            except (TypeError, ValueError):
                raise InputError(
                    f"The 'values' parameter of the learning curve must be integers >= 1. "
                    f"Got {values!r} instead."
                ) from None
            if not np.isfinite(f) or f < 1 or not float(f).is_integer():
                raise InputError(
                    f"The 'values' parameter of the learning curve must be integers >= 1. "
                    f"Got {v!r} instead."
                )
            out.append(int(f))
        return out
    check_int(points, "points", "the learning curve", low=2)
    check_int(start, "start", "the learning curve", low=1)
    check_int(stop, "stop", "the learning curve", low=start + 1)
    return sorted({round(float(v)) for v in np.geomspace(start, stop, points)})


@dataclass
class MRSCurve:
    """A learning curve: simulated points and the theory line (None at a finite ridge)."""

    vary: str
    fixed_name: str
    fixed: int
    grid: list[int]
    points: list[dict[str, Any]]
    theory_x: np.ndarray | None
    theory_y: np.ndarray | None
    theory_label: str | None
    configs: list[MRSConfig] = field(repr=False, default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"vary": self.vary, "points": self.points}


def _theory_line(
    vary: str,
    fixed: int,
    dense: np.ndarray,
    base: dict[str, Any],
    ridge: float | str,
) -> np.ndarray | None:
    if ridge == 0.0:
        cfg0 = _config(vary, fixed, int(dense[0]), base)
        lam = cfg0.latent_spectrum()
        n_arr = np.full(dense.shape, fixed) if vary == "samples" else dense
        t_arr = dense if vary == "samples" else np.full(dense.shape, fixed)
        line = theory.label_term_curve(n_arr, t_arr, lam, base["teacher_var"])
        if base["noise_var"] > 0:
            line = line + np.array(
                [
                    0.5
                    * base["noise_var"]
                    * theory.noise_coefficient(int(n), int(t), lam, cfg0.alpha)
                    for n, t in zip(n_arr, t_arr, strict=True)
                ]
            )
        return np.array([v if np.isfinite(v) else np.nan for v in line])
    if ridge == "opt":
        ys = []
        for v in dense:
            p = predict(_config(vary, fixed, int(v), base), ridge="opt")
            ys.append(p.loss if p.loss is not None else np.nan)
        return np.array(ys)
    return None


def _config(vary: str, fixed: int, v: int, base: dict[str, Any]) -> MRSConfig:
    sizes = (
        {"features": fixed, "samples": v}
        if vary == "samples"
        else {"features": v, "samples": fixed}
    )
    return MRSConfig(**base, **sizes)


def learning_curve(
    vary: Literal["samples", "features"],
    *,
    latent_dim: int,
    alpha: float,
    fixed: int,
    grid: Sequence[int],
    seeds: int = 3,
    seed: int = 0,
    ridge: float | str = 0.0,
    lambda_plus: float = 1.0,
    teacher_var: float = 1.0,
    feature_var: float = 1.0,
    noise_var: float = 0.0,
    progress: ProgressFn | None = None,
) -> MRSCurve:
    """Simulate an MRS learning curve and evaluate its theory line.

    Parameters
    ----------
    vary : {"samples", "features"}
        The size on the x axis; the other one is held at ``fixed``.
    latent_dim, alpha, lambda_plus, teacher_var, feature_var, noise_var
        The :class:`MRSConfig` fields (M, α, λ₊, σ_w², σ_u², σ_ε²).
    fixed : int
        N when varying samples, T when varying features.
    grid : sequence of int
        Values of the varied size (see :func:`curve_grid`).
    seeds, seed : int
        Seeds per point; point ``i`` uses root seed ``seed + i``.
    ridge : float >= 0 or "opt"
        0: ridgeless (theory eq. 163); "opt": optimal ridge (fit 172/185); γ > 0: no line.
    progress : callable(done, total), optional
        Called after each point.

    Returns
    -------
    MRSCurve
        ``points`` rows hold the varied and fixed sizes, ``loss_mean``, ``loss_sem``,
        ``label_mean``, ``noise_mean`` and ``theory`` (the prediction at that point, None
        at a finite ridge).

    Examples
    --------
    >>> c = learning_curve("samples", latent_dim=200, alpha=1.0, fixed=20, grid=[10, 40],
    ...                    seeds=2)
    >>> [p["samples"] for p in c.points], c.theory_label
    ([10, 40], 'theory (163)')
    """
    check_choice(vary, "vary", "the learning curve", ("samples", "features"))
    fixed_name = "features" if vary == "samples" else "samples"
    fixed = check_int(fixed, fixed_name, "the learning curve", low=1)
    ridge_value = parse_ridge(ridge, "ridge", "the learning curve")
    check_int(seeds, "seeds", "the learning curve", low=1)
    grid = [check_int(v, vary, "the learning curve", low=1) for v in grid]
    if not grid:
        raise InputError("The learning curve needs at least one value of the varied size.")
    base = dict(
        latent_dim=latent_dim,
        alpha=alpha,
        lambda_plus=lambda_plus,
        teacher_var=teacher_var,
        feature_var=feature_var,
        noise_var=noise_var,
    )
    configs = [_config(vary, fixed, v, base) for v in grid]  # validates before any work
    rows: list[dict[str, Any]] = []
    for i, cfg in enumerate(configs):
        sim = simulate(cfg, seeds=seeds, seed=seed + i, ridge=ridge_value)
        pred = predict(cfg, ridge=ridge_value if ridge_value == "opt" else 0.0)
        rows.append(
            {
                vary: grid[i],
                fixed_name: fixed,
                "loss_mean": sim.loss_mean,
                "loss_sem": sim.loss_sem,
                "label_mean": sim.label_mean,
                "noise_mean": sim.noise_mean,
                "theory": pred.loss if ridge_value in (0.0, "opt") else None,
            }
        )
        if progress is not None:
            progress(i + 1, len(grid))
    dense = np.unique(np.geomspace(min(grid), max(grid), DENSE_POINTS).round().astype(int))
    line = _theory_line(vary, fixed, dense, base, ridge_value)
    label = None
    if line is not None:
        label = "theory (163)" if ridge_value == 0.0 else "fit (172)/(185)"
    return MRSCurve(
        vary=vary,
        fixed_name=fixed_name,
        fixed=fixed,
        grid=list(grid),
        points=rows,
        theory_x=dense.astype(float) if line is not None else None,
        theory_y=line,
        theory_label=label,
        configs=configs,
    )
