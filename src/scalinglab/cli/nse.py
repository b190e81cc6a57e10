"""``scalinglab nse ACTIVATION... [--delta Δ...]``: noise sensitivity exponent and α_c(Δ)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer

from scalinglab.cli._common import CallbackProgress, Force, Json, Quiet, emit_json, fail, guard


def _parse_delta(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        fail(f"--delta must be a number, got {text!r}")
    if not math.isfinite(value) or value <= 0:
        fail(f"--delta must be a finite number > 0, got {text!r}")
    return value


def _split_args(args: list[str], delta_opts: list[str] | None) -> tuple[list[str], list[float]]:
    """Activations and noise levels (``--delta 1 10``: repeated, comma-separated or listed)."""
    deltas: list[float] = []
    for item in delta_opts or []:
        deltas += [_parse_delta(p) for p in item.split(",") if p.strip()]
    names, extra = [], []
    for a in args:
        try:
            float(a)
        except ValueError:
            names.append(a)
        else:
            extra.append(a)
    if extra and not delta_opts:
        fail(f"unexpected argument {extra[0]!r} (noise levels go after --delta)")
    deltas += [_parse_delta(e) for e in extra]
    if not names:
        fail("give at least one ACTIVATION (e.g. relu abs he4, or hermite:0,0,0,0,1)")
    return names, deltas


def _seconds_estimate(n_act: int, deltas: list[float]) -> float:
    """Worst case (σ = h_4): about 0.03/Δ s per threshold on one core, ≥ 0.05 s."""
    return n_act * sum(max(0.05, 0.03 / d) for d in deltas)


def nse_cmd(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="ACTIVATION...",
            help="Links: he1..he12, quadratic, abs, relu, tanh, cos, sign, linear, or "
            "hermite:c0,c1,... (normalised Hermite coefficients); all centred.",
        ),
    ],
    delta: Annotated[
        list[str] | None,
        typer.Option(
            "--delta",
            help="Noise variances Δ for the threshold α_c(Δ): repeat, comma-separate or list "
            "after one --delta.",
        ),
    ] = None,
    beta_max: Annotated[
        int, typer.Option("--beta-max", help="Largest power β searched for β★ (1..64).")
    ] = 8,
    rtol: Annotated[
        float, typer.Option("--rtol", help="Relative accuracy of α_c (1e-10..0.1).")
    ] = 1e-4,
    gamma: Annotated[
        float | None,
        typer.Option(
            "--gamma", help="Hierarchical decay γ > 1/2: also print the rates of note §B.1."
        ),
    ] = None,
    json_: Json = False,
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Noise sensitivity exponent β★ = min{β : E[σ^β (z²−1)] ≠ 0} and α_c(Δ) of each link.

    α_c(Δ) = 1/E_y(E(z²−1 | y)²) for y = σ(z) + √Δ ξ (Mondelli–Montanari); links with an odd
    part learn at any α > 0 (alpha_c = 0, regime first_order). The asymptote is the large-noise
    law β★! Δ^β★ / E(σ^β★ He2)² (even links with finite β★).
    """
    from scalinglab._validation import InputError, check_int, check_real
    from scalinglab.models.multiindex.activations import activation
    from scalinglab.models.multiindex.nse import (
        hierarchical_rates,
        large_noise_threshold,
        noise_sensitivity_exponent,
        weak_recovery_threshold,
    )

    names, deltas = _split_args(args, delta)
    beta_max = check_int(beta_max, "--beta-max", "nse", low=1, high=64)
    rtol = check_real(rtol, "--rtol", "nse", low=1e-10, high=0.1)
    if gamma is not None:
        gamma = check_real(gamma, "--gamma", "nse", low=0.5, low_open=True)
    acts = []
    for name in names:
        try:
            acts.append(activation(name))
        except InputError as err:
            fail(f"ACTIVATION {name!r}: {err}")
    guard("nse thresholds", seconds=_seconds_estimate(len(acts), deltas), force=force)

    rows: list[dict[str, Any]] = []
    total = len(acts) * (1 + len(deltas))
    done = 0
    with CallbackProgress("nse", enabled=not (quiet or json_)) as prog:
        for act in acts:
            res = noise_sensitivity_exponent(act, beta_max)
            done += 1
            prog(done, total)
            row = res.to_dict()
            thresholds = []
            for d in deltas:
                thr = weak_recovery_threshold(act, d, rtol=rtol)
                entry = thr.to_dict()
                asym = None
                if res.even and res.beta_star is not None:
                    asym = large_noise_threshold(act, d, beta_max)
                entry["asymptote"] = asym
                thresholds.append(entry)
                done += 1
                prog(done, total)
            row["thresholds"] = thresholds
            if gamma is not None:
                row["hierarchical"] = hierarchical_rates(gamma, res.beta_star)
            rows.append(row)
    if json_:
        emit_json({"activations": rows})
        return
    _print_human(rows, gamma is not None)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _print_human(rows: list[dict[str, Any]], with_rates: bool) -> None:
    echo = typer.echo
    echo(f"{'activation':<22s}{'NSE':>6s}{'IE':>5s}{'even':>7s}{'gap':>6s}  E[σ^β He2], β = 1..3")
    for r in rows:
        nse = "inf" if r["nse"] is None and r["nse_status"] == "converged" else _fmt(r["nse"])
        # moments that pass the zero test are printed as 0 (JSON keeps the raw values)
        moments = ", ".join(
            "0" if zero else f"{m:.6g}"
            for m, zero in zip(r["he2_power_moments"][:3], r["he2_moment_is_zero"], strict=False)
        )
        echo(
            f"{r['name']:<22s}{nse:>6s}{r['information_exponent']:>5d}"
            f"{'yes' if r['even'] else 'no':>7s}{'yes' if r['gap_relevant'] else 'no':>6s}"
            f"  {moments}"
        )
        if r["nse_status"] != "converged":
            echo(f"  note: {r['nse_message']}")
    if any(r["thresholds"] for r in rows):
        echo("")
        echo(f"{'activation':<22s}{'delta':>10s}{'alpha_c':>14s}{'asymptote':>14s}  regime")
        for r in rows:
            for t in r["thresholds"]:
                flag = "" if t["status"] == "converged" else f" ({t['status']}: {t['message']})"
                echo(
                    f"{r['name']:<22s}{_fmt(t['delta']):>10s}{_fmt(t['alpha_c']):>14s}"
                    f"{_fmt(t['asymptote']):>14s}  {t['regime']}{flag}"
                )
    if with_rates:
        echo("")
        echo(f"{'activation':<22s}{'alg threshold exp':>18s}{'MSE alg':>10s}{'MSE opt':>10s}")
        for r in rows:
            h = r["hierarchical"]
            echo(
                f"{r['name']:<22s}{_fmt(h['alg_threshold_exponent']):>18s}"
                f"{_fmt(h['mse_exponent_alg']):>10s}{_fmt(h['mse_exponent_opt']):>10s}"
            )


def register(app: typer.Typer) -> None:
    """Add ``nse`` to the main app."""
    app.command("nse")(nse_cmd)
