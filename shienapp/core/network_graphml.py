"""Maps in and out as GraphML, so they open in Gephi, yEd or networkx and come back.

Written with networkx: node attributes label, kind, domain, group, x, y, pinned, public_label,
note (Japanese kept as UTF-8); tie attributes relation, strength, directed, note. Read back, a
file from another tool is understood as far as it goes: yEd's node labels and geometry (which
networkx reads from its ``y:ShapeNode``), Gephi's ``label``/``x``/``y``/``weight``; anything
unknown becomes その他 / 連携 rather than a refusal, and an unreadable file changes nothing.
"""

from __future__ import annotations

import io
import math
import uuid
from pathlib import Path
from typing import Any

from shienapp.core.changes import Changes
from shienapp.core.errors import UserError
from shienapp.core.network import (
    MAX_NODES,
    NODE_DOMAINS,
    NODE_KINDS,
    RELATIONS,
    MapDocument,
    NetworkService,
    Node,
    Tie,
    document_problems,
)
from shienapp.core.text import clean_text


def write_graphml(doc: MapDocument, path: Path, *, resident_safe: bool = False) -> None:
    """The map as GraphML; ``resident_safe`` writes private persons by their role only."""
    import networkx as nx

    from shienapp.core.files import write_bytes_atomically

    g = nx.MultiDiGraph(title=doc.title, scope=doc.scope, version=doc.version_label)
    for n in doc.nodes:
        g.add_node(
            str(n.key),
            label=n.resident_label() if resident_safe else n.label,
            kind=n.kind,
            domain=n.domain,
            group=n.group,
            x=float(n.x),
            y=float(n.y),
            pinned=bool(n.pinned),
            public_label=n.public_label,
            note="" if resident_safe and n.is_private_person else n.note,
        )
    for t in doc.ties:
        g.add_edge(
            str(t.source),
            str(t.target),
            key=str(t.key),
            relation=t.relation,
            strength=int(t.strength),
            directed=bool(t.directed),
            note=t.note,
        )
    buffer = io.BytesIO()
    nx.write_graphml(g, buffer, encoding="utf-8", prettyprint=True)  # Japanese as UTF-8 text
    write_bytes_atomically(Path(path), buffer.getvalue())


def read_graphml(path: Path) -> tuple[str, list[Node], list[Tie]]:
    """(title, nodes, ties) from a GraphML file of ours or of another tool."""
    import networkx as nx

    path = Path(path)
    if not path.is_file():
        raise UserError(f"ファイル {path} が見つかりません。")
    try:
        g = nx.read_graphml(path, force_multigraph=True)
    except (nx.NetworkXError, ValueError, KeyError) as exc:
        raise UserError(
            f"{path.name} は GraphML として読めません。"
            "Gephi や yEd で「GraphML 形式で保存」したファイルを選んでください。",
            [f"詳細: {exc}"],
        ) from exc
    except Exception as exc:  # a broken XML file: ElementTree's ParseError and the like
        raise UserError(
            f"{path.name} は壊れているか、GraphML ではありません。", [f"詳細: {exc}"]
        ) from exc
    if g.number_of_nodes() > MAX_NODES:
        raise UserError(
            f"{path.name} は点が多すぎます（{g.number_of_nodes()} 個。{MAX_NODES} 個まで）。"
        )
    keys: dict[Any, uuid.UUID] = {}
    nodes: list[Node] = []
    for i, (node_id, data) in enumerate(g.nodes(data=True)):
        key = _uuid(node_id)
        if key in keys.values():
            key = uuid.uuid4()
        keys[node_id] = key
        label = clean_text(str(data.get("label") or data.get("name") or node_id))[:200]
        nodes.append(
            Node(
                key=key,
                label=label or f"点{i + 1}",
                kind=_pick(data.get("kind"), NODE_KINDS, "その他"),
                domain=_pick(data.get("domain"), NODE_DOMAINS, "その他"),
                group=clean_text(str(data.get("group") or data.get("Modularity Class") or ""))[
                    :100
                ],
                x=_number(data.get("x"), float(i % 10) * 190),
                y=_number(data.get("y"), float(i // 10) * 120),
                pinned=str(data.get("pinned", "")).lower() in ("true", "1"),
                public_label=clean_text(str(data.get("public_label") or ""))[:100],
                note=str(data.get("note") or data.get("description") or ""),
            )
        )
    ties: list[Tie] = []
    used: set[uuid.UUID] = set()
    for source, target, edge_key, data in g.edges(keys=True, data=True):
        if source == target:
            continue  # a loop means nothing on a map of relationships
        key = _uuid(data.get("id") or edge_key)
        if key in used:
            key = uuid.uuid4()
        used.add(key)
        relation = _pick(data.get("relation"), RELATIONS, "") or _pick(
            data.get("label"), RELATIONS, "連携"
        )
        directed = data.get("directed")
        ties.append(
            Tie(
                key=key,
                source=keys[source],
                target=keys[target],
                relation=relation,
                strength=_strength(data.get("strength", data.get("weight"))),
                directed=str(directed).lower() in ("true", "1"),
                note=str(data.get("note") or ""),
            )
        )
    title = clean_text(str(g.graph.get("title") or path.stem))[:200]
    return title, nodes, ties


def import_graphml(service: NetworkService, path: Path) -> tuple[uuid.UUID, int, int, Changes]:
    """A new map from a GraphML file: (map id, nodes, ties). Nothing is written on failure."""
    title, nodes, ties = read_graphml(path)
    problems = document_problems(nodes, ties)
    if problems:
        raise UserError(f"{Path(path).name} を取り込めませんでした。", problems)
    title = title or "取り込んだ地図"
    existing = {m.title for m in service.list_maps()}
    base, number = title, 2
    while title in existing:
        title = f"{base}（{number}）"
        number += 1
    map_id, _ = service.create_map(title, description=f"{Path(path).name} から取り込み")
    try:
        doc = service.document(map_id)
        service.save_working(map_id, doc.map_version, nodes, ties)
    except UserError:
        service.delete_map(map_id, service.document(map_id).map_version)
        raise
    return map_id, len(nodes), len(ties), Changes(maps=True)


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.uuid4()


def _pick(value: Any, options: tuple[str, ...], default: str) -> str:
    text = clean_text(str(value or ""))
    return text if text in options else default


def _number(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number == number and abs(number) < 1e7 else default  # NaN, absurd


def _strength(value: Any) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 2
    if not math.isfinite(number):
        return 2  # "nan" or "inf" in a weight: the default, as for a missing one
    return int(min(3, max(1, round(number))))
