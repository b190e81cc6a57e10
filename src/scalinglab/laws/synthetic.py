"""Synthetic IsoFLOP experiments from a known surface, and the bias table of each method.

The generator samples, at each budget C, ``points_per_budget`` model sizes evenly spaced
in log10 N over ``centre ± grid_width`` decades, with D = C/(k·N) and loss
``L(N, D)·exp(σ·z)`` (z standard normal; σ = 0 gives exact losses). The centre is the
true optimum shifted by ``offset`` decades plus a drift growing linearly in log C from
0 at the smallest budget to ``drift`` decades at the largest. These are the three error
sources of Approach 2 named by Czech et al. (2026, arXiv 2603.22339): the width of the
grid (accuracy of the parabola as a Taylor expansion), off-centre sampling, and α ≠ β.

:func:`bias_table` fits each synthetic data set with every method and reports the error
of the exponent a, of N*(C) and D*(C) at an extrapolation budget, and the share of that
budget the method's plan wastes against the true optimum (:mod:`.allocation`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from scalinglab._types import Status
from scalinglab._validation import check_int, check_real
from scalinglab.laws.allocation import misallocation_cost
from scalinglab.laws.approach2 import fit_approach2
from scalinglab.laws.approach3 import fit_approach3
from scalinglab.laws.forms import DEFAULT_FLOPS_PER_PARAM_TOKEN, ChinchillaSurface
from scalinglab.laws.io import ScalingData, from_arrays
from scalinglab.laws.objectives import Objective
from scalinglab.laws.varpro import fit_varpro

__all__ = [
    "BIAS_METHODS",
    "CHINCHILLA_SURFACE",
    "DEFAULT_BUDGETS",
    "BiasConfig",
    "BiasRow",
    "bias_table",
    "default_bias_configs",
    "isoflop_sample",
    "training_curves",
]

#: Hoffmann et al. (2022), eq. (10): E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28.
CHINCHILLA_SURFACE = ChinchillaSurface(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
#: Five budgets, 1e17 to 1e21 FLOPs.
DEFAULT_BUDGETS = (1e17, 1e18, 1e19, 1e20, 1e21)
BIAS_METHODS = ("approach2", "varpro", "approach3")


def isoflop_sample(
    surface: ChinchillaSurface = CHINCHILLA_SURFACE,
    budgets: Sequence[float] = DEFAULT_BUDGETS,
    *,
    points_per_budget: int = 15,
    grid_width: float = 0.5,
    offset: float = 0.0,
    drift: float = 0.0,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> ScalingData:
    """IsoFLOP runs from a known surface.

    Parameters
    ----------
    surface : ChinchillaSurface
        The truth (its ``k`` sets C = k·N·D).
    budgets : sequence of float
        Compute budgets (FLOPs).
    points_per_budget : int
        Runs per budget (≥ 3).
    grid_width : float
        Half-width of each budget's grid in decades of N.
    offset : float
        Constant shift of every grid centre from the true N*(C), in decades.
    drift : float
        Extra shift growing linearly in log C to ``drift`` decades at the largest budget.
    noise : float
        σ of multiplicative log-normal noise on the loss (0: exact).
    rng : numpy.random.Generator, optional
        Needed when ``noise > 0``.
    """
    n_pts = check_int(points_per_budget, "points_per_budget", "isoflop_sample", low=3)
    w = check_real(grid_width, "grid_width", "isoflop_sample", low=0.0, low_open=True)
    offset = check_real(offset, "offset", "isoflop_sample")
    drift = check_real(drift, "drift", "isoflop_sample")
    noise = check_real(noise, "noise", "isoflop_sample", low=0.0)
    C = np.asarray(budgets, dtype=float)
    lc = np.log10(C)
    span = lc.max() - lc.min()
    frac = (lc - lc.min()) / span if span > 0 else np.zeros_like(lc)
    centre = np.log10(surface.n_opt(C)) + offset + drift * frac
    steps = np.linspace(-w, w, n_pts)
    log_n = centre[:, None] + steps[None, :]
    N = 10.0**log_n
    CC = np.broadcast_to(C[:, None], N.shape)
    D = CC / (surface.k * N)
    loss = surface.loss(N, D)
    if noise > 0:
        if rng is None:
            raise ValueError("isoflop_sample needs rng when noise > 0")
        loss = loss * np.exp(noise * rng.standard_normal(loss.shape))
    return from_arrays(
        N=N.ravel(), D=D.ravel(), C=CC.ravel(), loss=loss.ravel(), k=surface.k, source="synthetic"
    )


def training_curves(
    surface: ChinchillaSurface = CHINCHILLA_SURFACE,
    sizes: Sequence[float] = tuple(np.geomspace(1e7, 1e10, 16)),
    *,
    tokens: tuple[float, float] = (1e8, 1e12),
    checkpoints: int = 40,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> ScalingData:
    """Checkpointed runs for Approach 1: each size N evaluated at log-spaced token counts.

    The loss of a checkpoint is taken to be the surface at (N, tokens seen), i.e. every
    checkpoint behaves like a finished run (a simplification: real intermediate
    checkpoints of a cosine schedule lie above it). Noise as in :func:`isoflop_sample`.
    """
    n_ckpt = check_int(checkpoints, "checkpoints", "training_curves", low=2)
    noise = check_real(noise, "noise", "training_curves", low=0.0)
    N, D = np.meshgrid(
        np.asarray(sizes, dtype=float), np.geomspace(tokens[0], tokens[1], n_ckpt), indexing="ij"
    )
    loss = surface.loss(N, D)
    if noise > 0:
        if rng is None:
            raise ValueError("training_curves needs rng when noise > 0")
        loss = loss * np.exp(noise * rng.standard_normal(loss.shape))
    return from_arrays(N=N.ravel(), D=D.ravel(), loss=loss.ravel(), k=surface.k, source="synthetic")


@dataclass(frozen=True)
class BiasConfig:
    """One synthetic experiment: exponents and sampling design."""

    alpha: float
    beta: float
    grid_width: float
    offset: float = 0.0
    drift: float = 0.0
    label: str = ""


@dataclass(frozen=True)
class BiasRow:
    """A method's errors on one noise-free synthetic experiment."""

    config: BiasConfig
    method: str
    status: str
    a_true: float
    a_est: float
    a_error: float
    n_opt_rel_error: float
    d_opt_rel_error: float
    wasted_fraction: float

    def to_dict(self) -> dict[str, object]:
        c = self.config
        return {
            "label": c.label,
            "alpha": c.alpha,
            "beta": c.beta,
            "grid_width": c.grid_width,
            "offset": c.offset,
            "drift": c.drift,
            "method": self.method,
            "status": self.status,
            "a_true": self.a_true,
            "a_est": self.a_est,
            "a_error": self.a_error,
            "N_opt_rel_error": self.n_opt_rel_error,
            "D_opt_rel_error": self.d_opt_rel_error,
            "wasted_fraction": self.wasted_fraction,
        }


