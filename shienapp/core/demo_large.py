"""A large fictional city for benchmarks: 300 districts in 20 blocks, 50,000 people, 5,000
activities, 30,000 meetings with 300,000 attendance lines and 20 network maps.

``shienapp demo --scale large``. The standard demo goes through the ORM; here the rows are
written with SQLAlchemy Core bulk inserts (the unit of work would take many minutes for half a
million rows), in one transaction, so a failure leaves nothing behind. Core statements skip the
ORM's defaults and the audit trail's flush hook: every column the ORM would fill (id, times,
version) is set here, and one line in the trail records the build.

Every name, person and number is invented; phone numbers use the 099 prefix, which no Japanese
area uses. Record ids come from the seeded generator too, so the city is the same everywhere.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from shienapp.core import audit
from shienapp.core.access import access_of
from shienapp.core.demo import refuse_unless_empty
from shienapp.core.demo_directory import _ACTIVITIES, _FEES, _SCHEDULES, _TRAININGS, _VENUES
from shienapp.core.demo_directory import _GIVEN as _GIVEN_B
from shienapp.core.demo_directory import _SURNAMES as _SURNAMES_B
from shienapp.core.demo_meetings import (
    _ACTIONS,
    _AGENDA,
    _DECISIONS,
    _KINDS,
    _ORGANISATIONS,
    _ROLE_OF,
)
from shienapp.core.demo_meetings import _GIVEN as _GIVEN_A
from shienapp.core.demo_meetings import _SURNAMES as _SURNAMES_A
from shienapp.core.directory import DEFAULT_SKILLS
from shienapp.core.districts import default_council_name
from shienapp.core.jpdate import fiscal_year_of
from shienapp.core.network import Node, Tie
from shienapp.core.network_layout import layout
from shienapp.core.schedule import parse_slot
from shienapp.storage.db import Database
from shienapp.storage.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Block,
    Council,
    CouncilMember,
    CouncilStatusEvent,
    Decision,
    District,
    DistrictStatistics,
    Meeting,
    NetworkEdge,
    NetworkMap,
    NetworkMapVersion,
    NetworkNode,
    Organisation,
    Person,
    Resource,
)

CITY_NAME = "あおぞら市"
CITY_READING = "あおぞらし"

# Full-size counts; ``scale`` multiplies them (a test builds the city at 1 %).
BLOCKS = 20
DISTRICTS = 300
PEOPLE = 50_000
VOLUNTEERS = 5_000
RESOURCES = 5_000
MEETINGS = 30_000
MAPS = 20
MAP_NODES = (100, 500)
CITY_GROUPS = 150  # NPOs, volunteer groups, companies and shops besides the 自治会 and schools
YEARS = 7  # 年度 of statistics and meetings, up to this one
CHUNK = 5_000

# 20 blocks: (name, reading).
_BLOCK_NAMES = (
    ("北部", "ほくぶ"), ("北東部", "ほくとうぶ"), ("東部", "とうぶ"), ("南東部", "なんとうぶ"),
    ("南部", "なんぶ"), ("南西部", "なんせいぶ"), ("西部", "せいぶ"), ("北西部", "ほくせいぶ"),
    ("中央", "ちゅうおう"), ("駅北", "えききた"), ("駅南", "えきみなみ"), ("臨海", "りんかい"),
    ("山手", "やまて"), ("川沿い", "かわぞい"), ("丘陵", "きゅうりょう"), ("田園", "でんえん"),
    ("新市街", "しんしがい"), ("旧市街", "きゅうしがい"), ("港北", "こうほく"),
    ("湖畔", "こはん"),
)  # fmt: skip
# District names are a first part and a second part: 桜 + 台 = 桜台 (さくらだい).
_FIRST_PARTS = (
    ("北", "きた"), ("南", "みなみ"), ("東", "ひがし"), ("西", "にし"), ("上", "かみ"),
    ("下", "しも"), ("中", "なか"), ("新", "しん"), ("本", "もと"), ("大", "おお"),
    ("小", "こ"), ("若", "わか"), ("桜", "さくら"), ("松", "まつ"), ("竹", "たけ"),
    ("梅", "うめ"), ("青", "あお"), ("緑", "みどり"), ("白", "しら"), ("朝日", "あさひ"),
    ("夕日", "ゆうひ"), ("富士", "ふじ"), ("藤", "ふじ"), ("柳", "やなぎ"), ("菊", "きく"),
)  # fmt: skip
_SECOND_PARTS = (
    ("台", "だい"), ("町", "まち"), ("原", "はら"), ("野", "の"), ("沢", "さわ"),
    ("浜", "はま"), ("ヶ丘", "がおか"), ("森", "もり"), ("崎", "さき"), ("山", "やま"),
    ("坂", "さか"), ("里", "さと"), ("宮", "みや"), ("池", "いけ"), ("橋", "はし"),
    ("見", "み"), ("園", "ぞの"), ("川", "かわ"), ("谷", "や"), ("島", "じま"),
)  # fmt: skip
# More names than the standard demo's, so 50,000 people repeat a name a few times, not dozens.
_SURNAMES_C = (
    ("阿部", "あべ"), ("池田", "いけだ"), ("岩田", "いわた"), ("上野", "うえの"),
    ("大塚", "おおつか"), ("岡本", "おかもと"), ("片山", "かたやま"), ("北村", "きたむら"),
    ("工藤", "くどう"), ("後藤", "ごとう"), ("坂本", "さかもと"), ("桜井", "さくらい"),
    ("柴田", "しばた"), ("菅原", "すがわら"), ("高橋", "たかはし"), ("竹内", "たけうち"),
    ("田中", "たなか"), ("堤", "つつみ"), ("中島", "なかじま"), ("成田", "なりた"),
    ("西村", "にしむら"), ("丹羽", "にわ"), ("長谷川", "はせがわ"), ("浜田", "はまだ"),
    ("平田", "ひらた"), ("古川", "ふるかわ"), ("星野", "ほしの"), ("丸山", "まるやま"),
    ("水野", "みずの"), ("宮本", "みやもと"), ("森田", "もりた"), ("矢野", "やの"),
    ("山本", "やまもと"), ("横山", "よこやま"), ("若林", "わかばやし"), ("佐藤", "さとう"),
    ("鈴木", "すずき"), ("伊藤", "いとう"), ("小野", "おの"), ("今井", "いまい"),
)  # fmt: skip
_GIVEN_C = (
    ("明美", "あけみ"), ("浩", "ひろし"), ("陽子", "ようこ"), ("誠", "まこと"),
    ("真由美", "まゆみ"), ("健一", "けんいち"), ("幸子", "さちこ"), ("正樹", "まさき"),
    ("久美子", "くみこ"), ("和夫", "かずお"), ("恵美", "えみ"), ("秀樹", "ひでき"),
    ("典子", "のりこ"), ("武", "たけし"), ("綾", "あや"), ("拓也", "たくや"),
    ("優子", "ゆうこ"), ("哲也", "てつや"), ("裕子", "ゆうこ"), ("大介", "だいすけ"),
    ("直樹", "なおき"), ("舞", "まい"), ("光男", "みつお"), ("トメ", "とめ"),
    ("ハル", "はる"), ("貴之", "たかゆき"), ("晴美", "はるみ"), ("健二", "けんじ"),
    ("葵", "あおい"), ("蓮", "れん"),
)  # fmt: skip
_SURNAMES = (*_SURNAMES_A, *_SURNAMES_B, *_SURNAMES_C)
_GIVEN = (*_GIVEN_A, *_GIVEN_B, *_GIVEN_C)
# Organisations of the whole city: (name, reading, kind).
_CITY_ORGANISATIONS = (
    (f"{CITY_NAME} 高齢福祉課", f"{CITY_READING} こうれいふくしか", "行政"),
    (f"{CITY_NAME} 地域福祉課", f"{CITY_READING} ちいきふくしか", "行政"),
    (f"{CITY_NAME}社会福祉協議会", f"{CITY_READING}しゃかいふくしきょうぎかい", "社協"),
    (f"{CITY_NAME}民生委員児童委員協議会",
     f"{CITY_READING}みんせいいいんじどういいんきょうぎかい", "民生委員協議会"),
)  # fmt: skip
# Groups across the city: (name pattern, reading pattern, kind); {n} numbers them.
_GROUPS = (
    ("NPO法人 ささえあい{d}", "えぬぴーおーほうじん ささえあい{r}", "NPO"),
    ("ボランティアグループ {d}の会", "ぼらんてぃあぐるーぷ {r}のかい", "ボランティア団体"),
    ("社会福祉法人 {d}福祉会", "しゃかいふくしほうじん {r}ふくしかい", "社会福祉法人"),
    ("{d}商店会", "{r}しょうてんかい", "商店"),
    ("株式会社 {d}タクシー", "かぶしきがいしゃ {r}たくしー", "企業"),
    ("医療法人 {d}クリニック", "いりょうほうじん {r}くりにっく", "医療法人"),
)
_SPOTS = (
    ("", ""), ("東", "ひがし"), ("西", "にし"), ("南", "みなみ"), ("北", "きた"),
    ("駅前", "えきまえ"), ("団地", "だんち"),
)  # fmt: skip
_SLOT_TEXTS = (
    "毎週月曜 午前", "毎週火曜 午後", "毎週水曜 午前", "毎週木曜 午前", "毎週木曜 午後",
    "毎週金曜 午前", "毎週土曜 午前", "平日 午後", "毎週火曜 9:00～12:00",
    "毎週木曜 8:00～10:00",
)  # fmt: skip
_RELATIONS = ("連携", "相談", "紹介", "参加", "情報共有", "委託", "支援")
_NODE_DOMAINS = ("高齢", "障害", "子ども", "生活困窮", "全世代")


@dataclass(frozen=True, slots=True)
class LargeDemoSummary:
    """What was made, table by table (``counts`` holds every table's row count)."""

    counts: dict[str, int]
    councils_set_up: int
    volunteers: int
    seconds: float = 0.0

    def __getitem__(self, table: str) -> int:
        return self.counts.get(table, 0)

    def summary(self) -> str:
        c = Counter(self.counts)
        return (
            f"大規模デモの架空の市（{CITY_NAME}）を作成しました: "
            f"ブロック {c['blocks']:,}、地区 {c['districts']:,}"
            f"（協議体設置済 {self.councils_set_up:,}）、統計 {c['district_statistics']:,} 件、"
            f"協議体 {c['councils']:,}、人 {c['people']:,} 人（担い手 {self.volunteers:,}）、"
            f"組織・団体 {c['organisations']:,}、活動・資源 {c['resources']:,}、"
            f"会議 {c['meetings']:,} 回（出欠 {c['attendances']:,} 件、議題 "
            f"{c['agenda_items']:,}、決定事項 {c['decisions']:,}、宿題 {c['action_items']:,}）、"
            f"ネットワーク形成図 {c['network_maps']:,} 枚（ノード {c['network_nodes']:,}、"
            f"つながり {c['network_edges']:,}）"
        )


def scaled(count: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(count * scale))


# --- writing rows ------------------------------------------------------------------------------


class _Writer:
    """Bulk inserts with every column the ORM would fill; rows are buffered per table and
    written in chunks. Callers write parents before children (foreign keys are checked at once).
    """

    def __init__(self, s: Session, seed: int) -> None:
        self.s = s
        self._ids = random.Random(seed)
        self.now = datetime.now(UTC)
        self.counts: Counter[str] = Counter()
        self._base: dict[str, dict[str, Any]] = {}
        self._required: dict[str, list[str]] = {}
        self._buffers: dict[str, tuple[Table, list[dict[str, Any]]]] = {}

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self._ids.getrandbits(128), version=4)

    def _defaults(self, table: Table) -> dict[str, Any]:
        base = self._base.get(table.name)
        if base is None:
            base = {}
            for column in table.columns:
                default = column.default
                if default is None:
                    base[column.name] = None
                elif default.is_scalar:  # type: ignore[attr-defined]
                    base[column.name] = default.arg  # type: ignore[attr-defined]
                else:  # list, dict, uuid4, utcnow: called as the ORM would
                    base[column.name] = default.arg(None)  # type: ignore[attr-defined]
            base.update(created_at=self.now, updated_at=self.now, version=1, deleted_at=None)
            self._base[table.name] = base
            self._required[table.name] = [
                c.name for c in table.columns if not c.nullable and c.server_default is None
            ]
        return base

    def add(self, model: type, **fields: Any) -> uuid.UUID:
        table: Table = model.__table__  # type: ignore[attr-defined]
        row = {**self._defaults(table), "id": self.new_id(), **fields}
        buffer = self._buffers.setdefault(table.name, (table, []))[1]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            self._write(table.name)
        return row["id"]

    def _write(self, name: str) -> None:
        table, rows = self._buffers[name]
        if not rows:
            return
        missing = [c for c in self._required[name] if rows[0][c] is None]
        if missing:
            raise ValueError(f"{name}: {missing} left empty")
        self.s.execute(insert(table), rows)
        self.counts[name] += len(rows)
        rows.clear()

    def flush(self, *models: type) -> None:
        """Write what is buffered, in the order given (parents first)."""
        for model in models:
            name = model.__table__.name  # type: ignore[attr-defined]
            if name in self._buffers:
                self._write(name)


