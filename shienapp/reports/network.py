"""The network map on paper: A3 or A4 landscape with title, version, date and a legend that is
always there, then a page of analysis; or the same map before and after.

The map is drawn with reportlab's canvas inside a flowable, with the editor's shapes, colours
and dash patterns (core/network_style.py), so the print matches the screen and still reads on
a black-and-white copy. A residents' print shows a private person by role only.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from shienapp.core.jpdate import format_wareki
from shienapp.core.network import NODE_DOMAINS, NODE_KINDS, RELATIONS, MapDocument, Node
from shienapp.core.network_analysis import Analysis, MapDiff, analyse, diff
from shienapp.core.network_layout import NODE_HEIGHT, NODE_WIDTH
from shienapp.core.network_style import (
    DIFF_ADDED,
    DIFF_CHANGED,
    DIFF_REMOVED,
    DOMAIN_FILL,
    GROUP_ALPHA,
    KIND_SHAPE,
    RELATION_STYLE,
    STRENGTH_WIDTH,
    group_colours,
)
from shienapp.reports.fonts import register_japanese_font
from shienapp.reports.layout import build_pdf, esc, printable, ruled_table, sheet_styles

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Flowable

LEGEND_WIDTH = 150.0  # points
TITLE = "ネットワーク形成図"


@dataclass(frozen=True, slots=True)
class PrintOptions:
    paper: str = "A3"  # A3 or A4, always landscape
    resident_safe: bool = False
    issued_on: date | None = None


def _label(node: Node, resident_safe: bool) -> str:
    return node.resident_label() if resident_safe else node.label


def _version_text(doc: MapDocument) -> str:
    if doc.number == 0:
        return "作業中の版"
    when = format_wareki(doc.saved_on) if doc.saved_on else ""
    return f"第{doc.number}版　{when}　{doc.note}".strip()


def render_network(
    doc: MapDocument, options: PrintOptions | None = None, *, diff_from: MapDocument | None = None
) -> bytes:
    """The map (with the changes since ``diff_from`` in colour) and a page of analysis."""
    options = options or PrintOptions()
    change = diff(diff_from, doc) if diff_from is not None else None
    story: list[Flowable] = [
        _map_page(doc, options, change, diff_from),
    ]
    story += _analysis_page(doc, analyse(doc), change, diff_from, options)
    return _build(doc, story, options)


def render_comparison(
    old: MapDocument, new: MapDocument, options: PrintOptions | None = None
) -> bytes:
    """Before and after: the older version, then the newer with the changes, then the list."""
    from reportlab.platypus import PageBreak

    options = options or PrintOptions()
    change = diff(old, new)
    story: list[Flowable] = [
        _map_page(old, options, None, None, heading="変更前"),
        PageBreak(),
        _map_page(new, options, change, old, heading="変更後"),
    ]
    story += _analysis_page(new, analyse(new), change, old, options)
    return _build(new, story, options)


def _build(doc: MapDocument, story: list[Flowable], options: PrintOptions) -> bytes:
    issued = format_wareki(options.issued_on or date.today())
    safe = "（住民向け）" if options.resident_safe else ""
    return build_pdf(
        story,
        title=f"{TITLE} {doc.title}",
        footer=f"{doc.title}{safe}　{_version_text(doc)}　{issued}印刷",
        header=f"{TITLE}　{doc.title}（{doc.scope}）",
        landscape=True,
        paper=options.paper,
    )


# --- the map page ------------------------------------------------------------------------------


def _map_page(
    doc: MapDocument,
    options: PrintOptions,
    change: MapDiff | None,
    old: MapDocument | None,
    *,
    heading: str = "",
) -> Flowable:
    return _MapFlowable(doc, options, change, old, heading)


@functools.cache
def _make_flowable_class() -> type:
    from reportlab.platypus import Flowable

    class MapFlowable(Flowable):  # type: ignore[misc]
        """Takes the whole frame: title lines, the map, and the legend on the right."""

        def __init__(
            self,
            doc: MapDocument,
            options: PrintOptions,
            change: MapDiff | None,
            old: MapDocument | None,
            heading: str,
        ) -> None:
            super().__init__()
            self.doc, self.options, self.change, self.old = doc, options, change, old
            self.heading = heading
            self.size = (0.0, 0.0)

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            self.size = (available_width, available_height - 1)
            return self.size

        def draw(self) -> None:
            _draw_map(
                self.canv, self.size, self.doc, self.options, self.change, self.old, self.heading
            )

    return MapFlowable


def _MapFlowable(*args: Any) -> Flowable:
    return _make_flowable_class()(*args)


def _draw_map(
    c: Canvas,
    size: tuple[float, float],
    doc: MapDocument,
    options: PrintOptions,
    change: MapDiff | None,
    old: MapDocument | None,
    heading: str,
) -> None:
    from reportlab.lib import colors

    font = register_japanese_font()
    width, height = size
    # Title block
    c.setFillColor(colors.HexColor("#222222"))
    c.setFont(font, 16)
    title = f"{heading}　" if heading else ""
    c.drawString(0, height - 16, printable(f"{title}{doc.title}"))
    c.setFont(font, 9)
    c.setFillColor(colors.HexColor("#555555"))
    sub = f"{doc.scope}　{_version_text(doc)}"
    if options.resident_safe:
        sub += "　住民向け（個人は役割で表示）"
    if change is not None and old is not None:
        sub += f"　色付き: {old.version_label}からの変更（{change.summary()}）"
    c.drawString(0, height - 30, printable(sub))
    top = height - 40
    area = (0.0, 0.0, width - LEGEND_WIDTH - 12, top)
    _draw_graph(c, area, doc, options, change, old, font)
    _draw_legend(c, (width - LEGEND_WIDTH, 0.0, LEGEND_WIDTH, top), doc, change, font)


def _draw_graph(
    c: Canvas,
    area: tuple[float, float, float, float],
    doc: MapDocument,
    options: PrintOptions,
    change: MapDiff | None,
    old: MapDocument | None,
    font: str,
) -> None:
    from reportlab.lib import colors

    ghosts = [old.node(k) for k in change.removed_nodes] if change and old else []
    everything = list(doc.nodes) + ghosts
    ax, ay, aw, ah = area
    c.setStrokeColor(colors.HexColor("#BBBBBB"))
    c.setLineWidth(0.5)
    c.rect(ax, ay, aw, ah)
    if not everything:
        c.setFont(font, 12)
        c.drawCentredString(ax + aw / 2, ay + ah / 2, "まだ点がありません")
        return
    pad = 14.0
    xs = [n.x for n in everything]
    ys = [n.y for n in everything]
    min_x, max_x = min(xs) - NODE_WIDTH / 2 - 30, max(xs) + NODE_WIDTH / 2 + 30
    min_y, max_y = min(ys) - NODE_HEIGHT / 2 - 40, max(ys) + NODE_HEIGHT / 2 + 30
    scale = min((aw - 2 * pad) / (max_x - min_x), (ah - 2 * pad) / (max_y - min_y), 1.2)
    off_x = ax + pad + ((aw - 2 * pad) - (max_x - min_x) * scale) / 2
    off_y = ay + pad + ((ah - 2 * pad) - (max_y - min_y) * scale) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        # Scene y grows downwards; the page's grows upwards.
        return off_x + (x - min_x) * scale, off_y + (max_y - y) * scale

    # group areas
    fills = group_colours([n.group for n in doc.nodes])
    for group, colour in fills.items():
        members = [n for n in doc.nodes if n.group == group]
        x0, y0 = at(
            min(n.x for n in members) - NODE_WIDTH / 2 - 12,
            max(n.y for n in members) + NODE_HEIGHT / 2 + 12,
        )
        x1, y1 = at(
            max(n.x for n in members) + NODE_WIDTH / 2 + 12,
            min(n.y for n in members) - NODE_HEIGHT / 2 - 26,
        )
        base = colors.HexColor(colour)
        c.setFillColor(colors.Color(base.red, base.green, base.blue, alpha=GROUP_ALPHA))
        c.setStrokeColor(colors.Color(base.red, base.green, base.blue, alpha=0.5))
        c.setLineWidth(0.6)
        c.roundRect(x0, y0, x1 - x0, y1 - y0, 8, stroke=1, fill=1)
        c.setFillColor(colors.Color(base.red * 0.6, base.green * 0.6, base.blue * 0.6))
        c.setFont(font, max(6.0, 11 * scale))
        c.drawString(x0 + 4, y1 - max(6.0, 11 * scale) - 2, printable(group))

    # ties
    added_ties = set(change.added_ties) if change else set()
    changed_ties = set(change.changed_ties) if change else set()
    by_key = {n.key: n for n in everything}
    ties = list(doc.ties)
    if change and old:
        old_ties = {t.key: t for t in old.ties}
        ties += [old_ties[k] for k in change.removed_ties]
    removed_ties = set(change.removed_ties) if change else set()
    for t in ties:
        a, b = by_key.get(t.source), by_key.get(t.target)
        if a is None or b is None:
            continue
        colour, dash = RELATION_STYLE.get(t.relation, ("#444444", ()))
        line_width = STRENGTH_WIDTH.get(t.strength, 1.5) * scale * 1.3
        if t.key in removed_ties:
            colour, dash = DIFF_REMOVED, (3, 3)
        elif t.key in added_ties:
            colour, line_width = DIFF_ADDED, line_width + 1.2
        elif t.key in changed_ties:
            colour, line_width = DIFF_CHANGED, line_width + 1.0
        c.setStrokeColor(colors.HexColor(colour))
        c.setLineWidth(max(line_width, 0.4))
        c.setDash([d * max(line_width, 0.6) for d in dash] if dash else [])
        (x0, y0), (x1, y1) = at(a.x, a.y), at(b.x, b.y)
        c.line(x0, y0, x1, y1)
        c.setDash([])
        if t.directed:
            _arrow(
                c,
                (x0, y0),
                (x1, y1),
                NODE_WIDTH * scale / 2,
                NODE_HEIGHT * scale / 2,
                colour,
                scale,
            )

    # nodes
    added = set(change.added_nodes) if change else set()
    changed = set(change.changed_nodes) if change else set()
    removed = set(change.removed_nodes) if change else set()
    for n in everything:
        x, y = at(n.x, n.y)
        w, h = NODE_WIDTH * scale, NODE_HEIGHT * scale
        outline, border = "#333333", 0.7
        fill = DOMAIN_FILL.get(n.domain, "#EEEEEE")
        if n.key in removed:
            outline, fill = DIFF_REMOVED, "#FFFFFF"
        elif n.key in added:
            outline, border = DIFF_ADDED, 2.2
        elif n.key in changed:
            outline, border = DIFF_CHANGED, 2.2
        _shape(
            c,
            KIND_SHAPE.get(n.kind, "rect"),
            x,
            y,
            w,
            h,
            fill,
            outline,
            border,
            dashed=n.key in removed,
        )
        text = _label(n, options.resident_safe)
        if n.key in removed:
            text = f"（削除）{text}"
        _text_in_box(
            c,
            text,
            x,
            y,
            w,
            h,
            font,
            max(4.0, 10.5 * scale),
            "#999999" if n.key in removed else "#111111",
        )


def _arrow(
    c: Canvas,
    start: tuple[float, float],
    end: tuple[float, float],
    half_w: float,
    half_h: float,
    colour: str,
    scale: float,
) -> None:
    """An arrowhead where the line meets the target's box."""
    from reportlab.lib import colors

    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length < 1:
        return
    ux, uy = dx / length, dy / length
    # Back off from the centre to the edge of the box.
    t = min(half_w / abs(ux) if ux else math.inf, half_h / abs(uy) if uy else math.inf)
    tip = (end[0] - ux * t, end[1] - uy * t)
    size = max(4.0, 12 * scale)
    left = (tip[0] - ux * size - uy * size * 0.45, tip[1] - uy * size + ux * size * 0.45)
    right = (tip[0] - ux * size + uy * size * 0.45, tip[1] - uy * size - ux * size * 0.45)
    c.setFillColor(colors.HexColor(colour))
    path = c.beginPath()
    path.moveTo(*tip)
    path.lineTo(*left)
    path.lineTo(*right)
    path.close()
    c.drawPath(path, stroke=0, fill=1)


