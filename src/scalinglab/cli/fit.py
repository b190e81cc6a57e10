"""``scalinglab fit`` and ``scalinglab fit-bias``: fit scaling laws to a CSV of runs.

Thin layer: parse options, call :mod:`scalinglab.laws`, print text or one JSON object.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from scalinglab._types import Status
from scalinglab.cli._common import (
    FIGURE_SUFFIXES,
    CallbackProgress,
    Dpi,
    Force,
    Outputs,
    emit_json,
    err_console,
    fail,
    guard,
    save_figure,
)

__all__ = ["register"]


class _Numpy:
    """numpy, imported on first use: keeps ``scalinglab --help`` free of it."""

    def __getattr__(self, name: str) -> Any:
        import numpy

        return getattr(numpy, name)


np = _Numpy()

_METHODS = ("approach3", "varpro", "approach2", "approach1")


def _parse_float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        fail(f"{what} must be a number, got {text!r}")
    if not math.isfinite(value) or value <= 0:
        fail(f"{what} must be a finite number > 0, got {text!r}")
    return value


def _split_args(args: list[str], budget_opts: list[str] | None) -> tuple[Path, list[float]]:
    """The CSV path and the budgets (``--budget 1e24 3.8e25``, repeated or comma-separated)."""
    budgets: list[float] = []
    for item in budget_opts or []:
        budgets += [_parse_float(p, "--budget") for p in item.split(",") if p.strip()]
    files, extra = [], []
    for a in args:
        try:
            float(a)
        except ValueError:
            files.append(a)
        else:
            extra.append(a)
    if extra and not budget_opts:
        fail(f"unexpected argument {extra[0]!r} (budgets go after --budget)")
    budgets += [_parse_float(e, "--budget") for e in extra]
    if len(files) != 1:
        fail("give exactly one CSV file" if not files else f"unexpected argument {files[1]!r}")
    return Path(files[0]), budgets


#: Data sets shipped in ``scalinglab/data``, reachable by name: ``scalinglab fit llama3``.
BUNDLED = {"llama3": "llama3_isoflops_points.csv"}
#: Seconds of one fit at nominal speed (varpro at grid step 1e-3; measured 0.09 s idle).
FIT_SECONDS = {"varpro": 0.1, "approach3": 1.0, "approach2": 0.01, "approach1": 0.05}
#: The same for the kinked ``asymmetric-mae`` objective (234 points: 3.9 s and 9.3 s measured).
KINKED_FIT_SECONDS = {"varpro": 4.0, "approach3": 10.0}


def _resolve_data(path: Path) -> Path:
    """A CSV path as given, else a bundled data set by name (``llama3``) or file name."""
    if path.is_dir():
        fail(f"'{path}' is a directory, not a CSV file")
    if path.exists() or path.parent != Path("."):
        return path
    from importlib.resources import files

    name = BUNDLED.get(str(path), str(path))
    bundled = Path(str(files("scalinglab.data").joinpath(name)))
    if bundled.suffix == ".csv" and bundled.is_file():
        return bundled
    known = ", ".join(f"{k} ({v})" for k, v in BUNDLED.items())
    fail(f"cannot read '{path}': no such file (bundled data sets: {known})")
    return path


def _default_budgets(data: Any) -> np.ndarray:
    if data.is_isoflop:
        return np.asarray(data.budgets, dtype=float)
    lo, hi = np.log10(data.C.min()), np.log10(data.C.max())
    return 10.0 ** np.linspace(lo, hi, 5) if hi > lo else np.array([data.C.min()])


def _fmt(x: float, digits: int = 5) -> str:
    return "nan" if x is None or not math.isfinite(x) else f"{x:.{digits}g}"


def _print_text(result: dict[str, Any], fit: Any, data: Any) -> None:
    echo = typer.echo
    method = result["method"]
    head = f"{method} fit of {data.source} ({result['n_points']} points"
    if result.get("objective_name"):
        delta = (
            f", delta={_fmt(result['huber_delta'])}" if result["objective_name"] == "huber" else ""
        )
        if result["objective_name"] == "asymmetric-mae":
            delta = f", w={_fmt(result['asymmetry'])}"
        head += f"; {result['objective_name']} on {result['loss_space']} loss{delta}"
    echo(head + f"): {result['status']}")
    if result["message"] and result["message"] != "converged":
        echo(f"  note: {result['message']}")
    ci = result.get("ci") or {}

    def with_ci(name: str) -> str:
        text = _fmt(result[name])
        if name in ci:
            lo, hi = ci[name]
            text += f"  [{_fmt(lo)}, {_fmt(hi)}]"
        return text

    if result.get("alpha") is not None and math.isfinite(result["alpha"] or float("nan")):
        echo(
            f"  L(N, D) = {_fmt(result['E'])} + {_fmt(result['A'])}/N^{_fmt(result['alpha'])}"
            f" + {_fmt(result['B'])}/D^{_fmt(result['beta'])}"
        )
        echo(f"  objective = {result['objective']:.6g} (mean penalty per point)")
        for name in ("E", "A", "B", "alpha", "beta"):
            echo(f"  {name:6s} {with_ci(name)}")
    echo(f"  a (N* ~ C^a) {with_ci('a')}")
    echo(f"  b (D* ~ C^b) {with_ci('b')}")
    _print_intervals(ci)
    _print_allocations(result, ci)
    if method == "approach2":
        for b in fit.details["budgets"]:
            if not b["accepted"]:
                echo(f"  refused budget C = {b['C']:.4g}: {b['reason']}")


def _print_intervals(ci: dict[str, Any]) -> None:
    """What the bootstrap intervals are, and the replicates left out of them."""
    if not ci:
        return
    typer.echo(
        f"  intervals: {100 * ci['level']:g}% bootstrap percentile, {ci['n_ok']} of "
        f"{ci['n_boot']} replicates ({ci['scheme']} resampling)"
    )
    if ci.get("n_failed"):
        counts = ci.get("status_counts", {})
        typer.echo(f"  left out of the intervals: {ci['n_failed']} replicates ({counts})")


def _print_allocations(result: dict[str, Any], ci: dict[str, Any]) -> None:
    """The compute-optimal allocation table (with the N* interval when bootstrapped)."""
    echo = typer.echo
    if not result["allocations"]:
        echo(f"  no allocation table: the fit is {result['status']}")
    else:
        echo(f"  {'C':>10s} {'N_opt':>11s} {'D_opt':>11s} {'D/N':>8s} {'loss':>8s}")
    ci_alloc = {round(math.log10(e["C"]), 9): e for e in ci.get("allocations", [])}
    for row in result["allocations"]:
        line = (
            f"  {row['C']:10.3g} {row['N_opt']:11.4g} {row['D_opt']:11.4g} "
            f"{row['tokens_per_param']:8.3g} {_fmt(row['loss']):>8s}"
        )
        e = ci_alloc.get(round(math.log10(row["C"]), 9))
        if e:
            line += f"   N in [{_fmt(e['N_opt'][0])}, {_fmt(e['N_opt'][1])}]"
        echo(line)


def _list_laws(json_: bool) -> None:
    from scalinglab.laws.catalog import get_law, list_laws

    laws = [get_law(name).describe() for name in list_laws()]
    if json_:
        emit_json({"laws": laws})
        return
    for d in laws:
        typer.echo(f"{d['name']:18s} {d['equation']}")
        typer.echo(f"{'':18s} inputs: {', '.join(d['inputs'])}; {d['reference']}")


def _fit_named_law(
    name: str,
    args: list[str],
    x_col: list[str],
    loss_col: str | None,
    weight_col: str | None,
    objective: str | None,
    loss_space: str | None,
    huber_delta: float,
    asymmetry: float,
    n_boot: int,
    seed: int,
    level: float,
    workers: int,
    quiet: bool,
    json_: bool,
) -> None:
    """``scalinglab fit --law NAME``: any registered law through the engine."""
    from scalinglab.laws.catalog import get_law, read_law_csv
    from scalinglab.laws.engine import (
        NonlinearLaw,
        ReplicateFit,
        bootstrap_partially_linear,
        fit_nonlinear,
        fit_partially_linear,
    )
    from scalinglab.laws.objectives import Objective

    law = get_law(name)
    path, _ = _split_args(args, None)
    path = _resolve_data(path)
    columns = {}
    for item in x_col:
        key, sep, col = item.partition("=")
        if not sep or not key or not col:
            fail(f"--x-col must look like INPUT=COLUMN; got {item!r}")
        columns[key.strip()] = col.strip()
    x, y, w = read_law_csv(
        path, law, columns=columns, loss_col=loss_col or "loss", weight_col=weight_col
    )
    obj = Objective(
        kind=objective or "huber", space=loss_space or "raw", delta=huber_delta,
        asymmetry=asymmetry,
    )  # fmt: skip
    nonlinear_only = isinstance(law, NonlinearLaw)  # not partially linear: multistart
    fitter = fit_nonlinear if nonlinear_only else fit_partially_linear
    with CallbackProgress(f"fit --law {name}", enabled=not quiet) as prog:
        fit_result = fitter(law, x, y, objective=obj, weights=w, progress=prog)
    result = fit_result.to_dict()
    result["source"] = str(path)
    ci: dict[str, Any] = {}
    usable = fit_result.status not in (Status.FAILED, Status.NOT_IDENTIFIABLE)
    if n_boot > 0 and usable:
        rng = np.random.default_rng(seed)
        counts = np.stack([np.bincount(rng.integers(0, y.size, y.size), minlength=y.size)
                           for _ in range(n_boot)]).astype(float)  # fmt: skip
        if w is not None:
            counts = counts * w[None, :]
        start = {p.name: fit_result.params[p.name] for p in law.nonlinear}
        with CallbackProgress(f"bootstrap (--law {name})", enabled=not quiet) as prog:
            if nonlinear_only:
                reps = []
                for i, cw in enumerate(counts):
                    f = fit_nonlinear(law, x, y, objective=obj, weights=cw, n_starts=2)
                    reps.append(ReplicateFit(f.status, f.message, f.params, f.objective_value))
                    prog(i + 1, n_boot)
            else:
                reps = bootstrap_partially_linear(
                    law, x, y, counts, start, objective=obj, workers=workers, progress=prog
                )
        bad = (Status.FAILED, Status.NOT_IDENTIFIABLE)
        kept = [r for r in reps if r.status not in bad]
        statuses: dict[str, int] = {}
        for r in reps:
            statuses[str(r.status)] = statuses.get(str(r.status), 0) + 1
        q = (50.0 * (1 - level), 100.0 - 50.0 * (1 - level))
        ci = {"level": level, "n_boot": n_boot, "n_ok": len(kept),
              "n_failed": n_boot - len(kept), "scheme": "points",
              "status_counts": dict(sorted(statuses.items()))}  # fmt: skip
        for key in law.param_names:
            vals = np.array([r.params[key] for r in kept])
            ci[key] = [float(v) for v in np.percentile(vals, q)] if vals.size else [None, None]
    result["ci"] = ci
    if json_:
        emit_json(result)
        return
    head = f"{name} fit of {path.name} ({result['n_points']} points; {obj.describe()})"
    typer.echo(f"{head}: {result['status']}")
    if result["message"] != "converged":
        typer.echo(f"  note: {result['message']}")
    typer.echo(f"  L = {law.equation}")
    typer.echo(f"  objective = {result['objective']:.6g} (mean penalty per point)")
    for key, val in result["params"].items():
        text = f"  {key:8s} {_fmt(val)}"
        if key in ci:
            text += f"  [{_fmt(ci[key][0])}, {_fmt(ci[key][1])}]"
        typer.echo(text)
    if ci:
        typer.echo(
            f"  intervals: {100 * level:g}% bootstrap percentile, {ci['n_ok']} of {n_boot} "
            f"replicates (points resampling); statuses {ci['status_counts']}"
        )


def _misallocation(
    fit_result: Any, plan_n: float, C: np.ndarray, boot: Any, level: float
) -> dict[str, Any] | None:
    """Cost of training ``plan_n`` parameters at the first budget, with its interval."""
    from scalinglab.laws.allocation import misallocation_cost
    from scalinglab.laws.forms import ChinchillaSurface, PowerLawFrontier

    surface = getattr(fit_result, "surface", None)
    if (
        surface is None
        or not np.isfinite(surface.alpha)
        or fit_result.status
        in (
            Status.FAILED,
            Status.NOT_IDENTIFIABLE,
        )
    ):
        return None
    c = float(C[0])
    # the plan keeps its tokens per parameter when scaled to other budgets (N ∝ C^0.5),
    # which only matters for the extra-compute price
    plan = PowerLawFrontier(
        n_coef=plan_n / c**0.5, a=0.5, d_coef=c**0.5 / (surface.k * plan_n), b=0.5
    )
    out: dict[str, Any] = misallocation_cost(surface, plan, c).to_dict()
    if boot is not None and "alpha" in boot.samples:
        s = boot.samples
        costs = [
            misallocation_cost(
                ChinchillaSurface(
                    s["E"][i], s["A"][i], s["B"][i], s["alpha"][i], s["beta"][i], surface.k
                ),
                plan,
                c,
            )
            for i in range(s["alpha"].size)
        ]
        q = (50.0 * (1 - level), 100.0 - 50.0 * (1 - level))
        out["ci"] = {
            key: [float(v) for v in np.percentile([getattr(x, key) for x in costs], q)]
            for key in ("wasted_fraction", "extra_compute_fraction", "N_opt")
        }
    return out


def _print_misallocation(m: dict[str, Any]) -> None:
    ci = m.get("ci", {})

    def iv(key: str, scale: float = 1.0) -> str:
        if key not in ci:
            return ""
        return f" [{_fmt(scale * ci[key][0], 3)}, {_fmt(scale * ci[key][1], 3)}]"

    typer.echo(
        f"  plan N = {m['N_plan']:.4g} at C = {m['C']:.4g} (optimum N* = {m['N_opt']:.4g}"
        f"{iv('N_opt')}): wastes {_fmt(100 * m['wasted_fraction'], 3)}%"
        f"{iv('wasted_fraction', 100)} of the budget; needs "
        f"{_fmt(100 * m['extra_compute_fraction'], 3)}%{iv('extra_compute_fraction', 100)}"
        " more compute to reach the optimum's loss"
    )


def fit(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE.csv",
            help="CSV of runs (one header row), or a bundled data set by name: llama3.",
        ),
    ] = None,
    method: Annotated[
        str, typer.Option(help="approach3 | varpro | approach2 | approach1.")
    ] = "varpro",
    n_col: Annotated[
        str | None, typer.Option("--n-col", help="Model size column (default: N, if present).")
    ] = None,
    d_col: Annotated[
        str | None,
        typer.Option(
            "--d-col", help="Tokens column, tokens seen for approach1 (default: D, if present)."
        ),
    ] = None,
    c_col: Annotated[
        str | None,
        typer.Option("--c-col", help="Compute column in FLOPs (default: C, if present)."),
    ] = None,
    loss_col: Annotated[
        str | None, typer.Option("--loss-col", help="Loss column (default: loss).")
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option(
            help="huber | mse | asymmetric-mae, for approach3 and varpro (default: huber)."
        ),
    ] = None,
    huber_delta: Annotated[float, typer.Option(help="Huber threshold delta.")] = 1e-3,
    asymmetry: Annotated[
        float,
        typer.Option(
            help="asymmetric-mae: weight of over-prediction (default 10, the chinchilla package's)."
        ),
    ] = 10.0,
    weight_col: Annotated[
        str | None, typer.Option("--weight-col", help="Column of point weights (> 0).")
    ] = None,
    loss_space: Annotated[
        str | None,
        typer.Option(help="log | raw residuals (default: log for approach3, raw for varpro)."),
    ] = None,
    budget: Annotated[
        list[str] | None,
        typer.Option(
            help="Budgets C (FLOPs) for the allocation table: repeat, comma-separate or list "
            "after one --budget (default: the data's budgets)."
        ),
    ] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap replicates for CIs (0: none).")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    level: Annotated[float, typer.Option(help="Coverage of the bootstrap intervals.")] = 0.95,
    k: Annotated[float, typer.Option(help="FLOPs per parameter per token, C = k*N*D.")] = 6.0,
    grid_step: Annotated[float, typer.Option(help="varpro (alpha, beta) grid step.")] = 1e-3,
    plot: Annotated[
        Path | None,
        typer.Option(help="Write a figure of the fit: .png, .pdf or .svg (replaces a file)."),
    ] = None,
    dpi: Dpi = 150,
    force: Force = False,
    qc: Annotated[
        bool,
        typer.Option(
            "--qc",
            help="Fit only the rows that pass the IsoFLOP quality checks (flags are "
            "reported in any case; see docs/fit.md).",
        ),
    ] = False,
    law: Annotated[
        str,
        typer.Option(
            help="Law to fit (see --list-laws). Laws other than chinchilla read their inputs "
            "from columns of the same name (or --x-col) and use the variable-projection engine."
        ),
    ] = "chinchilla",
    list_laws: Annotated[
        bool, typer.Option("--list-laws", help="List the registered laws and exit.")
    ] = False,
    x_col: Annotated[
        list[str] | None,
        typer.Option("--x-col", help="INPUT=COLUMN: read a law's input from another column."),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Processes for the bootstrap (0: one per CPU core).")
    ] = 0,
    plan_n: Annotated[
        float | None,
        typer.Option(
            help="Model size you plan to train at the first --budget: print what that "
            "allocation wastes against the fitted optimum (with its bootstrap interval)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Fit L(N, D) = E + A/N^alpha + B/D^beta (or the compute-optimal frontier) to runs."""
    if list_laws:
        return _list_laws(json_)
    if workers < 0:
        fail(f"--workers must be >= 0; got {workers}")
    if plan_n is not None and not (math.isfinite(plan_n) and plan_n > 0):
        fail(f"--plan-n must be a finite number > 0; got {plan_n!r}")
    n_workers = workers or os.cpu_count() or 1
    if law != "chinchilla":
        return _fit_named_law(
            law, args or [], x_col or [], loss_col, weight_col, objective, loss_space,
            huber_delta, asymmetry, bootstrap, seed, level, n_workers, quiet, json_,
        )  # fmt: skip
    from scalinglab.laws.fitting import default_objective, fit_law
    from scalinglab.laws.io import read_csv

    _check_surface_options(
        method, objective, asymmetry, loss_space, huber_delta, bootstrap, level, k, grid_step
    )
    if plot is not None:
        Outputs().file(plot, option="--plot", suffixes=FIGURE_SUFFIXES)
    _guard_fit(method, bootstrap, grid_step, force, weight_col, objective == "asymmetric-mae")
    path, budgets = _split_args(args or [], budget)
    path = _resolve_data(path)
    data = read_csv(
        path, n_col=n_col, d_col=d_col, c_col=c_col, loss_col=loss_col, k=k, weight_col=weight_col
    )
    obj = dataclasses.replace(
        default_objective(method, objective, loss_space, huber_delta), asymmetry=asymmetry
    )
    options: dict[str, Any] = {"grid_step": grid_step} if method == "varpro" else {}
    all_data = data
    data, qc_report = _qc_stage(data, method, qc)

    def do_fit(d: Any) -> Any:
        return fit_law(d, method, objective=obj, **options)

    fit_result = do_fit(data)
    C = np.asarray(budgets, dtype=float) if budgets else _default_budgets(data)
    result, details, usable = _result_dict(fit_result, method, path, C)
    boot = None
    if bootstrap > 0 and usable:
        boot = _bootstrap_fit(
            data, fit_result, method, obj, do_fit, bootstrap, C, seed, level, n_workers, quiet
        )
    result["ci"] = boot.to_dict() if boot is not None else {}
    if plan_n is not None:
        result["misallocation"] = _misallocation(fit_result, plan_n, C, boot, level)
    if qc_report is not None:
        result["qc"] = {**qc_report.to_dict(), "applied": qc, "n_points_fitted": data.n_points}
    result["details"] = details
    if plot is not None:
        from scalinglab.plots.fit import plot_fit

        flagged = qc_report.flagged if qc_report is not None else None
        save_figure(
            plot_fit(all_data, fit_result, bootstrap=boot, budgets=C, flagged=flagged),
            plot,
            dpi=dpi,
        )
    if json_:
        emit_json(result)
        return None
    _print_text(result, fit_result, data)
    _print_extras(result, qc_report, method, qc, plot)
    return None


