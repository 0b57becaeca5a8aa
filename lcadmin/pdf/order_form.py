"""The order form as a PDF ("Formulaire de commande pour {company}"), and, once signed, the signed
pages followed by a signature certificate.

The SHA-256 recorded at signing time is the hash of ``render_order_pdf(document, locale)`` without
a certificate, and those bytes are kept: ``with_certificate`` appends the certificate to them, so
what is downloaded later shows exactly what was signed, whatever changed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

import pikepdf
from babel.numbers import get_currency_symbol
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, TableStyle

from lcadmin.domain.money import Money
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.pdf.document import DocumentLine, Party
from lcadmin.pdf.invoice import identity_line, label_value_rows, two_parties
from lcadmin.pdf.layout import ACCENT, RULE, PdfTable, build_pdf, header, para, styles


@dataclass(frozen=True)
class Contact:
    """A contact on the order form."""

    full_name: str
    email: str


@dataclass(frozen=True)
class OrderDocument:
    """Everything the order form shows."""

    number: str
    company_name: str
    primary_contact: Contact | None
    billing_contact: Contact | None
    billing_address: Party
    issuer: Party
    vendor_name: str
    start_date: date
    end_date: date
    billing_frequency: str
    billing_method: str
    payment_terms_days: int
    currency: str
    lines: tuple[DocumentLine, ...]
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    vendor_logo: str = ""


@dataclass(frozen=True)
class SignatureCertificate:
    """What the certificate page states."""

    signer_name: str
    signer_email: str
    signed_at: datetime
    ip: str
    user_agent: str
    document_sha256: str
    document_locale: str


def _contact_block(title: str, contact: Contact | None, style) -> list:
    if contact is None:
        return [para(title, style["label"]), para("—", style["base"])]
    return [para(title, style["label"]), para(contact.full_name, style["bold"]), para(contact.email, style["base"])]


def _address_block(title: str, party: Party, style) -> list:
    lines = [para(title, style["label"]), para(party.legal_name, style["bold"])]
    if party.recipient:
        lines.append(para(party.recipient, style["base"]))
    lines += [para(line, style["base"]) for line in party.address_lines]
    lines.append(para(f"{party.postal_code} {party.city}", style["base"]))
    return lines


def order_information(document: OrderDocument, locale: str) -> list[tuple[str, str]]:
    """The "Information sur la commande" rows, as the order page shows them too."""
    return [
        (gettext("order.start", locale), format_date(document.start_date, locale)),
        (gettext("order.end", locale), format_date(document.end_date, locale)),
        (gettext("order.frequency", locale), gettext(f"frequency.{document.billing_frequency}", locale)),
        (gettext("order.method", locale), gettext(f"method.{document.billing_method}", locale)),
        (gettext("order.terms", locale), gettext("order.terms_value", locale, days=str(document.payment_terms_days))),
        (gettext("order.currency", locale), document.currency),
    ]


def total_label(document: OrderDocument, locale: str) -> str:
    """"Montant estimé de la commande (€)"."""
    symbol = get_currency_symbol(document.currency, locale="fr_FR" if locale == "fr" else "en_GB")
    return gettext("order.total", locale, symbol=symbol)


def _lines(document: OrderDocument, locale: str, style) -> PdfTable:
    money = lambda minor: format_money(Money(minor, document.currency), locale)
    rows = [[para(gettext(key, locale), style["label"]) for key in
             ("pdf.col.description", "pdf.col.quantity", "pdf.col.unit_price", "pdf.col.amount")]]
    rows += [[para(line.text(locale), style["base"]), para(str(line.quantity), style["right"]),
              para(money(line.unit_price_minor), style["right"]), para(money(line.amount_minor), style["right"])]
             for line in document.lines]
    rows += [["", "", para(label, style[kind]), para(money(minor), style[amount])]
             for label, kind, minor, amount in (
                 (gettext("order.subtotal", locale), "base", document.subtotal_minor, "right"),
                 (gettext("order.tax", locale), "base", document.tax_minor, "right"),
                 (total_label(document, locale), "bold", document.total_minor, "right_bold"))]
    table = PdfTable(rows, colWidths=[86 * mm, 16 * mm, 38 * mm, 34 * mm], repeatRows=1)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT), ("LINEBELOW", (0, 1), (-1, -4), 0.3, RULE),
                               ("LINEABOVE", (2, -1), (-1, -1), 0.8, ACCENT), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _certificate(document: OrderDocument, certificate: SignatureCertificate, locale: str, style) -> list:
    rows = [
        (gettext("cert.order", locale), document.number),
        (gettext("cert.signer", locale), certificate.signer_name),
        (gettext("cert.account", locale), certificate.signer_email),
        (gettext("cert.signed_at", locale), certificate.signed_at.strftime("%Y-%m-%d %H:%M:%S")),
        (gettext("cert.ip", locale), certificate.ip or "—"),
        (gettext("cert.user_agent", locale), certificate.user_agent or "—"),
        (gettext("cert.hash", locale), certificate.document_sha256),
    ]
    return [header(document.vendor_name, gettext("cert.title", locale), document.number, style, document.vendor_logo),
            Spacer(1, 10 * mm), label_value_rows(rows, style), Spacer(1, 8 * mm),
            para(gettext("cert.statement", locale, language=certificate.document_locale), style["small"])]


def with_certificate(signed: bytes, document: OrderDocument, certificate: SignatureCertificate) -> bytes:
    """The signed pages, untouched, followed by the certificate page, numbered after them
    (deterministic bytes). The certificate is issued now, in the vendor's current identity; the
    signed pages keep the one they were signed with."""
    style = styles()
    story = _certificate(document, certificate, certificate.document_locale, style)
    title = gettext("cert.title", certificate.document_locale)
    with pikepdf.open(BytesIO(signed)) as counted:
        signed_pages = len(counted.pages)
    page = build_pdf(story, title=f"{title} — {document.number}", author=document.issuer.legal_name,
                     locale=certificate.document_locale,
                     footer=identity_line(document.issuer, certificate.document_locale), pages_before=signed_pages)
    with pikepdf.open(BytesIO(signed)) as pdf, pikepdf.open(BytesIO(page)) as appendix:
        pdf.pages.extend(appendix.pages)
        out = BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def render_order_pdf(document: OrderDocument, locale: str, certificate: SignatureCertificate | None = None) -> bytes:
    """The order form (and its signature certificate page once signed), deterministic bytes."""
    style = styles()
    title = gettext("order.title", locale, company=document.company_name)
    story = [
        header(document.vendor_name, title, document.number, style, document.vendor_logo), Spacer(1, 8 * mm),
        two_parties(_contact_block(gettext("order.primary_contact", locale), document.primary_contact, style),
                    _contact_block(gettext("order.billing_contact", locale), document.billing_contact, style)),
        Spacer(1, 4 * mm),
        two_parties(_address_block(gettext("order.billing_address", locale), document.billing_address, style),
                    [para(gettext("order.number", locale), style["label"]), para(document.number, style["bold"])]),
        Spacer(1, 6 * mm), para(gettext("order.info", locale), style["bold"]), Spacer(1, 2 * mm),
        label_value_rows(order_information(document, locale), style), Spacer(1, 6 * mm),
        _lines(document, locale, style),
    ]
    if certificate is not None:
        story += [PageBreak(), *_certificate(document, certificate, locale, style)]
    return build_pdf(story, title=f"{title} — {document.number}", author=document.issuer.legal_name, locale=locale,
                     footer=identity_line(document.issuer, locale))
