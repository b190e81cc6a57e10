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
