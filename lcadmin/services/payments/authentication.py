"""The 3-D Secure step: the bank's page asks the payer to confirm, then the answer is recorded
once, even when two tabs answer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import PaymentStatus
from lcadmin.metrics import count_payment
from lcadmin.models import Invoice, Payment, PaymentClaim, SalesOrder
from lcadmin.payments.provider import PaymentProvider
from lcadmin.services import scope
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.lifecycle import move_if
from lcadmin.services.payments.checkout import due, require_provider
from lcadmin.services.payments.claims import claim_target, conclude
from lcadmin.services.payments.settlement import PaymentOutcome, outcome
from lcadmin.settings import VendorSettings


def _awaited_payment(session: Session, ctx: RequestContext, intent_id: str) -> Payment:
    """This company's payment behind a 3-D Secure intent, for someone allowed to pay."""
    if not ctx.user.can(Permission.PAY):
        raise NotAllowed("forbidden")
    payment = session.exec(select(Payment).where(Payment.provider_intent_id == (intent_id or "")[:80],
                                                 Payment.company_id == ctx.user.company_id,
                                                 scope.payments(ctx.user))).first()
    if payment is None:
        raise NotFound("invoice_not_found")
    return payment


def authentication_step(session: Session, ctx: RequestContext, *, intent_id: str) -> Money | PaymentOutcome:
    """What the 3-D Secure page asks to confirm or, once it was answered (in this tab before a
    reload or a reconnection, or in another tab), how that answer ended.

    Raises:
        NotAllowed: ``forbidden`` without the payment permission.
        NotFound: Not a payment of this company.
    """
    payment = _awaited_payment(session, ctx, intent_id)
    if payment.status != PaymentStatus.REQUIRES_ACTION.value:
        return outcome(session, payment)
    return Money(payment.amount_minor, payment.currency)


def _still_due(session: Session, payment: Payment) -> bool:
    """Whether the payment's document still awaits exactly this payment."""
    order = session.get(SalesOrder, payment.order_id) if payment.order_id else None
    invoice = session.get(Invoice, payment.invoice_id) if payment.invoice_id else None
    try:
        left = due(session, order, invoice)
    except InvalidInput:
        return False
    return (left.minor, left.currency) == (payment.amount_minor, payment.currency)


def complete_authentication(session: Session, ctx: RequestContext, *, intent_id: str, approved: bool,
                            provider: PaymentProvider | None, vendor: VendorSettings) -> PaymentOutcome:
    """Back from the 3-D Secure page: settle the payment if the bank approved it.

    Raises:
        NotAllowed: ``forbidden`` without the payment permission.
        NotFound: No payment of this company waits for that authentication.
        InvalidInput: ``payments_unavailable`` when no provider is configured.
    """
    provider = require_provider(provider)
    payment = _awaited_payment(session, ctx, intent_id)
    if payment.status != PaymentStatus.REQUIRES_ACTION.value:
        return outcome(session, payment)
    # The claim is refreshed before the bank is asked, so that no other attempt can take the
    # document over meanwhile; if another attempt already took it over (this one was left
    # waiting past CLAIM_LAPSE), approving now could charge twice: it ends here, bank unasked.
    refreshed = session.exec(sa.update(PaymentClaim).where(
        PaymentClaim.target == claim_target(payment), PaymentClaim.idempotency_key == payment.idempotency_key)
        .values(claimed_at=ctx.now))
    if refreshed.rowcount != 1:
        expired = move_if(session, Payment, payment.id, PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED, ctx,
                          values={"failure_code": "authentication_expired"}, company_id=payment.company_id,
                          subject=claim_target(payment), detail={"payment": payment.provider_intent_id})
        if expired:
            count_payment(session, PaymentStatus.FAILED)
        return outcome(session, session.exec(select(Payment).where(Payment.id == payment.id)
                                             .execution_options(populate_existing=True)).one())
    still_due = _still_due(session, payment)
    session.commit()  # no transaction open across the provider call
    if still_due:
        payment = conclude(session, ctx, payment,
                           provider.complete_authentication(payment.provider_intent_id, approved=approved), vendor)
    else:  # cancelled by a credit note, or now due another amount, meanwhile: the bank charges nothing
        payment = conclude(session, ctx, payment, provider.cancel_intent(payment.provider_intent_id), vendor,
                           canceled_code="not_payable")
    return outcome(session, payment)
