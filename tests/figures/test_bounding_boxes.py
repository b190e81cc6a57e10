"""No text of any registered figure runs off its canvas or into another title.

Every figure in the registry is made in its ``quick`` mode and drawn; each visible text (titles,
suptitles, axis labels, tick labels, legend entries, annotations) must lie inside the figure's
canvas, and no two titles may overlap. Saving uses ``bbox_inches="tight"``, which would
otherwise grow the image around a runaway title rather than show it clipped, so the check is
made on the canvas the figure was laid out for. The CLI writers are tested in tests/cli.
"""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from scalinglab.figures import available_figures

SLACK_PX = 2.0  # anti-aliasing and rounding of glyph extents


def _undrawn_tick_labels(fig) -> set[int]:
    """Tick labels at locations outside the view limits exist but are never drawn."""
    skip: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                loc = tick.get_loc()
                if loc is None or not (lo - 1e-12 * abs(lo) <= loc <= hi + 1e-12 * abs(hi)):
                    skip.update({id(tick.label1), id(tick.label2)})
    return skip


def _texts(fig):
    skip = _undrawn_tick_labels(fig)
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and id(t) not in skip:
            yield t


def check_figure(fig) -> list[str]:
    """Problems with the text layout of one matplotlib Figure (empty when fine)."""
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    problems = []
    titles = []
    for t in _texts(fig):
        box = t.get_window_extent(renderer)
        if (
            box.x0 < -SLACK_PX
            or box.y0 < -SLACK_PX
            or box.x1 > width + SLACK_PX
            or box.y1 > height + SLACK_PX
        ):
            problems.append(
                f"{t.get_text()[:60]!r} at x {box.x0:.0f}..{box.x1:.0f}, "
                f"y {box.y0:.0f}..{box.y1:.0f} outside {width:.0f} x {height:.0f}"
            )
        is_title = any(t is ax.title for ax in fig.axes) or t is getattr(fig, "_suptitle", None)
        if is_title:
            titles.append((t.get_text()[:40], box))
    for i, (a, ba) in enumerate(titles):
        for b, bb in titles[i + 1 :]:
            if ba.overlaps(bb):
                problems.append(f"titles overlap: {a!r} and {b!r}")
    return problems


def test_check_catches_a_title_off_the_canvas():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    fig.subplots(1, 2)[1].set_title("a very long title that cannot fit in this narrow figure")
    assert check_figure(fig)
    ok = Figure(figsize=(6, 3))
    ok.subplots(1, 2)[0].set_title("short")
    assert check_figure(ok) == []


@pytest.mark.slow
@pytest.mark.parametrize("figure_id", sorted(available_figures()))
def test_registered_figure_text_fits(figure_id):
    output = available_figures()[figure_id].make(quick=True, progress=None)
    problems = {name: check_figure(fig) for name, fig in output.figures.items()}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"{figure_id}: {problems}"
