"""Stored keys that let the database sort and search the long lists (people, organisations,
resources, meetings) by a page at a time: 五十音順 and folded kana/width are Python rules
(``core.text``), so each record carries them as columns written whenever the record is.

- ``sort_key``: ``reading_sort_key`` flattened into one string that sorts the same way under
  a byte-wise comparison (SQLite's BINARY, PostgreSQL's "C" collation).
- ``search_text``: the folded words a search box matches (``fold``), without the district or
  council name, which the list services match through their ids.
- ``facets`` (resources): ``|高齢者|誰でも|@1|@3|`` for the 対象 and 曜日 filters.

ORM writes get them from the mapper events below; rows written by Core inserts (the large
demo, a sync import) are filled by ``fill_missing`` before a list is read, and the migration
0009 fills existing files with the same function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, event, select, update
from sqlalchemy.orm import Session

from shienapp.core.schedule import Slot
from shienapp.core.text import fold, reading_sort_key
from shienapp.storage.models import Meeting, Organisation, Person, Resource

SEPARATOR = "\x01"  # below every character a name or reading holds


def sort_key(reading: str | None, name: str | None) -> str:
    return SEPARATOR.join(reading_sort_key(reading, name))


def _words(*parts: Any) -> str:
    return fold(" ".join(str(p) for p in parts if p))


def person_keys(v: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "sort_key": sort_key(v.get("reading"), v.get("name")),
        "search_text": _words(
            v.get("name"),
            v.get("reading"),
            v.get("organisation"),
            *(v.get("roles") or ()),
            *(v.get("skills") or ()),
        ),
    }


def organisation_keys(v: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "sort_key": sort_key(v.get("reading"), v.get("name")),
        "search_text": _words(v.get("name"), v.get("reading"), v.get("kind")),
    }


def resource_keys(v: Mapping[str, Any]) -> dict[str, Any]:
    slots = [Slot.from_dict(d) for d in v.get("schedule") or ()]
    targets = list(v.get("target_groups") or ())
    days = sorted({d for slot in slots for d in slot.weekdays})
    return {
        "sort_key": sort_key(v.get("reading"), v.get("name")),
        "search_text": _words(
            v.get("name"),
            v.get("reading"),
            v.get("category"),
            v.get("venue"),
            *targets,
            *(slot.describe() for slot in slots),
        ),
        "facets": "|" + "".join(f"{t}|" for t in targets) + "".join(f"@{d}|" for d in days),
    }


def meeting_keys(v: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "search_text": _words(
            v.get("kind"), v.get("title"), v.get("venue"), (v.get("note") or "")[:500]
        )
    }


KEYS: dict[type, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    Person: person_keys,
    Organisation: organisation_keys,
    Resource: resource_keys,
    Meeting: meeting_keys,
}


class _Attributes(Mapping[str, Any]):
    """A record's attributes read as a mapping."""

    def __init__(self, record: Any) -> None:
        self._record = record

    def __getitem__(self, key: str) -> Any:
        return getattr(self._record, key)

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self._record, key, default)


def _set_keys(_mapper: Any, _connection: Any, record: Any) -> None:
    for name, value in KEYS[type(record)](_Attributes(record)).items():
        setattr(record, name, value)


for _model in KEYS:
    event.listen(_model, "before_insert", _set_keys)
    event.listen(_model, "before_update", _set_keys)


# The columns each key function reads: named, so the migration 0009 reads only these.
SOURCES: dict[type, tuple[str, ...]] = {
    Person: ("name", "reading", "organisation", "roles", "skills"),
    Organisation: ("name", "reading", "kind"),
    Resource: ("name", "reading", "category", "venue", "target_groups", "schedule"),
    Meeting: ("kind", "title", "venue", "note"),
}


def fill_missing(connection: Connection, batch: int = 2000) -> int:
    """Write the keys of rows that have none (Core inserts, files before 0009). Rows keep
    their ``updated_at`` and version: nothing a person would call a change."""
    filled = 0
    for model, keys in KEYS.items():
        table = model.__table__  # type: ignore[attr-defined]
        missing = table.c.search_text.is_(None)
        if connection.execute(select(table.c.id).where(missing).limit(1)).first() is None:
            continue
        columns = [table.c.id, *(table.c[name] for name in SOURCES[model])]
        rows = connection.execute(select(*columns).where(missing)).mappings().all()
        names = list(keys({}))
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(
                {
                    **{name: bindparam(f"_{name}") for name in names},
                    "updated_at": table.c.updated_at,
                }
            )
        )
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            connection.execute(
                statement,
                [{"_id": row["id"], **{f"_{k}": v for k, v in keys(row).items()}} for row in chunk],
            )
            filled += len(chunk)
    return filled


def fill_missing_in(s: Session) -> None:
    fill_missing(s.connection())
