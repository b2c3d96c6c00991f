"""会議・議事録 through MeetingService (and the member lists of CouncilService it reads),
on a fresh database made by the migrations."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shienapp.core import councils as councils_module
from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.core.errors import NotFoundError, StaleEditError, UserError
from shienapp.core.meetings import (
    ActionInput,
    ActionRow,
    AgendaRow,
    AttendanceInput,
    MeetingInput,
    MinutesInput,
    carried_over,
    meeting_problems,
    minutes_problems,
)
from shienapp.storage.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Council,
    CouncilMember,
    Decision,
    Meeting,
    Person,
)

MemberInput = councils_module.MemberInput

# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def block(ctx: AppContext) -> uuid.UUID:
    info, _ = ctx.districts.create_block("北ブロック", "きたぶろっく")
    return info.id


@pytest.fixture
def council(ctx: AppContext, block: uuid.UUID) -> uuid.UUID:
    return new_council(ctx, block, "井野", "いの")


def new_council(ctx: AppContext, block: uuid.UUID, name: str, reading: str) -> uuid.UUID:
    """A district with its 第2層協議体; returns the council's id."""
    district_id, _ = ctx.districts.create_district(
        DistrictInput(name, reading, block, council=CouncilInput("設置済"))
    )
    (council_id,) = [
        c.id
        for c in ctx.councils.list_councils()
        if c.district_id == district_id and c.tier == "第2層"
    ]
    return council_id


def new_meeting(
    ctx: AppContext,
    council_id: uuid.UUID,
    held_on: date,
    status: str = "開催済",
    kind: str = "定例会",
    **fields: object,
) -> uuid.UUID:
    meeting_id, _ = ctx.meetings.create_meeting(
        MeetingInput(council_id, held_on, kind=kind, status=status, **fields)  # type: ignore[arg-type]
    )
    return meeting_id


def save(ctx: AppContext, meeting_id: uuid.UUID, minutes: MinutesInput) -> None:
    version = ctx.meetings.get_meeting(meeting_id).row.version
    ctx.meetings.save_minutes(meeting_id, version, minutes)


def seat(
    ctx: AppContext,
    council_id: uuid.UUID,
    name: str,
    reading: str,
    role: str = "委員",
    **fields: object,
) -> uuid.UUID:
    """Seats a new person; returns the person's id."""
    member_id, _ = ctx.councils.add_member(
        council_id,
        MemberInput(role=role, name=name, reading=reading, **fields),  # type: ignore[arg-type]
    )
    with ctx.db.read() as s:
        member = s.get(CouncilMember, member_id)
        assert member is not None
        return member.person_id


def snapshot(ctx: AppContext) -> dict[str, list[tuple[str, int, bool]]]:
    """Every row (soft-deleted ones too) with its version: what a refused call must not touch."""
    with ctx.db.read() as s:
        return {
            model.__tablename__: sorted(
                (str(r.id), r.version, r.deleted_at is None) for r in s.scalars(select(model))
            )
            for model in (
                Meeting,
                Attendance,
                AgendaItem,
                Decision,
                ActionItem,
                Council,
                CouncilMember,
                Person,
            )
        }


def texts(rows: tuple[ActionRow, ...] | list[ActionRow]) -> list[str]:
    return [a.text for a in rows]


def action_row(
    council_id: uuid.UUID,
    held_on: date,
    status: str = "未着手",
    completed_on: date | None = None,
    due_on: date | None = None,
    text: str = "宿題",
) -> ActionRow:
    return ActionRow(
        id=uuid.uuid4(),
        version=1,
        meeting_id=uuid.uuid4(),
        meeting_held_on=held_on,
        council_id=council_id,
        council_name="協議体",
        text=text,
        owner="",
        due_on=due_on,
        status=status,
        completed_on=completed_on,
    )


# --- 1. 宿題 carried from meeting to meeting ----------------------------------------------------


