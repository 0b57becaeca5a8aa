"""The e-mails, in French and English, as HTML and plain text. Wording lives in the catalogs
(``mail.*`` keys); every value put into HTML is escaped.

The HTML is one fluid column (at most 560 px, the full width of a phone), each button is followed
by its link in plain text (for mail clients that strip buttons, and to see where it leads), a
refusing button looks unlike an approving one, and the footer carries the vendor's identity and
a contact address."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from lcadmin.i18n import gettext


@dataclass(frozen=True)
class RenderedMail:
    """One e-mail ready for the outbox."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _Button:
    label_key: str
    url: str
    tone: str = "primary"  # "primary" (filled) or "danger" (outlined in red)


_BUTTON_STYLES = {
    "primary": "background:#3e63dd;color:#ffffff;border:2px solid #3e63dd",
    "danger": "background:#ffffff;color:#ce2c31;border:2px solid #ce2c31",
}


def _render(locale: str, *, subject_key: str, paragraph_keys: list[str], buttons: list[_Button],
            footer_key: str | None, values: dict[str, str]) -> RenderedMail:
    subject = gettext(subject_key, locale, **values)
    paragraphs = [gettext(key, locale, **values) for key in paragraph_keys]
    labels = [(gettext(button.label_key, locale), button.url, button.tone) for button in buttons]
    footer = gettext(footer_key, locale, **values) if footer_key else ""
    signature = gettext("mail.signature", locale)

    text_parts = [gettext("mail.greeting", locale), *paragraphs]
    text_parts += [f"{label} : {url}" if locale == "fr" else f"{label}: {url}" for label, url, _ in labels]
    text_parts += [footer, signature] if footer else [signature]
    identity = [gettext("footer.legal", locale), gettext("mail.contact", locale)]
    text = "\n\n".join(text_parts) + "\n\n-- \n" + "\n".join(identity) + "\n"

    plain_link = gettext("mail.plain_link", locale)
    button_html = "".join(
        f'<p style="margin:8px 0 4px"><a href="{escape(url)}" style="display:inline-block;padding:12px 20px;'
        f'{_BUTTON_STYLES[tone]};text-decoration:none;border-radius:8px;font-weight:600">{escape(label)}</a></p>'
        f'<p style="margin:0 0 16px;color:#60646c;font-size:13px">{escape(plain_link)} '
        f'<a href="{escape(url)}" style="color:#3a5bc7;word-break:break-all">{escape(url)}</a></p>'
        for label, url, tone in labels
    )
    body = "".join(f'<p style="margin:0 0 16px">{escape(p)}</p>' for p in paragraphs)
    footer_html = f'<p style="margin:24px 0 0;color:#60646c;font-size:13px">{escape(footer)}</p>' if footer else ""
    html = (
        f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(subject)}</title></head>'
        '<body style="margin:0;background:#f5f6f8;font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1c2024;'
        'font-size:16px;line-height:1.5">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">'
        '<tr><td align="center" style="padding:16px 8px">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="width:100%;max-width:560px;background:#ffffff;border-radius:12px"><tr><td style="padding:24px 20px">'
        f'<p style="margin:0 0 24px;font-weight:700;font-size:18px">{escape(gettext("app.name", locale))}</p>'
        f'<p style="margin:0 0 16px">{escape(gettext("mail.greeting", locale))}</p>{body}{button_html}'
        f'{footer_html}<p style="margin:24px 0 0">{escape(signature)}</p>'
        '</td></tr></table>'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="width:100%;max-width:560px">'
        '<tr><td style="padding:12px 20px;color:#60646c;font-size:12px">'
        + "<br>".join(escape(line) for line in identity) +
        "</td></tr></table></td></tr></table></body></html>"
    )
    return RenderedMail(subject=subject, text=text, html=html)


def activation_mail(locale: str, *, company: str, link: str, hours: int) -> RenderedMail:
    """To the person who asked: "Bienvenue dans le {vendor} Admin Center" with "Activer mon compte"."""
    return _render(locale, subject_key="mail.activation.subject",
                   paragraph_keys=["mail.activation.intro", "mail.activation.validity"],
                   buttons=[_Button("mail.activation.button", link)], footer_key="mail.activation.ignore",
                   values={"company": company, "hours": str(hours)})


def access_alert_mail(locale: str, *, company: str, requester: str, document: str, report_link: str) -> RenderedMail:
    """To the company's contacts: someone proved a document and got an activation link."""
    return _render(locale, subject_key="mail.alert.subject", paragraph_keys=["mail.alert.intro", "mail.alert.report"],
                   buttons=[_Button("mail.alert.button", report_link)], footer_key=None,
                   values={"company": company, "requester": requester, "document": document})


