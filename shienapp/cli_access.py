"""The command line with accounts: signing in before a command, and ``shienapp audit``.

A database with accounts on needs a user for every command that opens it: ``--user`` (or
SHIENAPP_USER) and the password from SHIENAPP_PASSWORD for scheduled jobs, else asked for on
the terminal. The command then runs with that account's role, and the audit trail names it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shienapp.core.errors import UserError

if TYPE_CHECKING:
    from shienapp.core.context import AppContext


def add_user_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=None if top else argparse.SUPPRESS,
        help="アカウントを使うデータベースで、サインインするユーザー名（環境変数 SHIENAPP_USER）。"
        "パスワードは環境変数 SHIENAPP_PASSWORD、なければ端末で尋ねます",
    )


def sign_in(ctx: AppContext, args: argparse.Namespace) -> None:
    """Sign in as the command's user when the database uses accounts; else nothing."""
    if not ctx.access.protected:
        return
    interactive = sys.stdin.isatty()
    login = getattr(args, "user", None) or os.environ.get("SHIENAPP_USER")
    password = os.environ.get("SHIENAPP_PASSWORD")
    if not login and interactive:
        login = input("ユーザー名: ")
    if not login:
        ctx.close()
        raise UserError(
            "このデータベースはアカウントで保護されています。--user（または環境変数 "
            "SHIENAPP_USER）でユーザー名を、環境変数 SHIENAPP_PASSWORD でパスワードを"
            "指定してください。"
        )
    if password is None and interactive:
        import getpass

        password = getpass.getpass("パスワード: ")
    if password is None:
        ctx.close()
        raise UserError(
            f"ユーザー「{login}」のパスワードを環境変数 SHIENAPP_PASSWORD で指定してください。"
        )
    try:
        ctx.accounts.sign_in(login, password)
    except UserError:
        ctx.close()
        raise


def add_audit_parser(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    audit = sub.add_parser("audit", help="監査記録を表示・検査・書き出します（管理者のみ）")
    audit.add_argument("--action", default="", help="操作で絞り込み（作成・変更・削除・印刷…）")
    audit.add_argument("--actor", default="", help="利用者の名前の一部で絞り込み")
    audit.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="この日から")
    audit.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="この日まで")
    audit.add_argument("--limit", type=int, default=50, help="表示する行数（新しい順、既定 50）")
    audit.add_argument(
        "--verify", action="store_true", help="ハッシュのつながりで改ざんがないか検査します"
    )
    audit.add_argument("--out", type=Path, metavar="FILE.csv", help="CSV に書き出します")
    add_db(audit)
    audit.set_defaults(handler=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    from shienapp.cli import _ctx
    from shienapp.core.audit import AuditFilter

    ctx = _ctx(args)
    try:
        if args.verify:
            problems = ctx.audit.verify()
            count, digest = ctx.audit.head()
            if problems:
                print("監査記録に書き換えの跡があります:")
                for problem in problems:
                    print(f"  {problem}")
                return 1
            print(f"{count}行すべて正しくつながっています（最後の行のハッシュ {digest}）。")
            return 0
        where = AuditFilter(
            actor=args.actor,
            action=args.action,
            since=args.since,
            until=args.until,
            limit=10_000_000 if args.out else args.limit,
        )
        if args.out:
            count = ctx.audit.export(args.out, where)
            print(f"監査記録 {count}行を {args.out} に書き出しました。")
            return 0
        for row in reversed(ctx.audit.list(where)):
            when = row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            target = f"{row.target_label}「{row.label}」" if row.target_label else row.label
            changes = f"  {row.changes_text}" if row.changes_text else ""
            print(f"{row.seq:>6}  {when}  {row.actor}  {row.action}  {target}{changes}")
        return 0
    finally:
        ctx.close()
