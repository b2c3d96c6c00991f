"""The map editor's side panel: the chosen node's or tie's details, and the analysis."""

from __future__ import annotations

import uuid
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.network import (
    LINK_KINDS,
    NODE_DOMAINS,
    NODE_KINDS,
    RELATIONS,
    MapDocument,
    Node,
    Tie,
)
from shienapp.core.network_analysis import Analysis, MapDiff

STRENGTHS = (("1: 弱い", 1), ("2: ふつう", 2), ("3: 強い", 3))


def _combo(items: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    for text, value in items:
        combo.addItem(text, value)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    for i in range(combo.count()):
        if combo.itemData(i) == value:
            combo.setCurrentIndex(i)
            return


class DetailsPanel(QStackedWidget):
    """Nothing chosen / a node's form / a tie's form. 反映 sends the edited copy."""

    node_edited = Signal(object)  # Node
    tie_edited = Signal(object)  # Tie
    followup_requested = Signal(object, str)  # the node's or tie's key, what it is about

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._node: Node | None = None
        self._tie: Tie | None = None
        self.hint = QLabel(
            "点や線を選ぶと、ここで詳しく編集できます。\n\n"
            "・点を追加: ツールバーの「点を追加」か Insert\n"
            "・つなぐ: Shift を押しながら点から点へドラッグ（または「つなぐ」）\n"
            "・名前を変える: 点をダブルクリック\n"
            "・拡大縮小: ホイール　移動: 中ボタンか Space を押してドラッグ"
        )
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.addWidget(self.hint)

        node_page = QWidget()
        form = QFormLayout(node_page)
        self.label = QLineEdit()
        self.kind = _combo([(k, k) for k in NODE_KINDS])
        self.domain = _combo([(d, d) for d in NODE_DOMAINS])
        self.group = QComboBox()
        self.group.setEditable(True)
        self.public_label = QLineEdit()
        self.public_label.setPlaceholderText("例: 民生委員、住民ボランティア")
        self.link = QComboBox()
        self.pinned = QCheckBox("固定する（自動配置で動かさない）")
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(70)
        self.apply_node = QPushButton("反映")
        self.node_followup = QPushButton("宿題（フォローアップ）を追加…")
        form.addRow("名前", self.label)
        form.addRow("種類", self.kind)
        form.addRow("分野", self.domain)
        form.addRow("グループ", self.group)
        form.addRow("住民向けの表示", self.public_label)
        form.addRow("台帳の記録", self.link)
        form.addRow("", self.pinned)
        form.addRow("メモ", self.note)
        form.addRow("", self.apply_node)
        form.addRow("", self.node_followup)
        self.addWidget(node_page)

        tie_page = QWidget()
        tie_form = QFormLayout(tie_page)
        self.ends = QLabel()
        self.ends.setWordWrap(True)
        self.relation = _combo([(r, r) for r in RELATIONS])
        self.strength = _combo(list(STRENGTHS))
        self.directed = QCheckBox("一方向（矢印の先へ）")
        self.tie_note = QPlainTextEdit()
        self.tie_note.setMaximumHeight(70)
        self.apply_tie = QPushButton("反映")
        self.tie_followup = QPushButton("宿題（フォローアップ）を追加…")
        tie_form.addRow("つなぐ点", self.ends)
        tie_form.addRow("関係", self.relation)
        tie_form.addRow("強さ", self.strength)
        tie_form.addRow("", self.directed)
        tie_form.addRow("メモ", self.tie_note)
        tie_form.addRow("", self.apply_tie)
        tie_form.addRow("", self.tie_followup)
        self.addWidget(tie_page)
        self.apply_node.clicked.connect(self._send_node)
        self.apply_tie.clicked.connect(self._send_tie)
        self.label.returnPressed.connect(self._send_node)
        self.node_followup.clicked.connect(
            lambda: self._node and self.followup_requested.emit(self._node.key, self._node.label)
        )
        self.tie_followup.clicked.connect(
            lambda: self._tie and self.followup_requested.emit(self._tie.key, self.ends.text())
        )

    def set_links(self, linkable: list[tuple[str, uuid.UUID, str]]) -> None:
        self.link.clear()
        self.link.addItem("（つながりなし）", None)
        for kind, record_id, name in sorted(linkable, key=lambda x: (x[0], x[2])):
            self.link.addItem(f"{LINK_KINDS[kind][0]}: {name}", (kind, record_id))

    def show_nothing(self) -> None:
        self._node = self._tie = None
        self.setCurrentIndex(0)

    def show_node(self, node: Node, groups: list[str]) -> None:
        self._node, self._tie = node, None
        self.label.setText(node.label)
        _select(self.kind, node.kind)
        _select(self.domain, node.domain)
        self.group.clear()
        self.group.addItems(["", *groups])
        self.group.setCurrentText(node.group)
        self.public_label.setText(node.public_label)
        _select(self.link, (node.link_kind, node.link_id) if node.link_id else None)
        self.pinned.setChecked(node.pinned)
        self.note.setPlainText(node.note)
        self.setCurrentIndex(1)

    def show_tie(self, tie: Tie, ends: str) -> None:
        self._node, self._tie = None, tie
        self.ends.setText(ends)
        _select(self.relation, tie.relation)
        _select(self.strength, tie.strength)
        self.directed.setChecked(tie.directed)
        self.tie_note.setPlainText(tie.note)
        self.setCurrentIndex(2)

    def _send_node(self) -> None:
        if self._node is None:
            return
        link = self.link.currentData()
        edited = replace(
            self._node,
            label=self.label.text().strip(),
            kind=self.kind.currentData(),
            domain=self.domain.currentData(),
            group=self.group.currentText().strip(),
            public_label=self.public_label.text().strip(),
            link_kind=link[0] if link else "",
            link_id=link[1] if link else None,
            pinned=self.pinned.isChecked(),
            note=self.note.toPlainText(),
        )
        if edited != self._node:
            self.node_edited.emit(edited)

    def _send_tie(self) -> None:
        if self._tie is None:
            return
        edited = replace(
            self._tie,
            relation=self.relation.currentData(),
            strength=self.strength.currentData(),
            directed=self.directed.isChecked(),
            note=self.tie_note.toPlainText(),
        )
        if edited != self._tie:
            self.tie_edited.emit(edited)


class AnalysisPanel(QWidget):
    """Gaps, single points of failure, rankings and the changes: click an entry to go there."""

    node_chosen = Signal(object)  # key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mark = QCheckBox("分断される点・つながり（赤）と孤立した点（赤の点線）を地図に示す")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.itemActivated.connect(self._chosen)
        self.tree.itemClicked.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mark)
        layout.addWidget(self.tree, 1)

    def show_result(
        self,
        doc: MapDocument,
        result: Analysis,
        change: MapDiff | None,
        old: MapDocument | None,
        followups: list[tuple[str, uuid.UUID | None]] | None = None,
    ) -> None:
        self.tree.clear()
        nodes = {n.key: n for n in doc.nodes}
        ties = {t.key: t for t in doc.ties}

        def section(title: str, entries: list[tuple[str, uuid.UUID | None]]) -> None:
            top = QTreeWidgetItem([f"{title}（{len(entries)}）"])
            self.tree.addTopLevelItem(top)
            for text, key in entries or [("なし", None)]:
                child = QTreeWidgetItem([text])
                if key is not None:  # storing None in item data upsets PySide's refcounts
                    child.setData(0, Qt.ItemDataRole.UserRole, str(key))
                top.addChild(child)
            top.setExpanded(len(entries) <= 12)

        def named(keys: tuple[uuid.UUID, ...]) -> list[tuple[str, uuid.UUID | None]]:
            return [(nodes[k].label, k) for k in keys if k in nodes]

        section("つながりのない点", named(result.isolated))
        section("他の分野とつながっていない分野（縦割り）", [(d, None) for d in result.domain_gaps])
        section("いなくなると分断される点", named(result.cut_vertices))
        section(
            "切れると分断されるつながり",
            [
                (f"{nodes[ties[k].source].label} ― {nodes[ties[k].target].label}", ties[k].source)
                for k in result.bridges
                if k in ties
            ],
        )
        section("つながりの多い順", [(f"{nodes[k].label}　{n}", k) for k, n in result.degree[:15]])
        section(
            "橋渡し役（媒介中心性）",
            [(f"{nodes[k].label}　{v:.2f}", k) for k, v in result.betweenness[:15] if v > 0],
        )
        if followups is not None:
            section("この地図の宿題（フォローアップ）", followups)
        if change is not None and old is not None:
            section(
                f"{old.version_label}からの変更: {change.summary()}",
                named(change.added_nodes)
                + [
                    (f"（変更）{nodes[k].label}: {'・'.join(w)}", k)
                    for k, w in change.changed_nodes.items()
                    if k in nodes
                ]
                + [(f"（削除）{old.node(k).label}", None) for k in change.removed_nodes],
            )
        self.tree.resizeColumnToContents(0)

    def _chosen(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        key = item.data(0, Qt.ItemDataRole.UserRole)
        if key:
            self.node_chosen.emit(uuid.UUID(key))
