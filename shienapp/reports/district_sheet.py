"""The 地区カルテ: one A4 page per district for a council meeting or a district visit.

It answers what a council member asks first: which block, is the 協議体 running and since when,
who is the SC, how old is this district against the city, and where is it heading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shienapp.core.district_sheet import DistrictSheetData
from shienapp.core.jpdate import fiscal_year_label, format_wareki
from shienapp.core.stats import StatisticsFigures, format_count, format_rate
from shienapp.reports.layout import (
    build_pdf,
    esc,
    ruled_table,
    sheet_styles,
    text_width_mm,
    title_block,
)

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from shienapp.reports.layout import SheetStyles

# The sheet is one page: older years and older status changes give way to newer ones.
MAX_YEARS = 8
MAX_EVENTS = 5
# Long notes are cut with a pointer to the registry, so the page stays readable.
MAX_NOTE = 160
MAX_EVENT_NOTE = 60
CHART_SIZE_INCHES = (7.0, 2.15)


def district_page(
    data: DistrictSheetData, extra: list[Flowable] | None = None, *, header_mm: float = 0.0
) -> Flowable:
    """One district's page as a single flowable (the book puts 39 of them in one PDF)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame

    st = sheet_styles()
    story = [
        *_header(data, st),
        *(extra or []),
        *_council_section(data, st),
        *_latest_section(data, st),
        *_years_section(data, st),
        *_chart_section(data, st),
    ]
    # A district with a very long note must still fit: shrink the whole page rather than spill.
    frame_w = text_width_mm() * mm
    frame_h = (297.0 - 15.0 - 19.0 - header_mm) * mm - 1
    return KeepInFrame(frame_w, frame_h, story, mode="shrink")


def render_district_sheet(data: DistrictSheetData) -> bytes:
    """The 地区カルテ as PDF bytes (A4 portrait, exactly one page, IPAexGothic embedded)."""
    page = district_page(data)
    issued = format_wareki(data.issued_on)
    return build_pdf(
        [page],
        title=f"地区カルテ {data.name}",
        footer=f"地区カルテ　{data.name}　{issued} 発行　shienapp",
    )


def _header(data: DistrictSheetData, st: SheetStyles) -> list[Flowable]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    row = data.detail.row
    reading = f"（{esc(row.reading)}）" if row.reading else ""
    left = [
        Paragraph(f"地区カルテ　{esc(row.name)}{reading}", st.title),
        Paragraph(
            "　".join(
                part
                for part in (
                    f"ブロック：{esc(row.block_name)}",
                    f"地区コード：{esc(row.code)}" if row.code else "",
                )
                if part
            ),
            st.subtitle,
        ),
    ]
    right = Paragraph(f"発行日：{format_wareki(data.issued_on)}", st.cell_right)
    table = title_block(left, right, text_width_mm() - 130, st.body.fontName)
    return [table, Spacer(1, 2 * mm)]


def _council_section(data: DistrictSheetData, st: SheetStyles) -> list[Flowable]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    out: list[Flowable] = [Paragraph("第2層協議体", st.heading)]
    council = data.council
    if council is None:
        out.append(Paragraph("協議体の記録はありません（未設置）。", st.body))
        return out

    def p(text: str) -> Paragraph:
        return Paragraph(esc(text), st.cell)

    w = text_width_mm()
    key_w, value_w = 22.0, w / 2 - 22.0
    rows = [
        [p("名称"), p(council.name), p("状況"), p(council.status)],
        [
            p("設置日"),
            p(format_wareki(council.established_on) or "—"),
            p("担当SC"),
            p(council.coordinator_name or "—"),
        ],
        [p("対象分野"), p("・".join(council.domains) or "—"), "", ""],
        [p("備考"), p(_clip(council.note, MAX_NOTE) or "—"), "", ""],
    ]
    table = ruled_table(rows, [key_w * mm, value_w * mm] * 2, header_rows=0)
    from reportlab.lib import colors

    table.setStyle(
        [("BACKGROUND", (c, 0), (c, r), colors.HexColor("#EDEDED")) for c, r in ((0, -1), (2, 1))]
        + [("SPAN", (1, r), (3, r)) for r in (2, 3)]
    )
    out.append(table)

    if council.events:
        events = list(council.events)[-MAX_EVENTS:]
        omitted = len(council.events) - len(events)
        out.append(Spacer(1, 2 * mm))
        caption = "状況の履歴（新しい順）"
        if omitted:
            caption += f"　ほかに古い記録 {omitted} 件"
        out.append(Paragraph(caption, st.small))
        history = [[p("日付"), p("状況"), p("メモ")]]
        for event in reversed(events):
            history.append(
                [
                    p(format_wareki(event.occurred_on)),
                    p(event.status),
                    p(_clip(event.note, MAX_EVENT_NOTE)),
                ]
            )
        out.append(ruled_table(history, [38 * mm, 22 * mm, (w - 60) * mm]))
    return out


