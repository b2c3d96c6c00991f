"""The demo city's network-formation maps: a city map in two versions and a district map.

Built from the demo registry (organisations, councils, activities, people), with the gaps a
real first map has: a 生活困窮 corner that only talks to itself (縦割り), a 子ども corner hanging
on one school, two groups nobody has reached yet.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shienapp.core.network import Node, Tie
from shienapp.core.network_layout import layout
from shienapp.storage.models import (
    Council,
    District,
    NetworkEdge,
    NetworkMap,
    NetworkMapVersion,
    NetworkNode,
    Organisation,
    Person,
    Resource,
)

CITY_MAP_TITLE = "わがまちのネットワーク形成図"


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nodes: list[Node] = []
        self.ties: list[Tie] = []
        self._pairs: set[frozenset[uuid.UUID]] = set()

    def node(self, label: str, kind: str, domain: str, group: str, **kw: object) -> Node:
        made = Node(uuid.uuid4(), label, kind, domain, group, **kw)  # type: ignore[arg-type]
        self.nodes.append(made)
        return made

    def tie(
        self, a: Node, b: Node, relation: str = "連携", strength: int = 2, **kw: object
    ) -> None:
        pair = frozenset((a.key, b.key))
        if a.key == b.key or pair in self._pairs:
            return
        self._pairs.add(pair)
        self.ties.append(Tie(uuid.uuid4(), a.key, b.key, relation, strength, **kw))  # type: ignore[arg-type]


def _linked(record: object, kind: str) -> dict[str, object]:
    return {"link_kind": kind, "link_id": record.id}  # type: ignore[attr-defined]


def build_demo_network(s: Session, rng: random.Random, today: date) -> int:
    """Write the maps inside the demo's transaction; returns the number of maps."""
    orgs = {o.name: o for o in s.scalars(select(Organisation))}
    councils = list(s.scalars(select(Council).order_by(Council.name)))
    first_tier = next(c for c in councils if c.tier == "第1層")
    second_tier = [c for c in councils if c.tier == "第2層" and c.status == "設置済"]
    resources = list(s.scalars(select(Resource).order_by(Resource.name)))
    people = list(s.scalars(select(Person).order_by(Person.reading)))
    welfare_commissioners = [p for p in people if "民生委員" in (p.roles or [])]
    volunteers = [p for p in people if p.volunteer_status == "活動中"]

    b = _Builder(rng)

    def org(full_name: str, label: str, domain: str, group: str) -> Node:
        return b.node(label, "組織", domain, group, **_linked(orgs[full_name], "organisation"))

    # 行政 and 専門機関
    city = b.node(
        "地域福祉課",
        "組織",
        "全世代",
        "行政",
        **_linked(orgs["みどり野市 地域福祉課"], "organisation"),
    )
    elderly = b.node("高齢福祉課", "組織", "高齢", "行政")
    children = b.node("子ども家庭課", "組織", "子ども", "行政")
    livelihood = b.node("生活福祉課", "組織", "生活困窮", "行政")
    shakyo = org("みどり野市社会福祉協議会", "社会福祉協議会", "全世代", "専門機関")
    hokatsu = [
        b.node(o.name, "組織", "高齢", "専門機関", **_linked(o, "organisation"))
        for name, o in sorted(orgs.items())
        if "地域包括" in name
    ]
    minjikyo = org(
        "みどり野市民生委員児童委員協議会", "民生委員児童委員協議会", "全世代", "専門機関"
    )
    jiritsu = b.node("自立相談支援機関", "組織", "生活困窮", "専門機関")
    disability = b.node("障害者相談支援事業所", "組織", "障害", "専門機関")
    clinic = org("医療法人 若葉会 みどり野クリニック", "みどり野クリニック", "高齢", "専門機関")
    hojin = org("社会福祉法人 みどり会", "社会福祉法人 みどり会", "高齢", "専門機関")
    school = org("みどり野第一小学校", "みどり野第一小学校", "子ども", "専門機関")
    # 協議体
    first = b.node("第1層協議体", "協議体", "全世代", "協議体", **_linked(first_tier, "council"))
    seconds = [
        b.node(
            c.name.replace("みどり野市 ", ""), "協議体", "全世代", "協議体", **_linked(c, "council")
        )
        for c in second_tier[:6]
    ]
    # 地域住民
    # The 自治会 of the districts whose councils are on the map, one each.
    district_names = {d.id: d.name for d in s.scalars(select(District))}
    local_orgs = [
        orgs[f"{district_names[c.district_id]}自治会"]
        for c in second_tier[:6]
        if c.district_id in district_names and f"{district_names[c.district_id]}自治会" in orgs
    ]
    jichikai = [
        b.node(o.name, "組織", "全世代", "地域住民", **_linked(o, "organisation"))
        for o in local_orgs
    ]
    commissioners = [
        b.node(p.name, "人", "全世代", "地域住民", public_label="民生委員", **_linked(p, "person"))
        for p in welfare_commissioners[:4]
    ]
    helpers = [
        b.node(p.name, "人", "高齢", "地域住民", public_label="住民ボランティア",
               **_linked(p, "person"))
        for p in volunteers[:3]
    ]  # fmt: skip
    rojin = b.node("老人クラブ連合会", "組織", "高齢", "地域住民")
    pta = b.node("小学校PTA", "組織", "子ども", "地域住民")
    shops = org("みどり野中央商店会", "中央商店会", "全世代", "地域住民")
    coop = org("みどり野生活協同組合", "生活協同組合", "全世代", "地域住民")
    npo = org("NPO法人 ささえあいネットみどり", "ささえあいネットみどり", "高齢", "地域住民")
    hidamari = org("NPO法人 こどもの居場所ひだまり", "こどもの居場所ひだまり", "子ども", "地域住民")
    # 活動・場
    by_category: dict[str, list[Resource]] = {}
    for r in resources:
        by_category.setdefault(r.category, []).append(r)
    activities = []
    for category, count in (("居場所・サロン", 5), ("見守り", 3), ("子ども食堂", 2),
                            ("介護予防", 3), ("移動支援", 2)):  # fmt: skip
        for r in by_category.get(category, [])[:count]:
            domain = "子ども" if category == "子ども食堂" else "高齢"
            activities.append(
                b.node(r.name, "社会資源", domain, "活動・場", **_linked(r, "resource"))
            )
    kominkan = b.node("中央公民館", "場", "全世代", "活動・場")
    shukaijo = b.node("団地集会所", "場", "全世代", "活動・場")

    # ties: the shape of a first map drawn in a training
    b.tie(city, shakyo, "委託", 3)
    for h in hokatsu:
        b.tie(city, h, "委託", 2)
        b.tie(shakyo, h, "連携", 3)
        b.tie(elderly, h, "情報共有", 2)
    b.tie(city, elderly, "連携", 3)
    b.tie(city, children, "連携", 1)
    b.tie(livelihood, jiritsu, "委託", 3)  # 生活困窮 only among itself: a gap to find
    for party in (city, shakyo, minjikyo, npo, hokatsu[0], hojin):
        b.tie(first, party, "参加", 2)
    for i, council in enumerate(seconds):
        b.tie(council, hokatsu[i % len(hokatsu)], "参加", 2)
        b.tie(council, shakyo, "支援", 2)
        if i < len(jichikai):
            b.tie(council, jichikai[i], "参加", 3)
    for i, person in enumerate(commissioners):
        b.tie(person, minjikyo, "参加", 2)
        b.tie(person, hokatsu[i % len(hokatsu)], "相談", 3, directed=True)
        b.tie(person, jichikai[i % len(jichikai)], "連携", 2)
    for i, activity in enumerate(activities):
        b.tie(activity, jichikai[i % len(jichikai)], "支援", 2)
        b.tie(activity, kominkan if i % 2 else shukaijo, "参加", 1)
        b.tie(activity, shakyo, "支援", 1)
    for helper, activity in zip(helpers, activities, strict=False):
        b.tie(helper, activity, "参加", 3)
        b.tie(helper, npo, "参加", 2)
    b.tie(npo, shakyo, "連携", 2)
    b.tie(clinic, hokatsu[0], "相談", 2, directed=True)
    b.tie(clinic, hojin, "連携", 1)
    b.tie(hojin, hokatsu[1 % len(hokatsu)], "連携", 2)
    b.tie(disability, shakyo, "情報共有", 1)
    kids = [a for a in activities if a.domain == "子ども"]
    for kid in kids:
        b.tie(kid, hidamari, "連携", 2)
    b.tie(hidamari, school, "紹介", 2)  # 子ども hangs on the school: one bridge
    b.tie(school, children, "情報共有", 1)
    b.tie(shops, jichikai[0], "連携", 1)
    b.tie(coop, npo, "連携", 1)
    b.tie(coop, activities[0], "支援", 1)
    b.tie(shops, activities[1], "支援", 1)
    # A few more ties a coordinator learns of over the year.
    extra = [n for n in b.nodes if n not in (rojin, pta, jiritsu, livelihood)]
    while len(b.ties) < 118:
        a, c = rng.sample(extra, 2)
        b.tie(a, c, rng.choice(("連携", "情報共有", "相談", "参加")), rng.randint(1, 2))

    nodes = _placed(b.nodes, b.ties, "group")
    # 第1版: the map from the training, before the second half of the year.
    late = {n.key for n in helpers + activities[-4:] + [coop, shops, hidamari]}
    first_nodes = [n for n in nodes if n.key not in late]
    kept = {n.key for n in first_nodes}
    first_ties = [t for t in b.ties if t.source in kept and t.target in kept][:92]
    renamed = {elderly.key: "高齢介護課"}  # renamed by the city in the winter
    first_nodes = [replace(n, label=renamed.get(n.key, n.label)) for n in first_nodes]

    city_map = _map(s, CITY_MAP_TITLE, None, "市全体の支え合いに関わる人・組織・場の関係")
    _version(s, city_map, 1, date(2024, 9, 20), "令和6年9月 研修で作成", first_nodes, first_ties)
    _version(s, city_map, 2, date(2025, 3, 14), "令和7年3月 住民向けに再編成", nodes, b.ties)
    working_ties = [*b.ties]
    working_ties.append(Tie(uuid.uuid4(), pta.key, school.key, "連携", 1))
    _version(s, city_map, 0, None, "", nodes, working_ties)

    district = s.get(District, second_tier[0].district_id) if second_tier else None
    if district is not None:
        _district_map(s, rng, district, orgs, resources, people)
    return 2 if district is not None else 1


