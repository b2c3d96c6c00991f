"""The directory on paper: the activity booklet, the weekly timetable and the volunteer roster.

The booklet is what a coordinator hands out at a district meeting, so its residents' edition
carries no private person's name or number; the staff edition and the roster are marked
取扱注意 on every page. All A4 with the Japanese font embedded and a 和暦 date of issue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shienapp.core.directory_print import Booklet, Roster, WeeklyTimetable
from shienapp.core.jpdate import format_wareki
from shienapp.core.schedule import WEEKDAY_JA
from shienapp.core.timetable import PARTS
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

BOOKLET_TITLE = "支え合い活動・社会資源の一覧"
TIMETABLE_TITLE = "週間活動表"
ROSTER_TITLE = "担い手名簿"
CARE_MARK = "【取扱注意・職員用】"
# 名称・運営 | 日時 | 会場・地区 | 対象 | 参加費・定員 | 問い合わせ先
BOOKLET_COLUMNS_MM = (44.0, 36.0, 32.0, 18.0, 18.0)
# No. | 氏名 | 地区 | 電話 | できること | 活動できる日時 | 状態・同意
ROSTER_COLUMNS_MM = (8.0, 34.0, 18.0, 26.0, 34.0, 38.0)
# A timetable cell longer than this continues on a 「続き」 row, so no row outgrows a page.
TIMETABLE_LINES_PER_ROW = 6


def _issued(issued: Any) -> str:
    return f"{format_wareki(issued)}発行"


# --- the booklet -------------------------------------------------------------------------------


def render_booklet(data: Booklet) -> bytes:
    """Activities grouped by category, with schedules; A4 portrait."""
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    st = sheet_styles(9.0)
    edition = CARE_MARK if data.staff else ""
    left = [
        Paragraph(BOOKLET_TITLE, st.title),
        Paragraph(esc(f"{data.scope}{edition}"), st.subtitle),
    ]
    right = [
        Paragraph(esc(_issued(data.issued_on)), st.cell_right),
        Paragraph(f"掲載 {data.count} 件", st.small_right),
    ]
    story: list[Flowable] = [title_block(left, right, 60, st.body.fontName), Spacer(1, 3 * mm)]
    if not data.sections:
        story.append(Paragraph("掲載できる活動がありません。", st.body))
    else:
        story.append(_contents(data, st))
        if not data.staff:
            story.append(
                Paragraph(
                    "参加を希望される方は、各活動の問い合わせ先へご連絡ください。"
                    "日時・会場は変わることがあります。",
                    st.small,
                )
            )
    for category, entries in data.sections:
        # A heading never sits alone at the foot of a page; a long category flows on.
        story += [
            CondPageBreak(40 * mm),
            Paragraph(esc(f"■ {category}（{len(entries)}件）"), st.heading),
            _booklet_table(entries, data.staff, st),
        ]
    header = f"{BOOKLET_TITLE}　{data.scope}{edition}　{_issued(data.issued_on)}"
    return build_pdf(
        story,
        title=f"{BOOKLET_TITLE} {data.scope}",
        footer=f"{BOOKLET_TITLE}（{data.scope}）{edition}",
        header=header,
    )


def _contents(data: Booklet, st: SheetStyles) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    rows: list[list[Any]] = [[Paragraph("分類", st.cell), Paragraph("件数", st.cell_right)]]
    rows += [
        [Paragraph(esc(category), st.cell), Paragraph(str(len(entries)), st.cell_right)]
        for category, entries in data.sections
    ]
    table = ruled_table(rows, [50 * mm, 16 * mm])
    table.hAlign = "LEFT"
    return table


def _booklet_table(entries: Any, staff: bool, st: SheetStyles) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    widths = [*BOOKLET_COLUMNS_MM, text_width_mm() - sum(BOOKLET_COLUMNS_MM)]

    def cell(*parts: tuple[str, Any]) -> Paragraph:
        lines = [
            esc(text)
            if style is st.cell
            else f'<font size="{st.small.fontSize}">{esc(text)}</font>'
            for text, style in parts
            if text
        ]
        return Paragraph("<br/>".join(lines), st.cell)

    heads = ("名称・運営", "日時", "会場・地区", "対象", "参加費・定員", "問い合わせ先")
    rows: list[list[Any]] = [[Paragraph(h, st.cell_centre) for h in heads]]
    for e in entries:
        name = e.name + ("" if e.status == "活動中" else f"（{e.status}）")
        contact: list[tuple[str, Any]] = [(e.public_contact, st.cell)]
        if staff:
            contact += [
                (f"担当: {e.contact_name}" if e.contact_name else "", st.small),
                (f"協力: {e.helpers}" if e.helpers else "", st.small),
            ]
        rows.append(
            [
                cell((name, st.cell), (e.operator, st.small), (e.note if staff else "", st.small)),
                cell((e.schedule or "随時・要問い合わせ", st.cell)),
                cell((e.venue, st.cell), (e.district, st.small)),
                cell((e.targets, st.cell)),
                cell((e.fee, st.cell), (f"定員 {e.capacity}" if e.capacity else "", st.small)),
                cell(*contact),
            ]
        )
    table = ruled_table(rows, [w * mm for w in widths])
    table.setStyle([("VALIGN", (0, 1), (-1, -1), "TOP")])
    return table


# --- the weekly timetable ----------------------------------------------------------------------


def render_timetable(data: WeeklyTimetable) -> bytes:
    """月～日 × 午前/午後/夜 on A4 landscape; a crowded part of the day continues on more rows."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    st = sheet_styles(8.0)
    left = [Paragraph(TIMETABLE_TITLE, st.title), Paragraph(esc(data.scope), st.subtitle)]
    right = [
        Paragraph(esc(_issued(data.issued_on)), st.cell_right),
        Paragraph(f"活動 {data.count} 件", st.small_right),
    ]
    width = text_width_mm(landscape=True)
    label_mm = 16.0
    day_mm = (width - label_mm) / 7
    rows: list[list[Any]] = [
        [Paragraph("", st.cell)] + [Paragraph(f"{d}曜", st.cell_centre) for d in WEEKDAY_JA]
    ]
    for part in PARTS:
        cells = [data.cells.get((day, part), []) for day in range(7)]
        chunks = max(1, -(-max(len(c) for c in cells) // TIMETABLE_LINES_PER_ROW))
        for chunk in range(chunks):
            label = part if chunk == 0 else f"{part}<br/>（続き）"
            lines = [
                c[chunk * TIMETABLE_LINES_PER_ROW : (chunk + 1) * TIMETABLE_LINES_PER_ROW]
                for c in cells
            ]
            rows.append(
                [Paragraph(label, st.cell_centre)]
                + [
                    Paragraph("<br/>".join(f"・{esc(t)}" for t in items), st.cell)
                    for items in lines
                ]
            )
    table = ruled_table(rows, [label_mm * mm] + [day_mm * mm] * 7, header_column=True)
    table.setStyle([("VALIGN", (1, 1), (-1, -1), "TOP")])
    story: list[Flowable] = [
        title_block(left, right, 60, st.body.fontName, landscape=True),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 2 * mm),
        Paragraph(
            "時間帯は始まる時刻で分けています（午前: 12時まで、午後: 12時～17時、夜: 17時から）。"
            "（第2・4）などは、その週の曜日だけ開く活動です。",
            st.small,
        ),
    ]
    return build_pdf(
        story,
        title=f"{TIMETABLE_TITLE} {data.scope}",
        footer=f"{TIMETABLE_TITLE}（{data.scope}）",
        header=f"{TIMETABLE_TITLE}　{data.scope}　{_issued(data.issued_on)}",
        landscape=True,
    )


# --- the roster --------------------------------------------------------------------------------


def render_roster(data: Roster) -> bytes:
    """Volunteers 五十音順 with contact and availability; 取扱注意 on every page."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    st = sheet_styles(8.5)
    left = [Paragraph(ROSTER_TITLE + CARE_MARK, st.title), Paragraph(esc(data.scope), st.subtitle)]
    flagged = sum(1 for v in data.volunteers if v.needs_consent_flag)
    right = [
        Paragraph(esc(_issued(data.issued_on)), st.cell_right),
        Paragraph(f"{len(data.volunteers)} 人（同意未確認 {flagged} 人）", st.small_right),
    ]
    widths = [*ROSTER_COLUMNS_MM, text_width_mm() - sum(ROSTER_COLUMNS_MM)]
    heads = ("No.", "氏名", "地区", "電話", "できること", "活動できる日時", "状態・同意")
    rows: list[list[Any]] = [[Paragraph(h, st.cell_centre) for h in heads]]
    for number, v in enumerate(data.volunteers, start=1):
        covered = "、".join(data.district_names.get(d, "") for d in v.covered_district_ids)
        state = v.volunteer_status
        if v.needs_consent_flag:
            state += "<br/><b>同意未確認</b>"
        rows.append(
            [
                Paragraph(str(number), st.cell_centre),
                Paragraph(f"{esc(v.name)}<br/><font size='6.5'>{esc(v.reading)}</font>", st.cell),
                Paragraph(
                    esc(v.district_name)
                    + (f"<br/><font size='6.5'>担当: {esc(covered)}</font>" if covered else ""),
                    st.cell,
                ),
                Paragraph(esc(v.phone), st.cell),
                Paragraph(esc("、".join(v.skills)), st.cell),
                Paragraph(esc("、".join(s.describe() for s in v.availability)), st.cell),
                Paragraph(state, st.cell),
            ]
        )
    table = ruled_table(rows, [w * mm for w in widths])
    table.setStyle([("VALIGN", (0, 1), (-1, -1), "TOP")])
    story: list[Flowable] = [
        title_block(left, right, 60, st.body.fontName),
        Spacer(1, 2 * mm),
        Paragraph(
            "個人情報を含みます。目的外に使わず、持ち出しは必要な範囲に限り、"
            "用が済んだら細断して処分してください。「同意未確認」の人の連絡先は、"
            "同意を確認するまで使わないでください。",
            st.small,
        ),
        Spacer(1, 2 * mm),
        table,
    ]
    return build_pdf(
        story,
        title=f"{ROSTER_TITLE} {data.scope}",
        footer=f"{ROSTER_TITLE}{CARE_MARK}",
        header=f"{ROSTER_TITLE}{CARE_MARK}　{data.scope}　{_issued(data.issued_on)}",
    )
