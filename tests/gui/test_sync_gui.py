"""持ち出し・持ち帰り from the window: take out, bring back, and resolve a conflict by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QRadioButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.gui.main_window import MainWindow
from shienapp.gui.sync import controller as controller_module
from shienapp.gui.sync.dialogs import ExportDialog, PassphraseDialog
from shienapp.gui.sync.resolver import ConflictResolver
from shienapp.storage.models import District

PASSPHRASE = "correct horse 7"


def _note(ctx: AppContext, name: str) -> str:
    with ctx.db.read() as s:
        return s.scalars(select(District.note).where(District.name == name)).one()


def _set_note(ctx: AppContext, name: str, note: str) -> None:
    with ctx.db.write() as s:
        s.scalars(select(District).where(District.name == name)).one().note = note


@pytest.fixture
def pair(ctx: AppContext, tmp_path: Path) -> Iterator[tuple[AppContext, AppContext]]:
    """The office PC (``ctx``) and a laptop made from its exchange file; both then edit the
    same field of 青葉 differently and the laptop's changes come back in a file."""
    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    for name, reading in (("青葉", "あおば"), ("八幡", "やわた")):
        ctx.districts.create_district(
            DistrictInput(name, reading, block.id, council=CouncilInput("設置済", date(2019, 7, 1)))
        )
    ctx.sync.rename_device("本所PC")
    ctx.sync.export(tmp_path / "out.shienx", PASSPHRASE)
    laptop = AppContext.open(tmp_path / "laptop.sqlite3")
    laptop.sync.rename_device("佐藤ノートPC")
    laptop.sync.import_file(tmp_path / "out.shienx", PASSPHRASE)
    _set_note(ctx, "青葉", "事務所で：会長交代")
    _set_note(laptop, "青葉", "地区会議で：会場変更")
    _set_note(laptop, "八幡", "地区会議で記録")
    laptop.sync.export(tmp_path / "back.shienx", PASSPHRASE)
    yield ctx, laptop
    laptop.close()


def _answer_dialogs(monkeypatch: pytest.MonkeyPatch, passphrase: str) -> list[str]:
    """Stand in for the modal questions: the file chooser, the passphrase and the messages."""
    shown: list[str] = []

    def exec_passphrase(self: PassphraseDialog) -> int:
        self.passphrase.edit.setText(passphrase)
        self._accept()
        return self.result()

    monkeypatch.setattr(PassphraseDialog, "exec", exec_passphrase)
    monkeypatch.setattr(
        QMessageBox, "information", lambda _p, title, text: shown.append(f"{title}: {text}")
    )
    return shown


def test_bringing_back_a_file_merges_it_and_the_conflict_is_resolved_field_by_field(
    pair: tuple[AppContext, AppContext],
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pc, _laptop = pair
    window = MainWindow(pc)
    qtbot.addWidget(window)
    window.show()
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(tmp_path / "back.shienx"), "")
    )
    _answer_dialogs(monkeypatch, PASSPHRASE)
    reports: list[str] = []
    monkeypatch.setattr(window.sync, "show_report", lambda report: reports.append(report.summary()))
    opened: list[ConflictResolver] = []
    monkeypatch.setattr(window.sync, "show_conflicts", lambda: opened.append(None))  # type: ignore[arg-type]

    window.sync.import_file()
    qtbot.waitUntil(lambda: bool(reports), timeout=20_000)

    assert "佐藤ノートPC から" in reports[0] and "競合 1 件" in reports[0]
    assert opened, "a merge that leaves conflicts opens the resolver"
    assert _note(pc, "八幡") == "地区会議で記録"  # merged without a question
    assert window.sync.conflict_label.isVisible()
    assert "競合 1 件" in window.sync.conflict_label.text()

    resolver = ConflictResolver(pc.sync, window)
    qtbot.addWidget(resolver)
    resolver.resolved.connect(window.signals.emit_changes)
    resolver.show()
    assert resolver.list.count() == 1
    assert resolver.table.item(0, 0).text() == "備考"
    assert {resolver.table.item(0, 2).text(), resolver.table.item(0, 3).text()} == {
        "事務所で：会長交代",
        "地区会議で：会場変更",
    }
    # Choose the laptop's value for the note, field by field.
    theirs = resolver.findChild(QRadioButton, "choice_note_theirs")
    assert theirs is not None
    theirs.setChecked(True)
    qtbot.mouseClick(resolver.each_button, _left())

    assert _note(pc, "青葉") == "地区会議で：会場変更"
    assert resolver.list.count() == 0
    assert resolver.empty.isVisible()
    assert pc.sync.open_conflict_count() == 0
    assert not window.sync.conflict_label.isVisible()


