"""Fuzzing every importer: whatever the file holds, the only error is the app's own.

For each importer a few hundred to a thousand generated files (mutated valid files, random
cells, rows, headers, encodings, sheet shapes, XML and exchange-file contents): an import either
succeeds, or raises ``UserError`` with a Japanese message and leaves every table of the database
exactly as it was. Any other exception is a bug.

Each test builds its own small database once (hypothesis runs many examples per test call) and
compares a plain ``sqlite3`` dump of every table before and after each rejected input.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import traceback
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from dbdump import changed_tables, file_rows
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy.exc import SQLAlchemyError

from shienapp.core import exchange_file
from shienapp.core.context import AppContext
from shienapp.core.directory import OrganisationInput, PersonInput, ResourceInput
from shienapp.core.directory_io import COLUMNS as DIRECTORY_COLUMNS
from shienapp.core.directory_io import export_records, import_records
from shienapp.core.directory_io import write_template as write_directory_template
from shienapp.core.district_io import (
    BLOCK_SHEET,
    HEADERS,
    export_districts,
    import_districts,
    write_template,
)
from shienapp.core.district_io import COLUMNS as DISTRICT_COLUMNS
from shienapp.core.districts import CouncilInput, DistrictInput, StatisticsInput
from shienapp.core.errors import UserError
from shienapp.core.network import Node, Tie
from shienapp.core.network_graphml import import_graphml, write_graphml
from shienapp.core.schedule import parse_slot
from shienapp.storage import schema

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graphml"
PASS = "fuzz passphrase"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        # the base files carry timestamps: an example saved by an earlier run would not replay
        database=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow explain
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # one database per test, not per example
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of exchange files: the key derivation is not what is under test here."""
    monkeypatch.setitem(exchange_file._SCRYPT, "n", 2**10)


# --- the property -----------------------------------------------------------------------------


dump = file_rows  # every row of every table, the audit trail too: a refusal writes nothing


@dataclass(frozen=True)
class KnownBug:
    """A crash already reported and being fixed: the fuzzing goes on past it."""

    name: str
    exception: type[BaseException] | tuple[type[BaseException], ...]
    where: tuple[str, ...]  # function names of which one must appear in the traceback

    def matches(self, exc: BaseException) -> bool:
        frames = {f.name for f in traceback.extract_tb(exc.__traceback__)}
        return isinstance(exc, self.exception) and bool(frames & set(self.where))


# Crashes found so far were fixed; each keeps a regression test with its smallest input at the
# end of this file (test_refuses_*). A crash found later can be listed here while it is fixed.
KNOWN_BUGS: tuple[KnownBug, ...] = ()


def copy_database(source: Path, target: Path) -> None:
    """Page by page through SQLite's backup API, so the app's open connections stay valid."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def attempt(db_file: Path, run: Callable[[], Any], known: tuple[KnownBug, ...] = ()) -> str:
    """Run one import; a refusal must be Japanese and leave the database as it was.

    An accepted import may change the database; it is then put back as it was, so that every
    example starts from the same database and a failure replays when hypothesis shrinks it.
    """
    pristine = db_file.with_name(db_file.name + ".pristine")
    if not pristine.exists():
        copy_database(db_file, pristine)
    before = dump(db_file)
    try:
        run()
    except UserError as exc:
        assert JAPANESE.search(exc.message), f"not Japanese: {exc.message!r}"
        after = dump(db_file)
        assert after == before, (
            f"rejected ({exc.message}) but changed {changed_tables(before, after)}"
        )
        event("rejected")
        return "rejected"
    except Exception as exc:
        for bug in known:
            if bug.matches(exc):
                after = dump(db_file)
                assert after == before, f"{bug.name}, and changed {changed_tables(before, after)}"
                event(f"known bug: {bug.name}")
                return "known"
        raise
    copy_database(pristine, db_file)
    event("accepted")
    return "accepted"


# --- shared generators ------------------------------------------------------------------------

# Text that openpyxl can store in a cell (no control characters but tab and newline).
cell_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), max_codepoint=0x2FFFF)
    | st.sampled_from("\n\t"),
    max_size=15,
)
any_text = st.text(max_size=15)


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes, max_ops: int = 4) -> bytes:
    """Flip, insert, delete, overwrite or cut bytes at random positions."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "set", "truncate"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if op == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete" and out:
            del out[at : at + draw(st.integers(1, 16))]
        elif op == "set" and out:
            out[at] = draw(st.integers(0, 255))
        elif op == "truncate":
            del out[at:]
    return bytes(out)


def csv_bytes(
    headers: list[str], rows: list[list[str]], encoding: str, delimiter: str, quoting: bool
) -> bytes:
    buffer = io.StringIO(newline="")
    if quoting:
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
    else:  # as a careless program writes it: quotes and commas in cells break the layout
        for row in [headers, *rows]:
            buffer.write(delimiter.join(row) + "\n")
    return buffer.getvalue().encode(encoding, errors="replace")