# --- the city ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _District:
    id: uuid.UUID
    name: str
    reading: str
    code: str
    block_no: int
    council_id: uuid.UUID | None = None
    council_status: str = ""
    established_on: date | None = None
    jichikai_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    people: list[uuid.UUID] = field(default_factory=list)
    volunteers: list[uuid.UUID] = field(default_factory=list)
    resources: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Seat:
    person_id: uuid.UUID
    name: str
    role: str


@dataclass(slots=True)
class _Council:
    id: uuid.UUID
    name: str
    tier: str
    starts: date
    venue: str
    seats: list[_Seat] = field(default_factory=list)


@dataclass(slots=True)
class _City:
    """What later steps need to know of earlier ones (ids, names), kept small."""

    first_fy: int
    today: date
    blocks: list[uuid.UUID] = field(default_factory=list)
    districts: list[_District] = field(default_factory=list)
    councils: list[_Council] = field(default_factory=list)
    hokatsu: list[uuid.UUID] = field(default_factory=list)  # one per block
    coordinators: list[_Seat] = field(default_factory=list)  # one per block
    city_orgs: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)
    groups: list[uuid.UUID] = field(default_factory=list)
    shakyo: str = ""
    volunteers: int = 0
    set_up: int = 0


def build_large_demo(
    db: Database,
    progress: Callable[[str], None] | None = None,
    *,
    scale: float = 1.0,
    seed: int = 2026,
    today: date | None = None,
) -> LargeDemoSummary:
    """Fill an empty database with the large city in one transaction. ``progress`` is told,
    in Japanese, which part is being made."""
    import time as clock

    started = clock.perf_counter()
    say = progress or (lambda _text: None)
    today = today or date.today()
    rng = random.Random(seed)
    city = _City(first_fy=fiscal_year_of(today) - YEARS + 1, today=today)
    with db.write() as s:
        refuse_unless_empty(s)
        w = _Writer(s, seed + 1)
        say("地区・統計・協議体を作成しています…")
        _registry(w, rng, city, scale)
        say("組織・団体を作成しています…")
        _organisations(w, rng, city, scale)
        say("人と協議体の委員を作成しています…")
        _people(w, rng, city, scale)
        say("活動・資源を作成しています…")
        _resources(w, rng, city, scale)
        say("会議と出欠・議事録を作成しています…")
        _meetings(w, rng, city, scale)
        say("ネットワーク形成図を作成しています…")
        _maps(w, rng, city, scale)
        counts = dict(w.counts)
        total = sum(counts.values())
        audit.append(
            s.connection(),
            access_of(db).actor_or_system(),
            [audit.Event("作成", "", "", f"大規模デモの市（{CITY_NAME}）{total:,} 件")],
        )
    return LargeDemoSummary(counts, city.set_up, city.volunteers, clock.perf_counter() - started)


