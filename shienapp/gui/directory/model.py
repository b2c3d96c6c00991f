"""Qt models over the directory rows: resources, people, organisations, needs, candidates."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from shienapp.core.directory import OrganisationRow, PersonRow, ResourceRow
from shienapp.core.jpdate import format_wareki
from shienapp.core.matching import Candidate, MatchRow, NeedRow
from shienapp.core.text import matches, reading_sort_key, search_terms
from shienapp.gui.table_model import SORT_ROLE, PagedTableModel, RowTableModel, SortRoleProxy
from shienapp.gui.table_model import Index as _Index

FLAG = QColor("#b00020")
MUTED = QColor("#757575")


class ResourceTableModel(PagedTableModel[ResourceRow]):
    headers = ("名称", "分類", "対象", "地区", "会場", "日時", "状態")
    # 名称: 五十音順 ("" would be the booklet's order, by category first).
    sort_names = ("name", "category", "target", "district", "venue", "schedule", "status")

    def cell(self, r: ResourceRow, column: int, role: int) -> Any:
        values = (
            r.name,
            r.category,
            "・".join(r.target_groups),
            r.district_name,
            r.venue,
            r.schedule_text,
            r.status,
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return values[column]
        if role == SORT_ROLE:
            name_key = reading_sort_key(r.reading, r.name)
            return name_key if column == 0 else (values[column], *name_key)
        if role == Qt.ItemDataRole.ForegroundRole and r.status in ("休止", "終了"):
            return QBrush(MUTED)
        return None


class PersonTableModel(PagedTableModel[PersonRow]):
    headers = ("氏名", "フリガナ", "地区", "役割", "できること", "電話", "同意")
    sort_names = ("", "", "district", "roles", "skills", "phone", "consent")

    def cell(self, p: PersonRow, column: int, role: int) -> Any:
        consent = (
            format_wareki(p.consent_on) if p.consent_on else ("同意未確認" if p.has_contact else "")
        )
        values = (
            p.name,
            p.reading,
            p.district_name,
            "・".join(p.roles),
            "・".join(p.skills),
            p.phone,
            consent,
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return values[column]
        if role == SORT_ROLE:
            name_key = reading_sort_key(p.reading, p.name)
            return name_key if column in (0, 1) else (values[column], *name_key)
        if role == Qt.ItemDataRole.ForegroundRole and p.needs_consent_flag and column in (5, 6):
            return QBrush(FLAG)
        if role == Qt.ItemDataRole.ToolTipRole and p.needs_consent_flag:
            return "連絡先がありますが、個人情報の利用の同意が記録されていません。"
        return None


class OrganisationTableModel(PagedTableModel[OrganisationRow]):
    headers = ("名称", "種別", "地区", "電話", "住所")
    sort_names = ("", "kind", "district", "phone", "address")

    def cell(self, o: OrganisationRow, column: int, role: int) -> Any:
        values = (o.name, o.kind, o.district_name, o.phone, o.address)
        if role == Qt.ItemDataRole.DisplayRole:
            return values[column]
        if role == SORT_ROLE:
            name_key = reading_sort_key(o.reading, o.name)
            return name_key if column == 0 else (values[column], *name_key)
        return None


class NeedTableModel(RowTableModel[NeedRow]):
    headers = ("受付日", "状態", "地区", "分類・できること", "内容", "相談者")

    def cell(self, n: NeedRow, column: int, role: int) -> Any:
        who = n.person_name or n.source_note or n.source
        values = (
            format_wareki(n.received_on),
            n.status,
            n.district_name,
            n.category or n.skill,
            n.summary,
            who,
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return values[column]
        if role == SORT_ROLE:
            when = n.received_on.isoformat()
            return when if column == 0 else (values[column], when)
        return None


class CandidateTableModel(RowTableModel[Candidate]):
    headers = ("点", "種類", "名前", "理由")

    def cell(self, c: Candidate, column: int, role: int) -> Any:
        values = (str(c.score), c.kind_label, c.name, "、".join(c.reasons))
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 2 and c.double_booked:
                return f"{c.name}　※重複"
            return values[column]
        if role == SORT_ROLE:
            return (-c.score, reading_sort_key(c.reading, c.name))
        if role == Qt.ItemDataRole.ForegroundRole and c.double_booked:
            return QBrush(FLAG)
        return None


class MatchTableModel(RowTableModel[MatchRow]):
    headers = ("マッチした日", "種類", "相手", "日時", "状態", "結果")

    def cell(self, m: MatchRow, column: int, role: int) -> Any:
        values = (
            format_wareki(m.matched_on),
            m.kind_label,
            m.partner_name,
            m.slot.describe() if m.slot else "",
            m.status,
            m.outcome,
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return values[column]
        if role == SORT_ROLE:
            return m.matched_on.toordinal() if column == 0 else values[column]
        if role == Qt.ItemDataRole.ForegroundRole and m.status in ("終了", "不成立"):
            return QBrush(MUTED)
        return None


class SearchProxy(SortRoleProxy):
    """Folded text search plus optional predicates (district, category, weekday …). Over a
    paged model the database searches and filters (and the first page is read again)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self._filters: dict[str, Any] = {}

    def _paged(self) -> PagedTableModel | None:  # type: ignore[type-arg]
        model = self.sourceModel()
        return model if isinstance(model, PagedTableModel) and model.paged else None

    def set_text(self, text: str) -> None:
        if (model := self._paged()) is not None:
            model.set_query(text=text)
            return
        self.beginFilterChange()
        self._terms = search_terms(text)
        self.endFilterChange(SortRoleProxy.Direction.Rows)

    def set_filter(self, name: str, value: Any) -> None:
        if (model := self._paged()) is not None:
            model.set_query(filters={name: value})
            return
        self.beginFilterChange()
        if value is None:
            self._filters.pop(name, None)
        else:
            self._filters[name] = value
        self.endFilterChange(SortRoleProxy.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, RowTableModel)
        if isinstance(model, PagedTableModel) and model.paged:
            return True  # the database filtered the rows
        row = model.row_at(source_row)
        if not matches(self._terms, row.search_key):
            return False
        return all(_accepts(row, name, value) for name, value in self._filters.items())


def _accepts(row: Any, name: str, value: Any) -> bool:
    match name:
        case "district":
            assert isinstance(value, uuid.UUID)
            covered = getattr(row, "covered_district_ids", ())
            return row.district_id == value or value in covered
        case "category":
            return row.category == value
        case "target":
            return value in row.target_groups or "誰でも" in row.target_groups
        case "weekday":
            return any(value in slot.weekdays for slot in row.schedule)
        case "status":
            return row.status == value
        case "volunteers":
            return bool(row.volunteer_status)
    return True
