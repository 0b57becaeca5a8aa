"""password reset links: a link token may also be for a user account's new password

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-12-01 14:30:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = 'f6a7b8c9d0e1'
down_revision: Union[str, None] = 'e5f6a7b8c9d0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _purposes(condition: str) -> None:
    with op.batch_alter_table('action_token') as batch_op:
        batch_op.drop_constraint('ck_action_token_purpose', type_='check')
        batch_op.create_check_constraint('ck_action_token_purpose', condition)


def upgrade() -> None:
    _purposes("purpose IN ('activate', 'approve', 'refuse', 'report', 'reset')")


def downgrade() -> None:
    op.execute("DELETE FROM action_token WHERE purpose = 'reset'")
    _purposes("purpose IN ('activate', 'approve', 'refuse', 'report')")
