"""The payment provider interface, shaped like a real card processor's: the card is tokenized
first (its number and CVC go no further), then a payment intent carrying an idempotency key is
created and confirmed with the token; it succeeds, fails with a decline code, or asks for a
3-D Secure step on a page of the provider's before it can be completed.

Saved methods (the wallet) follow the same shape: the company gets a customer record; a card is
set up for later off-session charges through a set-up intent (tokenize -> attach to the customer
-> optional 3-D Secure -> saved); a SEPA Direct Debit account is attached with its signed
mandate. A saved method is then charged off session: a card answers at once (or asks the holder
to authenticate), a SEPA debit stays ``processing`` until the bank settles or returns it with a
SEPA reason code (``AM04``: insufficient funds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lcadmin.domain.problems import Problem


class CardError(Problem):
    """The card details cannot be tokenized (``code``: ``invalid_number``, ``invalid_expiry``,
    ``expired_card``, ``invalid_cvc``)."""


@dataclass(frozen=True)
class CardToken:
    """A tokenized card: safe to keep, useless outside the provider."""

    token_id: str
    brand: str
    last4: str


@dataclass(frozen=True)
class PaymentIntent:
    """A payment as the provider sees it. ``status``: ``requires_confirmation``, ``requires_action``
    (then ``action_url`` is the 3-D Secure page), ``succeeded``, ``failed`` (with ``failure_code``)
    or ``canceled``."""

    intent_id: str
    amount_minor: int
    currency: str
    status: str
    failure_code: str | None = None
    action_url: str | None = None


class BankAccountError(Problem):
    """The provider refuses an account (``code``: ``iban_invalid``, ``live_iban_in_sandbox``)."""


@dataclass(frozen=True)
class SavedMethod:
    """A card or an account saved for a customer, as the provider describes it."""

    method_id: str
    kind: str  # card, sepa_debit
    brand: str  # visa, mastercard, amex, card; "sepa" for an account
    last4: str


@dataclass(frozen=True)
class SetupIntent:
    """The set-up of a card for off-session charges. ``status``: ``succeeded`` (the card is saved
    as ``method_id``), ``requires_action`` (then ``action_url`` is the 3-D Secure page) or
    ``failed`` (with ``failure_code``: ``card_declined``, ``expired_card``, ``incorrect_cvc``,
    ``authentication_failed``...)."""

    setup_id: str
    method_id: str
    status: str
    failure_code: str | None = None
    action_url: str | None = None


class PaymentProvider(Protocol):
    """What lcadmin needs from a card processor."""

    def tokenize_card(self, *, number: str, exp_month: int, exp_year: int, cvc: str) -> CardToken: ...

    def create_intent(self, *, amount_minor: int, currency: str, idempotency_key: str,
                      description: str) -> PaymentIntent: ...

    def confirm_intent(self, intent_id: str, *, token_id: str) -> PaymentIntent: ...

    def complete_authentication(self, intent_id: str, *, approved: bool) -> PaymentIntent: ...

    def retrieve_intent(self, intent_id: str) -> PaymentIntent: ...

    def cancel_intent(self, intent_id: str) -> PaymentIntent:
        """Cancel an intent not charged yet (status ``canceled``): it can never charge afterwards.
        An intent already charged is returned as it is (``succeeded``). KeyError: unknown intent."""
        ...

    # The wallet: saved methods, charged off session.

    def create_customer(self, *, reference: str, name: str) -> str:
        """The customer record of ``reference`` (one per reference, made on first call): its id."""
        ...

    def setup_card(self, *, customer_id: str, token_id: str, idempotency_key: str) -> SetupIntent:
        """Save a tokenized card for off-session charges (the same key: the same set-up)."""
        ...

    def complete_setup_authentication(self, setup_id: str, *, approved: bool) -> SetupIntent:
        """The holder's 3-D Secure answer for a set-up. KeyError: unknown set-up."""
        ...

    def retrieve_setup(self, setup_id: str) -> SetupIntent:
        """A set-up as it stands. KeyError: unknown set-up."""
        ...

    def attach_sepa_debit(self, *, customer_id: str, iban: str, holder_name: str,
                          mandate_reference: str) -> SavedMethod:
        """Save an account with its signed mandate (the provider submits the mandate with each debit).

        Raises:
            BankAccountError: The account cannot be debited.
        """
        ...

    def detach_method(self, method_id: str) -> None:
        """Forget a saved method: it can never be charged again (done again: nothing happens)."""
        ...

    def confirm_with_saved(self, intent_id: str, *, customer_id: str, method_id: str) -> PaymentIntent:
        """Confirm an intent with a saved method of the customer, the payer present (as
        ``confirm_intent`` with a token): the same answers as ``charge_saved`` for a card."""
        ...

    def charge_saved(self, *, customer_id: str, method_id: str, amount_minor: int, currency: str,
                     idempotency_key: str, description: str) -> PaymentIntent:
        """Charge a saved method off session (the same key: the same intent, never a second charge).
        A card: ``succeeded``, ``failed``, or ``requires_action`` when the bank asks the holder to
        authenticate (``action_url``). A SEPA debit: ``processing``, then (``retrieve_intent``)
        ``succeeded`` or ``failed`` with the SEPA reason code."""
        ...
