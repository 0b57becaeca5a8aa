"""The parties as documents state them, shared by every document: the vendor as issuer, the
customer with its billing address (or its registered office when it has none)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from lcadmin.domain.statuses import AddressKind
from lcadmin.models import Address, Company
from lcadmin.models import DocumentLine as DocumentLineColumns
from lcadmin.pdf.document import DocumentLine, Party
from lcadmin.settings import VendorSettings


def billing_address(session: Session, company_id: int) -> Address | None:
    """Where a company's documents go: its billing address, else its registered office."""
    addresses = {a.kind: a for a in session.exec(select(Address).where(Address.company_id == company_id))}
    return addresses.get(AddressKind.BILLING.value) or addresses.get(AddressKind.REGISTERED.value)


def issuer_snapshot(vendor: VendorSettings) -> dict[str, Any]:
    """The vendor as documents state it, kept with each invoice as it was on its issue date."""
    return {"name": vendor.name, "legal_name": vendor.legal_name, "siren": vendor.siren,
            "vat_number": vendor.vat_number, "address": [vendor.address_line1], "postal_code": vendor.postal_code,
            "city": vendor.city, "country_code": vendor.country_code, "logo": vendor.logo_path,
            "share_capital": vendor.share_capital, "rcs_city": vendor.rcs_city, "iban": vendor.iban, "bic": vendor.bic}


def customer_snapshot(session: Session, company: Company) -> dict[str, Any]:
    """The customer as documents state it: legal identity and billing address."""
    address = billing_address(session, company.id)
    return {"legal_name": company.legal_name, "siren": company.siren, "vat_number": company.vat_number or "",
            "recipient": (address.recipient if address else None) or "",
            "address": [line for line in ((address.line1, address.line2) if address else ()) if line],
            "postal_code": address.postal_code if address else "", "city": address.city if address else "",
            "country_code": address.country_code if address else "FR"}


def document_line(row: DocumentLineColumns) -> DocumentLine:
    """An order's or an invoice's stored line, as the documents print it."""
    return DocumentLine(row.description, row.quantity, row.unit_price_minor, row.tax_rate_bp, row.amount_minor,
                        row.description_en or "")


def party(snapshot: dict[str, Any]) -> Party:
    """The party a snapshot describes, as the PDFs print it."""
    return Party(legal_name=snapshot.get("legal_name", ""), address_lines=tuple(snapshot.get("address", ())),
                 postal_code=snapshot.get("postal_code", ""), city=snapshot.get("city", ""),
                 country_code=snapshot.get("country_code", "FR"), siren=snapshot.get("siren", ""),
                 vat_number=snapshot.get("vat_number", ""), recipient=snapshot.get("recipient", ""),
                 share_capital=int(snapshot.get("share_capital") or 0), rcs_city=snapshot.get("rcs_city", ""))
