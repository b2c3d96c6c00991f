"""Every change to a map is an undo command (QUndoStack): add, delete, move, connect, edit,
lay out. Each holds plain data (Node / Tie) before and after, never the items themselves,
so undoing a delete brings back exactly what was there."""

from __future__ import annotations

import uuid

from PySide6.QtGui import QUndoCommand

from shienapp.core.network import Node, Tie
from shienapp.gui.network.scene import MapScene


class AddItems(QUndoCommand):
    def __init__(self, scene: MapScene, nodes: list[Node], ties: list[Tie], text: str) -> None:
        super().__init__(text)
        self.scene, self.nodes, self.ties = scene, nodes, ties

    def redo(self) -> None:
        for node in self.nodes:
            self.scene.put_node(node, refit=False)
        for tie in self.ties:
            self.scene.put_tie(tie)
        self.scene.refit_groups()

    def undo(self) -> None:
        for tie in self.ties:
            self.scene.drop_tie(tie.key)
        for node in self.nodes:
            self.scene.drop_node(node.key)


class RemoveItems(QUndoCommand):
    """Delete nodes (with every tie touching them) and ties."""

    def __init__(self, scene: MapScene, node_keys: list[uuid.UUID], tie_keys: list[uuid.UUID]):
        super().__init__("削除")
        self.scene = scene
        current = {n.key: n for n in scene.current_nodes()}
        self.nodes = [current[k] for k in node_keys if k in current]
        touching = {t.key: t for t in scene.ties_of(node_keys)}
        touching.update({k: scene.ties[k].tie for k in tie_keys if k in scene.ties})
        self.ties = list(touching.values())

    def redo(self) -> None:
        for tie in self.ties:
            self.scene.drop_tie(tie.key)
        for node in self.nodes:
            self.scene.drop_node(node.key)

    def undo(self) -> None:
        for node in self.nodes:
            self.scene.put_node(node, refit=False)
        for tie in self.ties:
            self.scene.put_tie(tie)
        self.scene.refit_groups()


Positions = dict[uuid.UUID, tuple[float, float]]


class MoveNodes(QUndoCommand):
    """Nodes dragged by hand or placed by a layout."""

    def __init__(self, scene: MapScene, before: Positions, after: Positions, text: str) -> None:
        super().__init__(text)
        self.scene, self.before, self.after = scene, before, after
        self._first = True

    def _apply(self, positions: Positions) -> None:
        for key, (x, y) in positions.items():
            item = self.scene.nodes.get(key)
            if item is not None:
                item.setPos(x, y)
                item.moved()
        self.scene.refit_groups()

    def redo(self) -> None:
        if self._first and self.text() == "移動":
            self._first = False  # the drag itself already moved them
            return
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class EditNodes(QUndoCommand):
    def __init__(self, scene: MapScene, before: list[Node], after: list[Node], text: str):
        super().__init__(text)
        self.scene, self.before, self.after = scene, before, after

    def redo(self) -> None:
        for node in self.after:
            self.scene.put_node(node, refit=False)
        self.scene.refit_groups()

    def undo(self) -> None:
        for node in self.before:
            self.scene.put_node(node, refit=False)
        self.scene.refit_groups()


class EditTies(QUndoCommand):
    def __init__(self, scene: MapScene, before: list[Tie], after: list[Tie], text: str):
        super().__init__(text)
        self.scene, self.before, self.after = scene, before, after

    def redo(self) -> None:
        for tie in self.after:
            self.scene.put_tie(tie)

    def undo(self) -> None:
        for tie in self.before:
            self.scene.put_tie(tie)


class ReplaceAll(QUndoCommand):
    """Put back a whole map (a draft left by a crash): undo returns to what was saved."""

    def __init__(self, scene: MapScene, nodes: list[Node], ties: list[Tie], text: str) -> None:
        super().__init__(text)
        self.scene = scene
        self.before = (scene.current_nodes(), scene.current_ties())
        self.after = (nodes, ties)

    def _show(self, nodes: list[Node], ties: list[Tie]) -> None:
        for key in list(self.scene.ties):
            self.scene.drop_tie(key)
        for key in list(self.scene.nodes):
            self.scene.drop_node(key)
        for node in nodes:
            self.scene.put_node(node, refit=False)
        for tie in ties:
            self.scene.put_tie(tie)
        self.scene.refit_groups()

    def redo(self) -> None:
        self._show(*self.after)

    def undo(self) -> None:
        self._show(*self.before)
