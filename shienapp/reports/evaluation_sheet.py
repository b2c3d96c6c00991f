"""事業評価シート (seed 004's layout): per goal, めざす状態 and 進捗度, the year's targets with
their figures, 得られた成果 and 効果のあった取組, 解決すべき課題 and 今後の取組の方向性."""

from __future__ import annotations

from datetime import date
from typing import Any

from shienapp.core.evaluation import EvaluationSheet, prefilled_results
from shienapp.core.jpdate import fiscal_year_label, format_wareki
from shienapp.core.plans import GRADES
from shienapp.reports.layout import (
    build_pdf,
    esc,
    ruled_table,
    sheet_styles,
    text_width_mm,
    title_block,
)

TITLE = "事業評価シート"


def render_evaluation_sheet(sheet: EvaluationSheet, issued_on: date | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    st = sheet_styles(9.0)
    year = fiscal_year_label(sheet.fiscal_year)
    grade_style = ParagraphStyle("grade", parent=st.cell_centre, fontSize=22, leading=26)
    story: list[Any] = [
        title_block(
            [
                Paragraph(f"{year} {TITLE}", st.title),
                Paragraph(esc(f"{sheet.plan.title}（{sheet.plan.period}）"), st.subtitle),
            ],
            Paragraph(format_wareki(issued_on or date.today()), st.cell_right),
            40,
            st.body.fontName,
        ),
        Spacer(1, 2 * mm),
        Paragraph("【進捗度】" + "　".join(f"{k}：{esc(v)}" for k, v in GRADES.items()), st.small),
        Spacer(1, 3 * mm),
    ]
    width = text_width_mm()
    label_w = 30.0
    half = (width - 2 * label_w) / 2
    for number, goal_sheet in enumerate(sheet.goals, start=1):
        goal = goal_sheet.goal
        ev = goal_sheet.evaluation

        def p(text: str) -> Any:
            return Paragraph(esc(text) if text else "", st.cell)

        results = ev.results if ev and ev.results else prefilled_results(goal_sheet)
        grade = Paragraph(esc(ev.grade if ev and ev.grade else "—"), grade_style)
        targets = "\n".join(f"・{t.line()}" for t in goal_sheet.targets)
        effective, issues = (ev.effective, ev.issues) if ev else ("", "")
        next_steps = ev.next_steps if ev else ""
        rows = [
            [Paragraph(f"<b>目標{number}</b>　{esc(goal.title)}", st.cell), "", "", ""],
            [p("めざす状態"), p(goal.aim), p("進捗度"), grade],
            [p("今年度の事業目標と実績"), p(targets or "（この年度の目標はありません）"), "", ""],
            [p("得られた成果"), p(results), p("効果のあった取組"), p(effective)],
            [p("解決すべき課題"), p(issues), p("今後の取組の方向性"), p(next_steps)],
        ]
        widths = [label_w * mm, half * mm, label_w * mm, half * mm]
        table = ruled_table(rows, widths, header_rows=1)
        table.setStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("SPAN", (1, 2), (-1, 2)),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 1), (0, -1), colors.HexColor("#EDEDED")),
                ("BACKGROUND", (2, 3), (2, -1), colors.HexColor("#EDEDED")),
                ("BACKGROUND", (2, 1), (2, 1), colors.HexColor("#EDEDED")),
            ]
        )
        story += [CondPageBreak(60 * mm), table, Spacer(1, 5 * mm)]
    if not sheet.goals:
        story.append(Paragraph("この計画にはまだ目標がありません。", st.body))
    return build_pdf(
        story,
        title=f"{year} {TITLE}",
        footer=f"{year} {TITLE}",
        header=f"{year} {TITLE}　{sheet.plan.title}",
    )
