"""地区台帳: blocks, districts, their 第2層協議体 and yearly population statistics.

Every call opens its own short unit of work and returns plain dataclasses, so the GUI, the CLI
and the tests use the same code and nothing outside ``core`` ever holds a session.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shienapp.core.changes import Changes
from shienapp.core.errors import NotFoundError, StaleEditError, UserError
from shienapp.core.jpdate import format_wareki
from shienapp.core.stats import StatisticsFigures, ageing_rate, validate_figures
from shienapp.core.text import fold, is_reading, reading_sort_key
from shienapp.storage.db import Database
from shienapp.storage.models import (
    Block,
    Council,
    CouncilStatusEvent,
    District,
    DistrictStatistics,
    utcnow,
)

COUNCIL_STATUSES: tuple[str, ...] = ("未設置", "準備中", "設置済", "休止")
DOMAINS: tuple[str, ...] = ("高齢", "障害", "子ども", "生活困窮", "全世代")
SECOND_TIER = "第2層"


# --- plain data handed out -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockInfo:
    id: uuid.UUID
    name: str
    reading: str
    sort_order: int
    district_count: int = 0


@dataclass(frozen=True, slots=True)
class DistrictRow:
    """One line of the registry list, with the latest statistics."""

    id: uuid.UUID
    version: int
    code: str
    name: str
    reading: str
    block_id: uuid.UUID
    block_name: str
    block_order: int
    council_status: str
    established_on: date | None
    coordinator_name: str
    domains: tuple[str, ...]
    latest_fiscal_year: int | None
    total_population: int | None
    population_65_plus: int | None
    search_key: str

    @property
    def ageing_rate(self) -> float | None:
        return ageing_rate(self.population_65_plus, self.total_population)

    @property
    def sort_key(self) -> tuple[object, ...]:
        return (self.block_order, *reading_sort_key(self.reading, self.name))


@dataclass(frozen=True, slots=True)
class StatisticsRow:
    id: uuid.UUID
    version: int
    fiscal_year: int
    as_of: date | None
    total_population: int
    population_65_plus: int
    population_75_plus: int | None
    households: int | None
    elderly_single_households: int | None

    @property
    def figures(self) -> StatisticsFigures:
        return StatisticsFigures(
            self.fiscal_year,
            self.total_population,
            self.population_65_plus,
            self.population_75_plus,
            self.households,
            self.elderly_single_households,
        )

    @property
    def ageing_rate(self) -> float | None:
        return self.figures.ageing_rate


@dataclass(frozen=True, slots=True)
class CouncilEvent:
    occurred_on: date
    status: str
    note: str


@dataclass(frozen=True, slots=True)
class CouncilInfo:
    id: uuid.UUID
    version: int
    name: str
    status: str
    established_on: date | None
    coordinator_name: str
    domains: tuple[str, ...]
    note: str
    events: tuple[CouncilEvent, ...]


@dataclass(frozen=True, slots=True)
class DistrictDetail:
    row: DistrictRow
    note: str
    council: CouncilInfo | None
    statistics: tuple[StatisticsRow, ...]  # oldest first

    @property
    def id(self) -> uuid.UUID:
        return self.row.id

    @property
    def latest(self) -> StatisticsRow | None:
        return self.statistics[-1] if self.statistics else None


@dataclass(slots=True)
class CouncilInput:
    status: str = "未設置"
    established_on: date | None = None
    coordinator_name: str = ""
    domains: tuple[str, ...] = ()
    name: str = ""
    note: str = ""
    status_changed_on: date | None = None  # when the status changed; today if not given


@dataclass(slots=True)
class DistrictInput:
    name: str
    reading: str
    block_id: uuid.UUID
    code: str = ""
    note: str = ""
    council: CouncilInput = field(default_factory=CouncilInput)


@dataclass(slots=True)
class StatisticsInput:
    fiscal_year: int
    total_population: int
    population_65_plus: int
    population_75_plus: int | None = None
    households: int | None = None
    elderly_single_households: int | None = None
    as_of: date | None = None


# --- validation ------------------------------------------------------------------------------


def district_problems(data: DistrictInput) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not data.name.strip():
        problems.append(("地区名", "必須です"))
    elif len(data.name) > 100:
        problems.append(("地区名", "100文字以内で入力してください"))
    if data.reading.strip() and not is_reading(data.reading):
        problems.append(("フリガナ", f"ひらがなかカタカナで入力してください（「{data.reading}」）"))
    if len(data.code) > 20:
        problems.append(("地区コード", "20文字以内で入力してください"))
    problems.extend(council_problems(data.council))
    return problems


def council_problems(council: CouncilInput) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if council.status not in COUNCIL_STATUSES:
        problems.append(
            ("協議体の状況", f"「{council.status}」は選べません（{'・'.join(COUNCIL_STATUSES)}）")
        )
    unknown = [d for d in council.domains if d not in DOMAINS]
    if unknown:
        problems.append(
            ("対象分野", f"「{'・'.join(unknown)}」は選べません（{'・'.join(DOMAINS)}）")
        )
    if council.established_on and council.established_on > date.today():
        problems.append(("設置日", f"未来の日付です（{format_wareki(council.established_on)}）"))
    if council.status == "未設置" and council.established_on:
        problems.append(("設置日", "未設置の協議体に設置日は入力できません"))
    return problems


def statistics_problems(data: StatisticsInput) -> list[tuple[str, str]]:
    problems = validate_figures(
        data.total_population,
        data.population_65_plus,
        data.population_75_plus,
        data.households,
        data.elderly_single_households,
    )
    if not (1868 <= data.fiscal_year <= 2199):
        problems.append(("年度", f"範囲外です（{data.fiscal_year}）"))
    return problems


def raise_if(problems: list[tuple[str, str]], what: str) -> None:
    if problems:
        raise UserError(
            f"{what}を保存できません。次の項目を確認してください。",
            [f"「{label}」: {reason}" for label, reason in problems],
        )


# --- the service -----------------------------------------------------------------------------


class DistrictService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # blocks

    def list_blocks(self) -> list[BlockInfo]:
        with self._db.read() as s:
            counts: dict[uuid.UUID, int] = defaultdict(int)
            for (block_id,) in s.execute(
                select(District.block_id).where(District.deleted_at.is_(None))
            ):
                counts[block_id] += 1
            blocks = s.scalars(select(Block).where(Block.deleted_at.is_(None))).all()
            infos = [BlockInfo(b.id, b.name, b.reading, b.sort_order, counts[b.id]) for b in blocks]
        return sorted(infos, key=lambda b: (b.sort_order, reading_sort_key(b.reading, b.name)))

    def create_block(
        self, name: str, reading: str = "", sort_order: int | None = None
    ) -> tuple[BlockInfo, Changes]:
        name = name.strip()
        if not name:
            raise UserError("ブロック名を入力してください。")
        if reading.strip() and not is_reading(reading):
            raise UserError(
                f"ブロックのフリガナはひらがなかカタカナで入力してください（「{reading}」）。"
            )
        with self._db.write() as s:
            block = _create_block(s, name, reading.strip(), sort_order)
            info = BlockInfo(block.id, block.name, block.reading, block.sort_order)
        return info, Changes(districts=True)

    def rename_block(self, block_id: uuid.UUID, name: str, reading: str) -> Changes:
        name = name.strip()
        if not name:
            raise UserError("ブロック名を入力してください。")
        if reading.strip() and not is_reading(reading):
            raise UserError(
                f"ブロックのフリガナはひらがなかカタカナで入力してください（「{reading}」）。"
            )
        with self._db.write() as s:
            block = _get_alive(s, Block, block_id, "ブロック")
            if name != block.name and _find_block(s, name):
                raise UserError(f"ブロック「{name}」はすでにあります。")
            block.name, block.reading = name, reading.strip()
        return Changes(districts=True)

    def delete_block(self, block_id: uuid.UUID) -> Changes:
        with self._db.write() as s:
            block = _get_alive(s, Block, block_id, "ブロック")
            used = s.scalar(
                select(District.id)
                .where(District.block_id == block_id, District.deleted_at.is_(None))
                .limit(1)
            )
            if used is not None:
                raise UserError(
                    f"ブロック「{block.name}」には地区があるため削除できません。先に地区を移してください。"
                )
            block.deleted_at = utcnow()
        return Changes(districts=True)

    # districts

    def list_districts(self) -> list[DistrictRow]:
        """Every district in 五十音順 within its block, with the latest statistics."""
        with self._db.read() as s:
            rows = _district_rows(s)
        return sorted(rows, key=lambda r: r.sort_key)

    def get_district(self, district_id: uuid.UUID) -> DistrictDetail:
        with self._db.read() as s:
            district = _get_alive(s, District, district_id, "地区")
            return _detail(s, district)

    def find_district(self, name_or_id: str) -> DistrictRow:
        """For the command line: an ID (or an unambiguous 8+ character prefix) or the exact name."""
        key = name_or_id.strip()
        rows = self.list_districts()
        by_name = [r for r in rows if r.name == key]
        if by_name:
            return by_name[0]
        compact = key.replace("-", "").lower()
        if len(compact) >= 8:
            by_id = [r for r in rows if r.id.hex.startswith(compact)]
            if len(by_id) == 1:
                return by_id[0]
            if len(by_id) > 1:
                raise UserError(
                    f"ID「{key}」に当てはまる地区が複数あります。もっと長く指定してください。"
                )
        raise NotFoundError(
            f"地区「{key}」が見つかりません（ID か正確な地区名を指定してください）。"
        )

    def create_district(self, data: DistrictInput) -> tuple[uuid.UUID, Changes]:
        raise_if(district_problems(data), "地区")
        with self._db.write() as s:
            _check_unique_name(s, data.name.strip(), None)
            _get_alive(s, Block, data.block_id, "ブロック")
            district = District(
                name=data.name.strip(),
                reading=data.reading.strip(),
                block_id=data.block_id,
                code=data.code.strip(),
                note=data.note,
            )
            s.add(district)
            s.flush()
            _apply_council(s, district, data.council)
            new_id = district.id
        return new_id, Changes(districts=True, councils=True)

    def update_district(
        self, district_id: uuid.UUID, expected_version: int, data: DistrictInput
    ) -> Changes:
        """Save an edit; refuse it if the district was saved by someone after it was read."""
        raise_if(district_problems(data), "地区")
        try:
            with self._db.write() as s:
                district = _get_alive(s, District, district_id, "地区")
                _check_version(district, expected_version, "地区", district.name)
                _check_unique_name(s, data.name.strip(), district.id)
                _get_alive(s, Block, data.block_id, "ブロック")
                district.name = data.name.strip()
                district.reading = data.reading.strip()
                district.block_id = data.block_id
                district.code = data.code.strip()
                district.note = data.note
                district.updated_at = utcnow()  # bumps the version even if only the council changed
                _apply_council(s, district, data.council)
        except StaleDataError as exc:
            raise _stale("地区", data.name) from exc
        return Changes(districts=True, councils=True)

    def delete_district(
        self, district_id: uuid.UUID, expected_version: int | None = None
    ) -> Changes:
        """Soft delete: the district, its council and its statistics go to the trash together."""
        with self._db.write() as s:
            district = _get_alive(s, District, district_id, "地区")
            if expected_version is not None:
                _check_version(district, expected_version, "地区", district.name)
            now = utcnow()
            district.deleted_at = now
            for stats in _alive(
                s, DistrictStatistics, DistrictStatistics.district_id == district.id
            ):
                stats.deleted_at = now
            for council in _alive(s, Council, Council.district_id == district.id):
                council.deleted_at = now
        return Changes(districts=True, statistics=True, councils=True)

    # statistics

    def set_statistics(self, district_id: uuid.UUID, data: StatisticsInput) -> Changes:
        """Record one 年度's figures, replacing that year's figures if they exist."""
        raise_if(statistics_problems(data), "人口統計")
        with self._db.write() as s:
            _get_alive(s, District, district_id, "地区")
            _upsert_statistics(s, district_id, data)
        return Changes(districts=True, statistics=True)

    def delete_statistics(self, statistics_id: uuid.UUID) -> Changes:
        with self._db.write() as s:
            stats = _get_alive(s, DistrictStatistics, statistics_id, "人口統計")
            stats.deleted_at = utcnow()
        return Changes(districts=True, statistics=True)

    def fiscal_years(self) -> list[int]:
        with self._db.read() as s:
            years = s.scalars(
                select(DistrictStatistics.fiscal_year)
                .where(DistrictStatistics.deleted_at.is_(None))
                .distinct()
            ).all()
        return sorted(years)

    def figures_in_year(self, fiscal_year: int) -> dict[uuid.UUID, StatisticsFigures]:
        """Each district's figures for one 年度 (districts that reported it), in one query."""
        with self._db.read() as s:
            rows = s.scalars(
                select(DistrictStatistics)
                .join(District, District.id == DistrictStatistics.district_id)
                .where(
                    DistrictStatistics.deleted_at.is_(None),
                    District.deleted_at.is_(None),
                    DistrictStatistics.fiscal_year == fiscal_year,
                )
            ).all()
            figures: dict[uuid.UUID, StatisticsFigures] = {}
            for st in rows:
                figures.setdefault(st.district_id, _statistics_row(st).figures)
        return figures

    def city_figures(self) -> dict[int, StatisticsFigures]:
        """The city's totals per 年度, summed over districts that reported that year.

        The city rate is weighted by population (Σ65歳以上 ÷ Σ総人口), not a mean of rates.
        """
        with self._db.read() as s:
            return _city_figures(s)


