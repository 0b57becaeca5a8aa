"""The TrueType fonts embedded in every PDF (PDF/A forbids relying on the reader's fonts). They
are the Bitstream Vera faces that reportlab ships, so nothing depends on the system's fonts."""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD = "LcSans", "LcSans-Bold"


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register the faces once per process; returns (regular, bold) names."""
    pdfmetrics.registerFont(TTFont(REGULAR, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFont(TTFont(f"{REGULAR}-Italic", "VeraIt.ttf"))
    pdfmetrics.registerFont(TTFont(f"{REGULAR}-BoldItalic", "VeraBI.ttf"))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, f"{REGULAR}-Italic")
    addMapping(REGULAR, 1, 1, f"{REGULAR}-BoldItalic")
    return REGULAR, BOLD


def pdf_text(text: str) -> str:
    """Text the embedded faces can draw: Babel's narrow no-break space becomes a no-break space."""
    return text.replace("\u202f", "\u00a0")
