"""取組状況報告: the yearly report to the 第1層協議体, in seed 000's order, with charts.

A4 portrait, IPAexGothic embedded, 和暦 dates, running header and page numbers. The charts are
the dashboard's own (matplotlib, hatched for black-and-white) placed as images.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from shienapp.core.annual_report import AnnualReport
from shienapp.core.jpdate import fiscal_year_label, format_wareki
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

    from shienapp.core.chart_data import ChartData

TITLE = "生活支援体制整備事業 取組状況報告"


def _chart(data: ChartData, width_mm: float = 170, max_height_mm: float = 210) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Image

    from shienapp.charts.dashboard import figure

    fig = figure(data)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    w, h = fig.get_size_inches()
    height_mm = width_mm * h / w
    if height_mm > max_height_mm:  # a tall chart (39 districts) is made narrower, not cut
        width_mm, height_mm = width_mm * max_height_mm / height_mm, max_height_mm
    return Image(io.BytesIO(buffer.getvalue()), width=width_mm * mm, height=height_mm * mm)


def render_annual_report(report: AnnualReport, charts: dict[str, ChartData]) -> bytes:
    """``charts``: the dashboard's chart data by name (setup, meetings-kind, meetings-district)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    st = sheet_styles(9.5)
    year = fiscal_year_label(report.fiscal_year)
    figures = report.indicators
    story: list[Any] = [
        title_block(
            [Paragraph(TITLE, st.title), Paragraph(f"{year}　第1層協議体への報告", st.subtitle)],
            Paragraph(f"{format_wareki(report.issued_on)}", st.cell_right),
            50,
            st.body.fontName,
        ),
        Spacer(1, 3 * mm),
    ]

    def heading(text: str) -> None:
        story.extend([CondPageBreak(35 * mm), Paragraph(esc(text), st.heading)])

    def table(headers: list[str], rows: list[list[str]], widths: list[float]) -> None:
        data = [[Paragraph(esc(h), st.cell_centre) for h in headers]]
        data += [[Paragraph(esc(str(c)), st.cell) for c in row] for row in rows]
        t = ruled_table(data, [w * mm for w in widths])
        t.hAlign = "LEFT"
        story.append(t)

    # 1. councils
    set_up = figures.get("councils_set_up")
    heading("1 第2層協議体の設置状況")
    story.append(Paragraph(f"第2層協議体を設置した地区：<b>{esc(set_up.text)}</b>", st.body))
    if report.set_up_this_year:
        story.append(
            Paragraph(
                "今年度に設置："
                + esc("、".join(f"{n}（{format_wareki(d)}）" for n, d in report.set_up_this_year)),
                st.body,
            )
        )
    if report.not_set_up:
        story.append(Spacer(1, 2 * mm))
        table(["未設置の地区", "状況"], [[n, s] for n, s in report.not_set_up], [60, 40])
    if "setup" in charts:
        story.append(_chart(charts["setup"], 150))

    # 2. activity counts
    held = figures.get("meetings_held")
    heading("2 活動件数")
    story.append(
        Paragraph(
            f"協議体などの開催：<b>{esc(held.text)}</b>　"
            f"出席者（延べ）：{esc(figures.get('attendance').text)}",
            st.body,
        )
    )
    if report.meetings_by_kind:
        story.append(Spacer(1, 2 * mm))
        table(["会議の種類", "回数"], [[k, f"{n}回"] for k, n in report.meetings_by_kind], [60, 30])
    for name in ("meetings-kind", "meetings-district"):
        if name in charts:
            story.append(_chart(charts[name], 160))

    # 3. main activities
    heading("3 主な活動")
    if report.main_activities:
        table(
            ["日付", "協議体", "種類", "内容"],
            [[format_wareki(d), c, k, t] for d, c, k, t in report.main_activities],
            [32, 55, 25, text_width_mm() - 112],
        )
    else:
        story.append(Paragraph("定例会のほかに記録された活動はありません。", st.body))
    if report.new_resources:
        story.append(Spacer(1, 2 * mm))
        story.append(Paragraph("今年度に始まった支え合い活動", st.body))
        table(["活動", "分類", "地区"], [list(r) for r in report.new_resources], [70, 45, 40])

    # 4. voices
    heading("4 参加者の声")
    if report.voices:
        for words, where in report.voices:
            story.append(
                Paragraph(
                    f"「{esc(words)}」<font size='8' color='#555555'>　{esc(where)}</font>", st.body
                )
            )
    else:
        story.append(
            Paragraph(
                "記録された声はありません（議事録の記録に「」で書いた発言がここに載ります）。",
                st.small,
            )
        )

    # 5. support given
    heading("5 支援の実績")
    story.append(
        Paragraph(
            f"ニーズの受付：{esc(figures.get('needs_received').text)}　"
            f"つながったニーズ：{esc(figures.get('needs_met').text)}　"
            f"活動中の担い手：{esc(figures.get('volunteers_active').text)}　"
            f"研修の修了：{esc(figures.get('volunteers_trained').text)}",
            st.body,
        )
    )
    if report.needs_by_category:
        story.append(Spacer(1, 2 * mm))
        table(
            ["分類・できること", "受付", "つながった"],
            [[c, f"{n}件", f"{m}件"] for c, n, m in report.needs_by_category],
            [60, 25, 25],
        )
    return build_pdf(
        story,
        title=f"{year} {TITLE}",
        footer=f"{year} {TITLE}",
        header=f"{year} {TITLE}",
    )