def test_action_items_are_carried_until_done(
    ctx: AppContext, block: uuid.UUID, council: uuid.UUID
) -> None:
    other = new_council(ctx, block, "志村", "しむら")
    m1 = new_meeting(ctx, council, date(2025, 4, 10))
    m2 = new_meeting(ctx, council, date(2025, 5, 10))
    m3 = new_meeting(ctx, council, date(2025, 6, 10))
    m4 = new_meeting(ctx, council, date(2025, 7, 10))
    o1 = new_meeting(ctx, other, date(2025, 4, 1))
    o2 = new_meeting(ctx, other, date(2025, 8, 1))
    save(ctx, o1, MinutesInput(actions=(ActionInput("志村の宿題"),)))
    save(
        ctx,
        m1,
        MinutesInput(
            actions=(
                ActionInput("名簿を作る", owner="佐藤", due_on=date(2025, 5, 1)),
                ActionInput("会場を探す", owner="鈴木"),
            )
        ),
    )

    d1 = ctx.meetings.get_meeting(m1)
    assert texts(d1.actions) == ["名簿を作る", "会場を探す"]
    assert d1.carried == ()  # set at the same meeting: its own 宿題, not carried
    roster, venue = d1.actions
    assert (roster.owner, roster.due_on, roster.status) == ("佐藤", date(2025, 5, 1), "未着手")

    # Open: carried to every later meeting of the council, the soonest due first.
    for later in (m2, m3, m4):
        detail = ctx.meetings.get_meeting(later)
        assert texts(detail.carried) == ["名簿を作る", "会場を探す"]
        assert detail.actions == ()

    # Done at meeting 2 (the date defaults to the meeting's), and a new item set there.
    save(
        ctx,
        m2,
        MinutesInput(
            actions=(ActionInput("チラシを配る"),),
            carried_updates={roster.id: ("完了", None)},
        ),
    )
    d2 = ctx.meetings.get_meeting(m2)
    # Meeting 2 began with it open: its history still shows it, now marked done on that day.
    assert texts(d2.carried) == ["名簿を作る", "会場を探す"]
    done = d2.carried[0]
    assert (done.status, done.completed_on) == ("完了", date(2025, 5, 10))
    assert texts(d2.actions) == ["チラシを配る"]
    assert texts(ctx.meetings.get_meeting(m1).carried) == []
    assert texts(ctx.meetings.get_meeting(m3).carried) == ["会場を探す", "チラシを配る"]

    # Done on 2025-06-20 through update_action: still open at meeting 3, gone at meeting 4.
    ctx.meetings.update_action(venue.id, venue.version, "完了", date(2025, 6, 20))
    assert texts(ctx.meetings.get_meeting(m3).carried) == ["会場を探す", "チラシを配る"]
    assert texts(ctx.meetings.get_meeting(m4).carried) == ["チラシを配る"]

    # Another council's items never cross over, and ours never reach it.
    assert texts(ctx.meetings.get_meeting(o2).carried) == ["志村の宿題"]
    for meeting in (m1, m2, m3, m4):
        assert "志村の宿題" not in texts(ctx.meetings.get_meeting(meeting).carried)

    # Deleting meeting 2 takes its 宿題 out of the carry-over.
    ctx.meetings.delete_meeting(m2, ctx.meetings.get_meeting(m2).row.version)
    assert texts(ctx.meetings.get_meeting(m3).carried) == ["会場を探す"]
    assert texts(ctx.meetings.get_meeting(m4).carried) == []
    assert all(a.meeting_id != m2 for a in ctx.meetings.open_actions())
    with pytest.raises(NotFoundError, match="会議が見つかりません"):
        ctx.meetings.get_meeting(m2)


def test_reopening_a_done_item_carries_it_again(ctx: AppContext, council: uuid.UUID) -> None:
    m1 = new_meeting(ctx, council, date(2025, 4, 10))
    m2 = new_meeting(ctx, council, date(2025, 5, 10))
    save(ctx, m1, MinutesInput(actions=(ActionInput("見守り訪問", status="完了"),)))
    (item,) = ctx.meetings.get_meeting(m1).actions
    assert (item.status, item.completed_on) == ("完了", date(2025, 4, 10))
    assert ctx.meetings.get_meeting(m2).carried == ()

    ctx.meetings.update_action(item.id, item.version, "対応中")
    (carried,) = ctx.meetings.get_meeting(m2).carried
    assert (carried.status, carried.completed_on) == ("対応中", None)
    with pytest.raises(StaleEditError, match="別の人が変更しました"):
        ctx.meetings.update_action(item.id, item.version, "完了", date(2025, 5, 1))
    with pytest.raises(UserError, match="状態「保留」は選べません"):
        ctx.meetings.update_action(item.id, carried.version, "保留")


def test_carried_over_pure_function() -> None:
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    meeting_day = date(2025, 6, 1)
    items = [
        action_row(ours, date(2025, 5, 1), text="open, no due", due_on=None),
        action_row(ours, date(2025, 5, 1), text="open, due", due_on=date(2025, 7, 1)),
        action_row(ours, date(2025, 4, 1), text="older", status="対応中"),
        action_row(ours, date(2025, 5, 1), "完了", date(2025, 5, 31), text="done the day before"),
        action_row(ours, date(2025, 5, 1), "完了", meeting_day, text="done that day"),
        action_row(ours, date(2025, 5, 1), "完了", date(2025, 6, 2), text="done after"),
        action_row(ours, date(2025, 5, 1), "完了", None, text="done, no date"),
        action_row(ours, meeting_day, text="set that day"),
        action_row(ours, date(2025, 7, 1), text="set later"),
        action_row(theirs, date(2025, 5, 1), text="other council"),
    ]
    assert texts(carried_over(items, ours, meeting_day)) == [
        "older",
        "open, due",
        "open, no due",  # no due date sorts last; ties keep their order
        "done that day",
        "done after",
    ]
    assert texts(carried_over(items, theirs, meeting_day)) == ["other council"]
    assert carried_over(items, uuid.uuid4(), meeting_day) == []
    assert carried_over([], ours, meeting_day) == []


# --- 2. counts by 年度 -------------------------------------------------------------------------


