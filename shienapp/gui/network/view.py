"""The map's view: wheel to zoom, middle button or Space to pan, drag an empty spot to select
several, drag a node to move it, and Shift+drag (or the つなぐ mode) from one node to another
to connect them. Double-click a node to rename it in place."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QLineF, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsView, QLineEdit, QWidget

from shienapp.gui.network.items import NodeItem
from shienapp.gui.network.scene import MapScene

Positions = dict[uuid.UUID, tuple[float, float]]


class MapView(QGraphicsView):
    connect_requested = Signal(object, object)  # source key, target key
    moved = Signal(object, object)  # positions before, after
    rename_requested = Signal(object, str)  # key, new label
    zoomed = Signal(float)

    def __init__(self, scene: MapScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.map_scene = scene
        self.connect_mode = False
        self.read_only = False
        self._line: QGraphicsLineItem | None = None
        self._from: NodeItem | None = None
        self._before: Positions = {}
        self._space = False
        self._editor: QLineEdit | None = None
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setBackgroundBrush(QColor("#FCFCFA"))

    # --- zoom and pan ----------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(0.05, min(factor, 4.0))
        self.resetTransform()
        self.scale(factor, factor)
        self.zoomed.emit(factor)

    def zoom_by(self, step: float) -> None:
        self.set_zoom(self.zoom * step)

    def fit_all(self) -> None:
        rect = self.map_scene.content_rect()
        if rect.isValid() and not rect.isEmpty():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoomed.emit(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            return
        super().keyReleaseEvent(event)

    # --- connect, move ---------------------------------------------------------------------

    def _node_at(self, point: QPointF) -> NodeItem | None:
        for item in self.items(point.toPoint()):
            if isinstance(item, NodeItem) and item.mark != "removed":
                return item
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            fake = QMouseEvent(
                event.type(), event.position(), event.globalPosition(),
                Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton, event.modifiers(),
            )  # fmt: skip
            super().mousePressEvent(fake)
            return
        node = self._node_at(event.position())
        wants_tie = self.connect_mode or event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if node is not None and wants_tie and event.button() == Qt.MouseButton.LeftButton:
            if self.read_only:
                return
            self._from = node
            self._line = QGraphicsLineItem(QLineF(node.pos(), node.pos()))
            self._line.setPen(QPen(QColor("#1F4E9E"), 2, Qt.PenStyle.DashLine))
            self._line.setZValue(5)
            self.map_scene.addItem(self._line)
            return
        super().mousePressEvent(event)
        self._before = {i.key: (i.pos().x(), i.pos().y()) for i in self.map_scene.selected_nodes()}

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._line is not None and self._from is not None:
            self._line.setLine(
                QLineF(self._from.pos(), self.mapToScene(event.position().toPoint()))
            )
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            fake = QMouseEvent(
                event.type(), event.position(), event.globalPosition(),
                Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton, event.modifiers(),
            )  # fmt: skip
            super().mouseReleaseEvent(fake)
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            return
        if self._line is not None and self._from is not None:
            self.map_scene.removeItem(self._line)
            self._line = None
            target = self._node_at(event.position())
            source, self._from = self._from, None
            if target is not None and target is not source:
                self.connect_requested.emit(source.key, target.key)
            return
        super().mouseReleaseEvent(event)
        for key in self._before:
            item = self.map_scene.nodes.get(key)
            if item is not None:
                self.map_scene.set_position(item, item.pos().x(), item.pos().y())  # snaps
        after = {
            k: (self.map_scene.nodes[k].pos().x(), self.map_scene.nodes[k].pos().y())
            for k in self._before
            if k in self.map_scene.nodes
        }
        if any(after[k] != self._before[k] for k in after):
            self.moved.emit(dict(self._before), after)
        self._before = {}

    # --- rename in place -------------------------------------------------------------------

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        node = self._node_at(event.position())
        if node is None or self.read_only:
            super().mouseDoubleClickEvent(event)
            return
        self.edit_in_place(node)

    def edit_in_place(self, node: NodeItem) -> QLineEdit:
        """A text box over the node: Enter renames, Esc leaves it as it was."""
        self.close_editor()
        editor = QLineEdit(node.node.label, self.viewport())
        editor.setObjectName("inPlaceEditor")
        centre = self.mapFromScene(node.pos())
        width = max(160, int(node.RECT.width() * self.zoom) + 20)
        editor.setGeometry(centre.x() - width // 2, centre.y() - 14, width, 28)
        editor.selectAll()
        key = node.key

        def commit() -> None:
            text = editor.text().strip()
            self.close_editor()
            if text and text != node.node.label:
                self.rename_requested.emit(key, text)

        editor.returnPressed.connect(commit)
        editor.installEventFilter(self)
        editor.show()
        editor.setFocus()
        self._editor = editor
        return editor

    def close_editor(self) -> None:
        if self._editor is not None:
            editor, self._editor = self._editor, None
            editor.hide()
            editor.deleteLater()
            self.setFocus()

    def eventFilter(self, watched: object, event: object) -> bool:
        from PySide6.QtCore import QEvent

        if (
            watched is self._editor
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
        ):
            self.close_editor()
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]
