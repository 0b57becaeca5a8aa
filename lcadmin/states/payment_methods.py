"""The "Modes de paiement" page: the wallet, each contract's method, the default, removing a
method (with its replacement, in the same dialog), and the two forms that add one.

Every handler resolves the company from the session cookie on that very call and names methods
only by the ids the page was given; the service refuses any other company's. Card fields, as on
the payment form, are uncontrolled inputs read from the submitted form: the card number and CVC
never become state vars. Provider calls, PDFs and the database run off the event loop (``run``).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

import reflex as rx

from lcadmin.domain.cards import CardInput
from lcadmin.domain.permissions import Permission
from lcadmin.i18n import gettext
from lcadmin.payments import get_provider
from lcadmin.services import payment_methods as wallet
from lcadmin.services.payment_methods.wallet import method_label
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, clip, loads_list, shows_busy, text_arg
from lcadmin.states.service import run, run_download

_CARD_FIELDS = {"holder_name": "holder_error", "card_number": "number_error", "card_expiry": "expiry_error",
                "card_cvc": "cvc_error"}
_MANDATE_FIELDS = {"holder_name": "holder_error", "address": "address_error", "postal_code": "postal_code_error",
                   "city": "city_error", "iban": "account_error", "bic": "bic_error", "signer_name": "signer_error",
                   "authorized": "authorized_error"}


class WalletState(rx.State):
    """The company's wallet as the page shows it."""

    loaded: bool = False
    cards: list[dict[str, Any]] = []
    mandates: list[dict[str, Any]] = []
    contracts: list[dict[str, str]] = []
    options: list[dict[str, str]] = []
    default: str = wallet.TRANSFER
    transfer: dict[str, str] = {}
    can_manage: bool = False
    can_choose: bool = False
    expiring: int = 0
    error: str = ""
    notice: str = ""
    working: str = ""  # "contract:CTR-…", "default" or "remove" while that change is saved
    downloading: str = ""
    # The removal dialog
    removing: str = ""  # the method's id
    removing_label: str = ""
    removing_kind: str = ""
    removing_contracts: str = ""
    removing_default: bool = False
    replacement: str = ""
    replacement_error: str = ""

    async def _refresh(self):
        vendor = get_settings().vendor
        done = await run(self, lambda session, ctx: wallet.list_wallet(session, ctx, vendor=vendor),
                         permission=Permission.VIEW_BILLING)
        if not done.ok:
            self.cards, self.mandates, self.contracts, self.options = [], [], [], []
            return done.event
        view = done.value
        self.cards, self.mandates = [asdict(r) for r in view.cards], [asdict(r) for r in view.mandates]
        self.contracts, self.options = [asdict(c) for c in view.contracts], [asdict(o) for o in view.options]
        self.default, self.can_manage, self.expiring = view.default, view.can_manage, view.expiring
        self.can_choose = view.can_choose
        self.transfer = {"iban": view.transfer_iban, "bic": view.transfer_bic,
                         "beneficiary": view.transfer_beneficiary, "contracts": view.transfer_contracts}
        return None

    @rx.event
    @loads_list
    async def load(self):
        """/admin/payment-methods loaded."""
        self.error = self.notice = ""
        self.removing = ""
        return await self._refresh()

    @rx.event
    async def refresh(self):
        """The list again (in another language, or after a change made elsewhere)."""
        self.error = ""
        return await self._refresh()

    async def _change(self, work) -> Any:
        self.error = self.notice = ""
        settings = get_settings()
        done = await run(self, lambda session, ctx: work(session, ctx, settings), write=True,
                         permission=Permission.MANAGE_PAYMENT_METHODS)
        if done.event is not None:
            return done.event
        if done.ok and done.value is not False:
            self.notice = gettext("wallet.changed", await active_locale(self))
        return await self._refresh()

    @rx.event
    @shows_busy("working", lambda number="", choice="": f"contract:{clip(number, 40)}")
    async def choose_for_contract(self, number: str, choice: str):
        """"Méthode de facturation" of a contract: effective at once."""
        number, choice = clip(number, 40), clip(choice, 20)
        return await self._change(lambda session, ctx, settings: wallet.choose_for_contract(
            session, ctx, contract_number=number, choice=choice, settings=settings))

    @rx.event
    @shows_busy("working", "default")
    async def set_default(self, choice: str):
        """The default method for what is ordered next."""
        choice = clip(choice, 20)
        return await self._change(lambda session, ctx, settings: wallet.set_default(
            session, ctx, choice=choice, settings=settings))

    @rx.event
    def open_remove(self, method: str):
        """"Supprimer" / "Révoquer": the dialog, asking for a replacement when the method is in use."""
        method_id = clip(method, 20)
        row = next((r for r in self.cards + self.mandates if r["id"] == method_id and r["can_remove"]), None)
        if row is None:
            return
        self.removing, self.removing_label, self.removing_kind = method_id, row["label"], row["kind"]
        self.removing_contracts, self.removing_default = row["contracts"], bool(row["is_default"])
        others = [o["value"] for o in self.options if o["value"] != method_id]
        self.replacement, self.replacement_error = (others[0] if others else wallet.TRANSFER), ""

    @rx.event
    def set_replacement(self, value: str):
        """The method that takes over."""
        self.replacement, self.replacement_error = clip(value, 20), ""

    @rx.event
    def close_remove(self, _open: bool = False):
        """Close the removal dialog."""
        self.removing = ""

    @rx.event
    @shows_busy("working", "remove")
    async def confirm_remove(self):
        """Remove the card (or revoke the mandate); its contracts and the default go to the replacement."""
        method_id, replacement, in_use = self.removing, self.replacement, bool(self.removing_contracts) or \
            self.removing_default
        self.error = self.notice = self.replacement_error = ""
        settings = get_settings()
        done = await run(self, lambda session, ctx: wallet.remove_method(
            session, ctx, method_id=method_id, replacement=replacement if in_use else "", settings=settings,
            provider=get_provider()), write=True, permission=Permission.MANAGE_PAYMENT_METHODS,
            fields={"replacement": "replacement_error"})
        if not done.ok:
            return done.event
        self.removing = ""
        self.notice = gettext("wallet.changed", await active_locale(self))
        return await self._refresh()

    @rx.event
    @shows_busy("downloading", lambda method: clip(method, 20))
    async def download_mandate(self, method: str):
        """The signed mandate, exactly as signed."""
        method_id = clip(method, 20)
        return await run_download(self, lambda session, ctx: wallet.mandate_pdf(session, ctx, method_id))


