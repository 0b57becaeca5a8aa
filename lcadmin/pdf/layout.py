"""What every PDF of the product shares: embedded faces, styles, the vendor's mark, tables that
never fall back to an unembedded font, and a footer with "Page n sur N"."""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from lcadmin.i18n import gettext
from lcadmin.pdf.fonts import pdf_text, register_fonts

# Compressed streams stay binary instead of ASCII85-encoded: a fifth smaller and faster to write
# (PDF/A allows binary streams).
rl_config.useA85 = 0

ACCENT = colors.HexColor("#3e63dd")
MUTED = colors.HexColor("#60646c")
RULE = colors.HexColor("#d9d9e0")
PRODUCER = "lcadmin"


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of every document, in the embedded faces."""
    regular, bold = register_fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=12)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=22, alignment=TA_RIGHT),
        "title_long": ParagraphStyle("title_long", parent=base, fontName=bold, fontSize=14, leading=18,
                                     alignment=TA_RIGHT),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle("right_bold", parent=base, fontName=bold, alignment=TA_RIGHT),
        "label": ParagraphStyle("label", parent=base, fontName=bold, fontSize=7.5, leading=10, textColor=MUTED),
        "vendor": ParagraphStyle("vendor", parent=base, fontName=bold, fontSize=13, leading=16),
    }


class PdfTable(Table):
    """A table whose plain-text cells use the embedded font too (reportlab defaults to Helvetica,
    which PDF/A forbids since it is not embedded)."""

    def __init__(self, *args, style=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), register_fonts()[0])]))
        if style is not None:  # the caller's commands come after the default face, so they win
            self.setStyle(style if isinstance(style, TableStyle) else TableStyle(style))


def para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(pdf_text(text)), style)


class Logo(Flowable):
    """The vendor's mark: its initial on an accent tile, drawn as vectors in the embedded font."""

    size = 12 * mm

    def __init__(self, vendor_name: str):
        super().__init__()
        self.initial = (vendor_name[:1] or "?").upper()
        self.width = self.height = self.size

    def draw(self) -> None:
        _, bold = register_fonts()
        canvas = self.canv
        canvas.setFillColor(ACCENT)
        canvas.roundRect(0, 0, self.size, self.size, 2.5 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(bold, 18)
        canvas.drawCentredString(self.size / 2, 3.4 * mm, self.initial)


class NumberedCanvas(Canvas):
    """Draws "Page n sur N" and the issuer's identity once the page count is known."""

    footer: tuple[str, str, str] = ("", "", "")  # (identity line, page pattern, locale)
    pages_before = 0  # pages that come before these in the file the reader gets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()  # pyright: ignore[reportAttributeAccessIssue] (reportlab's own, unstubbed)

    def save(self):
        regular, _ = register_fonts()
        identity, _pattern, locale = self.footer
        total = len(self._pages) + self.pages_before
        for number, page in enumerate(self._pages, start=1 + self.pages_before):
            self.__dict__.update(page)
            self.setFont(regular, 7)
            self.setFillColor(MUTED)
            lines = footer_lines(pdf_text(identity), regular, A4[0] - 36 * mm - 24 * mm)
            for index, line in enumerate(lines):
                self.drawString(18 * mm, (10 + 3.2 * (len(lines) - 1 - index)) * mm, line)
            self.drawRightString(A4[0] - 18 * mm, 10 * mm,
                                 gettext("pdf.page", locale, page=str(number), pages=str(total)))
            super().showPage()
        super().save()




def footer_lines(identity: str, font: str, width: float, size: float = 7) -> list[str]:
    """The identity line cut at its " · " separators into lines no wider than ``width``."""
    lines: list[str] = []
    for part in identity.split(" · "):
        candidate = f"{lines[-1]} · {part}" if lines else part
        if lines and stringWidth(candidate, font, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(part)
    return lines


def build_pdf(story: list, *, title: str, author: str, locale: str, footer: str, pages_before: int = 0) -> bytes:
    """Lay out ``story`` on A4 with the footer on every page; deterministic bytes. With
    ``pages_before``, the pages are numbered as following that many pages of another file."""
    regular, _ = register_fonts()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=18 * mm,
        title=title, author=author, subject=title, creator=PRODUCER, producer=PRODUCER, invariant=True,
        initialFontName=regular, lang=locale,
    )
    canvas_class = type("FooterCanvas", (NumberedCanvas,),
                        {"footer": (footer, "", locale), "pages_before": pages_before})
    document.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


class _Picture(Flowable):
    """The vendor's logo file, drawn in the mark's square."""

    def __init__(self, reader: ImageReader):
        super().__init__()
        self.reader = reader
        self.width = self.height = Logo.size

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height, mask="auto", preserveAspectRatio=True)


@lru_cache(maxsize=4)
def _logo_reader(path: str) -> ImageReader:
    """The logo decoded once per process, not once per document."""
    return ImageReader(path)


def header(vendor_name: str, title: str, number: str, styles_: dict, logo: str = "") -> PdfTable:
    """The vendor's logo (or mark) and name on the left, the document's kind and number on the right."""
    mark = _Picture(_logo_reader(logo)) if logo else Logo(vendor_name)
    table = PdfTable([[
        PdfTable([[mark, para(vendor_name, styles_["vendor"])]], colWidths=[15 * mm, 70 * mm],
                 style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
        [para(title, styles_["title"] if len(title) <= 16 else styles_["title_long"]),
         para(number, styles_["right_bold"])],
    ]], colWidths=[74 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return table
