"""Network maps: versions, gaps and single bridges on small graphs with known answers, the
diff between versions, layouts, and GraphML in and out."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from shienapp.core.context import AppContext
from shienapp.core.directory import OrganisationInput, OrganisationRow, PersonInput
from shienapp.core.errors import StaleEditError, UserError
from shienapp.core.network import MapDocument, Node, Tie
from shienapp.core.network_analysis import analyse, diff
from shienapp.core.network_graphml import import_graphml, read_graphml, write_graphml
from shienapp.core.network_layout import LAYOUTS, layout, overlapping_pairs, separate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graphml"


def node(label: str, domain: str = "高齢", **kw: object) -> Node:
    return Node(uuid.uuid5(uuid.NAMESPACE_URL, label), label, domain=domain, **kw)  # type: ignore[arg-type]


def tie(a: Node, b: Node, **kw: object) -> Tie:
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"{a.label}-{b.label}")
    return Tie(key, a.key, b.key, **kw)  # type: ignore[arg-type]


def doc(nodes: list[Node], ties: list[Tie], number: int = 0) -> MapDocument:
    return MapDocument(
        uuid.uuid4(), 1, "試験", "市全体", number, None, "", tuple(nodes), tuple(ties)
    )


def labels(d: MapDocument, keys: tuple[uuid.UUID, ...]) -> list[str]:
    return [d.node(k).label for k in keys]


# --- analysis on hand-made graphs -------------------------------------------------------------


def test_a_chain_has_its_middle_as_cut_vertices_and_every_tie_as_a_bridge() -> None:
    a, b, c, d = node("あ"), node("い"), node("う"), node("え")
    ties = [tie(a, b), tie(b, c), tie(c, d)]
    m = doc([a, b, c, d, node("お")], ties)
    result = analyse(m)
    assert labels(m, result.isolated) == ["お"]
    assert labels(m, result.cut_vertices) == ["い", "う"]
    assert set(result.bridges) == {t.key for t in ties}
    assert result.components == 2
    assert [(m.node(k).label, n) for k, n in result.degree[:2]] == [("い", 2), ("う", 2)]
    top = dict(result.betweenness)
    assert top[b.key] == pytest.approx(top[c.key]) and top[b.key] > top[a.key] == 0


def test_a_triangle_has_no_single_point_of_failure_and_a_double_tie_is_no_bridge() -> None:
    a, b, c, d = node("A"), node("B"), node("C"), node("D")
    m = doc([a, b, c, d], [tie(a, b), tie(b, c), tie(c, a), tie(c, d), tie(d, c, relation="相談")])
    result = analyse(m)
    assert labels(m, result.cut_vertices) == ["C"]  # D hangs on C alone
    assert result.bridges == ()  # but by two ties
    assert result.isolated == ()


def test_domains_that_never_meet_another_domain_are_reported() -> None:
    elder = [node("包括", "高齢"), node("老人クラブ", "高齢")]
    child = [node("子ども食堂", "子ども"), node("学校", "子ども")]
    poor = node("自立相談", "生活困窮")
    all_ages = node("社協", "全世代")
    ties = [
        tie(elder[0], elder[1]),
        tie(child[0], child[1]),
        tie(poor, all_ages),
        tie(all_ages, elder[0]),
    ]
    result = analyse(doc([*elder, *child, poor, all_ages], ties))
    assert result.domain_gaps == ("子ども",)
    assert result.domain_ties[("子ども", "子ども")] == 1
    assert result.domain_ties[("全世代", "高齢")] == 1


def test_one_domain_alone_is_not_a_gap() -> None:
    a, b = node("a"), node("b")
    assert analyse(doc([a, b], [tie(a, b)])).domain_gaps == ()


# --- the diff -----------------------------------------------------------------------------------


def test_diff_finds_added_removed_and_changed_but_not_moved() -> None:
    a, b, c = node("社協"), node("包括"), node("民生委員")
    old = doc([a, b, c], [tie(a, b), tie(b, c)])
    d = node("子ども食堂", "子ども")
    moved_a = Node(a.key, a.label, a.kind, a.domain, x=500, y=500)
    renamed_b = Node(b.key, "第1包括", b.kind, "全世代")
    stronger = Tie(tie(a, b).key, a.key, b.key, strength=3)
    new = doc([moved_a, renamed_b, d], [stronger, tie(b, d)], number=2)
    change = diff(old, new)
    assert labels(new, change.added_nodes) == ["子ども食堂"]
    assert labels(old, change.removed_nodes) == ["民生委員"]
    assert change.changed_nodes == {b.key: ("名前", "分野")}
    assert change.added_ties == (tie(b, d).key,)
    assert change.removed_ties == (tie(b, c).key,)
    assert change.changed_ties == {stronger.key: ("強さ",)}
    assert "点: 追加 1・削除 1・変更 1" in change.summary()
    assert diff(new, new).is_empty


# --- the service --------------------------------------------------------------------------------


def test_versions_freeze_the_working_copy_and_keep_keys(ctx: AppContext) -> None:
    net = ctx.network
    map_id, _ = net.create_map("わがまちのネットワーク形成図")
    a, b = node("社協"), node("包括")
    version, _ = net.save_working(map_id, net.document(map_id).map_version, [a, b], [tie(a, b)])
    assert net.freeze(map_id, date(2024, 9, 1), "令和6年9月 研修で作成")[0] == 1
    c = node("子ども食堂", "子ども")
    net.save_working(map_id, version, [a, b, c], [tie(a, b), tie(a, c)])
    assert net.freeze(map_id, date(2025, 3, 1), "住民向けに再編成")[0] == 2
    assert [(v.label, v.nodes, v.ties) for v in net.list_versions(map_id)] == [
        ("作業中", 3, 2),
        ("第2版", 3, 2),
        ("第1版", 2, 1),
    ]
    first, second = net.document(map_id, 1), net.document(map_id, 2)
    change = diff(first, second)
    assert labels(second, change.added_nodes) == ["子ども食堂"]
    assert first.note == "令和6年9月 研修で作成" and first.saved_on == date(2024, 9, 1)
    [row] = net.list_maps()
    assert (row.versions, row.nodes, row.ties, row.scope) == (2, 3, 2, "市全体")


def test_a_stale_copy_is_refused_and_the_first_save_kept(ctx: AppContext) -> None:
    net = ctx.network
    map_id, _ = net.create_map("地図")
    stale = net.document(map_id).map_version
    net.save_working(map_id, stale, [node("最初")], [])
    with pytest.raises(StaleEditError, match="別の人が保存しました"):
        net.save_working(map_id, stale, [node("後から")], [])
    assert [n.label for n in net.document(map_id).nodes] == ["最初"]


@pytest.mark.parametrize(
    ("nodes", "ties", "message"),
    [
        ([node("")], [], "名前のない点"),
        ([Node(uuid.uuid4(), "x", kind="宇宙人")], [], "種類「宇宙人」"),
        (
            [node("a")],
            [Tie(uuid.uuid4(), node("a").key, uuid.uuid4())],
            "片方の点が地図にありません",
        ),
        ([node("a"), node("b")], [tie(node("a"), node("b"), strength=5)], "線の強さ"),
        ([node("a"), node("b")], [tie(node("a"), node("b"), relation="恋愛")], "関係「恋愛」"),
    ],
)
def test_bad_maps_are_refused_in_japanese_and_nothing_is_saved(
    ctx: AppContext, nodes: list[Node], ties: list[Tie], message: str
) -> None:
    map_id, _ = ctx.network.create_map("地図")
    with pytest.raises(UserError) as caught:
        ctx.network.save_working(map_id, ctx.network.document(map_id).map_version, nodes, ties)
    assert message in caught.value.full_text()
    assert ctx.network.document(map_id).nodes == ()


def test_a_linked_node_follows_its_record_and_a_person_prints_by_role(ctx: AppContext) -> None:
    org_id, _ = ctx.directory.create_organisation(OrganisationInput(name="中居自治会"))
    person_id, _ = ctx.directory.create_person(PersonInput(name="山田 花子", roles=("民生委員",)))
    map_id, _ = ctx.network.create_map("地図")
    org = Node(uuid.uuid4(), "中居自治会", link_kind="organisation", link_id=org_id)
    person = Node(uuid.uuid4(), "山田 花子", kind="人", link_kind="person", link_id=person_id)
    ctx.network.save_working(map_id, 1, [org, person], [])
    row: OrganisationRow = ctx.directory.list_organisations()[0]
    ctx.directory.update_organisation(
        org_id, row.version, OrganisationInput(name="中居町内会", kind="自治会")
    )
    shown = {n.key: n for n in ctx.network.document(map_id).nodes}
    assert shown[org.key].label == "中居町内会"
    assert shown[person.key].resident_label() == "民生委員"
    assert Node(uuid.uuid4(), "田中", kind="人").resident_label() == "住民"


# --- layouts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(LAYOUTS))
def test_layouts_leave_no_overlaps_and_never_move_a_pinned_node(method: str) -> None:
    nodes = [node(f"点{i}", group=f"G{i % 4}") for i in range(40)]
    nodes[0] = Node(nodes[0].key, nodes[0].label, x=1234.0, y=-56.0, pinned=True)
    ties = [tie(nodes[i], nodes[(i * 7 + 3) % 40]) for i in range(40) if i != (i * 7 + 3) % 40]
    positions = layout(nodes, ties, method)
    assert set(positions) == {n.key for n in nodes}
    assert positions[nodes[0].key] == (1234.0, -56.0)
    assert overlapping_pairs(positions) == 0


def test_kamada_kawai_counts_hops_as_networkx_does() -> None:
    """The hop counts from scipy give the layout networkx's own Dijkstra gives."""
    import networkx as nx
    import numpy as np

    from shienapp.core.network_layout import _kk

    g = nx.cycle_graph(12)
    g.add_edges_from([(0, 6), (3, 9), (12, 0), (13, 12)])
    ours, theirs = _kk(g, 3.0), nx.kamada_kawai_layout(g, scale=3.0)
    assert np.allclose([ours[k] for k in g], [theirs[k] for k in g], atol=1e-6)


