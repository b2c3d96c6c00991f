"""Signing in: the first-run wizard, the sign-in dialog, the idle lock and the accounts dialog.

Every decision about what a role may do is made in core (permissions.py); these dialogs only
collect names and passwords and show what core says.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.access import Mode
from shienapp.core.accounts import IDLE_CHOICES, MIN_PASSWORD, AccountRow
from shienapp.core.context import AppContext
from shienapp.core.errors import UserError
from shienapp.core.jpdate import format_wareki
from shienapp.core.permissions import ROLE_DESCRIPTIONS, Role

UNPROTECTED = (
    "アカウントを使っていません。このパソコンを使う人は誰でも、すべての記録"
    "（人の連絡先を含む）を見て変更できます。"
)


def _password_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    return label


class FirstRunDialog(QDialog):
    """The first start on a database: make the first 管理者, or decide to go without accounts."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("はじめての設定 — アカウント")
        self.setMinimumWidth(560)
        intro = QLabel(
            "このデータベースには住民や担い手の個人情報が入ります。共用のパソコンでは、"
            "職員ごとのアカウントを作ることをおすすめします。\n最初に、アカウントと設定を"
            "管理する「管理者」を一人作ります。ほかの職員は、あとで管理者が追加します。"
        )
        intro.setWordWrap(True)
        self.use_accounts = QRadioButton("アカウントを使う（おすすめ）")
        self.no_accounts = QRadioButton("アカウントを使わない")
        self.use_accounts.setChecked(True)
        self.login = QLineEdit()
        self.login.setPlaceholderText("例: sato")
        self.name = QLineEdit()
        self.name.setPlaceholderText("例: 佐藤 花子")
        self.password = _password_field(f"{MIN_PASSWORD}文字以上")
        self.again = _password_field("もう一度")
        self.form_box = QWidget()
        form = QFormLayout(self.form_box)
        form.addRow("ユーザー名", self.login)
        form.addRow("氏名（表示名）", self.name)
        form.addRow("パスワード", self.password)
        form.addRow("パスワード（確認）", self.again)
        self.warning = QLabel(
            UNPROTECTED + "\nあとで管理者を作ってアカウントを使うこともできます。"
        )
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a4b00;")
        self.warning.setVisible(False)
        self.error = _error_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("始める")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.no_accounts.toggled.connect(self._mode_changed)
        layout = QVBoxLayout(self)
        for widget in (intro, self.use_accounts, self.form_box, self.no_accounts, self.warning):
            layout.addWidget(widget)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _mode_changed(self) -> None:
        off = self.no_accounts.isChecked()
        self.form_box.setEnabled(not off)
        self.warning.setVisible(off)

    def accept(self) -> None:
        try:
            if self.no_accounts.isChecked():
                self.ctx.accounts.choose_no_accounts()
            else:
                self.ctx.accounts.create_first_admin(
                    self.login.text(), self.name.text(), self.password.text(), self.again.text()
                )
        except UserError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class SignInDialog(QDialog):
    """ユーザー名とパスワード. Also the lock screen, with the name fixed to who locked it."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, unlock: bool = False
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.unlock = unlock
        self.setWindowTitle("画面のロック" if unlock else "サインイン")
        self.setMinimumWidth(420)
        actor = ctx.access.actor
        if unlock and actor is not None:
            text = f"画面はロックされています。{actor.name}さんのパスワードを入力してください。"
        else:
            text = f"{ctx.location}\nユーザー名とパスワードを入力してください。"
        intro = QLabel(text)
        intro.setWordWrap(True)
        self.login = QLineEdit(actor.login if unlock and actor is not None else "")
        self.login.setEnabled(not unlock)
        self.password = _password_field()
        self.error = _error_label()
        form = QFormLayout()
        form.addRow("ユーザー名", self.login)
        form.addRow("パスワード", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "解除" if unlock else "サインイン"
        )
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            "アプリを終了" if unlock else "キャンセル"
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.password if unlock else self.login).setFocus()

    def accept(self) -> None:
        try:
            if self.unlock:
                self.ctx.accounts.unlock(self.password.text())
            else:
                self.ctx.accounts.sign_in(self.login.text(), self.password.text())
        except UserError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        super().accept()


def admit(ctx: AppContext, parent: QWidget | None = None) -> bool:
    """Before the window shows a record: the first-run wizard, or signing in. False: cancelled."""
    mode = ctx.access.mode
    if mode == Mode.OFF:
        return True
    dialog: QDialog = (
        FirstRunDialog(ctx, parent) if mode == Mode.UNSET else SignInDialog(ctx, parent)
    )
    return dialog.exec() == QDialog.DialogCode.Accepted


class IdleLock(QObject):
    """Locks the window after the 管理者's idle time with no key press or mouse use."""

    lock_requested = Signal()
    _INPUT = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
        }
    )

    def __init__(self, ctx: AppContext, parent: QObject) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._expired)
        self.restart()

    def restart(self) -> None:
        minutes = self.ctx.access.idle_minutes
        if self.ctx.access.protected and minutes > 0 and not self.ctx.access.locked:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT and self.timer.isActive():
            self.timer.start()  # same interval, from now
        return False

    def _expired(self) -> None:
        self.lock_requested.emit()


