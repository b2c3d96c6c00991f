"""People, organisations and activities as spreadsheets: import, export and blank templates.

The same rules as the district list: the whole file is checked first and written only when
nothing is wrong, in one transaction, and every problem is reported by row and column in
Japanese. A row with an ID updates that record (blank cells keep what is stored); a row without
one adds a record, unless one with the same name in the same district is already there, which
is refused rather than silently doubled. Exports of people carry a 取扱注意 mark.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shienapp.core import audit
from shienapp.core.access import access_of
from shienapp.core.directory import (
    PERSON_ROLES,
    RESOURCE_STATUSES,
    TARGET_GROUPS,
    VOLUNTEER_STATUSES,
    DirectoryService,
    OrganisationInput,
    PersonInput,
    ResourceInput,
    _alive,
    _apply_fields,
    _apply_person,
    _apply_resource,
    _learn_terms,
    _organisation_row,
    _person_row,
    _resource_rows,
    district_names,
    organisation_problems,
    person_problems,
    resource_problems,
)
from shienapp.core.errors import ImportRejected, RowProblem, UserError
from shienapp.core.jpdate import DateParseError, parse_date
from shienapp.core.permissions import Action
from shienapp.core.schedule import Slot, parse_slot
from shienapp.core.text import clean_text, fold
from shienapp.io.tabular import Sheet, read_table, unescape_text, write_csv, write_xlsx
from shienapp.storage.db import Database
from shienapp.storage.models import Organisation, Person, Resource, utcnow

KINDS: dict[str, str] = {
    "people": "人・担い手",
    "organizations": "組織・団体",
    "resources": "活動・社会資源",
}
HANDLE_WITH_CARE = "取扱注意"
CARE_NOTICE = (
    "【取扱注意】個人情報を含みます。目的外に使わず、複製・持ち出しは必要な範囲に限ってください。"
)
EXAMPLE_MARK = "【記入例】"
# An export-only column: people whose contact details show without consent on record.
CONSENT_HEADER = "同意の確認"
CONSENT_FLAG = "同意未確認"
GUIDE_SHEET = "記入方法"
_LIST_SPLIT = re.compile(r"[、,，;；/／\n]+")
_WORD_SPLIT = re.compile(r"[、,，;；/／・\s]+")
_SLOT_SPLIT = re.compile(r"[、;；／\n]+")
# Between trainings, not inside a bracketed date: 講座（2024/5/1）、研修（R6.4.1）
_TRAINING_SPLIT = re.compile(r"[、,，;；\n]+(?![^（(]*[）)])")
_TRAINING_RE = re.compile(r"^(.*?)\s*[（(]([^（）()]*)[）)]$")
_INT_RE = re.compile(r"^\d+$")


class _Bad(ValueError):
    """A cell that cannot be read; the message is the Japanese reason."""


@dataclass(frozen=True, slots=True)
class _Lookups:
    """Names in the file turned into records: districts, organisations, people."""

    districts: dict[str, uuid.UUID]
    organisations: dict[str, list[uuid.UUID]]
    people: dict[str, list[uuid.UUID]]
    ids: frozenset[uuid.UUID]
    district_of: dict[uuid.UUID, str]
    organisation_of: dict[uuid.UUID, str]
    person_of: dict[uuid.UUID, str]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...]
    read: Callable[[Any, _Lookups], Any]
    guide: str
    required: bool = False


# --- reading cells ------------------------------------------------------------------------------


def _text(value: Any, _: _Lookups | None = None) -> str:
    if isinstance(value, (datetime, date, time)):
        raise _Bad("日付や時刻として入力されています。セルの書式を「文字列」にしてください")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(unescape_text(clean_text(value)))


def _code(value: Any, lookups: _Lookups) -> str:
    """Postal codes and phone numbers: Excel may have turned 0991234567 into a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _Bad(
            "数値として入力されています（先頭の 0 が消えます）。"
            "セルの書式を「文字列」にしてください"
        )
    return _text(value, lookups)


def _date(value: Any, _: _Lookups) -> date:
    try:
        return parse_date(value)
    except DateParseError as exc:
        raise _Bad(str(exc)) from exc


