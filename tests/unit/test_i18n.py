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


def _placeholders(text: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_the_same_placeholders_in_every_language():
    for key in _RAW["fr"]:
        assert _placeholders(_RAW["fr"][key]) == _placeholders(_RAW["en"][key]), key


def test_every_audit_action_reads_as_a_sentence_in_every_language():
    from lcadmin.domain.audit import AuditAction

    for action in AuditAction:
        for locale in LOCALES:
            assert gettext(f"audit.{action.value}", locale)


def _raised_codes() -> set[str]:
    """Every error code a service raises, read from the source (literal codes), plus the codes
    built from the domain's own lists (``email_…``, ``amount_…``, ``password_…``, ``link_…``,
    card and provider codes)."""
    import ast
    from pathlib import Path

    constructors = {"InvalidInput", "NotAllowed", "NotFound", "LinkProblem", "ProofRejected", "ServiceError"}
    codes = set()
    for path in (Path(__file__).resolve().parents[2] / "lcadmin").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in constructors
                    and node.args and isinstance(node.args[0], ast.Constant)):
                codes.add(node.args[0].value)
    codes |= {f"email_{c}" for c in ("empty", "invalid")}
    codes |= {f"amount_{c}" for c in ("empty", "malformed", "negative", "too_precise", "too_large", "zero")}
    codes |= {f"password_{c}" for c in ("too_short", "too_long", "common", "like_email")}
    codes |= {f"link_{c}" for c in ("unknown", "used", "expired", "revoked")}
    codes |= {"invalid_number", "invalid_expiry", "expired_card", "invalid_cvc", "card_declined", "insufficient_funds",
              "live_card_in_sandbox", "authentication_failed", "authentication_expired", "invalid_transition",
              "throttled", "invalid_characters", "name_required", "name_too_long"}
    return codes


def test_every_error_code_raised_has_a_message_in_every_language():
    codes = _raised_codes()
    assert {"proof_mismatch", "payment_in_progress", "no_pending_activation", "order_not_found"} <= codes
    missing = {(code, locale) for code in codes for locale in LOCALES if f"error.{code}" not in _RAW[locale]}
    assert not missing
