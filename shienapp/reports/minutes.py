"""議事録: the printed minutes of a council meeting, and the blank form to take them by hand.

The minutes are what the council keeps and what the 市 reads: who came (and who sent a proxy),
what each agenda item discussed, what was decided and who does what by when, including the
宿題 still open from earlier meetings. The blank form carries the same frame with ruled lines,
so the recorder at the table writes into the structure the typed minutes will have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shienapp.core.jpdate import era_of, format_wareki, format_wareki_short
from shienapp.core.meetings import ActionRow, AttendanceRow, MeetingDetail
from shienapp.reports.layout import (
    HEADER_FILL,
    RULE_COLOUR,
    build_pdf,
    esc,
    grow_rows,
    ruled_table,
    sheet_styles,
    text_width_mm,
    time_range,
)

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from shienapp.reports.layout import SheetStyles

# The order statuses are listed in; a member with nothing recorded comes last.
STATUS_ORDER = ("出席", "代理", "オブザーバー", "欠席")
UNRECORDED = "出欠未記録"
# Ruled lines on the blank form: the rhythm of a B罫 notebook, enough for a hand to write.
LINE_MM = 8.0
LINES_PER_AGENDA = 7
LINES_WITHOUT_AGENDA = 14
DECISION_LINES = 6
NEW_ACTION_ROWS = 6
# 内容 | 担当 | 期限 | 状態 on the minutes; the blank form uses the same widths.
ACTION_COLUMNS_MM = (30.0, 30.0, 24.0)


# --- shared with the sign-in sheet ------------------------------------------------------------


def meeting_name(detail: MeetingDetail) -> str:
    """The council and the meeting, as the title line says it: 井野地区協議体 第3回定例会."""
    row = detail.row
    return f"{row.council_name} {row.title or row.kind}".strip()


def meeting_when(detail: MeetingDetail) -> str:
    """令和6年5月10日（金）14:00～15:30: the weekday helps members check their diary."""
    row = detail.row
    when = format_wareki(row.held_on, weekday=True)
    hours = time_range(row.starts_at, row.ends_at)
    return f"{when}　{hours}" if hours else when


def meeting_header(detail: MeetingDetail, sheet: str) -> str:
    """The running line at the top of every page: a loose page still says whose it is."""
    return f"{meeting_name(detail)}　{meeting_when(detail)}　{sheet}"


def meeting_footer(detail: MeetingDetail, sheet: str) -> str:
    return f"{sheet}　{detail.row.council_name}　shienapp"


def meeting_header_table(
    detail: MeetingDetail, st: SheetStyles, *, with_people: bool, blank: bool = False
) -> Flowable:
    """協議体・会議・日時・会場 (and 議長・記録者) as a small ruled form."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    row = detail.row

    def p(text: str) -> Paragraph:
        return Paragraph(esc(text), st.cell)

    meeting = row.title or row.kind
    if row.title and row.kind and row.kind not in row.title:
        meeting = f"{row.title}（{row.kind}）"
    rows = [
        [p("協議体"), p(row.council_name), p("会議"), p(meeting)],
        [p("日時"), p(meeting_when(detail)), p("会場"), p(row.venue)],
    ]
    heights: list[float | None] = [None, None]
    if with_people:
        chair, recorder = ("", "") if blank else (detail.chair, detail.recorder)
        rows.append([p("議長"), p(chair), p("記録者"), p(recorder)])
        heights.append(9 * mm if blank else None)
    key = 16.0
    value = text_width_mm() / 2 - key
    table = ruled_table(rows, [key * mm, value * mm] * 2, header_rows=0, row_heights=heights)
    table.setStyle([("BACKGROUND", (c, 0), (c, -1), colors.HexColor(HEADER_FILL)) for c in (0, 2)])
    return table


# --- the minutes --------------------------------------------------------------------------------


def render_minutes(detail: MeetingDetail, *, blank: bool = False) -> bytes:
    """The 議事録 as PDF bytes, or with ``blank`` the form to write them by hand (A4 portrait)."""
    st = sheet_styles()
    sheet = "議事録（記録用紙）" if blank else "議事録"
    story = _blank_story(detail, st) if blank else _minutes_story(detail, st)
    return build_pdf(
        story,
        title=f"{meeting_name(detail)} {sheet}",
        footer=meeting_footer(detail, sheet),
        header=meeting_header(detail, sheet),
    )


def _title(detail: MeetingDetail, st: SheetStyles, sheet: str) -> list[Flowable]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    return [Paragraph(esc(f"{meeting_name(detail)} {sheet}"), st.title), Spacer(1, 2 * mm)]