def test_counts_by_fiscal_year_at_the_march_april_boundary(
    ctx: AppContext, block: uuid.UUID, council: uuid.UUID
) -> None:
    other = new_council(ctx, block, "志村", "しむら")
    march = new_meeting(ctx, council, date(2025, 3, 31))
    april = new_meeting(ctx, council, date(2025, 4, 1))
    study = new_meeting(ctx, council, date(2025, 4, 2), kind="勉強会")
    planned = new_meeting(ctx, council, date(2025, 4, 3), status="予定")
    cancelled = new_meeting(ctx, council, date(2025, 4, 4), status="中止")
    theirs = new_meeting(ctx, other, date(2025, 6, 1))
    last_day = new_meeting(ctx, council, date(2026, 3, 31))
    next_year = new_meeting(ctx, council, date(2026, 4, 1), kind="研修")

    assert ctx.meetings.held_counts() == Counter(
        {
            (2024, "井野", "定例会"): 1,  # 31 March is still the 年度 before
            (2025, "井野", "定例会"): 2,  # 1 April and 31 March 2026; not the planned or cancelled
            (2025, "井野", "勉強会"): 1,
            (2025, "志村", "定例会"): 1,
            (2026, "井野", "研修"): 1,
        }
    )

    # The list keeps planned and cancelled meetings; the filter is by 年度 alone, newest first.
    assert [r.id for r in ctx.meetings.list_meetings(fiscal_year=2024)] == [march]
    assert [r.id for r in ctx.meetings.list_meetings(fiscal_year=2025)] == [
        last_day,
        theirs,
        cancelled,
        planned,
        study,
        april,
    ]
    assert [r.id for r in ctx.meetings.list_meetings(council_id=other)] == [theirs]
    assert [r.id for r in ctx.meetings.list_meetings(council_id=council, fiscal_year=2026)] == [
        next_year
    ]
    assert [r.fiscal_year for r in ctx.meetings.list_meetings(fiscal_year=2025)] == [2025] * 6

    # A meeting moved from 予定 to 開催済 starts to count.
    row = next(r for r in ctx.meetings.list_meetings() if r.id == planned)
    ctx.meetings.update_meeting(
        planned, row.version, MeetingInput(council, date(2025, 4, 3), status="開催済")
    )
    assert ctx.meetings.held_counts()[(2025, "井野", "定例会")] == 3


# --- 3. attendance ------------------------------------------------------------------------------


@pytest.fixture
def people(ctx: AppContext, council: uuid.UUID) -> dict[str, uuid.UUID]:
    """Five members and one person on record who is not on the council."""
    found = {
        "高橋": seat(ctx, council, "高橋", "たかはし"),
        "山田": seat(ctx, council, "山田", "やまだ", "会長"),
        "佐藤": seat(ctx, council, "佐藤", "さとう"),
        "伊藤": seat(ctx, council, "伊藤", "いとう", "副会長"),
        "鈴木": seat(ctx, council, "鈴木", "すずき"),
    }
    found["外部"], _ = ctx.councils.create_person("外部一郎", "がいぶいちろう", "市役所")
    return found


def test_attendance_states_and_summary(
    ctx: AppContext, council: uuid.UUID, people: dict[str, uuid.UUID]
) -> None:
    meeting = new_meeting(ctx, council, date(2025, 5, 20))
    save(
        ctx,
        meeting,
        MinutesInput(
            attendance=(
                AttendanceInput("欠席", person_id=people["佐藤"]),
                AttendanceInput("出席", person_id=people["山田"]),
                AttendanceInput("代理", person_id=people["伊藤"], proxy_name=" 伊藤花子 "),
                AttendanceInput("オブザーバー", person_id=people["鈴木"]),
                AttendanceInput("出席", person_id=people["外部"]),
                AttendanceInput("出席", guest_name="見学の方", guest_organisation="民生委員"),
            )
        ),
    )
    detail = ctx.meetings.get_meeting(meeting)
    assert [(a.name, a.role, a.status, a.proxy_name, a.is_member) for a in detail.attendance] == [
        ("山田", "会長", "出席", "", True),
        ("伊藤", "副会長", "代理", "伊藤花子", True),
        ("佐藤", "委員", "欠席", "", True),
        ("鈴木", "委員", "オブザーバー", "", True),
        ("高橋", "委員", "", "", True),  # a member not recorded yet
        ("外部一郎", "", "出席", "", False),  # on record, not on the council: flagged
        ("見学の方", "", "出席", "", False),  # a guest known by name only
    ]
    outsider, guest = detail.attendance[-2:]
    assert (outsider.person_id, outsider.organisation) == (people["外部"], "市役所")
    assert (guest.person_id, guest.organisation) == (None, "民生委員")

    assert ctx.meetings.attendance_summary(meeting) == Counter(
        {"出席": 3, "代理": 1, "欠席": 1, "オブザーバー": 1}
    )
    assert detail.row.present == 5  # 出席 3 + 代理 1 + オブザーバー 1; 欠席 not counted
    (listed,) = ctx.meetings.list_meetings(council_id=council)
    assert listed.present == 5
    assert ctx.meetings.attendance_summary(new_meeting(ctx, council, date(2025, 6, 1))) == Counter()


