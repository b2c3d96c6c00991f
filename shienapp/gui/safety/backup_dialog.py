"""バックアップと復元: what each backup holds, a backup now, a restore, a check, the folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shienapp import config
from shienapp.core.backups import BackupInfo, BackupService
from shienapp.core.errors import UserError
from shienapp.core.permissions import Action
from shienapp.gui.background import Progress, run_in_background
from shienapp.gui.errors import show_error

_COLUMNS = ("日時", "理由", "内容（削除されていない記録）", "大きさ")


def confirm_restore(parent: QWidget | None, backup: BackupInfo) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("バックアップから復元")
    box.setText(
        f"{backup.taken_at:%Y年%m月%d日 %H:%M} の状態（{backup.reason_label}）に戻します。\n\n"
        "いまの状態は先にバックアップを取るので、あとから戻せます。"
        "ほかのパソコンでこのデータベースを開いている人がいれば、先に閉じてもらってください。"
    )
    box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Ok).setText("復元する")
    box.button(QMessageBox.StandardButton.Cancel).setText("キャンセル")
    return box.exec() == QMessageBox.StandardButton.Ok


class BackupTable(QTableWidget):
    """Backups newest first; what each holds, so the right one can be chosen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(_COLUMNS), parent)
        self.setObjectName("backups")
        self.setHorizontalHeaderLabels(list(_COLUMNS))
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.backups: list[BackupInfo] = []

    def show_backups(self, backups: list[BackupInfo]) -> None:
        self.backups = backups
        self.setRowCount(len(backups))
        for row, b in enumerate(backups):
            held = "、".join(f"{k} {v:,}" for k, v in b.counts.items()) or "（不明）"
            cells = (
                f"{b.taken_at:%Y-%m-%d %H:%M}",
                b.reason_label,
                held,
                f"{b.size / 1024 / 1024:.1f} MB",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.setItem(row, column, item)
        if backups:
            self.selectRow(0)

    def selected(self) -> BackupInfo | None:
        rows = {i.row() for i in self.selectedIndexes()}
        return self.backups[min(rows)] if rows else None


class BackupDialog(QDialog):
    """From the ファイル menu. A restore is handed to the window, which must close the
    database first (``restore_requested``)."""

    restore_requested = Signal(object)

    def __init__(
        self,
        database: Path,
        parent: QWidget | None = None,
        *,
        guard: Callable[[Action], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._guard = guard or (lambda _action: None)
        self.setWindowTitle("バックアップと復元")
        self.resize(820, 480)
        layout = QVBoxLayout(self)
        folder_row = QHBoxLayout()
        self.folder_label = QLabel("", self)
        self.folder_label.setObjectName("folder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        change = QPushButton("保存先を変更…", self)
        change.clicked.connect(self.change_folder)
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(change)
        layout.addLayout(folder_row)
        layout.addWidget(
            QLabel(
                "起動時と、取り込みの前後に自動でバックアップします。2日以内のものはすべて、"
                "それより前は1日1つ（12日分）、1週1つ（10週分）、1か月1つ（9か月分）を残します。"
                "更新前のバックアップ（pre-migration）は消しません。",
                self,
                wordWrap=True,
            )
        )
        self.table = BackupTable(self)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton("今すぐバックアップ", self)
        self.restore_button = QPushButton("選んだバックアップから復元…", self)
        self.check_button = QPushButton("データベースを検査", self)
        close = QPushButton("閉じる", self)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.check_button.clicked.connect(self.check_database)
        close.clicked.connect(self.accept)
        for button in (self.backup_button, self.restore_button, self.check_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.reload()

    def service(self) -> BackupService:
        return BackupService(self._database, config.backup_dir(), guard=self._guard)

    def reload(self) -> None:
        service = self.service()
        self.folder_label.setText(f"保存先: {service.folder}")
        self.table.show_backups(service.list())
        self.restore_button.setEnabled(bool(self.table.backups))

    def backup_now(self) -> None:
        service = self.service()

        def work(_progress: Progress) -> BackupInfo:
            return service.create("manual")

        def done(info: object) -> None:
            self.reload()
            assert isinstance(info, BackupInfo)
            QMessageBox.information(self, "バックアップしました", f"{info.path}\n{info.describe()}")

        run_in_background(
            self,
            "バックアップしています…",
            work,
            done,
            lambda exc: show_error(self, exc, "バックアップできませんでした"),
            cancellable=False,
        )

    def restore_selected(self) -> None:
        backup = self.table.selected()
        if backup is None:
            return
        if confirm_restore(self, backup):
            self.restore_requested.emit(backup.path)
            self.accept()

    def check_database(self) -> None:
        service = self.service()

        def work(_progress: Progress) -> list[str]:
            return service.check_database()

        def done(problems: object) -> None:
            assert isinstance(problems, list)
            if not problems:
                QMessageBox.information(
                    self, "検査の結果", "問題は見つかりませんでした（integrity_check・外部キー）。"
                )
            else:
                show_error(
                    self,
                    UserError(
                        "データベースに問題が見つかりました。一覧から正常なバックアップを選んで"
                        "復元してください。",
                        problems,
                    ),
                    "検査の結果",
                )

        run_in_background(
            self,
            "データベースを検査しています…",
            work,
            done,
            lambda exc: show_error(self, exc),
            cancellable=False,
        )

    def change_folder(self) -> None:
        try:
            self._guard(Action.SETTINGS)
        except UserError as exc:
            show_error(self, exc)
            return
        chosen = QFileDialog.getExistingDirectory(
            self, "バックアップの保存先（別のドライブや USB メモリ）", str(config.backup_dir())
        )
        if not chosen:
            return
        folder = Path(chosen)
        try:
            probe = folder / ".shienapp-write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            show_error(self, UserError(f"このフォルダには書き込めません: {folder}（{exc}）"))
            return
        settings = config.load_settings()
        settings["backup_folder"] = str(folder)
        config.save_settings(settings)
        self.reload()