def _minutes_story(detail: MeetingDetail, st: SheetStyles) -> list[Flowable]:
    from reportlab.platypus import Paragraph

    story: list[Flowable] = [
        *_title(detail, st, "議事録"),
        meeting_header_table(detail, st, with_people=True),
        *_attendance(detail.attendance, st),
        Paragraph("議題", st.heading),
    ]
    if not detail.agenda:
        story.append(Paragraph("（議題の記録はありません）", st.body))
    for i, item in enumerate(detail.agenda, start=1):
        story.extend(_agenda_item(i, item.title, item.notes, st))
    story.append(Paragraph("決定事項", st.heading))
    story.extend(_numbered(detail.decisions, st))
    story.append(Paragraph("宿題（担当と期限）", st.heading))
    story.extend(_actions(detail, st))
    next_on = format_wareki(detail.next_meeting_on, weekday=True) or "未定"
    story.append(Paragraph(f"次回開催日：{next_on}", st.heading))
    if detail.note.strip():
        story.append(Paragraph("備考", st.heading))
        story.extend(_long_text(detail.note, st))
    story.append(_sign_boxes(st))
    return story


def _attendance(attendance: tuple[AttendanceRow, ...], st: SheetStyles) -> list[Flowable]:
    """出席者 grouped by status; a proxy is named beside the member, guests are marked."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    groups: dict[str, list[str]] = {}
    for a in attendance:
        name = a.name
        if a.status == "代理" and a.proxy_name:
            name = f"{name}（代理：{a.proxy_name}）"
        if not a.is_member:
            name += "（ゲスト）"
        groups.setdefault(a.status if a.status in STATUS_ORDER else UNRECORDED, []).append(name)
    present = sum(len(groups.get(s, [])) for s in STATUS_ORDER[:3])
    out: list[Flowable] = [Paragraph(f"出席者（{present}名）", st.heading)]
    rows = [
        [
            Paragraph(f"{status}（{len(names)}名）", st.cell),
            Paragraph(esc("、".join(names)), st.cell),
        ]
        for status in (*STATUS_ORDER, UNRECORDED)
        if (names := groups.get(status))
    ]
    if not rows:
        return [*out, Paragraph("（出欠の記録はありません）", st.body)]
    out.append(
        ruled_table(rows, [36 * mm, (text_width_mm() - 36) * mm], header_rows=0, header_column=True)
    )
    return out


def _agenda_item(number: int, title: str, notes: str, st: SheetStyles) -> list[Flowable]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    item = ParagraphStyle(
        "item",
        parent=st.body,
        fontSize=st.body.fontSize + 1,
        spaceBefore=5,
        spaceAfter=2,
        keepWithNext=True,
    )
    out: list[Flowable] = [Paragraph(f"{number}．{esc(title)}", item)]
    out.extend(_long_text(notes, st) if notes.strip() else [Paragraph("（記録なし）", st.small)])
    return out


def _long_text(text: str, st: SheetStyles) -> list[Flowable]:
    """A note of any length: one Paragraph per paragraph, so it flows across pages freely."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    style = ParagraphStyle("note", parent=st.body, leftIndent=10, spaceAfter=3)
    blocks = text.replace("\r\n", "\n").strip("\n").split("\n\n")
    return [Paragraph(esc(block), style) for block in blocks if block.strip()]


def _numbered(lines: tuple[str, ...], st: SheetStyles) -> list[Flowable]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    if not lines:
        return [Paragraph("（なし）", st.body)]
    style = ParagraphStyle("numbered", parent=st.body, leftIndent=22, bulletIndent=6, spaceAfter=2)
    return [Paragraph(esc(t), style, bulletText=f"{i}.") for i, t in enumerate(lines, start=1)]


def _actions(detail: MeetingDetail, st: SheetStyles) -> list[Flowable]:
    """今回の宿題 and 前回からの宿題 in one table, each group under its own caption row."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    if not detail.actions and not detail.carried:
        return [Paragraph("（なし）", st.body)]

    def p(text: str, style: object = st.cell) -> Paragraph:
        return Paragraph(esc(text), style)

    rows: list[list[object]] = [[p(h, st.cell_centre) for h in ("内容", "担当", "期限", "状態")]]
    captions: list[int] = []

    def group(caption: str, items: tuple[ActionRow, ...], carried: bool) -> None:
        if not items:
            return
        captions.append(len(rows))
        rows.append([p(caption), "", "", ""])
        for a in items:
            text = p(a.text)
            if carried:
                since = f"前回からの宿題（{format_wareki(a.meeting_held_on)}の会議から）"
                text = [p(a.text), p(since, st.small)]
            status = a.status
            if a.status == "完了" and a.completed_on:
                status += f"（{format_wareki_short(a.completed_on)}）"
            rows.append([text, p(a.owner), p(format_wareki(a.due_on) or "—"), p(status)])

    group("今回の宿題", detail.actions, carried=False)
    group("前回からの宿題", detail.carried, carried=True)
    owner, due, status = ACTION_COLUMNS_MM
    widths = [text_width_mm() - owner - due - status, owner, due, status]
    table = ruled_table(rows, [w * mm for w in widths])
    table.setStyle(
        [
            cmd
            for r in captions
            for cmd in (
                ("SPAN", (0, r), (-1, r)),
                ("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F5F5F5")),
            )
        ]
    )
    return [table]


def _sign_boxes(st: SheetStyles) -> Flowable:
    """記録者 and 確認者 boxes at the foot, right-aligned, for a signature or a seal."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    box = 32 * mm
    rows = [[Paragraph("記録者", st.cell_centre), Paragraph("確認者", st.cell_centre)], ["", ""]]
    table = Table(rows, colWidths=[box, box], rowHeights=[None, box * 0.8], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), st.body.fontName),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#333333")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return KeepTogether([Spacer(1, 8 * mm), table])