def _registry(w: _Writer, rng: random.Random, city: _City, scale: float) -> None:
    n_blocks = scaled(BLOCKS, scale)
    n_districts = scaled(DISTRICTS, scale)
    names = [(a + b, ar + br) for a, ar in _FIRST_PARTS for b, br in _SECOND_PARTS]
    chosen = rng.sample(names, n_districts)
    # Blocks of uneven size (10 to 20 districts at full size), each in 五十音順 of its names.
    cuts = sorted(rng.sample(range(1, n_districts), n_blocks - 1)) if n_blocks > 1 else []
    bounds = [0, *cuts, n_districts]
    for block_no in range(1, n_blocks + 1):
        name, reading = _BLOCK_NAMES[(block_no - 1) % len(_BLOCK_NAMES)]
        block_id = w.add(Block, name=f"{name}ブロック", reading=reading, sort_order=block_no)
        city.blocks.append(block_id)
        members = sorted(chosen[bounds[block_no - 1] : bounds[block_no]], key=lambda p: p[1])
        for number, (d_name, d_reading) in enumerate(members, start=1):
            code = f"{block_no:02d}{number:02d}"
            district_id = w.add(
                District, block_id=block_id, code=code, name=d_name, reading=d_reading, note=""
            )
            city.districts.append(_District(district_id, d_name, d_reading, code, block_no))
    w.flush(Block, District)
    for district in city.districts:
        _statistics(w, rng, city, district.id)
        _council(w, rng, city, district)
    # The 第1層協議体 of the whole city.
    city_council = w.add(
        Council,
        tier="第1層",
        name=f"{CITY_NAME} 第1層協議体",
        status="設置済",
        established_on=date(city.first_fy - 3, 4, 1),
        coordinator_name="",
        domains=["全世代"],
        note="市全体の生活支援体制整備推進会議",
    )
    city.councils.insert(
        0,
        _Council(
            city_council,
            f"{CITY_NAME} 第1層協議体",
            "第1層",
            date(city.first_fy, 4, 1),
            "市役所 会議室",
        ),
    )
    w.add(CouncilStatusEvent, council_id=city_council, occurred_on=date(city.first_fy - 3, 4, 1),
          status="設置済", note="")  # fmt: skip
    w.flush(DistrictStatistics, Council, CouncilStatusEvent)


