"""The audit trail (issue 8, part 2): who changed what, in the change's own transaction; contact
details never copied; append-only, hash-chained and checked; filtered and exported."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from shienapp.core.access import AccessDenied
from shienapp.core.audit import PRIVATE_TEXT, AuditFilter
from shienapp.core.context import AppContext
from shienapp.core.directory import PersonInput
from shienapp.core.districts import DistrictInput
from shienapp.core.errors import UserError
from shienapp.core.network import Node
from shienapp.core.permissions import Role
from shienapp.storage.models import Block, District

ADMIN_PASS = "Kanri-Pass-2026"
STAFF_PASS = "Shokuin-Pass-77"
ADMIN = "管理 一郎（管理者）"
STAFF = "職員 二郎（職員）"


@pytest.fixture
def city(ctx: AppContext) -> AppContext:
    """Accounts on, the 管理者 signed in, one block."""
    ctx.accounts.create_first_admin("kanri", "管理 一郎", ADMIN_PASS, ADMIN_PASS)
    ctx.accounts.create("shokuin", "職員 二郎", Role.STAFF, STAFF_PASS, STAFF_PASS)
    ctx.accounts.create("etsuran", "閲覧 花子", Role.VIEWER, STAFF_PASS, STAFF_PASS)
    ctx.districts.create_block("北部", "ほくぶ")
    return ctx


def block_id(ctx: AppContext) -> uuid.UUID:
    return ctx.districts.list_blocks()[0].id


def lines(ctx: AppContext, **where: object) -> list[tuple[str, str, str, str, str, dict]]:
    """(actor, action, target, record id, label, changes), oldest first."""
    return [
        (r.actor, r.action, r.target, r.record_id, r.label, r.changes)
        for r in reversed(ctx.audit.list(AuditFilter(**where)))  # type: ignore[arg-type]
    ]


def audit_rows(path: Path) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
    finally:
        connection.close()


def tamper(path: Path, *sql: str) -> None:
    connection = sqlite3.connect(path)
    try:
        for statement in sql:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


# ----------------------------------------------------------------------------- what is written


def test_create_update_and_restore_are_written_with_who_and_what(city: AppContext) -> None:
    start = city.audit.head()[0]
    district, _ = city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    city.accounts.sign_out()
    city.accounts.sign_in("shokuin", STAFF_PASS)
    city.districts.update_district(district, 1, DistrictInput("青葉台", "あおば", block_id(city)))
    city.accounts.sign_out()
    city.accounts.sign_in("kanri", ADMIN_PASS)
    trail = [
        line
        for line in lines(city, target="districts")
        if line[3] == str(district)  # the district's own lines (its council has others)
    ]
    assert trail == [
        (ADMIN, "作成", "districts", str(district), "青葉", {}),
        (STAFF, "変更", "districts", str(district), "青葉台", {"name": ["青葉", "青葉台"]}),
    ]
    council = [line for line in lines(city, target="councils")]
    assert [(a, act) for a, act, *_ in council] == [(ADMIN, "作成"), (STAFF, "変更")]
    assert council[1][5] == {"name": ["青葉地区 第2層協議体", "青葉台地区 第2層協議体"]}
    assert city.trash.list() == [] and city.audit.head()[0] > start
    city.districts.delete_district(district)
    (entry,) = city.trash.list()
    city.trash.restore(entry.table, entry.id)
    restored = [
        line for line in lines(city, action="復元") if line[4:] == ("青葉台", {"ごみ箱から": "2件"})
    ]
    assert restored == [
        (ADMIN, "復元", "districts", str(district), "青葉台", {"ごみ箱から": "2件"})
    ]
    (row,) = [r for r in city.audit.list(AuditFilter(action="作成", target="districts"))]
    assert row.changes_text == "" and row.target_label


def test_a_soft_delete_is_written_as_a_deletion(city: AppContext) -> None:
    district, _ = city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    city.districts.delete_district(district)
    own = [line[1] for line in lines(city, target="districts") if line[3] == str(district)]
    assert own == ["作成", "削除"]


def test_a_contact_change_is_named_but_its_value_never_copied(
    city: AppContext, db_path: Path
) -> None:
    old = dict(
        postal_code="100-0001",
        address="みどり野市本町9-8-7",
        phone="0120-987-6543",
        email="hidden@example.jp",
        note="玄関の鍵は植木鉢の下",
    )
    new = dict(
        postal_code="100-0002",
        address="みどり野市栄町5-5",
        phone="090-1111-2222",
        email="other@example.jp",
        note="夕方は留守",
    )
    person, _ = city.directory.create_person(PersonInput("連絡 先子", "れんらく さきこ", **old))
    city.directory.update_person(person, 1, PersonInput("連絡 先子", "れんらく さきこ", **new))
    (changed,) = lines(city, target="people", action="変更")
    assert changed[5] == {key: [PRIVATE_TEXT, PRIVATE_TEXT] for key in old}
    assert "電話" in city.audit.list(AuditFilter(target="people", action="変更"))[0].changes_text
    city.directory.delete_person(person, 2)
    city.trash.empty()
    text = repr(audit_rows(db_path))
    for value in (*old.values(), *new.values()):
        assert value not in text
        assert json.dumps(value)[1:-1] not in text


def test_a_line_lives_and_dies_with_its_change(city: AppContext) -> None:
    head = city.audit.head()
    with pytest.raises(RuntimeError), city.db.write() as s:
        s.add(District(name="消える地区", reading="きえる", block_id=block_id(city)))
        s.flush()
        assert s.connection().exec_driver_sql("SELECT count(*) FROM audit_log").scalar() > head[0]
        raise RuntimeError("after the flush")
    assert city.audit.head() == head
    assert city.districts.list_districts() == []
    # A service refused half-way: the trash writes its line, then the restore fails.
    district, _ = city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    city.districts.delete_district(district)
    city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    head = city.audit.head()
    (entry, *_) = [e for e in city.trash.list() if e.kind == "地区"]
    with pytest.raises(UserError, match="同じ内容の地区がすでにある"):
        city.trash.restore(entry.table, entry.id)
    assert city.audit.head() == head


def test_bookkeeping_tables_are_not_copied(city: AppContext) -> None:
    with city.db.write() as s:
        s.add(Block(name="南部", reading="なんぶ", sort_order=2))
    assert {line[2] for line in lines(city)} <= {"accounts", "app_settings", "blocks"}
    assert not any("password" in json.dumps(line[5]) for line in lines(city))


def test_thirty_nodes_make_one_summary_line(city: AppContext) -> None:
    map_id, _ = city.network.create_map("青葉の支え合い")
    doc = city.network.document(map_id)
    nodes = [Node(uuid.uuid4(), f"つながり{i:02d}", x=i * 10.0) for i in range(30)]
    head = city.audit.head()[0]
    city.network.save_working(map_id, doc.map_version, nodes, [])
    saved = [r for r in city.audit.list() if r.seq > head]
    node_lines = [r for r in saved if r.target == "network_nodes"]
    assert len(node_lines) == 1
    (line,) = node_lines
    assert line.action == "作成" and line.record_id == ""
    assert line.changes == {"件数": 30}
    assert line.label.startswith("30件（つながり") and line.label.endswith("ほか）")
    assert len(saved) < 5


def test_twenty_lines_are_kept_one_by_one(city: AppContext) -> None:
    map_id, _ = city.network.create_map("青葉の支え合い")
    doc = city.network.document(map_id)
    nodes = [Node(uuid.uuid4(), f"つながり{i:02d}") for i in range(20)]
    city.network.save_working(map_id, doc.map_version, nodes, [])
    assert len(city.audit.list(AuditFilter(target="network_nodes"))) == 20


# ----------------------------------------------------------------------------- append-only, chained


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET label = 'x' WHERE seq = 1", "DELETE FROM audit_log"]
)
def test_the_trail_refuses_update_and_delete(
    city: AppContext, db_path: Path, statement: str
) -> None:
    before = audit_rows(db_path)
    connection = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="監査記録は変更・削除できません"):
            connection.execute(statement)
    finally:
        connection.close()
    assert audit_rows(db_path) == before
    assert city.audit.verify() == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET label = 'x' WHERE seq = 1",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
def test_the_trail_refuses_update_and_delete_through_the_engine(
    city: AppContext, statement: str
) -> None:
    """The same triggers on both databases, met through the app's own engine (on the server a
    plpgsql function; SQLite has no TRUNCATE, its DELETE without WHERE is refused instead)."""
    if statement.startswith("TRUNCATE") and city.db.engine.dialect.name == "sqlite":
        statement = "DELETE FROM audit_log WHERE seq > 0"
    read = "SELECT seq, hash FROM audit_log ORDER BY seq"
    with city.db.engine.connect() as connection:
        before = connection.exec_driver_sql(read).all()
    assert len(before) > 3
    with (
        pytest.raises(DBAPIError, match="監査記録は変更・削除できません"),
        city.db.engine.begin() as connection,
    ):
        connection.exec_driver_sql(statement)
    with city.db.engine.connect() as connection:
        assert connection.exec_driver_sql(read).all() == before
    assert city.audit.verify() == []


def test_verify_names_an_edited_line(city: AppContext, db_path: Path) -> None:
    city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    assert city.audit.verify() == []
    seq, digest = city.audit.head()
    assert seq == len(audit_rows(db_path)) and len(digest) == 64
    tamper(
        db_path,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET label = '書き換え' WHERE seq = 4",
    )
    assert city.audit.verify() == ["4番: 内容が書き換えられています。"]
    assert city.audit.head() == (seq, digest)  # the head alone does not show it


def test_verify_names_a_removed_line(city: AppContext, db_path: Path) -> None:
    city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    last = city.audit.head()[0]
    tamper(db_path, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 3")
    assert city.audit.verify() == [
        "3番から3番の行がありません。",
        "4番: 前の行とのつながりが合いません。",
    ]
    tamper(db_path, f"DELETE FROM audit_log WHERE seq = {last}")
    assert city.audit.head()[0] == last - 1  # a cut tail shows only against a noted head
    assert f"{last}番" not in "".join(city.audit.verify())


def test_verify_notices_a_rehashed_line(city: AppContext, db_path: Path) -> None:
    """Recomputing one line's hash breaks the link to the next."""
    import hashlib

    city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    row = dict(connection.execute("SELECT * FROM audit_log WHERE seq = 2").fetchone())
    connection.close()
    row["label"] = "偽物"
    fields = [row[k] for k in ("seq", "at", "account_id", "actor", "action", "target")]
    fields += [row["record_id"], row["label"], row["changes"]]
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256((row["prev_hash"] + text).encode()).hexdigest()
    tamper(
        db_path,
        "DROP TRIGGER audit_log_no_update",
        f"UPDATE audit_log SET label = '偽物', hash = '{digest}' WHERE seq = 2",
    )
    assert city.audit.verify() == ["3番: 前の行とのつながりが合いません。"]


