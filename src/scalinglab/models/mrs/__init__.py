"""Maloney–Roberts–Sully (2022) solvable model: power-law latent data, random features, ridge.

``config`` → :func:`simulate` (Monte Carlo with exact test averages) and :func:`predict`
(the paper's self-consistent theory). Submodules: ``model`` (config, simulate, predict),
``sampling`` (reduced draws), ``theory`` (MRS eqs. 163–187 and App. A/B).
"""

from scalinglab.models.mrs.model import (
    MRSConfig,
    MRSPrediction,
    MRSRidgePath,
    MRSSimulation,
    predict,
    simulate,
    simulate_ridge_path,
)

__all__ = [
    "MRSConfig",
    "MRSPrediction",
    "MRSRidgePath",
    "MRSSimulation",
    "predict",
    "simulate",
    "simulate_ridge_path",
]