class CardSetupState(rx.State):
    """"Ajouter une carte": the card goes to the provider's set-up flow, 3-D Secure included."""

    opened: bool = False
    saving: bool = False
    use_for_all: bool = False
    holder_error: str = ""
    number_error: str = ""
    expiry_error: str = ""
    cvc_error: str = ""
    error: str = ""
    _key: str = ""

    def _clear(self) -> None:
        self.holder_error = self.number_error = self.expiry_error = self.cvc_error = self.error = ""

    @rx.event
    def open(self):
        """Show the form; one set-up per opening, whatever the clicks."""
        self._clear()
        self.opened, self._key, self.use_for_all = True, uuid.uuid4().hex, False

    @rx.event
    def close(self, _open: bool = False):
        """Close the form."""
        self.opened = False

    @rx.event
    def set_use_for_all(self, checked: bool):
        """"Utiliser pour tous mes contrats"."""
        self.use_for_all = checked is True

    @rx.event
    @shows_busy("saving")
    async def submit(self, form: dict):
        """"Enregistrer la carte"."""
        form = form if isinstance(form, dict) else {}
        holder, use_for_all = text_arg(form.get("holder_name"), 200) or "", self.use_for_all
        card = CardInput(number=clip(form.get("card_number"), 40), expiry=clip(form.get("card_expiry"), 10),
                         cvc=clip(form.get("card_cvc"), 6))
        key, settings = self._key, get_settings()
        self._clear()
        done = await run(self, lambda session, ctx: wallet.start_card_setup(
            session, ctx, form=wallet.CardSetupInput(holder, card, use_for_all), idempotency_key=key,
            provider=get_provider(), settings=settings),
            write=True, permission=Permission.MANAGE_PAYMENT_METHODS, fields=_CARD_FIELDS)
        if not done.ok:
            if done.error is not None and done.error.code not in ("not_payable",):
                self._key = uuid.uuid4().hex  # another card (or the same corrected) is a new set-up
            return done.event
        outcome = done.value
        self.opened = False
        if outcome.status == "requires_action" and outcome.action_url:
            return rx.redirect(outcome.action_url)
        wallet_state = await self.get_state(WalletState)
        wallet_state.notice = gettext("wallet.card_saved", await active_locale(self), label=outcome.label)
        return WalletState.refresh


