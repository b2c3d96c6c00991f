"""Automatic layouts for a map (networkx), which the user then adjusts by hand.

Positions are in scene units (about a pixel at 100 %): one unit of networkx's layouts is
``SPACING`` units on screen. Pinned nodes never move; after any layout, boxes that overlap are
pushed apart, because a layout that leaves two labels on top of each other is not one a person
would accept.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable

from shienapp.core.network import Node, Tie

SPACING = 190.0
NODE_WIDTH = 130.0  # the box a label needs on screen (the editor and the print use the same)
NODE_HEIGHT = 46.0
LAYOUTS: dict[str, str] = {
    "spring": "ばねモデル（自然な広がり）",
    "kamada_kawai": "鎌田・河合法（距離を保つ）",
    "group": "グループごとにまとめる",
    "rings": "中心と周辺（同心円）",
}

Positions = dict[uuid.UUID, tuple[float, float]]


def layout(nodes: Iterable[Node], ties: Iterable[Tie], method: str, *, seed: int = 7) -> Positions:
    """New positions for every node; pinned nodes keep theirs."""

    from shienapp.core.network_analysis import graph

    nodes, ties = tuple(nodes), tuple(ties)
    if method not in LAYOUTS:
        raise ValueError(method)
    if not nodes:
        return {}
    g = graph(nodes, ties)
    pinned = {n.key: (n.x / SPACING, n.y / SPACING) for n in nodes if n.pinned}
    if method == "spring":
        unit = _spring(g, pinned, seed)
    elif method == "kamada_kawai":
        unit = _kamada_kawai(g, pinned, seed)
    elif method == "group":
        unit = _by_group(g, nodes, pinned, seed)
    else:
        unit = _rings(g, nodes, pinned)
    positions = {k: (float(x) * SPACING, float(y) * SPACING) for k, (x, y) in unit.items()}
    positions.update({n.key: (n.x, n.y) for n in nodes if n.pinned})
    return separate(positions, fixed=set(pinned))


def _spring(g: object, pinned: dict, seed: int, start: dict | None = None) -> dict:
    import networkx as nx

    n = max(g.number_of_nodes(), 1)  # type: ignore[attr-defined]
    initial = dict(start or {})
    initial.update(pinned)
    if pinned and len(initial) < n:
        # Unpinned nodes start near the pinned ones, so they settle around them.
        cx = sum(x for x, _ in pinned.values()) / len(pinned)
        cy = sum(y for _, y in pinned.values()) / len(pinned)
        import random

        rnd = random.Random(seed)
        for key in g:  # type: ignore[attr-defined]
            initial.setdefault(key, (cx + rnd.uniform(-2, 2), cy + rnd.uniform(-2, 2)))
    return nx.spring_layout(
        g,
        k=1.0,
        pos=initial or None,
        fixed=list(pinned) or None,
        iterations=50 if n > 200 else 150,
        seed=seed,
        scale=None if pinned else math.sqrt(n) * 0.9,
    )


# Kamada-Kawai costs the square of the nodes: above this, it places the best-connected nodes
# and springs place the rest around them (a 500-node map then lays out in about a second).
KK_CORE = 180


def _kk(g: object, scale: float) -> dict:
    """Kamada-Kawai with the hop counts between nodes from scipy (C) rather than networkx's
    Dijkstra in Python: 8 ms instead of 0.3 s for 180 nodes. Ties count one hop each."""
    import networkx as nx
    from scipy.sparse.csgraph import shortest_path

    keys = list(g)  # type: ignore[call-overload]
    hops = shortest_path(
        nx.to_scipy_sparse_array(g, nodelist=keys, weight=None), unweighted=True, directed=False
    )
    dist = {
        a: dict(zip(keys, row.tolist(), strict=True)) for a, row in zip(keys, hops, strict=True)
    }
    return nx.kamada_kawai_layout(g, dist=dist, scale=scale)


def _kk_piece(sub: object, seed: int) -> dict:
    import networkx as nx

    size = sub.number_of_nodes()  # type: ignore[attr-defined]
    scale = math.sqrt(size) * 0.9
    if size <= KK_CORE:
        return _kk(sub, scale)
    degree = sorted(sub.degree(), key=lambda kv: -kv[1])  # type: ignore[attr-defined]
    core = [key for key, _ in degree[:KK_CORE]]
    placed = _kk(sub.subgraph(core), scale)  # type: ignore[attr-defined]
    return nx.spring_layout(
        sub, k=1.0, pos=placed, fixed=core, iterations=40, seed=seed, scale=None
    )


def _kamada_kawai(g: object, pinned: dict, seed: int) -> dict:
    import networkx as nx

    n = max(g.number_of_nodes(), 1)  # type: ignore[attr-defined]
    # Separate pieces first: Kamada-Kawai alone piles unconnected parts on each other.
    pieces = sorted(nx.connected_components(g), key=len, reverse=True)
    unit: dict = {}
    offset_x = 0.0
    for piece in pieces:
        sub = g.subgraph(piece)  # type: ignore[attr-defined]
        pos = {next(iter(piece)): (0.0, 0.0)} if len(piece) == 1 else _kk_piece(sub, seed)
        xs = [p[0] for p in pos.values()]
        width = (max(xs) - min(xs)) if xs else 0.0
        for key, (x, y) in pos.items():
            unit[key] = (x - min(xs) + offset_x, y)
        offset_x += width + 1.5
    centre = offset_x / 2
    unit = {k: (x - centre, y) for k, (x, y) in unit.items()}
    if pinned:
        unit = _spring(g, pinned, seed, start=unit)
    del n
    return unit


def _by_group(g: object, nodes: tuple[Node, ...], pinned: dict, seed: int) -> dict:
    """Each group in its own area around a circle, laid out by springs inside it."""
    import networkx as nx

    groups: dict[str, list[uuid.UUID]] = {}
    for node in nodes:
        groups.setdefault(node.group or "（グループなし）", []).append(node.key)
    names = sorted(groups, key=lambda name: (-len(groups[name]), name))
    radius = max(1.8, math.sqrt(len(nodes)) * 0.55) if len(names) > 1 else 0.0
    unit: dict = {}
    for i, name in enumerate(names):
        angle = 2 * math.pi * i / len(names)
        cx, cy = radius * math.cos(angle), radius * math.sin(angle)
        members = groups[name]
        sub = g.subgraph(members)  # type: ignore[attr-defined]
        local = nx.spring_layout(
            sub, k=1.0, seed=seed, iterations=100, scale=math.sqrt(len(members)) * 0.6
        )
        for key, (x, y) in local.items():
            unit[key] = (cx + x, cy + y)
    if pinned:
        unit = _spring(g, pinned, seed, start=unit)
    return unit


def _rings(g: object, nodes: tuple[Node, ...], pinned: dict) -> dict:
    """Core in the middle, periphery outside: rings by the k-core a node belongs to."""
    import networkx as nx

    core = nx.core_number(g) if g.number_of_edges() else {n.key: 0 for n in nodes}  # type: ignore[attr-defined]
    levels = sorted(set(core.values()), reverse=True)
    label = {n.key: n.label for n in nodes}
    unit: dict = {}
    radius = 0.0
    for depth, level in enumerate(levels):
        ring = sorted((k for k, c in core.items() if c == level), key=lambda k: label[k])
        if depth == 0 and len(ring) == 1:
            unit[ring[0]] = (0.0, 0.0)
            radius = 1.0
            continue
        # Enough room on the circle for every box on it.
        radius = max(radius + 1.2, len(ring) * 0.85 / (2 * math.pi))
        for i, key in enumerate(ring):
            angle = 2 * math.pi * i / len(ring) + depth * 0.3
            unit[key] = (radius * math.cos(angle), radius * math.sin(angle))
    del pinned
    return unit


SETTLE = 10


def separate(
    positions: Positions,
    *,
    fixed: set[uuid.UUID] | None = None,
    width: float = NODE_WIDTH + 16,
    height: float = NODE_HEIGHT + 16,
    rounds: int = 300,
) -> Positions:
    """Push overlapping boxes apart (numpy, all pairs at once) until none overlap.

    ``width``/``height`` include a margin: the pushes aim for it, but once no two boxes touch
    (the margin left out) for ``SETTLE`` rounds in a row the layout is final. Pushes of a dense
    cluster trade the last pixels of margin back and forth for hundreds of rounds otherwise
    (0.7 s for 500 nodes)."""
    import numpy as np

    keys = list(positions)
    if len(keys) < 2:
        return dict(positions)
    xy = np.array([positions[k] for k in keys], dtype=float)
    movable = np.array([k not in (fixed or set()) for k in keys])
    rng = np.random.default_rng(3)
    index = np.arange(len(keys))
    tie_break = np.where(index[:, None] > index[None, :], 1.0, -1.0)  # opposite for i, j
    margin_x, margin_y = width - NODE_WIDTH, height - NODE_HEIGHT
    apart = 0  # rounds in a row with no two boxes touching
    for _ in range(rounds):
        dx = xy[:, 0][:, None] - xy[:, 0][None, :]
        dy = xy[:, 1][:, None] - xy[:, 1][None, :]
        ox = width - np.abs(dx)
        oy = height - np.abs(dy)
        overlap = (ox > 0) & (oy > 0)
        np.fill_diagonal(overlap, False)
        if not overlap.any():
            break
        touching = overlap & (ox > margin_x) & (oy > margin_y)
        apart = 0 if touching.any() else apart + 1
        if apart >= SETTLE:
            break
        # Exactly stacked boxes get a nudge in a random direction.
        same = overlap & (dx == 0) & (dy == 0)
        if same.any():
            i, _ = np.nonzero(same)
            xy[i] += rng.uniform(-1, 1, size=(len(i), 2))
            continue
        # Push along the axis that needs the smaller move; each box takes half the move.
        use_x = ox < oy * (width / height)
        sx = np.where(dx != 0, np.sign(dx), tie_break)
        sy = np.where(dy != 0, np.sign(dy), tie_break)
        push_x = np.where(overlap & use_x, sx * ox / 2, 0.0)
        push_y = np.where(overlap & ~use_x, sy * oy / 2, 0.0)
        move = np.stack([push_x.sum(axis=1), push_y.sum(axis=1)], axis=1)
        move *= 0.6
        xy[movable] += move[movable]
    return {k: (float(x), float(y)) for k, (x, y) in zip(keys, xy, strict=True)}


def overlapping_pairs(
    positions: Positions, width: float = NODE_WIDTH, height: float = NODE_HEIGHT
) -> int:
    """How many pairs of node boxes overlap (for tests and for the benchmark)."""
    import numpy as np

    if len(positions) < 2:
        return 0
    xy = np.array(list(positions.values()), dtype=float)
    dx = np.abs(xy[:, 0][:, None] - xy[:, 0][None, :])
    dy = np.abs(xy[:, 1][:, None] - xy[:, 1][None, :])
    overlap = (dx < width) & (dy < height)
    np.fill_diagonal(overlap, False)
    return int(overlap.sum() // 2)
