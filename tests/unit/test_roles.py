"""Roles held at the core (issue 8): a 閲覧 account changes nothing through any service, and
does not see people's contact details; 職員 edits but does not manage; 管理者 does everything.

One demo city is built per session with accounts on (管理者, 職員, 閲覧); each test works on its
own copy of that file, opened by a new AppContext and signed in as the role under test.

The refusals (``test_a_viewer_changes_nothing``, ``test_staff_may_not_manage``) run on
PostgreSQL too: the city is moved once per session into a database on the test server the way
``shienapp migrate-to`` moves it (``transfer.copy_database``), and each test gets a copy of that
database (``CREATE DATABASE … TEMPLATE``). The other tests read the SQLite file and stay on it.
"""

from __future__ import annotations

import inspect
import sqlite3
import typing
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pgserver
import pytest
from dbdump import Rows, file_rows, url_rows
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shienapp.core import audit
from shienapp.core.access import AccessDenied, NotSignedIn
from shienapp.core.context import AppContext
from shienapp.core.councils import CouncilInput as CouncilRecordInput
from shienapp.core.councils import MemberInput
from shienapp.core.districts import DistrictInput, StatisticsInput
from shienapp.core.errors import UserError
from shienapp.core.matching import NeedInput
from shienapp.core.meetings import MeetingInput, MinutesInput
from shienapp.core.network import Node, Tie
from shienapp.core.permissions import ALLOWED, Action, Role, may
from shienapp.core.plans import EvaluationRow, TargetInput
from shienapp.storage.db import Database, make_engine
from shienapp.storage.models import SyncConflict

TODAY = date(2026, 11, 22)
PASSWORDS = {"admin": "admin-pass-1", "staff": "staff-pass-1", "viewer": "viewer-pass-1"}
EXCHANGE_PASS = "correct horse battery"
PERSONAL = ("phone", "address", "email", "postal_code", "note")


# ----------------------------------------------------------------------------- the city


@dataclass
class Template:
    path: Path
    exchange: Path  # written by another copy: a valid file to import
    backup: Path  # a copy of the city as it was: a valid backup to restore
    people_csv: Path
    districts_csv: Path
    graphml: Path
    contact_person: uuid.UUID  # a person with every contact field filled


def _sqlite_copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    from shienapp.core.demo import build_demo
    from shienapp.core.directory import PersonInput
    from shienapp.core.network_graphml import write_graphml

    folder = tmp_path_factory.mktemp("city")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHIENAPP_DATA_DIR", str(folder / "userdata"))
        mp.delenv("SHIENAPP_DATABASE_URL", raising=False)
        # Another copy of the app, with accounts off: the exchange file to import.
        other = AppContext.open(folder / "other.sqlite3")
        other.accounts.choose_no_accounts()
        block, _ = other.districts.create_block("西部", "せいぶ")
        other.districts.create_district(DistrictInput("西の丘", "にしのおか", block.id))
        exchange = folder / "from-laptop.shienx"
        other.sync.export(exchange, EXCHANGE_PASS)
        other.close()

        ctx = AppContext.open(folder / "city.sqlite3")
        build_demo(ctx.db, today=TODAY)
        ctx.accounts.create_first_admin(
            "admin", "管理 一郎", PASSWORDS["admin"], PASSWORDS["admin"]
        )
        for login, name, role in (
            ("staff", "職員 二郎", Role.STAFF),
            ("viewer", "閲覧 花子", Role.VIEWER),
            ("other", "職員 三郎", Role.STAFF),
        ):
            password = PASSWORDS.get(login, "other-pass-1")
            ctx.accounts.create(login, name, role, password, password)
        ctx.accounts.set_idle_minutes(10)
        # Something for each refused call to aim at.
        ctx.districts.create_block("空のブロック", "からのぶろっく")
        gone = ctx.districts.list_districts()[-1]
        ctx.districts.delete_district(gone.id)
        first_map = ctx.network.list_maps()[0]
        ctx.network.save_view(first_map.id, "見やすい配置", {})
        person_id, _ = ctx.directory.create_person(
            PersonInput(
                "連絡 先子",
                "れんらく さきこ",
                postal_code="123-4567",
                address="みどり野市本町1-2-3",
                phone="0120-555-0199",
                email="sakiko@example.jp",
                note="火曜は不在",
            )
        )
        with ctx.db.write() as s:
            s.add(
                SyncConflict(
                    table_name="people",
                    record_id=person_id,
                    kind="編集と編集",
                    fields=["name"],
                    base={"name": "連絡 先子"},
                    ours={"name": "連絡 先子"},
                    theirs={"name": "連絡 咲子"},
                    source_device=uuid.uuid4(),
                    source_name="佐藤ノートPC",
                    file_name="x.shienx",
                )
            )
        write_graphml(ctx.network.document(first_map.id), folder / "map.graphml")
        ctx.accounts.sign_out()
        ctx.close()

    people_csv = folder / "people.csv"
    people_csv.write_text("氏名,フリガナ\n取込 太郎,とりこみ たろう\n", encoding="utf-8-sig")
    districts_csv = folder / "districts.csv"
    districts_csv.write_text("地区名,ブロック\n新しい地区,北部ブロック\n", encoding="utf-8-sig")
    backup = folder / "backup.sqlite3"
    _sqlite_copy(folder / "city.sqlite3", backup)
    yield Template(
        folder / "city.sqlite3",
        exchange,
        backup,
        people_csv,
        districts_csv,
        folder / "map.graphml",
        person_id,
    )


