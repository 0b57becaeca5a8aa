"""The sandbox card processor: the real interface, the well-known test cards, no card network.

- 4242 4242 4242 4242 succeeds;
- 4000 0000 0000 0002 is declined (``card_declined``);
- 4000 0000 0000 9995 has insufficient funds (``insufficient_funds``);
- 4000 0025 0000 3155 asks for 3-D Secure on the sandbox's authentication page;
- any other valid number is refused as a real card in test mode (``live_card_in_sandbox``).

It keeps its own records in its own tables, committed on its own like a remote service would, so
every worker sees the same intents. Card numbers and CVCs are checked and forgotten at once.
"""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from lcadmin.db import session_scope
from lcadmin.domain.cards import CardProblem, card_brand, card_cvc, card_digits
from lcadmin.models import SandboxIntent, SandboxToken
from lcadmin.payments.provider import CardError, CardToken, PaymentIntent

TEST_CARDS = {
    "4242424242424242": "succeed",
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000002500003155": "authenticate",
}


class SandboxProvider:
    """A :class:`~lcadmin.payments.provider.PaymentProvider` for development, demos and tests."""

    def __init__(self, engine: Engine | None = None, *, authentication_url: str = "/payments/authenticate",
                 today: date | None = None):
        self._engine = engine
        self._authentication_url = authentication_url.rstrip("/")
        self._today = today

    def tokenize_card(self, *, number: str, exp_month: int, exp_year: int, cvc: str) -> CardToken:
        try:  # a processor checks what it is sent, whatever the form checked before
            digits = card_digits(number)
            cvc = card_cvc(cvc, card_brand(digits))
        except CardProblem as problem:
            raise CardError(problem.code) from problem
        if not (1 <= exp_month <= 12) or exp_year < 2000:
            raise CardError("invalid_expiry")
        today = self._today or date.today()
        if (exp_year, exp_month) < (today.year, today.month):
            raise CardError("expired_card")
        token = SandboxToken(token_id=f"tok_{secrets.token_hex(12)}", brand=card_brand(digits), last4=digits[-4:],
                             exp_month=exp_month, exp_year=exp_year,
                             behaviour=TEST_CARDS.get(digits, "live_card_in_sandbox"))
        with session_scope(self._engine) as session:
            session.add(token)
        return CardToken(token.token_id, token.brand, token.last4)

    def _view(self, intent: SandboxIntent) -> PaymentIntent:
        action = f"{self._authentication_url}/{intent.intent_id}" if intent.status == "requires_action" else None
        return PaymentIntent(intent.intent_id, intent.amount_minor, intent.currency, intent.status,
                             intent.failure_code, action)

    def create_intent(self, *, amount_minor: int, currency: str, idempotency_key: str,
                      description: str) -> PaymentIntent:
        if amount_minor <= 0:
            raise ValueError("amount must be positive")
        try:
            with session_scope(self._engine) as session:
                intent = SandboxIntent(intent_id=f"pi_{secrets.token_hex(12)}", idempotency_key=idempotency_key,
                                       amount_minor=amount_minor, currency=currency, description=description[:200],
                                       status="requires_confirmation")
                session.add(intent)
            return self._view(intent)
        except IntegrityError:
            # Same idempotency key: the same intent, as a real provider answers a retried request.
            with session_scope(self._engine) as session:
                return self._view(session.exec(select(SandboxIntent).where(
                    SandboxIntent.idempotency_key == idempotency_key)).one())

    def confirm_intent(self, intent_id: str, *, token_id: str) -> PaymentIntent:
        with session_scope(self._engine) as session:
            intent = session.exec(select(SandboxIntent).where(SandboxIntent.intent_id == intent_id)).one()
            if intent.status != "requires_confirmation":
                return self._view(intent)  # already confirmed: never charged twice
            token = session.exec(select(SandboxToken).where(SandboxToken.token_id == token_id)).one()
            intent.token_id = token_id
            if token.behaviour == "succeed":
                intent.status = "succeeded"
            elif token.behaviour == "authenticate":
                intent.status = "requires_action"
            else:
                intent.status, intent.failure_code = "failed", token.behaviour
            session.add(intent)
            return self._view(intent)

    def complete_authentication(self, intent_id: str, *, approved: bool) -> PaymentIntent:
        with session_scope(self._engine) as session:
            intent = session.exec(select(SandboxIntent).where(SandboxIntent.intent_id == intent_id)).one()
            if intent.status == "requires_action":
                intent.status = "succeeded" if approved else "failed"
                intent.failure_code = None if approved else "authentication_failed"
                session.add(intent)
            return self._view(intent)

    def cancel_intent(self, intent_id: str) -> PaymentIntent:
        """Raises KeyError for an unknown intent."""
        with session_scope(self._engine) as session:
            intent = session.exec(select(SandboxIntent).where(SandboxIntent.intent_id == intent_id)).first()
            if intent is None:
                raise KeyError(intent_id)
            if intent.status in ("requires_confirmation", "requires_action"):
                intent.status, intent.failure_code = "canceled", "canceled"
                session.add(intent)
            return self._view(intent)

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        """Raises KeyError for an unknown intent."""
        with session_scope(self._engine) as session:
            intent = session.exec(select(SandboxIntent).where(SandboxIntent.intent_id == intent_id)).first()
            if intent is None:
                raise KeyError(intent_id)
            return self._view(intent)
