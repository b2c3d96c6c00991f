"""Qt models over the district rows core returns: the view never holds the only copy."""

from __future__ import annotations

import uuid
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from shienapp.core.districts import DistrictRow, StatisticsRow
from shienapp.core.jpdate import fiscal_year_label, format_wareki
from shienapp.core.stats import format_count, format_rate
from shienapp.core.text import matches, reading_sort_key, search_terms

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex

_STATUS_COLOURS = {
    "設置済": QColor("#1b5e20"),
    "準備中": QColor("#8a5a00"),
    "休止": QColor("#6d4c41"),
    "未設置": QColor("#b00020"),
}


class DistrictColumn(IntEnum):
    BLOCK = 0
    CODE = 1
    NAME = 2
    READING = 3
    COUNCIL = 4
    ESTABLISHED = 5
    COORDINATOR = 6
    FISCAL_YEAR = 7
    POPULATION = 8
    ELDERLY = 9
    AGEING_RATE = 10


DISTRICT_HEADERS = {
    DistrictColumn.BLOCK: "ブロック",
    DistrictColumn.CODE: "コード",
    DistrictColumn.NAME: "地区名",
    DistrictColumn.READING: "フリガナ",
    DistrictColumn.COUNCIL: "協議体",
    DistrictColumn.ESTABLISHED: "設置日",
    DistrictColumn.COORDINATOR: "担当SC",
    DistrictColumn.FISCAL_YEAR: "統計年度",
    DistrictColumn.POPULATION: "総人口",
    DistrictColumn.ELDERLY: "65歳以上",
    DistrictColumn.AGEING_RATE: "高齢化率",
}

_NUMERIC = {DistrictColumn.POPULATION, DistrictColumn.ELDERLY, DistrictColumn.AGEING_RATE}


class DistrictTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[DistrictRow] = []

    def set_rows(self, rows: list[DistrictRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> DistrictRow:
        return self._rows[row]

    def row_of(self, district_id: uuid.UUID) -> int | None:
        for number, row in enumerate(self._rows):
            if row.id == district_id:
                return number
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DistrictColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return DISTRICT_HEADERS[DistrictColumn(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = DistrictColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == SORT_ROLE:
            return _sort_value(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == DistrictColumn.COUNCIL:
            colour = _STATUS_COLOURS.get(row.council_status)
            return QBrush(colour) if colour else None
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and column == DistrictColumn.ESTABLISHED
            and row.established_on
        ):
            return row.established_on.isoformat()
        return None


def _display(row: DistrictRow, column: DistrictColumn) -> str:
    match column:
        case DistrictColumn.BLOCK:
            return row.block_name
        case DistrictColumn.CODE:
            return row.code
        case DistrictColumn.NAME:
            return row.name
        case DistrictColumn.READING:
            return row.reading
        case DistrictColumn.COUNCIL:
            return row.council_status
        case DistrictColumn.ESTABLISHED:
            return format_wareki(row.established_on)
        case DistrictColumn.COORDINATOR:
            return row.coordinator_name
        case DistrictColumn.FISCAL_YEAR:
            return fiscal_year_label(row.latest_fiscal_year) if row.latest_fiscal_year else ""
        case DistrictColumn.POPULATION:
            return format_count(row.total_population)
        case DistrictColumn.ELDERLY:
            return format_count(row.population_65_plus)
        case DistrictColumn.AGEING_RATE:
            return format_rate(row.ageing_rate) if row.latest_fiscal_year else ""


_STATUS_ORDER = {"設置済": 0, "準備中": 1, "休止": 2, "未設置": 3}


def _sort_value(row: DistrictRow, column: DistrictColumn) -> Any:
    """What the column sorts by: readings in 五十音順, dates as ISO, numbers as numbers."""
    name_key = reading_sort_key(row.reading, row.name)
    match column:
        case DistrictColumn.BLOCK:
            return (row.block_order, *name_key)
        case DistrictColumn.CODE:
            return (row.code, *name_key)
        case DistrictColumn.NAME | DistrictColumn.READING:
            return name_key
        case DistrictColumn.COUNCIL:
            return (_STATUS_ORDER.get(row.council_status, 9), *name_key)
        case DistrictColumn.ESTABLISHED:
            return (row.established_on.isoformat() if row.established_on else "9999", *name_key)
        case DistrictColumn.COORDINATOR:
            return (row.coordinator_name, *name_key)
        case DistrictColumn.FISCAL_YEAR:
            return (row.latest_fiscal_year or 0, *name_key)
        case DistrictColumn.POPULATION:
            return (row.total_population if row.total_population is not None else -1, *name_key)
        case DistrictColumn.ELDERLY:
            return (row.population_65_plus if row.population_65_plus is not None else -1, *name_key)
        case DistrictColumn.AGEING_RATE:
            rate = row.ageing_rate
            return (rate if rate is not None else -1.0, *name_key)


class DistrictFilterProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` and filters by search terms (folded by core), block and status."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._terms: list[str] = []
        self._block_id: uuid.UUID | None = None
        self._status: str | None = None

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._terms = search_terms(text)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_block(self, block_id: uuid.UUID | None) -> None:
        self.beginFilterChange()
        self._block_id = block_id
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_status(self, status: str | None) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def lessThan(self, left: _Index, right: _Index) -> bool:
        return left.data(SORT_ROLE) < right.data(SORT_ROLE)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, DistrictTableModel)
        row = model.row_at(source_row)
        if self._block_id is not None and row.block_id != self._block_id:
            return False
        if self._status is not None and row.council_status != self._status:
            return False
        return matches(self._terms, row.search_key)


class StatisticsColumn(IntEnum):
    FISCAL_YEAR = 0
    POPULATION = 1
    ELDERLY = 2
    LATE_ELDERLY = 3
    HOUSEHOLDS = 4
    SINGLE = 5
    AGEING_RATE = 6
    CITY_RATE = 7


STATISTICS_HEADERS = {
    StatisticsColumn.FISCAL_YEAR: "年度",
    StatisticsColumn.POPULATION: "総人口",
    StatisticsColumn.ELDERLY: "65歳以上",
    StatisticsColumn.LATE_ELDERLY: "75歳以上",
    StatisticsColumn.HOUSEHOLDS: "世帯数",
    StatisticsColumn.SINGLE: "高齢者単身世帯",
    StatisticsColumn.AGEING_RATE: "高齢化率",
    StatisticsColumn.CITY_RATE: "市平均",
}


class StatisticsTableModel(QAbstractTableModel):
    """One district's yearly figures, newest first, with the computed rate and the city's."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[StatisticsRow] = []
        self._city_rates: dict[int, float | None] = {}

    def set_rows(self, rows: list[StatisticsRow], city_rates: dict[int, float | None]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda r: r.fiscal_year, reverse=True)
        self._city_rates = dict(city_rates)
        self.endResetModel()

    def row_at(self, row: int) -> StatisticsRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(StatisticsColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return STATISTICS_HEADERS[StatisticsColumn(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = StatisticsColumn(index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and column != StatisticsColumn.FISCAL_YEAR:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SORT_ROLE:
            return row.fiscal_year
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        match column:
            case StatisticsColumn.FISCAL_YEAR:
                return fiscal_year_label(row.fiscal_year)
            case StatisticsColumn.POPULATION:
                return format_count(row.total_population)
            case StatisticsColumn.ELDERLY:
                return format_count(row.population_65_plus)
            case StatisticsColumn.LATE_ELDERLY:
                return format_count(row.population_75_plus)
            case StatisticsColumn.HOUSEHOLDS:
                return format_count(row.households)
            case StatisticsColumn.SINGLE:
                return format_count(row.elderly_single_households)
            case StatisticsColumn.AGEING_RATE:
                return format_rate(row.ageing_rate)
            case StatisticsColumn.CITY_RATE:
                return format_rate(self._city_rates.get(row.fiscal_year))