@pytest.fixture(scope="session")
def server_city(template: Template, postgres: pgserver.Server | str) -> str:
    """The name of a database on the test server holding the city, moved there from the file
    as ``shienapp migrate-to`` moves it; never opened by a test (it is the copies' template)."""
    from shienapp.core.server_move import _server_row
    from shienapp.storage.transfer import copy_database

    if isinstance(postgres, str):
        pytest.skip(postgres)
    url = postgres.fresh_database()
    source = Database(make_engine(f"sqlite:///{template.path}"))
    target = Database(make_engine(url))
    try:
        copy_database(source, target, fix_row=_server_row)
    finally:
        source.dispose()
        target.dispose()  # CREATE DATABASE … TEMPLATE refuses a template with connections
    return str(make_url(url).database)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Where the city is: ``sqlite`` (a file), or ``postgresql`` for the tests given it."""
    return str(getattr(request, "param", "sqlite"))


@dataclass
class City:
    ctx: AppContext
    path: Path | None  # the SQLite file; None on PostgreSQL
    template: Template
    out: Path  # a folder for exports
    url: str | None = None  # the PostgreSQL database


def _open_as(template: Template, tmp_path: Path, login: str | None, target: str | None) -> City:
    """``login``'s city: a copy of the file, or the server database ``target`` (a copy)."""
    tmp_path = tmp_path / (login or "nobody")
    tmp_path.mkdir()
    path: Path | None = None
    if target is None:
        path = tmp_path / "city.sqlite3"
        _sqlite_copy(template.path, path)
    ctx = AppContext.open(path if target is None else target)
    if login is not None:
        ctx.accounts.sign_in(login, PASSWORDS[login])
    out = tmp_path / "out"
    out.mkdir()
    return City(ctx, path, template, out, target)


