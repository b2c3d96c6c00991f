"""会議・議事録: plan a meeting, record who came, what was said, decided and who does what.

宿題 (action items) belong to the meeting that set them and are carried to every later meeting
of the same council until they are done, so nothing agreed is forgotten between meetings.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shienapp.core import audit
from shienapp.core.changes import Changes
from shienapp.core.councils import (
    MemberRow,
    council_rows,
    get_council,
    member_rows,
    member_sort_key,
)
from shienapp.core.errors import NotFoundError, StaleEditError, UserError
from shienapp.core.jpdate import fiscal_year_of, format_wareki
from shienapp.core.paging import ListQuery, Page, ids_matching, in_ids, text_condition
from shienapp.core.record_keys import fill_missing_in
from shienapp.core.text import fold, reading_sort_key
from shienapp.storage.db import Database
from shienapp.storage.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Council,
    Decision,
    District,
    Meeting,
    Person,
    utcnow,
)

KINDS: tuple[str, ...] = (
    "定例会",
    "住民企画会議",
    "事業推進会議",
    "情報交換会",
    "勉強会",
    "座談会",
    "研修",
    "部会",
    "その他",
)
MEETING_STATUSES: tuple[str, ...] = ("予定", "開催済", "中止")
ATTENDANCE_STATUSES: tuple[str, ...] = ("出席", "欠席", "代理", "オブザーバー")
ACTION_STATUSES: tuple[str, ...] = ("未着手", "対応中", "完了")
# The range a meeting date may take: the long-term care insurance began in 2000.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_TEXT = 50_000  # characters in one note: a long transcription fits, a pasted book does not
MAX_LINE = 200


# --- plain data handed out -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingRow:
    id: uuid.UUID
    version: int
    council_id: uuid.UUID
    council_name: str
    district_id: uuid.UUID | None
    district_name: str
    kind: str
    title: str
    held_on: date
    starts_at: time | None
    ends_at: time | None
    venue: str
    status: str
    present: int  # 出席 + 代理 + オブザーバー
    search_key: str

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.held_on)

    @property
    def label(self) -> str:
        """What a meeting is called in lists and on the command line: its date and council."""
        return f"{format_wareki(self.held_on)} {self.council_name} {self.title or self.kind}"


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    person_id: uuid.UUID | None
    name: str
    reading: str
    organisation: str
    role: str  # the member's role, "" for a guest
    status: str  # "" when not yet recorded
    proxy_name: str
    is_member: bool  # False: a guest, or a person not on the council (flagged on screen)


@dataclass(frozen=True, slots=True)
class AgendaRow:
    title: str
    notes: str


@dataclass(frozen=True, slots=True)
class ActionRow:
    id: uuid.UUID
    version: int
    meeting_id: uuid.UUID
    meeting_held_on: date
    council_id: uuid.UUID
    council_name: str
    text: str
    owner: str
    due_on: date | None
    status: str
    completed_on: date | None
    map_id: uuid.UUID | None = None  # a follow-up of a network map's node or tie
    map_item_key: uuid.UUID | None = None

    def is_overdue(self, today: date) -> bool:
        return self.status != "完了" and self.due_on is not None and self.due_on < today


@dataclass(frozen=True, slots=True)
class MeetingDetail:
    row: MeetingRow
    chair: str
    recorder: str
    next_meeting_on: date | None
    note: str
    council_tier: str
    members: tuple[MemberRow, ...]  # seated on the meeting's date, officers first
    attendance: tuple[AttendanceRow, ...]  # members first (recorded or not), then guests
    agenda: tuple[AgendaRow, ...]
    decisions: tuple[str, ...]
    actions: tuple[ActionRow, ...]  # set at this meeting
    carried: tuple[ActionRow, ...]  # 前回からの宿題: open when this meeting was held

    @property
    def id(self) -> uuid.UUID:
        return self.row.id


@dataclass(frozen=True, slots=True)
class MeetingInput:
    council_id: uuid.UUID
    held_on: date
    kind: str = "定例会"
    title: str = ""
    starts_at: time | None = None
    ends_at: time | None = None
    venue: str = ""
    chair: str = ""
    recorder: str = ""
    status: str = "予定"
    next_meeting_on: date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class AttendanceInput:
    status: str
    person_id: uuid.UUID | None = None
    guest_name: str = ""
    guest_organisation: str = ""
    proxy_name: str = ""


@dataclass(frozen=True, slots=True)
class ActionInput:
    text: str
    owner: str = ""
    due_on: date | None = None
    status: str = "未着手"
    completed_on: date | None = None
    id: uuid.UUID | None = None  # an existing item of this meeting, or None for a new one


@dataclass(frozen=True, slots=True)
class MinutesInput:
    """Everything recorded after the meeting, saved together in one transaction."""

    attendance: tuple[AttendanceInput, ...] = ()
    agenda: tuple[AgendaRow, ...] = ()
    decisions: tuple[str, ...] = ()
    actions: tuple[ActionInput, ...] = ()
    # Progress on carried items, recorded at this meeting: action id → (status, completed_on).
    carried_updates: dict[uuid.UUID, tuple[str, date | None]] = field(default_factory=dict)


# --- validation --------------------------------------------------------------------------------


def meeting_problems(data: MeetingInput) -> list[str]:
    problems: list[str] = []
    if not EARLIEST <= data.held_on <= LATEST:
        problems.append(
            f"開催日 {data.held_on.isoformat()} は範囲外です"
            f"（{format_wareki(EARLIEST)}から{format_wareki(LATEST)}まで）。"
        )
    if data.kind not in KINDS:
        problems.append(f"会議の種類「{data.kind}」は選べません。")
    if data.status not in MEETING_STATUSES:
        problems.append(f"状態「{data.status}」は選べません（予定・開催済・中止）。")
    if data.starts_at and data.ends_at and data.ends_at < data.starts_at:
        problems.append(
            f"終了時刻 {data.ends_at:%H:%M} が開始時刻 {data.starts_at:%H:%M} より前です。"
        )
    if data.next_meeting_on and data.next_meeting_on < data.held_on:
        problems.append("次回開催日が今回の開催日より前です。")
    if data.next_meeting_on and not EARLIEST <= data.next_meeting_on <= LATEST:
        problems.append("次回開催日が範囲外です。")
    for label, value in (("会議名", data.title), ("会場", data.venue)):
        if len(value) > MAX_LINE:
            problems.append(f"{label}は {MAX_LINE} 文字以内にしてください。")
    for label, value in (("議長", data.chair), ("記録者", data.recorder)):
        if len(value) > 100:
            problems.append(f"{label}は 100 文字以内にしてください。")
    if len(data.note) > MAX_TEXT:
        problems.append(f"備考は {MAX_TEXT:,} 文字以内にしてください（{len(data.note):,} 文字）。")
    return problems


def minutes_problems(data: MinutesInput) -> list[str]:
    problems: list[str] = []
    seen: set[uuid.UUID] = set()
    for i, a in enumerate(data.attendance, start=1):
        where = f"出欠 {i} 行目"
        if a.status not in ATTENDANCE_STATUSES:
            problems.append(
                f"{where}：出欠「{a.status}」は選べません（出席・欠席・代理・オブザーバー）。"
            )
        if a.person_id is None and not a.guest_name.strip():
            problems.append(f"{where}：氏名がありません。")
        if a.person_id is not None:
            if a.person_id in seen:
                problems.append(f"{where}：同じ人が二度記録されています。")
            seen.add(a.person_id)
        if a.status == "代理" and not a.proxy_name.strip():
            problems.append(f"{where}：代理出席の人の氏名を入力してください。")
        if len(a.guest_name) > 100 or len(a.proxy_name) > 100:
            problems.append(f"{where}：氏名は 100 文字以内にしてください。")
    for i, item in enumerate(data.agenda, start=1):
        if not item.title.strip():
            problems.append(f"議題 {i}：題目を入力してください。")
        if len(item.title) > MAX_LINE:
            problems.append(f"議題 {i}：題目は {MAX_LINE} 文字以内にしてください。")
        if len(item.notes) > MAX_TEXT:
            problems.append(
                f"議題 {i}：記録は {MAX_TEXT:,} 文字以内にしてください"
                f"（{len(item.notes):,} 文字）。"
            )
    for i, text in enumerate(data.decisions, start=1):
        if len(text) > MAX_TEXT:
            problems.append(f"決定事項 {i}：{MAX_TEXT:,} 文字以内にしてください。")
    for i, action in enumerate(data.actions, start=1):
        problems.extend(
            f"宿題 {i}：{p}" for p in action_problems(action.text, action.status, action.owner)
        )
    for status, _done in data.carried_updates.values():
        if status not in ACTION_STATUSES:
            problems.append(f"前回からの宿題：状態「{status}」は選べません。")
    return problems


def action_problems(text: str, status: str, owner: str = "") -> list[str]:
    problems: list[str] = []
    if not text.strip():
        problems.append("内容を入力してください。")
    if len(text) > MAX_TEXT:
        problems.append(f"内容は {MAX_TEXT:,} 文字以内にしてください。")
    if status not in ACTION_STATUSES:
        problems.append(f"状態「{status}」は選べません（未着手・対応中・完了）。")
    if len(owner) > 100:
        problems.append("担当は 100 文字以内にしてください。")
    return problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise UserError(problems[0], problems[1:])


def carried_over(actions: list[ActionRow], council_id: uuid.UUID, before: date) -> list[ActionRow]:
    """前回からの宿題 of a meeting held on ``before``: items its council set at earlier meetings
    that were still open that day (not done, or done only on or after it)."""
    return sorted(
        (
            a
            for a in actions
            if a.council_id == council_id
            and a.meeting_held_on < before
            and (a.status != "完了" or (a.completed_on is not None and a.completed_on >= before))
        ),
        key=lambda a: (a.meeting_held_on, a.due_on or LATEST),
    )


# --- the service -------------------------------------------------------------------------------


class MeetingService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record_print(self, meeting_id: uuid.UUID, label: str, what: str) -> None:
        """A sign-in sheet is a roster of names: the trail says who printed it, and when."""
        event = audit.Event("印刷", "meetings", str(meeting_id), f"{what}（{label}）")
        audit.record(self._db, event)

    def list_meetings(
        self,
        *,
        council_id: uuid.UUID | None = None,
        fiscal_year: int | None = None,
    ) -> list[MeetingRow]:
        """Newest first, as a coordinator looks for the last and the next meeting."""
        with self._db.read() as s:
            rows = _meeting_rows(s, council_id=council_id)
        if fiscal_year is not None:
            rows = [r for r in rows if r.fiscal_year == fiscal_year]
        return rows

    def held_counts(self) -> Counter[tuple[int, str, str]]:
        """Meetings held, by (年度, district name, kind), grouped by the database: the charts
        need only these counts, and building the list's rows takes seconds in a large city.
        A meeting is counted when ``list_meetings`` would show it (its council not deleted)."""
        with self._db.read() as s:
            councils = _council_names(s)
            grouped = s.execute(
                select(Meeting.held_on, Meeting.council_id, Meeting.kind, func.count())
                .where(Meeting.deleted_at.is_(None), Meeting.status == "開催済")
                .group_by(Meeting.held_on, Meeting.council_id, Meeting.kind)
            ).all()
        counts: Counter[tuple[int, str, str]] = Counter()
        for held_on, council_id, kind, n in grouped:
            council = councils.get(council_id)
            if council is not None:
                counts[(fiscal_year_of(held_on), council.district_name, kind)] += n
        return counts

    def meeting_page(self, query: ListQuery, offset: int, limit: int) -> Page[MeetingRow]:
        """One page of the list, filtered (``council_id``, ``district_id``, ``kind``,
        ``fiscal_year``), searched and ordered by the database (newest first by default)."""
        fill_missing_if_needed(self._db)
        with self._db.read() as s:
            councils = _council_names(s)
            where = _meeting_conditions(s, query, councils)
            total = s.scalar(select(func.count()).select_from(Meeting).where(*where)) or 0
            everything = (
                s.scalar(
                    select(func.count())
                    .select_from(Meeting)
                    .where(*_meeting_conditions(s, ListQuery(), councils))
                )
                or 0
            )
            ordered = select(*_MEETING_COLUMNS).where(*where)
            ordered = ordered.order_by(*_meeting_order(query, councils))
            found = s.execute(ordered.offset(offset).limit(limit)).all()
            rows = _meeting_rows_of(s, found, councils)
        return Page(rows, total, everything)

    def council_choices(self) -> list[tuple[str, uuid.UUID, str, uuid.UUID | None]]:
        """(name, id, district name, district id) of every council, by name: the list's
        filters, read without the councils' members."""
        with self._db.read() as s:
            named = sorted(_council_names(s).values(), key=lambda c: (c.name, str(c.id)))
        return [(c.name, c.id, c.district_name, c.district_id) for c in named]

    def meeting_fiscal_years(self) -> list[int]:
        """The 年度 that have meetings, newest first (for the list's filter)."""
        with self._db.read() as s:
            days = s.scalars(select(Meeting.held_on).where(Meeting.deleted_at.is_(None)).distinct())
            return sorted({fiscal_year_of(d) for d in days}, reverse=True)

    def find_meeting(self, key: str) -> MeetingRow:
        """For the command line: the meeting's ID or an unambiguous prefix of 8+ characters."""
        key = key.strip().lower()
        if len(key) >= 8:
            found = [r for r in self.list_meetings() if str(r.id).startswith(key)]
            if len(found) == 1:
                return found[0]
        raise NotFoundError(
            f"会議「{key}」が見つかりません（shienapp list meetings で ID を確かめてください）。"
        )

    def get_meeting(self, meeting_id: uuid.UUID) -> MeetingDetail:
        with self._db.read() as s:
            return _detail(s, _get_meeting(s, meeting_id))

    def create_meeting(self, data: MeetingInput) -> tuple[uuid.UUID, Changes]:
        _raise(meeting_problems(data))
        with self._db.write() as s:
            _check_council(s, data.council_id)
            meeting = Meeting(**_meeting_fields(data))
            s.add(meeting)
            s.flush()
            return meeting.id, Changes(meetings=True)

    def update_meeting(
        self, meeting_id: uuid.UUID, expected_version: int, data: MeetingInput
    ) -> Changes:
        _raise(meeting_problems(data))
        with self._db.write() as s:
            meeting = _get_meeting(s, meeting_id)
            _check_version(meeting, expected_version)
            _check_council(s, data.council_id)
            for name, value in _meeting_fields(data).items():
                setattr(meeting, name, value)
        return Changes(meetings=True)

    def delete_meeting(self, meeting_id: uuid.UUID, expected_version: int) -> Changes:
        with self._db.write() as s:
            meeting = _get_meeting(s, meeting_id)
            _check_version(meeting, expected_version)
            now = utcnow()
            meeting.deleted_at = now
            for model in (Attendance, AgendaItem, Decision, ActionItem):
                for child in s.scalars(
                    select(model).where(model.meeting_id == meeting_id, model.deleted_at.is_(None))
                ):
                    child.deleted_at = now
        return Changes(meetings=True)

    def save_minutes(
        self, meeting_id: uuid.UUID, expected_version: int, data: MinutesInput
    ) -> Changes:
        """Replace the meeting's attendance, agenda and decisions; update or add its 宿題; record
        progress on carried ones. The meeting's version goes up, so a second editor is refused."""
        _raise(minutes_problems(data))
        with self._db.write() as s:
            meeting = _get_meeting(s, meeting_id)
            _check_version(meeting, expected_version)
            _write_minutes(s, meeting, data)
        return Changes(meetings=True)

    def save_meeting(
        self,
        meeting_id: uuid.UUID | None,
        expected_version: int | None,
        data: MeetingInput,
        minutes: MinutesInput,
    ) -> tuple[uuid.UUID, Changes]:
        """What the editor saves: the meeting and its minutes in one transaction, so a refused
        save leaves nothing half written (and a retry never makes a second meeting)."""
        _raise(meeting_problems(data) + minutes_problems(minutes))
        with self._db.write() as s:
            get_council(s, data.council_id)
            if meeting_id is None:
                meeting = Meeting(**_meeting_fields(data))
                s.add(meeting)
                s.flush()
            else:
                meeting = _get_meeting(s, meeting_id)
                _check_version(meeting, expected_version if expected_version is not None else -1)
                for name, value in _meeting_fields(data).items():
                    setattr(meeting, name, value)
            _write_minutes(s, meeting, minutes)
            return meeting.id, Changes(meetings=True)

    def update_action(
        self,
        action_id: uuid.UUID,
        expected_version: int,
        status: str,
        completed_on: date | None = None,
    ) -> Changes:
        _raise(action_problems("-", status))
        with self._db.write() as s:
            item = s.get(ActionItem, action_id)
            if item is None or item.deleted_at is not None:
                raise NotFoundError("宿題が見つかりません（削除されたか、別の人が削除しました）。")
            if item.version != expected_version:
                raise StaleEditError(
                    "この宿題は開いている間に別の人が変更しました。読み込み直してください。"
                )
            _set_action_status(item, status, date.today(), completed_on)
        return Changes(meetings=True)

    def add_followup(
        self,
        meeting_id: uuid.UUID,
        text: str,
        *,
        owner: str = "",
        due_on: date | None = None,
        map_id: uuid.UUID | None = None,
        map_item_key: uuid.UUID | None = None,
    ) -> tuple[uuid.UUID, Changes]:
        """A 宿題 added to a meeting from outside its minutes (a node or tie of a network map):
        it is carried to the council's next meetings like any other until done."""
        _raise(action_problems(text, "未着手", owner))
        with self._db.write() as s:
            meeting = s.get(Meeting, meeting_id)
            if meeting is None or meeting.deleted_at is not None:
                raise NotFoundError("会議が見つかりません（削除されたか、別の人が削除しました）。")
            last = s.scalar(
                select(func.max(ActionItem.position)).where(
                    ActionItem.meeting_id == meeting_id, ActionItem.deleted_at.is_(None)
                )
            )
            item = ActionItem(
                meeting_id=meeting_id,
                position=(last if last is not None else -1) + 1,
                text=text.strip(),
                owner=owner.strip(),
                due_on=due_on,
                status="未着手",
                map_id=map_id,
                map_item_key=map_item_key,
            )
            s.add(item)
            s.flush()
            return item.id, Changes(meetings=True, maps=map_id is not None)

    def followups(self, map_id: uuid.UUID) -> list[ActionRow]:
        """The 宿題 that follow up nodes or ties of a map, open ones first."""
        with self._db.read() as s:
            rows = [a for a in _action_rows(s) if a.map_id == map_id]
        return sorted(rows, key=lambda a: (a.status == "完了", a.due_on or LATEST))

    def agenda_notes(self, fiscal_year: int) -> list[tuple[MeetingRow, str, str]]:
        """(meeting, agenda title, notes) of every meeting held in the 年度, oldest first: where
        the yearly report finds the main activities and the voices written in 「」."""
        with self._db.read() as s:
            rows = {
                r.id: r
                for r in _meeting_rows(s)
                if r.fiscal_year == fiscal_year and r.status == "開催済"
            }
            items = s.scalars(
                select(AgendaItem)
                .where(AgendaItem.deleted_at.is_(None), AgendaItem.meeting_id.in_(list(rows)))
                .order_by(AgendaItem.position)
            ).all()
            found = [(rows[a.meeting_id], a.title, a.notes) for a in items]
        return sorted(found, key=lambda x: (x[0].held_on, x[0].council_name))

    def open_actions(self) -> list[ActionRow]:
        """Every 宿題 not yet done, across all councils, the soonest due first."""
        with self._db.read() as s:
            rows = _action_rows(s, open_only=True)
        return sorted(rows, key=lambda a: (a.due_on or LATEST, a.meeting_held_on))

    def open_action_count(self) -> int:
        """How many 宿題 are not yet done (the tab's label, without reading them all)."""
        with self._db.read() as s:
            query = (
                select(func.count())
                .select_from(ActionItem)
                .join(Meeting, Meeting.id == ActionItem.meeting_id)
                .where(
                    ActionItem.deleted_at.is_(None),
                    Meeting.deleted_at.is_(None),
                    ActionItem.status != "完了",
                )
            )
            return int(s.scalar(query) or 0)

    def attendance_summary(self, meeting_id: uuid.UUID) -> Counter[str]:
        """出席 / 欠席 / 代理 / オブザーバー counts for one meeting."""
        detail = self.get_meeting(meeting_id)
        return Counter(a.status for a in detail.attendance if a.status)


