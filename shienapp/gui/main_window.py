"""The main window: a thin shell that hosts one tab per area of work.

The app shows the shell first (each tab saying 読み込み中…, nothing read) and attaches the
database once it is open and the user admitted; so this module imports no SQLAlchemy and no
service at its top: :meth:`MainWindow.attach` imports them.
"""

from __future__ import annotations

import importlib
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
)

from shienapp import APP_TITLE, __version__, notices
from shienapp.gui import permits

if TYPE_CHECKING:
    from shienapp.core.context import AppContext
    from shienapp.gui.safety.accounts import IdleLock
    from shienapp.gui.signals import AppSignals
    from shienapp.gui.sync.controller import SyncController

# Windows opened on another database (持ち出しファイルから作ったもの) are kept alive here.
_windows: list[MainWindow] = []

TAB_TITLES = ("地区台帳", "会議・議事録", "担い手・社会資源", "ネットワーク形成図", "集計・グラフ")
LOADING = "読み込み中…"

# What attach() needs: SQLAlchemy (through the services), the accounts dialogs and each tab.
_ATTACH_MODULES = (
    "shienapp.core.context",
    "shienapp.core.permissions",
    "shienapp.gui.safety.accounts",
    "shienapp.gui.signals",
    "shienapp.gui.sync.controller",
    "shienapp.gui.districts.controller",
    "shienapp.gui.meetings.tab",
    "shienapp.gui.directory.tab",
    "shienapp.gui.network.tab",
    "shienapp.gui.dashboard.tab",
)


def import_window_code() -> None:
    """Import what :meth:`MainWindow.attach` needs, ahead of it (the app does this while the
    database file is checked on another thread)."""
    for name in _ATTACH_MODULES:
        importlib.import_module(name)


