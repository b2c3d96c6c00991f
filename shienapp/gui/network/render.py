"""A map as a picture (PNG or SVG), drawn by the editor's own scene so it looks as on screen.

Also used by ``shienapp export network``: without a window it runs Qt off screen.
"""

from __future__ import annotations

import os
from pathlib import Path

from shienapp.core.errors import UserError
from shienapp.core.network import MapDocument


def _application() -> object:
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from shienapp.app import create_application

        return create_application()
    return QApplication.instance()


def export_image(
    doc: MapDocument, path: Path, *, resident_safe: bool = False, scale: float = 2.0
) -> None:
    """Write ``doc`` to ``path`` (.png at ``scale`` × screen size, or .svg), legend included."""
    from PySide6.QtCore import QPoint, QRectF, QSize, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    from shienapp.gui.network.legend import LegendWidget
    from shienapp.gui.network.scene import MapScene

    _application()
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise UserError(f"画像の拡張子は .png か .svg にしてください（{path.name}）。")
    scene = MapScene(resident_safe=resident_safe)
    scene.load(doc)
    source = scene.content_rect() if scene.nodes else QRectF(0, 0, 400, 300)
    legend = LegendWidget()
    legend.resize(legend.sizeHint())
    legend_width = legend.width() + 20
    width = int(source.width()) + legend_width
    height = int(max(source.height(), legend.height() + 20)) + 40

    def paint(painter: QPainter) -> None:
        painter.fillRect(QRectF(0, 0, width, height), QColor("#FFFFFF"))
        painter.setPen(QColor("#222222"))
        font = painter.font()
        font.setPointSizeF(14)
        painter.setFont(font)
        title = f"{doc.title}（{doc.scope}）　{doc.version_label}"
        if resident_safe:
            title += "　住民向け"
        painter.drawText(QRectF(10, 4, width - 20, 30), int(Qt.AlignmentFlag.AlignLeft), title)
        font.setPointSizeF(9)
        painter.setFont(font)
        scene.render(painter, QRectF(0, 40, source.width(), source.height()), source)
        legend.render(painter, QPoint(int(source.width()) + 10, 40))

    if suffix == ".png":
        image = QImage(QSize(int(width * scale), int(height * scale)), QImage.Format.Format_ARGB32)
        image.fill(QColor("#FFFFFF"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        paint(painter)
        painter.end()
        temporary = path.with_name(f".{path.name}.tmp")
        if not image.save(str(temporary), "PNG"):
            raise UserError(f"{path} に画像を保存できませんでした。")
        temporary.replace(path)
        return
    from PySide6.QtSvg import QSvgGenerator

    temporary = path.with_name(f".{path.name}.tmp")
    generator = QSvgGenerator()
    generator.setFileName(str(temporary))
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setTitle(doc.title)
    generator.setDescription(f"ネットワーク形成図 {doc.version_label}")
    painter = QPainter(generator)
    paint(painter)
    painter.end()
    temporary.replace(path)
