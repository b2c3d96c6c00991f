"""The 会議・議事録 tab: the meeting list with its filters, and open 宿題 across councils."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.drafts import Draft, DraftStore
from shienapp.core.errors import UserError
from shienapp.core.jpdate import fiscal_year_label
from shienapp.core.meetings import KINDS, MeetingDetail, MeetingInput, MinutesInput
from shienapp.core.permissions import Action
from shienapp.gui import permits
from shienapp.gui.background import Progress, run_in_background
from shienapp.gui.errors import show_error
from shienapp.gui.lazy import LoadWhenShown
from shienapp.gui.meetings.editor import MeetingEditor
from shienapp.gui.meetings.model import (
    ID_ROLE,
    ActionColumn,
    ActionTableModel,
    MeetingColumn,
    MeetingFilterProxy,
    MeetingTableModel,
    SortRoleProxy,
)
from shienapp.gui.signals import AppSignals
from shienapp.gui.widgets.combo import find_data
from shienapp.gui.widgets.search_box import SearchBox


class MeetingTabView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.add_button = QPushButton("会議を追加")
        self.edit_button = QPushButton("開く・議事録を記録")
        self.delete_button = QPushButton("削除")
        self.signin_button = QPushButton("出席者名簿を印刷…")
        self.minutes_button = QPushButton("議事録を印刷…")
        self.blank_button = QPushButton("記録用紙を印刷…")
        self.councils_button = QPushButton("協議体と委員…")
        permits.needs(Action.EDIT, self.add_button, self.delete_button)
        self.search = SearchBox()
        self.search.setPlaceholderText(
            "検索（協議体・地区・会場・会議名。ひらがな・カタカナどれでも）"
        )
        self.council_filter = QComboBox()
        self.district_filter = QComboBox()
        self.kind_filter = QComboBox()
        self.year_filter = QComboBox()
        self.count_label = QLabel()

        self.table = QTableView()
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # Column widths from the first rows, not from a thousand.
        self.table.horizontalHeader().setResizeContentsPrecision(50)

        self.actions_table = QTableView()
        self.actions_table.horizontalHeader().setResizeContentsPrecision(50)
        self.actions_table.setSortingEnabled(True)
        self.actions_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.actions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.actions_table.verticalHeader().setVisible(False)
        self.actions_label = QLabel()
        self.done_button = QPushButton("完了にする")
        self.open_meeting_button = QPushButton("決めた会議を開く")
        permits.needs(Action.EDIT, self.done_button)

        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addSpacing(16)
        for b in (self.signin_button, self.minutes_button, self.blank_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.councils_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for label, combo in (
            ("協議体", self.council_filter),
            ("地区", self.district_filter),
            ("種類", self.kind_filter),
            ("年度", self.year_filter),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(combo, 1)
        filters.addWidget(self.count_label)

        list_page = QWidget()
        lp = QVBoxLayout(list_page)
        lp.setContentsMargins(0, 0, 0, 0)
        lp.addLayout(filters)
        lp.addWidget(self.table, 1)
        actions_page = QWidget()
        ap = QVBoxLayout(actions_page)
        ap.setContentsMargins(0, 0, 0, 0)
        ap.addWidget(self.actions_label)
        ap.addWidget(self.actions_table, 1)
        row = QHBoxLayout()
        row.addWidget(self.done_button)
        row.addWidget(self.open_meeting_button)
        row.addStretch(1)
        ap.addLayout(row)
        self.pages = QTabWidget()
        self.pages.addTab(list_page, "会議一覧")
        self.pages.addTab(actions_page, "未完了の宿題")

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.pages, 1)


class MeetingTabController(QObject):
    def __init__(
        self,
        ctx: AppContext,
        signals: AppSignals,
        view: MeetingTabView,
        drafts: DraftStore,
        *,
        deferred: bool = False,
    ) -> None:
        super().__init__(view)
        self.ctx, self.signals, self.view, self.drafts = ctx, signals, view, drafts
        self.model = MeetingTableModel(view)
        self.proxy = MeetingFilterProxy(view)
        self.proxy.setSourceModel(self.model)
        self.model.set_source(ctx.meetings.meeting_page)
        view.table.setModel(self.proxy)
        view.table.sortByColumn(MeetingColumn.DATE, Qt.SortOrder.DescendingOrder)
        header = view.table.horizontalHeader()
        header.setSectionResizeMode(MeetingColumn.COUNCIL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MeetingColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        self.actions = ActionTableModel(view)
        self.actions_proxy = SortRoleProxy(view)
        self.actions_proxy.setSourceModel(self.actions)
        view.actions_table.setModel(self.actions_proxy)
        view.actions_table.sortByColumn(ActionColumn.DUE, Qt.SortOrder.AscendingOrder)
        view.actions_table.horizontalHeader().setSectionResizeMode(
            ActionColumn.TEXT, QHeaderView.ResizeMode.Stretch
        )

        view.add_button.clicked.connect(self.add_meeting)
        view.edit_button.clicked.connect(self.edit_meeting)
        view.table.doubleClicked.connect(self.edit_meeting)
        view.delete_button.clicked.connect(self.delete_meeting)
        view.signin_button.clicked.connect(lambda: self.print_sheet("signin"))
        view.minutes_button.clicked.connect(lambda: self.print_sheet("minutes"))
        view.blank_button.clicked.connect(lambda: self.print_sheet("blank"))
        view.search.searchChanged.connect(lambda text: self._filter(text=text))
        for combo, name in (
            (view.council_filter, "council_id"),
            (view.district_filter, "district_id"),
            (view.kind_filter, "kind"),
            (view.year_filter, "fiscal_year"),
        ):
            combo.currentIndexChanged.connect(
                lambda _i, c=combo, n=name: self._filter(**{n: c.currentData()})
            )
        view.councils_button.clicked.connect(self.manage_councils)
        view.done_button.clicked.connect(self.mark_done)
        view.open_meeting_button.clicked.connect(self.open_action_meeting)
        view.actions_table.doubleClicked.connect(self.open_action_meeting)
        view.table.selectionModel().selectionChanged.connect(self._update_buttons)
        view.pages.currentChanged.connect(lambda _i: self._load_actions())
        self._actions_stale = False
        self._actions_sized = False
        signals.changed.connect(self._on_changed)
        # deferred: the list is read when the tab is first shown (the window opens sooner).
        self.lazy = LoadWhenShown(view, self.reload) if deferred else None
        if not deferred:
            self.reload()

    # --- loading -----------------------------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        if self.lazy is not None and self.lazy.pending:
            return  # read when first shown
        if changes.meetings or changes.councils or changes.districts:
            self.reload()

    def reload(self) -> None:
        """The meeting list's first page now; the open 宿題 when their page is shown (their
        number, on the page's tab, from a count). No timer: see DirectoryTab.reload."""
        selected = self.selected_id()
        self.model.reload()  # the first page; the rest as the list scrolls
        self._fill_filters(self.ctx.meetings.meeting_fiscal_years())
        if selected is not None:
            self.select(selected)
        for column in (MeetingColumn.DATE, MeetingColumn.TIME, MeetingColumn.STATUS):
            self.view.table.resizeColumnToContents(column)
        self._update_count()
        self._update_buttons()
        self._actions_stale = True
        if self.view.pages.currentIndex() == 1:
            self._load_actions()
        else:
            open_count = self.ctx.meetings.open_action_count()
            self.view.pages.setTabText(1, f"未完了の宿題（{open_count}）")

    def _load_actions(self) -> None:
        if not self._actions_stale:
            return
        self._actions_stale = False
        self.actions.set_rows(self.ctx.meetings.open_actions(), date.today())
        overdue = self.actions.overdue_count()
        self.view.actions_label.setText(
            f"未完了の宿題 {self.actions.rowCount()} 件（うち期限切れ {overdue} 件）。"
            "期限の早い順。"
        )
        self.view.pages.setTabText(1, f"未完了の宿題（{self.actions.rowCount()}）")
        if not self._actions_sized and self.actions.rowCount() > 0:
            # Once, from the first rows (precision 50): not again at every reload.
            self._actions_sized = True
            for column in (ActionColumn.DUE, ActionColumn.COUNCIL, ActionColumn.SET_AT):
                self.view.actions_table.resizeColumnToContents(column)

    def _fill_filters(self, fiscal_years: list[int]) -> None:
        councils = self.ctx.meetings.council_choices()
        choices: list[tuple[QComboBox, list[tuple[str, object]]]] = [
            (self.view.council_filter, [(name, c_id) for name, c_id, _d, _di in councils]),
            (
                self.view.district_filter,
                list(dict.fromkeys((d, d_id) for _n, _c, d, d_id in councils if d_id)),
            ),
            (self.view.kind_filter, [(k, k) for k in KINDS]),
            (self.view.year_filter, [(fiscal_year_label(y), y) for y in fiscal_years]),
        ]
        for combo, items in choices:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("すべて", None)
            for label, value in items:
                combo.addItem(label, value)
            index = find_data(combo, current) if current is not None else 0
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def _filter(self, **values: object) -> None:
        self.proxy.set_filters(**values)
        self._update_count()

    def _update_count(self) -> None:
        self.view.count_label.setText(f"{self.model.total} / {self.model.everything} 件")

    def selected_id(self) -> uuid.UUID | None:
        index = self.view.table.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select(self, meeting_id: uuid.UUID) -> None:
        source_row = self.model.fetch_until(meeting_id)
        if source_row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if index.isValid():
            self.view.table.setCurrentIndex(index)
            self.view.table.scrollTo(index)

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        for b in (
            self.view.edit_button,
            self.view.delete_button,
            self.view.signin_button,
            self.view.minutes_button,
            self.view.blank_button,
        ):
            b.setEnabled(has)

    # --- editing -----------------------------------------------------------------------------

    def _members_of(self, council_id: uuid.UUID, on: date) -> list:  # type: ignore[type-arg]
        from shienapp.core.meetings import AttendanceRow

        return [
            AttendanceRow(m.person_id, m.name, m.reading, m.organisation, m.role, "", "", True)
            for m in self.ctx.councils.members(council_id, on)
        ]

    def _editor(self, detail: MeetingDetail | None, draft: Draft | None = None) -> MeetingEditor:
        state: dict[str, uuid.UUID | None] = {"id": detail.id if detail else None}
        version = {"v": detail.row.version if detail else None}

        def save(data: MeetingInput, minutes: MinutesInput) -> None:
            meeting_id, changes = self.ctx.meetings.save_meeting(
                state["id"], version["v"], data, minutes
            )
            state["id"] = meeting_id
            self.signals.emit_changes(changes)
            self.select(meeting_id)

        editor = MeetingEditor(
            self.ctx.councils.list_councils(),
            detail,
            self._members_of,
            save,
            self.drafts,
            self.view,
            council_id=self.view.council_filter.currentData(),
            draft_key=draft.key if draft else None,
        )
        if draft is not None:
            editor.restore(draft.payload)
        return editor

    def add_meeting(self) -> None:
        if not self.ctx.councils.list_councils():
            QMessageBox.information(
                self.view,
                "会議を追加",
                "協議体がありません。先に地区台帳で地区と協議体を登録してください。",
            )
            return
        self._editor(None).exec()

    def edit_meeting(self) -> None:
        meeting_id = self.selected_id()
        if meeting_id is None:
            return
        self._guard(lambda: self._editor(self.ctx.meetings.get_meeting(meeting_id)).exec())

    def delete_meeting(self) -> None:
        meeting_id = self.selected_id()
        if meeting_id is None:
            return
        row = self.model.row_at(self.model.row_of(meeting_id) or 0)
        answer = QMessageBox.question(
            self.view,
            "会議の削除",
            f"{row.label} を削除しますか？\n出欠・議題・決定事項・宿題も一緒に削除されます。",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._guard(
                lambda: self.signals.emit_changes(
                    self.ctx.meetings.delete_meeting(meeting_id, row.version)
                )
            )

    def offer_drafts(self) -> None:
        """At start-up: put back any minutes left unsaved by a crash or a killed app."""
        for draft in self.drafts.pending():
            answer = QMessageBox.question(
                self.view,
                "保存されていない下書き",
                f"保存されていない会議の入力が残っています。\n{draft.title}\n"
                f"（{draft.saved_at:%Y-%m-%d %H:%M} 自動保存）\n\n開いて続きを入力しますか？"
                "「いいえ」を選ぶと下書きは残したままにします。",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                continue
            meeting_id = draft.payload.get("meeting_id")
            detail = None
            if meeting_id:
                try:
                    detail = self.ctx.meetings.get_meeting(uuid.UUID(meeting_id))
                except UserError as exc:  # shown to the user; the draft stays
                    show_error(self.view, exc)
                    continue
            self._editor(detail, draft).exec()

    def manage_councils(self) -> None:
        from shienapp.gui.meetings.councils_dialog import CouncilsDialog

        CouncilsDialog(self.ctx, self.signals, self.view).exec()

    # --- 宿題 ----------------------------------------------------------------------------------

    def _selected_action(self):  # type: ignore[no-untyped-def]
        self._load_actions()
        index = self.view.actions_table.currentIndex()
        if not index.isValid():
            return None
        return self.actions.row_at(self.actions_proxy.mapToSource(index).row())

    def mark_done(self) -> None:
        action = self._selected_action()
        if action is None:
            return
        self._guard(
            lambda: self.signals.emit_changes(
                self.ctx.meetings.update_action(action.id, action.version, "完了", date.today())
            )
        )

    def open_action_meeting(self) -> None:
        action = self._selected_action()
        if action is None:
            return
        self.view.pages.setCurrentIndex(0)
        self._filter(text="")
        self.select(action.meeting_id)
        self.edit_meeting()

    # --- exporting -----------------------------------------------------------------------------

    def export_meetings(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        year = self.view.year_filter.currentData()
        suffix = self.view.year_filter.currentText() if year else "全期間"
        name, _ = QFileDialog.getSaveFileName(
            self.view, "会議一覧をExcelに書き出す", f"会議一覧_{suffix}.xlsx", "Excel (*.xlsx)"
        )
        if not name:
            return
        path = Path(name if name.lower().endswith(".xlsx") else name + ".xlsx")

        def work(_progress: Progress) -> int:
            from shienapp.core.meeting_export import export_meetings

            return export_meetings(self.ctx.meetings, path, year)

        run_in_background(
            self.view,
            "会議一覧を書き出しています…",
            work,
            lambda count: QMessageBox.information(
                self.view, "書き出しました", f"会議 {count} 件を {path} に書き出しました。"
            ),
            lambda exc: show_error(self.view, exc),
            cancellable=False,
        )

    def export_calendar(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getSaveFileName(
            self.view, "会議予定を書き出す", "会議予定.ics", "iCalendar (*.ics)"
        )
        if not name:
            return
        path = Path(name if name.lower().endswith(".ics") else name + ".ics")
        try:
            from shienapp.core.meeting_export import export_calendar

            count = export_calendar(self.ctx.meetings, path)
        except UserError as exc:
            show_error(self.view, exc)
            return
        QMessageBox.information(
            self.view,
            "書き出しました",
            f"予定の会議 {count} 件を {path} に書き出しました。\n"
            "カレンダーのアプリ（Outlook、Google カレンダーなど）で読み込めます。",
        )

    # --- printing ------------------------------------------------------------------------------

    def print_sheet(self, which: str) -> None:
        meeting_id = self.selected_id()
        if meeting_id is None:
            return
        titles = {"signin": "出席者名簿", "minutes": "議事録", "blank": "記録用紙"}

        def work(_progress: Progress) -> tuple[bytes, str]:
            detail = self.ctx.meetings.get_meeting(meeting_id)
            if which == "signin":
                from shienapp.reports.signin_sheet import render_signin_sheet

                self.ctx.meetings.record_print(meeting_id, detail.row.label, "出席者名簿")
                return render_signin_sheet(detail), detail.row.label
            from shienapp.reports.minutes import render_minutes

            return render_minutes(detail, blank=which == "blank"), detail.row.label

        def done(result: tuple[bytes, str]) -> None:
            from shienapp.gui.pdf_preview import PdfPreviewDialog

            pdf, label = result
            name = f"{titles[which]}_{label.replace(' ', '_')}.pdf"
            PdfPreviewDialog(pdf, f"{titles[which]} {label}", name, self.view).exec()

        run_in_background(
            self.view,
            f"{titles[which]}を作成しています…",
            work,
            done,
            lambda exc: show_error(self.view, exc),
            cancellable=False,
        )

    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except UserError as exc:
            show_error(self.view, exc)
            self.reload()


def create_meeting_tab(
    ctx: AppContext, signals: AppSignals, parent: QWidget | None = None, *, deferred: bool = False
) -> MeetingTabView:
    view = MeetingTabView(parent)
    view.controller = MeetingTabController(  # type: ignore[attr-defined]
        ctx, signals, view, DraftStore(), deferred=deferred
    )
    return view
