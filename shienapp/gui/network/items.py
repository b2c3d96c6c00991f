"""The things drawn on a map: a node's box, a tie's line, a group's coloured area.

Shapes, fills, colours and dash patterns come from core/network_style.py, the same table the
print uses, so the legend means the same on screen and on paper.
"""

from __future__ import annotations

import math
import uuid

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from shienapp.core.network import Node, Tie
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
)

GRID = 20.0
HIGHLIGHT = "#C0392B"  # analysis marks: a cut vertex, a bridge
SELECTED = "#1F4E9E"


def shape_path(shape: str, rect: QRectF) -> QPainterPath:
    path = QPainterPath()
    if shape == "ellipse":
        path.addEllipse(rect)
    elif shape == "round":
        path.addRoundedRect(rect, rect.height() / 3, rect.height() / 3)
    elif shape == "hexagon":
        inset = rect.height() / 3
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(rect.left() + inset, rect.top()),
                    QPointF(rect.right() - inset, rect.top()),
                    QPointF(rect.right(), rect.center().y()),
                    QPointF(rect.right() - inset, rect.bottom()),
                    QPointF(rect.left() + inset, rect.bottom()),
                    QPointF(rect.left(), rect.center().y()),
                ]
            )
        )
        path.closeSubpath()
    else:
        path.addRect(rect)
    return path


