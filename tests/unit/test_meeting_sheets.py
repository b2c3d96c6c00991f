"""The three printed sheets of a meeting (受付簿, 議事録, 記録用紙), read back as text."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, time

import pytest
from pdfcheck import assert_japanese_font_only, read, texts

from shienapp.core.councils import MemberRow
from shienapp.core.meetings import (
    ActionRow,
    AgendaRow,
    AttendanceRow,
    MeetingDetail,
    MeetingRow,
)
from shienapp.reports.layout import GETA, esc, printable, time_range
from shienapp.reports.minutes import render_minutes
from shienapp.reports.signin_sheet import render_signin_sheet

HELD_ON = date(2024, 5, 10)  # a Friday: 令和6年5月10日（金）
WHEN = "令和6年5月10日（金）"
COUNCIL = uuid.uuid4()
MEETING = uuid.uuid4()
NAMES = ("会長 一郎", "副会長 二美", "青木 三郎", "井上 四織")


def member(name: str, role: str = "", organisation: str = "") -> MemberRow:
    return MemberRow(
        id=uuid.uuid4(),
        version=1,
        council_id=COUNCIL,
        person_id=uuid.uuid4(),
        name=name,
        reading="",
        role=role,
        organisation=organisation,
        from_on=None,
        to_on=None,
    )


def attendee(name: str, status: str, *, proxy: str = "", is_member: bool = True) -> AttendanceRow:
    return AttendanceRow(
        person_id=uuid.uuid4() if is_member else None,
        name=name,
        reading="",
        organisation="",
        role="",
        status=status,
        proxy_name=proxy,
        is_member=is_member,
    )


def action(text: str, owner: str, due_on: date | None, *, held_on: date = HELD_ON) -> ActionRow:
    return ActionRow(
        id=uuid.uuid4(),
        version=1,
        meeting_id=MEETING,
        meeting_held_on=held_on,
        council_id=COUNCIL,
        council_name="井野地区協議体",
        text=text,
        owner=owner,
        due_on=due_on,
        status="未着手",
        completed_on=None,
    )


def detail(**changes: object) -> MeetingDetail:
    row = MeetingRow(
        id=MEETING,
        version=1,
        council_id=COUNCIL,
        council_name="井野地区協議体",
        district_id=None,
        district_name="井野",
        kind="定例会",
        title="第3回定例会",
        held_on=HELD_ON,
        starts_at=time(14, 0),
        ends_at=time(15, 30),
        venue="井野公民館 第1会議室",
        status="開催済",
        present=4,
        search_key="",
    )
    base = MeetingDetail(
        row=row,
        chair="会長 一郎",
        recorder="記録 花子",
        next_meeting_on=date(2024, 6, 14),
        note="",
        council_tier="第2層",
        members=(
            member(NAMES[0], "会長", "井野自治会"),
            member(NAMES[1], "副会長", "民生委員児童委員協議会"),
            member(NAMES[2], "", "老人クラブ"),
            member(NAMES[3], "", "社会福祉協議会"),
        ),
        attendance=(
            attendee(NAMES[0], "出席"),
            attendee(NAMES[1], "代理", proxy="代理 五郎"),
            attendee(NAMES[2], "欠席"),
            attendee(NAMES[3], "オブザーバー"),
            attendee("見学 六子", "出席", is_member=False),
        ),
        agenda=(
            AgendaRow("見守り活動の報告", "4月は12世帯を訪問した。\n新たに2世帯の希望があった。"),
            AgendaRow("サロンの立ち上げ", "会場は公民館和室で調整中。"),
        ),
        decisions=("サロンを7月から月1回開く。", "見守りマップを更新する。"),
        actions=(action("会場の予約", "青木 三郎", date(2024, 6, 3)),),
        carried=(
            action("チラシの原案作成", "井上 四織", date(2024, 5, 1), held_on=date(2024, 4, 12)),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def assert_numbered(pages: list[str]) -> None:
    total = len(pages)
    for n, text in enumerate(pages, start=1):
        assert f"{n} / {total}" in text


# --- 出席者名簿（受付簿） -------------------------------------------------------------------


def test_signin_sheet_lists_members_in_the_given_order_with_date_time_and_venue() -> None:
    reader = read(render_signin_sheet(detail()))
    pages = texts(reader)
    text = "\n".join(pages)

    assert len(pages) == 1
    assert "出席者名簿" in text and "井野地区協議体" in text and "第3回定例会" in text
    assert WHEN in text and "14:00～15:30" in text and "井野公民館 第1会議室" in text
    positions = [text.index(name) for name in NAMES]
    assert positions == sorted(positions)
    assert "井野自治会" in text and "会長" in text
    for head in ("No.", "氏名", "所属・役職", "出欠", "署名"):
        assert head in text
    # Members first, then the numbered blank rows for guests.
    assert "ゲスト・見学者" in text
    assert "12" in text.split("ゲスト・見学者")[1]  # 4 members + 8 blank rows
    assert_numbered(pages)
    assert_japanese_font_only(reader)


def test_signin_sheet_uses_members_not_attendance() -> None:
    text = "\n".join(texts(read(render_signin_sheet(detail()))))
    assert "見学 六子" not in text  # a guest recorded in the attendance is not pre-printed


def test_sixty_members_fill_exactly_two_pages_with_the_header_on_both() -> None:
    members = tuple(member(f"会員 {i:02d}番", "", f"第{i}自治会") for i in range(1, 61))
    reader = read(render_signin_sheet(detail(members=members)))
    pages = texts(reader)

    assert len(pages) == 2
    for page in pages:
        assert "第3回定例会" in page and WHEN in page
        assert "氏名" in page and "所属・役職" in page and "署名" in page  # column heads
    assert "1 / 2" in pages[0] and "2 / 2" in pages[1]
    text = "\n".join(pages)
    positions = [text.index(f"会員 {i:02d}番") for i in range(1, 61)]
    assert positions == sorted(positions)
    assert "68" in pages[1]  # the last blank row is numbered on from the members
    assert_japanese_font_only(reader)


def test_signin_sheet_rows_are_tall_enough_to_write_in() -> None:
    """With few members the rows take the comfortable height, not the minimum."""
    few = read(render_signin_sheet(detail(), blank_rows=2))
    assert len(few.pages) == 1
    from shienapp.reports import signin_sheet

    heights = []
    for height in signin_sheet.ROW_HEIGHTS_MM:
        heights.append(len(read(signin_sheet._render(detail(), 2, height)).pages))
    assert heights[0] == 1  # the tallest rows already fit, so they are the ones printed


# --- 議事録 ------------------------------------------------------------------------------------


def test_minutes_contain_everything_recorded() -> None:
    reader = read(render_minutes(detail()))
    pages = texts(reader)
    text = "\n".join(pages)

    assert "井野地区協議体 第3回定例会 議事録" in text
    assert WHEN in text and "14:00～15:30" in text
    assert "議長" in text and "会長 一郎" in text and "記録 花子" in text
    # Attendance by status, the proxy named, the guest marked.
    assert "出席（2名）" in text and "代理（1名）" in text
    assert "オブザーバー（1名）" in text and "欠席（1名）" in text
    assert "副会長 二美（代理：代理 五郎）" in text
    assert "見学 六子（ゲスト）" in text
    # Agenda with its notes, line breaks kept.
    assert "見守り活動の報告" in text and "4月は12世帯を訪問した。" in text
    assert "新たに2世帯の希望があった。" in text
    # Decisions numbered.
    assert "1." in text and "サロンを7月から月1回開く。" in text
    assert "2." in text and "見守りマップを更新する。" in text
    # Action items with 和暦 due dates; carried ones marked.
    assert "会場の予約" in text and "青木 三郎" in text and "令和6年6月3日" in text
    assert "チラシの原案作成" in text and "前回からの宿題" in text and "令和6年5月1日" in text
    assert "令和6年4月12日の会議から" in text
    assert "次回開催日" in text and "令和6年6月14日（金）" in text
    assert "記録者" in text and "確認者" in text
    assert_numbered(pages)
    assert_japanese_font_only(reader)


def test_a_ten_thousand_character_note_flows_over_numbered_pages() -> None:
    sentence = "地域の見守り活動について意見交換を行った。"
    note = (sentence * 477)[:10_000]
    assert len(note) == 10_000
    long = detail(agenda=(AgendaRow("長い議題", note), AgendaRow("最後の議題", "おわり")))
    reader = read(render_minutes(long))
    pages = texts(reader)

    assert len(pages) >= 3
    assert_numbered(pages)
    for page in pages:
        assert WHEN in page and "第3回定例会" in page  # the running header on every page
    joined = "".join("".join(page.split()) for page in pages)
    assert joined.count("意見交換を行った。") >= 470  # nothing of the note is lost
    assert "最後の議題" in joined and "確認者" in joined


def test_minutes_print_markup_characters_as_typed() -> None:
    d = detail(
        agenda=(AgendaRow("A&B <案>", "費用は 5<10 & 会場費 > 0 とする。"),),
        decisions=("<b>太字</b>にしない",),
    )
    text = "\n".join(texts(read(render_minutes(d))))
    assert "A&B <案>" in text
    assert "5<10 & 会場費 > 0" in text
    assert "<b>太字</b>にしない" in text


def test_minutes_without_records_still_print() -> None:
    d = detail(
        attendance=(),
        agenda=(),
        decisions=(),
        actions=(),
        carried=(),
        next_meeting_on=None,
        chair="",
        recorder="",
    )
    text = "\n".join(texts(read(render_minutes(d))))
    assert "議事録" in text and "未定" in text and "（なし）" in text


# --- 記録用紙 ----------------------------------------------------------------------------------


def test_blank_form_has_agenda_titles_and_carried_items_but_not_the_notes() -> None:
    reader = read(render_minutes(detail(), blank=True))
    pages = texts(reader)
    text = "\n".join(pages)

    assert "記録用紙" in text and WHEN in text and "14:00～15:30" in text
    assert "見守り活動の報告" in text and "サロンの立ち上げ" in text
    assert "前回からの宿題" in text and "チラシの原案作成" in text and "井上 四織" in text
    assert "状況" in text and "決定事項" in text and "新たな宿題" in text
    assert "次回開催日" in text and "記録者" in text and "確認者" in text
    # Nothing recorded is printed: no notes, decisions, new actions, chair or recorder.
    assert "4月は12世帯を訪問した。" not in text
    assert "サロンを7月から月1回開く。" not in text
    assert "会場の予約" not in text
    assert "記録 花子" not in text
    assert_numbered(pages)
    assert_japanese_font_only(reader)


# --- characters the font lacks ---------------------------------------------------------------


def test_printable_shows_missing_characters_as_geta() -> None:
    assert printable("山田😀太郎") == f"山田{GETA}太郎"
    assert printable("👨\u200d👩\u200d👧") == GETA  # one emoji sequence, one mark
    assert printable("👍🏽") == GETA  # the skin tone is part of the emoji
    assert printable("ｻﾄｳ ﾀﾛｳ") == "ｻﾄｳ ﾀﾛｳ"  # half-width kana are in the font
    assert printable("髙橋　﨑") == "髙橋　﨑"
    assert printable("行1\n行2") == "行1\n行2"
    assert esc("a & <b>\n") == "a &amp; &lt;b&gt;<br/>"
    assert time_range(time(9, 0), time(10, 30)) == "9:00～10:30"
    assert time_range(time(14, 0), None) == "14:00～"
    assert time_range(None, None) == ""


@pytest.mark.parametrize("blank", [False, True])
def test_emoji_and_half_width_kana_in_names_print_without_crashing(blank: bool) -> None:
    d = detail(
        members=(member("山田😀太郎", "会長"), member("ｻﾄｳ ﾀﾛｳ")),
        attendance=(attendee("山田😀太郎", "出席"), attendee("ｻﾄｳ ﾀﾛｳ", "代理", proxy="🌸花子")),
        carried=(action("🎉祭りの準備", "ｻﾄｳ", None),),
    )
    for pdf in (render_signin_sheet(d), render_minutes(d, blank=blank)):
        reader = read(pdf)
        text = "\n".join(texts(reader))
        assert f"山田{GETA}太郎" in text or blank
        assert "😀" not in text and "🎉" not in text
        assert "ｻﾄｳ ﾀﾛｳ" in text or blank
        assert_japanese_font_only(reader)
    form = "\n".join(texts(read(render_minutes(d, blank=True))))
    assert f"{GETA}祭りの準備" in form
    minutes = "\n".join(texts(read(render_minutes(d))))
    assert f"{GETA}祭りの準備" in minutes and f"山田{GETA}太郎" in minutes
    assert f"ｻﾄｳ ﾀﾛｳ（代理：{GETA}花子）" in minutes


def test_importing_the_sheets_does_not_load_reportlab() -> None:
    import subprocess
    import sys

    code = (
        "import sys, shienapp.reports.minutes, shienapp.reports.signin_sheet;"
        "print(any(m.startswith('reportlab') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
