"""shienapp migrate-to: a centre's SQLite file moved into a real PostgreSQL server, every row
counted on both sides; a server with data refused; a count that does not match rolled back."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pgserver
import pytest
from sqlalchemy import create_engine, select, text
from test_cli import run

from shienapp.core.context import AppContext
from shienapp.core.directory import EDITED_MARK, OLD_EDITED_MARK
from shienapp.storage.models import Base, SyncHistory, VocabularyEntry
from shienapp.storage.models.base import utcnow


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in Base.metadata.tables
        }


def server_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in Base.metadata.tables
            }
    finally:
        engine.dispose()


def env_for(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SHIENAPP_DATA_DIR"] = str(tmp_path / "userdata")
    env.pop("SHIENAPP_DATABASE_URL", None)
    return env


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city, with what a file made before the server may hold: the vocabulary's old
    'list edited' mark (with a NUL) and history rows with ids 1 and 7."""
    folder = tmp_path_factory.mktemp("centre")
    path = folder / "centre.sqlite3"
    result = run("demo", "--db", path, env=env_for(folder))
    assert result.returncode == 0, result.stderr
    ctx = AppContext.open(path)
    try:
        ctx.directory.set_terms("skill", ["傾聴", "運転"])
        with ctx.db.write() as s:
            # The category list emptied by a version that marked it with a NUL.
            s.add(
                VocabularyEntry(
                    kind="category", name=OLD_EDITED_MARK, sort_order=-1, deleted_at=utcnow()
                )
            )
            s.add(SyncHistory(id=1, direction="export", file_name="a.shienapp"))
            s.add(SyncHistory(id=7, direction="import", file_name="b.shienapp"))
    finally:
        ctx.close()
    return path


def copy_of(demo_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "centre.sqlite3"
    with sqlite3.connect(demo_file) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


def test_migrate_to_moves_every_row_and_checks_the_counts(
    demo_file: Path, tmp_path: Path, postgres_server: pgserver.Server
) -> None:
    path = copy_of(demo_file, tmp_path)
    before = sqlite_counts(path)
    url = postgres_server.empty_database()  # no tables at all: the migrations make them
    env = env_for(tmp_path)

    result = run("migrate-to", url, "--db", path, env=env)

    assert result.returncode == 0, result.stderr
    assert server_counts(url) == before
    assert before["attendances"] > 5000 and before["audit_log"] > 0
    out = result.stdout
    assert f"出欠（attendances）: 元 {before['attendances']:,} 件 → 移行先" in out
    assert f"監査記録（audit_log）: 元 {before['audit_log']:,} 件" in out
    assert out.count(" 一致") == len(Base.metadata.tables) and "不一致" not in out
    assert "移行を確定しました" in out
    assert sqlite_counts(path) == before  # the file is left as it was

    # The app works on the server: the same districts, the trail's chain intact, the
    # vocabulary as the file had it, and the history's next id after the copied ones.
    listed_file = run("list", "districts", "--db", path, env=env)
    listed_server = run("list", "districts", "--db", url, env=env)
    assert listed_server.returncode == 0, listed_server.stderr
    assert listed_server.stdout == listed_file.stdout and "青葉" in listed_server.stdout
    verified = run("audit", "--verify", "--db", url, env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    server = AppContext.open(url)
    try:
        assert server.directory.terms("skill") == ["傾聴", "運転"]
        assert server.directory.terms("category") == []
        with server.db.write() as s:
            marks = s.scalars(select(VocabularyEntry.name).where(VocabularyEntry.sort_order < 0))
            assert OLD_EDITED_MARK not in list(marks)
            history = SyncHistory(direction="export", file_name="c.shienapp")
            s.add(history)
            s.flush()
            assert history.id == 8
        with server.db.read() as s:
            assert EDITED_MARK in s.scalars(select(VocabularyEntry.name)).all()
    finally:
        server.close()


def test_migrate_to_refuses_a_server_that_already_has_data(
    demo_file: Path, tmp_path: Path, postgres_server: pgserver.Server
) -> None:
    path = copy_of(demo_file, tmp_path)
    url = postgres_server.empty_database()
    env = env_for(tmp_path)
    assert run("migrate-to", url, "--db", path, env=env).returncode == 0
    before = server_counts(url)

    again = run("migrate-to", url, "--db", path, env=env)

    assert again.returncode != 0
    assert "移行先のデータベースにはすでにデータがあります" in again.stderr
    assert "地区（39 件）" in again.stderr and "何も変更していません" in again.stderr
    assert server_counts(url) == before


def test_a_count_that_does_not_match_rolls_everything_back(
    demo_file: Path, tmp_path: Path, postgres_server: pgserver.Server
) -> None:
    """A server that silently drops the rows of one table (a trigger returning NULL): the move
    is not committed, the table is named, and the server is left empty."""
    path = copy_of(demo_file, tmp_path)
    before = sqlite_counts(path)["decisions"]
    url = postgres_server.fresh_database()
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE FUNCTION drop_row() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RETURN NULL; END $$"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER lose_decisions BEFORE INSERT ON decisions "
                    "FOR EACH ROW EXECUTE FUNCTION drop_row()"
                )
            )
    finally:
        engine.dispose()

    result = run("migrate-to", url, "--db", path, env=env_for(tmp_path))

    assert result.returncode != 0
    assert "移行後の件数が元と合わないため、移行を取り消しました" in result.stderr
    assert f"決定事項: 元 {before:,} 件、移行先 0 件" in result.stderr
    assert set(server_counts(url).values()) == {0}


def test_migrate_to_wants_a_postgresql_url_and_a_file(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    wrong = run("migrate-to", f"sqlite:///{tmp_path / 'x.sqlite3'}", env=env)
    assert wrong.returncode != 0
    assert "移行先には PostgreSQL の URL を指定してください" in wrong.stderr
    missing = run(
        "migrate-to",
        "postgresql+psycopg://shienapp@127.0.0.1:1/shienapp",
        "--db",
        tmp_path / "none.sqlite3",
        env=env,
    )
    assert missing.returncode != 0
    assert "移行元のデータベースが見つかりません" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()


def test_a_server_that_cannot_be_reached_is_named_in_japanese(tmp_path: Path) -> None:
    url = "postgresql+psycopg://shienapp:himitsu-1234@127.0.0.1:1/city"  # port 1: nobody listens
    result = run("list", "districts", "--db", url, env=env_for(tmp_path))
    assert result.returncode != 0
    assert "データベースサーバー（127.0.0.1:1、データベース city）に接続できませんでした" in (
        result.stderr
    )
    assert "SHIENAPP_DATABASE_URL" in result.stderr
    assert "himitsu-1234" not in result.stderr + result.stdout  # the password is never shown
