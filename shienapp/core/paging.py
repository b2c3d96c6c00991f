"""Lists read a page at a time: what a list asks for (text, filters, order) and what it gets
back (the page's rows and how many match). The order and the search are the database's, over
the keys ``core.record_keys`` stores, so a page of 50,000 people costs what a page of 50 does."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import Session

from shienapp.core.text import search_terms

R = TypeVar("R")

PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class ListQuery:
    """``filters`` by name (a list's own names, None left out); ``sort`` names a column of
    the list ("" is the list's usual order)."""

    text: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False

    @property
    def terms(self) -> list[str]:
        return search_terms(self.text)


@dataclass(frozen=True, slots=True)
class Page(Generic[R]):  # noqa: UP046 - dataclass with slots
    rows: list[R]
    total: int  # rows matching the query, on every page
    everything: int  # rows in the list with no search or filter (for "12 / 300 件")


def like_escaped(term: str) -> str:
    return "%" + term.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def text_condition(
    terms: list[str],
    column: Any,
    also: Callable[[str], ColumnElement[bool] | None] | None = None,
) -> ColumnElement[bool] | None:
    """Every term in the folded ``column`` (or in what ``also`` matches for it)."""
    if not terms:
        return None
    parts = []
    for term in terms:
        found = column.like(like_escaped(term), escape="!")
        extra = also(term) if also else None
        parts.append(or_(found, extra) if extra is not None else found)
    return and_(*parts)


def ids_matching(term: str, named: Iterable[tuple[Any, str]]) -> list[Any]:
    """The ids whose folded name holds ``term`` (districts, councils: a few hundred)."""
    return [record_id for record_id, key in named if term in key]


def in_ids(column: Any, ids: list[Any]) -> ColumnElement[bool]:
    return column.in_(ids) if ids else false()


def binary(s: Session, column: Any) -> Any:
    """Order a stored key byte by byte: PostgreSQL's default collation would not."""
    return column.collate("C") if s.get_bind().dialect.name == "postgresql" else column
