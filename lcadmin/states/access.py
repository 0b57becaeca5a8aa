"""The billing access form: business e-mail, then proof of authority when needed, then the
outcome ("Consultez votre messagerie", "sign in", or "awaiting approval")."""

from __future__ import annotations

import reflex as rx

from lcadmin.db import session_scope
from lcadmin.domain.emails import EmailProblem, is_free_mail, normalize_email
from lcadmin.i18n import gettext
from lcadmin.models import utcnow
from lcadmin.services import onboarding
from lcadmin.services.errors import InvalidInput, ServiceError
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, client_ip, message_for, typed_text


class AccessState(rx.State):
    """One visitor's way through the access form."""

    step: str = "email"  # email, proof, activation_sent, sign_in, awaiting_approval
    email: str = ""
    email_error: str = ""
    free_mail: bool = False
    reference: str = ""
    reference_error: str = ""
    amount: str = ""
    amount_error: str = ""
    form_error: str = ""
    notice: str = ""

    @rx.event
    def start(self):
        """On page load: a fresh form."""
        self.reset()

    @rx.event
    async def set_email(self, value: str):
        """Live check as the person types."""
        self.form_error = ""
        if (text := await typed_text(self, value, 320, error="email_error")) is None:
            return
        self.email = text
        try:
            self.free_mail = is_free_mail(normalize_email(self.email))
        except EmailProblem as problem:
            self.free_mail = False
            if problem.code != "empty" and "@" in self.email and "." in self.email.rpartition("@")[2]:
                self.email_error = gettext(f"error.email_{problem.code}", await active_locale(self))

    @rx.event
    async def submit_email(self, _form: dict | None = None):
        """"Suivant" on the e-mail step."""
        locale = await active_locale(self)
        try:
            with session_scope() as session:
                outcome = onboarding.start_access(session, email=self.email, locale=locale, ip=client_ip(self),
                                                  settings=get_settings(), now=utcnow())
        except InvalidInput as error:
            self.email_error = message_for(error, locale)
            return
        except ServiceError as error:
            self.form_error = message_for(error, locale)
            return
        self.email, self.step = outcome.email, outcome.outcome.replace("proof_needed", "proof")

    @rx.event
    async def set_reference(self, value: str):
        """The order or invoice number; checked when submitted."""
        self.form_error = ""
        if (text := await typed_text(self, value, 60, error="reference_error")) is not None:
            self.reference = text

    @rx.event
    async def set_amount(self, value: str):
        """Live check of the amount: 0 € and unreadable amounts are refused as typed."""
        self.form_error = ""
        if (text := await typed_text(self, value, 40, error="amount_error")) is None:
            return
        self.amount = text
        problem = onboarding.check_proof_amount(self.amount) if self.amount.strip() else None
        self.amount_error = gettext(f"error.{problem}", await active_locale(self)) if problem else ""

    @rx.event
    async def submit_proof(self, _form: dict | None = None):
        """"Suivant" on the proof step."""
        locale = await active_locale(self)
        now = utcnow()
        self.form_error = ""
        try:
            with session_scope() as session:
                outcome = onboarding.submit_proof(session, email=self.email, reference=self.reference,
                                                  amount=self.amount, locale=locale, ip=client_ip(self),
                                                  settings=get_settings(), now=now)
        except InvalidInput as error:
            target = {"reference": "reference_error", "amount": "amount_error"}.get(error.field, "form_error")
            setattr(self, target, message_for(error, locale))
            return
        except ServiceError as error:
            self.form_error = message_for(error, locale, now)
            return
        self.step = outcome.outcome

    @rx.event
    async def resend(self):
        """"Renvoyer l'e-mail" (rate-limited by the service)."""
        locale = await active_locale(self)
        now = utcnow()
        try:
            with session_scope() as session:
                onboarding.resend_activation(session, email=self.email, ip=client_ip(self), settings=get_settings(),
                                             now=now)
        except ServiceError as error:
            self.notice = message_for(error, locale, now)
            return
        self.notice = gettext("sent.resent", locale)

    @rx.event
    def cancel(self):
        """"Annuler": back to the public page, nothing kept."""
        self.reset()
        return rx.redirect("/")
