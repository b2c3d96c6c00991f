"""協議体と委員: councils of every tier and who sits on them, for sign-in sheets and attendance."""

from __future__ import annotations

import uuid
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.councils import ROLES, CouncilInput, MemberInput, MemberRow, PersonInfo
from shienapp.core.errors import UserError
from shienapp.core.jpdate import format_wareki
from shienapp.gui.errors import show_error
from shienapp.gui.signals import AppSignals
from shienapp.gui.table_model import RowTableModel
from shienapp.gui.widgets.wareki_date_edit import WarekiDateEdit

_Index = QModelIndex | QPersistentModelIndex
NEW_TIERS = ("第1層", "地域支え合い協議体", "部会")


class MemberColumn(IntEnum):
    ROLE = 0
    NAME = 1
    READING = 2
    ORGANISATION = 3
    TERM = 4


_HEADERS = ("役職", "氏名", "フリガナ", "所属・役職", "任期")


class MemberTableModel(RowTableModel[MemberRow]):
    headers = _HEADERS

    def cell(self, m: MemberRow, column: int, role: int) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        match MemberColumn(column):
            case MemberColumn.ROLE:
                return m.role
            case MemberColumn.NAME:
                return m.name
            case MemberColumn.READING:
                return m.reading
            case MemberColumn.ORGANISATION:
                return m.organisation
            case MemberColumn.TERM:
                if not (m.from_on or m.to_on):
                    return ""
                return f"{format_wareki(m.from_on)}～{format_wareki(m.to_on)}"


