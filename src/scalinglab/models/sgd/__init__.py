"""Sketched power-law linear regression trained by SGD, GD or gradient flow.

``SGDConfig`` → :func:`simulate` (vectorised Monte Carlo over seeds) and :func:`predict`
(exact risk recursions, deterministic equivalents). Submodules: ``model``, ``problem``,
``sim``, ``theory``, ``deterministic``, ``finite_data``, ``frontier``.
"""

from scalinglab.models.sgd.model import (
    OPTIMIZERS,
    THEORIES,
    SGDConfig,
    SGDPrediction,
    SGDSimulation,
    predict,
    simulate,
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

from scalinglab.models.protocol import Model
from scalinglab.models.sgd.adapter import sweep_adapter


def _example() -> SGDConfig:
    """A small configuration that simulates in well under a second."""
    return SGDConfig(dim=200, features=40, alpha=1.5, beta=0.5, steps=400, record=10)


MODEL = Model(
    name="sgd",
    description="sketched power-law linear regression under SGD / GD / gradient flow",
    config_type=SGDConfig,
    simulate=simulate,
    predict=predict,
    example=_example,
    sweep=sweep_adapter,
)