def _count(value: Any, _: _Lookups) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("人").removesuffix("名")
    if _INT_RE.match(text):
        return int(text)
    raise _Bad(f"0 以上の整数で入力してください（「{clean_text(value)}」）")


def _choice(options: tuple[str, ...], aliases: dict[str, str] | None = None) -> Callable:
    by_key = {fold(o): o for o in options} | {fold(k): v for k, v in (aliases or {}).items()}

    def read(value: Any, lookups: _Lookups) -> str:
        text = _text(value, lookups)
        found = by_key.get(fold(text).replace(" ", ""))
        if found is None:
            raise _Bad(f"「{text}」は選べません（{'・'.join(options)}）")
        return found

    return read


def _choices(options: tuple[str, ...], aliases: dict[str, str] | None = None) -> Callable:
    one = _choice(options, aliases)

    def read(value: Any, lookups: _Lookups) -> tuple[str, ...]:
        found: list[str] = []
        for part in _WORD_SPLIT.split(_text(value, lookups)):
            if part:
                word = one(part, lookups)
                if word not in found:
                    found.append(word)
        return tuple(o for o in options if o in found)

    return read


def _words(value: Any, lookups: _Lookups) -> tuple[str, ...]:
    """Free words from an editable list (できること): new ones join the list."""
    parts = [" ".join(p.split()) for p in _LIST_SPLIT.split(_text(value, lookups))]
    return tuple(dict.fromkeys(p for p in parts if p))


def _district(value: Any, lookups: _Lookups) -> uuid.UUID:
    name = _text(value, lookups)
    found = lookups.districts.get(name) or lookups.districts.get(fold(name))
    if found is None:
        raise _Bad(f"地区「{name}」は登録されていません（地区台帳の名前と同じ字で書きます）")
    return found


def _districts(value: Any, lookups: _Lookups) -> tuple[uuid.UUID, ...]:
    return tuple(dict.fromkeys(_district(p, lookups) for p in _WORD_SPLIT.split(_text(value)) if p))


def _one_of(names: dict[str, list[uuid.UUID]], text: str, ids: frozenset[uuid.UUID], what: str):
    if len(text) >= 8:
        by_id = [i for i in ids if str(i).startswith(text.lower())]
        if len(by_id) == 1:
            return by_id[0]
    found = names.get(text, [])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise _Bad(f"{what}「{text}」は {len(found)} 件あります。ID で指定してください")
    raise _Bad(f"{what}「{text}」は登録されていません。先に登録してください")


def _organisation(value: Any, lookups: _Lookups) -> uuid.UUID:
    return _one_of(lookups.organisations, _text(value), lookups.ids, "組織・団体")


def _person(value: Any, lookups: _Lookups) -> uuid.UUID:
    return _one_of(lookups.people, _text(value), lookups.ids, "人")


def _people(value: Any, lookups: _Lookups) -> tuple[uuid.UUID, ...]:
    parts = [p.strip() for p in _LIST_SPLIT.split(_text(value)) if p.strip()]
    return tuple(dict.fromkeys(_person(p, lookups) for p in parts))


def _slots(value: Any, lookups: _Lookups) -> tuple[Slot, ...]:
    slots: list[Slot] = []
    for part in _SLOT_SPLIT.split(_text(value, lookups)):
        if part.strip():
            try:
                slots.append(parse_slot(part))
            except UserError as exc:
                raise _Bad(str(exc).rstrip("。")) from exc
    return tuple(slots)


def _trainings(value: Any, lookups: _Lookups) -> tuple[tuple[str, date | None], ...]:
    found: list[tuple[str, date | None]] = []
    for part in _TRAINING_SPLIT.split(_text(value, lookups)):
        part = part.strip()
        if not part:
            continue
        match = _TRAINING_RE.match(part)
        name, done = (match.group(1), _date(match.group(2), lookups)) if match else (part, None)
        found.append((" ".join(name.split()), done))
    return tuple(found)


