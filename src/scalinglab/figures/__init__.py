"""Registry of paper figures that scalinglab reproduces.

A figure is a function ``make(*, quick, seeds, progress) -> FigureOutput`` registered with
:func:`register_figure`. Modules in this package are imported on first use, so adding a
paper's figures is one new file here. The CLI (``scalinglab figure ID --out DIR [--format
png|pdf|svg] [--dpi N]``) saves each returned matplotlib figure in that format and each table
as CSV, all together or none. Titles and labels use Greek letters and math text, and every
text must fit its canvas (``tests/figures/test_bounding_boxes.py``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FigureOutput", "FigureSpec", "available_figures", "get_figure", "register_figure"]



@dataclass
class FigureOutput:
    """What a figure function returns: named matplotlib figures and named data tables."""

    figures: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    summary: Any = None  # optional pandas DataFrame the CLI prints as a table


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure: its id, one-line description and the function that makes it."""

    figure_id: str
    description: str
    make: Callable[..., FigureOutput]


_REGISTRY: dict[str, FigureSpec] = {}
_LOADED = False


def register_figure(figure_id: str, description: str) -> Callable[[Callable], Callable]:
    """Decorator: register ``make`` under ``figure_id`` (e.g. ``"mrs-fig8"``)."""

    def deco(make: Callable[..., FigureOutput]) -> Callable[..., FigureOutput]:
        if figure_id in _REGISTRY:
            raise RuntimeError(f"figure id {figure_id!r} registered twice")
        _REGISTRY[figure_id] = FigureSpec(figure_id, description, make)
        return make

    return deco


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


def available_figures() -> dict[str, FigureSpec]:
    """All registered figures, by id."""
    _load()
    return dict(sorted(_REGISTRY.items()))


def get_figure(figure_id: str) -> FigureSpec:
    """Look up a figure by id; raises ``KeyError`` if unknown."""
    _load()
    return _REGISTRY[figure_id]
