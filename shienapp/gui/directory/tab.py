"""The 担い手・社会資源 tab: resources (list and weekly timetable), people, organisations, and
needs with their ranked candidates."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QEvent, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.directory import TARGET_GROUPS, VOCABULARIES
from shienapp.core.errors import UserError
from shienapp.core.paging import ListQuery
from shienapp.core.permissions import Action
from shienapp.core.schedule import WEEKDAY_JA
from shienapp.core.timetable import PARTS, timetable
from shienapp.gui import permits
from shienapp.gui.directory.dialogs import (
    NeedDialog,
    OrganisationDialog,
    OutcomeDialog,
    PersonDialog,
    ResourceDialog,
)
from shienapp.gui.directory.files import DirectoryFiles
from shienapp.gui.directory.lists_dialog import ListsDialog
from shienapp.gui.directory.model import (
    CandidateTableModel,
    MatchTableModel,
    NeedTableModel,
    OrganisationTableModel,
    PersonTableModel,
    ResourceTableModel,
    SearchProxy,
)
from shienapp.gui.errors import show_error
from shienapp.gui.lazy import LoadWhenShown
from shienapp.gui.signals import AppSignals
from shienapp.gui.table_model import Index, PagedTableModel, RowTableModel
from shienapp.gui.widgets.combo import select_data
from shienapp.gui.widgets.search_box import SearchBox


class TimetableModel(QAbstractTableModel):
    """月～日 across, 午前 / 午後 / 夜 down; each cell lists the activities in it."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cells: dict[tuple[int, str], list[str]] = {}
        # Set when the list's query changed: the cells are read again when asked for (or by
        # ``refresh`` once the list's first page is on screen), not with the list.
        self._loader: Callable[[], dict[tuple[int, str], list[str]]] | None = None

    @property
    def stale(self) -> bool:
        return self._loader is not None

    def invalidate(self, loader: Callable[[], dict[tuple[int, str], list[str]]]) -> None:
        self._loader = loader

    @property
    def cells(self) -> dict[tuple[int, str], list[str]]:
        if self._loader is not None:
            self.refresh()
        return self._cells

    def refresh(self) -> None:
        """Read the cells again if the query changed since they were read."""
        if self._loader is not None:
            loader, self._loader = self._loader, None
            self.set_cells(loader())

    def set_cells(self, cells: dict[tuple[int, str], list[str]]) -> None:
        self._loader = None
        self.beginResetModel()
        self._cells = cells
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PARTS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(WEEKDAY_JA)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return WEEKDAY_JA[section] if orientation == Qt.Orientation.Horizontal else PARTS[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        items = self._cells.get((index.column(), PARTS[index.row()]), [])  # as last read
        if role == Qt.ItemDataRole.DisplayRole:
            return _lines(items, CELL_LINES, COUNTED_FROM)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _lines(items, TOOLTIP_LINES, TOOLTIP_LINES + 1)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return None


# A city-wide list puts hundreds of activities in a cell: the screen shows the first ones and
# how many more (the printed 週間活動表 lists them all).
CELL_LINES = 8
COUNTED_FROM = 4  # a cell shows about four lines: from four activities on, it says how many
TOOLTIP_LINES = 40


def _lines(items: list[str], most: int, count_from: int) -> str:
    """The cell's activities; from ``count_from`` on, how many first (a cell cut off at the
    bottom still says it), and past ``most`` only the first ones."""
    if len(items) < count_from:
        return "\n".join(items)
    if len(items) <= most:
        return "\n".join([f"{len(items)} 件", *items])
    return "\n".join([f"{len(items)} 件（先頭 {most - 1} 件を表示）", *items[: most - 1]])


class _TimetableView(QTableView):
    """Reads the timetable's cells one event-loop turn after it is shown or they go out of
    date, so the list above is painted first. A posted event, not a timer: Qt discards it if
    the view is destroyed first (a deferred call outliving a closed window crashed PySide6)."""

    _READ = QEvent.Type(QEvent.registerEventType())

    def __init__(self, model: TimetableModel) -> None:
        super().__init__()
        self.timetable = model
        self.setModel(model)
        self._queued = False

    def queue(self) -> None:
        if self.timetable.stale and not self._queued:
            self._queued = True
            QCoreApplication.postEvent(self, QEvent(self._READ))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.queue()

    def event(self, event: QEvent) -> bool:
        if event.type() == self._READ:
            self._queued = False
            if self.isVisible():  # else read when next shown
                self.timetable.refresh()
            return True
        return super().event(event)


def _table(model: Any, stretch: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    # Column widths from the first rows, not from a thousand.
    view.horizontalHeader().setResizeContentsPrecision(50)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return view


class _ListPage(QWidget):
    """A searchable list with its buttons: the shape of every page of this tab."""

    def __init__(self, model: RowTableModel, stretch: int, buttons: list[str]) -> None:  # type: ignore[type-arg]
        super().__init__()
        self.model = model
        self.proxy = SearchProxy(self)
        self.proxy.setSourceModel(model)
        self.table = _table(self.proxy, stretch)
        self.search = SearchBox()
        self.count = QLabel()
        # The page's first rows, read by ``load``: the page on screen at once, the others when
        # first shown (or asked for a record).
        self.loader: Callable[[], object] = self._load_model
        self.stale = False
        self._sized = False
        self.buttons = {text: QPushButton(text) for text in buttons}
        self.filters = QHBoxLayout()
        self.filters.addWidget(self.search, 3)
        top = QHBoxLayout()
        for button in self.buttons.values():
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.count)
        self.body = QVBoxLayout(self)
        self.body.addLayout(top)
        self.body.addLayout(self.filters)
        self.body.addWidget(self.table, 1)
        self.search.searchChanged.connect(self._searched)
        self.proxy.rowsInserted.connect(self.update_count)
        self.proxy.rowsRemoved.connect(self.update_count)
        self.proxy.modelReset.connect(self.update_count)
        self.proxy.layoutChanged.connect(self.update_count)

    def _load_model(self) -> None:
        if isinstance(self.model, PagedTableModel):
            self.model.reload()

    def load(self) -> None:
        self.stale = False
        self.loader()
        self.update_count()
        if not self._sized and self.model.rowCount() > 0:
            # Once, from the first rows (precision 50): not again at every reload.
            self._sized = True
            self.table.resizeColumnsToContents()

    def ensure_loaded(self) -> None:
        if self.stale:
            self.load()

    def _searched(self, text: str) -> None:
        self.proxy.set_text(text)
        self.update_count()

    def add_filter(self, label: str, combo: QComboBox, name: str) -> None:
        self.filters.addWidget(QLabel(label))
        self.filters.addWidget(combo, 1)
        combo.currentIndexChanged.connect(
            lambda _i: (self.proxy.set_filter(name, combo.currentData()), self.update_count())
        )

    def update_count(self, *_args: object) -> None:
        if isinstance(self.model, PagedTableModel) and self.model.paged:
            self.count.setText(f"{self.model.total} / {self.model.everything} 件")
            return
        self.count.setText(f"{self.proxy.rowCount()} / {self.model.rowCount()} 件")

    def selected(self) -> Any:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def select_id(self, record_id: uuid.UUID) -> None:
        self.ensure_loaded()
        if isinstance(self.model, PagedTableModel):
            row = self.model.fetch_until(record_id)  # read pages until it is loaded
        else:
            row = self.model.row_of(record_id)
        if row is not None:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)


