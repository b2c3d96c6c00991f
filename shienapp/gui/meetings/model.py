"""Qt models over meeting rows, open 宿題 and a meeting's attendance."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from shienapp.core.jpdate import fiscal_year_label, format_wareki, weekday_ja
from shienapp.core.meetings import ActionRow, AttendanceRow, MeetingRow
from shienapp.core.text import matches, reading_sort_key, search_terms
from shienapp.gui.table_model import (
    ID_ROLE,
    SORT_ROLE,
    PagedTableModel,
    RowTableModel,
    SortRoleProxy,
)
from shienapp.gui.table_model import Index as _Index

__all__ = ["ID_ROLE", "SORT_ROLE", "SortRoleProxy"]

_MEETING_STATUS_COLOURS = {"予定": QColor("#0d47a1"), "中止": QColor("#757575")}
OVERDUE = QColor("#b00020")


def _time_range(row: MeetingRow) -> str:
    if row.starts_at is None:
        return ""
    text = f"{row.starts_at:%H:%M}"
    return text + (f"～{row.ends_at:%H:%M}" if row.ends_at else "")


class MeetingColumn(IntEnum):
    DATE = 0
    TIME = 1
    COUNCIL = 2
    DISTRICT = 3
    KIND = 4
    TITLE = 5
    VENUE = 6
    STATUS = 7
    PRESENT = 8


MEETING_HEADERS = {
    MeetingColumn.DATE: "開催日",
    MeetingColumn.TIME: "時間",
    MeetingColumn.COUNCIL: "協議体",
    MeetingColumn.DISTRICT: "地区",
    MeetingColumn.KIND: "種類",
    MeetingColumn.TITLE: "会議名",
    MeetingColumn.VENUE: "会場",
    MeetingColumn.STATUS: "状態",
    MeetingColumn.PRESENT: "出席",
}


class MeetingTableModel(PagedTableModel[MeetingRow]):
    headers = tuple(MEETING_HEADERS.values())
    sort_names = ("", "", "council", "district", "kind", "title", "venue", "status", "present")

    def cell(self, row: MeetingRow, column: int, role: int) -> Any:
        column = MeetingColumn(column)
        if role == Qt.ItemDataRole.DisplayRole:
            return _meeting_display(row, column)
        if role == SORT_ROLE:
            return _meeting_sort(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == MeetingColumn.DATE:
            return row.held_on.isoformat()
        if role == Qt.ItemDataRole.ForegroundRole and column == MeetingColumn.STATUS:
            colour = _MEETING_STATUS_COLOURS.get(row.status)
            return QBrush(colour) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == MeetingColumn.PRESENT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _meeting_display(row: MeetingRow, column: MeetingColumn) -> str:
    match column:
        case MeetingColumn.DATE:
            return f"{format_wareki(row.held_on)}（{weekday_ja(row.held_on)}）"
        case MeetingColumn.TIME:
            return _time_range(row)
        case MeetingColumn.COUNCIL:
            return row.council_name
        case MeetingColumn.DISTRICT:
            return row.district_name
        case MeetingColumn.KIND:
            return row.kind
        case MeetingColumn.TITLE:
            return row.title
        case MeetingColumn.VENUE:
            return row.venue
        case MeetingColumn.STATUS:
            return row.status
        case MeetingColumn.PRESENT:
            return f"{row.present}人" if row.status == "開催済" else ""


def _meeting_sort(row: MeetingRow, column: MeetingColumn) -> Any:
    when = (row.held_on.isoformat(), _time_range(row))
    match column:
        case MeetingColumn.DATE | MeetingColumn.TIME:
            return when
        case MeetingColumn.PRESENT:
            return (row.present, *when)
        case _:
            return (_meeting_display(row, column), *when)


class MeetingFilterProxy(SortRoleProxy):
    """Filters by council, district, kind, 年度 and folded search text; sorts by ``SORT_ROLE``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self._council_id: uuid.UUID | None = None
        self._district_id: uuid.UUID | None = None
        self._kind: str | None = None
        self._fiscal_year: int | None = None

    def set_filters(self, **values: Any) -> None:
        """Over a paged model the database filters (and reads the first page again)."""
        model = self.sourceModel()
        if isinstance(model, PagedTableModel) and model.paged:
            text = values.pop("text", None)
            changes: dict[str, Any] = {"filters": values}
            if text is not None:
                changes["text"] = text
            model.set_query(**changes)
            return
        self.beginFilterChange()
        for name, value in values.items():
            if name == "text":
                self._terms = search_terms(value)
            else:
                setattr(self, f"_{name}", value)
        self.endFilterChange(SortRoleProxy.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, MeetingTableModel)
        if model.paged:
            return True  # the database filtered the rows
        row = model.row_at(source_row)
        if self._council_id is not None and row.council_id != self._council_id:
            return False
        if self._district_id is not None and row.district_id != self._district_id:
            return False
        if self._kind is not None and row.kind != self._kind:
            return False
        if self._fiscal_year is not None and row.fiscal_year != self._fiscal_year:
            return False
        return matches(self._terms, row.search_key)


class ActionColumn(IntEnum):
    DUE = 0
    STATUS = 1
    TEXT = 2
    OWNER = 3
    COUNCIL = 4
    SET_AT = 5


ACTION_HEADERS = {
    ActionColumn.DUE: "期限",
    ActionColumn.STATUS: "状態",
    ActionColumn.TEXT: "内容",
    ActionColumn.OWNER: "担当",
    ActionColumn.COUNCIL: "協議体",
    ActionColumn.SET_AT: "決めた会議",
}


