"""The model protocol: what every solvable model in :mod:`scalinglab.models` provides.

A model is a folder ``models/<name>/`` with a frozen, validated config dataclass and two pure
functions::

    simulate(config, *, seeds=..., seed=..., **options) -> Simulation   # Monte Carlo
    predict(config, **options) -> Prediction                             # theory

registered once (see :func:`scalinglab.models.register`) as a :class:`Model`. Results share
two small interfaces, :class:`Simulation` and :class:`Prediction`, so that a sweep, a plot or a
test compares any theory with any simulation without knowing the model.

**Loss.** One definition for the whole package (docs/notation.md):
``loss = ½ E_(x, y)[(f(x) − y)²]`` on a fresh test pair, where ``y`` carries the same label
noise as the training labels, so the loss includes the noise floor ``½ σ²``. Each model states
how its paper's quantity maps onto it; the model's own ``to_dict()`` (its CLI JSON contract)
may keep the paper's quantity under its historical key.

**Standard error.** :func:`standard_error`: the sample standard deviation (``ddof=1``) over
seeds divided by √seeds, and NaN for a single seed (``null`` in JSON).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from scalinglab._types import standard_error, to_jsonable

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "Model",
    "Prediction",
    "Simulation",
    "standard_error",
]


class _Result:
    """Shared behaviour of simulation and prediction results (a mixin for frozen dataclasses).

    Subclasses provide ``loss``, ``components``, ``status``, ``message`` (attributes or
    properties) and may override :attr:`axis`.
    """

    model: str = ""

    @property
    def axis(self) -> tuple[str, np.ndarray] | None:
        """The independent variable of a curve (e.g. ``("steps", array)``), or None for a point."""
        return None

    def summary(self) -> dict[str, Any]:
        """The protocol view as a JSON-safe dict: model, loss, components, status, message."""
        out: dict[str, Any] = {"model": self.model, "loss": self.loss}  # type: ignore[attr-defined]
        sem = getattr(self, "loss_sem", None)
        if sem is not None or isinstance(self, Simulation):
            out["loss_sem"] = sem
        out["components"] = dict(self.components)  # type: ignore[attr-defined]
        if self.axis is not None:
            out["axis"] = {"name": self.axis[0], "values": self.axis[1]}
        out["status"] = str(self.status)  # type: ignore[attr-defined]
        out["message"] = self.message  # type: ignore[attr-defined]
        for extra in ("seeds", "formulas"):
            if hasattr(self, extra):
                out[extra] = getattr(self, extra)
        return to_jsonable(out)

    def plot(self, ax: Axes | None = None, *, theory: Prediction | None = None, **kwargs: Any):
        """Draw the loss (and its components) on ``ax``; returns the Axes.

        A curve is drawn on log–log axes with a ±1 standard-error band; a single point as a bar
        per component. ``theory`` (a :class:`Prediction` of the same configuration) is overlaid.
        """
        from scalinglab.plots.results import plot_result

        return plot_result(self, ax=ax, theory=theory, **kwargs)


class Simulation(_Result):
    """Interface of a Monte Carlo result.

    Required members: ``loss`` (mean over seeds, float or array along :attr:`axis`),
    ``loss_sem`` (:func:`standard_error`, NaN for one seed), ``components`` (mapping of name to
    mean, e.g. ``{"label": ..., "noise": ...}``), ``seeds``, ``status``, ``message``,
    ``to_dict()``.
    """


class Prediction(_Result):
    """Interface of a theory result.

    Required members: ``loss`` (float, array along :attr:`axis`, or None where the theory has no
    formula; ``message`` then says why), ``components``, ``status``, ``message``, ``formulas``
    (the equations used, with their sources), ``to_dict()``.
    """


@dataclass(frozen=True)
class Model:
    """A registered model: its name, config type and the two protocol functions.

    Parameters
    ----------
    name : str
        Registry name (``"mrs"``, ``"sgd"``, ...), also the CLI/sweep name.
    description : str
        One line for listings.
    config_type : type
        The frozen config dataclass; constructing it validates (``InputError`` on bad values).
    simulate, predict : callable
        ``simulate(config, *, seeds, seed, **options) -> Simulation`` and
        ``predict(config, **options) -> Prediction``.
    example : callable
        Returns a small, fast config (a second or less), used by the generic protocol test and
        the docs.
    sweep : callable or None
        Zero-argument factory of the sweep adapter (:class:`SweepAdapter`), or None.
    """

    name: str
    description: str
    config_type: type
    simulate: Callable[..., Simulation]
    predict: Callable[..., Prediction]
    example: Callable[[], Any]
    sweep: Callable[[], Any] | None = None

    def config(self, **params: Any) -> Any:
        """Build (and so validate) a config from keyword parameters."""
        return self.config_type(**params)

    def config_fields(self) -> tuple[str, ...]:
        """Names of the config's fields."""
        return tuple(f.name for f in dataclasses.fields(self.config_type))


def components_of(result: Any) -> Mapping[str, Any]:
    """The named components of a result (empty mapping when it has none)."""
    return getattr(result, "components", {}) or {}
