"""a verified activation is finished only by the browser tab that clicked its link

Revision ID: d4e5f6a7b8c9
Revises: c3d8e1f2a4b5
Create Date: 2026-12-01 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision: str = 'd4e5f6a7b8c9'
down_revision: Union[str, None] = 'c3d8e1f2a4b5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('activation_request') as batch_op:
        batch_op.add_column(sa.Column('completion_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_activation_request_completion_hash', ['completion_hash'])
    # A request verified before this change names no secret: it can no longer be finished and
    # its requester clicks a new link (at most two hours of verified requests are affected).
    op.execute("UPDATE activation_request SET status = 'revoked' WHERE status = 'verified'")


def downgrade() -> None:
    with op.batch_alter_table('activation_request') as batch_op:
        batch_op.drop_constraint('uq_activation_request_completion_hash', type_='unique')
        batch_op.drop_column('completion_hash')
