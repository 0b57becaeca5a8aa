"""Paying an order or an open invoice online, and the 3-D Secure step.

Card fields are uncontrolled inputs read from the submitted form: no state var ever holds the
card number or the CVC, so they are never written to the state store. The idempotency key is
chosen when the form opens and kept across clicks, so a double click pays once. Every provider
call runs in a worker thread, off the event loop."""

from __future__ import annotations

import uuid

import reflex as rx

from lcadmin.domain.calendar import business_date
from lcadmin.domain.cards import CardInput
from lcadmin.domain.statuses import PaymentStatus
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_money
from lcadmin.payments import get_provider
from lcadmin.services import payment_methods, payments
from lcadmin.services.errors import InvalidInput
from lcadmin.services.payments.settlement import PaymentOutcome
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, clip, message_for, page_param, shows_busy
from lcadmin.states.service import run

# Each card field's refusal shows under that field (the form keeps what was typed).
_CARD_FIELDS = {"card_number": "number_error", "card_expiry": "expiry_error", "card_cvc": "cvc_error"}


class PaymentState(rx.State):
    """The payment form of one order or invoice."""

    kind: str = ""
    number: str = ""
    amount: str = ""
    opened: bool = False
    paying: bool = False
    number_error: str = ""
    expiry_error: str = ""
    cvc_error: str = ""
    error: str = ""
    succeeded: str = ""
    saved: list[dict[str, str]] = []  # the wallet's cards that can pay in one click (id, label)
    _key: str = ""

    @rx.event
    async def open_for(self, kind: str, number: str):
        """Show the payment form for an order (signed) or an open invoice."""
        self.kind = "order" if kind == "order" else "invoice"
        self.number, self.succeeded, self.paying = clip(number, 40), "", False
        self._clear_errors()
        kind, number, zone = self.kind, self.number, get_settings().vendor.timezone

        def work(session, ctx):
            return (payments.payable_amount(session, ctx, kind, number),
                    payments.saved_cards(session, ctx, business_date(ctx.now, zone)))

        done = await run(self, work)
        if not done.ok:
            self.opened = False
            return done.event
        amount, saved = done.value
        self.amount = format_money(amount, await active_locale(self))
        self.saved = [{"id": method_id, "label": label} for method_id, label in saved]
        self.opened, self._key = True, uuid.uuid4().hex
        return None

    def _clear_errors(self) -> None:
        self.number_error = self.expiry_error = self.cvc_error = self.error = ""

    @rx.event
    async def relabel(self):
        """The language changed: the amount again in it; a past refusal is dropped (the card
        fields, in the browser only, keep what was typed)."""
        self._clear_errors()
        if not self.opened:
            return None
        kind, number = self.kind, self.number
        done = await run(self, lambda session, ctx: payments.payable_amount(session, ctx, kind, number))
        if done.ok:
            self.amount = format_money(done.value, await active_locale(self))
        return done.event

    @rx.event
    def close(self, _open: bool = False):
        """Close the dialog."""
        self.opened = False

    @rx.event
    @shows_busy("paying")
    async def submit(self, form: dict):
        """"Payer": tokenize, charge once, and say what happened."""
        form = form if isinstance(form, dict) else {}
        card = CardInput(number=clip(form.get("card_number"), 40), expiry=clip(form.get("card_expiry"), 10),
                         cvc=clip(form.get("card_cvc"), 6))
        return await self._pay(card, None)

    @rx.event
    @shows_busy("paying")
    async def pay_saved(self, method: str):
        """"Payer avec Visa •••• 4242": one click with a card of the wallet."""
        return await self._pay(None, clip(method, 20))

    async def _pay(self, card: CardInput | None, method: str | None):
        kind, number, key, vendor = self.kind, self.number, self._key, get_settings().vendor
        self._clear_errors()
        done = await run(self, lambda session, ctx: payments.pay(
            session, ctx, kind=kind, number=number, idempotency_key=key, card=card, provider=get_provider(),
            vendor=vendor, method_id=method), write=True, fields=_CARD_FIELDS)
        if not done.ok:
            return done.event
        outcome, locale = done.value, await active_locale(self)
        if outcome.status is PaymentStatus.REQUIRES_ACTION and outcome.action_url:
            self.opened = False  # the bank's page takes over; coming back shows the list, not the form
            return rx.redirect(outcome.action_url)
        if outcome.status is PaymentStatus.REQUIRES_ACTION:
            self.error = message_for(InvalidInput("payment_in_progress"), locale)
            return None
        if outcome.status is PaymentStatus.FAILED:
            self._key = uuid.uuid4().hex  # a new attempt (another card) is a new payment
            self.error = message_for(InvalidInput(outcome.failure_code or "card_declined"), locale)
            return None
        self.opened = False
        self.succeeded = gettext("pay.succeeded", locale, number=outcome.invoice_number or "")
        from lcadmin import paths
        from lcadmin.states.invoice import InvoiceState
        from lcadmin.states.invoices import InvoicesState
        from lcadmin.states.order import OrderState
        from lcadmin.states.overview import OverviewState

        if self.kind == "order":
            return OrderState.refresh
        here = self.router.url.path.rstrip("/")
        if here.startswith(paths.INVOICE_PAGES):
            return InvoiceState.load
        return OverviewState.load if here == paths.ADMIN else InvoicesState.refresh


