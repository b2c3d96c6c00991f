"""``shienapp backup``, ``restore`` and ``check``: for a scheduled job or a bad morning.

``restore`` and ``check`` never open the database through the app (which would migrate or
write to it): a damaged file is only read, and a restore first sets it aside untouched.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shienapp import config
from shienapp.core.backups import BackupService
from shienapp.core.errors import UserError
from shienapp.storage import integrity
from shienapp.storage.db import sqlite_file_of


def add_safety_parsers(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    backup = sub.add_parser("backup", help="バックアップを作ります（--list で一覧）")
    backup.add_argument("--to", type=Path, metavar="DIR", default=None, help="保存先のフォルダ")
    backup.add_argument("--list", action="store_true", help="作らずに、あるバックアップを一覧")
    add_db(backup)
    backup.set_defaults(handler=cmd_backup)

    restore = sub.add_parser(
        "restore", help="バックアップから復元します（いまの状態も先にバックアップします）"
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="復元するバックアップ")
    add_db(restore)
    restore.set_defaults(handler=cmd_restore)

    trash = sub.add_parser("trash", help="ごみ箱（削除した記録）の一覧・復元・空にする")
    trash.add_argument("--restore", metavar="ID", default=None, help="この ID の記録を復元")
    trash.add_argument(
        "--empty", action="store_true", help="ごみ箱を空にする（内容を消し、削除の記録だけ残す）"
    )
    add_db(trash)
    trash.set_defaults(handler=cmd_trash)

    check = sub.add_parser("check", help="データベースの破損と参照の切れを検査します")
    add_db(check)
    check.set_defaults(handler=cmd_check)


def _database_file(args: argparse.Namespace) -> Path:
    path = sqlite_file_of(config.database_url(getattr(args, "db", None)))
    if path is None:
        raise UserError(
            "この操作は SQLite のファイルにだけ使えます（サーバーのデータベースはサーバー側で"
            "バックアップしてください）。"
        )
    return path


def cmd_backup(args: argparse.Namespace) -> int:
    path = _database_file(args)
    folder = args.to if args.to is not None else config.backup_dir()
    service = BackupService(path, folder)
    if args.list:
        backups = service.list()
        if not backups:
            print(f"{folder} にバックアップはありません。")
        for b in backups:
            print(f"{b.path}\t{b.describe()}")
        return 0
    if not path.exists():
        raise UserError(f"データベースが見つかりません: {path}")
    problems = integrity.check(path)
    if problems:
        raise UserError(
            "データベースが壊れているため、バックアップで上書きされないよう中止しました。", problems
        )
    if args.to is not None:
        args.to.mkdir(parents=True, exist_ok=True)
    info = service.create("manual")
    print(f"{info.path} にバックアップしました（{info.describe()}）。")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    path = _database_file(args)
    service = BackupService(path, config.backup_dir())
    existed = path.exists()
    before = service.restore(args.file)
    if before is not None:
        print(f"復元の前の状態を {before.path} に残しました。")
    elif existed:
        print("壊れていたファイルは backups/damaged/ にそのまま移しました。")
    # Open once through the app: an older backup is upgraded (with its own backup first).
    from shienapp.core.context import AppContext

    ctx = AppContext.open(path)
    ctx.close()
    print(f"{args.file} から {path} を復元しました。")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    path = _database_file(args)
    if not path.exists():
        raise UserError(f"データベースが見つかりません: {path}")
    if not integrity.is_sqlite_file(path):
        raise UserError(f"{path} は SQLite のデータベースではありません。")
    problems = integrity.check(path, full=True)
    if not problems:
        print(f"{path}: 問題は見つかりませんでした（integrity_check・foreign_key_check）。")
        return 0
    print(f"{path}: 問題が見つかりました。ファイルは変更していません。")
    for problem in problems:
        print(f"  {problem}")
    latest = BackupService(path, config.backup_dir()).latest_sound()
    if latest is not None:
        print(f'最新の正常なバックアップ: {latest.describe()}\n  shienapp restore "{latest.path}"')
    return 1


def cmd_trash(args: argparse.Namespace) -> int:
    from shienapp.core.context import AppContext

    if args.restore and args.empty:
        raise UserError("--restore と --empty は同時に指定できません。")
    ctx = AppContext.open(getattr(args, "db", None))
    try:
        if args.restore:
            entry = ctx.trash.find(args.restore)
            ctx.trash.restore(entry.table, entry.id)
            extra = f"（一緒に削除された {entry.children} 件も）" if entry.children else ""
            print(f"{entry.kind}「{entry.label}」を復元しました{extra}。")
            return 0
        if args.empty:
            ctx.backup("manual")
            erased = ctx.trash.empty()
            print(
                f"ごみ箱を空にしました（{erased} 件の内容を消しました。直前にバックアップ済み）。"
            )
            return 0
        entries = ctx.trash.list()
    finally:
        ctx.close()
    if not entries:
        print("ごみ箱は空です。")
    for e in entries:
        extra = f"\tほか {e.children} 件" if e.children else ""
        print(f"{e.id}\t{e.kind}\t{e.label}\t{e.deleted_at:%Y-%m-%d %H:%M}{extra}")
    return 0