def test_attendance_refusals_name_the_row(
    ctx: AppContext, council: uuid.UUID, people: dict[str, uuid.UUID]
) -> None:
    meeting = new_meeting(ctx, council, date(2025, 5, 20))
    version = ctx.meetings.get_meeting(meeting).row.version
    before = snapshot(ctx)

    no_proxy = MinutesInput(
        attendance=(
            AttendanceInput("出席", person_id=people["山田"]),
            AttendanceInput("代理", person_id=people["伊藤"], proxy_name="  "),
        )
    )
    with pytest.raises(UserError) as refused:
        ctx.meetings.save_minutes(meeting, version, no_proxy)
    assert refused.value.message == "出欠 2 行目：代理出席の人の氏名を入力してください。"

    twice = MinutesInput(
        attendance=(
            AttendanceInput("出席", person_id=people["山田"]),
            AttendanceInput("出席", guest_name="見学の方"),
            AttendanceInput("欠席", person_id=people["山田"]),
        )
    )
    with pytest.raises(UserError) as refused:
        ctx.meetings.save_minutes(meeting, version, twice)
    assert refused.value.message == "出欠 3 行目：同じ人が二度記録されています。"

    nameless = MinutesInput(attendance=(AttendanceInput("出席"),))
    with pytest.raises(UserError, match="出欠 1 行目：氏名がありません。"):
        ctx.meetings.save_minutes(meeting, version, nameless)
    unknown = MinutesInput(attendance=(AttendanceInput("遅刻", person_id=people["山田"]),))
    with pytest.raises(UserError, match="出欠 1 行目：出欠「遅刻」は選べません"):
        ctx.meetings.save_minutes(meeting, version, unknown)

    assert snapshot(ctx) == before
    assert ctx.meetings.get_meeting(meeting).row.version == version


def test_resaving_minutes_keeps_attendance_identity(
    ctx: AppContext, council: uuid.UUID, people: dict[str, uuid.UUID]
) -> None:
    meeting = new_meeting(ctx, council, date(2025, 5, 20))

    def alive_rows() -> dict[str, uuid.UUID]:
        with ctx.db.read() as s:
            rows = s.scalars(
                select(Attendance).where(
                    Attendance.meeting_id == meeting, Attendance.deleted_at.is_(None)
                )
            ).all()
            return {str(r.person_id) if r.person_id else r.guest_name: r.id for r in rows}

    save(
        ctx,
        meeting,
        MinutesInput(
            attendance=(
                AttendanceInput("出席", person_id=people["山田"]),
                AttendanceInput("出席", person_id=people["佐藤"]),
                AttendanceInput("出席", guest_name="見学の方"),
            )
        ),
    )
    first = alive_rows()
    assert set(first) == {str(people["山田"]), str(people["佐藤"]), "見学の方"}

    save(
        ctx,
        meeting,
        MinutesInput(
            attendance=(
                AttendanceInput("欠席", person_id=people["山田"]),  # changed
                AttendanceInput("出席", guest_name=" 見学の方 "),  # the same guest
                AttendanceInput("出席", person_id=people["高橋"]),  # new
            )
        ),
    )
    second = alive_rows()
    assert second[str(people["山田"])] == first[str(people["山田"])]
    assert second["見学の方"] == first["見学の方"]
    assert str(people["佐藤"]) not in second
    assert second[str(people["高橋"])] not in first.values()
    with ctx.db.read() as s:
        removed = s.get(Attendance, first[str(people["佐藤"])])
        assert removed is not None
        assert removed.deleted_at is not None  # soft-deleted, not erased

    statuses = {a.name: a.status for a in ctx.meetings.get_meeting(meeting).attendance}
    assert statuses == {
        "山田": "欠席",
        "伊藤": "",
        "佐藤": "",
        "鈴木": "",
        "高橋": "出席",
        "見学の方": "出席",
    }


def test_resaving_identical_minutes_keeps_two_guests_of_the_same_name(
    ctx: AppContext, council: uuid.UUID
) -> None:
    meeting = new_meeting(ctx, council, date(2025, 5, 20))
    minutes = MinutesInput(
        attendance=(
            AttendanceInput("出席", guest_name="見学者", guest_organisation="市役所"),
            AttendanceInput("出席", guest_name="見学者", guest_organisation="社協"),
        )
    )
    save(ctx, meeting, minutes)
    assert len(ctx.meetings.get_meeting(meeting).attendance) == 2
    save(ctx, meeting, minutes)  # the same sheet saved again
    detail = ctx.meetings.get_meeting(meeting)
    assert sorted(a.organisation for a in detail.attendance) == ["市役所", "社協"]
    assert detail.row.present == 2


