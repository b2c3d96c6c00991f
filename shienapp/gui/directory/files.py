"""The directory tab's paper and files: print previews, Excel/CSV import and export, templates.

Kept apart from the tab so the tab stays about lists and forms. Every job runs through the one
background helper; an import is all or nothing, so a refused file shows its rows and columns
and the lists do not change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QPushButton, QWidget

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.permissions import Action
from shienapp.gui import permits
from shienapp.gui.background import Progress, run_in_background
from shienapp.gui.errors import show_error

if TYPE_CHECKING:
    from shienapp.gui.signals import AppSignals

KIND_LABELS = {"resources": "活動・社会資源", "people": "人・担い手", "organizations": "組織・団体"}


class DirectoryFiles:
    """Menus of the 担い手・社会資源 tab for printing and for spreadsheets."""

    def __init__(
        self,
        ctx: AppContext,
        signals: AppSignals,
        parent: QWidget,
        district: Callable[[], str | None],
        venue: Callable[[], str | None],
    ) -> None:
        self.ctx, self.signals, self.parent = ctx, signals, parent
        self._district, self._venue = district, venue
        self.print_button = QPushButton("印刷")
        self.print_button.setToolTip("今の地区の絞り込みで印刷します（「すべて」なら市内全域）")
        self.print_menu = QMenu(self.print_button)
        for text, action in (
            ("活動・社会資源の一覧（住民配布用）…", lambda: self.print_booklet(staff=False)),
            ("活動・社会資源の一覧（職員用・取扱注意）…", lambda: self.print_booklet(staff=True)),
            ("週間活動表（地区）…", lambda: self.print_timetable(by_venue=False)),
            ("週間活動表（選んだ活動の会場）…", lambda: self.print_timetable(by_venue=True)),
            ("担い手名簿（職員用・取扱注意）…", self.print_roster),
        ):
            self.print_menu.addAction(text, action)
        self.print_button.setMenu(self.print_menu)

        self.files_button = QPushButton("Excel・CSV")
        self.files_menu = QMenu(self.files_button)
        for kind, label in KIND_LABELS.items():
            bring_in = self.files_menu.addAction(
                f"{label}を取り込む…", lambda k=kind: self.import_file(k)
            )
            permits.needs(Action.EDIT, bring_in)
        self.files_menu.addSeparator()
        for kind, label in KIND_LABELS.items():
            self.files_menu.addAction(f"{label}を書き出す…", lambda k=kind: self.export_file(k))
        self.files_menu.addAction(
            "担い手だけを書き出す…", lambda: self.export_file("people", volunteers_only=True)
        )
        self.files_menu.addAction(
            "活動と日時を Open Referral（HSDS）形式で書き出す…", lambda: self.export_hsds()
        )
        self.files_menu.addSeparator()
        for kind, label in KIND_LABELS.items():
            self.files_menu.addAction(
                f"{label}の取込テンプレートを保存…", lambda k=kind: self.save_template(k)
            )
        self.files_button.setMenu(self.files_menu)

    # --- printing ------------------------------------------------------------------------------

    def _preview(self, title: str, file_name: str, work: Callable[[], bytes]) -> None:
        def done(pdf: bytes) -> None:
            from shienapp.gui.pdf_preview import PdfPreviewDialog

            PdfPreviewDialog(pdf, title, file_name, self.parent).exec()

        run_in_background(
            self.parent,
            f"{title}を作成しています…",
            lambda _p: work(),
            done,
            lambda exc: show_error(self.parent, exc),
            cancellable=False,
        )

    def print_booklet(self, *, staff: bool) -> None:
        from shienapp.core.directory_print import booklet

        district = self._district()
        scope = district or "市内全域"
        title = "活動・社会資源の一覧" + ("（職員用・取扱注意）" if staff else "")

        def work() -> bytes:
            from shienapp.reports.directory import render_booklet

            return render_booklet(booklet(self.ctx.directory, district=district, staff=staff))

        self._preview(f"{title} {scope}", f"{title}_{scope}.pdf", work)

    def print_timetable(self, *, by_venue: bool) -> None:
        from shienapp.core.directory_print import weekly_timetable

        district = None if by_venue else self._district()
        venue = self._venue() if by_venue else None
        if by_venue and not venue:
            QMessageBox.information(
                self.parent, "週間活動表", "会場のある活動を一覧から選んでから印刷してください。"
            )
            return
        scope = venue or district or "市内全域"

        def work() -> bytes:
            from shienapp.reports.directory import render_timetable

            data = weekly_timetable(self.ctx.directory, district=district, venue=venue)
            return render_timetable(data)

        self._preview(f"週間活動表 {scope}", f"週間活動表_{scope}.pdf", work)

    def print_roster(self) -> None:
        from shienapp.core.directory_print import roster

        district = self._district()
        scope = district or "市内全域"

        def work() -> bytes:
            from shienapp.reports.directory import render_roster

            return render_roster(roster(self.ctx.directory, district=district))

        self._preview(f"担い手名簿（取扱注意） {scope}", f"担い手名簿_取扱注意_{scope}.pdf", work)

    # --- spreadsheets --------------------------------------------------------------------------

    def import_file(self, kind: str, path: Path | None = None) -> None:
        label = KIND_LABELS[kind]
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self.parent, f"{label}を取り込む", "", "Excel・CSV (*.xlsx *.xlsm *.csv)"
            )
            if not name:
                return
            path = Path(name)

        def work(progress: Progress) -> Any:
            from shienapp.core.directory_io import import_records

            report = import_records(self.ctx.db, kind, path, progress=progress.report)
            self.ctx.after_import()
            return report

        def done(report: Any) -> None:
            self.signals.emit_changes(Changes(people=True))
            QMessageBox.information(self.parent, "取り込みました", report.summary())

        run_in_background(
            self.parent,
            f"{path.name} を確認しています…",
            work,
            done,
            lambda exc: show_error(self.parent, exc, "取り込めませんでした"),
            cancellable=False,
        )

    def export_file(
        self, kind: str, path: Path | None = None, *, volunteers_only: bool = False
    ) -> None:
        label = "担い手" if volunteers_only else KIND_LABELS[kind]
        care = kind == "people"
        if path is None:
            suggested = f"{label}{'_取扱注意' if care else ''}.xlsx"
            name, _ = QFileDialog.getSaveFileName(
                self.parent, f"{label}を書き出す", suggested, "Excel (*.xlsx)"
            )
            if not name:
                return
            path = Path(name if name.lower().endswith(".xlsx") else name + ".xlsx")
        target = path

        def work(_progress: Progress) -> int:
            from shienapp.core.directory_io import export_records

            return export_records(self.ctx.db, kind, target, volunteers_only=volunteers_only)

        def done(count: int) -> None:
            text = f"{label} {count} 件を {target} に書き出しました。"
            if care:
                text += (
                    "\n\nこのファイルは個人情報を含みます（取扱注意）。"
                    "USB メモリなどに残さず、用が済んだら削除してください。"
                )
            QMessageBox.information(self.parent, "書き出しました", text)

        run_in_background(
            self.parent,
            f"{label}を書き出しています…",
            work,
            done,
            lambda exc: show_error(self.parent, exc),
            cancellable=False,
        )

    def export_hsds(self, path: Path | None = None) -> None:
        from shienapp.core.directory_io import export_hsds
        from shienapp.core.errors import UserError

        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self.parent,
                "Open Referral（HSDS）形式で書き出す",
                "活動_hsds.json",
                "JSON (*.json)",
            )
            if not name:
                return
            path = Path(name if name.lower().endswith(".json") else name + ".json")
        try:
            count = export_hsds(self.ctx.db, path)
        except (UserError, OSError) as exc:
            show_error(self.parent, exc)
            return
        QMessageBox.information(
            self.parent,
            "書き出しました",
            f"活動 {count} 件を {path} に書き出しました（個人の名前・連絡先は含みません）。",
        )

    def save_template(self, kind: str, path: Path | None = None) -> None:
        from shienapp.core.directory_io import write_template
        from shienapp.core.errors import UserError

        label = KIND_LABELS[kind]
        if path is None:
            name, chosen = QFileDialog.getSaveFileName(
                self.parent,
                f"{label}の取込テンプレートを保存",
                f"{label}_取込テンプレート.xlsx",
                "Excel (*.xlsx);;CSV (*.csv)",
            )
            if not name:
                return
            suffix = ".csv" if "csv" in chosen.lower() else ".xlsx"
            path = Path(name if name.lower().endswith((".xlsx", ".csv")) else name + suffix)
        try:
            write_template(kind, path)
        except (UserError, OSError) as exc:
            show_error(self.parent, exc)
            return
        QMessageBox.information(
            self.parent,
            "保存しました",
            f"{label}の取込テンプレートを {path} に保存しました。"
            "2行目の記入例を消してから記入してください。",
        )
