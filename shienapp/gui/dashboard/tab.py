"""The 集計・グラフ tab: the year's indicators at a glance, each one opening the records behind
it, and the charts, each one a click away from its numbers as a table and saved as PNG or SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.chart_data import CHARTS, ChartData
from shienapp.core.context import AppContext
from shienapp.core.errors import UserError
from shienapp.core.indicators import Indicator, Indicators, compute, current_fiscal_year
from shienapp.core.jpdate import fiscal_year_label
from shienapp.gui.errors import show_error
from shienapp.gui.signals import AppSignals

FIRST_YEAR = 2015  # the project began in 2015 (seed 000)


class RecordsDialog(QDialog):
    """The records behind a figure: what was counted, one line each."""

    def __init__(self, indicator: Indicator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(indicator.label)
        self.resize(520, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{indicator.label}: {indicator.text}"))
        self.list = QListWidget()
        self.list.addItems([r.label for r in indicator.records] or ["（数えた記録はありません）"])
        layout.addWidget(self.list)
        close = QPushButton("閉じる")
        close.clicked.connect(self.accept)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)


class DashboardTab(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.signals = ctx, signals
        self.result: Indicators | None = None
        self.data: ChartData | None = None
        self.year = QComboBox()
        this_year = current_fiscal_year()
        for year in range(this_year, FIRST_YEAR - 1, -1):
            self.year.addItem(fiscal_year_label(year), year)
        self.tiles = QGridLayout()
        tiles = QWidget()
        tiles.setLayout(self.tiles)
        self.charts = QListWidget()
        for spec in CHARTS:
            self.charts.addItem(spec.title)
        self.charts.setMaximumWidth(260)
        self.view = QStackedWidget()
        self.canvas_holder = QWidget()
        self.canvas_layout = QVBoxLayout(self.canvas_holder)
        self.canvas_layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.view.addWidget(self.canvas_holder)
        self.view.addWidget(self.table)
        self.as_table = QToolButton()
        self.as_table.setText("数値を表で見る")
        self.as_table.setCheckable(True)
        self.save_png = QPushButton("PNG で保存…")
        self.save_svg = QPushButton("SVG で保存…")
        self.plans_button = QPushButton("事業計画と評価…")
        self.report_button = QPushButton("取組状況報告を印刷…")
        self.book_button = QPushButton("地域別データ分析ブックを印刷…")
        head = QHBoxLayout()
        head.addWidget(QLabel("年度"))
        head.addWidget(self.year)
        head.addStretch(1)
        head.addWidget(self.plans_button)
        head.addWidget(self.report_button)
        head.addWidget(self.book_button)
        chart_bar = QHBoxLayout()
        chart_bar.addWidget(self.as_table)
        chart_bar.addStretch(1)
        chart_bar.addWidget(self.save_png)
        chart_bar.addWidget(self.save_svg)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addLayout(chart_bar)
        rv.addWidget(self.view, 1)
        split = QSplitter()
        split.addWidget(self.charts)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(tiles)
        layout.addWidget(split, 1)
        self.year.currentIndexChanged.connect(lambda _i: self.reload())
        self.charts.currentRowChanged.connect(lambda _r: self.show_chart())
        self.as_table.toggled.connect(lambda on: self.view.setCurrentIndex(1 if on else 0))
        self.save_png.clicked.connect(lambda: self.save_chart(".png"))
        self.save_svg.clicked.connect(lambda: self.save_chart(".svg"))
        self.plans_button.clicked.connect(lambda: self.open_plans())
        self.report_button.clicked.connect(self.print_report)
        self.book_button.clicked.connect(self.print_book)
        signals.changed.connect(self._on_changed)
        self._loaded = False

    @property
    def fiscal_year(self) -> int:
        return int(self.year.currentData())

    def showEvent(self, event: Any) -> None:  # the figures are computed when first looked at
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            self.reload()

    def _on_changed(self, changes: Changes) -> None:
        if self._loaded and changes:
            self.reload()

    def reload(self) -> None:
        try:
            self.result = compute(self.ctx, self.fiscal_year)
        except UserError as exc:
            show_error(self, exc)
            return
        while self.tiles.count():
            item = self.tiles.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for index, indicator in enumerate(self.result.items):
            tile = QPushButton(f"{indicator.label}\n{indicator.text}")
            tile.setToolTip(indicator.note or "押すと数えた記録を表示します")
            tile.setMinimumHeight(58)
            tile.setStyleSheet("text-align: left; padding: 6px; font-size: 11pt;")
            tile.clicked.connect(lambda _c=False, i=indicator: self.open_records(i))
            self.tiles.addWidget(tile, index // 4, index % 4)
        if self.charts.currentRow() < 0:
            self.charts.setCurrentRow(0)
        else:
            self.show_chart()

    def open_records(self, indicator: Indicator) -> RecordsDialog:
        dialog = RecordsDialog(indicator, self)
        dialog.open()
        return dialog

    def show_chart(self) -> None:
        row = self.charts.currentRow()
        if row < 0:
            return
        try:
            self.data = CHARTS[row].build(self.ctx, self.fiscal_year)
        except UserError as exc:
            show_error(self, exc)
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        from shienapp.charts.dashboard import figure

        while self.canvas_layout.count():
            old = self.canvas_layout.takeAt(0).widget()
            if old is not None:
                old.deleteLater()
        fig = figure(self.data)
        canvas = FigureCanvasQTAgg(fig)
        if self.data.horizontal:
            # One row per district at its natural height, scrolled: squeezed into the pane, 39
            # districts' names overlapped, and a large city's 300 were a smear.
            canvas.setMinimumHeight(int(fig.get_figheight() * fig.dpi))
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setWidget(canvas)
            self.canvas_layout.addWidget(area)
        else:
            self.canvas_layout.addWidget(canvas)
        headers, rows = self.data.table()
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(headers)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                text = (
                    f"{value:g}"
                    if isinstance(value, float)
                    else str(value if value is not None else "—")
                )
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def open_plans(self, *, show: bool = True) -> QDialog:
        from shienapp.gui.dashboard.plans_dialog import PlansDialog

        dialog = PlansDialog(self.ctx, self.fiscal_year, self)
        if show:
            dialog.exec()
            if dialog.changes:
                self.signals.emit_changes(dialog.changes)
        return dialog

    # --- printing --------------------------------------------------------------------------

    def _preview(self, title: str, file_name: str, work: Any, *, cancellable: bool) -> None:
        from shienapp.gui.background import run_in_background

        def done(pdf: bytes) -> None:
            from shienapp.gui.pdf_preview import PdfPreviewDialog

            PdfPreviewDialog(pdf, title, file_name, self).exec()

        run_in_background(
            self, f"{title}を作っています…", work, done, lambda e: show_error(self, e),
            cancellable=cancellable,
        )  # fmt: skip

    def print_report(self) -> None:
        year = self.fiscal_year

        def work(_progress: Any) -> bytes:
            from shienapp.core.annual_report import annual_report
            from shienapp.core.chart_data import chart
            from shienapp.reports.annual_report import render_annual_report

            names = ("setup", "meetings-kind", "meetings-district")
            charts = {n: chart(n).build(self.ctx, year) for n in names}
            return render_annual_report(annual_report(self.ctx, year), charts)

        label = fiscal_year_label(year)
        self._preview(f"{label} 取組状況報告", f"取組状況報告_{label}.pdf", work, cancellable=False)

    def print_book(self) -> None:
        """39 pages with a chart each: in the background, with progress, and cancellable."""
        year = self.fiscal_year

        def work(progress: Any) -> bytes:
            from shienapp.reports.district_book import book_pages, render_district_book

            pages = book_pages(
                self.ctx, year, progress=progress.report, is_cancelled=progress.is_cancelled
            )
            return render_district_book(
                pages, year, progress=progress.report, is_cancelled=progress.is_cancelled
            )

        label = fiscal_year_label(year)
        self._preview(
            f"{label} 地域別データ分析ブック", f"地域別データ分析ブック_{label}.pdf", work,
            cancellable=True,
        )  # fmt: skip

    def save_chart(self, suffix: str, path: Path | None = None) -> Path | None:
        if self.data is None:
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self,
                "グラフを保存",
                f"{self.data.title}{suffix}",
                f"{suffix[1:].upper()} (*{suffix})",
            )
            if not name:
                return None
            path = Path(name if name.lower().endswith(suffix) else name + suffix)
        from shienapp.charts.dashboard import save

        try:
            save(self.data, path)
        except OSError as exc:
            show_error(self, exc, "保存できませんでした")
            return None
        QMessageBox.information(self, "保存しました", f"{path} に保存しました。")
        return path


def create_dashboard_tab(
    ctx: AppContext, signals: AppSignals, parent: QWidget | None = None
) -> DashboardTab:
    return DashboardTab(ctx, signals, parent)
