"""The order page: the seed's order form, its PDF, and the e-signature."""

from __future__ import annotations

import reflex as rx

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.models import utcnow
from lcadmin.pdf.order_form import order_information, total_label
from lcadmin.services import orders, sessions
from lcadmin.services.errors import InvalidInput, NotAllowed, ServiceError
from lcadmin.settings import get_settings
from lcadmin.states.base import (
    active_locale,
    client_ip,
    message_for,
    page_param,
    session_cookie,
    typed_text,
)
from lcadmin.states.tab import to_sign_in


class OrderState(rx.State):
    """One order as its form shows it, and the signature form."""

    found: bool = False
    number: str = ""
    title: str = ""
    status: str = ""
    status_label: str = ""
    primary_contact: list[str] = []
    billing_contact: list[str] = []
    billing_address: list[str] = []
    information: list[list[str]] = []
    lines: list[dict[str, str]] = []
    subtotal: str = ""
    tax: str = ""
    total_label: str = ""
    total: str = ""
    can_sign: bool = False
    signed_note: str = ""
    signer_name: str = ""
    authorized: bool = False
    name_error: str = ""
    form_error: str = ""
    error: str = ""

    def _number(self) -> str:
        return page_param(self, "number", 40)

    async def _show(self):
        locale, now, settings = await active_locale(self), utcnow(), get_settings()
        self.error = ""
        try:
            with read_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=settings, now=now)
                document = orders.order_document(session, principal, self._number(), settings.vendor)
                status, signature = orders.order_status(session, principal, self._number())
        except NotAllowed as error:
            if error.code == "signed_out":
                return await to_sign_in(self)
            self.found, self.error = False, message_for(error, locale)
            return None
        except ServiceError as error:
            self.found, self.error = False, message_for(error, locale)
            return None
        money = lambda minor: format_money(Money(minor, document.currency), locale)  # noqa: E731
        contact = lambda c: [c.full_name, c.email] if c else []  # noqa: E731
        address = document.billing_address
        self.found, self.number, self.status = True, document.number, status
        self.title = gettext("order.title", locale, company=document.company_name)
        self.status_label = gettext(f"status.order.{status}", locale)
        self.primary_contact, self.billing_contact = contact(document.primary_contact), contact(document.billing_contact)
        self.billing_address = [address.legal_name, *([address.recipient] if address.recipient else []),
                                *address.address_lines, f"{address.postal_code} {address.city}"]
        self.information = [[label, value] for label, value in order_information(document, locale)]
        self.lines = [{"description": l.description, "quantity": str(l.quantity), "unit_price": money(l.unit_price_minor),
                       "amount": money(l.amount_minor)} for l in document.lines]
        self.subtotal, self.tax, self.total = money(document.subtotal_minor), money(document.tax_minor), money(document.total_minor)
        self.total_label = total_label(document, locale)
        self.can_sign = status == "awaiting_signature" and principal.can(Permission.SIGN_ORDERS)
        self.signed_note = gettext("sign.done", locale, name=signature.signer_name,
                                   date=format_date(signature.signed_at.date(), locale)) if signature else ""
        return None

    @rx.event
    async def load(self):
        """/admin/orders/[number] loaded."""
        self.signer_name, self.authorized, self.name_error, self.form_error = "", False, "", ""
        return await self._show()

    @rx.event
    async def refresh(self):
        """Reload the order (after a payment)."""
        return await self._show()

    @rx.event
    async def set_signer_name(self, value: str):
        """The signer types their full name."""
        self.form_error = ""
        if (text := await typed_text(self, value, 200, error="name_error")) is not None:
            self.signer_name = text

    @rx.event
    def set_authorized(self, checked: bool):
        """The authorization checkbox."""
        self.authorized, self.form_error = checked is True, ""

    @rx.event
    async def sign(self, _form: dict | None = None):
        """"Signer la commande"."""
        locale, now, settings = await active_locale(self), utcnow(), get_settings()
        try:
            with session_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=settings, now=now)
                orders.sign_order(session, principal, number=self._number(), signer_name=self.signer_name,
                                  authorized=self.authorized, locale=locale, ip=client_ip(self),
                                  user_agent=self.router.headers.user_agent, vendor=settings.vendor, now=now)
        except InvalidInput as error:
            setattr(self, "name_error" if error.field == "signer_name" else "form_error", message_for(error, locale))
            return None
        except ServiceError as error:
            self.form_error = message_for(error, locale)
            return None
        return await self._show()

    @rx.event
    async def download_pdf(self):
        """The order form PDF (with its signature certificate once signed)."""
        locale, now, settings = await active_locale(self), utcnow(), get_settings()
        try:
            with read_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=settings, now=now)
                data = orders.order_pdf(session, principal, self._number(), locale, settings.vendor)
        except ServiceError as error:
            self.error = message_for(error, locale)
            return None
        return rx.download(data=data, filename=f"{self._number()}.pdf", mime_type="application/pdf")
