"""Moving a centre's SQLite file into the city's PostgreSQL server (``shienapp migrate-to``).

The server database is made by the same migrations as a file; it must be empty, so that nothing
already there is mixed with or lost under the file's rows. The copy is one transaction and is
committed only when every table has as many rows on the server as in the file. The file itself
is never changed (an older one is upgraded first, with the usual backup beside it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from shienapp import config
from shienapp.core.audit import SERVER_NUL
from shienapp.core.context import AppContext
from shienapp.core.directory import EDITED_MARK, OLD_EDITED_MARK
from shienapp.core.errors import UserError
from shienapp.core.sync_labels import table_label
from shienapp.storage.db import DatabaseError, make_engine, open_database, sqlite_file_of
from shienapp.storage.transfer import CountMismatch, TableCount, copy_database


@dataclass(frozen=True)
class MoveReport:
    source: Path
    target: str
    counts: list[TableCount]

    @property
    def total(self) -> int:
        return sum(c.target for c in self.counts)

    def lines(self) -> list[str]:
        """The count of each table in the file and on the server, in Japanese."""
        return [
            f"  {label_of(c.table)}（{c.table}）: 元 {c.source:,} 件 → 移行先 {c.target:,} 件"
            f" {'一致' if c.matches else '不一致'}"
            for c in self.counts
        ]


# The tables a conflict is never about, which sync_labels does not name.
_MORE_LABELS = {
    "accounts": "アカウント",
    "app_settings": "データベースの設定",
    "audit_log": "監査記録",
    "sync_device": "この端末",
    "sync_records": "持ち出しの記録",
    "sync_states": "持ち出しの状態",
    "sync_peers": "持ち出し先",
    "sync_conflicts": "食い違い",
    "sync_history": "持ち出し・持ち帰りの履歴",
}


def label_of(name: str) -> str:
    return _MORE_LABELS.get(name) or table_label(name)


def server_url(text: str) -> str:
    """``text`` as a PostgreSQL URL, or a UserError saying what is expected."""
    try:
        url = make_url(text)
    except Exception:
        url = None
    if url is None or url.get_backend_name() != "postgresql":
        raise UserError(
            "移行先には PostgreSQL の URL を指定してください"
            "（例: postgresql+psycopg://利用者名@サーバー名:5432/データベース名）。"
        )
    return text


def move_to_server(
    source: AppContext,
    target_url: str,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> MoveReport:
    """Copy the open SQLite database ``source`` into the empty server database ``target_url``
    (made by the migrations if it has no tables yet)."""
    path = source.db.path
    if path is None:
        raise UserError("移行元は SQLite のファイルを指定してください（--db ファイルのパス）。")
    target_url = server_url(target_url)
    from shienapp.core.permissions import Action

    source.access.require(Action.MOVE_TO_SERVER)
    _refuse_rows_before_migrating(target_url)
    try:
        target = open_database(target_url)
    except DatabaseError as exc:
        raise UserError(f"移行先を開けませんでした: {exc.message}") from exc
    try:
        counts = copy_database(source.db, target, fix_row=_server_row, progress=progress)
    except CountMismatch as exc:
        wrong = [c for c in exc.counts if not c.matches]
        raise UserError(
            "移行後の件数が元と合わないため、移行を取り消しました。移行先は空のままです。",
            [f"{label_of(c.table)}: 元 {c.source} 件、移行先 {c.target} 件" for c in wrong],
        ) from exc
    except DatabaseError as exc:
        raise UserError(exc.message) from exc
    except SQLAlchemyError as exc:
        raise UserError(
            f"移行先に書き込めなかったため、移行を取り消しました。移行先は空のままです: {exc}"
        ) from exc
    finally:
        target.dispose()
    return MoveReport(path, make_url(target_url).render_as_string(hide_password=True), counts)


def _refuse_rows_before_migrating(target_url: str) -> None:
    """A server database with rows in any table is refused before the migrations touch it."""
    engine = make_engine(target_url)
    try:
        with engine.connect() as connection:
            names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
            filled = {}
            for name in names:
                rows = connection.scalar(select(func.count()).select_from(table(name)))
                if rows:
                    filled[name] = rows
    except SQLAlchemyError as exc:
        raise UserError(f"移行先に接続できませんでした: {exc}") from exc
    finally:
        engine.dispose()
    if filled:
        listed = "、".join(f"{label_of(n)}（{c:,} 件）" for n, c in sorted(filled.items()))
        raise UserError(
            f"移行先のデータベースにはすでにデータがあります: {listed}。"
            "何も変更していません。空のデータベースを指定してください。"
        )


def _server_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL keeps no NUL character in text. The vocabulary's old 'list edited' mark had
    one and becomes the new mark; in the audit trail (whose lines are hashed as they were) each
    NUL is stored as ``SERVER_NUL``; any other is refused with the place it was found."""
    for column, value in row.items():
        if isinstance(value, str) and "\x00" in value:
            if table.name == "vocabulary" and column == "name" and value == OLD_EDITED_MARK:
                row[column] = EDITED_MARK
                continue
            if table.name == "audit_log":  # the trail's check reads SERVER_NUL back as NUL
                row[column] = value.replace("\x00", SERVER_NUL)
                continue
            raise UserError(
                f"{label_of(table.name)}の「{column}」に、サーバーに保存できない文字（NUL）が"
                "あります。アプリで直してから、もう一度移行してください。移行先は空のままです。"
            )
    return row


def source_context(db: str | os.PathLike[str] | None, key: str | None) -> AppContext:
    """The file to move: ``--db``, else the environment or the data folder; never a server."""
    url = config.database_url(db)
    path = sqlite_file_of(url)
    if path is None:
        raise UserError(
            "移行元は SQLite のファイルを指定してください（--db ファイルのパス）。"
            "いま選ばれているのはサーバーのデータベースです。"
        )
    if not path.exists():
        raise UserError(f"移行元のデータベースが見つかりません: {path}")
    return AppContext.open(path, key=key)
