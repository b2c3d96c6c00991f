"""Generated inputs the benchmarks share: a network map of 500 nodes and 1,500 ties."""

from __future__ import annotations

import random
import uuid

from shienapp.core.network import MapDocument, Node, Tie

NODES, TIES = 500, 1500
DOMAINS = ("高齢", "障害", "子ども", "生活困窮", "全世代")
KINDS = ("人", "組織", "協議体", "社会資源", "場")


def make_map(seed: int = 1, nodes: int = NODES, ties: int = TIES) -> MapDocument:
    rnd = random.Random(seed)
    made = [
        Node(
            uuid.uuid4(),
            f"地域の団体{i:03d}",
            rnd.choice(KINDS),
            rnd.choice(DOMAINS),
            f"グループ{i % 8}",
            rnd.uniform(-3000, 3000),
            rnd.uniform(-3000, 3000),
        )
        for i in range(nodes)
    ]
    pairs: set[frozenset[uuid.UUID]] = set()
    made_ties: list[Tie] = []
    ties = min(ties, nodes * (nodes - 1) // 2)
    while len(made_ties) < ties:
        a, b = rnd.sample(made, 2)
        pair = frozenset((a.key, b.key))
        if pair not in pairs:
            pairs.add(pair)
            made_ties.append(Tie(uuid.uuid4(), a.key, b.key, "連携", rnd.randint(1, 3)))
    return MapDocument(
        uuid.uuid4(), 1, "ベンチマーク", "市全体", 0, None, "", tuple(made), tuple(made_ties)
    )
