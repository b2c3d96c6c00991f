"""``shienapp backup``, ``restore`` and ``check``: for a scheduled job or a bad morning.

``restore`` and ``check`` never open the database through the app (which would migrate or
write to it): a damaged file is only read, and a restore first sets it aside untouched.

``encrypt`` and ``decrypt``: a laptop copy encrypted with a passphrase (SQLCipher). The
passphrase of an encrypted database comes from ``SHIENAPP_DB_KEY`` or, at a terminal, is asked
for (:func:`database_key`, which every command that opens the database uses).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shienapp import config
from shienapp.cli_access import sign_in
from shienapp.core.errors import UserError
from shienapp.storage import cipher, integrity

ASK_KEY = "このデータベースは暗号化されています。パスフレーズを入力してください: "


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

    encrypt = sub.add_parser(
        "encrypt",
        help="データベースをパスフレーズで暗号化します（持ち出すノートパソコン用）",
        description="データベースをパスフレーズで暗号化します。パスフレーズは環境変数 "
        "SHIENAPP_DB_KEY から、なければ 2 回たずねます。パスフレーズを忘れると、"
        "データは誰にも取り出せません。",
    )
    encrypt.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        default=None,
        help="暗号化したコピーをこのファイルに書き出す（元のデータベースは変えない）。"
        "省略時はデータベースそのものを暗号化",
    )
    add_db(encrypt)
    encrypt.set_defaults(handler=cmd_encrypt)

    decrypt = sub.add_parser(
        "decrypt", help="暗号化されたデータベースの、暗号化を解除したコピーを書き出します"
    )
    decrypt.add_argument(
        "--out", type=Path, metavar="FILE", required=True, help="書き出すファイル（新しい名前）"
    )
    add_db(decrypt)
    decrypt.set_defaults(handler=cmd_decrypt)


def database_key(db: str | os.PathLike[str] | None, *, ask: bool = True) -> str | None:
    """The passphrase for the database ``db`` names, when its file is encrypted: the one in
    ``SHIENAPP_DB_KEY``, else (``ask`` and a terminal) typed at a prompt; None for a plain file
    or when there is no way to get one (opening it then says a passphrase is needed)."""
    from shienapp.storage.db import sqlite_file_of

    path = sqlite_file_of(config.database_url(db))
    if path is None or not cipher.looks_encrypted(path):
        return None
    return _passphrase(ask=ask)


def _passphrase(*, ask: bool = True) -> str | None:
    key = config.database_key_from_env()
    if key is not None or not ask or not sys.stdin.isatty():
        return key
    try:
        return getpass.getpass(ASK_KEY) or None
    except EOFError:
        return None


def _new_passphrase() -> str:
    """A new passphrase: ``SHIENAPP_DB_KEY``, or typed twice at a terminal."""
    from shienapp.core.encryption import MIN_PASSPHRASE, check_passphrase

    key = config.database_key_from_env()
    if key is not None:
        return check_passphrase(key)
    if not sys.stdin.isatty():
        raise UserError(
            "パスフレーズを環境変数 SHIENAPP_DB_KEY で渡すか、端末から実行してください。"
        )
    try:
        first = getpass.getpass(f"新しいパスフレーズ（{MIN_PASSPHRASE} 文字以上）: ")
        again = getpass.getpass("もう一度入力してください: ")
    except EOFError:
        raise UserError("パスフレーズが入力されませんでした。") from None
    return check_passphrase(first, again)


def _database_file(args: argparse.Namespace) -> Path:
    from shienapp.storage.db import sqlite_file_of

    path = sqlite_file_of(config.database_url(getattr(args, "db", None)))
    if path is None:
        raise UserError(
            "この操作は SQLite のファイルにだけ使えます（サーバーのデータベースはサーバー側で"
            "バックアップしてください）。"
        )
    return path


def _key_for(path: Path) -> str | None:
    """The passphrase for ``path`` if it is encrypted; a UserError when none can be had."""
    if not cipher.looks_encrypted(path):
        return None
    key = _passphrase()
    if key is None:
        raise UserError(
            f"データベース {path} は暗号化されています。パスフレーズを環境変数 "
            "SHIENAPP_DB_KEY で渡すか、端末から実行してください。"
        )
    try:
        cipher.check_key(path, key)
    except cipher.WrongKey as exc:
        raise UserError(f"パスフレーズが違います。{path} は変更していません。") from exc
    return key


def cmd_backup(args: argparse.Namespace) -> int:
    from shienapp.core.backups import BackupService

    path = _database_file(args)
    folder = args.to if args.to is not None else config.backup_dir()
    key = _key_for(path) if path.exists() and not args.list else None
    service = BackupService(path, folder, key=key)
    if args.list:
        backups = service.list()
        if not backups:
            print(f"{folder} にバックアップはありません。")
        for b in backups:
            print(f"{b.path}\t{b.describe()}")
        return 0
    if not path.exists():
        raise UserError(f"データベースが見つかりません: {path}")
    problems = integrity.check(path, key=key)
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
    from shienapp.core.backups import BackupService

    path = _database_file(args)
    key = None
    if path.exists() and cipher.looks_encrypted(path):
        key = _key_for(path)
    elif Path(args.file).is_file() and cipher.looks_encrypted(Path(args.file)):
        key = _key_for(Path(args.file))
    guard = _restorer(path, key, args)
    service = BackupService(path, config.backup_dir(), key=key, guard=guard)
    existed = path.exists()
    before = service.restore(args.file)
    if before is not None:
        print(f"復元の前の状態を {before.path} に残しました。")
    elif existed:
        print("壊れていたファイルは backups/damaged/ にそのまま移しました。")
    # Open once through the app: an older backup is upgraded (with its own backup first).
    from shienapp.core.context import AppContext

    ctx = AppContext.open(path, key=key if cipher.looks_encrypted(path) else None)
    ctx.close()
    print(f"{args.file} から {path} を復元しました。")
    return 0


def _restorer(path: Path, key: str | None, args: argparse.Namespace) -> Any:
    """Who restores: with accounts on, a 管理者 signs in first. A damaged file cannot say who
    its accounts are, so its restore is open to whoever can reach the file."""
    from shienapp.core.context import AppContext, DamagedDatabaseError

    if not path.exists():
        return None
    try:
        ctx = AppContext.open(path, key=key)
    except DamagedDatabaseError:
        return None
    try:
        sign_in(ctx, args)
        return ctx.access.require
    finally:
        ctx.close()


def cmd_check(args: argparse.Namespace) -> int:
    from shienapp.core.backups import BackupService

    path = _database_file(args)
    if not path.exists():
        raise UserError(f"データベースが見つかりません: {path}")
    key = _key_for(path)
    if key is None and not integrity.is_sqlite_file(path):
        raise UserError(f"{path} は SQLite のデータベースではありません。")
    problems = integrity.check(path, full=True, key=key)
    if not problems:
        print(f"{path}: 問題は見つかりませんでした（integrity_check・foreign_key_check）。")
        return 0
    print(f"{path}: 問題が見つかりました。ファイルは変更していません。")
    for problem in problems:
        print(f"  {problem}")
    latest = BackupService(path, config.backup_dir(), key=key).latest_sound()
    if latest is not None:
        print(f'最新の正常なバックアップ: {latest.describe()}\n  shienapp restore "{latest.path}"')
    return 1


def cmd_encrypt(args: argparse.Namespace) -> int:
    from shienapp.core.encryption import encrypt_copy, encrypt_database

    path = _database_file(args)
    if not path.exists():
        raise UserError(f"データベースが見つかりません: {path}")
    if cipher.looks_encrypted(path):
        raise UserError(f"{path} はすでに暗号化されています。")
    key = _new_passphrase()
    if args.out is not None:
        encrypt_copy(path, key, args.out)
        print(
            f"{args.out} に暗号化したコピーを書き出しました。"
            f"元のデータベース {path} は暗号化されていないままです。"
        )
    else:
        print(encrypt_database(path, key, backup_folder=config.backup_dir()).describe())
    print("パスフレーズを忘れると、データは誰にも取り出せません（再発行はできません）。")
    return 0


def cmd_decrypt(args: argparse.Namespace) -> int:
    from shienapp.core.encryption import decrypt_copy

    path = _database_file(args)
    if not path.exists():
        raise UserError(f"データベースが見つかりません: {path}")
    if not cipher.looks_encrypted(path):
        raise UserError(f"{path} は暗号化されていません。")
    key = _key_for(path)
    assert key is not None
    out = decrypt_copy(path, key, args.out)
    print(
        f"{out} に暗号化を解除したコピーを書き出しました（元のデータベースは暗号化されたまま）。"
        "このファイルは誰でも読めます。用が済んだら削除してください。"
    )
    return 0


def cmd_trash(args: argparse.Namespace) -> int:
    from shienapp.core.context import AppContext

    if args.restore and args.empty:
        raise UserError("--restore と --empty は同時に指定できません。")
    db = getattr(args, "db", None)
    ctx = AppContext.open(db, key=database_key(db))
    sign_in(ctx, args)
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
