import pytest

from lcadmin.i18n import (
    _RAW,
    LOCALES,
    catalog,
    french_typography,
    gettext,
    negotiate_locale,
)


def test_every_message_exists_in_every_language():
    keys = {locale: set(_RAW[locale]) for locale in LOCALES}
    assert keys["fr"] == keys["en"]


def test_messages_carry_the_vendor_name():
    assert catalog("fr")["home.title"] == "Activer la gestion de la facturation dans le Northwind Admin Center"
    assert catalog("en")["cta.access_billing"] == "Access billing"
    assert catalog("fr")["cta.access_billing"] == "Accéder à la facturation"
    assert all("{vendor" not in text for locale in LOCALES for text in catalog(locale).values())


def test_a_missing_message_is_an_error_not_a_key_on_screen():
    with pytest.raises(KeyError):
        gettext("no.such.key", "fr")


def test_french_typography_keeps_guillemets_with_their_words():
    assert french_typography("« Suivant »") == "«\u00a0Suivant\u00a0»"
    assert french_typography("Comment procéder ?") == "Comment procéder\u202f?"
    assert french_typography("Important :") == "Important\u00a0:"
    assert french_typography("l'adresse") == "l\u2019adresse"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("en-US,en;q=0.9,fr;q=0.8", "en"), ("fr-FR,fr;q=0.9,en;q=0.8", "fr"), ("de-DE,de;q=0.9", "fr"),
     ("de;q=0.9,en;q=0.5", "en"), ("fr;q=0.1,en;q=0.6", "en"), ("en;q=0", "fr"), ("", "fr"), (None, "fr"),
     ("xx-!!,en", "en"), ("en-GB;q=abc,fr", "fr"), ("*", "fr")],
)
def test_first_visit_follows_the_browser_language(header, expected):
    assert negotiate_locale(header, default="fr") == expected
