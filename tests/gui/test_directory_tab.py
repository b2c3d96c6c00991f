"""The 担い手・社会資源 tab: search and filter the resource list, add through the form, match."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from shienapp.core.context import AppContext
from shienapp.core.directory import PersonInput, ResourceInput
from shienapp.core.districts import DistrictInput
from shienapp.core.matching import NeedInput
from shienapp.core.schedule import parse_slot
from shienapp.core.timetable import PARTS
from shienapp.gui.directory.dialogs import NeedDialog, OutcomeDialog, PersonDialog, ResourceDialog
from shienapp.gui.directory.lists_dialog import ListsDialog
from shienapp.gui.directory.tab import (
    CELL_LINES,
    TOOLTIP_LINES,
    DirectoryTab,
    TimetableModel,
)
from shienapp.gui.main_window import MainWindow


@pytest.fixture
def districts(ctx: AppContext) -> dict[str, uuid.UUID]:
    block, _ = ctx.districts.create_block("北部ブロック", "ほくぶ")
    out = {}
    for name, reading in (("中居", "なかい"), ("八幡", "やわた")):
        out[name], _ = ctx.districts.create_district(DistrictInput(name, reading, block.id))
    return out


@pytest.fixture
def tab(ctx: AppContext, districts: dict[str, uuid.UUID], qtbot: QtBot) -> Iterator[DirectoryTab]:
    d = ctx.directory
    for name, reading, category, district, slot in (
        ("中居サロン", "なかいさろん", "居場所・サロン", "中居", "毎週火曜 14:00-16:00"),
        ("八幡カフェ", "やわたかふぇ", "居場所・サロン", "八幡", "第2・第4木曜 10:00-12:00"),
        ("見守り隊", "みまもりたい", "見守り", "中居", "毎週月曜 午前"),
    ):
        d.create_resource(
            ResourceInput(
                name, reading, category, ("高齢者",), districts[district], "",
                (parse_slot(slot),),
            )
        )  # fmt: skip
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.tabs.setCurrentWidget(win.directory_tab)
    yield win.directory_tab


def names(tab: DirectoryTab) -> list[str]:
    proxy = tab.resources.proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


@pytest.mark.parametrize("query", ["ｻﾛﾝ", "さろん", "サロン"])
def test_search_folds_width_and_kana(tab: DirectoryTab, query: str) -> None:
    tab.resources.search.insert(query)
    tab.resources.search.flush()
    # The name of one, the category (居場所・サロン) of the other; not 見守り隊.
    assert sorted(names(tab)) == ["中居サロン", "八幡カフェ"]


def test_filters_by_district_category_and_weekday(
    tab: DirectoryTab, districts: dict[str, uuid.UUID]
) -> None:
    assert sorted(names(tab)) == ["中居サロン", "八幡カフェ", "見守り隊"]
    tab.category_filter.setCurrentText("居場所・サロン")
    assert sorted(names(tab)) == ["中居サロン", "八幡カフェ"]
    tab.weekday_filter.setCurrentText("木曜")
    assert names(tab) == ["八幡カフェ"]
    tab.weekday_filter.setCurrentIndex(0)
    tab.district_filter.setCurrentText("中居")
    assert names(tab) == ["中居サロン"]
    assert tab.resources.count.text() == "1 / 3 件"
    # The timetable shows what the list shows: 火曜 afternoon only.
    assert tab.timetable.cells == {(1, "午後"): ["中居サロン 14:00～16:00"]}


def test_add_a_resource_through_the_form(tab: DirectoryTab, ctx: AppContext, qtbot: QtBot) -> None:
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ResourceDialog):
            QTimer.singleShot(10, fill)
            return
        dialog.name.insert("団地カフェ たんぽぽ")
        dialog.reading.insert("だんちかふぇ たんぽぽ")
        dialog.category.setCurrentText("居場所・サロン")
        dialog.schedule.setPlainText("第２・第４木曜 10:00～12:00")
        dialog.capacity.insert("20")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    QTimer.singleShot(0, fill)
    tab.resources.buttons["追加"].click()
    row = ctx.directory.find_resource("団地カフェ たんぽぽ")
    assert row.schedule_text == "第2・第4 木曜 10:00～12:00"
    assert row.capacity == 20
    assert "団地カフェ たんぽぽ" in names(tab)


def test_a_bad_schedule_keeps_the_form_open(tab: DirectoryTab, ctx: AppContext) -> None:
    saved: list[object] = []
    dialog = ResourceDialog([], [], [], tab._vocab(), None, saved.append, tab)
    dialog.name.insert("新しい活動")
    dialog.schedule.setPlainText("毎週火曜 午後\nそのうち")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "日時 2 行目" in dialog.message.text() and "曜日が読めません" in dialog.message.text()
    assert saved == [] and dialog.name.text() == "新しい活動"
    dialog.reject()


def test_only_the_page_on_screen_is_read(tab: DirectoryTab, ctx: AppContext) -> None:
    """A large city's 50,000 people are not read to show its activities."""
    ctx.directory.create_person(PersonInput("青木 一郎", "あおき いちろう"))
    tab.reload()
    assert names(tab) == ["中居サロン", "見守り隊", "八幡カフェ"]
    assert tab.people.stale and tab.people.model.rowCount() == 0
    assert tab.needs.stale
    tab.pages.setCurrentWidget(tab.people)
    assert not tab.people.stale
    assert [r.name for r in tab.people.model.rows] == ["青木 一郎"]
    assert tab.needs.stale  # still not shown