# --- helpers ----------------------------------------------------------------------------------


def _meeting_fields(data: MeetingInput) -> dict[str, object]:
    return {
        "council_id": data.council_id,
        "held_on": data.held_on,
        "kind": data.kind,
        "title": data.title.strip(),
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "venue": data.venue.strip(),
        "chair": data.chair.strip(),
        "recorder": data.recorder.strip(),
        "status": data.status,
        "next_meeting_on": data.next_meeting_on,
        "note": data.note,
    }


def _get_meeting(s: Session, meeting_id: uuid.UUID) -> Meeting:
    meeting = s.get(Meeting, meeting_id)
    if meeting is None or meeting.deleted_at is not None:
        raise NotFoundError("会議が見つかりません（削除されたか、別の人が削除しました）。")
    return meeting


def _check_council(s: Session, council_id: uuid.UUID) -> None:
    get_council(s, council_id)


def _check_version(meeting: Meeting, expected: int) -> None:
    if meeting.version != expected:
        raise StaleEditError(
            f"{format_wareki(meeting.held_on)}の会議は、開いている間に別の人が変更しました。"
            "上書きしないよう保存を取りやめました。最新の内容を読み込んでからもう一度編集してください。"
        )


def _write_minutes(s: Session, meeting: Meeting, data: MinutesInput) -> None:
    now = utcnow()
    _replace_attendance(s, meeting.id, data.attendance, now)
    for model in (AgendaItem, Decision):
        for old in s.scalars(
            select(model).where(model.meeting_id == meeting.id, model.deleted_at.is_(None))
        ):
            old.deleted_at = now
    for position, item in enumerate(data.agenda):
        s.add(
            AgendaItem(
                meeting_id=meeting.id, position=position, title=item.title.strip(), notes=item.notes
            )
        )
    for position, text in enumerate(t for t in data.decisions if t.strip()):
        s.add(Decision(meeting_id=meeting.id, position=position, text=text.strip()))
    _save_actions(s, meeting, data.actions, now)
    for action_id, (status, completed_on) in data.carried_updates.items():
        item = s.get(ActionItem, action_id)
        if item is None or item.deleted_at is not None:
            raise NotFoundError("前回からの宿題が見つかりません（別の人が削除しました）。")
        origin = s.get(Meeting, item.meeting_id)
        if (
            origin is None
            or origin.council_id != meeting.council_id
            or origin.held_on >= meeting.held_on
        ):
            raise UserError(
                "前回からの宿題として更新できるのは、同じ協議体の以前の会議の宿題だけです。"
            )
        _set_action_status(item, status, meeting.held_on, completed_on)
    meeting.updated_at = now  # the version goes up with the minutes


