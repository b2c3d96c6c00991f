"""Copy every table of one database into another, empty one at the same schema revision: how
an SQLite file moves to a city's PostgreSQL server (``shienapp migrate-to``).

All of it happens in one transaction on the target: the tables in the order their foreign keys
need, each row as SQLAlchemy reads it (so UUIDs, dates and JSON arrive typed, not as SQLite
text), the server's sequences moved past the copied ids, and the rows counted table by table
before the commit. A count that does not match rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, select, text

from shienapp.storage.db import Database, current_revision
from shienapp.storage.errors import DatabaseError
from shienapp.storage.models import Base

BATCH = 2_000

RowFix = Callable[[Table, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def matches(self) -> bool:
        return self.source == self.target


class CountMismatch(DatabaseError):
    """Rows went missing (or appeared) on the way; the target was rolled back."""

    def __init__(self, counts: list[TableCount]) -> None:
        wrong = [c for c in counts if not c.matches]
        super().__init__(
            "移行後の件数が元と合わないため、移行を取り消しました（移行先は空のままです）: "
            + "、".join(f"{c.table}（元 {c.source} 件、移行先 {c.target} 件）" for c in wrong)
        )
        self.counts = counts


def app_tables() -> list[Table]:
    """The app's tables, each after the tables its foreign keys point to."""
    return list(Base.metadata.sorted_tables)


def row_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in app_tables()
    }


def check_target_is_empty(target: Database) -> None:
    """Refuse a target that already holds rows, so that nothing there is mixed or lost."""
    with target.engine.connect() as connection:
        filled = {name: n for name, n in row_counts(connection).items() if n}
    if filled:
        listed = "、".join(f"{name}（{n} 件）" for name, n in sorted(filled.items()))
        raise DatabaseError(
            f"移行先のデータベースにはすでにデータがあります: {listed}。"
            "何も変更していません。空のデータベースを指定してください。"
        )


def copy_database(
    source: Database,
    target: Database,
    *,
    fix_row: RowFix | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> list[TableCount]:
    """Copy every row of ``source`` into the empty ``target`` and return the counts, all equal.

    ``fix_row`` may rewrite a row on the way (what SQLite holds and the server refuses);
    ``progress`` hears each table's name and rows copied so far.
    """
    if current_revision(source.engine) != current_revision(target.engine):
        raise DatabaseError("移行元と移行先のスキーマの版が違います。両方を最新にしてください。")
    check_target_is_empty(target)
    # One read transaction: every table as of one moment, even if someone is still writing.
    with source.engine.connect() as reading, reading.begin():
        before = row_counts(reading)
        with target.engine.begin() as writing:
            for table in app_tables():
                copied = 0
                for rows in _batches(reading, table):
                    if fix_row is not None:
                        rows = [fix_row(table, row) for row in rows]
                    writing.execute(table.insert(), rows)
                    copied += len(rows)
                    if progress is not None:
                        progress(table.name, copied)
            _move_sequences(writing)
            after = row_counts(writing)
            counts = [TableCount(name, before[name], after[name]) for name in before]
            if not all(c.matches for c in counts):
                raise CountMismatch(counts)
    return counts


def _batches(connection: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    result = connection.execute(select(table).order_by(*table.primary_key.columns))
    while batch := result.fetchmany(BATCH):
        yield [dict(row._mapping) for row in batch]


def _move_sequences(connection: Connection) -> None:
    """A serial column on the server keeps counting from 1 whatever was inserted with explicit
    ids; move each one past the largest id copied."""
    if connection.dialect.name != "postgresql":
        return
    for table in app_tables():
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            )
            if sequence is None:
                continue
            largest = connection.scalar(select(func.max(column)))
            if largest is None:
                connection.execute(text("SELECT setval(:s, 1, false)"), {"s": sequence})
            else:
                connection.execute(text("SELECT setval(:s, :n)"), {"s": sequence, "n": largest})
