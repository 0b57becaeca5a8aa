"""Factur-X (profile EN 16931): the invoice PDF made PDF/A-3, with its UN/CEFACT CII XML embedded.

The XML is a pure function of the same snapshot as the PDF. ``factur-x`` checks it against the
Factur-X XSD while embedding it, and writes the PDF/A-3 XMP metadata; reportlab embeds the
TrueType fonts, and an sRGB output intent (the profile comes from Pillow) completes PDF/A.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from io import BytesIO

import pikepdf
from facturx import generate_from_binary
from lxml import etree  # pyright: ignore[reportAttributeAccessIssue] (a compiled module)
from PIL import ImageCms

from lcadmin.domain.money import Money
from lcadmin.i18n import gettext
from lcadmin.pdf.document import InvoiceDocument, Party
from lcadmin.pdf.invoice import paid_line, payment_terms, render_invoice_pdf
from lcadmin.pdf.layout import PRODUCER

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
# UNTDID 1001: 380 commercial invoice, 381 credit note.
INVOICE, CREDIT_NOTE = "380", "381"


def _el(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _amount(document: InvoiceDocument, minor: int) -> str:
    return str(Money(minor, document.currency).to_decimal())


def _rate(rate_bp: int) -> str:
    return str((Decimal(rate_bp) / 100).quantize(Decimal("0.01")))


def _date(parent, tag: str, value: date) -> None:
    holder = _el(parent, tag)
    _el(holder, "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent, tag: str, party: Party) -> None:
    node = _el(parent, tag)
    _el(node, "ram:Name", party.legal_name)
    legal = _el(node, "ram:SpecifiedLegalOrganization")
    _el(legal, "ram:ID", party.siren, schemeID="0002")  # 0002: SIRENE
    address = _el(node, "ram:PostalTradeAddress")
    _el(address, "ram:PostcodeCode", party.postal_code)
    for tag_name, line in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), party.address_lines, strict=False):
        _el(address, tag_name, line)
    _el(address, "ram:CityName", party.city)
    _el(address, "ram:CountryID", party.country_code or "FR")
    # BT-34 / BT-49, required by the French e-invoicing rules: the SIREN-based electronic address.
    _el(_el(node, "ram:URIUniversalCommunication"), "ram:URIID", party.siren, schemeID="0225")
    if party.vat_number:
        _el(_el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_number, schemeID="VA")


def _payment_means(settlement, document: InvoiceDocument) -> None:
    """BG-16: how the invoice is paid. A card for one paid by card (48), a SEPA direct debit (59)
    for one collected from a mandate; otherwise a SEPA credit transfer (58) to the vendor's
    account (BT-84 IBAN, BT-86 BIC)."""
    means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    if document.paid_by in ("card", "sepa_debit"):
        _el(means, "ram:TypeCode", "48" if document.paid_by == "card" else "59")
        return
    _el(means, "ram:TypeCode", "58")
    if document.iban:
        _el(_el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", document.iban)
    if document.bic:
        _el(_el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", document.bic)


def build_cii_xml(document: InvoiceDocument, locale: str = "fr") -> bytes:
    """The EN 16931 Cross Industry Invoice for the document."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    # BT-23, French billing mode: S1, an invoice for services.
    _el(_el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", "S1")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)

    header = _el(root, "rsm:ExchangedDocument")
    _el(header, "ram:ID", document.number)
    _el(header, "ram:TypeCode", CREDIT_NOTE if document.is_credit_note else INVOICE)
    _date(header, "ram:IssueDateTime", document.issue_date)
    # The French mandatory mentions, with their UNTDID 4451 subject codes. The French rules
    # (BR-FR-05) want them in every document's XML, credit notes included, although a credit
    # note's PDF, with nothing to pay, does not print them.
    for code, key in (("PMD", "pdf.penalties"), ("PMT", "pdf.indemnity"), ("AAB", "pdf.discount")):
        note = _el(header, "ram:IncludedNote")
        _el(note, "ram:Content", gettext(key, locale))
        _el(note, "ram:SubjectCode", code)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(document.lines, start=1):
        item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
        _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.text(locale))
        price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
        _el(price, "ram:ChargeAmount", _amount(document, line.unit_price_minor))
        _el(_el(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", str(line.quantity), unitCode="C62")
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", "S")
        _el(tax, "ram:RateApplicablePercent", _rate(line.tax_rate_bp))
        _el(_el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
            _amount(document, line.amount_minor))

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    if document.purchase_order_ref:
        _el(agreement, "ram:BuyerReference", document.purchase_order_ref)
    _party(agreement, "ram:SellerTradeParty", document.issuer)
    _party(agreement, "ram:BuyerTradeParty", document.customer)
    if document.purchase_order_ref or document.order_number:
        _el(_el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID",
            document.purchase_order_ref or document.order_number)
    delivery = _el(_el(transaction, "ram:ApplicableHeaderTradeDelivery"), "ram:ActualDeliverySupplyChainEvent")
    _date(delivery, "ram:OccurrenceDateTime", document.period_start or document.issue_date)  # BT-72

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    if not document.is_credit_note:
        _el(settlement, "ram:PaymentReference", document.number)  # BT-83: what a transfer quotes
    _el(settlement, "ram:InvoiceCurrencyCode", document.currency)
    if not document.is_credit_note:
        _payment_means(settlement, document)
    for tax_line in document.taxes:
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _amount(document, tax_line.tax_minor))
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:BasisAmount", _amount(document, tax_line.base_minor))
        _el(tax, "ram:CategoryCode", "S")
        _el(tax, "ram:DueDateTypeCode", "5")  # VAT due on invoice date (5), services
        _el(tax, "ram:RateApplicablePercent", _rate(tax_line.rate_bp))
    if document.period_start and document.period_end:
        period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", document.period_start)
        _date(period, "ram:EndDateTime", document.period_end)
    # BR-CO-25: an amount due needs terms or a due date, a credit note's too (its terms say
    # what it is set against; its PDF, with nothing to pay by a date, prints none).
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    if document.is_credit_note:
        _el(terms, "ram:Description", gettext("pdf.credit_terms", locale, number=document.credited_number or ""))
    else:
        _el(terms, "ram:Description", paid_line(document, locale) if document.paid_on
            else payment_terms(document, locale))
    _date(terms, "ram:DueDateDateTime", document.due_date)
    sums = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(sums, "ram:LineTotalAmount", _amount(document, document.subtotal_minor))
    _el(sums, "ram:TaxBasisTotalAmount", _amount(document, document.subtotal_minor))
    _el(sums, "ram:TaxTotalAmount", _amount(document, document.tax_minor), currencyID=document.currency)
    _el(sums, "ram:GrandTotalAmount", _amount(document, document.total_minor))
    if document.paid_on:  # a receipted invoice: paid in full, nothing due
        _el(sums, "ram:TotalPrepaidAmount", _amount(document, document.total_minor))
    _el(sums, "ram:DuePayableAmount", _amount(document, document.amount_due_minor))
    if document.is_credit_note and document.credited_number:
        referenced = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(referenced, "ram:IssuerAssignedID", document.credited_number)
        if document.credited_issue_date:
            holder = _el(referenced, "ram:FormattedIssueDateTime")
            _el(holder, "qdt:DateTimeString", document.credited_issue_date.strftime("%Y%m%d"), format="102")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _with_output_intent(pdf_bytes: bytes) -> bytes:
    """Add the sRGB output intent PDF/A requires (reportlab does not write one)."""
    with pikepdf.open(BytesIO(pdf_bytes)) as pdf:
        profile = pikepdf.Stream(pdf, _srgb_profile())
        profile.N = 3
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, OutputConditionIdentifier="sRGB",
            Info="sRGB IEC61966-2.1", DestOutputProfile=profile,
        )])
        out = BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def render_facturx_pdf(document: InvoiceDocument, locale: str) -> bytes:
    """The Factur-X (EN 16931) PDF/A-3 of the document; raises if the XML fails the XSD."""
    pdf = _with_output_intent(render_invoice_pdf(document, locale))
    title = f"{gettext('pdf.credit_note' if document.is_credit_note else 'pdf.invoice', locale)} {document.number}"
    data = generate_from_binary(
        pdf, build_cii_xml(document, locale), flavor="factur-x", level="en16931", check_xsd=True,
        pdf_metadata={"author": document.issuer.legal_name, "keywords": "Factur-X", "title": title,
                      "subject": title},
        lang=locale,
    )
    return _stamped(data, document.issue_date)


def _stamped(pdf_bytes: bytes, issued: date) -> bytes:
    """The same bytes for the same invoice: the Factur-X writer dates the file, its XMP metadata
    and the embedded XML with the current time and picks a random file ID. Every date becomes the
    invoice's issue date (the document information and the XMP kept equal, as PDF/A requires,
    producer and keywords included) and the ID is derived from the content. The file is also marked PDF 1.7,
    which PDF/A-3 is built on."""
    stamp, info = issued.strftime("%Y-%m-%dT00:00:00+00:00"), issued.strftime("D:%Y%m%d000000+00'00'")
    with pikepdf.open(BytesIO(pdf_bytes)) as pdf:
        pdf.docinfo["/CreationDate"] = pdf.docinfo["/ModDate"] = info
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                meta[key] = stamp
            meta["pdf:Producer"] = str(pdf.docinfo.get("/Producer", PRODUCER))
            if "/Keywords" in pdf.docinfo:
                meta["pdf:Keywords"] = str(pdf.docinfo["/Keywords"])
        for attached in pdf.Root.get("/AF", []):
            attached.EF.F.Params.ModDate = pikepdf.String(info)
        out = BytesIO()
        pdf.save(out, deterministic_id=True, force_version="1.7")
        return out.getvalue()