def _set_action_status(
    item: ActionItem, status: str, default_on: date, given_on: date | None = None
) -> None:
    """A date given explicitly wins (a wrong one can be corrected); otherwise an item already
    done keeps its date, so saving the minutes again does not move it."""
    item.status = status
    if status != "完了":
        item.completed_on = None
    else:
        item.completed_on = given_on or item.completed_on or default_on


def _replace_attendance(
    s: Session, meeting_id: uuid.UUID, attendance: tuple[AttendanceInput, ...], now: object
) -> None:
    """Update rows in place where the person (or guest name) is the same, so their identity
    survives for merging; remove the rest; add the new."""
    existing = list(
        s.scalars(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id, Attendance.deleted_at.is_(None)
            )
        )
    )

    def key(person_id: uuid.UUID | None, guest: str, organisation: str) -> tuple[str, str, str]:
        return (str(person_id), "", "") if person_id else ("", guest.strip(), organisation.strip())

    # Two guests may share a name (two 見学者): each existing row is used once.
    by_key: dict[tuple[str, str, str], list[Attendance]] = {}
    for row in existing:
        by_key.setdefault(key(row.person_id, row.guest_name, row.guest_organisation), []).append(
            row
        )
    kept: set[uuid.UUID] = set()
    for a in attendance:
        candidates = by_key.get(key(a.person_id, a.guest_name, a.guest_organisation), [])
        row = candidates.pop(0) if candidates else None
        if row is None:
            row = Attendance(meeting_id=meeting_id, person_id=a.person_id)
            s.add(row)
        row.guest_name = "" if a.person_id else a.guest_name.strip()
        row.guest_organisation = "" if a.person_id else a.guest_organisation.strip()
        row.status = a.status
        row.proxy_name = a.proxy_name.strip() if a.status == "代理" else ""
        if row.id is not None:
            kept.add(row.id)
    for row in existing:
        if row.id not in kept:
            row.deleted_at = now  # type: ignore[assignment]


