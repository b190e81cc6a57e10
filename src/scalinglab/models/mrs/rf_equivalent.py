"""The MRS model mapped onto the general random-feature ridge deterministic equivalent.

MRS (Maloney, Roberts & Sully 2022) with linear features ``φ = u x`` is random-feature ridge
regression in the sense of Bach (2023) and Defilippis, Loureiro & Misiakiewicz (2024) ("DLM"):
data covariance Λ, target power ``λ_k σ_w²/M`` per mode, T samples, N features, and the MRS
ridge γ mapped to ``λ = γ M/(σ_u² N)``. This module is that mapping; the equivalent itself is
model-free (:mod:`scalinglab.core.rf_theory`). It gives the test loss at any finite ridge,
where the paper has no formula, and the loss at the ridge that minimises it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scalinglab._validation import InputError
from scalinglab.core.rf_theory import optimal_ridge, rf_ridge_risk

if TYPE_CHECKING:  # pragma: no cover
    from scalinglab.models.mrs.model import MRSConfig

__all__ = ["mrs_loss", "mrs_optimal_loss", "mrs_parameters"]


def mrs_parameters(config: MRSConfig, ridge: float = 0.0) -> dict[str, Any]:
    """The DLM inputs equivalent to an MRS configuration (linear features), see module notes.

    Returns ``eigs`` (Λ), ``target_power`` (λ_k σ_w²/M), ``samples`` (T), ``features`` (N),
    ``ridge`` (γ M/(σ_u² N)) and ``noise_var`` (σ_ε²).

    Examples
    --------
    γ maps to ``λ = γ M/(σ_u² N)``, here 2 · 200/50 = 8, and the target power sums to
    ``σ_w² tr Λ/M``:

    >>> import numpy as np
    >>> from scalinglab.models.mrs import MRSConfig
    >>> cfg = MRSConfig(latent_dim=200, alpha=1.0, features=50, samples=100)
    >>> par = mrs_parameters(cfg, ridge=2.0)
    >>> par["ridge"], par["samples"], par["features"]
    (8.0, 100.0, 50.0)
    >>> bool(np.isclose(par["target_power"].sum(), cfg.latent_spectrum().sum() / 200))
    True
    """
    lam = config.latent_spectrum()
    m = config.latent_dim
    return {
        "eigs": lam,
        "target_power": lam * config.teacher_var / m,
        "samples": float(config.samples),
        "features": float(config.features),
        "ridge": float(ridge) * m / (config.feature_var * config.features),
        "noise_var": float(config.noise_var),
    }


def mrs_loss(config: MRSConfig, ridge: float = 0.0) -> dict[str, float]:
    """MRS test loss (eq. 40, with its ½) at any ridge γ from the DLM deterministic equivalent.

    Returns ``loss``, ``label_term`` (½ B/(1−Υ)) and ``noise_term`` (½ σ_ε² Υ/(1−Υ)).

    Examples
    --------
    At γ = 0 the label term is MRS eq. (163) and the noise term is ``σ_ε²/2 · r/(T − r)`` for
    T > r = N (here 0.1/2 · 50/50):

    >>> from scalinglab.models.mrs.theory import label_term_ridgeless
    >>> import numpy as np
    >>> from scalinglab.models.mrs import MRSConfig
    >>> cfg = MRSConfig(latent_dim=200, alpha=1.0, features=50, samples=100, noise_var=0.1)
    >>> out = mrs_loss(cfg)
    >>> bool(np.isclose(out["label_term"], label_term_ridgeless(50, 100, cfg.latent_spectrum())))
    True
    >>> round(out["noise_term"], 12)
    0.05
    """
    if getattr(config, "feature_map", "linear") != "linear":
        raise InputError("mrs_loss covers linear random features only (MRS eq. 28)")
    par = mrs_parameters(config, ridge)
    noise = par.pop("noise_var")
    pred = rf_ridge_risk(**par, noise_var=noise)
    label = 0.5 * float(pred.bias)
    noise_term = 0.5 * float(pred.variance)
    return {"loss": label + noise_term, "label_term": label, "noise_term": noise_term}


def mrs_optimal_loss(config: MRSConfig) -> dict[str, float]:
    """MRS test loss at the ridge γ* that minimises the deterministic equivalent.

    The DLM ridge λ* from :func:`optimal_ridge` is mapped back to MRS units,
    ``γ* = λ* σ_u² N / M`` (the inverse of :func:`mrs_parameters`). Returns ``loss``,
    ``label_term``, ``noise_term`` and ``ridge`` (γ*). Unlike the paper's fits (171), (172),
    (185), this is a theory of the optimally regularised loss; it is compared with per-draw
    oracle γ* simulations in the tests.

    Examples
    --------
    With label noise the tuned ridge is positive and beats the ridgeless loss:

    >>> import numpy as np
    >>> from scalinglab.models.mrs import MRSConfig
    >>> cfg = MRSConfig(latent_dim=200, alpha=1.0, features=50, samples=100, noise_var=0.1)
    >>> best = mrs_optimal_loss(cfg)
    >>> best["ridge"] > 0, best["loss"] < mrs_loss(cfg)["loss"]
    (True, True)
    """
    par = mrs_parameters(config, 0.0)
    lam_star, _ = optimal_ridge(
        par["eigs"],
        par["target_power"],
        par["samples"],
        par["features"],
        noise_var=par["noise_var"],
    )
    gamma = lam_star * config.feature_var * config.features / config.latent_dim
    return {**mrs_loss(config, gamma), "ridge": float(gamma)}
