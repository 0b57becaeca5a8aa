"""receipts have a number of their own and a payment time; contacts have a language

Revision ID: a7b8c9d0e1f2
Revises: f6a7b8c9d0e1
Create Date: 2026-12-01 15:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'a7b8c9d0e1f2'
down_revision: Union[str, None] = 'f6a7b8c9d0e1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('payment') as batch_op:
        batch_op.add_column(sa.Column('receipt_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint('uq_payment_receipt_number', ['receipt_number'])
    with op.batch_alter_table('contact') as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=False, server_default='fr'))


def downgrade() -> None:
    with op.batch_alter_table('contact') as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('payment') as batch_op:
        batch_op.drop_constraint('uq_payment_receipt_number', type_='unique')
        batch_op.drop_column('paid_at')
        batch_op.drop_column('receipt_number')
