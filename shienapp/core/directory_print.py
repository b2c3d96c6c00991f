"""What the directory's printed sheets hold: the activity booklet, the weekly timetable, the roster.

The choice of what goes on paper is made here, not in the PDF code: a booklet for residents
lists only activities people can join and never a private person's name or contact (the
activity's public contact point stays); the staff edition adds them and is marked 取扱注意.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from shienapp.core import audit
from shienapp.core.directory import DirectoryService, PersonRow, ResourceRow
from shienapp.core.errors import UserError
from shienapp.core.permissions import Action
from shienapp.core.timetable import timetable

# On a residents' list: what runs, and what is about to start. 休止 and 終了 are left out.
RESIDENT_STATUSES = ("活動中", "準備中")
STAFF_STATUSES = ("活動中", "準備中", "休止")


@dataclass(frozen=True, slots=True)
class BookletEntry:
    """One activity as the booklet prints it; private fields are empty in a residents' copy."""

    name: str
    operator: str
    schedule: str
    venue: str
    district: str
    targets: str
    fee: str
    capacity: str
    public_contact: str
    status: str
    contact_name: str = ""
    helpers: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Booklet:
    scope: str  # 市内全域 / 中居地区
    issued_on: date
    staff: bool
    sections: tuple[tuple[str, tuple[BookletEntry, ...]], ...]  # category → entries, list order

    @property
    def count(self) -> int:
        return sum(len(entries) for _, entries in self.sections)


@dataclass(frozen=True, slots=True)
class WeeklyTimetable:
    scope: str
    issued_on: date
    cells: dict[tuple[int, str], list[str]]  # (weekday, 午前/午後/夜) → cell lines
    count: int


@dataclass(frozen=True, slots=True)
class Roster:
    scope: str
    issued_on: date
    volunteers: tuple[PersonRow, ...]
    district_names: dict[uuid.UUID, str]


def _district_scope(
    service: DirectoryService, district: str | None
) -> tuple[str, uuid.UUID | None]:
    if not district:
        return "市内全域", None
    names = service.district_names()
    for district_id, name in names.items():
        if name == district.strip() or str(district_id).startswith(district.strip().lower()):
            return f"{name}地区" if not name.endswith("地区") else name, district_id
    known = "・".join(sorted(names.values())[:12])
    raise UserError(f"地区「{district}」が見つかりません（登録済みの例: {known}）。")


def booklet(
    service: DirectoryService,
    *,
    district: str | None = None,
    staff: bool = False,
    issued_on: date | None = None,
) -> Booklet:
    """Activities by category in the list's order, 五十音順 within; a district or the city."""
    if staff:
        service.require(Action.EXPORT_PERSONAL)
    scope, district_id = _district_scope(service, district)
    statuses = STAFF_STATUSES if staff else RESIDENT_STATUSES
    people = {p.id: p.name for p in service.list_people()} if staff else {}
    sections: dict[str, list[BookletEntry]] = {}
    for r in service.list_resources():  # already in category order, then 五十音順
        if r.status not in statuses or (district_id and r.district_id != district_id):
            continue
        sections.setdefault(r.category or "その他", []).append(_entry(r, staff, people))
    return Booklet(
        scope,
        issued_on or date.today(),
        staff,
        tuple((category, tuple(entries)) for category, entries in sections.items()),
    )


def _entry(r: ResourceRow, staff: bool, people: dict[uuid.UUID, str]) -> BookletEntry:
    entry = BookletEntry(
        name=r.name,
        operator=r.operator_name,
        schedule=r.schedule_text,
        venue=r.venue,
        district=r.district_name,
        targets="・".join(r.target_groups),
        fee=r.fee,
        capacity=f"{r.capacity}人" if r.capacity else "",
        public_contact=r.public_contact,
        status=r.status,
    )
    if not staff:
        return entry
    helpers = "、".join(people[h] for h in r.helper_ids if h in people)
    return replace(entry, contact_name=r.contact_name, helpers=helpers, note=r.note)


def weekly_timetable(
    service: DirectoryService,
    *,
    district: str | None = None,
    venue: str | None = None,
    issued_on: date | None = None,
) -> WeeklyTimetable:
    """The 月～日 × 午前/午後/夜 table of running activities, for a district or a venue."""
    scope, district_id = _district_scope(service, district)
    rows = [r for r in service.list_resources() if r.status == "活動中"]
    if district_id:
        rows = [r for r in rows if r.district_id == district_id]
    if venue:
        rows = [r for r in rows if r.venue == venue.strip()]
        if not rows:
            venues = sorted({r.venue for r in service.list_resources() if r.venue})
            examples = "・".join(venues[:8])
            raise UserError(
                f"会場「{venue}」で開いている活動はありません（会場の例: {examples}）。"
            )
        scope = f"会場：{venue.strip()}" + ("" if district_id is None else f"（{scope}）")
    return WeeklyTimetable(scope, issued_on or date.today(), timetable(rows), len(rows))


def roster(
    service: DirectoryService, *, district: str | None = None, issued_on: date | None = None
) -> Roster:
    """Volunteers 五十音順; for a district, those living there or covering it."""
    service.require(Action.EXPORT_PERSONAL)
    scope, district_id = _district_scope(service, district)
    volunteers = service.list_people(volunteers_only=True)
    if district_id:
        volunteers = [
            v
            for v in volunteers
            if v.district_id == district_id or district_id in v.covered_district_ids
        ]
    service.record(audit.Event("印刷", "people", "", f"担い手名簿（{scope}、{len(volunteers)}人）"))
    return Roster(scope, issued_on or date.today(), tuple(volunteers), service.district_names())
