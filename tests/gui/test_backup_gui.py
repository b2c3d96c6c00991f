"""バックアップと復元 from the window, and the restore offered when the file is damaged."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from shienapp import config
from shienapp.core.backups import BackupService
from shienapp.core.context import AppContext, DamagedDatabaseError
from shienapp.gui import main_window
from shienapp.gui.main_window import MainWindow
from shienapp.gui.safety import backup_dialog, recover
from shienapp.gui.safety.backup_dialog import BackupDialog


def test_backup_now_then_restore_reopens_the_window_on_the_old_state(
    db_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = AppContext.open(db_path)
    ctx.districts.create_block("北部", "ほくぶ")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, t, text: shown.append(text))
    dialog = BackupDialog(db_path, window)
    qtbot.addWidget(dialog)
    dialog.backup_now()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=20_000)
    assert "地区 0" in dialog.table.item(0, 2).text()
    assert dialog.table.item(0, 1).text() == "手動"

    ctx.districts.create_block("南部", "なんぶ")
    monkeypatch.setattr(backup_dialog, "confirm_restore", lambda *_a: True)
    dialog.restore_requested.connect(window.restore_from)
    dialog.restore_selected()

    reopened = main_window._windows[-1]
    qtbot.addWidget(reopened)
    try:
        assert [b.name for b in reopened.ctx.districts.list_blocks()] == ["北部"]
        assert any("復元の前の状態" in text for text in shown)
        reasons = [b.reason for b in BackupService(db_path, config.backup_dir()).list()]
        assert "pre-restore" in reasons
    finally:
        main_window._windows.remove(reopened)
        reopened.ctx.close()


def test_a_damaged_database_offers_its_backups_and_restores_one(
    db_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = AppContext.open(db_path)
    for i in range(300):
        ctx.districts.create_block(f"ブロック{i:03d}", "ぶろっく")
    ctx.backup("manual")
    ctx.close()
    data = bytearray(db_path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8192] = b"\x41" * 8192
    db_path.write_bytes(bytes(data))
    with pytest.raises(DamagedDatabaseError) as caught:
        AppContext.open(db_path)

    dialog = recover.RecoverDialog(caught.value)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1 and dialog.restore_button.isEnabled()
    monkeypatch.setattr(recover, "confirm_restore", lambda *_a: True)
    dialog._restore()
    assert dialog.context is not None
    try:
        assert len(dialog.context.districts.list_blocks()) == 300
    finally:
        dialog.context.close()


def test_trash_dialog_restores_a_district_and_empties(
    ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from shienapp.core.districts import CouncilInput, DistrictInput
    from shienapp.gui.safety.trash_dialog import TrashDialog

    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    for name, reading in (("青葉", "あおば"), ("八幡", "やわた")):
        ctx.districts.create_district(
            DistrictInput(name, reading, block.id, council=CouncilInput("設置済", date(2019, 7, 1)))
        )
    for district in ctx.districts.list_districts():
        ctx.districts.delete_district(district.id)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    dialog = TrashDialog(ctx, window)
    qtbot.addWidget(dialog)
    dialog.changed.connect(window.signals.emit_changes)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 0).text() == "地区"
    assert dialog.table.item(0, 3).text() == "1 件"
    restored = dialog.table.item(0, 1).text()
    dialog.restore_selected()
    assert [d.name for d in ctx.districts.list_districts()] == [restored]
    assert dialog.table.rowCount() == 1
    monkeypatch.setattr(QMessageBox, "exec", lambda _self: QMessageBox.StandardButton.Ok)
    dialog.empty_trash()
    assert dialog.table.rowCount() == 0 and not dialog.empty_button.isEnabled()
    assert ctx.trash.list() == []
