"""The 会議・議事録 tab and its editor, driven through the widgets."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from shienapp.core.context import AppContext
from shienapp.core.councils import MemberInput
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.core.drafts import DraftStore
from shienapp.core.meetings import ActionInput, MeetingInput, MinutesInput
from shienapp.gui.main_window import MainWindow
from shienapp.gui.meetings.editor import MeetingEditor, parse_time
from shienapp.gui.meetings.model import ID_ROLE, ActionColumn, MeetingColumn
from shienapp.gui.meetings.tab import MeetingTabController

MEMBERS = [
    ("会長", "山田 太郎", "やまだ たろう"),
    ("委員", "佐藤 花子", "さとう はなこ"),
    ("委員", "ｽｽﾞｷ 一郎", "すずき いちろう"),
    ("オブザーバー", "架空 春子", "かくう はるこ"),
]


@pytest.fixture
def council_id(ctx: AppContext) -> uuid.UUID:
    block, _ = ctx.districts.create_block("北部ブロック", "ほくぶ")
    ctx.districts.create_district(
        DistrictInput("青葉", "あおば", block.id, council=CouncilInput("設置済"))
    )
    council = ctx.councils.list_councils()[0]
    for role, name, reading in MEMBERS:
        ctx.councils.add_member(council.id, MemberInput(role=role, name=name, reading=reading))
    return council.id


@pytest.fixture
def window(ctx: AppContext, council_id: uuid.UUID, qtbot: QtBot) -> Iterator[MainWindow]:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.tabs.setCurrentWidget(win.meeting_tab)
    yield win


def controller(win: MainWindow) -> MeetingTabController:
    return win.meeting_tab.controller  # type: ignore[attr-defined]


def make_meeting(ctx: AppContext, council_id: uuid.UUID, held_on: date, **kw: object) -> uuid.UUID:
    meeting_id, _ = ctx.meetings.create_meeting(MeetingInput(council_id, held_on, **kw))  # type: ignore[arg-type]
    return meeting_id


def open_editor(ctx: AppContext, win: MainWindow, meeting_id: uuid.UUID) -> MeetingEditor:
    editor = controller(win)._editor(ctx.meetings.get_meeting(meeting_id))
    editor.show()
    return editor


def test_the_tab_is_real_and_lists_meetings_newest_first(
    window: MainWindow, ctx: AppContext, council_id: uuid.UUID
) -> None:
    make_meeting(ctx, council_id, date(2024, 5, 10), status="開催済")
    make_meeting(ctx, council_id, date(2025, 3, 31), status="開催済")
    make_meeting(ctx, council_id, date(2025, 4, 1))
    c = controller(window)
    c.reload()
    view = window.meeting_tab.table  # type: ignore[attr-defined]
    dates = [
        view.model().index(r, MeetingColumn.DATE).data() for r in range(view.model().rowCount())
    ]
    assert dates == ["令和7年4月1日（火）", "令和7年3月31日（月）", "令和6年5月10日（金）"]


def test_fiscal_year_filter_puts_march_in_the_year_before(
    window: MainWindow, ctx: AppContext, council_id: uuid.UUID
) -> None:
    make_meeting(ctx, council_id, date(2025, 3, 31))
    april = make_meeting(ctx, council_id, date(2025, 4, 1))
    c = controller(window)
    c.reload()
    combo = window.meeting_tab.year_filter  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findText("令和7年度"))
    assert c.proxy.rowCount() == 1
    assert c.proxy.index(0, 0).data(ID_ROLE) == april
    combo.setCurrentIndex(combo.findText("令和6年度"))
    assert c.proxy.rowCount() == 1


def test_search_folds_kana(window: MainWindow, ctx: AppContext, council_id: uuid.UUID) -> None:
    make_meeting(ctx, council_id, date(2025, 1, 10), venue="アオバ集会所")
    make_meeting(ctx, council_id, date(2025, 2, 10), venue="公民館")
    c = controller(window)
    c.reload()
    search = window.meeting_tab.search  # type: ignore[attr-defined]
    search.insert("ｱｵﾊﾞ集会")  # half-width katakana finds アオバ
    search.flush()
    assert c.proxy.rowCount() == 1
    assert c.proxy.index(0, MeetingColumn.VENUE).data() == "アオバ集会所"


def test_attendance_is_recorded_from_the_keyboard_alone(
    window: MainWindow, ctx: AppContext, council_id: uuid.UUID, qtbot: QtBot
) -> None:
    meeting_id = make_meeting(ctx, council_id, date(2025, 2, 20), status="開催済")
    editor = open_editor(ctx, window, meeting_id)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    table = editor.attendance
    table.setFocus()
    # By role (会長, 委員 …, オブザーバー), 五十音順 within a role.
    names = [r.name for r in editor.attendance_model.rows]
    assert names[0] == "山田 太郎"
    qtbot.keyClick(table, Qt.Key.Key_1)  # 山田: 出席, cursor moves down
    qtbot.keyClick(table, Qt.Key.Key_2)  # next: 欠席
    qtbot.keyClick(table, Qt.Key.Key_3)  # next: 代理, and the proxy's name is being edited
    editor_widget = QApplication.focusWidget()
    assert editor_widget is not None and editor_widget is not table
    qtbot.keyClicks(editor_widget, "Tanaka")
    qtbot.keyClick(editor_widget, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Space)  # last: 出席
    qtbot.keyClick(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # save
    assert editor.message.text() == ""
    assert not editor.isVisible()

    detail = ctx.meetings.get_meeting(meeting_id)
    recorded = {a.name: (a.status, a.proxy_name) for a in detail.attendance}
    assert recorded == {
        names[0]: ("出席", ""),
        names[1]: ("欠席", ""),
        names[2]: ("代理", "Tanaka"),
        names[3]: ("出席", ""),
    }
    assert DraftStore().pending() == []


def test_a_draft_survives_and_is_offered_back(
    window: MainWindow, ctx: AppContext, council_id: uuid.UUID, qtbot: QtBot
) -> None:
    meeting_id = make_meeting(ctx, council_id, date(2025, 2, 20))
    editor = open_editor(ctx, window, meeting_id)
    editor.add_agenda()
    editor.agenda_title.clear()
    editor.agenda_title.insert("見守り活動について")
    editor.agenda_notes.insertPlainText("散歩コースを二つ増やす案が出た。")
    editor.attendance.setFocus()
    qtbot.keyClick(editor.attendance, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: bool(DraftStore().pending()), timeout=5000)
    # The app is killed here: the editor goes without saving or discarding.
    editor.hide()
    editor.deleteLater()

    drafts = DraftStore().pending()
    assert len(drafts) == 1
    restored = controller(window)._editor(ctx.meetings.get_meeting(meeting_id), drafts[0])
    assert restored.agenda_title.text() == "見守り活動について"
    assert "散歩コース" in restored.agenda_notes.toPlainText()
    assert restored.attendance_model.rows[0].status == "出席"
    assert ctx.meetings.get_meeting(meeting_id).agenda == ()  # not in the database yet
    restored.buttons.button(restored.buttons.StandardButton.Save).click()
    assert ctx.meetings.get_meeting(meeting_id).agenda[0].title == "見守り活動について"
    assert DraftStore().pending() == []


def test_a_refused_save_keeps_the_dialog_and_what_was_typed(
    window: MainWindow, ctx: AppContext, council_id: uuid.UUID
) -> None:
    meeting_id = make_meeting(ctx, council_id, date(2025, 2, 20))
    editor = open_editor(ctx, window, meeting_id)
    editor.starts_at.setText("15:00")
    editor.ends_at.setText("14:00")
    editor.venue.insert("公民館")
    editor.buttons.button(editor.buttons.StandardButton.Save).click()
    assert editor.isVisible()
    assert "終了時刻 14:00 が開始時刻 15:00 より前です" in editor.message.text()
    assert editor.venue.text() == "公民館"
    assert ctx.meetings.get_meeting(meeting_id).row.venue == ""
    editor._dirty = False
    editor.reject()


def test_open_actions_view_marks_overdue_and_marks_done(
    window: MainWindow, ctx: AppContext, council_id: uuid.UUID
) -> None:
    meeting_id = make_meeting(ctx, council_id, date(2025, 2, 20), status="開催済")
    version = ctx.meetings.get_meeting(meeting_id).row.version
    ctx.meetings.save_minutes(
        meeting_id,
        version,
        MinutesInput(
            actions=(
                ActionInput("チラシ作成", "山田", date.today() - timedelta(days=3)),
                ActionInput("会場予約", "佐藤", date.today() + timedelta(days=30)),
            )
        ),
    )
    c = controller(window)
    c.reload()
    # Not read with the meeting list: the page's tab counts them, and they are read when shown.
    pages = window.meeting_tab.pages  # type: ignore[attr-defined]
    assert pages.tabText(1) == "未完了の宿題（2）"
    assert c.actions_proxy.rowCount() == 0
    pages.setCurrentIndex(1)
    proxy = c.actions_proxy
    assert proxy.rowCount() == 2
    first_due = proxy.index(0, ActionColumn.DUE)
    assert first_due.data().endswith("期限切れ")
    assert proxy.index(0, ActionColumn.TEXT).data() == "チラシ作成"
    assert proxy.index(1, ActionColumn.DUE).data().endswith("期限切れ") is False
    assert first_due.data(Qt.ItemDataRole.ForegroundRole) is not None
    window.meeting_tab.actions_table.setCurrentIndex(first_due)  # type: ignore[attr-defined]
    c.mark_done()
    assert [a.text for a in ctx.meetings.open_actions()] == ["会場予約"]
    assert proxy.rowCount() == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:00", time(14)),
        ("１４：３０", time(14, 30)),
        ("9時", time(9)),
        ("0930", time(9, 30)),
        ("", None),
    ],
)
def test_times_are_read_as_people_type_them(typed: str, expected: time | None) -> None:
    assert parse_time(typed) == expected


def test_councils_dialog_adds_a_member_and_a_section(
    window: MainWindow, ctx: AppContext, council_id: uuid.UUID, qtbot: QtBot
) -> None:
    from shienapp.gui.meetings.councils_dialog import CouncilsDialog, MemberDialog

    dialog = CouncilsDialog(ctx, window.signals, window)
    qtbot.addWidget(dialog)
    assert dialog.members.rowCount() == len(MEMBERS)
    assert dialog.members.rows[0].role == "会長"

    def fill(member_dialog: MemberDialog) -> None:
        member_dialog.name.insert("高橋 😀")
        member_dialog.reading.insert("たかはし")
        member_dialog.role.setCurrentText("副会長")
        member_dialog.organisation.insert("民生委員")
        member_dialog.buttons.button(member_dialog.buttons.StandardButton.Save).click()

    def when_open() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, MemberDialog):
            fill(widget)
        else:
            QTimer.singleShot(10, when_open)

    QTimer.singleShot(0, when_open)
    dialog.add_member()
    members = ctx.councils.members(council_id)
    assert [m.name for m in members][:2] == ["山田 太郎", "高橋 😀"]  # 副会長 after 会長
    assert members[1].organisation == "民生委員"
    assert dialog.members.rowCount() == len(MEMBERS) + 1


@pytest.mark.parametrize(
    ("which", "title"),
    [("signin", "出席者名簿"), ("minutes", "議事録"), ("blank", "記録用紙")],
)
def test_print_buttons_open_a_preview(
    window: MainWindow,
    ctx: AppContext,
    council_id: uuid.UUID,
    qtbot: QtBot,
    which: str,
    title: str,
) -> None:
    from shienapp.gui.pdf_preview import PdfPreviewDialog

    meeting_id = make_meeting(ctx, council_id, date(2025, 2, 20), starts_at=time(14))
    c = controller(window)
    c.reload()
    c.select(meeting_id)
    seen: list[tuple[bytes, int, str]] = []

    def look() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, PdfPreviewDialog) or widget.document.pageCount() == 0:
            QTimer.singleShot(20, look)
            return
        seen.append((widget.pdf, widget.document.pageCount(), widget.windowTitle()))
        widget.reject()

    QTimer.singleShot(0, look)
    button = {
        "signin": window.meeting_tab.signin_button,  # type: ignore[attr-defined]
        "minutes": window.meeting_tab.minutes_button,  # type: ignore[attr-defined]
        "blank": window.meeting_tab.blank_button,  # type: ignore[attr-defined]
    }[which]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    pdf, pages, window_title = seen[0]
    assert pdf.startswith(b"%PDF") and pages >= 1
    assert title in window_title and "令和7年2月20日" in window_title


def test_models_pass_qt_model_tester(
    ctx: AppContext, council_id: uuid.UUID, qtmodeltester: object
) -> None:
    from shienapp.gui.meetings.model import ActionTableModel, AttendanceModel, MeetingTableModel

    meeting_id = make_meeting(ctx, council_id, date(2025, 2, 20), status="開催済")
    version = ctx.meetings.get_meeting(meeting_id).row.version
    ctx.meetings.save_minutes(
        meeting_id, version, MinutesInput(actions=(ActionInput("チラシ作成", "山田"),))
    )
    meetings = MeetingTableModel()
    meetings.set_rows(ctx.meetings.list_meetings())
    actions = ActionTableModel()
    actions.set_rows(ctx.meetings.open_actions())
    attendance = AttendanceModel(list(ctx.meetings.get_meeting(meeting_id).attendance))
    for model in (meetings, actions, attendance):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert meetings.rowCount() == 1 and actions.rowCount() == 1 and attendance.rowCount() == 4


def test_exports_from_the_window(
    window: MainWindow,
    ctx: AppContext,
    council_id: uuid.UUID,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    make_meeting(ctx, council_id, date.today() + timedelta(days=7), starts_at=time(14))
    make_meeting(ctx, council_id, date.today() - timedelta(days=7), status="開催済")
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    c = controller(window)
    c.reload()

    ics = tmp_path / "plan"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(ics), ""))
    c.export_calendar()
    assert (tmp_path / "plan.ics").read_bytes().count(b"BEGIN:VEVENT") == 1
    assert "予定の会議 1 件" in told[-1]

    xlsx = tmp_path / "list.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(xlsx), ""))
    c.export_meetings()
    qtbot.waitUntil(lambda: xlsx.exists() and len(told) == 2, timeout=10000)
    assert "会議 2 件" in told[-1]


def test_the_editor_shows_the_meetings_own_council(
    window: MainWindow, ctx: AppContext, council_id: uuid.UUID
) -> None:
    block = ctx.districts.list_blocks()[0]
    ctx.districts.create_district(
        DistrictInput("桜台", "さくらだい", block.id, council=CouncilInput("設置済"))
    )
    other = next(c.id for c in ctx.councils.list_councils() if c.id != council_id)
    for council in (council_id, other):
        meeting_id = make_meeting(ctx, council, date(2025, 2, 20))
        editor = open_editor(ctx, window, meeting_id)
        assert editor.council.currentData() == council
        editor.venue.insert("公民館")
        editor.buttons.button(editor.buttons.StandardButton.Save).click()
        assert ctx.meetings.get_meeting(meeting_id).row.council_id == council
