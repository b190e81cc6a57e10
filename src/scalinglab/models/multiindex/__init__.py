"""Multi-index (additive) models under online SGD: emergence and scaling laws.

Teacher ``f*(x) = Σ_{p≤P} a_p σ(⟨v_p, x⟩)``, ``a_p ∝ p^-β``; 2-homogeneous two-layer student
trained by online SGD or population gradient flow (Ren, Nichani, Wu, Lee, arXiv 2504.19983;
Ben Arous, Erdogdu, Vural, Wu, arXiv 2508.03688; lecture notes 000_cd67047850b8bf6c, second
half; the derivations in multiindex_math.md §A).

:class:`MultiIndexConfig` → :func:`simulate` (vectorised online SGD, exact population risk
from the overlaps) and :func:`predict` (exact overlap flow, Riccati closed form for σ = h_2,
decoupled emergence closed forms). Submodules: ``activations`` (σ by name or Hermite
coefficients), ``link``, ``config``, ``flow``, ``emergence`` (exponents, finite-P reference,
sample-complexity orders), ``simulate``, ``predict``, ``results``, ``adapter``.

Examples
--------
>>> from scalinglab.models import get
>>> model = get("multiindex")
>>> cfg = model.example()
>>> sim, pred = model.simulate(cfg, seeds=2), model.predict(cfg, seeds=2)
>>> bool(abs(sim.loss[-1] / pred.loss[-1] - 1) < 0.5)
True
"""

from scalinglab.models.multiindex.config import MultiIndexConfig, amplitudes
from scalinglab.models.multiindex.emergence import (
    decoupled_curves,
    emergence_times_decoupled,
    finite_p_exponent,
    sample_complexity_order,
    scaling_exponents,
    step_sum_slope,
)
from scalinglab.models.multiindex.predict import predict
from scalinglab.models.multiindex.results import MultiIndexPrediction, MultiIndexSimulation
from scalinglab.models.multiindex.simulate import simulate

__all__ = [
    "MultiIndexConfig",
    "MultiIndexPrediction",
    "MultiIndexSimulation",
    "amplitudes",
    "decoupled_curves",
    "emergence_times_decoupled",
    "finite_p_exponent",
    "predict",
    "sample_complexity_order",
    "scaling_exponents",
    "simulate",
    "step_sum_slope",
]

from scalinglab.models.multiindex.adapter import sweep_adapter
from scalinglab.models.protocol import Model


def _example() -> MultiIndexConfig:
    """A small configuration (σ = h_2, d = 32, P = m = 4) that runs in well under a second."""
    return MultiIndexConfig(
        dim=32, directions=4, width=4, signal_decay=1.0, activation="he2", init_norm2=1e-3,
        noise_var=0.05, batch=32, lr=0.03, steps=400, record=12,
    )  # fmt: skip


MODEL = Model(
    name="multiindex",
    description="additive multi-index target learned by a 2-homogeneous network under online SGD",
    config_type=MultiIndexConfig,
    simulate=simulate,
    predict=predict,
    example=_example,
    sweep=sweep_adapter,
)
