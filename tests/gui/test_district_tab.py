"""The 地区台帳 tab driven through its widgets, as a member of staff would use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.gui.districts.dialogs import DistrictDialog, StatisticsDialog
from shienapp.gui.districts.model import DistrictColumn
from shienapp.gui.main_window import MainWindow


@pytest.fixture
def window(ctx: AppContext, qtbot: QtBot) -> Iterator[MainWindow]:
    block, _ = ctx.districts.create_block("北部ブロック", "ほくぶ")
    ctx.districts.create_district(
        DistrictInput("青葉", "アオバ", block.id, council=CouncilInput("設置済"))
    )
    ctx.districts.create_district(DistrictInput("桜台", "サクラダイ", block.id))
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    yield win


def _names(win: MainWindow) -> list[str]:
    proxy = win.district_tab.controller.proxy  # type: ignore[attr-defined]
    return [proxy.index(r, DistrictColumn.NAME).data() for r in range(proxy.rowCount())]


# QTest.keyClicks types ASCII only; Japanese arrives from the input method as committed text,
# which QLineEdit.insert() reproduces (it marks the field as edited by the user).


def _when_modal(action: Callable[[QWidget], None]) -> None:
    """Act on the next modal dialog once it is open (dialogs run their own event loop)."""

    def attempt() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(10, attempt)
            return
        action(widget)

    QTimer.singleShot(0, attempt)


def test_tabs_are_there_in_japanese(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == [
        "地区台帳",
        "会議・議事録",
        "担い手・社会資源",
        "ネットワーク形成図",
        "集計・グラフ",
    ]


def test_add_district_through_the_dialog(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    view = window.district_tab

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, DistrictDialog)
        dialog.name.insert("中居")
        dialog.reading.insert("なかい")
        dialog.status.setCurrentText("設置済")
        qtbot.keyClicks(dialog.established.edit, "R5.7.12")
        dialog.coordinator.insert("架空 春子")
        dialog.domain_boxes["高齢"].setChecked(True)
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
        )

    _when_modal(fill)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert _names(window) == ["青葉", "桜台", "中居"]  # 五十音順: あおば, さくらだい, なかい
    row = ctx.districts.find_district("中居")
    assert row.council_status == "設置済"
    assert row.established_on is not None and row.established_on.isoformat() == "2023-07-12"
    assert view.title.text() == "中居"  # the new district is selected and shown


def test_refused_save_keeps_the_dialog_open_with_the_reason(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    blocks = ctx.districts.list_blocks()
    saved: list[DistrictInput] = []

    def save(data: DistrictInput) -> None:
        ctx.districts.create_district(data)
        saved.append(data)

    dialog = DistrictDialog(blocks, None, window, save=save)
    qtbot.addWidget(dialog)
    dialog.name.insert("青葉")  # already registered
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "すでに登録されています" in dialog.message.text()
    assert not saved
    assert dialog.name.text() == "青葉"  # what was typed is still there


def test_edit_district(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    view = window.district_tab
    controller = view.controller  # type: ignore[attr-defined]
    controller.select(ctx.districts.find_district("桜台").id)

    def change(dialog: QWidget) -> None:
        assert isinstance(dialog, DistrictDialog)
        dialog.name.clear()
        dialog.name.insert("桜台東")
        dialog.status.setCurrentText("準備中")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    _when_modal(change)
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    assert "桜台東" in _names(window)
    assert ctx.districts.find_district("桜台東").council_status == "準備中"


def test_search_by_hiragana_finds_katakana_reading(window: MainWindow, qtbot: QtBot) -> None:
    view = window.district_tab
    view.search.insert("さくら")
    view.search.flush()
    assert _names(window) == ["桜台"]
    assert view.count_label.text() == "1 / 2 地区"
    view.search.clear()
    view.search.insert("ｱｵ")  # half-width katakana too
    view.search.flush()
    assert _names(window) == ["青葉"]


def test_delete_district(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = window.district_tab
    view.controller.select(ctx.districts.find_district("青葉").id)  # type: ignore[attr-defined]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert _names(window) == ["桜台"]
    assert [r.name for r in ctx.districts.list_districts()] == ["桜台"]


def test_statistics_dialog_computes_the_rate_and_saves(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    view = window.district_tab
    district_id = ctx.districts.find_district("青葉").id
    view.controller.select(district_id)  # type: ignore[attr-defined]

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, StatisticsDialog)
        dialog.fiscal_year.setValue(2024)
        dialog.total.setValue(10000)
        dialog.p65.setValue(2844)
        assert dialog.rate.text() == "28.4%"
        dialog._on_save()

    _when_modal(fill)
    qtbot.mouseClick(view.add_stat_button, Qt.MouseButton.LeftButton)
    detail = ctx.districts.get_district(district_id)
    assert [s.fiscal_year for s in detail.statistics] == [2024]
    assert "28.4%" in view.rate_label.text()


def test_statistics_dialog_refuses_inconsistent_figures(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    district_id = ctx.districts.find_district("青葉").id
    dialog = StatisticsDialog(
        "青葉", None, window, save=lambda data: ctx.districts.set_statistics(district_id, data)
    )
    qtbot.addWidget(dialog)
    dialog.total.setValue(100)
    dialog.p65.setValue(200)
    dialog._on_save()
    assert "総人口（100）より多くなっています" in dialog.message.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert ctx.districts.get_district(district_id).statistics == ()


def test_print_sheet_opens_a_one_page_preview(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    from shienapp.gui.pdf_preview import PdfPreviewDialog

    window.district_tab.controller.select(ctx.districts.find_district("青葉").id)  # type: ignore[attr-defined]
    seen: list[tuple[bytes, int, str]] = []

    def look() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, PdfPreviewDialog) or widget.document.pageCount() == 0:
            QTimer.singleShot(20, look)  # the progress dialog may come first
            return
        seen.append((widget.pdf, widget.document.pageCount(), widget.windowTitle()))
        widget.reject()

    QTimer.singleShot(0, look)
    qtbot.mouseClick(window.district_tab.sheet_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    pdf, pages, title = seen[0]
    assert pdf.startswith(b"%PDF")
    assert pages == 1
    assert "青葉 地区カルテ" in title


def test_editing_keeps_a_district_in_its_block(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    south, _ = ctx.districts.create_block("南部ブロック", "なんぶ")
    district_id, _ = ctx.districts.create_district(DistrictInput("港", "みなと", south.id))
    window.district_tab.controller.reload()  # type: ignore[attr-defined]
    window.district_tab.controller.select(district_id)  # type: ignore[attr-defined]

    def save_unchanged(dialog: QWidget) -> None:
        assert isinstance(dialog, DistrictDialog)
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    _when_modal(save_unchanged)
    qtbot.mouseClick(window.district_tab.edit_button, Qt.MouseButton.LeftButton)
    assert ctx.districts.get_district(district_id).row.block_name == "南部ブロック"