# --- helpers (module level so the import can share them inside its own transaction) ---------


def _alive(s: Session, model: type, *criteria: object) -> list:  # type: ignore[type-arg]
    return list(s.scalars(select(model).where(model.deleted_at.is_(None), *criteria)).all())


def _get_alive(s: Session, model: type, record_id: uuid.UUID, label: str):  # type: ignore[no-untyped-def]
    record = s.get(model, record_id)
    if record is None or record.deleted_at is not None:
        raise NotFoundError(f"{label}が見つかりません（削除されたか、別の人が削除しました）。")
    return record


def _check_version(record: District, expected: int, label: str, name: str) -> None:
    if record.version != expected:
        raise _stale(label, name)


def _stale(label: str, name: str) -> StaleEditError:
    return StaleEditError(
        f"{label}「{name}」は、開いている間に別の人が変更しました。"
        "上書きしないよう保存を取りやめました。最新の内容を読み込んでからもう一度編集してください。"
    )


def _find_block(s: Session, name: str) -> Block | None:
    return s.scalar(select(Block).where(Block.name == name, Block.deleted_at.is_(None)))


def _create_block(s: Session, name: str, reading: str, sort_order: int | None) -> Block:
    if _find_block(s, name):
        raise UserError(f"ブロック「{name}」はすでにあります。")
    if sort_order is None:
        highest = s.scalar(
            select(Block.sort_order)
            .where(Block.deleted_at.is_(None))
            .order_by(Block.sort_order.desc())
            .limit(1)
        )
        sort_order = (highest or 0) + 1
    block = Block(name=name, reading=reading, sort_order=sort_order)
    s.add(block)
    s.flush()
    return block


