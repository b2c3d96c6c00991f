"""Dialogs of the registry tab: a district with its council, one year's statistics, blocks.

Dialogs only collect input; saving is the controller's call into core, and a refused save
leaves the dialog open with what the user typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.districts import (
    COUNCIL_STATUSES,
    DOMAINS,
    BlockInfo,
    CouncilInput,
    DistrictDetail,
    DistrictInput,
    StatisticsInput,
    StatisticsRow,
    default_council_name,
)
from shienapp.core.errors import UserError
from shienapp.core.jpdate import fiscal_year_label, fiscal_year_of
from shienapp.core.stats import ageing_rate, format_rate
from shienapp.gui.widgets.combo import select_data
from shienapp.gui.widgets.wareki_date_edit import WarekiDateEdit


class DistrictDialog(QDialog):
    """Add or edit a district and its 第2層協議体."""

    def __init__(
        self,
        blocks: list[BlockInfo],
        detail: DistrictDetail | None = None,
        parent: QWidget | None = None,
        *,
        save: Callable[[DistrictInput], None],
    ) -> None:
        super().__init__(parent)
        self._save = save
        self.setWindowTitle("地区を編集" if detail else "地区を追加")
        self.setMinimumWidth(560)
        self.name = QLineEdit()
        self.reading = QLineEdit()
        self.reading.setPlaceholderText("ひらがな・カタカナ（並び順に使います）")
        self.code = QLineEdit()
        self.block = QComboBox()
        for block in blocks:
            self.block.addItem(block.name, block.id)
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(60)

        self.council_name = QLineEdit()
        self.status = QComboBox()
        self.status.addItems(list(COUNCIL_STATUSES))
        self.established = WarekiDateEdit()
        self.status_changed = WarekiDateEdit()
        self.status_changed.edit.setPlaceholderText("空欄なら今日")
        self.coordinator = QLineEdit()
        self.domain_boxes = {d: QCheckBox(d) for d in DOMAINS}

        form = QFormLayout()
        form.addRow("地区名 *", self.name)
        form.addRow("フリガナ", self.reading)
        form.addRow("ブロック *", self.block)
        form.addRow("地区コード", self.code)
        form.addRow("備考", self.note)

        council_box = QGroupBox("第2層協議体")
        council_form = QFormLayout(council_box)
        council_form.addRow("名称", self.council_name)
        council_form.addRow("状況", self.status)
        council_form.addRow("設置日", self.established)
        self.status_changed_label = QLabel("状況の変更日")
        council_form.addRow(self.status_changed_label, self.status_changed)
        council_form.addRow("担当SC", self.coordinator)
        domain_row = QHBoxLayout()
        for box in self.domain_boxes.values():
            domain_row.addWidget(box)
        domain_row.addStretch(1)
        council_form.addRow("対象分野", domain_row)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(council_box)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self._original_status: str | None = None
        if detail is not None:
            self._load(detail)
        self.status.currentTextChanged.connect(self._status_changed)
        self.name.textChanged.connect(self._suggest_council_name)
        self._status_changed(self.status.currentText())

    def _load(self, detail: DistrictDetail) -> None:
        row = detail.row
        self.name.setText(row.name)
        self.reading.setText(row.reading)
        self.code.setText(row.code)
        select_data(self.block, row.block_id)
        self.note.setPlainText(detail.note)
        council = detail.council
        if council is not None:
            self.council_name.setText(council.name)
            self.status.setCurrentText(council.status)
            self.established.setDate(council.established_on)
            self.coordinator.setText(council.coordinator_name)
            for domain, box in self.domain_boxes.items():
                box.setChecked(domain in council.domains)
            self._original_status = council.status

    def _suggest_council_name(self, name: str) -> None:
        if not self.council_name.isModified():
            self.council_name.setPlaceholderText(default_council_name(name.strip() or "○○"))

    def _status_changed(self, status: str) -> None:
        self.established.setEnabled(status != "未設置")
        changed = self._original_status is not None and status != self._original_status
        self.status_changed.setVisible(changed)
        self.status_changed_label.setVisible(changed)

    def value(self) -> DistrictInput:
        block_id = self.block.currentData()
        if not isinstance(block_id, uuid.UUID):
            raise UserError("ブロックを選んでください（先に「ブロック…」でブロックを作成します）。")
        problems = []
        if not self.established.is_valid():
            problems.append(f"「設置日」: {self.established.error()}")
        if self.status_changed.isVisible() and not self.status_changed.is_valid():
            problems.append(f"「状況の変更日」: {self.status_changed.error()}")
        if problems:
            raise UserError("日付を読み取れません。", problems)
        status = self.status.currentText()
        return DistrictInput(
            name=self.name.text(),
            reading=self.reading.text(),
            block_id=block_id,
            code=self.code.text(),
            note=self.note.toPlainText(),
            council=CouncilInput(
                status=status,
                established_on=self.established.date() if status != "未設置" else None,
                coordinator_name=self.coordinator.text(),
                domains=tuple(d for d, box in self.domain_boxes.items() if box.isChecked()),
                name=self.council_name.text(),
                status_changed_on=self.status_changed.date()
                if self.status_changed.isVisible()
                else None,
            ),
        )

    def _on_save(self) -> None:
        try:
            self._save(self.value())
        except UserError as exc:
            self.message.setText(exc.full_text())
            return
        self.accept()


class StatisticsDialog(QDialog):
    """One 年度's figures; the ageing rate is shown as it is computed and cannot be typed."""

    def __init__(
        self,
        district_name: str,
        existing: StatisticsRow | None = None,
        parent: QWidget | None = None,
        *,
        save: Callable[[StatisticsInput], None],
    ) -> None:
        super().__init__(parent)
        self._save = save
        self.setWindowTitle(f"{district_name}の人口統計")
        self.fiscal_year = QSpinBox()
        self.fiscal_year.setRange(1989, 2199)
        self.fiscal_year.setValue(fiscal_year_of(date.today()))
        self.year_label = QLabel()
        self.as_of = WarekiDateEdit()

        def number() -> QSpinBox:
            box = QSpinBox()
            box.setRange(0, 10_000_000)
            box.setGroupSeparatorShown(True)
            box.setAlignment(Qt.AlignmentFlag.AlignRight)
            return box

        def optional() -> QSpinBox:
            box = number()
            box.setRange(-1, 10_000_000)
            box.setSpecialValueText("（未入力）")
            box.setValue(-1)
            return box

        self.total = number()
        self.p65 = number()
        self.p75 = optional()
        self.households = optional()
        self.single = optional()
        self.rate = QLabel()
        self.rate.setStyleSheet("font-weight: bold;")
        year_row = QHBoxLayout()
        year_row.addWidget(self.fiscal_year)
        year_row.addWidget(self.year_label)
        year_row.addStretch(1)
        form = QFormLayout()
        form.addRow("年度 *", year_row)
        form.addRow("基準日", self.as_of)
        form.addRow("総人口 *", self.total)
        form.addRow("65歳以上 *", self.p65)
        form.addRow("75歳以上", self.p75)
        form.addRow("世帯数", self.households)
        form.addRow("高齢者単身世帯", self.single)
        form.addRow("高齢化率（自動計算）", self.rate)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        if existing is not None:
            self.fiscal_year.setValue(existing.fiscal_year)
            self.fiscal_year.setEnabled(False)
            self.as_of.setDate(existing.as_of)
            self.total.setValue(existing.total_population)
            self.p65.setValue(existing.population_65_plus)
            for box, value in (
                (self.p75, existing.population_75_plus),
                (self.households, existing.households),
                (self.single, existing.elderly_single_households),
            ):
                box.setValue(-1 if value is None else value)
        for box in (self.total, self.p65):
            box.valueChanged.connect(self._update_rate)
        self.fiscal_year.valueChanged.connect(self._update_year)
        self._update_rate()
        self._update_year()

    def _update_year(self) -> None:
        self.year_label.setText(fiscal_year_label(self.fiscal_year.value()))

    def _update_rate(self) -> None:
        self.rate.setText(format_rate(ageing_rate(self.p65.value(), self.total.value())))

    @staticmethod
    def _optional(box: QSpinBox) -> int | None:
        return None if box.value() < 0 else box.value()

    def value(self) -> StatisticsInput:
        if not self.as_of.is_valid():
            raise UserError("「基準日」を読み取れません。", [self.as_of.error()])
        return StatisticsInput(
            fiscal_year=self.fiscal_year.value(),
            total_population=self.total.value(),
            population_65_plus=self.p65.value(),
            population_75_plus=self._optional(self.p75),
            households=self._optional(self.households),
            elderly_single_households=self._optional(self.single),
            as_of=self.as_of.date(),
        )

    def _on_save(self) -> None:
        try:
            self._save(self.value())
        except UserError as exc:
            self.message.setText(exc.full_text())
            return
        self.accept()