class MandateState(rx.State):
    """"Ajouter un mandat SEPA": the account checked as typed, the mandate's wording, the e-signature."""

    opened: bool = False
    signing: bool = False
    authorized: bool = False
    use_for_all: bool = False
    legal: str = ""
    rights: str = ""
    creditor: str = ""
    bank: str = ""  # the account's bank as checked: "LA BANQUE POSTALE · BIC PSSTFRPP"
    holder_error: str = ""
    address_error: str = ""
    postal_code_error: str = ""
    city_error: str = ""
    account_error: str = ""  # the IBAN field's refusal
    bic_error: str = ""
    signer_error: str = ""
    authorized_error: str = ""
    error: str = ""

    def _clear(self) -> None:
        for name in _MANDATE_FIELDS.values():
            setattr(self, name, "")
        self.error = ""

    async def _wording(self):
        vendor = get_settings().vendor
        done = await run(self, lambda _session, ctx: wallet.mandate_terms(ctx.locale, vendor),
                         permission=Permission.MANAGE_PAYMENT_METHODS)
        if done.ok:
            self.legal, self.rights, self.creditor = done.value
        return done
    @rx.event
    async def open(self):
        """Show the form with the mandate's wording in the page's language."""
        self._clear()
        self.bank = ""
        self.authorized = self.use_for_all = False
        done = await self._wording()
        self.opened = done.ok
        return done.event

    @rx.event
    def set_authorized(self, checked: bool):
        """The authorization checkbox."""
        self.authorized, self.authorized_error = checked is True, ""

    @rx.event
    def set_use_for_all(self, checked: bool):
        """"Utiliser pour tous mes contrats"."""
        self.use_for_all = checked is True

    @rx.event
    async def relabel(self):
        """The language changed: the wording in it; past refusals dropped (typed values stay)."""
        self._clear()
        if self.opened:
            return (await self._wording()).event
        return None

    @rx.event
    def close(self, _open: bool = False):
        """Close the form."""
        self.opened = False

    @rx.event
    async def check_iban(self, value: str):
        """The IBAN field was left: checked (country, length, check digits, national key), its
        bank and BIC found when known."""
        text = text_arg(value, 50)
        self.account_error = self.bank = ""
        if not text or not text.strip():
            return None
        done = await run(self, lambda _session, _ctx: wallet.check_account(iban=text),
                         permission=Permission.MANAGE_PAYMENT_METHODS,
                         fields={"iban": "account_error", "bic": "account_error"})
        if done.ok:
            self.bank = " · ".join(part for part in (done.value.bank, f"BIC {done.value.bic}") if part)
        elif done.error is not None and done.error.code == "bic_required":
            self.account_error = ""  # a valid IBAN whose bank is not known: the BIC field asks for it
        return None

    @rx.event
    @shows_busy("signing")
    async def submit(self, form: dict):
        """"Signer le mandat"."""
        form = form if isinstance(form, dict) else {}
        values = {name: text_arg(form.get(name), limit) or "" for name, limit in (
            ("holder_name", 200), ("address", 200), ("postal_code", 20), ("city", 100), ("iban", 50), ("bic", 11),
            ("signer_name", 200))}
        values |= {"authorized": self.authorized, "use_for_all": self.use_for_all}
        settings = get_settings()
        self._clear()
        done = await run(self, lambda session, ctx: method_label(wallet.sign_mandate(
            session, ctx, form=wallet.MandateInput(**values), provider=get_provider(), settings=settings),
            ctx.locale), write=True,
            permission=Permission.MANAGE_PAYMENT_METHODS, fields=_MANDATE_FIELDS)
        if not done.ok:
            return done.event
        self.opened = False
        wallet_state = await self.get_state(WalletState)
        wallet_state.notice = gettext("wallet.mandate_saved", await active_locale(self), label=done.value)
        return WalletState.refresh