_PERSON_ROLE = _choices(PERSON_ROLES, {"ボランティア": "担い手", "民生委員児童委員": "民生委員"})
_TARGETS = _choices(
    TARGET_GROUPS,
    {
        "障害者": "障がい者",
        "障害": "障がい者",
        "こども": "子ども",
        "子供": "子ども",
        "どなたでも": "誰でも",
    },
)

_ID = Column(
    "id",
    "ID",
    ("id", "ＩＤ", "番号"),
    _text,
    "書き出したファイルの ID。ある行は更新、空の行は新規。",
)
_NOTE = Column("note", "備考", ("メモ",), _text, "メモ。")
_READING = Column(
    "reading",
    "フリガナ",
    ("ふりがな", "よみ", "読み"),
    _text,
    "ひらがなかカタカナ。五十音順に使います。",
)
_DISTRICT = Column("district_id", "地区", ("地区名",), _district, "地区台帳にある地区名。")
_POSTAL = Column("postal_code", "郵便番号", ("〒",), _code, "例: 999-0001（文字列で）。")
_ADDRESS = Column("address", "住所", (), _text, "")
_PHONE = Column("phone", "電話", ("電話番号", "TEL"), _code, "例: 099-123-4567（文字列で）。")
_EMAIL = Column("email", "メール", ("メールアドレス", "e-mail", "Eメール"), _text, "")

COLUMNS: dict[str, tuple[Column, ...]] = {
    "people": (
        _ID,
        Column("name", "氏名", ("名前",), _text, "必須。", required=True),
        _READING,
        _DISTRICT,
        _POSTAL,
        _ADDRESS,
        _PHONE,
        _EMAIL,
        Column("organisation", "所属", ("所属団体",), _text, "所属する団体など（自由記入）。"),
        Column(
            "roles",
            "役割",
            (),
            _PERSON_ROLE,
            "・".join(PERSON_ROLES) + "（複数は「、」で区切る）。",
        ),
        Column(
            "consent_on",
            "同意日",
            ("個人情報同意日",),
            _date,
            "個人情報の利用に同意した日。空欄は同意未確認として一覧に印が付きます。",
        ),
        Column(
            "consent_scope",
            "同意の範囲",
            ("同意範囲",),
            _text,
            "例: 名簿・連絡に使用。同意日が必要です。",
        ),
        Column(
            "volunteer_status",
            "担い手の状態",
            ("活動状態",),
            _choice(VOLUNTEER_STATUSES, {"活動": "活動中", "休止中": "休止"}),
            "担い手なら 活動中・休止。役割が担い手で空欄なら活動中。",
        ),
        Column(
            "skills",
            "できること",
            ("スキル",),
            _words,
            "例: 送迎、買い物。一覧にない言葉は一覧に加わります。",
        ),
        Column(
            "availability",
            "活動できる日時",
            ("活動可能日時",),
            _slots,
            "例: 毎週火曜 14:00～16:00、第2・第4木曜 午前（複数は「、」か改行）。",
        ),
        Column(
            "covered_district_ids",
            "担当地区",
            ("活動地区",),
            _districts,
            "担い手が動ける地区（複数は「、」で区切る）。",
        ),
        Column(
            "trainings",
            "研修",
            ("受講研修",),
            _trainings,
            "例: 認知症サポーター養成講座（2024/5/1）。複数は「、」で区切る。",
        ),
        _NOTE,
    ),
    "organizations": (
        _ID,
        Column(
            "name", "名称", ("団体名", "組織名", "組織・団体名"), _text, "必須。", required=True
        ),
        _READING,
        Column(
            "kind",
            "種別",
            (),
            _text,
            "行政・社協・地域包括支援センター・自治会・NPO など。"
            "一覧にない種別は一覧に加わります。",
        ),
        _DISTRICT,
        _POSTAL,
        _ADDRESS,
        _PHONE,
        _EMAIL,
        _NOTE,
    ),
    "resources": (
        _ID,
        Column("name", "名称", ("活動名", "資源名"), _text, "必須。", required=True),
        _READING,
        Column(
            "category",
            "分類",
            ("カテゴリ", "種類"),
            _text,
            "居場所・サロン、見守り、配食 など。一覧にない分類は一覧に加わります。",
        ),
        Column(
            "target_groups",
            "対象",
            ("対象者",),
            _TARGETS,
            "・".join(TARGET_GROUPS) + "（複数は「、」で区切る）。",
        ),
        _DISTRICT,
        Column("venue", "会場", ("場所", "開催場所"), _text, ""),
        Column(
            "schedule",
            "日時",
            ("開催日時", "曜日・時間"),
            _slots,
            "例: 毎週火曜 14:00～16:00、第2・第4火曜 午後。複数は「、」か改行。",
        ),
        Column("fee", "参加費", ("費用", "料金"), _text, "例: 100円、無料。"),
        Column("capacity", "定員", (), _count, "人数（整数）。"),
        Column(
            "operator_id",
            "運営団体",
            ("運営", "主催"),
            _organisation,
            "登録済みの組織・団体の名前か ID。",
        ),
        Column(
            "contact_person_id",
            "担当者",
            ("連絡担当",),
            _person,
            "登録済みの人の名前か ID（住民向けの印刷には出ません）。",
        ),
        Column(
            "public_contact",
            "問い合わせ先",
            ("連絡先",),
            _text,
            "住民向けに印刷する窓口（例: 社協 099-900-1234）。",
        ),
        Column(
            "status",
            "状態",
            ("活動状況",),
            _choice(RESOURCE_STATUSES, {"休止中": "休止"}),
            "・".join(RESOURCE_STATUSES) + "。空欄の新規は活動中。",
        ),
        Column("started_on", "開始日", ("活動開始日",), _date, ""),
        Column(
            "helper_ids", "協力者", ("手伝う人",), _people, "手伝う人の名前か ID（複数は「、」）。"
        ),
        _NOTE,
    ),
}
_INPUT = {"people": PersonInput, "organizations": OrganisationInput, "resources": ResourceInput}
_MODEL = {"people": Person, "organizations": Organisation, "resources": Resource}
_PROBLEMS = {
    "people": person_problems,
    "organizations": organisation_problems,
    "resources": resource_problems,
}


