"""The company's wallet ("Modes de paiement"): saved cards, SEPA Direct Debit mandates, and bank
transfer, which is always there; each contract is paid by one of them, and one is the default
for what is ordered next.

- ``wallet`` — finding a method of the caller's company, its labels, and the page's view.
- ``cards`` — saving a card through the provider's set-up flow (3-D Secure included).
- ``mandates`` — checking an account as typed, signing a mandate, its PDF.
- ``changes`` — which method pays which contract, the default, removing a method (its
  contracts and the default go to the replacement chosen in the same step).
- ``notices`` — the security notice every change sends, and the card expiry notices.
- ``collection`` — collecting open invoices on their due date with the contract's method.

A contract without a method is paid by bank transfer. Only users with the payment-methods
permission change anything; everyone with billing access sees the wallet.
"""

from lcadmin.services.payment_methods.cards import (
    CardSetupInput,
    SetupOutcome,
    card_setup_awaiting,
    complete_card_setup,
    start_card_setup,
)
from lcadmin.services.payment_methods.changes import TRANSFER, choose_for_contract, remove_method, set_default
from lcadmin.services.payment_methods.collection import collect_due, schedule_collections
from lcadmin.services.payment_methods.mandates import (
    AccountCheck,
    MandateInput,
    check_account,
    mandate_pdf,
    mandate_terms,
    sign_mandate,
)
from lcadmin.services.payment_methods.notices import detach_removed, send_expiry_notices
from lcadmin.services.payment_methods.wallet import Wallet, list_wallet

__all__ = [
    "TRANSFER",
    "AccountCheck",
    "CardSetupInput",
    "MandateInput",
    "SetupOutcome",
    "Wallet",
    "card_setup_awaiting",
    "check_account",
    "choose_for_contract",
    "collect_due",
    "complete_card_setup",
    "detach_removed",
    "list_wallet",
    "mandate_pdf",
    "mandate_terms",
    "remove_method",
    "schedule_collections",
    "send_expiry_notices",
    "set_default",
    "sign_mandate",
    "start_card_setup",
]