def test_separating_a_pile_leaves_no_box_touching_another() -> None:
    """A dense pile (100 boxes within 600 px) comes apart, and stops once no box touches
    another rather than trading the last pixels of margin for hundreds of rounds."""
    import random

    rnd = random.Random(5)
    pile = {uuid.uuid4(): (rnd.uniform(0, 600), rnd.uniform(0, 600)) for _ in range(100)}
    assert overlapping_pairs(pile) > 50
    apart = separate(pile)
    assert overlapping_pairs(apart) == 0
    assert set(apart) == set(pile)


# --- GraphML -------------------------------------------------------------------------------------


def test_graphml_round_trip_through_networkx_keeps_japanese_and_positions(tmp_path: Path) -> None:
    a = Node(uuid.uuid4(), "みどり野市社会福祉協議会", "組織", "全世代", "専門機関", 10.5, -20.0)
    b = Node(uuid.uuid4(), "髙橋 﨑子", "人", "高齢", "地域住民", 300.0, 40.0, pinned=True,
             public_label="民生委員")  # fmt: skip
    t = Tie(uuid.uuid4(), a.key, b.key, "相談", 3, True, "月1回の連絡会")
    path = tmp_path / "map.graphml"
    write_graphml(doc([a, b], [t]), path)
    g = nx.read_graphml(path)  # any tool using networkx sees the same map
    assert g.nodes[str(b.key)]["label"] == "髙橋 﨑子"
    assert g.nodes[str(a.key)]["domain"] == "全世代"
    assert g.nodes[str(b.key)]["x"] == 300.0
    title, nodes, ties = read_graphml(path)
    assert title == "試験"
    assert nodes == [a, b]
    assert ties == [t]


