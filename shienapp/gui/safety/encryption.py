"""The passphrase of an encrypted database, asked for at start; and ファイル → 暗号化…, which
encrypts the open database for a laptop that leaves the building (or removes the encryption).

The work itself is in ``core/encryption.py``; this file only asks and explains. The conversion
runs on the GUI thread on purpose: the database is closed while its file is replaced, and nothing
(no timer, no autosave of a draft) may touch it in between. A database of 50,000 records takes
well under a second or two.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shienapp import config
from shienapp.core.context import AppContext
from shienapp.core.encryption import (
    MIN_PASSPHRASE,
    check_passphrase,
    decrypt_database,
    encrypt_database,
)
from shienapp.core.errors import UserError
from shienapp.gui.errors import show_error

ASK_TEXT = "このデータベースは暗号化されています。パスフレーズを入力してください。"
WRONG_TEXT = "パスフレーズが違います。もう一度入力してください。"

EXPLAIN_ENCRYPT = (
    "持ち出すノートパソコンのデータベースを、パスフレーズで暗号化します。"
    "パソコンやファイルをなくしても、パスフレーズを知らない人には中身を読めません。\n\n"
    "・開くたびにパスフレーズをたずねます。以後のバックアップも同じパスフレーズで暗号化されます。\n"
    "・暗号化する前の（暗号化されていない）コピーは、バックアップフォルダの中の "
    "unencrypted に移します。持ち出す前に削除するか、事務所の安全な場所に保管してください。\n\n"
    "パスフレーズを忘れると、データは誰にも取り出せません。管理者にも開発者にも戻せず、"
    "再発行もできません。忘れない方法（紙に書いて鍵のかかる場所に保管するなど）を決めてから"
    "暗号化してください。"
)
EXPLAIN_DECRYPT = (
    "このデータベースは暗号化されています。\n\n"
    "暗号化を解除すると、ファイルは誰でも読めるようになります。ノートパソコンを事務所に戻し、"
    "持ち出さなくなったときなどに使います。解除の前に、暗号化されたままのバックアップを作ります"
    "（これまでのバックアップは暗号化されたままで、復元にはいまのパスフレーズが要ります）。"
)


class KeyDialog(QDialog):
    """One password field, with what to do and, after a wrong try, that it was wrong."""

    def __init__(self, path: Path | str, parent: QWidget | None = None, *, wrong: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("パスフレーズの入力")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(ASK_TEXT, self, wordWrap=True))
        where = QLabel(str(path), self, wordWrap=True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        self.wrong_label = QLabel(WRONG_TEXT, self)
        self.wrong_label.setStyleSheet("color: #b00020;")
        self.wrong_label.setVisible(wrong)
        layout.addWidget(self.wrong_label)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setObjectName("passphrase")
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton("開く", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setEnabled(False)
        self.edit.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text)))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.edit.setFocus()

    def passphrase(self) -> str:
        return self.edit.text()


def ask_key(parent: QWidget | None, path: Path | str, *, wrong: bool = False) -> str | None:
    """The passphrase the user typed for ``path``; None when they cancelled."""
    dialog = KeyDialog(path, parent, wrong=wrong)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.passphrase():
        return None
    return dialog.passphrase()


class EncryptionDialog(QDialog):
    """ファイル → 暗号化…: explains, takes the passphrase (twice to encrypt, once to decrypt),
    closes the open database and converts its file. After ``exec()``, ``changed`` says whether
    the file was converted: the window must then reopen ``path``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if ctx.db.path is None:
            raise UserError("暗号化は、このパソコンにあるデータベースのファイルにだけ使えます。")
        self.ctx = ctx
        self.path: Path = ctx.db.path
        self.encrypted = ctx.db.encrypted
        self.changed = False
        self.message = ""
        self.setWindowTitle("暗号化の解除" if self.encrypted else "データベースの暗号化")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        explain = QLabel(EXPLAIN_DECRYPT if self.encrypted else EXPLAIN_ENCRYPT, self)
        explain.setWordWrap(True)
        layout.addWidget(explain)
        where = QLabel(f"データベース: {self.path}", self, wordWrap=True)
        layout.addWidget(where)
        form = QFormLayout()
        self.first = self._password_field("passphrase")
        self.again = self._password_field("again")
        self.understood = QCheckBox(
            "パスフレーズを忘れるとデータを取り出せないことを理解しました", self
        )
        if self.encrypted:
            form.addRow("いまのパスフレーズ", self.first)
            self.again.hide()
            self.understood.hide()
        else:
            form.addRow(f"パスフレーズ（{MIN_PASSPHRASE} 文字以上）", self.first)
            form.addRow("もう一度", self.again)
        layout.addLayout(form)
        layout.addWidget(self.understood)
        self.problem = QLabel("", self)
        self.problem.setStyleSheet("color: #b00020;")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(self)
        self.run_button: QPushButton = buttons.addButton(
            "暗号化を解除する" if self.encrypted else "暗号化する",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.run)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for signal in (self.first.textChanged, self.again.textChanged, self.understood.toggled):
            signal.connect(self._update)
        self._update()
        self.adjustSize()  # the wrapped explanation's full height, not the bare minimum

    def _password_field(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setObjectName(name)
        return edit

    def _problem(self) -> str:
        """Why the button is not yet enabled (empty when it is)."""
        if self.encrypted:
            return "" if self.first.text() else " "
        try:
            check_passphrase(self.first.text(), self.again.text())
        except UserError as exc:
            return exc.message if self.first.text() and self.again.text() else " "
        return "" if self.understood.isChecked() else " "

    def _update(self) -> None:
        problem = self._problem()
        self.problem.setText(problem.strip())
        self.run_button.setEnabled(not problem)

    def run(self) -> None:
        """Close the database, convert its file, say what happened and where the plain copies
        are. On an error the file is as it was and the dialog stays open."""
        if self._problem():
            return
        key = self.first.text()
        self.ctx.close()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if self.encrypted:
                decrypt_database(self.path, key, backup_folder=config.backup_dir())
                self.message = f"{self.path} の暗号化を解除しました。このファイルは誰でも読めます。"
            else:
                result = encrypt_database(self.path, key, backup_folder=config.backup_dir())
                self.message = result.describe()
        except UserError as exc:
            QApplication.restoreOverrideCursor()
            show_error(
                self,
                exc,
                "暗号化できませんでした" if not self.encrypted else "解除できませんでした",
            )
            return
        QApplication.restoreOverrideCursor()
        self.changed = True
        QMessageBox.information(
            self, "暗号化の解除" if self.encrypted else "暗号化しました", self.message
        )
        self.accept()
