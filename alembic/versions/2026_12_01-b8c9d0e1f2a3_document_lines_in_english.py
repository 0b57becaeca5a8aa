"""order and invoice lines may carry their description in English too

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-01 15:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'b8c9d0e1f2a3'
down_revision: Union[str, None] = 'a7b8c9d0e1f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for table in ('order_line', 'invoice_line'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('description_en', sa.String(length=500), nullable=True))


def downgrade() -> None:
    for table in ('order_line', 'invoice_line'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('description_en')
