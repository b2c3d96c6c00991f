"""Encryption at rest (SQLCipher): what is on disk, opening with and without the passphrase, the
ordinary services, checks, backups and restores, conversions both ways, and an old file that is
upgraded while encrypted."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbdump import Rows, table_rows

from shienapp import config
from shienapp.core.backups import BackupService
from shienapp.core.context import AppContext, DamagedDatabaseError, EncryptedDatabaseError
from shienapp.core.districts import DistrictInput
from shienapp.core.encryption import (
    PLAIN_FOLDER,
    check_passphrase,
    decrypt_copy,
    decrypt_database,
    encrypt_copy,
    encrypt_database,
)
from shienapp.core.errors import UserError
from shienapp.storage import cipher, integrity, schema
from shienapp.storage.db import DatabaseError

KEY = 'かぎ-it\'s "quoted" 2026'
SECRET = "暗号化試験用地区名サクラダ"  # a name that appears nowhere else
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "db"


@pytest.fixture(autouse=True)
def _no_remembered_keys() -> Iterator[None]:
    """Each test starts as a fresh process would: no passphrase typed yet."""
    cipher.forget_all()
    yield
    cipher.forget_all()


def _with_secret(path: Path, key: str | None = KEY) -> None:
    ctx = AppContext.open(path, key=key)
    try:
        block, _ = ctx.districts.create_block("北部", "ほくぶ")
        ctx.districts.create_district(
            DistrictInput(SECRET, "さくらだ", block.id, code="SECRET-CODE-4711")
        )
    finally:
        ctx.close()


def _on_disk(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _rows(path: Path, key: str | None = None) -> Rows:
    connection = cipher.connect_readonly(path, key)
    try:
        return table_rows(connection)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def demo_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from shienapp.core.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    ctx = AppContext.open(path)
    try:
        build_demo(ctx.db)
    finally:
        ctx.close()
    return path


# ----------------------------------------------------------------------------- on disk


def test_an_encrypted_file_holds_no_plain_text_of_its_records(tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    folder.mkdir()
    path = folder / "laptop.sqlite3"
    _with_secret(path)
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert cipher.looks_encrypted(path)
    raw = _on_disk(folder)  # the file and anything beside it (-wal, -shm)
    assert SECRET.encode("utf-8") not in raw
    assert b"SECRET-CODE-4711" not in raw and b"CREATE TABLE" not in raw
    if shutil.which("strings"):
        for encoding in ("s", "S"):
            shown = subprocess.run(
                ["strings", "-a", "-e", encoding, str(path)], capture_output=True, check=True
            ).stdout
            assert SECRET.encode("utf-8") not in shown and b"SECRET-CODE" not in shown
    # The same record in a plain file is there for anyone to read: the test can tell.
    plain = tmp_path / "plain.sqlite3"
    _with_secret(plain, key=None)
    assert SECRET.encode("utf-8") in plain.read_bytes()


def test_the_backups_of_an_encrypted_database_are_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "laptop.sqlite3"
    _with_secret(path)
    ctx = AppContext.open(path, key=KEY)
    try:
        backup = ctx.backup("manual")
    finally:
        ctx.close()
    assert backup is not None and cipher.looks_encrypted(backup)
    assert SECRET.encode("utf-8") not in backup.read_bytes()
    with sqlite3.connect(backup) as plain, pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    with pytest.raises(cipher.WrongKey):
        cipher.check_key(backup, "another passphrase")
    assert _rows(backup, KEY)["districts"] == _rows(path, KEY)["districts"]
    (info,) = BackupService(path, config.backup_dir()).list()
    assert info.counts["地区"] == 1
    assert '"encrypted": true' in backup.with_suffix(".json").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- opening


def test_it_opens_with_the_key_and_not_without_or_with_a_wrong_one(tmp_path: Path) -> None:
    path = tmp_path / "laptop.sqlite3"
    _with_secret(path)
    cipher.forget_all()
    before = path.read_bytes()
    with pytest.raises(EncryptedDatabaseError) as missing:
        AppContext.open(path)
    assert not missing.value.wrong_key
    assert "暗号化されています" in missing.value.message and "パスフレーズ" in missing.value.message
    with pytest.raises(EncryptedDatabaseError) as wrong:
        AppContext.open(path, key="wrong passphrase")
    assert wrong.value.wrong_key and "パスフレーズが違います" in wrong.value.message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laptop.sqlite3", "userdata"]

    ctx = AppContext.open(path, key=KEY)
    try:
        assert ctx.db.encrypted
        assert [d.name for d in ctx.districts.list_districts()] == [SECRET]
    finally:
        ctx.close()
    # Typed once in this process, the passphrase opens the file again (a reopened window).
    ctx = AppContext.open(path)
    ctx.close()


def test_the_ordinary_services_work_on_an_encrypted_database(tmp_path: Path) -> None:
    path = tmp_path / "laptop.sqlite3"
    ctx = AppContext.open(path, key=KEY)
    try:
        assert ctx.db.encrypted
        block, _ = ctx.districts.create_block("南部", "なんぶ")
        district_id, _ = ctx.districts.create_district(DistrictInput("中居", "なかい", block.id))
    finally:
        ctx.close()
    cipher.forget_all()
    ctx = AppContext.open(path, key=KEY)
    try:
        detail = ctx.districts.get_district(district_id)
        assert detail.row.name == "中居"
        assert [b.name for b in ctx.districts.list_blocks()] == ["南部"]
    finally:
        ctx.close()


def test_a_key_given_for_a_plain_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite3"
    _with_secret(path, key=None)
    ctx = AppContext.open(path, key=KEY)
    try:
        assert not ctx.db.encrypted
    finally:
        ctx.close()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")


def test_a_passphrase_is_quoted_not_spliced_into_sql() -> None:
    assert cipher.key_pragma("a'b") == "PRAGMA key = 'a''b'"
    with pytest.raises(DatabaseError):
        cipher.key_pragma("nul\x00inside")


# ----------------------------------------------------------------------------- checks


def test_integrity_check_and_damage_of_an_encrypted_database(tmp_path: Path) -> None:
    path = tmp_path / "laptop.sqlite3"
    ctx = AppContext.open(path, key=KEY)
    try:
        for i in range(300):
            ctx.districts.create_block(f"ブロック{i:03d}", "ぶろっく")
        ctx.backup("manual")
    finally:
        ctx.close()
    assert integrity.check(path, key=KEY) == []
    assert integrity.check(path, full=True, key=KEY) == []
    assert "暗号化されています" in integrity.check(path)[0]

    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8192] = b"\x41" * 8192
    path.write_bytes(bytes(data))
    assert integrity.check(path, full=True, key=KEY)
    with pytest.raises(DamagedDatabaseError) as caught:
        AppContext.open(path, key=KEY)
    assert path.read_bytes() == bytes(data)  # never written to
    # The newest sound (encrypted) backup is named: its check used the passphrase typed.
    assert caught.value.backup is not None and "最新の正常なバックアップ" in caught.value.message

    service = BackupService(path, config.backup_dir())
    service.restore(caught.value.backup)
    assert cipher.looks_encrypted(path) and integrity.check(path, full=True, key=KEY) == []
    ctx = AppContext.open(path, key=KEY)
    try:
        assert len(ctx.districts.list_blocks()) == 300
    finally:
        ctx.close()


def test_backup_and_restore_of_an_encrypted_database(tmp_path: Path) -> None:
    path = tmp_path / "laptop.sqlite3"
    ctx = AppContext.open(path, key=KEY)
    try:
        ctx.districts.create_block("北部", "ほくぶ")
        backup = ctx.backup("manual")
        ctx.districts.create_block("南部", "なんぶ")
    finally:
        ctx.close()
    assert backup is not None
    before = BackupService(path, config.backup_dir()).restore(backup)
    assert before is not None and cipher.looks_encrypted(before.path)
    assert cipher.looks_encrypted(path)
    cipher.forget_all()
    ctx = AppContext.open(path, key=KEY)
    try:
        assert [b.name for b in ctx.districts.list_blocks()] == ["北部"]
    finally:
        ctx.close()


def test_a_plain_backup_restored_into_an_encrypted_database_is_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite3"
    _with_secret(path, key=None)
    plain_backup = BackupService(path, tmp_path / "old").create("manual").path
    encrypt_database(path, KEY, backup_folder=config.backup_dir())
    ctx = AppContext.open(path, key=KEY)
    try:
        ctx.districts.create_block("南部", "なんぶ")
    finally:
        ctx.close()
    BackupService(path, config.backup_dir()).restore(plain_backup)
    assert cipher.looks_encrypted(path)
    assert SECRET.encode("utf-8") not in path.read_bytes()
    assert [d[1] for d in _rows(path, KEY)["districts"]].count(SECRET) == 1
    assert len([r for r in _rows(path, KEY)["blocks"] if r[1] == "南部"]) == 0


def test_a_backup_under_another_passphrase_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "laptop.sqlite3"
    _with_secret(path)
    other = tmp_path / "other.sqlite3"
    _with_secret(other, key="another passphrase")
    backup = BackupService(other, tmp_path / "b", key="another passphrase").create("manual")
    before = path.read_bytes()
    with pytest.raises(UserError, match="別のパスフレーズ"):
        BackupService(path, config.backup_dir(), key=KEY).restore(backup.path)
    assert path.read_bytes() == before


# ----------------------------------------------------------------------------- conversions


def test_encrypt_then_decrypt_keeps_every_tables_rows(demo_plain: Path, tmp_path: Path) -> None:
    encrypted = encrypt_copy(demo_plain, KEY, tmp_path / "enc.sqlite3").database
    assert cipher.looks_encrypted(encrypted)
    back = decrypt_copy(encrypted, KEY, tmp_path / "back.sqlite3")
    assert back.read_bytes().startswith(b"SQLite format 3\x00")
    original = _rows(demo_plain)
    assert len(original["meetings"]) > 100 and len(original["people"]) > 100
    assert _rows(encrypted, KEY) == original
    assert _rows(back) == original
    assert not list(tmp_path.glob(".*.part*"))  # no temporary file left behind


def test_encrypting_in_place_moves_the_plain_copies_aside(demo_plain: Path, tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite3"
    shutil.copyfile(demo_plain, path)
    folder = config.backup_dir()
    older = BackupService(path, folder).create("manual").path
    original = _rows(path)

    result = encrypt_database(path, KEY, backup_folder=folder)
    assert cipher.looks_encrypted(path) and _rows(path, KEY) == original
    aside = folder / PLAIN_FOLDER
    assert result.plain_folder == aside and result.plain_backup is not None
    assert result.plain_backup.parent == aside and _rows(result.plain_backup) == original
    assert result.moved == [aside / older.name]
    assert "削除するか" in result.describe() and str(aside) in result.describe()
    # Nothing plain is left among the rotating backups; the next one is encrypted.
    assert BackupService(path, folder).list() == []
    ctx = AppContext.open(path)  # the passphrase is remembered for this process
    try:
        made = ctx.backup("manual")
    finally:
        ctx.close()
    assert made is not None and cipher.looks_encrypted(made)

    decrypt_database(path, KEY, backup_folder=folder)
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    assert _rows(path) == original
    newest = BackupService(path, folder, key=KEY).list()[0]
    assert newest.reason == "pre-decrypt" and cipher.looks_encrypted(newest.path)
    ctx = AppContext.open(path)
    try:
        assert not ctx.db.encrypted
    finally:
        ctx.close()


def test_a_damaged_or_already_encrypted_file_is_not_converted(tmp_path: Path) -> None:
    path = tmp_path / "laptop.sqlite3"
    _with_secret(path)
    before = path.read_bytes()
    with pytest.raises(UserError, match="すでに暗号化"):
        encrypt_database(path, KEY, backup_folder=config.backup_dir())
    with pytest.raises(UserError, match="パスフレーズが違います"):
        decrypt_copy(path, "wrong passphrase", tmp_path / "out.sqlite3")
    assert path.read_bytes() == before and not (tmp_path / "out.sqlite3").exists()


def test_passphrase_rules() -> None:
    assert check_passphrase("12345678") == "12345678"
    with pytest.raises(UserError, match="8 文字以上"):
        check_passphrase("1234567")
    with pytest.raises(UserError, match="一致しません"):
        check_passphrase("12345678", "12345679")


# ----------------------------------------------------------------------------- migrations


def test_an_older_encrypted_database_is_upgraded_with_its_key(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / f"rev_{schema.REVISIONS[0]}.sqlite3", old)
    rows_before = _rows(old)
    encrypted = encrypt_copy(old, KEY, tmp_path / "laptop.sqlite3").database
    cipher.forget_all()
    with pytest.raises(EncryptedDatabaseError):
        AppContext.open(encrypted)
    ctx = AppContext.open(encrypted, key=KEY)
    try:
        assert [d.name for d in ctx.districts.list_districts()] == ["井野", "中居"]
    finally:
        ctx.close()
    after = _rows(encrypted, KEY)
    assert len(after["districts"]) == len(rows_before["districts"]) == 3
    assert after["alembic_version"] == [(schema.HEAD,)]
    assert cipher.looks_encrypted(encrypted)
    (pre,) = (config.backup_dir() / "pre-migration").glob("laptop-*.sqlite3")
    assert cipher.looks_encrypted(pre)  # the copy before the upgrade is encrypted too
    assert _rows(pre, KEY)["alembic_version"] == [(schema.REVISIONS[0],)]