def _header_key(text: str) -> str:
    key = re.sub(r"[\s※*]", "", fold(text))
    return re.sub(r"【[^】]*】|\([^()]*\)$", "", key)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UserError(
            f"「{kind}」は取り込み・書き出しできる種類ではありません（{'・'.join(KINDS)}）。"
        )


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: str
    created: int
    updated: int
    unchanged: int
    source: str
    ignored_columns: tuple[str, ...] = ()

    def summary(self) -> str:
        text = (
            f"{self.source} を取り込みました。{KINDS[self.kind]}: "
            f"新規 {self.created} 件・更新 {self.updated} 件・変更なし {self.unchanged} 件"
        )
        if self.ignored_columns:
            text += "（使わなかった列: " + "".join(f"「{c}」" for c in self.ignored_columns) + "）"
        return text


# --- import -------------------------------------------------------------------------------------


def _lookups(s: Session) -> _Lookups:
    names = district_names(s)
    districts: dict[str, uuid.UUID] = {}
    for district_id, name in names.items():
        districts[name] = district_id
        districts.setdefault(fold(name), district_id)
    organisations: dict[str, list[uuid.UUID]] = {}
    org_names: dict[uuid.UUID, str] = {}
    for o in _alive(s, Organisation):
        organisations.setdefault(o.name, []).append(o.id)
        org_names[o.id] = o.name
    people: dict[str, list[uuid.UUID]] = {}
    person_names: dict[uuid.UUID, str] = {}
    for p in _alive(s, Person):
        people.setdefault(p.name, []).append(p.id)
        person_names[p.id] = p.name
    return _Lookups(
        districts,
        organisations,
        people,
        frozenset(org_names) | frozenset(person_names),
        names,
        org_names,
        person_names,
    )


def _stored_rows(s: Session, kind: str) -> dict[uuid.UUID, Any]:
    names = district_names(s)
    if kind == "people":
        return {p.id: _person_row(p, names) for p in _alive(s, Person)}
    if kind == "organizations":
        return {o.id: _organisation_row(o, names) for o in _alive(s, Organisation)}
    return {r.id: r for r in _resource_rows(s)}


