"""The Maloney–Roberts–Sully solvable model: power-law latent data, random features, ridge.

Maloney, Roberts & Sully (2022), "A Solvable Model of Neural Scaling Laws" (MRS). Latent data
``x ~ N(0, Λ)`` in M dimensions with ``λ_I = λ₊ I^-(1+α)`` (eq. 23) or eigenvalues drawn from
the density (22); a linear teacher ``y = w x`` with ``w ~ N(0, σ_w²/M)`` (eqs. 26–27); N random
features ``φ = u x`` with ``u ~ N(0, σ_u²/M)`` (eq. 28), or ReLU features (eqs. 13, 174);
T training samples with label noise ``ε ~ N(0, σ_ε²)`` (eq. 34); ridge γ (eq. 33); test loss
(40) with one output (C = 1).

Protocol: :class:`MRSConfig` (validated on construction), :func:`simulate` (Monte Carlo over
the feature map and the training set; the average over test inputs, teacher and noise is exact)
and :func:`predict` (theory), returning the same named quantities (``loss``, ``label_term``,
``noise_term``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from scalinglab._threads import with_policy
from scalinglab._types import ProgressFn, Status
from scalinglab._validation import InputError, check_choice, check_int, check_real, parse_ridge
from scalinglab.core import ridge as ridge_lib
from scalinglab.core import rmt
from scalinglab.core.spectra import power_law_spectrum, sample_power_law_spectrum
from scalinglab.models.mrs import theory
from scalinglab.models.mrs.rf_equivalent import mrs_loss, mrs_optimal_loss
from scalinglab.models.mrs.sampling import reduced_path_stats, sample_literal
from scalinglab.models.protocol import Prediction, Simulation, standard_error

__all__ = [
    "MRSConfig",
    "MRSPrediction",
    "MRSRidgePath",
    "MRSSimulation",
    "predict",
    "simulate",
    "simulate_ridge_path",
]

SPECTRA = ("deterministic", "density")
FEATURE_MAPS = ("linear", "relu")
RELU_WEIGHT_VAR = 2.0  # He initialisation of the ReLU layer, MRS §2.2 (u ~ N(0, 2/N_in))
DEFAULT_RELU_TEST_SAMPLES = 4000



@dataclass(frozen=True)
class MRSConfig:
    """Settings of one MRS model; every field is validated on construction.

    Parameters
    ----------
    latent_dim : int
        M, dimension of the latent space (>= 1).
    alpha : float
        Spectral exponent α > 0: ``λ_I = λ₊ I^-(1+α)``.
    features : int
        N, number of random features (>= 1).
    samples : int
        T, number of training samples (>= 1).
    lambda_plus : float
        λ₊ > 0, the largest latent eigenvalue.
    teacher_var : float
        σ_w² > 0 (teacher weights have variance σ_w²/M).
    feature_var : float
        σ_u² > 0 (feature weights have variance σ_u²/M).
    noise_var : float
        σ_ε² >= 0, label-noise variance on training labels.
    spectrum : {"deterministic", "density"}
        Indexed spectrum (23), or M eigenvalues drawn per seed from the density (22).
    feature_map : {"linear", "relu"}
        Linear features (28) or ReLU features (13)/(174).
    relu_input_dim : int or None
        For ReLU features: if set, the latent data first go through a linear map (28) to
        ``relu_input_dim`` dimensions (the "data model as input" pipeline of MRS Figs. 13–14),
        then a ReLU layer with weights ``N(0, 2/relu_input_dim)``. If None, the ReLU acts on
        ``u x`` directly (weights ``N(0, σ_u²/M)``).

    Examples
    --------
    >>> cfg = MRSConfig(latent_dim=1000, alpha=1.0, features=100, samples=300)
    >>> cfg.latent_spectrum()[:3]
    array([1.        , 0.25      , 0.11111111])
    >>> MRSConfig(latent_dim=1000, alpha=-1.0, features=100, samples=300)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalinglab._validation.InputError: The 'alpha' parameter of MRSConfig must be a float in ...
    """

    latent_dim: int
    alpha: float
    features: int
    samples: int
    lambda_plus: float = 1.0
    teacher_var: float = 1.0
    feature_var: float = 1.0
    noise_var: float = 0.0
    spectrum: str = "deterministic"
    feature_map: str = "linear"
    relu_input_dim: int | None = None

    def __post_init__(self) -> None:
        owner = "MRSConfig"
        set_ = object.__setattr__
        set_(self, "latent_dim", check_int(self.latent_dim, "latent_dim", owner, low=1))
        set_(self, "alpha", check_real(self.alpha, "alpha", owner, low=0.0, low_open=True))
        set_(self, "features", check_int(self.features, "features", owner, low=1))
        set_(self, "samples", check_int(self.samples, "samples", owner, low=1))
        for name in ("lambda_plus", "teacher_var", "feature_var"):
            set_(self, name, check_real(getattr(self, name), name, owner, low=0.0, low_open=True))
        set_(self, "noise_var", check_real(self.noise_var, "noise_var", owner, low=0.0))
        check_choice(self.spectrum, "spectrum", owner, SPECTRA)
        check_choice(self.feature_map, "feature_map", owner, FEATURE_MAPS)
        if self.relu_input_dim is not None:
            set_(
                self,
                "relu_input_dim",
                check_int(self.relu_input_dim, "relu_input_dim", owner, low=1),
            )
            if self.feature_map != "relu":
                raise InputError(
                    "The 'relu_input_dim' parameter of MRSConfig only applies to "
                    "feature_map='relu'."
                )

    def latent_spectrum(self) -> np.ndarray:
        """The deterministic spectrum (23) of this configuration."""
        return power_law_spectrum(self.latent_dim, self.alpha, self.lambda_plus)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class MRSSimulation(Simulation):
    """Monte Carlo estimate of the test loss at one ridge setting.

    ``loss = label_term + noise_term``; ``*_mean`` are averages over seeds and ``*_sem`` their
    standard errors (:func:`~scalinglab.models.protocol.standard_error`: NaN with a single
    seed, ``null`` in JSON). Per-seed values are kept in ``per_seed``. The loss is MRS eq. (40),
    ½E(f(x) − y)² on clean test labels: the package's loss for this model (docs/notation.md).
    """

    model = "mrs"

    config: MRSConfig
    seeds: int
    seed: int
    ridge: float | str
    loss_mean: float
    loss_sem: float
    label_mean: float
    label_sem: float
    noise_mean: float
    noise_sem: float
    ridge_opt_mean: float | None
    method: str
    test: str
    per_seed: dict[str, list[float]] = field(repr=False)

    @property
    def loss(self) -> float:
        """Mean test loss over seeds (protocol name of ``loss_mean``)."""
        return self.loss_mean

    @property
    def components(self) -> dict[str, float]:
        return {"label": self.label_mean, "noise": self.noise_mean}

    @property
    def status(self) -> Status:
        return Status.CONVERGED if np.isfinite(self.loss_mean) else Status.FAILED

    @property
    def message(self) -> str:
        return f"{self.seeds} seed(s), {self.method} draw, {self.test}"

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k not in ("config", "per_seed")}
        out["loss"] = self.loss_mean
        out["config"] = self.config.to_dict()
        out["per_seed"] = self.per_seed
        return out


@dataclass(frozen=True)
class MRSRidgePath:
    """Test loss along a ridge path for several seeds: arrays of shape (seeds, len(ridges))."""

    config: MRSConfig
    ridges: np.ndarray
    label: np.ndarray
    noise: np.ndarray

    @property
    def loss(self) -> np.ndarray:
        return self.label + self.noise

    def mean(self) -> np.ndarray:
        return self.loss.mean(axis=0)

    def sem(self) -> np.ndarray:
        k = self.loss.shape[0]
        return (
            self.loss.std(axis=0, ddof=1) / np.sqrt(k)
            if k > 1
            else np.full(self.ridges.size, np.nan)
        )


def _spectrum_for_seed(cfg: MRSConfig, rng: np.random.Generator) -> np.ndarray:
    if cfg.spectrum == "density":
        return sample_power_law_spectrum(cfg.latent_dim, cfg.alpha, cfg.lambda_plus, rng)
    return cfg.latent_spectrum()


def relu_features(cfg: MRSConfig, x_all: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """ReLU features of latent inputs (columns of ``x_all``), MRS eqs. (13), (174)–(175)."""
    m = cfg.latent_dim
    if cfg.relu_input_dim is None:
        weights = rng.standard_normal((cfg.features, m)) * np.sqrt(cfg.feature_var / m)
        return np.maximum(weights @ x_all, 0.0)
    n_in = cfg.relu_input_dim
    linear = rng.standard_normal((n_in, m)) * np.sqrt(cfg.feature_var / m)
    weights = rng.standard_normal((cfg.features, n_in)) * np.sqrt(RELU_WEIGHT_VAR / n_in)
    return np.maximum(weights @ (linear @ x_all), 0.0)


def _path_stats(
    cfg: MRSConfig,
    rng: np.random.Generator,
    *,
    method: str,
    test_samples: int | None,
) -> tuple[ridge_lib.RidgePathStats, np.ndarray]:
    """Path statistics of one draw, and the latent spectrum used (drawn per seed if random)."""
    lam = _spectrum_for_seed(cfg, rng)
    return _draw_stats(cfg, lam, rng, method=method, test_samples=test_samples), lam


def _draw_stats(
    cfg: MRSConfig,
    lam: np.ndarray,
    rng: np.random.Generator,
    *,
    method: str,
    test_samples: int | None,
) -> ridge_lib.RidgePathStats:
    n, t = cfg.features, cfg.samples
    if cfg.feature_map == "relu":
        n_test = test_samples or DEFAULT_RELU_TEST_SAMPLES
        g = rng.standard_normal((cfg.latent_dim, t + n_test))
        x_all = np.sqrt(lam)[:, None] * g
        phi_all = relu_features(cfg, x_all, rng)
        return ridge_lib.sampled_test_stats(
            phi_all[:, :t], x_all[:, :t], phi_all[:, t:], x_all[:, t:]
        )
    if test_samples is not None:
        u, x = sample_literal(n, t, lam, cfg.feature_var, rng)
        x_test = rng.standard_normal((cfg.latent_dim, test_samples)) * np.sqrt(lam)[:, None]
        return ridge_lib.sampled_test_stats(u @ x, x, u @ x_test, x_test)
    if method == "reduced":
        return reduced_path_stats(n, t, lam, cfg.feature_var, rng)
    u, x = sample_literal(n, t, lam, cfg.feature_var, rng)
    return ridge_lib.latent_linear_stats(u, x, lam)


def _ridgeless_theory(cfg: MRSConfig, lam: np.ndarray) -> float:
    """Eq. (163) plus the noise term, evaluated on a given (e.g. drawn) spectrum."""
    label = theory.label_term_ridgeless(cfg.features, cfg.samples, lam, teacher_var=cfg.teacher_var)
    noise = theory.noise_term_ridgeless(
        cfg.features, cfg.samples, lam, cfg.alpha, noise_var=cfg.noise_var
    )
    return label + noise


def _seed_rngs(seed: int, seeds: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(seeds)]


def _resolve_method(cfg: MRSConfig, method: str, test_samples: int | None) -> str:
    check_choice(method, "method", "simulate", ("auto", "reduced", "literal"))
    if cfg.feature_map == "relu" or test_samples is not None:
        return "literal"
    return "reduced" if method == "auto" else method


def _test_description(cfg: MRSConfig, test_samples: int | None) -> str:
    if cfg.feature_map == "linear" and test_samples is None:
        return "exact"
    return f"sampled:{test_samples or DEFAULT_RELU_TEST_SAMPLES}"


def _check_run_args(seeds: int, seed: int, test_samples: int | None) -> None:
    check_int(seeds, "seeds", "simulate", low=1)
    check_int(seed, "seed", "simulate", low=0)
    if test_samples is not None:
        check_int(test_samples, "test_samples", "simulate", low=1)


def _simulation_work(config: MRSConfig, *_: Any, **__: Any) -> float:
    # the reduced draw's products: ~3.5 M N r multiply-adds per seed, r = min(N, T)
    n, t = config.features, config.samples
    return 3.5 * config.latent_dim * n * min(n, t)


def _theory_work(config: MRSConfig, *_: Any, **__: Any) -> float:
    # vector operations on the M-point spectrum, plus the RF equivalent's small solves
    return float(config.latent_dim)


@with_policy(_simulation_work)
def simulate(
    config: MRSConfig,
    *,
    seeds: int = 4,
    seed: int = 0,
    ridge: float | Literal["opt"] = 0.0,
    method: str = "auto",
    test_samples: int | None = None,
    progress: ProgressFn | None = None,
) -> MRSSimulation:
    """Monte Carlo test loss of the MRS model, averaged over ``seeds`` independent draws.

    Parameters
    ----------
    config : MRSConfig
    seeds : int
        Number of independent draws of (feature map, training set, spectrum if random).
    seed : int
        Root seed; draws come from ``numpy.random.SeedSequence(seed).spawn(seeds)``.
    ridge : float >= 0 or "opt"
        γ of eq. (33) (0 = ridgeless, minimum norm), or ``"opt"`` for the test-loss-minimising
        γ* of each draw (MRS Figs. 7–9).
    method : {"auto", "reduced", "literal"}
        ``"reduced"`` uses the exactly equivalent O(M r²) draw of
        :mod:`scalinglab.models.mrs.sampling`; ``"literal"`` draws u and x as in the paper.
        ``"auto"`` = reduced for linear features with exact test averages.
    test_samples : int or None
        None: exact average over test inputs (linear features). An int: a sampled test set of
        that size (a cross-check; always used for ReLU features, default 4000).
    progress : callable(done, total), optional

    Returns
    -------
    MRSSimulation

    Examples
    --------
    >>> cfg = MRSConfig(latent_dim=1000, alpha=1.0, features=100, samples=300)
    >>> sim = simulate(cfg, seeds=4, seed=0)
    >>> theory = predict(cfg)
    >>> abs(sim.loss / theory.loss - 1) < 4 * sim.loss_sem / sim.loss + 0.02
    True
    """
    _check_run_args(seeds, seed, test_samples)
    ridge = parse_ridge(ridge, "ridge", "simulate")
    how = _resolve_method(config, method, test_samples)
    label_scale = config.teacher_var / (2.0 * config.latent_dim)
    noise_scale = 0.5 * config.noise_var
    labels, noises, gammas, theories = [], [], [], []
    rngs = _seed_rngs(seed, seeds)
    per_seed_theory = (
        config.spectrum == "density" and ridge == 0.0 and config.feature_map == ("linear")
    )
    for i, rng in enumerate(rngs):
        stats, lam = _path_stats(config, rng, method=how, test_samples=test_samples)
        if per_seed_theory:
            theories.append(_ridgeless_theory(config, lam))
        if ridge == "opt":
            gamma, _ = ridge_lib.optimal_ridge(stats, label_scale, noise_scale)
        else:
            gamma = float(ridge)
        lab, noi = ridge_lib.path_terms(stats, [gamma])
        labels.append(label_scale * lab[0])
        noises.append(noise_scale * noi[0])
        gammas.append(gamma)
        if progress is not None:
            progress(i + 1, seeds)
    lab_a, noi_a = np.array(labels), np.array(noises)
    tot = lab_a + noi_a
    per_seed = {
        "loss": tot.tolist(),
        "label": lab_a.tolist(),
        "noise": noi_a.tolist(),
        "ridge": gammas,
    }
    if per_seed_theory:
        per_seed["theory"] = theories
    return MRSSimulation(
        config=config,
        seeds=seeds,
        seed=seed,
        ridge=ridge,
        loss_mean=float(tot.mean()),
        loss_sem=standard_error(tot),
        label_mean=float(lab_a.mean()),
        label_sem=standard_error(lab_a),
        noise_mean=float(noi_a.mean()),
        noise_sem=standard_error(noi_a),
        ridge_opt_mean=float(np.mean(gammas)) if ridge == "opt" else None,
        method=how,
        test=_test_description(config, test_samples),
        per_seed=per_seed,
    )


@with_policy(_simulation_work)
def simulate_ridge_path(
    config: MRSConfig,
    ridges: Sequence[float] | np.ndarray,
    *,
    seeds: int = 4,
    seed: int = 0,
    method: str = "auto",
    test_samples: int | None = None,
    progress: ProgressFn | None = None,
) -> MRSRidgePath:
    """Test loss along a whole ridge path; one SVD per draw serves every γ.

    Examples
    --------
    >>> import numpy as np
    >>> cfg = MRSConfig(latent_dim=500, alpha=1.0, features=50, samples=50, noise_var=1e-3)
    >>> path = simulate_ridge_path(cfg, np.geomspace(1e-6, 1e-1, 6), seeds=2)
    >>> path.loss.shape, bool(path.mean()[2] < path.mean()[0])  # ridge helps at N = T
    ((2, 6), True)
    """
    _check_run_args(seeds, seed, test_samples)
    gam = np.asarray(ridges, dtype=np.float64).ravel()
    if gam.size == 0 or np.any(~np.isfinite(gam)) or np.any(gam < 0):
        raise InputError("ridge values must be finite numbers >= 0")
    how = _resolve_method(config, method, test_samples)
    label_scale = config.teacher_var / (2.0 * config.latent_dim)
    noise_scale = 0.5 * config.noise_var
    lab_rows, noi_rows = [], []
    for i, rng in enumerate(_seed_rngs(seed, seeds)):
        stats, _ = _path_stats(config, rng, method=how, test_samples=test_samples)
        lab, noi = ridge_lib.path_terms(stats, gam)
        lab_rows.append(label_scale * lab)
        noi_rows.append(noise_scale * noi)
        if progress is not None:
            progress(i + 1, seeds)
    return MRSRidgePath(config, gam, np.array(lab_rows), np.array(noi_rows))


# --------------------------------------------------------------------------- theory


NOISE_FORMS = ("spectrum", "closed_form")


@dataclass(frozen=True)
class MRSPrediction(Prediction):
    """Theory for one configuration (no sampling).

    ``loss`` is None, with ``reason`` set, where the paper gives no formula (e.g. a finite
    ridge γ > 0, or ReLU features). ``formulas`` lists the equations used. At a finite ridge,
    and at ``ridge="opt"``, ``deterministic_equivalent`` carries the general random-feature
    ridge result of :mod:`scalinglab.core.rf_theory` (Bach 2023; Defilippis et al. 2024) at that
    ridge, or at its own optimal γ*. It is not from the MRS paper and is therefore kept out of
    ``loss`` (which for ``"opt"`` is the paper's fit (172)/(185)).
    """

    config: MRSConfig
    ridge: float | str
    loss: float | None
    label_term: float | None
    noise_term: float | None
    regime: str
    delta_minus1: float | None
    delta_0: float | None
    plateau_in_features: float | None
    plateau_in_samples: float | None
    power_law_prefactor: float
    optimal_ridge_law: float | None
    formulas: tuple[str, ...]
    reason: str | None = None
    deterministic_equivalent: dict[str, Any] | None = None

    model = "mrs"

    @property
    def components(self) -> dict[str, float | None]:
        return {"label": self.label_term, "noise": self.noise_term}

    @property
    def status(self) -> Status:
        return Status.CONVERGED if self.loss is not None else Status.UNAVAILABLE

    @property
    def message(self) -> str:
        return self.reason or "; ".join(self.formulas)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "config"}
        out["formulas"] = list(self.formulas)
        out["config"] = self.config.to_dict()
        return out


_DE_SOURCE = (
    "random-feature ridge deterministic equivalent (Bach 2023; Defilippis, Loureiro, "
    "Misiakiewicz 2024), scalinglab.core.rf_theory"
)


def _finite_ridge_equivalent(cfg: MRSConfig, gamma: float) -> dict[str, Any]:
    """The random-feature ridge deterministic equivalent at ridge γ (not an MRS formula)."""
    return {**mrs_loss(cfg, gamma), "ridge": gamma, "source": _DE_SOURCE}


def _optimal_ridge_equivalent(cfg: MRSConfig) -> dict[str, Any]:
    """The deterministic equivalent at its own optimal ridge γ* (a theory, unlike (172))."""
    return {**mrs_optimal_loss(cfg), "source": _DE_SOURCE}


@with_policy(_theory_work)
def predict(
    config: MRSConfig,
    *,
    ridge: float | Literal["opt"] = 0.0,
    closed_form: bool = False,
    noise_form: str | None = None,
) -> MRSPrediction:
    """Theory for the test loss of the MRS model.

    Parameters
    ----------
    config : MRSConfig
    ridge : 0, "opt" or float
        0: the ridgeless theory, eq. (163) (label term) + eq. (86) or its spectrum form (noise).
        "opt": the paper's fits for the optimally regularised loss, eq. (172)/(185) plus the
        noise heuristic (187). A finite γ > 0: the paper has no formula; ``loss`` is None.
    closed_form : bool
        Use the closed forms (165)–(166) for Δ₋₁ and (86) for the noise term instead of
        solving (164) and the App. B equations numerically.
    noise_form : {"spectrum", "closed_form"} or None
        Override the form of the noise term (default: ``"closed_form"`` if ``closed_form``
        else ``"spectrum"``).

    Examples
    --------
    >>> p = predict(MRSConfig(latent_dim=6000, alpha=1.0, features=1000, samples=3000))
    >>> p.regime, p.formulas[0]
    ('N,T<M', '(163) with Delta_-1 from (164)')
    >>> predict(MRSConfig(6000, 1.0, 1000, 3000), ridge=0.1).status  # no MRS formula
    <Status.UNAVAILABLE: 'unavailable'>
    """
    cfg = config
    ridge = parse_ridge(ridge, "ridge", "predict")
    lam = cfg.latent_spectrum()
    n, t, m = cfg.features, cfg.samples, cfg.latent_dim
    form = noise_form or ("closed_form" if closed_form else "spectrum")
    check_choice(form, "noise_form", "predict", NOISE_FORMS)
    l0 = theory.power_law_prefactor(m, cfg.alpha, cfg.lambda_plus, cfg.teacher_var)
    kw = {
        "teacher_var": cfg.teacher_var,
        "closed_form": closed_form,
        "alpha": cfg.alpha,
        "lambda_plus": cfg.lambda_plus,
    }
    lo = min(n, t)
    if closed_form:
        d_m1 = float(rmt.delta_minus1_closed_form(lo, m, cfg.alpha, cfg.lambda_plus))
    else:
        d_m1 = float(rmt.delta_minus1(lam, lo))
    common = dict(
        config=cfg,
        regime=theory.regime(n, t, m),
        delta_minus1=d_m1,
        plateau_in_features=theory.plateau(t, lam, **kw),
        plateau_in_samples=theory.plateau(n, lam, **kw),
        power_law_prefactor=l0,
    )
    opt_law = theory.optimal_ridge_fit(n, t, m, cfg.alpha, cfg.lambda_plus, cfg.teacher_var)
    delta_eq = "(165)-(166)" if closed_form else "(164)"
    noise_eq = "(86)" if form == "closed_form" else "App. B (253)-(254) on the projected spectrum"
    if cfg.feature_map != "linear":
        return MRSPrediction(
            ridge=ridge,
            loss=None,
            label_term=None,
            noise_term=None,
            delta_0=None,
            optimal_ridge_law=None,
            formulas=(),
            reason="the paper derives no test-loss formula for ReLU features (MRS §3.3)",
            **common,
        )
    if ridge == "opt":
        noise = (
            theory.noise_term_optimal_ridge_heuristic(t, m, cfg.alpha, cfg.noise_var)
            if cfg.noise_var > 0
            else 0.0
        )
        return MRSPrediction(
            ridge="opt",
            loss=opt_law + noise,
            label_term=opt_law,
            noise_term=noise,
            delta_0=None,
            optimal_ridge_law=opt_law,
            formulas=("(172)/(185) phenomenological fit", "(187) heuristic noise term")
            if cfg.noise_var > 0
            else ("(172)/(185) phenomenological fit",),
            deterministic_equivalent=_optimal_ridge_equivalent(cfg),
            **common,
        )
    gamma = float(ridge)
    if gamma > 0:
        return MRSPrediction(
            ridge=gamma,
            loss=None,
            label_term=None,
            noise_term=None,
            delta_0=None,
            optimal_ridge_law=opt_law,
            formulas=(),
            reason=(
                "the paper gives no closed-form test loss at finite ridge gamma > 0 for the "
                "random-feature model; use ridge 0 (eq. 163) or 'opt' (eq. 172), or simulate; "
                "'deterministic_equivalent' has the general random-feature ridge theory"
            ),
            deterministic_equivalent=_finite_ridge_equivalent(cfg, gamma),
            **common,
        )
    label = theory.label_term_ridgeless(n, t, lam, **kw)
    noise = theory.noise_term_ridgeless(n, t, lam, cfg.alpha, noise_var=cfg.noise_var, form=form)
    d0 = theory.noise_coefficient(n, t, lam, cfg.alpha, form=form)
    return MRSPrediction(
        ridge=0.0,
        loss=label + noise,
        label_term=label,
        noise_term=noise,
        delta_0=d0,
        optimal_ridge_law=opt_law,
        formulas=(f"(163) with Delta_-1 from {delta_eq}", f"noise: {noise_eq}"),
        **common,
    )