def _district_map(
    s: Session,
    rng: random.Random,
    district: District,
    orgs: dict[str, Organisation],
    resources: list[Resource],
    people: list[Person],
) -> None:
    b = _Builder(rng)
    council = b.node(f"{district.name}地区協議体", "協議体", "全世代", "協議体")
    jichikai = next((o for o in orgs.values() if o.name == f"{district.name}自治会"), None)
    local = b.node(
        jichikai.name if jichikai else f"{district.name}自治会", "組織", "全世代", "地域住民",
        **(_linked(jichikai, "organisation") if jichikai else {}),
    )  # fmt: skip
    hokatsu = b.node("地域包括支援センター", "組織", "高齢", "専門機関")
    shakyo = b.node("社協 地区担当", "組織", "全世代", "専門機関")
    mine = [r for r in resources if r.district_id == district.id][:6]
    places = [
        b.node(r.name, "社会資源", "高齢", "活動・場", **_linked(r, "resource")) for r in mine
    ]
    residents = [p for p in people if p.district_id == district.id][:8]
    persons = [
        b.node(p.name, "人", "全世代", "地域住民",
               public_label="民生委員" if "民生委員" in (p.roles or []) else "住民",
               **_linked(p, "person"))
        for p in residents
    ]  # fmt: skip
    hall = b.node(f"{district.name}公民館", "場", "全世代", "活動・場")
    for party in (local, hokatsu, shakyo):
        b.tie(council, party, "参加", 3)
    b.tie(hokatsu, shakyo, "連携", 3)
    for place in places:
        b.tie(place, local, "支援", 2)
        b.tie(place, hall, "参加", 1)
    for i, person in enumerate(persons):
        b.tie(person, council if i % 2 else local, "参加", 2)
        if places:
            b.tie(person, places[i % len(places)], "参加", rng.randint(1, 3))
    nodes = _placed(b.nodes, b.ties, "spring")
    record = _map(s, f"{district.name}地区のネットワーク", district.id, "地区の協議体で作成")
    _version(s, record, 1, date(2025, 6, 10), "令和7年6月 協議体で作成", nodes, b.ties)
    _version(s, record, 0, None, "", nodes, b.ties)