class AccountDialog(QDialog):
    """Add an account, or change one's name, role, whether it may sign in, and its password."""

    def __init__(self, ctx: AppContext, row: AccountRow | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.setWindowTitle("アカウントを追加" if row is None else f"アカウント: {row.login}")
        self.login = QLineEdit(row.login if row else "")
        self.login.setEnabled(row is None)
        self.name = QLineEdit(row.display_name if row else "")
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(f"{role.label} — {ROLE_DESCRIPTIONS[role]}", role)
        self.role.setCurrentIndex(list(Role).index(row.role if row else Role.STAFF))
        self.active = QCheckBox("サインインできる（外すと無効）")
        self.active.setChecked(row.active if row else True)
        self.password = _password_field(
            f"{MIN_PASSWORD}文字以上" + ("（変えるときだけ）" if row else "")
        )
        self.again = _password_field("もう一度")
        self.error = _error_label()
        form = QFormLayout()
        form.addRow("ユーザー名", self.login)
        form.addRow("氏名（表示名）", self.name)
        form.addRow("権限", self.role)
        form.addRow("", self.active)
        form.addRow("パスワード", self.password)
        form.addRow("パスワード（確認）", self.again)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        role = Role(self.role.currentData())
        accounts = self.ctx.accounts
        try:
            if self.row is None:
                accounts.create(
                    self.login.text(),
                    self.name.text(),
                    role,
                    self.password.text(),
                    self.again.text(),
                )
            else:
                accounts.update(
                    self.row.id,
                    self.row.version,
                    name=self.name.text(),
                    role=role,
                    active=self.active.isChecked(),
                )
                if self.password.text() or self.again.text():
                    accounts.set_password(self.row.id, self.password.text(), self.again.text())
        except UserError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class AccountsDialog(QDialog):
    """管理 → アカウント: the list, add and edit, the idle lock, switching accounts off."""

    HEADERS = ("ユーザー名", "氏名", "権限", "状態", "最終サインイン")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("アカウントと自動ロック")
        self.resize(760, 460)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self.edit)
        add = QPushButton("追加…")
        add.clicked.connect(self.add)
        edit = QPushButton("変更…")
        edit.clicked.connect(self.edit)
        self.idle = QComboBox()
        for minutes in IDLE_CHOICES:
            self.idle.addItem("ロックしない" if minutes == 0 else f"{minutes}分", minutes)
        self.idle.setCurrentIndex(
            max(0, self.idle.findData(ctx.access.idle_minutes)),
        )
        self.idle.activated.connect(self.set_idle)
        self.switch_off = QPushButton("アカウントを使わないようにする…")
        self.switch_off.clicked.connect(self.accounts_off)
        self.error = _error_label()
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(edit)
        row.addStretch(1)
        row.addWidget(QLabel("操作がないとき自動でロック:"))
        row.addWidget(self.idle)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(self.error)
        bottom = QHBoxLayout()
        bottom.addWidget(self.switch_off)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.rows: list[AccountRow] = []
        self.reload()

    def reload(self) -> None:
        try:
            self.rows = self.ctx.accounts.list()
        except UserError as exc:
            self.error.setText(exc.message)
            self.rows = []
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            last = (
                format_wareki(r.last_login_at.astimezone().date())
                + r.last_login_at.astimezone().strftime(" %H:%M")
                if r.last_login_at
                else "—"
            )
            values = (r.login, r.display_name, r.role_label, "有効" if r.active else "無効", last)
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def selected(self) -> AccountRow | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self.rows[min(rows)] if rows else None

    def add(self) -> None:
        if AccountDialog(self.ctx, None, self).exec():
            self.reload()

    def edit(self) -> None:
        row = self.selected()
        if row is not None and AccountDialog(self.ctx, row, self).exec():
            self.reload()

    def set_idle(self) -> None:
        try:
            self.ctx.accounts.set_idle_minutes(int(self.idle.currentData()))
        except UserError as exc:
            self.error.setText(exc.message)
        else:
            self.error.setText("")

    def accounts_off(self) -> None:
        answer = QMessageBox.warning(
            self,
            "アカウントを使わない",
            UNPROTECTED + "\n\n本当にアカウントを使わないようにしますか？"
            "（アカウントは消えません。管理者を作り直せば、また使えます）",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.ctx.accounts.choose_no_accounts()
        except UserError as exc:
            self.error.setText(exc.message)
            return
        self.accept()
