"""The invoice and credit note PDF, with the mentions French law requires of a B2B invoice.

``render_invoice_pdf(document, locale)`` is a pure function of the snapshot: same invoice, same
bytes (reportlab's invariant mode), TrueType fonts embedded, file named after the number.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, TableStyle

from lcadmin.domain.money import Money
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.pdf.document import InvoiceDocument, Party
from lcadmin.pdf.fonts import pdf_text, register_fonts
from lcadmin.pdf.layout import (
    ACCENT,
    MUTED,
    RULE,
    PdfTable,
    build_pdf,
    header,
    para,
    styles,
)


def party_block(title: str, party: Party, locale: str, styles) -> PdfTable:
    """A party's name, address and identifiers, one line each."""
    colon = "\u00a0: " if locale == "fr" else ": "
    lines = [title, party.legal_name, *([party.recipient] if party.recipient else []), *party.address_lines,
             f"{party.postal_code} {party.city}".strip(),
             *([party.country_code] if party.country_code and party.country_code != "FR" else []),
             f"{gettext('pdf.siren', locale)}{colon}{party.siren}"]
    if party.vat_number:
        lines.append(f"{gettext('pdf.vat_number', locale)}{colon}{party.vat_number}")
    regular, bold = register_fonts()
    return PdfTable([[pdf_text(line)] for line in lines], style=[
        *_cells(regular, bold, right_from=1), ("FONT", (0, 1), (0, 1), bold, 9),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)])


def _money(document: InvoiceDocument, minor: int, locale: str) -> str:
    return format_money(Money(minor, document.currency), locale)


def _rate(rate_bp: int, locale: str) -> str:
    """``20 %`` / ``5,5 %`` in French, ``20%`` / ``5.5%`` in English."""
    number = format_decimal(Decimal(rate_bp) / 100, format="#,##0.##", locale="fr_FR" if locale == "fr" else "en_GB")
    return f"{number}\u00a0%" if locale == "fr" else f"{number}%"


def _meta_rows(document: InvoiceDocument, locale: str) -> list[tuple[str, str]]:
    rows = [(gettext("pdf.issue_date", locale), format_date(document.issue_date, locale))]
    if not document.is_credit_note:  # nothing falls due on a credit note
        rows.append((gettext("pdf.due_date", locale), format_date(document.due_date, locale)))
    if document.period_start and document.period_end:
        rows.append((gettext("pdf.period", locale), gettext(
            "pdf.period_value", locale, start=format_date(document.period_start, locale),
            end=format_date(document.period_end, locale))))
    if document.order_number:
        rows.append((gettext("pdf.order", locale), document.order_number))
    if document.purchase_order_ref:
        rows.append((gettext("pdf.po", locale), document.purchase_order_ref))
    return rows


def _cells(regular: str, bold: str, *, header: bool = True, right_from: int = 1) -> list[tuple]:
    """Table commands for plain-string cells (far faster to lay out than paragraphs): body in the
    regular face, an optional muted bold header row, numbers right-aligned."""
    commands = [("FONT", (0, 0), (-1, -1), regular, 9), ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        commands += [("FONT", (0, 0), (-1, 0), bold, 7.5), ("TEXTCOLOR", (0, 0), (-1, 0), MUTED)]
    return commands


def _lines_table(document: InvoiceDocument, locale: str, styles) -> PdfTable:
    regular, bold = register_fonts()
    header = [gettext(key, locale) for key in
              ("pdf.col.description", "pdf.col.quantity", "pdf.col.unit_price", "pdf.col.vat", "pdf.col.amount")]
    # Descriptions may wrap: paragraphs. Everything else is a one-line string.
    rows = [header] + [
        [para(line.text(locale), styles["base"]), str(line.quantity),
         pdf_text(_money(document, line.unit_price_minor, locale)), pdf_text(_rate(line.tax_rate_bp, locale)),
         pdf_text(_money(document, line.amount_minor, locale))]
        for line in document.lines
    ]
    return PdfTable(rows, colWidths=[78 * mm, 14 * mm, 32 * mm, 16 * mm, 34 * mm], repeatRows=1, style=[
        *_cells(regular, bold),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ])


def _totals(document: InvoiceDocument, locale: str, styles) -> PdfTable:
    regular, bold = register_fonts()
    money = lambda minor: pdf_text(_money(document, minor, locale))
    vat_rows = [[gettext("pdf.vat_summary", locale), "", ""],
                [gettext(key, locale) for key in ("pdf.col.rate", "pdf.col.base", "pdf.col.tax")]]
    vat_rows += [[pdf_text(_rate(tax.rate_bp, locale)), money(tax.base_minor), money(tax.tax_minor)]
                 for tax in document.taxes]
    vat = PdfTable(vat_rows, colWidths=[18 * mm, 30 * mm, 30 * mm], style=[
        *_cells(regular, bold), ("FONT", (0, 1), (-1, 1), bold, 7.5), ("TEXTCOLOR", (0, 1), (-1, 1), MUTED),
        ("SPAN", (0, 0), (-1, 0)), ("LINEBELOW", (0, 1), (-1, 1), 0.3, RULE)])
    rows = [[gettext("pdf.subtotal", locale), money(document.subtotal_minor)],
            [gettext("pdf.tax_total", locale), money(document.tax_minor)],
            [gettext("pdf.total", locale), money(document.total_minor)]]
    if document.is_credit_note:
        rows.append([para(gettext("pdf.credit_total", locale), styles["bold"]), money(document.total_minor)])
    else:
        if document.paid_on:  # a receipted invoice: what was paid, and nothing left to pay
            rows.append([gettext("pdf.already_paid", locale), money(-document.total_minor)])
        rows.append([para(gettext("pdf.to_pay", locale), styles["bold"]), money(document.amount_due_minor)])
    sums = PdfTable(rows, colWidths=[40 * mm, 34 * mm], style=[
        *_cells(regular, bold, header=False), ("FONT", (0, 2), (-1, -1), bold, 9),
        ("LINEABOVE", (0, 2), (-1, 2), 0.8, ACCENT),
        ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.HexColor("#eef1fd"))])
    outer = PdfTable([[vat, sums]], colWidths=[100 * mm, 74 * mm])
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return outer