class MemberDialog(QDialog):
    """One seat: pick a person already on record (a member elsewhere) or type a new one."""

    def __init__(
        self, people: list[PersonInfo], member: MemberRow | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("委員の編集" if member else "委員を追加")
        self.person = QComboBox()
        self.person.addItem("（新しく登録する）", None)
        for p in people:
            self.person.addItem(f"{p.name}（{p.reading}）" if p.reading else p.name, p.id)
        self.name = QLineEdit()
        self.reading = QLineEdit()
        self.reading.setPlaceholderText("ひらがな または カタカナ")
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        self.role.setCurrentText("委員")
        self.organisation = QLineEdit()
        self.organisation.setPlaceholderText("例：自治会長、民生委員、老人クラブ")
        self.from_on = WarekiDateEdit()
        self.to_on = WarekiDateEdit()
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        form = QFormLayout()
        if member is None:
            form.addRow("登録済みの人", self.person)
        form.addRow("氏名", self.name)
        form.addRow("フリガナ", self.reading)
        form.addRow("役職", self.role)
        form.addRow("所属・役職", self.organisation)
        form.addRow("任期（から）", self.from_on)
        form.addRow("任期（まで）", self.to_on)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.person.currentIndexChanged.connect(self._person_chosen)
        if member is not None:
            self.name.setText(member.name)
            self.reading.setText(member.reading)
            self.role.setCurrentText(member.role)
            self.organisation.setText(member.organisation)
            self.from_on.setDate(member.from_on)
            self.to_on.setDate(member.to_on)

    def _person_chosen(self) -> None:
        chosen = self.person.currentData() is not None
        self.name.setEnabled(not chosen)
        self.reading.setEnabled(not chosen)

    def value(self) -> MemberInput:
        for label, edit in (("任期（から）", self.from_on), ("任期（まで）", self.to_on)):
            if not edit.is_valid():
                raise UserError(f"{label}：{edit.error()}")
        return MemberInput(
            role=self.role.currentText(),
            organisation=self.organisation.text(),
            person_id=self.person.currentData(),
            name=self.name.text(),
            reading=self.reading.text(),
            from_on=self.from_on.date(),
            to_on=self.to_on.date(),
        )


class CouncilsDialog(QDialog):
    """Every council on the left; the chosen council's members on the right."""

    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.signals = ctx, signals
        self.setWindowTitle("協議体と委員")
        self.resize(980, 600)
        self.councils = QListWidget()
        self.members = MemberTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.members)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            MemberColumn.ORGANISATION, QHeaderView.ResizeMode.Stretch
        )
        self.add_council_button = QPushButton("協議体を追加…")
        self.add_member_button = QPushButton("委員を追加…")
        self.edit_member_button = QPushButton("編集…")
        self.remove_member_button = QPushButton("委員から外す")
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold;")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        close.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(QLabel("協議体"))
        left.addWidget(self.councils, 1)
        left.addWidget(self.add_council_button)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addWidget(self.table, 1)
        row = QHBoxLayout()
        for b in (self.add_member_button, self.edit_member_button, self.remove_member_button):
            row.addWidget(b)
        row.addStretch(1)
        right.addLayout(row)
        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 5)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)

        self.councils.currentRowChanged.connect(self._show_members)
        self.table.doubleClicked.connect(self.edit_member)
        self.add_council_button.clicked.connect(self.add_council)
        self.add_member_button.clicked.connect(self.add_member)
        self.edit_member_button.clicked.connect(self.edit_member)
        self.remove_member_button.clicked.connect(self.remove_member)
        self.reload()

    def council_id(self) -> uuid.UUID | None:
        item = self.councils.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def reload(self, select: uuid.UUID | None = None) -> None:
        select = select or self.council_id()
        self.councils.blockSignals(True)
        self.councils.clear()
        for c in self.ctx.councils.list_councils():
            prefix = "　" if c.tier == "部会" else ""
            item = QListWidgetItem(f"{prefix}{c.name}（{c.member_count}人）")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setToolTip(f"{c.tier}　{c.district_name}")
            self.councils.addItem(item)
            if c.id == select:
                self.councils.setCurrentItem(item)
        self.councils.blockSignals(False)
        if self.councils.currentRow() < 0 and self.councils.count():
            self.councils.setCurrentRow(0)
        self._show_members()

    def _show_members(self) -> None:
        council_id = self.council_id()
        rows = self.ctx.councils.members(council_id) if council_id else []
        self.members.set_rows(rows)
        self.table.resizeColumnToContents(MemberColumn.TERM)
        item = self.councils.currentItem()
        self.heading.setText(item.text().strip() if item else "")
        for b in (self.add_member_button, self.edit_member_button, self.remove_member_button):
            b.setEnabled(council_id is not None)

    def _selected_member(self) -> MemberRow | None:
        index = self.table.currentIndex()
        return self.members.row_at(index.row()) if index.isValid() else None

    def _apply(self, changes: Changes) -> None:
        self.signals.emit_changes(changes)
        self.reload()

    def add_council(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("協議体を追加")
        name = QLineEdit()
        tier = QComboBox()
        tier.addItems(list(NEW_TIERS))
        parent = QComboBox()
        district = QComboBox()
        parent.addItem("（なし）", None)
        for c in self.ctx.councils.list_councils():
            parent.addItem(c.name, c.id)
        district.addItem("（市全体・なし）", None)
        for d in self.ctx.districts.list_districts():
            district.addItem(d.name, d.id)
        form = QFormLayout(dialog)
        form.addRow("名称", name)
        form.addRow("種類", tier)
        form.addRow("地区", district)
        form.addRow("親の協議体（部会のとき）", parent)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        form.addRow(buttons)
        buttons.rejected.connect(dialog.reject)

        def save() -> None:
            try:
                council_id, changes = self.ctx.councils.create_council(
                    CouncilInput(
                        name=name.text(),
                        tier=tier.currentText(),
                        district_id=district.currentData(),
                        parent_id=parent.currentData(),
                    )
                )
            except UserError as exc:
                show_error(dialog, exc)
                return
            dialog.accept()
            self.signals.emit_changes(changes)
            self.reload(council_id)

        buttons.accepted.connect(save)
        dialog.exec()

    def add_member(self) -> None:
        council_id = self.council_id()
        if council_id is None:
            return
        self._member_dialog(None, lambda data: self.ctx.councils.add_member(council_id, data)[1])

    def edit_member(self) -> None:
        member = self._selected_member()
        if member is None:
            return
        self._member_dialog(
            member, lambda data: self.ctx.councils.update_member(member.id, member.version, data)
        )

    def _member_dialog(self, member: MemberRow | None, save: Any) -> None:
        dialog = MemberDialog(self.ctx.councils.list_people(), member, self)

        def accept() -> None:
            try:
                changes = save(dialog.value())
            except UserError as exc:
                dialog.message.setText("\n".join([exc.message, *exc.details]))
                return
            QDialog.accept(dialog)
            self._apply(changes)

        dialog.accept = accept  # type: ignore[method-assign]
        dialog.exec()

    def remove_member(self) -> None:
        member = self._selected_member()
        if member is None:
            return
        answer = QMessageBox.question(
            self,
            "委員から外す",
            f"{member.name}さんを委員から外しますか？\n（これまでの出欠の記録は残ります。"
            "任期が終わった場合は、外さずに「任期（まで）」を入れることもできます）",
        )
        if answer == QMessageBox.StandardButton.Yes:
            try:
                self._apply(self.ctx.councils.remove_member(member.id))
            except UserError as exc:
                show_error(self, exc)