def _save_actions(
    s: Session, meeting: Meeting, actions: tuple[ActionInput, ...], now: object
) -> None:
    existing = {
        a.id: a
        for a in s.scalars(
            select(ActionItem).where(
                ActionItem.meeting_id == meeting.id, ActionItem.deleted_at.is_(None)
            )
        )
    }
    kept: set[uuid.UUID] = set()
    for position, a in enumerate(actions):
        if a.id is not None and a.id in existing:
            item = existing[a.id]
            kept.add(a.id)
        else:
            item = ActionItem(meeting_id=meeting.id)
            s.add(item)
        item.position = position
        item.text = a.text.strip()
        item.owner = a.owner.strip()
        item.due_on = a.due_on
        _set_action_status(item, a.status, meeting.held_on, a.completed_on)
    for item_id, item in existing.items():
        if item_id not in kept:
            item.deleted_at = now  # type: ignore[assignment]


def _meeting_rows(s: Session, council_id: uuid.UUID | None = None) -> list[MeetingRow]:
    """Only the columns the list shows, and attendance counted by the database: ORM objects
    for 30,000 meetings and a Python count of 300,000 attendance lines took seconds."""
    councils = _council_names(s)
    query = select(*_MEETING_COLUMNS).where(Meeting.deleted_at.is_(None))
    counted = select(Attendance.meeting_id, func.count()).where(
        Attendance.deleted_at.is_(None), Attendance.status != "欠席"
    )
    if council_id is not None:
        query = query.where(Meeting.council_id == council_id)
        counted = counted.where(
            Attendance.meeting_id.in_(select(Meeting.id).where(Meeting.council_id == council_id))
        )
    present: dict[uuid.UUID, int] = dict(s.execute(counted.group_by(Attendance.meeting_id)).all())
    found = [r for r in s.execute(query) if r[2] in councils]  # a council in the trash: gone
    rows = _rows_of(found, councils, present)
    return sorted(rows, key=lambda r: (r.held_on, r.starts_at or time(0)), reverse=True)