def test_the_timetable_is_read_after_the_list_is_painted(tab: DirectoryTab, qtbot: QtBot) -> None:
    tab.reload()
    assert tab.timetable.stale  # the list first; the cells one event-loop turn later
    qtbot.waitUntil(lambda: not tab.timetable.stale)
    index = tab.timetable.index(PARTS.index("午後"), 1)  # 火曜 afternoon
    assert index.data() == "中居サロン 14:00～16:00"


def test_a_full_timetable_cell_shows_how_many_more() -> None:
    model = TimetableModel()
    names_ = [f"サロン{i:03d} 10:00～12:00" for i in range(100)]
    model.set_cells({(0, "午前"): names_})
    shown = model.index(0, 0).data().split("\n")
    assert shown == [f"100 件（先頭 {CELL_LINES - 1} 件を表示）", *names_[: CELL_LINES - 1]]
    tip = model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).split("\n")
    assert tip == [f"100 件（先頭 {TOOLTIP_LINES - 1} 件を表示）", *names_[: TOOLTIP_LINES - 1]]
    model.set_cells({(0, "午前"): names_[:CELL_LINES]})
    assert model.index(0, 0).data().split("\n") == ["8 件", *names_[:CELL_LINES]]  # all shown
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).split("\n") == names_[:8]
    model.set_cells({(0, "午前"): names_[:3]})
    assert model.index(0, 0).data().split("\n") == names_[:3]  # three fit: no count


def test_a_timetable_closed_before_its_read_is_left_alone(
    ctx: AppContext, districts: dict[str, uuid.UUID], qtbot: QtBot
) -> None:
    """The queued read dies with the view (a deferred call outliving a window crashed)."""
    win = MainWindow(ctx)
    win.show()
    win.tabs.setCurrentWidget(win.directory_tab)
    win.directory_tab.reload()
    assert win.directory_tab.timetable.stale
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def test_candidates_for_a_need_and_recording_a_match(
    tab: DirectoryTab, ctx: AppContext, districts: dict[str, uuid.UUID]
) -> None:
    person_id, _ = ctx.directory.create_person(
        PersonInput(
            "青木 一郎", "あおき いちろう", volunteer_status="活動中", skills=("ごみ出し",),
            covered_district_ids=(districts["八幡"],),
        )
    )  # fmt: skip
    need_id, _ = ctx.matching.create_need(
        NeedInput(
            "ごみ出し", date(2025, 1, 10), source="匿名", district_id=districts["八幡"],
            skill="ごみ出し",
        )
    )  # fmt: skip
    tab.reload()
    tab.pages.setCurrentWidget(tab.needs)
    tab.needs.select_id(need_id)
    assert [c.name for c in tab.candidates.rows] == ["青木 一郎"]
    tab.candidates_view.setCurrentIndex(tab.candidates.index(0, 0))
    tab.match_button.click()
    assert ctx.matching.get_need(need_id).status == "調整中"
    assert ctx.matching.booked_slots() == {}  # no time given: nothing booked
    assert person_id == tab.candidates.rows[0].id


