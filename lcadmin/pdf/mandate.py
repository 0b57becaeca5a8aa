"""The SEPA Direct Debit mandate (SEPA Core, recurrent payments) as PDF: the scheme's own
wording with the creditor's name and identifier, the unique mandate reference, the debtor and
the account, then how it was signed online. The exact bytes signed are kept, with their SHA-256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date
from lcadmin.pdf.document import Party
from lcadmin.pdf.invoice import identity_line, label_value_rows, two_parties
from lcadmin.pdf.layout import build_pdf, header, para, styles


@dataclass(frozen=True)
class MandateDocument:
    """What a mandate states. ``signed_at`` is on the vendor's clocks."""

    reference: str  # the RUM
    creditor: Party
    creditor_id: str  # the ICS
    debtor_name: str
    debtor_address: tuple[str, ...]
    iban: str  # grouped by four: the signer's own account, printed whole on their mandate
    bic: str
    signer_name: str
    signer_email: str
    signed_at: datetime
    city: str  # where it was signed ("Fait à"): the debtor's city
    vendor_name: str
    vendor_logo: str = ""


def _block(title: str, lines: list[str], style) -> list:
    return [para(title, style["label"]), *[para(line, style["base"]) for line in lines if line]]


def render_mandate_pdf(document: MandateDocument, locale: str) -> bytes:
    """The mandate in ``locale`` (deterministic bytes for the same mandate)."""
    style = styles()
    title = gettext("mandate.title", locale)
    creditor = document.creditor
    creditor_lines = [creditor.legal_name, *creditor.address_lines, f"{creditor.postal_code} {creditor.city}",
                      gettext("mandate.creditor_id", locale, id=document.creditor_id)]
    story = [
        header(document.vendor_name, title, document.reference, style, document.vendor_logo), Spacer(1, 6 * mm),
        label_value_rows([(gettext("mandate.reference", locale), document.reference),
                          (gettext("mandate.type", locale), gettext("mandate.recurrent", locale))], style),
        Spacer(1, 5 * mm),
        para(gettext("mandate.legal", locale, creditor=creditor.legal_name), style["base"]), Spacer(1, 2 * mm),
        para(gettext("mandate.rights", locale), style["base"]), Spacer(1, 6 * mm),
        two_parties(_block(gettext("mandate.debtor", locale), [document.debtor_name, *document.debtor_address], style),
                    _block(gettext("mandate.creditor", locale), creditor_lines, style)),
        Spacer(1, 5 * mm),
        label_value_rows([(gettext("mandate.iban", locale), document.iban),
                          (gettext("mandate.bic", locale), document.bic)], style),
        Spacer(1, 6 * mm),
        para(gettext("mandate.signature", locale), style["bold"]), Spacer(1, 2 * mm),
        label_value_rows([
            (gettext("mandate.signed_by", locale), f"{document.signer_name} ({document.signer_email})"),
            (gettext("mandate.signed_at", locale), gettext(
                "mandate.place_date", locale, city=document.city, date=format_date(document.signed_at.date(), locale),
                time=f"{document.signed_at:%H:%M} ({document.signed_at:%Z})")),
            (gettext("mandate.how", locale), gettext("mandate.how_online", locale)),
        ], style),
        Spacer(1, 6 * mm),
        para(gettext("mandate.notice", locale, creditor=creditor.legal_name), style["small"]),
    ]
    return build_pdf(story, title=f"{title} {document.reference}", author=creditor.legal_name, locale=locale,
                     footer=identity_line(creditor, locale))
