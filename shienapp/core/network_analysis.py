"""What paper cannot show: gaps, single bridges, who is central, and what changed.

All computed with networkx on the map's ties taken as undirected (a tie is a relationship
either way for the question "does the network fall apart if this one goes?").
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shienapp.core.network import MapDocument, Node, Tie

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class Analysis:
    isolated: tuple[uuid.UUID, ...]  # nodes with no tie
    domain_gaps: tuple[str, ...]  # domains whose nodes have no tie to another domain (縦割り)
    domain_ties: dict[tuple[str, str], int]  # ties between two domains (sorted pair) → count
    cut_vertices: tuple[uuid.UUID, ...]  # a node whose loss splits the network
    bridges: tuple[uuid.UUID, ...]  # tie keys whose loss splits the network
    degree: tuple[tuple[uuid.UUID, int], ...]  # most ties first
    betweenness: tuple[tuple[uuid.UUID, float], ...]  # most "in between" first
    components: int


def graph(doc_nodes: tuple[Node, ...], ties: tuple[Tie, ...]) -> nx.Graph:
    """An undirected simple graph; parallel ties between two nodes count once."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(n.key for n in doc_nodes)
    for t in ties:
        if t.source in g and t.target in g:
            if g.has_edge(t.source, t.target):
                g[t.source][t.target]["keys"].append(t.key)
            else:
                g.add_edge(t.source, t.target, keys=[t.key])
    return g


def analyse(doc: MapDocument) -> Analysis:
    import networkx as nx

    g = graph(doc.nodes, doc.ties)
    domain = {n.key: n.domain for n in doc.nodes}
    reading = {n.key: n.label for n in doc.nodes}
    isolated = tuple(sorted(nx.isolates(g), key=lambda k: reading[k]))

    domain_ties: Counter[tuple[str, str]] = Counter()
    crossing: set[str] = set()
    for a, b in g.edges():
        da, db = domain[a], domain[b]
        domain_ties[(min(da, db), max(da, db))] += 1
        if da != db:
            crossing.update((da, db))
    present = [d for d in dict.fromkeys(n.domain for n in doc.nodes)]
    gaps = tuple(d for d in present if d not in crossing and len(present) > 1)

    cut = tuple(sorted(nx.articulation_points(g), key=lambda k: reading[k]))
    bridges: list[uuid.UUID] = []
    for a, b in nx.bridges(g):
        keys = g[a][b]["keys"]
        if len(keys) == 1:  # two parallel ties are not a single point of failure
            bridges.extend(keys)
    degree = tuple(
        sorted(((k, int(d)) for k, d in g.degree()), key=lambda x: (-x[1], reading[x[0]]))
    )
    between: dict[Any, float] = nx.betweenness_centrality(g) if g.number_of_nodes() > 2 else {}
    betweenness = tuple(
        sorted(((k, float(v)) for k, v in between.items()), key=lambda x: (-x[1], reading[x[0]]))
    )
    return Analysis(
        isolated=isolated,
        domain_gaps=gaps,
        domain_ties=dict(domain_ties),
        cut_vertices=cut,
        bridges=tuple(bridges),
        degree=degree,
        betweenness=betweenness,
        components=nx.number_connected_components(g) if g.number_of_nodes() else 0,
    )


# --- the difference between two versions ------------------------------------------------------

_NODE_FIELDS = {
    "label": "名前",
    "kind": "種類",
    "domain": "分野",
    "group": "グループ",
    "link_id": "台帳のつながり",
    "public_label": "住民向けの表示",
    "note": "メモ",
}
_TIE_FIELDS = {
    "relation": "関係",
    "strength": "強さ",
    "directed": "向き",
    "note": "メモ",
    "source": "つなぐ点",
    "target": "つなぐ点",
}


@dataclass(frozen=True, slots=True)
class MapDiff:
    added_nodes: tuple[uuid.UUID, ...]
    removed_nodes: tuple[uuid.UUID, ...]
    changed_nodes: dict[uuid.UUID, tuple[str, ...]]  # key → what changed, in Japanese
    added_ties: tuple[uuid.UUID, ...]
    removed_ties: tuple[uuid.UUID, ...]
    changed_ties: dict[uuid.UUID, tuple[str, ...]]

    @property
    def is_empty(self) -> bool:
        parts = (self.added_nodes, self.removed_nodes, self.changed_nodes)
        return not any(parts) and not any((self.added_ties, self.removed_ties, self.changed_ties))

    def summary(self) -> str:
        return (
            f"点: 追加 {len(self.added_nodes)}・削除 {len(self.removed_nodes)}・"
            f"変更 {len(self.changed_nodes)}　線: 追加 {len(self.added_ties)}・"
            f"削除 {len(self.removed_ties)}・変更 {len(self.changed_ties)}"
        )


def _changes(old: Any, new: Any, fields: dict[str, str]) -> tuple[str, ...]:
    found = [label for name, label in fields.items() if getattr(old, name) != getattr(new, name)]
    return tuple(dict.fromkeys(found))


def diff(old: MapDocument, new: MapDocument) -> MapDiff:
    """Items are the same across versions when their key is (a version copies the keys);
    moving a node is not a change worth reporting, renaming or re-classing it is."""
    old_nodes = {n.key: n for n in old.nodes}
    new_nodes = {n.key: n for n in new.nodes}
    old_ties = {t.key: t for t in old.ties}
    new_ties = {t.key: t for t in new.ties}
    changed_nodes = {
        key: found
        for key in old_nodes.keys() & new_nodes.keys()
        if (found := _changes(old_nodes[key], new_nodes[key], _NODE_FIELDS))
    }
    changed_ties = {
        key: found
        for key in old_ties.keys() & new_ties.keys()
        if (found := _changes(old_ties[key], new_ties[key], _TIE_FIELDS))
    }

    def ordered(keys: set[uuid.UUID], nodes: dict[uuid.UUID, Node]) -> tuple[uuid.UUID, ...]:
        return tuple(sorted(keys, key=lambda k: nodes[k].label))

    def ordered_ties(keys: set[uuid.UUID], ties: dict[uuid.UUID, Tie]) -> tuple[uuid.UUID, ...]:
        return tuple(sorted(keys, key=lambda k: (str(ties[k].source), str(ties[k].target))))

    return MapDiff(
        added_nodes=ordered(new_nodes.keys() - old_nodes.keys(), new_nodes),
        removed_nodes=ordered(old_nodes.keys() - new_nodes.keys(), old_nodes),
        changed_nodes=changed_nodes,
        added_ties=ordered_ties(new_ties.keys() - old_ties.keys(), new_ties),
        removed_ties=ordered_ties(old_ties.keys() - new_ties.keys(), old_ties),
        changed_ties=changed_ties,
    )