def test_editing_keeps_what_the_form_does_not_change(tab: DirectoryTab, ctx: AppContext) -> None:
    """A resource's contact person and helpers, a skill dropped from the list: saving the form
    unchanged must not lose them."""
    helper, _ = ctx.directory.create_person(
        PersonInput("石川 茂", "いしかわ しげる", volunteer_status="活動中", skills=("将棋",))
    )
    ctx.directory.set_terms("skill", ["送迎", "見守り"])  # 将棋 no longer on the list
    resource, _ = ctx.directory.create_resource(
        ResourceInput(
            name="中居将棋クラブ", category="居場所・サロン", contact_person_id=helper,
            helper_ids=(helper,),
        )
    )  # fmt: skip
    tab.reload()
    tab.people.ensure_loaded()  # a page not on screen is read after the one that is
    saved: list[object] = []
    row = ctx.directory.get_resource(resource)
    dialog = ResourceDialog([], [], tab.people.model.rows, tab._vocab(), row, saved.append, tab)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    [data] = saved
    assert data.contact_person_id == helper and data.helper_ids == (helper,)  # type: ignore[attr-defined]
    person = ctx.directory.get_person(helper)
    form = PersonDialog([], tab._vocab(), person, saved.append, tab)
    form.buttons.button(form.buttons.StandardButton.Save).click()
    assert saved[-1].skills == ("将棋",)  # type: ignore[attr-defined]


def test_recording_how_a_match_turned_out(
    tab: DirectoryTab, ctx: AppContext, districts: dict[str, uuid.UUID]
) -> None:
    person_id, _ = ctx.directory.create_person(
        PersonInput("青木 一郎", "あおき いちろう", volunteer_status="活動中", skills=("送迎",))
    )
    need_id, _ = ctx.matching.create_need(
        NeedInput("通院の送迎", date(2025, 1, 10), source="匿名", skill="送迎")
    )
    ctx.matching.record_match(need_id, person_id=person_id, matched_on=date(2025, 1, 12))
    tab.reload()
    tab.needs.select_id(need_id)
    assert tab.matches.rowCount() == 1
    assert tab.matches.data(tab.matches.index(0, 2)) == "青木 一郎"

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, OutcomeDialog):
            QTimer.singleShot(10, fill)
            return
        dialog.status.setCurrentText("成立")
        dialog.outcome.setPlainText("毎週金曜に送迎")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    tab.matches_view.setCurrentIndex(tab.matches.index(0, 0))
    QTimer.singleShot(0, fill)
    tab.outcome_button.click()
    assert ctx.matching.get_need(need_id).status == "マッチ済"
    assert tab.matches.data(tab.matches.index(0, 5)) == "毎週金曜に送迎"


def test_editing_a_list_offers_the_new_word_in_the_forms(
    tab: DirectoryTab, ctx: AppContext
) -> None:
    def edit() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ListsDialog):
            QTimer.singleShot(10, edit)
            return
        dialog.kind.setCurrentIndex(dialog.kind.findData("category"))
        dialog.add()
        item = dialog.items.item(dialog.items.count() - 1)
        item.setText("多世代交流")
        dialog.items.setCurrentRow(dialog.items.count() - 1)
        for _ in range(dialog.items.count() - 1):
            dialog.move(-1)
        dialog.save()
        assert "保存しました" in dialog.message.text()
        dialog.reject()

    QTimer.singleShot(0, edit)
    tab.lists_button.click()
    assert ctx.directory.terms("category")[0] == "多世代交流"
    assert tab.category_filter.itemText(1) == "多世代交流"


