"""The district list as a spreadsheet: import with statistics, export, and the blank template.

One row per district and 年度, with Japanese headers. An import checks the whole file first and
writes only when nothing is wrong, in one transaction: a coordinator fixing a list from the city
office must never end up with half of it saved. Names and readings are stored exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shienapp.core.districts import (
    COUNCIL_STATUSES,
    DOMAINS,
    SECOND_TIER,
    CouncilInput,
    DistrictInput,
    DistrictService,
    StatisticsInput,
    _apply_council,
    _check_unique_name,
    _create_block,
    _upsert_statistics,
    district_problems,
)
from shienapp.core.errors import ImportRejected, NotFoundError, RowProblem, UserError
from shienapp.core.jpdate import DateParseError, parse_date, parse_fiscal_year
from shienapp.core.stats import validate_figures
from shienapp.core.text import clean_text, fold, is_reading
from shienapp.io.tabular import (
    EXCEL_SUFFIXES,
    Sheet,
    Table,
    list_sheets,
    read_table,
    unescape_text,
    write_csv,
    write_xlsx,
)
from shienapp.storage.db import Database
from shienapp.storage.models import Block, Council, District, utcnow

REGISTRY_SHEET = "地区台帳"
BLOCK_SHEET = "ブロック"
GUIDE_SHEET = "記入方法"
RATE_HEADER = "高齢化率"
TEMPLATE_NAME = "districts_template.xlsx"
TEMPLATE_CSV_NAME = "districts_template.csv"
CANCELLED_MESSAGE = "取り込みを中止しました。データは変更していません。"
EXAMPLE_NOTE = "【記入例】この行は記入例です。取り込む前に削除してください。"
EXAMPLE_NAME = "記入例地区"
EXAMPLE_BLOCK = "記入例ブロック"


class ImportCancelled(UserError):
    """The user stopped an import; nothing was written."""

    def __init__(self) -> None:
        super().__init__(CANCELLED_MESSAGE)


# --- the format -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the list: its key, its Japanese header, the headers also accepted."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    guide: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "block",
        "ブロック",
        ("ブロック名",),
        True,
        "地区が属するブロックの名前。登録済みのブロック名と同じ字で書きます。"
        "未登録のブロックは「新しいブロックを作成する」を選んだときだけ作られます。"
        "登録済みの地区では空欄でもかまいません（今のブロックのまま）。",
    ),
    Column(
        "code",
        "地区コード",
        ("コード", "地区番号", "地区no", "地区no."),
        False,
        "市で使っている地区の番号。先頭の 0 も文字のまま残ります（例: 007）。",
    ),
    Column(
        "name",
        "地区名",
        ("地区", "地区名称", "名称"),
        True,
        "地区の名前（必須）。登録済みの地区と同じ名前の行はその地区の更新になり、"
        "ない名前の行は新しい地区になります。髙・﨑や半角カナも書いたとおりに保存します。",
    ),
    Column(
        "reading",
        "フリガナ",
        ("ふりがな", "よみがな", "読み仮名", "読み", "よみ", "地区名フリガナ", "かな"),
        False,
        "地区名の読み。ひらがなかカタカナで書きます。一覧はこの読みの五十音順に並びます。",
    ),
    Column(
        "status",
        "協議体の状況",
        ("状況", "協議体状況", "設置状況", "第2層協議体の状況"),
        False,
        "第2層協議体の状況。" + "・".join(COUNCIL_STATUSES) + " のどれか。",
    ),
    Column(
        "established_on",
        "設置日",
        ("協議体設置日", "設置年月日"),
        False,
        "協議体を設置した日。状況が「設置済」か「休止」のときに書きます。",
    ),
    Column(
        "coordinator",
        "担当SC",
        (
            "担当",
            "担当者",
            "sc",
            "担当コーディネーター",
            "生活支援コーディネーター",
            "コーディネーター",
        ),
        False,
        "担当する第2層生活支援コーディネーターの名前。",
    ),
    Column(
        "domains",
        "対象分野",
        ("分野",),
        False,
        "協議体が扱う分野。" + "・".join(DOMAINS) + " から選び、"
        "複数のときは「、」「・」「,」「/」で区切ります（例: 高齢、子ども）。",
    ),
    Column(
        "fiscal_year",
        "年度",
        ("統計年度",),
        False,
        "人口統計の年度（例: 2024、令和6年度、R6）。人口などの数字を書く行では必須です。"
        "1つの地区を年度ごとに複数の行に書けます。",
    ),
    Column(
        "as_of",
        "基準日",
        ("基準年月日", "調査基準日", "時点"),
        False,
        "人口統計の基準日（例: 2024/4/1、令和6年4月1日、R6.4.1）。",
    ),
    Column(
        "total",
        "総人口",
        ("人口", "人口総数", "総数"),
        False,
        "その年度の総人口（人）。年度を書いた行では必須です。",
    ),
    Column(
        "p65",
        "65歳以上",
        ("65歳以上人口", "高齢者人口", "高齢者数", "65歳以上人数"),
        False,
        "65歳以上の人口（人）。年度を書いた行では必須で、総人口以下です。",
    ),
    Column(
        "p75",
        "75歳以上",
        ("75歳以上人口", "後期高齢者人口", "後期高齢者数", "75歳以上人数"),
        False,
        "75歳以上の人口（人）。65歳以上以下です。",
    ),
    Column(
        "households",
        "世帯数",
        ("世帯", "総世帯数"),
        False,
        "世帯数。",
    ),
    Column(
        "single",
        "高齢者単身世帯",
        (
            "高齢者単身世帯数",
            "単身高齢者世帯",
            "単身高齢者世帯数",
            "高齢単身世帯",
            "独居高齢者世帯",
        ),
        False,
        "65歳以上の一人暮らしの世帯数。世帯数以下、65歳以上人口以下です。",
    ),
    Column("note", "備考", ("メモ", "注記"), False, "地区についてのメモ。"),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
_COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
_FIGURE_KEYS = ("total", "p65", "p75", "households", "single")
_DISTRICT_KEYS = (
    "block",
    "code",
    "reading",
    "status",
    "established_on",
    "coordinator",
    "domains",
    "note",
)
_COUNCIL_KEYS = ("status", "established_on", "coordinator", "domains")

_STATUS_BY_KEY = {fold(s): s for s in COUNCIL_STATUSES} | {
    fold("設置済み"): "設置済",
    fold("休止中"): "休止",
}
_DOMAIN_BY_KEY = {fold(d): d for d in DOMAINS} | {
    fold("子供"): "子ども",
    fold("こども"): "子ども",
    fold("障がい"): "障害",
    fold("困窮"): "生活困窮",
}
_DOMAIN_SPLIT_RE = re.compile(r"[、・,/;；\s]+")
_INT_RE = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.0+)?$")
_TOTAL_ROW_NAMES = frozenset(fold(n) for n in ("合計", "計", "総計", "小計", "全体", "市全体"))
# The project began in 2015; a 設置日 before 2000 (the care insurance) is a typo or a number
# that Excel did not know was a date.
_EARLIEST_ESTABLISHED = date(2000, 1, 1)


def _header_key(text: str) -> str:
    """Headers match loosely: width, kana, spaces, a unit in brackets and a ※ do not matter."""
    key = fold(text)
    key = re.sub(r"【[^】]*】", "", key)
    key = re.sub(r"\s+", "", key)
    key = key.replace("※", "").replace("*", "")
    key = re.sub(r"\([^()]*\)$", "", key)
    return key


_KEY_BY_HEADER: dict[str, str] = {
    _header_key(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)
}
_IGNORED_HEADERS = frozenset({_header_key(RATE_HEADER), _header_key("高齢化率(%)")})


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, for the message the user reads."""

    districts_created: int
    districts_updated: int
    statistics_added: int
    statistics_replaced: int
    blocks_created: int
    source: str = ""
    ignored_columns: tuple[str, ...] = ()

    def summary(self) -> str:
        text = f"{self.source} を取り込みました。" if self.source else "取り込みました。"
        text += (
            f"地区: 新規 {self.districts_created} 件・更新 {self.districts_updated} 件、"
            f"人口統計: 追加 {self.statistics_added} 件・置き換え {self.statistics_replaced} 件"
        )
        if self.blocks_created:
            text += f"、ブロック: 新規 {self.blocks_created} 件"
        if self.ignored_columns:
            text += "（使わなかった列: " + "".join(f"「{c}」" for c in self.ignored_columns) + "）"
        return text


