"""Start-up order (run_gui with its real event loop): the window shell is on screen before the
database is opened; the sign-in comes before any record; a file the check finds damaged is
never opened, and the window closes after the existing message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from pytestqt.qtbot import QtBot

from shienapp import app as app_module
from shienapp.core.context import AppContext, DamagedDatabaseError
from shienapp.gui.main_window import LOADING, TAB_TITLES, MainWindow
from shienapp.gui.safety import recover as recover_module
from shienapp.gui.safety.accounts import SignInDialog

PASSWORD = "admin-pass-1"


def _shell(window: MainWindow) -> dict[str, object]:
    """What the window shows at a moment: visible, attached, and each tab's text."""
    pages = [window.tabs.widget(i) for i in range(window.tabs.count())]
    return {
        "visible": window.isVisible(),
        "attached": window.attached,
        "titles": [window.tabs.tabText(i) for i in range(window.tabs.count())],
        "pages": [p.text() if isinstance(p, QLabel) else type(p).__name__ for p in pages],
    }


def _windows() -> list[MainWindow]:
    """The main windows on screen."""
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]


@pytest.fixture(autouse=True)
def _windows_go(qapp: QApplication) -> Iterator[None]:
    yield
    for window in QApplication.topLevelWidgets():
        if isinstance(window, MainWindow):
            window.close()
            window.deleteLater()


@pytest.fixture
def quit_when_attached(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[MainWindow]]:
    """The app's event loop stands in for by processing events until start-up has ended: the
    tabs are built, or the window has closed (a real exec() here would leave the test
    session's application after its quit)."""
    attached: list[MainWindow] = []
    original = MainWindow.attach

    def attach(self: MainWindow, ctx: AppContext) -> None:
        original(self, ctx)
        attached.append(self)

    def exec_(*_args: object) -> int:
        qtbot.waitUntil(lambda: bool(attached) or not _windows(), timeout=30_000)
        return 0

    monkeypatch.setattr(MainWindow, "attach", attach)
    monkeypatch.setattr(QApplication, "exec", exec_)
    yield attached


def test_the_window_shows_before_the_database_is_opened(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, quit_when_attached: list[MainWindow]
) -> None:
    ctx = AppContext.open(db_path)
    ctx.districts.create_block("北部", "ほくぶ")
    ctx.accounts.choose_no_accounts()
    ctx.close()
    seen: list[dict[str, object]] = []
    original_open = AppContext.open.__func__  # type: ignore[attr-defined]

    def open_(cls: type[AppContext], *args: object, **kwargs: object) -> AppContext:
        seen.extend(_shell(w) for w in _windows())
        seen.append({"checked": kwargs.get("checked")})
        return original_open(cls, *args, **kwargs)

    monkeypatch.setattr(AppContext, "open", classmethod(open_))
    assert app_module.run_gui(db_path) == 0
    # When the database was opened the shell was already on screen, every tab loading, and
    # the file had been checked (on another thread) just before.
    assert seen[0] == {
        "visible": True,
        "attached": False,
        "titles": list(TAB_TITLES),
        "pages": [LOADING] * len(TAB_TITLES),
    }
    assert seen[1] == {"checked": True}
    (window,) = quit_when_attached
    assert window.attached and window.tabs.tabText(0) == "地区台帳"
    assert window.district_tab.controller.model.rowCount() == 0  # type: ignore[attr-defined]
    assert window.tabs.count() == len(TAB_TITLES)


def test_the_sign_in_comes_before_any_record(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, quit_when_attached: list[MainWindow]
) -> None:
    ctx = AppContext.open(db_path)
    ctx.districts.create_block("北部", "ほくぶ")
    ctx.accounts.create_first_admin("admin", "管理 一郎", PASSWORD, PASSWORD)
    ctx.close()
    behind: list[dict[str, object]] = []

    def refuse(dialog: SignInDialog) -> int:
        behind.append(_shell(dialog.parentWidget()))  # type: ignore[arg-type]
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(SignInDialog, "exec", refuse)
    assert app_module.run_gui(db_path) == 1
    # Behind the sign-in dialog: the window with no tab built, nothing read.
    assert behind == [
        {
            "visible": True,
            "attached": False,
            "titles": list(TAB_TITLES),
            "pages": [LOADING] * len(TAB_TITLES),
        }
    ]
    assert _windows() == []


def test_damage_found_after_the_window_shows_is_never_opened(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, quit_when_attached: list[MainWindow]
) -> None:
    ctx = AppContext.open(db_path)
    for i in range(300):
        ctx.districts.create_block(f"ブロック{i:03d}", "ぶろっく")
    ctx.close()
    data = bytearray(db_path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8192] = b"\x41" * 8192
    db_path.write_bytes(bytes(data))
    damaged = db_path.read_bytes()
    opened: list[object] = []
    offered: list[tuple[str, list[dict[str, object]]]] = []

    def open_(*args: object, **kwargs: object) -> AppContext:
        opened.append(args)
        raise AssertionError("a damaged file was opened")

    def recover(damage: DamagedDatabaseError) -> None:
        offered.append((damage.message, [_shell(w) for w in _windows()]))
        return None  # the user quits instead of restoring

    monkeypatch.setattr(AppContext, "open", open_)
    monkeypatch.setattr(recover_module, "recover", recover)
    assert app_module.run_gui(db_path) == 1
    assert opened == []
    ((message, windows),) = offered
    assert "壊れています" in message and "変更せずにそのまま残しています" in message
    assert [w["visible"] for w in windows] == [True] and windows[0]["attached"] is False
    assert _windows() == []
    assert db_path.read_bytes() == damaged