def _check_unique_name(s: Session, name: str, own_id: uuid.UUID | None) -> None:
    other = s.scalar(select(District).where(District.name == name, District.deleted_at.is_(None)))
    if other is not None and other.id != own_id:
        raise UserError(f"地区「{name}」はすでに登録されています。別の名前にしてください。")


def _district_council(s: Session, district_id: uuid.UUID) -> Council | None:
    return s.scalar(
        select(Council).where(
            Council.district_id == district_id,
            Council.tier == SECOND_TIER,
            Council.deleted_at.is_(None),
        )
    )


def default_council_name(district_name: str) -> str:
    return f"{district_name}地区 第2層協議体"


def _apply_council(s: Session, district: District, data: CouncilInput) -> None:
    """Create or update the district's 第2層協議体, recording a status change in its history."""
    council = _district_council(s, district.id)
    name = data.name.strip() or default_council_name(district.name)
    if council is None:
        council = Council(district_id=district.id, tier=SECOND_TIER, name=name, status=data.status)
        s.add(council)
        previous_status = None
    else:
        previous_status = council.status
    council.name = name
    council.status = data.status
    council.established_on = data.established_on
    council.coordinator_name = data.coordinator_name.strip()
    council.domains = [d for d in DOMAINS if d in data.domains]
    council.note = data.note
    s.flush()
    if data.status != previous_status and not (previous_status is None and data.status == "未設置"):
        when = data.status_changed_on
        if when is None:
            when = (
                data.established_on
                if data.status == "設置済" and data.established_on
                else date.today()
            )
        s.add(CouncilStatusEvent(council_id=council.id, occurred_on=when, status=data.status))


