"""The district's 高齢化率 over the years against the whole city: the 地区カルテ's chart.

Built on ``matplotlib.figure.Figure`` directly (no pyplot, no global state), so it can be drawn
in a background thread and tested by its data rather than its pixels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from shienapp.charts.style import japanese_font, series_style, style_axes
from shienapp.core.district_sheet import DistrictSheetData
from shienapp.core.jpdate import fiscal_year_short
from shienapp.core.stats import format_rate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CITY_LABEL = "市全体"
# Landscape, sized to the A4 sheet's text width so that 9 pt in the figure is 9 pt on paper.
DEFAULT_SIZE_INCHES = (7.0, 2.6)
# Below this span (in points of %) the y axis is widened, so that a 0.3-point wobble does not
# look like a cliff.
MIN_SPAN = 6.0


class AgeingRateSeries(NamedTuple):
    """What the chart plots: one value per 年度, None where nothing is known (a gap)."""

    years: list[int]
    district: list[float | None]
    city: list[float | None]


def district_label(name: str) -> str:
    """中居 → 中居地区, as residents name it; a name that already says 地区 is kept."""
    return name if name.endswith("地区") else f"{name}地区"


def ageing_rate_series(data: DistrictSheetData) -> AgeingRateSeries:
    """Every 年度 from the district's first record to its last, so an unrecorded year shows as
    a break in the line instead of the neighbours being joined as if it had not happened."""
    recorded = {st.fiscal_year: st.ageing_rate for st in data.detail.statistics}
    if not recorded:
        return AgeingRateSeries([], [], [])
    years = list(range(min(recorded), max(recorded) + 1))
    district = [recorded.get(y) for y in years]
    city = [data.city[y].ageing_rate if y in data.city else None for y in years]
    return AgeingRateSeries(years, district, city)


def ageing_rate_figure(
    data: DistrictSheetData,
    *,
    size: tuple[float, float] = DEFAULT_SIZE_INCHES,
    title: bool = True,
) -> Figure:
    """The line chart; ``title=False`` when the page around it already names it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained", facecolor="white")
    series = ageing_rate_series(data)
    finite = [v for v in (*series.district, *series.city) if _known(v)]
    if not finite:
        fig.text(
            0.5,
            0.5,
            "高齢化率のデータがありません（統計が未登録です）",
            ha="center",
            va="center",
            fontproperties=japanese_font(10),
        )
        return fig

    ax = fig.add_subplot()
    style_axes(ax)
    name = district_label(data.name)
    for index, (label, values) in enumerate(((name, series.district), (CITY_LABEL, series.city))):
        ys = [v if _known(v) else math.nan for v in values]
        ax.plot(series.years, ys, label=label, **series_style(index).plot_kwargs())
    _label_latest(ax, series)
    _axes_ranges(ax, series.years, finite)

    ax.set_xlabel("年度", fontproperties=japanese_font(9))
    ax.set_ylabel("高齢化率", fontproperties=japanese_font(9))
    ax.legend(
        prop=japanese_font(9),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=2,
        frameon=False,
        handlelength=3.2,
        borderaxespad=0.2,
    )
    if title:
        fig.suptitle(f"{name}の高齢化率の推移", fontproperties=japanese_font(11))
    return fig


def figure_png(fig: Figure, dpi: int = 200) -> bytes:
    """The figure as PNG bytes, drawn by Agg directly (no pyplot backend is chosen)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _axes_ranges(ax: Axes, years: list[int], finite: list[float]) -> None:
    from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter

    step = 1 if len(years) <= 14 else 2
    ticks = years[::step]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_xticklabels([fiscal_year_short(y) for y in ticks])
    # Room on the right for the latest values' labels.
    ax.set_xlim(years[0] - 0.4, years[-1] + (1.1 if len(years) > 1 else 0.9))

    low, high = min(finite), max(finite)
    if high - low < MIN_SPAN:
        middle = (high + low) / 2
        low, high = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
    pad = (high - low) * 0.12
    ax.set_ylim(max(0.0, math.floor(low - pad)), min(100.0, math.ceil(high + pad)))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))


def _label_latest(ax: Axes, series: AgeingRateSeries) -> None:
    """Print the latest known value of each line at its end, the higher one above the lower."""
    ends: list[tuple[int, float, int]] = []
    for index, values in enumerate((series.district, series.city)):
        known = [
            (y, v)
            for y, v in zip(series.years, values, strict=True)
            if v is not None and math.isfinite(v)
        ]
        if known:
            year, value = known[-1]
            ends.append((year, value, index))
    # Sorted is stable: on a tie the district (drawn first) keeps the place above.
    for rank, (year, value, index) in enumerate(sorted(ends, key=lambda end: -end[1])):
        above = rank == 0
        ax.annotate(
            format_rate(value),
            xy=(year, value),
            xytext=(7, 5 if above else -5),
            textcoords="offset points",
            ha="left",
            va="bottom" if above else "top",
            fontproperties=japanese_font(8.5),
            color=series_style(index).colour,
        )