def _statistics(w: _Writer, rng: random.Random, city: _City, district_id: uuid.UUID) -> None:
    population = rng.randint(1500, 12000)
    rate = rng.uniform(0.18, 0.38)
    for fy in range(city.first_fy, city.first_fy + YEARS):
        population = max(800, int(population * rng.uniform(0.985, 1.006)))
        rate = min(0.5, rate + rng.uniform(0.001, 0.008))
        p65 = int(population * rate)
        households = int(population / rng.uniform(2.0, 2.4))
        w.add(
            DistrictStatistics,
            district_id=district_id,
            fiscal_year=fy,
            as_of=date(fy, 4, 1),
            total_population=population,
            population_65_plus=p65,
            population_75_plus=int(p65 * rng.uniform(0.5, 0.6)),
            households=households,
            elderly_single_households=min(households, int(p65 * rng.uniform(0.12, 0.22))),
        )


def _council(w: _Writer, rng: random.Random, city: _City, district: _District) -> None:
    """About 88 % set up, 7 % preparing, the rest with no council yet."""
    roll = rng.random()
    if roll >= 0.95:
        return
    status = "設置済" if roll < 0.88 else "準備中"
    set_up_on = None
    if status == "設置済":
        year = rng.randint(city.first_fy - 3, city.first_fy + YEARS - 2)
        set_up_on = date(year, rng.randint(4, 12), rng.randint(1, 28))
    domains = ["高齢"]
    if rng.random() < 0.15:
        domains = ["高齢", "子ども", "障害", "全世代"]
    elif rng.random() < 0.3:
        domains = ["高齢", "子ども"]
    name = default_council_name(district.name)
    council_id = w.add(
        Council,
        district_id=district.id,
        tier="第2層",
        name=name,
        status=status,
        established_on=set_up_on,
        coordinator_name="",  # set below, once the block's coordinator is known
        domains=domains,
        note="",
    )
    prepared = (
        date(set_up_on.year - 1, set_up_on.month, 1)
        if set_up_on
        else city.today - timedelta(days=rng.randint(30, 300))
    )
    w.add(CouncilStatusEvent, council_id=council_id, occurred_on=prepared, status="準備中",
          note="")  # fmt: skip
    district.council_id, district.council_status = council_id, status
    district.established_on = set_up_on
    if set_up_on is not None:
        w.add(CouncilStatusEvent, council_id=council_id, occurred_on=set_up_on, status="設置済",
              note="")  # fmt: skip
        city.set_up += 1
        start = max(set_up_on, date(city.first_fy, 4, 1))
        city.councils.append(_Council(council_id, name, "第2層", start, f"{district.name}公民館"))


