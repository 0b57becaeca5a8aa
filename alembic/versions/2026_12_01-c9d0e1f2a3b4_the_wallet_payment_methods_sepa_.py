"""the wallet: payment methods, SEPA mandates, automatic collection

A contract names the method that pays it (none: bank transfer); a payment may be a saved
method's off-session charge, and a SEPA debit waits "processing" for the bank's answer.

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-01 16:29:46.989952

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c9d0e1f2a3b4'
down_revision: Union[str, None] = 'b8c9d0e1f2a3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PAYMENT_STATUSES = "status IN ('requires_action', {}'succeeded', 'failed')"


def upgrade() -> None:
    op.create_table('sandbox_customer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id'),
    sa.UniqueConstraint('reference')
    )
    op.create_table('sandbox_payment_method',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('method_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('customer_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('brand', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('last4', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('behaviour', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('mandate_reference', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
    sa.Column('detached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('method_id')
    )
    with op.batch_alter_table('sandbox_payment_method', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_payment_method_customer_id'), ['customer_id'], unique=False)

    op.create_table('sandbox_setup_intent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('setup_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('customer_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('method_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('failure_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('setup_id')
    )
    op.create_table('payment_method',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('provider_method_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('setup_intent_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('holder_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('card_brand', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('card_last4', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('exp_month', sa.Integer(), nullable=True),
    sa.Column('exp_year', sa.Integer(), nullable=True),
    sa.Column('iban_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('iban_last4', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('bic', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('mandate_reference', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('use_for_all', sa.Boolean(), nullable=False),
    sa.Column('expiry_notice_days', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('detached_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('card', 'sepa_debit')", name='ck_payment_method_kind'),
    sa.CheckConstraint("status IN ('pending', 'active', 'removed')", name='ck_payment_method_status'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mandate_reference'),
    sa.UniqueConstraint('provider_method_id'),
    sa.UniqueConstraint('setup_intent_id')
    )
    with op.batch_alter_table('payment_method', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_method_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ux_payment_method_default', ['company_id'], unique=True, sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.create_table('mandate_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_method_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('signer_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('signer_email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('holder_address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=True),
    sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('document_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('document_locale', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('document_pdf', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_method.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('payment_method_id')
    )
    op.create_table('collection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('payment_method_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('next_attempt_on', sa.Date(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_failure_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('payment_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'processing', 'action_required', 'succeeded', 'failed', 'canceled')", name='ck_collection_status'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_method.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id')
    )
    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_collection_due', ['status', 'next_attempt_on'], unique=False)

    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_customer_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))

    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_method_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contract_payment_method_id'), ['payment_method_id'], unique=False)
        batch_op.create_foreign_key('fk_contract_payment_method', 'payment_method', ['payment_method_id'], ['id'])

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_method_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('method_kind', sqlmodel.sql.sqltypes.AutoString(length=20), server_default='card', nullable=False))
        batch_op.alter_column('created_by',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_foreign_key('fk_payment_payment_method', 'payment_method', ['payment_method_id'], ['id'])
        batch_op.drop_constraint('ck_payment_status', type_='check')
        batch_op.create_check_constraint('ck_payment_status', PAYMENT_STATUSES.format("'processing', "))

    with op.batch_alter_table('sandbox_intent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_method_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.add_column(sa.Column('settles_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('sandbox_intent', schema=None) as batch_op:
        batch_op.drop_column('settles_at')
        batch_op.drop_column('payment_method_id')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint('ck_payment_status', type_='check')
        batch_op.create_check_constraint('ck_payment_status', PAYMENT_STATUSES.format(''))
        batch_op.drop_constraint('fk_payment_payment_method', type_='foreignkey')
        batch_op.alter_column('created_by',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('method_kind')
        batch_op.drop_column('payment_method_id')

    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_constraint('fk_contract_payment_method', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contract_payment_method_id'))
        batch_op.drop_column('payment_method_id')

    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('provider_customer_id')

    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.drop_index('ix_collection_due')
        batch_op.drop_index(batch_op.f('ix_collection_company_id'))

    op.drop_table('collection')
    op.drop_table('mandate_signature')
    with op.batch_alter_table('payment_method', schema=None) as batch_op:
        batch_op.drop_index('ux_payment_method_default', sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))
        batch_op.drop_index(batch_op.f('ix_payment_method_company_id'))

    op.drop_table('payment_method')
    op.drop_table('sandbox_setup_intent')
    with op.batch_alter_table('sandbox_payment_method', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_payment_method_customer_id'))

    op.drop_table('sandbox_payment_method')
    op.drop_table('sandbox_customer')
