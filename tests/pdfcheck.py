"""Reading a generated PDF back as a reader (or a search box) would: text and fonts."""

from __future__ import annotations

import io

from pypdf import PdfReader


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def texts(reader: PdfReader) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in reader.pages]


def fonts_of(reader: PdfReader) -> list[tuple[str, bool]]:
    """(base font, embedded?) for every font any page uses."""
    found: list[tuple[str, bool]] = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].get_object().values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found.append((str(font["/BaseFont"]), embedded))
    return found


def assert_japanese_font_only(reader: PdfReader) -> None:
    """Every font is the shipped IPAexGothic and is embedded: the page prints and searches
    the same on any machine."""
    fonts = fonts_of(reader)
    assert fonts, "the PDF names no font at all"
    for name, embedded in fonts:
        assert "IPAexGothic" in name, name
        assert embedded, name