def _placed(nodes: list[Node], ties: list[Tie], method: str) -> list[Node]:
    positions = layout(nodes, ties, method)
    return [replace(n, x=round(positions[n.key][0]), y=round(positions[n.key][1])) for n in nodes]


def _map(s: Session, title: str, district_id: uuid.UUID | None, description: str) -> NetworkMap:
    record = NetworkMap(title=title, district_id=district_id, description=description)
    s.add(record)
    s.flush()
    return record


def _version(
    s: Session,
    record: NetworkMap,
    number: int,
    saved_on: date | None,
    note: str,
    nodes: list[Node],
    ties: list[Tie],
) -> None:
    version = NetworkMapVersion(map_id=record.id, number=number, saved_on=saved_on, note=note)
    s.add(version)
    s.flush()
    for n in nodes:
        s.add(
            NetworkNode(
                version_id=version.id, key=n.key, label=n.label, kind=n.kind, domain=n.domain,
                link_kind=n.link_kind, link_id=n.link_id, public_label=n.public_label,
                group=n.group, x=n.x, y=n.y, pinned=n.pinned, note=n.note,
            )
        )  # fmt: skip
    for t in ties:
        s.add(
            NetworkEdge(
                version_id=version.id, key=t.key, source_key=t.source, target_key=t.target,
                relation=t.relation, strength=t.strength, directed=t.directed, note=t.note,
            )
        )  # fmt: skip