def _shape(
    c: Canvas,
    shape: str,
    x: float,
    y: float,
    w: float,
    h: float,
    fill: str,
    outline: str,
    border: float,
    *,
    dashed: bool = False,
) -> None:
    from reportlab.lib import colors

    c.setFillColor(colors.HexColor(fill))
    c.setStrokeColor(colors.HexColor(outline))
    c.setLineWidth(border)
    c.setDash([2, 2] if dashed else [])
    left, bottom = x - w / 2, y - h / 2
    if shape == "ellipse":
        c.ellipse(left, bottom, left + w, bottom + h, stroke=1, fill=1)
    elif shape == "round":
        c.roundRect(left, bottom, w, h, h / 3, stroke=1, fill=1)
    elif shape == "hexagon":
        inset = h / 3
        path = c.beginPath()
        path.moveTo(left + inset, bottom)
        for px, py in (
            (left + w - inset, bottom),
            (left + w, bottom + h / 2),
            (left + w - inset, bottom + h),
            (left + inset, bottom + h),
            (left, bottom + h / 2),
        ):
            path.lineTo(px, py)
        path.close()
        c.drawPath(path, stroke=1, fill=1)
    else:
        c.rect(left, bottom, w, h, stroke=1, fill=1)
        if shape == "double":
            gap = max(1.2, h * 0.08)
            c.rect(left + gap, bottom + gap, w - 2 * gap, h - 2 * gap, stroke=1, fill=0)
    c.setDash([])


