"""Draw a ``ChartData`` with matplotlib (Figure only, no pyplot), readable in black and white:
bars carry hatching as well as colour, the reference line is dashed and labelled."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from shienapp.charts.style import OKABE_ITO, TEXT_COLOUR, japanese_font, style_axes
from shienapp.core.chart_data import ChartData

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

HATCHES = ("", "///", "...", "xxx", "\\\\\\", "+++", "---", "ooo", "***", "|||")
# Above this many categories (a city of 300 districts) each series is drawn as one collection:
# 3,000 separate bar patches took seconds to make and to draw. The standard city's 39 districts
# stay separate patches, as before.
MANY_BARS = 60
TALL = 20  # rows of a horizontal chart from which it is taller than a window's pane


def figure(data: ChartData, *, size: tuple[float, float] | None = None) -> Figure:
    from matplotlib.figure import Figure

    count = len(data.categories)
    if size is None:
        size = (7.0, max(3.0, 0.26 * count + 1.2)) if data.horizontal else (7.0, 3.6)
    fig = Figure(figsize=size, dpi=100, layout="constrained")
    ax = fig.add_subplot()
    style_axes(ax)
    font = japanese_font(9)
    ax.set_title(data.title, fontproperties=japanese_font(11), color=TEXT_COLOUR)
    positions = list(range(count))
    bottoms = [0.0] * count
    stacked = data.kind == "stacked"
    width = 0.75 if stacked or len(data.series) == 1 else 0.8 / len(data.series)
    for index, (name, values) in enumerate(data.series):
        clean = [v or 0.0 for v in values]
        colour = OKABE_ITO[index % (len(OKABE_ITO) - 1)]  # no yellow-black pair at the end
        if data.kind == "line":
            ax.plot(positions, clean, label=name, color=colour, marker="o")
            continue
        offset = 0.0 if stacked else (index - (len(data.series) - 1) / 2) * width
        where = [p + offset for p in positions]
        style = {
            "label": name,
            "color": colour,
            "edgecolor": "#333333",
            "linewidth": 0.5,
            "hatch": HATCHES[index % len(HATCHES)],
        }
        if count > MANY_BARS:
            _bar_collection(ax, where, clean, bottoms if stacked else None, width, data, style)
        elif data.horizontal:
            ax.barh(where, clean, height=width, left=bottoms if stacked else None, **style)
        else:
            ax.bar(where, clean, width=width, bottom=bottoms if stacked else None, **style)
        if stacked:
            bottoms = [b + v for b, v in zip(bottoms, clean, strict=True)]
    if data.reference is not None:
        label, value = data.reference
        line = ax.axvline if data.horizontal else ax.axhline
        line(
            value,
            color="#000000",
            linestyle=(0, (5, 3)),
            linewidth=1.2,
            label=f"{label} {value:g}{data.unit}",
        )
    if data.horizontal:
        ax.set_yticks(positions, labels=list(data.categories), fontproperties=font)
        # The first row at the top, a tenth of a row spare at each end (the default 5 % margin
        # is 15 empty rows over 300 districts).
        if count:
            ax.set_ylim(count - 0.4, -0.6)
        ax.set_xlabel(data.unit, fontproperties=font)
        ax.grid(axis="x", color="#C8C8C8", linewidth=0.6)
        ax.grid(axis="y", visible=False)
    else:
        ax.set_xticks(positions, labels=list(data.categories), fontproperties=font)
        ax.set_ylabel(data.unit, fontproperties=font)
    # A long list is read scrolled (the window) or over several inches of paper: its scale and
    # legend at the top too, where the reading starts.
    tall = data.horizontal and count > TALL
    if tall:
        ax.tick_params(axis="x", top=True, labeltop=True)
    if len(data.series) > 1 or data.reference is not None:
        if tall:
            # Above the plot; "best" would also try every place against every bar (about a
            # second for 300 districts).
            fig.legend(
                loc="outside upper center",
                ncols=min(5, len(data.series) + (data.reference is not None)),
                prop=japanese_font(8),
                frameon=False,
            )
        else:
            ax.legend(prop=japanese_font(8), frameon=False, loc="best")
    if data.horizontal:
        ax.margins(x=0.02)
    else:
        ax.margins(y=0.08)
    if data.note:
        # As a figure-level label, so the layout makes room for it under the tick labels.
        fig.supxlabel(
            data.note, x=0.01, ha="left", fontproperties=japanese_font(7.5), color="#555555"
        )
    return fig


def _bar_collection(
    ax: Axes,
    where: list[float],
    values: list[float],
    bases: list[float] | None,
    width: float,
    data: ChartData,
    style: dict[str, object],
) -> None:
    """One series of bars as a single collection (the same look: colour, edge, hatch), with
    empty bars left out and the value axis starting at zero as bars do."""
    from matplotlib.collections import PolyCollection

    half = width / 2
    shapes = []
    for position, value, base in zip(where, values, bases or [0.0] * len(values), strict=True):
        if not value:
            continue
        low, high = base, base + value
        if data.horizontal:
            shapes.append(
                [
                    (low, position - half),
                    (high, position - half),
                    (high, position + half),
                    (low, position + half),
                ]
            )
        else:
            shapes.append(
                [
                    (position - half, low),
                    (position + half, low),
                    (position + half, high),
                    (position - half, high),
                ]
            )
    bars = PolyCollection(
        shapes,
        facecolors=style["color"],
        edgecolors=style["edgecolor"],
        linewidths=style["linewidth"],
        hatch=style["hatch"] or None,
        label=style["label"],
    )
    (bars.sticky_edges.x if data.horizontal else bars.sticky_edges.y).append(0.0)
    ax.add_collection(bars, autolim=True)
    ax.autoscale_view()


def save(data: ChartData, path: Path) -> None:
    """PNG (150 dpi) or SVG (text kept as text, so it stays searchable)."""
    import io

    import matplotlib

    from shienapp.core.files import write_bytes_atomically

    suffix = Path(path).suffix.lower()
    fig = figure(data)
    buffer = io.BytesIO()
    if suffix == ".svg":
        with matplotlib.rc_context({"svg.fonttype": "none"}):
            fig.savefig(buffer, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buffer, format="png", dpi=150)
    write_bytes_atomically(Path(path), buffer.getvalue())