csv_encodings = st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16", "latin-1"])


def xlsx_cells(pool: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(pool),
        st.sampled_from(pool),
        cell_text,
        st.none(),
        st.integers(-(10**15), 10**15),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.dates(min_value=date(1900, 3, 1)),
        st.datetimes(min_value=datetime(1900, 3, 1)),
        st.times(),
    )


@st.composite
def xlsx_bytes(
    draw: st.DrawFn,
    headers: st.SearchStrategy[list[str]],
    cells: st.SearchStrategy[Any],
    extra_sheets: list[str],
) -> bytes:
    """A workbook of random shape: title rows, ragged rows, gaps, more sheets."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if draw(st.booleans()):
        sheet.title = draw(st.sampled_from(["Sheet1", "地区台帳", "名簿", *extra_sheets]))
    for _ in range(draw(st.integers(0, 2))):  # a title or an empty row above the header
        sheet.append(draw(st.lists(cells, max_size=2)))
    sheet.append(draw(headers))
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 9)) == 0:
            sheet.append([])
        sheet.append(draw(st.lists(cells, max_size=20)))
    for name in draw(st.lists(st.sampled_from(extra_sheets), max_size=2, unique=True)):
        extra = book.create_sheet(name if name != sheet.title else name + "2")
        for _ in range(draw(st.integers(0, 4))):
            extra.append(draw(st.lists(cells, max_size=5)))
    if draw(st.integers(0, 9)) == 0:  # the sheet with the data is not the first one
        book.move_sheet(sheet, offset=len(book.sheetnames) - 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- 1. districts -----------------------------------------------------------------------------

DISTRICT_HEADERS = [
    name for column in DISTRICT_COLUMNS for name in (column.header, *column.aliases)
] + [
    "高齢化率",
    "高齢化率(%)",
    "地区名（必須）",
    "※地区名",
    "【必須】ブロック",
    "総人口(人)",
    "",
    "x",
]

DISTRICT_CELLS = [
    *("北ブロック", "南ブロック", "記入例ブロック", "新ブロック", "ｷﾀﾌﾞﾛｯｸ", "きたブロック"),
    *("井野", "日野", "記入例地区", "ｲﾉ", "いの", "合計", "小計", "001", "007", "イノ", "ino"),
    *("設置済", "設置済み", "未設置", "休止", "休止中", "準備中", "廃止"),
    *("2020/4/1", "令和6年4月1日", "R6.4.1", "1999/1/1", "2024-02-30", "令和元年5月1日"),
    *("平成31年5月1日", "2100/1/1", "45000", "2024", "令和6年度", "R6", "H30", "令和99年度"),
    *("0", "-1", "3000", "900", "400", "1,234", "１２３", "3000.0", "1.5", "1e3", "10**9"),
    *("99999999999999999999", "高齢", "高齢、子ども", "子供・障がい", "宇宙", "佐藤"),
    *("【記入例】", "=SUM(A1:A2)", "'=x", "", " ", "\u3000", "a\nb", 'x"y', "a,b"),
    "あ" * 101,
    "ア" * 201,
]


@dataclass
class DistrictWorld:
    ctx: AppContext
    db_file: Path
    folder: Path
    bases: dict[str, bytes]


@pytest.fixture
def district_world(tmp_path: Path) -> Iterator[DistrictWorld]:
    db_file = tmp_path / "districts.sqlite3"
    ctx = AppContext.open(db_file)
    service = ctx.districts
    north, _ = service.create_block("北ブロック", "きた", None)
    service.create_block("南ブロック", "みなみ", None)
    district_id, _ = service.create_district(
        DistrictInput(
            "井野",
            "いの",
            north.id,
            code="001",
            note="駅の北側",
            council=CouncilInput(
                status="設置済",
                established_on=date(2019, 6, 1),
                coordinator_name="田中",
                domains=("高齢",),
            ),
        )
    )
    service.set_statistics(
        district_id, StatisticsInput(2023, 4000, 1200, 600, 1800, 250, as_of=date(2023, 4, 1))
    )
    bases: dict[str, bytes] = {}
    for name in ("template.xlsx", "template.csv", "export.xlsx"):
        path = tmp_path / name
        if name.startswith("export"):
            export_districts(ctx.db, path)
        else:
            write_template(path)
        bases[name] = path.read_bytes()
    folder = tmp_path / "in"
    folder.mkdir()
    try:
        yield DistrictWorld(ctx, db_file, folder, bases)
    finally:
        ctx.close()


district_cells = st.one_of(
    st.sampled_from(DISTRICT_CELLS), st.sampled_from(DISTRICT_CELLS), any_text
)
district_headers = st.one_of(
    st.just(list(HEADERS)),
    st.permutations(list(HEADERS)).flatmap(lambda h: st.integers(2, len(h)).map(lambda n: h[:n])),
    st.lists(st.sampled_from(DISTRICT_HEADERS), min_size=1, max_size=18),
)


@st.composite
def district_csv(draw: st.DrawFn) -> tuple[str, bytes]:
    headers = draw(district_headers)
    width = len(headers)
    rows = draw(
        st.lists(
            st.lists(district_cells, min_size=max(width - 2, 0), max_size=width + 1),
            max_size=6,
        )
    )
    data = csv_bytes(
        headers,
        rows,
        draw(csv_encodings),
        draw(st.sampled_from([",", ",", "\t"])),
        draw(st.booleans()) or draw(st.booleans()),
    )
    if draw(st.integers(0, 4)) == 0:
        data = draw(byte_mutations(data))
    return "csv", data


def district_inputs(bases: dict[str, bytes]) -> st.SearchStrategy[tuple[str, bytes]]:
    return st.one_of(
        district_csv(),
        district_csv(),
        xlsx_bytes(
            district_headers, xlsx_cells(DISTRICT_CELLS), [BLOCK_SHEET, "記入方法", "地区台帳"]
        ).map(lambda b: ("xlsx", b)),
        st.sampled_from(sorted(bases)).flatmap(
            lambda name: byte_mutations(bases[name]).map(lambda b: (name.split(".")[-1], b))
        ),
    )


@pytest.mark.slow
@fuzz(900)
@given(data=st.data())
def test_district_import_fuzz(district_world: DistrictWorld, data: st.DataObject) -> None:
    world = district_world
    suffix, content = data.draw(district_inputs(world.bases), label="file")
    suffix = data.draw(st.sampled_from([suffix, suffix, suffix, "xlsm", "txt"]), label="suffix")
    create_blocks = data.draw(st.booleans(), label="create_blocks")
    cancel_after = data.draw(st.none() | st.integers(0, 12), label="cancel_after")
    path = world.folder / f"地区.{suffix}"
    path.write_bytes(content)
    calls = [0]

    def is_cancelled() -> bool:
        calls[0] += 1
        return cancel_after is not None and calls[0] > cancel_after

    attempt(
        world.db_file,
        lambda: import_districts(
            world.ctx.db,
            path,
            create_blocks=create_blocks,
            progress=lambda _d, _t: None,
            is_cancelled=is_cancelled,
        ),
        KNOWN_BUGS,
    )


# --- 2. people, organisations, activities -----------------------------------------------------

DIRECTORY_CELLS = [
    *("中居", "八幡", "ﾅｶｲ", "なかい", "中居、八幡", "宇宙", "石川 和子", "石川　和子"),
    *("中居地区社協", "中居いきいきサロン", "住民、担い手", "ボランティア", "民生委員児童委員"),
    *("担い手", "宇宙人", "活動中", "休止", "休止中", "終了", "準備中", "高齢者、誰でも"),
    *("こども", "障害", "毎週火曜 14:00～16:00", "第2・第4木曜 午前", "毎週", "第6火曜"),
    *("毎週火曜 25:00～26:00", "毎週火曜 16:00～14:00", "隔週", "第3水曜 午後、毎週月曜"),
    *("認知症サポーター養成講座（2024/5/1）", "講座（2024/13/1）", "研修(", "研修()"),
    *("2024/4/1", "令和6年4月1日", "R6.4.1", "2024-02-30", "1800/1/1", "20", "20人", "-1"),
    *("1.5", "１２", "999-0001", "0991234567", "099-123-4567", "a@b", "x@example.jp"),
    *("送迎、買い物", "社協", "NPO", "居場所・サロン", "100円", "【記入例】", "=1+1", "'=x"),
    *("", " ", "\u3000", "a\nb", 'x"y', "00000000", "ffffffff", "zzzzzzzzzz"),
    "あ" * 201,
]


@dataclass
class DirectoryWorld:
    ctx: AppContext
    db_file: Path
    folder: Path
    bases: dict[str, bytes]
    ids: list[str]


@pytest.fixture
def directory_world(tmp_path: Path) -> Iterator[DirectoryWorld]:
    db_file = tmp_path / "directory.sqlite3"
    ctx = AppContext.open(db_file)
    block, _ = ctx.districts.create_block("東ブロック", "ひがし", None)
    nakai, _ = ctx.districts.create_district(DistrictInput("中居", "なかい", block.id))
    yawata, _ = ctx.districts.create_district(DistrictInput("八幡", "やわた", block.id))
    operator, _ = ctx.directory.create_organisation(
        OrganisationInput(name="中居地区社協", reading="なかいちくしゃきょう", kind="社協")
    )
    helper, _ = ctx.directory.create_person(
        PersonInput(
            name="石川 和子",
            reading="いしかわ かずこ",
            district_id=nakai,
            postal_code="999-0001",
            phone="099-123-4567",
            roles=("住民", "担い手"),
            consent_on=date(2024, 4, 1),
            consent_scope="名簿・連絡",
            volunteer_status="活動中",
            skills=("送迎", "話し相手"),
            availability=(parse_slot("毎週火・木曜 午前"),),
            covered_district_ids=(nakai, yawata),
            trainings=(("認知症サポーター養成講座", date(2023, 6, 5)),),
        )
    )
    twin, _ = ctx.directory.create_person(PersonInput(name="石川 和子", district_id=yawata))
    salon, _ = ctx.directory.create_resource(
        ResourceInput(
            name="中居いきいきサロン",
            reading="なかいいきいきさろん",
            category="居場所・サロン",
            target_groups=("高齢者", "誰でも"),
            district_id=nakai,
            schedule=(parse_slot("第3水曜 午後"),),
            capacity=20,
            operator_id=operator,
            contact_person_id=helper,
            started_on=date(2019, 5, 1),
            helper_ids=(helper,),
        )
    )
    bases: dict[str, bytes] = {}
    for kind in DIRECTORY_COLUMNS:
        for suffix in ("xlsx", "csv"):
            path = tmp_path / f"template-{kind}.{suffix}"
            write_directory_template(kind, path)
            bases[path.name] = path.read_bytes()
        path = tmp_path / f"export-{kind}.xlsx"
        export_records(ctx.db, kind, path)
        bases[path.name] = path.read_bytes()
    folder = tmp_path / "in"
    folder.mkdir()
    ids = [str(i) for i in (nakai, yawata, operator, helper, twin, salon)]
    try:
        yield DirectoryWorld(ctx, db_file, folder, bases, ids)
    finally:
        ctx.close()


def directory_headers(kind: str) -> st.SearchStrategy[list[str]]:
    columns = DIRECTORY_COLUMNS[kind]
    names = [n for c in columns for n in (c.header, *c.aliases)] + ["同意の確認", "", "x"]
    official = [c.header for c in columns]
    return st.one_of(
        st.just(official),
        st.permutations(official).flatmap(lambda h: st.integers(1, len(h)).map(lambda n: h[:n])),
        st.lists(st.sampled_from(names), min_size=1, max_size=len(official) + 2),
    )


@st.composite
def directory_file(draw: st.DrawFn, kind: str, bases: dict[str, bytes], ids: list[str]) -> Any:
    pool = DIRECTORY_CELLS + ids + [i[:8] for i in ids] + [str(uuid.uuid4())]
    cells = st.one_of(st.sampled_from(pool), st.sampled_from(pool), any_text)
    headers = directory_headers(kind)
    shape = draw(st.sampled_from(["csv", "csv", "xlsx", "base"]))
    if shape == "base":
        name = draw(st.sampled_from(sorted(n for n in bases if kind in n)))
        return name.split(".")[-1], draw(byte_mutations(bases[name]))
    if shape == "xlsx":
        return "xlsx", draw(xlsx_bytes(headers, xlsx_cells(pool), ["記入方法", "名簿"]))
    header = draw(headers)
    rows = draw(
        st.lists(
            st.lists(cells, min_size=max(len(header) - 2, 0), max_size=len(header) + 1),
            max_size=6,
        )
    )
    data = csv_bytes(
        header,
        rows,
        draw(csv_encodings),
        draw(st.sampled_from([",", ",", "\t"])),
        draw(st.booleans()) or draw(st.booleans()),
    )
    if draw(st.integers(0, 4)) == 0:
        data = draw(byte_mutations(data))
    return "csv", data


@pytest.mark.slow
@fuzz(900)
@given(data=st.data())
def test_directory_import_fuzz(directory_world: DirectoryWorld, data: st.DataObject) -> None:
    world = directory_world
    kind = data.draw(st.sampled_from(sorted(DIRECTORY_COLUMNS)), label="kind")
    suffix, content = data.draw(directory_file(kind, world.bases, world.ids), label="file")
    path = world.folder / f"名簿.{suffix}"
    path.write_bytes(content)
    attempt(
        world.db_file,
        lambda: import_records(world.ctx.db, kind, path, progress=lambda _d, _t: None),
        KNOWN_BUGS,
    )


# --- 3. GraphML -------------------------------------------------------------------------------

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_ATTRIBUTES = [
    *("id", "source", "target", "key", "for", "attr.name", "attr.type", "edgedefault"),
    *("directed", "yfiles.type", "x", "y", "height", "parse.nodeids", "sourceport"),
]
GRAPHML_VALUES = [
    *("int", "long", "float", "double", "boolean", "string", "junk", ""),
    *("node", "edge", "graph", "all", "directed", "undirected"),
    *("nan", "NaN", "inf", "-inf", "1e400", "-0", "1e7", "true", "false", "True", "yes"),
    *("1", "0", "-5", "3.7", "2.5", "関係", "見守り", "連携", "支援", "人", "組織", "高齢"),
    *("label", "weight", "strength", "relation", "kind", "domain", "x", "y", "note", "pinned"),
    *("n0", "n1", "n2", "e0", "d0", "d5", "d9", "0", "1", "2", "G", str(uuid.UUID(int=1))),
    "あ" * 250,
    "<",
    "&amp;",
]
GRAPHML_TAGS = ["node", "edge", "data", "key", "graph", "default", "desc", "hyperedge", "port"]


@dataclass
class GraphWorld:
    ctx: AppContext
    db_file: Path
    folder: Path
    bases: dict[str, bytes]


@pytest.fixture
def graph_world(tmp_path: Path) -> Iterator[GraphWorld]:
    db_file = tmp_path / "maps.sqlite3"
    ctx = AppContext.open(db_file)
    map_id, _ = ctx.network.create_map("既存の地図")
    a = Node(uuid.uuid4(), "社協", domain="高齢", x=10.0, y=20.0)
    b = Node(uuid.uuid4(), "自治会", kind="組織", domain="全世代", pinned=True)
    c = Node(uuid.uuid4(), "民生委員", kind="人", note="メモ")
    ties = [
        Tie(uuid.uuid4(), a.key, b.key, relation="連携", strength=3, directed=True),
        Tie(uuid.uuid4(), b.key, c.key, strength=1, note="月1回"),
    ]
    ctx.network.save_working(map_id, ctx.network.document(map_id).map_version, [a, b, c], ties)
    ours = tmp_path / "ours.graphml"
    write_graphml(ctx.network.document(map_id), ours)
    bases = {
        "ours": ours.read_bytes(),
        "yed": (FIXTURES / "yed_style.graphml").read_bytes(),
        "gephi": (FIXTURES / "gephi_style.graphml").read_bytes(),
    }
    folder = tmp_path / "in"
    folder.mkdir()
    try:
        yield GraphWorld(ctx, db_file, folder, bases)
    finally:
        ctx.close()


graphml_values = st.one_of(
    st.sampled_from(GRAPHML_VALUES), st.sampled_from(GRAPHML_VALUES), cell_text
)
xml_op = st.one_of(
    st.tuples(
        st.just("attr"),
        st.integers(0, 10**6),
        st.sampled_from(GRAPHML_ATTRIBUTES),
        graphml_values,
    ),
    st.tuples(st.just("text"), st.integers(0, 10**6), graphml_values),
    st.tuples(st.just("drop"), st.integers(0, 10**6)),
    st.tuples(st.just("dup"), st.integers(0, 10**6)),
    st.tuples(
        st.just("add"),
        st.integers(0, 10**6),
        st.sampled_from(GRAPHML_TAGS),
        st.dictionaries(st.sampled_from(GRAPHML_ATTRIBUTES), graphml_values, max_size=4),
    ),
)


def mutate_xml(source: bytes, ops: list[tuple[Any, ...]]) -> bytes:
    """The file with elements changed, dropped, copied or added (namespaces kept)."""
    root = ET.fromstring(source)
    for op in ops:
        elements = list(root.iter())
        parents = {child: parent for parent in elements for child in parent}
        target = elements[op[1] % len(elements)]
        kind = op[0]
        if kind == "attr":
            # an existing attribute half the time, so known keys get wrong values
            names = list(target.attrib) or [op[2]]
            name = names[op[1] % len(names)] if op[1] % 2 else op[2]
            target.set(name, op[3])
        elif kind == "text":
            target.text = op[2]
        elif kind == "drop" and target in parents:
            parents[target].remove(target)
        elif kind == "dup" and target in parents:
            parents[target].append(ET.fromstring(ET.tostring(target)))
        elif kind == "add":
            ET.SubElement(target, f"{{{GRAPHML_NS}}}{op[2]}", op[3])
    return ET.tostring(root, encoding="utf-8")


@st.composite
def graphml_file(draw: st.DrawFn, bases: dict[str, bytes]) -> bytes:
    base = bases[draw(st.sampled_from(sorted(bases)))]
    ops = draw(st.lists(xml_op, max_size=6))
    data = mutate_xml(base, ops) if ops else base
    if draw(st.integers(0, 3)) == 0:
        data = draw(byte_mutations(data))
    return data


@pytest.mark.slow
@fuzz(1000)
@given(data=st.data())
def test_graphml_import_fuzz(graph_world: GraphWorld, data: st.DataObject) -> None:
    world = graph_world
    content = data.draw(graphml_file(world.bases), label="file")
    path = world.folder / "地図.graphml"
    path.write_bytes(content)
    attempt(world.db_file, lambda: import_graphml(world.ctx.network, path), KNOWN_BUGS)


# --- 4. the exchange file ---------------------------------------------------------------------


@dataclass
class ExchangeWorld:
    target: AppContext
    db_file: Path
    folder: Path
    valid: bytes
    source_id: str
    target_id: str
    manifest: dict[str, Any]
    tables: dict[str, dict[str, Any]]


@pytest.fixture
def exchange_world(tmp_path: Path, _cheap_scrypt: None) -> Iterator[ExchangeWorld]:
    source = AppContext.open(tmp_path / "source.sqlite3")
    target = AppContext.open(tmp_path / "target.sqlite3")
    try:
        source.sync.rename_device("本所PC")
        target.sync.rename_device("ノートPC")  # the device row exists before any import
        block, _ = source.districts.create_block("北ブロック", "きた", None)
        district, _ = source.districts.create_district(
            DistrictInput("井野", "いの", block.id, council=CouncilInput(status="設置済"))
        )
        person, _ = source.directory.create_person(
            PersonInput(name="住民 一", district_id=district)
        )
        source.directory.create_person(PersonInput(name="住民 二"))
        first = tmp_path / "first.shienx"
        source.sync.export(first, PASS)
        target.sync.import_file(first, PASS)
        # both sides change the same person, so the fuzzed file also merges and conflicts
        with source.db.write() as s:
            from shienapp.storage.models import Person

            record = s.get(Person, person)
            assert record is not None
            record.phone = "03-1111"
        with target.db.write() as s:
            from shienapp.storage.models import Person

            record = s.get(Person, person)
            assert record is not None
            record.phone = "03-2222"
        source.directory.create_person(PersonInput(name="住民 三", district_id=district))
        valid_path = tmp_path / "valid.shienx"
        source.sync.export(valid_path, PASS)
        valid = valid_path.read_bytes()
        decoded = exchange_file.decode(valid, PASS)
        folder = tmp_path / "in"
        folder.mkdir()
        yield ExchangeWorld(
            target,
            tmp_path / "target.sqlite3",
            folder,
            valid,
            source.sync.device().device_id.hex,
            target.sync.device().device_id.hex,
            decoded.manifest,
            decoded.tables,
        )
    finally:
        source.close()
        target.close()


@pytest.mark.slow
@fuzz(900)
@given(data=st.data())
def test_exchange_file_byte_fuzz(exchange_world: ExchangeWorld, data: st.DataObject) -> None:
    world = exchange_world
    content = data.draw(byte_mutations(world.valid), label="file")
    passphrase = data.draw(st.sampled_from([PASS, PASS, PASS, "wrong passphrase", ""]))
    path = world.folder / "持ち帰り.shienx"
    path.write_bytes(content)
    attempt(world.db_file, lambda: world.target.sync.import_file(path, passphrase), KNOWN_BUGS)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(
        [
            *("zz", "not-hex", "0" * 32, "f" * 32, str(uuid.uuid4()), uuid.uuid4().hex),
            *("2024-01-01T00:00:00", "2024-01-01", "12:00:00", "2024-13-45", "設置済"),
        ]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def exchange_ops(tables: dict[str, dict[str, Any]]) -> st.SearchStrategy[tuple[Any, ...]]:
    names = sorted(tables)
    known_columns = sorted({c for t in tables.values() for c in t["columns"]})
    table = st.sampled_from(names)
    index = st.integers(0, 10**6)
    return st.one_of(
        st.tuples(st.just("drop_table"), table),
        st.tuples(
            st.just("rename_table"),
            table,
            st.sampled_from(["unknown_table", "sync_records", "sqlite_master", *names]),
        ),
        st.tuples(st.just("drop_column"), table, index),
        st.tuples(st.just("add_column"), table, st.sampled_from([*known_columns, "zzz", "id", ""])),
        st.tuples(st.just("swap_columns"), table, index, index),
        st.tuples(st.just("shorten_row"), table, index),
        st.tuples(st.just("lengthen_row"), table, index, json_values),
        st.tuples(st.just("set_cell"), table, index, index, json_values),
        st.tuples(st.just("set_cell"), table, index, index, json_values),
        st.tuples(st.just("set_cell"), table, index, st.just("id"), json_values),
        st.tuples(st.just("copy_row"), table, index),
        st.tuples(st.just("drop_row"), table, index),
        st.tuples(st.just("drop_lineage"), table, index),
        st.tuples(st.just("set_lineage"), table, index, json_values),
        st.tuples(
            st.just("set_part"), table, st.sampled_from(["columns", "rows", "lineage"]), json_values
        ),
        st.tuples(st.just("set_payload"), table, json_values),
        st.tuples(st.just("set_count"), table, json_values),
        st.tuples(st.just("fix_counts")),
        st.tuples(
            st.just("set_manifest"),
            st.sampled_from(["counts", "districts", "total", "source_device", "schema", "x"]),
            json_values,
        ),
    )


def apply_exchange_op(
    manifest: dict[str, Any], tables: dict[str, Any], op: tuple[Any, ...]
) -> None:
    kind = op[0]
    counts = manifest.get("counts")
    if kind == "fix_counts":
        manifest["counts"] = {
            n: len(t.get("rows", []))
            if isinstance(t, dict) and isinstance(t.get("rows"), list)
            else 0
            for n, t in tables.items()
        }
        return
    if kind == "set_manifest":
        manifest[op[1]] = op[2]
        return
    name = op[1]
    if name not in tables:
        return
    payload = tables[name]
    if kind == "drop_table":
        del tables[name]
        return
    if kind == "rename_table":
        tables[op[2]] = tables.pop(name)
        if isinstance(counts, dict):
            counts[op[2]] = counts.pop(name, None)
        return
    if kind == "set_payload":
        tables[name] = op[2]
        return
    if kind == "set_count":
        if isinstance(counts, dict):
            counts[name] = op[2]
        return
    if not isinstance(payload, dict):
        return
    if kind == "set_part":
        payload[op[2]] = op[3]
        return
    columns, rows, lineage = payload.get("columns"), payload.get("rows"), payload.get("lineage")
    if not (isinstance(columns, list) and isinstance(rows, list) and isinstance(lineage, list)):
        return
    if kind == "drop_column" and columns:
        at = op[2] % len(columns)
        del columns[at]
        for row in rows:
            if isinstance(row, list) and len(row) > at:
                del row[at]
    elif kind == "add_column":
        columns.append(op[2])
        for row in rows:
            if isinstance(row, list):
                row.append(None)
    elif kind == "swap_columns" and columns:
        i, j = op[2] % len(columns), op[3] % len(columns)
        columns[i], columns[j] = columns[j], columns[i]  # the cells stay where they were
    elif rows and kind in ("shorten_row", "lengthen_row", "set_cell", "copy_row", "drop_row"):
        at = op[2] % len(rows)
        row = rows[at]
        if kind == "copy_row":
            rows.append(json.loads(json.dumps(row)))
            if lineage:
                lineage.append(lineage[at % len(lineage)])
        elif kind == "drop_row":
            del rows[at]
        elif not isinstance(row, list) or not row:
            return
        elif kind == "shorten_row":
            row.pop()
        elif kind == "lengthen_row":
            row.append(op[3])
        elif kind == "set_cell":
            col = columns.index("id") if op[3] == "id" and "id" in columns else None
            col = col if col is not None else (op[3] if isinstance(op[3], int) else 0) % len(row)
            row[col] = op[4]
    elif lineage and kind in ("drop_lineage", "set_lineage"):
        at = op[2] % len(lineage)
        if kind == "drop_lineage":
            del lineage[at]
        else:
            lineage[at] = op[3]


@pytest.mark.slow
@fuzz(500)
@given(data=st.data())
def test_exchange_file_content_fuzz(exchange_world: ExchangeWorld, data: st.DataObject) -> None:
    world = exchange_world
    manifest = json.loads(json.dumps(world.manifest))
    tables = json.loads(json.dumps(world.tables))
    manifest.pop("checksum", None)
    ops = data.draw(st.lists(exchange_ops(tables), max_size=4), label="ops")
    for op in ops:
        apply_exchange_op(manifest, tables, op)
    device_id = data.draw(
        st.sampled_from([world.source_id] * 6 + [world.target_id, "not-hex", "", uuid.uuid4().hex])
        | st.just(str(uuid.uuid4())),
        label="device_id",
    )
    revision = data.draw(
        st.sampled_from([schema.HEAD] * 12 + ["9999_future", "", schema.REVISIONS[-2]]),
        label="schema",
    )
    note(f"manifest={manifest!r}")
    content = exchange_file.encode(
        PASS,
        device_id=device_id,
        device_name=data.draw(st.sampled_from(["本所PC", ""]) | any_text, label="device_name"),
        schema=revision,
        created_at=data.draw(st.sampled_from([manifest.get("created_at", ""), "x"]), label="at"),
        manifest=manifest,
        tables=tables,
    )
    path = world.folder / "持ち帰り.shienx"
    path.write_bytes(content)
    attempt(world.db_file, lambda: world.target.sync.import_file(path, PASS), KNOWN_BUGS)


# --- the crashes found, each with its smallest input ------------------------------------------
#
# Each was a crash (an exception other than the app's own) until fixed; now each input must be
# refused with a Japanese UserError and leave the database unchanged.


def expect_refusal(db_file: Path, run: Callable[[], Any]) -> None:
    before = dump(db_file)
    with pytest.raises(UserError) as caught:
        run()
    assert JAPANESE.search(caught.value.message)
    assert dump(db_file) == before


def damaged_deflate(xlsx: bytes, member: str = "xl/workbook.xml") -> bytes:
    """The workbook with one member's deflate stream starting with an invalid block type."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        offset = archive.getinfo(member).header_offset
    out = bytearray(xlsx)
    name_length = int.from_bytes(out[offset + 26 : offset + 28], "little")
    extra_length = int.from_bytes(out[offset + 28 : offset + 30], "little")
    out[offset + 30 + name_length + extra_length] = 0xFF  # BFINAL=1, BTYPE=11: reserved
    return bytes(out)


