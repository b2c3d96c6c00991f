"""ニーズと資源のマッチング (seed 001): for a need, the resources and 担い手 that fit, ranked,
and the record of each match and how it turned out.

The ranking is explicit and explained: each candidate carries the reasons it scored, so a
coordinator can see why 青木さん comes before 石川さん. A volunteer already matched at an
overlapping time is flagged (重複), never silently booked twice.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from shienapp.core.changes import Changes
from shienapp.core.directory import (
    PersonRow,
    ResourceRow,
    _check_version,
    _get,
    district_names,
)
from shienapp.core.errors import NotFoundError, UserError
from shienapp.core.schedule import Slot, any_overlap
from shienapp.core.text import fold, reading_sort_key
from shienapp.storage.db import Database
from shienapp.storage.models import Match, Need, Person, Resource

NEED_STATUSES: tuple[str, ...] = ("受付", "調整中", "マッチ済", "終了", "対応不可")
NEED_SOURCES: tuple[str, ...] = ("本人", "匿名", "調査")
MATCH_STATUSES: tuple[str, ...] = ("調整中", "成立", "終了", "不成立")
OPEN_NEED_STATUSES = ("受付", "調整中")
ACTIVE_MATCH_STATUSES = ("調整中", "成立")

# Points per reason; the weights are the ranking rule, stated once.
SCORE_DISTRICT = 3
SCORE_CATEGORY = 3
SCORE_SKILL = 3
SCORE_TIME = 2
PENALTY_DOUBLE_BOOKED = 4


@dataclass(frozen=True, slots=True)
class NeedRow:
    id: uuid.UUID
    version: int
    source: str
    person_id: uuid.UUID | None
    person_name: str
    source_note: str
    district_id: uuid.UUID | None
    district_name: str
    category: str
    skill: str
    summary: str
    needed: tuple[Slot, ...]
    status: str
    received_on: date
    note: str
    search_key: str

    @property
    def label(self) -> str:
        where = f"{self.district_name} " if self.district_name else ""
        return f"{where}{self.summary[:40]}"


@dataclass(frozen=True, slots=True)
class NeedInput:
    summary: str
    received_on: date
    source: str = "本人"
    person_id: uuid.UUID | None = None
    source_note: str = ""
    district_id: uuid.UUID | None = None
    category: str = ""
    skill: str = ""
    needed: tuple[Slot, ...] = ()
    status: str = "受付"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str  # "resource" or "person"
    id: uuid.UUID
    name: str
    reading: str
    score: int
    reasons: tuple[str, ...]
    double_booked: bool

    @property
    def kind_label(self) -> str:
        return "活動・資源" if self.kind == "resource" else "担い手"


@dataclass(frozen=True, slots=True)
class MatchRow:
    id: uuid.UUID
    version: int
    need_id: uuid.UUID
    kind: str  # "resource" or "person"
    partner_id: uuid.UUID | None
    partner_name: str
    slot: Slot | None
    status: str
    matched_on: date
    outcome: str

    @property
    def kind_label(self) -> str:
        return "活動・資源" if self.kind == "resource" else "担い手"


@dataclass(frozen=True, slots=True)
class UnmetCount:
    district_name: str
    category: str
    count: int


def need_problems(data: NeedInput) -> list[str]:
    problems: list[str] = []
    if not data.summary.strip():
        problems.append("困りごとの内容を入力してください。")
    if data.source not in NEED_SOURCES:
        problems.append(f"受付の経路「{data.source}」は選べません（本人・匿名・調査）。")
    if data.source == "本人" and data.person_id is None and not data.source_note.strip():
        problems.append("本人からの相談は、相談した人を選ぶか名前を入力してください。")
    if data.source == "匿名" and data.person_id is not None:
        problems.append("匿名の相談に人を結び付けることはできません。")
    if data.status not in NEED_STATUSES:
        problems.append(f"状態「{data.status}」は選べません。")
    return problems


def rank_candidates(
    need: NeedRow,
    resources: list[ResourceRow],
    volunteers: list[PersonRow],
    booked: dict[uuid.UUID, list[Slot]],
    *,
    since: date | None = None,
) -> list[Candidate]:
    """Score every active resource and volunteer for ``need``; best first, then 五十音順.

    Resources must share the need's category, volunteers must have its skill; district and
    time add to the score; a volunteer booked at an overlapping time loses points and is
    flagged, but stays on the list for the coordinator to judge.
    """
    found: list[Candidate] = []
    # A need for a kind of activity (category) is met by resources; a need for a hand (skill)
    # by volunteers. Candidates of the other sort are not proposed.
    for r in resources:
        if r.status != "活動中" or not need.category or r.category != need.category:
            continue
        reasons: list[str] = []
        score = 0
        if need.district_id and r.district_id == need.district_id:
            score += SCORE_DISTRICT
            reasons.append(f"地区が同じ（{r.district_name}）")
        score += SCORE_CATEGORY
        reasons.append(f"分類が同じ（{r.category}）")
        if (
            need.needed
            and r.schedule
            and any_overlap(list(need.needed), list(r.schedule), since=since)
        ):
            score += SCORE_TIME
            reasons.append("日時が合う")
        if score:
            found.append(
                Candidate("resource", r.id, r.name, r.reading, score, tuple(reasons), False)
            )
    for p in volunteers:
        if p.volunteer_status != "活動中" or not need.skill or need.skill not in p.skills:
            continue
        reasons = []
        score = 0
        if need.district_id and (
            need.district_id in p.covered_district_ids or p.district_id == need.district_id
        ):
            score += SCORE_DISTRICT
            reasons.append("担当地区に含まれる")
        score += SCORE_SKILL
        reasons.append(f"できること：{need.skill}")
        if (
            need.needed
            and p.availability
            and any_overlap(list(need.needed), list(p.availability), since=since)
        ):
            score += SCORE_TIME
            reasons.append("活動できる日時が合う")
        clash = bool(
            need.needed
            and booked.get(p.id)
            and any_overlap(list(need.needed), booked[p.id], since=since)
        )
        if clash:
            score -= PENALTY_DOUBLE_BOOKED
            reasons.append("同じ時間帯に別のマッチあり（重複）")
        found.append(Candidate("person", p.id, p.name, p.reading, score, tuple(reasons), clash))
    return sorted(found, key=lambda c: (-c.score, reading_sort_key(c.reading, c.name)))


class MatchingService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list_needs(self, *, open_only: bool = False) -> list[NeedRow]:
        with self._db.read() as s:
            districts = district_names(s)
            # Only the names of the people the needs name: not 50,000 people as objects.
            asked = select(Need.person_id).where(Need.deleted_at.is_(None))
            people = dict(
                s.execute(select(Person.id, Person.name).where(Person.id.in_(asked))).all()
            )
            needs = s.scalars(select(Need).where(Need.deleted_at.is_(None))).all()
            rows = [_need_row(n, districts, people) for n in needs]
        if open_only:
            rows = [r for r in rows if r.status in OPEN_NEED_STATUSES]
        return sorted(rows, key=lambda r: r.received_on, reverse=True)

    def get_need(self, need_id: uuid.UUID) -> NeedRow:
        for row in self.list_needs():
            if row.id == need_id:
                return row
        raise NotFoundError("ニーズが見つかりません（削除されたか、別の人が削除しました）。")

    def find_need(self, key: str) -> NeedRow:
        key = key.strip().lower()
        if len(key) >= 8:
            found = [r for r in self.list_needs() if str(r.id).startswith(key)]
            if len(found) == 1:
                return found[0]
        raise NotFoundError(
            f"ニーズ「{key}」が見つかりません（shienapp list needs で ID を確かめてください）。"
        )

    def create_need(self, data: NeedInput) -> tuple[uuid.UUID, Changes]:
        _raise(need_problems(data))
        with self._db.write() as s:
            need = Need()
            _apply_need(need, data)
            s.add(need)
            s.flush()
            return need.id, Changes(people=True)

    def update_need(self, need_id: uuid.UUID, version: int, data: NeedInput) -> Changes:
        _raise(need_problems(data))
        with self._db.write() as s:
            need = _get(s, Need, need_id, "ニーズ")
            _check_version(need.version, version, "このニーズ")
            _apply_need(need, data)
        return Changes(people=True)

    def booked_slots(
        self, *, excluding_need: uuid.UUID | None = None
    ) -> dict[uuid.UUID, list[Slot]]:
        """Each volunteer's slots in active matches (調整中 / 成立)."""
        booked: dict[uuid.UUID, list[Slot]] = {}
        with self._db.read() as s:
            for m in s.scalars(
                select(Match).where(
                    Match.deleted_at.is_(None),
                    Match.person_id.is_not(None),
                    Match.status.in_(ACTIVE_MATCH_STATUSES),
                )
            ):
                if m.need_id == excluding_need or not m.slot:
                    continue
                booked.setdefault(m.person_id, []).append(Slot.from_dict(m.slot))  # type: ignore[arg-type]
        return booked

    def candidates(
        self,
        need_id: uuid.UUID,
        resources: list[ResourceRow],
        volunteers: list[PersonRow],
        *,
        since: date | None = None,
    ) -> list[Candidate]:
        need = self.get_need(need_id)
        booked = self.booked_slots(excluding_need=need_id)
        return rank_candidates(need, resources, volunteers, booked, since=since)

    def record_match(
        self,
        need_id: uuid.UUID,
        *,
        resource_id: uuid.UUID | None = None,
        person_id: uuid.UUID | None = None,
        slot: Slot | None = None,
        status: str = "調整中",
        matched_on: date | None = None,
        outcome: str = "",
    ) -> tuple[uuid.UUID, Changes]:
        """Pair the need with one resource or one volunteer; the need goes to 調整中 / マッチ済."""
        if (resource_id is None) == (person_id is None):
            raise UserError("マッチの相手は、活動・資源か担い手のどちらか一つを選んでください。")
        if status not in MATCH_STATUSES:
            raise UserError(f"マッチの状態「{status}」は選べません。")
        with self._db.write() as s:
            need = _get(s, Need, need_id, "ニーズ")
            chosen = slot or (Slot.from_dict(need.needed[0]) if need.needed else None)
            match = Match(
                need_id=need_id,
                resource_id=resource_id,
                person_id=person_id,
                slot=chosen.to_dict() if chosen else None,
                status=status,
                matched_on=matched_on or date.today(),
                outcome=outcome,
            )
            s.add(match)
            if need.status in OPEN_NEED_STATUSES:
                need.status = "マッチ済" if status == "成立" else "調整中"
            s.flush()
            return match.id, Changes(people=True)

    def list_matches(self, need_id: uuid.UUID | None = None) -> list[MatchRow]:
        """The matches of one need (or all), newest first, with whom they pair it."""
        with self._db.read() as s:
            query = select(Match).where(Match.deleted_at.is_(None))
            if need_id is not None:
                query = query.where(Match.need_id == need_id)
            matches = list(s.scalars(query))
            people = {p.id: p.name for p in s.scalars(select(Person))}
            resources = {r.id: r.name for r in s.scalars(select(Resource))}
            rows = [
                MatchRow(
                    id=m.id,
                    version=m.version,
                    need_id=m.need_id,
                    kind="resource" if m.resource_id else "person",
                    partner_id=m.resource_id or m.person_id,
                    partner_name=resources.get(m.resource_id, "")  # type: ignore[arg-type]
                    if m.resource_id
                    else people.get(m.person_id, ""),  # type: ignore[arg-type]
                    slot=Slot.from_dict(m.slot) if m.slot else None,
                    status=m.status,
                    matched_on=m.matched_on,
                    outcome=m.outcome,
                )
                for m in matches
            ]
        return sorted(rows, key=lambda r: r.matched_on, reverse=True)

    def update_match(self, match_id: uuid.UUID, version: int, status: str, outcome: str) -> Changes:
        """Record how a match turned out; the need follows: 成立 → マッチ済; when no match of
        the need is still active, 終了 closes it and 不成立 sends it back to 調整中."""
        if status not in MATCH_STATUSES:
            raise UserError(f"マッチの状態「{status}」は選べません。")
        with self._db.write() as s:
            match = _get(s, Match, match_id, "マッチ")
            _check_version(match.version, version, "このマッチ")
            match.status = status
            match.outcome = outcome.strip()
            need = _get(s, Need, match.need_id, "ニーズ")
            others = [
                m
                for m in s.scalars(
                    select(Match).where(
                        Match.need_id == need.id,
                        Match.id != match.id,
                        Match.deleted_at.is_(None),
                        Match.status.in_(ACTIVE_MATCH_STATUSES),
                    )
                )
            ]
            if status == "成立":
                need.status = "マッチ済"
            elif status == "調整中" and need.status in OPEN_NEED_STATUSES:
                need.status = "調整中"
            elif not others:
                need.status = "終了" if status == "終了" else "調整中"
        return Changes(people=True)

    def unmet_counts(self) -> list[UnmetCount]:
        """Open needs (受付 / 調整中) per district and category (or skill, for a need of a
        hand): the gaps a report shows."""
        counts = Counter(
            (r.district_name or "（地区なし）", r.category or r.skill or "（分類なし）")
            for r in self.list_needs(open_only=True)
        )
        return [
            UnmetCount(district, category, n)
            for (district, category), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]


