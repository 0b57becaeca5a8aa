"""Online payment of a signed order or an open invoice ("Accéder au paiement en ligne").

- ``checkout`` — "Payer": the card tokenized, the document claimed, the intent created and
  written on the claim, only then confirmed; the payment recorded and settled.
- ``authentication`` — the 3-D Secure step, answered once even from two tabs.
- ``claims`` — claims on documents, and what an attempt cut short leaves behind: the next attempt
  or the background reconciliation settles it with the provider, never charging twice.
- ``settlement`` — a succeeded charge pays the invoice (an order gets its invoice) and sends the
  receipt.
"""

from lcadmin.domain.cards import CardInput
from lcadmin.services.payments.authentication import authentication_step, complete_authentication
from lcadmin.services.payments.checkout import pay, payable_amount, saved_cards
from lcadmin.services.payments.claims import CLAIM_LAPSE, SETTLE_AFTER, settle_unfinished_attempts
from lcadmin.services.payments.settlement import PaymentOutcome

__all__ = [
    "CLAIM_LAPSE",
    "SETTLE_AFTER",
    "CardInput",
    "PaymentOutcome",
    "authentication_step",
    "complete_authentication",
    "pay",
    "payable_amount",
    "saved_cards",
    "settle_unfinished_attempts",
]
