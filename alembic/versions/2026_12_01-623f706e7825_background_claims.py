"""background claims: how long a background round holds a removed payment method it detaches at
the provider, and a payment claim the reconciliation settles

Revision ID: 623f706e7825
Revises: f2a3b4c5d6e7
Create Date: 2026-12-01 23:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '623f706e7825'
down_revision: Union[str, None] = 'f2a3b4c5d6e7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('payment_method', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detaching_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('payment_claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settling_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Only the rounds' claims go: a round under way at that moment may be repeated once.
    with op.batch_alter_table('payment_claim', schema=None) as batch_op:
        batch_op.drop_column('settling_until')
    with op.batch_alter_table('payment_method', schema=None) as batch_op:
        batch_op.drop_column('detaching_until')
