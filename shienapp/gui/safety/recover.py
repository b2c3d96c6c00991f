"""At start, when the database failed SQLite's check: say so, list the backups, restore one.

The damaged file is not opened for writing; a restore sets it aside untouched (backups/damaged)
before the backup's content is written in its place.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shienapp import config
from shienapp.core.backups import BackupService
from shienapp.core.context import AppContext, DamagedDatabaseError
from shienapp.core.errors import UserError
from shienapp.gui.errors import show_error
from shienapp.gui.safety.backup_dialog import BackupTable, confirm_restore


class RecoverDialog(QDialog):
    def __init__(self, damage: DamagedDatabaseError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("データベースが壊れています")
        self.resize(820, 520)
        self.service = BackupService(damage.path, config.backup_dir())
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"{damage.path} に壊れている箇所が見つかりました。ファイルは変更していません。\n"
                "下の一覧からバックアップを選んで復元してください（いちばん上が最新です）。"
                "壊れたファイルは backups/damaged に残します。",
                self,
                wordWrap=True,
            )
        )
        details = QPlainTextEdit("\n".join(damage.details[:20]), self)
        details.setReadOnly(True)
        details.setMaximumHeight(90)
        layout.addWidget(details)
        self.table = BackupTable(self)
        self.table.show_backups(self.service.list())
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(self)
        self.restore_button = buttons.addButton(
            "選んだバックアップから復元", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("終了", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setEnabled(bool(self.table.backups))
        buttons.accepted.connect(self._restore)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.context: AppContext | None = None

    def _restore(self) -> None:
        backup = self.table.selected()
        if backup is None or not confirm_restore(self, backup):
            return
        try:
            self.service.restore(backup.path)
            self.context = AppContext.open(self.service.database)
        except UserError as exc:
            show_error(self, exc, "復元できませんでした")
            return
        self.accept()


def recover(damage: DamagedDatabaseError) -> AppContext | None:
    """The dialog; the opened database after a restore, or None when the user quits."""
    dialog = RecoverDialog(damage)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.context