class BlocksDialog(QDialog):
    """ブロックの管理: add, rename and delete blocks (a block with districts cannot go)."""

    def __init__(
        self,
        load: Callable[[], list[BlockInfo]],
        create: Callable[[str, str], None],
        rename: Callable[[uuid.UUID, str, str], None],
        delete: Callable[[uuid.UUID], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("ブロックの管理")
        self.setMinimumWidth(420)
        self._load, self._create, self._rename, self._delete = load, create, rename, delete
        self.list = QListWidget()
        self.name = QLineEdit()
        self.name.setPlaceholderText("ブロック名（例: 北部ブロック）")
        self.reading = QLineEdit()
        self.reading.setPlaceholderText("フリガナ")
        self.add_button = QPushButton("追加")
        self.rename_button = QPushButton("名前を変更")
        self.delete_button = QPushButton("削除")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        row = QHBoxLayout()
        row.addWidget(self.name, 2)
        row.addWidget(self.reading, 1)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.rename_button, self.delete_button):
            buttons.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.add_button.clicked.connect(self._on_add)
        self.rename_button.clicked.connect(self._on_rename)
        self.delete_button.clicked.connect(self._on_delete)
        self.list.currentItemChanged.connect(self._on_select)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for block in self._load():
            item = QListWidgetItem(f"{block.name}（{block.district_count} 地区）")
            item.setData(Qt.ItemDataRole.UserRole, block)
            self.list.addItem(item)

    def _selected(self) -> BlockInfo | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _on_select(self) -> None:
        block = self._selected()
        if block is not None:
            self.name.setText(block.name)
            self.reading.setText(block.reading)

    def _run(self, action: Callable[[], None]) -> None:
        try:
            action()
        except UserError as exc:
            self.message.setText(exc.full_text())
            return
        self.message.clear()
        self.refresh()

    def _on_add(self) -> None:
        self._run(lambda: self._create(self.name.text(), self.reading.text()))

    def _on_rename(self) -> None:
        block = self._selected()
        if block is None:
            self.message.setText("変更するブロックを一覧から選んでください。")
            return
        self._run(lambda: self._rename(block.id, self.name.text(), self.reading.text()))

    def _on_delete(self) -> None:
        block = self._selected()
        if block is None:
            self.message.setText("削除するブロックを一覧から選んでください。")
            return
        self._run(lambda: self._delete(block.id))
