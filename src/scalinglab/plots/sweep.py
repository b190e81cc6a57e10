"""Figures of a sweep: theory vs simulation, residuals, and the law fitted across the sweep.

Each function takes a sweep DataFrame (:func:`scalinglab.sweeps.store.load_frame`) and column
names, and returns a matplotlib ``Figure``; nothing is shown or saved here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.ticker import NullFormatter

__all__ = [
    "aggregate_replicates",
    "plot_fitted_law",
    "plot_residuals",
    "plot_theory_vs_simulation",
]

MAX_CURVES = 10  # more curves than this are unreadable; the rest are dropped (and said so)
FIGSIZE = (5.8, 4.1)


def aggregate_replicates(
    df: pd.DataFrame, keys: Sequence[str], sim: str | None, err: str | None, th: str | None
) -> pd.DataFrame:
    """One row per parameter combination: replicate means, with combined standard errors.

    The standard error of the mean of k replicates is ``sqrt(Σ sem_i²)/k``.
    """
    cols = {c for c in (sim, err, th) if c is not None and c in df.columns}
    keys = [k for k in keys if k in df.columns]
    done = df[df["status"] == "done"]
    if done.empty or not cols:
        return pd.DataFrame(columns=[*keys, *cols])
    work = done[[*keys, *cols]].copy()
    for c in cols:
        work[c] = pd.to_numeric(work[c], errors="coerce")
    agg: dict[str, Any] = {}
    if sim in cols:
        agg[sim] = "mean"
    if th in cols:
        agg[th] = "mean"
    if err in cols:
        agg[err] = lambda s: float(np.sqrt(np.nansum(np.square(s)))) / max(len(s), 1)
    out = work.groupby(keys, sort=False, dropna=False).agg(agg).reset_index()
    return out


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _x_positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None, bool]:
    """x coordinates; category labels for non-numeric axes; whether a log scale fits."""
    if _numeric(values):
        x = values.to_numpy(float)
        pos = x[np.isfinite(x)]
        logx = bool(pos.size and np.all(pos > 0) and pos.max() / pos.min() >= 10)
        return x, None, logx
    cats = sorted({str(v) for v in values})
    return np.array([cats.index(str(v)) for v in values], float), cats, False


def _curve_label(keys: Sequence[str], combo: tuple) -> str:
    if not keys:
        return ""
    return ", ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in zip(keys, combo, strict=True)
    )


def _curves(df: pd.DataFrame, curves: Sequence[str]) -> list[tuple[tuple, pd.DataFrame]]:
    if not curves:
        return [((), df)]
    out = []
    for key, sub in df.groupby(list(curves), sort=False, dropna=False):
        out.append((key if isinstance(key, tuple) else (key,), sub))
    return out


def _sorted(df: pd.DataFrame, x: str) -> pd.DataFrame:
    """Rows in increasing ``x``; a column mixing numbers and strings sorts as text."""
    if _numeric(df[x]):
        return df.sort_values(x)
    return df.sort_values(x, key=lambda s: s.astype(str))


def _colors(n: int) -> list[Any]:
    cmap = colormaps["viridis"]
    return [cmap(v) for v in np.linspace(0.0, 0.9, n)]


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else Figure(figsize=FIGSIZE, layout="constrained").add_subplot()


def _finish_axes(ax: Any, x: str, cats: list[str] | None, logx: bool, ylabel: str) -> None:
    if cats is not None:
        ax.set_xticks(range(len(cats)), cats)
    elif logx:
        ax.set_xscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)


def plot_theory_vs_simulation(
    df: pd.DataFrame,
    *,
    x: str,
    curves: Sequence[str] = (),
    sim: str | None = "sim_loss_mean",
    err: str | None = "sim_loss_sem",
    th: str | None = "th_loss",
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Loss vs ``x``: simulation (markers, ±2 standard errors) and theory (lines), per curve.

    Draws on ``ax`` (a new Figure when omitted) and returns it.
    """
    ax = _axes(ax)
    agg = aggregate_replicates(df, [x, *curves], sim, err, th)
    groups = _curves(agg, curves)
    dropped = max(0, len(groups) - MAX_CURVES)
    groups = groups[:MAX_CURVES]
    colors = _colors(len(groups))
    all_x = agg[x] if x in agg.columns else pd.Series(dtype=float)
    _, cats, logx = _x_positions(all_x)
    positive = True
    handles: list[tuple] = []
    labels: list[str] = []
    for (combo, sub), color in zip(groups, colors, strict=True):
        sub = _sorted(sub, x)
        xs, _, _ = (
            _x_positions(sub[x])
            if cats is None
            else (np.array([cats.index(str(v)) for v in sub[x]], float), None, False)
        )
        parts: list[Any] = []
        if th is not None and th in sub.columns and sub[th].notna().any():
            y = sub[th].to_numpy(float)
            (line,) = ax.plot(xs, y, "-", color=color, lw=1.5)
            parts.append(line)
            positive &= bool(np.all(y[np.isfinite(y)] > 0))
        if sim is not None and sim in sub.columns and sub[sim].notna().any():
            y = sub[sim].to_numpy(float)
            e = sub[err].to_numpy(float) * 2 if err is not None and err in sub.columns else None
            bars = ax.errorbar(xs, y, yerr=e, fmt="o", ms=4, color=color, mfc="white", capsize=2)
            parts.append(bars)
            positive &= bool(np.all(y[np.isfinite(y)] > 0))
        if parts:
            handles.append(tuple(parts))
            labels.append(_curve_label(curves, combo) or "all points")
    if positive and len(agg):
        ax.set_yscale("log")
    _finish_axes(ax, x, cats, logx, "test loss")
    if dropped:
        title = f"{title} (first {MAX_CURVES} curves of {MAX_CURVES + dropped})".strip()
    what = [w for w, c in (("lines: theory", th), ("markers: simulation ±2 s.e.", sim)) if c]
    ax.set_title(f"{title}\n({', '.join(what)})" if title else ", ".join(what), fontsize=9)
    if handles:
        ax.legend(
            handles,
            labels,
            handler_map={tuple: HandlerTuple(ndivide=None)},
            fontsize=7,
            ncol=2 if len(handles) > 5 else 1,
            loc="best",
        )
    return ax


