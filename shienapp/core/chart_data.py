"""What each chart of the 集計・グラフ tab draws, as plain numbers (tested without pixels).

Each chart is a ``ChartData``: categories along the axis, one or more named series, and an
optional reference line (the city average). The same data is the table shown one click away
from the chart and the table printed under it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from shienapp.core.context import AppContext
from shienapp.core.jpdate import (
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_range,
    fiscal_year_short,
)

YEARS_SHOWN = 5  # the trend charts look back over five 年度, like seed 003's R2–R6 table


@dataclass(frozen=True, slots=True)
class ChartData:
    name: str
    title: str
    kind: str  # bar / stacked / line
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    unit: str
    reference: tuple[str, float] | None = None
    note: str = ""
    horizontal: bool = False

    def table(self) -> tuple[list[str], list[list[object]]]:
        """Headers and rows: the chart's numbers as a table (a category per row)."""
        headers = ["", *(name for name, _ in self.series)]
        rows = [
            [category, *(values[i] for _, values in self.series)]
            for i, category in enumerate(self.categories)
        ]
        if self.reference is not None:
            rows.append([self.reference[0], *([self.reference[1]] * len(self.series))])
        return headers, rows


@dataclass(frozen=True, slots=True)
class ChartSpec:
    name: str
    title: str
    build: Callable[[AppContext, int], ChartData] = field(repr=False)


def _years(fiscal_year: int) -> list[int]:
    return list(range(fiscal_year - YEARS_SHOWN + 1, fiscal_year + 1))


def setup_progress(ctx: AppContext, fiscal_year: int) -> ChartData:
    districts = ctx.districts.list_districts()
    dates = [
        d.established_on
        for d in districts
        if d.council_status in ("設置済", "休止") and d.established_on is not None
    ]
    first = min((fiscal_year_of(d) for d in dates), default=fiscal_year)
    years = list(range(max(first, fiscal_year - 9), fiscal_year + 1))
    counts = tuple(float(sum(1 for d in dates if d <= fiscal_year_range(y)[1])) for y in years)
    return ChartData(
        "setup",
        "第2層協議体の設置数の推移",
        "bar",
        tuple(fiscal_year_short(y) for y in years),
        (("設置済の地区（年度末）", counts),),
        "地区",
        reference=("地区数", float(len(districts))),
    )


def meetings_per_district(ctx: AppContext, fiscal_year: int) -> ChartData:
    counts: Counter[str] = Counter()
    for (year, district, _kind), n in ctx.meetings.held_counts().items():
        if year == fiscal_year and district:
            counts[district] += n
    names = [d.name for d in ctx.districts.list_districts()]
    ordered = sorted(names, key=lambda n: (-counts.get(n, 0), names.index(n)))
    average = sum(counts.get(n, 0) for n in names) / len(names) if names else 0.0
    return ChartData(
        "meetings-district",
        f"地区別の開催回数（{fiscal_year_label(fiscal_year)}）",
        "bar",
        tuple(ordered),
        (("開催回数", tuple(float(counts.get(n, 0)) for n in ordered)),),
        "回",
        reference=("市の平均", round(average, 1)),
        horizontal=True,
    )


def meetings_by_kind(ctx: AppContext, fiscal_year: int) -> ChartData:
    years = _years(fiscal_year)
    counts: Counter[tuple[int, str]] = Counter()
    for (year, _district, kind), n in ctx.meetings.held_counts().items():
        if year in years:
            counts[(year, kind)] += n
    kinds = sorted({k for _, k in counts}, key=lambda k: -sum(counts[(y, k)] for y in years))
    return ChartData(
        "meetings-kind",
        "年度別・種類別の開催回数",
        "stacked",
        tuple(fiscal_year_short(y) for y in years),
        tuple((k, tuple(float(counts[(y, k)]) for y in years)) for k in kinds),
        "回",
    )