def default_bias_configs(
    alpha: float = 0.34, beta: float = 0.28, grid_width: float = 0.5
) -> list[BiasConfig]:
    """One factor at a time around a baseline (Chinchilla exponents, ±0.5 decade grid).

    Grid width ∈ {0.25, 0.5, 1, 1.5} decades; constant offset ∈ {0.1, 0.3} decades;
    drift 0.3 decades; α/β ∈ {1, 1.8, 3} at fixed α + β.
    """
    base = BiasConfig(alpha, beta, grid_width, label="baseline")
    out = [base]
    out += [
        BiasConfig(alpha, beta, w, label=f"width {w:g}")
        for w in (0.25, 1.0, 1.5)
        if not np.isclose(w, grid_width)
    ]
    out += [
        BiasConfig(alpha, beta, grid_width, offset=o, label=f"offset {o:g}") for o in (0.1, 0.3)
    ]
    out += [BiasConfig(alpha, beta, grid_width, drift=0.3, label="drift 0.3")]
    total = alpha + beta
    for ratio in (1.0, 1.8, 3.0):
        a_ = total * ratio / (1 + ratio)
        out.append(BiasConfig(a_, total - a_, grid_width, label=f"alpha/beta {ratio:g}"))
    return out


def _fit(method: str, data: ScalingData):
    if method == "approach2":
        return fit_approach2(data)
    if method == "varpro":
        return fit_varpro(data, objective=Objective("mse", "raw"), grid_step=0.01)
    return fit_approach3(data)


