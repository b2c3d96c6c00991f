"""ネットワーク形成図: maps, their working copy and frozen versions (版), and saved views.

The editor works on a whole map at a time: it reads a ``MapDocument``, changes it in memory
(with undo), and saves it back in one transaction with ``save_working``; a copy that someone
else saved in the meantime is refused, never overwritten. ``freeze`` copies the working copy
into a new numbered version that is never edited again ("令和6年9月 研修で作成").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shienapp.core.changes import Changes
from shienapp.core.errors import NotFoundError, StaleEditError, UserError
from shienapp.storage.db import Database
from shienapp.storage.models import (
    Council,
    District,
    NetworkEdge,
    NetworkMap,
    NetworkMapVersion,
    NetworkNode,
    NetworkView,
    Organisation,
    Person,
    Resource,
    utcnow,
)
from shienapp.storage.models.network import NODE_DOMAINS, NODE_KINDS, RELATIONS

__all__ = [
    "LINK_KINDS",
    "NODE_DOMAINS",
    "NODE_KINDS",
    "RELATIONS",
    "MapDocument",
    "MapRow",
    "NetworkService",
    "Node",
    "Tie",
    "VersionRow",
    "ViewRow",
]

WORKING = 0  # the version number of the working copy
MAX_NODES = 5000
# Registry records a node can stand for, and the kind of node each one is by default.
LINK_KINDS: dict[str, tuple[str, str]] = {
    "person": ("人", "人"),
    "organisation": ("組織・団体", "組織"),
    "council": ("協議体", "協議体"),
    "resource": ("活動・社会資源", "社会資源"),
}
# What a residents' print says instead of a private person's name, by the person's roles.
_PUBLIC_ROLE = (
    ("民生委員", "民生委員"),
    ("自治会長", "自治会長"),
    ("担い手", "住民ボランティア"),
    ("専門職", "専門職"),
    ("行政職員", "行政職員"),
)


@dataclass(frozen=True, slots=True)
class Node:
    key: uuid.UUID
    label: str
    kind: str = "組織"
    domain: str = "全世代"
    group: str = ""
    x: float = 0.0
    y: float = 0.0
    pinned: bool = False
    link_kind: str = ""
    link_id: uuid.UUID | None = None
    public_label: str = ""
    note: str = ""

    @property
    def is_private_person(self) -> bool:
        return self.kind == "人"

    def resident_label(self) -> str:
        """A private person appears on a residents' print by role only (民生委員, 住民)."""
        if not self.is_private_person:
            return self.label
        return self.public_label or "住民"


@dataclass(frozen=True, slots=True)
class Tie:
    key: uuid.UUID
    source: uuid.UUID
    target: uuid.UUID
    relation: str = "連携"
    strength: int = 2
    directed: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class MapRow:
    id: uuid.UUID
    version: int
    title: str
    district_id: uuid.UUID | None
    scope: str
    description: str
    versions: int
    latest_saved_on: date | None
    nodes: int
    ties: int


@dataclass(frozen=True, slots=True)
class VersionRow:
    number: int
    saved_on: date | None
    note: str
    nodes: int
    ties: int

    @property
    def label(self) -> str:
        return "作業中" if self.number == WORKING else f"第{self.number}版"


@dataclass(frozen=True, slots=True)
class MapDocument:
    map_id: uuid.UUID
    map_version: int  # the map record's version: a save based on an older one is refused
    title: str
    scope: str
    number: int
    saved_on: date | None
    note: str
    nodes: tuple[Node, ...]
    ties: tuple[Tie, ...]
    _by_key: dict[uuid.UUID, Node] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update({n.key: n for n in self.nodes})

    def node(self, key: uuid.UUID) -> Node:
        return self._by_key[key]

    @property
    def version_label(self) -> str:
        return "作業中" if self.number == WORKING else f"第{self.number}版"


@dataclass(frozen=True, slots=True)
class ViewRow:
    id: uuid.UUID
    name: str
    settings: dict[str, Any]


# --- validation --------------------------------------------------------------------------------


