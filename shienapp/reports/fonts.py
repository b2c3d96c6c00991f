"""The Japanese font of every PDF: IPAexGothic, embedded as a subset.

reportlab's built-in CID fonts are not embedded, so poppler and search show nothing; only an
embedded TrueType font prints and searches everywhere. reportlab is imported inside the functions
so that importing this module (and starting the app) stays cheap.
"""

from __future__ import annotations

import threading

from shienapp import config

JAPANESE_FONT = "IPAexGothic"

_lock = threading.Lock()


def register_japanese_font() -> str:
    """Register IPAexGothic with reportlab once and return its name for styles and canvases.

    The same face also stands in for bold and italic, so ``<b>`` in a Paragraph never falls
    back to a Latin-only font. Safe to call from any thread, any number of times.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        if JAPANESE_FONT not in pdfmetrics.getRegisteredFontNames():
            path = config.font_path()
            if not path.is_file():
                raise FileNotFoundError(f"日本語フォントが見つかりません: {path}")
            # TTFont embeds only the glyphs used (a subset) when the document is written.
            pdfmetrics.registerFont(TTFont(JAPANESE_FONT, str(path)))
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(JAPANESE_FONT, bold, italic, JAPANESE_FONT)
    return JAPANESE_FONT