_MEETING_COLUMNS = (
    Meeting.id,
    Meeting.version,
    Meeting.council_id,
    Meeting.kind,
    Meeting.title,
    Meeting.held_on,
    Meeting.starts_at,
    Meeting.ends_at,
    Meeting.venue,
    Meeting.status,
    func.substr(Meeting.note, 1, 500),
)


@dataclass(frozen=True, slots=True)
class _CouncilName:
    """What the meeting list shows of a council, read without its members."""

    id: uuid.UUID
    name: str
    district_id: uuid.UUID | None
    district_name: str
    search_key: str


def _council_names(s: Session) -> dict[uuid.UUID, _CouncilName]:
    """As ``council_rows`` names them (a 部会 takes its parent's district; a council whose
    district went to the trash is left out), in two small queries."""
    districts = {
        d_id: (name, reading)
        for d_id, name, reading in s.execute(
            select(District.id, District.name, District.reading).where(
                District.deleted_at.is_(None)
            )
        )
    }
    councils = s.execute(
        select(Council.id, Council.name, Council.district_id, Council.parent_id).where(
            Council.deleted_at.is_(None)
        )
    ).all()
    own = {c_id: district_id for c_id, _n, district_id, _p in councils}
    named = {}
    for c_id, name, district_id, parent_id in councils:
        if district_id is not None and district_id not in districts:
            continue
        if district_id is None and parent_id is not None:
            district_id = own.get(parent_id)
        d_name, d_reading = districts.get(district_id, ("", "")) if district_id else ("", "")
        named[c_id] = _CouncilName(
            c_id,
            name,
            district_id if district_id in districts else None,
            d_name,
            fold(" ".join([name, d_name, d_reading])),
        )
    return named