def _raise(problems: list[str]) -> None:
    if problems:
        raise UserError(problems[0], problems[1:])


def _apply_need(need: Need, data: NeedInput) -> None:
    need.source = data.source
    need.person_id = data.person_id
    need.source_note = data.source_note.strip()
    need.district_id = data.district_id
    need.category = data.category
    need.skill = data.skill
    need.summary = data.summary.strip()
    need.needed = [slot.to_dict() for slot in data.needed]
    need.status = data.status
    need.received_on = data.received_on
    need.note = data.note


def _need_row(n: Need, districts: dict[uuid.UUID, str], people: dict[uuid.UUID, str]) -> NeedRow:
    district = districts.get(n.district_id, "") if n.district_id else ""
    person = people.get(n.person_id, "") if n.person_id else ""
    return NeedRow(
        id=n.id,
        version=n.version,
        source=n.source,
        person_id=n.person_id,
        person_name=person,
        source_note=n.source_note,
        district_id=n.district_id,
        district_name=district,
        category=n.category,
        skill=n.skill,
        summary=n.summary,
        needed=tuple(Slot.from_dict(d) for d in n.needed or []),
        status=n.status,
        received_on=n.received_on,
        note=n.note,
        search_key=fold(" ".join([n.summary, district, n.category, n.skill, person])),
    )