def test_refuses_damaged_xlsx_district_import(district_world: DistrictWorld) -> None:
    path = district_world.folder / "地区.xlsx"
    path.write_bytes(damaged_deflate(district_world.bases["template.xlsx"]))
    expect_refusal(district_world.db_file, lambda: import_districts(district_world.ctx.db, path))


def test_refuses_damaged_xlsx_directory_import(directory_world: DirectoryWorld) -> None:
    path = directory_world.folder / "名簿.xlsx"
    path.write_bytes(damaged_deflate(directory_world.bases["template-people.xlsx"]))
    expect_refusal(
        directory_world.db_file, lambda: import_records(directory_world.ctx.db, "people", path)
    )


def test_refuses_scrypt_parameters_in_the_header(exchange_world: ExchangeWorld) -> None:
    path = exchange_world.folder / "持ち帰り.shienx"
    assert exchange_world.valid.count(b'"n": 1024') == 1
    path.write_bytes(exchange_world.valid.replace(b'"n": 1024', b'"n": 1025'))  # one bit
    expect_refusal(
        exchange_world.db_file, lambda: exchange_world.target.sync.import_file(path, PASS)
    )


@pytest.mark.parametrize("weight", ["nan", "inf", "-inf"])
def test_a_graphml_weight_that_is_not_a_number_gets_the_default_strength(
    graph_world: GraphWorld, weight: str
) -> None:
    """It was a crash (round() of NaN); a weight that is not a finite number is read as
    missing, as a position already was."""
    text = graph_world.bases["gephi"].decode("utf-8")
    path = graph_world.folder / "地図.graphml"
    path.write_text(
        re.sub(r'(<data key="weight">)[^<]*', rf"\g<1>{weight}", text, count=1), "utf-8"
    )
    map_id, _nodes, ties, _changes = import_graphml(graph_world.ctx.network, path)
    document = graph_world.ctx.network.document(map_id)
    assert ties == len(document.ties) > 0
    assert {tie.strength for tie in document.ties} <= {1, 2, 3}


