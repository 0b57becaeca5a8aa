"""Invoice rendering speed: the plain PDF and the Factur-X PDF/A-3 of a one-page invoice and of a
200-line invoice, against the same invoice rendered from HTML by WeasyPrint (optional `bench`
extra: `.venv/bin/pip install -e '.[bench]'`). Prints medians; run with `make bench`."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lcadmin.domain.money import Money
from lcadmin.domain.pricing import PricedLine, compute_totals
from lcadmin.i18n.format import format_money
from lcadmin.pdf.document import DocumentLine, InvoiceDocument, Party, TaxLine
from lcadmin.pdf.facturx import render_facturx_pdf
from lcadmin.pdf.invoice import render_invoice_pdf

LOGO = Path(__file__).resolve().parents[1] / "assets" / "northwind-logo.png"
NORTHWIND = Party("Northwind SAS", ("10 rue de la Paix",), "75002", "Paris", "FR", "812345676", "FR19812345676")
FLEXIS = Party("Flexis SAS", ("8 avenue des Ternes",), "75017", "Paris", "FR", "552203101", "FR53552203101",
               "Service comptabilité")


def invoice(line_count: int) -> InvoiceDocument:
    """A Flexis invoice with ``line_count`` lines (the first is the seed's 12 licences)."""
    lines = [DocumentLine("Licence Northwind Recruiter — 12 mois", 12, 300_00, 2000, 3_600_00)]
    lines += [DocumentLine(f"Licence supplémentaire n° {n} — prorata", 1, 25_00 + n, 2000, 25_00 + n)
              for n in range(1, line_count)]
    totals = compute_totals((PricedLine(line.quantity, Money(line.unit_price_minor, "EUR"), line.tax_rate_bp) for line in lines),
                            "EUR")
    return InvoiceDocument(
        number="F2026-00001", is_credit_note=False, credited_number=None, credited_issue_date=None,
        issue_date=date(2026, 1, 2), due_date=date(2026, 2, 1), period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31), order_number="FLD102776277396", purchase_order_ref=None, currency="EUR",
        payment_terms_days=30, lines=tuple(lines),
        taxes=tuple(TaxLine(rate, base.minor, tax.minor) for rate, (base, tax) in totals.tax_by_rate.items()),
        subtotal_minor=totals.subtotal.minor, tax_minor=totals.tax.minor, total_minor=totals.total.minor,
        issuer=NORTHWIND, customer=FLEXIS, vendor_name="Northwind", vendor_logo=str(LOGO),
    )


def html_invoice(document: InvoiceDocument) -> str:
    """The same content as HTML, laid out with CSS, for WeasyPrint."""
    money = lambda minor: escape(format_money(Money(minor, "EUR"), "fr"))
    rows = "".join(f"<tr><td>{escape(line.description)}</td><td class=r>{line.quantity}</td><td class=r>"
                   f"{money(line.unit_price_minor)}</td><td class=r>20 %</td><td class=r>{money(line.amount_minor)}</td></tr>"
                   for line in document.lines)
    return f"""<!doctype html><html lang=fr><head><meta charset=utf-8><style>
    @page {{ size: A4; margin: 16mm 18mm 18mm; @bottom-right {{ content: "Page " counter(page) " sur " counter(pages); font-size: 7pt; }} }}
    body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; }} table {{ width: 100%; border-collapse: collapse; }}
    td, th {{ padding: 4px; border-bottom: 0.3pt solid #d9d9e0; }} .r {{ text-align: right; }} h1 {{ text-align: right; }}
    </style></head><body><h1>Facture {document.number}</h1>
    <p><b>{escape(document.issuer.legal_name)}</b><br>10 rue de la Paix<br>75002 Paris<br>SIREN : 812345676</p>
    <p><b>{escape(document.customer.legal_name)}</b><br>8 avenue des Ternes<br>75017 Paris<br>SIREN : 552203101</p>
    <table><tr><th>Désignation</th><th>Qté</th><th>Prix unitaire HT</th><th>TVA</th><th>Montant HT</th></tr>{rows}</table>
    <p class=r>Total HT {money(document.subtotal_minor)}<br>Total TVA {money(document.tax_minor)}<br>
    <b>Total TTC {money(document.total_minor)}</b></p>
    <p>Conditions de paiement : à 30 jours. Pénalités de retard : taux BCE + 10 points. Indemnité forfaitaire : 40 €.</p>
    </body></html>"""


def median_ms(work, rounds: int) -> float:
    work()  # warm-up: fonts, caches
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> None:
    try:
        from weasyprint import HTML
    except ImportError:
        HTML = None
    for label, count, rounds in (("one-page invoice", 1, 30), ("200-line invoice", 200, 7)):
        document = invoice(count)
        plain = median_ms(lambda document=document: render_invoice_pdf(document, "fr"), rounds)
        facturx = median_ms(lambda document=document: render_facturx_pdf(document, "fr"), rounds)
        line = f"{label:18} plain PDF {plain:7.1f} ms   Factur-X {facturx:7.1f} ms"
        if HTML is not None:
            markup = html_invoice(document)
            weasy = median_ms(lambda markup=markup: HTML(string=markup).write_pdf(), max(3, rounds // 3))
            line += f"   WeasyPrint {weasy:7.1f} ms   ratio {weasy / plain:5.1f}x"
        print(line)
    if HTML is None:
        print("(WeasyPrint not installed: `.venv/bin/pip install -e '.[bench]'` to compare)")


if __name__ == "__main__":
    main()