# (label, attribute on StatisticsFigures, is_rate)
_LATEST_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("総人口", "total_population", False),
    ("65歳以上", "population_65_plus", False),
    ("75歳以上", "population_75_plus", False),
    ("世帯数", "households", False),
    ("高齢者単身世帯", "elderly_single_households", False),
    ("高齢化率", "ageing_rate", True),
    ("後期高齢化率（75歳以上）", "late_elderly_rate", True),
)


def _latest_section(data: DistrictSheetData, st: SheetStyles) -> list[Flowable]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    latest = data.latest
    if latest is None:
        return [
            Paragraph("人口統計", st.heading),
            Paragraph(
                "人口統計が未登録です。地区台帳の「年度別統計」から登録してください。", st.body
            ),
        ]
    here = latest.figures
    city = data.city_latest
    label = fiscal_year_label(latest.fiscal_year)
    as_of = f"（{format_wareki(latest.as_of)}現在）" if latest.as_of else ""
    out: list[Flowable] = [Paragraph(f"人口統計　{label}{as_of}", st.heading)]

    def p(text: str, style: Any = None) -> Paragraph:
        return Paragraph(esc(text), style or st.cell_right)

    rows = [[p("項目", st.cell), p("この地区"), p("市全体"), p("市全体との差")]]
    for name, attr, is_rate in _LATEST_ROWS:
        mine = getattr(here, attr)
        theirs = getattr(city, attr) if city else None
        if is_rate:
            rows.append(
                [
                    p(name, st.cell),
                    p(format_rate(mine)),
                    p(format_rate(theirs)),
                    p(_points(mine, theirs)),
                ]
            )
        else:
            rows.append([p(name, st.cell), p(_count(mine)), p(_count(theirs)), p("")])
    w = text_width_mm()
    table = ruled_table(rows, [(w - 3 * 38) * mm, 38 * mm, 38 * mm, 38 * mm])
    out.append(table)
    return out


def _years_section(data: DistrictSheetData, st: SheetStyles) -> list[Flowable]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    statistics = list(data.detail.statistics)[-MAX_YEARS:]
    if len(statistics) < 2:
        return []

    def p(text: str, style: Any = None) -> Paragraph:
        return Paragraph(esc(text), style or st.cell_right)

    head = [
        "年度",
        "総人口",
        "65歳以上",
        "75歳以上",
        "世帯数",
        "高齢者単身世帯",
        "高齢化率",
        "市全体",
    ]
    rows = [[p(h, st.cell_centre) for h in head]]
    for s in statistics:
        f: StatisticsFigures = s.figures
        city = data.city.get(s.fiscal_year)
        rows.append(
            [
                p(fiscal_year_label(s.fiscal_year), st.cell),
                p(_count(f.total_population)),
                p(_count(f.population_65_plus)),
                p(_count(f.population_75_plus)),
                p(_count(f.households)),
                p(_count(f.elderly_single_households)),
                p(format_rate(f.ageing_rate)),
                p(format_rate(city.ageing_rate if city else None)),
            ]
        )
    w = text_width_mm()
    widths = [28.0, 21.0, 21.0, 21.0, 20.0, 27.0, 21.0]
    widths.append(w - sum(widths))
    caption = "年度別の推移"
    omitted = len(data.detail.statistics) - len(statistics)
    if omitted:
        caption += f"（直近 {MAX_YEARS} 年度）"
    return [Paragraph(caption, st.heading), ruled_table(rows, [x * mm for x in widths])]


def _chart_section(data: DistrictSheetData, st: SheetStyles) -> list[Flowable]:
    import io

    from reportlab.lib.units import inch
    from reportlab.platypus import Image, Paragraph

    from shienapp.charts.ageing import ageing_rate_figure, figure_png

    if not data.detail.statistics:
        return []
    figure = ageing_rate_figure(data, size=CHART_SIZE_INCHES, title=False)
    png = figure_png(figure, dpi=200)
    width, height = CHART_SIZE_INCHES
    return [
        Paragraph("高齢化率の推移（市全体との比較）", st.heading),
        Image(io.BytesIO(png), width=width * inch, height=height * inch),
    ]


def _count(value: int | None) -> str:
    return format_count(value) or "—"


def _points(mine: float | None, theirs: float | None) -> str:
    """The gap in percentage points, signed: ＋2.3ポイント means older than the city."""
    if mine is None or theirs is None:
        return "—"
    diff = format_rate(abs(mine - theirs)).rstrip("%")
    if diff == "0.0":
        return "±0.0ポイント"
    return f"{'+' if mine > theirs else '−'}{diff}ポイント"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…（全文は地区台帳に記載）"
