"""Start the window: Qt application, the shipped Japanese font, the database, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from shienapp import APP_NAME, APP_TITLE, __version__, config
from shienapp.core.context import AppContext, DamagedDatabaseError
from shienapp.core.errors import UserError

UI_FONT_POINT_SIZE = 10


def load_japanese_font(app: QApplication) -> str:
    """Use the font in resources/, so nothing depends on fonts installed on the PC."""
    font_id = QFontDatabase.addApplicationFont(str(config.font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return app.font().family()
    family = families[0]
    app.setFont(QFont(family, UI_FONT_POINT_SIZE))
    return family


_translators: list[QTranslator] = []


def load_qt_japanese(app: QApplication) -> bool:
    """Qt's own texts (Cancel, Close, Yes/No in standard dialogs) in Japanese, from the
    translation file that ships inside PySide6: nothing is downloaded."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Japanese), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    _translators.append(translator)
    return True


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    load_japanese_font(app)
    if not _translators:
        load_qt_japanese(app)
    return app


def start_backup(window: QWidget) -> None:
    from shienapp.gui.background import run_in_background

    ctx: AppContext = window.ctx  # type: ignore[attr-defined]
    if ctx.db.path is None:
        return

    def failed(exc: BaseException) -> None:
        message = exc.message if isinstance(exc, UserError) else str(exc)
        window.statusBar().showMessage(f"起動時のバックアップができませんでした: {message}")  # type: ignore[attr-defined]

    run_in_background(
        window,
        "起動時のバックアップをしています…",
        lambda _progress: ctx.backup("start"),
        lambda _path: None,
        failed,
        cancellable=False,
    )


SMOKE_QUIT_ENV = "SHIENAPP_SMOKE_QUIT_MS"


def _smoke_quit_ms() -> int | None:
    """``SHIENAPP_SMOKE_QUIT_MS=N`` (the smoke test of a built app): the first-run wizard answers
    "アカウントを使わない" by itself and the window quits with 0 after N ms."""
    value = os.environ.get(SMOKE_QUIT_ENV, "").strip()
    return int(value) if value.isdigit() else None


def _smoke_answer_first_run() -> None:
    from shienapp.gui.safety.accounts import FirstRunDialog

    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, FirstRunDialog):
        dialog.no_accounts.setChecked(True)
        dialog.accept()


def _smoke_report(app: QApplication, window: QWidget) -> None:
    translated = bool(_translators)
    print(f"smoke: font={app.font().family()} qt_ja={translated} window={window.isVisible()}")
    app.quit()


def run_gui(db: str | os.PathLike[str] | Path | None = None) -> int:
    app = create_application()
    smoke_ms = _smoke_quit_ms()
    from shienapp.core.context import EncryptedDatabaseError

    # An encrypted file: SHIENAPP_DB_KEY if set, else asked for until it opens or is cancelled.
    key = config.database_key_from_env()
    while True:
        try:
            ctx = AppContext.open(db, key=key)
        except EncryptedDatabaseError as exc:
            from shienapp.gui.safety.encryption import ask_key

            key = ask_key(None, exc.path, wrong=exc.wrong_key)
            if key is None:
                return 1
            continue
        except DamagedDatabaseError as exc:
            from shienapp.gui.safety.recover import recover

            recovered = recover(exc)
            if recovered is None:
                return 1
            ctx = recovered
        except UserError as exc:
            QMessageBox.critical(None, "データベースを開けません", exc.full_text())
            return 1
        break
    from shienapp.gui.main_window import MainWindow
    from shienapp.gui.safety.accounts import admit

    # The first-run wizard on a new database; the sign-in dialog when accounts are on.
    if smoke_ms is not None:
        QTimer.singleShot(0, _smoke_answer_first_run)
    if not admit(ctx):
        ctx.close()
        return 1
    window = MainWindow(ctx, lazy_tabs=True)
    window.show()
    # The start-of-day backup, once the window is up (a few tenths of a second, off the GUI thread).
    QTimer.singleShot(1500, lambda: start_backup(window))
    # Minutes left unsaved by a crash or a killed app are offered back once the window is up.
    QTimer.singleShot(300, window.meeting_tab.controller.offer_drafts)  # type: ignore[attr-defined]
    if smoke_ms is not None:
        QTimer.singleShot(smoke_ms, lambda: _smoke_report(app, window))
    try:
        return app.exec()
    finally:
        ctx.close()
