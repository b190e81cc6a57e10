"""Plot any protocol result (:mod:`scalinglab.models.protocol`): the ``.plot()`` of every model.

Examples
--------
>>> from scalinglab.models import get
>>> sgd = get("sgd")
>>> cfg = sgd.example()
>>> ax = sgd.simulate(cfg, seeds=2).plot(theory=sgd.predict(cfg))
>>> ax.get_xscale(), ax.get_yscale()
('log', 'log')
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["new_axes", "plot_result", "root_figure"]


def new_axes(ax: Axes | None = None, *, size: tuple[float, float] = (5.0, 3.6)) -> Axes:
    """``ax`` itself, or the single Axes of a new :class:`~matplotlib.figure.Figure`.

    No pyplot state is touched: the figure is not registered with a GUI manager, so it can be
    saved with ``ax.figure.savefig(...)`` and is garbage-collected with its Axes.
    """
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot()


def root_figure(drawn: Any) -> Figure:
    """The Figure behind what a plot function returned: a Figure, an Axes or several Axes."""
    if isinstance(drawn, Figure):
        return drawn
    if hasattr(drawn, "figure"):
        return drawn.figure
    first = next(iter(getattr(drawn, "flat", drawn)))
    return first.figure


def _values(x: Any) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in np.ravel(x)], dtype=np.float64)


def plot_result(result: Any, *, ax: Axes | None = None, theory: Any = None, **kwargs: Any) -> Axes:
    """Draw a :class:`Simulation` or :class:`Prediction` (and an optional theory) on ``ax``.

    Curves (results with an ``axis``) are drawn on log–log axes, a simulation with a ±1
    standard-error band and the theory dashed. Point results are drawn as one bar per named
    component plus the total, with the theory as markers.

    Parameters
    ----------
    result : Simulation or Prediction
    ax : matplotlib Axes, optional
        Where to draw; a new Figure is made when omitted.
    theory : Prediction, optional
        Overlaid on the same axes.
    **kwargs
        Passed to the main line/bar call (e.g. ``color``, ``label``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax)
    axis = result.axis
    is_sim = hasattr(result, "loss_sem")
    label = kwargs.pop("label", "simulation" if is_sim else "theory")
    if axis is not None:
        name, x = axis
        y = _values(result.loss)
        line = ax.plot(x, y, "-" if not is_sim else "o-", ms=3, label=label, **kwargs)[0]
        if is_sim:
            sem = _values(result.loss_sem)
            ok = np.isfinite(sem)
            if ok.any():
                ax.fill_between(
                    np.asarray(x)[ok], (y - sem)[ok], (y + sem)[ok], color=line.get_color(),
                    alpha=0.25, lw=0,
                )
        if theory is not None and theory.axis is not None:
            ax.plot(theory.axis[1], _values(theory.loss), "--", color="k", label="theory")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(name)
        ax.set_ylabel("loss")
    else:
        comps = {k: v for k, v in result.components.items() if v is not None}
        names = ["loss", *comps]
        vals = _values([result.loss, *comps.values()])
        pos = np.arange(len(names))
        err = None
        if is_sim:
            err = _values([result.loss_sem] + [np.nan] * len(comps))
            err = np.where(np.isfinite(err), err, 0.0)
        ax.bar(pos, vals, yerr=err, label=label, alpha=0.7, **kwargs)
        if theory is not None:
            th = theory.components
            tv = _values([theory.loss, *[th.get(k) for k in comps]])
            ax.plot(pos, tv, "k_", ms=24, mew=2, label="theory")
        ax.set_xticks(pos, names)
        ax.set_ylabel("loss")
    ax.set_title(f"{result.model}: {'simulation' if is_sim else 'prediction'}")
    ax.legend(fontsize="small")
    return ax