def wrap_text(text: str, font: str, size: float, width: float, max_lines: int = 3) -> list[str]:
    """Break Japanese text by characters (there are no spaces to break at) into lines."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for ch in text:
        if stringWidth(current + ch, font, size) > width and current:
            lines.append(current)
            current = ch.lstrip()
        else:
            current += ch
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _text_in_box(
    c: Canvas,
    text: str,
    x: float,
    y: float,
    w: float,
    h: float,
    font: str,
    size: float,
    colour: str,
) -> None:
    from reportlab.lib import colors

    text = printable(text)
    lines = wrap_text(text, font, size, w * 0.9, max_lines=2)
    while len(lines) == 2 and size > 4 and len("".join(lines)) < len(text):
        size -= 0.5  # a long name gets smaller type rather than being cut
        lines = wrap_text(text, font, size, w * 0.9, max_lines=2)
    c.setFillColor(colors.HexColor(colour))
    c.setFont(font, size)
    leading = size * 1.15
    first = y + (len(lines) - 1) * leading / 2 - size * 0.35
    for i, line in enumerate(lines):
        c.drawCentredString(x, first - i * leading, line)


def _draw_legend(
    c: Canvas,
    box: tuple[float, float, float, float],
    doc: MapDocument,
    change: MapDiff | None,
    font: str,
) -> None:
    """Always printed: kinds, domains, relations, strength (and the diff's colours)."""
    from reportlab.lib import colors

    x, _y, w, top = box
    c.setStrokeColor(colors.HexColor("#BBBBBB"))
    c.setLineWidth(0.5)
    c.rect(x, 0, w, top)
    cursor = top - 16
    c.setFillColor(colors.HexColor("#222222"))
    c.setFont(font, 10)
    c.drawString(x + 8, cursor, "凡例")
    cursor -= 16

    def heading(text: str) -> None:
        nonlocal cursor
        c.setFont(font, 8)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(x + 8, cursor, text)
        cursor -= 12

    def item(text: str) -> None:
        nonlocal cursor
        c.setFont(font, 7.5)
        c.setFillColor(colors.HexColor("#222222"))
        c.drawString(x + 46, cursor - 2, text)
        cursor -= 13

    heading("種類（形）")
    for kind in NODE_KINDS:
        _shape(c, KIND_SHAPE[kind], x + 25, cursor + 1, 28, 10, "#FFFFFF", "#333333", 0.7)
        item(kind)
    heading("分野（塗り）")
    for domain in NODE_DOMAINS:
        _shape(c, "rect", x + 25, cursor + 1, 28, 10, DOMAIN_FILL[domain], "#333333", 0.5)
        item(domain)
    heading("関係（線の色と形）")
    for relation in RELATIONS:
        colour, dash = RELATION_STYLE[relation]
        c.setStrokeColor(colors.HexColor(colour))
        c.setLineWidth(1.6)
        c.setDash([d * 1.6 for d in dash] if dash else [])
        c.line(x + 10, cursor + 1, x + 40, cursor + 1)
        c.setDash([])
        item(relation)
    heading("つながりの強さ（線の太さ）")
    for strength, text in ((1, "弱い"), (2, "ふつう"), (3, "強い")):
        c.setStrokeColor(colors.HexColor("#333333"))
        c.setLineWidth(STRENGTH_WIDTH[strength] * 1.1)
        c.line(x + 10, cursor + 1, x + 40, cursor + 1)
        item(f"{strength}: {text}")
    heading("向き")
    c.setLineWidth(1)
    c.line(x + 10, cursor + 1, x + 36, cursor + 1)
    _arrow(c, (x + 10, cursor + 1), (x + 40, cursor + 1), 0, 0, "#333333", 0.6)
    item("一方向（矢印の先へ）")
    if change is not None:
        heading("前の版からの変更")
        for colour, text in ((DIFF_ADDED, "追加"), (DIFF_CHANGED, "変更"), (DIFF_REMOVED, "削除")):
            c.setStrokeColor(colors.HexColor(colour))
            c.setLineWidth(2.2)
            c.setDash([3, 3] if colour == DIFF_REMOVED else [])
            c.rect(x + 12, cursor - 3, 26, 9, stroke=1, fill=0)
            c.setDash([])
            item(text)
    del doc


# --- the analysis page -------------------------------------------------------------------------


def _analysis_page(
    doc: MapDocument,
    result: Analysis,
    change: MapDiff | None,
    old: MapDocument | None,
    options: PrintOptions,
) -> list[Flowable]:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    st = sheet_styles(9.5)
    safe = options.resident_safe

    def names(keys: Any, source: MapDocument = doc) -> str:
        return "、".join(_label(source.node(k), safe) for k in keys) or "なし"

    def tie_names(keys: Any, source: MapDocument = doc) -> str:
        ties = {t.key: t for t in source.ties}
        parts = [
            f"{_label(source.node(ties[k].source), safe)} ― "
            f"{_label(source.node(ties[k].target), safe)}"
            for k in keys
            if k in ties
        ]
        return "、".join(parts) or "なし"

    rows: list[list[Any]] = [
        [Paragraph("項目", st.cell), Paragraph("結果", st.cell)],
        [
            Paragraph("点と線", st.cell),
            Paragraph(
                f"点 {len(doc.nodes)}・線 {len(doc.ties)}・まとまり {result.components}", st.cell
            ),
        ],
        [Paragraph("つながりのない点", st.cell), Paragraph(esc(names(result.isolated)), st.cell)],
        [
            Paragraph("他の分野とつながっていない分野（縦割り）", st.cell),
            Paragraph(esc("、".join(result.domain_gaps) or "なし"), st.cell),
        ],
        [
            Paragraph("いなくなると分断される点（カットポイント）", st.cell),
            Paragraph(esc(names(result.cut_vertices)), st.cell),
        ],
        [
            Paragraph("切れると分断される一本だけのつながり（ブリッジ）", st.cell),
            Paragraph(esc(tie_names(result.bridges)), st.cell),
        ],
        [
            Paragraph("つながりの多い順（上位10）", st.cell),
            Paragraph(
                esc(
                    "、".join(f"{_label(doc.node(k), safe)} {n}" for k, n in result.degree[:10])
                    or "なし"
                ),
                st.cell,
            ),
        ],
        [
            Paragraph("橋渡し役（媒介中心性の上位10）", st.cell),
            Paragraph(
                esc(
                    "、".join(
                        f"{_label(doc.node(k), safe)} {v:.2f}"
                        for k, v in result.betweenness[:10]
                        if v > 0
                    )
                    or "なし"
                ),
                st.cell,
            ),
        ],
    ]
    if change is not None and old is not None:
        changed = "、".join(
            f"{_label(doc.node(k), safe)}（{'・'.join(what)}）"
            for k, what in change.changed_nodes.items()
        )
        rows += [
            [
                Paragraph(f"{old.version_label}からの変更", st.cell),
                Paragraph(esc(change.summary()), st.cell),
            ],
            [Paragraph("加わった点", st.cell), Paragraph(esc(names(change.added_nodes)), st.cell)],
            [
                Paragraph("なくなった点", st.cell),
                Paragraph(esc(names(change.removed_nodes, old)), st.cell),
            ],
            [Paragraph("変わった点", st.cell), Paragraph(esc(changed or "なし"), st.cell)],
            [
                Paragraph("加わった線", st.cell),
                Paragraph(esc(tie_names(change.added_ties)), st.cell),
            ],
            [
                Paragraph("なくなった線", st.cell),
                Paragraph(esc(tie_names(change.removed_ties, old)), st.cell),
            ],
        ]
    table = ruled_table(
        rows, [70 * mm, 250 * mm if options.paper == "A3" else 180 * mm], header_column=True
    )
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
    return [
        PageBreak(),
        Paragraph(f"分析　{esc(doc.title)}（{esc(_version_text(doc))}）", st.heading),
        Spacer(1, 2 * mm),
        table,
        Spacer(1, 3 * mm),
        Paragraph(
            "カットポイントやブリッジは、その人・そのつながりが欠けると情報や支援が届かなくなる"
            "ところです。二本目のつながりを作れないか、協議体で話し合ってみてください。",
            st.small,
        ),
    ]
