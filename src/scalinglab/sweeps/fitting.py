"""Fit a scaling law across a sweep and put the fitted exponents beside the exact ones.

Both forms are fitted by the variable-projection engine of :mod:`scalinglab.laws.engine`
(the one fitter of partially linear laws), on the relative error of the loss:

- **MRS form**, Maloney, Roberts & Sully (2022), eq. (172):
  ``L(N, T; M) = L0 [(1/N + 1/T)^α − M^-α]``, valid for ``N, T <= M`` (eq. 185) — the
  law :func:`scalinglab.laws.catalog.mrs_law`, least squares on log L. With no M role in
  the model the ``M^-α`` term is dropped (eq. 171).
- **Chinchilla form**, Hoffmann et al. (2022), eq. (2): ``L = E + A N^-a + B T^-b`` with
  ``E, A, B >= 0`` — :func:`scalinglab.laws.catalog.chinchilla_law` with weights 1/L², so
  the residual ``(E + A N^-a + B T^-b)/L − 1`` is linear in ``(E, A, B)`` and the engine's
  inner problem is an exact NNLS. The exponents are searched on a log grid over
  ``EXPONENT_BOUNDS`` and refined with the exact envelope gradient. An axis that does not
  vary within a group (e.g. a sweep over N at one T) is folded into E (the one-variable
  :func:`scalinglab.laws.catalog.power_law`).

Naming: in this module (the sweep context) ``a`` and ``b`` are the *loss* exponents of N
and T, as in the models' exact laws (``adapter.exact``); the engine calls them ``alpha``
and ``beta`` and keeps ``a``/``b`` for the compute-allocation exponents of
:mod:`scalinglab.laws`. The translation happens here and nowhere else.

Standard errors come from the Gauss–Newton covariance ``σ² (JᵀJ)⁻¹`` at the optimum, with
``σ² = RSS/(n − p)``; they assume independent, equal relative errors and are a guide, not a
confidence interval. Every fit reports a :class:`~scalinglab.Status`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scalinglab._types import Status
from scalinglab.laws.catalog import chinchilla_law, mrs_law, power_law
from scalinglab.laws.engine import fit_partially_linear
from scalinglab.laws.objectives import Objective

__all__ = ["LawFit", "fit_chinchilla", "fit_mrs", "fit_rows", "fit_sweep", "sweep_loss_column"]

ALPHA_BOUNDS = (1e-3, 20.0)  # α search range of the MRS form
EXPONENT_BOUNDS = (1e-3, 10.0)  # exponent search range of the Chinchilla form
SCAN_POINTS = 400  # log-spaced α values scanned before refinement
CHINCHILLA_SCAN = 100  # log-spaced values per exponent on the engine grid (0.04 decade)
MIN_POINTS = 3


@dataclass(frozen=True)
class LawFit:
    """A law fitted across (part of) a sweep.

    ``params`` are the fitted constants (MRS: ``L0, alpha``; Chinchilla: ``E, A, B, a, b``),
    ``stderr`` their standard errors (None where undefined), ``exact`` the model's exact values
    where known (MRS: ``alpha = a = b`` and ``L0`` of eq. 173). ``rmse_log`` is the root mean
    square of ``log L_fit − log L`` over the points used.
    """

    form: str
    group: dict[str, Any]
    params: dict[str, float]
    stderr: dict[str, float | None]
    exact: dict[str, float]
    n_points: int
    n_excluded: int
    rmse_log: float
    status: Status
    message: str
    axes: dict[str, str] = field(default_factory=dict)

    def predict(
        self, n: np.ndarray, t: np.ndarray, m: np.ndarray | float | None = None
    ) -> np.ndarray:
        """The fitted law at (N, T[, M])."""
        n = np.asarray(n, dtype=float)
        t = np.asarray(t, dtype=float)
        p = self.params
        if self.form == "mrs":
            s = 1.0 / n + 1.0 / t
            extra = 0.0 if m is None else np.asarray(m, dtype=float) ** -p["alpha"]
            return p["L0"] * (s ** p["alpha"] - extra)
        out = np.full(np.broadcast(n, t).shape, p["E"])
        if "a" in p:
            out = out + p["A"] * n ** -p["a"]
        if "b" in p:
            out = out + p["B"] * t ** -p["b"]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "group": self.group,
            "params": self.params,
            "stderr": self.stderr,
            "exact": self.exact,
            "n_points": self.n_points,
            "n_excluded": self.n_excluded,
            "rmse_log": self.rmse_log,
            "status": str(self.status),
            "message": self.message,
        }


def _failed(form: str, group: dict, n_used: int, n_excl: int, msg: str) -> LawFit:
    return LawFit(form, group, {}, {}, {}, n_used, n_excl, math.nan, Status.FAILED, msg)


def _gauss_newton_se(jac: np.ndarray, rss: float, names: Sequence[str]) -> dict[str, float | None]:
    n, p = jac.shape
    if n <= p:
        return dict.fromkeys(names)
    cov = (rss / (n - p)) * np.linalg.pinv(jac.T @ jac)
    diag = np.diag(cov)
    return {
        k: (float(np.sqrt(v)) if v >= 0 and np.isfinite(v) else None)
        for k, v in zip(names, diag, strict=True)
    }


# --------------------------------------------------------------------------- MRS form


def fit_mrs(
    n: np.ndarray,
    t: np.ndarray,
    loss: np.ndarray,
    m: np.ndarray | None = None,
    *,
    group: dict[str, Any] | None = None,
) -> LawFit:
    """Fit ``L = L0 [(1/N + 1/T)^α − M^-α]`` (MRS eq. 172) by least squares in log L.

    Points with a non-positive or non-finite loss, or (with M) outside ``N, T <= M`` where the
    form does not apply (eq. 185), are excluded and counted in ``n_excluded``.
    """
    group = group or {}
    n = np.asarray(n, float)
    t = np.asarray(t, float)
    loss = np.asarray(loss, float)
    keep = np.isfinite(loss) & (loss > 0) & (n > 0) & (t > 0)
    if m is not None:
        m = np.asarray(m, float) * np.ones_like(n)
        keep &= (n <= m) & (t <= m) & (1.0 / n + 1.0 / t > 1.0 / m)
    n_excl = int((~keep).sum())
    if keep.sum() < MIN_POINTS:
        return _failed(
            "mrs",
            group,
            int(keep.sum()),
            n_excl,
            f"needs at least {MIN_POINTS} usable points, got {int(keep.sum())}",
        )
    s = 1.0 / n[keep] + 1.0 / t[keep]
    inv_m = None if m is None else 1.0 / m[keep]
    y = np.log(loss[keep])
    log_s = np.log(s)
    law = mrs_law(
        latent=m is not None,
        alpha_range=ALPHA_BOUNDS,
        step=float(np.log10(ALPHA_BOUNDS[1] / ALPHA_BOUNDS[0])) / SCAN_POINTS,
    )
    inputs = {"N": n[keep], "T": t[keep]}
    if m is not None:
        inputs["M"] = m[keep]
    res = fit_partially_linear(law, inputs, loss[keep], objective=Objective("mse", "log"))
    alpha = res.params["alpha"]
    log_l0 = math.log(res.params["L0"]) if res.params["L0"] > 0 else -math.inf
    resid = np.log(np.maximum(res.predict(inputs), np.finfo(float).tiny)) - y
    total = float(np.sum(resid**2))
    # d log g / d alpha = [s^a ln s − M^-a ln(1/M)] / [s^a − M^-a]
    if inv_m is None:
        dlg = log_s
    else:
        sa, ma = np.exp(alpha * log_s), np.exp(alpha * np.log(inv_m))
        dlg = (sa * log_s - ma * np.log(inv_m)) / (sa - ma)
    jac = np.column_stack([np.ones_like(y), dlg])
    se = _gauss_newton_se(jac, total, ("log_L0", "alpha"))
    l0 = math.exp(log_l0)
    stderr = {"L0": None if se["log_L0"] is None else l0 * se["log_L0"], "alpha": se["alpha"]}
    status, msg = res.status, res.message
    return LawFit(
        "mrs",
        group,
        {"L0": l0, "alpha": alpha},
        stderr,
        {},
        int(keep.sum()),
        n_excl,
        math.sqrt(total / y.size),
        status,
        msg,
    )


# --------------------------------------------------------------------------- Chinchilla form


def fit_chinchilla(
    n: np.ndarray, t: np.ndarray, loss: np.ndarray, *, group: dict[str, Any] | None = None
) -> LawFit:
    """Fit ``L = E + A N^-a + B T^-b`` (Hoffmann et al. 2022, eq. 2) by variable projection."""
    group = group or {}
    n = np.asarray(n, float)
    t = np.asarray(t, float)
    loss = np.asarray(loss, float)
    keep = np.isfinite(loss) & (loss > 0) & (n > 0) & (t > 0)
    n_excl = int((~keep).sum())
    n, t, loss = n[keep], t[keep], loss[keep]
    roles = [r for r, x in (("a", n), ("b", t)) if np.unique(x).size > 1]
    n_par = 1 + 2 * len(roles)
    if not roles or loss.size < max(MIN_POINTS, n_par + 1):
        return _failed(
            "chinchilla",
            group,
            int(loss.size),
            n_excl,
            f"needs a varying N or T and more than {n_par} points",
        )
    cols = {"a": n, "b": t}
    step = float(np.log10(EXPONENT_BOUNDS[1] / EXPONENT_BOUNDS[0])) / CHINCHILLA_SCAN
    if len(roles) == 2:
        law = chinchilla_law(EXPONENT_BOUNDS, EXPONENT_BOUNDS, step, log_grid=True)
        inputs = {"N": n, "D": t}
    else:
        law = power_law("x", EXPONENT_BOUNDS, step, log_grid=True)
        inputs = {"x": cols[roles[0]]}
    # weights 1/L²: the squared raw residual becomes the squared relative residual
    res = fit_partially_linear(
        law, inputs, loss, objective=Objective("mse", "raw"), weights=1.0 / loss**2
    )
    exps = res.phi
    names = ["E"] + [{"a": "A", "b": "B"}[r] for r in roles] + roles
    theta = np.concatenate([res.theta, exps])
    params = {k: float(v) for k, v in zip(names, theta, strict=True)}

    def model(th: np.ndarray) -> np.ndarray:
        out = np.full_like(loss, th[0])
        for j, r in enumerate(roles):
            out = out + th[1 + j] * cols[r] ** -th[1 + len(roles) + j]
        return out

    fitted = model(theta)
    resid_log = np.log(np.maximum(fitted, np.finfo(float).tiny)) - np.log(loss)
    rel = fitted / loss - 1.0
    jac = np.empty((loss.size, theta.size))
    for j in range(theta.size):
        h = 1e-6 * max(abs(theta[j]), 1e-12)
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        jac[:, j] = (model(tp) - model(tm)) / (2 * h) / loss
    stderr = _gauss_newton_se(jac, float(np.sum(rel**2)), names)
    status, msg = res.status, res.message
    # engine names (alpha, beta) -> the sweep's loss exponents (a, b)
    msg = msg.replace("alpha", "a" if roles[0] == "a" else "b").replace("beta", "b")
    if len(roles) == 1:
        msg += f"; only {'N' if roles == ['a'] else 'T'} varies (the other term is in E)"
    return LawFit(
        "chinchilla",
        group,
        params,
        stderr,
        {},
        int(loss.size),
        n_excl,
        float(np.sqrt(np.mean(resid_log**2))),
        status,
        msg,
    )


# --------------------------------------------------------------------------- across a sweep


def sweep_loss_column(adapter: Any, data: str) -> str:
    """The DataFrame column holding the loss to fit (``sim_…`` or ``th_…``)."""
    return f"sim_{adapter.sim_loss}" if data == "simulate" else f"th_{adapter.theory_loss}"


def _matches(value: Any, allowed: Sequence[Any]) -> bool:
    """Whether a parameter value is one of ``allowed`` (numbers by value, others as text)."""
    for a in allowed:
        if isinstance(a, bool) or isinstance(value, bool) or value is None:
            if a is value or str(a) == str(value):
                return True
        elif isinstance(a, str) or isinstance(value, str):
            if str(a) == str(value):
                return True
        elif float(a) == float(value):
            return True
    return False


def fit_sweep(df: Any, fit_meta: Mapping[str, Any], adapter: Any) -> list[LawFit]:
    """Fit the spec's law (``[fit]`` table) to a sweep's DataFrame, one fit per group.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`scalinglab.sweeps.store.load_frame`.
    fit_meta : mapping
        The spec's fit settings (``SweepSpec.to_meta()["fit"]``).
    adapter : ModelAdapter
    """
    form = fit_meta.get("form", "none")
    if form == "none" or df.empty:
        return []
    col = sweep_loss_column(adapter, fit_meta.get("data", "simulate"))
    ncol, tcol = adapter.axes["N"], adapter.axes["T"]
    mcol = adapter.axes.get("M")
    if col not in df.columns:
        return [_failed(form, {}, 0, len(df), f"no column {col!r} in the results")]
    data = fit_rows(df, fit_meta)
    n_before = len(data)
    aspect = float(fit_meta.get("min_aspect", 1.0))
    if aspect > 1 and not data.empty:
        nn, tt = data[ncol].astype(float), data[tcol].astype(float)
        data = data[np.maximum(nn, tt) / np.minimum(nn, tt) >= aspect]
    n_aspect = n_before - len(data)
    group_by = fit_meta.get("group_by")
    if group_by is None:
        skip = {ncol, tcol}
        group_by = [
            p
            for p in adapter.parameters
            if p in data.columns and p not in skip and data[p].astype(str).nunique() > 1
        ]
    fits: list[LawFit] = []
    # sort=False: a column may mix numbers and strings (ridge = [0.0, "opt"])
    groups = data.groupby(list(group_by), sort=False, dropna=False) if group_by else [((), data)]
    for key, sub in groups:
        key_t = key if isinstance(key, tuple) else (key,)
        group = {
            g: (v.item() if hasattr(v, "item") else v) for g, v in zip(group_by, key_t, strict=True)
        }
        n = sub[ncol].to_numpy(float)
        t = sub[tcol].to_numpy(float)
        loss = sub[col].to_numpy(float)
        if form == "mrs":
            m = sub[mcol].to_numpy(float) if mcol else None
            fit = fit_mrs(n, t, loss, m, group=group)
        else:
            fit = fit_chinchilla(n, t, loss, group=group)
        exact = _exact_for(sub, adapter)
        fits.append(
            LawFit(
                fit.form,
                fit.group,
                fit.params,
                fit.stderr,
                exact,
                fit.n_points,
                fit.n_excluded + n_aspect,
                fit.rmse_log,
                fit.status,
                fit.message,
                axes={"N": ncol, "T": tcol, **({"M": mcol} if mcol else {})},
            )
        )
    return fits


def fit_rows(df: Any, fit_meta: Mapping[str, Any]) -> Any:
    """The finished points selected by the fit's ``where`` table."""
    data = df[df["status"] == "done"]
    for key, allowed in (fit_meta.get("where") or {}).items():
        if key in data.columns:
            data = data[[_matches(v, allowed) for v in data[key]]]
    return data


def _exact_for(sub: Any, adapter: Any) -> dict[str, float]:
    """The model's exact law constants if all points of the group share them."""
    if adapter.exact is None or sub.empty:
        return {}
    params = [p for p in adapter.parameters if p in sub.columns]
    values = [
        adapter.exact(dict(zip(params, row, strict=True)))
        for row in sub[params].itertuples(index=False)
    ]
    first = values[0]
    keys = [k for k in first if all(math.isclose(v[k], first[k], rel_tol=1e-12) for v in values)]
    return {k: first[k] for k in keys}
