"""担い手・社会資源: people with their contacts and volunteer details, organisations, resources.

One place that answers "is there a 居場所 near 中居 on Tuesday afternoons?". Lists come back as
plain rows with a folded search key (kana and width folded, reading included), sorted 五十音順.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from shienapp.core import audit
from shienapp.core.access import access_of
from shienapp.core.changes import Changes
from shienapp.core.contact import email_problem, phone_problem, postal_code_problem
from shienapp.core.errors import NotFoundError, StaleEditError, UserError
from shienapp.core.paging import ListQuery, Page, binary, ids_matching, in_ids, text_condition
from shienapp.core.permissions import Action
from shienapp.core.record_keys import fill_missing_in
from shienapp.core.schedule import Slot
from shienapp.core.text import fold, is_reading, reading_sort_key
from shienapp.storage.db import Database
from shienapp.storage.models import (
    District,
    Organisation,
    Person,
    Resource,
    VocabularyEntry,
    utcnow,
)

PERSON_ROLES: tuple[str, ...] = ("住民", "担い手", "民生委員", "自治会長", "専門職", "行政職員")
VOLUNTEER_STATUSES: tuple[str, ...] = ("活動中", "休止")
RESOURCE_STATUSES: tuple[str, ...] = ("準備中", "活動中", "休止", "終了")
TARGET_GROUPS: tuple[str, ...] = (
    "高齢者",
    "障がい者",
    "子ども",
    "子育て世帯",
    "生活困窮",
    "誰でも",
)
# The starting contents of the editable lists (a city adds its own).
DEFAULT_CATEGORIES: tuple[str, ...] = (
    "居場所・サロン",
    "見守り",
    "助け合い・生活支援",
    "配食",
    "移動支援",
    "子ども食堂",
    "学習支援",
    "介護予防",
    "就労・参加支援",
    "相談窓口",
)
DEFAULT_SKILLS: tuple[str, ...] = (
    "送迎",
    "買い物",
    "話し相手",
    "ごみ出し",
    "電球交換",
    "草取り",
    "調理",
    "見守り",
    "IT",
)
ORGANISATION_KINDS: tuple[str, ...] = (
    "行政",
    "社協",
    "地域包括支援センター",
    "民生委員協議会",
    "自治会",
    "NPO",
    "社会福祉法人",
    "医療法人",
    "企業",
    "学校",
    "商店",
    "ボランティア団体",
    "その他",
)
DEFAULT_TRAININGS: tuple[str, ...] = (
    "生活支援コーディネーター養成研修",
    "対話ファシリテーター育成講座",
    "認知症サポーター養成講座",
    "傾聴ボランティア講座",
)
# The editable lists: their names on screen and what they start with.
VOCABULARIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "category": ("活動の分類", DEFAULT_CATEGORIES),
    "skill": ("担い手のできること", DEFAULT_SKILLS),
    "organisation_kind": ("組織・団体の種別", ORGANISATION_KINDS),
    "training": ("研修の名称", DEFAULT_TRAININGS),
}


# --- plain data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: uuid.UUID
    version: int
    name: str
    reading: str
    organisation: str
    district_id: uuid.UUID | None
    district_name: str
    postal_code: str
    address: str
    phone: str
    email: str
    roles: tuple[str, ...]
    consent_on: date | None
    consent_scope: str
    volunteer_status: str
    skills: tuple[str, ...]
    availability: tuple[Slot, ...]
    covered_district_ids: tuple[uuid.UUID, ...]
    trainings: tuple[tuple[str, date | None], ...]
    note: str
    search_key: str

    @property
    def is_volunteer(self) -> bool:
        return bool(self.volunteer_status)

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.address or self.email)

    @property
    def needs_consent_flag(self) -> bool:
        """Contact details on record without consent to use them: every list shows a flag."""
        return self.has_contact and self.consent_on is None


@dataclass(frozen=True, slots=True)
class PersonChoice:
    """A person as a form's list of people names them (contact person, helpers, 相談者)."""

    id: uuid.UUID
    name: str
    district_name: str
    volunteer_status: str

    @property
    def is_volunteer(self) -> bool:
        return bool(self.volunteer_status)