def document_problems(nodes: Iterable[Node], ties: Iterable[Tie]) -> list[str]:
    """Everything wrong with a map about to be saved, in Japanese, naming the item."""
    problems: list[str] = []
    keys: set[uuid.UUID] = set()
    nodes = list(nodes)
    if len(nodes) > MAX_NODES:
        problems.append(f"点が多すぎます（{len(nodes)} 個。{MAX_NODES} 個まで）。")
    for n in nodes:
        name = f"「{n.label[:20]}」" if n.label.strip() else "名前のない点"
        if n.key in keys:
            problems.append(f"{name}が二重に入っています。")
        keys.add(n.key)
        if not n.label.strip():
            problems.append("名前のない点があります。名前を入力してください。")
        elif len(n.label) > 200:
            problems.append(f"{name}の名前が長すぎます（200文字まで）。")
        if n.kind not in NODE_KINDS:
            problems.append(f"{name}の種類「{n.kind}」は選べません（{'・'.join(NODE_KINDS)}）。")
        if n.domain not in NODE_DOMAINS:
            problems.append(
                f"{name}の分野「{n.domain}」は選べません（{'・'.join(NODE_DOMAINS)}）。"
            )
        if n.link_kind and n.link_kind not in LINK_KINDS:
            problems.append(f"{name}のつながり先の種類「{n.link_kind}」が不明です。")
        if len(n.group) > 100 or len(n.public_label) > 100:
            problems.append(f"{name}のグループか住民向けの表示が長すぎます（100文字まで）。")
    tie_keys: set[uuid.UUID] = set()
    for t in ties:
        if t.key in tie_keys:
            problems.append("同じ線が二重に入っています。")
        tie_keys.add(t.key)
        if t.source not in keys or t.target not in keys:
            problems.append("線の片方の点が地図にありません（削除された点につながっています）。")
        elif t.source == t.target:
            problems.append("点を自分自身にはつなげません。")
        if t.relation not in RELATIONS:
            problems.append(f"関係「{t.relation}」は選べません（{'・'.join(RELATIONS)}）。")
        if t.strength not in (1, 2, 3):
            problems.append(f"線の強さは 1～3 です（{t.strength}）。")
    return problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise UserError(problems[0], problems[1:])


# --- the service -------------------------------------------------------------------------------


