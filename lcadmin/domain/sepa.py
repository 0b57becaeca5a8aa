"""SEPA Direct Debit: bank accounts, the creditor identifier and mandate references.

An IBAN is checked with schwifty (the country's length and format, the ISO 13616 check digits
and, where the country has one, the national checksum); the BIC is derived from the bank code
where schwifty's registry knows the bank. Only the country and the last four characters are ever
shown again (``FR14 •••• 2606``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from lcadmin.domain.problems import Problem

# The SEPA scheme's countries (EPC409-09, 2025): an account elsewhere cannot be debited.
SEPA_COUNTRIES = frozenset({
    "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM", "VA",
    # French overseas departments and territories with their own country codes
    "GF", "GP", "MQ", "YT", "RE", "PM", "BL", "MF", "AX", "PF", "NC", "WF"})
_REFERENCE = re.compile(r"[A-Za-z0-9+?/:().,' -]{1,35}")
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")


class BankAccountProblem(Problem):
    """An account cannot be used (``code``: ``iban_invalid``, ``iban_checksum``, ``iban_not_sepa``,
    ``bic_invalid``, ``bic_required``)."""


@dataclass(frozen=True)
class BankAccount:
    """A checked IBAN and its BIC (derived or typed; "" when neither is known)."""

    iban: str  # compact, upper case
    bic: str
    bank_name: str = ""

    @property
    def country(self) -> str:
        """The account's country (ISO 3166)."""
        return self.iban[:2]

    @property
    def last4(self) -> str:
        """The last four characters, all that is shown of it again."""
        return self.iban[-4:]

    @property
    def grouped(self) -> str:
        """The IBAN in groups of four, as printed."""
        return group_by_four(self.iban)


def group_by_four(text: str) -> str:
    """``FR1420041010…`` as ``FR14 2004 1010 …``."""
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def masked_iban(country: str, last4: str) -> str:
    """What is shown of a saved account: its country, its check digits hidden, its last four."""
    return f"{country}•• •••• {last4}"


def bank_account(iban_text: str, bic_text: str = "") -> BankAccount:
    """The account an IBAN typed in any grouping names, with its BIC.

    Raises:
        BankAccountProblem: ``iban_invalid`` (length, characters, country format),
            ``iban_checksum`` (check digits or national key), ``iban_not_sepa``, ``bic_invalid``
            (a typed BIC that is malformed or names another country), ``bic_required`` (no BIC
            typed and none derivable).
    """
    compact = re.sub(r"[\s.-]", "", iban_text or "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", compact):
        raise BankAccountProblem("iban_invalid")
    try:
        iban = IBAN(compact, validate_bban=True)
    except SchwiftyException as error:
        name = type(error).__name__
        raise BankAccountProblem("iban_checksum" if "Checksum" in name else "iban_invalid") from error
    if iban.country_code not in SEPA_COUNTRIES:
        raise BankAccountProblem("iban_not_sepa")
    derived = iban.bic
    typed = re.sub(r"\s", "", bic_text or "").upper()
    if typed:
        if not _BIC.fullmatch(typed) or typed[4:6] not in {iban.country_code, _bic_country(iban.country_code)}:
            raise BankAccountProblem("bic_invalid")
        try:
            BIC(typed)
        except SchwiftyException as error:
            raise BankAccountProblem("bic_invalid") from error
        bic = typed
    elif derived is not None:
        bic = str(derived)
    else:
        raise BankAccountProblem("bic_required")
    names = derived.bank_short_names if derived is not None else []
    return BankAccount(iban.compact, bic, names[0] if names else "")


def _bic_country(iban_country: str) -> str:
    # Accounts of the French overseas departments and of Monaco may be held at French banks
    return "FR" if iban_country in {"GF", "GP", "MQ", "YT", "RE", "PM", "BL", "MF", "MC"} else iban_country


def creditor_id_ok(value: str) -> bool:
    """Whether a SEPA creditor identifier (ICS, ``FR72ZZZ123456``) is well formed: country, two
    check digits (ISO 7064 MOD 97-10 over the national identifier, the business code left out),
    a three-character business code, then the national identifier."""
    compact = re.sub(r"\s", "", value or "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", compact):
        return False
    if compact[:2] == "FR" and len(compact) != 13:  # the French ICS: FRkkZZZ + 6 characters
        return False
    digits = "".join(str(int(c, 36)) for c in compact[7:] + compact[:2] + compact[2:4])
    return int(digits) % 97 == 1


def new_mandate_reference(company_id: int) -> str:
    """A unique mandate reference (RUM): at most 35 characters of the SEPA set, naming the
    customer and a random part (the database's unique constraint has the last word)."""
    reference = f"LCA-{company_id:06d}-{secrets.token_hex(6).upper()}"
    return reference


def is_mandate_reference(text: str) -> bool:
    """Whether ``text`` may be a mandate reference (1 to 35 characters of the SEPA set)."""
    return bool(_REFERENCE.fullmatch(text or ""))
