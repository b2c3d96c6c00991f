"""Preview a PDF made by reportlab, save it, or send it to a printer.

Documents are always made by reportlab (QPrinter's own PDFs map some kanji to compatibility
code points); Qt only shows them and rasterises pages for a physical printer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.errors import UserError
from shienapp.core.files import write_bytes_atomically
from shienapp.gui.errors import show_error


class PdfPreviewDialog(QDialog):
    def __init__(
        self, pdf: bytes, title: str, suggested_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"印刷プレビュー — {title}")
        self.resize(820, 960)
        self.pdf = pdf
        self.suggested_name = suggested_name
        # Not parented to the view: a document owned by the view crashes at exit.
        self._buffer = QBuffer()
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(None)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        # FitToWidth with the default scroll-bar policy spins at 100% CPU; keep the bar on.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.info = QLabel(f"{self.document.pageCount()} ページ", self)
        buttons = QDialogButtonBox(self)
        self.save_button = QPushButton("PDFを保存…")
        self.print_button = QPushButton("印刷…")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_document)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.info)
        layout.addWidget(buttons)

    def save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "PDFを保存", self.suggested_name, "PDF (*.pdf)")
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            write_bytes_atomically(path, self.pdf)
        except UserError as exc:
            show_error(self, exc)
            return
        QMessageBox.information(self, "保存しました", f"{path} に保存しました。")

    def print_document(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        print_pdf(self.document, printer)

    def done(self, result: int) -> None:
        # The view must let go of the document before it closes. setDocument(None) warns
        # (QPdfLinkModel connects to a null document), so hand it an empty one, created after
        # the view so that it outlives it when the dialog is destroyed.
        self.view.setDocument(QPdfDocument(self))
        self.document.close()
        super().done(result)


def print_pdf(document: QPdfDocument, printer: QPrinter) -> None:
    """Draw each page as an image at the printer's resolution (no PDF re-encoding by Qt)."""
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("プリンターを開始できませんでした。")
    try:
        dpi = printer.resolution()
        for index in range(document.pageCount()):
            if index:
                printer.newPage()
            points = document.pagePointSize(index)
            size = QSize(int(points.width() / 72 * dpi), int(points.height() / 72 * dpi))
            image = document.render(index, size)
            target = painter.viewport()
            scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(target.x(), target.y(), image.scaled(scaled))
    finally:
        painter.end()
