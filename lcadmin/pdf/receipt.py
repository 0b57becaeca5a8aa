"""The payment receipt PDF, sent to the billing contact when an online payment succeeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from lcadmin.domain.money import Money
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.pdf.document import Party
from lcadmin.pdf.invoice import (
    identity_line,
    label_value_rows,
    party_block,
    two_parties,
)
from lcadmin.pdf.layout import build_pdf, header, para, styles


@dataclass(frozen=True)
class ReceiptDocument:
    """What a receipt states."""

    receipt_number: str
    invoice_number: str
    paid_at: datetime  # on the vendor's clocks
    amount_minor: int
    currency: str
    card: str
    reference: str
    issuer: Party
    customer: Party
    vendor_name: str
    vendor_logo: str = ""


def render_receipt_pdf(document: ReceiptDocument, locale: str) -> bytes:
    """The receipt, deterministic for the same payment."""
    style = styles()
    title = gettext("receipt.title", locale)
    rows = [(gettext("receipt.number", locale), document.receipt_number),
            (gettext("receipt.invoice", locale), document.invoice_number),
            (gettext("receipt.paid_at", locale), f"{format_date(document.paid_at.date(), locale)} "
                                                 f"{document.paid_at:%H:%M} ({document.paid_at:%Z})"),
            (gettext("receipt.amount", locale), format_money(Money(document.amount_minor, document.currency), locale)),
            (gettext("receipt.card", locale), document.card),
            (gettext("receipt.reference", locale), document.reference)]
    story = [header(document.vendor_name, title, document.receipt_number, style, document.vendor_logo),
             Spacer(1, 8 * mm),
             two_parties(party_block(gettext("pdf.issuer", locale), document.issuer, locale, style),
                         party_block(gettext("pdf.customer", locale), document.customer, locale, style)),
             Spacer(1, 6 * mm), label_value_rows(rows, style), Spacer(1, 6 * mm),
             para(gettext("receipt.thanks", locale), style["base"])]
    return build_pdf(story, title=f"{title} {document.receipt_number}", author=document.issuer.legal_name,
                     locale=locale, footer=identity_line(document.issuer, locale))