# --- 4. validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"starts_at": time(14, 0), "ends_at": time(13, 30)},
            "終了時刻 13:30 が開始時刻 14:00 より前です。",
        ),
        ({"held_on": date(1999, 12, 31)}, "開催日 1999-12-31 は範囲外です"),
        ({"held_on": date(2100, 1, 1)}, "開催日 2100-01-01 は範囲外です"),
        ({"kind": "懇親会"}, "会議の種類「懇親会」は選べません。"),
        ({"status": "延期"}, "状態「延期」は選べません（予定・開催済・中止）。"),
        ({"next_meeting_on": date(2025, 5, 19)}, "次回開催日が今回の開催日より前です。"),
        ({"note": "あ" * 50_001}, "備考は 50,000 文字以内にしてください（50,001 文字）。"),
    ],
)
def test_invalid_meetings_are_refused_and_change_nothing(
    ctx: AppContext, council: uuid.UUID, changes: dict[str, object], message: str
) -> None:
    existing = new_meeting(ctx, council, date(2025, 4, 1), note="元の備考")
    version = ctx.meetings.get_meeting(existing).row.version
    fields: dict[str, object] = {"held_on": date(2025, 5, 20), **changes}
    held_on = fields.pop("held_on")
    data = MeetingInput(council, held_on, **fields)  # type: ignore[arg-type]
    assert message in meeting_problems(data)[0]
    before = snapshot(ctx)

    with pytest.raises(UserError) as refused:
        ctx.meetings.create_meeting(data)
    assert message in refused.value.message
    with pytest.raises(UserError) as refused:
        ctx.meetings.update_meeting(existing, version, data)
    assert message in refused.value.message
    with pytest.raises(UserError) as refused:
        ctx.meetings.save_meeting(None, None, data, MinutesInput())
    assert message in refused.value.message

    assert snapshot(ctx) == before
    detail = ctx.meetings.get_meeting(existing)
    assert (detail.row.held_on, detail.note, detail.row.version) == (
        date(2025, 4, 1),
        "元の備考",
        version,
    )


def test_date_range_ends_are_accepted(ctx: AppContext, council: uuid.UUID) -> None:
    first = new_meeting(ctx, council, date(2000, 1, 1))
    last = new_meeting(ctx, council, date(2099, 12, 31), next_meeting_on=date(2099, 12, 31))
    assert ctx.meetings.get_meeting(first).row.fiscal_year == 1999
    assert ctx.meetings.get_meeting(last).next_meeting_on == date(2099, 12, 31)


def test_long_notes_are_kept_intact(ctx: AppContext, council: uuid.UUID) -> None:
    note = " 先頭の空白\n" + "議事録の文字起こし。" * 999 + "末尾\n\n"
    note = note[:10_000]
    assert len(note) == 10_000
    meeting = new_meeting(ctx, council, date(2025, 5, 20), note=note)
    assert ctx.meetings.get_meeting(meeting).note == note

    longest = "い" * 50_000
    meeting = new_meeting(ctx, council, date(2025, 5, 21), note=longest)
    assert ctx.meetings.get_meeting(meeting).note == longest
    agenda = AgendaRow("介護予防", "う" * 50_000)
    save(ctx, meeting, MinutesInput(agenda=(agenda,), decisions=("決定" * 10,)))
    detail = ctx.meetings.get_meeting(meeting)
    assert detail.agenda == (agenda,)
    assert detail.decisions == ("決定" * 10,)
    with pytest.raises(UserError, match="議題 1：記録は 50,000 文字以内"):
        save(ctx, meeting, MinutesInput(agenda=(AgendaRow("介護予防", "え" * 50_001),)))
    assert ctx.meetings.get_meeting(meeting).agenda == (agenda,)


def test_emoji_and_half_width_kana_are_stored_as_typed(ctx: AppContext, council: uuid.UUID) -> None:
    person = seat(ctx, council, "ｻﾄｳ🌸", "さとう", organisation="ｼｬｷｮｳ")
    meeting = new_meeting(
        ctx, council, date(2025, 5, 20), title="ｻﾛﾝ☕会議", venue="公民館🏠", chair="ﾔﾏﾀﾞ"
    )
    save(
        ctx,
        meeting,
        MinutesInput(
            attendance=(
                AttendanceInput("代理", person_id=person, proxy_name="ｽｽﾞｷ😀"),
                AttendanceInput("出席", guest_name="ﾀﾅｶ👍", guest_organisation="ﾐﾝｾｲ"),
            ),
            actions=(ActionInput("ﾁﾗｼ📄を配る", owner="ｻﾄｳ🌸"),),
        ),
    )
    detail = ctx.meetings.get_meeting(meeting)
    assert (detail.row.title, detail.row.venue, detail.chair) == ("ｻﾛﾝ☕会議", "公民館🏠", "ﾔﾏﾀﾞ")
    assert [(a.name, a.organisation, a.proxy_name) for a in detail.attendance] == [
        ("ｻﾄｳ🌸", "ｼｬｷｮｳ", "ｽｽﾞｷ😀"),
        ("ﾀﾅｶ👍", "ﾐﾝｾｲ", ""),
    ]
    assert [(a.text, a.owner) for a in detail.actions] == [("ﾁﾗｼ📄を配る", "ｻﾄｳ🌸")]
    # Searching folds the width, the stored text does not.
    assert "さろん" in detail.row.search_key


