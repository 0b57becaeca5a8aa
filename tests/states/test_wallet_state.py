"""The wallet page's handlers: what they show, what they refuse to another company, and that no
card number, CVC or IBAN ever lands in a state var."""

from __future__ import annotations

import re

from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.models import Contract, MandateSignature, Membership, PaymentMethod, UserAccount
from lcadmin.states.payment import AuthenticationState
from lcadmin.states.payment_methods import CardSetupState, MandateState, WalletState
from tests.states.test_flow_states import _signed_in_cookie

CARD = {"holder_name": "Hugo Bernard", "card_number": "4000 0025 0000 3155", "card_expiry": "12/30",
        "card_cvc": "737"}
MANDATE = {"holder_name": "Flexis SAS", "address": "8 avenue des Ternes", "postal_code": "75017", "city": "Paris",
           "iban": "FR14 2004 1010 0505 0001 3M02 606", "bic": "", "signer_name": "Hugo Bernard"}


def _plain(text: str) -> str:
    """French punctuation keeps its narrow no-break spaces; compared as plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _flexis_card_id() -> str:
    with read_scope() as session:
        return str(session.exec(select(PaymentMethod.id).where(PaymentMethod.card_last4 == "4242")).one())


def test_the_wallet_shows_the_demo_card_its_contracts_and_the_bank_details(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    wallet = tab.state(WalletState)
    tab.call(wallet.load)
    [card] = wallet.cards
    assert (card["label"], card["contracts"], card["is_default"]) == ("Visa •••• 4242", "CTR-FLX-2026", True)
    assert [(c["number"], c["method_label"]) for c in wallet.contracts] == [
        ("CTR-FLX-2026", "Visa •••• 4242"), ("CTR-FLX-SUPPORT", "Virement bancaire")]
    assert wallet.transfer["iban"] == "FR76 3000 6000 0112 3456 7890 189" and wallet.can_manage
    assert [o["value"] for o in wallet.options][-1] == "transfer"


def test_a_card_saved_through_3d_secure_for_all_contracts_keeps_no_card_data_in_the_state(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    setup = tab.state(CardSetupState)
    tab.call(setup.open)
    tab.call(setup.set_use_for_all, True)
    events = tab.call(setup.submit, CARD)
    action = re.search(r"/payments/authenticate/(seti_[0-9a-f]+)", str(events)).group(1)
    everything = str(tab.root.dict())
    assert "4000 0025 0000 3155" not in everything and "4000002500003155" not in everything
    assert not re.search(r"(?<![0-9A-Za-z])737(?![0-9A-Za-z])", everything)
    page = browser(cookie=_signed_in_cookie("hbernard@flexis.com"), path="/payments/authenticate/[intent]",
                   params={"intent": action}, url=f"/payments/authenticate/{action}")
    bank = page.state(AuthenticationState)
    page.call(bank.load)
    assert bank.setup and bank.saving_label == "Visa •••• 3155"
    page.call(bank.approve)
    assert bank.outcome == "Carte Visa •••• 3155 enregistrée."
    with read_scope() as session:
        methods = {c.number: c.payment_method_id for c in session.exec(select(Contract).where(Contract.company_id == 1))}
        new = session.exec(select(PaymentMethod).where(PaymentMethod.card_last4 == "3155")).one()
    assert set(methods.values()) == {new.id} and new.is_default


def test_another_company_can_neither_see_nor_touch_flexiss_methods(app_db, browser):
    flexis_card = _flexis_card_id()
    tab = browser(cookie=_signed_in_cookie("pdurand@acme-logistique.fr"))
    wallet = tab.state(WalletState)
    tab.call(wallet.load)
    assert wallet.cards == [] and [c["number"] for c in wallet.contracts] == ["CTR-ACM-2026"]
    tab.call(wallet.open_remove, flexis_card)  # not one of the rows it was given: nothing opens
    assert wallet.removing == ""
    wallet.removing, wallet.removing_default = flexis_card, True  # as if a forged dialog had opened
    wallet.replacement = "transfer"
    tab.call(wallet.confirm_remove)
    assert _plain(wallet.error) == "Ce mode de paiement n’existe pas ou a été supprimé."
    tab.call(wallet.choose_for_contract, "CTR-FLX-2026", "transfer")
    assert _plain(wallet.error) == "Ce contrat n’existe pas."
    tab.call(wallet.choose_for_contract, "CTR-ACM-2026", flexis_card)
    assert _plain(wallet.error) == "Ce mode de paiement ne peut pas être choisi : il a expiré ou a été supprimé."
    tab.call(wallet.set_default, flexis_card)
    assert _plain(wallet.error).startswith("Ce mode de paiement ne peut pas être choisi")
    events = tab.call(wallet.download_mandate, flexis_card)
    assert "download" not in str(events).lower() or "application/pdf" not in str(events)
    with read_scope() as session:
        card = session.get(PaymentMethod, int(flexis_card))
        flexis = session.exec(select(Contract).where(Contract.number == "CTR-FLX-2026")).one()
    assert card.status == "active" and flexis.payment_method_id == card.id


def test_a_mandate_is_checked_as_typed_signed_and_keeps_no_iban_in_the_state(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    mandate = tab.state(MandateState)
    tab.call(mandate.open)
    assert "Northwind SAS" in mandate.legal and "FR72ZZZ123456" in mandate.creditor
    tab.call(mandate.check_iban, "FR14 2004 1010 0505 0001 3M02 607")
    assert _plain(mandate.account_error) == "Cet IBAN contient une erreur de saisie : sa clé de contrôle ne correspond pas."
    tab.call(mandate.check_iban, "FR14 2004 1010 0505 0001 3M02 606")
    assert _plain(mandate.account_error) == "" and mandate.bank.endswith("BIC PSSTFRPP")
    tab.call(mandate.submit, MANDATE)  # the authorization not ticked
    assert _plain(mandate.authorized_error) == "Cochez la case d’autorisation pour signer." and mandate.opened
    tab.call(mandate.set_authorized, True)
    tab.call(mandate.submit, MANDATE)
    assert not mandate.opened
    wallet = tab.state(WalletState)
    assert _plain(wallet.notice).startswith("Mandat signé : Prélèvement SEPA •••• 2606")
    everything = str(tab.root.dict())
    assert "3M02606" not in everything and "3M02 606" not in everything
    with read_scope() as session:
        signature = session.exec(select(MandateSignature)).one()
    assert signature.signer_name == "Hugo Bernard" and signature.document_pdf.startswith(b"%PDF")


def test_a_member_without_the_payment_permission_sees_nothing_and_changes_nothing(app_db, browser):
    with session_scope() as session:
        user = UserAccount(email="stagiaire@flexis.com", full_name="Sam Stagiaire", password_hash=None)
        session.add(user)
        session.flush()
        session.add(Membership(user_id=user.id, company_id=1, role=Role.LICENCE_ADMIN.value))
    tab = browser(cookie=_signed_in_cookie("stagiaire@flexis.com"))
    wallet, mandate = tab.state(WalletState), tab.state(MandateState)
    tab.call(wallet.load)
    assert wallet.cards == [] and wallet.contracts == [] and not wallet.can_manage
    tab.call(mandate.open)
    assert not mandate.opened and mandate.legal == ""
    tab.call(wallet.choose_for_contract, "CTR-FLX-2026", "transfer")
    with read_scope() as session:
        contract = session.exec(select(Contract).where(Contract.number == "CTR-FLX-2026")).one()
    assert contract.payment_method_id is not None  # still the demo card
