"""Councils of every tier, the people on them and their roles.

A 第2層協議体 is made with its district (see districts.py); here the office adds the 第1層協議体,
a district's 地域支え合い協議体 and 部会 under any council, and keeps the member lists that the
sign-in sheet prints.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shienapp.core.changes import Changes
from shienapp.core.errors import NotFoundError, UserError
from shienapp.core.text import fold, is_reading, reading_sort_key
from shienapp.storage.db import Database
from shienapp.storage.models import Council, CouncilMember, District, Person, utcnow

TIERS: tuple[str, ...] = ("第1層", "第2層", "地域支え合い協議体", "部会")
ROLES: tuple[str, ...] = ("会長", "副会長", "委員", "オブザーバー", "事務局")
# Sign-in sheets and member lists put the officers first, then everyone in 五十音順.
ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}
MAX_NAME = 100
MAX_ORGANISATION = 200


@dataclass(frozen=True, slots=True)
class PersonInfo:
    id: uuid.UUID
    version: int
    name: str
    reading: str
    organisation: str
    note: str


@dataclass(frozen=True, slots=True)
class CouncilRow:
    id: uuid.UUID
    version: int
    name: str
    tier: str
    status: str
    district_id: uuid.UUID | None
    district_name: str
    parent_id: uuid.UUID | None
    parent_name: str
    member_count: int
    search_key: str


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: uuid.UUID
    version: int
    council_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    reading: str
    role: str
    organisation: str
    from_on: date | None
    to_on: date | None

    def active_on(self, day: date) -> bool:
        return (self.from_on is None or self.from_on <= day) and (
            self.to_on is None or day <= self.to_on
        )


@dataclass(frozen=True, slots=True)
class CouncilInput:
    name: str
    tier: str
    district_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    status: str = "設置済"
    established_on: date | None = None
    coordinator_name: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class MemberInput:
    """A seat: an existing person (``person_id``) or a new one made from ``name``/``reading``."""

    role: str = "委員"
    organisation: str = ""
    person_id: uuid.UUID | None = None
    name: str = ""
    reading: str = ""
    from_on: date | None = None
    to_on: date | None = None


def member_sort_key(member: MemberRow) -> tuple[int, tuple[str, str, str]]:
    return ROLE_ORDER.get(member.role, len(ROLES)), reading_sort_key(member.reading, member.name)


def member_problems(data: MemberInput) -> list[str]:
    problems: list[str] = []
    if data.role not in ROLES:
        problems.append(f"役職「{data.role}」は選べません（{'・'.join(ROLES)}）。")
    if data.person_id is None:
        if not data.name.strip():
            problems.append("委員の氏名を入力してください。")
        elif len(data.name.strip()) > MAX_NAME:
            problems.append(f"氏名は {MAX_NAME} 文字以内にしてください。")
        if data.reading.strip() and not is_reading(data.reading):
            problems.append(
                f"フリガナはひらがなかカタカナで入力してください（「{data.reading}」）。"
            )
    if len(data.organisation) > MAX_ORGANISATION:
        problems.append(f"所属・役職は {MAX_ORGANISATION} 文字以内にしてください。")
    if data.from_on and data.to_on and data.to_on < data.from_on:
        problems.append("任期の終わりが始まりより前です。")
    return problems


class CouncilService:
    """Councils, members and people; every call is one short transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # councils

    def list_councils(self) -> list[CouncilRow]:
        """Every council: 第1層 first, then by district reading, each district's 部会 after it."""
        with self._db.read() as s:
            return council_rows(s)

    def get_council(self, council_id: uuid.UUID) -> CouncilRow:
        for row in self.list_councils():
            if row.id == council_id:
                return row
        raise NotFoundError("協議体が見つかりません（削除されたか、別の人が削除しました）。")

    def find_council(self, name_or_id: str) -> CouncilRow:
        """For the command line: an ID (or an 8+ character prefix) or the exact name."""
        key = name_or_id.strip()
        rows = self.list_councils()
        by_name = [r for r in rows if r.name == key]
        if len(by_name) == 1:
            return by_name[0]
        if len(key) >= 8:
            by_id = [r for r in rows if str(r.id).startswith(key.lower())]
            if len(by_id) == 1:
                return by_id[0]
        raise NotFoundError(
            f"協議体「{key}」が見つかりません（ID か正確な協議体名を指定してください）。"
        )

    def create_council(self, data: CouncilInput) -> tuple[uuid.UUID, Changes]:
        name = data.name.strip()
        problems: list[str] = []
        if not name:
            problems.append("協議体名を入力してください。")
        if data.tier not in TIERS:
            problems.append(f"層「{data.tier}」は選べません（{'・'.join(TIERS)}）。")
        if data.tier == "部会" and data.parent_id is None:
            problems.append("部会には親となる協議体を選んでください。")
        if data.tier == "第2層":
            problems.append("第2層協議体は地区台帳で地区ごとに登録してください。")
        if problems:
            raise UserError(problems[0], problems[1:])
        with self._db.write() as s:
            if data.district_id is not None:
                district = s.get(District, data.district_id)
                if district is None or district.deleted_at is not None:
                    raise NotFoundError("地区が見つかりません。")
            if data.parent_id is not None:
                get_council(s, data.parent_id)
            if s.scalar(select(Council.id).where(Council.name == name, _alive(Council))):
                raise UserError(f"協議体「{name}」はすでに登録されています。")
            council = Council(
                name=name,
                tier=data.tier,
                district_id=data.district_id,
                parent_id=data.parent_id,
                status=data.status,
                established_on=data.established_on,
                coordinator_name=data.coordinator_name.strip(),
                domains=[],
                note=data.note,
            )
            s.add(council)
            s.flush()
            return council.id, Changes(councils=True)

    # members

    def members(self, council_id: uuid.UUID, on: date | None = None) -> list[MemberRow]:
        """The members (seated on ``on`` if given): officers first, then 五十音順."""
        with self._db.read() as s:
            rows = member_rows(s, council_id)
        if on is not None:
            rows = [m for m in rows if m.active_on(on)]
        return sorted(rows, key=member_sort_key)

    def add_member(self, council_id: uuid.UUID, data: MemberInput) -> tuple[uuid.UUID, Changes]:
        problems = member_problems(data)
        if problems:
            raise UserError(problems[0], problems[1:])
        with self._db.write() as s:
            get_council(s, council_id)
            if data.person_id is not None:
                person = _get_person(s, data.person_id)
            else:
                person = Person(
                    name=data.name.strip(),
                    reading=data.reading.strip(),
                    organisation=data.organisation.strip(),
                    note="",
                )
                s.add(person)
                s.flush()
            seats = s.scalars(
                select(CouncilMember).where(
                    CouncilMember.council_id == council_id,
                    CouncilMember.person_id == person.id,
                    _alive(CouncilMember),
                )
            ).all()
            if any(_overlaps(m.from_on, m.to_on, data.from_on, data.to_on) for m in seats):
                raise UserError(
                    f"{person.name}さんはその期間すでにこの協議体の委員です"
                    "（任期が重なっています）。"
                )
            member = CouncilMember(
                council_id=council_id,
                person_id=person.id,
                role=data.role,
                organisation=data.organisation.strip(),
                from_on=data.from_on,
                to_on=data.to_on,
            )
            s.add(member)
            s.flush()
            return member.id, Changes(councils=True, people=True)

    def update_member(
        self, member_id: uuid.UUID, expected_version: int, data: MemberInput
    ) -> Changes:
        problems = member_problems(data)
        if problems:
            raise UserError(problems[0], problems[1:])
        with self._db.write() as s:
            member = s.get(CouncilMember, member_id)
            if member is None or member.deleted_at is not None:
                raise NotFoundError("委員が見つかりません（削除されたか、別の人が削除しました）。")
            if member.version != expected_version:
                raise UserError(
                    "この委員は開いている間に別の人が変更しました。読み込み直してください。"
                )
            person = _get_person(s, member.person_id)
            if data.person_id is None and data.name.strip():
                person.name, person.reading = data.name.strip(), data.reading.strip()
            member.role = data.role
            member.organisation = data.organisation.strip()
            member.from_on, member.to_on = data.from_on, data.to_on
        return Changes(councils=True, people=True)

    def remove_member(self, member_id: uuid.UUID) -> Changes:
        """Soft delete: past attendance keeps the person, the member list drops the seat."""
        with self._db.write() as s:
            member = s.get(CouncilMember, member_id)
            if member is None or member.deleted_at is not None:
                raise NotFoundError("委員が見つかりません（削除されたか、別の人が削除しました）。")
            member.deleted_at = utcnow()
        return Changes(councils=True)

    # people

    def list_people(self) -> list[PersonInfo]:
        with self._db.read() as s:
            people = s.scalars(select(Person).where(_alive(Person))).all()
            infos = [_person_info(p) for p in people]
        return sorted(infos, key=lambda p: reading_sort_key(p.reading, p.name))

    def create_person(
        self, name: str, reading: str = "", organisation: str = ""
    ) -> tuple[uuid.UUID, Changes]:
        problems = member_problems(
            MemberInput(name=name, reading=reading, organisation=organisation)
        )
        if problems:
            raise UserError(problems[0], problems[1:])
        with self._db.write() as s:
            person = Person(
                name=name.strip(),
                reading=reading.strip(),
                organisation=organisation.strip(),
                note="",
            )
            s.add(person)
            s.flush()
            return person.id, Changes(people=True)