def fill_missing_if_needed(db: Database) -> None:
    """Keys for rows written without them (a Core insert): looked up by an index, so a list
    that has them all pays one small query."""
    with db.read() as s:
        missing = s.scalar(select(Meeting.id).where(Meeting.search_text.is_(None)).limit(1))
    if missing is not None:
        with db.write() as s:
            fill_missing_in(s)


def _meeting_conditions(
    s: Session, query: ListQuery, councils: dict[uuid.UUID, _CouncilName]
) -> list:  # type: ignore[type-arg]
    f = query.filters
    where = [Meeting.deleted_at.is_(None)]
    held_by = set(s.scalars(select(Meeting.council_id).distinct()))  # by its index
    if not held_by <= councils.keys():  # a council went to the trash: its meetings go too
        where.append(Meeting.council_id.in_(list(councils)))
    if f.get("council_id") is not None:
        where.append(Meeting.council_id == f["council_id"])
    if f.get("district_id") is not None:
        where.append(
            in_ids(
                Meeting.council_id,
                [c.id for c in councils.values() if c.district_id == f["district_id"]],
            )
        )
    if f.get("kind") is not None:
        where.append(Meeting.kind == f["kind"])
    if f.get("fiscal_year") is not None:
        year = int(f["fiscal_year"])
        where.append(Meeting.held_on.between(date(year, 4, 1), date(year + 1, 3, 31)))
    named = [(c.id, c.search_key) for c in councils.values()]
    found = text_condition(
        query.terms,
        Meeting.search_text,
        lambda term: in_ids(Meeting.council_id, ids_matching(term, named)),
    )
    if found is not None:
        where.append(found)
    return where


