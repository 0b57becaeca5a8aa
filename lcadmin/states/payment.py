"""Paying an order or an open invoice online, and the 3-D Secure step.

Card fields are uncontrolled inputs read from the submitted form: no state var ever holds the
card number or the CVC, so they are never written to the state store. The idempotency key is
chosen when the form opens and kept across clicks, so a double click pays once.
"""

from __future__ import annotations

import uuid

import reflex as rx

from lcadmin.db import read_scope, session_scope
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_money
from lcadmin.models import utcnow
from lcadmin.payments import get_provider
from lcadmin.services import payments, sessions
from lcadmin.services.errors import InvalidInput, NotAllowed, ServiceError
from lcadmin.settings import get_settings
from lcadmin.states.base import (
    active_locale,
    client_ip,
    clip,
    message_for,
    page_param,
    session_cookie,
)
from lcadmin.states.tab import to_sign_in


class PaymentState(rx.State):
    """The payment form of one order or invoice."""

    kind: str = ""
    number: str = ""
    amount: str = ""
    opened: bool = False
    card_error: str = ""
    error: str = ""
    succeeded: str = ""
    _key: str = ""

    @rx.event
    async def open_for(self, kind: str, number: str):
        """Show the payment form for an order (signed) or an open invoice."""
        locale, now = await active_locale(self), utcnow()
        self.kind = "order" if kind == "order" else "invoice"
        self.number, self.card_error, self.error, self.succeeded = clip(number, 40), "", "", ""
        try:
            with read_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=get_settings(), now=now)
                amount = payments.payable_amount(session, principal, self.kind, self.number)
        except ServiceError as error:
            self.opened, self.error = False, message_for(error, locale)
            return
        self.amount, self.opened, self._key = format_money(amount, locale), True, uuid.uuid4().hex

    @rx.event
    def close(self, _open: bool = False):
        """Close the dialog."""
        self.opened = False

    @rx.event
    async def submit(self, form: dict):
        """"Payer": tokenize, charge once, and say what happened."""
        locale, now, settings = await active_locale(self), utcnow(), get_settings()
        form = form if isinstance(form, dict) else {}
        card = payments.CardInput(number=clip(form.get("card_number"), 40), expiry=clip(form.get("card_expiry"), 10),
                                  cvc=clip(form.get("card_cvc"), 6))
        self.card_error = self.error = ""
        try:
            with session_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=settings, now=now)
                outcome = payments.pay(session, principal, kind=self.kind, number=self.number, idempotency_key=self._key,
                                       card=card, provider=get_provider(), vendor=settings.vendor, now=now,
                                       ip=client_ip(self), locale=locale)
        except InvalidInput as error:
            setattr(self, "card_error" if error.field == "card" else "error", message_for(error, locale))
            return None
        except ServiceError as error:
            self.error = message_for(error, locale)
            return None
        if outcome.status == "requires_action" and outcome.action_url:
            self.opened = False  # the bank's page takes over; coming back shows the list, not the form
            return rx.redirect(outcome.action_url)
        if outcome.status == "requires_action":
            self.error = message_for(InvalidInput("payment_in_progress"), locale)
            return None
        if outcome.status == "failed":
            self._key = uuid.uuid4().hex  # a new attempt (another card) is a new payment
            self.error = message_for(InvalidInput(outcome.failure_code or "card_declined"), locale)
            return None
        self.opened = False
        self.succeeded = gettext("pay.succeeded", locale, number=outcome.invoice_number or "")
        from lcadmin.states.invoices import InvoicesState
        from lcadmin.states.order import OrderState

        return OrderState.refresh if self.kind == "order" else InvoicesState.refresh


class AuthenticationState(rx.State):
    """The sandbox bank's 3-D Secure page."""

    amount: str = ""
    outcome: str = ""
    error: str = ""

    def _intent(self) -> str:
        return page_param(self, "intent", 80)

    @rx.event
    async def load(self):
        """/payments/authenticate/[intent] loaded: only for the paying company's signed-in users."""
        locale, now = await active_locale(self), utcnow()
        self.amount = self.outcome = self.error = ""
        try:
            with read_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=get_settings(),
                                                       now=now)
                amount = payments.authentication_amount(session, principal, intent_id=self._intent())
        except NotAllowed as error:
            if error.code == "signed_out":
                return await to_sign_in(self)
            self.error = message_for(error, locale)
            return None
        except ServiceError as error:
            self.error = message_for(error, locale)
            return None
        if amount is None:
            self.error = message_for(InvalidInput("not_payable"), locale)
        else:
            self.amount = format_money(amount, locale)
        return None

    async def _complete(self, approved: bool):
        locale, now, settings = await active_locale(self), utcnow(), get_settings()
        try:
            with session_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=settings, now=now)
                outcome = payments.complete_authentication(session, principal, intent_id=self._intent(),
                                                           approved=approved, provider=get_provider(),
                                                           vendor=settings.vendor, now=now, locale=locale)
        except NotAllowed as error:
            if error.code == "signed_out":
                return await to_sign_in(self)
            self.error = message_for(error, locale)
            return None
        except ServiceError as error:
            self.error = message_for(error, locale)
            return None
        if outcome.status == "succeeded":
            self.outcome = gettext("pay.succeeded", locale, number=outcome.invoice_number or "")
        else:
            self.error = message_for(InvalidInput(outcome.failure_code or "authentication_failed"), locale)
        return None

    @rx.event
    async def approve(self):
        """"Confirmer le paiement"."""
        return await self._complete(True)

    @rx.event
    async def decline(self):
        """"Refuser"."""
        return await self._complete(False)
