"""``shienapp migrate-to URL``: move a centre's SQLite file into the city's PostgreSQL server,
and say, table by table, that every row arrived."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from shienapp.cli_access import sign_in
from shienapp.cli_safety import database_key


def add_server_parser(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    move = sub.add_parser(
        "migrate-to",
        help="SQLite のデータベースを PostgreSQL のサーバーへ移します（件数を確かめます）",
        description="--db（省略時はいつものデータベース）のすべての表を、空の PostgreSQL "
        "データベースへ一度に写し、表ごとの件数が元と一致したときだけ確定します。"
        "元のファイルは変更しません。",
    )
    move.add_argument(
        "url",
        metavar="URL",
        help="移行先（例: postgresql+psycopg://shienapp@サーバー名:5432/shienapp）",
    )
    add_db(move)
    move.set_defaults(handler=cmd_migrate_to)


def cmd_migrate_to(args: argparse.Namespace) -> int:
    from shienapp.core.server_move import move_to_server, server_url, source_context

    target = server_url(args.url)
    db = getattr(args, "db", None)
    ctx = source_context(db, database_key(db))
    try:
        sign_in(ctx, args)

        def step(table: str, copied: int) -> None:
            print(f"shienapp: {table} {copied:,} 件", file=sys.stderr, flush=True)

        report = move_to_server(ctx, target, progress=step)
    finally:
        ctx.close()
    print(f"移行元: {report.source}")
    print(f"移行先: {report.target}")
    print("表ごとの件数（元 → 移行先）:")
    for line in report.lines():
        print(line)
    print(
        f"すべての表（{len(report.counts)} 表、合計 {report.total:,} 件）で件数が一致したため、"
        "移行を確定しました。元のファイルは変更していません。"
    )
    print(
        "各パソコンで環境変数 SHIENAPP_DATABASE_URL に移行先の URL を設定すると、"
        "サーバーのデータベースを使います。"
    )
    return 0