# (ops as in test_exchange_file_content_fuzz, device id or None for the source's, schema or
# None for HEAD, the exception it raised before the fix)
CONTENT_CRASHES: dict[str, tuple[list[tuple[Any, ...]], str | None, str | None, type]] = {
    "payload_not_an_object": ([("set_payload", "blocks", None)], None, None, AttributeError),
    "counts_not_an_object": ([("set_manifest", "counts", None)], None, None, AttributeError),
    "rows_null": ([("set_part", "blocks", "rows", None)], None, None, TypeError),
    "columns_null": ([("set_part", "blocks", "columns", None)], None, None, TypeError),
    "rows_an_object": ([("set_part", "blocks", "rows", {"": None})], None, None, IndexError),
    "unknown_table": ([("rename_table", "blocks", "unknown_table")], None, None, KeyError),
    "row_too_short": ([("shorten_row", "people", 0)], None, None, ValueError),
    "lineage_an_object": ([("set_lineage", "blocks", 0, {"": None})], None, None, KeyError),
    "lineage_a_number": ([("set_lineage", "blocks", 0, 5)], None, None, TypeError),
    "lineage_of_null": ([("set_lineage", "blocks", 0, [None])], None, None, TypeError),
    "id_a_list": ([("set_cell", "blocks", 0, "id", [])], None, None, TypeError),
    "id_a_number": ([("set_cell", "blocks", 0, "id", 5)], None, None, TypeError),
    "cell_a_list": ([("set_cell", "people", 0, 0, [])], None, None, SQLAlchemyError),
    "id_swapped_with_version": (
        [("swap_columns", "council_status_events", 4, 7)],
        None,
        None,
        AttributeError,
    ),
    "device_id_not_hex": ([], "not-hex", None, ValueError),
    "old_schema_broken_reference": (
        [("drop_table", "blocks"), ("fix_counts",)],
        None,
        schema.REVISIONS[-2],
        RuntimeError,
    ),
}


@pytest.mark.parametrize(
    "case",
    [name for name in CONTENT_CRASHES],
)
def test_refuses_malformed_exchange_contents(exchange_world: ExchangeWorld, case: str) -> None:
    world = exchange_world
    ops, device_id, revision, _ = CONTENT_CRASHES[case]
    manifest = json.loads(json.dumps(world.manifest))
    tables = json.loads(json.dumps(world.tables))
    manifest.pop("checksum", None)
    for op in ops:
        apply_exchange_op(manifest, tables, op)
    path = world.folder / "持ち帰り.shienx"
    path.write_bytes(
        exchange_file.encode(
            PASS,
            device_id=device_id or world.source_id,
            device_name="本所PC",
            schema=revision or schema.HEAD,
            created_at=manifest["created_at"],
            manifest=manifest,
            tables=tables,
        )
    )
    expect_refusal(world.db_file, lambda: world.target.sync.import_file(path, PASS))