def _result_dict(
    fit_result: Any, method: str, path: Path, C: np.ndarray
) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """The JSON object of a fit (without ``details``, returned apart), and whether the fit
    is usable (neither failed nor refused as not identifiable)."""
    from scalinglab.laws.allocation import allocate
    from scalinglab.laws.fitting import SURFACE_METHODS

    result: dict[str, Any] = fit_result.to_dict()
    details = result.pop("details")
    if method not in SURFACE_METHODS:
        for key in ("objective_name", "loss_space", "huber_delta", "asymmetry"):
            result[key] = None
    result["source"] = str(path)
    usable = fit_result.status not in (Status.FAILED, Status.NOT_IDENTIFIABLE)
    result["allocations"] = [a.to_dict() for a in allocate(fit_result, C)] if usable else []
    return result, details, usable


def _print_extras(
    result: dict[str, Any], qc_report: Any, method: str, qc: bool, plot: Path | None
) -> None:
    """Text after the fit: the misallocation line, QC flags, the figure written."""
    if result.get("misallocation"):
        _print_misallocation(result["misallocation"])
    if qc_report is not None:
        _print_qc(qc_report, method, qc)
    if plot is not None:
        err_console.print(f"[dim]wrote {plot}[/dim]")


def _check_surface_options(
    method: str,
    objective: str | None,
    asymmetry: float,
    loss_space: str | None,
    huber_delta: float,
    bootstrap: int,
    level: float,
    k: float,
    grid_step: float,
) -> None:
    """One-line errors for the options of a Chinchilla-surface / frontier fit."""
    if method not in _METHODS:
        fail(f"--method must be one of {', '.join(_METHODS)}; got {method!r}")
    if objective is not None and objective not in ("huber", "mse", "asymmetric-mae"):
        fail(f"--objective must be huber, mse or asymmetric-mae; got {objective!r}")
    if not (math.isfinite(asymmetry) and asymmetry > 0):
        fail(f"--asymmetry must be a finite number > 0; got {asymmetry!r}")
    if loss_space is not None and loss_space not in ("log", "raw"):
        fail(f"--loss-space must be log or raw; got {loss_space!r}")
    if not (math.isfinite(huber_delta) and huber_delta > 0):
        fail(f"--huber-delta must be a finite number > 0; got {huber_delta!r}")
    if bootstrap < 0:
        fail(f"--bootstrap must be >= 0; got {bootstrap}")
    if not (0 < level < 1):
        fail(f"--level must be in (0, 1); got {level}")
    if not (math.isfinite(k) and k > 0):
        fail(f"--k must be a finite number > 0; got {k!r}")
    if not (math.isfinite(grid_step) and 0 < grid_step <= 0.5):
        fail(f"--grid-step must be in (0, 0.5]; got {grid_step!r}")