def _upsert_statistics(s: Session, district_id: uuid.UUID, data: StatisticsInput) -> bool:
    """Returns True when a new year was added, False when an existing year was replaced."""
    existing = s.scalar(
        select(DistrictStatistics).where(
            DistrictStatistics.district_id == district_id,
            DistrictStatistics.fiscal_year == data.fiscal_year,
            DistrictStatistics.deleted_at.is_(None),
        )
    )
    target = existing or DistrictStatistics(district_id=district_id, fiscal_year=data.fiscal_year)
    target.as_of = data.as_of
    target.total_population = data.total_population
    target.population_65_plus = data.population_65_plus
    target.population_75_plus = data.population_75_plus
    target.households = data.households
    target.elderly_single_households = data.elderly_single_households
    if existing is None:
        s.add(target)
    s.flush()
    return existing is None


def _district_rows(
    s: Session, district_ids: Iterable[uuid.UUID] | None = None
) -> list[DistrictRow]:
    query = (
        select(District, Block)
        .join(Block, District.block_id == Block.id)
        .where(District.deleted_at.is_(None))
    )
    # For some districts (one district's detail): only their councils and statistics, not the
    # whole city's (get_district for each of 300 districts read 300 × every row).
    council_only: list[object] = []
    statistics_only: list[object] = []
    if district_ids is not None:
        ids = list(district_ids)
        query = query.where(District.id.in_(ids))
        council_only.append(Council.district_id.in_(ids))
        statistics_only.append(DistrictStatistics.district_id.in_(ids))
    pairs = s.execute(query).all()
    councils = {
        c.district_id: c
        for c in _alive(
            s, Council, Council.tier == SECOND_TIER, Council.district_id.is_not(None), *council_only
        )
    }
    latest: dict[uuid.UUID, DistrictStatistics] = {}
    for st in _alive(s, DistrictStatistics, *statistics_only):
        current = latest.get(st.district_id)
        if current is None or st.fiscal_year > current.fiscal_year:
            latest[st.district_id] = st
    rows = []
    for district, block in pairs:
        council = councils.get(district.id)
        st = latest.get(district.id)
        status = council.status if council else "未設置"
        coordinator = council.coordinator_name if council else ""
        rows.append(
            DistrictRow(
                id=district.id,
                version=district.version,
                code=district.code,
                name=district.name,
                reading=district.reading,
                block_id=block.id,
                block_name=block.name,
                block_order=block.sort_order,
                council_status=status,
                established_on=council.established_on if council else None,
                coordinator_name=coordinator,
                domains=tuple(council.domains) if council else (),
                latest_fiscal_year=st.fiscal_year if st else None,
                total_population=st.total_population if st else None,
                population_65_plus=st.population_65_plus if st else None,
                search_key="\x00".join(
                    fold(x)
                    for x in (
                        district.name,
                        district.reading,
                        district.code,
                        block.name,
                        coordinator,
                        status,
                    )
                ),
            )
        )
    return rows


