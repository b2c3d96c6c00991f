"""The 集計・グラフ tab: the year's figures open their records; charts show their numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.core.meetings import MeetingInput
from shienapp.gui.dashboard.tab import DashboardTab
from shienapp.gui.main_window import MainWindow


@pytest.fixture
def tab(ctx: AppContext, qtbot: QtBot) -> Iterator[DashboardTab]:
    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    for name, reading, status in (("青葉", "あおば", "設置済"), ("八幡", "やわた", "準備中")):
        ctx.districts.create_district(
            DistrictInput(
                name,
                reading,
                block.id,
                council=CouncilInput(status, date(2019, 7, 1) if status == "設置済" else None),
            )
        )
    council = next(c for c in ctx.councils.list_councils() if c.district_id is not None)
    for month in (5, 6, 7):
        ctx.meetings.create_meeting(
            MeetingInput(council.id, date(2024, month, 10), status="開催済")
        )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.dashboard_tab)
    tab = window.dashboard_tab
    tab.year.setCurrentIndex(tab.year.findData(2024))
    yield tab


def tile_texts(tab: DashboardTab) -> list[str]:
    return [tab.tiles.itemAt(i).widget().text() for i in range(tab.tiles.count())]


def test_the_year_figures_are_shown_and_open_their_records(tab: DashboardTab) -> None:
    texts = tile_texts(tab)
    assert "第2層協議体を設置した地区\n1／2（50.0%）" in texts
    assert "協議体などの開催回数（活動件数）\n3回" in texts
    assert tab.result is not None
    dialog = tab.open_records(tab.result.get("councils_set_up"))
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["青葉"]
    dialog.close()
    tab.year.setCurrentIndex(tab.year.findData(2023))
    assert "協議体などの開催回数（活動件数）\n0回" in tile_texts(tab)


def test_a_chart_shows_its_numbers_as_a_table_and_saves(
    tab: DashboardTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab.charts.setCurrentRow(1)  # meetings per district
    assert tab.data is not None and tab.data.name == "meetings-district"
    tab.as_table.setChecked(True)
    assert tab.view.currentIndex() == 1
    cells = {
        (tab.table.item(r, 0).text(), tab.table.item(r, 1).text())
        for r in range(tab.table.rowCount())
    }
    assert ("青葉", "3") in cells and ("市の平均", "1.5") in cells
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    assert tab.save_chart(".png", tmp_path / "c.png") == tmp_path / "c.png"
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("which", "title"), [("report", "取組状況報告"), ("book", "地域別データ分析ブック")]
)
def test_the_yearly_documents_open_in_the_preview(
    tab: DashboardTab, qtbot: QtBot, which: str, title: str
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from shienapp.gui.pdf_preview import PdfPreviewDialog

    seen: list[str] = []

    def look() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, PdfPreviewDialog) or widget.document.pageCount() == 0:
            QTimer.singleShot(20, look)
            return
        seen.append(widget.windowTitle())
        widget.reject()

    QTimer.singleShot(0, look)
    (tab.report_button if which == "report" else tab.book_button).click()
    qtbot.waitUntil(lambda: bool(seen), timeout=30000)
    assert title in seen[0] and "令和6年度" in seen[0]


def test_cancelling_the_book_writes_nothing(
    tab: DashboardTab, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shienapp.gui.dashboard.tab as module
    from shienapp.gui.background import Progress

    errors: list[str] = []
    monkeypatch.setattr(module, "show_error", lambda _p, exc, *_a: errors.append(str(exc)))

    def run_cancelled(parent, label, work, done, failed, *, cancellable):  # type: ignore[no-untyped-def]
        progress = Progress()
        progress.cancel()
        try:
            done(work(progress))
        except Exception as exc:  # what the background helper hands to on_failure
            failed(exc)

    monkeypatch.setattr("shienapp.gui.background.run_in_background", run_cancelled)
    tab.print_book()
    assert errors and "中止しました" in errors[0]


def test_plan_goals_targets_and_evaluation_from_the_dialog(
    tab: DashboardTab, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QComboBox, QTableWidgetItem

    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    ctx.plans.create_plan("生活支援体制整備事業計画", 2024, 2026)
    dialog = tab.open_plans(show=False)
    assert "令和6～8年度" in dialog.plan_label.text()
    dialog.add_goal("協議体を定期的に開催する")
    assert dialog.goals.count() == 1 and dialog.goal_title.isEnabled()
    dialog.add_target_button.click()
    dialog.targets.setItem(0, 0, QTableWidgetItem("協議体を年3回開く"))
    combo = dialog.targets.cellWidget(0, 1)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("meetings_held"))
    dialog.targets.setItem(0, 2, QTableWidgetItem("3"))
    dialog.save_targets_button.click()
    assert "目標 3／実績 3回（達成）" in dialog.results.toPlainText()  # prefilled from the figures
    dialog.grade.setCurrentIndex(dialog.grade.findData("B"))
    dialog.issues.setPlainText("地区によって差がある")
    dialog.save_evaluation_button.click()
    [goal] = ctx.plans.list_plans()[0].goals
    assert (
        goal.evaluations[2024].grade == "B"
        and goal.evaluations[2024].issues == "地区によって差がある"
    )
    assert goal.targets[0].target_value == 3.0
    dialog.targets.setItem(0, 2, QTableWidgetItem("たくさん"))
    errors: list[str] = []
    monkeypatch.setattr(
        "shienapp.gui.dashboard.plans_dialog.show_error", lambda _p, exc: errors.append(str(exc))
    )
    dialog.save_targets_button.click()
    assert errors and "目標値「たくさん」は数ではありません" in errors[0]
    assert ctx.plans.list_plans()[0].goals[0].targets[0].target_value == 3.0  # nothing changed


def test_deleting_a_goal_from_the_dialog(tab: DashboardTab, ctx: AppContext) -> None:
    plan_id, _ = ctx.plans.create_plan("計画", 2024, 2026)
    ctx.plans.add_goal(plan_id, "目標A")
    ctx.plans.add_goal(plan_id, "目標B")
    dialog = tab.open_plans(show=False)
    dialog.goals.setCurrentRow(0)
    dialog.delete_goal(confirm=False)
    assert [dialog.goals.item(i).text() for i in range(dialog.goals.count())] == ["目標1　目標B"]


def test_a_district_chart_scrolls_at_its_natural_height(tab: DashboardTab, ctx: AppContext) -> None:
    """One row per district, not squeezed into the pane: 40 districts' names stay apart."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from PySide6.QtWidgets import QScrollArea

    block = ctx.districts.list_blocks()[0]
    kana = "あいうえおかきくけこ"
    for i in range(40):
        reading = f"ちく{kana[i // 10]}{kana[i % 10]}"
        ctx.districts.create_district(DistrictInput(f"地区{i:02d}", reading, block.id))
    tab.charts.setCurrentRow(1)  # 地区別の開催回数: horizontal, one bar per district
    area = tab.canvas_layout.itemAt(0).widget()
    assert isinstance(area, QScrollArea)
    canvas = area.widget()
    assert isinstance(canvas, FigureCanvasQTAgg)
    assert canvas.minimumHeight() >= 42 * 0.26 * 100  # 0.26 inch a row at 100 dpi
    assert canvas.minimumHeight() > tab.canvas_holder.height()
    tab.charts.setCurrentRow(2)  # 年度別・種類別: a few columns, fitted to the pane
    assert isinstance(tab.canvas_layout.itemAt(0).widget(), FigureCanvasQTAgg)