def paid_line(document: InvoiceDocument, locale: str) -> str:
    """``Acquittée le 2 janvier 2026 par carte bancaire``."""
    return gettext("pdf.paid_on", locale, date=format_date(document.paid_on, locale),
                   method=gettext(f"pdf.method.{document.paid_by or 'transfer'}", locale))


def payment_terms(document: InvoiceDocument, locale: str) -> str:
    """When and how an invoice is to be paid."""
    if document.payment_terms_days:
        return gettext("pdf.terms", locale, days=str(document.payment_terms_days))
    return gettext("pdf.terms_now", locale)


def transfer_details(document: InvoiceDocument, locale: str) -> str:
    """The vendor's bank details and the reference a transfer quotes."""
    return gettext("pdf.transfer", locale, iban=_grouped(document.iban), bic=document.bic, number=document.number)


def _grouped(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def _mentions(document: InvoiceDocument, locale: str, styles) -> list[Paragraph]:
    """The mentions the law requires. A credit note carries no payment terms nor late penalties:
    nothing is to be paid on it. A paid invoice says when and how it was paid."""
    if document.is_credit_note:
        texts = [gettext("pdf.category", locale)]
    else:
        # The terms stay on a paid invoice (a mandatory mention); the bank details only while due.
        if document.paid_on:
            terms = [payment_terms(document, locale), paid_line(document, locale) + "."]
        else:
            terms = [payment_terms(document, locale), *([transfer_details(document, locale)] if document.iban else [])]
        texts = [*terms, gettext("pdf.penalties", locale), gettext("pdf.indemnity", locale),
                 gettext("pdf.discount", locale), gettext("pdf.category", locale)]
    return [para(text, styles["small"]) for text in texts]


def _capital(euros: int, locale: str) -> str:
    number = format_decimal(euros, format="#,##0", locale="fr_FR" if locale == "fr" else "en_GB")
    return f"{number}\u00a0€" if locale == "fr" else f"€{number}"


def identity_line(party: Party, locale: str) -> str:
    """The issuer's legal identity, for every page's footer: name, share capital, address,
    registry (RCS), SIREN and VAT number."""
    parts = [party.legal_name]
    if party.share_capital:
        parts.append(gettext("pdf.capital", locale, amount=_capital(party.share_capital, locale)))
    parts.append(f"{' '.join(party.address_lines)}, {party.postal_code} {party.city}")
    if party.rcs_city:
        parts.append(gettext("pdf.rcs", locale, city=party.rcs_city, siren=_siren(party.siren)))
    else:
        parts.append(f"SIREN {party.siren}")
    parts.append(f"{gettext('pdf.vat_number', locale)} {party.vat_number}")
    return " · ".join(parts)


def _siren(siren: str) -> str:
    return f"{siren[:3]} {siren[3:6]} {siren[6:]}" if len(siren) == 9 else siren


def two_parties(left: list, right: list) -> PdfTable:
    """Two address blocks side by side."""
    table = PdfTable([[left, right]], colWidths=[87 * mm, 87 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return table


def label_value_rows(rows: list[tuple[str, str]], style) -> PdfTable:
    """A compact two-column list of labels and values; a long label or value (a browser's user
    agent) wraps inside its column instead of running over its neighbour."""
    return PdfTable([[para(label, style["label"]), para(value, style["base"])] for label, value in rows],
                    colWidths=[45 * mm, 129 * mm], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])


def render_invoice_pdf(document: InvoiceDocument, locale: str) -> bytes:
    """The invoice or credit note as PDF bytes (A4), deterministic for the same snapshot."""
    style = styles()
    title = gettext("pdf.credit_note" if document.is_credit_note else "pdf.invoice", locale)
    story = [header(document.vendor_name, title, document.number, style, document.vendor_logo), Spacer(1, 8 * mm),
             two_parties(party_block(gettext("pdf.issuer", locale), document.issuer, locale, style),
                         party_block(gettext("pdf.customer", locale), document.customer, locale, style)),
             Spacer(1, 6 * mm), label_value_rows(_meta_rows(document, locale), style)]
    if document.is_credit_note and document.credited_number:
        story += [Spacer(1, 3 * mm), para(gettext(
            "pdf.corrects", locale, number=document.credited_number,
            date=format_date(document.credited_issue_date, locale) if document.credited_issue_date else ""),
            style["bold"])]
    story += [Spacer(1, 6 * mm), _lines_table(document, locale, style), Spacer(1, 5 * mm),
              KeepTogether([_totals(document, locale, style), Spacer(1, 6 * mm), *_mentions(document, locale, style)])]
    return build_pdf(story, title=f"{title} {document.number}", author=document.issuer.legal_name, locale=locale,
                     footer=identity_line(document.issuer, locale))
