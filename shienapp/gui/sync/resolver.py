"""競合の解決: each record both copies changed, field by field, and a choice per field."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.errors import UserError
from shienapp.core.sync import ConflictInfo, SyncService
from shienapp.core.sync_labels import field_label, value_text
from shienapp.gui.errors import show_error

_KIND_HELP = {
    "編集と編集": "この端末と相手の端末の両方で、同じ項目が違う内容に変えられました。",
    "削除と編集": "片方で削除され、もう片方で編集されました。記録は消さずに残してあります。"
    "「削除」の行で削除するかどうかを選んでください。",
    "両方で作成": "同じもの（同じ地区・年度など）が両方の端末で別々に作られました。"
    "一つにまとめて残します。どちらの内容を使うか選んでください。",
}
_NOT_SHOWN = {"id", "version", "updated_at", "created_at"}
_COLUMNS = ("項目", "共通の元", "こちら（この端末）", "あちら（相手）", "採用")


class ConflictResolver(QDialog):
    """The list of open conflicts on the left, the chosen one field by field on the right."""

    resolved = Signal(object)

    def __init__(self, service: SyncService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._conflicts: list[ConflictInfo] = []
        self._choices: list[QButtonGroup] = []
        self.setWindowTitle("競合の解決")
        self.resize(1000, 560)
        layout = QVBoxLayout(self)
        splitter = QSplitter(self)
        self.list = QListWidget(splitter)
        self.list.setObjectName("conflicts")
        self.list.currentRowChanged.connect(self._show)
        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("", right)
        self.title.setStyleSheet("font-weight: bold;")
        self.help = QLabel("", right, wordWrap=True)
        self.table = QTableWidget(0, len(_COLUMNS), right)
        self.table.setObjectName("fields")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.help)
        right_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.ours_button = QPushButton("こちらを採用", right)
        self.theirs_button = QPushButton("あちらを採用", right)
        self.each_button = QPushButton("項目ごとに選択して確定", right)
        self.ours_button.clicked.connect(lambda: self._resolve("ours"))
        self.theirs_button.clicked.connect(lambda: self._resolve("theirs"))
        self.each_button.clicked.connect(lambda: self._resolve(self.field_choices()))
        for button in (self.ours_button, self.theirs_button, self.each_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        right_layout.addLayout(buttons)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 700])
        layout.addWidget(splitter, 1)
        self.empty = QLabel("未解決の競合はありません。", self)
        layout.addWidget(self.empty)
        close = QPushButton("閉じる", self)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.reload()

    def reload(self) -> None:
        self._conflicts = self._service.conflicts()
        self.list.clear()
        for c in self._conflicts:
            item = QListWidgetItem(f"{c.kind}｜{c.table_label}「{c.label}」\n相手: {c.source_name}")
            self.list.addItem(item)
        has_any = bool(self._conflicts)
        self.empty.setVisible(not has_any)
        for button in (self.ours_button, self.theirs_button, self.each_button):
            button.setEnabled(has_any)
        if has_any:
            self.list.setCurrentRow(0)
        else:
            self.title.setText("")
            self.help.setText("")
            self.table.setRowCount(0)

    def current(self) -> ConflictInfo | None:
        row = self.list.currentRow()
        return self._conflicts[row] if 0 <= row < len(self._conflicts) else None

    def _show(self, row: int) -> None:
        self._choices.clear()
        self.table.setRowCount(0)
        if not 0 <= row < len(self._conflicts):
            return
        c = self._conflicts[row]
        self.title.setText(f"{c.table_label}「{c.label}」— {c.kind}")
        self.help.setText(
            _KIND_HELP.get(c.kind, "") + f"\n相手: {c.source_name}（{c.file_name}、"
            f"{c.created_at:%Y年%m月%d日 %H:%M} に取り込み）"
        )
        merged_fields = [
            name
            for name in {**c.ours, **c.theirs}
            if name not in c.fields
            and name not in _NOT_SHOWN
            and c.ours.get(name) != c.theirs.get(name)
        ]
        self.table.setRowCount(len(c.fields) + len(merged_fields))
        for i, name in enumerate(c.fields):
            self._field_row(i, c, name, merged=False)
            chooser = QWidget(self.table)
            chooser_layout = QHBoxLayout(chooser)
            chooser_layout.setContentsMargins(4, 0, 4, 0)
            group = QButtonGroup(chooser)
            for side, label in (("ours", "こちら"), ("theirs", "あちら")):
                radio = QRadioButton(label, chooser)
                radio.setProperty("side", side)
                radio.setObjectName(f"choice_{name}_{side}")
                group.addButton(radio)
                chooser_layout.addWidget(radio)
            group.buttons()[0].setChecked(True)
            self._choices.append(group)
            self.table.setCellWidget(i, 4, chooser)
        # Fields only one side changed were merged already; shown so the whole edit is in view.
        for i, name in enumerate(merged_fields, start=len(c.fields)):
            self._field_row(i, c, name, merged=True)
        self.table.resizeRowsToContents()

    def _field_row(self, row: int, c: ConflictInfo, name: str, *, merged: bool) -> None:
        base = "（記録なし）" if c.base is None else value_text(name, c.base.get(name))
        cells = [
            field_label(name),
            base,
            value_text(name, c.ours.get(name)),
            value_text(name, c.theirs.get(name)),
        ]
        if merged:
            cells.append("統合済み")
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if merged:
                item.setForeground(QBrush(QColor("#555555")))
            elif column in (2, 3):
                item.setBackground(QBrush(QColor("#fff3cd")))
            self.table.setItem(row, column, item)

    def field_choices(self) -> dict[str, str]:
        c = self.current()
        if c is None:
            return {}
        choices = {}
        for name, group in zip(c.fields, self._choices, strict=True):
            checked = group.checkedButton()
            choices[name] = str(checked.property("side")) if checked is not None else ""
        return choices

    def _resolve(self, choice: str | dict[str, str]) -> None:
        c = self.current()
        if c is None:
            return
        try:
            changes: Changes = self._service.resolve(c.id, choice)
        except UserError as exc:
            show_error(self, exc)
            self.reload()
            return
        self.resolved.emit(changes)
        row = self.list.currentRow()
        self.reload()
        if self._conflicts:
            self.list.setCurrentRow(min(row, len(self._conflicts) - 1))