def test_resolver_keeps_this_copys_value_with_one_button(
    pair: tuple[AppContext, AppContext], tmp_path: Path, qtbot: QtBot
) -> None:
    pc, _laptop = pair
    pc.sync.import_file(tmp_path / "back.shienx", PASSPHRASE)
    resolver = ConflictResolver(pc.sync)
    qtbot.addWidget(resolver)
    qtbot.mouseClick(resolver.ours_button, _left())
    assert _note(pc, "青葉") == "事務所で：会長交代"
    assert pc.sync.conflicts() == []
    assert [c.resolution for c in pc.sync.conflicts(include_resolved=True)] == ["こちらを採用"]


def test_a_wrong_passphrase_says_so_and_changes_nothing(
    pair: tuple[AppContext, AppContext],
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pc, _laptop = pair
    window = MainWindow(pc)
    qtbot.addWidget(window)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(tmp_path / "back.shienx"), "")
    )
    _answer_dialogs(monkeypatch, "not the passphrase")
    errors: list[str] = []
    monkeypatch.setattr(
        controller_module, "show_error", lambda _p, exc, *_a: errors.append(str(exc))
    )
    window.sync.import_file()
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    assert "パスフレーズが違います" in errors[0]
    assert _note(pc, "八幡") == ""
    assert pc.sync.open_conflict_count() == 0


def test_export_dialog_takes_chosen_districts_and_checks_the_passphrase(
    ctx: AppContext, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    for name, reading in (("青葉", "あおば"), ("八幡", "やわた")):
        ctx.districts.create_district(DistrictInput(name, reading, block.id))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    target = tmp_path / "持ち出し.shienx"

    def exec_export(self: ExportDialog) -> int:
        self.path_edit.setText(str(target))
        self.chosen.setChecked(True)
        self.passphrase.edit.setText(PASSPHRASE)
        assert self.passphrase.again is not None
        self.passphrase.again.setText(PASSPHRASE + "x")
        self._accept()
        assert "1つ以上" in self.message.text()
        self.district_list.item(0).setCheckState(_checked())
        self._accept()
        assert "一致しません" in self.message.text()
        assert not self.result()
        self.passphrase.again.setText(PASSPHRASE)
        self._accept()
        return int(QDialog.DialogCode.Accepted) if self.result() else 0

    monkeypatch.setattr(ExportDialog, "exec", exec_export)
    shown = _answer_dialogs(monkeypatch, PASSPHRASE)
    window.sync.export_file()
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert "USBメモリを取り外して大丈夫です" in shown[0]
    laptop = AppContext.open(tmp_path / "laptop.sqlite3")
    try:
        report = laptop.sync.import_file(target, PASSPHRASE)
        names = [d.name for d in laptop.districts.list_districts()]
    finally:
        laptop.close()
    assert report.added > 0
    assert len(names) == 1


def _left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def _checked():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.CheckState.Checked


def test_a_laptop_opens_an_exchange_file_as_its_own_database(
    pair: tuple[AppContext, AppContext],
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pc, _laptop = pair
    window = MainWindow(pc)
    qtbot.addWidget(window)
    target = tmp_path / "ノートPC.sqlite3"
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(tmp_path / "out.shienx"), "")
    )
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    shown = _answer_dialogs(monkeypatch, PASSPHRASE)
    reopened: list[Path] = []
    monkeypatch.setattr(window.sync, "_open_database", reopened.append)

    window.sync.open_as_new_database()
    qtbot.waitUntil(lambda: bool(reopened), timeout=20_000)

    assert reopened == [target]
    assert "新しいデータベースを作りました" in shown[0]
    new = AppContext.open(target)
    try:
        assert sorted(d.name for d in new.districts.list_districts()) == ["八幡", "青葉"]
        assert new.sync.device().device_id != pc.sync.device().device_id
    finally:
        new.close()


def test_the_window_reopens_on_another_database(
    ctx: AppContext, tmp_path: Path, qtbot: QtBot
) -> None:
    from shienapp.gui import main_window

    other = tmp_path / "other.sqlite3"
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.open_database(other)
    opened = main_window._windows[-1]
    qtbot.addWidget(opened)
    try:
        assert opened.ctx.location == str(other.resolve())
        assert opened.isVisible() and not window.isVisible()
    finally:
        main_window._windows.remove(opened)
        opened.ctx.close()
