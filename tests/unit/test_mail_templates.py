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