@pytest.fixture
def as_role(
    template: Template, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> Iterator[Callable[[str | None], City]]:
    opened: list[City] = []
    server: pgserver.Server | None = None
    city_db = ""
    copies: list[str] = []
    if backend == "postgresql":
        server = request.getfixturevalue("postgres_server")
        city_db = request.getfixturevalue("server_city")

    def open_as(login: str | None) -> City:
        target = None
        if server is not None:
            target = make_url(server.url).set(database=f"{city_db}_{uuid.uuid4().hex[:8]}")
            target = target.render_as_string(hide_password=False)
            copies.append(target)
            with server.admin.connect() as connection:
                connection.execute(
                    text(f'CREATE DATABASE "{make_url(target).database}" TEMPLATE "{city_db}"')
                )
        city = _open_as(template, tmp_path, login, target)
        opened.append(city)
        return city

    yield open_as
    for city in opened:
        city.ctx.close()
    for copy in copies:
        assert server is not None
        server.drop(copy)


@pytest.fixture
def viewer(as_role: Callable[[str | None], City]) -> City:
    return as_role("viewer")


@pytest.fixture
def staff(as_role: Callable[[str | None], City]) -> City:
    return as_role("staff")


@pytest.fixture
def admin(as_role: Callable[[str | None], City]) -> City:
    return as_role("admin")


def dump(city: City) -> Rows:
    """The whole database but the audit trail (which records refusals), and the schema."""
    if city.url is not None:
        return url_rows(city.url, exclude=("audit_log",), schema=True)
    assert city.path is not None
    return file_rows(city.path, exclude=("audit_log",), schema=True)


# ----------------------------------------------------------------------------- lookups


def _district(c: City) -> Any:
    return next(d for d in c.ctx.districts.list_districts() if d.council_status == "設置済")


def _detail(c: City) -> Any:
    return next(
        d
        for d in (c.ctx.districts.get_district(r.id) for r in c.ctx.districts.list_districts())
        if d.statistics
    )


def _block(c: City, name: str | None = None) -> Any:
    blocks = c.ctx.districts.list_blocks()
    return next(b for b in blocks if b.name == name) if name else blocks[0]


def _council(c: City) -> Any:
    return next(x for x in c.ctx.councils.list_councils() if x.member_count)


def _member(c: City) -> Any:
    return c.ctx.councils.members(_council(c).id)[0]


def _meeting(c: City) -> Any:
    row = next(m for m in c.ctx.meetings.list_meetings() if m.status == "開催済")
    return c.ctx.meetings.get_meeting(row.id)


def _meeting_input(detail: Any, title: str = "") -> MeetingInput:
    row = detail.row
    return MeetingInput(
        row.council_id, row.held_on, kind=row.kind, title=title or row.title, status=row.status
    )


def _action(c: City) -> Any:
    return c.ctx.meetings.open_actions()[0]


def _person(c: City) -> Any:
    return c.ctx.directory.get_person(c.template.contact_person)


def _organisation(c: City) -> Any:
    used = {r.operator_id for r in c.ctx.directory.list_resources()}
    return next(o for o in c.ctx.directory.list_organisations() if o.id not in used)


def _resource(c: City) -> Any:
    return c.ctx.directory.list_resources()[0]


def _need(c: City) -> Any:
    return c.ctx.matching.list_needs(open_only=True)[0]


def _need_input(n: Any, summary: str) -> NeedInput:
    return NeedInput(
        summary,
        n.received_on,
        source=n.source,
        person_id=n.person_id,
        source_note=n.source_note or "近所の方",
        status=n.status,
    )


def _map(c: City) -> Any:
    return c.ctx.network.list_maps()[0]


def _plan(c: City) -> Any:
    return c.ctx.plans.list_plans()[0]


def _goal(c: City) -> Any:
    return _plan(c).goals[0]


def _account(c: City, login: str) -> Any:
    # A viewer may not list accounts: read the id from the file (the call is what is tested).
    if c.url is not None:
        engine = create_engine(c.url)
        try:
            with engine.connect() as server:
                found = server.execute(
                    text("SELECT id, version FROM accounts WHERE login = :login"), {"login": login}
                ).one()
        finally:
            engine.dispose()
        return found.id, found.version
    assert c.path is not None
    connection = sqlite3.connect(c.path)
    try:
        hex_id, version = connection.execute(
            "SELECT id, version FROM accounts WHERE login = ?", (login,)
        ).fetchone()
    finally:
        connection.close()
    return uuid.UUID(hex_id), version


def _trashed(c: City) -> Any:
    return c.ctx.trash.list()[0]


def _conflict(c: City) -> Any:
    return c.ctx.sync.conflicts()[0]


def _working_copy(c: City) -> tuple[Any, list[Node], list[Tie]]:
    doc = c.ctx.network.document(_map(c).id)
    extra = Node(uuid.uuid4(), "新しいつながり先", x=10.0, y=10.0)
    tie = Tie(uuid.uuid4(), doc.nodes[0].key, extra.key)
    return doc, [*doc.nodes, extra], [*doc.ties, tie]


# ----------------------------------------------------------------------------- every change


@dataclass(frozen=True)
class Case:
    method: str  # "service.method" on AppContext, or "module.function"
    call: Callable[[City], Any]
    least: str = "staff"  # the smallest role that may do it
    refusal: type[UserError] = AccessDenied
    marks: tuple[Any, ...] = ()


def _save_working(c: City) -> Any:
    doc, nodes, ties = _working_copy(c)
    return c.ctx.network.save_working(doc.map_id, doc.map_version, nodes, ties)


def _update_district(c: City) -> Any:
    d = _detail(c)
    row = d.row
    return c.ctx.districts.update_district(
        row.id,
        row.version,
        DistrictInput(row.name + "改", row.reading, row.block_id, code=row.code, note=d.note),
    )


def _import_people(c: City) -> Any:
    from shienapp.core.directory_io import import_records

    return import_records(c.ctx.db, "people", c.template.people_csv)


def _import_districts(c: City) -> Any:
    from shienapp.core.district_io import import_districts

    return import_districts(c.ctx.db, c.template.districts_csv)


def _import_graphml(c: City) -> Any:
    from shienapp.core.network_graphml import import_graphml

    return import_graphml(c.ctx.network, c.template.graphml)


def _export_people(c: City) -> Any:
    from shienapp.core.directory_io import export_records

    return export_records(c.ctx.db, "people", c.out / "people.xlsx")


def _roster(c: City) -> Any:
    from shienapp.core.directory_print import roster

    return roster(c.ctx.directory)


def _staff_booklet(c: City) -> Any:
    from shienapp.core.directory_print import booklet

    return booklet(c.ctx.directory, staff=True)


CASES: list[Case] = [
    # districts
    Case("districts.create_block", lambda c: c.ctx.districts.create_block("新", "しん")),
    Case(
        "districts.rename_block",
        lambda c: c.ctx.districts.rename_block(_block(c).id, "改名ブロック", "かいめい"),
    ),
    Case(
        "districts.delete_block",
        lambda c: c.ctx.districts.delete_block(_block(c, "空のブロック").id),
    ),
    Case(
        "districts.create_district",
        lambda c: c.ctx.districts.create_district(DistrictInput("新町", "しんまち", _block(c).id)),
    ),
    Case("districts.update_district", _update_district),
    Case(
        "districts.delete_district",
        lambda c: c.ctx.districts.delete_district(_district(c).id, _district(c).version),
    ),
    Case(
        "districts.set_statistics",
        lambda c: c.ctx.districts.set_statistics(_district(c).id, StatisticsInput(2030, 1000, 300)),
    ),
    Case(
        "districts.delete_statistics",
        lambda c: c.ctx.districts.delete_statistics(_detail(c).statistics[0].id),
    ),
    # councils
    Case(
        "councils.create_council",
        lambda c: c.ctx.councils.create_council(CouncilRecordInput("市の新しい協議体", "第1層")),
    ),
    Case("councils.create_person", lambda c: c.ctx.councils.create_person("新委員", "しんいいん")),
    Case(
        "councils.add_member",
        lambda c: c.ctx.councils.add_member(
            _council(c).id, MemberInput(name="追加 委員", reading="ついか いいん")
        ),
    ),
    Case(
        "councils.update_member",
        lambda c: c.ctx.councils.update_member(
            _member(c).id,
            _member(c).version,
            MemberInput(role="副会長", person_id=_member(c).person_id),
        ),
    ),
    Case("councils.remove_member", lambda c: c.ctx.councils.remove_member(_member(c).id)),
    # meetings
    Case(
        "meetings.create_meeting",
        lambda c: c.ctx.meetings.create_meeting(MeetingInput(_council(c).id, date(2026, 12, 1))),
    ),
    Case(
        "meetings.update_meeting",
        lambda c: c.ctx.meetings.update_meeting(
            _meeting(c).row.id, _meeting(c).row.version, _meeting_input(_meeting(c), "改題")
        ),
    ),
    Case(
        "meetings.delete_meeting",
        lambda c: c.ctx.meetings.delete_meeting(_meeting(c).row.id, _meeting(c).row.version),
    ),
    Case(
        "meetings.save_meeting",
        lambda c: c.ctx.meetings.save_meeting(
            None, None, MeetingInput(_council(c).id, date(2026, 12, 2)), MinutesInput()
        ),
    ),
    Case(
        "meetings.save_minutes",
        lambda c: c.ctx.meetings.save_minutes(
            _meeting(c).row.id, _meeting(c).row.version, MinutesInput(decisions=("決めたこと",))
        ),
    ),
    Case(
        "meetings.add_followup",
        lambda c: c.ctx.meetings.add_followup(_meeting(c).row.id, "次回までに確認"),
    ),
    Case(
        "meetings.update_action",
        lambda c: c.ctx.meetings.update_action(
            _action(c).id, _action(c).version, "完了", date(2026, 11, 1)
        ),
    ),
    # directory
    Case(
        "directory.create_person",
        lambda c: c.ctx.directory.create_person(_person_input("新しい 人")),
    ),
    Case(
        "directory.update_person",
        lambda c: c.ctx.directory.update_person(
            _person(c).id, _person(c).version, _person_input("連絡 先子")
        ),
    ),
    Case(
        "directory.delete_person",
        lambda c: c.ctx.directory.delete_person(_person(c).id, _person(c).version),
    ),
    Case(
        "directory.create_organisation",
        lambda c: c.ctx.directory.create_organisation(_organisation_input("新しい会")),
    ),
    Case(
        "directory.update_organisation",
        lambda c: c.ctx.directory.update_organisation(
            _organisation(c).id, _organisation(c).version, _organisation_input("改名した会")
        ),
    ),
    Case(
        "directory.delete_organisation",
        lambda c: c.ctx.directory.delete_organisation(
            _organisation(c).id, _organisation(c).version
        ),
    ),
    Case(
        "directory.create_resource",
        lambda c: c.ctx.directory.create_resource(_resource_input("新しいサロン")),
    ),
    Case(
        "directory.update_resource",
        lambda c: c.ctx.directory.update_resource(
            _resource(c).id, _resource(c).version, _resource_input("改名したサロン")
        ),
    ),
    Case(
        "directory.delete_resource",
        lambda c: c.ctx.directory.delete_resource(_resource(c).id, _resource(c).version),
    ),
    Case(
        "directory.set_terms",
        lambda c: c.ctx.directory.set_terms("skill", ["送迎", "買い物"]),
    ),
    Case("directory_io.import_records", _import_people),
    Case("district_io.import_districts", _import_districts),
    # matching
    Case(
        "matching.create_need",
        lambda c: c.ctx.matching.create_need(
            NeedInput("買い物の付き添い", date(2026, 11, 1), source_note="近所の方")
        ),
    ),
    Case(
        "matching.update_need",
        lambda c: c.ctx.matching.update_need(
            _need(c).id, _need(c).version, _need_input(_need(c), "ごみ出しの手伝い")
        ),
    ),
    Case(
        "matching.record_match",
        lambda c: c.ctx.matching.record_match(_need(c).id, resource_id=_resource(c).id),
    ),
    Case(
        "matching.update_match",
        lambda c: c.ctx.matching.update_match(
            c.ctx.matching.list_matches()[0].id,
            c.ctx.matching.list_matches()[0].version,
            "成立",
            "つながった",
        ),
    ),
    # network
    Case("network.create_map", lambda c: c.ctx.network.create_map("新しい地図")),
    Case(
        "network.update_map",
        lambda c: c.ctx.network.update_map(
            _map(c).id, _map(c).version, "改題した地図", _map(c).district_id, "説明"
        ),
    ),
    Case("network.delete_map", lambda c: c.ctx.network.delete_map(_map(c).id, _map(c).version)),
    Case(
        "network.save_view",
        lambda c: c.ctx.network.save_view(_map(c).id, "別の配置", {}),
    ),
    Case(
        "network.delete_view",
        lambda c: c.ctx.network.delete_view(c.ctx.network.list_views(_map(c).id)[0].id),
    ),
    Case("network.freeze", lambda c: c.ctx.network.freeze(_map(c).id, TODAY, "版のメモ")),
    Case("network.save_working", _save_working),
    Case("network_graphml.import_graphml", _import_graphml),
    # plans
    Case("plans.create_plan", lambda c: c.ctx.plans.create_plan("次期計画", 2030, 2032)),
    Case(
        "plans.update_plan",
        lambda c: c.ctx.plans.update_plan(
            _plan(c).id, "改題した計画", _plan(c).first_year, _plan(c).last_year
        ),
    ),
    Case("plans.add_goal", lambda c: c.ctx.plans.add_goal(_plan(c).id, "新しい目標")),
    Case("plans.update_goal", lambda c: c.ctx.plans.update_goal(_goal(c).id, "改題", "ねらい")),
    Case("plans.delete_goal", lambda c: c.ctx.plans.delete_goal(_goal(c).id)),
    Case(
        "plans.evaluate",
        lambda c: c.ctx.plans.evaluate(
            _goal(c).id,
            _plan(c).first_year,
            EvaluationRow(_plan(c).first_year, "B", "成果", "取組", "課題", "方向性"),
        ),
    ),
    Case(
        "plans.set_targets",
        lambda c: c.ctx.plans.set_targets(
            _goal(c).id, _plan(c).first_year, [TargetInput("居場所を増やす")]
        ),
    ),
    # exchange
    Case("sync.export", lambda c: c.ctx.sync.export(c.out / "out.shienx", EXCHANGE_PASS)),
    Case(
        "sync.import_file",
        lambda c: c.ctx.sync.import_file(c.template.exchange, EXCHANGE_PASS),
    ),
    Case("sync.rename_device", lambda c: c.ctx.sync.rename_device("本所PC")),
    Case("sync.resolve", lambda c: c.ctx.sync.resolve(_conflict(c).id, "theirs")),
    # trash
    Case("trash.restore", lambda c: c.ctx.trash.restore(_trashed(c).table, _trashed(c).id)),
    Case("trash.empty", lambda c: c.ctx.trash.empty(), least="admin"),
    # personal data leaving the app
    Case("directory_io.export_records", _export_people),
    Case("directory_print.roster", _roster),
    Case("directory_print.booklet", _staff_booklet),
    # accounts and settings
    Case(
        "accounts.create",
        lambda c: c.ctx.accounts.create("new", "新 職員", Role.STAFF, "new-pass-1", "new-pass-1"),
        least="admin",
    ),
    Case(
        "accounts.update",
        lambda c: c.ctx.accounts.update(
            *_account(c, "other"), name="職員 三郎", role=Role.VIEWER, active=True
        ),
        least="admin",
    ),
    Case(
        "accounts.set_password",
        lambda c: c.ctx.accounts.set_password(_account(c, "other")[0], "new-pass-1", "new-pass-1"),
        least="admin",
    ),
    Case("accounts.set_idle_minutes", lambda c: c.ctx.accounts.set_idle_minutes(5), least="admin"),
    Case(
        "accounts.choose_no_accounts", lambda c: c.ctx.accounts.choose_no_accounts(), least="admin"
    ),
    # Refused for everyone once accounts are on (a 管理者 adds accounts instead).
    Case(
        "accounts.create_first_admin",
        lambda c: c.ctx.accounts.create_first_admin(
            "boss", "乗っ取り", "boss-pass-1", "boss-pass-1"
        ),
        least="nobody",
        refusal=UserError,
    ),
    Case("audit.export", lambda c: c.ctx.audit.export(c.out / "audit.csv"), least="admin"),
    # backups
    Case(
        "backups.create",
        lambda c: c.ctx.backups.create("manual"),  # type: ignore[union-attr]
    ),
    Case(
        "backups.restore",
        lambda c: c.ctx.backups.restore(c.template.backup),  # type: ignore[union-attr]
        least="admin",
    ),
]


def _person_input(name: str) -> Any:
    from shienapp.core.directory import PersonInput

    return PersonInput(name, phone="0120-000-111", note="メモ")


def _organisation_input(name: str) -> Any:
    from shienapp.core.directory import OrganisationInput

    return OrganisationInput(name)


def _resource_input(name: str) -> Any:
    from shienapp.core.directory import ResourceInput

    return ResourceInput(name)


def _params(cases: list[Case], *, with_marks: bool = True) -> list[Any]:
    return [
        pytest.param(case, id=case.method, marks=case.marks if with_marks else ()) for case in cases
    ]


# Left on SQLite: backups are copies of the file, and on a server database ``ctx.backups`` is
# None (the city's server keeps its own backups), so there is no call to refuse.
FILE_ONLY = {"backups.create", "backups.restore"}


def _on_both(cases: list[Case]) -> list[Any]:
    """``(backend, case)`` for every case on SQLite, then on PostgreSQL but the file-only ones."""
    return [
        pytest.param(backend, case, id=f"{backend}-{case.method}", marks=case.marks)
        for backend in ("sqlite", "postgresql")
        for case in cases
        if backend == "sqlite" or case.method not in FILE_ONLY
    ]


# Writes open to every role by design: each changes only the audit trail or one's own sign-in.
OPEN_TO_EVERY_ROLE = {
    "meetings.record_print": "印刷の記録: 監査記録に1行足すだけ",
    "directory.record": "印刷の記録: 監査記録に1行足すだけ",
    "backups.rotate": "バックアップの保存数を保つだけで記録は変えない",
}

MUTATING = (
    "create",
    "update",
    "delete",
    "save",
    "set",
    "add",
    "remove",
    "import",
    "merge",
    "restore",
    "freeze",
    "resolve",
    "empty",
    # beyond the list: these change records too
    "rename",
    "evaluate",
    "record",
    "export",
    "choose",
    "rotate",
)


def _services() -> dict[str, type]:
    """Every service the app context hands out, found from its cached properties' types."""
    found: dict[str, type] = {}
    for name, attr in vars(AppContext).items():
        if not isinstance(attr, cached_property):
            continue
        hint = typing.get_type_hints(attr.func)["return"]
        classes = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
        (cls,) = classes
        found[name] = cls
    return found


def test_every_mutating_service_method_is_in_the_list() -> None:
    covered = {case.method for case in CASES} | set(OPEN_TO_EVERY_ROLE)
    services = _services()
    assert {"districts", "directory", "sync", "trash", "accounts", "audit"} <= set(services)
    missing = []
    for service, cls in services.items():
        for name, _fn in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or not name.startswith(MUTATING):
                continue
            if f"{service}.{name}" not in covered:
                missing.append(f"{service}.{name}")
    assert missing == [], f"add these to CASES in {__file__}: {missing}"


@pytest.mark.parametrize(("backend", "case"), _on_both(CASES), indirect=["backend"])
def test_a_viewer_changes_nothing(case: Case, viewer: City) -> None:
    before = dump(viewer)
    with pytest.raises(case.refusal) as raised:
        case.call(viewer)
    assert isinstance(raised.value, UserError)
    if case.refusal is AccessDenied:
        assert "権限が必要です" in raised.value.message
        assert "閲覧 花子（閲覧）" in raised.value.message
    assert dump(viewer) == before
    assert sorted(viewer.out.iterdir()) == []  # no file written either


@pytest.mark.parametrize(
    "case", _params([c for c in CASES if c.least == "staff"], with_marks=False)
)
def test_staff_may_do_what_a_viewer_may_not(case: Case, staff: City) -> None:
    """The same call succeeds for 職員: the viewer's refusal is the role, not a bad argument."""
    before = dump(staff)
    case.call(staff)
    changed = dump(staff) != before
    written = any(staff.out.iterdir())
    if case.method == "backups.create":
        written = len(staff.ctx.backups.list()) == 1  # type: ignore[union-attr]
    assert changed or written or case.method.startswith("directory_print")


@pytest.mark.parametrize(
    ("backend", "case"), _on_both([c for c in CASES if c.least == "admin"]), indirect=["backend"]
)
def test_staff_may_not_manage(case: Case, as_role: Callable[[str | None], City]) -> None:
    staff = as_role("staff")
    before = dump(staff)
    with pytest.raises(AccessDenied, match="管理者の権限が必要です"):
        case.call(staff)
    assert dump(staff) == before
    assert sorted(staff.out.iterdir()) == []  # no file written either (an audit CSV)


@pytest.mark.parametrize(
    "case", _params([c for c in CASES if c.least == "admin"], with_marks=False)
)
def test_admin_may_do_everything(case: Case, admin: City) -> None:
    before = dump(admin)
    result = case.call(admin)
    if case.method == "backups.restore":
        assert result is not None and result.path.exists()  # the state before, kept
    assert dump(admin) != before or any(admin.out.iterdir())


# ----------------------------------------------------------------------------- reading


def test_a_viewer_reads_everything_but_contact_details(viewer: City) -> None:
    from shienapp.core import chart_data
    from shienapp.core.directory_print import booklet, weekly_timetable
    from shienapp.core.indicators import compute

    ctx = viewer.ctx
    before = dump(viewer)
    assert len(ctx.districts.list_districts()) == 38
    assert len(ctx.districts.list_blocks()) == 6
    assert ctx.districts.get_district(_district(viewer).id).row.name
    assert ctx.districts.fiscal_years()
    assert ctx.districts.city_figures()
    assert ctx.councils.list_councils() and ctx.councils.members(_council(viewer).id)
    assert ctx.meetings.list_meetings() and _meeting(viewer).attendance
    assert ctx.meetings.held_counts() and ctx.meetings.open_action_count()
    assert ctx.meetings.open_actions()
    assert ctx.directory.list_organisations() and ctx.directory.list_resources()
    assert ctx.matching.list_needs() and ctx.matching.list_matches()
    assert ctx.matching.unmet_counts() is not None
    assert ctx.network.list_maps() and ctx.network.document(_map(viewer).id).nodes
    assert ctx.plans.list_plans()
    assert ctx.trash.list() and ctx.sync.conflicts()
    assert ctx.sync.history() == []
    for name in (
        "setup_progress",
        "meetings_per_district",
        "meetings_by_kind",
        "ageing_by_district",
        "resources_by_district",
        "needs_met",
        "volunteers_and_trainings",
    ):
        getattr(chart_data, name)(ctx, 2025)
    compute(ctx, 2025)
    assert booklet(ctx.directory).sections  # the residents' booklet has no private names
    weekly_timetable(ctx.directory)
    assert dump(viewer) == before


def test_a_viewer_sees_people_without_contact_details(viewer: City, staff: City) -> None:
    person = viewer.template.contact_person
    seen = viewer.ctx.directory.get_person(person)
    assert seen.name == "連絡 先子"
    assert all(getattr(seen, f) == "" for f in PERSONAL)
    for row in viewer.ctx.directory.list_people():
        assert all(getattr(row, f) == "" for f in PERSONAL), row.name
    full = staff.ctx.directory.get_person(person)
    assert (full.phone, full.address, full.email, full.postal_code, full.note) == (
        "0120-555-0199",
        "みどり野市本町1-2-3",
        "sakiko@example.jp",
        "123-4567",
        "火曜は不在",
    )
    listed = next(p for p in staff.ctx.directory.list_people() if p.id == person)
    assert listed.phone == "0120-555-0199"
    assert sum(1 for p in staff.ctx.directory.list_people() if p.phone) > 1


def test_a_viewers_page_of_people_has_no_contact_details(viewer: City, staff: City) -> None:
    """The people list read by pages hides what ``list_people`` hides, and a phone number is
    neither searched nor an order a 閲覧 account can sort by."""
    from shienapp.core.paging import ListQuery

    everyone = viewer.ctx.directory.person_page(ListQuery(), 0, 100_000)
    assert everyone.rows and len(everyone.rows) == everyone.total
    for row in everyone.rows:
        assert all(getattr(row, f) == "" for f in PERSONAL), row.name
    by_phone = viewer.ctx.directory.person_page(ListQuery(sort="phone"), 0, 100_000)
    assert [r.id for r in by_phone.rows] == [r.id for r in everyone.rows]
    assert viewer.ctx.directory.person_page(ListQuery(text="0120-555"), 0, 10).total == 0
    page = staff.ctx.directory.person_page(ListQuery(text="れんらく"), 0, 10)
    assert [r.phone for r in page.rows] == ["0120-555-0199"]


def test_staff_cannot_read_the_audit_trail_but_admin_can(
    as_role: Callable[[str | None], City], tmp_path: Path
) -> None:
    staff = as_role("staff")
    for call in (
        staff.ctx.audit.list,
        staff.ctx.audit.verify,
        lambda: staff.ctx.audit.export(staff.out / "audit.csv"),
        staff.ctx.accounts.list,
    ):
        with pytest.raises(AccessDenied, match="管理者の権限が必要です"):
            call()
    assert not any(staff.out.iterdir())
    staff.ctx.close()
    admin = as_role("admin")
    assert admin.ctx.audit.list() and admin.ctx.audit.verify() == []
    assert [a.login for a in admin.ctx.accounts.list()] == ["admin", "other", "staff", "viewer"]


def test_exports_and_prints_by_staff_are_recorded(staff: City) -> None:
    from shienapp.core.directory_io import export_records
    from shienapp.core.directory_print import roster

    count = export_records(staff.ctx.db, "people", staff.out / "people.xlsx")
    volunteers = roster(staff.ctx.directory).volunteers
    staff.ctx.accounts.sign_out()
    staff.ctx.accounts.sign_in("admin", PASSWORDS["admin"])
    lines = staff.ctx.audit.list(audit.AuditFilter(actor="職員 二郎"))
    printed = [(r.action, r.target, r.label) for r in lines if r.action in ("書き出し", "印刷")]
    assert printed == [
        ("印刷", "people", f"担い手名簿（市内全域、{len(volunteers)}人）"),
        ("書き出し", "people", f"{count}件 → people.xlsx"),
    ]


def test_a_viewers_sign_in_sheet_print_is_recorded(viewer: City) -> None:
    meeting = _meeting(viewer)
    viewer.ctx.meetings.record_print(meeting.row.id, meeting.row.title, "出席簿")
    viewer.ctx.accounts.sign_out()
    viewer.ctx.accounts.sign_in("admin", PASSWORDS["admin"])
    (line,) = viewer.ctx.audit.list(audit.AuditFilter(action="印刷"))
    assert line.actor == "閲覧 花子（閲覧）" and line.record_id == str(meeting.row.id)


def test_a_viewer_may_change_their_own_password(viewer: City) -> None:
    me = viewer.ctx.access.actor
    assert me is not None and me.account_id is not None
    viewer.ctx.accounts.set_password(me.account_id, "viewer-pass-2", "viewer-pass-2")
    viewer.ctx.accounts.sign_out()
    with pytest.raises(NotSignedIn):
        viewer.ctx.districts.list_districts()
    viewer.ctx.accounts.sign_in("viewer", "viewer-pass-2")
    assert viewer.ctx.districts.list_districts()


# ----------------------------------------------------------------------------- the table


def test_every_role_that_may_edit_may_see_personal_details() -> None:
    """Else a save by someone who cannot see contacts would write them back blank."""
    for role in Role:
        if may(role, Action.EDIT):
            assert may(role, Action.SEE_PERSONAL), role


def test_the_roles_nest() -> None:
    assert ALLOWED[Role.VIEWER] == {Action.READ}
    assert ALLOWED[Role.VIEWER] < ALLOWED[Role.STAFF] < ALLOWED[Role.ADMIN] == set(Action)
    staff_may_not = set(Action) - ALLOWED[Role.STAFF]
    assert staff_may_not == {
        Action.RESTORE,
        Action.SETTINGS,
        Action.EMPTY_TRASH,
        Action.MANAGE_ACCOUNTS,
        Action.VIEW_AUDIT,
        Action.MOVE_TO_SERVER,
    }
    assert all(may(None, action) for action in Action)  # accounts off: everything
    assert [Role.from_label(r.label) for r in Role] == list(Role)
