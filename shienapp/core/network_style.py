"""How a map looks, shared by the editor and the print so that the legend means the same on both.

Colours are Okabe & Ito's (told apart with every common colour-vision deficiency); every
relation also has its own dash pattern and every kind its own shape, so a black-and-white
photocopy still reads.
"""

from __future__ import annotations

# relation → (colour, dash pattern in line widths; empty = solid)
RELATION_STYLE: dict[str, tuple[str, tuple[float, ...]]] = {
    "連携": ("#0072B2", ()),
    "相談": ("#D55E00", (6, 3)),
    "紹介": ("#009E73", (1.5, 2.5)),
    "参加": ("#CC79A7", (6, 2, 1.5, 2)),
    "情報共有": ("#56B4E9", (10, 4)),
    "委託": ("#000000", (3, 2)),
    "支援": ("#E69F00", (6, 2, 1.5, 2, 1.5, 2)),
}
# domain → pale fill for the node box (dark text stays readable on every one)
DOMAIN_FILL: dict[str, str] = {
    "高齢": "#FCE5CD",
    "障害": "#D9EAD3",
    "子ども": "#FFF2CC",
    "生活困窮": "#EAD1DC",
    "全世代": "#DDEBF7",
    "その他": "#EEEEEE",
}
# kind → shape name (drawn by the editor and the print in the same way)
KIND_SHAPE: dict[str, str] = {
    "人": "ellipse",
    "組織": "rect",
    "協議体": "double",
    "社会資源": "round",
    "場": "hexagon",
    "その他": "rect",
}
# group areas, in the order groups first appear
GROUP_FILLS: tuple[str, ...] = (
    "#0072B2",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#999999",
)
GROUP_ALPHA = 0.10
# the diff drawn on the newer version
DIFF_ADDED = "#0072B2"
DIFF_CHANGED = "#E69F00"
DIFF_REMOVED = "#999999"
STRENGTH_WIDTH = {1: 0.8, 2: 1.6, 3: 2.8}  # at 100 %, in scene units (about pixels)


def group_colours(groups: list[str]) -> dict[str, str]:
    """Each group its colour, by first appearance; no group, no area."""
    named = [g for g in dict.fromkeys(groups) if g]
    return {g: GROUP_FILLS[i % len(GROUP_FILLS)] for i, g in enumerate(named)}