@dataclass(frozen=True, slots=True)
class PersonInput:
    name: str
    reading: str = ""
    organisation: str = ""
    district_id: uuid.UUID | None = None
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    roles: tuple[str, ...] = ()
    consent_on: date | None = None
    consent_scope: str = ""
    volunteer_status: str = ""
    skills: tuple[str, ...] = ()
    availability: tuple[Slot, ...] = ()
    covered_district_ids: tuple[uuid.UUID, ...] = ()
    trainings: tuple[tuple[str, date | None], ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    id: uuid.UUID
    version: int
    name: str
    reading: str
    kind: str
    district_id: uuid.UUID | None
    district_name: str
    postal_code: str
    address: str
    phone: str
    email: str
    note: str
    search_key: str


@dataclass(frozen=True, slots=True)
class OrganisationInput:
    name: str
    reading: str = ""
    kind: str = ""
    district_id: uuid.UUID | None = None
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ResourceRow:
    id: uuid.UUID
    version: int
    name: str
    reading: str
    category: str
    target_groups: tuple[str, ...]
    district_id: uuid.UUID | None
    district_name: str
    venue: str
    schedule: tuple[Slot, ...]
    fee: str
    capacity: int | None
    operator_id: uuid.UUID | None
    operator_name: str
    contact_person_id: uuid.UUID | None
    contact_name: str
    public_contact: str
    status: str
    started_on: date | None
    helper_ids: tuple[uuid.UUID, ...]
    note: str
    search_key: str

    @property
    def schedule_text(self) -> str:
        return "、".join(slot.describe() for slot in self.schedule)


@dataclass(frozen=True, slots=True)
class TimetableEntry:
    """What the weekly timetable shows of a running activity."""

    name: str
    status: str
    schedule: tuple[Slot, ...]


@dataclass(frozen=True, slots=True)
class ResourceInput:
    name: str
    reading: str = ""
    category: str = ""
    target_groups: tuple[str, ...] = ()
    district_id: uuid.UUID | None = None
    venue: str = ""
    schedule: tuple[Slot, ...] = ()
    fee: str = ""
    capacity: int | None = None
    operator_id: uuid.UUID | None = None
    contact_person_id: uuid.UUID | None = None
    public_contact: str = ""
    status: str = "活動中"
    started_on: date | None = None
    helper_ids: tuple[uuid.UUID, ...] = field(default_factory=tuple)
    note: str = ""


# --- validation --------------------------------------------------------------------------------


def _name_problems(name: str, reading: str, what: str) -> list[str]:
    problems: list[str] = []
    if not name.strip():
        problems.append(f"{what}を入力してください。")
    elif len(name.strip()) > 200:
        problems.append(f"{what}は 200 文字以内にしてください。")
    if reading.strip() and not is_reading(reading):
        problems.append(f"フリガナはひらがなかカタカナで入力してください（「{reading}」）。")
    return problems


def _contact_problems(postal_code: str, phone: str, email: str) -> list[str]:
    return [
        p
        for p in (postal_code_problem(postal_code), phone_problem(phone), email_problem(email))
        if p
    ]


def person_problems(data: PersonInput) -> list[str]:
    problems = _name_problems(data.name, data.reading, "氏名")
    problems += _contact_problems(data.postal_code, data.phone, data.email)
    problems += [f"役割「{r}」は選べません。" for r in data.roles if r not in PERSON_ROLES]
    if data.volunteer_status and data.volunteer_status not in VOLUNTEER_STATUSES:
        problems.append(f"担い手の状態「{data.volunteer_status}」は選べません（活動中・休止）。")
    if data.consent_scope and data.consent_on is None:
        problems.append("同意の範囲を入れたときは、同意した日も入力してください。")
    return problems


def organisation_problems(data: OrganisationInput) -> list[str]:
    problems = _name_problems(data.name, data.reading, "組織・団体名")
    if len(data.kind) > 40:
        problems.append(f"種別「{data.kind[:20]}…」が長すぎます（40文字まで）。")
    return problems + _contact_problems(data.postal_code, data.phone, data.email)


def resource_problems(data: ResourceInput) -> list[str]:
    problems = _name_problems(data.name, data.reading, "活動・資源の名称")
    if data.status not in RESOURCE_STATUSES:
        problems.append(f"状態「{data.status}」は選べません（準備中・活動中・休止・終了）。")
    problems += [
        f"対象「{g}」は選べません（{'・'.join(TARGET_GROUPS)}）。"
        for g in data.target_groups
        if g not in TARGET_GROUPS
    ]
    if data.capacity is not None and data.capacity < 0:
        problems.append(f"定員に負の数は入力できません（{data.capacity}）。")
    return problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise UserError(problems[0], problems[1:])


# --- the service -------------------------------------------------------------------------------


class DirectoryService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def require(self, action: Action) -> None:
        access_of(self._db).require(action)

    def record(self, event: audit.Event) -> None:
        """A line in the audit trail for something that changes nothing (a print)."""
        audit.record(self._db, event)

    @property
    def _personal(self) -> bool:
        """May the person at the keyboard see people's contact details and notes?"""
        return access_of(self._db).may(Action.SEE_PERSONAL)

    def _create(self, model: type, apply: Callable[[Any, Any], None], data: Any) -> uuid.UUID:
        with self._db.write() as s:
            record = model()
            apply(record, data)
            s.add(record)
            _learn_terms(s, data)
            s.flush()
            return record.id  # type: ignore[no-any-return]

    def _update(
        self,
        model: type,
        label: str,
        record_id: uuid.UUID,
        version: int,
        change: Callable[[Any], None],
        learn: Any = None,
    ) -> None:
        """Load, refuse a stale copy (naming the record), then ``change`` it."""
        with self._db.write() as s:
            record = _get(s, model, record_id, label)
            _check_version(record.version, version, _what(record))
            change(record)
            if learn is not None:
                _learn_terms(s, learn)

    # editable lists

    def terms(self, kind: str) -> list[str]:
        """The list as the city keeps it; the built-in one until someone edits it."""
        _check_kind(kind)
        with self._db.read() as s:
            return _terms(s, kind)

    def set_terms(self, kind: str, names: list[str]) -> Changes:
        """Replace a list in one go (order kept). Records keep the words they already hold."""
        _check_kind(kind)
        cleaned: list[str] = []
        for raw in names:
            name = " ".join(raw.split())
            if not name:
                continue
            if name in cleaned:
                raise UserError(f"「{name}」が一覧に二度入っています。")
            if len(name) > 100:
                raise UserError(f"「{name[:20]}…」は長すぎます（100文字まで）。")
            cleaned.append(name)
        if not cleaned:
            raise UserError(f"{VOCABULARIES[kind][0]}の一覧を空にはできません。")
        with self._db.write() as s:
            stored = {
                e.name: e
                for e in s.scalars(
                    select(VocabularyEntry).where(
                        VocabularyEntry.kind == kind, VocabularyEntry.deleted_at.is_(None)
                    )
                )
            }
            if not stored:
                # The first edit: write the list down so removals stick.
                _mark_edited(s, kind)
            for name, entry in stored.items():
                if name not in cleaned:
                    entry.deleted_at = utcnow()
            s.flush()
            for order, name in enumerate(cleaned):
                entry = stored.get(name)
                if entry is None:
                    s.add(VocabularyEntry(kind=kind, name=name, sort_order=order))
                elif entry.sort_order != order:
                    entry.sort_order = order
        return Changes(people=True)

    def district_names(self) -> dict[uuid.UUID, str]:
        with self._db.read() as s:
            return district_names(s)

    # people

    def list_people(self, *, volunteers_only: bool = False) -> list[PersonRow]:
        with self._db.read() as s:
            names = _district_names(s)  # once: per person it read every district 50,000 times
            query = select(Person).where(Person.deleted_at.is_(None))
            if volunteers_only:
                query = query.where(Person.volunteer_status != "")
            rows = [_person_row(p, names, self._personal) for p in s.scalars(query)]
        return sorted(rows, key=lambda r: reading_sort_key(r.reading, r.name))

    def training_completions(self) -> list[tuple[str, date]]:
        """(training, completed on) of every 担い手's completed trainings: the chart's data,
        one column read instead of 5,000 whole people (0.6 s in a large city)."""
        with self._db.read() as s:
            found = s.scalars(
                select(Person.trainings).where(
                    Person.deleted_at.is_(None), Person.volunteer_status != ""
                )
            )
            return [
                (str(t.get("name", "")), date.fromisoformat(t["completed_on"]))
                for trainings in found
                for t in trainings or []
                if t.get("completed_on")
            ]

    def person_page(self, query: ListQuery, offset: int, limit: int | None) -> Page[PersonRow]:
        """One page of the people list, filtered (``district``: lives in or covers it;
        ``volunteers``), searched and ordered (五十音順 by default) by the database. A 閲覧
        account gets no contact details, as from ``list_people``; nor may it sort by them."""
        personal = self._personal

        def read(s: Session, where: list[Any], names: dict[uuid.UUID, str]) -> list[PersonRow]:
            keys = [
                *_person_order(s, query, names, personal),
                _by_key(s, Person.sort_key, query),
                Person.id,
            ]
            order = [k.desc() for k in keys] if query.descending else [k.asc() for k in keys]
            found = s.scalars(
                select(Person).where(*where).order_by(*order).offset(offset).limit(limit)
            )
            return [_person_row(p, names, personal) for p in found]

        return _page(self._db, Person, lambda d: _person_conditions(query, d), read, offset)

    def person_choices(self) -> list[PersonChoice]:
        """Everyone, 五十音順, as a form lists them: four columns, not 50,000 whole records."""
        with self._db.read() as s:
            missing = _missing_keys(s, Person)
        if missing:  # rows from a Core insert: their order key first
            with self._db.write() as s:
                fill_missing_in(s)
        with self._db.read() as s:
            names = _district_names(s)
            found = s.execute(
                select(Person.id, Person.name, Person.district_id, Person.volunteer_status)
                .where(Person.deleted_at.is_(None))
                .order_by(binary(s, Person.sort_key), Person.id)
            )
            return [
                PersonChoice(p_id, name, names.get(d_id, "") if d_id else "", status or "")
                for p_id, name, d_id, status in found
            ]

    def volunteers_for(self, skill: str) -> list[PersonRow]:
        """The active 担い手 who may have ``skill``: those whose search words hold it (the
        matching checks the skill itself), not every person."""
        if not skill.strip():
            return []
        with self._db.read() as s:
            where = [Person.deleted_at.is_(None), Person.volunteer_status == "活動中"]
            found = text_condition([fold(skill)], Person.search_text)
            if found is not None:
                where.append(found)
            if _missing_keys(s, Person):
                where = where[:2]  # keys not written yet: look at every active volunteer
            names = _district_names(s)
            rows = [
                _person_row(p, names, self._personal)
                for p in s.scalars(select(Person).where(*where))
            ]
        return sorted(rows, key=lambda r: reading_sort_key(r.reading, r.name))

    def get_person(self, person_id: uuid.UUID) -> PersonRow:
        with self._db.read() as s:
            person = _get(s, Person, person_id, "人")
            return _person_row(person, _district_names(s), self._personal)

    def find_person(self, key: str) -> PersonRow:
        return _find(self.list_people(), key, "人")

    def create_person(self, data: PersonInput) -> tuple[uuid.UUID, Changes]:
        _raise(person_problems(data))
        return self._create(Person, _apply_person, data), Changes(people=True)

    def update_person(self, person_id: uuid.UUID, version: int, data: PersonInput) -> Changes:
        _raise(person_problems(data))
        self._update(Person, "人", person_id, version, lambda p: _apply_person(p, data), data)
        return Changes(people=True)

    def delete_person(self, person_id: uuid.UUID, version: int) -> Changes:
        self._update(Person, "人", person_id, version, _soft_delete)
        return Changes(people=True, councils=True)

    # organisations

    def list_organisations(self) -> list[OrganisationRow]:
        with self._db.read() as s:
            names = _district_names(s)
            rows = [_organisation_row(o, names) for o in _alive(s, Organisation)]
        return sorted(rows, key=lambda r: reading_sort_key(r.reading, r.name))

    def organisation_page(
        self, query: ListQuery, offset: int, limit: int | None
    ) -> Page[OrganisationRow]:
        """One page of the organisations, searched and ordered (五十音順 by default) by the
        database."""

        def read(
            s: Session, where: list[Any], names: dict[uuid.UUID, str]
        ) -> list[OrganisationRow]:
            first: list[Any] = []
            match query.sort:
                case "district":
                    first = [_ranked(Organisation.district_id, names)]
                case "kind" | "phone" | "address":
                    first = [binary(s, getattr(Organisation, query.sort))]
            keys = [*first, _by_key(s, Organisation.sort_key, query), Organisation.id]
            order = [k.desc() for k in keys] if query.descending else [k.asc() for k in keys]
            found = s.scalars(
                select(Organisation).where(*where).order_by(*order).offset(offset).limit(limit)
            )
            return [_organisation_row(o, names) for o in found]

        def conditions(districts: dict[uuid.UUID, tuple[str, str]]) -> list[Any]:
            where: list[Any] = [Organisation.deleted_at.is_(None)]
            found = text_condition(
                query.terms,
                Organisation.search_text,
                _district_search(Organisation.district_id, districts),
            )
            return where if found is None else [*where, found]

        return _page(self._db, Organisation, conditions, read, offset)

    def find_organisation(self, key: str) -> OrganisationRow:
        return _find(self.list_organisations(), key, "組織・団体")

    def create_organisation(self, data: OrganisationInput) -> tuple[uuid.UUID, Changes]:
        _raise(organisation_problems(data))
        return self._create(Organisation, _apply_fields, data), Changes(people=True)

    def update_organisation(
        self, org_id: uuid.UUID, version: int, data: OrganisationInput
    ) -> Changes:
        _raise(organisation_problems(data))
        self._update(
            Organisation, "組織・団体", org_id, version, lambda o: _apply_fields(o, data), data
        )
        return Changes(people=True)

    def delete_organisation(self, org_id: uuid.UUID, version: int) -> Changes:
        """Refused while an activity names it as its operator: the activity would lose it."""
        with self._db.write() as s:
            organisation = _get(s, Organisation, org_id, "組織・団体")
            _check_version(organisation.version, version, f"「{organisation.name}」")
            running = sorted(
                r.name for r in _alive(s, Resource) if r.operator_id == organisation.id
            )
            if running:
                raise UserError(
                    f"「{organisation.name}」は {len(running)} 件の活動の運営団体です"
                    f"（{'・'.join(running[:5])}{' ほか' if len(running) > 5 else ''}）。"
                    "先にそれらの活動の運営団体を変えてから削除してください。"
                )
            organisation.deleted_at = utcnow()
        return Changes(people=True)

    # resources

    def resource_page(self, query: ListQuery, offset: int, limit: int | None) -> Page[ResourceRow]:
        """One page of the resource list, filtered (``district``, ``category``, ``target``
        (or 誰でも), ``weekday``, ``status``), searched and ordered by the database: by default
        by category in the list's order, then 五十音順, as ``list_resources``. ``limit`` None:
        every matching row."""

        def read(s: Session, where: list[Any], names: dict[uuid.UUID, str]) -> list[ResourceRow]:
            keys = [
                *_resource_order(s, query, names),
                _by_key(s, Resource.sort_key, query),
                Resource.id,
            ]
            order = [k.desc() for k in keys] if query.descending else [k.asc() for k in keys]
            found = s.scalars(
                select(Resource).where(*where).order_by(*order).offset(offset).limit(limit)
            )
            return _resource_rows(s, list(found), names)

        return _page(self._db, Resource, lambda d: _resource_conditions(query, d), read, offset)

    def timetable_entries(self, query: ListQuery) -> list[TimetableEntry]:
        """The running activities of the resource list's search and filters, every one, not a
        page: the 週間予定 under the list. Only names and schedules are read."""
        with self._db.read() as s:
            where = _resource_conditions(query, _district_keys(s))
            found = s.execute(
                select(Resource.name, Resource.schedule).where(*where, Resource.status == "活動中")
            )
            return [
                TimetableEntry(name, "活動中", tuple(Slot.from_dict(d) for d in schedule))
                for name, schedule in found
                if schedule
            ]

    def resource_categories(self) -> list[str]:
        """The categories of the list's order, then any other a resource holds."""
        with self._db.read() as s:
            listed = _terms(s, "category")
            held = s.scalars(
                select(Resource.category)
                .where(Resource.deleted_at.is_(None), Resource.category != "")
                .distinct()
            )
            return listed + sorted(set(held) - set(listed))

    def running_counts(self) -> Counter[tuple[str, str]]:
        """Running (活動中) resources by (district name, category), counted by the database:
        the chart needs only these, and a large city's 5,000 records took 1.4 s to build.
        A resource of no district, or of one in the trash, is left out, as the list shows it
        without a district."""
        with self._db.read() as s:
            names = _district_names(s)
            grouped = s.execute(
                select(Resource.district_id, Resource.category, func.count())
                .where(
                    Resource.deleted_at.is_(None),
                    Resource.status == "活動中",
                    Resource.district_id.is_not(None),
                )
                .group_by(Resource.district_id, Resource.category)
            ).all()
        counts: Counter[tuple[str, str]] = Counter()
        for district_id, category, n in grouped:
            if district_id in names:
                counts[(names[district_id], category)] += n
        return counts

    def list_resources(self) -> list[ResourceRow]:
        """By category in the list's order (as the booklet prints them), then 五十音順."""
        with self._db.read() as s:
            order = {name: i for i, name in enumerate(_terms(s, "category"))}
            return sorted(
                _resource_rows(s, _alive(s, Resource), _district_names(s)),
                key=lambda r: (
                    order.get(r.category, len(order)),
                    r.category,
                    reading_sort_key(r.reading, r.name),
                ),
            )

    def get_resource(self, resource_id: uuid.UUID) -> ResourceRow:
        for row in self.list_resources():
            if row.id == resource_id:
                return row
        raise NotFoundError("活動・資源が見つかりません（削除されたか、別の人が削除しました）。")

    def find_resource(self, key: str) -> ResourceRow:
        return _find(self.list_resources(), key, "活動・資源")

    def create_resource(self, data: ResourceInput) -> tuple[uuid.UUID, Changes]:
        _raise(resource_problems(data))
        return self._create(Resource, _apply_resource, data), Changes(people=True)

    def update_resource(self, resource_id: uuid.UUID, version: int, data: ResourceInput) -> Changes:
        _raise(resource_problems(data))
        with self._db.write() as s:
            resource = _get(s, Resource, resource_id, "活動・資源")
            _check_version(resource.version, version, f"「{resource.name}」")
            _apply_resource(resource, data)
            _learn_terms(s, data)
        return Changes(people=True)

    def delete_resource(self, resource_id: uuid.UUID, version: int) -> Changes:
        with self._db.write() as s:
            resource = _get(s, Resource, resource_id, "活動・資源")
            _check_version(resource.version, version, f"「{resource.name}」")
            resource.deleted_at = utcnow()
        return Changes(people=True)


# --- helpers ----------------------------------------------------------------------------------

# A deleted entry whose presence says "this list was edited". PostgreSQL refuses NUL in text,
# so the mark is a noncharacter nobody types; files written before the server kept NUL, and
# both marks are recognised (``shienapp migrate-to`` turns the old one into this one).
EDITED_MARK = "\ufffeedited"
OLD_EDITED_MARK = "\u0000edited"


def _check_kind(kind: str) -> None:
    if kind not in VOCABULARIES:
        raise UserError(f"一覧「{kind}」はありません。")


def _terms(s: Session, kind: str) -> list[str]:
    entries = list(
        s.scalars(
            select(VocabularyEntry)
            .where(VocabularyEntry.kind == kind)
            .order_by(VocabularyEntry.sort_order, VocabularyEntry.name)
        )
    )
    if not entries:
        return list(VOCABULARIES[kind][1])
    return [
        e.name
        for e in entries
        if e.deleted_at is None and e.name not in (EDITED_MARK, OLD_EDITED_MARK)
    ]


def _mark_edited(s: Session, kind: str) -> None:
    s.add(VocabularyEntry(kind=kind, name=EDITED_MARK, sort_order=-1, deleted_at=utcnow()))


def _learn_terms(s: Session, data: Any) -> None:
    if isinstance(data, PersonInput):
        add_missing_terms(s, "skill", data.skills)
        add_missing_terms(s, "training", [name for name, _ in data.trainings])
    elif isinstance(data, OrganisationInput):
        add_missing_terms(s, "organisation_kind", [data.kind])
    elif isinstance(data, ResourceInput):
        add_missing_terms(s, "category", [data.category])


def add_missing_terms(s: Session, kind: str, names: list[str] | tuple[str, ...]) -> None:
    """A word typed into a record joins its list, so the next form offers it."""
    current = _terms(s, kind)
    missing = [n for n in dict.fromkeys(names) if n and n not in current]
    if not missing:
        return
    has_entries = s.scalar(select(VocabularyEntry.id).where(VocabularyEntry.kind == kind).limit(1))
    if has_entries is None:
        _mark_edited(s, kind)
        for order, name in enumerate(current):
            s.add(VocabularyEntry(kind=kind, name=name, sort_order=order))
    for offset, name in enumerate(missing):
        s.add(VocabularyEntry(kind=kind, name=name, sort_order=len(current) + offset))


def _alive(s: Session, model: type) -> list[Any]:
    return list(s.scalars(select(model).where(model.deleted_at.is_(None))))  # type: ignore[attr-defined]


def _get(s: Session, model: type, record_id: uuid.UUID, label: str) -> Any:
    record = s.get(model, record_id)
    if record is None or record.deleted_at is not None:
        raise NotFoundError(f"{label}が見つかりません（削除されたか、別の人が削除しました）。")
    return record


def _check_version(actual: int, expected: int, what: str) -> None:
    if actual != expected:
        raise StaleEditError(
            f"{what}は、開いている間に別の人が変更しました。"
            "上書きしないよう保存を取りやめました。最新の内容を読み込んでからもう一度編集してください。"
        )


def _what(record: Any) -> str:
    return f"{record.name}さんの記録" if isinstance(record, Person) else f"「{record.name}」"


def _soft_delete(record: Any) -> None:
    record.deleted_at = utcnow()


def _find(rows: list[Any], key: str, label: str) -> Any:
    """By exact name, or by an ID or unambiguous ID prefix of 8+ characters."""
    key = key.strip()
    by_name = [r for r in rows if r.name == key]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise UserError(f"{label}「{key}」は {len(by_name)} 件あります。ID で指定してください。")
    if len(key) >= 8:
        by_id = [r for r in rows if str(r.id).startswith(key.lower())]
        if len(by_id) == 1:
            return by_id[0]
    raise NotFoundError(f"{label}「{key}」が見つかりません（ID か正確な名前を指定してください）。")


def district_names(s: Session) -> dict[uuid.UUID, str]:
    return {d.id: d.name for d in _alive(s, District)}


_district_names = district_names


def _apply_fields(record: Any, data: Any) -> None:
    for name in data.__dataclass_fields__:
        value = getattr(data, name)
        setattr(record, name, value.strip() if isinstance(value, str) else value)


def _apply_person(person: Person, data: PersonInput) -> None:
    _apply_fields(person, data)
    person.roles = list(data.roles)
    person.skills = list(data.skills)
    person.availability = [slot.to_dict() for slot in data.availability]
    person.covered_district_ids = [str(d) for d in data.covered_district_ids]
    person.trainings = [
        {"name": name, "completed_on": done.isoformat() if done else None}
        for name, done in data.trainings
    ]


def _apply_resource(resource: Resource, data: ResourceInput) -> None:
    _apply_fields(resource, data)
    resource.target_groups = list(data.target_groups)
    resource.schedule = [slot.to_dict() for slot in data.schedule]
    resource.helper_ids = [str(h) for h in data.helper_ids]


def _person_row(p: Person, districts: dict[uuid.UUID, str], personal: bool = True) -> PersonRow:
    """``personal`` False (a 閲覧 account): contact details and notes are left out."""
    district = districts.get(p.district_id, "") if p.district_id else ""
    trainings = tuple(
        (
            str(t.get("name", "")),
            date.fromisoformat(t["completed_on"]) if t.get("completed_on") else None,
        )
        for t in p.trainings or []
    )
    return PersonRow(
        id=p.id,
        version=p.version,
        name=p.name,
        reading=p.reading,
        organisation=p.organisation,
        district_id=p.district_id,
        district_name=district,
        postal_code=p.postal_code if personal else "",
        address=p.address if personal else "",
        phone=p.phone if personal else "",
        email=p.email if personal else "",
        roles=tuple(p.roles or ()),
        consent_on=p.consent_on,
        consent_scope=p.consent_scope,
        volunteer_status=p.volunteer_status,
        skills=tuple(p.skills or ()),
        availability=tuple(Slot.from_dict(d) for d in p.availability or []),
        covered_district_ids=tuple(uuid.UUID(d) for d in p.covered_district_ids or []),
        trainings=trainings,
        note=p.note if personal else "",
        search_key=fold(
            " ".join(
                [p.name, p.reading, p.organisation, district, *(p.roles or []), *(p.skills or [])]
            )
        ),
    )


def _organisation_row(o: Organisation, districts: dict[uuid.UUID, str]) -> OrganisationRow:
    district = districts.get(o.district_id, "") if o.district_id else ""
    return OrganisationRow(
        id=o.id,
        version=o.version,
        name=o.name,
        reading=o.reading,
        kind=o.kind,
        district_id=o.district_id,
        district_name=district,
        postal_code=o.postal_code,
        address=o.address,
        phone=o.phone,
        email=o.email,
        note=o.note,
        search_key=fold(" ".join([o.name, o.reading, o.kind, district])),
    )


def _resource_rows(
    s: Session,
    resources: list[Resource] | None = None,
    districts: dict[uuid.UUID, str] | None = None,
) -> list[ResourceRow]:
    """Rows of ``resources`` (by default every one not deleted)."""
    if resources is None:
        resources = _alive(s, Resource)
    if districts is None:
        districts = _district_names(s)
    operators = dict(
        s.execute(
            select(Organisation.id, Organisation.name).where(Organisation.deleted_at.is_(None))
        ).all()
    )
    # The names of the contacts these resources name: not 50,000 people.
    contact_ids = list({r.contact_person_id for r in resources if r.contact_person_id})
    people: dict[uuid.UUID, str] = {}
    for start in range(0, len(contact_ids), 500):
        people.update(
            s.execute(
                select(Person.id, Person.name).where(
                    Person.deleted_at.is_(None), Person.id.in_(contact_ids[start : start + 500])
                )
            ).all()
        )
    rows = []
    for r in resources:
        district = districts.get(r.district_id, "") if r.district_id else ""
        schedule = tuple(Slot.from_dict(d) for d in r.schedule or [])
        rows.append(
            ResourceRow(
                id=r.id,
                version=r.version,
                name=r.name,
                reading=r.reading,
                category=r.category,
                target_groups=tuple(r.target_groups or ()),
                district_id=r.district_id,
                district_name=district,
                venue=r.venue,
                schedule=schedule,
                fee=r.fee,
                capacity=r.capacity,
                operator_id=r.operator_id,
                operator_name=operators.get(r.operator_id, "") if r.operator_id else "",
                contact_person_id=r.contact_person_id,
                contact_name=people.get(r.contact_person_id, "") if r.contact_person_id else "",
                public_contact=r.public_contact,
                status=r.status,
                started_on=r.started_on,
                helper_ids=tuple(uuid.UUID(h) for h in r.helper_ids or []),
                note=r.note,
                search_key=fold(
                    " ".join(
                        [
                            r.name,
                            r.reading,
                            r.category,
                            district,
                            r.venue,
                            *(r.target_groups or []),
                            *(slot.describe() for slot in schedule),
                        ]
                    )
                ),
            )
        )
    return rows


# --- pages -------------------------------------------------------------------------------------


def _page[R](
    db: Database,
    model: Any,
    conditions: Callable[[dict[uuid.UUID, tuple[str, str]]], list[Any]],
    read: Callable[[Session, list[Any], dict[uuid.UUID, str]], list[R]],
    offset: int,
) -> Page[R]:
    """Count (the matching rows and all rows, in one pass over the table), then ``read`` the
    page. Rows written without keys (a Core insert: the large demo, a sync import) are seen
    by the same pass and filled first, so that the page finds and orders them."""
    for _attempt in range(2):
        with db.read() as s:
            districts = _district_keys(s)
            where = conditions(districts)
            total, everything, missing = s.execute(
                select(
                    func.count().filter(and_(*where)),
                    func.count().filter(model.deleted_at.is_(None)),
                    func.count().filter(model.search_text.is_(None)),
                ).select_from(model)
            ).one()
            if not missing or _attempt:
                names = {d_id: name for d_id, (name, _key) in districts.items()}
                rows = read(s, where, names) if (total or 0) > offset else []
                return Page(rows, total or 0, everything or 0)
        with db.write() as w:
            fill_missing_in(w)
    raise AssertionError("unreachable")


def _by_key(s: Session, column: Any, query: ListQuery) -> Any:
    """The stored 五十音順 key. A search or filter orders its matches by the key itself, not
    by walking the key's index: the walk would visit every row to find a few matches."""
    if query.terms or query.filters:
        column = func.coalesce(column, "")
    return binary(s, column)


def _missing_keys(s: Session, model: Any) -> bool:
    return s.scalar(select(model.id).where(model.search_text.is_(None)).limit(1)) is not None


def _district_keys(s: Session) -> dict[uuid.UUID, tuple[str, str]]:
    """Each district's name and its folded name and reading (what a search matches)."""
    return {
        d_id: (name, fold(f"{name} {reading}"))
        for d_id, name, reading in s.execute(
            select(District.id, District.name, District.reading).where(
                District.deleted_at.is_(None)
            )
        )
    }


def _district_search(
    column: Any, districts: dict[uuid.UUID, tuple[str, str]]
) -> Callable[[str], Any]:
    named = [(d_id, key) for d_id, (_name, key) in districts.items()]
    return lambda term: in_ids(column, ids_matching(term, named))


def _ranked(column: Any, names: dict[uuid.UUID, str]) -> Any:
    """Order by the name an id stands for (a district, as the list shows it), without a join;
    no id (no district) first."""
    ordered = sorted(names, key=lambda i: (names[i], str(i)))
    if not ordered:
        return column
    return case({d: i for i, d in enumerate(ordered)}, value=column, else_=-1)


def _person_conditions(query: ListQuery, districts: dict[uuid.UUID, tuple[str, str]]) -> list:  # type: ignore[type-arg]
    f = query.filters
    where: list[Any] = [Person.deleted_at.is_(None)]
    district = f.get("district")
    if district is not None:
        where.append(
            or_(
                Person.district_id == district,
                cast(Person.covered_district_ids, String).like(f"%{district}%"),
            )
        )
    if f.get("volunteers"):
        where.append(Person.volunteer_status != "")
    found = text_condition(
        query.terms, Person.search_text, _district_search(Person.district_id, districts)
    )
    if found is not None:
        where.append(found)
    return where


def _person_order(
    s: Session, query: ListQuery, names: dict[uuid.UUID, str], personal: bool
) -> list:  # type: ignore[type-arg]
    match query.sort:
        case "district":
            return [_ranked(Person.district_id, names)]
        case "roles" | "skills":
            return [binary(s, cast(getattr(Person, query.sort), String))]
        case "phone" if personal:
            return [binary(s, Person.phone)]
        case "consent":
            return [Person.consent_on.is_(None), Person.consent_on]
    return []


def _resource_conditions(query: ListQuery, districts: dict[uuid.UUID, tuple[str, str]]) -> list:  # type: ignore[type-arg]
    f = query.filters
    where: list[Any] = [Resource.deleted_at.is_(None)]
    if f.get("district") is not None:
        where.append(Resource.district_id == f["district"])
    if f.get("category") is not None:
        where.append(Resource.category == f["category"])
    if f.get("status") is not None:
        where.append(Resource.status == f["status"])
    if f.get("target") is not None:
        where.append(
            or_(
                Resource.facets.like(f"%|{f['target']}|%"),
                Resource.facets.like("%|誰でも|%"),
            )
        )
    if f.get("weekday") is not None:
        where.append(Resource.facets.like(f"%|@{int(f['weekday'])}|%"))
    found = text_condition(
        query.terms, Resource.search_text, _district_search(Resource.district_id, districts)
    )
    if found is not None:
        where.append(found)
    return where


def _resource_order(s: Session, query: ListQuery, names: dict[uuid.UUID, str]) -> list:  # type: ignore[type-arg]
    match query.sort:
        case "name":
            return []
        case "district":
            return [_ranked(Resource.district_id, names)]
        case "target":
            return [binary(s, cast(Resource.target_groups, String))]
        case "venue" | "status" | "category":
            return [binary(s, getattr(Resource, query.sort))]
        case "schedule":
            return [binary(s, cast(Resource.schedule, String))]
    # The list's usual order: categories as the city lists them, then others by name.
    listed = _terms(s, "category")
    rank = case(
        {name: i for i, name in enumerate(listed)}, value=Resource.category, else_=len(listed)
    )
    return [rank, binary(s, Resource.category)]
