"""The district data book: contents page numbers, progress, cancelling."""

from __future__ import annotations

from datetime import date

import pytest
from pdfcheck import read, texts

from shienapp.core.context import AppContext
from shienapp.core.districts import DistrictInput, StatisticsInput
from shienapp.reports.district_book import (
    BookCancelled,
    book_pages,
    contents_page_count,
    render_district_book,
)


@pytest.fixture
def three(ctx: AppContext) -> AppContext:
    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    for name, reading in (("青葉", "あおば"), ("北山", "きたやま"), ("髙田", "たかだ")):
        district, _ = ctx.districts.create_district(DistrictInput(name, reading, block.id))
        ctx.districts.set_statistics(district, StatisticsInput(2024, 1000, 300))
    return ctx


def test_contents_pages_are_known_before_layout() -> None:
    assert contents_page_count(1) == contents_page_count(39) == 1
    assert contents_page_count(41) == 2
    assert contents_page_count(200) == 5


def test_the_book_reports_progress_and_names_every_district(three: AppContext) -> None:
    seen: list[tuple[int, int]] = []
    pages = book_pages(three, 2024, progress=lambda d, t: seen.append((d, t)))
    pdf = render_district_book(
        pages, 2024, issued_on=date(2025, 3, 1), progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (6, 6) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    text = [t.replace(" ", "").replace("\n", "") for t in texts(read(pdf))]
    assert len(text) == 4
    assert "30.0%" in text[0] and "髙田" in text[0]  # 髙 printed as typed
    assert "地区カルテ青葉" in text[1] and "地区カルテ髙田" in text[3]


def test_cancelling_stops_with_a_japanese_message(three: AppContext) -> None:
    with pytest.raises(BookCancelled, match="中止しました"):
        book_pages(three, 2024, is_cancelled=lambda: True)
    pages = book_pages(three, 2024)
    with pytest.raises(BookCancelled):
        render_district_book(pages, 2024, is_cancelled=lambda: True)
