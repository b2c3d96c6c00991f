"""Behaviour of the 地区台帳 tab: every button is one core call; results refresh via signals."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QObject, Qt
from PySide6.QtWidgets import QCheckBox, QFileDialog, QMessageBox, QWidget

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.districts import COUNCIL_STATUSES, DistrictDetail, DistrictInput, StatisticsInput
from shienapp.core.errors import UserError
from shienapp.core.jpdate import format_wareki
from shienapp.core.stats import format_rate
from shienapp.gui.background import Progress, run_in_background
from shienapp.gui.districts.dialogs import BlocksDialog, DistrictDialog, StatisticsDialog
from shienapp.gui.districts.model import (
    ID_ROLE,
    DistrictColumn,
    DistrictFilterProxy,
    DistrictTableModel,
    StatisticsTableModel,
)
from shienapp.gui.districts.view import DistrictTabView
from shienapp.gui.errors import show_error
from shienapp.gui.signals import AppSignals
from shienapp.gui.widgets.combo import find_data

ALL = "すべて"


class DistrictTabController(QObject):
    def __init__(self, ctx: AppContext, signals: AppSignals, view: DistrictTabView) -> None:
        super().__init__(view)
        self.ctx = ctx
        self.signals = signals
        self.view = view
        self.model = DistrictTableModel(self)
        self.proxy = DistrictFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        view.table.setModel(self.proxy)
        view.table.sortByColumn(DistrictColumn.BLOCK, Qt.SortOrder.AscendingOrder)
        self.statistics_model = StatisticsTableModel(self)
        view.statistics.setModel(self.statistics_model)
        self.detail: DistrictDetail | None = None

        view.status_filter.addItem(ALL, None)
        for status in COUNCIL_STATUSES:
            view.status_filter.addItem(status, status)

        view.search.searchChanged.connect(self._on_search)
        view.block_filter.currentIndexChanged.connect(self._on_block_filter)
        view.status_filter.currentIndexChanged.connect(self._on_status_filter)
        view.table.selectionModel().selectionChanged.connect(self._on_selection)
        view.table.doubleClicked.connect(lambda _i: self.edit_district())
        view.add_button.clicked.connect(self.add_district)
        view.edit_button.clicked.connect(self.edit_district)
        view.delete_button.clicked.connect(self.delete_district)
        view.sheet_button.clicked.connect(self.print_sheet)
        view.import_button.clicked.connect(self.import_file)
        view.export_button.clicked.connect(self.export_file)
        view.blocks_button.clicked.connect(self.manage_blocks)
        view.add_stat_button.clicked.connect(self.add_statistics)
        view.edit_stat_button.clicked.connect(self.edit_statistics)
        view.statistics.doubleClicked.connect(lambda _i: self.edit_statistics())
        view.delete_stat_button.clicked.connect(self.delete_statistics)
        view.statistics.selectionModel().selectionChanged.connect(self._update_stat_buttons)
        signals.changed.connect(self._on_changed)
        self.reload()
        view.fit_columns()

    # --- loading ------------------------------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        if changes.districts or changes.statistics or changes.councils:
            self.reload()

    def reload(self) -> None:
        selected = self.selected_id()
        self._reload_blocks()
        self.model.set_rows(self.ctx.districts.list_districts())
        self._update_count()
        if selected is not None:
            self.select(selected)
        self._show_detail(self.selected_id())

    def _reload_blocks(self) -> None:
        combo = self.view.block_filter
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL, None)
        for block in self.ctx.districts.list_blocks():
            combo.addItem(block.name, block.id)
        index = find_data(combo, current) if current is not None else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)
        self.proxy.set_block(combo.currentData())

    def _update_count(self) -> None:
        self.view.count_label.setText(f"{self.proxy.rowCount()} / {self.model.rowCount()} 地区")

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_count()

    def _on_block_filter(self) -> None:
        self.proxy.set_block(self.view.block_filter.currentData())
        self._update_count()

    def _on_status_filter(self) -> None:
        self.proxy.set_status(self.view.status_filter.currentData())
        self._update_count()

    # --- selection and detail -----------------------------------------------------------------

    def selected_id(self) -> uuid.UUID | None:
        indexes = self.view.table.selectionModel().selectedRows()
        return indexes[0].data(ID_ROLE) if indexes else None

    def select(self, district_id: uuid.UUID) -> None:
        source_row = self.model.row_of(district_id)
        if source_row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if index.isValid():
            self.view.table.selectionModel().select(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.table.scrollTo(index)

    def _on_selection(self) -> None:
        self._show_detail(self.selected_id())

    def _show_detail(self, district_id: uuid.UUID | None) -> None:
        v = self.view
        has = district_id is not None
        for button in (v.edit_button, v.delete_button, v.sheet_button, v.add_stat_button):
            button.setEnabled(has)
        if district_id is None:
            self.detail = None
            v.title.setText("地区を選んでください")
            v.subtitle.clear()
            for label in v.info_labels.values():
                label.clear()
            v.rate_label.clear()
            self.statistics_model.set_rows([], {})
            self._update_stat_buttons()
            return
        detail = self.detail = self.ctx.districts.get_district(district_id)
        row = detail.row
        v.title.setText(row.name)
        v.subtitle.setText(row.reading)
        council = detail.council
        info = {
            "ブロック": row.block_name,
            "地区コード": row.code or "—",
            "協議体": council.name if council else "—",
            "状況": row.council_status,
            "設置日": format_wareki(row.established_on) or "—",
            "担当SC": row.coordinator_name or "—",
            "対象分野": "・".join(row.domains) or "—",
            "経過": "、".join(f"{format_wareki(e.occurred_on)} {e.status}" for e in council.events)
            if council and council.events
            else "—",
            "備考": detail.note or "—",
        }
        for key, text in info.items():
            v.info_labels[key].setText(text)
        city = self.ctx.districts.city_figures()
        latest = detail.latest
        if latest is not None:
            city_rate = city[latest.fiscal_year].ageing_rate if latest.fiscal_year in city else None
            v.rate_label.setText(
                f"高齢化率 {format_rate(latest.ageing_rate)}（市平均 {format_rate(city_rate)}）"
            )
        else:
            v.rate_label.setText("人口統計が未登録です")
        self.statistics_model.set_rows(
            list(detail.statistics), {fy: fig.ageing_rate for fy, fig in city.items()}
        )
        v.statistics.resizeColumnsToContents()
        self._update_stat_buttons()

    def _update_stat_buttons(self) -> None:
        has = bool(self.view.statistics.selectionModel().selectedRows())
        self.view.edit_stat_button.setEnabled(has)
        self.view.delete_stat_button.setEnabled(has)

    # --- actions ------------------------------------------------------------------------------

    def _apply(self, changes: Changes) -> None:
        self.signals.emit_changes(changes)

    def add_district(self) -> None:
        blocks = self.ctx.districts.list_blocks()
        if not blocks:
            QMessageBox.information(
                self.view, "ブロックがありません", "先に「ブロック…」でブロックを作成してください。"
            )
            return
        created: list[uuid.UUID] = []

        def save(data: DistrictInput) -> None:
            new_id, changes = self.ctx.districts.create_district(data)
            created.append(new_id)
            self._apply(changes)

        dialog = DistrictDialog(blocks, None, self.view, save=save)
        if dialog.exec() and created:
            self.select(created[0])

    def edit_district(self) -> None:
        if self.detail is None:
            return
        detail = self.detail

        def save(data: DistrictInput) -> None:
            self._apply(self.ctx.districts.update_district(detail.id, detail.row.version, data))

        DistrictDialog(self.ctx.districts.list_blocks(), detail, self.view, save=save).exec()

    def delete_district(self) -> None:
        if self.detail is None:
            return
        row = self.detail.row
        answer = QMessageBox.question(
            self.view,
            "地区の削除",
            f"地区「{row.name}」を削除しますか？\n協議体と人口統計も一緒にごみ箱に移ります（元に戻せます）。",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._apply(self.ctx.districts.delete_district(row.id, row.version))
        except UserError as exc:
            show_error(self.view, exc)

    def manage_blocks(self) -> None:
        d = self.ctx.districts

        def create(name: str, reading: str) -> None:
            self._apply(d.create_block(name, reading)[1])

        def rename(block_id: uuid.UUID, name: str, reading: str) -> None:
            self._apply(d.rename_block(block_id, name, reading))

        def delete(block_id: uuid.UUID) -> None:
            self._apply(d.delete_block(block_id))

        BlocksDialog(d.list_blocks, create, rename, delete, self.view).exec()

    def _selected_statistics(self):  # type: ignore[no-untyped-def]
        rows = self.view.statistics.selectionModel().selectedRows()
        return self.statistics_model.row_at(rows[0].row()) if rows else None

    def add_statistics(self) -> None:
        self._edit_statistics(None)

    def edit_statistics(self) -> None:
        existing = self._selected_statistics()
        if existing is not None:
            self._edit_statistics(existing)

    def _edit_statistics(self, existing) -> None:  # type: ignore[no-untyped-def]
        if self.detail is None:
            return
        district_id = self.detail.id

        def save(data: StatisticsInput) -> None:
            self._apply(self.ctx.districts.set_statistics(district_id, data))

        StatisticsDialog(self.detail.row.name, existing, self.view, save=save).exec()

    def delete_statistics(self) -> None:
        existing = self._selected_statistics()
        if existing is None or self.detail is None:
            return
        from shienapp.core.jpdate import fiscal_year_label

        answer = QMessageBox.question(
            self.view,
            "統計の削除",
            f"{self.detail.row.name}の{fiscal_year_label(existing.fiscal_year)}の統計を削除しますか？",
        )
        if answer == QMessageBox.StandardButton.Yes:
            try:
                self._apply(self.ctx.districts.delete_statistics(existing.id))
            except UserError as exc:
                show_error(self.view, exc)

    # --- files --------------------------------------------------------------------------------

    def print_sheet(self) -> None:
        if self.detail is None:
            return
        district_id, name = self.detail.id, self.detail.row.name

        def work(_progress: Progress) -> bytes:
            from shienapp.core.district_sheet import district_sheet_data
            from shienapp.reports.district_sheet import render_district_sheet

            return render_district_sheet(district_sheet_data(self.ctx.districts, district_id))

        def done(pdf: bytes) -> None:
            from shienapp.gui.pdf_preview import PdfPreviewDialog

            PdfPreviewDialog(pdf, f"{name} 地区カルテ", f"地区カルテ_{name}.pdf", self.view).exec()

        run_in_background(
            self.view, "地区カルテを作成しています…", work, done, self._error, cancellable=False
        )

    def import_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.view,
            "地区台帳を取り込む",
            "",
            "Excel / CSV (*.xlsx *.xlsm *.csv);;すべてのファイル (*)",
        )
        if not name:
            return
        create_blocks = self._ask_create_blocks()
        if create_blocks is None:
            return
        path = Path(name)

        def work(progress: Progress):  # type: ignore[no-untyped-def]
            from shienapp.core.district_io import import_districts

            report = import_districts(
                self.ctx.db,
                path,
                create_blocks=create_blocks,
                progress=progress,
                is_cancelled=progress.is_cancelled,
            )
            self.ctx.after_import()
            return report

        def done(report) -> None:  # type: ignore[no-untyped-def]
            self._apply(Changes(districts=True, statistics=True, councils=True))
            QMessageBox.information(self.view, "取り込み完了", report.summary())

        run_in_background(self.view, f"{path.name} を取り込んでいます…", work, done, self._error)

    def _ask_create_blocks(self) -> bool | None:
        box = QMessageBox(self.view)
        box.setWindowTitle("取り込みの確認")
        box.setText(
            "ファイルの内容をすべて確認し、問題がなければまとめて保存します。\n問題が1つでもあれば何も変更しません。"
        )
        check = QCheckBox("ファイルにある未登録のブロックを新しく作成する")
        box.setCheckBox(check)
        box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Ok).setText("取り込む")
        box.button(QMessageBox.StandardButton.Cancel).setText("キャンセル")
        if box.exec() != QMessageBox.StandardButton.Ok:
            return None
        return check.isChecked()

    def export_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self.view, "Excelに書き出す", "地区台帳.xlsx", "Excel (*.xlsx)"
        )
        if not name:
            return
        path = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")

        def work(_progress: Progress) -> int:
            from shienapp.core.district_io import export_districts

            return export_districts(self.ctx.db, path)

        def done(count: int) -> None:
            QMessageBox.information(
                self.view, "書き出し完了", f"{count} 行を {path} に書き出しました。"
            )

        run_in_background(
            self.view, "Excelに書き出しています…", work, done, self._error, cancellable=False
        )

    def _error(self, exc: BaseException) -> None:
        show_error(self.view, exc)


def create_district_tab(
    ctx: AppContext, signals: AppSignals, parent: QWidget | None = None
) -> DistrictTabView:
    view = DistrictTabView(parent)
    view.controller = DistrictTabController(ctx, signals, view)  # type: ignore[attr-defined]
    return view