def plot_residuals(
    df: pd.DataFrame,
    *,
    x: str,
    curves: Sequence[str] = (),
    sim: str = "sim_loss_mean",
    err: str | None = "sim_loss_sem",
    th: str = "th_loss",
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Relative residual (simulation − theory)/theory vs ``x``, with ±2 standard errors.

    Draws on ``ax`` (a new Figure when omitted) and returns it.
    """
    ax = _axes(ax)
    agg = aggregate_replicates(df, [x, *curves], sim, err, th)
    if th in agg.columns and sim in agg.columns:
        agg = agg[np.isfinite(agg[th].to_numpy(float)) & (agg[th].to_numpy(float) != 0)]
    groups = _curves(agg, curves)[:MAX_CURVES]
    colors = _colors(len(groups))
    _, cats, logx = _x_positions(agg[x] if x in agg.columns else pd.Series(dtype=float))
    ax.axhline(0.0, color="0.3", lw=1)
    for (combo, sub), color in zip(groups, colors, strict=True):
        if sim not in sub.columns or th not in sub.columns:
            continue
        sub = _sorted(sub, x)
        xs = (
            _x_positions(sub[x])[0]
            if cats is None
            else np.array([cats.index(str(v)) for v in sub[x]], float)
        )
        ref = sub[th].to_numpy(float)
        rel = sub[sim].to_numpy(float) / ref - 1.0
        e = (
            2 * sub[err].to_numpy(float) / np.abs(ref)
            if err is not None and err in sub.columns
            else None
        )
        ax.errorbar(
            xs,
            rel,
            yerr=e,
            fmt="o-",
            ms=4,
            lw=0.8,
            color=color,
            capsize=2,
            label=_curve_label(curves, combo) or None,
        )
    _finish_axes(ax, x, cats, logx, "(simulation − theory) / theory")
    ax.set_title(title or "residuals (bars: ±2 standard errors)", fontsize=10)
    if groups and curves:
        ax.legend(fontsize=7, loc="best")
    return ax


def plot_fitted_law(
    df: pd.DataFrame,
    fits: Sequence[Any],
    *,
    loss: str,
    x: str,
    curves: Sequence[str] = (),
    title: str = "",
    ax: Any = None,
) -> Any:
    """Two panels: measured vs fitted loss (parity), and loss vs ``x`` with the fitted law.

    ``fits`` are :class:`scalinglab.sweeps.fitting.LawFit` objects; each point is compared with
    the fit of its group. ``ax``: a pair of Axes (a new two-panel Figure when omitted); returns
    the pair.
    """
    if ax is None:
        ax = Figure(figsize=(11.0, 4.4), layout="constrained").subplots(1, 2)
    ax_p, ax_x = ax
    done = df[df["status"] == "done"].copy()
    done[loss] = pd.to_numeric(done.get(loss), errors="coerce")
    done["_fit"] = np.nan
    for fit in fits:
        if not fit.params:
            continue
        mask = np.ones(len(done), bool)
        for g, v in fit.group.items():
            mask &= done[g].astype(str).to_numpy() == str(v)
        sub = done[mask]
        m = sub[fit.axes["M"]].to_numpy(float) if "M" in fit.axes else None
        done.loc[mask, "_fit"] = fit.predict(
            sub[fit.axes["N"]].to_numpy(float), sub[fit.axes["T"]].to_numpy(float), m
        )
    ok = done[np.isfinite(done["_fit"]) & (done["_fit"] > 0) & (done[loss] > 0)]
    groups = _curves(ok, [g for g in (fits[0].group if fits else {})])
    colors = _colors(len(groups))
    for (combo, sub), color in zip(groups, colors, strict=True):
        label = _curve_label(list(fits[0].group), combo) if fits else ""
        ax_p.loglog(sub["_fit"], sub[loss], "o", ms=4, color=color, label=label or None)
    if len(ok):
        lo = float(min(ok["_fit"].min(), ok[loss].min()))
        hi = float(max(ok["_fit"].max(), ok[loss].max()))
        ax_p.loglog([lo, hi], [lo, hi], "k--", lw=1, label="y = x")
    ax_p.xaxis.set_minor_formatter(NullFormatter())  # minor labels collide on short ranges
    ax_p.yaxis.set_minor_formatter(NullFormatter())
    ax_p.set_xlabel("fitted law")
    ax_p.set_ylabel(f"measured ({loss})")
    ax_p.set_title("measured vs fitted", fontsize=10)
    ax_p.grid(True, alpha=0.3)
    if len(ok):
        ax_p.legend(fontsize=7, loc="best")

    agg_keys = [x, *curves]
    cols = [*agg_keys, loss, "_fit"]
    sub_all = ok[[c for c in cols if c in ok.columns]]
    if len(sub_all) and x in sub_all.columns:
        agg = sub_all.groupby(agg_keys, sort=False, dropna=False)[[loss, "_fit"]].mean()
        agg = agg.reset_index()
        cgroups = _curves(agg, curves)[:MAX_CURVES]
        ccolors = _colors(len(cgroups))
        _, cats, logx = _x_positions(agg[x])
        for (combo, sub), color in zip(cgroups, ccolors, strict=True):
            sub = _sorted(sub, x)
            xs = (
                _x_positions(sub[x])[0]
                if cats is None
                else np.array([cats.index(str(v)) for v in sub[x]], float)
            )
            label = _curve_label(curves, combo)
            ax_x.plot(
                xs, sub[loss], "o", ms=4, color=color, mfc="white", label=f"data {label}".strip()
            )
            ax_x.plot(xs, sub["_fit"], "--", color=color, lw=1.2, label=f"fit {label}".strip())
        ax_x.set_yscale("log")
        _finish_axes(ax_x, x, cats, logx, "test loss")
        ax_x.legend(fontsize=7, ncol=2 if len(cgroups) > 4 else 1, loc="best")
    ax_x.set_title(title or "fitted law", fontsize=10)
    return ax_p, ax_x