class AuthenticationState(rx.State):
    """The sandbox bank's 3-D Secure page: a payment's (``pi_…``), or a card's set-up (``seti_…``)
    for later off-session charges."""

    amount: str = ""
    saving_label: str = ""  # a set-up: what is being saved ("Visa •••• 3155")
    setup: bool = False
    outcome: str = ""
    error: str = ""
    working: bool = False

    def _intent(self) -> str:
        return page_param(self, "intent", 80)

    @rx.event
    async def load(self):
        """The 3-D Secure page loaded: only for the paying company's signed-in users."""
        self.amount = self.saving_label = self.outcome = self.error = ""
        intent = self._intent()
        self.setup = intent.startswith("seti_")
        if self.setup:
            done = await run(self, lambda session, ctx: payment_methods.card_setup_awaiting(session, ctx,
                                                                                             setup_id=intent))
        else:
            done = await run(self, lambda session, ctx: payments.authentication_step(session, ctx, intent_id=intent))
        if not done.ok:
            return done.event
        locale = await active_locale(self)
        if done.value is None:
            self.error = message_for(InvalidInput("not_payable"), locale)
        elif isinstance(done.value, str):  # a set-up: the card's label
            self.saving_label = done.value
        elif isinstance(done.value, PaymentOutcome):  # answered already: reloaded, or reconnected to the server
            self._tell(done.value, locale)
        else:
            self.amount = format_money(done.value, locale)
        return None

    def _tell(self, answer: PaymentOutcome, locale: str) -> None:
        if answer.status is PaymentStatus.SUCCEEDED:
            self.outcome = gettext("pay.succeeded", locale, number=answer.invoice_number or "")
        else:
            self.error = message_for(InvalidInput(answer.failure_code or "authentication_failed"), locale)

    async def _complete_setup(self, approved: bool):
        intent, settings = self._intent(), get_settings()
        done = await run(self, lambda session, ctx: payment_methods.complete_card_setup(
            session, ctx, setup_id=intent, approved=approved, provider=get_provider(), settings=settings),
            write=True)
        if not done.ok:
            return done.event
        locale = await active_locale(self)
        if done.value.status == "active":
            self.outcome = gettext("wallet.card_saved", locale, label=done.value.label)
        else:
            self.error = message_for(InvalidInput(done.value.failure_code or "authentication_failed"), locale)
        return None

    async def _complete(self, approved: bool):
        if self._intent().startswith("seti_"):
            return await self._complete_setup(approved)
        intent, vendor = self._intent(), get_settings().vendor
        done = await run(self, lambda session, ctx: payments.complete_authentication(
            session, ctx, intent_id=intent, approved=approved, provider=get_provider(), vendor=vendor), write=True)
        if not done.ok:
            return done.event
        self._tell(done.value, await active_locale(self))
        return None

    @rx.event
    @shows_busy("working")
    async def approve(self):
        """"Confirmer le paiement"."""
        return await self._complete(True)

    @rx.event
    @shows_busy("working")
    async def decline(self):
        """"Refuser"."""
        return await self._complete(False)