def _phone(rng: random.Random) -> str:
    return f"099-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _organisations(w: _Writer, rng: random.Random, city: _City, scale: float) -> None:
    for name, reading, kind in _CITY_ORGANISATIONS:
        org_id = w.add(Organisation, name=name, reading=reading, kind=kind, phone=_phone(rng))
        city.city_orgs.append((org_id, name, kind))
    city.shakyo = _CITY_ORGANISATIONS[2][0]
    by_block: dict[int, _District] = {}
    for district in city.districts:
        by_block.setdefault(district.block_no, district)
    for block_no, district in sorted(by_block.items()):
        block_name, block_reading = _BLOCK_NAMES[(block_no - 1) % len(_BLOCK_NAMES)]
        city.hokatsu.append(
            w.add(
                Organisation,
                name=f"{block_name}地域包括支援センター",
                reading=f"{block_reading}ちいきほうかつしえんせんたー",
                kind="地域包括支援センター",
                district_id=district.id,
                address=f"{CITY_NAME}{district.name}1丁目1-1",
                phone=_phone(rng),
            )
        )
    for index, district in enumerate(city.districts):
        district.jichikai_id = w.add(
            Organisation,
            name=f"{district.name}自治会",
            reading=f"{district.reading}じちかい",
            kind="自治会",
            district_id=district.id,
            address=f"{CITY_NAME}{district.name}{rng.randint(1, 5)}丁目{rng.randint(1, 20)}-1",
            phone=_phone(rng),
        )
        if index % 2 == 0:  # an elementary school for about two districts
            district.school_id = w.add(
                Organisation,
                name=f"{CITY_NAME}立{district.name}小学校",
                reading=f"{CITY_READING}りつ{district.reading}しょうがっこう",
                kind="学校",
                district_id=district.id,
                phone=_phone(rng),
            )
    used: set[str] = set()
    while len(city.groups) < scaled(CITY_GROUPS, scale):
        pattern, reading, kind = rng.choice(_GROUPS)
        district = rng.choice(city.districts)
        name = pattern.format(d=district.name)
        if name in used:
            if len(used) >= len(_GROUPS) * len(city.districts):
                break
            continue
        used.add(name)
        city.groups.append(
            w.add(
                Organisation,
                name=name,
                reading=reading.format(r=district.reading),
                kind=kind,
                district_id=district.id,
                phone=_phone(rng),
            )
        )
    w.flush(Organisation)


def _name(rng: random.Random) -> tuple[str, str]:
    (surname, s_reading), (given, g_reading) = rng.choice(_SURNAMES), rng.choice(_GIVEN)
    return f"{surname} {given}", f"{s_reading} {g_reading}"


def _contact(rng: random.Random, city: _City, district: _District) -> dict[str, Any]:
    """Most people have an address and phone on record; a few have not consented yet."""
    if rng.random() >= 0.85:
        return {}
    fields: dict[str, Any] = {
        "postal_code": f"998-{int(district.code) % 10000:04d}",
        "address": f"{CITY_NAME}{district.name}{rng.randint(1, 5)}丁目"
        f"{rng.randint(1, 30)}-{rng.randint(1, 20)}",
        "phone": _phone(rng),
    }
    if rng.random() < 0.9:
        fields["consent_on"] = city.today - timedelta(days=rng.randint(30, 1500))
        fields["consent_scope"] = rng.choice(
            ("協議体・事業の連絡", "名簿への掲載と連絡", "活動の連絡のみ")
        )
    return fields