def test_minutes_problems_pure() -> None:
    assert minutes_problems(MinutesInput()) == []
    problems = minutes_problems(
        MinutesInput(
            agenda=(AgendaRow(" ", ""),),
            actions=(ActionInput("", status="保留"),),
            carried_updates={uuid.uuid4(): ("終わり", None)},
        )
    )
    assert problems == [
        "議題 1：題目を入力してください。",
        "宿題 1：内容を入力してください。",
        "宿題 1：状態「保留」は選べません（未着手・対応中・完了）。",
        "前回からの宿題：状態「終わり」は選べません。",
    ]


# --- 5. stale edits -----------------------------------------------------------------------------


def test_saving_minutes_from_a_stale_copy_is_refused(ctx: AppContext, council: uuid.UUID) -> None:
    meeting = new_meeting(ctx, council, date(2025, 5, 20))
    mine = ctx.meetings.get_meeting(meeting)
    theirs = ctx.meetings.get_meeting(meeting)
    assert mine.row.version == theirs.row.version

    ctx.meetings.save_minutes(meeting, mine.row.version, MinutesInput(decisions=("会場は公民館",)))
    after_mine = ctx.meetings.get_meeting(meeting)
    assert after_mine.row.version > mine.row.version
    before = snapshot(ctx)

    with pytest.raises(StaleEditError, match="別の人が変更しました"):
        ctx.meetings.save_minutes(
            meeting,
            theirs.row.version,
            MinutesInput(decisions=("会場は集会所",), actions=(ActionInput("上書き"),)),
        )
    with pytest.raises(StaleEditError):
        ctx.meetings.update_meeting(
            meeting, theirs.row.version, MeetingInput(council, date(2025, 6, 1))
        )
    with pytest.raises(StaleEditError):
        ctx.meetings.save_meeting(
            meeting, theirs.row.version, MeetingInput(council, date(2025, 6, 1)), MinutesInput()
        )
    with pytest.raises(StaleEditError):
        ctx.meetings.save_meeting(
            meeting, None, MeetingInput(council, date(2025, 6, 1)), MinutesInput()
        )
    with pytest.raises(StaleEditError):
        ctx.meetings.delete_meeting(meeting, theirs.row.version)

    assert snapshot(ctx) == before
    detail = ctx.meetings.get_meeting(meeting)
    assert detail.decisions == ("会場は公民館",)
    assert detail.actions == ()
    assert detail.row.held_on == date(2025, 5, 20)


# --- 6. members and councils ------------------------------------------------------------------


def test_members_officers_first_then_gojuon(ctx: AppContext, council: uuid.UUID) -> None:
    seat(ctx, council, "渡辺", "わたなべ")
    seat(ctx, council, "安部", "あべ", "事務局")
    seat(ctx, council, "青木", "アオキ")  # katakana reading sorts with hiragana
    seat(ctx, council, "斉藤", "さいとう", "副会長")
    seat(ctx, council, "名無し", "")  # no reading: after every kana
    seat(ctx, council, "七海", "ななみ", "会長")
    seat(ctx, council, "石井", "いしい", "オブザーバー")
    seat(ctx, council, "加賀美", "かがみ")
    seat(ctx, council, "柿", "かき")
    assert [(m.role, m.name) for m in ctx.councils.members(council)] == [
        ("会長", "七海"),
        ("副会長", "斉藤"),
        ("委員", "青木"),
        ("委員", "加賀美"),
        ("委員", "柿"),
        ("委員", "渡辺"),
        ("委員", "名無し"),
        ("オブザーバー", "石井"),
        ("事務局", "安部"),
    ]


def test_members_on_a_date_honour_the_term(ctx: AppContext, council: uuid.UUID) -> None:
    seat(ctx, council, "前任", "ぜんにん", from_on=date(2023, 4, 1), to_on=date(2025, 3, 31))
    seat(ctx, council, "後任", "こうにん", from_on=date(2025, 4, 1))
    seat(ctx, council, "通し", "とおし")

    def names(on: date | None) -> list[str]:
        return [m.name for m in ctx.councils.members(council, on=on)]

    assert names(None) == ["後任", "前任", "通し"]
    assert names(date(2023, 3, 31)) == ["通し"]
    assert names(date(2025, 3, 31)) == ["前任", "通し"]
    assert names(date(2025, 4, 1)) == ["後任", "通し"]

    march = new_meeting(ctx, council, date(2025, 3, 31))
    april = new_meeting(ctx, council, date(2025, 4, 1))
    assert [m.name for m in ctx.meetings.get_meeting(march).members] == ["前任", "通し"]
    assert [a.name for a in ctx.meetings.get_meeting(april).attendance] == ["後任", "通し"]


