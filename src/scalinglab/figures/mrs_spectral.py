"""Figures 13–14 of Maloney, Roberts & Sully (2022): spectral extension through a ReLU layer.

MNIST is not available here (nothing is downloaded); scikit-learn's bundled digits (8 × 8
images, N_in = 61 non-constant pixels, 1797 samples) stands in for it, and the data-model
comparisons use N_in = 64 to match. Settings follow the captions (mrs_math.md §4); where
MNIST sizes cannot be reached, the choice is stated in the figure notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scalinglab._types import ProgressFn
from scalinglab.core import rmt
from scalinglab.core.spectra import fit_power_law, power_law_spectrum
from scalinglab.empirical import feature_spectra
from scalinglab.empirical.datasets import load_digits
from scalinglab.empirical.learning_curve import learning_curve
from scalinglab.empirical.spectra import eigensystem
from scalinglab.figures import FigureOutput, register_figure
from scalinglab.models import mrs
from scalinglab.plots.spectra import plot_learning_curve, plot_spectrum_family

DIGITS_NOTE = (
    "MNIST replaced by scikit-learn's bundled digits (8x8, 61 non-constant pixels, 1797 "
    "images): no downloads"
)


@dataclass
class _Counter:
    total: int
    progress: ProgressFn | None
    done: int = 0

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


def _spectrum_rows(panel: str, label: str, lam: np.ndarray, fit) -> dict:
    return {
        "panel": panel,
        "curve": label,
        "n_modes": lam.size,
        "capacity_a": fit.exponent,
        "ci_low": fit.ci[0],
        "ci_high": fit.ci[1],
        "k_min": fit.window[0],
        "k_max": fit.window[1],
        "status": fit.status.value,
    }


@register_figure(
    "mrs-fig4",
    "linear maps add only zero eigenvalues; a ReLU layer extends the power law (digits)",
)
def fig4(
    *, quick: bool = False, progress: ProgressFn | None = None, seeds: int = 1
) -> FigureOutput:
    """MRS Fig. 4 on digits (in place of CIFAR-10): feature spectra of a fixed data set.

    Eigenvalues of the feature covariance (MRS eq. 11) of all T = 1797 digits, rescaled by the
    top one. Left: the linear map (12) with weights N(0, 1/N_in): whatever the width N, the
    spectrum ends at rank N_in (only zeros are added). Right: a ReLU layer (13)-(14) with
    weights N(0, 2/N_in): wider layers extend the power-law range, up to min(N, T).
    ``seeds`` is unused (one weight draw per width).
    """
    digits = load_digits()
    widths = [32, 128, 512] if quick else [64, 256, 1024, 4096]
    counter = _Counter(2 * len(widths), progress)
    x = digits.x - digits.x.mean(axis=0)
    inputs = eigensystem(x).eigenvalues
    in_fit = fit_power_law(inputs)
    fig = Figure(figsize=(11, 4.4), layout="constrained")
    axes = fig.subplots(1, 2)
    rows: list[dict] = [_spectrum_rows("both", "inputs", inputs, in_fit)]
    maps = (("left", "linear", 1.0, "linear map (12)"), ("right", "relu", 2.0, "ReLU layer (13)"))
    for ax, (panel, act, var, title) in zip(axes, maps, strict=True):
        spectra = {}
        for width in widths:
            rng = np.random.default_rng(4000 + width)
            lam = feature_spectra.random_feature_spectra(
                x, act, [width], rng, weight_var=var, center_inputs=False
            )[width]
            spectra[width] = lam[lam > lam[0] * 1e-13]  # drop the numerically zero ones
            counter.step()
        fits_n = {n: fit_power_law(lam) for n, lam in spectra.items()}
        named = {
            f"N = {n}: {lam.size} modes, a = {fits_n[n].exponent:.2f}": lam
            for n, lam in spectra.items()
        }
        for n in widths:
            rows.append(_spectrum_rows(panel, f"{act}, N = {n}", spectra[n], fits_n[n]))
        plot_spectrum_family(
            named,
            ax=ax,
            fits=dict(zip(named, fits_n.values(), strict=True)),
            reference=(f"inputs ({inputs.size} modes)", inputs),
            title=f"{title}, T = {digits.n_samples} digits",
        )
        ax.axvline(digits.n_features, color="0.4", ls=":", lw=1)
    fig.suptitle(
        "MRS Fig. 4 on digits: feature spectra (rescaled by λ_1); dashed: power-law fits",
        fontsize=10,
    )
    notes = [
        DIGITS_NOTE,
        "linear map: rank stays at N_in = "
        + f"{digits.n_features} for every width; ReLU: modes "
        + ", ".join(str(r["n_modes"]) for r in rows if r["panel"] == "right"),
    ]
    return FigureOutput(figures={"main": fig}, tables={"main": pd.DataFrame(rows)}, notes=notes)


@register_figure(
    "mrs-fig13",
    "ReLU-kernel spectra extend the power law beyond N_in as T grows (data model; digits)",
)
def fig13(
    *, quick: bool = False, progress: ProgressFn | None = None, seeds: int = 1
) -> FigureOutput:
    """MRS Fig. 13: eigenvalues of the infinite-width ReLU kernel (179), rescaled by the top one.

    Left: the data model (latent M = 20000, α = 1, λ₊ = 1, linear map (28) with σ_u² = 1 to
    N_in = 784 inputs). Right: digits in place of MNIST. ``seeds`` is unused (one data draw).
    """
    if quick:
        m, n_in, t_left = 4000, 196, [200, 400, 800, 1600]
    else:
        m, n_in, t_left = 20000, 784, [500, 1000, 2000, 4000]
    digits = load_digits()
    t_right = [200, 450, 900, digits.n_samples]
    counter = _Counter(len(t_left) + len(t_right) + 1, progress)
    rng = np.random.default_rng(13)
    x_model = feature_spectra.power_law_inputs(max(t_left), m, 1.0, n_in, rng)
    counter.step()
    fig = Figure(figsize=(11, 4.4), layout="constrained")
    ax_l, ax_r = fig.subplots(1, 2)
    rows: list[dict] = []
    panels = (
        ("left", ax_l, x_model, t_left, f"data model: M = {m}, α = 1, N_in = {n_in}"),
        (
            "right",
            ax_r,
            digits.x,
            t_right,
            f"digits (N_in = {digits.n_features}), in place of MNIST",
        ),
    )
    for panel, ax, x, ts, title in panels:
        order = np.random.default_rng(131).permutation(x.shape[0])
        xs = x[order]
        spectra = feature_spectra.kernel_spectra_vs_samples(
            xs, "relu", ts, progress=lambda i, n: counter.step()
        )
        fits_t = {t: fit_power_law(lam) for t, lam in spectra.items()}
        named = {f"ReLU kernel, T = {t} (a = {fits_t[t].exponent:.2f})": spectra[t] for t in ts}
        fits = dict(zip(named, fits_t.values(), strict=True))
        inputs = eigensystem(xs[: max(ts)]).eigenvalues
        in_fit = fit_power_law(inputs)
        for t in ts:
            rows.append(_spectrum_rows(panel, f"ReLU kernel, T = {t}", spectra[t], fits_t[t]))
        rows.append(_spectrum_rows(panel, f"inputs, T = {max(ts)}", inputs, in_fit))
        plot_spectrum_family(
            named,
            ax=ax,
            fits=fits,
            reference=(f"inputs (a = {in_fit.exponent:.2f})", inputs),
            title=title,
        )
        ax.axvline(x.shape[1], color="0.4", ls=":", lw=1)
        ax.text(x.shape[1], ax.get_ylim()[0], " N_in", color="0.3", fontsize=7, va="bottom")
    fig.suptitle(
        "MRS Fig. 13: spectra of the infinite-width ReLU kernel (rescaled by λ_1); "
        "dashed: power-law fits over their windows",
        fontsize=10,
    )
    table = pd.DataFrame(rows)
    notes = [
        DIGITS_NOTE,
        "inputs are centred; the kernel is eq. (179) with weights N(0, 2/N_in), uncentred",
        "fitted capacity exponents a (lambda_k ~ k^-a): "
        + "; ".join(f"{r['panel']} {r['curve']}: {r['capacity_a']:.3f}" for r in rows),
        "digits pixels are not a power law (fit status of the inputs: "
        + next(r["status"] for r in rows if r["panel"] == "right" and "inputs" in r["curve"])
        + "); the ReLU kernel of digits is one over 2 decades",
    ]
    if quick:
        notes.append(f"quick mode: M = {m}, N_in = {n_in}, T up to {max(t_left)}")
    return FigureOutput(figures={"main": fig}, tables={"main": table}, notes=notes)


def _model_curve(
    m: int,
    alpha: float,
    n_in: int,
    width: int,
    t_grid: list[int],
    seeds: int,
    test_samples: int,
    counter: _Counter,
) -> tuple[np.ndarray, np.ndarray]:
    means, sems = [], []
    for i, t in enumerate(t_grid):
        cfg = mrs.MRSConfig(
            latent_dim=m,
            alpha=alpha,
            features=width,
            samples=t,
            feature_map="relu",
            relu_input_dim=n_in,
        )
        sim = mrs.simulate(cfg, seeds=seeds, seed=1400 + i, ridge="opt", test_samples=test_samples)
        means.append(sim.loss_mean)
        sems.append(sim.loss_sem or 0.0)
        counter.step()
    return np.array(means), np.array(sems)


@register_figure(
    "mrs-fig14",
    "Test loss through a ReLU layer: data model plateaus at T ~ N_in, digits keeps scaling",
)
def fig14(
    *, quick: bool = False, progress: ProgressFn | None = None, seeds: int = 2
) -> FigureOutput:
    """MRS Fig. 14, with digits for MNIST and the spectrum-based prediction added.

    Left: data model, M = 10000, α = 1.5, λ₊ = σ_u² = 1, several N_in, ReLU width 5000,
    optimal (oracle) ridge. Right: data model (M = 20000, α matched to digits, N_in = 64)
    against digits (all 10 classes, one-hot), ReLU width 4096, optimal ridge; the digits
    loss is rescaled onto the model's at the smallest T (as in the paper). Second figure
    ("predicted"): digits learning curves for several widths, measured vs predicted from the
    measured ReLU-kernel spectrum (:mod:`scalinglab.empirical.learning_curve`).
    """
    if quick:
        m_left, width_left, n_ins, t_left = 2000, 1000, [25, 50, 100], [10, 30, 100, 300, 800]
        m_right, width_right, widths_pred = 4000, 1024, [128, 512]
        test_samples = 1000
    else:
        m_left, width_left, n_ins = 10000, 5000, [50, 100, 200]
        t_left = [10, 25, 60, 150, 400, 1000, 2000]
        m_right, width_right, widths_pred = 20000, 4096, [256, 1024, 4096]
        test_samples = 2000
    digits = load_digits()
    n_digits_in = 64
    t_right = [10, 20, 40, 80, 160, 320, 640, 1348] if not quick else [10, 30, 100, 300, 1348]
    # progress: one step per simulated point, one for the first digits curve, and the
    # learning_curve callbacks of the second (one per width for theory, one per width × seed)
    total = len(n_ins) * len(t_left) + len(t_right) + 1 + len(widths_pred) * (seeds + 1)
    counter = _Counter(total, progress)

    # -------------------------------------------------- left: N_in sweep of the data model
    fig = Figure(figsize=(11, 4.4), layout="constrained")
    ax_l, ax_r = fig.subplots(1, 2)
    rows: list[dict] = []
    for i, n_in in enumerate(n_ins):
        mean, sem = _model_curve(
            m_left, 1.5, n_in, width_left, t_left, seeds, test_samples, counter
        )
        ax_l.errorbar(
            t_left,
            mean,
            yerr=sem,
            fmt="o-",
            ms=3.5,
            capsize=2,
            color=f"C{i}",
            label=f"N_in = {n_in} (dotted: T = N_in)",
        )
        ax_l.axvline(n_in, color=f"C{i}", ls=":", lw=1)
        # T → ∞ limit with N_in linear inputs: the best predictor of y from x_in is linear,
        # so the loss tends to σ_w²/(2M) Δ₋₁(N_in, M), MRS eq. (170) with N = N_in
        floor = float(rmt.delta_minus1(power_law_spectrum(m_left, 1.5), n_in)) / (2.0 * m_left)
        ax_l.axhline(floor, color=f"C{i}", ls="--", lw=0.9)
        rows += [
            {"panel": "left", "curve": f"model N_in={n_in}", "T": t, "loss": v, "sem": s}
            for t, v, s in zip(t_left, mean, sem, strict=True)
        ]
    ax_l.set_xscale("log")
    ax_l.set_yscale("log")
    ax_l.set_xlabel("training samples T")
    ax_l.set_ylabel("test loss (eq. 40)")
    ax_l.set_title(
        f"data model: M = {m_left}, α = 1.5, N_ReLU = {width_left}, γ = γ*\n"
        "dashed: T → ∞ limit σ_w²Δ₋₁(N_in, M)/2M (eq. 170 with N = N_in)",
        fontsize=8,
    )
    ax_l.legend(fontsize=7)

    # -------------------------------------------------- right: digits vs the data model
    lc = learning_curve(
        digits.x,
        digits.y,
        features=f"relu:{width_right}",
        samples=t_right,
        ridge="opt",
        seeds=seeds,
        seed=14,
        progress=lambda d, n: None,
    )
    counter.step()
    alpha_digits = float(lc.spectrum.tail_fit.exponent)  # a·b: predicted loss exponent
    mean, sem = _model_curve(
        m_right, alpha_digits, n_digits_in, width_right, t_right, seeds, test_samples, counter
    )
    scale = mean[0] / lc.measured[0, 0]
    ax_r.errorbar(
        t_right,
        mean,
        yerr=sem,
        fmt="o-",
        ms=3.5,
        capsize=2,
        color="C0",
        label=f"data model (M = {m_right}, α = {alpha_digits:.2f}, N_in = 64)",
    )
    ax_r.errorbar(
        t_right,
        scale * lc.measured[0],
        yerr=scale * np.nan_to_num(lc.measured_sem[0]),
        fmt="s",
        ms=3.5,
        capsize=2,
        color="C1",
        label="digits (rescaled)",
    )
    ax_r.plot(
        t_right,
        scale * lc.predicted[0],
        "-",
        color="C1",
        lw=1.2,
        label="digits: predicted from its kernel spectrum (rescaled)",
    )
    ax_r.axvline(n_digits_in, color="0.4", ls=":", lw=1)
    ax_r.set_xscale("log")
    ax_r.set_yscale("log")
    ax_r.set_xlabel("training samples T")
    ax_r.set_ylabel("test loss")
    ax_r.set_title(f"N_ReLU = {width_right}, γ = γ*; digits in place of MNIST", fontsize=9)
    ax_r.legend(fontsize=7)
    rows += [
        {"panel": "right", "curve": "data model", "T": t, "loss": v, "sem": s}
        for t, v, s in zip(t_right, mean, sem, strict=True)
    ]
    rows += [
        {"panel": "right", "curve": "digits measured (unscaled MSE)", "T": t, "loss": v, "sem": s}
        for t, v, s in zip(t_right, lc.measured[0], lc.measured_sem[0], strict=True)
    ]
    fig.suptitle("MRS Fig. 14: test loss of ridge regression on random ReLU features", fontsize=10)

    # -------------------------------------------------- predicted vs measured, several widths
    lc_w = learning_curve(
        digits.x,
        digits.y,
        features="relu:" + ",".join(str(w) for w in widths_pred),
        samples=t_right,
        ridge="opt",
        seeds=seeds,
        seed=141,
        progress=lambda d, n: counter.step(),
    )
    fig2 = plot_learning_curve(
        lc_w,
        title=(
            "digits, ReLU features, $\\gamma = \\gamma^*$: measured (markers)\n"
            f"vs predicted from the ReLU-kernel spectrum (lines; "
            f"$a$ = {lc_w.spectrum.capacity_fit.exponent:.2f}, "
            f"$ab$ = {lc_w.spectrum.tail_fit.exponent:.2f})"
        ),
    )
    table2 = pd.DataFrame(
        [
            {
                "N": int(w),
                "T": int(t),
                "predicted": lc_w.predicted[i, j],
                "measured": lc_w.measured[i, j],
                "sem": lc_w.measured_sem[i, j],
                "ratio": lc_w.ratio[i, j],
            }
            for i, w in enumerate(lc_w.widths)
            for j, t in enumerate(lc_w.samples)
        ]
    )
    notes = [
        DIGITS_NOTE,
        f"right panel: digits uses all 10 classes one-hot (7-vs-9 has only 359 images); "
        f"data-model N_in = 64 matches digits and alpha = {alpha_digits:.3f} is digits' "
        "measured a*b (the paper matched alpha to MNIST)",
        "ridge: test-set optimal (oracle) per draw; ReLU weights N(0, 2/N_in)",
        "predicted/measured on digits: "
        + ", ".join(
            f"N={int(w)}: {np.min(lc_w.ratio[i]):.2f}..{np.max(lc_w.ratio[i]):.2f}"
            for i, w in enumerate(lc_w.widths)
        ),
    ]
    if quick:
        notes.append(f"quick mode: left M = {m_left}, width {width_left}; right M = {m_right}")
    return FigureOutput(
        figures={"main": fig, "predicted": fig2},
        tables={"main": pd.DataFrame(rows), "predicted": table2},
        notes=notes,
    )