def _people(w: _Writer, rng: random.Random, city: _City, scale: float) -> None:
    """Coordinators, council members, volunteers, then residents up to the total."""
    total, volunteers = scaled(PEOPLE, scale), scaled(VOLUNTEERS, scale)
    made = 0
    by_block: dict[int, list[_District]] = {}
    for district in city.districts:
        by_block.setdefault(district.block_no, []).append(district)
    # One 生活支援コーディネーター (第2層) per block, with the block's 包括 as employer.
    for index, (_block_no, districts) in enumerate(sorted(by_block.items())):
        name, reading = _name(rng)
        person_id = w.add(
            Person,
            name=name,
            reading=reading,
            organisation="地域包括支援センター",
            organisation_id=city.hokatsu[index],
            district_id=districts[0].id,
            phone=_phone(rng),
            roles=["専門職"],
            consent_on=date(city.first_fy, 4, 1),
            consent_scope="協議体・事業の連絡",
            note="生活支援コーディネーター",
        )
        city.coordinators.append(_Seat(person_id, name, "オブザーバー"))
        made += 1
    districts_by_id = {d.id: d for d in city.districts}
    block_of = {d.council_id: d.block_no for d in city.districts if d.council_id}
    block_index = {no: i for i, no in enumerate(sorted(by_block))}
    for council in city.councils:
        count = 12 if council.tier == "第1層" else rng.randint(8, 11)
        roles = ["会長", "副会長", *["委員"] * (count - 2)]
        if rng.random() < 0.4:
            roles[-1] = "事務局"
        district = next(
            (d for d in districts_by_id.values() if d.council_id == council.id),
            city.districts[0],
        )
        for role in roles:
            name, reading = _name(rng)
            seat_org = "会長" if role == "会長" else rng.choice(_ORGANISATIONS)
            person_id = w.add(
                Person,
                name=name,
                reading=reading,
                organisation="",
                district_id=district.id,
                roles=[_ROLE_OF.get(seat_org, "住民")],
                note="",
                **_contact(rng, city, district),
            )
            district.people.append(person_id)
            w.add(CouncilMember, council_id=council.id, person_id=person_id, role=role,
                  organisation=seat_org, from_on=None)  # fmt: skip
            council.seats.append(_Seat(person_id, name, role))
            made += 1
        coordinator = city.coordinators[block_index.get(block_of.get(council.id, 0), 0)]
        w.add(CouncilMember, council_id=council.id, person_id=coordinator.person_id,
              role="オブザーバー", organisation="生活支援コーディネーター",
              from_on=None)  # fmt: skip
        council.seats.append(coordinator)
    slots = [parse_slot(text).to_dict() for text in _SLOT_TEXTS]
    for number in range(volunteers):
        home = rng.choice(city.districts)
        neighbours = [d for d in by_block[home.block_no] if d is not home]
        covered = [home, *rng.sample(neighbours, min(len(neighbours), rng.choice((0, 0, 1, 2))))]
        name, reading = _name(rng)
        person_id = w.add(
            Person,
            name=name,
            reading=reading,
            organisation=rng.choice(("", "", "", "老人クラブ", "ボランティアグループ")),
            district_id=home.id,
            roles=["住民", "担い手"],
            volunteer_status="活動中" if rng.random() < 0.88 else "休止",
            skills=rng.sample(DEFAULT_SKILLS, rng.choice((1, 2, 2, 3))),
            availability=rng.sample(slots, rng.choice((1, 1, 2))),
            covered_district_ids=[str(d.id) for d in covered],
            trainings=[
                {
                    "name": training,
                    "completed_on": date(
                        rng.randint(city.first_fy, city.today.year - 1),
                        rng.randint(1, 12),
                        rng.randint(1, 28),
                    ).isoformat(),
                }
                for training, share in _TRAININGS
                if rng.random() < share
            ],
            email=f"volunteer{number + 1:05d}@example.jp" if rng.random() < 0.3 else "",
            note="",
            **_contact(rng, city, home),
        )
        home.volunteers.append(person_id)
        made += 1
    city.volunteers = volunteers
    for number in range(max(0, total - made)):
        home = rng.choice(city.districts)
        role = "民生委員" if number % 120 == 0 else "自治会長" if number % 997 == 0 else "住民"
        name, reading = _name(rng)
        home.people.append(
            w.add(
                Person,
                name=name,
                reading=reading,
                organisation="",
                district_id=home.id,
                roles=[role],
                note="",
                **_contact(rng, city, home),
            )
        )
    w.flush(Person, CouncilMember)


def _resources(w: _Writer, rng: random.Random, city: _City, scale: float) -> None:
    target = scaled(RESOURCES, scale)
    weights = [a[4] for a in _ACTIVITIES]
    schedules = {
        category: [parse_slot(text).to_dict() for text in texts]
        for category, texts in _SCHEDULES.items()
    }
    shakyo_contact = f"{city.shakyo} 地域福祉係 099-900-1234"
    names: set[str] = set()
    limit = len(_ACTIVITIES) * len(_SPOTS) * len(city.districts)
    made = 0
    while made < target and len(names) < limit:
        category, pattern, reading, targets, _ = rng.choices(_ACTIVITIES, weights)[0]
        district = rng.choice(city.districts)
        spot, spot_reading = rng.choice(_SPOTS)
        name = pattern.format(d=district.name + spot)
        if name in names:
            continue
        names.add(name)
        helpers = rng.sample(
            district.volunteers or district.people,
            min(4, len(district.volunteers or district.people)),
        )
        operator = district.jichikai_id
        if (category in ("子ども食堂", "学習支援", "移動支援") or not operator) and city.groups:
            operator = rng.choice(city.groups)
        roll = rng.random()
        status = (
            "活動中"
            if roll < 0.86
            else "準備中"
            if roll < 0.91
            else "休止"
            if roll < 0.96
            else "終了"
        )
        resource_id = w.add(
            Resource,
            name=name,
            reading=reading.format(r=district.reading + spot_reading),
            category=category,
            target_groups=list(targets),
            district_id=district.id,
            venue=rng.choice(_VENUES).format(d=district.name),
            schedule=[rng.choice(schedules[category])],
            fee=rng.choice(_FEES),
            capacity=rng.choice((None, 10, 15, 20, 30, 40)),
            operator_id=operator,
            contact_person_id=helpers[0] if helpers else None,
            public_contact=shakyo_contact,
            status=status,
            started_on=date(rng.randint(2010, city.today.year), rng.randint(1, 12), 1),
            helper_ids=[str(h) for h in helpers],
            note="",
        )
        district.resources.append((resource_id, name, category))
        made += 1
    w.flush(Resource)