def test_member_refusals(ctx: AppContext, block: uuid.UUID, council: uuid.UUID) -> None:
    person = seat(ctx, council, "山田", "やまだ")
    other = new_council(ctx, block, "志村", "しむら")
    before = snapshot(ctx)

    with pytest.raises(UserError, match="山田さんはその期間すでにこの協議体の委員です"):
        ctx.councils.add_member(council, MemberInput(person_id=person))
    with pytest.raises(UserError, match="役職「顧問」は選べません"):
        ctx.councils.add_member(council, MemberInput(role="顧問", name="顧問の人"))
    with pytest.raises(UserError, match="フリガナはひらがなかカタカナ"):
        ctx.councils.add_member(council, MemberInput(name="鈴木", reading="suzuki"))
    with pytest.raises(UserError, match="任期の終わりが始まりより前です。"):
        ctx.councils.add_member(
            council,
            MemberInput(name="鈴木", from_on=date(2025, 4, 1), to_on=date(2025, 3, 31)),
        )
    assert snapshot(ctx) == before

    # The same person may sit on another council.
    ctx.councils.add_member(other, MemberInput(person_id=person, role="副会長"))
    assert [(m.name, m.role) for m in ctx.councils.members(other)] == [("山田", "副会長")]
    assert [m.name for m in ctx.councils.members(council)] == ["山田"]


def test_create_council_refusals(ctx: AppContext, council: uuid.UUID) -> None:
    CouncilForm = councils_module.CouncilInput
    before = snapshot(ctx)
    with pytest.raises(UserError) as refused:
        ctx.councils.create_council(CouncilForm("福祉部会", "部会"))
    assert refused.value.message == "部会には親となる協議体を選んでください。"
    with pytest.raises(UserError) as refused:
        ctx.councils.create_council(CouncilForm("新しい第2層", "第2層"))
    assert refused.value.message == "第2層協議体は地区台帳で地区ごとに登録してください。"
    with pytest.raises(UserError, match="層「第3層」は選べません"):
        ctx.councils.create_council(CouncilForm("第3層の会", "第3層"))
    with pytest.raises(UserError, match="はすでに登録されています"):
        ctx.councils.create_council(CouncilForm(ctx.councils.get_council(council).name, "第1層"))
    assert snapshot(ctx) == before

    sub_id, _ = ctx.councils.create_council(CouncilForm("福祉部会", "部会", parent_id=council))
    sub = ctx.councils.get_council(sub_id)
    assert (sub.tier, sub.parent_id, sub.district_name) == ("部会", council, "井野")


def test_find_council(ctx: AppContext, council: uuid.UUID) -> None:
    first_id, _ = ctx.councils.create_council(councils_module.CouncilInput("市全域の会", "第1層"))
    assert ctx.councils.find_council("市全域の会").id == first_id
    assert ctx.councils.find_council(" 市全域の会 ").id == first_id
    assert ctx.councils.find_council(str(council)[:8]).id == council
    assert ctx.councils.find_council(str(council)[:8].upper()).id == council
    assert ctx.councils.find_council(str(first_id)).id == first_id

    with pytest.raises(NotFoundError) as refused:
        ctx.councils.find_council("存在しない協議体")
    assert refused.value.message == (
        "協議体「存在しない協議体」が見つかりません（ID か正確な協議体名を指定してください）。"
    )
    with pytest.raises(NotFoundError, match="見つかりません"):
        ctx.councils.find_council(str(council)[:7])  # too short a prefix
    with pytest.raises(NotFoundError, match="協議体が見つかりません"):
        ctx.councils.get_council(uuid.uuid4())


# --- 7. open actions --------------------------------------------------------------------------


def test_open_actions_across_councils(
    ctx: AppContext, block: uuid.UUID, council: uuid.UUID
) -> None:
    other = new_council(ctx, block, "志村", "しむら")
    ours = new_meeting(ctx, council, date(2025, 4, 10))
    theirs = new_meeting(ctx, other, date(2025, 4, 20))
    save(
        ctx,
        ours,
        MinutesInput(
            actions=(
                ActionInput("A 六月末", due_on=date(2025, 6, 30)),
                ActionInput("B 期限なし"),
                ActionInput("C 済み", due_on=date(2025, 4, 30), status="完了"),
            )
        ),
    )
    save(
        ctx,
        theirs,
        MinutesInput(
            actions=(
                ActionInput("E 期限なし"),
                ActionInput("D 五月中旬", due_on=date(2025, 5, 15), status="対応中"),
            )
        ),
    )
    rows = ctx.meetings.open_actions()
    assert texts(rows) == ["D 五月中旬", "A 六月末", "B 期限なし", "E 期限なし"]
    assert ctx.meetings.open_action_count() == len(rows) == 4  # the 宿題 tab's label
    assert [r.council_id for r in rows] == [other, council, council, other]
    assert rows[0].council_name == ctx.councils.get_council(other).name

    by_text = {r.text: r for r in rows}
    d_row, a_row, b_row = by_text["D 五月中旬"], by_text["A 六月末"], by_text["B 期限なし"]
    assert not d_row.is_overdue(date(2025, 5, 15))  # due today is not late
    assert d_row.is_overdue(date(2025, 5, 16))
    assert not a_row.is_overdue(date(2025, 5, 16))
    assert not b_row.is_overdue(date(2099, 12, 31))  # no due date: never overdue

    (done,) = [a for a in ctx.meetings.get_meeting(ours).actions if a.status == "完了"]
    assert not done.is_overdue(date(2025, 12, 1))

    ctx.meetings.update_action(d_row.id, d_row.version, "完了", date(2025, 5, 14))
    assert texts(ctx.meetings.open_actions()) == ["A 六月末", "B 期限なし", "E 期限なし"]
    assert ctx.meetings.open_action_count() == 3
    ctx.meetings.delete_meeting(theirs, ctx.meetings.get_meeting(theirs).row.version)
    assert ctx.meetings.open_action_count() == 2  # a deleted meeting's 宿題 are not counted


