"""The invoice and credit note PDF, with the mentions French law requires of a B2B invoice.

``render_invoice_pdf(document, locale)`` is a pure function of the snapshot: same invoice, same
bytes (reportlab's invariant mode), TrueType fonts embedded, file named after the number.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from babel.numbers import format_decimal
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lcadmin.domain.money import Money
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.pdf.document import InvoiceDocument, Party
from lcadmin.pdf.fonts import pdf_text, register_fonts

ACCENT = colors.HexColor("#3e63dd")
MUTED = colors.HexColor("#60646c")
RULE = colors.HexColor("#d9d9e0")
PRODUCER = "lcadmin"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=12)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=22, alignment=TA_RIGHT),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle("right_bold", parent=base, fontName=bold, alignment=TA_RIGHT),
        "label": ParagraphStyle("label", parent=base, fontName=bold, fontSize=7.5, leading=10, textColor=MUTED),
        "vendor": ParagraphStyle("vendor", parent=base, fontName=bold, fontSize=13, leading=16),
    }


class _Table(Table):
    """A table whose plain-text cells use the embedded font too (reportlab defaults to Helvetica,
    which PDF/A forbids since it is not embedded)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), register_fonts()[0])]))


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(pdf_text(text)), style)


class _Logo(Flowable):
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


def _party(title: str, party: Party, locale: str, styles) -> list[Paragraph]:
    lines = [_p(title, styles["label"]), _p(party.legal_name, styles["bold"])]
    if party.recipient:
        lines.append(_p(party.recipient, styles["base"]))
    lines += [_p(line, styles["base"]) for line in party.address_lines]
    lines.append(_p(f"{party.postal_code} {party.city}".strip(), styles["base"]))
    if party.country_code and party.country_code != "FR":
        lines.append(_p(party.country_code, styles["base"]))
    lines.append(_p(f"{gettext('pdf.siren', locale)} : {party.siren}" if locale == "fr"
                    else f"{gettext('pdf.siren', locale)}: {party.siren}", styles["base"]))
    if party.vat_number:
        label = gettext("pdf.vat_number", locale)
        lines.append(_p(f"{label} : {party.vat_number}" if locale == "fr" else f"{label}: {party.vat_number}",
                        styles["base"]))
    return lines


def _money(document: InvoiceDocument, minor: int, locale: str) -> str:
    return format_money(Money(minor, document.currency), locale)


def _rate(rate_bp: int, locale: str) -> str:
    """``20 %`` / ``5,5 %`` in French, ``20%`` / ``5.5%`` in English."""
    number = format_decimal(Decimal(rate_bp) / 100, format="#,##0.##", locale="fr_FR" if locale == "fr" else "en_GB")
    return f"{number}\u00a0%" if locale == "fr" else f"{number}%"


def _meta_rows(document: InvoiceDocument, locale: str, styles) -> list[list[Paragraph]]:
    rows = [(gettext("pdf.issue_date", locale), format_date(document.issue_date, locale)),
            (gettext("pdf.due_date", locale), format_date(document.due_date, locale))]
    if document.period_start and document.period_end:
        rows.append((gettext("pdf.period", locale), gettext(
            "pdf.period_value", locale, start=format_date(document.period_start, locale),
            end=format_date(document.period_end, locale))))
    if document.order_number:
        rows.append((gettext("pdf.order", locale), document.order_number))
    if document.purchase_order_ref:
        rows.append((gettext("pdf.po", locale), document.purchase_order_ref))
    return [[_p(label, styles["label"]), _p(value, styles["base"])] for label, value in rows]