def test_resident_safe_graphml_has_no_private_name(tmp_path: Path) -> None:
    person = Node(uuid.uuid4(), "山田 花子", kind="人", public_label="民生委員", note="自宅 099-")
    path = tmp_path / "safe.graphml"
    write_graphml(doc([person], []), path, resident_safe=True)
    text = path.read_text("utf-8")
    assert "山田" not in text and "099" not in text and "民生委員" in text


def test_a_yed_file_imports_with_its_labels_and_geometry(ctx: AppContext) -> None:
    _, nodes, ties = read_graphml(FIXTURES / "yed_style.graphml")
    assert [n.label for n in nodes] == ["地域包括支援センター", "民生委員協議会", "子ども食堂"]
    assert (nodes[0].x, nodes[0].y) == (100.0, 50.0)
    assert {n.kind for n in nodes} == {"その他"}
    assert [(t.relation, t.strength) for t in ties] == [("連携", 2), ("相談", 2)]
    map_id, count, tie_count, _ = import_graphml(ctx.network, FIXTURES / "yed_style.graphml")
    assert (count, tie_count) == (3, 2)
    assert ctx.network.find_map("yed_style").id == map_id


def test_a_gephi_file_imports_with_weights_as_strength() -> None:
    _, nodes, ties = read_graphml(FIXTURES / "gephi_style.graphml")
    assert [n.label for n in nodes] == ["社協", "包括", "自治会"]
    assert nodes[2].group == "2"  # Gephi's Modularity Class becomes the group
    assert [t.strength for t in ties] == [3, 1]


