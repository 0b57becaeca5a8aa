"""The payment provider interface, shaped like a real card processor's: the card is tokenized
first (its number and CVC go no further), then a payment intent carrying an idempotency key is
created and confirmed with the token; it succeeds, fails with a decline code, or asks for a
3-D Secure step on a page of the provider's before it can be completed.
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