def _input_from_row(kind: str, row: Any) -> Any:
    """What is stored, in the shape a form would send: the base an update row changes."""
    cls = _INPUT[kind]
    return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


def _map_columns(
    kind: str, headers: tuple[str, ...], header_row: int
) -> tuple[dict[str, int], list[str], list[RowProblem]]:
    by_header = {
        _header_key(name): column
        for column in COLUMNS[kind]
        for name in (column.header, *column.aliases)
    }
    index: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[RowProblem] = []
    for i, header in enumerate(headers):
        column = by_header.get(_header_key(header)) if header else None
        if column is None:
            if header and _header_key(header) != _header_key(CONSENT_HEADER):
                ignored.append(header)
            continue
        if column.key in index:
            problems.append(
                RowProblem(header_row, header, f"「{column.header}」の列が二つあります")
            )
            continue
        index[column.key] = i
    for column in COLUMNS[kind]:
        if column.required and column.key not in index:
            found = "".join(f"「{h}」" for h in headers if h) or "なし"
            problems.append(
                RowProblem(
                    header_row,
                    "",
                    f"必要な列「{column.header}」がありません（見つかった列: {found}）。"
                    "最初の行に見出しを置いてください",
                )
            )
    return index, ignored, problems


def import_records(
    db: Database,
    kind: str,
    path: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import people, organisations or resources from .xlsx/.csv: all rows, or none.

    Every problem is collected and raised together as ``ImportRejected``; then the database is
    exactly as it was.
    """
    _check_kind(kind)
    path = Path(path)
    table = read_table(path)
    index, ignored, problems = _map_columns(kind, table.headers, table.header_row)
    if problems:
        raise ImportRejected(path.name, problems)
    columns = {c.key: c for c in COLUMNS[kind]}
    header_of = {key: table.headers[i] for key, i in index.items()}
    total = len(table.rows)
    try:
        with db.write() as s:
            lookups = _lookups(s)
            stored = _stored_rows(s, kind)
            # name + district of every record and of every new row, to refuse doubles
            taken: dict[tuple[str, uuid.UUID | None], tuple[uuid.UUID | None, int]] = {
                (row.name, row.district_id): (row.id, 0) for row in stored.values()
            }
            planned: list[tuple[int, uuid.UUID | None, Any]] = []
            seen_ids: dict[uuid.UUID, int] = {}
            for position, table_row in enumerate(table.rows):
                if progress is not None:
                    progress(position, total)
                values: dict[str, Any] = {}
                row_problems: list[RowProblem] = []
                for key, i in index.items():
                    cell = table_row.cells[i]
                    if cell is None or (isinstance(cell, str) and not cell.strip()):
                        continue
                    try:
                        values[key] = columns[key].read(cell, lookups)
                    except _Bad as exc:
                        row_problems.append(RowProblem(table_row.number, header_of[key], str(exc)))
                if str(values.get("note", "")).startswith(EXAMPLE_MARK):
                    continue
                record_id = None
                raw_id = values.pop("id", "")
                if raw_id:
                    try:
                        record_id = uuid.UUID(raw_id)
                    except ValueError:
                        record_id = None
                    if record_id not in stored:
                        row_problems.append(
                            RowProblem(
                                table_row.number,
                                header_of["id"],
                                f"ID「{raw_id}」の{KINDS[kind]}は登録されていません"
                                "（削除されたか、別のデータベースのファイルです）。"
                                "新しく登録するなら ID を空にしてください",
                            )
                        )
                    elif record_id in seen_ids:
                        row_problems.append(
                            RowProblem(
                                table_row.number,
                                header_of["id"],
                                f"同じ ID の行が {seen_ids[record_id]} 行目にもあります",
                            )
                        )
                    else:
                        seen_ids[record_id] = table_row.number
                problems += row_problems
                failed = {p.column for p in row_problems}
                if "id" in header_of and header_of["id"] in failed:
                    continue
                # The rest of the row is still checked, so one pass shows every problem.
                data = _build(kind, values, stored.get(record_id) if record_id else None)
                for message in _PROBLEMS[kind](data):
                    column = _column_named(message, header_of)
                    if column not in failed:
                        problems.append(RowProblem(table_row.number, column, message.rstrip("。")))
                key = (data.name.strip(), data.district_id)
                other = taken.get(key)
                if other is not None and (other[1] or other[0] != record_id):
                    where = (
                        f"（{lookups.district_of[key[1]]}）"
                        if key[1] in lookups.district_of
                        else ""
                    )
                    said = (
                        f"{other[1]} 行目と重複しています" if other[1] else "すでに登録されています"
                    )
                    problems.append(
                        RowProblem(
                            table_row.number,
                            header_of["name"],
                            f"「{data.name}」{where}は{said}。同じものなら書き出したファイルの"
                            " ID を付けて更新し、別のものなら名前で区別してください",
                        )
                    )
                taken[key] = (record_id, table_row.number)
                planned.append((table_row.number, record_id, data))
            if problems:
                raise ImportRejected(path.name, sorted(problems, key=lambda p: p.row))
            created = updated = unchanged = 0
            model = _MODEL[kind]
            for _, record_id, data in planned:
                if record_id is None:
                    record = model()
                    s.add(record)
                    created += 1
                else:
                    record = s.get(model, record_id)
                    if _input_from_row(kind, stored[record_id]) == data:
                        unchanged += 1
                        continue
                    record.updated_at = utcnow()
                    updated += 1
                _APPLY[kind](record, data)
                _learn_terms(s, data)
            s.flush()
    except UserError:
        raise
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise UserError(
            "データベースに保存できなかったため、取り込みを取り消しました。データは変更していません。",
            [f"詳細: {detail}"],
        ) from exc
    if progress is not None:
        progress(total, total)
    return ImportReport(kind, created, updated, unchanged, path.name, tuple(ignored))


_MESSAGE_COLUMNS = (
    ("フリガナ", "reading"),
    ("電話番号", "phone"),
    ("郵便番号", "postal_code"),
    ("メールアドレス", "email"),
    ("同意", "consent_on"),
    ("担い手の状態", "volunteer_status"),
    ("役割", "roles"),
    ("対象", "target_groups"),
    ("定員", "capacity"),
    ("種別", "kind"),
    ("状態", "status"),
    ("名", "name"),
)


def _column_named(message: str, header_of: dict[str, str]) -> str:
    """The column a record-level message is about, as the file names it."""
    for word, key in _MESSAGE_COLUMNS:
        if word in message and key in header_of:
            return header_of[key]
    return ""


_APPLY: dict[str, Callable[[Any, Any], None]] = {
    "people": _apply_person,
    "organizations": _apply_fields,
    "resources": _apply_resource,
}


def _build(kind: str, values: dict[str, Any], existing: Any) -> Any:
    if existing is not None:
        return replace(_input_from_row(kind, existing), **values)
    if (
        kind == "people"
        and "担い手" in values.get("roles", ())
        and not values.get("volunteer_status")
    ):
        values = values | {"volunteer_status": "活動中"}
    if kind == "resources" and "status" not in values:
        values = values | {"status": "活動中"}
    values.setdefault("name", "")
    return _INPUT[kind](**values)


# --- export -------------------------------------------------------------------------------------


def _cell(kind: str, key: str, row: Any, lookups: _Lookups) -> Any:
    value = getattr(row, key)
    if key in ("district_id",):
        return lookups.district_of.get(value, "") if value else ""
    if key == "covered_district_ids":
        return "、".join(lookups.district_of.get(d, "") for d in value)
    if key in ("operator_id",):
        return _name_or_id(value, lookups.organisation_of, lookups.organisations)
    if key == "contact_person_id":
        return _name_or_id(value, lookups.person_of, lookups.people)
    if key == "helper_ids":
        return "、".join(_name_or_id(h, lookups.person_of, lookups.people) for h in value)
    if key in ("availability", "schedule"):
        return "、".join(slot.describe() for slot in value)
    if key == "trainings":
        return "、".join(f"{name}（{done:%Y/%m/%d}）" if done else name for name, done in value)
    if isinstance(value, tuple):
        return "、".join(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _name_or_id(
    record_id: uuid.UUID | None, names: dict[uuid.UUID, str], by_name: dict[str, list[uuid.UUID]]
) -> str:
    """A name reads better; an ID when two records share the name, so the file imports back."""
    if record_id is None:
        return ""
    name = names.get(record_id, "")
    return name if len(by_name.get(name, [])) == 1 else str(record_id)


def _sheet(kind: str, rows: list[list[Any]], *, care: bool) -> Sheet:
    columns = COLUMNS[kind]
    text_columns = {
        i: "@" for i, c in enumerate(columns) if c.key in ("postal_code", "phone", "id")
    }
    title = KINDS[kind] + (f"（{HANDLE_WITH_CARE}）" if care else "")
    headers = [c.header for c in columns]
    if kind == "people" and rows and len(rows[0]) > len(columns):
        headers.append(CONSENT_HEADER)
    return Sheet(
        title,
        headers,
        rows,
        number_formats=text_columns,
        widths={0: 12},
        print_header=CARE_NOTICE if care else "",
    )


def export_records(db: Database, kind: str, path: Path, *, volunteers_only: bool = False) -> int:
    """Write ``kind`` to an .xlsx in the import format; returns the rows written.

    People (and so volunteers) carry the 取扱注意 mark in the sheet name, on every printed page
    and on a notice sheet; a person with contact details and no consent on record is flagged.
    """
    _check_kind(kind)
    if kind == "people":
        access_of(db).require(Action.EXPORT_PERSONAL)
    service = DirectoryService(db)
    with db.read() as s:
        lookups = _lookups(s)
    records: Iterable[Any]
    if kind == "people":
        records = service.list_people(volunteers_only=volunteers_only)
    elif kind == "organizations":
        records = service.list_organisations()
    else:
        records = service.list_resources()
    records = list(records)
    rows = [[_cell(kind, c.key, r, lookups) for c in COLUMNS[kind]] for r in records]
    if kind == "people":
        for row, person in zip(rows, records, strict=True):
            row.append(CONSENT_FLAG if person.needs_consent_flag else "")
    private_names = kind == "resources" and any(
        r.contact_person_id or r.helper_ids for r in records
    )
    sheets = [_sheet(kind, rows, care=kind == "people" or private_names)]
    if kind == "people":
        flagged = sum(1 for r in service.list_people() if r.needs_consent_flag)
        sheets.append(
            Sheet(
                HANDLE_WITH_CARE,
                [HANDLE_WITH_CARE],
                [
                    [CARE_NOTICE],
                    [f"書き出した日: {date.today():%Y/%m/%d}"],
                    [
                        f"同意日が空欄の {flagged} 人は、個人情報の利用の同意が確認できていません。"
                        "連絡先を使う前に同意を確認してください。"
                    ],
                ],
                widths={0: 100},
                wrap_columns=frozenset({0}),
                print_header=CARE_NOTICE,
            )
        )
    write_xlsx(Path(path), sheets)
    table = _MODEL[kind].__tablename__
    audit.record(db, audit.Event("書き出し", table, "", f"{len(rows)}件 → {Path(path).name}"))
    return len(rows)


# --- templates ----------------------------------------------------------------------------------

_EXAMPLES: dict[str, dict[str, str]] = {
    "people": {
        "name": "見本 花子",
        "reading": "ミホン ハナコ",
        "postal_code": "999-0001",
        "address": "○○市中央1-2-3",
        "phone": "099-000-0000",
        "roles": "住民、担い手",
        "consent_on": "令和6年4月1日",
        "consent_scope": "名簿・連絡に使用",
        "skills": "送迎、話し相手",
        "availability": "毎週火曜 午前、第2・第4木曜 14:00～16:00",
        "trainings": "認知症サポーター養成講座（2024/05/01）",
    },
    "organizations": {
        "name": "見本ボランティアの会",
        "reading": "ミホンボランティアノカイ",
        "kind": "ボランティア団体",
        "phone": "099-000-0000",
    },
    "resources": {
        "name": "見本いきいきサロン",
        "reading": "ミホンイキイキサロン",
        "category": "居場所・サロン",
        "target_groups": "高齢者、誰でも",
        "venue": "○○公民館",
        "schedule": "第2・第4火曜 14:00～16:00",
        "fee": "100円",
        "capacity": "20",
        "public_contact": "社会福祉協議会 099-000-0000",
        "status": "活動中",
    },
}


def write_template(kind: str, path: Path) -> None:
    """A blank import file (.xlsx with a 記入方法 sheet, or .csv) with one example row."""
    _check_kind(kind)
    path = Path(path)
    columns = COLUMNS[kind]
    example = [
        _EXAMPLES[kind].get(c.key, "")
        if c.key != "note"
        else f"{EXAMPLE_MARK}この行は記入例です。取り込む前に削除してください。"
        for c in columns
    ]
    if path.suffix.lower() == ".csv":
        write_csv(path, [c.header for c in columns], [example])
        return
    guide = [[c.header, "必須" if c.required else "", c.guide] for c in columns]
    guide += [
        [],
        ["日付の書き方", "", "2024/4/1、令和6年4月1日、R6.4.1、Excel の日付のセル。"],
        [
            "取り込みの確認",
            "",
            "ファイル全体を確認し、問題が1つでもあれば行と列と理由を示して、何も保存しません。",
        ],
        ["更新", "", "ID のある行はその記録の更新です。空欄のセルは今の値のまま残します。"],
        ["重複", "", "ID のない行で、同じ名前・同じ地区の記録がすでにあるときは取り込みません。"],
        ["記入例の行", "", "2行目は記入例です（備考が【記入例】で始まる行は取り込みません）。"],
    ]
    write_xlsx(
        path,
        [
            _sheet(kind, [example], care=False),
            Sheet(
                GUIDE_SHEET,
                ["項目", "必須", "書き方"],
                guide,
                widths={0: 16, 1: 8, 2: 90},
                wrap_columns=frozenset({2}),
            ),
        ],
    )


# --- Open Referral (HSDS) ---------------------------------------------------------------------

_HSDS_STATUS = {"活動中": "active", "準備中": "inactive", "休止": "inactive", "終了": "defunct"}


def export_hsds(db: Database, path: Path) -> int:
    """Activities as Open Referral HSDS 3 JSON (organizations, services with their schedules).

    For a city's open data or another system: only what a residents' booklet would show, so no
    private person's name or contact leaves this way. Returns the services written.
    """
    import json

    from shienapp.core.files import write_bytes_atomically

    service = DirectoryService(db)
    resources = service.list_resources()
    organisations = {
        str(o.id): {"id": str(o.id), "name": o.name, "description": o.kind}
        for o in service.list_organisations()
        if any(r.operator_id == o.id for r in resources)
    }
    services = []
    for r in resources:
        schedules = []
        for number, slot in enumerate(r.schedule):
            schedule = slot.to_hsds() | {
                "id": str(uuid.uuid5(r.id, f"schedule-{number}")),
                "service_id": str(r.id),
                "timezone": 9,  # UTC+9: HSDS gives the offset in hours
            }
            schedules.append(schedule)
        services.append(
            {
                "id": str(r.id),
                "organization_id": str(r.operator_id) if r.operator_id else None,
                "name": r.name,
                "alternate_name": r.reading,
                "description": "・".join(p for p in (r.category, *r.target_groups) if p),
                "status": _HSDS_STATUS.get(r.status, "inactive"),
                "fees_description": r.fee,
                "eligibility_description": "・".join(r.target_groups),
                "schedules": schedules,
                "locations": [{"name": r.venue, "description": r.district_name}] if r.venue else [],
                "contacts": [{"name": r.public_contact}] if r.public_contact else [],
                "capacities": [{"maximum": r.capacity, "unit": {"name": "人"}}]
                if r.capacity
                else [],
            }
        )
    document = {
        "organizations": list(organisations.values()),
        "services": services,
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    write_bytes_atomically(Path(path), text.encode("utf-8"))
    what = f"HSDS {len(services)}件 → {Path(path).name}"
    audit.record(db, audit.Event("書き出し", "resources", "", what))
    return len(services)
