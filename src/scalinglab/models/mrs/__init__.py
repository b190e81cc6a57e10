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

from scalinglab.models.mrs.adapter import sweep_adapter
from scalinglab.models.protocol import Model


def _example() -> MRSConfig:
    """A small configuration that simulates in well under a second."""
    return MRSConfig(latent_dim=400, alpha=1.0, features=60, samples=100)


MODEL = Model(
    name="mrs",
    description="Maloney-Roberts-Sully: power-law latent data, random features, ridge",
    config_type=MRSConfig,
    simulate=simulate,
    predict=predict,
    example=_example,
    sweep=sweep_adapter,
)
