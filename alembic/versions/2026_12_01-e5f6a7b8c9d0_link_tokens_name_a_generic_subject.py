"""link tokens name a generic subject (purpose + subject id), not only activation requests

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-01 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'e5f6a7b8c9d0'
down_revision: Union[str, None] = 'd4e5f6a7b8c9'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('action_token') as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
    op.execute("UPDATE action_token SET subject_id = request_id")
    with op.batch_alter_table('action_token') as batch_op:
        batch_op.drop_index('ix_action_token_request_id')
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('request_id')
        batch_op.create_index('ix_action_token_subject', ['purpose', 'subject_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('action_token') as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
    op.execute("UPDATE action_token SET request_id = subject_id")
    with op.batch_alter_table('action_token') as batch_op:
        batch_op.drop_index('ix_action_token_subject')
        batch_op.alter_column('request_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_action_token_request_id_activation_request', 'activation_request',
                                    ['request_id'], ['id'])
        batch_op.create_index('ix_action_token_request_id', ['request_id'], unique=False)
        batch_op.drop_column('subject_id')