class ActionTableModel(RowTableModel[ActionRow]):
    """Open 宿題 across councils; overdue ones in red with 期限切れ."""

    headers = tuple(ACTION_HEADERS.values())

    def __init__(self, parent: Any = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.today = today or date.today()

    def set_rows(self, rows: list[ActionRow], today: date | None = None) -> None:
        self.today = today or date.today()
        super().set_rows(rows)

    def overdue_count(self) -> int:
        return sum(1 for a in self._rows if a.is_overdue(self.today))

    def cell(self, row: ActionRow, column: int, role: int) -> Any:
        column = ActionColumn(column)
        overdue = row.is_overdue(self.today)
        if role == Qt.ItemDataRole.DisplayRole:
            return _action_display(row, column, overdue)
        if role == SORT_ROLE:
            due = row.due_on.isoformat() if row.due_on else "9999-12-31"
            if column == ActionColumn.DUE:
                return (due, row.meeting_held_on.isoformat())
            if column == ActionColumn.SET_AT:
                return (row.meeting_held_on.isoformat(), due)
            return (_action_display(row, column, overdue), due)
        if role == Qt.ItemDataRole.ForegroundRole and overdue:
            return QBrush(OVERDUE)
        if role == Qt.ItemDataRole.FontRole and overdue and column == ActionColumn.DUE:
            font = QFont()
            font.setBold(True)
            return font
        return None


def _action_display(row: ActionRow, column: ActionColumn, overdue: bool) -> str:
    match column:
        case ActionColumn.DUE:
            text = format_wareki(row.due_on) if row.due_on else "（期限なし）"
            return f"{text}　期限切れ" if overdue else text
        case ActionColumn.STATUS:
            return row.status
        case ActionColumn.TEXT:
            return row.text
        case ActionColumn.OWNER:
            return row.owner
        case ActionColumn.COUNCIL:
            return row.council_name
        case ActionColumn.SET_AT:
            return format_wareki(row.meeting_held_on)


class AttendanceColumn(IntEnum):
    NAME = 0
    ORGANISATION = 1
    ROLE = 2
    STATUS = 3
    PROXY = 4


ATTENDANCE_HEADERS = {
    AttendanceColumn.NAME: "氏名",
    AttendanceColumn.ORGANISATION: "所属・役職",
    AttendanceColumn.ROLE: "役職",
    AttendanceColumn.STATUS: "出欠",
    AttendanceColumn.PROXY: "代理出席者",
}

# One key per state, so a paper sheet is typed in with one hand: ↓ and a digit per line.
STATUS_KEYS: dict[int, str] = {
    Qt.Key.Key_1: "出席",
    Qt.Key.Key_2: "欠席",
    Qt.Key.Key_3: "代理",
    Qt.Key.Key_4: "オブザーバー",
    Qt.Key.Key_0: "",
}


class AttendanceModel(RowTableModel[AttendanceRow]):
    """The meeting's attendance as an editable list: members first, then guests."""

    headers = tuple(ATTENDANCE_HEADERS.values())

    def __init__(self, rows: list[AttendanceRow], parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(rows)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)  # the line number on the paper sheet
        return super().headerData(section, orientation, role)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == AttendanceColumn.PROXY:
            return base | Qt.ItemFlag.ItemIsEditable
        if (
            index.isValid()
            and index.column() in (AttendanceColumn.NAME, AttendanceColumn.ORGANISATION)
            and not self._rows[index.row()].is_member
            and self._rows[index.row()].person_id is None
        ):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def cell(self, row: AttendanceRow, column: int, role: int) -> Any:
        column = AttendanceColumn(column)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            match column:
                case AttendanceColumn.NAME:
                    if role == Qt.ItemDataRole.EditRole or row.is_member:
                        return row.name
                    return (
                        f"{row.name}（ゲスト）"
                        if row.person_id is None
                        else f"{row.name}（委員外）"
                    )
                case AttendanceColumn.ORGANISATION:
                    return row.organisation
                case AttendanceColumn.ROLE:
                    return row.role
                case AttendanceColumn.STATUS:
                    return row.status or "未記録"
                case AttendanceColumn.PROXY:
                    return row.proxy_name
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == AttendanceColumn.STATUS and not row.status:
                return QBrush(QColor("#9e9e9e"))
            if column == AttendanceColumn.NAME and not row.is_member:
                return QBrush(QColor("#8a5a00"))  # flagged: not on the council
        if role == Qt.ItemDataRole.ToolTipRole and not row.is_member:
            return "この協議体の委員ではありません（ゲストとして記録されます）。"
        if role == SORT_ROLE:
            return reading_sort_key(row.reading, row.name)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = self._rows[index.row()]
        text = str(value).strip()
        match AttendanceColumn(index.column()):
            case AttendanceColumn.PROXY:
                new = replace(row, proxy_name=text, status="代理" if text else row.status)
            case AttendanceColumn.NAME:
                new = replace(row, name=text)
            case AttendanceColumn.ORGANISATION:
                new = replace(row, organisation=text)
            case _:
                return False
        self._rows[index.row()] = new
        left = self.index(index.row(), 0)
        self.dataChanged.emit(left, self.index(index.row(), len(AttendanceColumn) - 1))
        return True

    def set_status(self, row: int, status: str) -> None:
        current = self._rows[row]
        self._rows[row] = replace(
            current, status=status, proxy_name=current.proxy_name if status == "代理" else ""
        )
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(AttendanceColumn) - 1))

    def add_guest(self, name: str, organisation: str = "") -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(AttendanceRow(None, name, "", organisation, "", "出席", "", False))
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> bool:
        """Guests can be removed; members stay on the list (mark them 欠席 instead)."""
        if self._rows[row].is_member:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        return True


def fiscal_year_choices(rows: list[MeetingRow]) -> list[tuple[str, int]]:
    years = sorted({r.fiscal_year for r in rows}, reverse=True)
    return [(fiscal_year_label(y), y) for y in years]
