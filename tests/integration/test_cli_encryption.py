"""``shienapp encrypt`` / ``decrypt`` and the commands on an encrypted database, with the
passphrase in SHIENAPP_DB_KEY as a script would pass it (stdin is never a terminal here)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import run as run_cli

from shienapp import cli, cli_safety
from shienapp.core.context import AppContext
from shienapp.storage import cipher

KEY = "持ち出し用 passphrase"


def run(*args: str | Path, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SHIENAPP_DB_KEY"}
    if key is not None:
        env["SHIENAPP_DB_KEY"] = key
    return run_cli(*args, env=env)


@pytest.fixture(scope="module")
def demo_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    result = run("demo", "--db", path)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def laptop(demo_plain: Path, tmp_path: Path) -> Path:
    path = tmp_path / "laptop.sqlite3"
    shutil.copyfile(demo_plain, path)
    return path


def _district_names(path: Path, key: str | None = None) -> list[str]:
    connection = cipher.connect_readonly(path, key)
    try:
        return sorted(
            r[0] for r in connection.execute("SELECT name FROM districts WHERE deleted_at IS NULL")
        )
    finally:
        connection.close()


def test_encrypt_in_place_then_use_it_with_the_environment_key(laptop: Path) -> None:
    names = _district_names(laptop)
    demo_plain_bytes = laptop.read_bytes()
    assert len(names) == 39
    result = run("encrypt", "--db", laptop, key=KEY)
    assert result.returncode == 0, result.stderr
    assert "暗号化しました" in result.stdout and "unencrypted" in result.stdout
    assert "削除するか" in result.stdout and "取り出せません" in result.stdout
    raw = laptop.read_bytes()
    assert cipher.looks_encrypted(laptop)
    # Names of two characters or more (one kanji is 3 bytes: random bytes match it by chance).
    telling = [name.encode("utf-8") for name in names if len(name) >= 2]
    assert len(telling) > 30 and all(name in demo_plain_bytes for name in telling)
    assert not any(name in raw for name in telling)
    with sqlite3.connect(laptop) as plain, pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM districts").fetchone()

    result = run("trash", "--db", laptop)
    assert result.returncode == 1 and "暗号化されています" in result.stderr
    assert "SHIENAPP_DB_KEY" in result.stderr
    result = run("trash", "--db", laptop, key="wrong passphrase")
    assert result.returncode == 1 and "パスフレーズが違います" in result.stderr
    assert laptop.read_bytes() == raw
    result = run("trash", "--db", laptop, key=KEY)
    assert result.returncode == 0 and "ごみ箱は空です" in result.stdout

    result = run("check", "--db", laptop, key=KEY)
    assert result.returncode == 0 and "問題は見つかりませんでした" in result.stdout
    result = run("backup", "--db", laptop, key=KEY)
    assert result.returncode == 0 and "地区 39" in result.stdout, result.stderr
    backup = Path(result.stdout.split(" にバックアップしました")[0])
    assert cipher.looks_encrypted(backup) and _district_names(backup, KEY) == names

    result = run("restore", backup, "--db", laptop, key=KEY)
    assert result.returncode == 0 and "復元しました" in result.stdout, result.stderr
    assert cipher.looks_encrypted(laptop) and _district_names(laptop, KEY) == names

    out = laptop.with_name("plain.sqlite3")
    result = run("decrypt", "--db", laptop, "--out", out, key=KEY)
    assert result.returncode == 0, result.stderr
    assert "誰でも読めます" in result.stdout
    assert _district_names(out) == names and cipher.looks_encrypted(laptop)


def test_encrypt_refuses_a_short_or_missing_passphrase(laptop: Path) -> None:
    before = laptop.read_bytes()
    result = run("encrypt", "--db", laptop, key="short")
    assert result.returncode == 1 and "8 文字以上" in result.stderr
    result = run("encrypt", "--db", laptop)
    assert result.returncode == 1 and "SHIENAPP_DB_KEY" in result.stderr
    assert laptop.read_bytes() == before
    assert not list((laptop.parent / "userdata").rglob("*pre-encrypt*"))  # no backup made


def test_encrypt_to_a_copy_leaves_the_database_plain(laptop: Path) -> None:
    before = laptop.read_bytes()
    copy = laptop.with_name("for-the-laptop.sqlite3")
    result = run("encrypt", "--db", laptop, "--out", copy, key=KEY)
    assert result.returncode == 0, result.stderr
    assert "暗号化されていないまま" in result.stdout
    assert laptop.read_bytes() == before
    assert cipher.looks_encrypted(copy) and _district_names(copy, KEY) == _district_names(laptop)
    result = run("encrypt", "--db", laptop, "--out", copy, key=KEY)
    assert result.returncode == 1 and "すでにあります" in result.stderr


def test_decrypt_needs_out_and_an_encrypted_file(laptop: Path) -> None:
    result = run("decrypt", "--db", laptop)
    assert result.returncode == 2 and "--out" in result.stderr
    result = run("decrypt", "--db", laptop, "--out", laptop.with_name("x.sqlite3"), key=KEY)
    assert result.returncode == 1 and "暗号化されていません" in result.stderr


# ----------------------------------------------------------------------------- the helper


def test_the_key_comes_from_the_environment_or_a_prompt(
    laptop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_safety.database_key(laptop) is None  # a plain file needs none
    encrypted = laptop.with_name("enc.sqlite3")
    assert run("encrypt", "--db", laptop, "--out", encrypted, key=KEY).returncode == 0
    monkeypatch.delenv("SHIENAPP_DB_KEY", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert cli_safety.database_key(encrypted) is None
    prompts: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(cli_safety.getpass, "getpass", lambda p: prompts.append(p) or KEY)
    assert cli_safety.database_key(encrypted) == KEY
    assert prompts == [cli_safety.ASK_KEY] and "パスフレーズを入力してください" in prompts[0]
    monkeypatch.setenv("SHIENAPP_DB_KEY", "from the environment")
    assert cli_safety.database_key(encrypted) == "from the environment"

    # The line proposed for cli._ctx: any command that opens the database gets the key.
    def _ctx(args: object) -> AppContext:
        db = getattr(args, "db", None)
        return AppContext.open(db, key=cli_safety.database_key(db))

    cipher.forget_all()
    monkeypatch.setenv("SHIENAPP_DB_KEY", KEY)
    monkeypatch.setattr(cli, "_ctx", _ctx)
    assert cli.main(["list", "districts", "--db", str(encrypted)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 39
    cipher.forget_all()
