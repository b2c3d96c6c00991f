"""The map editor: the scene and view, the toolbar, filters and saved views, the side panel.

The editor keeps the map in the scene while it is edited; every change goes through the undo
stack; 保存 writes the whole working copy in one transaction and is refused, with the edits
kept on screen, when someone else saved the map meanwhile. A frozen version opens read-only.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shienapp import config
from shienapp.core.changes import Changes
from shienapp.core.drafts import DraftStore
from shienapp.core.errors import UserError
from shienapp.core.network import (
    NODE_DOMAINS,
    NODE_KINDS,
    RELATIONS,
    MapDocument,
    NetworkService,
    Node,
    Tie,
)
from shienapp.core.network_analysis import analyse, diff
from shienapp.core.network_layout import LAYOUTS, layout
from shienapp.core.text import fold
from shienapp.gui.errors import show_error
from shienapp.gui.network.commands import (
    AddItems,
    EditNodes,
    EditTies,
    MoveNodes,
    RemoveItems,
    ReplaceAll,
)
from shienapp.gui.network.items import NodeItem, TieItem
from shienapp.gui.network.legend import LegendWidget
from shienapp.gui.network.panel import AnalysisPanel, DetailsPanel
from shienapp.gui.network.scene import MapScene
from shienapp.gui.network.view import MapView

ALL = "すべて"


def _filter_combo(label: str, values: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.addItem(f"{label}: {ALL}", None)
    for value in values:
        combo.addItem(f"{label}: {value}", value)
    return combo


class MapEditor(QWidget):
    saved = Signal(object)  # Changes
    followup_requested = Signal(object, str)  # key of a node or tie, what it is about

    def __init__(
        self,
        service: NetworkService,
        parent: QWidget | None = None,
        may_edit: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__(parent)
        self.service = service
        # False for a 閲覧 account: the map is shown as a saved version is, read only.
        self.may_edit = may_edit
        self.doc: MapDocument | None = None  # the version as loaded
        self.compare: MapDocument | None = None
        self.focus_key: uuid.UUID | None = None
        self.focus_steps = 1
        self.followups: list[tuple[str, uuid.UUID | None]] = []  # (text, node key) for the panel
        self.undo = QUndoStack(self)
        self.scene = MapScene(self)
        self.view = MapView(self.scene)
        self.details = DetailsPanel()
        self.analysis = AnalysisPanel()
        self.legend = LegendWidget()
        self.drafts = DraftStore(config.data_dir() / "drafts" / "maps")
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(1500)
        self._draft_timer.timeout.connect(self._write_draft)
        self._analysis_timer = QTimer(self)
        self._analysis_timer.setSingleShot(True)
        self._analysis_timer.setInterval(300)
        self._build()
        self._connect()
        self._set_enabled(False)

    # --- layout of the widget --------------------------------------------------------------

    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build(self) -> None:
        self.title = QLabel("地図を選んでください")
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.version = QComboBox()
        self.version.setToolTip("作業中の版を編集します。保存した版は読むだけです")
        self.compare_box = QComboBox()
        self.compare_box.setToolTip("前の版と比べると、追加・変更・削除が色で示されます")
        self.status = QLabel()
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(QLabel("版"))
        head.addWidget(self.version)
        head.addWidget(QLabel("比べる版"))
        head.addWidget(self.compare_box)

        tools = QToolBar()
        self.add_action = self._action(
            "点を追加", self.add_node, "Insert", "新しい点を地図の中央に置きます"
        )
        self.connect_action = self._action(
            "つなぐ",
            self._toggle_connect,
            "C",
            "点から点へドラッグしてつなぎます（Shift+ドラッグでも）",
        )
        self.connect_action.setCheckable(True)
        self.delete_action = self._action(
            "削除", self.delete_selected, QKeySequence.StandardKey.Delete
        )
        self.undo_action = self.undo.createUndoAction(self, "元に戻す")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo.createRedoAction(self, "やり直し")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.layout_button = QToolButton()
        self.layout_button.setText("自動配置")
        self.layout_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.layout_menu = QMenu(self.layout_button)
        for method, label in LAYOUTS.items():
            self.layout_menu.addAction(label, lambda m=method: self.apply_layout(m))
        self.layout_button.setMenu(self.layout_menu)
        self.snap_action = self._action(
            "グリッドに合わせる", self._toggle_snap, tip="点を 20 単位の格子に合わせます"
        )
        self.snap_action.setCheckable(True)
        self.fit_action = self._action("全体を表示", self.view.fit_all, "Ctrl+0")
        self.zoom_in = self._action(
            "拡大", lambda: self.view.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn
        )
        self.zoom_out = self._action(
            "縮小", lambda: self.view.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut
        )
        self.save_action = self._action("保存", self.save, QKeySequence.StandardKey.Save)
        self.freeze_action = self._action(
            "版として保存…", self.freeze, tip="今の地図を日付とメモ付きの版として残します"
        )
        for item in (
            self.add_action, self.connect_action, self.delete_action, None, self.undo_action,
            self.redo_action, None, self.layout_button, self.snap_action, self.fit_action,
            self.zoom_in, self.zoom_out, None, self.save_action, self.freeze_action,
        ):  # fmt: skip
            if item is None:
                tools.addSeparator()
            elif isinstance(item, QAction):
                tools.addAction(item)
            else:
                tools.addWidget(item)

        self.search = QLineEdit()
        self.search.setPlaceholderText("点を探す（Enter で中央に）")
        self.search.setClearButtonEnabled(True)
        self.domain_filter = _filter_combo("分野", NODE_DOMAINS)
        self.kind_filter = _filter_combo("種類", NODE_KINDS)
        self.relation_filter = _filter_combo("関係", RELATIONS)
        self.views = QComboBox()
        self.views.setToolTip("保存した表示（絞り込み・注目・拡大）に切り替えます")
        self.focus_label = QLabel()
        self.focus_button = QToolButton()
        self.focus_button.setText("選んだ点に注目")
        self.expand_button = QToolButton()
        self.expand_button.setText("一歩広げる")
        self.clear_focus = QToolButton()
        self.clear_focus.setText("注目をやめる")
        self.save_view_button = QToolButton()
        self.save_view_button.setText("表示を保存…")
        filters = QHBoxLayout()
        for widget in (
            self.search, self.domain_filter, self.kind_filter, self.relation_filter,
            self.focus_button, self.expand_button, self.clear_focus, QLabel("表示"), self.views,
            self.save_view_button,
        ):  # fmt: skip
            filters.addWidget(widget)

        side = QTabWidget()
        side.addTab(self.details, "詳細")
        side.addTab(self.analysis, "分析")
        scroll = QScrollArea()
        scroll.setWidget(self.legend)
        scroll.setWidgetResizable(True)
        side.addTab(scroll, "凡例")
        self.side = side
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 300])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(tools)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

    def _connect(self) -> None:
        self.scene.selectionChanged.connect(self._selection_changed)
        self.view.connect_requested.connect(self.connect_nodes)
        self.view.moved.connect(
            lambda before, after: self.undo.push(MoveNodes(self.scene, before, after, "移動"))
        )
        self.view.rename_requested.connect(self.rename_node)
        self.details.node_edited.connect(self.edit_node)
        self.details.tie_edited.connect(self.edit_tie)
        self.details.followup_requested.connect(self.followup_requested.emit)
        self.analysis.node_chosen.connect(self.centre_on)
        self.analysis.mark.toggled.connect(lambda _on: self._refresh_analysis())
        self.undo.indexChanged.connect(lambda _i: self._changed())
        self.undo.cleanChanged.connect(lambda _c: self._show_status())
        self._analysis_timer.timeout.connect(self._refresh_analysis)
        self.version.activated.connect(lambda _i: self._version_chosen())
        self.compare_box.activated.connect(lambda _i: self._compare_chosen())
        self.search.returnPressed.connect(self.find)
        for combo in (self.domain_filter, self.kind_filter, self.relation_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.focus_button.clicked.connect(self.focus_selected)
        self.expand_button.clicked.connect(self.expand_focus)
        self.clear_focus.clicked.connect(lambda: self.set_focus(None))
        self.views.activated.connect(lambda _i: self.apply_view(self.views.currentData()))
        self.save_view_button.clicked.connect(self.save_view)

    def _set_enabled(self, on: bool) -> None:
        editable = on and self.may_edit() and self.doc is not None and self.doc.number == 0
        for action in (
            self.add_action, self.connect_action, self.delete_action, self.save_action,
            self.snap_action,
        ):  # fmt: skip
            action.setEnabled(editable)
        self.layout_button.setEnabled(editable)
        self.freeze_action.setEnabled(editable)
        self.details.setEnabled(editable)
        self.view.read_only = not editable
        for item in self.scene.nodes.values():
            item.setFlag(NodeItem.GraphicsItemFlag.ItemIsMovable, editable)

    # --- loading ---------------------------------------------------------------------------

    @property
    def map_id(self) -> uuid.UUID | None:
        return self.doc.map_id if self.doc else None

    @property
    def is_dirty(self) -> bool:
        from shiboken6 import isValid

        # The stack goes before the editor when the window closes, and still signals.
        return isValid(self.undo) and not self.undo.isClean()

    def open_map(self, map_id: uuid.UUID, number: int = 0, *, offer_draft: bool = True) -> None:
        self.doc = self.service.document(map_id, number)
        self.compare = None
        self.focus_key = None
        self.undo.clear()
        self.scene.load(self.doc)
        self.details.set_links(self.service.linkable())
        self.details.show_nothing()
        self.title.setText(f"{self.doc.title}（{self.doc.scope}）")
        self._fill_versions()
        self._fill_views()
        self._set_enabled(True)
        self.apply_filter()
        self.view.fit_all()
        self._refresh_analysis()
        self._show_status()
        if offer_draft and number == 0:
            self._offer_draft()

    # --- drafts: edits survive a crash -----------------------------------------------------

    def _draft_key(self) -> str:
        return f"map-{self.doc.map_id}" if self.doc else ""

    def _write_draft(self) -> None:
        if self.doc is None or self.doc.number != 0 or not self.is_dirty:
            return
        payload = {
            "map_id": str(self.doc.map_id),
            "map_version": self.doc.map_version,
            "nodes": [_node_dict(n) for n in self.scene.current_nodes()],
            "ties": [_tie_dict(t) for t in self.scene.current_ties()],
        }
        self.drafts.save(self._draft_key(), self.doc.title, payload)

    def flush_draft(self) -> None:
        """Write the draft now rather than in a moment (the window is closing)."""
        self._draft_timer.stop()
        self._write_draft()

    def _drop_draft(self) -> None:
        if self.doc is not None:
            self.drafts.discard(self._draft_key())

    def _offer_draft(self) -> None:
        draft = self.drafts.load(self._draft_key())
        if draft is None:
            return
        answer = QMessageBox.question(
            self,
            "保存していない地図の変更",
            f"地図「{draft.title}」に保存していない変更が残っています"
            f"（{draft.saved_at:%Y-%m-%d %H:%M} 自動保存）。\n\n"
            "元に戻しますか？「いいえ」を選ぶと変更は残したまま、保存された地図を開きます。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_draft()

    def restore_draft(self) -> bool:
        draft = self.drafts.load(self._draft_key())
        if draft is None:
            return False
        try:
            nodes = [_node_from(d) for d in draft.payload["nodes"]]
            ties = [_tie_from(d) for d in draft.payload["ties"]]
        except (KeyError, TypeError, ValueError):
            self.status.setText("自動保存した変更を読めませんでした（ファイルは残してあります）。")
            return False
        self.undo.push(ReplaceAll(self.scene, nodes, ties, "自動保存から復元"))
        return True

    def close_map(self) -> None:
        self.doc = None
        self.undo.clear()
        self.scene.load(MapDocument(uuid.uuid4(), 0, "", "", 0, None, "", (), ()))
        self.title.setText("地図を選んでください")
        self.version.clear()
        self.compare_box.clear()
        self._set_enabled(False)

    def _fill_versions(self) -> None:
        assert self.doc is not None
        versions = self.service.list_versions(self.doc.map_id)
        self.version.clear()
        self.compare_box.clear()
        self.compare_box.addItem("比べない", None)
        for v in versions:
            when = f" {v.saved_on:%Y/%m/%d}" if v.saved_on else ""
            self.version.addItem(f"{v.label}{when} {v.note}".strip(), v.number)
            if v.number != self.doc.number and v.number != 0:
                self.compare_box.addItem(f"{v.label}{when}", v.number)
        self.version.setCurrentIndex(self.version.findData(self.doc.number))

    def _version_chosen(self) -> None:
        number = self.version.currentData()
        if self.doc is None or number is None or number == self.doc.number:
            return
        if not self.confirm_discard():
            self.version.setCurrentIndex(self.version.findData(self.doc.number))
            return
        self.open_map(self.doc.map_id, number)

    def confirm_discard(self) -> bool:
        """True when there is nothing unsaved, or the user chose to save or to drop it."""
        if not self.is_dirty:
            return True
        answer = QMessageBox.question(
            self,
            "保存していない変更",
            "地図に保存していない変更があります。保存しますか？",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self._drop_draft()
            self.undo.clear()
            return True
        return False

    # --- what the map is now ---------------------------------------------------------------

    def current(self) -> MapDocument:
        """The map as it stands on screen (with unsaved edits), as plain data."""
        assert self.doc is not None
        return replace(
            self.doc,
            nodes=tuple(self.scene.current_nodes()),
            ties=tuple(self.scene.current_ties()),
            _by_key={},
        )

    def _changed(self) -> None:
        from shiboken6 import isValid

        if not isValid(self.status):
            return
        self._show_status()
        self._analysis_timer.start()
        if self.is_dirty:
            self._draft_timer.start()
        self.apply_filter()

    def _show_status(self) -> None:
        from shiboken6 import isValid

        if not isValid(self.status):
            return
        if self.doc is None:
            self.status.setText("")
            return
        state = "未保存の変更あり" if self.is_dirty else "保存済み"
        if self.doc.number:
            state = "保存した版（読むだけ。編集は作業中の版で）"
        counts = f"点 {len(self.scene.nodes)}・線 {len(self.scene.ties)}"
        self.status.setText(f"{counts}　{self.doc.version_label}　{state}")

    def _refresh_analysis(self) -> None:
        if self.doc is None:
            return
        now = self.current()
        result = analyse(now)
        change = diff(self.compare, now) if self.compare is not None else None
        self.analysis.show_result(now, result, change, self.compare, self.followups)
        self.scene.show_analysis(result if self.analysis.mark.isChecked() else None)
        self.scene.show_diff(change, self.compare)

    def _compare_chosen(self) -> None:
        number = self.compare_box.currentData()
        self.compare = (
            self.service.document(self.doc.map_id, number) if number and self.doc else None
        )
        self._refresh_analysis()

    # --- editing ---------------------------------------------------------------------------

    def _centre(self) -> QPointF:
        return self.view.mapToScene(self.view.viewport().rect().center())

    def add_node(self, label: str = "新しい点") -> Node:
        centre = self._centre()
        offset = 30 * (len(self.scene.nodes) % 5)
        node = Node(uuid.uuid4(), label, x=round(centre.x() + offset), y=round(centre.y() + offset))
        self.undo.push(AddItems(self.scene, [node], [], "点を追加"))
        item = self.scene.nodes[node.key]
        self.scene.clearSelection()
        item.setSelected(True)
        self.view.edit_in_place(item)
        return node

    def connect_nodes(self, source: uuid.UUID, target: uuid.UUID, relation: str = "連携") -> None:
        if self.view.read_only or source == target:
            return
        existing = [
            t
            for t in self.scene.current_ties()
            if {t.source, t.target} == {source, target} and t.relation == relation
        ]
        if existing:
            self.status.setText("この二つの点は、同じ関係ですでにつながっています。")
            return
        tie = Tie(uuid.uuid4(), source, target, relation)
        self.undo.push(AddItems(self.scene, [], [tie], "つなぐ"))
        self.scene.clearSelection()
        self.scene.ties[tie.key].setSelected(True)

    def delete_selected(self) -> None:
        nodes = [i.key for i in self.scene.selected_nodes()]
        ties = [i.key for i in self.scene.selected_ties()]
        if nodes or ties:
            self.undo.push(RemoveItems(self.scene, nodes, ties))

    def rename_node(self, key: uuid.UUID, label: str) -> None:
        before = next(n for n in self.scene.current_nodes() if n.key == key)
        self.edit_node(replace(before, label=label[:200]))

    def edit_node(self, node: Node) -> None:
        before = next((n for n in self.scene.current_nodes() if n.key == node.key), None)
        if before is None or not node.label.strip():
            return
        after = replace(node, x=before.x, y=before.y)
        self.undo.push(EditNodes(self.scene, [before], [after], "点の編集"))
        self._selection_changed()

    def edit_tie(self, tie: Tie) -> None:
        item = self.scene.ties.get(tie.key)
        if item is not None:
            self.undo.push(EditTies(self.scene, [item.tie], [tie], "線の編集"))

    def apply_layout(self, method: str) -> None:
        before = {k: (i.pos().x(), i.pos().y()) for k, i in self.scene.nodes.items()}
        after = layout(self.scene.current_nodes(), self.scene.current_ties(), method)
        self.undo.push(MoveNodes(self.scene, before, after, f"自動配置（{LAYOUTS[method]}）"))
        self.view.fit_all()

    def _toggle_connect(self) -> None:
        self.view.connect_mode = self.connect_action.isChecked()
        self.view.setCursor(
            Qt.CursorShape.CrossCursor if self.view.connect_mode else Qt.CursorShape.ArrowCursor
        )

    def _toggle_snap(self) -> None:
        self.scene.snap = self.snap_action.isChecked()

    def _selection_changed(self) -> None:
        nodes, ties = self.scene.selected_nodes(), self.scene.selected_ties()
        if len(nodes) == 1 and not ties:
            node = next(n for n in self.scene.current_nodes() if n.key == nodes[0].key)
            self.details.show_node(node, sorted(self.scene.groups))
        elif len(ties) == 1 and not nodes:
            tie = ties[0]
            self.details.show_tie(tie.tie, f"{tie.source.label} ― {tie.target.label}")
        else:
            self.details.show_nothing()

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> bool:
        if self.doc is None or self.doc.number != 0:
            return False
        try:
            version, changes = self.service.save_working(
                self.doc.map_id,
                self.doc.map_version,
                self.scene.current_nodes(),
                self.scene.current_ties(),
            )
        except UserError as exc:
            show_error(self, exc, "保存できませんでした")  # the edits stay on screen
            return False
        self.doc = replace(self.current(), map_version=version, _by_key={})
        self.undo.setClean()
        self._drop_draft()
        self._show_status()
        self.saved.emit(changes)
        return True

    def freeze(self) -> None:
        from shienapp.gui.network.files import ask_version_note

        if self.doc is None:
            return
        answer = ask_version_note(self)
        if answer is None:
            return
        if self.is_dirty and not self.save():
            return
        try:
            number, changes = self.service.freeze(self.doc.map_id, *answer)
        except UserError as exc:
            show_error(self, exc)
            return
        self._fill_versions()
        self.status.setText(f"第{number}版として保存しました。")
        self.saved.emit(changes)

    # --- finding, filtering, views ---------------------------------------------------------

    def find(self) -> None:
        query = fold(self.search.text())
        if not query:
            return
        for item in sorted(self.scene.nodes.values(), key=lambda i: i.label):
            if query in fold(item.label) or query in fold(item.node.group):
                self.centre_on(item.key)
                return
        self.status.setText(f"「{self.search.text()}」を含む点はありません。")

    def centre_on(self, key: uuid.UUID) -> None:
        item = self.scene.nodes.get(key)
        if item is None:
            return
        self.scene.clearSelection()
        item.setSelected(True)
        self.view.centerOn(item)

    def set_focus(self, key: uuid.UUID | None, steps: int = 1) -> None:
        self.focus_key, self.focus_steps = key, steps
        self.apply_filter()

    def focus_selected(self) -> None:
        nodes = self.scene.selected_nodes()
        if nodes:
            self.set_focus(nodes[0].key, 1)

    def expand_focus(self) -> None:
        if self.focus_key is not None:
            self.set_focus(self.focus_key, self.focus_steps + 1)

    def _within(self, key: uuid.UUID, steps: int) -> set[uuid.UUID]:
        neighbours: dict[uuid.UUID, set[uuid.UUID]] = {}
        for tie in self.scene.current_ties():
            neighbours.setdefault(tie.source, set()).add(tie.target)
            neighbours.setdefault(tie.target, set()).add(tie.source)
        seen = {key}
        queue = deque([(key, 0)])
        while queue:
            current, depth = queue.popleft()
            if depth == steps:
                continue
            for other in neighbours.get(current, ()):
                if other not in seen:
                    seen.add(other)
                    queue.append((other, depth + 1))
        return seen

    def apply_filter(self) -> None:
        domain = self.domain_filter.currentData()
        kind = self.kind_filter.currentData()
        relation = self.relation_filter.currentData()
        visible: set[uuid.UUID] | None = None
        if domain or kind:
            visible = {
                k for k, i in self.scene.nodes.items()
                if (not domain or i.node.domain == domain) and (not kind or i.node.kind == kind)
            }  # fmt: skip
        if self.focus_key is not None and self.focus_key in self.scene.nodes:
            near = self._within(self.focus_key, self.focus_steps)
            visible = near if visible is None else visible & near
            self.focus_label.setText(
                f"注目: {self.scene.nodes[self.focus_key].label}（{self.focus_steps} 歩）"
            )
        ties = (
            {k for k, t in self.scene.ties.items() if t.tie.relation == relation}
            if relation
            else None
        )
        self.scene.show_filter(visible, ties)

    def view_settings(self) -> dict[str, Any]:
        centre = self._centre()
        return {
            "domain": self.domain_filter.currentData(),
            "kind": self.kind_filter.currentData(),
            "relation": self.relation_filter.currentData(),
            "focus": str(self.focus_key) if self.focus_key else None,
            "steps": self.focus_steps,
            "zoom": round(self.view.zoom, 4),
            "centre": [round(centre.x(), 1), round(centre.y(), 1)],
        }

    def apply_view(self, settings: dict[str, Any] | None) -> None:
        if not settings:
            return
        for combo, name in (
            (self.domain_filter, "domain"),
            (self.kind_filter, "kind"),
            (self.relation_filter, "relation"),
        ):
            index = combo.findData(settings.get(name))
            combo.setCurrentIndex(max(index, 0))
        focus = settings.get("focus")
        self.focus_key = uuid.UUID(focus) if focus else None
        self.focus_steps = int(settings.get("steps") or 1)
        self.apply_filter()
        if settings.get("zoom"):
            self.view.set_zoom(float(settings["zoom"]))
        if settings.get("centre"):
            x, y = settings["centre"]
            self.view.centerOn(QPointF(x, y))

    def _fill_views(self) -> None:
        self.views.clear()
        self.views.addItem("（保存した表示）", None)
        if self.doc is None:
            return
        for view in self.service.list_views(self.doc.map_id):
            self.views.addItem(view.name, view.settings)

    def save_view(self, name: str | None = None) -> None:
        if self.doc is None:
            return
        if name is None:
            name, ok = QInputDialog.getText(
                self, "表示を保存", "表示の名前（例: 1. 行政と専門機関）"
            )
            if not ok:
                return
        try:
            changes: Changes = self.service.save_view(self.doc.map_id, name, self.view_settings())
        except UserError as exc:
            show_error(self, exc)
            return
        self._fill_views()
        self.views.setCurrentIndex(self.views.findText(" ".join(name.split())))
        self.saved.emit(changes)

    def set_followups(self, rows: list[tuple[str, uuid.UUID | None]]) -> None:
        self.followups = rows
        self._refresh_analysis()

    def selected_item(self) -> NodeItem | TieItem | None:
        items = self.scene.selectedItems()
        return items[0] if len(items) == 1 else None  # type: ignore[return-value]


def _node_dict(n: Node) -> dict[str, Any]:
    return {
        "key": str(n.key), "label": n.label, "kind": n.kind, "domain": n.domain,
        "group": n.group, "x": n.x, "y": n.y, "pinned": n.pinned, "link_kind": n.link_kind,
        "link_id": str(n.link_id) if n.link_id else None, "public_label": n.public_label,
        "note": n.note,
    }  # fmt: skip


def _node_from(d: dict[str, Any]) -> Node:
    return Node(
        uuid.UUID(d["key"]), str(d["label"]), d["kind"], d["domain"], d["group"],
        float(d["x"]), float(d["y"]), bool(d["pinned"]), d["link_kind"],
        uuid.UUID(d["link_id"]) if d.get("link_id") else None, d["public_label"], d["note"],
    )  # fmt: skip


def _tie_dict(t: Tie) -> dict[str, Any]:
    return {
        "key": str(t.key), "source": str(t.source), "target": str(t.target),
        "relation": t.relation, "strength": t.strength, "directed": t.directed, "note": t.note,
    }  # fmt: skip


def _tie_from(d: dict[str, Any]) -> Tie:
    return Tie(
        uuid.UUID(d["key"]), uuid.UUID(d["source"]), uuid.UUID(d["target"]), d["relation"],
        int(d["strength"]), bool(d["directed"]), d["note"],
    )  # fmt: skip
