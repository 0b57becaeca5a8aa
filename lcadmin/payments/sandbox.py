"""The sandbox card processor: the real interface, the well-known test cards, no card network.

- 4242 4242 4242 4242 succeeds;
- 4000 0000 0000 0002 is declined (``card_declined``);
- 4000 0000 0000 9995 has insufficient funds (``insufficient_funds``);
- 4000 0025 0000 3155 asks for 3-D Secure on the sandbox's authentication page (when paid at
  once, and when saved; once saved, off-session charges go through);
- 4000 0000 0000 0069 is declined as expired (``expired_card``);
- 4000 0000 0000 0127 is declined for a wrong CVC (``incorrect_cvc``);
- 4000 0027 6000 3184 asks for 3-D Secure every time, off-session charges included;
- any other valid number is refused as a real card in test mode (``live_card_in_sandbox``).

SEPA Direct Debit test accounts (:data:`TEST_ACCOUNTS`): FR14 2004 1010 0505 0001 3M02 606 and
DE89 3704 0044 0532 0130 00 settle; FR88 3000 4000 0100 000A M040 013 is returned ``AM04``
(insufficient funds). A debit stays ``processing`` for ``settle_after`` (the bank's delay), then
the next look at it gives the bank's answer. Any other valid IBAN is refused as a real account.

It keeps its own records in its own tables, committed on its own like a remote service would, so
every worker sees the same intents. Card numbers and CVCs are checked and forgotten at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from lcadmin.db import session_scope
from lcadmin.domain.cards import CardProblem, card_brand, card_cvc, card_digits
from lcadmin.models import (
    SandboxCustomer,
    SandboxIntent,
    SandboxPaymentMethod,
    SandboxSetupIntent,
    SandboxToken,
    utcnow,
)
from lcadmin.payments.provider import (
    BankAccountError,
    CardError,
    CardToken,
    PaymentIntent,
    SavedMethod,
    SetupIntent,
)

TEST_CARDS = {
    "4242424242424242": "succeed",
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000002500003155": "authenticate",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4000002760003184": "authenticate_always",
}
TEST_ACCOUNTS = {
    "FR1420041010050500013M02606": "succeed",
    "DE89370400440532013000": "succeed",
    "FR88300040000100000AM040013": "AM04",
}
_ASKS_AUTHENTICATION = {"authenticate", "authenticate_always"}


class SandboxProvider:
    """A :class:`~lcadmin.payments.provider.PaymentProvider` for development, demos and tests."""

    def __init__(self, engine: Engine | None = None, *, authentication_url: str = "/payments/authenticate",
                 today: date | None = None, settle_after: timedelta = timedelta(minutes=2),
                 clock: Callable[[], datetime] = utcnow):
        self._engine = engine
        self._authentication_url = authentication_url.rstrip("/")
        self._today = today
        self._settle_after = settle_after
        self._clock = clock

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
            elif token.behaviour in _ASKS_AUTHENTICATION:
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
        """Raises KeyError for an unknown intent. A SEPA debit past its bank delay is settled (or
        returned) when it is looked at."""
        with session_scope(self._engine) as session:
            intent = session.exec(select(SandboxIntent).where(SandboxIntent.intent_id == intent_id)).first()
            if intent is None:
                raise KeyError(intent_id)
            if intent.status == "processing" and intent.settles_at and intent.settles_at <= self._clock():
                account = session.exec(select(SandboxPaymentMethod).where(
                    SandboxPaymentMethod.method_id == intent.payment_method_id)).one()
                intent.status = "succeeded" if account.behaviour == "succeed" else "failed"
                intent.failure_code = None if account.behaviour == "succeed" else account.behaviour
                session.add(intent)
            return self._view(intent)

    # The wallet

    def create_customer(self, *, reference: str, name: str) -> str:
        try:
            with session_scope(self._engine) as session:
                customer = SandboxCustomer(customer_id=f"cus_{secrets.token_hex(8)}", reference=reference[:80],
                                           name=name[:200])
                session.add(customer)
            return customer.customer_id
        except IntegrityError:  # made already (another worker, a retry): the same customer
            with session_scope(self._engine) as session:
                return session.exec(select(SandboxCustomer.customer_id).where(
                    SandboxCustomer.reference == reference[:80])).one()

    def _setup_view(self, setup: SandboxSetupIntent) -> SetupIntent:
        action = f"{self._authentication_url}/{setup.setup_id}" if setup.status == "requires_action" else None
        return SetupIntent(setup.setup_id, setup.method_id, setup.status, setup.failure_code, action)

    def setup_card(self, *, customer_id: str, token_id: str, idempotency_key: str) -> SetupIntent:
        try:
            return self._new_setup(customer_id, token_id, idempotency_key)
        except IntegrityError:  # the same key sent twice at once: the set-up the other call made
            with session_scope(self._engine) as session:
                return self._setup_view(session.exec(select(SandboxSetupIntent).where(
                    SandboxSetupIntent.idempotency_key == idempotency_key)).one())

    def _new_setup(self, customer_id: str, token_id: str, idempotency_key: str) -> SetupIntent:
        with session_scope(self._engine) as session:
            seen = session.exec(select(SandboxSetupIntent).where(
                SandboxSetupIntent.idempotency_key == idempotency_key)).first()
            if seen is not None:
                return self._setup_view(seen)
            token = session.exec(select(SandboxToken).where(SandboxToken.token_id == token_id)).one()
            method = SandboxPaymentMethod(method_id=f"pm_{secrets.token_hex(12)}", customer_id=customer_id,
                                          kind="card", brand=token.brand, last4=token.last4,
                                          behaviour=token.behaviour)
            if token.behaviour == "succeed" or token.behaviour in _ASKS_AUTHENTICATION:
                status, code = ("requires_action" if token.behaviour in _ASKS_AUTHENTICATION else "succeeded"), None
            else:
                status, code = "failed", token.behaviour
                method.customer_id = None  # a refused card is never attached
            setup = SandboxSetupIntent(setup_id=f"seti_{secrets.token_hex(12)}", idempotency_key=idempotency_key,
                                       customer_id=customer_id, method_id=method.method_id, status=status,
                                       failure_code=code)
            session.add(method)
            session.add(setup)
            return self._setup_view(setup)

    def _setup(self, session, setup_id: str) -> SandboxSetupIntent:
        setup = session.exec(select(SandboxSetupIntent).where(SandboxSetupIntent.setup_id == setup_id)).first()
        if setup is None:
            raise KeyError(setup_id)
        return setup

    def complete_setup_authentication(self, setup_id: str, *, approved: bool) -> SetupIntent:
        with session_scope(self._engine) as session:
            setup = self._setup(session, setup_id)
            if setup.status == "requires_action":
                setup.status = "succeeded" if approved else "failed"
                setup.failure_code = None if approved else "authentication_failed"
                session.add(setup)
                if not approved:
                    method = session.exec(select(SandboxPaymentMethod).where(
                        SandboxPaymentMethod.method_id == setup.method_id)).one()
                    method.customer_id = None
                    session.add(method)
            return self._setup_view(setup)

    def retrieve_setup(self, setup_id: str) -> SetupIntent:
        with session_scope(self._engine) as session:
            return self._setup_view(self._setup(session, setup_id))

    def attach_sepa_debit(self, *, customer_id: str, iban: str, holder_name: str,
                          mandate_reference: str) -> SavedMethod:
        compact = (iban or "").replace(" ", "").upper()
        behaviour = TEST_ACCOUNTS.get(compact)
        if behaviour is None:
            raise BankAccountError("live_iban_in_sandbox")
        with session_scope(self._engine) as session:
            method = SandboxPaymentMethod(method_id=f"pm_{secrets.token_hex(12)}", customer_id=customer_id,
                                          kind="sepa_debit", brand="sepa", last4=compact[-4:], behaviour=behaviour,
                                          mandate_reference=mandate_reference[:35])
            session.add(method)
        return SavedMethod(method.method_id, "sepa_debit", "sepa", method.last4)

    def detach_method(self, method_id: str) -> None:
        with session_scope(self._engine) as session:
            method = session.exec(select(SandboxPaymentMethod).where(
                SandboxPaymentMethod.method_id == method_id)).first()
            if method is not None and method.detached_at is None:
                method.detached_at = self._clock()
                session.add(method)

    @staticmethod
    def _saved_answer(intent: SandboxIntent, method: SandboxPaymentMethod | None, customer_id: str) -> None:
        """What the bank answers a saved method's charge (it sets the intent's status)."""
        intent.status, intent.failure_code = "failed", None
        if method is None or method.detached_at is not None or method.customer_id != customer_id:
            intent.failure_code = "payment_method_unavailable"
        elif method.kind == "sepa_debit":
            intent.status = "processing"
        elif method.behaviour == "authenticate_always":
            intent.status = "requires_action"
        elif method.behaviour in ("succeed", "authenticate"):  # set up with 3-D Secure: no new step
            intent.status = "succeeded"
        else:
            intent.failure_code = method.behaviour

    def confirm_with_saved(self, intent_id: str, *, customer_id: str, method_id: str) -> PaymentIntent:
        with session_scope(self._engine) as session:
            intent = session.exec(select(SandboxIntent).where(SandboxIntent.intent_id == intent_id)).one()
            if intent.status != "requires_confirmation":
                return self._view(intent)  # already confirmed: never charged twice
            method = session.exec(select(SandboxPaymentMethod).where(
                SandboxPaymentMethod.method_id == method_id)).first()
            intent.payment_method_id = method_id
            self._saved_answer(intent, method, customer_id)
            if intent.status == "processing":
                intent.settles_at = self._clock() + self._settle_after
            session.add(intent)
            return self._view(intent)

    def charge_saved(self, *, customer_id: str, method_id: str, amount_minor: int, currency: str,
                     idempotency_key: str, description: str) -> PaymentIntent:
        if amount_minor <= 0:
            raise ValueError("amount must be positive")
        try:
            with session_scope(self._engine) as session:
                method = session.exec(select(SandboxPaymentMethod).where(
                    SandboxPaymentMethod.method_id == method_id)).first()
                intent = SandboxIntent(intent_id=f"pi_{secrets.token_hex(12)}", idempotency_key=idempotency_key,
                                       amount_minor=amount_minor, currency=currency, description=description[:200],
                                       status="failed", payment_method_id=method_id)
                self._saved_answer(intent, method, customer_id)
                if intent.status == "processing":
                    intent.settles_at = self._clock() + self._settle_after
                session.add(intent)
            return self._view(intent)
        except IntegrityError:  # the same idempotency key: the same intent
            with session_scope(self._engine) as session:
                return self._view(session.exec(select(SandboxIntent).where(
                    SandboxIntent.idempotency_key == idempotency_key)).one())