# --- parsing cells ----------------------------------------------------------------------------


class _Bad(ValueError):
    """A cell that cannot be read; the message is the Japanese reason."""


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime, date, time)):
        raise _Bad(
            "日付や時刻として入力されています。セルの書式を「文字列」にして入力し直してください"
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(unescape_text(clean_text(value)))


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad(f"数値（整数）で入力してください（「{value}」）")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _Bad(f"整数で入力してください（「{value}」）")
    if isinstance(value, (datetime, date, time)):
        raise _Bad("日付として入力されています。数値で入力してください")
    text = unicodedata.normalize("NFKC", str(value)).strip().replace("\u2212", "-")
    text = text.replace(" ", "")
    if _INT_RE.match(text):
        return int(text.split(".")[0].replace(",", ""))
    raise _Bad(f"数値（整数）で入力してください（「{clean_text(value)}」）")


def _date(value: Any) -> date:
    try:
        return parse_date(value)
    except DateParseError as exc:
        raise _Bad(str(exc)) from exc


def _fiscal_year(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date, time, float, bool)):
        raise _Bad(f"年度「{value}」を読み取れません（例: 2024、令和6年度、R6）")
    try:
        return parse_fiscal_year(value if isinstance(value, int) else clean_text(value))
    except DateParseError as exc:
        raise _Bad(str(exc)) from exc