def _meetings(w: _Writer, rng: random.Random, city: _City, scale: float) -> None:
    """Meetings spread over the 年度 each council has existed; the next two months planned."""
    target = scaled(MEETINGS, scale)
    end = city.today + timedelta(days=60)
    councils = [c for c in city.councils if c.starts <= end]
    spans = [(end - c.starts).days + 1 for c in councils]
    chosen = rng.choices(range(len(councils)), weights=spans, k=target)
    days: dict[int, list[date]] = {}
    for index in chosen:
        start = councils[index].starts
        days.setdefault(index, []).append(start + timedelta(days=rng.randint(0, spans[index] - 1)))
    held: list[tuple[uuid.UUID, date, _Council]] = []
    for index in sorted(days):
        council = councils[index]
        regular: dict[int, int] = {}
        for day in sorted(days[index]):
            kind = "定例会" if council.tier == "第1層" else _weighted(rng, _KINDS)
            title = ""
            if kind == "定例会":
                fy = fiscal_year_of(day)
                regular[fy] = regular.get(fy, 0) + 1
                title = f"第{regular[fy]}回定例会"
            status = "予定" if day >= city.today else "中止" if rng.random() < 0.03 else "開催済"
            starts = time(rng.choice((10, 13, 14, 18, 19)), rng.choice((0, 30)))
            ends = (
                time(starts.hour + 1, starts.minute + 30)
                if starts.minute == 0
                else time(starts.hour + 2, 0)
            )
            meeting_id = w.add(
                Meeting,
                council_id=council.id,
                kind=kind,
                title=title,
                held_on=day,
                starts_at=starts,
                ends_at=ends,
                venue=council.venue,
                chair=council.seats[0].name,
                recorder=council.seats[-2].name if len(council.seats) > 1 else "",
                status=status,
                next_meeting_on=None,
                note="",
            )
            if status == "開催済":
                held.append((meeting_id, day, council))
    w.flush(Meeting)
    for meeting_id, day, council in held:
        _minutes(w, rng, city, meeting_id, day, council)
    w.flush(Attendance, AgendaItem, Decision, ActionItem)


def _minutes(
    w: _Writer,
    rng: random.Random,
    city: _City,
    meeting_id: uuid.UUID,
    day: date,
    council: _Council,
) -> None:
    for seat in council.seats:
        if seat.role == "オブザーバー":
            status, proxy = "オブザーバー", ""
        else:
            roll = rng.random()
            status = "出席" if roll < 0.8 else "欠席" if roll < 0.94 else "代理"
            proxy = f"{seat.name.split()[0]} 家族" if status == "代理" else ""
        w.add(Attendance, meeting_id=meeting_id, person_id=seat.person_id, guest_name="",
              guest_organisation="", status=status, proxy_name=proxy)  # fmt: skip
    if rng.random() < 0.05:
        w.add(Attendance, meeting_id=meeting_id, person_id=None, guest_name="見学者",
              guest_organisation="", status="出席", proxy_name="")  # fmt: skip
    if rng.random() < 0.7:
        for position, (title, notes) in enumerate(rng.sample(_AGENDA, rng.randint(1, 3))):
            w.add(AgendaItem, meeting_id=meeting_id, position=position, title=title, notes=notes)
    if rng.random() < 0.5:
        for position, text in enumerate(rng.sample(_DECISIONS, rng.randint(1, 2))):
            w.add(Decision, meeting_id=meeting_id, position=position, text=text)
    owners = [seat.name for seat in council.seats if seat.role != "オブザーバー"]
    for position, text in enumerate(rng.sample(_ACTIONS, rng.randint(0, 2))):
        due = day + timedelta(days=rng.randint(14, 45))
        # Most 宿題 are done within a month of their due date; a few drag on (overdue).
        today = city.today
        share = 0.97 if due < today - timedelta(days=30) else 0.5 if due < today else 0.15
        if rng.random() < share:
            status, done_on = "完了", min(due, today)
        else:
            status, done_on = rng.choice(("未着手", "対応中")), None
        w.add(ActionItem, meeting_id=meeting_id, position=position, text=text,
              owner=rng.choice(owners), due_on=due, status=status, completed_on=done_on,
              map_id=None, map_item_key=None)  # fmt: skip


def _weighted(rng: random.Random, choices: Iterable[tuple[str, int]]) -> str:
    options = list(choices)
    return rng.choices([c for c, _ in options], weights=[w for _, w in options])[0]


# --- network maps ------------------------------------------------------------------------------


def _maps(w: _Writer, rng: random.Random, city: _City, scale: float) -> None:
    """One city map and district maps: 100 to 500 nodes, each with two or three ties on average;
    a frozen 第1版 and the working copy (版 0) with what was added since."""
    count = scaled(MAPS, scale)
    with_council = [d for d in city.districts if d.council_id] or city.districts
    districts = rng.sample(with_council, min(len(with_council), count - 1))
    for index in range(count):
        size = scaled(rng.randint(*MAP_NODES), scale, minimum=12)
        if index == 0:
            title, district = "わがまちのネットワーク形成図（市全体）", None
            nodes = _city_nodes(rng, city, size)
        else:
            district = districts[(index - 1) % len(districts)]
            title = f"{district.name}地区のネットワーク"
            nodes = _district_nodes(rng, city, district, size)
        ties = _ties(rng, nodes)
        positions = layout(nodes, ties, "group")
        nodes = [
            replace(n, x=round(positions[n.key][0]), y=round(positions[n.key][1])) for n in nodes
        ]
        map_id = w.add(
            NetworkMap,
            title=title,
            district_id=district.id if district else None,
            description="協議体と関係者で作成した関係図",
        )
        w.flush(NetworkMap)
        saved = city.today - timedelta(days=rng.randint(120, 700))
        first_nodes = nodes[: max(2, int(len(nodes) * 0.85))]
        kept = {n.key for n in first_nodes}
        first_ties = [t for t in ties if t.source in kept and t.target in kept]
        for number, version_nodes, version_ties in ((1, first_nodes, first_ties), (0, nodes, ties)):
            version_id = w.add(
                NetworkMapVersion,
                map_id=map_id,
                number=number,
                saved_on=saved if number else None,
                note=f"{saved.year}年{saved.month}月 協議体で作成" if number else "",
            )
            w.flush(NetworkMapVersion)
            for n in version_nodes:
                w.add(NetworkNode, version_id=version_id, key=n.key, label=n.label, kind=n.kind,
                      domain=n.domain, link_kind=n.link_kind, link_id=n.link_id,
                      public_label=n.public_label, group=n.group, x=n.x, y=n.y,
                      pinned=False, note="")  # fmt: skip
            for t in version_ties:
                w.add(NetworkEdge, version_id=version_id, key=t.key, source_key=t.source,
                      target_key=t.target, relation=t.relation, strength=t.strength,
                      directed=t.directed, note="")  # fmt: skip
    w.flush(NetworkNode, NetworkEdge)