def access_granted_mail(locale: str, *, company: str, requester: str, account: str, document: str,
                        report_link: str) -> RenderedMail:
    """To the company's contacts: an access proved with a document is now active, for this account."""
    return _render(locale, subject_key="mail.granted.subject",
                   paragraph_keys=["mail.granted.intro", "mail.alert.report"],
                   buttons=[_Button("mail.alert.button", report_link)], footer_key=None,
                   values={"company": company, "requester": requester, "account": account, "document": document})


def approval_request_mail(locale: str, *, company: str, requester: str, document: str,
                          approve_link: str, refuse_link: str) -> RenderedMail:
    """To the company's contacts: an unknown address proved a document and awaits their decision."""
    return _render(locale, subject_key="mail.approval.subject",
                   paragraph_keys=["mail.approval.intro", "mail.approval.why"],
                   buttons=[_Button("mail.approval.approve", approve_link),
                            _Button("mail.approval.refuse", refuse_link, tone="danger")],
                   footer_key=None, values={"company": company, "requester": requester, "document": document})


def access_refused_mail(locale: str, *, company: str) -> RenderedMail:
    """To the person who asked: a contact refused the request."""
    return _render(locale, subject_key="mail.refused.subject", paragraph_keys=["mail.refused.intro"], buttons=[],
                   footer_key=None, values={"company": company})


def receipt_mail(locale: str, *, company: str, number: str, amount: str) -> RenderedMail:
    """To the billing contact: an online payment succeeded (the receipt PDF is attached)."""
    return _render(locale, subject_key="mail.receipt.subject", paragraph_keys=["mail.receipt.intro"], buttons=[],
                   footer_key=None, values={"company": company, "number": number, "amount": amount})


def password_reset_mail(locale: str, *, link: str, minutes: int) -> RenderedMail:
    """To an account's address: "Choisir un nouveau mot de passe", valid ``minutes``."""
    return _render(locale, subject_key="mail.reset.subject", paragraph_keys=["mail.reset.intro", "mail.reset.validity"],
                   buttons=[_Button("mail.reset.button", link)], footer_key="mail.reset.ignore",
                   values={"minutes": str(minutes)})


def password_changed_mail(locale: str) -> RenderedMail:
    """To an account's address: its password was just changed, and every session ended."""
    return _render(locale, subject_key="mail.changed.subject", paragraph_keys=["mail.changed.intro",
                                                                               "mail.changed.not_you"],
                   buttons=[], footer_key=None, values={})


def wallet_change_mail(locale: str, *, company: str, actor: str, change: str, link: str) -> RenderedMail:
    """To the billing contact and the payment-method managers: who changed the wallet, and what."""
    return _render(locale, subject_key="mail.wallet.subject",
                   paragraph_keys=["mail.wallet.intro", "mail.wallet.change", "mail.wallet.not_you"],
                   buttons=[_Button("mail.wallet.button", link)], footer_key=None,
                   values={"company": company, "actor": actor, "change": change})


def card_expiry_mail(locale: str, *, company: str, card: str, expiry: str, days: str, contracts: str,
                     link: str) -> RenderedMail:
    """To the same people: a saved card stops working in ``days`` days."""
    return _render(locale, subject_key="mail.expiry.subject",
                   paragraph_keys=["mail.expiry.intro", "mail.expiry.contracts" if contracts else "mail.expiry.none",
                                   "mail.expiry.replace"],
                   buttons=[_Button("mail.expiry.button", link)], footer_key=None,
                   values={"company": company, "card": card, "expiry": expiry, "days": days, "contracts": contracts})


def mandate_mail(locale: str, *, company: str, reference: str) -> RenderedMail:
    """To the signer and the billing contact: the signed SEPA mandate (its PDF attached)."""
    return _render(locale, subject_key="mail.mandate.subject", paragraph_keys=["mail.mandate.intro",
                                                                               "mail.mandate.rights"],
                   buttons=[], footer_key=None, values={"company": company, "reference": reference})


def debit_notice_mail(locale: str, *, company: str, number: str, amount: str, date: str, method: str, reference: str,
                      creditor_id: str, link: str) -> RenderedMail:
    """The SEPA pre-notification: which invoice is debited, how much, when, under which mandate."""
    return _render(locale, subject_key="mail.debit.subject", paragraph_keys=["mail.debit.intro", "mail.debit.nothing"],
                   buttons=[_Button("mail.debit.button", link)], footer_key=None,
                   values={"company": company, "number": number, "amount": amount, "date": date, "method": method,
                           "reference": reference, "creditor_id": creditor_id})


