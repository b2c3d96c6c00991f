"""Layout of the 地区台帳 tab: widgets only, no behaviour (that is the controller's)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.permissions import Action
from shienapp.gui import permits
from shienapp.gui.widgets.search_box import SearchBox


def _table() -> QTableView:
    table = QTableView()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.horizontalHeader().setHighlightSections(False)
    return table


class DistrictTabView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.add_button = QPushButton("地区を追加")
        self.edit_button = QPushButton("編集")
        self.delete_button = QPushButton("削除")
        self.import_button = QPushButton("取り込み…")
        self.export_button = QPushButton("Excelに書き出し…")
        self.sheet_button = QPushButton("地区カルテを印刷…")
        self.blocks_button = QPushButton("ブロック…")
        permits.needs(
            Action.EDIT,
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.import_button,
            self.blocks_button,
        )
        toolbar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            toolbar.addWidget(button)
        toolbar.addSpacing(16)
        toolbar.addWidget(self.sheet_button)
        toolbar.addSpacing(16)
        toolbar.addWidget(self.import_button)
        toolbar.addWidget(self.export_button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.blocks_button)

        self.search = SearchBox()
        self.block_filter = QComboBox()
        self.status_filter = QComboBox()
        self.count_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("ブロック"))
        filters.addWidget(self.block_filter, 1)
        filters.addWidget(QLabel("協議体"))
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.count_label)

        self.table = _table()
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setStretchLastSection(False)

        # detail panel
        self.title = QLabel("地区を選んでください")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #555;")
        self.info = QFormLayout()
        self.info_labels = {
            key: QLabel()
            for key in (
                "ブロック",
                "地区コード",
                "協議体",
                "状況",
                "設置日",
                "担当SC",
                "対象分野",
                "経過",
                "備考",
            )
        }
        for key, label in self.info_labels.items():
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.info.addRow(f"{key}:", label)
        self.rate_label = QLabel()
        self.rate_label.setStyleSheet("font-size: 12pt;")
        self.statistics = _table()
        self.add_stat_button = QPushButton("統計を追加")
        self.edit_stat_button = QPushButton("統計を編集")
        self.delete_stat_button = QPushButton("統計を削除")
        permits.needs(
            Action.EDIT, self.add_stat_button, self.edit_stat_button, self.delete_stat_button
        )
        stat_buttons = QHBoxLayout()
        for button in (self.add_stat_button, self.edit_stat_button, self.delete_stat_button):
            stat_buttons.addWidget(button)
        stat_buttons.addStretch(1)

        detail = QFrame()
        detail.setFrameShape(QFrame.Shape.StyledPanel)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.title)
        detail_layout.addWidget(self.subtitle)
        detail_layout.addLayout(self.info)
        detail_layout.addWidget(self.rate_label)
        detail_layout.addWidget(QLabel("人口統計（年度別）"))
        detail_layout.addWidget(self.statistics, 1)
        detail_layout.addLayout(stat_buttons)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([900, 380])

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

    def fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        # From the first 100 rows, not every one: a city of 300 districts took 0.17 s of
        # start-up measuring each cell (Qt's default looks at 1,000 rows).
        header.setResizeContentsPrecision(100)
        header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        stats_header = self.statistics.horizontalHeader()
        stats_header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
