"""A self-contained HTML report of a sweep: plots embedded as PNG data URIs, no scripts.

Sections: summary (counts, model, versions), theory vs simulation and residuals for every block
of the spec, the law fitted across the sweep with fitted exponents beside the exact ones, the
failed points with their errors, the run table, and the spec itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scalinglab._validation import InputError
from scalinglab.sweeps.fitting import LawFit, fit_rows, fit_sweep, sweep_loss_column
from scalinglab.sweeps.models import ModelAdapter, get_model
from scalinglab.sweeps.store import SweepStore

__all__ = ["SweepReport", "build_report"]

MAX_TABLE_ROWS = 2000  # the run table beyond this is in `sweep export`
FIGURE_DPI = 100

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;
max-width:1240px;color:#1d1d1f;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.25em;margin-top:32px;
border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:1.05em}
.summary{display:flex;gap:14px;flex-wrap:wrap;margin:12px 0}
.card{background:#f5f5f7;border-radius:8px;padding:8px 14px}
.card b{display:block;font-size:1.4em}.done b{color:#1a7f37}.failed b{color:#c62828}
.pending b{color:#9a6700}
.figs{display:flex;flex-wrap:wrap;gap:12px}.figs img{max-width:100%;height:auto;
border:1px solid #eee}
table{border-collapse:collapse;font-size:12px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f0f0f2;position:sticky;top:0}td.l,th.l{text-align:left}
tr.failed td{background:#fdecea}.tablewrap{max-height:520px;overflow:auto}
pre{background:#f5f5f7;padding:10px;border-radius:6px;overflow:auto;font-size:12px}
.muted{color:#666;font-size:0.9em}
"""


@dataclass(frozen=True)
class SweepReport:
    """The HTML page and what went into it."""

    html: str
    counts: dict[str, int]
    fits: list[LawFit] = field(default_factory=list)
    figures: int = 0

    def summary(self) -> dict[str, Any]:
        return {"figures": self.figures, **self.counts, "fits": [f.to_dict() for f in self.fits]}


def _png(drawn: Any) -> str:
    from scalinglab.plots.results import root_figure

    fig = root_figure(drawn)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    fig.clear()
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig: Any, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png(fig)}">'


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if not math.isfinite(v):
            return ""
        return f"{v:.4g}"
    return html.escape(str(v))