def _status(value: Any) -> str:
    text = _text(value)
    status = _STATUS_BY_KEY.get(fold(text))
    if status is None:
        raise _Bad(f"「{text}」は選べません（{'・'.join(COUNCIL_STATUSES)}）")
    return status


def _domains(value: Any) -> tuple[str, ...]:
    text = _text(value)
    found: list[str] = []
    unknown: list[str] = []
    for part in _DOMAIN_SPLIT_RE.split(fold(text)):
        if not part:
            continue
        domain = _DOMAIN_BY_KEY.get(part)
        if domain is None:
            unknown.append(part)
        elif domain not in found:
            found.append(domain)
    if unknown:
        raise _Bad(
            f"「{'・'.join(unknown)}」は選べません（{'・'.join(DOMAINS)}。複数は「、」で区切ります）"
        )
    return tuple(d for d in DOMAINS if d in found)


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "block": _text,
    "code": _text,
    "name": _text,
    "reading": _text,
    "status": _status,
    "established_on": _date,
    "coordinator": _text,
    "domains": _domains,
    "fiscal_year": _fiscal_year,
    "as_of": _date,
    "total": _count,
    "p65": _count,
    "p75": _count,
    "households": _count,
    "single": _count,
    "note": _text,
}


# --- rows and districts as read from the file ------------------------------------------------


@dataclass(slots=True)
class _StatsRow:
    row: int
    data: StatisticsInput


@dataclass(slots=True)
class _Plan:
    """Everything the file says about one district, merged over its rows."""

    name: str
    first_row: int
    values: dict[str, Any] = field(default_factory=dict)  # key → value given in the file
    given_on: dict[str, int] = field(default_factory=dict)  # key → row that gave it
    statistics: list[_StatsRow] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # keys with a cell already reported as bad

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def row_of(self, key: str) -> int:
        return self.given_on.get(key, self.first_row)


class _Problems:
    """Collects every problem, naming columns by the header the file actually uses."""

    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers
        self.items: list[RowProblem] = []

    def header(self, key_or_label: str) -> str:
        column = _COLUMN_BY_KEY.get(key_or_label)
        label = column.header if column else key_or_label
        return self._headers.get(label, label)

    def add(self, row: int, key_or_label: str, reason: str) -> None:
        self.items.append(
            RowProblem(row, self.header(key_or_label) if key_or_label else "", reason)
        )

    def sorted(self) -> list[RowProblem]:
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        inverse = {actual: label for label, actual in self._headers.items()}
        return sorted(
            self.items, key=lambda p: (p.row, order.get(inverse.get(p.column, p.column), 99))
        )


