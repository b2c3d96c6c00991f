"""A fictional demo city shaped like seed 000: 39 districts in 5 blocks, 38 councils set up.

Every name, person and number here is invented. The generator is seeded, so the demo is the
same on every machine and tests can rely on its shape.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shienapp.core.changes import Changes
from shienapp.core.demo_directory import DirectorySummary, build_demo_directory
from shienapp.core.demo_meetings import MeetingsSummary, build_demo_meetings
from shienapp.core.demo_network import build_demo_network
from shienapp.core.demo_plans import build_demo_plan
from shienapp.core.districts import (
    CouncilInput,
    StatisticsInput,
    _apply_council,
    _create_block,
    _upsert_statistics,
)
from shienapp.core.errors import UserError
from shienapp.storage.db import Database
from shienapp.storage.models import District

CITY_NAME = "みどり野市"

# (block, reading, [(district, reading), ...]): 8 + 8 + 8 + 7 + 8 = 39 districts.
_BLOCKS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "北部ブロック",
        "ほくぶ",
        (
            ("北山", "きたやま"),
            ("桜台", "さくらだい"),
            ("青葉", "あおば"),
            ("柳原", "やなぎはら"),
            ("鷹ノ巣", "たかのす"),
            ("白樺", "しらかば"),
            ("若葉", "わかば"),
            ("千歳", "ちとせ"),
        ),
    ),
    (
        "中部ブロック",
        "ちゅうぶ",
        (
            ("本町", "ほんまち"),
            ("中央", "ちゅうおう"),
            ("栄町", "さかえまち"),
            ("旭", "あさひ"),
            ("大手", "おおて"),
            ("駅前", "えきまえ"),
            ("錦", "にしき"),
            ("宮下", "みやした"),
        ),
    ),
    (
        "南部ブロック",
        "なんぶ",
        (
            ("南浜", "みなみはま"),
            ("潮見", "しおみ"),
            ("浜田", "はまだ"),
            ("港南", "こうなん"),
            ("汐入", "しおいり"),
            ("磯辺", "いそべ"),
            ("高洲", "たかす"),
            ("緑ヶ丘", "みどりがおか"),
        ),
    ),
    (
        "東部ブロック",
        "とうぶ",
        (
            ("東原", "ひがしはら"),
            ("朝日ヶ丘", "あさひがおか"),
            ("日向", "ひなた"),
            ("藤沢台", "ふじさわだい"),
            ("松ヶ枝", "まつがえ"),
            ("梅園", "うめぞの"),
            ("竹ノ内", "たけのうち"),
        ),
    ),
    (
        "西部ブロック",
        "せいぶ",
        (
            ("西山", "にしやま"),
            ("夕陽台", "ゆうひだい"),
            ("野々宮", "ののみや"),
            ("川端", "かわばた"),
            ("岩倉", "いわくら"),
            ("杉並台", "すぎなみだい"),
            ("芝原", "しばはら"),
            ("髙田", "たかだ"),  # 髙 (はしご高) is kept exactly as typed
        ),
    ),
)

# Invented coordinators, one or two per block.
_COORDINATORS = (
    ("架空 春子", "架空 夏男"),
    ("見本 秋子",),
    ("例示 冬美", "例示 大地"),
    ("試験 空",),
    ("仮名 海斗", "仮名 みどり"),
)

FIRST_DEMO_YEAR = 2019
LAST_DEMO_YEAR = 2025


@dataclass(frozen=True, slots=True)
class DemoSummary:
    blocks: int
    districts: int
    councils_set_up: int
    statistics: int
    meetings: MeetingsSummary | None = None
    directory: DirectorySummary | None = None
    maps: int = 0

    def summary(self) -> str:
        text = (
            f"デモ用の架空の市（{CITY_NAME}）を作成しました: ブロック {self.blocks}、"
            f"地区 {self.districts}（協議体設置済 {self.councils_set_up}）、"
            f"統計 {self.statistics} 件"
        )
        if self.meetings:
            m = self.meetings
            text += (
                f"、委員 {m.people} 人、会議 {m.meetings_held} 回"
                f"（ほか予定 {m.meetings_planned}）、未完了の宿題 {m.open_actions} 件"
            )
        if self.directory:
            d = self.directory
            text += (
                f"、人 {d.people} 人（担い手 {d.volunteers}）、組織・団体 {d.organisations}、"
                f"活動・資源 {d.resources}、未対応のニーズ {d.open_needs} 件"
            )
        if self.maps:
            text += f"、ネットワーク形成図 {self.maps} 枚"
        return text


def _established_dates(rng: random.Random, count: int) -> list[date | None]:
    """38 set up over the years, with 2 in 令和5年度 and 2 in 令和6年度 (as in seed 000), 1 not."""
    dates: list[date | None] = []
    for _ in range(count - 5):
        year = rng.randint(2016, 2022)
        dates.append(date(year, rng.randint(4, 12), rng.randint(1, 28)))
    dates += [date(2023, 7, 12), date(2024, 1, 23), date(2024, 6, 5), date(2024, 11, 18)]
    dates.append(None)
    rng.shuffle(dates)
    return dates


def refuse_unless_empty(s: Session) -> None:
    """A demo city goes only into an empty database: it must never mix with real records."""
    existing = s.scalar(
        select(func.count()).select_from(District).where(District.deleted_at.is_(None))
    )
    if existing:
        raise UserError(
            f"このデータベースにはすでに {existing} 地区が登録されています。"
            "デモデータは空のデータベースにだけ作成できます。"
        )


def build_demo(
    db: Database, *, seed: int = 2025, today: date | None = None
) -> tuple[DemoSummary, Changes]:
    """Fill an empty database with the demo city, in one transaction. Meetings before
    ``today`` are held (開催済), those in the next two months planned (予定)."""
    rng = random.Random(seed)
    n_districts = sum(len(d) for _, _, d in _BLOCKS)
    established = _established_dates(rng, n_districts)
    statistics = 0
    with db.write() as s:
        refuse_unless_empty(s)
        index = 0
        for block_no, (block_name, block_reading, districts) in enumerate(_BLOCKS, start=1):
            block = _create_block(s, block_name, block_reading, block_no)
            for number, (name, reading) in enumerate(districts, start=1):
                set_up_on = established[index]
                index += 1
                district = District(
                    name=name,
                    reading=reading,
                    block_id=block.id,
                    code=f"{block_no}{number:02d}",
                    note="",
                )
                s.add(district)
                s.flush()
                coordinator = rng.choice(_COORDINATORS[block_no - 1])
                if set_up_on is None:
                    _apply_council(
                        s,
                        district,
                        CouncilInput(
                            status="準備中",
                            coordinator_name=coordinator,
                            status_changed_on=date(2024, 9, 1),
                            domains=("高齢",),
                        ),
                    )
                else:
                    domains: tuple[str, ...] = ("高齢",)
                    if rng.random() < 0.15:
                        domains = ("全世代", "高齢", "子ども", "障害")
                    elif rng.random() < 0.3:
                        domains = ("高齢", "子ども")
                    _apply_council(
                        s,
                        district,
                        CouncilInput(
                            status="準備中",
                            coordinator_name=coordinator,
                            status_changed_on=date(set_up_on.year - 1, set_up_on.month, 1),
                        ),
                    )
                    _apply_council(
                        s,
                        district,
                        CouncilInput(
                            status="設置済",
                            established_on=set_up_on,
                            coordinator_name=coordinator,
                            domains=domains,
                        ),
                    )
                statistics += _demo_statistics(s, rng, district.id)
        s.flush()
        # A second generator, so the registry above is the same whatever meetings are made.
        meetings = build_demo_meetings(s, random.Random(seed + 1), today or date.today())
        directory = build_demo_directory(s, random.Random(seed + 2), today or date.today())
        maps = build_demo_network(s, random.Random(seed + 3), today or date.today())
        build_demo_plan(s)
    summary = DemoSummary(
        len(_BLOCKS), n_districts, n_districts - 1, statistics, meetings, directory, maps
    )
    changes = Changes(
        districts=True, statistics=True, councils=True, people=True, meetings=True, maps=True
    )
    return summary, changes


def _demo_statistics(s, rng: random.Random, district_id) -> int:  # type: ignore[no-untyped-def]
    population = rng.randint(3000, 16000)
    rate = rng.uniform(0.21, 0.36)
    count = 0
    for fy in range(FIRST_DEMO_YEAR, LAST_DEMO_YEAR + 1):
        population = max(1500, int(population * rng.uniform(0.985, 1.004)))
        rate = min(0.48, rate + rng.uniform(0.001, 0.008))
        p65 = int(population * rate)
        p75 = int(p65 * rng.uniform(0.50, 0.60))
        households = int(population / rng.uniform(2.0, 2.4))
        single = int(p65 * rng.uniform(0.12, 0.22))
        _upsert_statistics(
            s,
            district_id,
            StatisticsInput(
                fiscal_year=fy,
                as_of=date(fy, 4, 1),
                total_population=population,
                population_65_plus=p65,
                population_75_plus=p75,
                households=households,
                elderly_single_households=min(single, households),
            ),
        )
        count += 1
    return count