def _meeting_order(query: ListQuery, councils: dict[uuid.UUID, _CouncilName]) -> list:  # type: ignore[type-arg]
    """The chosen column, then date and time (as the list shows them), then the id."""

    def ranked(name_of: Callable[[_CouncilName], str]) -> Any:
        ordered = sorted(councils.values(), key=lambda c: (name_of(c), str(c.id)))
        return case(
            {c.id: i for i, c in enumerate(ordered)}, value=Meeting.council_id, else_=len(ordered)
        )

    first: list[Any] = []
    match query.sort:
        case "council":
            first = [ranked(lambda c: c.name)]
        case "district":
            first = [ranked(lambda c: c.district_name)]
        case "kind" | "title" | "venue" | "status":
            first = [getattr(Meeting, query.sort)]
        case "present":
            first = [
                select(func.count())
                .where(
                    Attendance.meeting_id == Meeting.id,
                    Attendance.deleted_at.is_(None),
                    Attendance.status != "欠席",
                )
                .scalar_subquery()
            ]
    keys = [*first, Meeting.held_on, func.coalesce(Meeting.starts_at, time(0)), Meeting.id]
    return [k.desc() for k in keys] if query.descending else [k.asc() for k in keys]


def _meeting_rows_of(
    s: Session, found: list, councils: dict[uuid.UUID, _CouncilName]
) -> list[MeetingRow]:  # type: ignore[type-arg]
    ids = [r[0] for r in found]
    present: dict[uuid.UUID, int] = (
        dict(
            s.execute(
                select(Attendance.meeting_id, func.count())
                .where(
                    Attendance.meeting_id.in_(ids),
                    Attendance.deleted_at.is_(None),
                    Attendance.status != "欠席",
                )
                .group_by(Attendance.meeting_id)
            ).all()
        )
        if ids
        else {}
    )
    return _rows_of(found, councils, present)