def _combo(items: list[tuple[str, Any]]) -> QComboBox:
    combo = QComboBox()
    combo.addItem("すべて", None)
    for label, value in items:
        combo.addItem(label, value)
    return combo


def _refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
    """Replace a filter's choices, keeping what was chosen (if still there) and quiet."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("すべて", None)
    for label, value in items:
        combo.addItem(label, value)
    select_data(combo, current)
    combo.blockSignals(False)


class DirectoryTab(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        signals: AppSignals,
        parent: QWidget | None = None,
        *,
        deferred: bool = False,
    ):
        super().__init__(parent)
        self.ctx, self.signals = ctx, signals
        self.pages = QTabWidget()

        # resources
        self.resources = _ListPage(ResourceTableModel(self), 5, ["追加", "編集", "削除"])
        self.district_filter = QComboBox()
        self.category_filter = QComboBox()
        self.target_filter = _combo([(g, g) for g in TARGET_GROUPS])
        self.weekday_filter = _combo([(f"{d}曜", i) for i, d in enumerate(WEEKDAY_JA)])
        self.resources.add_filter("地区", self.district_filter, "district")
        self.resources.add_filter("分類", self.category_filter, "category")
        self.resources.add_filter("対象", self.target_filter, "target")
        self.resources.add_filter("曜日", self.weekday_filter, "weekday")
        self.timetable = TimetableModel(self)
        self.timetable_view = _TimetableView(self.timetable)
        self.timetable_view.setWordWrap(True)
        self.timetable_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.timetable_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.timetable_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timetable_label = QLabel("週間予定（絞り込んだ活動を曜日と時間帯に並べます）")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.resources.table)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.timetable_label)
        bl.addWidget(self.timetable_view, 1)
        split.addWidget(bottom)
        split.setSizes([380, 260])
        self.resources.body.addWidget(split, 1)
        # The timetable covers every activity the filters let through, loaded or not: it is
        # read again when the query changes, not as further pages come in.
        self.resources.proxy.modelReset.connect(self._refresh_timetable)
        self.resources.proxy.layoutChanged.connect(self._refresh_timetable)

        # people, organisations
        self.people = _ListPage(PersonTableModel(self), 4, ["追加", "編集", "削除"])
        self.people_district = QComboBox()
        self.volunteers_only = _combo([("担い手だけ", True)])
        self.people.add_filter("地区", self.people_district, "district")
        self.people.add_filter("種類", self.volunteers_only, "volunteers")
        self.consent_note = QLabel(
            "赤字は、連絡先があるのに個人情報の利用の同意が記録されていない人です。"
        )
        self.consent_note.setStyleSheet("color: #b00020;")
        self.people.body.addWidget(self.consent_note)
        self.organisations = _ListPage(OrganisationTableModel(self), 0, ["追加", "編集", "削除"])
        # People, resources and organisations are read a page at a time (50,000 people in a
        # large city).
        self.people.model.set_source(ctx.directory.person_page)
        self.resources.model.set_source(ctx.directory.resource_page)
        self.organisations.model.set_source(ctx.directory.organisation_page)

        # needs and matching
        self.needs = _ListPage(NeedTableModel(self), 4, ["受け付ける", "編集"])
        self.need_status = _combo(
            [(s, s) for s in ("受付", "調整中", "マッチ済", "終了", "対応不可")]
        )
        self.needs.add_filter("状態", self.need_status, "status")
        self.needs.loader = self._load_needs
        self.candidates = CandidateTableModel(self)
        self.candidates_view = _table(self.candidates, 3)
        self.candidates_view.setSortingEnabled(False)
        self.candidates_label = QLabel("ニーズを選ぶと、合う活動・担い手を点数の高い順に示します。")
        self.candidates_label.setWordWrap(True)
        self.match_button = QPushButton("この候補でマッチを記録")
        self.unmet_label = QLabel()
        self.unmet_label.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.needs.table)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.candidates_label)
        ll.addWidget(self.candidates_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.match_button)
        row.addStretch(1)
        ll.addLayout(row)
        self.matches = MatchTableModel(self)
        self.matches_view = _table(self.matches, 5)
        self.matches_view.setSortingEnabled(False)
        self.matches_view.setMaximumHeight(130)
        self.outcome_button = QPushButton("結果を記録…")
        self.outcome_button.setToolTip("選んだマッチが成立したか、終わったかを記録します")
        heading = QHBoxLayout()
        heading.addWidget(QLabel("このニーズのマッチと結果"))
        heading.addStretch(1)
        heading.addWidget(self.outcome_button)
        ll.addLayout(heading)
        ll.addWidget(self.matches_view)
        ll.addWidget(self.unmet_label)
        split.addWidget(lower)
        self.needs.body.addWidget(split, 1)

        self.lists_button = QPushButton("一覧の編集…")
        self.lists_button.setToolTip("活動の分類、担い手のできること、団体の種別、研修の名称")
        permits.needs(Action.EDIT, self.match_button, self.outcome_button, self.lists_button)
        for page in self._list_pages():
            permits.needs(Action.EDIT, *page.buttons.values())
        self.files = DirectoryFiles(ctx, signals, self, self._chosen_district, self._chosen_venue)
        corner = QWidget()
        corner_row = QHBoxLayout(corner)
        corner_row.setContentsMargins(0, 0, 0, 0)
        for button in (self.files.print_button, self.files.files_button, self.lists_button):
            corner_row.addWidget(button)
        self.pages.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.pages.addTab(self.resources, "活動・社会資源")
        self.pages.addTab(self.people, "人・担い手")
        self.pages.addTab(self.organisations, "組織・団体")
        self.pages.addTab(self.needs, "ニーズとマッチング")
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self._connect()
        self.pages.currentChanged.connect(self._page_shown)
        signals.changed.connect(self._on_changed)
        # deferred: the lists are read when the tab is first shown (the window opens sooner).
        self.lazy = LoadWhenShown(self, self.reload) if deferred else None
        if not deferred:
            self.reload()

    def _connect(self) -> None:
        r, p, o, n = (
            self.resources.buttons,
            self.people.buttons,
            self.organisations.buttons,
            self.needs.buttons,
        )
        r["追加"].clicked.connect(lambda: self.edit_resource(None))
        r["編集"].clicked.connect(lambda: self.edit_resource(self.resources.selected()))
        r["削除"].clicked.connect(self.delete_resource)
        self.resources.table.doubleClicked.connect(
            lambda _i: self.edit_resource(self.resources.selected())
        )
        p["追加"].clicked.connect(lambda: self.edit_person(None))
        p["編集"].clicked.connect(lambda: self.edit_person(self.people.selected()))
        p["削除"].clicked.connect(self.delete_person)
        self.people.table.doubleClicked.connect(lambda _i: self.edit_person(self.people.selected()))
        o["追加"].clicked.connect(lambda: self.edit_organisation(None))
        o["編集"].clicked.connect(lambda: self.edit_organisation(self.organisations.selected()))
        o["削除"].clicked.connect(self.delete_organisation)
        n["受け付ける"].clicked.connect(lambda: self.edit_need(None))
        n["編集"].clicked.connect(lambda: self.edit_need(self.needs.selected()))
        self.needs.table.selectionModel().currentRowChanged.connect(
            lambda *_a: self.show_candidates()
        )
        self.match_button.clicked.connect(self.record_match)
        self.outcome_button.clicked.connect(self.record_outcome)
        self.matches_view.doubleClicked.connect(lambda _i: self.record_outcome())
        self.lists_button.clicked.connect(self.edit_lists)

    # --- loading -----------------------------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        if self.lazy is not None and self.lazy.pending:
            return  # read when first shown
        if changes.people or changes.districts:
            self.reload()

    def _list_pages(self) -> tuple[_ListPage, ...]:
        return (self.resources, self.people, self.organisations, self.needs)

    def reload(self) -> None:
        """The page on screen only (its first page of rows); the other pages when they are shown
        or asked for a record. No timer: a deferred read outliving a closed window crashed the
        GUI tests (PySide6 6.12), and a page not shown needs no rows."""
        d = self.ctx.directory
        districts = self._districts()
        _refill(self.district_filter, districts)
        _refill(self.people_district, districts)
        _refill(self.category_filter, [(c, c) for c in d.resource_categories()])
        for page in self._list_pages():
            page.stale = True
        current = self.pages.currentWidget()
        if isinstance(current, _ListPage):
            current.load()  # the first page; the rest as the list scrolls

    def _page_shown(self, _index: int) -> None:
        current = self.pages.currentWidget()
        if isinstance(current, _ListPage):
            current.ensure_loaded()

    def _load_needs(self) -> None:
        self.needs.model.set_rows(self.ctx.matching.list_needs())
        unmet = self.ctx.matching.unmet_counts()[:6]
        self.unmet_label.setText(
            "未対応のニーズ（地区・分類別）："
            + ("　".join(f"{u.district_name}・{u.category} {u.count}件" for u in unmet) or "なし")
        )
        self.show_candidates()

    def _refresh_timetable(self, *_args: object) -> None:
        """Every activity the list's search and filters let through, not only the pages read:
        read once the list is painted while the timetable is shown, else when it is next shown
        or its cells are asked for."""
        query = self.resources.model.query
        self.timetable.invalidate(lambda: timetable(self.ctx.directory.timetable_entries(query)))
        self.timetable_view.queue()

    def _chosen_district(self) -> str | None:
        """The district the page on screen is filtered to: what the printouts cover."""
        on_people = self.pages.currentWidget() is self.people
        combo = self.people_district if on_people else self.district_filter
        return combo.currentText() if combo.currentData() is not None else None

    def _chosen_venue(self) -> str | None:
        row = self.resources.selected()
        return row.venue if row is not None and row.venue else None

    def _vocab(self) -> dict[str, list[str]]:
        return {kind: self.ctx.directory.terms(kind) for kind in VOCABULARIES}

    def _districts(self) -> list[tuple[str, uuid.UUID]]:
        """The filters' and forms' districts, 五十音順: names and ids only (list_districts
        also reads every council and statistic, 0.13 s for 300 districts)."""
        return [(name, district_id) for district_id, name in self.ctx.sync.district_choices()]

    # --- editing -----------------------------------------------------------------------------

    def _emit(self, changes: Changes) -> None:
        self.signals.emit_changes(changes)

    def _edit(
        self,
        row: Any,
        page: _ListPage,
        create: Callable[[Any], tuple[uuid.UUID, Changes]],
        update: Callable[[uuid.UUID, int, Any], Changes],
        open_form: Callable[[Callable[[Any], None]], None],
    ) -> None:
        """Open a form for ``row`` (None: a new record); saving creates or updates it."""

        def save(data: Any) -> None:
            if row is None:
                new_id, changes = create(data)
            else:
                new_id, changes = row.id, update(row.id, row.version, data)
            self._emit(changes)
            page.select_id(new_id)

        open_form(save)

    def edit_resource(self, row: Any) -> None:
        d = self.ctx.directory
        self._edit(
            row,
            self.resources,
            d.create_resource,
            d.update_resource,
            lambda save: ResourceDialog(
                self._districts(),
                d.list_organisations(),
                d.person_choices(),  # everyone, not only the pages of the list read so far
                self._vocab(),
                row,
                save,
                self,
            ).exec(),
        )

    def edit_person(self, row: Any) -> None:
        d = self.ctx.directory
        self._edit(
            row,
            self.people,
            d.create_person,
            d.update_person,
            lambda save: PersonDialog(self._districts(), self._vocab(), row, save, self).exec(),
        )

    def edit_organisation(self, row: Any) -> None:
        d = self.ctx.directory
        self._edit(
            row,
            self.organisations,
            d.create_organisation,
            d.update_organisation,
            lambda save: OrganisationDialog(
                self._districts(), self._vocab(), row, save, self
            ).exec(),
        )

    def edit_need(self, row: Any) -> None:
        m = self.ctx.matching
        self._edit(
            row,
            self.needs,
            m.create_need,
            m.update_need,
            lambda save: NeedDialog(
                self._districts(),
                self.ctx.directory.person_choices(),
                self._vocab(),
                row,
                save,
                self,
            ).exec(),
        )

    def _confirm_delete(self, what: str, action: Callable[[], Changes]) -> None:
        answer = QMessageBox.question(self, "削除", f"{what}を削除しますか？")
        if answer == QMessageBox.StandardButton.Yes:
            try:
                self._emit(action())
            except UserError as exc:
                show_error(self, exc)

    def delete_resource(self) -> None:
        row = self.resources.selected()
        if row is not None:
            self._confirm_delete(
                f"「{row.name}」", lambda: self.ctx.directory.delete_resource(row.id, row.version)
            )

    def delete_organisation(self) -> None:
        row = self.organisations.selected()
        if row is not None:
            self._confirm_delete(
                f"「{row.name}」",
                lambda: self.ctx.directory.delete_organisation(row.id, row.version),
            )

    def delete_person(self) -> None:
        row = self.people.selected()
        if row is not None:
            self._confirm_delete(
                f"{row.name}さんの記録",
                lambda: self.ctx.directory.delete_person(row.id, row.version),
            )

    # --- matching ------------------------------------------------------------------------------

    def show_candidates(self) -> None:
        need = self.needs.selected()
        self.matches.set_rows(self.ctx.matching.list_matches(need.id) if need else [])
        self.matches_view.resizeColumnsToContents()
        if need is None:
            self.candidates.set_rows([])
            self.candidates_label.setText(
                "ニーズを選ぶと、合う活動・担い手を点数の高い順に示します。"
            )
            return
        d = self.ctx.directory
        # Its own queries, not the pages of the lists: only what can be a candidate.
        resources = (
            d.resource_page(
                ListQuery(filters={"category": need.category, "status": "活動中"}), 0, None
            ).rows
            if need.category
            else []
        )
        volunteers = d.volunteers_for(need.skill)
        found = self.ctx.matching.candidates(need.id, resources, volunteers)
        self.candidates.set_rows(found)
        self.candidates_label.setText(
            f"「{need.summary[:30]}」の候補 {len(found)} 件（地区 +3、分類・できること +3、"
            "日時 +2、同じ時間の別マッチ −4）"
            if found
            else f"「{need.summary[:30]}」に合う活動・担い手は見つかりませんでした。"
        )
        self.candidates_view.resizeColumnsToContents()

    def record_match(self) -> None:
        need = self.needs.selected()
        index = self.candidates_view.currentIndex()
        if need is None or not index.isValid():
            QMessageBox.information(self, "マッチを記録", "ニーズと候補を選んでください。")
            return
        candidate = self.candidates.row_at(index.row())
        if candidate.double_booked:
            answer = QMessageBox.question(
                self,
                "重複の確認",
                f"{candidate.name}さんは同じ時間帯に別のマッチがあります。それでも記録しますか？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            _, changes = self.ctx.matching.record_match(
                need.id,
                resource_id=candidate.id if candidate.kind == "resource" else None,
                person_id=candidate.id if candidate.kind == "person" else None,
            )
        except UserError as exc:
            show_error(self, exc)
            return
        self._emit(changes)
        self.needs.select_id(need.id)

    def record_outcome(self) -> None:
        index = self.matches_view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, "結果を記録", "結果を記録するマッチを選んでください。")
            return
        match = self.matches.row_at(index.row())
        need = self.needs.selected()

        def save(status: str, outcome: str) -> None:
            self._emit(self.ctx.matching.update_match(match.id, match.version, status, outcome))

        if OutcomeDialog(match, save, self).exec() and need is not None:
            self.needs.select_id(need.id)

    def edit_lists(self) -> None:
        d = self.ctx.directory
        dialog = ListsDialog(d.terms, d.set_terms, self)
        dialog.exec()
        if dialog.saved:
            self._emit(dialog.saved)


def create_directory_tab(
    ctx: AppContext, signals: AppSignals, parent: QWidget | None = None, *, deferred: bool = False
) -> DirectoryTab:
    return DirectoryTab(ctx, signals, parent, deferred=deferred)