def test_a_broken_file_is_refused_and_writes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml><graph><node id='a'>", "utf-8")
    with pytest.raises(UserError, match="GraphML"):
        import_graphml(ctx.network, bad)
    assert ctx.network.list_maps() == []


def test_a_followup_of_a_node_is_carried_to_the_next_meeting(ctx: AppContext) -> None:
    from shienapp.core.districts import CouncilInput, DistrictInput
    from shienapp.core.meetings import MeetingInput, MinutesInput

    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    ctx.districts.create_district(
        DistrictInput("青葉", "あおば", block.id, council=CouncilInput("設置済"))
    )
    council = ctx.councils.list_councils()[0].id
    first, _ = ctx.meetings.create_meeting(
        MeetingInput(council, date(2025, 5, 10), status="開催済")
    )
    second, _ = ctx.meetings.create_meeting(MeetingInput(council, date(2025, 6, 10)))
    map_id, _ = ctx.network.create_map("青葉の地図")
    school = node("青葉小学校", "子ども")
    ctx.network.save_working(map_id, 1, [school], [])
    action_id, changes = ctx.meetings.add_followup(
        first, "「青葉小学校」と子ども食堂をつなぐ", owner="SC", due_on=date(2025, 7, 1),
        map_id=map_id, map_item_key=school.key,
    )  # fmt: skip
    assert changes.meetings and changes.maps
    [row] = ctx.meetings.followups(map_id)
    assert (row.id, row.map_item_key, row.status) == (action_id, school.key, "未着手")
    assert [a.id for a in ctx.meetings.get_meeting(second).carried] == [action_id]
    # The meeting's own editor saving its 宿題 again keeps the link to the map.
    detail = ctx.meetings.get_meeting(first)
    from shienapp.core.meetings import ActionInput

    kept = tuple(
        ActionInput(a.text, a.owner, a.due_on, a.status, a.completed_on, a.id)
        for a in detail.actions
    )
    ctx.meetings.save_meeting(
        first,
        detail.row.version,
        MeetingInput(council, date(2025, 5, 10), status="開催済"),
        MinutesInput(actions=kept),
    )
    assert ctx.meetings.followups(map_id)[0].map_item_key == school.key
    with pytest.raises(UserError, match="内容を入力してください"):
        ctx.meetings.add_followup(first, " ", map_id=map_id, map_item_key=school.key)
