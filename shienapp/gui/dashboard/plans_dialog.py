"""事業計画と評価: the plan covering the chosen 年度, its goals, that year's targets (each
optionally tied to an indicator with a target value) and that year's evaluation of each goal."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.errors import UserError
from shienapp.core.jpdate import fiscal_year_label
from shienapp.core.plans import (
    GRADES,
    TARGET_INDICATORS,
    EvaluationRow,
    GoalRow,
    PlanRow,
    TargetInput,
)
from shienapp.gui.errors import show_error


class PlansDialog(QDialog):
    def __init__(self, ctx: AppContext, fiscal_year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.fiscal_year = ctx, fiscal_year
        self.changes = Changes()
        self.plan: PlanRow | None = None
        self.setWindowTitle(f"事業計画と評価（{fiscal_year_label(fiscal_year)}）")
        self.resize(1100, 720)
        self.plan_label = QLabel()
        self.new_plan_button = QPushButton("新しい計画…")
        self.edit_plan_button = QPushButton("計画の名前・期間…")
        self.delete_goal_button = QPushButton("目標を削除")
        self.goals = QListWidget()
        self.add_goal_button = QPushButton("目標を追加…")
        self.goal_title = QLineEdit()
        self.goal_aim = QPlainTextEdit()
        self.goal_aim.setMaximumHeight(60)
        self.save_goal_button = QPushButton("目標とめざす状態を保存")
        self.targets = QTableWidget(0, 3)
        self.targets.setHorizontalHeaderLabels(["今年度の事業目標", "指標", "目標値"])
        self.targets.horizontalHeader().setStretchLastSection(False)
        self.targets.setColumnWidth(0, 320)
        self.targets.setColumnWidth(1, 220)
        self.add_target_button = QPushButton("行を追加")
        self.remove_target_button = QPushButton("行を削除")
        self.save_targets_button = QPushButton("事業目標を保存")
        self.grade = QComboBox()
        self.grade.addItem("（未評価）", "")
        for letter, meaning in GRADES.items():
            self.grade.addItem(f"{letter}：{meaning}", letter)
        self.results = QPlainTextEdit()
        self.effective = QPlainTextEdit()
        self.issues = QPlainTextEdit()
        self.next_steps = QPlainTextEdit()
        self.save_evaluation_button = QPushButton("評価を保存")
        self.print_button = QPushButton("事業評価シートを印刷…")

        right = QWidget()
        form = QFormLayout(right)
        form.addRow("目標", self.goal_title)
        form.addRow("めざす状態", self.goal_aim)
        form.addRow("", self.save_goal_button)
        target_buttons = QHBoxLayout()
        for button in (self.add_target_button, self.remove_target_button, self.save_targets_button):
            target_buttons.addWidget(button)
        form.addRow(self.targets)
        form.addRow(target_buttons)
        form.addRow("進捗度", self.grade)
        form.addRow("得られた成果", self.results)
        form.addRow("効果のあった取組", self.effective)
        form.addRow("解決すべき課題", self.issues)
        form.addRow("今後の取組の方向性", self.next_steps)
        form.addRow("", self.save_evaluation_button)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.plan_label)
        lv.addWidget(self.goals, 1)
        lv.addWidget(self.add_goal_button)
        lv.addWidget(self.delete_goal_button)
        lv.addWidget(self.edit_plan_button)
        lv.addWidget(self.new_plan_button)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([320, 780])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.print_button)
        bottom.addStretch(1)
        close = QPushButton("閉じる")
        close.clicked.connect(self.accept)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self.goals.currentRowChanged.connect(lambda _r: self._show_goal())
        self.new_plan_button.clicked.connect(lambda: self.edit_plan(new=True))
        self.edit_plan_button.clicked.connect(lambda: self.edit_plan(new=False))
        self.delete_goal_button.clicked.connect(lambda: self.delete_goal())
        self.add_goal_button.clicked.connect(lambda: self.add_goal())
        self.save_goal_button.clicked.connect(self.save_goal)
        self.add_target_button.clicked.connect(lambda: self._add_target_row("", "", None))
        self.remove_target_button.clicked.connect(
            lambda: self.targets.removeRow(self.targets.currentRow())
        )
        self.save_targets_button.clicked.connect(self.save_targets)
        self.save_evaluation_button.clicked.connect(self.save_evaluation)
        self.print_button.clicked.connect(self.print_sheet)
        self.reload()

    # --- loading ---------------------------------------------------------------------------

    def reload(self, select: uuid.UUID | None = None) -> None:
        self.plan = self.ctx.plans.plan_for(self.fiscal_year)
        row = self.goals.currentRow()
        self.goals.blockSignals(True)
        self.goals.clear()
        if self.plan is None:
            self.plan_label.setText(
                f"{fiscal_year_label(self.fiscal_year)}を含む計画がありません。"
            )
        else:
            self.plan_label.setText(f"{self.plan.title}（{self.plan.period}）")
            for number, goal in enumerate(self.plan.goals, start=1):
                item = QListWidgetItem(f"目標{number}　{goal.title}")
                item.setData(0x0100, str(goal.id))
                self.goals.addItem(item)
                if select is not None and goal.id == select:
                    row = number - 1
        self.goals.blockSignals(False)
        self.add_goal_button.setEnabled(self.plan is not None)
        self.edit_plan_button.setEnabled(self.plan is not None)
        self.delete_goal_button.setEnabled(self.goals.count() > 0)
        if self.goals.count():
            self.goals.setCurrentRow(min(max(row, 0), self.goals.count() - 1))
        self._show_goal()

    def goal(self) -> GoalRow | None:
        row = self.goals.currentRow()
        if self.plan is None or row < 0 or row >= len(self.plan.goals):
            return None
        return self.plan.goals[row]

    def _add_target_row(self, text: str, key: str, value: float | None) -> None:
        row = self.targets.rowCount()
        self.targets.insertRow(row)
        self.targets.setItem(row, 0, QTableWidgetItem(text))
        combo = QComboBox()
        combo.addItem("（指標なし）", "")
        for indicator, label in TARGET_INDICATORS.items():
            combo.addItem(label, indicator)
        combo.setCurrentIndex(max(combo.findData(key), 0))
        self.targets.setCellWidget(row, 1, combo)
        self.targets.setItem(row, 2, QTableWidgetItem("" if value is None else f"{value:g}"))

    def _show_goal(self) -> None:
        goal = self.goal()
        enabled = goal is not None
        for widget in (
            self.goal_title, self.goal_aim, self.save_goal_button, self.targets,
            self.add_target_button, self.remove_target_button, self.save_targets_button,
            self.grade, self.results, self.effective, self.issues, self.next_steps,
            self.save_evaluation_button,
        ):  # fmt: skip
            widget.setEnabled(enabled)
        self.targets.setRowCount(0)
        if goal is None:
            return
        self.goal_title.setText(goal.title)
        self.goal_aim.setPlainText(goal.aim)
        for target in (t for t in goal.targets if t.fiscal_year == self.fiscal_year):
            self._add_target_row(target.text, target.indicator_key, target.target_value)
        evaluation = goal.evaluations.get(self.fiscal_year)
        self.grade.setCurrentIndex(
            max(self.grade.findData(evaluation.grade if evaluation else ""), 0)
        )
        results = evaluation.results if evaluation else ""
        if not results:
            from shienapp.core.evaluation import evaluation_sheet, prefilled_results

            sheet = evaluation_sheet(self.ctx, self.fiscal_year)
            match = next((g for g in sheet.goals if g.goal.id == goal.id), None)
            results = prefilled_results(match) if match else ""  # the figures, as a start
        self.results.setPlainText(results)
        self.effective.setPlainText(evaluation.effective if evaluation else "")
        self.issues.setPlainText(evaluation.issues if evaluation else "")
        self.next_steps.setPlainText(evaluation.next_steps if evaluation else "")

    # --- saving ----------------------------------------------------------------------------

    def _done(self, changes: Changes, select: uuid.UUID | None = None) -> None:
        self.changes = self.changes | changes
        self.reload(select)

    def edit_plan(self, *, new: bool) -> None:
        """A new plan, or the name and period of the plan shown."""
        if not new and self.plan is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle("新しい事業計画" if new else "計画の名前と期間")
        form = QFormLayout(dialog)
        title = QLineEdit(
            "生活支援体制整備事業計画" if new or self.plan is None else self.plan.title
        )
        first, last = QSpinBox(), QSpinBox()
        for box in (first, last):
            box.setRange(2000, 2100)
        first.setValue(self.fiscal_year if new or self.plan is None else self.plan.first_year)
        last.setValue(self.fiscal_year + 2 if new or self.plan is None else self.plan.last_year)
        form.addRow("名前", title)
        form.addRow("最初の年度（西暦）", first)
        form.addRow("最後の年度（西暦）", last)
        from shienapp.gui.network.files import add_ok_cancel

        add_ok_cancel(dialog, form)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            if new or self.plan is None:
                _, changes = self.ctx.plans.create_plan(title.text(), first.value(), last.value())
            else:
                changes = self.ctx.plans.update_plan(
                    self.plan.id, title.text(), first.value(), last.value()
                )
        except UserError as exc:
            show_error(self, exc)
            return
        self._done(changes)

    def delete_goal(self, *, confirm: bool = True) -> None:
        goal = self.goal()
        if goal is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self, "目標の削除", f"目標「{goal.title}」を、事業目標と評価も含めて削除しますか？"
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._done(self.ctx.plans.delete_goal(goal.id))

    def add_goal(self, title: str | None = None) -> None:
        if self.plan is None:
            return
        if title is None:
            title, ok = QInputDialog.getText(self, "目標を追加", "中長期目標")
            if not ok:
                return
        try:
            goal_id, changes = self.ctx.plans.add_goal(self.plan.id, title)
        except UserError as exc:
            show_error(self, exc)
            return
        self._done(changes, goal_id)

    def save_goal(self) -> None:
        goal = self.goal()
        if goal is None:
            return
        try:
            changes = self.ctx.plans.update_goal(
                goal.id, self.goal_title.text(), self.goal_aim.toPlainText()
            )
        except UserError as exc:
            show_error(self, exc)
            return
        self._done(changes, goal.id)

    def save_targets(self) -> None:
        goal = self.goal()
        if goal is None:
            return
        targets: list[TargetInput] = []
        for row in range(self.targets.rowCount()):
            text_item = self.targets.item(row, 0)
            text = text_item.text().strip() if text_item else ""
            if not text:
                continue
            combo = self.targets.cellWidget(row, 1)
            key = combo.currentData() if isinstance(combo, QComboBox) else ""
            value_item = self.targets.item(row, 2)
            raw = value_item.text().strip() if value_item else ""
            try:
                value = float(raw.replace(",", "")) if raw else None
            except ValueError:
                show_error(self, UserError(f"{row + 1}行目の目標値「{raw}」は数ではありません。"))
                return
            targets.append(TargetInput(text, key, value))
        try:
            changes = self.ctx.plans.set_targets(goal.id, self.fiscal_year, targets)
        except UserError as exc:
            show_error(self, exc)
            return
        self._done(changes, goal.id)

    def save_evaluation(self) -> None:
        goal = self.goal()
        if goal is None:
            return
        data = EvaluationRow(
            self.fiscal_year,
            self.grade.currentData(),
            self.results.toPlainText(),
            self.effective.toPlainText(),
            self.issues.toPlainText(),
            self.next_steps.toPlainText(),
        )
        try:
            changes = self.ctx.plans.evaluate(goal.id, self.fiscal_year, data)
        except UserError as exc:
            show_error(self, exc)
            return
        self._done(changes, goal.id)
        QMessageBox.information(self, "保存しました", "評価を保存しました。")

    def print_sheet(self) -> None:
        from shienapp.gui.background import run_in_background

        year = self.fiscal_year

        def work(_progress: object) -> bytes:
            from shienapp.core.evaluation import evaluation_sheet
            from shienapp.reports.evaluation_sheet import render_evaluation_sheet

            return render_evaluation_sheet(evaluation_sheet(self.ctx, year))

        def done(pdf: bytes) -> None:
            from shienapp.gui.pdf_preview import PdfPreviewDialog

            label = fiscal_year_label(year)
            PdfPreviewDialog(
                pdf, f"{label} 事業評価シート", f"事業評価シート_{label}.pdf", self
            ).exec()

        run_in_background(
            self, "事業評価シートを作っています…", work, done, lambda e: show_error(self, e),
            cancellable=False,
        )  # fmt: skip
