"""The legend beside the map: the same shapes, fills and lines as the print's."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from shienapp.core.network import NODE_DOMAINS, NODE_KINDS, RELATIONS
from shienapp.core.network_style import DOMAIN_FILL, KIND_SHAPE, RELATION_STYLE, STRENGTH_WIDTH
from shienapp.gui.network.items import shape_path

ROW = 20


class LegendWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(180)

    def _rows(self) -> int:
        return 5 + len(NODE_KINDS) + len(NODE_DOMAINS) + len(RELATIONS) + 3

    def sizeHint(self) -> QSize:
        return QSize(200, self._rows() * ROW + 10)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        y = 6.0

        def heading(text: str) -> None:
            nonlocal y
            p.setPen(QColor("#555555"))
            p.drawText(QPointF(6, y + 14), text)
            y += ROW

        def text(label: str) -> None:
            nonlocal y
            p.setPen(QColor("#222222"))
            p.drawText(QPointF(56, y + 14), label)
            y += ROW

        heading("種類（形）")
        for kind in NODE_KINDS:
            p.setPen(QPen(QColor("#333333"), 1))
            p.setBrush(QColor("#FFFFFF"))
            p.drawPath(shape_path(KIND_SHAPE[kind], QRectF(12, y + 4, 36, 13)))
            text(kind)
        heading("分野（塗り）")
        for domain in NODE_DOMAINS:
            p.setPen(QPen(QColor("#333333"), 1))
            p.setBrush(QColor(DOMAIN_FILL[domain]))
            p.drawRect(QRectF(12, y + 4, 36, 13))
            text(domain)
        heading("関係（線の色と形）")
        for relation in RELATIONS:
            colour, dash = RELATION_STYLE[relation]
            pen = QPen(QColor(colour), 2)
            if dash:
                pen.setDashPattern(list(dash))
            p.setPen(pen)
            p.drawLine(QPointF(10, y + 11), QPointF(50, y + 11))
            text(relation)
        heading("強さ（線の太さ）")
        for strength, label in ((1, "弱い"), (3, "強い")):
            p.setPen(QPen(QColor("#333333"), STRENGTH_WIDTH[strength] * 1.4, Qt.PenStyle.SolidLine))
            p.drawLine(QPointF(10, y + 11), QPointF(50, y + 11))
            text(f"{strength}: {label}")
        p.end()
