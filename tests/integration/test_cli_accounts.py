"""Commands on a database with accounts: signing in from the environment as a scheduled job
would (stdin is never a terminal here), each role's refusals, and ``shienapp audit``."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from test_cli import run as run_cli

from shienapp.core.context import AppContext
from shienapp.core.directory import PersonInput
from shienapp.core.permissions import Role

PASSWORDS = {"admin": "admin-pass-1", "shokuin": "staff-pass-1", "etsu": "viewer-pass-1"}


def run(
    *args: str | Path, user: str | None = None, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIENAPP_USER")}
    env.pop("SHIENAPP_PASSWORD", None)
    if user is not None:
        env["SHIENAPP_USER"] = user
        env["SHIENAPP_PASSWORD"] = PASSWORDS[user] if password is None else password
    return run_cli(*args, env=env)


@pytest.fixture
def guarded(tmp_path: Path) -> Path:
    path = tmp_path / "city.sqlite3"
    ctx = AppContext.open(path)
    ctx.districts.create_block("北部", "ほくぶ")
    ctx.directory.create_person(PersonInput(name="髙橋 﨑子", phone="090-1111-2222"))
    ctx.accounts.create_first_admin("admin", "管理 一郎", PASSWORDS["admin"], PASSWORDS["admin"])
    ctx.accounts.create("shokuin", "職員 次郎", Role.STAFF, *[PASSWORDS["shokuin"]] * 2)
    ctx.accounts.create("etsu", "閲覧 花子", Role.VIEWER, *[PASSWORDS["etsu"]] * 2)
    ctx.close()
    return path


def test_a_command_without_a_user_is_refused_in_japanese(guarded: Path) -> None:
    result = run("list", "blocks", "--db", guarded)
    assert result.returncode == 1
    assert "アカウントで保護されています" in result.stderr and "SHIENAPP_USER" in result.stderr
    wrong = run("list", "blocks", "--db", guarded, user="admin", password="nope")
    assert wrong.returncode == 1 and "違います" in wrong.stderr


def test_a_viewer_reads_but_cannot_export_people_or_see_the_trail(guarded, tmp_path) -> None:
    listed = run("list", "blocks", "--db", guarded, user="etsu")
    assert listed.returncode == 0 and "北部" in listed.stdout
    out = tmp_path / "people.xlsx"
    refused = run("export", "people", out, "--db", guarded, user="etsu")
    assert refused.returncode == 1 and "職員の権限" in refused.stderr and not out.exists()
    audit = run("audit", "--db", guarded, user="etsu")
    assert audit.returncode == 1 and "管理者の権限" in audit.stderr


def test_the_user_option_names_the_account(guarded: Path) -> None:
    env_less = run("--user", "shokuin", "list", "blocks", "--db", guarded, user=None)
    assert env_less.returncode == 1  # no password anywhere, and no terminal to ask at
    assert "SHIENAPP_PASSWORD" in env_less.stderr


def test_admin_lists_checks_and_exports_the_trail(guarded: Path, tmp_path: Path) -> None:
    run("list", "blocks", "--db", guarded, user="etsu")
    run("list", "blocks", "--db", guarded, user="etsu", password="wrong")
    listed = run("audit", "--limit", "100", "--db", guarded, user="admin")
    assert listed.returncode == 0
    assert "閲覧 花子（閲覧）  ログイン" in listed.stdout
    assert "ログイン失敗" in listed.stdout and "髙橋 﨑子" in listed.stdout
    assert "090-1111-2222" not in listed.stdout
    failures = run("audit", "--action", "ログイン失敗", "--db", guarded, user="admin")
    assert failures.stdout.strip() and all(
        "ログイン失敗" in line for line in failures.stdout.splitlines()
    )
    verified = run("audit", "--verify", "--db", guarded, user="admin")
    assert verified.returncode == 0 and "正しくつながっています" in verified.stdout
    out = tmp_path / "trail.csv"
    exported = run("audit", "--out", out, "--db", guarded, user="admin")
    assert exported.returncode == 0
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "番号" and len(rows) > 5 and all(len(r[8]) == 64 for r in rows[1:])


def test_a_tampered_trail_fails_the_check(guarded: Path) -> None:
    connection = sqlite3.connect(guarded)
    with connection:
        with pytest.raises(sqlite3.DatabaseError, match="監査記録は変更・削除できません"):
            connection.execute("UPDATE audit_log SET label = '書き換え' WHERE seq = 2")
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET label = '書き換え' WHERE seq = 2")
    connection.close()
    verified = run("audit", "--verify", "--db", guarded, user="admin")
    assert verified.returncode == 1 and "2番: 内容が書き換えられています" in verified.stdout


def test_restore_needs_an_admin_and_backup_needs_nobody(guarded: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    made = run("backup", "--to", folder, "--db", guarded)
    assert made.returncode == 0, made.stderr
    backup = next(folder.glob("*.sqlite3"))
    staff = run("restore", backup, "--db", guarded, user="shokuin")
    assert staff.returncode == 1 and "管理者の権限" in staff.stderr
    admin = run("restore", backup, "--db", guarded, user="admin")
    assert admin.returncode == 0, admin.stderr
