"""The map tab's dialogs and files: a new version's date and note, print options, export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from shienapp.core.errors import UserError
from shienapp.core.jpdate import format_wareki
from shienapp.core.network import MapDocument, NetworkService
from shienapp.gui.background import Progress, run_in_background
from shienapp.gui.errors import show_error
from shienapp.gui.widgets.wareki_date_edit import WarekiDateEdit


def add_ok_cancel(dialog: QDialog, form: QFormLayout) -> None:
    """OK and Cancel at the foot of a form dialog."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)


def ask_version_note(parent: QWidget) -> tuple[date, str] | None:
    """The date and note of a new version (令和7年3月 住民向けに再編成)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("版として保存")
    form = QFormLayout(dialog)
    when = WarekiDateEdit()
    when.setDate(date.today())
    note = QLineEdit()
    note.setPlaceholderText("例: 研修で作成、住民向けに再編成")
    form.addRow("日付", when)
    form.addRow("メモ", note)
    add_ok_cancel(dialog, form)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    chosen = when.date() or date.today()
    text = note.text().strip() or f"{format_wareki(chosen)}の版"
    return chosen, text


class PrintDialog(QDialog):
    def __init__(self, versions: list[tuple[str, int]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("地図の印刷")
        form = QFormLayout(self)
        self.paper = QComboBox()
        self.paper.addItem("A3 横", "A3")
        self.paper.addItem("A4 横", "A4")
        self.resident = QCheckBox("住民向け（個人の名前を役割で表示）")
        self.compare = QComboBox()
        self.compare.addItem("比べない", None)
        for label, number in versions:
            self.compare.addItem(f"{label}と比べて変更前・変更後を印刷", number)
        form.addRow("用紙", self.paper)
        form.addRow("", self.resident)
        form.addRow("前の版", self.compare)
        add_ok_cancel(self, form)


def print_map(
    parent: QWidget,
    service: NetworkService,
    doc: MapDocument,
    *,
    paper: str = "A3",
    resident_safe: bool = False,
    compare: int | None = None,
) -> None:
    """Make the PDF in the background and open the preview (print, save)."""

    def work(_progress: Progress) -> bytes:
        from shienapp.reports.network import PrintOptions, render_comparison, render_network

        options = PrintOptions(paper=paper, resident_safe=resident_safe)
        if compare is not None:
            return render_comparison(service.document(doc.map_id, compare), doc, options)
        return render_network(doc, options)

    def done(pdf: bytes) -> None:
        from shienapp.gui.pdf_preview import PdfPreviewDialog

        name = f"{doc.title}_{doc.version_label}.pdf"
        PdfPreviewDialog(pdf, f"ネットワーク形成図 {doc.title}", name, parent).exec()

    run_in_background(
        parent, "地図の PDF を作っています…", work, done, lambda e: show_error(parent, e),
        cancellable=False,
    )  # fmt: skip


def export_map(
    parent: QWidget, doc: MapDocument, path: Path | None = None, *, resident_safe: bool = False
) -> Path | None:
    """PNG, SVG or GraphML, chosen by the file name."""
    if path is None:
        name, _ = QFileDialog.getSaveFileName(
            parent,
            "地図を書き出す",
            f"{doc.title}.png",
            "PNG 画像 (*.png);;SVG 画像 (*.svg);;GraphML（Gephi・yEd） (*.graphml)",
        )
        if not name:
            return None
        path = Path(name)
    try:
        if path.suffix.lower() == ".graphml":
            from shienapp.core.network_graphml import write_graphml

            write_graphml(doc, path, resident_safe=resident_safe)
        else:
            from shienapp.gui.network.render import export_image

            export_image(doc, path, resident_safe=resident_safe)
    except (UserError, OSError) as exc:
        show_error(parent, exc, "書き出せませんでした")
        return None
    QMessageBox.information(parent, "書き出しました", f"地図を {path} に書き出しました。")
    return path
