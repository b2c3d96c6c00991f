"""Start the window: Qt application, the shipped Japanese font, the main window, the database.

The window shell is shown first (its tabs saying 読み込み中…), before SQLAlchemy and the
services are even imported; then the database file is checked on another thread while that
code loads, opened, the user admitted (first-run wizard or sign-in) and only then the tabs
built on it. A file the check finds damaged is never opened: the window offers the restore and
closes, as before.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from shienapp import APP_NAME, APP_TITLE, __version__, config
from shienapp.core.errors import UserError
from shienapp.gui.feature_scan import skip_feature_scan

skip_feature_scan()  # before SQLAlchemy and the services are imported

if TYPE_CHECKING:
    from shienapp.core.context import AppContext
    from shienapp.gui.main_window import MainWindow

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


def _file_to_check(db: str | os.PathLike[str] | Path | None) -> Path | None:
    """The plain SQLite file ``db`` names, checked on another thread before it is opened; None
    for a server database or an encrypted file (checked when opened, after the passphrase)."""
    from shienapp.storage import cipher

    if db is not None and "://" in os.fspath(db):
        return None
    if db is None and os.environ.get(config.ENV_DATABASE_URL):
        return None
    path = Path(os.fspath(db)) if db is not None else config.default_database_path()
    path = path.expanduser().resolve()
    if path.exists() and cipher.looks_encrypted(path):
        return None
    return path


class Startup:
    """What happens once the window shell is on screen: the check, the database, the admission
    (first-run wizard or sign-in), then the tabs. ``code`` is set when start-up gives up."""

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        db: str | os.PathLike[str] | Path | None,
        smoke_ms: int | None = None,
    ) -> None:
        self.app, self.window, self.db, self.smoke_ms = app, window, db, smoke_ms
        self.code: int | None = None
        self.ctx: AppContext | None = None
        self._timers: list[QTimer] = []

    def run(self) -> None:
        from shienapp.gui.main_window import import_window_code

        path = _file_to_check(self.db)
        if path is None:
            import_window_code()
            self._open(checked=False)
            return
        from shienapp.gui.background import run_in_background
        from shienapp.storage import integrity

        run_in_background(
            self.window,
            "データベースのファイルを点検しています…",
            lambda _progress: integrity.check_before_opening(path),
            lambda problems: self._checked(path, problems),
            self._failed,
            cancellable=False,
        )
        # SQLAlchemy, the services and the tabs load here while the check reads the file.
        import_window_code()

    def _checked(self, path: Path, problems: list[str]) -> None:
        if not problems:
            self._open(checked=True)
            return
        from shienapp.core.context import DamagedDatabaseError
        from shienapp.storage.errors import DatabaseDamaged

        self._open(damage=DamagedDatabaseError.about(DatabaseDamaged(path, problems)))

    def _failed(self, _exc: BaseException) -> None:
        # The check itself failed (not the file): opening checks again and says what is wrong.
        self._open(checked=False)

    def _open(self, *, checked: bool = False, damage: UserError | None = None) -> None:
        from shienapp.core.context import (
            AppContext,
            DamagedDatabaseError,
            EncryptedDatabaseError,
        )

        # An encrypted file: SHIENAPP_DB_KEY if set, else asked for until it opens or is cancelled.
        key = config.database_key_from_env()
        while True:
            try:
                if damage is not None:
                    raise damage
                ctx = AppContext.open(self.db, key=key, checked=checked)
            except EncryptedDatabaseError as exc:
                from shienapp.gui.safety.encryption import ask_key

                key = ask_key(self.window, exc.path, wrong=exc.wrong_key)
                if key is None:
                    self._give_up()
                    return
                continue
            except DamagedDatabaseError as exc:
                from shienapp.gui.safety.recover import recover

                recovered = recover(exc)
                if recovered is None:
                    self._give_up()
                    return
                ctx = recovered
            except UserError as exc:
                QMessageBox.critical(self.window, "データベースを開けません", exc.full_text())
                self._give_up()
                return
            break
        self.ctx = ctx
        from shienapp.gui.safety.accounts import admit

        # The first-run wizard on a new database; the sign-in dialog when accounts are on. The
        # window behind it still shows no record.
        if self.smoke_ms is not None:
            QTimer.singleShot(0, _smoke_answer_first_run)
        if not admit(ctx, self.window):
            self._give_up()
            return
        window = self.window
        window.attach(ctx)
        # The start-of-day backup, once the window is up (a few tenths of a second, off the GUI
        # thread).
        self._later(1500, lambda: start_backup(window))
        # Minutes left unsaved by a crash or a killed app are offered back once the window is up.
        self._later(300, window.meeting_tab.controller.offer_drafts)
        if self.smoke_ms is not None:
            self._later(self.smoke_ms, lambda: _smoke_report(self.app, window))

    def _later(self, msec: int, action: Callable[[], object]) -> None:
        """Run ``action`` after ``msec`` unless start-up is closed first (never on a closed
        database)."""
        timer = QTimer(self.window)
        timer.setSingleShot(True)
        timer.timeout.connect(action)
        timer.start(msec)
        self._timers.append(timer)

    def _give_up(self) -> None:
        self.code = 1
        self.close()
        self.window.close()
        self.app.quit()

    def close(self) -> None:
        for timer in self._timers:
            timer.stop()
        if self.ctx is not None:
            self.ctx.close()
            self.ctx = None


def run_gui(db: str | os.PathLike[str] | Path | None = None) -> int:
    app = create_application()
    from shienapp.gui.main_window import MainWindow

    # The window first, with nothing read; the database is opened behind it (see Startup).
    window = MainWindow(lazy_tabs=True)
    window.show()
    startup = Startup(app, window, db, _smoke_quit_ms())
    QTimer.singleShot(0, startup.run)
    try:
        code = app.exec()
    finally:
        startup.close()
    return startup.code if startup.code is not None else code