def _guard_fit(
    method: str,
    bootstrap: int,
    grid_step: float,
    force: bool,
    weight_col: str | None,
    kinked: bool = False,
) -> None:
    """Refuse work that is too large (unless --force) and weights a method would ignore."""
    n_grid = (0.99 / grid_step + 1) ** 2 if method == "varpro" else 0.0
    per_fit = KINKED_FIT_SECONDS.get(method, FIT_SECONDS[method]) if kinked else FIT_SECONDS[method]
    guard(
        f"fit --method {method} with --bootstrap {bootstrap}"
        + (f" at --grid-step {grid_step:g}" if method == "varpro" else ""),
        memory=8.0 * 3 * n_grid,
        seconds=(bootstrap + 1) * per_fit * max(1.0, n_grid / 991**2),
        force=force,
        hint="use fewer --bootstrap replicates or a coarser --grid-step",
    )
    if weight_col is not None and method not in ("approach3", "varpro"):
        fail(
            f"--weight-col: point weights apply to the surface fits (approach3, varpro), "
            f"not {method}"
        )


def _qc_stage(data: Any, method: str, qc: bool) -> tuple[Any, Any]:
    """IsoFLOP quality checks where the data allow them; with ``--qc`` the passing rows."""
    sizes = data.budget_sizes
    isoflop_like = int(np.sum(sizes >= 3)) >= 2 and np.sum(sizes[sizes >= 3]) >= 0.8 * data.n_points
    if method != "approach1" and isoflop_like:
        from scalinglab.laws.qc import apply_qc, isoflop_qc

        qc_report = isoflop_qc(data)
        if qc:
            data = apply_qc(data, qc_report, "approach2" if method == "approach2" else "surface")
        return data, qc_report
    if qc:
        fail(
            "--qc needs IsoFLOP data (80 % of the rows in budgets of 3+ runs, two such "
            "budgets or more) and a method other than approach1"
        )
    return data, None


