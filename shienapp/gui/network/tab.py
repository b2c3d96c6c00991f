"""The ネットワーク形成図 tab: the list of maps on the left, the editor on the right."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.errors import UserError
from shienapp.core.permissions import Action
from shienapp.gui import permits
from shienapp.gui.errors import show_error
from shienapp.gui.lazy import LoadWhenShown
from shienapp.gui.network.editor import MapEditor
from shienapp.gui.network.files import PrintDialog, add_ok_cancel, export_map, print_map
from shienapp.gui.signals import AppSignals


class MapDialog(QDialog):
    """A map's title, scope (the city or one district) and description."""

    def __init__(
        self,
        districts: list[tuple[str, uuid.UUID]],
        title: str = "",
        district_id: uuid.UUID | None = None,
        description: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("地図")
        form = QFormLayout(self)
        self.title = QLineEdit(title)
        self.title.setPlaceholderText("例: わがまちのネットワーク形成図")
        self.scope = QComboBox()
        self.scope.addItem("市全体", None)
        for name, key in districts:
            self.scope.addItem(name, key)
        self.scope.setCurrentIndex(max(self.scope.findData(district_id), 0))
        self.description = QLineEdit(description)
        form.addRow("題名", self.title)
        form.addRow("範囲", self.scope)
        form.addRow("説明", self.description)
        add_ok_cancel(self, form)


class FollowupDialog(QDialog):
    """What to do about a node or tie, who, by when, and at which meeting it was agreed."""

    def __init__(
        self, meetings: list[Any], scope: str, about: str, parent: QWidget | None = None
    ) -> None:
        from datetime import date

        from shienapp.gui.widgets.wareki_date_edit import WarekiDateEdit

        super().__init__(parent)
        self.setWindowTitle("宿題（フォローアップ）を追加")
        form = QFormLayout(self)
        self.text = QLineEdit(f"「{about}」について: ")
        self.owner = QLineEdit()
        self.due = WarekiDateEdit()
        self.meeting = QComboBox()
        today = date.today()
        # The latest meeting held in the map's district first (or the city's), then the rest.
        ordered = sorted(
            meetings,
            key=lambda m: (
                m.held_on > today,
                scope not in (m.district_name, ""),
                -m.held_on.toordinal(),
            ),
        )
        for m in ordered[:80]:
            self.meeting.addItem(m.label, m.id)
        form.addRow("内容", self.text)
        form.addRow("担当", self.owner)
        form.addRow("期限", self.due)
        form.addRow("決めた会議", self.meeting)
        add_ok_cancel(self, form)


class NetworkTab(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        signals: AppSignals,
        parent: QWidget | None = None,
        *,
        deferred: bool = False,
    ):
        super().__init__(parent)
        self.ctx, self.signals = ctx, signals
        self.maps = QListWidget()
        self.maps.setMinimumWidth(220)
        self.new_button = QPushButton("新しい地図…")
        self.edit_button = QPushButton("題名・範囲…")
        self.delete_button = QPushButton("削除")
        self.import_button = QPushButton("GraphML を取り込む…")
        self.print_button = QPushButton("印刷…")
        self.export_button = QPushButton("書き出す（PNG・SVG・GraphML）…")
        permits.needs(
            Action.EDIT, self.new_button, self.edit_button, self.delete_button, self.import_button
        )
        self.editor = MapEditor(ctx.network, may_edit=lambda: ctx.access.may(Action.EDIT))
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.maps, 1)
        for button in (
            self.new_button, self.edit_button, self.delete_button, self.import_button,
            self.print_button, self.export_button,
        ):  # fmt: skip
            lv.addWidget(button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.editor)
        split.setStretchFactor(1, 1)
        split.setSizes([240, 1040])
        layout = QHBoxLayout(self)
        layout.addWidget(split)
        self.maps.currentItemChanged.connect(
            lambda current, previous: self._chosen(current, previous)
        )
        self.new_button.clicked.connect(self.new_map)
        self.edit_button.clicked.connect(self.edit_map)
        self.delete_button.clicked.connect(self.delete_map)
        self.import_button.clicked.connect(lambda: self.import_file())
        self.print_button.clicked.connect(self.print_current)
        self.export_button.clicked.connect(lambda: self.export_current())
        self.editor.saved.connect(self._saved)
        self.editor.followup_requested.connect(self.add_followup)
        signals.changed.connect(self._on_changed)
        # deferred: the maps are read (and the first one laid out) when the tab is first shown.
        self.lazy = LoadWhenShown(self, self.reload) if deferred else None
        if not deferred:
            self.reload()

    def _districts(self) -> list[tuple[str, uuid.UUID]]:
        return [(d.name, d.id) for d in self.ctx.districts.list_districts()]

    def reload(self, select: uuid.UUID | None = None) -> None:
        current = select or self.editor.map_id
        self.maps.blockSignals(True)
        self.maps.clear()
        for row in self.ctx.network.list_maps():
            text = f"{row.title}\n{row.scope}・{row.versions}版・点{row.nodes}・線{row.ties}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.maps.addItem(item)
            if row.id == current:
                self.maps.setCurrentItem(item)
        self.maps.blockSignals(False)
        current_item = self.maps.currentItem()
        if current_item is None and self.maps.count():
            self.maps.setCurrentRow(0)  # opens it through currentItemChanged
        elif self.maps.count() == 0:
            self.editor.close_map()
        elif (
            current_item is not None
            and current_item.data(Qt.ItemDataRole.UserRole) != self.editor.map_id
        ):
            self._chosen(current_item, None)

    def _chosen(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        map_id = current.data(Qt.ItemDataRole.UserRole)
        if map_id == self.editor.map_id:
            return
        if not self.editor.confirm_discard():
            self.maps.blockSignals(True)
            self.maps.setCurrentItem(previous)
            self.maps.blockSignals(False)
            return
        try:
            self.editor.open_map(map_id)
        except UserError as exc:
            show_error(self, exc)
            return
        self._show_followups()

    def _saved(self, changes: Changes) -> None:
        self.signals.emit_changes(changes)

    def _on_changed(self, changes: Changes) -> None:
        if self.lazy is not None and self.lazy.pending:
            return  # read when first shown
        if changes.maps:
            self.reload()
        if changes.meetings or changes.maps:
            self._show_followups()

    def _show_followups(self) -> None:
        """The map's 宿題, as the meetings tab lists them, in the analysis panel."""
        doc = self.editor.doc
        if doc is None:
            return
        rows = [
            (f"{'完了 ' if a.status == '完了' else ''}{a.text}（{a.council_name}"
             f"{'、期限 ' + a.due_on.strftime('%Y/%m/%d') if a.due_on else ''}）", a.map_item_key)
            for a in self.ctx.meetings.followups(doc.map_id)
        ]  # fmt: skip
        keys = {n.key for n in doc.nodes}
        ties = {t.key: t.source for t in doc.ties}
        self.editor.set_followups(
            [(text, key if key in keys else ties.get(key)) for text, key in rows]  # type: ignore[arg-type]
        )

    def add_followup(
        self, key: uuid.UUID, about: str, *, meeting_id: uuid.UUID | None = None, text: str = ""
    ) -> uuid.UUID | None:
        """A 宿題 about a node or tie, recorded on a meeting so it follows the council."""
        doc = self.editor.doc
        if doc is None:
            return None
        meetings = self.ctx.meetings.list_meetings()
        if not meetings:
            QMessageBox.information(
                self,
                "宿題",
                "宿題は会議に付けて記録します。先に「会議・議事録」で会議を作ってください。",
            )
            return None
        if meeting_id is None:
            dialog = FollowupDialog(meetings, doc.scope, about, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            meeting_id, text = dialog.meeting.currentData(), dialog.text.text()
            owner, due_on = dialog.owner.text(), dialog.due.date()
        else:
            owner, due_on = "", None
        try:
            action_id, changes = self.ctx.meetings.add_followup(
                meeting_id, text or f"「{about}」について", owner=owner, due_on=due_on,
                map_id=doc.map_id, map_item_key=key,
            )  # fmt: skip
        except UserError as exc:
            show_error(self, exc)
            return None
        self.signals.emit_changes(changes)
        return action_id

    def new_map(self) -> None:
        dialog = MapDialog(self._districts(), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted or not self.editor.confirm_discard():
            return
        try:
            map_id, changes = self.ctx.network.create_map(
                dialog.title.text(), dialog.scope.currentData(), dialog.description.text()
            )
        except UserError as exc:
            show_error(self, exc)
            return
        self.editor.close_map()
        self.reload(select=map_id)
        self.signals.emit_changes(changes)

    def edit_map(self) -> None:
        item = self.maps.currentItem()
        if item is None:
            return
        row = next(
            r for r in self.ctx.network.list_maps() if r.id == item.data(Qt.ItemDataRole.UserRole)
        )
        dialog = MapDialog(self._districts(), row.title, row.district_id, row.description, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            changes = self.ctx.network.update_map(
                row.id, row.version, dialog.title.text(), dialog.scope.currentData(),
                dialog.description.text(),
            )  # fmt: skip
        except UserError as exc:
            show_error(self, exc)
            return
        self.signals.emit_changes(changes)

    def delete_map(self) -> None:
        item = self.maps.currentItem()
        if item is None:
            return
        row = next(
            r for r in self.ctx.network.list_maps() if r.id == item.data(Qt.ItemDataRole.UserRole)
        )
        answer = QMessageBox.question(
            self, "地図の削除", f"地図「{row.title}」を、保存した版も含めて削除しますか？"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            changes = self.ctx.network.delete_map(row.id, row.version)
        except UserError as exc:
            show_error(self, exc)
            return
        self.editor.undo.clear()
        self.editor.close_map()
        self.signals.emit_changes(changes)

    def import_file(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self, "GraphML を取り込む", "", "GraphML (*.graphml *.xml)"
            )
            if not name:
                return
            path = Path(name)
        from shienapp.core.network_graphml import import_graphml

        try:
            map_id, nodes, ties, changes = import_graphml(self.ctx.network, path)
            self.ctx.after_import()
        except UserError as exc:
            show_error(self, exc, "取り込めませんでした")
            return
        if self.editor.confirm_discard():
            self.editor.close_map()
            self.reload(select=map_id)
        self.signals.emit_changes(changes)
        QMessageBox.information(
            self, "取り込みました", f"{path.name} から点 {nodes}・線 {ties} を取り込みました。"
        )

    def print_current(self) -> None:
        if self.editor.doc is None:
            return
        versions = [
            (v.label, v.number)
            for v in self.ctx.network.list_versions(self.editor.doc.map_id)
            if v.number not in (0, self.editor.doc.number)
        ]
        dialog = PrintDialog(versions, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        print_map(
            self, self.ctx.network, self.editor.current(), paper=dialog.paper.currentData(),
            resident_safe=dialog.resident.isChecked(), compare=dialog.compare.currentData(),
        )  # fmt: skip

    def export_current(
        self, path: Path | None = None, *, resident_safe: bool = False
    ) -> Path | None:
        if self.editor.doc is None:
            return None
        return export_map(self, self.editor.current(), path, resident_safe=resident_safe)


def create_network_tab(
    ctx: AppContext, signals: AppSignals, parent: QWidget | None = None, *, deferred: bool = False
) -> NetworkTab:
    return NetworkTab(ctx, signals, parent, deferred=deferred)