class NetworkService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # maps

    def list_maps(self) -> list[MapRow]:
        with self._db.read() as s:
            districts = {d.id: d.name for d in s.scalars(select(District))}
            rows = []
            for m in s.scalars(select(NetworkMap).where(NetworkMap.deleted_at.is_(None))):
                versions = _versions(s, m.id)
                frozen = [v for v in versions if v.number != WORKING]
                working = next((v for v in versions if v.number == WORKING), None)
                nodes, ties = _counts(s, working.id) if working else (0, 0)
                rows.append(
                    MapRow(
                        id=m.id,
                        version=m.version,
                        title=m.title,
                        district_id=m.district_id,
                        scope=districts.get(m.district_id, "") if m.district_id else "市全体",
                        description=m.description,
                        versions=len(frozen),
                        latest_saved_on=max(
                            (v.saved_on for v in frozen if v.saved_on), default=None
                        ),
                        nodes=nodes,
                        ties=ties,
                    )
                )
        return sorted(rows, key=lambda r: (r.district_id is not None, r.scope, r.title))

    def find_map(self, key: str) -> MapRow:
        key = key.strip()
        rows = self.list_maps()
        by_title = [r for r in rows if r.title == key]
        if len(by_title) == 1:
            return by_title[0]
        if len(key) >= 8:
            by_id = [r for r in rows if str(r.id).startswith(key.lower())]
            if len(by_id) == 1:
                return by_id[0]
        raise NotFoundError(f"地図「{key}」が見つかりません（ID か正確な題名を指定してください）。")

    def create_map(
        self, title: str, district_id: uuid.UUID | None = None, description: str = ""
    ) -> tuple[uuid.UUID, Changes]:
        _raise(_map_problems(title))
        with self._db.write() as s:
            record = NetworkMap(
                title=title.strip(), district_id=district_id, description=description
            )
            s.add(record)
            s.flush()
            s.add(NetworkMapVersion(map_id=record.id, number=WORKING))
            return record.id, Changes(maps=True)

    def update_map(
        self,
        map_id: uuid.UUID,
        version: int,
        title: str,
        district_id: uuid.UUID | None,
        description: str,
    ) -> Changes:
        _raise(_map_problems(title))
        with self._db.write() as s:
            record = _map(s, map_id)
            _check(record, version)
            record.title, record.district_id = title.strip(), district_id
            record.description = description
        return Changes(maps=True)

    def delete_map(self, map_id: uuid.UUID, version: int) -> Changes:
        with self._db.write() as s:
            record = _map(s, map_id)
            _check(record, version)
            record.deleted_at = utcnow()
        return Changes(maps=True)

    # versions

    def list_versions(self, map_id: uuid.UUID) -> list[VersionRow]:
        """The working copy first, then the frozen versions newest first."""
        with self._db.read() as s:
            _map(s, map_id)
            rows = [
                VersionRow(v.number, v.saved_on, v.note, *_counts(s, v.id))
                for v in _versions(s, map_id)
            ]
        return sorted(rows, key=lambda r: (r.number != WORKING, -r.number))

    def document(self, map_id: uuid.UUID, number: int | None = None) -> MapDocument:
        """The working copy (``number`` None or 0) or a frozen version, labels kept current."""
        number = WORKING if number is None else number
        with self._db.read() as s:
            record = _map(s, map_id)
            version = _version(s, map_id, number)
            nodes = list(_alive(s, NetworkNode, version.id))
            ties = list(_alive(s, NetworkEdge, version.id))
            names, roles = _linked(s, nodes)
            scope = "市全体"
            if record.district_id:
                district = s.get(District, record.district_id)
                scope = district.name if district else ""
            return MapDocument(
                map_id=record.id,
                map_version=record.version,
                title=record.title,
                scope=scope,
                number=number,
                saved_on=version.saved_on,
                note=version.note,
                nodes=tuple(_node(n, names, roles) for n in nodes),
                ties=tuple(_tie(t) for t in ties),
            )

    def save_working(
        self, map_id: uuid.UUID, map_version: int, nodes: Iterable[Node], ties: Iterable[Tie]
    ) -> tuple[int, Changes]:
        """Replace the working copy in one transaction; returns the map's new version."""
        nodes, ties = list(nodes), list(ties)
        _raise(document_problems(nodes, ties))
        with self._db.write() as s:
            record = _map(s, map_id)
            _check(record, map_version)
            working = _version(s, map_id, WORKING)
            _replace(s, NetworkNode, working.id, {n.key: n for n in nodes}, _node_values)
            _replace(s, NetworkEdge, working.id, {t.key: t for t in ties}, _tie_values)
            record.updated_at = utcnow()  # bumps the version: the next stale copy is refused
            s.flush()
            return record.version, Changes(maps=True)

    def freeze(self, map_id: uuid.UUID, saved_on: date, note: str = "") -> tuple[int, Changes]:
        """Save the working copy as the next numbered version; returns its number."""
        if len(note) > 300:
            raise UserError("版のメモは 300 文字以内にしてください。")
        with self._db.write() as s:
            _map(s, map_id)
            working = _version(s, map_id, WORKING)
            last = s.scalar(
                select(func.max(NetworkMapVersion.number)).where(
                    NetworkMapVersion.map_id == map_id, NetworkMapVersion.deleted_at.is_(None)
                )
            )
            number = (last or 0) + 1
            frozen = NetworkMapVersion(map_id=map_id, number=number, saved_on=saved_on, note=note)
            s.add(frozen)
            s.flush()
            for n in _alive(s, NetworkNode, working.id):
                s.add(NetworkNode(version_id=frozen.id, **_copy(n, NetworkNode)))
            for t in _alive(s, NetworkEdge, working.id):
                s.add(NetworkEdge(version_id=frozen.id, **_copy(t, NetworkEdge)))
            return number, Changes(maps=True)

    # views

    def list_views(self, map_id: uuid.UUID) -> list[ViewRow]:
        with self._db.read() as s:
            views = s.scalars(
                select(NetworkView)
                .where(NetworkView.map_id == map_id, NetworkView.deleted_at.is_(None))
                .order_by(NetworkView.position, NetworkView.name)
            )
            return [ViewRow(v.id, v.name, dict(v.settings or {})) for v in views]

    def save_view(self, map_id: uuid.UUID, name: str, settings: dict[str, Any]) -> Changes:
        """Add a view, or replace the one with the same name."""
        name = " ".join(name.split())
        if not name or len(name) > 100:
            raise UserError("表示の名前を 1～100 文字で入力してください。")
        with self._db.write() as s:
            _map(s, map_id)
            views = list(
                s.scalars(
                    select(NetworkView).where(
                        NetworkView.map_id == map_id, NetworkView.deleted_at.is_(None)
                    )
                )
            )
            same = next((v for v in views if v.name == name), None)
            if same is None:
                s.add(NetworkView(map_id=map_id, name=name, position=len(views), settings=settings))
            else:
                same.settings = dict(settings)
        return Changes(maps=True)

    def delete_view(self, view_id: uuid.UUID) -> Changes:
        with self._db.write() as s:
            view = s.get(NetworkView, view_id)
            if view is not None:
                view.deleted_at = utcnow()
        return Changes(maps=True)

    # registry records a node can stand for

    def linkable(self) -> list[tuple[str, uuid.UUID, str]]:
        """(link kind, id, name) of every person, organisation, council and resource."""
        with self._db.read() as s:
            out: list[tuple[str, uuid.UUID, str]] = []
            for kind, model in (
                ("organisation", Organisation),
                ("council", Council),
                ("resource", Resource),
                ("person", Person),
            ):
                for record in s.scalars(select(model).where(model.deleted_at.is_(None))):
                    out.append((kind, record.id, record.name))
        return out


# --- helpers ----------------------------------------------------------------------------------


def _map_problems(title: str) -> list[str]:
    if not title.strip():
        return ["地図の題名を入力してください。"]
    if len(title.strip()) > 200:
        return ["地図の題名は 200 文字以内にしてください。"]
    return []


