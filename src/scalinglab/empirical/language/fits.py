"""Power-law fits of correlation decay (β) and of conditional-entropy decay (γ, H_∞).

Both are plain least-squares fits with an explicit window, reported with a standard error and
a 95 % interval from Student's t. Real text is a broken power law (the fitted β moves with the
window by several tenths on Shakespeare and the King James Bible; the paper sets aside a peak
near n ≈ 10 on WikiText), so the window is always part of the result.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from scalinglab._types import Status
from scalinglab._validation import InputError, check_choice, check_real
from scalinglab.empirical.language.correlations import FLOOR_KAPPA, LagCorrelations

__all__ = ["CorrExponentFit", "EntropyExponentFit", "fit_corr_exponent", "fit_entropy_exponent"]

#: Fewest lags a correlation fit accepts.
MIN_FIT_POINTS = 3


@dataclass(frozen=True)
class CorrExponentFit:
    """‖C(n)‖ ≈ A n^−β over a window of lags.

    Attributes
    ----------
    beta, se, ci : float, float, (float, float)
        Exponent, standard error, 95 % interval (t distribution, points − 2 dof).
    amplitude : float
        A (the fitted norm at n = 1).
    window : (int, int)
        First and last lag used.
    points : int
    norm : str
        ``"op"``, ``"fro"`` or ``"fro_debiased"``.
    status : Status
    message : str
    """

    beta: float
    se: float
    ci: tuple[float, float]
    amplitude: float
    window: tuple[int, int]
    points: int
    norm: str
    status: Status
    message: str

    def predict(self, lags: np.ndarray) -> np.ndarray:
        """The fitted line A n^−β."""
        return self.amplitude * np.asarray(lags, dtype=np.float64) ** -self.beta

    def to_dict(self) -> dict[str, object]:
        """Fields for JSON."""
        return {
            "beta": self.beta,
            "se": self.se,
            "ci": list(self.ci),
            "amplitude": self.amplitude,
            "window": list(self.window),
            "points": self.points,
            "norm": self.norm,
            "status": self.status,
            "message": self.message,
        }


def _loglog(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    lx, ly = np.log(x), np.log(y)
    design = np.column_stack([np.ones_like(lx), lx])
    coef, *_ = np.linalg.lstsq(design, ly, rcond=None)
    dof = lx.size - 2
    resid = ly - design @ coef
    s2 = float(resid @ resid) / dof if dof > 0 else float("nan")
    cov = s2 * np.linalg.inv(design.T @ design)
    return float(-coef[1]), float(np.exp(coef[0])), float(np.sqrt(cov[1, 1]))


def fit_corr_exponent(
    corr: LagCorrelations,
    *,
    norm: str = "op",
    window: tuple[int, int] | None = None,
    kappa: float = FLOOR_KAPPA,
) -> CorrExponentFit:
    """Fit ‖C(n)‖ ≈ A n^−β (Cagnetta et al. 2026, v1 Eq. 7) by least squares in log-log.

    Every lag in the window has the same weight (the lags are log-spaced, so each decade
    counts the same). The default window runs from the first lag to the last one of the
    leading run of lags whose norm is at least ``kappa`` × its noise floor (the lags that are
    detectable at this corpus size). The standard error is the OLS one from the scatter about
    the line; it ignores the correlation between lags and the window choice, both of which
    matter more on real text.

    Parameters
    ----------
    corr : LagCorrelations
    norm : {"op", "fro", "fro_debiased"}
    window : (int, int), optional
        Inclusive lag range to fit instead of the automatic one.
    kappa : float
        Detection threshold in units of the floor (default 2).

    Examples
    --------
    >>> lags = np.array([1, 2, 4, 8, 16])
    >>> v, fl = 0.1 * lags**-0.9, np.full(5, 1e-4)
    >>> c = LagCorrelations(lags, v, v, v, v, fl, fl, fl, 10**6, 100, "uniform", 1)
    >>> f = fit_corr_exponent(c)
    >>> round(f.beta, 6), f.window
    (0.9, (1, 16))
    """
    norm = check_choice(norm, "norm", "fit_corr_exponent", ("op", "fro", "fro_debiased"))
    kappa = check_real(kappa, "kappa", "fit_corr_exponent", low=0.0)
    values = corr.norm(norm)
    floor = corr.floor(norm)
    lags = corr.lags
    ok = np.isfinite(values) & (values > 0)
    if window is None:
        above = ok & (values >= kappa * floor)
        if not above[0]:
            raise InputError(
                f"no lag has a correlation above {kappa:g} x the noise floor "
                f"({corr.tokens} tokens are too few); use a larger corpus or smaller lags"
            )
        stop = int(np.argmin(above)) if not np.all(above) else above.size
        sel = np.zeros(lags.size, bool)
        sel[:stop] = True
        chosen = f"lags {int(lags[0])}..{int(lags[stop - 1])} above {kappa:g} x floor"
    else:
        lo, hi = int(window[0]), int(window[1])
        if lo < 1 or hi < lo:
            raise InputError(f"fit window must be 1 <= lo <= hi, got {lo}:{hi}")
        sel = (lags >= lo) & (lags <= hi) & ok
        chosen = f"lags {lo}..{hi} (given)"
    if int(sel.sum()) < MIN_FIT_POINTS:
        raise InputError(
            f"need at least {MIN_FIT_POINTS} lags with a positive {norm} norm in the fit "
            f"window, got {int(sel.sum())} ({chosen})"
        )
    x, y = lags[sel].astype(np.float64), values[sel]
    beta, amp, se = _loglog(x, y)
    dof = x.size - 2
    half = float(stats.t.ppf(0.975, dof)) * se if dof > 0 else float("nan")
    below = int(np.sum(y < kappa * floor[sel]))
    status, msg = Status.CONVERGED, f"fitted over {chosen}, {x.size} lags"
    if below:
        status = Status.PARTIAL
        msg += f"; {below} of them below {kappa:g} x floor (biased by noise)"
    return CorrExponentFit(
        beta=beta,
        se=se,
        ci=(beta - half, beta + half),
        amplitude=amp,
        window=(int(x[0]), int(x[-1])),
        points=int(x.size),
        norm=norm,
        status=status,
        message=msg,
    )


@dataclass(frozen=True)
class EntropyExponentFit:
    """H_n ≈ H_∞ + A n^−γ over a window of context lengths n ≥ 1.

    Attributes
    ----------
    gamma, se_gamma, gamma_ci : exponent, its standard error and 95 % interval
    h_inf, se_h_inf : H_∞ and its standard error (0 when H_∞ was given)
    amplitude : A
    window : (int, int)
    h_inf_given : bool
    status, message
    """

    gamma: float
    se_gamma: float
    gamma_ci: tuple[float, float]
    h_inf: float
    se_h_inf: float
    amplitude: float
    window: tuple[int, int]
    h_inf_given: bool
    status: Status
    message: str

    def predict(self, n: np.ndarray) -> np.ndarray:
        """The fitted curve H_∞ + A n^−γ."""
        return self.h_inf + self.amplitude * np.asarray(n, dtype=np.float64) ** -self.gamma

    def to_dict(self) -> dict[str, object]:
        """Fields for JSON."""
        return {
            "gamma": self.gamma,
            "se_gamma": self.se_gamma,
            "gamma_ci": list(self.gamma_ci),
            "h_inf": self.h_inf,
            "se_h_inf": self.se_h_inf,
            "amplitude": self.amplitude,
            "window": list(self.window),
            "h_inf_given": self.h_inf_given,
            "status": self.status,
            "message": self.message,
        }


def fit_entropy_exponent(
    n: np.ndarray,
    h: np.ndarray,
    *,
    h_inf: float | None = None,
    window: tuple[int, int] | None = None,
) -> EntropyExponentFit:
    """Fit H_n − H_∞ ≈ A n^−γ (Cagnetta et al. 2026, v1 Eq. 6; Hilberg's law).

    With ``h_inf`` given this is a log-log line of H_n − H_∞ (two parameters); otherwise
    H_∞, A and γ are fitted together by nonlinear least squares (needs ≥ 4 points, H_∞ kept
    in [0, min H_n]), with standard errors from the Jacobian. Only n ≥ 1 enters (n^−γ is
    infinite at n = 0). The default window is every n ≥ 1 up to the last n at which H_n still
    decreases (an n-gram bound turns up once the counts run out).

    Examples
    --------
    >>> n = np.arange(0, 9)
    >>> h = 2.0 + 1.5 * np.maximum(n, 1) ** -0.4
    >>> f = fit_entropy_exponent(n, h)
    >>> round(f.gamma, 4), round(f.h_inf, 4), f.window
    (0.4, 2.0, (1, 8))
    """
    n = np.asarray(n, dtype=np.float64).ravel()
    h = np.asarray(h, dtype=np.float64).ravel()
    if n.size != h.size or n.size == 0 or not (np.all(np.isfinite(n)) and np.all(np.isfinite(h))):
        raise InputError("entropy fit: n and H_n must be finite arrays of the same length")
    order = np.argsort(n)
    n, h = n[order], h[order]
    keep = n >= 1
    n, h = n[keep], h[keep]
    if window is None:
        stop = n.size
        rising = np.flatnonzero(np.diff(h) >= 0)
        if rising.size:
            stop = int(rising[0]) + 1
        n, h = n[:stop], h[:stop]
    else:
        sel = (n >= window[0]) & (n <= window[1])
        n, h = n[sel], h[sel]
    need = 3 if h_inf is not None else 4
    if n.size < need:
        raise InputError(
            f"entropy fit: need at least {need} decreasing values at n >= 1, got {n.size}"
        )
    win = (int(n[0]), int(n[-1]))
    if h_inf is not None:
        h_inf = check_real(h_inf, "h_inf", "fit_entropy_exponent")
        if np.any(h <= h_inf):
            raise InputError("entropy fit: every H_n in the window must exceed the given H_inf")
        gamma, amp, se = _loglog(n, h - h_inf)
        dof = n.size - 2
        half = float(stats.t.ppf(0.975, dof)) * se
        return EntropyExponentFit(
            gamma, se, (gamma - half, gamma + half), h_inf, 0.0, amp, win, True,
            Status.CONVERGED, f"log-log fit over n = {win[0]}..{win[1]} with H_inf given",
        )  # fmt: skip

    def model(nn: np.ndarray, hi: float, la: float, g: float) -> np.ndarray:
        return hi + np.exp(la) * nn**-g

    hmin = float(h.min())
    g0, a0, _ = _loglog(n, h - 0.9 * hmin) if hmin > 0 else (0.5, float(h[0]), 0.0)
    p0 = [0.9 * hmin if hmin > 0 else 0.0, np.log(max(a0, 1e-12)), max(g0, 1e-3)]
    lower = [0.0, -np.inf, 1e-6]
    upper = [max(hmin, 1e-12), np.inf, 20.0]
    p0[0] = min(max(p0[0], lower[0]), upper[0] * (1 - 1e-9))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optimize.OptimizeWarning)
        try:
            popt, pcov = optimize.curve_fit(
                model, n, h, p0=p0, bounds=(lower, upper), method="trf", max_nfev=20000
            )
        except RuntimeError as exc:
            return EntropyExponentFit(
                float("nan"), float("nan"), (float("nan"), float("nan")), float("nan"),
                float("nan"), float("nan"), win, False, Status.FAILED, str(exc),
            )  # fmt: skip
    hi, la, g = (float(v) for v in popt)
    se = np.sqrt(np.clip(np.diag(pcov), 0.0, None)) if np.all(np.isfinite(pcov)) else None
    dof = n.size - 3
    t = float(stats.t.ppf(0.975, dof))
    se_g = float(se[2]) if se is not None else float("nan")
    se_h = float(se[0]) if se is not None else float("nan")
    status, msg = Status.CONVERGED, f"3-parameter fit over n = {win[0]}..{win[1]}"
    if hi <= 1e-9 or hi >= upper[0] * (1 - 1e-6):
        status = Status.BOUND_HIT
        msg += "; H_inf at a bound (0 or min H_n): gamma is not well determined"
    return EntropyExponentFit(
        g, se_g, (g - t * se_g, g + t * se_g), hi, se_h, float(np.exp(la)), win, False,
        status, msg,
    )  # fmt: skip