def _node(w_rng: random.Random, label: str, kind: str, group: str, **kw: Any) -> Node:
    domain = kw.pop("domain", None) or w_rng.choice(_NODE_DOMAINS)
    key = uuid.UUID(int=w_rng.getrandbits(128), version=4)
    return Node(key, label, kind, domain, group, **kw)


def _city_nodes(rng: random.Random, city: _City, size: int) -> list[Node]:
    nodes = [
        _node(rng, name.replace(f"{CITY_NAME} ", ""), "組織", "行政" if kind == "行政" else
              "専門機関", domain="全世代", link_kind="organisation", link_id=org_id)
        for org_id, name, kind in city.city_orgs
    ]  # fmt: skip
    pool: list[Node] = []
    for council in city.councils:
        pool.append(_node(rng, council.name, "協議体", "協議体", domain="全世代",
                          link_kind="council", link_id=council.id))  # fmt: skip
    for district in city.districts:
        for resource_id, name, _category in district.resources[:2]:
            pool.append(_node(rng, name, "社会資源", "活動・場", link_kind="resource",
                              link_id=resource_id))  # fmt: skip
    rng.shuffle(pool)
    nodes += pool[: size - len(nodes)]
    return _filled(rng, nodes, size)


def _district_nodes(rng: random.Random, city: _City, district: _District, size: int) -> list[Node]:
    nodes = [
        _node(rng, f"{district.name}地区協議体", "協議体", "協議体", domain="全世代",
              link_kind="council" if district.council_id else "", link_id=district.council_id),
        _node(rng, f"{district.name}自治会", "組織", "地域住民", domain="全世代",
              link_kind="organisation", link_id=district.jichikai_id),
        _node(rng, "地域包括支援センター", "組織", "専門機関", domain="高齢"),
        _node(rng, "社協 地区担当", "組織", "専門機関", domain="全世代"),
        _node(rng, f"{district.name}公民館", "場", "活動・場", domain="全世代"),
    ]  # fmt: skip
    for resource_id, name, _category in district.resources:
        nodes.append(_node(rng, name, "社会資源", "活動・場", link_kind="resource",
                           link_id=resource_id))  # fmt: skip
    people = district.volunteers + district.people
    for number, person_id in enumerate(people[: max(0, size - len(nodes))]):
        label = "住民ボランティア" if number < len(district.volunteers) else "住民"
        nodes.append(_node(rng, f"{label} {number + 1}", "人", "地域住民", public_label=label,
                           link_kind="person", link_id=person_id))  # fmt: skip
    return _filled(rng, nodes[:size], size)


def _filled(rng: random.Random, nodes: list[Node], size: int) -> list[Node]:
    """Groups the registry does not know yet make up the rest (a first map has many)."""
    kinds = (("サークル", "組織", "地域住民"), ("商店", "組織", "地域住民"),
             ("集会所", "場", "活動・場"), ("事業所", "組織", "専門機関"))  # fmt: skip
    number = 0
    while len(nodes) < size:
        suffix, kind, group = kinds[number % len(kinds)]
        number += 1
        nodes.append(_node(rng, f"{suffix}{number}", kind, group))
    return nodes


def _ties(rng: random.Random, nodes: list[Node]) -> list[Tie]:
    """A connected map (each node tied to one made before it), then random ties until the
    nodes have 2 to 3 ties each on average."""
    pairs: set[frozenset[uuid.UUID]] = set()
    ties: list[Tie] = []
    target = round(len(nodes) * rng.uniform(1.0, 1.5))

    def tie(a: Node, b: Node) -> None:
        pair = frozenset((a.key, b.key))
        if a.key == b.key or pair in pairs:
            return
        pairs.add(pair)
        relation = rng.choice(_RELATIONS)
        ties.append(
            Tie(
                uuid.UUID(int=rng.getrandbits(128), version=4),
                a.key,
                b.key,
                relation,
                rng.randint(1, 3),
                directed=relation == "相談" and rng.random() < 0.5,
            )
        )

    for index in range(1, len(nodes)):
        tie(nodes[index], nodes[rng.randrange(min(index, 5) if index < 40 else index)])
    most = len(nodes) * (len(nodes) - 1) // 2
    while len(ties) < min(target, most):
        a, b = rng.sample(nodes, 2)
        tie(a, b)
    return ties