def _lines_table(document: InvoiceDocument, locale: str, styles) -> Table:
    header = [_p(gettext(key, locale), styles["label"]) for key in
              ("pdf.col.description", "pdf.col.quantity", "pdf.col.unit_price", "pdf.col.vat", "pdf.col.amount")]
    rows = [header] + [
        [_p(line.description, styles["base"]), _p(str(line.quantity), styles["right"]),
         _p(_money(document, line.unit_price_minor, locale), styles["right"]),
         _p(_rate(line.tax_rate_bp, locale), styles["right"]),
         _p(_money(document, line.amount_minor, locale), styles["right"])]
        for line in document.lines
    ]
    table = _Table(rows, colWidths=[78 * mm, 14 * mm, 32 * mm, 16 * mm, 34 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _totals(document: InvoiceDocument, locale: str, styles) -> Table:
    vat_rows = [[_p(gettext(key, locale), styles["label"]) for key in ("pdf.col.rate", "pdf.col.base", "pdf.col.tax")]]
    vat_rows += [[_p(_rate(tax.rate_bp, locale), styles["base"]), _p(_money(document, tax.base_minor, locale), styles["right"]),
                  _p(_money(document, tax.tax_minor, locale), styles["right"])] for tax in document.taxes]
    vat = _Table([[_p(gettext("pdf.vat_summary", locale), styles["label"]), "", ""], *vat_rows],
                colWidths=[18 * mm, 30 * mm, 30 * mm])
    vat.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0)), ("LINEBELOW", (0, 1), (-1, 1), 0.3, RULE)]))
    total_key = "pdf.credit_total" if document.is_credit_note else "pdf.to_pay"
    sums = _Table([
        [_p(gettext("pdf.subtotal", locale), styles["base"]), _p(_money(document, document.subtotal_minor, locale), styles["right"])],
        [_p(gettext("pdf.tax_total", locale), styles["base"]), _p(_money(document, document.tax_minor, locale), styles["right"])],
        [_p(gettext("pdf.total", locale), styles["bold"]), _p(_money(document, document.total_minor, locale), styles["right_bold"])],
        [_p(gettext(total_key, locale), styles["bold"]), _p(_money(document, document.total_minor, locale), styles["right_bold"])],
    ], colWidths=[40 * mm, 34 * mm])
    sums.setStyle(TableStyle([("LINEABOVE", (0, 2), (-1, 2), 0.8, ACCENT), ("BACKGROUND", (0, 3), (-1, 3), colors.HexColor("#eef1fd"))]))
    outer = _Table([[vat, sums]], colWidths=[100 * mm, 74 * mm])
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return outer


def _mentions(document: InvoiceDocument, locale: str, styles) -> list[Paragraph]:
    terms = (gettext("pdf.terms", locale, days=str(document.payment_terms_days)) if document.payment_terms_days
             else gettext("pdf.terms_now", locale))
    return [_p(text, styles["small"]) for text in
            (terms, gettext("pdf.penalties", locale), gettext("pdf.indemnity", locale), gettext("pdf.discount", locale))]


class _NumberedCanvas(Canvas):
    """Draws "Page n sur N" and the issuer's identity once the page count is known."""

    footer: tuple[str, str, str] = ("", "", "")  # (identity line, page pattern, locale)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        regular, _ = register_fonts()
        identity, _pattern, locale = self.footer
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self.setFont(regular, 7)
            self.setFillColor(MUTED)
            self.drawString(18 * mm, 10 * mm, pdf_text(identity))
            self.drawRightString(A4[0] - 18 * mm, 10 * mm,
                                 gettext("pdf.page", locale, page=str(number), pages=str(len(self._pages))))
            super().showPage()
        super().save()


def render_invoice_pdf(document: InvoiceDocument, locale: str) -> bytes:
    """The invoice or credit note as PDF bytes (A4), deterministic for the same snapshot."""
    styles = _styles()
    regular, _ = register_fonts()
    title = gettext("pdf.credit_note" if document.is_credit_note else "pdf.invoice", locale)
    buffer = BytesIO()
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=18 * mm,
        title=f"{title} {document.number}", author=document.issuer.legal_name, subject=f"{title} {document.number}",
        creator=PRODUCER, producer=PRODUCER, invariant=True, initialFontName=regular, lang=locale,
    )
    header = _Table([[
        _Table([[_Logo(document.vendor_name), _p(document.vendor_name, styles["vendor"])]],
              colWidths=[15 * mm, 70 * mm], style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
        [_p(title, styles["title"]), _p(document.number, styles["right_bold"])],
    ]], colWidths=[100 * mm, 74 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    parties = _Table([[_party(gettext("pdf.issuer", locale), document.issuer, locale, styles),
                      _party(gettext("pdf.customer", locale), document.customer, locale, styles)]],
                    colWidths=[87 * mm, 87 * mm])
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    meta = _Table(_meta_rows(document, locale, styles), colWidths=[45 * mm, 129 * mm])
    meta.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story = [header, Spacer(1, 8 * mm), parties, Spacer(1, 6 * mm), meta]
    if document.is_credit_note and document.credited_number:
        story += [Spacer(1, 3 * mm), _p(gettext(
            "pdf.corrects", locale, number=document.credited_number,
            date=format_date(document.credited_issue_date, locale) if document.credited_issue_date else ""),
            styles["bold"])]
    story += [Spacer(1, 6 * mm), _lines_table(document, locale, styles), Spacer(1, 5 * mm),
              KeepTogether([_totals(document, locale, styles), Spacer(1, 6 * mm), *_mentions(document, locale, styles)])]

    issuer = document.issuer
    identity = (f"{issuer.legal_name} · {' '.join(issuer.address_lines)}, {issuer.postal_code} {issuer.city} · "
                f"SIREN {issuer.siren} · {gettext('pdf.vat_number', locale)} {issuer.vat_number}")
    canvas_class = type("InvoiceCanvas", (_NumberedCanvas,), {"footer": (identity, "", locale)})
    pdf.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
