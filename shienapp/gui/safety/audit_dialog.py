"""管理 → 監査記録: the trail, filtered, its chain checked, exported to CSV (管理者 only)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.audit import ACTIONS, AuditFilter, AuditRow
from shienapp.core.context import AppContext
from shienapp.core.errors import UserError
from shienapp.core.sync_labels import TABLE_LABELS
from shienapp.gui.errors import show_error

_SHOWN = 2000


class AuditDialog(QDialog):
    HEADERS = ("番号", "日時", "利用者", "操作", "対象", "名前", "変更内容")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("監査記録")
        self.resize(1100, 620)
        self.actor = QLineEdit()
        self.actor.setPlaceholderText("利用者")
        self.action = QComboBox()
        self.action.addItem("すべての操作", "")
        for action in ACTIONS:
            self.action.addItem(action, action)
        self.target = QComboBox()
        self.target.addItem("すべての対象", "")
        for table, label in TABLE_LABELS.items():
            self.target.addItem(label, table)
        self.target.addItem("アカウント", "accounts")
        today = QDate.currentDate()
        self.since = QDateEdit(today.addMonths(-1))
        self.until = QDateEdit(today)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy/MM/dd")
        self.text = QLineEdit()
        self.text.setPlaceholderText("名前・内容で検索")
        search = QPushButton("絞り込む")
        search.clicked.connect(self.reload)
        self.text.returnPressed.connect(self.reload)
        filters = QHBoxLayout()
        for widget in (self.actor, self.action, self.target, QLabel("期間"), self.since):
            filters.addWidget(widget)
        filters.addWidget(QLabel("～"))
        for widget in (self.until, self.text, search):
            filters.addWidget(widget)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.status = QLabel()
        verify = QPushButton("改ざんの検査")
        verify.clicked.connect(self.verify)
        export = QPushButton("CSVに書き出す…")
        export.clicked.connect(self.export)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(verify)
        bottom.addWidget(export)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        layout.addLayout(bottom)
        self.rows: list[AuditRow] = []
        self.reload()

    def where(self, limit: int = _SHOWN) -> AuditFilter:
        return AuditFilter(
            actor=self.actor.text().strip(),
            action=self.action.currentData() or "",
            target=self.target.currentData() or "",
            since=self.since.date().toPython(),  # type: ignore[arg-type]
            until=self.until.date().toPython(),  # type: ignore[arg-type]
            text=self.text.text().strip(),
            limit=limit,
        )

    def reload(self) -> None:
        try:
            self.rows = self.ctx.audit.list(self.where())
        except UserError as exc:
            show_error(self, exc)
            self.rows = []
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            values = (
                str(r.seq),
                r.at.astimezone().strftime("%Y/%m/%d %H:%M:%S"),
                r.actor,
                r.action,
                r.target_label,
                r.label,
                r.changes_text,
            )
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        more = "（新しい順に最大2,000行）" if len(self.rows) >= _SHOWN else ""
        self.status.setText(f"{len(self.rows)}行{more}")

    def verify(self) -> None:
        try:
            problems = self.ctx.audit.verify()
        except UserError as exc:
            show_error(self, exc)
            return
        if problems:
            QMessageBox.critical(
                self,
                "改ざんの検査",
                "監査記録に書き換えの跡があります:\n" + "\n".join(problems[:20]),
            )
        else:
            count, digest = self.ctx.audit.head()
            QMessageBox.information(
                self,
                "改ざんの検査",
                f"{count}行すべて、つながりと内容が正しいことを確かめました。"
                f"\n最後の行のハッシュ: {digest[:16]}…",
            )

    def export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "監査記録を書き出す", "監査記録.csv", "CSV (*.csv)"
        )
        if not name:
            return
        path = Path(name if name.lower().endswith(".csv") else name + ".csv")
        try:
            count = self.ctx.audit.export(path, self.where(limit=10_000_000))
        except UserError as exc:
            show_error(self, exc)
            return
        QMessageBox.information(self, "書き出しました", f"{count}行を {path} に書き出しました。")
        self.reload()
