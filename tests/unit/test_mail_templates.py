"""What every e-mail carries: a plain link under each button, a refusal that does not look like an
approval, the vendor's identity and a contact, one fluid column."""

from __future__ import annotations

import re

import pytest

from lcadmin.mail import templates


def _approval(locale: str):
    return templates.approval_request_mail(locale, company="Flexis", requester="someone@gmail.com",
                                           document="la commande FLD102776277396",
                                           approve_link="https://admin.example/decision/OK", refuse_link="https://admin.example/decision/NO")


@pytest.mark.parametrize(("locale", "plain", "contact"), [
    ("fr", "Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur\u00a0:", "Une question\u202f? Écrivez-nous à"),
    ("en", "If the button does not work, copy this link into your browser:", "A question? Write to us at"),
])
def test_each_button_has_its_link_in_plain_text_and_the_footer_says_who_writes(locale, plain, contact):
    mail = _approval(locale)
    for url in ("https://admin.example/decision/OK", "https://admin.example/decision/NO"):
        assert re.search(rf'href="{url}"[^>]*>[^<]+</a></p><p[^>]*>{re.escape(plain)} <a href="{url}"[^>]*>{url}</a>',
                         mail.html), url
    for text in (mail.html, mail.text):
        assert "RCS Paris 812 345 676" in text and contact in text and "facturation@northwind.example" in text
    assert 'name="viewport"' in mail.html and "max-width:560px" in mail.html and 'width="560"' not in mail.html


def test_refusing_does_not_look_like_approving():
    styles = re.findall(r'<a href="https://admin.example/decision/(OK|NO)" style="(display[^"]+)"', _approval("fr").html)
    approve, refuse = (dict(styles)[key] for key in ("OK", "NO"))
    assert "background:#3e63dd" in approve and "background:#ffffff" in refuse and "#ce2c31" in refuse


_WALLET_MAILS = {
    "wallet_change": lambda locale, company: templates.wallet_change_mail(
        locale, company=company, actor="hbernard@flexis.com", change="La carte Visa •••• 3155 a été ajoutée.",
        link="https://admin.example/admin/payment-methods"),
    "card_expiry": lambda locale, company: templates.card_expiry_mail(
        locale, company=company, card="Visa •••• 4242", expiry="12/26", days="25", contracts="CTR-FLX-2026",
        link="https://admin.example/admin/payment-methods"),
    "mandate": lambda locale, company: templates.mandate_mail(locale, company=company, reference="LCA-000001-ABC"),
    "debit_notice": lambda locale, company: templates.debit_notice_mail(
        locale, company=company, number="F2026-00005", amount="180,00 €", date="26 décembre 2026",
        method="Prélèvement SEPA •••• 2606", reference="LCA-000001-ABC", creditor_id="FR72ZZZ123456",
        link="https://admin.example/admin/invoices/F2026-00005"),
    "collection_failed": lambda locale, company: templates.collection_failed_mail(
        locale, company=company, number="F2026-00005", amount="180,00 €", method="Visa •••• 4242",
        reason="Paiement refusé", retry="29 décembre 2026", link="https://admin.example/admin/invoices/F2026-00005"),
    "collection_action": lambda locale, company: templates.collection_action_mail(
        locale, company=company, number="F2026-00005", amount="180,00 €", method="Visa •••• 3184",
        link="https://admin.example/payments/authenticate/pi_1"),
}


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(_WALLET_MAILS))
def test_the_wallet_mails_escape_what_they_quote_and_fill_every_placeholder(kind, locale):
    mail = _WALLET_MAILS[kind](locale, '<b>Flexis</b> & "Co"')
    assert "&lt;b&gt;Flexis&lt;/b&gt; &amp;" in mail.html and "<b>Flexis</b>" not in mail.html
    assert '<b>Flexis</b> & "Co"' in mail.text
    for text in (mail.subject, mail.text, mail.html):
        assert not re.search(r"\{[a-z_]+\}", text), text
    for url in re.findall(r'href="(https://admin\.example[^"]+)"', mail.html):
        assert url in mail.text  # every button's link is in the plain text too