class NodeItem(QGraphicsItem):
    """A node: its shape by kind, fill by domain, label wrapped inside; movable and selectable."""

    RECT = QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT)

    def __init__(self, node: Node, label: str) -> None:
        super().__init__()
        self.node = node
        self.label = label
        self.ties: list[TieItem] = []
        self.mark = ""  # "added" / "changed" / "removed" (a ghost from an older version)
        self.highlight = False  # a cut vertex, when the analysis is shown
        self.alone = False  # a node with no tie, when the analysis is shown
        self.faded = False
        self.setPos(node.x, node.y)
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
        )
        self.setZValue(2)
        self.setToolTip(self._tooltip())
        self.setAcceptHoverEvents(True)

    @property
    def key(self) -> uuid.UUID:
        return self.node.key

    def _tooltip(self) -> str:
        n = self.node
        parts = [n.label, f"{n.kind}・{n.domain}"]
        if n.group:
            parts.append(f"グループ: {n.group}")
        if n.pinned:
            parts.append("固定（自動配置で動かない）")
        if n.note:
            parts.append(n.note)
        return "\n".join(parts)

    def set_node(self, node: Node, label: str) -> None:
        self.prepareGeometryChange()
        self.node, self.label = node, label
        self.setToolTip(self._tooltip())
        self.update()

    def boundingRect(self) -> QRectF:
        return self.RECT.adjusted(-4, -4, 4, 4)

    def shape(self) -> QPainterPath:
        return shape_path(KIND_SHAPE.get(self.node.kind, "rect"), self.RECT)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        del option, widget
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        kind = KIND_SHAPE.get(self.node.kind, "rect")
        fill = QColor(DOMAIN_FILL.get(self.node.domain, "#EEEEEE"))
        pen = QPen(QColor("#333333"), 1.2)
        if self.mark == "removed":
            fill, pen = QColor("#FFFFFF"), QPen(QColor(DIFF_REMOVED), 1.5, Qt.PenStyle.DashLine)
        elif self.mark == "added":
            pen = QPen(QColor(DIFF_ADDED), 3.5)
        elif self.mark == "changed":
            pen = QPen(QColor(DIFF_CHANGED), 3.5)
        if self.highlight:
            pen = QPen(QColor(HIGHLIGHT), 3.5)
        elif self.alone:
            pen = QPen(QColor(HIGHLIGHT), 2.5, Qt.PenStyle.DashLine)
        if self.isSelected():
            pen = QPen(QColor(SELECTED), 3.0, Qt.PenStyle.DashLine)
        painter.setOpacity(0.15 if self.faded else 1.0)
        painter.setBrush(QBrush(fill))
        painter.setPen(pen)
        painter.drawPath(shape_path(kind, self.RECT))
        if kind == "double":
            inner = self.RECT.adjusted(3.5, 3.5, -3.5, -3.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(inner)
        if self.node.pinned:
            painter.setBrush(QColor("#555555"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(QPointF(self.RECT.right() - 7, self.RECT.top() + 7), 3, 3)
        painter.setPen(QColor("#999999" if self.mark == "removed" else "#111111"))
        font = QFont(painter.font())
        font.setPointSizeF(9.0 if len(self.label) <= 16 else 8.0)
        painter.setFont(font)
        painter.drawText(
            self.RECT.adjusted(6, 2, -6, -2),
            int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWrapAnywhere),
            self.label,
        )

    # No itemChange() override here or in TieItem: PySide 6 mis-counts the None that some
    # changes hand back and the interpreter dies at exit. Moves are reported by the view and
    # the undo commands instead (``moved``), selection by the scene.

    def moved(self) -> None:
        """Keep the ties attached after the node was moved by a drag, an undo or a layout."""
        for tie in self.ties:
            tie.adjust()


class TieItem(QGraphicsPathItem):
    """A tie: colour and dash by relation, width by strength, an arrow when one-way."""

    def __init__(self, tie: Tie, source: NodeItem, target: NodeItem) -> None:
        super().__init__()
        self.tie, self.source, self.target = tie, source, target
        self.mark = ""
        self.highlight = False
        self.faded = False
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(1)
        self.restyle()
        self.adjust()

    @property
    def key(self) -> uuid.UUID:
        return self.tie.key

    def set_tie(self, tie: Tie) -> None:
        self.tie = tie
        self.restyle()
        self.adjust()

    def restyle(self) -> None:
        colour, dash = RELATION_STYLE.get(self.tie.relation, ("#444444", ()))
        width = STRENGTH_WIDTH.get(self.tie.strength, 1.6) * 1.4
        if self.mark == "removed":
            colour, dash = DIFF_REMOVED, (3.0, 3.0)
        elif self.mark == "added":
            colour, width = DIFF_ADDED, width + 2
        elif self.mark == "changed":
            colour, width = DIFF_CHANGED, width + 2
        if self.highlight:
            colour, width = HIGHLIGHT, width + 2
        pen = QPen(QColor(colour), width)
        if dash:
            pen.setDashPattern(list(dash))
        if self.isSelected():
            pen.setColor(QColor(SELECTED))
        self.setPen(pen)
        self.setOpacity(0.12 if self.faded else 1.0)
        self.setToolTip(
            f"{self.source.label} ― {self.target.label}\n"
            f"{self.tie.relation}・強さ {self.tie.strength}"
            + ("・一方向" if self.tie.directed else "")
            + (f"\n{self.tie.note}" if self.tie.note else "")
        )

    def adjust(self) -> None:
        start, end = self.source.pos(), self.target.pos()
        path = QPainterPath(start)
        path.lineTo(end)
        if self.tie.directed:
            tip = _edge_point(start, end)
            angle = math.atan2(end.y() - start.y(), end.x() - start.x())
            size = 12.0
            left = tip - QPointF(math.cos(angle - 0.4) * size, math.sin(angle - 0.4) * size)
            right = tip - QPointF(math.cos(angle + 0.4) * size, math.sin(angle + 0.4) * size)
            path.moveTo(left)
            path.lineTo(tip)
            path.lineTo(right)
        self.setPath(path)


def _edge_point(start: QPointF, end: QPointF) -> QPointF:
    """Where the line from ``start`` enters the target's box."""
    dx, dy = end.x() - start.x(), end.y() - start.y()
    if dx == 0 and dy == 0:
        return end
    scale = min(
        (NODE_WIDTH / 2) / abs(dx) if dx else math.inf,
        (NODE_HEIGHT / 2) / abs(dy) if dy else math.inf,
    )
    return QPointF(end.x() - dx * scale, end.y() - dy * scale)


class GroupArea(QGraphicsPathItem):
    """A group drawn as a pale coloured area behind its nodes, its name at the top left."""

    def __init__(self, name: str, colour: str) -> None:
        super().__init__()
        self.name = name
        base = QColor(colour)
        fill = QColor(base)
        fill.setAlphaF(GROUP_ALPHA)
        edge = QColor(base)
        edge.setAlphaF(0.5)
        self.setBrush(fill)
        self.setPen(QPen(edge, 1.2))
        self.setZValue(0)
        self.caption = QGraphicsSimpleTextItem(name, self)
        self.caption.setBrush(base.darker(150))

    def fit(self, members: list[NodeItem]) -> None:
        if not members:
            self.setPath(QPainterPath())
            self.caption.hide()
            return
        rect = QRectF()
        for item in members:
            rect = rect.united(item.sceneBoundingRect())
        rect = rect.adjusted(-14, -30, 14, 14)
        path = QPainterPath()
        path.addRoundedRect(rect, 14, 14)
        self.setPath(path)
        self.caption.show()
        self.caption.setPos(rect.left() + 10, rect.top() + 6)