# --- the blank form ----------------------------------------------------------------------------


def _blank_story(detail: MeetingDetail, st: SheetStyles) -> list[Flowable]:
    from reportlab.platypus import KeepTogether, Paragraph

    story: list[Flowable] = [
        *_title(detail, st, "議事録"),
        meeting_header_table(detail, st, with_people=True, blank=True),
        Paragraph("出席者（別紙「出席者名簿（受付簿）」のとおり）", st.heading),
        _fill(
            st,
            "出席",
            14.0,
            "名（うち代理",
            14.0,
            "名）　オブザーバー",
            14.0,
            "名　欠席",
            14.0,
            "名",
        ),
        Paragraph("議題", st.heading),
    ]
    if not detail.agenda:
        story.append(_ruled_lines(LINES_WITHOUT_AGENDA))
    for i, item in enumerate(detail.agenda, start=1):
        heading = Paragraph(f"{i}．{esc(item.title)}", st.body)
        story.append(KeepTogether([heading, _ruled_lines(LINES_PER_AGENDA)]))
    if detail.carried:
        story.append(Paragraph("前回からの宿題", st.heading))
        story.append(_carried_form(detail.carried, st))
    story.append(KeepTogether([Paragraph("決定事項", st.heading), _ruled_lines(DECISION_LINES)]))
    story.append(KeepTogether([Paragraph("新たな宿題", st.heading), _new_actions_form(st)]))
    story.append(Paragraph("次回開催日", st.heading))
    story.append(
        _fill(
            st,
            era_of(detail.row.held_on)[0].name,
            10.0,
            "年",
            10.0,
            "月",
            10.0,
            "日（",
            8.0,
            "）",
            12.0,
            "：",
            10.0,
            "～",
            12.0,
            "：",
            10.0,
            "　会場",
            36.0,
        )
    )
    story.append(_sign_boxes(st))
    return story


def _fill(st: SheetStyles, *parts: str | float) -> Flowable:
    """A line of printed words and underlined gaps to write in (a float is a gap, in mm).

    Paragraphs collapse runs of spaces, so the gaps are table cells ruled underneath.
    """
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Table, TableStyle

    font, size = st.body.fontName, st.body.fontSize + 0.5
    cells: list[str] = []
    widths: list[float] = []
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("LEFTPADDING", (0, 0), (-1, -1), 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
    ]
    for i, part in enumerate(parts):
        if isinstance(part, str):
            cells.append(part)
            widths.append(stringWidth(part, font, size) + 2)
        else:
            cells.append("")
            widths.append(part * mm)
            commands.append(("LINEBELOW", (i, 0), (i, 0), 0.6, colors.HexColor(RULE_COLOUR)))
    table = Table([cells], colWidths=widths, rowHeights=[8 * mm], hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _ruled_lines(count: int) -> Flowable:
    """Empty lines to write on: a borderless table ruled below every row."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    from shienapp.reports.fonts import register_japanese_font

    table = Table([[""]] * count, colWidths=[text_width_mm() * mm], rowHeights=LINE_MM * mm)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), register_japanese_font()),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ]
        )
    )
    return table


def _carried_form(carried: tuple[ActionRow, ...], st: SheetStyles) -> Flowable:
    """Open 宿題 printed, with an empty 状況 column to note progress reported at the table."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    def p(text: str, style: object = st.cell) -> Paragraph:
        return Paragraph(esc(text), style)

    rows: list[list[object]] = [[p(h, st.cell_centre) for h in ("内容", "担当", "期限", "状況")]]
    for a in carried:
        rows.append([p(a.text), p(a.owner), p(format_wareki(a.due_on) or "—"), ""])
    owner, due, _ = ACTION_COLUMNS_MM
    status = 50.0
    widths = [text_width_mm() - owner - due - status, owner, due, status]
    heights: list[float | None] = [None] + [9 * mm] * len(carried)
    grow_rows(rows, heights, widths)
    return ruled_table(rows, [w * mm for w in widths], row_heights=heights)


def _new_actions_form(st: SheetStyles) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    head = [Paragraph(h, st.cell_centre) for h in ("内容", "担当", "期限")]
    owner, due = 34.0, 34.0
    widths = [text_width_mm() - owner - due, owner, due]
    rows: list[list[object]] = [head] + [["", "", ""] for _ in range(NEW_ACTION_ROWS)]
    heights: list[float | None] = [None] + [9 * mm] * NEW_ACTION_ROWS
    return ruled_table(rows, [w * mm for w in widths], row_heights=heights)
