"""The public page in a real browser: French first, English on demand, small screens, dark mode."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TITLE_FR = "Activer la gestion de la facturation dans le Northwind Admin Center"
TITLE_EN = "Turn on billing management in the Northwind Admin Center"


def _open(new_page, app_url, **kwargs):
    page = new_page(**kwargs)
    page.goto(app_url + "/")
    return page


def test_the_page_renders_in_french_with_the_way_in_at_the_top(new_page, app_url):
    page = _open(new_page, app_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_FR)
    button = page.get_by_role("button", name="Accéder à la facturation")
    expect(button).to_be_visible()
    heading_box = page.get_by_role("heading", level=1).bounding_box()
    assert button.bounding_box()["y"] < 500 and heading_box["y"] < button.bounding_box()["y"]
    expect(page.get_by_text("Conseil de pro")).to_have_count(2)
    for benefit in ("Accédez à vos contrats et à vos commandes", "Téléchargez vos factures instantanément",
                    "Mettez à jour vos modes de paiement plus efficacement",
                    "Gérez toutes vos licences et autorisations Northwind"):
        expect(page.get_by_text(benefit)).to_be_visible()
    expect(page.locator("ol li")).to_have_count(5)
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_english_switches_the_page_and_is_remembered(new_page, app_url):
    page = _open(new_page, app_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_FR)
    page.get_by_role("radio", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_EN)
    expect(page.get_by_role("button", name="Access billing")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_EN)
    page.get_by_role("radio", name="Français").click()
    expect(page.get_by_role("button", name="Accéder à la facturation")).to_be_visible()


def test_a_first_visit_follows_the_browser_language(new_page, app_url):
    page = _open(new_page, app_url, locale="en-US")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_EN)
    expect(page.get_by_role("radio", name="English")).to_be_checked()


def test_the_page_fits_a_375_pixel_screen(new_page, app_url):
    page = _open(new_page, app_url, width=375)
    expect(page.get_by_role("button", name="Accéder à la facturation")).to_be_in_viewport()
    expect(page.get_by_role("radio", name="English")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    button = page.get_by_role("button", name="Accéder à la facturation").bounding_box()
    assert button["x"] >= 0 and button["x"] + button["width"] <= 375


def test_dark_mode_follows_the_system(new_page, app_url):
    page = _open(new_page, app_url, color_scheme="dark")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_FR)
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    background = page.evaluate("getComputedStyle(document.querySelector('.site')).backgroundColor")
    channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
    assert max(channels) < 80, background
