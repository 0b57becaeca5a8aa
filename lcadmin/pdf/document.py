"""What an invoice or credit note says, as a frozen snapshot: the PDF and the Factur-X XML are
pure functions of it, so the same invoice always gives the same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Party:
    """The issuer or the customer, as on the issue date."""

    legal_name: str
    address_lines: tuple[str, ...]
    postal_code: str
    city: str
    country_code: str
    siren: str
    vat_number: str
    recipient: str = ""
    share_capital: int = 0  # euros; the issuer's "SAS au capital de …" (0: not stated)
    rcs_city: str = ""  # the issuer's registry court: "RCS Paris 812 345 676"


@dataclass(frozen=True)
class DocumentLine:
    """One line, as invoiced."""

    description: str
    quantity: int
    unit_price_minor: int
    tax_rate_bp: int
    amount_minor: int
    description_en: str = ""

    def text(self, locale: str) -> str:
        """The line's description in ``locale`` (French when it has no English one)."""
        return self.description_en if locale == "en" and self.description_en else self.description


@dataclass(frozen=True)
class TaxLine:
    """One VAT rate with its base and its tax."""

    rate_bp: int
    base_minor: int
    tax_minor: int


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything an invoice or credit note shows."""

    number: str
    is_credit_note: bool
    credited_number: str | None
    credited_issue_date: date | None
    issue_date: date
    due_date: date
    period_start: date | None
    period_end: date | None
    order_number: str | None
    purchase_order_ref: str | None
    currency: str
    payment_terms_days: int
    lines: tuple[DocumentLine, ...]
    taxes: tuple[TaxLine, ...]
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    issuer: Party
    customer: Party
    vendor_name: str
    vendor_logo: str = ""  # PNG or JPEG file; the vendor's initial is drawn without one
    iban: str = ""  # where a transfer pays it, with the number as the payment reference
    bic: str = ""
    paid_on: date | None = None  # on the vendor's calendar: a paid invoice is printed "Acquittée"
    paid_by: str = ""  # "card", "sepa_debit" or "transfer"

    @property
    def amount_due_minor(self) -> int:
        """What is left to pay: nothing once paid."""
        return 0 if self.paid_on else self.total_minor

    @property
    def filename(self) -> str:
        """``F2026-00001.pdf``."""
        return f"{self.number}.pdf"