def collection_failed_mail(locale: str, *, company: str, number: str, amount: str, method: str, reason: str,
                           retry: str, link: str) -> RenderedMail:
    """An automatic collection failed: why, and the next try (``retry``) or none."""
    return _render(locale, subject_key="mail.collect_failed.subject",
                   paragraph_keys=["mail.collect_failed.intro",
                                   "mail.collect_failed.retry" if retry else "mail.collect_failed.last"],
                   buttons=[_Button("mail.collect_failed.button", link)], footer_key=None,
                   values={"company": company, "number": number, "amount": amount, "method": method,
                           "reason": reason, "retry": retry})


def collection_action_mail(locale: str, *, company: str, number: str, amount: str, method: str,
                           link: str) -> RenderedMail:
    """The bank asks the cardholder to authenticate a collection: the link to its 3-D Secure page."""
    return _render(locale, subject_key="mail.collect_action.subject",
                   paragraph_keys=["mail.collect_action.intro", "mail.collect_action.do"],
                   buttons=[_Button("mail.collect_action.button", link)], footer_key=None,
                   values={"company": company, "number": number, "amount": amount, "method": method})


def seat_invitation_mail(locale: str, *, company: str, product: str, inviter: str, link: str,
                         days: str) -> RenderedMail:
    """To an invitee: "Vous avez reçu une licence {product}", with "Activer ma licence"."""
    return _render(locale, subject_key="mail.seat.subject", paragraph_keys=["mail.seat.intro", "mail.seat.how"],
                   buttons=[_Button("mail.seat.button", link)], footer_key="mail.seat.validity",
                   values={"company": company, "product": product, "inviter": inviter, "days": days})


def seat_removed_mail(locale: str, *, company: str, product: str) -> RenderedMail:
    """To a former holder: their licence was taken back."""
    return _render(locale, subject_key="mail.seat_removed.subject", paragraph_keys=["mail.seat_removed.intro"],
                   buttons=[], footer_key=None, values={"company": company, "product": product})


def seats_to_sign_mail(locale: str, *, company: str, number: str, product: str, seats: str, requester: str,
                       link: str) -> RenderedMail:
    """To the company's signers: an order of seats, prepared by someone who may not sign it."""
    return _render(locale, subject_key="mail.seats_to_sign.subject", paragraph_keys=["mail.seats_to_sign.intro"],
                   buttons=[_Button("mail.seats_to_sign.button", link)], footer_key=None,
                   values={"company": company, "number": number, "product": product, "seats": seats,
                           "requester": requester})


def admin_invitation_mail(locale: str, *, company: str, role: str, inviter: str, link: str,
                          days: str) -> RenderedMail:
    """To an invitee: "{inviter} vous invite à administrer {company}", with "Accepter l'invitation"."""
    return _render(locale, subject_key="mail.admin_invite.subject",
                   paragraph_keys=["mail.admin_invite.intro", "mail.admin_invite.how"],
                   buttons=[_Button("mail.admin_invite.button", link)], footer_key="mail.admin_invite.validity",
                   values={"company": company, "role": role, "inviter": inviter, "days": days})


def admin_change_mail(locale: str, *, company: str, actor: str, change: str, link: str) -> RenderedMail:
    """To the person concerned and to the full admins: who changed which access to the company."""
    return _render(locale, subject_key="mail.admin_change.subject",
                   paragraph_keys=["mail.admin_change.intro", "mail.admin_change.change", "mail.admin_change.not_you"],
                   buttons=[_Button("mail.admin_change.button", link)], footer_key=None,
                   values={"company": company, "actor": actor, "change": change})


def access_ending_mail(locale: str, *, company: str, person: str, date: str, link: str, own: bool) -> RenderedMail:
    """A week before a time-limited access ends: to the person (``own``) and to the full admins."""
    who = "own" if own else "admins"
    return _render(locale, subject_key=f"mail.access_ending.subject_{who}",
                   paragraph_keys=[f"mail.access_ending.intro_{who}", f"mail.access_ending.how_{who}"],
                   buttons=[] if own else [_Button("mail.admin_change.button", link)], footer_key=None,
                   values={"company": company, "person": person, "date": date})


def two_factor_mail(locale: str, *, event: str) -> RenderedMail:
    """To an account's address: two-step verification was turned on (``enabled``, every other
    session then ended), turned off (``disabled``), or a recovery code was used (``recovery``)."""
    return _render(locale, subject_key=f"mail.two_factor.{event}.subject",
                   paragraph_keys=[f"mail.two_factor.{event}.intro", "mail.changed.not_you"],
                   buttons=[], footer_key=None, values={})