def _catch_preview(seen: list[tuple[bytes, str]]) -> None:
    from shienapp.gui.pdf_preview import PdfPreviewDialog

    widget = QApplication.activeModalWidget()
    if not isinstance(widget, PdfPreviewDialog) or widget.document.pageCount() == 0:
        QTimer.singleShot(20, lambda: _catch_preview(seen))
        return
    seen.append((widget.pdf, widget.windowTitle()))
    widget.reject()


@pytest.mark.parametrize(
    ("entry", "title"),
    [
        (0, "活動・社会資源の一覧 中居"),
        (1, "（職員用・取扱注意） 中居"),
        (2, "週間活動表 中居"),
        (4, "担い手名簿（取扱注意） 中居"),
    ],
)
def test_print_menu_previews_the_chosen_district(
    tab: DirectoryTab, qtbot: QtBot, entry: int, title: str
) -> None:
    tab.district_filter.setCurrentIndex(tab.district_filter.findText("中居"))
    assert names(tab) == ["中居サロン", "見守り隊"]
    seen: list[tuple[bytes, str]] = []
    QTimer.singleShot(0, lambda: _catch_preview(seen))
    tab.files.print_menu.actions()[entry].trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    pdf, window_title = seen[0]
    assert pdf.startswith(b"%PDF") and title in window_title


def test_a_venue_timetable_needs_a_chosen_activity(
    tab: DirectoryTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    tab.resources.table.clearSelection()
    tab.resources.table.setCurrentIndex(tab.resources.proxy.index(-1, -1))
    tab.files.print_timetable(by_venue=True)
    assert told and "会場のある活動を一覧から選んで" in told[0]


def test_import_adds_rows_and_a_bad_file_changes_nothing(
    tab: DirectoryTab, ctx: AppContext, qtbot: QtBot, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from PySide6.QtWidgets import QMessageBox

    import shienapp.gui.directory.files as files

    told: list[str] = []
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    monkeypatch.setattr(files, "show_error", lambda _p, exc, *_a: errors.append(exc.full_text()))
    good = tmp_path / "good.csv"
    good.write_text("名称,分類,地区,日時\n八幡体操,介護予防,八幡,毎週水曜 午前\n", "utf-8")
    tab.files.import_file("resources", good)
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    assert "新規 1 件" in told[0]
    qtbot.waitUntil(lambda: "八幡体操" in names(tab))

    bad = tmp_path / "bad.csv"
    bad.write_text("名称,地区\n新しい活動,中居\n壊れた活動,火星\n", "utf-8")
    tab.files.import_file("resources", bad)
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert "3行目「地区」列: 地区「火星」は登録されていません" in errors[0]
    assert "新しい活動" not in [r.name for r in ctx.directory.list_resources()]


def test_export_and_template_from_the_tab(
    tab: DirectoryTab, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QMessageBox

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    out = tmp_path / "people.xlsx"
    tab.files.export_file("people", out)
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    assert "取扱注意" in told[0] and "取扱注意" in load_workbook(out).sheetnames
    template = tmp_path / "t.csv"
    tab.files.save_template("organizations", template)
    assert template.read_text("utf-8-sig").startswith("ID,名称,フリガナ,種別")
    hsds = tmp_path / "hsds.json"
    tab.files.export_hsds(hsds)
    assert '"byday": "2TH,4TH"' in hsds.read_text("utf-8")
    assert "活動 3 件" in told[-1]


def test_a_need_for_someone_not_on_the_list_keeps_the_form_open(
    tab: DirectoryTab, ctx: AppContext
) -> None:
    ctx.directory.create_person(PersonInput("青木 一郎", "あおき いちろう"))
    saved: list[object] = []
    dialog = NeedDialog(
        tab._districts(), ctx.directory.person_choices(), tab._vocab(), None, saved.append, tab
    )
    dialog.summary.setPlainText("ごみ出しを手伝ってほしい")
    dialog.person.lineEdit().setText("青木 二郎")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert saved == [] and "相談者：「青木 二郎」は名簿にありません" in dialog.message.text()
    dialog.person.lineEdit().setText("青木 一郎")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    (need,) = saved
    assert need.person_id == ctx.directory.person_choices()[0].id  # type: ignore[attr-defined]
