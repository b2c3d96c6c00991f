"""A drop-down of people that is also a search box, for a city of 50,000 names.

A QComboBox filled item by item took 0.7 s to build for a large city's people, and scrolling
50,000 names is no way to find one. Here the names sit in one list model (nothing is copied
into Qt), typing any part of a name or district offers the matches, and a name typed that is
not on the list is refused with a message rather than quietly keeping the last choice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QListView, QWidget

from shienapp.core.errors import UserError

Index = QModelIndex | QPersistentModelIndex
NOT_LISTED = "（一覧にない人：変えなければそのまま）"


class ChoiceModel(QAbstractListModel):
    """Labels and their ids, served from Python lists as the view asks for rows."""

    def __init__(
        self, labels: Sequence[str], ids: Sequence[uuid.UUID | None], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.labels = list(labels)
        self.ids = list(ids)
        self._row_of: dict[uuid.UUID | None, int] | None = None

    @property
    def row_of(self) -> dict[uuid.UUID | None, int]:
        """Built when first asked (50,000 UUID hashes are 40 ms a new record never needs)."""
        if self._row_of is None:
            self._row_of = {key: row for row, key in enumerate(self.ids)}
        return self._row_of

    def add(self, label: str, key: uuid.UUID | None) -> int:
        row = len(self.labels)
        self.beginInsertRows(QModelIndex(), row, row)
        self.row_of[key] = row
        self.labels.append(label)
        self.ids.append(key)
        self.endInsertRows()
        return row

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.labels)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.labels[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return self.ids[index.row()]
        return None


class PersonPicker(QComboBox):
    """Choose one person, or none (the first row), by scrolling or by typing part of a name."""

    def __init__(
        self,
        choices: Sequence[tuple[str, uuid.UUID]],
        none_label: str,
        field: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.field = field  # named in the message when what was typed is not on the list
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.choices = ChoiceModel(
            [none_label, *(label for label, _ in choices)],
            [None, *(key for _, key in choices)],
            self,
        )
        view = QListView(self)
        view.setUniformItemSizes(True)  # 50,000 rows are laid out without measuring each
        self.setView(view)
        self.setModel(self.choices)
        completer = QCompleter(self.choices, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.popup().setUniformItemSizes(True)  # type: ignore[attr-defined]
        self.setCompleter(completer)
        self.lineEdit().setPlaceholderText("名前の一部を入力すると候補が出ます")
        self.setCurrentIndex(0)

    def select(self, person_id: uuid.UUID | None) -> None:
        """Make ``person_id`` the choice. Someone no longer listed (moved to the trash) is kept
        as a row of their own, so saving the form does not drop the link unasked."""
        row = self.choices.row_of.get(person_id)
        if row is None:
            row = self.choices.add(NOT_LISTED, person_id)
        self.setCurrentIndex(row)

    def chosen(self) -> uuid.UUID | None:
        """The person whose name is in the box; a UserError when the text names nobody listed."""
        text = self.currentText().strip()
        row = self.currentIndex()
        if row >= 0 and self.choices.labels[row] == text:
            return self.choices.ids[row]
        if text in ("", self.choices.labels[0]):
            return None
        matches = [i for i, label in enumerate(self.choices.labels) if label == text]
        if len(matches) == 1:
            return self.choices.ids[matches[0]]
        if matches:
            raise UserError(
                f"{self.field}：「{text}」と表示される人が {len(matches)} 人います。"
                "「▼」の一覧から選んでください。"
            )
        raise UserError(
            f"{self.field}：「{text}」は名簿にありません。名前の一部を入力して候補から選ぶか、"
            "「▼」の一覧から選んでください。"
        )
