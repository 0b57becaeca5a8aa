"""The billing access form: business e-mail, then proof of authority when needed, then the
outcome ("Consultez votre messagerie", "sign in", or "awaiting approval")."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.domain.emails import EmailProblem, is_free_mail, normalize_email
from lcadmin.domain.money import amount_problem
from lcadmin.i18n import gettext
from lcadmin.services import onboarding
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, shows_busy, typed_text
from lcadmin.states.service import run


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
    working: bool = False

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
        await self._check_email()

    async def _check_email(self) -> None:
        try:
            self.free_mail = is_free_mail(normalize_email(self.email))
        except EmailProblem as problem:
            self.free_mail = False
            if problem.code != "empty" and "@" in self.email and "." in self.email.rpartition("@")[2]:
                self.email_error = gettext(f"error.email_{problem.code}", await active_locale(self))

    @rx.event
    async def relabel(self):
        """The language changed: the live checks again, in it; a past refusal is dropped."""
        self.form_error = self.reference_error = self.notice = self.email_error = self.amount_error = ""
        await self._check_email()
        await self._check_amount()

    @rx.event
    @shows_busy("working")
    async def submit_email(self, _form: dict | None = None):
        """"Suivant" on the e-mail step."""
        email = self.email
        done = await run(self, lambda session, ctx: onboarding.start_access(session, ctx, email=email,
                                                                             settings=get_settings()),
                         write=True, signed_in=False, fields={"email": "email_error"}, error="form_error")
        if done.ok:
            self.email, self.step = done.value.email, done.value.outcome.replace("proof_needed", "proof")

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
        await self._check_amount()

    async def _check_amount(self) -> None:
        problem = amount_problem(self.amount) if self.amount.strip() else None
        self.amount_error = gettext(f"error.{problem}", await active_locale(self)) if problem else ""

    @rx.event
    @shows_busy("working")
    async def submit_proof(self, _form: dict | None = None):
        """"Suivant" on the proof step."""
        email, reference, amount = self.email, self.reference, self.amount
        self.form_error = ""
        done = await run(self, lambda session, ctx: onboarding.submit_proof(
            session, ctx, email=email, reference=reference, amount=amount, settings=get_settings()),
            write=True, signed_in=False, fields={"reference": "reference_error", "amount": "amount_error"},
            error="form_error")
        if done.ok:
            self.step = done.value.outcome

    @rx.event
    @shows_busy("working")
    async def resend(self):
        """"Renvoyer l'e-mail" (rate-limited by the service)."""
        email = self.email
        done = await run(self, lambda session, ctx: onboarding.resend_activation(session, ctx, email=email,
                                                                                  settings=get_settings()),
                         write=True, signed_in=False, error="notice")
        if done.ok:
            self.notice = gettext("sent.resent", await active_locale(self))

    @rx.event
    def cancel(self):
        """"Annuler": back to the public page, nothing kept."""
        self.reset()
        return rx.redirect(paths.HOME)
