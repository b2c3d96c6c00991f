"""The meeting editor: plan a meeting, then transcribe the sign-in sheet and the minutes.

Typing from paper must be fast and safe: attendance is marked with one key per line
(1 出席, 2 欠席, 3 代理, 4 オブザーバー, 0 未記録, Space 出席) and the whole form is written to a
draft every couple of seconds, so a crash loses nothing.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.councils import CouncilRow
from shienapp.core.drafts import DraftStore
from shienapp.core.errors import UserError
from shienapp.core.jpdate import DateParseError, format_wareki, parse_date
from shienapp.core.meetings import (
    ACTION_STATUSES,
    KINDS,
    MEETING_STATUSES,
    ActionInput,
    AgendaRow,
    AttendanceInput,
    AttendanceRow,
    MeetingDetail,
    MeetingInput,
    MinutesInput,
)
from shienapp.gui.meetings.model import STATUS_KEYS, AttendanceColumn, AttendanceModel
from shienapp.gui.widgets.combo import find_data, select_data
from shienapp.gui.widgets.wareki_date_edit import WarekiDateEdit

DRAFT_DELAY_MS = 1500
SaveCallback = Callable[[MeetingInput, MinutesInput], None]


def parse_time(text: str) -> time | None:
    """14:00, １４：００, 14時, 14時30分 or 1400; empty is "not decided"."""
    raw = unicodedata.normalize("NFKC", text).strip().replace("時", ":").replace("分", "")
    if not raw:
        return None
    if ":" not in raw and raw.isdigit() and len(raw) in (3, 4):
        raw = f"{raw[:-2]}:{raw[-2:]}"
    hours, _, minutes = raw.partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        raise UserError(f"時刻「{text}」が読めません（14:00 のように入力してください）。") from None


class _AttendanceKeys(QObject):
    """Digit keys mark the current line and move down, as a clerk reads down the paper."""

    def __init__(self, view: QTableView, model: AttendanceModel, changed: Callable[[], None]):
        super().__init__(view)
        self.view, self.model, self.changed = view, model, changed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() != QEvent.Type.KeyPress
            or self.view.state() == QAbstractItemView.State.EditingState
        ):
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key == Qt.Key.Key_Space:
            status = "出席"
        elif key in STATUS_KEYS:
            status = STATUS_KEYS[Qt.Key(key)]
        else:
            return False
        row = self.view.currentIndex().row()
        if row < 0:
            return False
        self.model.set_status(row, status)
        if status == "代理":
            # Straight into the proxy's name; the clerk types it and presses Enter.
            index = self.model.index(row, AttendanceColumn.PROXY)
            self.view.setCurrentIndex(index)
            self.view.edit(index)
        elif row + 1 < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row + 1, AttendanceColumn.STATUS))
        self.changed()
        return True


class MeetingEditor(QDialog):
    def __init__(
        self,
        councils: list[CouncilRow],
        detail: MeetingDetail | None,
        members_of: Callable[[uuid.UUID, date], list[AttendanceRow]],
        save: SaveCallback,
        drafts: DraftStore,
        parent: QWidget | None = None,
        *,
        council_id: uuid.UUID | None = None,
        draft_key: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.detail = detail
        self._save = save
        self._members_of = members_of
        self.drafts = drafts
        self.draft_key = draft_key or (
            f"meeting-{detail.id}" if detail else f"meeting-new-{uuid.uuid4().hex[:12]}"
        )
        self._loading = True
        self.setWindowTitle("会議の編集" if detail else "会議を追加")
        self.resize(980, 720)

        # --- the meeting itself
        self.council = QComboBox()
        for c in councils:
            label = (
                c.name
                if not c.district_name or c.district_name in c.name
                else f"{c.name}（{c.district_name}）"
            )
            self.council.addItem(label, c.id)
        self.held_on = WarekiDateEdit(allow_empty=False)
        self.starts_at = QLineEdit()
        self.starts_at.setPlaceholderText("14:00")
        self.ends_at = QLineEdit()
        self.ends_at.setPlaceholderText("15:30")
        self.kind = QComboBox()
        self.kind.addItems(list(KINDS))
        self.title = QLineEdit()
        self.title.setPlaceholderText("例：第5回定例会")
        self.venue = QLineEdit()
        self.chair = QLineEdit()
        self.recorder = QLineEdit()
        self.status = QComboBox()
        self.status.addItems(list(MEETING_STATUSES))
        self.next_meeting_on = WarekiDateEdit()

        form = QGridLayout()
        cells: list[tuple[str, QWidget]] = [
            ("協議体", self.council),
            ("開催日", self.held_on),
            ("種類", self.kind),
            ("開始", self.starts_at),
            ("会議名", self.title),
            ("終了", self.ends_at),
            ("会場", self.venue),
            ("状態", self.status),
            ("議長", self.chair),
            ("記録者", self.recorder),
            ("次回開催日", self.next_meeting_on),
        ]
        for i, (label, widget) in enumerate(cells):
            r, c = divmod(i, 2)
            form.addWidget(QLabel(label), r, c * 2)
            form.addWidget(widget, r, c * 2 + 1)
        form.setColumnStretch(1, 3)
        form.setColumnStretch(3, 2)

        # --- attendance
        self.attendance_model = AttendanceModel([], self)
        self.attendance = QTableView()
        self.attendance.setModel(self.attendance_model)
        self.attendance.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attendance.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attendance.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.attendance.horizontalHeader()
        header.setSectionResizeMode(AttendanceColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(AttendanceColumn.ORGANISATION, QHeaderView.ResizeMode.Stretch)
        self._keys = _AttendanceKeys(self.attendance, self.attendance_model, self._changed)
        self.attendance.installEventFilter(self._keys)
        self.add_guest_button = QPushButton("ゲストを追加…")
        self.remove_guest_button = QPushButton("ゲストを削除")
        self.all_present_button = QPushButton("未記録を全員出席に")
        self.attendance_summary = QLabel()
        hint = QLabel(
            "↑↓で行を移り、1 出席・2 欠席・3 代理（続けて代理者名）・4 オブザーバー・0 未記録。"
            "Space でも出席。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        attendance_page = QWidget()
        al = QVBoxLayout(attendance_page)
        al.addWidget(hint)
        al.addWidget(self.attendance, 1)
        row = QHBoxLayout()
        for w in (self.add_guest_button, self.remove_guest_button, self.all_present_button):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.attendance_summary)
        al.addLayout(row)

        # --- agenda
        self.agenda_list = QListWidget()
        self.agenda_title = QLineEdit()
        self.agenda_notes = QPlainTextEdit()
        self.agenda_notes.setPlaceholderText("話し合われたこと")
        self._agenda: list[AgendaRow] = []
        self.add_agenda_button = QPushButton("議題を追加")
        self.remove_agenda_button = QPushButton("議題を削除")
        self.up_agenda_button = QPushButton("上へ")
        self.down_agenda_button = QPushButton("下へ")
        agenda_page = QWidget()
        gl = QHBoxLayout(agenda_page)
        left = QVBoxLayout()
        left.addWidget(self.agenda_list, 1)
        buttons = QGridLayout()
        buttons.addWidget(self.add_agenda_button, 0, 0)
        buttons.addWidget(self.remove_agenda_button, 0, 1)
        buttons.addWidget(self.up_agenda_button, 1, 0)
        buttons.addWidget(self.down_agenda_button, 1, 1)
        left.addLayout(buttons)
        right = QFormLayout()
        right.addRow("議題", self.agenda_title)
        right.addRow("記録", self.agenda_notes)
        gl.addLayout(left, 1)
        gl.addLayout(right, 2)

        # --- decisions and 宿題
        self.decisions = QPlainTextEdit()
        self.decisions.setPlaceholderText("決定事項を1行に1つずつ")
        self.actions = QTableWidget(0, 4)
        self.actions.setHorizontalHeaderLabels(["内容", "担当", "期限（R7.3.31 など）", "状態"])
        self.actions.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.actions.setColumnWidth(1, 140)
        self.actions.setColumnWidth(2, 190)
        self.actions.setColumnWidth(3, 110)
        self.add_action_button = QPushButton("宿題を追加")
        self.remove_action_button = QPushButton("宿題を削除")
        decisions_page = QWidget()
        dl = QVBoxLayout(decisions_page)
        dl.addWidget(QLabel("決定事項"))
        dl.addWidget(self.decisions, 1)
        dl.addWidget(QLabel("宿題（だれが・いつまでに）"))
        dl.addWidget(self.actions, 2)
        row = QHBoxLayout()
        row.addWidget(self.add_action_button)
        row.addWidget(self.remove_action_button)
        row.addStretch(1)
        dl.addLayout(row)

        # --- carried 宿題
        self.carried = QTableWidget(0, 5)
        self.carried.setHorizontalHeaderLabels(["内容", "担当", "期限", "決めた会議", "状態"])
        self.carried.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 140), (2, 150), (3, 150), (4, 110)):
            self.carried.setColumnWidth(column, width)
        self.carried.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        carried_page = QWidget()
        cl = QVBoxLayout(carried_page)
        note = QLabel(
            "前の会議で決まり、まだ終わっていない宿題です。この会議で終わったものは「完了」に。"
        )
        note.setWordWrap(True)
        cl.addWidget(note)
        cl.addWidget(self.carried, 1)

        self.pages = QTabWidget()
        self.pages.addTab(attendance_page, "出欠")
        self.pages.addTab(agenda_page, "議題・記録")
        self.pages.addTab(decisions_page, "決定事項・宿題")
        self.pages.addTab(carried_page, "前回からの宿題")

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.draft_label = QLabel()
        self.draft_label.setStyleSheet("color: #555;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save_button.setToolTip("保存（Ctrl+Enter）")
        # Enter in a field must not close the dialog half way through a transcription.
        save_button.setAutoDefault(False)
        save_button.setDefault(False)
        # Enter belongs to the tables (the proxy's name); Ctrl+Enter saves from anywhere.
        for keys in ("Ctrl+Return", "Ctrl+Enter", "Ctrl+S"):
            QShortcut(QKeySequence(keys), self, self._on_save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addWidget(self.draft_label, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.write_draft)
        self._dirty = False

        self._fill(detail, council_id)
        self._connect()
        self._loading = False

    # --- filling and reading -------------------------------------------------------------------

    def _fill(self, detail: MeetingDetail | None, council_id: uuid.UUID | None) -> None:
        if detail is None:
            if council_id is not None:
                select_data(self.council, council_id)
            self.held_on.setDate(date.today())
            self._reload_members()
            return
        row = detail.row
        if not select_data(self.council, row.council_id):
            # The council left the list (its district was deleted): show it, never another.
            self.council.addItem(row.council_name, row.council_id)
            select_data(self.council, row.council_id)
        self.held_on.setDate(row.held_on)
        self.starts_at.setText(f"{row.starts_at:%H:%M}" if row.starts_at else "")
        self.ends_at.setText(f"{row.ends_at:%H:%M}" if row.ends_at else "")
        self.kind.setCurrentText(row.kind)
        self.title.setText(row.title)
        self.venue.setText(row.venue)
        self.chair.setText(detail.chair)
        self.recorder.setText(detail.recorder)
        self.status.setCurrentText(row.status)
        self.next_meeting_on.setDate(detail.next_meeting_on)
        self.attendance_model = AttendanceModel(list(detail.attendance), self)
        self._set_attendance_model(self.attendance_model)
        self._agenda = list(detail.agenda)
        self._refresh_agenda_list(0 if self._agenda else -1)
        self.decisions.setPlainText("\n".join(detail.decisions))
        for a in detail.actions:
            self._add_action_row(a.text, a.owner, a.due_on, a.status, a.id)
        for a in detail.carried:
            self._add_carried_row(a)

    def _set_attendance_model(self, model: AttendanceModel) -> None:
        self.attendance.setModel(model)
        self._keys.model = model
        model.dataChanged.connect(self._changed)
        model.rowsInserted.connect(self._changed)
        model.rowsRemoved.connect(self._changed)
        if model.rowCount():
            self.attendance.setCurrentIndex(model.index(0, AttendanceColumn.STATUS))
        self._update_summary()

    def _reload_members(self) -> None:
        """A new meeting lists the chosen council's members seated on the chosen date."""
        council_id = self.council.currentData()
        held_on = self.held_on.date() or date.today()
        if council_id is None:
            return
        guests = [r for r in self.attendance_model.rows if not r.is_member]
        rows = self._members_of(council_id, held_on) + guests
        self.attendance_model = AttendanceModel(rows, self)
        self._set_attendance_model(self.attendance_model)

    def _connect(self) -> None:
        for edit in (
            self.starts_at,
            self.ends_at,
            self.title,
            self.venue,
            self.chair,
            self.recorder,
        ):
            edit.textChanged.connect(self._changed)
        for combo in (self.kind, self.status):
            combo.currentIndexChanged.connect(self._changed)
        self.council.currentIndexChanged.connect(self._council_changed)
        self.held_on.dateChanged.connect(lambda _d: self._council_changed())
        self.held_on.edit.textChanged.connect(self._changed)
        self.next_meeting_on.edit.textChanged.connect(self._changed)
        self.decisions.textChanged.connect(self._changed)
        self.agenda_list.currentRowChanged.connect(self._show_agenda)
        self.agenda_title.textEdited.connect(self._agenda_edited)
        self.agenda_notes.textChanged.connect(self._agenda_edited)
        self.add_agenda_button.clicked.connect(self.add_agenda)
        self.remove_agenda_button.clicked.connect(self._remove_agenda)
        self.up_agenda_button.clicked.connect(lambda: self._move_agenda(-1))
        self.down_agenda_button.clicked.connect(lambda: self._move_agenda(1))
        self.actions.itemChanged.connect(self._changed)
        self.add_action_button.clicked.connect(
            lambda: self._add_action_row("", "", None, "未着手", None, focus=True)
        )
        self.remove_action_button.clicked.connect(self._remove_action)
        self.add_guest_button.clicked.connect(self._ask_guest)
        self.remove_guest_button.clicked.connect(self._remove_guest)
        self.all_present_button.clicked.connect(self._all_present)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)

    def _council_changed(self) -> None:
        if self.detail is None and not self._loading:
            self._reload_members()
        self._changed()

    def meeting_input(self) -> MeetingInput:
        problems: list[str] = []
        held_on = self.held_on.date()
        if held_on is None:
            problems.append(self.held_on.error() or "開催日を入力してください。")
        if not self.next_meeting_on.is_valid():
            problems.append(f"次回開催日：{self.next_meeting_on.error()}")
        times: list[time | None] = []
        for label, edit in (("開始", self.starts_at), ("終了", self.ends_at)):
            try:
                times.append(parse_time(edit.text()))
            except UserError as exc:
                problems.append(f"{label}：{exc.message}")
                times.append(None)
        if problems or held_on is None:
            raise UserError(problems[0], problems[1:])
        return MeetingInput(
            council_id=self.council.currentData(),
            held_on=held_on,
            kind=self.kind.currentText(),
            title=self.title.text(),
            starts_at=times[0],
            ends_at=times[1],
            venue=self.venue.text(),
            chair=self.chair.text(),
            recorder=self.recorder.text(),
            status=self.status.currentText(),
            next_meeting_on=self.next_meeting_on.date(),
        )

    def minutes_input(self) -> MinutesInput:
        attendance = tuple(
            AttendanceInput(
                status=r.status,
                person_id=r.person_id,
                guest_name="" if r.person_id else r.name,
                guest_organisation="" if r.person_id else r.organisation,
                proxy_name=r.proxy_name,
            )
            for r in self.attendance_model.rows
            if r.status
        )
        actions: list[ActionInput] = []
        problems: list[str] = []
        for row in range(self.actions.rowCount()):
            text, owner, due_text = (self._cell(self.actions, row, c) for c in range(3))
            if not (text or owner or due_text):
                continue
            try:
                due = parse_date(due_text) if due_text else None
            except DateParseError as exc:
                problems.append(f"宿題 {row + 1} 行目の期限：{exc}")
                due = None
            status_box = self.actions.cellWidget(row, 3)
            assert isinstance(status_box, QComboBox)
            item = self.actions.item(row, 0)
            action_id = item.data(Qt.ItemDataRole.UserRole) if item else None
            actions.append(ActionInput(text, owner, due, status_box.currentText(), None, action_id))
        if problems:
            raise UserError(problems[0], problems[1:])
        carried: dict[uuid.UUID, tuple[str, date | None]] = {}
        for row in range(self.carried.rowCount()):
            box = self.carried.cellWidget(row, 4)
            assert isinstance(box, QComboBox)
            action_id, original = box.property("action_id"), box.property("original")
            if box.currentText() != original:
                carried[uuid.UUID(action_id)] = (box.currentText(), None)
        self._store_agenda()
        return MinutesInput(
            attendance=attendance,
            agenda=tuple(a for a in self._agenda if a.title.strip() or a.notes.strip()),
            decisions=tuple(
                line.strip() for line in self.decisions.toPlainText().splitlines() if line.strip()
            ),
            actions=tuple(actions),
            carried_updates=carried,
        )

    @staticmethod
    def _cell(table: QTableWidget, row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text().strip() if item else ""

    # --- agenda ----------------------------------------------------------------------------------

    def add_agenda(self, title: str = "") -> None:
        self._store_agenda()
        self._agenda.append(AgendaRow(title or f"議題{len(self._agenda) + 1}", ""))
        self._refresh_agenda_list(len(self._agenda) - 1)
        self.agenda_title.setFocus()
        self.agenda_title.selectAll()
        self._changed()

    def _remove_agenda(self) -> None:
        row = self.agenda_list.currentRow()
        if row < 0:
            return
        del self._agenda[row]
        self._refresh_agenda_list(min(row, len(self._agenda) - 1))
        self._changed()

    def _move_agenda(self, step: int) -> None:
        row = self.agenda_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < len(self._agenda):
            return
        self._store_agenda()
        self._agenda[row], self._agenda[target] = self._agenda[target], self._agenda[row]
        self._refresh_agenda_list(target)
        self._changed()

    def _refresh_agenda_list(self, current: int) -> None:
        self.agenda_list.blockSignals(True)
        self.agenda_list.clear()
        self.agenda_list.addItems([f"{i + 1}. {a.title}" for i, a in enumerate(self._agenda)])
        self.agenda_list.blockSignals(False)
        self._shown_agenda = -1
        self.agenda_list.setCurrentRow(current)
        self._show_agenda(current)

    def _show_agenda(self, row: int) -> None:
        self._store_agenda()
        self._shown_agenda = row
        item = self._agenda[row] if 0 <= row < len(self._agenda) else AgendaRow("", "")
        for w in (self.agenda_title, self.agenda_notes):
            w.blockSignals(True)
            w.setEnabled(0 <= row < len(self._agenda))
        self.agenda_title.setText(item.title)
        self.agenda_notes.setPlainText(item.notes)
        for w in (self.agenda_title, self.agenda_notes):
            w.blockSignals(False)

    def _store_agenda(self) -> None:
        row = getattr(self, "_shown_agenda", -1)
        if 0 <= row < len(self._agenda):
            self._agenda[row] = AgendaRow(self.agenda_title.text(), self.agenda_notes.toPlainText())

    def _agenda_edited(self) -> None:
        self._store_agenda()
        row = self.agenda_list.currentRow()
        if 0 <= row < len(self._agenda):
            self.agenda_list.item(row).setText(f"{row + 1}. {self._agenda[row].title}")
        self._changed()

    # --- 宿題 ------------------------------------------------------------------------------------

    def _add_action_row(
        self,
        text: str,
        owner: str,
        due: date | None,
        status: str,
        action_id: uuid.UUID | None,
        *,
        focus: bool = False,
    ) -> None:
        row = self.actions.rowCount()
        self.actions.blockSignals(True)
        self.actions.insertRow(row)
        first = QTableWidgetItem(text)
        first.setData(Qt.ItemDataRole.UserRole, action_id)
        self.actions.setItem(row, 0, first)
        self.actions.setItem(row, 1, QTableWidgetItem(owner))
        self.actions.setItem(row, 2, QTableWidgetItem(format_wareki(due) if due else ""))
        box = QComboBox()
        box.addItems(list(ACTION_STATUSES))
        box.setCurrentText(status)
        box.currentIndexChanged.connect(self._changed)
        self.actions.setCellWidget(row, 3, box)
        self.actions.blockSignals(False)
        if focus:
            self.actions.setCurrentCell(row, 0)
            self.actions.editItem(first)
            self._changed()

    def _remove_action(self) -> None:
        row = self.actions.currentRow()
        if row >= 0:
            self.actions.removeRow(row)
            self._changed()

    def _add_carried_row(self, a: Any) -> None:
        row = self.carried.rowCount()
        self.carried.insertRow(row)
        values = [
            a.text,
            a.owner,
            format_wareki(a.due_on) if a.due_on else "",
            format_wareki(a.meeting_held_on),
        ]
        for column, value in enumerate(values):
            self.carried.setItem(row, column, QTableWidgetItem(value))
        box = QComboBox()
        box.addItems(list(ACTION_STATUSES))
        box.setCurrentText(a.status)
        box.setProperty("action_id", str(a.id))
        box.setProperty("original", a.status)
        box.currentIndexChanged.connect(self._changed)
        self.carried.setCellWidget(row, 4, box)

    # --- attendance helpers ----------------------------------------------------------------------

    def _ask_guest(self) -> None:
        name, ok = QInputDialog.getText(self, "ゲストを追加", "ゲスト（委員以外の出席者）の氏名")
        if ok and name.strip():
            row = self.attendance_model.add_guest(name.strip())
            self.attendance.setCurrentIndex(
                self.attendance_model.index(row, AttendanceColumn.STATUS)
            )

    def _remove_guest(self) -> None:
        row = self.attendance.currentIndex().row()
        if row >= 0 and not self.attendance_model.remove_row(row):
            QMessageBox.information(
                self, "ゲストを削除", "委員は削除できません。欠席は「2」で記録してください。"
            )

    def _all_present(self) -> None:
        for row, r in enumerate(self.attendance_model.rows):
            if not r.status:
                self.attendance_model.set_status(row, "出席")

    def _update_summary(self) -> None:
        counts = Counter(r.status for r in self.attendance_model.rows)
        parts = [f"{s} {counts[s]}" for s in ("出席", "欠席", "代理", "オブザーバー") if counts[s]]
        missing = counts[""]
        if missing:
            parts.append(f"未記録 {missing}")
        self.attendance_summary.setText("　".join(parts))

    # --- drafts and saving -----------------------------------------------------------------------

    def _changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self._update_summary()
        self._draft_timer.start()

    def state(self) -> dict[str, Any]:
        """Everything typed so far, as JSON-able data (for the draft)."""
        self._store_agenda()
        actions = []
        for row in range(self.actions.rowCount()):
            box = self.actions.cellWidget(row, 3)
            item = self.actions.item(row, 0)
            action_id = item.data(Qt.ItemDataRole.UserRole) if item else None
            actions.append(
                [self._cell(self.actions, row, c) for c in range(3)]
                + [
                    box.currentText() if isinstance(box, QComboBox) else "未着手",
                    str(action_id or ""),
                ]
            )
        carried = {}
        for row in range(self.carried.rowCount()):
            box = self.carried.cellWidget(row, 4)
            if isinstance(box, QComboBox):
                carried[str(box.property("action_id"))] = box.currentText()
        return {
            "meeting_id": str(self.detail.id) if self.detail else None,
            "version": self.detail.row.version if self.detail else None,
            "council_id": str(self.council.currentData()),
            "held_on": self.held_on.edit.text(),
            "starts_at": self.starts_at.text(),
            "ends_at": self.ends_at.text(),
            "kind": self.kind.currentText(),
            "title": self.title.text(),
            "venue": self.venue.text(),
            "chair": self.chair.text(),
            "recorder": self.recorder.text(),
            "status": self.status.currentText(),
            "next_meeting_on": self.next_meeting_on.edit.text(),
            "attendance": [
                [
                    str(r.person_id or ""),
                    r.name,
                    r.reading,
                    r.organisation,
                    r.role,
                    r.status,
                    r.proxy_name,
                    r.is_member,
                ]
                for r in self.attendance_model.rows
            ],
            "agenda": [[a.title, a.notes] for a in self._agenda],
            "decisions": self.decisions.toPlainText(),
            "actions": actions,
            "carried": carried,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Put a draft's text back into the form."""
        self._loading = True
        try:
            index = (
                find_data(self.council, uuid.UUID(state["council_id"]))
                if state.get("council_id") not in (None, "None")
                else -1
            )
            if index >= 0:
                self.council.setCurrentIndex(index)
            self.held_on.edit.setText(state.get("held_on", ""))
            for edit, key in (
                (self.starts_at, "starts_at"),
                (self.ends_at, "ends_at"),
                (self.title, "title"),
                (self.venue, "venue"),
                (self.chair, "chair"),
                (self.recorder, "recorder"),
            ):
                edit.setText(state.get(key, ""))
            self.kind.setCurrentText(state.get("kind", "定例会"))
            self.status.setCurrentText(state.get("status", "予定"))
            self.next_meeting_on.edit.setText(state.get("next_meeting_on", ""))
            rows = [
                AttendanceRow(uuid.UUID(p) if p else None, n, rd, o, rl, st, px, bool(m))
                for p, n, rd, o, rl, st, px, m in state.get("attendance", [])
            ]
            self.attendance_model = AttendanceModel(rows, self)
            self._set_attendance_model(self.attendance_model)
            self._agenda = [AgendaRow(t, n) for t, n in state.get("agenda", [])]
            self._shown_agenda = -1
            self._refresh_agenda_list(0 if self._agenda else -1)
            self.decisions.setPlainText(state.get("decisions", ""))
            self.actions.setRowCount(0)
            for text, owner, due_text, status, action_id in state.get("actions", []):
                self._add_action_row(
                    text, owner, None, status, uuid.UUID(action_id) if action_id else None
                )
                self.actions.item(self.actions.rowCount() - 1, 2).setText(due_text)
            for row in range(self.carried.rowCount()):
                box = self.carried.cellWidget(row, 4)
                if isinstance(box, QComboBox):
                    box.setCurrentText(
                        state.get("carried", {}).get(
                            str(box.property("action_id")), box.currentText()
                        )
                    )
        finally:
            self._loading = False
        self._dirty = True
        self.draft_label.setText(
            "下書きから復元しました。保存するまでデータベースには入っていません。"
        )

    def write_draft(self) -> None:
        if not self._dirty:
            return
        what = self.title.text() or self.kind.currentText()
        title = f"{self.council.currentText()} {self.held_on.edit.text()} {what}"
        try:
            self.drafts.save(self.draft_key, title.strip(), self.state())
        except (OSError, UserError) as exc:
            self.draft_label.setText(f"下書きを保存できませんでした：{exc}")
            return
        self.draft_label.setText("下書きを自動保存しました。")

    def _on_save(self) -> None:
        try:
            meeting = self.meeting_input()
            minutes = self.minutes_input()
            self._save(meeting, minutes)
        except UserError as exc:
            self.message.setText("\n".join([exc.message, *exc.details[:5]]))
            self.write_draft()
            return
        self._draft_timer.stop()
        self.drafts.discard(self.draft_key)
        self._dirty = False
        self.accept()

    def reject(self) -> None:
        if self._dirty:
            answer = QMessageBox.question(
                self,
                "入力の破棄",
                "保存していない入力があります。破棄して閉じますか？\n"
                "（「いいえ」で編集に戻ります。下書きは自動保存されています）",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._draft_timer.stop()
        self.drafts.discard(self.draft_key)
        super().reject()