def _statistics_row(st: DistrictStatistics) -> StatisticsRow:
    return StatisticsRow(
        st.id,
        st.version,
        st.fiscal_year,
        st.as_of,
        st.total_population,
        st.population_65_plus,
        st.population_75_plus,
        st.households,
        st.elderly_single_households,
    )


def _detail(s: Session, district: District) -> DistrictDetail:
    (row,) = _district_rows(s, [district.id])
    council = _district_council(s, district.id)
    council_info = None
    if council is not None:
        events = sorted(
            _alive(s, CouncilStatusEvent, CouncilStatusEvent.council_id == council.id),
            key=lambda e: (e.occurred_on, e.created_at),
        )
        council_info = CouncilInfo(
            council.id,
            council.version,
            council.name,
            council.status,
            council.established_on,
            council.coordinator_name,
            tuple(council.domains),
            council.note,
            tuple(CouncilEvent(e.occurred_on, e.status, e.note) for e in events),
        )
    stats = sorted(
        _alive(s, DistrictStatistics, DistrictStatistics.district_id == district.id),
        key=lambda st: st.fiscal_year,
    )
    return DistrictDetail(
        row, district.note, council_info, tuple(_statistics_row(st) for st in stats)
    )


def _city_figures(s: Session) -> dict[int, StatisticsFigures]:
    alive_ids = set(s.scalars(select(District.id).where(District.deleted_at.is_(None))).all())
    # A count that some district did not report stays unknown (None) rather than a partial sum.
    sums: dict[int, list[int | None]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for st in _alive(s, DistrictStatistics):
        if st.district_id not in alive_ids:
            continue
        acc = sums[st.fiscal_year]
        values = (
            st.total_population,
            st.population_65_plus,
            st.population_75_plus,
            st.households,
            st.elderly_single_households,
        )
        for i, value in enumerate(values):
            current = acc[i]
            acc[i] = None if current is None or value is None else current + value
    return {
        fy: StatisticsFigures(fy, a[0] or 0, a[1] or 0, a[2], a[3], a[4])
        for fy, a in sorted(sums.items())
    }
