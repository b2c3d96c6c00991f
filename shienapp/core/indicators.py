"""The figures the SC reports each 年度 (seed 000's 38／39 and 302回), computed, never typed.

Every indicator keeps the records behind it, so the dashboard can open them. Counts follow the
年度 (April to March): a meeting on 31 March belongs to the year before one on 1 April.
Soft-deleted records are never counted (the services never return them).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from shienapp.core.context import AppContext
from shienapp.core.jpdate import fiscal_year_label, fiscal_year_of, fiscal_year_range
from shienapp.core.stats import format_rate

SET_UP = ("設置済", "休止")  # a paused council was set up; it is counted, and shown as 休止


@dataclass(frozen=True, slots=True)
class Record:
    """A record behind a figure: what it is, its ID, and how it is named on screen."""

    kind: str  # district / meeting / resource / person / need
    id: uuid.UUID
    label: str


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    label: str
    value: float | None
    text: str  # as printed: 38／39（97.4%）, 302回
    note: str = ""
    records: tuple[Record, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class DistrictFigures:
    name: str
    block: str
    council_status: str
    meetings_held: int
    ageing_rate: float | None


@dataclass(frozen=True, slots=True)
class Indicators:
    fiscal_year: int
    items: tuple[Indicator, ...]
    resources_by_category: dict[str, int]
    resources_by_status: dict[str, int]
    meetings_by_kind: dict[str, int]
    districts: tuple[DistrictFigures, ...]
    city_ageing_rate: float | None

    def get(self, key: str) -> Indicator:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def as_dict(self) -> dict[str, object]:
        """For ``shienapp stats --json``: plain values, Japanese labels kept."""
        return {
            "fiscal_year": self.fiscal_year,
            "label": fiscal_year_label(self.fiscal_year),
            "indicators": {
                i.key: {"label": i.label, "value": i.value, "text": i.text} for i in self.items
            },
            "resources_by_category": self.resources_by_category,
            "resources_by_status": self.resources_by_status,
            "meetings_by_kind": self.meetings_by_kind,
            "city_ageing_rate": self.city_ageing_rate,
            "districts": [
                {
                    "name": d.name,
                    "block": d.block,
                    "council_status": d.council_status,
                    "meetings_held": d.meetings_held,
                    "ageing_rate": d.ageing_rate,
                }
                for d in self.districts
            ],
        }


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def compute(ctx: AppContext, fiscal_year: int) -> Indicators:
    """All indicators of one 年度 from the data already entered."""
    start, end = fiscal_year_range(fiscal_year)
    districts = ctx.districts.list_districts()
    set_up = [
        d
        for d in districts
        if d.council_status in SET_UP and (d.established_on is None or d.established_on <= end)
    ]
    new_councils = [
        d for d in set_up if d.established_on is not None and start <= d.established_on <= end
    ]
    meetings = [m for m in ctx.meetings.list_meetings(fiscal_year=fiscal_year)]
    held = [m for m in meetings if m.status == "開催済"]
    present = sum(m.present for m in held)
    resources = ctx.directory.list_resources()
    running = [r for r in resources if r.status == "活動中"]
    started = [r for r in resources if r.started_on is not None and start <= r.started_on <= end]
    volunteers = ctx.directory.list_people(volunteers_only=True)
    active = [v for v in volunteers if v.volunteer_status == "活動中"]
    trained = [
        v for v in volunteers if any(done and start <= done <= end for _, done in v.trainings)
    ]
    needs = [n for n in ctx.matching.list_needs() if start <= n.received_on <= end]
    met = [n for n in needs if n.status in ("マッチ済", "終了")]

    per_district = Counter(m.district_name for m in held if m.district_name)
    city = ctx.districts.city_figures().get(fiscal_year)
    rates: dict[uuid.UUID, float | None] = {}
    for d in districts:
        detail = ctx.districts.get_district(d.id)
        figures = next((st for st in detail.statistics if st.fiscal_year == fiscal_year), None)
        rates[d.id] = figures.ageing_rate if figures else None

    def rec(kind: str, rows: list, label: object = lambda r: r.name) -> tuple[Record, ...]:  # type: ignore[type-arg]
        return tuple(Record(kind, r.id, label(r)) for r in rows)  # type: ignore[operator]

    items = (
        Indicator(
            "councils_set_up",
            "第2層協議体を設置した地区",
            len(set_up) / len(districts) * 100 if districts else None,
            f"{len(set_up)}／{len(districts)}（{_percent(len(set_up), len(districts))}）",
            "休止中も設置済として数えます"
            if any(d.council_status == "休止" for d in set_up)
            else "",
            rec("district", set_up),
        ),
        Indicator(
            "councils_new",
            "今年度に設置した協議体",
            len(new_councils),
            f"{len(new_councils)}地区",
            records=rec("district", new_councils),
        ),
        Indicator(
            "meetings_held",
            "協議体などの開催回数（活動件数）",
            len(held),
            f"{len(held)}回",
            f"ほか予定 {sum(1 for m in meetings if m.status == '予定')} 回・中止 "
            f"{sum(1 for m in meetings if m.status == '中止')} 回",
            rec("meeting", held, lambda m: m.label),
        ),
        Indicator(
            "attendance",
            "出席者（延べ）",
            present,
            f"{present:,}人（1回平均 {present / len(held):.1f}人）" if held else "0人",
        ),
        Indicator(
            "resources_running",
            "活動中の社会資源",
            len(running),
            f"{len(running)}件",
            records=rec("resource", running),
        ),
        Indicator(
            "resources_new",
            "今年度に始まった活動",
            len(started),
            f"{len(started)}件",
            records=rec("resource", started),
        ),
        Indicator(
            "volunteers_active",
            "活動中の担い手",
            len(active),
            f"{len(active)}人",
            "担い手の状態は今の値です（過去の年度の人数は記録されていません）",
            rec("person", active),
        ),
        Indicator(
            "volunteers_trained",
            "今年度に研修を修了した担い手",
            len(trained),
            f"{len(trained)}人",
            records=rec("person", trained),
        ),
        Indicator(
            "needs_received",
            "受け付けたニーズ",
            len(needs),
            f"{len(needs)}件",
            records=rec("need", needs, lambda n: n.label),
        ),
        Indicator(
            "needs_met",
            "つながったニーズ（マッチ済・終了）",
            len(met),
            f"{len(met)}件（{_percent(len(met), len(needs))}）",
            records=rec("need", met, lambda n: n.label),
        ),
        Indicator(
            "city_ageing_rate",
            "市全体の高齢化率",
            city.ageing_rate if city else None,
            format_rate(city.ageing_rate) if city and city.ageing_rate is not None else "—",
            "" if city else f"{fiscal_year_label(fiscal_year)}の人口統計がありません",
        ),
    )
    return Indicators(
        fiscal_year=fiscal_year,
        items=items,
        resources_by_category=dict(Counter(r.category or "その他" for r in running)),
        resources_by_status=dict(Counter(r.status for r in resources)),
        meetings_by_kind=dict(Counter(m.kind for m in held)),
        districts=tuple(
            DistrictFigures(
                d.name, d.block_name, d.council_status, per_district.get(d.name, 0), rates[d.id]
            )
            for d in districts
        ),
        city_ageing_rate=city.ageing_rate if city else None,
    )


def current_fiscal_year(today: date | None = None) -> int:
    return fiscal_year_of(today or date.today())
