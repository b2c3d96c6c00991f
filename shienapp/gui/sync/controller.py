"""The 持ち出し・持ち帰り menu: write an exchange file, merge one back, resolve conflicts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.errors import UserError
from shienapp.core.exchange_file import SUFFIX
from shienapp.core.permissions import Action
from shienapp.core.sync import EVERYTHING, ExportReport, ImportReport, SyncService
from shienapp.gui import permits
from shienapp.gui.background import Progress, run_in_background
from shienapp.gui.errors import show_error
from shienapp.gui.signals import AppSignals
from shienapp.gui.sync.dialogs import ExportDialog, PassphraseDialog
from shienapp.gui.sync.resolver import ConflictResolver


class SyncController(QObject):
    """Owns the menu's actions; every long step runs on the background helper."""

    def __init__(
        self,
        ctx: AppContext,
        signals: AppSignals,
        window: QWidget,
        open_database: Callable[[Path], None],
    ) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._signals = signals
        self._window = window
        self._open_database = open_database
        self.conflict_label = QLabel("", window)
        self.conflict_label.setStyleSheet("color: #b00020; font-weight: bold;")
        signals.changed.connect(self._on_changes)
        self.refresh_indicator()

    @property
    def service(self) -> SyncService:
        return self._ctx.sync

    def build_menu(self, menu: QMenu) -> None:
        for text, slot in (
            ("交換ファイルを書き出す（持ち出し）(&E)…", self.export_file),
            ("交換ファイルを取り込む（持ち帰り）(&I)…", self.import_file),
            ("交換ファイルを新しいデータベースとして開く(&N)…", self.open_as_new_database),
            (None, None),
            ("競合の解決(&C)…", self.show_conflicts),
            ("書き出し・取り込みの履歴(&H)…", self.show_history),
            ("この端末の名前(&D)…", self.rename_device),
        ):
            if text is None:
                menu.addSeparator()
                continue
            action = QAction(text, menu)
            action.triggered.connect(slot)
            if slot != self.show_history:  # the history is for everyone to read
                permits.needs(Action.EXCHANGE, action)
            menu.addAction(action)

    # --- indicator -------------------------------------------------------------------------

    def refresh_indicator(self) -> None:
        count = self.service.open_conflict_count()
        self.conflict_label.setText(
            f"競合 {count} 件（持ち出し・持ち帰り → 競合の解決）" if count else ""
        )
        self.conflict_label.setVisible(bool(count))

    def _on_changes(self, changes: Changes) -> None:
        if changes.conflicts:
            self.refresh_indicator()

    # --- export ----------------------------------------------------------------------------

    def export_file(self) -> None:
        try:
            device = self.service.device()
            districts = self.service.district_choices()
        except UserError as exc:
            show_error(self._window, exc)
            return
        dialog = ExportDialog(districts, device.name, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        path, passphrase, chosen = (
            dialog.path(),
            dialog.passphrase_text(),
            dialog.selected_districts(),
        )

        def work(progress: Progress) -> ExportReport:
            return self.service.export(path, passphrase, districts=chosen, progress=progress)

        run_in_background(
            self._window,
            "交換ファイルを書き出しています…",
            work,
            self._exported,
            lambda exc: show_error(self._window, exc, "書き出せませんでした"),
            cancellable=False,
        )

    def _exported(self, report: object) -> None:
        assert isinstance(report, ExportReport)
        scope = "、".join(report.districts) if report.districts else "すべての地区"
        QMessageBox.information(
            self._window,
            "書き出しました",
            f"{report.path}\n\n{scope} の記録 {report.total:,} 件を書き出し、"
            "読み返して確認しました。\nUSBメモリを取り外して大丈夫です。",
        )

    # --- import ----------------------------------------------------------------------------

    def _ask_file(self) -> tuple[Path, str] | None:
        name, _ = QFileDialog.getOpenFileName(
            self._window, "交換ファイルを選ぶ", str(Path.home()), f"交換ファイル (*{SUFFIX})"
        )
        if not name:
            return None
        path = Path(name)
        try:
            header = SyncService.peek(path)
        except (UserError, OSError) as exc:
            show_error(self._window, exc, "交換ファイルを開けません")
            return None
        written = header.created_at[:16].replace("-", "/")
        dialog = PassphraseDialog(
            path, f"書き出した端末: {header.device_name}（{written} UTC）", self._window
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return path, dialog.passphrase_text()

    def import_file(self) -> None:
        asked = self._ask_file()
        if asked is None:
            return
        path, passphrase = asked
        self._run_import(self.service, path, passphrase, self._imported)

    def _run_import(
        self,
        service: SyncService,
        path: Path,
        passphrase: str,
        done: Callable[[object], None],
    ) -> None:
        def work(progress: Progress) -> ImportReport:
            return service.import_file(path, passphrase, progress=progress)

        run_in_background(
            self._window,
            "交換ファイルを取り込んでいます…",
            work,
            done,
            lambda exc: show_error(self._window, exc, "取り込めませんでした"),
            cancellable=False,
        )

    def _imported(self, report: object) -> None:
        assert isinstance(report, ImportReport)
        self._signals.emit_changes(EVERYTHING)
        self.show_report(report)
        if report.conflicts:
            self.show_conflicts()

    def show_report(self, report: ImportReport) -> None:
        dialog = QDialog(self._window)
        dialog.setWindowTitle("取り込みの結果")
        dialog.resize(640, 440)
        layout = QVBoxLayout(dialog)
        text = report.summary() + "。"
        if report.upgraded_from:
            text += (
                f"\n古い形式（{report.upgraded_from}）のファイルを今の形式に直して取り込みました。"
            )
        if report.backup is not None:
            text += f"\n取り込み前のバックアップ: {report.backup}"
        label = QLabel(text, dialog, wordWrap=True)
        label.setObjectName("summary")
        layout.addWidget(label)
        details = QPlainTextEdit(dialog)
        details.setReadOnly(True)
        details.setPlainText("\n".join(report.lines) or "変わった記録はありません。")
        layout.addWidget(details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        buttons.rejected.connect(dialog.accept)
        layout.addWidget(buttons)
        dialog.exec()

    def open_as_new_database(self) -> None:
        asked = self._ask_file()
        if asked is None:
            return
        source, passphrase = asked
        name, _ = QFileDialog.getSaveFileName(
            self._window,
            "新しいデータベースの保存先",
            str(source.with_suffix(".sqlite3")),
            "データベース (*.sqlite3)",
        )
        if not name:
            return
        target = Path(name)
        if target.exists():
            show_error(
                self._window,
                UserError(f"{target.name} はすでにあります。新しい名前を指定してください。"),
            )
            return
        try:
            new_ctx = AppContext.open(target)
        except UserError as exc:
            show_error(self._window, exc)
            return

        def done(report: object) -> None:
            new_ctx.close()
            assert isinstance(report, ImportReport)
            QMessageBox.information(
                self._window,
                "新しいデータベースを作りました",
                f"{target}\n\n{report.summary()}。\nこのデータベースで開き直します。",
            )
            self._open_database(target)

        self._run_import(new_ctx.sync, source, passphrase, done)

    # --- conflicts, history, device --------------------------------------------------------

    def show_conflicts(self) -> None:
        resolver = ConflictResolver(self.service, self._window)
        resolver.resolved.connect(self._signals.emit_changes)
        resolver.exec()
        self.refresh_indicator()

    def show_history(self) -> None:
        entries = self.service.history()
        lines = []
        for e in entries:
            direction = "書き出し" if e.direction == "export" else "取り込み"
            summary = e.summary
            if e.direction == "import":
                what = (
                    f"追加 {summary.get('added', 0)}・変更 {summary.get('changed', 0)}・"
                    f"削除 {summary.get('deleted', 0)}・競合 {summary.get('conflicts', 0)}"
                )
            else:
                what = f"{summary.get('total', 0):,} 件"
            peer = f"（相手: {e.peer_name}）" if e.peer_name else ""
            lines.append(
                f"{e.at:%Y/%m/%d %H:%M}  {direction}{peer}  {e.scope}  {what}  {e.by_user}"
                f"\n    {e.file_name}"
            )
        dialog = QDialog(self._window)
        dialog.setWindowTitle("書き出し・取り込みの履歴")
        dialog.resize(760, 420)
        layout = QVBoxLayout(dialog)
        view = QPlainTextEdit(dialog)
        view.setReadOnly(True)
        view.setPlainText("\n".join(lines) or "まだ書き出し・取り込みの記録はありません。")
        layout.addWidget(view)
        dialog.exec()

    def rename_device(self) -> None:
        device = self.service.device()
        name, ok = QInputDialog.getText(
            self._window,
            "この端末の名前",
            "交換ファイルに書かれ、相手の端末の履歴や競合に表示されます"
            "（例: 本所PC、佐藤ノートPC）:",
            text=device.name,
        )
        if not ok:
            return
        try:
            self._signals.emit_changes(self.service.rename_device(name))
        except UserError as exc:
            show_error(self._window, exc)
