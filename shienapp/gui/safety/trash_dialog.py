"""ごみ箱: deleted records with what went with them; restore one, or empty the trash."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.errors import UserError
from shienapp.core.trash import TrashEntry
from shienapp.gui.errors import show_error

_COLUMNS = ("種類", "名前", "削除した日時", "一緒に削除された記録")


class TrashDialog(QDialog):
    changed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.entries: list[TrashEntry] = []
        self.setWindowTitle("ごみ箱")
        self.resize(760, 460)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "削除した記録はここに残り、復元できます（一緒に削除された協議体・統計・議事録なども"
                "戻ります）。ごみ箱を空にすると内容（名前・連絡先・メモ）が消え、"
                "ほかの端末にも「削除」として伝わります。",
                self,
                wordWrap=True,
            )
        )
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setObjectName("trash")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel("ごみ箱は空です。", self)
        layout.addWidget(self.empty_label)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton("復元", self)
        self.empty_button = QPushButton("ごみ箱を空にする…", self)
        close = QPushButton("閉じる", self)
        self.restore_button.clicked.connect(self.restore_selected)
        self.empty_button.clicked.connect(self.empty_trash)
        close.clicked.connect(self.accept)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.empty_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self.entries = self._ctx.trash.list()
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            cells = (
                e.kind,
                e.label,
                f"{e.deleted_at:%Y-%m-%d %H:%M}",
                f"{e.children} 件" if e.children else "",
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if self.entries:
            self.table.selectRow(0)
        has_any = bool(self.entries)
        self.empty_label.setVisible(not has_any)
        self.restore_button.setEnabled(has_any)
        self.empty_button.setEnabled(has_any)

    def selected(self) -> TrashEntry | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.entries[min(rows)] if rows else None

    def restore_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        try:
            changes: Changes = self._ctx.trash.restore(entry.table, entry.id)
        except UserError as exc:
            show_error(self, exc, "復元できませんでした")
            return
        self.changed.emit(changes)
        self.reload()

    def empty_trash(self) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("ごみ箱を空にする")
        box.setText(
            f"ごみ箱の {len(self.entries)} 件の内容を消します。元に戻すにはバックアップからの"
            "復元が必要です（直前にバックアップを取ります）。よろしいですか？"
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Ok).setText("空にする")
        box.button(QMessageBox.StandardButton.Cancel).setText("キャンセル")
        if box.exec() != QMessageBox.StandardButton.Ok:
            return
        try:
            self._ctx.backup("manual")
            self._ctx.trash.empty()
        except UserError as exc:
            show_error(self, exc, "ごみ箱を空にできませんでした")
            return
        self.reload()