def _bootstrap_fit(
    data: Any,
    fit_result: Any,
    method: str,
    obj: Any,
    do_fit: Any,
    n_boot: int,
    C: np.ndarray,
    seed: int,
    level: float,
    n_workers: int,
    quiet: bool,
) -> Any:
    """Bootstrap intervals: the batched path for unweighted smooth varpro fits, else a
    refit of every replicate."""
    fast_boot = method == "varpro" and obj.is_smooth and getattr(data, "weight", None) is None
    with CallbackProgress(f"bootstrap ({method})", enabled=not quiet) as prog:
        if fast_boot:
            from scalinglab.laws.uncertainty import bootstrap_surface

            return bootstrap_surface(
                data,
                fit_result.surface,
                objective=obj,
                n_boot=n_boot,
                budgets=C,
                seed=seed,
                level=level,
                workers=n_workers,
                progress=prog,
            )
        from scalinglab.laws.uncertainty import bootstrap as run_bootstrap

        return run_bootstrap(
            data,
            do_fit,
            n_boot=n_boot,
            budgets=C,
            seed=seed,
            level=level,
            scheme="runs" if method == "approach1" else "auto",
            progress=prog,
        )


def _print_qc(qc_report: Any, method: str, qc: bool) -> None:
    """The QC flags as text lines (at most 12; all of them are in --json)."""
    lines = []
    for b in qc_report.budgets:
        for f in b.flags:
            surface_only = f.action == "exclude_budget_approach2" and method != "approach2"
            if f.action == "warn" or surface_only:
                verb = "warning"
            else:
                verb = "excluded" if qc else "flagged; --qc excludes"
            lines.append(f"  qc C = {b.C:.4g}: {f.name} ({f.detail}) [{verb}]")
    for line in lines[:12]:
        typer.echo(line)
    if len(lines) > 12:
        typer.echo(f"  qc: {len(lines) - 12} more flags (all of them in --json)")


