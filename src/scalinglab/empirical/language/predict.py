"""Predictions from the two statistics: α_D = γ/(2β), the horizon n*(P) and the collapse.

Cagnetta, Raventós, Ganguli & Wyart (2026), arXiv 2602.07488:

* the correlation at lag n is detectable from P tokens once ‖C(n)‖ exceeds the noise
  ∝ P^−½, so the horizon is n*(P) ∝ P^{1/(2β)} (v1 Eq. 4);
* the loss is the conditional entropy at the horizon, L(P) − H_∞ ∝ n*(P)^−γ ∝ P^−γ/(2β),
  so α_D = γ/(2β) (v1 Eq. 8), with σ_α/α = √((σ_γ/γ)² + (σ_β/β)²) for independent errors;
* the per-position losses collapse, L_n(P) − H_∞ = n^−γ ℓ(P/n^{2β}) (v1 Eq. 9).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalinglab._validation import InputError, check_real
from scalinglab.empirical.language.correlations import FLOOR_KAPPA, LagCorrelations
from scalinglab.empirical.language.fits import (
    CorrExponentFit,
    EntropyExponentFit,
    fit_entropy_exponent,
)

__all__ = [
    "CollapseResult",
    "collapse",
    "collapse_coordinates",
    "collapse_scan",
    "fit_data_exponent",
    "horizon_fit",
    "horizon_measured",
    "horizon_table",
    "predict_data_exponent",
]


def predict_data_exponent(
    gamma: float, beta: float, se_gamma: float = 0.0, se_beta: float = 0.0
) -> dict[str, float]:
    """α_D = γ/(2β) with first-order error propagation (Cagnetta et al. 2026, v1 Eq. 8).

    Examples
    --------
    >>> r = predict_data_exponent(0.325, 0.88, 0.003, 0.06)   # TinyStories inputs
    >>> round(r["alpha_D"], 5), round(r["se"], 4)
    (0.18466, 0.0127)
    """
    gamma = check_real(gamma, "gamma", "predict_data_exponent", low=0.0, low_open=True)
    beta = check_real(beta, "beta", "predict_data_exponent", low=0.0, low_open=True)
    se_gamma = check_real(se_gamma, "se_gamma", "predict_data_exponent", low=0.0)
    se_beta = check_real(se_beta, "se_beta", "predict_data_exponent", low=0.0)
    alpha = gamma / (2.0 * beta)
    rel = float(np.hypot(se_gamma / gamma, se_beta / beta))
    return {
        "alpha_D": alpha,
        "se": alpha * rel,
        "ci_low": alpha * (1.0 - 1.959964 * rel),
        "ci_high": alpha * (1.0 + 1.959964 * rel),
        "gamma": gamma,
        "beta": beta,
        "se_gamma": se_gamma,
        "se_beta": se_beta,
    }


def horizon_fit(
    tokens: np.ndarray | float, fit: CorrExponentFit, floor_scale: float, kappa: float = FLOOR_KAPPA
) -> np.ndarray:
    """n*(P) from the fitted law: the lag where A n^−β falls to κ·c/√P.

    ``floor_scale`` is c = floor·√P (the noise floor of the same norm at one token), so
    n*(P) = (A√P/(κc))^{1/β} ∝ P^{1/(2β)} (Cagnetta et al. 2026, v1 Eq. 4).

    Examples
    --------
    >>> f = CorrExponentFit(0.5, 0.0, (0.5, 0.5), 1.0, (1, 8), 4, "op", "converged", "")
    >>> horizon_fit(np.array([4.0, 16.0]), f, floor_scale=1.0, kappa=1.0).tolist()
    [4.0, 16.0]
    """
    p = np.asarray(tokens, dtype=np.float64)
    return (fit.amplitude * np.sqrt(p) / (kappa * floor_scale)) ** (1.0 / fit.beta)


def horizon_measured(
    corr: LagCorrelations,
    tokens: np.ndarray | float,
    *,
    norm: str = "op",
    kappa: float = FLOOR_KAPPA,
) -> np.ndarray:
    """n*(P) from the measured norms: the last lag of the leading run with ‖Ĉ(n)‖ ≥ κ·floor(P).

    The norms are the ones measured on the whole corpus; the floor is rescaled to P tokens
    (floor ∝ P^−½). Meaningful for P up to the corpus size (beyond it the norms themselves
    would be measured better). Returns 0 where even the first lag is below the floor.

    Examples
    --------
    >>> lags = np.array([1, 2, 4])
    >>> v, fl = np.array([0.1, 0.05, 0.02]), np.full(3, 0.01)
    >>> c = LagCorrelations(lags, v, v, v, v, fl, fl, fl, 10_000, 10, "uniform", 1)
    >>> horizon_measured(c, np.array([100.0, 10_000.0]), kappa=1.5).tolist()
    [0, 4]
    """
    values = corr.norm(norm)
    floor = corr.floor(norm)
    out = []
    for p in np.atleast_1d(np.asarray(tokens, dtype=np.float64)):
        above = np.isfinite(values) & (values >= kappa * floor * np.sqrt(corr.tokens / p))
        run = above.size if np.all(above) else int(np.argmin(above))
        out.append(int(corr.lags[run - 1]) if run > 0 else 0)
    return np.array(out, dtype=np.int64)


def horizon_table(
    corr: LagCorrelations,
    fit: CorrExponentFit,
    tokens: np.ndarray,
    *,
    kappa: float = FLOOR_KAPPA,
) -> list[dict[str, float | int | None]]:
    """Rows ``{"tokens", "n_star_fit", "n_star_measured"}`` (measured only for P ≤ corpus).

    Examples
    --------
    >>> lags = np.array([1, 2, 4, 8])
    >>> vals = 0.1 * lags**-1.0
    >>> fl = np.full(4, 0.001)
    >>> c = LagCorrelations(lags, vals, vals, vals, vals, fl, fl, fl, 10_000, 10, "uniform", 1)
    >>> f = CorrExponentFit(1.0, 0.0, (1.0, 1.0), 0.1, (1, 8), 4, "op", "converged", "")
    >>> [r["n_star_measured"] for r in horizon_table(c, f, np.array([1e4, 1e6]))]
    [8, None]
    """
    floor = corr.floor(fit.norm)
    scale = float(np.median(floor * np.sqrt(corr.tokens)))
    fitted = horizon_fit(tokens, fit, scale, kappa)
    rows: list[dict[str, float | int | None]] = []
    for p, nf in zip(np.asarray(tokens, dtype=np.float64), fitted, strict=True):
        meas = (
            int(horizon_measured(corr, p, norm=fit.norm, kappa=kappa)[0])
            if p <= corr.tokens
            else None
        )
        rows.append({"tokens": float(p), "n_star_fit": float(nf), "n_star_measured": meas})
    return rows


def collapse_coordinates(
    tokens: np.ndarray, n: np.ndarray, loss: np.ndarray, *, gamma: float, beta: float, h_inf: float
) -> tuple[np.ndarray, np.ndarray]:
    """The collapse map (P, L_n) → (P/n^{2β}, n^γ (L_n − H_∞)) (Cagnetta et al., v1 Eq. 9).

    Examples
    --------
    >>> x, y = collapse_coordinates(np.array([400.0]), np.array([2.0]), np.array([1.5]),
    ...                             gamma=0.5, beta=1.0, h_inf=1.0)
    >>> x.tolist(), y.round(6).tolist()
    ([100.0], [0.707107])
    """
    p = np.asarray(tokens, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    ll = np.asarray(loss, dtype=np.float64)
    return p / nn ** (2.0 * beta), nn**gamma * (ll - h_inf)


@dataclass(frozen=True)
class CollapseResult:
    """Rescaled points and how well the curves of different n fall on one curve.

    Attributes
    ----------
    x, y : ndarray
        P/n^{2β} and n^γ(L_n − H_∞) per input row.
    n : ndarray
        Context position of each row.
    residual : float
        Root-mean-square difference in log y between every curve and every other curve
        interpolated (linearly in log x) at its points, over the overlapping x range.
    spread : float
        The same rms of log y around its overall mean (what the residual is compared with).
    score : float
        1 − residual²/spread² (1 = perfect collapse, ≤ 0 = no better than no rescaling).
    pairs : int
        Number of point comparisons behind the residual.
    """

    x: np.ndarray
    y: np.ndarray
    n: np.ndarray
    residual: float
    spread: float
    score: float
    pairs: int

    def to_dict(self) -> dict[str, object]:
        """Fields for JSON."""
        return {
            "residual": self.residual,
            "spread": self.spread,
            "score": self.score,
            "pairs": self.pairs,
            "x": self.x,
            "y": self.y,
            "n": self.n,
        }


def collapse(
    tokens: np.ndarray,
    n: np.ndarray,
    loss: np.ndarray,
    *,
    gamma: float,
    beta: float,
    h_inf: float,
) -> CollapseResult:
    """Apply the collapse map to a table of L_n(P) and score the collapse.

    Each distinct n is one curve y(x). The residual compares every pair of curves on their
    common x range by linear interpolation in log x of log y, so curves that are the same
    function ℓ sampled at the same rescaled points give a residual of zero (rounding only).

    Examples
    --------
    >>> ell = lambda x: 1.0 + x**-0.5
    >>> xs = np.array([1.0, 10.0, 100.0])
    >>> ns = np.repeat([1.0, 2.0, 4.0], 3)
    >>> ps = np.tile(xs, 3) * ns**1.6
    >>> ls = 2.0 + ns**-0.3 * ell(np.tile(xs, 3))
    >>> r = collapse(ps, ns, ls, gamma=0.3, beta=0.8, h_inf=2.0)
    >>> r.residual < 1e-12, r.pairs
    (True, 18)
    """
    gamma = check_real(gamma, "gamma", "collapse", low=0.0)
    beta = check_real(beta, "beta", "collapse", low=0.0, low_open=True)
    h_inf = check_real(h_inf, "h_inf", "collapse")
    p = np.asarray(tokens, dtype=np.float64).ravel()
    nn = np.asarray(n, dtype=np.float64).ravel()
    ll = np.asarray(loss, dtype=np.float64).ravel()
    if not (p.size == nn.size == ll.size) or p.size == 0:
        raise InputError("collapse: tokens, n and loss must be non-empty and of equal length")
    if np.any(p <= 0) or np.any(nn < 1) or not np.all(np.isfinite(ll)):
        raise InputError("collapse: need tokens > 0, n >= 1 and finite losses")
    if np.any(ll <= h_inf):
        raise InputError("collapse: every loss must exceed H_inf (the rescaling takes a log)")
    x, y = collapse_coordinates(p, nn, ll, gamma=gamma, beta=beta, h_inf=h_inf)
    lx, ly = np.log(x), np.log(y)
    curves = []
    for value in np.unique(nn):
        sel = nn == value
        order = np.argsort(lx[sel])
        curves.append((lx[sel][order], ly[sel][order]))
    if len(curves) < 2:
        raise InputError("collapse: the table needs at least two context positions n")
    diffs = []
    for i, (xi, yi) in enumerate(curves):
        for j, (xj, yj) in enumerate(curves):
            if i == j or xj.size < 2:
                continue
            inside = (xi >= xj[0]) & (xi <= xj[-1])
            if np.any(inside):
                diffs.append(yi[inside] - np.interp(xi[inside], xj, yj))
    if not diffs:
        raise InputError("collapse: no two curves overlap in P/n^(2 beta); nothing to compare")
    d = np.concatenate(diffs)
    residual = float(np.sqrt(np.mean(d**2)))
    spread = float(np.std(ly))
    score = 1.0 - residual**2 / spread**2 if spread > 0 else float("nan")
    return CollapseResult(x, y, nn, residual, spread, score, int(d.size))


def collapse_scan(
    tokens: np.ndarray,
    n: np.ndarray,
    loss: np.ndarray,
    *,
    gamma: float,
    h_inf: float,
    betas: np.ndarray | None = None,
    min_overlap: float = 0.5,
) -> dict[str, object]:
    """The β of a grid with the smallest collapse residual among those that keep curves overlapping.

    A large β pushes the curves of different n apart until few points can be compared, and
    a residual over almost no comparisons is meaningless; so only β whose number of
    comparisons is at least ``min_overlap`` × the largest number on the grid are eligible.

    Examples
    --------
    >>> xs = np.geomspace(0.1, 1e3, 7)
    >>> ns = np.repeat([1.0, 2.0, 4.0, 8.0], 7)
    >>> xa = np.tile(xs, 4)
    >>> ls = 2.0 + ns**-0.3 * (0.5 + xa**-0.4)
    >>> collapse_scan(xa * ns**1.8, ns, ls, gamma=0.3, h_inf=2.0)["best_beta"]
    0.9
    """
    grid = np.round(np.arange(0.1, 3.0001, 0.05), 2) if betas is None else np.asarray(betas)
    resid, pairs = [], []
    for b in grid:
        try:
            r = collapse(tokens, n, loss, gamma=gamma, beta=float(b), h_inf=h_inf)
            resid.append(r.residual)
            pairs.append(r.pairs)
        except InputError:
            resid.append(np.inf)
            pairs.append(0)
    resid_a, pairs_a = np.array(resid), np.array(pairs)
    eligible = pairs_a >= min_overlap * pairs_a.max()
    if not np.any(eligible & np.isfinite(resid_a)):
        raise InputError("collapse scan: no beta on the grid lets the curves overlap")
    masked = np.where(eligible, resid_a, np.inf)
    i = int(np.argmin(masked))
    return {
        "best_beta": float(grid[i]),
        "best_residual": float(resid_a[i]),
        "betas": grid,
        "residuals": resid_a,
        "pairs": pairs_a,
    }


def fit_data_exponent(tokens: np.ndarray, loss: np.ndarray) -> EntropyExponentFit:
    """Fit L(P) = L_∞ + B P^−α_D to a model's (training tokens, test loss) runs.

    The same three-parameter least squares as :func:`fit_entropy_exponent` (the exponent is
    reported in the ``gamma`` field, L_∞ in ``h_inf``), on every run in order of P; runs after
    the first one whose loss does not decrease are left out and named in the message.

    Examples
    --------
    >>> p = np.geomspace(1e5, 1e8, 6)
    >>> f = fit_data_exponent(p, 1.8 + 40.0 * p**-0.2)
    >>> round(f.gamma, 4), round(f.h_inf, 4)
    (0.2, 1.8)
    """
    p = np.asarray(tokens, dtype=np.float64).ravel()
    if p.size and np.any(p <= 0):
        raise InputError("data-exponent fit: training tokens must be positive")
    return fit_entropy_exponent(p, np.asarray(loss, dtype=np.float64).ravel())
