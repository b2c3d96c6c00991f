"""The passphrase asked for at start (again after a wrong one, cancel quits), and ファイル →
暗号化… from the window: encrypt, reopen on the encrypted file, then remove the encryption."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from shienapp import app as app_module
from shienapp import config
from shienapp.core.context import AppContext
from shienapp.core.encryption import PLAIN_FOLDER, is_encrypted
from shienapp.gui import main_window
from shienapp.gui.main_window import MainWindow
from shienapp.gui.safety import encryption
from shienapp.gui.safety.encryption import EncryptionDialog, KeyDialog
from shienapp.storage import cipher

KEY = "ノートPCのかぎ 2026"


@pytest.fixture(autouse=True)
def _no_remembered_keys() -> Iterator[None]:
    cipher.forget_all()
    yield
    cipher.forget_all()


def _encrypted_db(path: Path) -> Path:
    ctx = AppContext.open(path, key=KEY)
    try:
        ctx.districts.create_block("北部", "ほくぶ")
    finally:
        ctx.close()
    cipher.forget_all()
    return path


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """run_gui without its event loop: the start-up behind the window runs at once, and the
    window records the blocks of the database it was given."""
    opened: list[list[str]] = []

    class Window(QWidget):  # dialogs at start-up are parented to the window
        def __init__(self, ctx: AppContext | None = None, **_options: object) -> None:
            super().__init__()
            controller = SimpleNamespace(offer_drafts=lambda: None)
            self.meeting_tab = SimpleNamespace(controller=controller)

        def attach(self, ctx: AppContext) -> None:
            opened.append([b.name for b in ctx.districts.list_blocks()])

    def single_shot(msec: int, *args: object) -> None:
        if msec == 0 and len(args) == 1 and callable(args[0]):
            args[0]()  # the start-up itself; the backup and the drafts wait for a real loop

    monkeypatch.setattr(main_window, "MainWindow", Window)
    monkeypatch.setattr(QApplication, "exec", lambda *_a: 0)
    monkeypatch.setattr(QTimer, "singleShot", single_shot)
    return opened


def test_the_window_asks_for_the_passphrase_until_it_opens(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[list[str]]
) -> None:
    _encrypted_db(db_path)
    asked: list[bool] = []
    answers = iter(["wrong passphrase", KEY])

    def ask(_parent: object, path: Path, *, wrong: bool = False) -> str | None:
        assert path == db_path.resolve()
        asked.append(wrong)
        return next(answers)

    monkeypatch.setattr(encryption, "ask_key", ask)
    assert app_module.run_gui(db_path) == 0
    assert asked == [False, True]  # the second time it says the first one was wrong
    assert started == [["北部"]]


def test_cancel_at_the_passphrase_quits_and_changes_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[list[str]]
) -> None:
    before = _encrypted_db(db_path).read_bytes()
    monkeypatch.setattr(encryption, "ask_key", lambda *_a, **_k: None)
    assert app_module.run_gui(db_path) == 1
    assert started == [] and db_path.read_bytes() == before


def test_the_environment_passphrase_opens_without_asking(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[list[str]]
) -> None:
    _encrypted_db(db_path)
    monkeypatch.setenv("SHIENAPP_DB_KEY", KEY)
    monkeypatch.setattr(encryption, "ask_key", lambda *_a, **_k: pytest.fail("asked"))
    assert app_module.run_gui(db_path) == 0
    assert started == [["北部"]]


def test_the_key_dialog(qtbot: QtBot, db_path: Path) -> None:
    dialog = KeyDialog(db_path, wrong=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "暗号化されています" in dialog.findChildren(type(dialog.wrong_label))[0].text()
    assert dialog.wrong_label.isVisible() and "違います" in dialog.wrong_label.text()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.edit, "pass")  # QTest types ASCII only
    assert dialog.ok_button.isEnabled() and dialog.passphrase() == "pass"
    dialog.edit.setText(KEY)
    assert dialog.passphrase() == KEY
    assert dialog.edit.echoMode() == dialog.edit.EchoMode.Password


def test_encrypt_from_the_window_then_reopen_then_decrypt(
    db_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = AppContext.open(db_path)
    ctx.districts.create_block("北部", "ほくぶ")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))

    dialog = EncryptionDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    assert "誰にも取り出せません" in dialog.findChildren(type(dialog.problem))[0].text()
    qtbot.keyClicks(dialog.first, "short")
    qtbot.keyClicks(dialog.again, "short")
    assert not dialog.run_button.isEnabled() and "8 文字以上" in dialog.problem.text()
    dialog.first.setText(KEY)
    dialog.again.setText(KEY + "x")
    assert "一致しません" in dialog.problem.text()
    dialog.again.setText(KEY)
    assert not dialog.run_button.isEnabled()  # not until the warning is acknowledged
    dialog.understood.setChecked(True)
    assert dialog.run_button.isEnabled()
    dialog.run_button.click()

    assert dialog.changed and is_encrypted(db_path)
    assert "unencrypted" in shown[-1] and "削除するか" in shown[-1]
    assert list((config.backup_dir() / PLAIN_FOLDER).glob("*-pre-encrypt.sqlite3"))
    # What the menu does next: reopen the window on the (now encrypted) file.
    window.open_database(dialog.path)
    reopened = main_window._windows[-1]
    qtbot.addWidget(reopened)
    try:
        assert reopened.ctx.db.encrypted
        assert [b.name for b in reopened.ctx.districts.list_blocks()] == ["北部"]

        undo = EncryptionDialog(reopened.ctx, reopened)
        qtbot.addWidget(undo)
        assert undo.encrypted and undo.run_button.text() == "暗号化を解除する"
        assert not undo.again.isVisibleTo(undo)
        undo.first.setText(KEY)
        undo.run_button.click()
        assert undo.changed and not is_encrypted(db_path)
        assert "暗号化を解除しました" in shown[-1]
    finally:
        main_window._windows.remove(reopened)
        reopened.ctx.close()
    ctx = AppContext.open(db_path)
    try:
        assert not ctx.db.encrypted and [b.name for b in ctx.districts.list_blocks()] == ["北部"]
    finally:
        ctx.close()


def test_a_wrong_passphrase_to_decrypt_is_said_and_changes_nothing(
    db_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _encrypted_db(db_path)
    ctx = AppContext.open(db_path, key=KEY)
    errors: list[str] = []
    monkeypatch.setattr(encryption, "show_error", lambda _p, exc, _t="": errors.append(exc.message))
    dialog = EncryptionDialog(ctx, None)
    qtbot.addWidget(dialog)
    before = db_path.read_bytes()
    dialog.first.setText("wrong passphrase")
    dialog.run_button.click()
    try:
        assert not dialog.changed
        assert errors and "パスフレーズが違います" in errors[0]
        assert db_path.read_bytes() == before
    finally:
        ctx.close()