def fit_bias(
    alpha: Annotated[
        list[float] | None, typer.Option(help="True alpha (repeat for several).")
    ] = None,
    beta: Annotated[
        list[float] | None, typer.Option(help="True beta (repeat for several).")
    ] = None,
    grid_width: Annotated[
        list[float] | None,
        typer.Option(help="Half-width of each IsoFLOP grid in decades of N (repeatable)."),
    ] = None,
    offset: Annotated[
        list[float] | None,
        typer.Option(help="Constant off-centre shift of the grids in decades (repeatable)."),
    ] = None,
    drift: Annotated[
        list[float] | None,
        typer.Option(help="Shift growing to this many decades at the largest budget."),
    ] = None,
    points_per_budget: Annotated[int, typer.Option(help="Runs per budget.")] = 15,
    extrapolate_to: Annotated[
        float, typer.Option(help="Budget (FLOPs) where N*, D* and the waste are compared.")
    ] = 1e24,
    plot: Annotated[
        Path | None,
        typer.Option(help="Write a figure of the N* errors: .png, .pdf or .svg."),
    ] = None,
    dpi: Dpi = 150,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Bias of Approach 2, varpro and Approach 3 on noise-free synthetic IsoFLOP data.

    Without sweep options: one factor at a time around alpha=0.34, beta=0.28, +-0.5
    decade grids. With options: the Cartesian product of the values given.
    """
    from scalinglab.laws.synthetic import DEFAULT_BUDGETS, bias_table

    for name, values, low in (
        ("--alpha", alpha, 0.0),
        ("--beta", beta, 0.0),
        ("--grid-width", grid_width, 0.0),
    ):
        for v in values or []:
            if not (math.isfinite(v) and v > low):
                fail(f"{name} must be a finite number > 0; got {v!r}")
    for name, values in (("--offset", offset), ("--drift", drift)):
        for v in values or []:
            if not math.isfinite(v):
                fail(f"{name} must be finite; got {v!r}")
    if points_per_budget < 3:
        fail(f"--points-per-budget must be >= 3; got {points_per_budget}")
    if not (math.isfinite(extrapolate_to) and extrapolate_to > 0):
        fail(f"--extrapolate-to must be a finite number > 0; got {extrapolate_to!r}")
    if plot is not None:
        Outputs().file(plot, option="--plot", suffixes=FIGURE_SUFFIXES)
    with CallbackProgress("fit-bias", enabled=not quiet) as prog:
        rows = bias_table(
            alphas=alpha,
            betas=beta,
            grid_widths=grid_width,
            offsets=offset,
            drifts=drift,
            points_per_budget=points_per_budget,
            extrapolate_to=extrapolate_to,
            progress=prog,
        )
    table = [r.to_dict() for r in rows]
    if plot is not None:
        from scalinglab.plots.fit import plot_bias

        save_figure(plot_bias(rows), plot, dpi=dpi)
    if json_:
        emit_json(
            {
                "rows": table,
                "budgets": list(DEFAULT_BUDGETS),
                "points_per_budget": points_per_budget,
                "extrapolate_to": extrapolate_to,
                "noise": 0.0,
            }
        )
        return
    typer.echo(
        f"Noise-free IsoFLOP data, budgets 1e17..1e21 ({points_per_budget} runs each); "
        f"errors at C = {extrapolate_to:.3g}"
    )
    typer.echo(
        f"{'setting':>15s} {'alpha':>6s} {'beta':>6s} {'width':>5s} {'offset':>6s} {'drift':>5s} "
        f"{'method':>9s} {'a_true':>7s} {'a - a_true':>11s} {'N* err':>9s} {'D* err':>9s} "
        f"{'wasted':>9s}"
    )
    for d in table:
        typer.echo(
            f"{d['label'] or '-':>15s} {d['alpha']:6.3f} {d['beta']:6.3f} {d['grid_width']:5.2f} "
            f"{d['offset']:6.2f} {d['drift']:5.2f} {d['method']:>9s} {d['a_true']:7.4f} "
            f"{d['a_error']:+11.2e} {100 * d['N_opt_rel_error']:+8.3f}% "
            f"{100 * d['D_opt_rel_error']:+8.3f}% {100 * d['wasted_fraction']:8.4f}%"
        )


def register(app: typer.Typer) -> None:
    app.command("fit")(fit)
    app.command("fit-bias")(fit_bias)
