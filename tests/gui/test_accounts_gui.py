"""The accounts in the window: first run, signing in, the idle lock, the accounts and audit
dialogs, and what a 閲覧 account sees."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox

from shienapp.core.access import Mode
from shienapp.core.context import AppContext
from shienapp.core.directory import PersonInput
from shienapp.core.permissions import Role
from shienapp.gui.main_window import MainWindow
from shienapp.gui.safety import accounts as gui_accounts
from shienapp.gui.safety.accounts import (
    AccountDialog,
    AccountsDialog,
    FirstRunDialog,
    SignInDialog,
)
from shienapp.gui.safety.audit_dialog import AuditDialog

ADMIN_PASSWORD = "admin-pass-1"
VIEWER_PASSWORD = "viewer-pass-1"


@pytest.fixture
def city(ctx: AppContext) -> Iterator[AppContext]:
    ctx.directory.create_person(
        PersonInput(name="髙橋 﨑子", reading="たかはし さきこ", phone="090-1111-2222", note="鍵")
    )
    ctx.accounts.create_first_admin("admin", "管理 一郎", ADMIN_PASSWORD, ADMIN_PASSWORD)
    ctx.accounts.create("etsu", "閲覧 花子", Role.VIEWER, VIEWER_PASSWORD, VIEWER_PASSWORD)
    yield ctx


@pytest.mark.real_first_run
def test_first_run_makes_the_first_admin_and_refuses_a_short_password(qtbot, ctx) -> None:
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.login.setText("sato")
    dialog.name.setText("佐藤 花子")
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.accept()
    assert "8文字以上" in dialog.error.text()
    assert ctx.access.mode == Mode.UNSET and not ctx.accounts.exist()
    dialog.password.setText("long enough")
    dialog.again.setText("long enough")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert ctx.access.mode == Mode.ON and ctx.access.actor.name == "佐藤 花子"


@pytest.mark.real_first_run
def test_first_run_without_accounts_says_it_is_unprotected(qtbot, ctx) -> None:
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.no_accounts.setChecked(True)
    assert dialog.warning.isVisibleTo(dialog) and "誰でも" in dialog.warning.text()
    assert not dialog.form_box.isEnabled()
    dialog.accept()
    assert ctx.access.mode == Mode.OFF
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert "保護されていません" in window.who.text()


def test_sign_in_dialog_shows_a_wrong_password_and_keeps_nobody_signed_in(
    qtbot, city: AppContext, db_path: Path
) -> None:
    again = AppContext.open(db_path)
    try:
        assert again.access.protected and again.access.actor is None
        dialog = SignInDialog(again)
        qtbot.addWidget(dialog)
        dialog.login.setText("admin")
        dialog.password.setText("wrong")
        dialog.accept()
        assert "違います" in dialog.error.text() and dialog.password.text() == ""
        assert again.access.actor is None
        dialog.password.setText(ADMIN_PASSWORD)
        dialog.accept()
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert again.access.actor.login == "admin"
    finally:
        again.close()


def test_admit_cancelled_means_no_window(qtbot, city: AppContext, db_path: Path, monkeypatch):
    again = AppContext.open(db_path)
    try:
        monkeypatch.setattr(SignInDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
        assert gui_accounts.admit(again) is False
        assert again.access.actor is None
    finally:
        again.close()


def test_idle_lock_hides_the_tabs_until_the_password(qtbot, city: AppContext, monkeypatch):
    city.accounts.set_idle_minutes(5)
    window = MainWindow(city)
    qtbot.addWidget(window)
    window.show()
    assert window.idle_lock.timer.isActive()
    assert window.idle_lock.timer.interval() == 5 * 60_000
    seen: dict[str, object] = {}

    def unlock(dialog: SignInDialog) -> int:
        seen["tabs_visible"] = window.tabs.isVisible()
        seen["reads_refused"] = _reads_refused(city)
        dialog.password.setText("wrong")
        dialog.accept()
        seen["wrong"] = dialog.error.text()
        dialog.password.setText(ADMIN_PASSWORD)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(SignInDialog, "exec", unlock)
    window.idle_lock.timer.timeout.emit()  # the idle time has passed
    assert seen["tabs_visible"] is False and seen["reads_refused"] is True
    assert "違います" in str(seen["wrong"])
    assert window.tabs.isVisible() and not city.access.locked
    assert city.districts.list_districts() == []


def test_a_lock_left_closed_closes_the_window(qtbot, city: AppContext, monkeypatch) -> None:
    window = MainWindow(city)
    qtbot.addWidget(window)
    window.show()
    monkeypatch.setattr(SignInDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    window.lock()
    assert not window.isVisible()


def _reads_refused(ctx: AppContext) -> bool:
    from shienapp.core.access import NotSignedIn

    try:
        ctx.districts.list_districts()
    except NotSignedIn:
        return True
    return False


def test_accounts_dialog_adds_a_staff_member_and_sets_the_idle_time(qtbot, city) -> None:
    dialog = AccountsDialog(city)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    editor = AccountDialog(city, None, dialog)
    qtbot.addWidget(editor)
    editor.login.setText("shokuin")
    editor.name.setText("職員 次郎")
    editor.role.setCurrentIndex(list(Role).index(Role.STAFF))
    editor.password.setText("staff-pass-1")
    editor.again.setText("staff-pass-2")
    editor.accept()
    assert "一致しません" in editor.error.text()
    editor.again.setText("staff-pass-1")
    editor.accept()
    assert editor.result() == QDialog.DialogCode.Accepted
    dialog.reload()
    assert dialog.table.rowCount() == 3
    assert any(r.login == "shokuin" and r.role == Role.STAFF for r in dialog.rows)
    dialog.idle.setCurrentIndex(dialog.idle.findData(15))
    dialog.set_idle()
    assert city.access.idle_minutes == 15


def test_the_last_admin_cannot_be_made_a_viewer(qtbot, city) -> None:
    admin = next(r for r in city.accounts.list() if r.login == "admin")
    editor = AccountDialog(city, admin, None)
    qtbot.addWidget(editor)
    editor.role.setCurrentIndex(list(Role).index(Role.VIEWER))
    editor.accept()
    assert "管理者" in editor.error.text()
    assert next(r for r in city.accounts.list() if r.login == "admin").role == Role.ADMIN


def test_audit_dialog_filters_checks_and_exports(qtbot, city, tmp_path, monkeypatch) -> None:
    dialog = AuditDialog(city)
    qtbot.addWidget(dialog)
    dialog.since.setDate(QDate.currentDate().addDays(-1))
    dialog.reload()
    actions = {r.action for r in dialog.rows}
    assert {"作成", "アカウント", "設定"} <= actions
    dialog.action.setCurrentIndex(dialog.action.findData("作成"))
    dialog.reload()
    assert dialog.rows and {r.action for r in dialog.rows} == {"作成"}
    assert any(r.label == "髙橋 﨑子" for r in dialog.rows)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    dialog.verify()
    assert "正しい" in shown[-1]
    target = tmp_path / "監査.csv"
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), "")
    )
    dialog.export()
    with target.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["番号", "日時", "利用者", "操作"]
    assert all(r[3] == "作成" for r in rows[1:]) and len(rows) > 1


def test_a_viewer_sees_no_contact_details_and_no_admin_menu(qtbot, city) -> None:
    city.accounts.sign_out()
    city.accounts.sign_in("etsu", VIEWER_PASSWORD)
    window = MainWindow(city)
    qtbot.addWidget(window)
    assert "閲覧" in window.who.text() and "変更はできません" in window.who.text()
    enabled = {a.text(): a.isEnabled() for a in window.findChildren(QAction)}
    assert enabled["アカウントと自動ロック(&A)…"] is False
    assert enabled["監査記録(&L)…"] is False
    person = city.directory.list_people()[0]
    assert person.name == "髙橋 﨑子" and person.phone == "" and person.note == ""


def _edit_controls(window: MainWindow) -> dict[str, bool]:
    """The tabs' 追加・編集・削除 and the menus' 取り込み, and whether each is offered."""
    d, m, n = window.directory_tab, window.meeting_tab, window.network_tab
    district_view = window.district_tab.controller.view
    buttons = {
        "地区を追加": district_view.add_button,
        "統計を追加": district_view.add_stat_button,
        "会議を追加": m.add_button,
        "宿題を完了にする": m.done_button,
        "新しい地図": n.new_button,
        "活動を追加": d.resources.buttons["追加"],
        "人を削除": d.people.buttons["削除"],
        "ニーズを受け付ける": d.needs.buttons["受け付ける"],
        "マッチを記録": d.match_button,
    }
    shown = {name: not b.isHidden() for name, b in buttons.items()}
    for action in window.findChildren(QAction):
        if action.text().startswith(
            ("活動・社会資源を取り込む", "交換ファイルを取り込む", "地区台帳を取り込む")
        ):
            shown[action.text()] = action.isVisible()
    return shown


def test_a_viewer_is_not_offered_what_would_be_refused(qtbot, city) -> None:
    city.network.create_map("わがまちの形成図")
    city.accounts.sign_out()
    city.accounts.sign_in("etsu", VIEWER_PASSWORD)
    window = MainWindow(city)
    qtbot.addWidget(window)
    viewer = _edit_controls(window)
    assert len(viewer) == 12 and not any(viewer.values()), viewer
    # What is only read stays: opening a meeting, printing, the exchange history.
    assert not window.meeting_tab.edit_button.isHidden()
    assert not window.meeting_tab.signin_button.isHidden()
    actions = window.findChildren(QAction)
    history = [a for a in actions if a.text().startswith("書き出し・取り込みの履歴")]
    assert history and history[0].isVisible()
    # A map opens as a saved version does: nothing to add, move or save.
    window.tabs.setCurrentWidget(window.network_tab)
    editor = window.network_tab.editor
    assert editor.doc is not None and editor.doc.title == "わがまちの形成図"
    assert not editor.add_action.isEnabled() and editor.view.read_only

    city.accounts.sign_out()
    city.accounts.sign_in("admin", ADMIN_PASSWORD)
    window.show_who()  # as after a sign-in at the lock
    offered = _edit_controls(window)
    assert len(offered) == 12 and all(offered.values()), offered