_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from shienapp.core.context import AppContext
    from shienapp.core.districts import DistrictInput

    path, prefix, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    ctx = AppContext.open(path)
    block = ctx.districts.list_blocks()[0].id
    while not go.exists():
        time.sleep(0.01)
    for i in range(30):
        ctx.districts.create_district(DistrictInput(f"{prefix}{i:02d}", "", block))
    ctx.close()
    """
)


def test_two_processes_writing_at_once_keep_one_chain(
    ctx: AppContext, db_path: Path, tmp_path: Path
) -> None:
    ctx.districts.create_block("北部", "ほくぶ")  # accounts not chosen yet: open to all
    go = tmp_path / "go"
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), str(db_path), prefix, str(go)],
            cwd=Path(__file__).parents[2],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for prefix in ("東", "西")
    ]
    go.touch()
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()
    assert ctx.audit.verify() == []
    created = ctx.audit.list(AuditFilter(action="作成", target="districts"))
    assert len(created) == 60
    seqs = sorted(r.seq for r in ctx.audit.list())
    assert seqs == list(range(1, len(seqs) + 1))


# ----------------------------------------------------------------------------- reading


def test_list_filters_by_actor_action_target_dates_and_text(city: AppContext) -> None:
    city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    city.accounts.sign_out()
    city.accounts.sign_in("shokuin", STAFF_PASS)
    city.districts.create_district(DistrictInput("八幡", "やわた", block_id(city)))
    city.accounts.sign_out()
    city.accounts.sign_in("kanri", ADMIN_PASS)
    by_staff = lines(city, actor="職員 二郎")
    assert {line[0] for line in by_staff} == {STAFF}
    assert [line[4] for line in by_staff if line[2] == "districts"] == ["八幡"]
    assert {line[1] for line in lines(city, action="ログアウト")} == {"ログアウト"}
    assert len(lines(city, action="ログアウト")) == 2
    assert {line[2] for line in lines(city, target="councils")} == {"councils"}
    assert [line[4] for line in lines(city, target="districts")] == ["青葉", "八幡"]
    assert [line[4] for line in lines(city, text="八幡")] == ["八幡", "八幡地区 第2層協議体"]
    assert lines(city, text="青葉", actor="職員") == []
    today = date.today()
    everything = lines(city)
    assert lines(city, since=today, until=today) == everything
    assert lines(city, since=today + timedelta(days=1)) == []
    assert lines(city, until=today - timedelta(days=1)) == []
    assert len(lines(city, limit=3)) == 3
    assert lines(city, limit=3) == everything[-3:]


def test_export_writes_a_csv_excel_reads_and_is_recorded(city: AppContext, tmp_path: Path) -> None:
    city.districts.create_district(DistrictInput("青葉", "あおば", block_id(city)))
    rows = city.audit.list()
    target = tmp_path / "監査記録.csv"
    assert city.audit.export(target) == len(rows)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert table[0] == [
        "番号",
        "日時",
        "利用者",
        "操作",
        "対象",
        "名前",
        "変更内容",
        "ID",
        "ハッシュ",
    ]
    assert len(table) == len(rows) + 1
    with city.db.engine.connect() as connection:
        hashes = dict(connection.exec_driver_sql("SELECT seq, hash FROM audit_log").all())
    for record in table[1:]:
        assert record[8] == hashes[int(record[0])]
    assert [int(r[0]) for r in table[1:]] == sorted(r.seq for r in rows)
    district_line = next(r for r in table[1:] if r[5] == "青葉")
    assert district_line[2:5] == [ADMIN, "作成", "地区"]
    (recorded,) = city.audit.list(AuditFilter(action="書き出し", target="audit_log"))
    assert recorded.label == f"監査記録 {len(rows)}行 → 監査記録.csv"
    assert recorded.seq == len(rows) + 1
    assert city.audit.verify() == []


def test_export_refuses_another_suffix(city: AppContext, tmp_path: Path) -> None:
    head = city.audit.head()
    with pytest.raises(UserError, match=r"\.csv に書き出します"):
        city.audit.export(tmp_path / "audit.xlsx")
    assert list(tmp_path.glob("audit*")) == [] and city.audit.head() == head


@pytest.mark.parametrize("login", ["etsuran", "shokuin"])
def test_only_an_admin_reads_the_trail(city: AppContext, tmp_path: Path, login: str) -> None:
    city.accounts.sign_out()
    city.accounts.sign_in(login, STAFF_PASS)
    for call in (
        city.audit.list,
        city.audit.verify,
        lambda: city.audit.export(tmp_path / "audit.csv"),
    ):
        with pytest.raises(
            AccessDenied, match="「監査記録を見る・書き出す」は管理者の権限が必要です"
        ):
            call()
    assert not (tmp_path / "audit.csv").exists()
