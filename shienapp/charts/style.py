"""How every chart looks: the shipped Japanese font and series that survive black-and-white print.

No pyplot and no change to ``matplotlib.rcParams``: charts are built in a background thread
while the GUI runs, so each figure names its font and styles itself. matplotlib is imported
inside the functions, so importing this module costs nothing at start-up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shienapp import config

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.font_manager import FontProperties

# Okabe & Ito (2008), the palette told apart by people with every common colour-vision deficiency.
OKABE_ITO: tuple[str, ...] = (
    "#D55E00",  # vermillion
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (last: too pale for lines on white paper)
    "#000000",  # black
)
# Photocopied sheets lose colour: line style and marker alone must tell the series apart.
LINE_STYLES: tuple[str | tuple[int, tuple[int, ...]], ...] = (
    "-",
    (0, (5, 2)),
    (0, (1, 1.5)),
    (0, (6, 2, 1, 2)),
    (0, (3, 1, 1, 1, 1, 1)),
    (0, (8, 3)),
)
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P")
GRID_COLOUR = "#C8C8C8"
TEXT_COLOUR = "#222222"


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    colour: str
    line_style: str | tuple[int, tuple[int, ...]]
    marker: str
    filled: bool

    def plot_kwargs(self) -> dict[str, object]:
        """Keyword arguments for ``Axes.plot``; hollow markers on every other series."""
        return {
            "color": self.colour,
            "linestyle": self.line_style,
            "marker": self.marker,
            "markerfacecolor": self.colour if self.filled else "white",
            "markeredgecolor": self.colour,
            "markeredgewidth": 1.4,
            "markersize": 6,
            "linewidth": 2.0,
        }


def series_style(index: int) -> SeriesStyle:
    """The n-th series' look: colour, dash and marker all change together."""
    return SeriesStyle(
        colour=OKABE_ITO[index % len(OKABE_ITO)],
        line_style=LINE_STYLES[index % len(LINE_STYLES)],
        marker=MARKERS[index % len(MARKERS)],
        filled=index % 2 == 0,
    )


_lock = threading.Lock()
_family: str | None = None


def japanese_font_family() -> str:
    """Add the shipped IPAexGothic to matplotlib's font manager once; return its family name.

    The machine has no Japanese font of its own, so without this every kanji is a box and
    matplotlib warns about missing glyphs.
    """
    global _family
    with _lock:
        if _family is None:
            from matplotlib import font_manager

            path = str(config.font_path())
            if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
                font_manager.fontManager.addfont(path)
            _family = font_manager.FontProperties(fname=path).get_name()
        return _family


def japanese_font(size: float | None = None) -> FontProperties:
    """FontProperties for titles, labels and legends, naming the Japanese family explicitly."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=japanese_font_family(), size=size)


def style_axes(ax: Axes, *, font_size: float = 9.0) -> None:
    """A quiet municipal look: light horizontal grid, no top/right frame, Japanese tick labels."""
    family = japanese_font_family()
    ax.tick_params(labelfontfamily=family, labelsize=font_size, colors=TEXT_COLOUR)
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#666666")