def _rows_of(
    found: list, councils: dict[uuid.UUID, _CouncilName], present: dict[uuid.UUID, int]
) -> list[MeetingRow]:  # type: ignore[type-arg]
    """The list's rows from ``_MEETING_COLUMNS`` and the attendance counts."""
    rows = []
    for m_id, version, m_council, kind, title, held_on, starts, ends, venue, status, note in found:
        c = councils[m_council]
        rows.append(
            MeetingRow(
                id=m_id,
                version=version,
                council_id=m_council,
                council_name=c.name,
                district_id=c.district_id,
                district_name=c.district_name,
                kind=kind,
                title=title,
                held_on=held_on,
                starts_at=starts,
                ends_at=ends,
                venue=venue,
                status=status,
                present=present.get(m_id, 0),
                search_key=fold(" ".join([c.search_key, kind, title, venue, note or ""])),
            )
        )
    return rows


def _action_rows(
    s: Session, council_id: uuid.UUID | None = None, *, open_only: bool = False
) -> list[ActionRow]:
    councils = _council_names(s)
    query = (
        select(
            ActionItem.id,
            ActionItem.version,
            Meeting.id,
            Meeting.held_on,
            Meeting.council_id,
            ActionItem.text,
            ActionItem.owner,
            ActionItem.due_on,
            ActionItem.status,
            ActionItem.completed_on,
            ActionItem.map_id,
            ActionItem.map_item_key,
        )
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(ActionItem.deleted_at.is_(None), Meeting.deleted_at.is_(None))
    )
    if council_id is not None:
        query = query.where(Meeting.council_id == council_id)
    if open_only:
        query = query.where(ActionItem.status != "完了")
    return [
        ActionRow(
            id=a_id,
            version=version,
            meeting_id=m_id,
            meeting_held_on=held_on,
            council_id=m_council,
            council_name=councils[m_council].name,
            text=text,
            owner=owner,
            due_on=due_on,
            status=status,
            completed_on=completed_on,
            map_id=map_id,
            map_item_key=map_item_key,
        )
        for (
            a_id,
            version,
            m_id,
            held_on,
            m_council,
            text,
            owner,
            due_on,
            status,
            completed_on,
            map_id,
            map_item_key,
        ) in s.execute(query.order_by(ActionItem.position))
        if m_council in councils
    ]


def _detail(s: Session, meeting: Meeting) -> MeetingDetail:
    row = next(r for r in _meeting_rows(s, meeting.council_id) if r.id == meeting.id)
    council = next(c for c in council_rows(s) if c.id == meeting.council_id)
    members = sorted(
        (m for m in member_rows(s, meeting.council_id) if m.active_on(meeting.held_on)),
        key=member_sort_key,
    )
    recorded = list(
        s.scalars(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.deleted_at.is_(None)
            )
        )
    )
    by_person = {a.person_id: a for a in recorded if a.person_id}
    attendance: list[AttendanceRow] = []
    for m in members:
        a = by_person.pop(m.person_id, None)
        attendance.append(
            AttendanceRow(
                m.person_id,
                m.name,
                m.reading,
                m.organisation,
                m.role,
                a.status if a else "",
                a.proxy_name if a else "",
                True,
            )
        )
    # People on record who are not (or no longer) members, then guests known only by name.
    outsiders = [a for a in recorded if a.person_id in by_person]
    people = {
        p.id: p
        for p in s.scalars(select(Person).where(Person.id.in_([a.person_id for a in outsiders])))
    }
    extra = [
        AttendanceRow(
            a.person_id,
            people[a.person_id].name if a.person_id in people else "",
            people[a.person_id].reading if a.person_id in people else "",
            people[a.person_id].organisation if a.person_id in people else "",
            "",
            a.status,
            a.proxy_name,
            False,
        )
        for a in outsiders
    ]
    extra += [
        AttendanceRow(
            None, a.guest_name, "", a.guest_organisation, "", a.status, a.proxy_name, False
        )
        for a in recorded
        if a.person_id is None
    ]
    extra.sort(key=lambda r: reading_sort_key(r.reading, r.name))
    agenda = tuple(
        AgendaRow(a.title, a.notes)
        for a in s.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, AgendaItem.deleted_at.is_(None))
            .order_by(AgendaItem.position)
        )
    )
    decisions = tuple(
        d.text
        for d in s.scalars(
            select(Decision)
            .where(Decision.meeting_id == meeting.id, Decision.deleted_at.is_(None))
            .order_by(Decision.position)
        )
    )
    actions = _action_rows(s, meeting.council_id)
    return MeetingDetail(
        row=row,
        chair=meeting.chair,
        recorder=meeting.recorder,
        next_meeting_on=meeting.next_meeting_on,
        note=meeting.note,
        council_tier=council.tier,
        members=tuple(members),
        attendance=tuple(attendance + extra),
        agenda=agenda,
        decisions=decisions,
        actions=tuple(a for a in actions if a.meeting_id == meeting.id),
        carried=tuple(carried_over(actions, meeting.council_id, meeting.held_on)),
    )
