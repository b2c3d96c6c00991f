"""The ネットワーク形成図 tab: add, connect, rename, delete, undo and redo, save, lay out,
filter, compare versions, saved views, print and export."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from shienapp.core.context import AppContext
from shienapp.core.network import Node, Tie
from shienapp.gui.main_window import MainWindow
from shienapp.gui.network.editor import MapEditor
from shienapp.gui.network.tab import NetworkTab


@pytest.fixture
def small_map(ctx: AppContext) -> tuple[uuid.UUID, list[Node]]:
    """社協 ― 包括 ― 民生委員, and a 子ども食堂 on its own; saved once as 第1版."""
    nodes = [
        Node(uuid.uuid4(), "社会福祉協議会", "組織", "全世代", "専門機関", 0, 0),
        Node(uuid.uuid4(), "地域包括支援センター", "組織", "高齢", "専門機関", 300, 0, pinned=True),
        Node(uuid.uuid4(), "山田 花子", "人", "全世代", "地域住民", 150, 200,
             public_label="民生委員"),
        Node(uuid.uuid4(), "みどり子ども食堂", "社会資源", "子ども", "活動・場", 500, 250),
    ]  # fmt: skip
    ties = [
        Tie(uuid.uuid4(), nodes[0].key, nodes[1].key, "連携", 3),
        Tie(uuid.uuid4(), nodes[2].key, nodes[1].key, "相談", 2, True),
    ]
    map_id, _ = ctx.network.create_map("わがまちの形成図")
    ctx.network.save_working(map_id, ctx.network.document(map_id).map_version, nodes, ties)
    ctx.network.freeze(map_id, date(2024, 9, 1), "研修で作成")
    return map_id, nodes


@pytest.fixture
def tab(ctx: AppContext, small_map: object, qtbot: QtBot) -> Iterator[NetworkTab]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1300, 850)
    window.show()
    window.tabs.setCurrentWidget(window.network_tab)
    yield window.network_tab


def labels(editor: MapEditor) -> set[str]:
    return {item.node.label for item in editor.scene.nodes.values()}


def test_the_tab_opens_the_map_and_its_versions(tab: NetworkTab) -> None:
    editor = tab.editor
    assert tab.maps.count() == 1 and "1版" in tab.maps.item(0).text()
    assert labels(editor) == {
        "社会福祉協議会",
        "地域包括支援センター",
        "山田 花子",
        "みどり子ども食堂",
    }
    assert len(editor.scene.ties) == 2
    assert [editor.version.itemText(i)[:3] for i in range(editor.version.count())] == [
        "作業中",
        "第1版",
    ]
    assert editor.save_action.isEnabled()


def test_add_undo_redo(tab: NetworkTab, qtbot: QtBot) -> None:
    editor = tab.editor
    node = editor.add_node("自治会")
    editor.view.close_editor()
    assert "自治会" in labels(editor) and editor.is_dirty
    editor.undo.undo()
    assert "自治会" not in labels(editor)
    editor.undo.redo()
    assert node.key in editor.scene.nodes


def _drag(editor: MapEditor, source: uuid.UUID, target: uuid.UUID) -> None:
    """Shift+drag from one node to another, as a hand would."""
    view = editor.view
    start = view.mapFromScene(editor.scene.nodes[source].pos())
    end = view.mapFromScene(editor.scene.nodes[target].pos())
    shift = Qt.KeyboardModifier.ShiftModifier
    left = Qt.MouseButton.LeftButton
    for kind, point, buttons in (
        (QEvent.Type.MouseButtonPress, start, left),
        (QEvent.Type.MouseMove, (start + end) / 2, left),
        (QEvent.Type.MouseMove, end, left),
        (QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton),
    ):
        event = QMouseEvent(
            kind, QPointF(point), QPointF(view.viewport().mapToGlobal(point)),
            left, buttons, shift,
        )  # fmt: skip
        QApplication.sendEvent(view.viewport(), event)


def test_connecting_by_dragging_from_node_to_node(tab: NetworkTab, small_map: tuple) -> None:
    editor = tab.editor
    _, nodes = small_map
    editor.view.centerOn(editor.scene.nodes[nodes[3].key])
    editor.view.set_zoom(0.6)
    editor.view.centerOn(QPointF(250, 125))
    _drag(editor, nodes[3].key, nodes[0].key)
    [new] = [t for t in editor.scene.current_ties() if nodes[3].key in (t.source, t.target)]
    assert (new.source, new.target, new.relation) == (nodes[3].key, nodes[0].key, "連携")
    editor.undo.undo()
    assert len(editor.scene.ties) == 2


def test_rename_in_place_and_edit_in_the_panel(
    tab: NetworkTab, small_map: tuple, qtbot: QtBot
) -> None:
    editor = tab.editor
    _, nodes = small_map
    item = editor.scene.nodes[nodes[0].key]
    field = editor.view.edit_in_place(item)
    field.setText("みどり野市社会福祉協議会")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert item.node.label == "みどり野市社会福祉協議会"
    editor.scene.clearSelection()
    item.setSelected(True)
    editor.details.domain.setCurrentIndex(editor.details.domain.findData("高齢"))
    editor.details.group.setCurrentText("社協")
    editor.details.apply_node.click()
    assert (item.node.domain, item.node.group) == ("高齢", "社協")
    editor.undo.undo()
    editor.undo.undo()
    assert (item.node.label, item.node.domain) == ("社会福祉協議会", "全世代")


def test_deleting_a_node_takes_its_ties_and_undo_brings_both_back(
    tab: NetworkTab, small_map: tuple
) -> None:
    editor = tab.editor
    _, nodes = small_map
    editor.scene.clearSelection()
    editor.scene.nodes[nodes[1].key].setSelected(True)
    editor.delete_selected()
    assert nodes[1].key not in editor.scene.nodes and not editor.scene.ties
    editor.undo.undo()
    assert nodes[1].key in editor.scene.nodes and len(editor.scene.ties) == 2


def test_save_and_a_stale_save_keeps_the_edits(
    tab: NetworkTab, ctx: AppContext, small_map: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tab.editor
    map_id, _ = small_map
    editor.add_node("自治会")
    editor.view.close_editor()
    assert editor.save() and not editor.is_dirty
    assert "自治会" in {n.label for n in ctx.network.document(map_id).nodes}
    # Someone else saves the map meanwhile.
    doc = ctx.network.document(map_id)
    ctx.network.save_working(map_id, doc.map_version, doc.nodes, doc.ties)
    shown: list[str] = []
    monkeypatch.setattr(
        "shienapp.gui.network.editor.show_error", lambda _p, exc, *_a: shown.append(exc.message)
    )
    editor.add_node("老人クラブ")
    editor.view.close_editor()
    assert not editor.save()
    assert "別の人が保存しました" in shown[0]
    assert "老人クラブ" in labels(editor) and editor.is_dirty


def test_layout_keeps_pinned_nodes_and_undoes(tab: NetworkTab, small_map: tuple) -> None:
    editor = tab.editor
    _, nodes = small_map
    before = {k: (i.pos().x(), i.pos().y()) for k, i in editor.scene.nodes.items()}
    editor.apply_layout("kamada_kawai")
    after = {k: (i.pos().x(), i.pos().y()) for k, i in editor.scene.nodes.items()}
    assert after[nodes[1].key] == before[nodes[1].key]  # pinned
    assert after != before
    editor.undo.undo()
    assert {k: (i.pos().x(), i.pos().y()) for k, i in editor.scene.nodes.items()} == before


def test_filters_fade_and_focus_reveals_step_by_step(tab: NetworkTab, small_map: tuple) -> None:
    editor = tab.editor
    _, nodes = small_map
    editor.domain_filter.setCurrentIndex(editor.domain_filter.findData("子ども"))
    faded = {i.node.label for i in editor.scene.nodes.values() if i.faded}
    assert faded == {"社会福祉協議会", "地域包括支援センター", "山田 花子"}
    editor.domain_filter.setCurrentIndex(0)
    editor.set_focus(nodes[2].key, 1)
    assert {i.node.label for i in editor.scene.nodes.values() if not i.faded} == {
        "山田 花子",
        "地域包括支援センター",
    }
    editor.expand_focus()
    assert not editor.scene.nodes[nodes[0].key].faded
    settings = editor.view_settings()
    editor.save_view("2. 民生委員から")
    editor.set_focus(None)
    editor.apply_view(editor.views.itemData(editor.views.findText("2. 民生委員から")))
    assert editor.focus_key == nodes[2].key and editor.focus_steps == settings["steps"] == 2


def test_comparing_with_a_version_colours_the_changes(tab: NetworkTab, small_map: tuple) -> None:
    editor = tab.editor
    node = editor.add_node("自治会")
    editor.view.close_editor()
    editor.compare_box.setCurrentIndex(editor.compare_box.findData(1))
    editor._compare_chosen()
    assert editor.scene.nodes[node.key].mark == "added"
    top = editor.analysis.tree.topLevelItem(editor.analysis.tree.topLevelItemCount() - 1)
    assert "第1版からの変更" in top.text(0)


def test_a_frozen_version_opens_read_only(tab: NetworkTab) -> None:
    editor = tab.editor
    editor.version.setCurrentIndex(editor.version.findData(1))
    editor._version_chosen()
    assert editor.doc is not None and editor.doc.number == 1
    assert not editor.save_action.isEnabled() and editor.view.read_only


def test_print_preview_and_exports(
    tab: NetworkTab, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shienapp.gui.network.files import print_map
    from shienapp.gui.pdf_preview import PdfPreviewDialog

    seen: list[int] = []

    def look() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, PdfPreviewDialog) or widget.document.pageCount() == 0:
            QTimer.singleShot(20, look)
            return
        seen.append(widget.document.pageCount())
        widget.reject()

    QTimer.singleShot(0, look)
    print_map(tab, tab.ctx.network, tab.editor.current(), paper="A4", compare=1)
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    assert seen[0] == 3  # before, after, analysis
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    for name in ("map.png", "map.svg", "map.graphml"):
        assert tab.export_current(tmp_path / name) == tmp_path / name
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert "社会福祉協議会" in (tmp_path / "map.svg").read_text("utf-8")
    safe = tab.export_current(tmp_path / "safe.svg", resident_safe=True)
    assert safe is not None and "山田" not in safe.read_text("utf-8")


def test_a_followup_from_the_map_appears_in_the_action_list(
    tab: NetworkTab, ctx: AppContext, small_map: tuple
) -> None:
    from shienapp.core.districts import CouncilInput, DistrictInput
    from shienapp.core.meetings import MeetingInput

    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    ctx.districts.create_district(
        DistrictInput("青葉", "あおば", block.id, council=CouncilInput("設置済"))
    )
    council = ctx.councils.list_councils()[0].id
    meeting, _ = ctx.meetings.create_meeting(
        MeetingInput(council, date(2025, 5, 10), status="開催済")
    )
    _, nodes = small_map
    action_id = tab.add_followup(
        nodes[3].key, nodes[3].label, meeting_id=meeting, text="子ども食堂を社協につなぐ"
    )
    assert action_id in {a.id for a in ctx.meetings.open_actions()}
    tree = tab.editor.analysis.tree
    sections = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert any(s.startswith("この地図の宿題（フォローアップ）（1）") for s in sections)


def test_unsaved_edits_survive_as_a_draft_and_come_back(
    tab: NetworkTab, small_map: tuple, qtbot: QtBot
) -> None:
    editor = tab.editor
    map_id, _ = small_map
    editor.add_node("公民館")
    editor.view.close_editor()
    qtbot.waitUntil(lambda: editor.drafts.load(f"map-{map_id}") is not None, timeout=5000)
    # As after a crash: the saved map is opened again, and the draft put back.
    editor.undo.clear()
    editor.open_map(map_id, offer_draft=False)
    assert "公民館" not in labels(editor)
    assert editor.restore_draft()
    assert "公民館" in labels(editor) and editor.is_dirty
    assert editor.save()
    assert editor.drafts.load(f"map-{map_id}") is None


def test_the_analysis_marks_single_points_of_failure_on_the_map(
    tab: NetworkTab, small_map: tuple
) -> None:
    editor = tab.editor
    editor.analysis.mark.setChecked(True)
    cut = {i.node.label for i in editor.scene.nodes.values() if i.highlight}
    alone = {i.node.label for i in editor.scene.nodes.values() if i.alone}
    assert cut == {"地域包括支援センター"} and alone == {"みどり子ども食堂"}
    assert all(t.highlight for t in editor.scene.ties.values())  # both ties are bridges


def test_new_map_and_followup_dialogs(
    tab: NetworkTab, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

    from shienapp.gui.network.files import PrintDialog
    from shienapp.gui.network.tab import FollowupDialog, MapDialog

    def fill_and_accept(dialog: QDialog) -> int:
        if isinstance(dialog, MapDialog):
            dialog.title.setText("八幡地区の形成図")
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None  # every form has its OK and Cancel
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MapDialog, "exec", fill_and_accept)
    tab.new_map()
    assert tab.maps.count() == 2
    assert tab.editor.doc is not None and tab.editor.doc.title == "八幡地区の形成図"
    assert PrintDialog([("第1版", 1)], tab).compare.count() == 2
    assert FollowupDialog([], "市全体", "社協", tab).text.text().startswith("「社協」について")


def test_importing_graphml_opens_the_new_map(
    tab: NetworkTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "graphml" / "yed_style.graphml"
    tab.import_file(fixture)
    assert tab.maps.count() == 2
    assert tab.editor.doc is not None and tab.editor.doc.title == "yed_style"
    assert labels(tab.editor) == {"地域包括支援センター", "民生委員協議会", "子ども食堂"}
