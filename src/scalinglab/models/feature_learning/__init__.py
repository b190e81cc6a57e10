"""Feature learning in a two-layer linear network on power-law data (the rich regime).

``FLConfig`` → :func:`simulate` (gradient descent on the network's parameters, or the exact
reduced flow) and :func:`predict` (reduced flow per sketch or on the sketch's deterministic
equivalent). Submodules: ``dynamics`` (the reduction), ``model``, ``results``, ``frontier``
(compute-optimal frontier), ``adapter``.
"""

from scalinglab.models.feature_learning.model import (
    METHODS,
    THEORIES,
    FLConfig,
    predict,
    simulate,
)
from scalinglab.models.feature_learning.results import FLPrediction, FLSimulation

__all__ = ["METHODS", "THEORIES", "FLConfig", "FLPrediction", "FLSimulation", "predict", "simulate"]

from scalinglab.models.feature_learning.adapter import sweep_adapter
from scalinglab.models.protocol import Model


def _example() -> FLConfig:
    """A small configuration that simulates in well under a second."""
    return FLConfig(dim=100, features=20, alpha=1.5, beta=0.5, gamma=1.0, time=50.0, record=8)


MODEL = Model(
    name="feature_learning",
    description="two-layer linear network with feature-learning strength γ (rich regime)",
    config_type=FLConfig,
    simulate=simulate,
    predict=predict,
    example=_example,
    sweep=sweep_adapter,
)
