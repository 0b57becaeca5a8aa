"""The activity log in Chromium, on the production build: hbernard opens "Journal d'activité" in
a browser set to New York's time zone, sees the company's events in it, keeps only billing,
exports them as CSV and reads the file, then finds the export itself on record."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_billing import _sign_in

pytestmark = pytest.mark.e2e

TITLE = re.compile("Journal d.activité")  # French typography turns the apostrophe into ’


@pytest.fixture
def new_york(browser, prod_app):
    """A fresh profile whose clock is in New York (the page must report it, not the vendor's zone)."""
    context = browser.new_context(locale="fr-FR", timezone_id="America/New_York", viewport={"width": 1280,
                                                                                             "height": 900},
                                  accept_downloads=True, base_url=prod_app.url)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_an_admin_reads_filters_and_exports_the_activity_log(prod_app, new_york):
    page = new_york
    _sign_in(page, prod_app.url)
    page.get_by_role("navigation").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator("#audit-zone")).to_contain_text("America/New_York")
    table = page.get_by_role("table", name=re.compile("Événements du journal"))
    expect(table.get_by_role("row", name=re.compile("Session ouverte")).first).to_contain_text("Hugo Bernard")

    page.get_by_role("combobox", name="Catégorie").click()
    page.get_by_role("option", name="Facturation", exact=True).click()
    expect(table.get_by_role("row", name=re.compile("Session ouverte"))).to_have_count(0)
    issued = table.get_by_role("row", name=re.compile("Facture émise"))
    expect(issued.first).to_contain_text(re.compile(r"Facture F2026-\d{5}"))
    expect(issued.first).to_contain_text("Réussi")

    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter (CSV)").click()
    assert download.value.suggested_filename.startswith("journal-activite-")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Date et heure (America/New_York);Personne;E-mail;Catégorie;Action;Document;Adresse IP;"
                        "Résultat")
    assert len(lines) > 1 and all(";Facturation;" in line for line in lines[1:])
    assert any(";Facture émise;Facture F2026-" in line for line in lines[1:])

    page.get_by_role("combobox", name="Catégorie").click()
    page.get_by_role("option", name="Administrateurs et accès").click()
    exported = table.get_by_role("row", name=re.compile("exporté")).first  # newest first: this export
    expect(exported).to_contain_text("hbernard@flexis.com")

    # A period ending before it starts is said next to its field, and the page goes on working.
    page.get_by_label("Du", exact=True).fill("2030-01-02")
    page.get_by_label("Au", exact=True).fill("2030-01-01")
    expect(page.locator("#audit-to-error")).to_contain_text("précède la date de début")
    expect(page.get_by_text("Aucun événement ne correspond à ces filtres.")).to_be_visible()
    page.get_by_role("button", name="Effacer les filtres").click()
    expect(page.locator("#audit-to-error")).to_have_count(0)
    expect(table.get_by_role("row", name=re.compile("Session ouverte")).first).to_be_visible()