def _map(s: Session, map_id: uuid.UUID) -> NetworkMap:
    record = s.get(NetworkMap, map_id)
    if record is None or record.deleted_at is not None:
        raise NotFoundError("地図が見つかりません（削除されたか、別の人が削除しました）。")
    return record


def _check(record: NetworkMap, version: int) -> None:
    if record.version != version:
        raise StaleEditError(
            f"地図「{record.title}」は、開いている間に別の人が保存しました。"
            "上書きしないよう保存を取りやめました。地図を開き直してから、もう一度変更してください。"
        )


def _versions(s: Session, map_id: uuid.UUID) -> list[NetworkMapVersion]:
    return list(
        s.scalars(
            select(NetworkMapVersion).where(
                NetworkMapVersion.map_id == map_id, NetworkMapVersion.deleted_at.is_(None)
            )
        )
    )


def _version(s: Session, map_id: uuid.UUID, number: int) -> NetworkMapVersion:
    for version in _versions(s, map_id):
        if version.number == number:
            return version
    raise NotFoundError(f"この地図に第{number}版はありません。")


def _alive(s: Session, model: Any, version_id: uuid.UUID) -> Iterable[Any]:
    return s.scalars(
        select(model).where(model.version_id == version_id, model.deleted_at.is_(None))
    )


def _counts(s: Session, version_id: uuid.UUID) -> tuple[int, int]:
    def count(model: Any) -> int:
        return (
            s.scalar(
                select(func.count()).where(
                    model.version_id == version_id, model.deleted_at.is_(None)
                )
            )
            or 0
        )

    return count(NetworkNode), count(NetworkEdge)


def _linked(
    s: Session, nodes: list[NetworkNode]
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, list[str]]]:
    """Current names of linked records (a renamed organisation renames its node) and roles."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for n in nodes:
        if n.link_id is not None and n.link_kind in LINK_KINDS:
            wanted.setdefault(n.link_kind, set()).add(n.link_id)
    models = {
        "person": Person,
        "organisation": Organisation,
        "council": Council,
        "resource": Resource,
    }
    names: dict[uuid.UUID, str] = {}
    roles: dict[uuid.UUID, list[str]] = {}
    for kind, ids in wanted.items():
        model = models[kind]
        for record in s.scalars(select(model).where(model.id.in_(ids), model.deleted_at.is_(None))):
            names[record.id] = record.name
            if kind == "person":
                roles[record.id] = list(record.roles or [])
    return names, roles


def _node(n: NetworkNode, names: dict[uuid.UUID, str], roles: dict[uuid.UUID, list[str]]) -> Node:
    public = n.public_label
    if not public and n.kind == "人" and n.link_id in roles:
        public = next((shown for role, shown in _PUBLIC_ROLE if role in roles[n.link_id]), "")
    return Node(
        key=n.key,
        label=names.get(n.link_id, n.label) if n.link_id else n.label,
        kind=n.kind,
        domain=n.domain,
        group=n.group,
        x=n.x,
        y=n.y,
        pinned=n.pinned,
        link_kind=n.link_kind,
        link_id=n.link_id,
        public_label=public,
        note=n.note,
    )


def _tie(t: NetworkEdge) -> Tie:
    return Tie(t.key, t.source_key, t.target_key, t.relation, t.strength, t.directed, t.note)


def _node_values(n: Node) -> dict[str, Any]:
    return {
        "label": n.label.strip(),
        "kind": n.kind,
        "domain": n.domain,
        "group": n.group.strip(),
        "x": float(n.x),
        "y": float(n.y),
        "pinned": n.pinned,
        "link_kind": n.link_kind,
        "link_id": n.link_id,
        "public_label": n.public_label.strip(),
        "note": n.note,
    }


def _tie_values(t: Tie) -> dict[str, Any]:
    return {
        "source_key": t.source,
        "target_key": t.target,
        "relation": t.relation,
        "strength": t.strength,
        "directed": t.directed,
        "note": t.note,
    }


def _replace(
    s: Session,
    model: Any,
    version_id: uuid.UUID,
    wanted: dict[uuid.UUID, Any],
    values: Any,
) -> None:
    """Make the rows of one version match ``wanted``: update, add, soft-delete; untouched rows
    keep their version counters, so a later merge sees only what really changed."""
    stored = {row.key: row for row in _alive(s, model, version_id)}
    for key, row in stored.items():
        if key not in wanted:
            row.deleted_at = utcnow()
    for key, item in wanted.items():
        new = values(item)
        row = stored.get(key)
        if row is None:
            s.add(model(version_id=version_id, key=key, **new))
        elif any(getattr(row, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(row, name, value)


_COPIED = {"id", "version_id", "created_at", "updated_at", "version", "deleted_at"}


def _copy(row: Any, model: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key not in _COPIED}
