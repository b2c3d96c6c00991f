"""Editing the city's own lists: activity categories, volunteer skills, organisation kinds,
training names. Records keep the words they hold; the forms offer the new list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.directory import VOCABULARIES
from shienapp.core.errors import UserError


class ListsDialog(QDialog):
    """One list at a time: add, rename in place (F2 or double-click), remove, reorder."""

    def __init__(
        self,
        terms: Callable[[str], list[str]],
        save: Callable[[str, list[str]], Changes],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("一覧の編集")
        self.resize(460, 520)
        self._terms, self._save = terms, save
        self.saved = Changes()
        self.kind = QComboBox()
        for kind, (label, _) in VOCABULARIES.items():
            self.kind.addItem(label, kind)
        self.items = QListWidget()
        self.items.setDragDropMode(QListWidget.DragDropMode.InternalMove)
        self.buttons_box = {t: QPushButton(t) for t in ("追加", "削除", "上へ", "下へ")}
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        hint = QLabel(
            "名前はダブルクリックで直せます。一覧から消しても、"
            "すでにその言葉が入っている記録はそのまま残ります。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        box.button(QDialogButtonBox.StandardButton.Save).setText("この一覧を保存")
        box.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        side = QVBoxLayout()
        for button in self.buttons_box.values():
            side.addWidget(button)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.items, 1)
        middle.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addLayout(middle, 1)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(box)
        self.buttons_box["追加"].clicked.connect(self.add)
        self.buttons_box["削除"].clicked.connect(self.remove)
        self.buttons_box["上へ"].clicked.connect(lambda: self.move(-1))
        self.buttons_box["下へ"].clicked.connect(lambda: self.move(1))
        self.kind.currentIndexChanged.connect(lambda _i: self.load())
        self.load()

    def load(self) -> None:
        self.items.clear()
        self.message.clear()
        for name in self._terms(self.kind.currentData()):
            self._append(name)

    def _append(self, name: str) -> QListWidgetItem:
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.items.addItem(item)
        return item

    def names(self) -> list[str]:
        return [self.items.item(i).text() for i in range(self.items.count())]

    def add(self) -> None:
        item = self._append("新しい項目")
        self.items.setCurrentItem(item)
        self.items.editItem(item)

    def remove(self) -> None:
        row = self.items.currentRow()
        if row >= 0:
            self.items.takeItem(row)

    def move(self, step: int) -> None:
        row = self.items.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.items.count():
            return
        item = self.items.takeItem(row)
        self.items.insertItem(target, item)
        self.items.setCurrentRow(target)

    def save(self) -> None:
        try:
            self.saved = self.saved | self._save(self.kind.currentData(), self.names())
        except UserError as exc:
            self._say(exc.message, error=True)
            return
        self.load()
        self._say(f"「{self.kind.currentText()}」の一覧を保存しました。", error=False)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet(f"color: {'#b00020' if error else '#1b5e20'};")
        self.message.setText(text)
