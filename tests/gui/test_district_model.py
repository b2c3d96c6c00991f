"""The district table model on its own: Qt's model checks, and sorting by the sort role."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from shienapp.core.districts import DistrictRow
from shienapp.core.text import fold
from shienapp.gui.districts.model import (
    DistrictColumn,
    DistrictFilterProxy,
    DistrictTableModel,
)

BLOCK_A, BLOCK_B = uuid.uuid4(), uuid.uuid4()


def _row(
    name: str,
    reading: str,
    *,
    block: uuid.UUID = BLOCK_A,
    order: int = 1,
    established: date | None = None,
    total: int | None = None,
    p65: int | None = None,
    status: str = "設置済",
) -> DistrictRow:
    return DistrictRow(
        id=uuid.uuid4(),
        version=1,
        code="",
        name=name,
        reading=reading,
        block_id=block,
        block_name="北" if block == BLOCK_A else "南",
        block_order=order,
        council_status=status,
        established_on=established,
        coordinator_name="",
        domains=(),
        latest_fiscal_year=2024 if total else None,
        total_population=total,
        population_65_plus=p65,
        search_key="\x00".join(fold(x) for x in (name, reading)),
    )


ROWS = [
    _row("旭", "あさひ", established=date(2019, 5, 1), total=1000, p65=300),
    _row("柿ノ木", "かきのき", established=date(2019, 4, 30), total=2000, p65=500),
    _row("鏡町", "かがみちょう", established=date(2024, 1, 1), total=500, p65=250),
    _row("芝原", "シバハラ", block=BLOCK_B, order=2, status="未設置"),
]


def _proxy() -> tuple[DistrictTableModel, DistrictFilterProxy]:
    model = DistrictTableModel()
    model.set_rows(ROWS)
    proxy = DistrictFilterProxy()
    proxy.setSourceModel(model)
    return model, proxy


def _column(proxy: DistrictFilterProxy, column: DistrictColumn) -> list[str]:
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def test_model_passes_qt_model_checks(qtmodeltester: ModelTester) -> None:
    model, proxy = _proxy()
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)


def test_names_sort_by_reading_in_gojuon_order() -> None:
    _, proxy = _proxy()
    proxy.sort(DistrictColumn.NAME, Qt.SortOrder.AscendingOrder)
    # あさひ, かがみちょう (か + dakuten sorts with か, before かき), かきのき, シバハラ
    assert _column(proxy, DistrictColumn.NAME) == ["旭", "鏡町", "柿ノ木", "芝原"]


def test_wareki_dates_sort_by_the_real_date() -> None:
    _, proxy = _proxy()
    proxy.sort(DistrictColumn.ESTABLISHED, Qt.SortOrder.AscendingOrder)
    # 平成31年4月30日 < 令和元年5月1日 < 令和6年1月1日, then no date last
    assert _column(proxy, DistrictColumn.ESTABLISHED) == [
        "平成31年4月30日",
        "令和元年5月1日",
        "令和6年1月1日",
        "",
    ]


def test_rates_sort_as_numbers_and_show_one_decimal() -> None:
    _, proxy = _proxy()
    proxy.sort(DistrictColumn.AGEING_RATE, Qt.SortOrder.DescendingOrder)
    assert _column(proxy, DistrictColumn.AGEING_RATE) == ["50.0%", "30.0%", "25.0%", ""]


def test_filter_by_search_block_and_status() -> None:
    _, proxy = _proxy()
    proxy.set_search("しば")
    assert _column(proxy, DistrictColumn.NAME) == ["芝原"]
    proxy.set_search("")
    proxy.set_block(BLOCK_A)
    assert sorted(_column(proxy, DistrictColumn.NAME)) == sorted(["旭", "柿ノ木", "鏡町"])
    proxy.set_block(None)
    proxy.set_status("未設置")
    assert _column(proxy, DistrictColumn.NAME) == ["芝原"]
