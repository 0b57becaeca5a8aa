"""admins: four roles, contract scope, time-limited access, admin invitations, 2FA policy

The roles become admin, billing_admin, licence_admin and billing_reader. The old 'member' role
held no permission at all: its rows are removed (no access is widened by the upgrade); admins
stay full admins and the activation flow's accounts stay billing admins. An admin invitation's
link is a single-use token of its own purpose ('admin').

Revision ID: e1f2a3b4c5d6
Revises: d0e1f2a3b4c5
Create Date: 2026-12-01 19:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'e1f2a3b4c5d6'
down_revision: Union[str, None] = 'd0e1f2a3b4c5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


PURPOSES = "purpose IN ('activate', 'approve', 'refuse', 'report', 'reset', 'licence'{})"
ROLES = "role IN ('admin', 'billing_admin', 'licence_admin', 'billing_reader')"
OLD_ROLES = "role IN ('admin', 'billing_admin', 'member')"


def _purposes(condition: str) -> None:
    with op.batch_alter_table('action_token') as batch_op:
        batch_op.drop_constraint('ck_action_token_purpose', type_='check')
        batch_op.create_check_constraint('ck_action_token_purpose', condition)


def upgrade() -> None:
    _purposes(PURPOSES.format(", 'admin'"))
    op.execute("DELETE FROM membership WHERE role NOT IN ('admin', 'billing_admin')")
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint('ck_membership_role', type_='check')
        batch_op.create_check_constraint('ck_membership_role', ROLES)
        batch_op.add_column(sa.Column('all_contracts', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('access_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('expiry_notice_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('added_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_membership_added_by', 'user_account', ['added_by'], ['id'])
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_two_factor', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('membership_contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('membership_id', 'contract_id')
    )
    with op.batch_alter_table('membership_contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_contract_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_contract_membership_id'), ['membership_id'], unique=False)

    op.create_table('admin_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('all_contracts', sa.Boolean(), nullable=False),
    sa.Column('contract_ids', sa.JSON(), nullable=False),
    sa.Column('access_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=False),
    sa.Column('link_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_by', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(ROLES, name='ck_admin_invitation_role'),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'expired', 'revoked')", name='ck_admin_invitation_status'),
    sa.ForeignKeyConstraint(['accepted_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['invited_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('admin_invitation', schema=None) as batch_op:
        batch_op.create_index('ix_admin_invitation_company_status', ['company_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_table('admin_invitation')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('require_two_factor')
    # A licence admin or a billing reader had no equivalent before, nor had an access limited to
    # some contracts or in time: those are removed rather than widened.
    op.execute("DELETE FROM membership WHERE role NOT IN ('admin', 'billing_admin') OR access_until IS NOT NULL "
               "OR id IN (SELECT membership_id FROM membership_contract)")
    op.drop_table('membership_contract')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint('fk_membership_added_by', type_='foreignkey')
        batch_op.drop_column('added_by')
        batch_op.drop_column('expiry_notice_at')
        batch_op.drop_column('access_until')
        batch_op.drop_column('all_contracts')
        batch_op.drop_constraint('ck_membership_role', type_='check')
        batch_op.create_check_constraint('ck_membership_role', OLD_ROLES)
    op.execute("DELETE FROM action_token WHERE purpose = 'admin'")
    _purposes(PURPOSES.format(""))