class MainWindow(QMainWindow):
    ctx: AppContext
    signals: AppSignals
    sync: SyncController
    idle_lock: IdleLock

    def __init__(self, ctx: AppContext | None = None, *, lazy_tabs: bool = False) -> None:
        """Without ``ctx``: the shell only, every tab saying 読み込み中…; :meth:`attach` brings
        the data (after sign-in). ``lazy_tabs``: the tabs other than 地区台帳 read their records
        when first shown (the app does this, so the window opens before 30,000 meetings and
        50,000 people are read)."""
        super().__init__()
        self.attached = False
        self._lazy_tabs = lazy_tabs
        self.setWindowTitle(APP_TITLE)
        self.resize(1280, 800)
        self.tabs = QTabWidget(self)
        for title in TAB_TITLES:
            placeholder = QLabel(LOADING)
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(placeholder, title)
        self.setCentralWidget(self.tabs)
        self.statusBar().showMessage(LOADING)
        if ctx is not None:
            self.attach(ctx)

    def attach(self, ctx: AppContext) -> None:
        """Build the tabs on the open database: only after the user is admitted (the first-run
        wizard or signing in), since the tabs show records."""
        from shienapp.gui.dashboard.tab import create_dashboard_tab
        from shienapp.gui.directory.tab import create_directory_tab
        from shienapp.gui.districts.controller import create_district_tab
        from shienapp.gui.meetings.tab import create_meeting_tab
        from shienapp.gui.network.tab import create_network_tab
        from shienapp.gui.safety.accounts import IdleLock
        from shienapp.gui.signals import AppSignals
        from shienapp.gui.sync.controller import SyncController

        assert not self.attached, "a window shows one database"
        lazy_tabs = self._lazy_tabs
        self.ctx = ctx
        self.signals = AppSignals(self)
        self.setWindowTitle(f"{APP_TITLE} — {ctx.location}")
        current = self.tabs.currentIndex()
        placeholders = [self.tabs.widget(i) for i in range(self.tabs.count())]
        self.tabs.clear()
        for placeholder in placeholders:
            placeholder.deleteLater()
        self.district_tab = create_district_tab(ctx, self.signals, self.tabs)
        self.meeting_tab = create_meeting_tab(ctx, self.signals, self.tabs, deferred=lazy_tabs)
        self.directory_tab = create_directory_tab(ctx, self.signals, self.tabs, deferred=lazy_tabs)
        self.network_tab = create_network_tab(ctx, self.signals, self.tabs, deferred=lazy_tabs)
        self.dashboard_tab = create_dashboard_tab(ctx, self.signals, self.tabs)
        pages = (
            self.district_tab,
            self.meeting_tab,
            self.directory_tab,
            self.network_tab,
            self.dashboard_tab,
        )
        for page, title in zip(pages, TAB_TITLES, strict=True):
            self.tabs.addTab(page, title)
        self.tabs.setCurrentIndex(max(current, 0))
        self.statusBar().showMessage(f"データベース: {ctx.location}")
        if ctx.db.notice:
            # On a network share the file is opened without WAL: say which and why, once.
            self.statusBar().showMessage(f"データベース: {ctx.location}（ネットワーク上）")
            QTimer.singleShot(
                500,
                lambda: QMessageBox.warning(self, "ネットワーク上のデータベース", ctx.db.notice),
            )
        self.sync = SyncController(ctx, self.signals, self, self.open_database)
        self.statusBar().addPermanentWidget(self.sync.conflict_label)
        self.who = QLabel()
        self.statusBar().addPermanentWidget(self.who)
        self.idle_lock = IdleLock(ctx, self)
        self.idle_lock.lock_requested.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle_lock)
        self._build_menu()
        self.attached = True
        self.show_who()

    def show_who(self) -> None:
        """Who is signed in, or, with accounts off, that the data is not protected."""
        from shienapp.core.permissions import Action
        from shienapp.gui.safety.accounts import UNPROTECTED

        access = self.ctx.access
        if access.protected and access.actor is not None:
            read_only = "" if access.may(Action.EDIT) else "・変更はできません"
            self.who.setText(f"利用者: {access.actor.label}{read_only}")
            self.who.setStyleSheet("")
            self.who.setToolTip("")
        else:
            self.who.setText("アカウントなし（保護されていません）")
            self.who.setStyleSheet("color: #8a4b00;")
            self.who.setToolTip(UNPROTECTED)
        permits.apply(self, access.may)  # 追加・編集・削除 hidden from a 閲覧 account
        self.lock_action.setEnabled(access.protected)
        self.start_accounts.setVisible(not access.protected)
        self.idle_lock.restart()

    def lock(self) -> None:
        """Hide every record until the password of the person who locked it is typed."""
        from shienapp.gui.safety.accounts import SignInDialog

        if not self.ctx.access.protected or self.ctx.access.locked:
            return
        self.ctx.accounts.lock()
        self.tabs.setVisible(False)
        dialog = SignInDialog(self.ctx, self, unlock=True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.close()
            return
        self.tabs.setVisible(True)
        self.show_who()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Unsaved map changes are written as a draft now, offered back when the map next opens
        (as minutes are): closing never loses them and never traps the user in a question."""
        if self.attached:
            self.network_tab.editor.flush_draft()
        event.accept()

    def _build_menu(self) -> None:
        from shienapp.core.permissions import Action

        controller = self.district_tab.controller  # type: ignore[attr-defined]
        meetings = self.meeting_tab.controller  # type: ignore[attr-defined]
        file_menu = self.menuBar().addMenu("ファイル(&F)")
        for text, slot in (
            ("地区台帳を取り込む(&I)…", controller.import_file),
            ("地区台帳をExcelに書き出す(&E)…", controller.export_file),
            ("取込テンプレートを保存(&T)…", self.save_template),
            ("会議一覧をExcelに書き出す(&M)…", meetings.export_meetings),
            ("会議予定をカレンダー（.ics）に書き出す(&C)…", meetings.export_calendar),
        ):
            action = QAction(text, self)
            action.triggered.connect(slot)
            file_menu.addAction(action)
            if slot == controller.import_file:
                permits.needs(Action.EDIT, action)
        file_menu.addSeparator()
        trash = QAction("ごみ箱(&G)…", self)
        trash.triggered.connect(self.show_trash)
        file_menu.addAction(trash)
        if self.ctx.db.path is not None:
            backups = QAction("バックアップと復元(&B)…", self)
            backups.triggered.connect(self.show_backups)
            file_menu.addAction(backups)
            permits.needs(Action.BACKUP, backups, grey=True)
            encryption = QAction("暗号化(&R)…", self)
            encryption.triggered.connect(self.show_encryption)
            file_menu.addAction(encryption)
            permits.needs(Action.SETTINGS, encryption, grey=True)
            file_menu.addSeparator()
        quit_action = QAction("終了(&X)", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.sync.build_menu(self.menuBar().addMenu("持ち出し・持ち帰り(&S)"))
        self._build_admin_menu()
        help_menu = self.menuBar().addMenu("ヘルプ(&H)")
        about = QAction("このアプリについて(&A)", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_admin_menu(self) -> None:
        from shienapp.core.permissions import Action

        menu = self.menuBar().addMenu("管理(&K)")
        accounts = QAction("アカウントと自動ロック(&A)…", self)
        accounts.triggered.connect(self.show_accounts)
        audit = QAction("監査記録(&L)…", self)
        audit.triggered.connect(self.show_audit)
        self.lock_action = QAction("画面をロック(&R)", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.start_accounts = QAction("アカウントを使う(&U)…", self)
        self.start_accounts.triggered.connect(self.use_accounts)
        for action in (accounts, audit, self.lock_action, self.start_accounts):
            menu.addAction(action)
        permits.needs(Action.MANAGE_ACCOUNTS, accounts, grey=True)
        permits.needs(Action.VIEW_AUDIT, audit, grey=True)

    def show_accounts(self) -> None:
        from shienapp.gui.safety.accounts import AccountsDialog

        AccountsDialog(self.ctx, self).exec()
        self.show_who()

    def show_audit(self) -> None:
        from shienapp.gui.safety.audit_dialog import AuditDialog

        AuditDialog(self.ctx, self).exec()

    def use_accounts(self) -> None:
        from shienapp.gui.safety.accounts import FirstRunDialog

        if FirstRunDialog(self.ctx, self).exec() == QDialog.DialogCode.Accepted:
            self.show_who()

    def show_trash(self) -> None:
        from shienapp.gui.safety.trash_dialog import TrashDialog

        dialog = TrashDialog(self.ctx, self)
        dialog.changed.connect(self.signals.emit_changes)
        dialog.exec()

    def show_encryption(self) -> None:
        """Encrypt (or decrypt) this database in place, then reopen it."""
        from shienapp.gui.safety.encryption import EncryptionDialog

        self.network_tab.editor.flush_draft()  # a map draft goes into the file before it changes
        dialog = EncryptionDialog(self.ctx, self)  # closes self.ctx itself before converting
        dialog.exec()
        if dialog.changed:
            self.open_database(dialog.path)

    def show_backups(self) -> None:
        from shienapp.gui.safety.backup_dialog import BackupDialog

        assert self.ctx.db.path is not None
        dialog = BackupDialog(self.ctx.db.path, self, guard=self.ctx.access.require)
        dialog.restore_requested.connect(self.restore_from)
        dialog.exec()

    def restore_from(self, backup: object) -> None:
        """Close this database, restore ``backup`` into its file (after backing up the present
        state), and reopen the window on it."""
        from pathlib import Path

        from shienapp import config
        from shienapp.core.backups import BackupService
        from shienapp.core.errors import UserError
        from shienapp.core.permissions import Action
        from shienapp.gui.errors import show_error

        path = self.ctx.db.path
        assert path is not None
        try:
            self.ctx.access.require(Action.RESTORE)
        except UserError as exc:
            show_error(self, exc, "復元できませんでした")
            return
        self.network_tab.editor.flush_draft()
        self.ctx.close()
        try:
            before = BackupService(path, config.backup_dir()).restore(Path(str(backup)))
        except UserError as exc:
            show_error(self, exc, "復元できませんでした")
        else:
            note = f"\n復元の前の状態: {before.path}" if before is not None else ""
            QMessageBox.information(self, "復元しました", f"{backup} から復元しました。{note}")
        self.open_database(path)

    def open_database(self, path: object) -> None:
        """Reopen the app's window on another database file, closing this one's."""
        from shienapp.core.context import AppContext, EncryptedDatabaseError
        from shienapp.core.errors import UserError
        from shienapp.gui.errors import show_error
        from shienapp.gui.safety.accounts import admit

        key: str | None = None
        while True:
            try:
                ctx = AppContext.open(path, key=key)  # type: ignore[arg-type]
            except EncryptedDatabaseError as exc:
                from shienapp.gui.safety.encryption import ask_key

                key = ask_key(self, exc.path, wrong=exc.wrong_key)
                if key is None:
                    return
                continue
            except UserError as exc:
                show_error(self, exc)
                return
            break
        if not admit(ctx, self):
            ctx.close()
            return
        window = MainWindow(ctx, lazy_tabs=True)
        _windows.append(window)
        window.show()
        self.close()

    def save_template(self) -> None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        from shienapp.core.district_io import write_template
        from shienapp.core.errors import UserError
        from shienapp.gui.errors import show_error

        name, _ = QFileDialog.getSaveFileName(
            self, "取込テンプレートを保存", "地区台帳_取込テンプレート.xlsx", "Excel (*.xlsx)"
        )
        if not name:
            return
        try:
            write_template(Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx"))
        except UserError as exc:
            show_error(self, exc)

    def show_about(self) -> None:
        QMessageBox.about(self, "このアプリについて", about_text())


def about_text() -> str:
    """The About box: the version (written only in shienapp/__init__.py) and the licences of
    the bundled font and libraries."""
    items = "".join(f"<li>{escape(line)}</li>" for line in notices.summary_lines())
    full = notices.licences_file()
    where = (
        f"ライセンスの全文: {escape(str(full))}"
        if full
        else "各ライブラリのライセンスの全文は、インストールされたパッケージに含まれています。"
    )
    return (
        f"<b>{escape(APP_TITLE)}</b> 版 {escape(__version__)}<br>"
        "生活支援体制整備事業の地区台帳・会議・社会資源・ネットワーク形成図を扱うアプリです。"
        f"<p>同梱しているフォントとライブラリ:</p><ul>{items}</ul><p>{where}</p>"
    )
