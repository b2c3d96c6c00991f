"""The map as a QGraphicsScene: nodes, ties and group areas, and the marks laid over them
(a filter that fades, the analysis, the changes since an older version)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace

from PySide6.QtCore import QObject, QRectF, Signal
from PySide6.QtWidgets import QGraphicsScene

from shienapp.core.network import MapDocument, Node, Tie
from shienapp.core.network_analysis import Analysis, MapDiff
from shienapp.core.network_style import group_colours
from shienapp.gui.network.items import GRID, GroupArea, NodeItem, TieItem


class _Signals(QObject):
    moved = Signal()


class MapScene(QGraphicsScene):
    """Holds one map's items. Changes come through the editor's undo commands, which call
    the ``put_*`` and ``drop_*`` methods here."""

    def __init__(self, parent: QObject | None = None, *, resident_safe: bool = False) -> None:
        super().__init__(parent)
        self.resident_safe = resident_safe
        self.snap = False
        self.nodes: dict[uuid.UUID, NodeItem] = {}
        self.ties: dict[uuid.UUID, TieItem] = {}
        self.groups: dict[str, GroupArea] = {}
        self.ghosts: list[NodeItem | TieItem] = []
        self.events = _Signals()
        self._refit_pending = False
        self._selected: set[object] = set()
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.selectionChanged.connect(self._restyle_selection)

    def _restyle_selection(self) -> None:
        """Items draw themselves selected or not; only those whose state changed repaint."""
        now = set(self.selectedItems())
        for item in now ^ self._selected:
            if isinstance(item, TieItem):
                item.restyle()
            else:
                item.update()  # type: ignore[attr-defined]
        self._selected = now

    def set_position(self, item: NodeItem, x: float, y: float) -> None:
        if self.snap:
            x, y = round(x / GRID) * GRID, round(y / GRID) * GRID
        item.setPos(x, y)
        item.moved()

    # --- building --------------------------------------------------------------------------

    def load(self, doc: MapDocument) -> None:
        self._selected = set()
        self.clear()
        self.nodes, self.ties, self.groups, self.ghosts = {}, {}, {}, []
        for node in doc.nodes:
            self.put_node(node, refit=False)
        for tie in doc.ties:
            self.put_tie(tie)
        self.refit_groups()

    def label_of(self, node: Node) -> str:
        return node.resident_label() if self.resident_safe else node.label

    def put_node(self, node: Node, *, refit: bool = True) -> NodeItem:
        item = self.nodes.get(node.key)
        if item is None:
            item = NodeItem(node, self.label_of(node))
            self.nodes[node.key] = item
            self.addItem(item)
        else:
            item.set_node(node, self.label_of(node))
            if item.pos().x() != node.x or item.pos().y() != node.y:
                item.setPos(node.x, node.y)
                item.moved()
        if refit:
            self.refit_groups()
        return item

    def drop_node(self, key: uuid.UUID) -> None:
        item = self.nodes.pop(key, None)
        if item is not None:
            self.removeItem(item)
            self.refit_groups()

    def put_tie(self, tie: Tie) -> TieItem | None:
        source, target = self.nodes.get(tie.source), self.nodes.get(tie.target)
        if source is None or target is None:
            return None
        item = self.ties.get(tie.key)
        if item is None:
            item = TieItem(tie, source, target)
            self.ties[tie.key] = item
            source.ties.append(item)
            target.ties.append(item)
            self.addItem(item)
        else:
            item.set_tie(tie)
        return item

    def drop_tie(self, key: uuid.UUID) -> None:
        item = self.ties.pop(key, None)
        if item is not None:
            for end in (item.source, item.target):
                if item in end.ties:
                    end.ties.remove(item)
            self.removeItem(item)

    # --- reading back ----------------------------------------------------------------------

    def current_nodes(self) -> list[Node]:
        """The nodes as they stand, with the positions they were dragged to."""
        return [
            replace(item.node, x=round(item.pos().x(), 1), y=round(item.pos().y(), 1))
            for item in self.nodes.values()
        ]

    def current_ties(self) -> list[Tie]:
        return [item.tie for item in self.ties.values()]

    def ties_of(self, keys: Iterable[uuid.UUID]) -> list[Tie]:
        wanted = set(keys)
        return [
            t.tie for t in self.ties.values() if t.tie.source in wanted or t.tie.target in wanted
        ]

    def selected_nodes(self) -> list[NodeItem]:
        return [i for i in self.selectedItems() if isinstance(i, NodeItem) and i.mark != "removed"]

    def selected_ties(self) -> list[TieItem]:
        return [i for i in self.selectedItems() if isinstance(i, TieItem) and i.mark != "removed"]

    # --- groups ----------------------------------------------------------------------------

    def node_moved(self, item: NodeItem) -> None:
        item.moved()
        if not self._refit_pending:
            self._refit_pending = True
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.refit_groups)
        self.events.moved.emit()

    def refit_groups(self) -> None:
        self._refit_pending = False
        colours = group_colours([i.node.group for i in self.nodes.values()])
        for name in list(self.groups):
            if name not in colours:
                self.removeItem(self.groups.pop(name))
        for name, colour in colours.items():
            area = self.groups.get(name)
            if area is None:
                area = GroupArea(name, colour)
                self.groups[name] = area
                self.addItem(area)
            area.fit([i for i in self.nodes.values() if i.node.group == name])

    # --- marks -----------------------------------------------------------------------------

    def show_filter(
        self, visible: set[uuid.UUID] | None, tie_visible: set[uuid.UUID] | None
    ) -> None:
        """Fade what is filtered out (None shows everything)."""
        for key, item in self.nodes.items():
            item.faded = visible is not None and key not in visible
            item.update()
        for key, tie in self.ties.items():
            hidden = tie_visible is not None and key not in tie_visible
            tie.faded = hidden or tie.source.faded or tie.target.faded
            tie.restyle()

    def show_analysis(self, result: Analysis | None) -> None:
        cut = set(result.cut_vertices) if result else set()
        alone = set(result.isolated) if result else set()
        bridges = set(result.bridges) if result else set()
        for key, item in self.nodes.items():
            item.highlight = key in cut
            item.alone = key in alone
            item.update()
        for key, tie in self.ties.items():
            tie.highlight = key in bridges
            tie.restyle()

    def show_diff(self, change: MapDiff | None, old: MapDocument | None) -> None:
        """Colour what was added or changed since ``old``; draw what was removed as ghosts."""
        for ghost in self.ghosts:
            self.removeItem(ghost)
        self.ghosts = []
        added = set(change.added_nodes) if change else set()
        changed = set(change.changed_nodes) if change else set()
        for key, item in self.nodes.items():
            item.mark = "added" if key in added else "changed" if key in changed else ""
            item.update()
        added_ties = set(change.added_ties) if change else set()
        changed_ties = set(change.changed_ties) if change else set()
        for key, tie in self.ties.items():
            tie.mark = "added" if key in added_ties else "changed" if key in changed_ties else ""
            tie.restyle()
        if change is None or old is None:
            return
        ghosts: dict[uuid.UUID, NodeItem] = {}
        for key in change.removed_nodes:
            node = old.node(key)
            ghost = NodeItem(node, f"（削除）{self.label_of(node)}")
            ghost.mark = "removed"
            ghost.setFlags(ghost.flags() & ~NodeItem.GraphicsItemFlag.ItemIsMovable)
            ghosts[key] = ghost
            self.addItem(ghost)
            self.ghosts.append(ghost)
        old_ties = {t.key: t for t in old.ties}
        for key in change.removed_ties:
            tie = old_ties[key]
            source = self.nodes.get(tie.source) or ghosts.get(tie.source)
            target = self.nodes.get(tie.target) or ghosts.get(tie.target)
            if source is None or target is None:
                continue
            item = TieItem(tie, source, target)
            item.mark = "removed"
            item.restyle()
            self.addItem(item)
            self.ghosts.append(item)

    def content_rect(self) -> QRectF:
        rect = QRectF()
        for item in list(self.nodes.values()) + [g for g in self.ghosts if isinstance(g, NodeItem)]:
            rect = rect.united(item.sceneBoundingRect())
        return rect.adjusted(-60, -60, 60, 60)
