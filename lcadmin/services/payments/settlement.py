"""What a succeeded charge does: the invoice is paid (an order first gets its invoice, paid), and
the numbered receipt goes to the billing contact and to the person who paid (``receipts``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_date
from lcadmin.domain.statuses import InvoiceStatus, OrderStatus, PaymentStatus
from lcadmin.models import Invoice, OrderLine, Payment, SalesOrder
from lcadmin.payments.provider import PaymentIntent
from lcadmin.services import receipts
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.invoicing import LineInput, amount_due, issue_invoice, mark_paid
from lcadmin.services.lifecycle import move
from lcadmin.settings import VendorSettings


@dataclass(frozen=True)
class PaymentOutcome:
    """``succeeded`` (with the paid invoice), ``requires_action`` (with the 3-D Secure page) or
    ``failed`` (with a decline code)."""

    status: PaymentStatus
    invoice_number: str | None = None
    failure_code: str | None = None
    action_url: str | None = None


def payment_status(intent: PaymentIntent) -> PaymentStatus:
    """A payment's status for the provider's answer: a canceled intent is a failed attempt."""
    try:
        return PaymentStatus(intent.status)
    except ValueError:
        return PaymentStatus.FAILED


def failure_code(intent: PaymentIntent, canceled_code: str = "authentication_expired") -> str | None:
    """Why an attempt failed: the provider's decline code, or ``canceled_code`` for an intent
    canceled before it charged."""
    return canceled_code if intent.status == "canceled" else intent.failure_code


def outcome(session: Session, payment: Payment, action_url: str | None = None) -> PaymentOutcome:
    """What the payer is told of a recorded attempt."""
    invoice = session.get(Invoice, payment.paid_invoice_id) if payment.paid_invoice_id else None
    return PaymentOutcome(PaymentStatus(payment.status), invoice.number if invoice else None,
                          payment.failure_code, action_url)


def _invoice_of_order(session: Session, ctx: RequestContext, order: SalesOrder, vendor: VendorSettings) -> Invoice:
    """A signed order paid online: it is paid, and its invoice issued, paid at once."""
    move(session, order, OrderStatus.PAID, ctx, company_id=order.company_id, subject=f"order:{order.number}")
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position))
    return issue_invoice(
        session, ctx, company_id=order.company_id, order_id=order.id,
        issue_date=business_date(ctx.now, vendor.timezone), payment_terms_days=0,
        period=(order.start_date, order.end_date), vendor=vendor, currency=order.currency,
        purchase_order_ref=order.purchase_order_ref,
        lines=[LineInput(line.description, line.quantity, line.unit_price_minor, line.tax_rate_bp,
                         line.description_en or "") for line in lines])


def settle(session: Session, ctx: RequestContext, payment: Payment, vendor: VendorSettings) -> None:
    """The charge succeeded: the invoice is paid (an order first gets its invoice), a receipt goes
    out in ``ctx.locale``. An invoice no longer open by then (a credit note cancelled it meanwhile)
    is left as it is: the charge stays on record and an audit event asks for a refund."""
    if payment.order_id is not None:
        invoice = _invoice_of_order(session, ctx, session.get(SalesOrder, payment.order_id), vendor)
    else:
        invoice = session.exec(select(Invoice).where(Invoice.id == payment.invoice_id).with_for_update()
                               .execution_options(populate_existing=True)).one()
        refund = None
        if invoice.status != InvoiceStatus.OPEN.value:
            refund = {"invoice_status": invoice.status}
        elif payment.amount_minor > amount_due(session, invoice):  # a credit note came while it was charged
            refund = {"reason": "paid_more_than_due"}
        if refund is not None:
            record_event(session, action=AuditAction.PAYMENT_NEEDS_REFUND, outcome="failure",
                         company_id=payment.company_id, subject=f"invoice:{invoice.number}",
                         detail={"payment": payment.provider_intent_id, **refund}, now=ctx.now)
            if invoice.status != InvoiceStatus.OPEN.value:
                return
    mark_paid(session, ctx, invoice)
    payment.paid_invoice_id = invoice.id
    receipts.number_receipt(session, ctx, payment, vendor)
    receipts.send_receipts(session, ctx, payment, invoice, vendor)
    record_event(session, action=AuditAction.PAYMENT_SUCCEEDED, outcome="success", actor_user_id=payment.created_by,
                 company_id=payment.company_id, subject=f"invoice:{invoice.number}",
                 detail={"payment": payment.provider_intent_id}, now=ctx.now)
