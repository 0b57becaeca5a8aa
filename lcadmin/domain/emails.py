"""Business e-mail addresses: syntax (no DNS lookup), one normal form, free-mail detection."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from lcadmin.domain.problems import Problem

# Consumer mailboxes: someone typing one of these is asked for their professional address.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "outlook.fr", "hotmail.com", "hotmail.fr", "live.com",
    "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "ymail.com", "icloud.com", "me.com", "mac.com",
    "aol.com", "gmx.com", "gmx.fr", "gmx.de", "web.de", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr",
    "laposte.net", "bbox.fr", "neuf.fr", "proton.me", "protonmail.com", "pm.me", "tutanota.com",
    "mail.com", "yandex.com", "yandex.ru", "zoho.com", "hey.com", "fastmail.com",
})


class EmailProblem(Problem):
    """The text is not an e-mail address (``code``: ``empty`` or ``invalid``)."""


def normalize_email(text: str) -> str:
    """The address in one canonical form: trimmed, IDNA-normalised, lower case.

    Raises:
        EmailProblem: ``empty`` or ``invalid``.
    """
    text = (text or "").strip()
    if not text:
        raise EmailProblem("empty")
    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise EmailProblem("invalid") from error
    return info.normalized.lower()


def email_domain(email: str) -> str:
    """The domain part of a normalised address."""
    return email.rpartition("@")[2]


def is_free_mail(email: str) -> bool:
    """Whether the address is at a consumer mailbox provider."""
    return email_domain(email) in FREE_MAIL_DOMAINS


def split_addresses(text: object) -> tuple[list[str], list[str]]:
    """The addresses typed (one per line, or separated by commas, semicolons or spaces): the
    valid ones normalised, each once, in order; and the ones refused, as typed."""
    raw = str(text) if isinstance(text, str) else ""
    parts = [part.strip() for part in raw.replace(";", ",").replace("\n", ",").replace(" ", ",").split(",")]
    valid, refused = [], []
    for part in parts:
        if not part:
            continue
        try:
            address = normalize_email(part[:320])
        except EmailProblem:
            refused.append(part[:80])
            continue
        if address not in valid:
            valid.append(address)
    return valid, refused
