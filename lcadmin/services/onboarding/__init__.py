"""Billing access activation: the seed's flow, from the business e-mail to "Accepter et continuer".

1. ``access`` — the business e-mail (:func:`start_access`): a primary or billing contact gets the
   activation e-mail; someone who already manages the company is told to sign in (no e-mail);
   anyone else proves authority with an issued order or invoice number and its subtotal or
   total (:func:`submit_proof`).
2. ``links`` — the pages behind e-mailed links: what a link may show before anyone clicks
   (:func:`inspect_link`), a contact's decision (:func:`decide_approval`) or report
   (:func:`report_access`).
3. ``activation`` — "Activer mon compte" (:func:`confirm_activation`) binds the activation to
   the tab that clicked; "Accepter et continuer" (:func:`complete_activation`), signed in, with
   that tab's secret, makes the account billing admin of the company.
4. ``emails`` — the e-mails the flow sends and the single-use links they carry.
"""

from lcadmin.services.onboarding.access import (
    AccessOutcome,
    ProofRejected,
    resend_activation,
    start_access,
    submit_proof,
)
from lcadmin.services.onboarding.activation import (
    VERIFIED_WINDOW,
    VerifiedActivation,
    complete_activation,
    confirm_activation,
    pending_company_name,
)
from lcadmin.services.onboarding.links import LinkView, decide_approval, inspect_link, report_access

__all__ = [
    "VERIFIED_WINDOW",
    "AccessOutcome",
    "LinkView",
    "ProofRejected",
    "VerifiedActivation",
    "complete_activation",
    "confirm_activation",
    "decide_approval",
    "inspect_link",
    "pending_company_name",
    "report_access",
    "resend_activation",
    "start_access",
    "submit_proof",
]