def ageing_by_district(ctx: AppContext, fiscal_year: int) -> ChartData:
    rates: dict[str, float] = {}
    in_year = ctx.districts.figures_in_year(fiscal_year)
    for d in ctx.districts.list_districts():
        figures = in_year.get(d.id)
        if figures is not None and figures.ageing_rate is not None:
            rates[d.name] = round(figures.ageing_rate, 1)
    city = ctx.districts.city_figures().get(fiscal_year)
    ordered = sorted(rates, key=lambda n: -rates[n])
    return ChartData(
        "ageing-district",
        f"地区別の高齢化率（{fiscal_year_label(fiscal_year)}）",
        "bar",
        tuple(ordered),
        (("高齢化率", tuple(rates[n] for n in ordered)),),
        "%",
        reference=("市全体", round(city.ageing_rate, 1)) if city and city.ageing_rate else None,
        note="" if rates else f"{fiscal_year_label(fiscal_year)}の人口統計がありません",
        horizontal=True,
    )


def resources_by_district(ctx: AppContext, fiscal_year: int) -> ChartData:
    counts = ctx.directory.running_counts()
    held = {category for _, category in counts}
    categories = list(dict.fromkeys(ctx.directory.terms("category")))
    used = [c for c in categories if c in held]
    used += sorted(held - set(used))
    per: Counter[str] = Counter()
    for (district, _category), n in counts.items():
        per[district] += n
    districts = sorted(per, key=lambda n: (-per[n], n))  # the most first; ties by name
    del fiscal_year  # the directory holds what runs now
    return ChartData(
        "resources-district",
        "地区別・分類別の社会資源（活動中）",
        "stacked",
        tuple(districts),
        tuple((c, tuple(float(counts[(d, c)]) for d in districts)) for c in used),
        "件",
        note="社会資源は今の状態で数えます",
        horizontal=True,
    )


def needs_met(ctx: AppContext, fiscal_year: int) -> ChartData:
    years = _years(fiscal_year)
    needs = ctx.matching.list_needs()
    received = Counter(fiscal_year_of(n.received_on) for n in needs)
    met = Counter(fiscal_year_of(n.received_on) for n in needs if n.status in ("マッチ済", "終了"))
    unmet = Counter(
        fiscal_year_of(n.received_on) for n in needs if n.status in ("受付", "調整中", "対応不可")
    )
    return ChartData(
        "needs",
        "ニーズの受付とつながった件数",
        "stacked",
        tuple(fiscal_year_short(y) for y in years),
        (
            ("つながった", tuple(float(met[y]) for y in years)),
            ("未対応・対応不可", tuple(float(unmet[y]) for y in years)),
        ),
        "件",
        note=f"受付の合計: {sum(received[y] for y in years)} 件",
    )


def volunteers_and_trainings(ctx: AppContext, fiscal_year: int) -> ChartData:
    years = _years(fiscal_year)
    completions: Counter[tuple[int, str]] = Counter()
    for name, done in ctx.directory.training_completions():
        if fiscal_year_of(done) in years:
            completions[(fiscal_year_of(done), name)] += 1
    names = sorted(
        {n for _, n in completions}, key=lambda n: -sum(completions[(y, n)] for y in years)
    )
    return ChartData(
        "volunteers",
        "研修の修了者数の推移（担い手）",
        "stacked",
        tuple(fiscal_year_short(y) for y in years),
        tuple((n, tuple(float(completions[(y, n)]) for y in years)) for n in names),
        "人",
        note="担い手の登録数の推移は記録がないため、研修の修了で見ています",
    )


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("setup", "第2層協議体の設置数の推移", setup_progress),
    ChartSpec("meetings-district", "地区別の開催回数（市の平均つき）", meetings_per_district),
    ChartSpec("meetings-kind", "年度別・種類別の開催回数", meetings_by_kind),
    ChartSpec("ageing-district", "地区別の高齢化率（市全体と比べて）", ageing_by_district),
    ChartSpec("resources-district", "地区別・分類別の社会資源", resources_by_district),
    ChartSpec("needs", "ニーズの受付とつながった件数", needs_met),
    ChartSpec("volunteers", "研修の修了者数の推移", volunteers_and_trainings),
)


def chart(name: str) -> ChartSpec:
    from shienapp.core.errors import UserError

    for spec in CHARTS:
        if spec.name == name:
            return spec
    raise UserError(f"グラフ「{name}」はありません（{'・'.join(s.name for s in CHARTS)}）。")
