"""SGD, gradient descent and gradient flow on sketched power-law linear regression.

One model covers Atanasov's note (gradient flow with a random projection and finite data),
Lin et al. (2024; one-pass SGD with geometric step decay, multi-pass SGD) and the power-law
random-features model of Paquette, Paquette, Xiao & Pennington (2024): data ``x ~ N(0, H)`` with
``λ_i = i^-α``, target ``λ_i w*_i² = i^-(1+αβ)`` (the note's capacity/source exponents; other
conventions are converted by :mod:`scalinglab.core.exponents`), a Gaussian sketch to m features,
label noise σ², and an optimiser:

- ``sgd``: one-pass SGD (fresh samples) or, with ``data=P``, multi-pass SGD that samples the P
  training points uniformly with replacement; batch B, step η on the batch-averaged loss
  ½(⟨v, Sx⟩ − y)², constant or Lin et al.'s geometric decay;
- ``gd``: full-batch gradient descent on the population loss or on P samples;
- ``flow``: gradient flow, time t = η·step, in closed form (note eqs. 9, 14).

The risk is always ``L(v) = ½ E[(⟨v, Sx⟩ − y)²]``, the exact population risk including the label
noise (½σ² is its floor with a perfect model).

Protocol: :class:`SGDConfig` (validated on construction), :func:`simulate` (Monte Carlo over
sketches, data and SGD noise) and :func:`predict` (theory), both reporting the risk on the same
log-spaced step grid (:meth:`SGDConfig.record_steps`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from scalinglab._threads import with_policy
from scalinglab._types import ProgressFn, Status
from scalinglab._validation import InputError, check_choice, check_int, check_real
from scalinglab.core import exponents as ex
from scalinglab.models.sgd import sim as sgd_sim
from scalinglab.models.sgd.deterministic import config_spectrum
from scalinglab.models.sgd.problem import (
    ReducedProblem,
    data_spectrum,
    draw_sketch,
    reduce_identity,
    reduce_sketch,
    target_weights,
    validate_power_law_setting,
)
from scalinglab.models.sgd.results import SGDPrediction, SGDSimulation, seed_streams
from scalinglab.models.sgd.theory import (
    ModeSpectrum,
    geometric_schedule,
    risk_flow,
    risk_gd,
    risk_recursion,
    risk_spectral,
    solve_volterra_fft,
    stability_margin,
    stable_step_size,
    volterra_kernels,
)

__all__ = [
    "OPTIMIZERS",
    "THEORIES",
    "SGDConfig",
    "SGDPrediction",
    "SGDSimulation",
    "predict",
    "simulate",
]

OPTIMIZERS = ("sgd", "gd", "flow")
SCHEDULES = ("constant", "geometric")
SKETCHES = ("gaussian", "none")
THEORIES = ("auto", "exact", "deterministic", "recursion", "volterra")
METHODS = ("reduced", "literal")
SAMPLINGS = ("replacement", "without", "epochs")
#: Default SGD step as a fraction of the stability limits (see SGDConfig.step_size).


@dataclass(frozen=True)
class SGDConfig:
    """Settings of one run; validated on construction.

    Parameters
    ----------
    dim : int
        d, data dimension (>= 1).
    features : int
        m, number of sketched features (>= 1); must equal ``dim`` when ``sketch='none'``.
    alpha, beta : float
        Capacity and source exponents in ``convention`` (``beta`` omitted for ``mrs``).
    convention : {"note", "lin", "paquette", "mrs"}
        How alpha/beta are read (:mod:`scalinglab.core.exponents`).
    optimizer : {"sgd", "gd", "flow"}
    batch : int
        B >= 1 (SGD only).
    lr : float or None
        Step size η > 0 (for ``flow``: time per step). None picks a stable default
        (:meth:`step_size`).
    schedule : {"constant", "geometric"}
        Constant step, or Lin et al. (2024) halving every ⌈steps/log₂ steps⌉ steps (SGD only).
    steps : int
        Number of steps (>= 1).
    data : int or None
        P training samples reused (multi-pass SGD, GD or flow on the empirical risk); None for
        fresh samples every step (SGD) or the population gradient (GD, flow).
    noise_var : float
        σ² >= 0, label-noise variance.
    sketch : {"gaussian", "none"}
    record : int
        Number of log-spaced steps at which the risk is reported (>= 2).
    sampling : {"replacement", "without", "epochs"}
        Multi-pass SGD (``data`` set): B indices with replacement or B distinct indices,
        independently per step, or reshuffled epochs (:mod:`scalinglab.models.sgd.multipass`).

    Examples
    --------
    >>> cfg = SGDConfig(dim=400, features=100, alpha=1.5, beta=0.5, steps=1000)
    >>> round(cfg.step_size(), 4), int(cfg.record_steps()[-1])
    (0.25, 1000)
    """

    dim: int
    features: int
    alpha: float
    beta: float | None = None
    convention: str = "note"
    optimizer: str = "sgd"
    batch: int = 1
    lr: float | None = None
    schedule: str = "constant"
    steps: int = 1000
    data: int | None = None
    noise_var: float = 0.0
    sketch: str = "gaussian"
    record: int = 40
    sampling: str = "replacement"

    def __post_init__(self) -> None:
        owner = "SGDConfig"
        set_ = object.__setattr__
        validate_power_law_setting(self, owner)
        check_choice(self.optimizer, "optimizer", owner, OPTIMIZERS)
        set_(self, "batch", check_int(self.batch, "batch", owner, low=1))
        if self.lr is not None:
            set_(self, "lr", check_real(self.lr, "lr", owner, low=0.0, low_open=True))
        check_choice(self.schedule, "schedule", owner, SCHEDULES)
        set_(self, "steps", check_int(self.steps, "steps", owner, low=1))
        if self.data is not None:
            set_(self, "data", check_int(self.data, "data", owner, low=1))
        set_(self, "noise_var", check_real(self.noise_var, "noise_var", owner, low=0.0))
        check_choice(self.sketch, "sketch", owner, SKETCHES)
        set_(self, "record", check_int(self.record, "record", owner, low=2))
        if self.sketch == "none" and self.features != self.dim:
            raise InputError(
                f"The 'features' parameter of SGDConfig must equal dim ({self.dim}) when "
                f"sketch='none'. Got {self.features} instead."
            )
        if self.optimizer != "sgd" and self.batch != 1:
            raise InputError("The 'batch' parameter of SGDConfig only applies to optimizer='sgd'.")
        if self.optimizer != "sgd" and self.schedule != "constant":
            raise InputError(
                "The 'schedule' parameter of SGDConfig only applies to optimizer='sgd'."
            )
        check_choice(self.sampling, "sampling", owner, SAMPLINGS)
        if self.sampling != "replacement" and (self.optimizer != "sgd" or self.data is None):
            raise InputError(
                "The 'sampling' parameter of SGDConfig only applies to optimizer='sgd' with "
                "'data' set (multi-pass SGD)."
            )
        if self.optimizer == "sgd" and self.data is not None and self.batch > self.data:
            raise InputError(
                f"The 'batch' parameter of SGDConfig must be <= data ({self.data}). "
                f"Got {self.batch} instead."
            )

    # ------------------------------------------------------------------ derived quantities
    @property
    def note_exponents(self) -> tuple[float, float]:
        """(α, β) in the note's convention."""
        return ex.to_note(self.convention, self.alpha, self.beta)

    def data_spectrum(self) -> np.ndarray:
        return data_spectrum(self.dim, self.note_exponents[0])

    def target(self) -> np.ndarray:
        a, b = self.note_exponents
        return target_weights(self.dim, a, b)

    def step_size(self) -> float:
        """η: ``lr`` if given, else a stable default.

        SGD: ``η = ½·min(2B/tr H, B/((B+1) λ₁))`` — half the noise-feedback limit
        ``η tr K/(2B) < 1`` and half the step at which the top mode contracts fastest. GD:
        ``η = 1/(2λ₁)``. Flow: time per step 1.
        """
        if self.lr is not None:
            return float(self.lr)
        if self.optimizer == "flow":
            return 1.0
        lam = self.data_spectrum()
        return stable_step_size(float(lam.sum()), float(lam[0]), self.batch, self.optimizer)

    def phases(self) -> list[tuple[int, int, float]]:
        eta = self.step_size()
        if self.schedule == "geometric":
            return geometric_schedule(self.steps, eta)
        return [(0, self.steps, eta)]

    def record_steps(self) -> np.ndarray:
        """The step grid: ``record`` log-spaced integers in [1, steps], always ending at steps."""
        grid = np.unique(np.round(np.logspace(0, np.log10(self.steps), self.record)).astype(int))
        return np.unique(np.concatenate((grid, [self.steps]))).astype(np.int64)

    def reduced_problem(self, rng: np.random.Generator, *, keep_basis: bool = False):
        """Draw the sketch with ``rng`` and return (sketch or None, ReducedProblem)."""
        lam, wstar = self.data_spectrum(), self.target()
        if self.sketch == "none":
            return None, reduce_identity(lam, wstar, self.noise_var)
        s = draw_sketch(self.features, self.dim, rng)
        return s, reduce_sketch(s, lam, wstar, self.noise_var, keep_basis=keep_basis)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pad(problems: list[ReducedProblem]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rank = max(p.eigs.size for p in problems)
    eigs = np.zeros((len(problems), rank))
    vstar = np.zeros((len(problems), rank))
    for k, p in enumerate(problems):
        eigs[k, : p.eigs.size] = p.eigs
        vstar[k, : p.vstar.size] = p.vstar
    floor = np.array([p.irreducible for p in problems])
    return eigs, vstar, floor


def _check_stable(cfg: SGDConfig, spectra: list[ModeSpectrum]) -> None:
    if cfg.optimizer != "sgd":
        return
    eta = cfg.step_size()
    worst = min(stability_margin(sp, eta, cfg.batch) for sp in spectra)
    if not worst > 0:
        raise InputError(
            f"The step size {eta:g} is unstable for this spectrum and batch {cfg.batch} "
            "(the expected risk diverges); use a smaller --lr."
        )


# --------------------------------------------------------------------------- simulation


def _simulation_work(config: SGDConfig, *_: Any, seeds: int = 8, **__: Any) -> float:
    # the sketch draw (d x N) and the per-step updates on N features, for every seed
    return float(seeds) * config.features * (config.dim + config.steps * config.batch)


def _theory_work(config: SGDConfig, *_: Any, seeds: int = 8, **__: Any) -> float:
    # one N x N eigendecomposition (and a d x N sketch product) per seed
    n = config.features
    return float(seeds) * n * n * (n + config.dim)


@with_policy(_simulation_work)
def simulate(
    config: SGDConfig,
    *,
    seeds: int = 8,
    seed: int = 0,
    method: str = "reduced",
    progress: ProgressFn | None = None,
) -> SGDSimulation:
    """Monte Carlo risk curves of ``config`` over ``seeds`` independent sketches and data.

    Parameters
    ----------
    seeds : int
        Number of independent runs (>= 1).
    seed : int
        Base seed; run k uses ``default_rng([seed, k, stream])`` for its sketch (stream 0),
        features/data (1) and label noise (2), so :func:`predict` can use the same sketches.
    method : {"reduced", "literal"}
        Simulate in the eigenbasis of K (exact in distribution, fast) or in the data space
        (SGD and GD only).

    Examples
    --------
    >>> cfg = SGDConfig(dim=200, features=40, alpha=1.5, beta=0.5, steps=400, record=10)
    >>> sim = simulate(cfg, seeds=4, seed=0)
    >>> sim.risk.shape, bool(sim.risk_mean[-1] < sim.risk_mean[0])
    ((4, 10), True)
    """
    cfg = config
    seeds = check_int(seeds, "seeds", "simulate", low=1)
    seed = check_int(seed, "seed", "simulate", low=0)
    check_choice(method, "method", "simulate", METHODS)
    if method == "literal" and cfg.optimizer == "flow":
        raise InputError("method='literal' is available for optimizer 'sgd' and 'gd' only.")
    record = cfg.record_steps()
    rngs = [seed_streams(seed, k) for k in range(seeds)]
    drawn = [cfg.reduced_problem(r[0]) for r in rngs]
    problems = [p for _, p in drawn]
    _check_stable(cfg, [p.mode_spectrum() for p in problems])
    feat_rngs = [r[1] for r in rngs]
    noise_rngs = [r[2] for r in rngs]
    eta = cfg.step_size()
    try:
        if method == "literal":
            if cfg.sampling != "replacement":
                raise InputError("method='literal' supports sampling='replacement' only.")
            risk = _simulate_literal(cfg, [s for s, _ in drawn], record, feat_rngs, noise_rngs)
        elif cfg.optimizer == "sgd" and cfg.data is not None and cfg.sampling != "replacement":
            from scalinglab.models.sgd.finite_gd import draw_data
            from scalinglab.models.sgd.multipass import multipass_paths

            eigs, vstar, floor = _pad(problems)
            risk = np.empty((seeds, record.size))
            for k in range(seeds):
                z, y = draw_data(eigs[k], vstar[k], floor[k], cfg.data, feat_rngs[k],
                                 noise_rngs[k])  # fmt: skip
                risk[k] = multipass_paths(
                    eigs[k], vstar[k], floor[k], z, y, batch=cfg.batch, phases=cfg.phases(),
                    record=record, sampling=cfg.sampling, runs=1, rng=feat_rngs[k],
                )[0]  # fmt: skip
                if progress is not None:
                    progress(k + 1, seeds)
        elif cfg.optimizer == "sgd":
            eigs, vstar, floor = _pad(problems)
            risk = sgd_sim.sgd_reduced(
                eigs,
                vstar,
                floor,
                batch=cfg.batch,
                phases=cfg.phases(),
                record=record,
                data=cfg.data,
                feature_rngs=feat_rngs,
                noise_rngs=noise_rngs,
                progress=progress,
            )
        elif cfg.optimizer == "gd":
            eigs, vstar, floor = _pad(problems)
            risk = sgd_sim.gd_iterate(
                eigs,
                vstar,
                floor,
                lr=eta,
                record=record,
                data=cfg.data,
                feature_rngs=feat_rngs,
                noise_rngs=noise_rngs,
                progress=progress,
            )
        else:
            eigs, vstar, floor = _pad(problems)
            risk = sgd_sim.flow_closed_form(
                eigs,
                vstar,
                floor,
                times=eta * record,
                data=cfg.data,
                feature_rngs=feat_rngs,
                noise_rngs=noise_rngs,
            )
    except FloatingPointError as exc:
        raise InputError(f"{exc}") from None
    if not np.all(np.isfinite(risk)):
        raise InputError("The simulation diverged (non-finite risk); use a smaller --lr.")
    return SGDSimulation(cfg, seeds, seed, method, record, risk)


def _simulate_literal(cfg, sketches, record, feat_rngs, noise_rngs) -> np.ndarray:
    lam, wstar = cfg.data_spectrum(), cfg.target()
    if cfg.optimizer == "sgd":
        return sgd_sim.sgd_literal(
            sketches,
            lam,
            wstar,
            cfg.noise_var,
            batch=cfg.batch,
            phases=cfg.phases(),
            record=record,
            data=cfg.data,
            feature_rngs=feat_rngs,
            noise_rngs=noise_rngs,
        )
    # GD in the feature space of each sketch, with the data-space gradient.
    eta = cfg.step_size()
    out = []
    for s, fr, nr in zip(sketches, feat_rngs, noise_rngs, strict=True):
        mat = np.eye(cfg.dim) if s is None else s
        if cfg.data is None:
            khat = (mat * lam) @ mat.T
            chat = mat @ (lam * wstar)
        else:
            x = np.sqrt(lam) * fr.standard_normal((cfg.data, cfg.dim))
            y = x @ wstar + np.sqrt(cfg.noise_var) * nr.standard_normal(cfg.data)
            z = x @ mat.T
            khat, chat = z.T @ z / cfg.data, z.T @ y / cfg.data
        v = np.zeros(mat.shape[0])
        curve = np.empty(record.size)
        slot = {int(t): i for i, t in enumerate(record)}
        for t in range(int(record[-1])):
            v -= eta * (khat @ v - chat)
            if t + 1 in slot:
                err = mat.T @ v - wstar
                curve[slot[t + 1]] = 0.5 * (np.sum(lam * err * err) + cfg.noise_var)
        out.append(curve)
    return np.array(out)


# --------------------------------------------------------------------------- theory


def _curve(cfg: SGDConfig, spec: ModeSpectrum, record: np.ndarray, theory: str):
    """Risk curve of one mode spectrum for the config's optimiser."""
    eta = cfg.step_size()
    if cfg.optimizer == "flow":
        return risk_flow(spec, eta * record), Status.CONVERGED, "closed form"
    if cfg.optimizer == "gd":
        return risk_gd(spec, eta, record), Status.CONVERGED, "closed form"
    if theory == "recursion":
        return risk_recursion(spec, eta, cfg.batch, record, cfg.schedule), Status.CONVERGED, ""
    if theory == "volterra":
        if cfg.schedule != "constant":
            raise InputError("theory='volterra' supports the constant schedule only.")
        forcing, kernel = volterra_kernels(spec, eta, cfg.batch, int(record[-1]) + 1)
        q = solve_volterra_fft(forcing, kernel)
        return 0.5 * q[record], Status.CONVERGED, "FFT Volterra"
    try:
        curve = risk_spectral(spec, eta, cfg.batch, record, cfg.schedule)
    except FloatingPointError as exc:
        raise InputError(str(exc)) from None
    return curve.risk, curve.status, curve.message


@with_policy(_theory_work)
def predict(
    config: SGDConfig,
    *,
    theory: str = "auto",
    seeds: int = 8,
    seed: int = 0,
    points_per_decade: int | None = None,
    progress: ProgressFn | None = None,
) -> SGDPrediction:
    """Theoretical expected risk on :meth:`SGDConfig.record_steps`.

    Parameters
    ----------
    theory : {"auto", "exact", "deterministic", "recursion", "volterra"}
        ``exact``: for each of ``seeds`` sketches (the same draws as :func:`simulate` with the
        same ``seed``) the exact expected risk over data and SGD noise, averaged. ``recursion``
        and ``volterra`` compute the same numbers by slower independent routes.
        ``deterministic``: the sketch-averaged deterministic equivalent (no seeds).
        ``auto``: ``exact`` for fresh data (or no sketch); with ``data`` set, the
        deterministic equivalent in the data, exact in each sketch: the discrete-step one for
        GD, homogenized multi-pass SGD (:mod:`scalinglab.models.sgd.homogenized`) for SGD with
        a constant step and independent batches, and the gradient-flow one otherwise
        (reshuffled epochs, the geometric schedule).
        With ``data`` set: ``exact`` is the exact risk per drawn sketch *and* data set for
        GD and flow (:mod:`scalinglab.models.sgd.finite_gd`, with ``risk_sem``), and the exact
        expectation over the mini-batch sampling per data set for multi-pass SGD
        (:mod:`scalinglab.models.sgd.multipass`); ``deterministic`` is the
        deterministic equivalent in both sketch and data (GD: discrete step; SGD: homogenized
        multi-pass SGD, constant step and independent batches only).
    seeds, seed : int
        Sketches to average over (``exact``, ``recursion``, ``volterra``).
    points_per_decade : int, optional
        Grid resolution of the deterministic equivalent (default ``max(200, 2.5√m)``).
    progress : callable, optional
        ``progress(done, total)`` for the multi-pass SGD deterministic equivalent (its
        recursion over the steps can take seconds); other theories do not report.

    Examples
    --------
    >>> cfg = SGDConfig(dim=200, features=40, alpha=1.5, beta=0.5, steps=400, record=10)
    >>> exact = predict(cfg, theory='exact', seeds=4)
    >>> de = predict(cfg, theory='deterministic')
    >>> exact.theory, de.theory, bool(abs(de.risk[-1] / exact.risk[-1] - 1) < 0.3)
    ('exact', 'deterministic', True)
    """
    cfg = config
    check_choice(theory, "theory", "predict", THEORIES)
    seeds = check_int(seeds, "seeds", "predict", low=1)
    seed = check_int(seed, "seed", "predict", low=0)
    record = cfg.record_steps()
    if cfg.data is not None:
        if cfg.optimizer in ("gd", "flow") and theory in ("auto", "exact", "deterministic"):
            from scalinglab.models.sgd.finite_gd import predict_gd_data

            if cfg.optimizer == "gd" or theory == "exact":
                mode = {"auto": "sketch-exact"}.get(theory, theory)
                return predict_gd_data(cfg, record, theory=mode, seeds=seeds, seed=seed)
        if cfg.optimizer == "sgd" and theory == "exact":
            from scalinglab.models.sgd.multipass import predict_multipass

            return predict_multipass(cfg, record, seeds=seeds, seed=seed)
        if theory not in ("auto", "deterministic"):
            raise InputError(
                f"theory='{theory}' needs fresh data (no 'data'); with finite data use "
                "'auto', 'exact' or 'deterministic'."
            )
        if cfg.optimizer == "sgd" and (
            theory == "deterministic" or (cfg.schedule == "constant" and cfg.sampling != "epochs")
        ):
            from scalinglab.models.sgd.homogenized import predict_multipass_de

            mode = "deterministic" if theory == "deterministic" else "sketch-exact"
            return predict_multipass_de(cfg, record, theory=mode, seeds=seeds, seed=seed,
                                        progress=progress)  # fmt: skip
        from scalinglab.models.sgd.finite_data import predict_finite_data

        return predict_finite_data(cfg, record, seeds=seeds, seed=seed)
    if theory == "auto":
        theory = "exact"
    if theory == "deterministic":
        spec, status, msg = config_spectrum(cfg, points_per_decade=points_per_decade)
        _check_stable(cfg, [spec])
        risk, st2, msg2 = _curve(cfg, spec, record, theory)
        status = status if status is not Status.CONVERGED else st2
        return SGDPrediction(
            cfg, "deterministic", record, risk, 0.5 * spec.irreducible, status, f"{msg}; {msg2}"
        )
    spectra = []
    for k in range(seeds):
        _, prob = cfg.reduced_problem(seed_streams(seed, k)[0])
        spectra.append(prob.mode_spectrum())
        if cfg.sketch == "none":
            break
    _check_stable(cfg, spectra)
    curves, status, msgs = [], Status.CONVERGED, []
    for spec in spectra:
        risk, st, msg = _curve(cfg, spec, record, theory)
        curves.append(risk)
        msgs.append(msg)
        if st is not Status.CONVERGED:
            status = st
    floor = float(np.mean([0.5 * sp.irreducible for sp in spectra]))
    return SGDPrediction(
        cfg,
        theory,
        record,
        np.mean(curves, axis=0),
        floor,
        status,
        msgs[-1] if msgs else "",
        seeds=len(spectra),
    )