def _table(df: pd.DataFrame, *, left: set[str], row_class: pd.Series | None = None) -> str:
    head = "".join(
        f'<th class="{"l" if c in left else ""}">{html.escape(str(c))}</th>' for c in df.columns
    )
    body = []
    for i, row in enumerate(df.itertuples(index=False)):
        cls = f' class="{row_class.iloc[i]}"' if row_class is not None else ""
        cells = "".join(
            f'<td class="{"l" if c in left else ""}">{_fmt(v)}</td>'
            for c, v in zip(df.columns, row, strict=True)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _adapter(model: str) -> tuple[ModelAdapter | None, str]:
    try:
        return get_model(model), ""
    except InputError as exc:
        return None, f"model adapter unavailable here ({exc}): no fit, default column names"


def _block_rows(df: pd.DataFrame, index: int) -> pd.DataFrame:
    mask = df["blocks"].astype(str).map(lambda s: str(index) in s.split(","))
    return df[mask]


def _fit_table(fits: list[LawFit]) -> str:
    names = list(dict.fromkeys(k for f in fits for k in f.params))
    with_exact = {k for f in fits for k in f.exact if k in names}
    rows = []
    for f in fits:
        group = ", ".join(f"{k}={_fmt(v)}" for k, v in f.group.items()) or "all points"
        row: dict[str, Any] = {"group": group}
        for k in names:
            v, se = f.params.get(k), f.stderr.get(k)
            row[f"{k} (fit)"] = (
                "" if v is None else f"{v:.4g}" + (f" ± {se:.2g}" if se is not None else "")
            )
            if k in with_exact:
                row[f"{k} (exact)"] = f"{f.exact[k]:.4g}" if k in f.exact else ""
        row.update(
            {
                "points": f.n_points,
                "excluded": f.n_excluded,
                "rms log-residual": f.rmse_log,
                "status": str(f.status),
                "message": f.message,
            }
        )
        rows.append(row)
    return _table(pd.DataFrame(rows), left={"group", "status", "message"})


def _header_html(
    meta: dict[str, Any], spec: dict[str, Any], counts: dict[str, int], note: str | None, db
) -> list[str]:
    """Title, provenance line, description and the run-count cards of the report."""
    parts: list[str] = []
    title = html.escape(str(meta.get("name", "sweep")))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<h1>Sweep report: {title}</h1>")
    desc = spec.get("description") or ""
    parts.append(
        f'<p class="muted">model <b>{html.escape(meta["model"])}</b> · run '
        f"{html.escape(spec.get('run', ''))} · {spec.get('replicates', 1)} replicate(s) · "
        f"base seed {spec.get('base_seed', 0)} · scalinglab {html.escape(spec.get('version', ''))}"
        f" · store {html.escape(str(Path(db).name))} · generated {stamp}</p>"
    )
    if desc:
        parts.append(f"<p>{html.escape(desc)}</p>")
    cards = "".join(
        f'<div class="card {k}">{k}<b>{counts[k]}</b></div>'
        for k in ("total", "done", "failed", "pending")
    )
    parts.append(f'<div class="summary">{cards}</div>')
    if note:
        parts.append(f'<p class="muted">{html.escape(note)}</p>')
    return parts


def build_report(db: str | Path, *, max_rows: int = MAX_TABLE_ROWS) -> SweepReport:
    """Build the HTML report of the sweep stored in ``db`` (opened read-only)."""
    with SweepStore.open(db, readonly=True) as store:
        meta = store.meta
        counts = store.counts()
        df = store.frame()
        failures = store.failures(limit=max_rows)
    if "spec" not in meta or df.empty:
        raise InputError(f"'{db}' holds no planned sweep yet; run 'scalinglab sweep run' first")
    spec = meta["spec"]
    adapter, note = _adapter(meta["model"])
    sim_col = f"sim_{adapter.sim_loss}" if adapter else "sim_loss_mean"
    err_col = f"sim_{adapter.sim_loss_err}" if adapter and adapter.sim_loss_err else "sim_loss_sem"
    th_col = f"th_{adapter.theory_loss}" if adapter else "th_loss"
    has_sim = sim_col in df.columns and df[sim_col].notna().any()
    has_th = th_col in df.columns and df[th_col].notna().any()
    params = [c for c in (adapter.parameters if adapter else ()) if c in df.columns]

    from scalinglab.plots.sweep import plot_fitted_law, plot_residuals, plot_theory_vs_simulation

    n_figs = 0
    title = html.escape(str(meta.get("name", "sweep")))
    parts = _header_html(meta, spec, counts, note, db)

    parts.append("<h2>Theory vs simulation</h2>")
    for bi, block in enumerate(spec.get("layout", [])):
        rows = _block_rows(df, bi)
        x = block.get("x") or ""
        if rows.empty or not x or x not in rows.columns:
            continue
        curves = [v for v in block.get("varying", []) if v != x and v in rows.columns]
        name = str(block.get("name", f"block {bi + 1}"))
        figs = [
            plot_theory_vs_simulation(
                rows,
                x=x,
                curves=curves,
                sim=sim_col if has_sim else None,
                err=err_col,
                th=th_col if has_th else None,
                title=name,
            )
        ]
        if has_sim and has_th:
            figs.append(
                plot_residuals(
                    rows,
                    x=x,
                    curves=curves,
                    sim=sim_col,
                    err=err_col,
                    th=th_col,
                    title=f"{name}: residuals (±2 s.e.)",
                )
            )
        n_figs += len(figs)
        imgs = "".join(_img(f, f"{name} plot {j + 1}") for j, f in enumerate(figs))
        parts.append(f"<h3>{html.escape(name)}</h3><div class='figs'>{imgs}</div>")

    fits: list[LawFit] = []
    fit_meta = spec.get("fit", {})
    if adapter is not None and fit_meta.get("form", "none") != "none":
        fits = fit_sweep(df, fit_meta, adapter)
        loss_col = sweep_loss_column(adapter, fit_meta.get("data", "simulate"))
        form = {
            "mrs": "L0 [(1/N + 1/T)^α − M^-α]  (Maloney et al. 2022, eq. 172)",
            "chinchilla": "E + A N^-a + B T^-b  (Hoffmann et al. 2022, eq. 2)",
        }
        parts.append("<h2>Fitted law</h2>")
        parts.append(
            f"<p>Form: <b>{html.escape(form[fit_meta['form']])}</b>, fitted to "
            f"<code>{html.escape(loss_col)}</code> by least squares in log L; N = "
            f"<code>{html.escape(adapter.axes['N'])}</code>, T = "
            f"<code>{html.escape(adapter.axes['T'])}</code>"
            + (
                f", M = <code>{html.escape(adapter.axes['M'])}</code>"
                if "M" in adapter.axes
                else ""
            )
            + (
                f"; points with max(N,T)/min(N,T) &lt; {fit_meta['min_aspect']:g} excluded"
                if fit_meta.get("min_aspect", 1) > 1
                else ""
            )
            + ". ± values are Gauss–Newton standard errors.</p>"
        )
        parts.append(_fit_table(fits))
        if any(f.params for f in fits):
            rows = fit_rows(df, fit_meta)
            layout = spec.get("layout") or [{}]
            sizes = [len(_block_rows(rows, i)) for i in range(len(layout))]
            best = int(max(range(len(layout)), key=lambda i: sizes[i])) if layout else 0
            block = layout[best] if layout else {}
            x = block.get("x") or adapter.axes["T"]
            curves = [v for v in block.get("varying", []) if v != x and v in rows.columns]
            fig = plot_fitted_law(
                _block_rows(rows, best) if layout else rows,
                fits,
                loss=loss_col,
                x=x,
                curves=curves,
                title=f"{block.get('name', '')}: data and fitted law",
            )
            n_figs += 1
            parts.append(f"<div class='figs'>{_img(fig, 'fitted law')}</div>")

    if failures:
        parts.append(f"<h2>Failed points ({counts['failed']})</h2>")
        fdf = pd.DataFrame([{**p, "error": e} for _, p, e in failures])
        parts.append(f"<div class='tablewrap'>{_table(fdf, left={'error'})}</div>")

    parts.append(f"<h2>Runs ({len(df)} points)</h2>")
    varying = [p for p in params if df[p].astype(str).nunique() > 1] or params
    table = df[["idx", "status", *varying, "replicate"]].copy()
    if has_sim:
        table[sim_col] = df[sim_col]
        if err_col in df.columns:
            table[err_col] = df[err_col]
    if has_th:
        table[th_col] = df[th_col]
    if has_sim and has_th:
        th_vals = pd.to_numeric(df[th_col], errors="coerce")
        table["rel. diff"] = pd.to_numeric(df[sim_col], errors="coerce") / th_vals - 1.0
    table["time (s)"] = df["duration_s"]
    table["error"] = df["error"]
    shown = table.head(max_rows)
    if len(table) > max_rows:
        parts.append(
            f'<p class="muted">First {max_rows} of {len(table)} points; '
            "<code>scalinglab sweep export</code> writes all of them.</p>"
        )
    parts.append(
        "<div class='tablewrap'>"
        + _table(shown, left={"status", "error"}, row_class=shown["status"])
        + "</div>"
    )
    fixed = [p for p in params if p not in varying]
    if fixed:
        first = df.iloc[0]
        parts.append(
            "<p class='muted'>Same at every point: "
            + ", ".join(
                f"{p} = {_fmt(first[p]) if first[p] is not None else 'None'}" for p in fixed
            )
            + "</p>"
        )

    parts.append("<h2>Spec</h2>")
    parts.append(f"<pre>{html.escape(meta.get('spec_text', ''))}</pre>")

    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<link rel='icon' href='data:,'>"
        f"<title>Sweep report: {title}</title><style>{_CSS}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )
    return SweepReport(page, counts, fits, n_figs)