# --- helpers ----------------------------------------------------------------------------------


def _overlaps(
    a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None
) -> bool:
    """Two terms overlap; an open end runs forever."""
    return (a_to is None or b_from is None or b_from <= a_to) and (
        b_to is None or a_from is None or a_from <= b_to
    )


def _alive(model: type) -> object:
    return model.deleted_at.is_(None)  # type: ignore[attr-defined]


def get_council(s: Session, council_id: uuid.UUID) -> Council:
    council = s.get(Council, council_id)
    if council is None or council.deleted_at is not None:
        raise NotFoundError("協議体が見つかりません（削除されたか、別の人が削除しました）。")
    return council


def _get_person(s: Session, person_id: uuid.UUID) -> Person:
    person = s.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFoundError("人物が見つかりません（削除されたか、別の人が削除しました）。")
    return person


def _person_info(p: Person) -> PersonInfo:
    return PersonInfo(p.id, p.version, p.name, p.reading, p.organisation, p.note)


def council_rows(s: Session) -> list[CouncilRow]:
    councils = s.scalars(select(Council).where(_alive(Council))).all()
    districts = {d.id: d for d in s.scalars(select(District).where(_alive(District))).all()}
    by_id = {c.id: c for c in councils}
    counts: dict[uuid.UUID, int] = {}
    for (council_id,) in s.execute(
        select(CouncilMember.council_id).where(_alive(CouncilMember), CouncilMember.to_on.is_(None))
    ):
        counts[council_id] = counts.get(council_id, 0) + 1

    def district_of(c: Council) -> District | None:
        if c.district_id in districts:
            return districts[c.district_id]
        parent = by_id.get(c.parent_id) if c.parent_id else None
        return districts.get(parent.district_id) if parent and parent.district_id else None

    rows: list[tuple[tuple[object, ...], CouncilRow]] = []
    for c in councils:
        if c.district_id is not None and c.district_id not in districts:
            continue  # the district went to the trash; its council goes with it
        district = district_of(c)
        parent = by_id.get(c.parent_id) if c.parent_id else None
        row = CouncilRow(
            id=c.id,
            version=c.version,
            name=c.name,
            tier=c.tier,
            status=c.status,
            district_id=district.id if district else None,
            district_name=district.name if district else "",
            parent_id=c.parent_id,
            parent_name=parent.name if parent else "",
            member_count=counts.get(c.id, 0),
            search_key=fold(
                " ".join(
                    [
                        c.name,
                        district.name if district else "",
                        district.reading if district else "",
                    ]
                )
            ),
        )
        tier_rank = 0 if c.tier == "第1層" else 1
        place = reading_sort_key(district.reading, district.name) if district else ("", "", "")
        rows.append(((tier_rank, place, c.tier == "部会", reading_sort_key("", c.name)), row))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def member_rows(s: Session, council_id: uuid.UUID) -> list[MemberRow]:
    result = s.execute(
        select(CouncilMember, Person)
        .join(Person, Person.id == CouncilMember.person_id)
        .where(CouncilMember.council_id == council_id, _alive(CouncilMember))
    ).all()
    return [
        MemberRow(
            id=m.id,
            version=m.version,
            council_id=m.council_id,
            person_id=p.id,
            name=p.name,
            reading=p.reading,
            role=m.role,
            organisation=m.organisation or p.organisation,
            from_on=m.from_on,
            to_on=m.to_on,
        )
        for m, p in result
    ]