def bias_table(
    configs: Sequence[BiasConfig] | None = None,
    *,
    alphas: Sequence[float] | None = None,
    betas: Sequence[float] | None = None,
    grid_widths: Sequence[float] | None = None,
    offsets: Sequence[float] | None = None,
    drifts: Sequence[float] | None = None,
    E: float = CHINCHILLA_SURFACE.E,
    A: float = CHINCHILLA_SURFACE.A,
    B: float = CHINCHILLA_SURFACE.B,
    k: float = DEFAULT_FLOPS_PER_PARAM_TOKEN,
    budgets: Sequence[float] = DEFAULT_BUDGETS,
    points_per_budget: int = 15,
    extrapolate_to: float = 1e24,
    methods: Sequence[str] = BIAS_METHODS,
    progress: Callable[[int, int], None] | None = None,
) -> list[BiasRow]:
    """Errors of each method on noise-free synthetic IsoFLOP data.

    Either pass ``configs`` or lists of values: the table is then their Cartesian
    product (a missing list means the baseline value); with neither, the one-factor
    sweeps of :func:`default_bias_configs`.

    Returns
    -------
    list of BiasRow
        ``a_error = a_est − a_true``; relative errors of N*(C), D*(C) at
        ``extrapolate_to``; wasted share of that budget (against the true surface).
    """
    ext = check_real(extrapolate_to, "extrapolate_to", "bias_table", low=0.0, low_open=True)
    lists = (alphas, betas, grid_widths, offsets, drifts)
    if configs is None:
        if all(x is None for x in lists):
            configs = default_bias_configs()
        else:
            configs = [
                BiasConfig(al, be, w, o, dr)
                for al, be, w, o, dr in itertools.product(
                    alphas or (CHINCHILLA_SURFACE.alpha,),
                    betas or (CHINCHILLA_SURFACE.beta,),
                    grid_widths or (0.5,),
                    offsets or (0.0,),
                    drifts or (0.0,),
                )
            ]
    rows: list[BiasRow] = []
    total = len(configs) * len(methods)
    for cfg in configs:
        truth = ChinchillaSurface(E, A, B, cfg.alpha, cfg.beta, k)
        data = isoflop_sample(
            truth,
            budgets,
            points_per_budget=points_per_budget,
            grid_width=cfg.grid_width,
            offset=cfg.offset,
            drift=cfg.drift,
        )
        for method in methods:
            fit = _fit(method, data)
            nan = float("nan")
            if fit.status == Status.FAILED:
                rows.append(BiasRow(cfg, method, str(fit.status), truth.a, nan, nan, nan, nan, nan))
            else:
                cost = misallocation_cost(truth, fit, ext)
                rows.append(
                    BiasRow(
                        config=cfg,
                        method=method,
                        status=str(fit.status),
                        a_true=truth.a,
                        a_est=float(fit.a),
                        a_error=float(fit.a - truth.a),
                        n_opt_rel_error=float(fit.n_opt(ext) / truth.n_opt(ext) - 1.0),
                        d_opt_rel_error=float(fit.d_opt(ext) / truth.d_opt(ext) - 1.0),
                        wasted_fraction=cost.wasted_fraction,
                    )
                )
            if progress is not None:
                progress(len(rows), total)
    return rows
