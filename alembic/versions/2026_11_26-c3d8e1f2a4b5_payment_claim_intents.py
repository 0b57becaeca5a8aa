"""payment claims record the intent, the card and the payer before the charge

Revision ID: c3d8e1f2a4b5
Revises: b7e2c4d9a0f1
Create Date: 2026-11-26 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision: str = 'c3d8e1f2a4b5'
down_revision: Union[str, None] = 'b7e2c4d9a0f1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('payment_claim') as batch_op:
        batch_op.add_column(sa.Column('intent_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.add_column(sa.Column('card_brand', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('card_last4', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_payment_claim_user_id_user_account', 'user_account', ['user_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('payment_claim') as batch_op:
        batch_op.drop_constraint('fk_payment_claim_user_id_user_account', type_='foreignkey')
        batch_op.drop_column('user_id')
        batch_op.drop_column('card_last4')
        batch_op.drop_column('card_brand')
        batch_op.drop_column('intent_id')