def _display(key: str, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if key == "domains":
        return "、".join(value) or "なし"
    return str(value)


def _map_columns(table: Table) -> tuple[dict[str, int], list[str], _Problems]:
    """Which file column holds which field; the file's own header names, for messages."""
    index: dict[str, int] = {}
    actual: dict[str, str] = {}
    ignored: list[str] = []
    problems = _Problems(actual)
    for i, header in enumerate(table.headers):
        if not header:
            continue
        key_text = _header_key(header)
        key = _KEY_BY_HEADER.get(key_text)
        if key is None:
            if key_text not in _IGNORED_HEADERS:
                ignored.append(header)
            continue
        if key in index:
            first = table.headers[index[key]]
            problems.add(
                table.header_row,
                "",
                f"「{first}」と「{header}」は同じ項目（{_COLUMN_BY_KEY[key].header}）の列です。"
                "どちらか一方にしてください",
            )
            continue
        index[key] = i
        actual[_COLUMN_BY_KEY[key].header] = header
    missing = [c.header for c in COLUMNS if c.required and c.key not in index]
    if missing:
        found = "".join(f"「{h}」" for h in table.headers if h) or "なし"
        problems.add(
            table.header_row,
            "",
            f"必要な列{''.join(f'「{m}」' for m in missing)}がありません（見つかった列: {found}）。"
            f"最初の行に見出し（{'・'.join(HEADERS)}）を置いてください。"
            "表の上にタイトルの行があるときは削除してください",
        )
    return index, ignored, problems


def _is_example(name: str, values: dict[str, Any]) -> bool:
    note = values.get("note") or ""
    return note.startswith("【記入例】") or (
        name == EXAMPLE_NAME and values.get("block") in (None, EXAMPLE_BLOCK)
    )


def _read_rows(
    table: Table,
    index: dict[str, int],
    problems: _Problems,
    step: Callable[[int], None],
) -> list[_Plan]:
    plans: dict[str, _Plan] = {}
    folded_names: dict[str, tuple[str, int]] = {}
    seen_years: dict[tuple[str, int], int] = {}
    for position, table_row in enumerate(table.rows, start=1):
        step(position)
        number = table_row.number
        values: dict[str, Any] = {}
        failed: set[str] = set()
        for key, col in index.items():
            raw = table_row.cells[col]
            if _is_empty(raw):
                continue
            try:
                value = _PARSERS[key](raw)
            except _Bad as exc:
                problems.add(number, key, str(exc))
                failed.add(key)
                continue
            if value in ("", ()):
                continue
            values[key] = value
        name = values.pop("name", "")
        if _is_example(name, values):
            # The template's own example row, left in: importing it would create a district
            # called 記入例地区 (and, with new blocks allowed, a 記入例ブロック).
            problems.add(
                number,
                "note" if "note" in values else "name",
                "この行はテンプレートの記入例です。行ごと削除してから取り込んでください",
            )
            continue
        if not name:
            if "name" not in failed:
                problems.add(number, "name", "必須です")
            continue
        if fold(name) in _TOTAL_ROW_NAMES:
            problems.add(
                number, "name", f"「{name}」の行は取り込めません。合計の行は削除してください"
            )
            continue
        folded = fold(name)
        if folded in folded_names and folded_names[folded][0] != name:
            other, other_row = folded_names[folded]
            problems.add(
                number,
                "name",
                f"{other_row}行目の「{other}」と、全角・半角やひらがな・カタカナの違いしかありません。"
                "同じ地区なら同じ字で書いてください",
            )
            continue
        folded_names.setdefault(folded, (name, number))
        plan = plans.get(name)
        if plan is None:
            plan = plans[name] = _Plan(name, number)
        plan.failed |= failed
        for key in _DISTRICT_KEYS:
            if key not in values:
                continue
            value = values[key]
            if key in plan.values and plan.values[key] != value:
                problems.add(
                    number,
                    key,
                    f"同じ地区「{name}」の{plan.given_on[key]}行目と違います"
                    f"（「{_display(key, plan.values[key])}」と「{_display(key, value)}」）。"
                    "同じ地区の行は同じ値にしてください",
                )
            elif key not in plan.values:
                plan.values[key] = value
                plan.given_on[key] = number
        _read_statistics(plan, number, values, failed, problems, seen_years)
    return list(plans.values())


def _read_statistics(
    plan: _Plan,
    number: int,
    values: dict[str, Any],
    failed: set[str],
    problems: _Problems,
    seen_years: dict[tuple[str, int], int],
) -> None:
    figures = {k: values.get(k) for k in _FIGURE_KEYS}
    year = values.get("fiscal_year")
    as_of = values.get("as_of")
    if year is None:
        given = [k for k in (*_FIGURE_KEYS, "as_of") if k in values or k in failed]
        if given and "fiscal_year" not in failed:
            problems.add(number, "fiscal_year", "人口などの数値を書いた行では必須です")
        return
    label_to_key = {_COLUMN_BY_KEY[k].header: k for k in _FIGURE_KEYS}
    for label, reason in validate_figures(
        figures["total"], figures["p65"], figures["p75"], figures["households"], figures["single"]
    ):
        if label_to_key.get(label) not in failed:
            problems.add(number, label, reason)
    if as_of is not None and not (date(year - 1, 4, 1) <= as_of <= date(year + 2, 3, 31)):
        problems.add(number, "as_of", f"年度（{year}）から離れすぎています（{as_of.isoformat()}）")
    first = seen_years.get((plan.name, year))
    if first is not None:
        problems.add(
            number,
            "fiscal_year",
            f"地区「{plan.name}」の{year}年度は{first}行目にもあります。1つの行にまとめてください",
        )
        return
    seen_years[(plan.name, year)] = number
    if failed & {*_FIGURE_KEYS, "as_of"} or figures["total"] is None or figures["p65"] is None:
        return
    plan.statistics.append(
        _StatsRow(
            number,
            StatisticsInput(
                fiscal_year=year,
                total_population=figures["total"],
                population_65_plus=figures["p65"],
                population_75_plus=figures["p75"],
                households=figures["households"],
                elderly_single_households=figures["single"],
                as_of=as_of,
            ),
        )
    )


# --- checking against the database and applying ---------------------------------------------


@dataclass(slots=True)
class _Stored:
    """The registry as it is inside the import's transaction."""

    blocks: dict[str, Block]
    districts: dict[str, District]
    councils: dict[uuid.UUID, Council]

    @classmethod
    def load(cls, s: Session) -> _Stored:
        blocks = {
            b.name: b
            for b in s.scalars(
                select(Block).where(Block.deleted_at.is_(None)).order_by(Block.sort_order)
            )
        }
        districts = {
            d.name: d for d in s.scalars(select(District).where(District.deleted_at.is_(None)))
        }
        councils = {
            c.district_id: c
            for c in s.scalars(
                select(Council).where(
                    Council.deleted_at.is_(None),
                    Council.tier == SECOND_TIER,
                    Council.district_id.is_not(None),
                )
            )
            if c.district_id is not None
        }
        return cls(blocks, districts, councils)


def _merged_council(plan: _Plan, stored: Council | None) -> CouncilInput:
    """The council as it will be: the file's values over what is stored."""
    base = CouncilInput()
    if stored is not None:
        base = CouncilInput(
            status=stored.status,
            established_on=stored.established_on,
            coordinator_name=stored.coordinator_name,
            domains=tuple(stored.domains or ()),
            name=stored.name,
            note=stored.note,
        )
    if plan.get("status") is not None:
        base.status = plan.get("status")
    if plan.get("established_on") is not None:
        base.established_on = plan.get("established_on")
    if plan.get("coordinator") is not None:
        base.coordinator_name = plan.get("coordinator")
    if plan.get("domains") is not None:
        base.domains = plan.get("domains")
    return base


def _council_differs(stored: Council | None, wanted: CouncilInput) -> bool:
    if stored is None:
        return True
    return (
        stored.status != wanted.status
        or stored.established_on != wanted.established_on
        or stored.coordinator_name != wanted.coordinator_name
        or tuple(stored.domains or ()) != tuple(d for d in DOMAINS if d in wanted.domains)
    )


def _check_plans(
    plans: list[_Plan],
    stored: _Stored,
    problems: _Problems,
    *,
    create_blocks: bool,
) -> list[str]:
    """Problems that need the registry; returns the new block names in order of appearance."""
    new_blocks: list[str] = []
    unknown_reported: dict[str, int] = {}
    folded_stored = {fold(name): name for name in stored.districts}
    folded_blocks = {fold(name): name for name in stored.blocks}
    label_to_key = {_COLUMN_BY_KEY[k].header: k for k in _DISTRICT_KEYS} | {"地区名": "name"}
    for plan in plans:
        existing = stored.districts.get(plan.name)
        if existing is None and fold(plan.name) in folded_stored:
            other = folded_stored[fold(plan.name)]
            problems.add(
                plan.first_row,
                "name",
                f"登録済みの地区「{other}」と、全角・半角やひらがな・カタカナの違いしかありません。"
                "同じ地区なら登録済みの名前と同じ字で書いてください",
            )
        block = plan.get("block")
        if block is None and existing is None:
            problems.add(plan.first_row, "block", f"新しい地区「{plan.name}」には必須です")
        elif block is not None and block not in stored.blocks:
            if len(block) > 100:
                problems.add(plan.row_of("block"), "block", "100文字以内で入力してください")
            elif create_blocks and folded_blocks.get(fold(block), block) != block:
                problems.add(
                    plan.row_of("block"),
                    "block",
                    f"ブロック「{folded_blocks[fold(block)]}」と、全角・半角やひらがな・カタカナの"
                    "違いしかありません。同じブロックなら同じ字で書いてください",
                )
            elif create_blocks:
                if block not in new_blocks:
                    new_blocks.append(block)
                    folded_blocks[fold(block)] = block
            elif block in unknown_reported:
                problems.add(
                    plan.row_of("block"),
                    "block",
                    f"ブロック「{block}」は登録されていません（{unknown_reported[block]}行目と同じ）",
                )
            else:
                unknown_reported[block] = plan.row_of("block")
                problems.add(plan.row_of("block"), "block", _unknown_block_reason(block, stored))
        council = _merged_council(
            plan, stored.councils.get(existing.id) if existing is not None else None
        )
        data = DistrictInput(
            name=plan.name,
            reading=plan.get("reading") or "",  # only what the file gives is checked
            block_id=uuid.UUID(int=0),
            code=plan.get("code") or "",
            council=council,
        )
        for label, reason in district_problems(data):
            key = label_to_key.get(label, label)
            if key in plan.failed or (key == "established_on" and "status" in plan.failed):
                # Already reported where the cell is; a status that could not be read would
                # otherwise count as 未設置 and blame the 設置日 for it.
                continue
            problems.add(plan.row_of(key), label, reason)
        if len(plan.get("reading") or "") > 200:
            problems.add(plan.row_of("reading"), "reading", "200文字以内で入力してください")
        if len(council.coordinator_name) > 100:
            problems.add(plan.row_of("coordinator"), "coordinator", "100文字以内で入力してください")
        established = plan.get("established_on")
        if established is not None and established < _EARLIEST_ESTABLISHED:
            problems.add(
                plan.row_of("established_on"),
                "established_on",
                f"{established.isoformat()} は古すぎます。"
                "日付ではなく数値として入力されていないか確かめてください",
            )
    return new_blocks


def _unknown_block_reason(block: str, stored: _Stored) -> str:
    known = "・".join(stored.blocks) or "まだありません"
    similar = [name for name in stored.blocks if fold(name) == fold(block)]
    hint = f"「{similar[0]}」のことなら同じ字で書いてください。" if similar else ""
    return (
        f"ブロック「{block}」は登録されていません（登録済み: {known}）。{hint}"
        "新しく作るには「新しいブロックを作成する」を選んでください"
        "（コマンドでは --create-blocks）"
    )


def _apply(
    s: Session,
    plans: list[_Plan],
    stored: _Stored,
    new_blocks: list[str],
    block_sheet: dict[str, tuple[str, int]],
    step: Callable[[int], None],
) -> tuple[int, int, int, int, int]:
    ordered = sorted(
        new_blocks, key=lambda n: (block_sheet.get(n, ("", 10**9))[1], new_blocks.index(n))
    )
    for name in ordered:
        stored.blocks[name] = _create_block(s, name, block_sheet.get(name, ("", 0))[0], None)
    created = updated = added = replaced = 0
    for position, plan in enumerate(plans, start=1):
        step(position)
        district = stored.districts.get(plan.name)
        council = stored.councils.get(district.id) if district is not None else None
        wanted = _merged_council(plan, council)
        block = plan.get("block")
        if district is None:
            _check_unique_name(s, plan.name, None)
            district = District(
                name=plan.name,
                reading=plan.get("reading") or "",
                block_id=stored.blocks[block].id,
                code=plan.get("code") or "",
                note=plan.get("note") or "",
            )
            s.add(district)
            s.flush()
            _apply_council(s, district, wanted)
            created += 1
        else:
            changed = False
            for attr, value in (
                ("block_id", stored.blocks[block].id if block is not None else None),
                ("code", plan.get("code")),
                ("reading", plan.get("reading")),
                ("note", plan.get("note")),
            ):
                if value is not None and getattr(district, attr) != value:
                    setattr(district, attr, value)
                    changed = True
            if any(k in plan.values for k in _COUNCIL_KEYS) and _council_differs(council, wanted):
                _apply_council(s, district, wanted)
                changed = True
            if changed:
                district.updated_at = utcnow()  # someone editing it must not overwrite this
            updated += 1
        for stats in plan.statistics:
            if _upsert_statistics(s, district.id, stats.data):
                added += 1
            else:
                replaced += 1
    s.flush()
    return created, updated, added, replaced, len(ordered)


def _read_block_sheet(path: Path) -> dict[str, tuple[str, int]]:
    """Our export's 「ブロック」 sheet: readings and order for blocks an import creates."""
    if path.suffix.lower() not in EXCEL_SUFFIXES or BLOCK_SHEET not in list_sheets(path):
        return {}
    try:
        table = read_table(path, sheet=BLOCK_SHEET)
    except UserError:
        return {}  # an optional sheet: without it, new blocks simply have no reading
    keys = [_header_key(h) for h in table.headers]
    name_at = keys.index(_header_key("ブロック")) if _header_key("ブロック") in keys else None
    reading_at = keys.index(_header_key("フリガナ")) if _header_key("フリガナ") in keys else None
    order_at = keys.index(_header_key("並び順")) if _header_key("並び順") in keys else None
    if name_at is None:
        return {}
    result: dict[str, tuple[str, int]] = {}
    for position, row in enumerate(table.rows):
        try:
            name = _text(row.cells[name_at])
            reading = _text(row.cells[reading_at]) if reading_at is not None else ""
            order = _count(row.cells[order_at]) if order_at is not None else position
        except _Bad:
            continue
        if name:
            result[name] = (reading if reading and is_reading(reading) else "", order)
    return result


def import_districts(
    db: Database,
    path: Path,
    *,
    create_blocks: bool = False,
    progress: Callable[[int, int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import a district list (.xlsx/.xlsm/.csv): all of it in one transaction, or nothing.

    Every problem in the file is collected and raised together as ``ImportRejected``; a cancel
    raises ``ImportCancelled``; in both cases the database is left exactly as it was.
    """
    path = Path(path)
    table = read_table(path)
    block_sheet = _read_block_sheet(path) if create_blocks else {}
    index, ignored, problems = _map_columns(table)
    if "name" not in index or "block" not in index or problems.items:
        raise ImportRejected(path.name, problems.sorted())

    # One scale for both passes: checking the rows, then saving the districts.
    rows = len(table.rows)
    total = 2 * rows

    def report(done: int) -> None:
        if is_cancelled is not None and is_cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(min(done, total), total)

    report(0)
    plans = _read_rows(table, index, problems, report)

    def report_saving(position: int) -> None:
        report(rows + position * rows // max(len(plans), 1))

    try:
        with db.write() as s:
            stored = _Stored.load(s)
            new_blocks = _check_plans(plans, stored, problems, create_blocks=create_blocks)
            if problems.items:
                raise ImportRejected(path.name, problems.sorted())
            counts = _apply(s, plans, stored, new_blocks, block_sheet, report_saving)
            report(total)  # a cancel now still rolls everything back
    except UserError:
        raise
    except SQLAlchemyError as exc:
        raise _database_error(exc) from exc
    created, updated, added, replaced, blocks = counts
    return ImportReport(
        districts_created=created,
        districts_updated=updated,
        statistics_added=added,
        statistics_replaced=replaced,
        blocks_created=blocks,
        source=path.name,
        ignored_columns=tuple(ignored),
    )


def _database_error(exc: SQLAlchemyError) -> UserError:
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    if "locked" in detail or "busy" in detail:
        return UserError(
            "ほかの人がデータベースに保存している最中のため、取り込めませんでした。"
            "データは変更していません。しばらく待ってからもう一度試してください。",
            [f"詳細: {detail}"],
        )
    return UserError(
        "データベースに保存できなかったため、取り込みを取り消しました。データは変更していません。",
        [f"詳細: {detail}"],
    )


# --- export -----------------------------------------------------------------------------------

_COUNT_FORMAT = "#,##0"


def _registry_sheet(rows: list[list[Any]], *, with_rate: bool) -> Sheet:
    """The 「地区台帳」 sheet; codes are text cells so that 007 stays 007 when typed in Excel."""
    position = {c.key: i for i, c in enumerate(COLUMNS)}
    formats = {position[k]: _COUNT_FORMAT for k in _FIGURE_KEYS}
    formats[position["code"]] = "@"
    headers = list(HEADERS)
    if with_rate:
        formats[len(COLUMNS)] = "0.0%"
        headers.append(RATE_HEADER)
    return Sheet(
        REGISTRY_SHEET, headers, rows, number_formats=formats, widths={position["note"]: 40}
    )


def export_districts(db: Database, path: Path) -> int:
    """Write the registry to an .xlsx in the import format; returns the data rows written.

    One row per district and 年度 (a district without statistics gets one row), districts in
    the registry's own order (block, then 五十音順), and a 「ブロック」 sheet.
    """
    service = DistrictService(db)
    rows: list[list[Any]] = []
    for listed in service.list_districts():
        try:
            detail = service.get_district(listed.id)
        except NotFoundError:
            continue  # deleted by someone while we were writing
        row = detail.row
        council = detail.council
        district_part: list[Any] = [
            row.block_name,
            row.code,
            row.name,
            row.reading,
            council.status if council else "未設置",
            council.established_on if council else None,
            council.coordinator_name if council else "",
            "、".join(council.domains) if council else "",
        ]
        stats_rows: list[list[Any]] = [
            [
                st.fiscal_year,
                st.as_of,
                st.total_population,
                st.population_65_plus,
                st.population_75_plus,
                st.households,
                st.elderly_single_households,
            ]
            for st in detail.statistics
        ] or [[None] * 7]
        rates = [
            (round(st.ageing_rate / 100, 6) if st.ageing_rate is not None else None)
            for st in detail.statistics
        ] or [None]
        for figures, rate in zip(stats_rows, rates, strict=True):
            rows.append([*district_part, *figures, detail.note, rate])
    blocks = [[b.name, b.reading, b.sort_order, b.district_count] for b in service.list_blocks()]
    write_xlsx(
        Path(path),
        [
            _registry_sheet(rows, with_rate=True),
            Sheet(BLOCK_SHEET, ["ブロック", "フリガナ", "並び順", "地区数"], blocks),
        ],
    )
    return len(rows)


# --- the blank template -----------------------------------------------------------------------


def _example_row(*, for_csv: bool) -> list[Any]:
    return [
        EXAMPLE_BLOCK,
        "001",
        EXAMPLE_NAME,
        "キニュウレイチク",
        "設置済",
        "令和6年4月1日",
        "見本 花子",
        "高齢、子ども",
        "令和6年度",
        "2024/04/01" if for_csv else date(2024, 4, 1),
        5000,
        1500,
        800,
        2300,
        300,
        EXAMPLE_NOTE,
    ]


_REQUIRED_NOTE = {"name": "必須", "block": "新しい地区は必須"}


def _guide_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [[c.header, _REQUIRED_NOTE.get(c.key, ""), c.guide] for c in COLUMNS]
    rows.append(
        [
            RATE_HEADER,
            "",
            "書き出したファイルにだけある列です（計算した値）。取り込むときは使いません。",
        ]
    )
    rows += [
        [],
        [
            "協議体の状況",
            "",
            "・".join(COUNCIL_STATUSES) + " のどれか（「設置済み」「休止中」も可）。",
        ],
        ["対象分野", "", "・".join(DOMAINS) + "（複数は「、」で区切る）。"],
        [
            "日付の書き方",
            "",
            "2024/4/1、2024-04-01、令和6年4月1日、R6.4.1、令和元年5月1日、"
            "Excel の日付のセル。数字は全角でもかまいません。",
        ],
        ["年度の書き方", "", "2024、令和6年度、R6（4月から翌年3月まで）。"],
        [
            "数の書き方",
            "",
            "整数で書きます。1,234 のような桁区切りや全角の数字も使えます。"
            "「約1200」や小数、マイナスの数は取り込めません。",
        ],
        [
            "1行の書き方",
            "",
            "1行に1つの地区と1つの年度を書きます。年度ごとに行を増やせます。"
            "同じ地区の行では、ブロック・フリガナ・協議体の欄は同じ値にしてください。"
            "年度と数を空にした行は、地区の情報だけの行になります。",
        ],
        [
            "空欄",
            "",
            "登録済みの地区の空欄は、今の値をそのまま残します（消したいときは画面で編集します）。",
        ],
        [
            "取り込みの確認",
            "",
            "取り込む前にファイル全体を確認し、問題が1つでもあれば行と列と理由を示して、"
            "何も保存しません。直してからもう一度取り込んでください。",
        ],
        ["記入例の行", "", "「地区台帳」シートの2行目は記入例です。取り込む前に削除してください。"],
    ]
    return rows


def write_template(path: Path) -> None:
    """Write the blank import template (.xlsx with a 「記入方法」 sheet, or a .csv)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        write_csv(path, HEADERS, [_example_row(for_csv=True)])
        return
    write_xlsx(
        path,
        [
            _registry_sheet([_example_row(for_csv=False)], with_rate=False),
            Sheet(
                GUIDE_SHEET,
                ["項目", "必須", "書き方"],
                _guide_rows(),
                widths={0: 16, 1: 16, 2: 90},
                wrap_columns=frozenset({2}),
            ),
        ],
    )
