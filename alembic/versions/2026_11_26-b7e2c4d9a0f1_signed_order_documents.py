"""signed order documents: the exact PDF each signer signed

Revision ID: b7e2c4d9a0f1
Revises: 29ff72943c4c
Create Date: 2026-11-26 09:00:00

Signatures recorded before this revision kept only the hash of the document; their PDF is
rendered again from the order (as it was then), which is the best that can be done for them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'b7e2c4d9a0f1'
down_revision: Union[str, None] = '29ff72943c4c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('order_signature') as batch_op:
        batch_op.add_column(sa.Column('document_pdf', sa.LargeBinary(), nullable=False, server_default=sa.text("''")))
    with op.batch_alter_table('order_signature') as batch_op:
        batch_op.alter_column('document_pdf', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('order_signature') as batch_op:
        batch_op.drop_column('document_pdf')