# --- 8. property: carried_over never shows a closed or future item -------------------------------

_BASE = date(2025, 4, 1)
_items = st.lists(
    st.tuples(
        st.booleans(),  # our council or another
        st.integers(0, 60),  # set on: day offset
        st.sampled_from(("未着手", "対応中", "完了")),
        st.one_of(st.none(), st.integers(0, 90)),  # completed on: day offset
        st.one_of(st.none(), st.integers(0, 90)),  # due on
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(items=_items, meeting_offset=st.integers(0, 90))
def test_carried_over_property(
    items: list[tuple[bool, int, str, int | None, int | None]], meeting_offset: int
) -> None:
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    before = _BASE + timedelta(days=meeting_offset)
    rows = [
        action_row(
            ours if mine else theirs,
            _BASE + timedelta(days=set_on),
            status,
            _BASE + timedelta(days=max(done, set_on))
            if status == "完了" and done is not None
            else None,
            _BASE + timedelta(days=due) if due is not None else None,
            text=str(i),
        )
        for i, (mine, set_on, status, done, due) in enumerate(items)
    ]
    result = carried_over(rows, ours, before)

    for a in result:
        assert a.council_id == ours
        assert a.meeting_held_on < before  # never set on or after the meeting
        if a.status == "完了":  # never one already done before the meeting
            assert a.completed_on is not None and a.completed_on >= before
    expected = {
        a.id
        for a in rows
        if a.council_id == ours
        and a.meeting_held_on < before
        and (a.status != "完了" or (a.completed_on is not None and a.completed_on >= before))
    }
    assert {a.id for a in result} == expected  # and nothing still open is left out
    keys = [(a.meeting_held_on, a.due_on or date(2099, 12, 31)) for a in result]
    assert keys == sorted(keys)


def test_a_wrong_completion_date_can_be_corrected(ctx: AppContext, council: uuid.UUID) -> None:
    first = new_meeting(ctx, council, date(2025, 4, 10))
    save(ctx, first, MinutesInput(actions=(ActionInput("チラシ作成", "山田", date(2025, 5, 1)),)))
    (item,) = ctx.meetings.get_meeting(first).actions
    ctx.meetings.update_action(item.id, item.version, "完了", date(2025, 6, 1))
    (item,) = ctx.meetings.get_meeting(first).actions
    assert item.completed_on == date(2025, 6, 1)
    ctx.meetings.update_action(item.id, item.version, "完了", date(2025, 5, 20))
    (item,) = ctx.meetings.get_meeting(first).actions
    assert item.completed_on == date(2025, 5, 20)
    # Saving the minutes again without a date keeps it.
    save(
        ctx,
        first,
        MinutesInput(
            actions=(ActionInput("チラシ作成", "山田", date(2025, 5, 1), "完了", None, item.id),)
        ),
    )
    assert ctx.meetings.get_meeting(first).actions[0].completed_on == date(2025, 5, 20)


def test_carried_updates_only_touch_earlier_items_of_the_same_council(
    ctx: AppContext, block: uuid.UUID, council: uuid.UUID
) -> None:
    other = new_council(ctx, block, "中居", "なかい")
    elsewhere = new_meeting(ctx, other, date(2025, 4, 1))
    save(ctx, elsewhere, MinutesInput(actions=(ActionInput("よその宿題"),)))
    (foreign,) = ctx.meetings.get_meeting(elsewhere).actions
    later = new_meeting(ctx, council, date(2025, 5, 1))
    before = snapshot(ctx)
    with pytest.raises(UserError, match="同じ協議体の以前の会議の宿題だけ"):
        save(ctx, later, MinutesInput(carried_updates={foreign.id: ("完了", None)}))
    assert snapshot(ctx) == before


def test_a_second_term_may_follow_but_not_overlap(ctx: AppContext, council: uuid.UUID) -> None:
    person = seat(ctx, council, "山田", "やまだ", to_on=date(2025, 3, 31))
    with pytest.raises(UserError, match="任期が重なっています"):
        ctx.councils.add_member(
            council, MemberInput(person_id=person, from_on=date(2025, 3, 1), role="会長")
        )
    ctx.councils.add_member(
        council, MemberInput(person_id=person, from_on=date(2025, 4, 1), role="会長")
    )
    roles = [(m.role, m.from_on) for m in ctx.councils.members(council)]
    assert roles == [("会長", date(2025, 4, 1)), ("委員", None)]
    assert [m.role for m in ctx.councils.members(council, on=date(2025, 5, 1))] == ["会長"]
