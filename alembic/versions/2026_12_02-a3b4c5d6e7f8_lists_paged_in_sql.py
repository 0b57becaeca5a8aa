"""lists paged in SQL: indexes for the invoices, orders, contracts and payments lists and the
activity log

Each list of a company is read in its sort order from an index that starts with the company and
ends with the order's tie-breaker, so a page stops after its 25 rows; the invoices' status index
answers the status filters and their counts. The activity log pages by (occurred_at, id): its
index now ends with the id (it replaces the one on (company_id, occurred_at)).

Revision ID: a3b4c5d6e7f8
Revises: 623f706e7825
Create Date: 2026-12-02 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


revision: str = 'a3b4c5d6e7f8'
down_revision: Union[str, None] = '623f706e7825'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


INVOICE_INDEXES = {
    'ix_invoice_company_issued': ['company_id', 'issue_date', 'number'],
    'ix_invoice_company_due': ['company_id', 'due_date', 'number'],
    'ix_invoice_company_total': ['company_id', 'total_minor', 'number'],
    'ix_invoice_company_number': ['company_id', 'number'],
    'ix_invoice_company_status': ['company_id', 'status', 'kind', 'due_date', 'issue_date', 'number'],
}


def upgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        for name, columns in INVOICE_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_company_start', ['company_id', 'start_date', 'id'], unique=False)

    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.create_index('ix_contract_company_end', ['company_id', 'end_date', 'id'], unique=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_company_paid', ['company_id', 'status', 'paid_at', 'id', 'paid_invoice_id'],
                              unique=False)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_company_occurred_id', ['company_id', 'occurred_at', 'id'],
                              unique=False)
        batch_op.drop_index('ix_audit_event_company_occurred')


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_company_occurred', ['company_id', 'occurred_at'], unique=False)
        batch_op.drop_index('ix_audit_event_company_occurred_id')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_company_paid')

    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index('ix_contract_company_end')

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_company_start')

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        for name in reversed(INVOICE_INDEXES):
            batch_op.drop_index(name)
