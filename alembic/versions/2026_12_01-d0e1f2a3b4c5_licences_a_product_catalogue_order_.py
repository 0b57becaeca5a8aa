"""licences: a product catalogue, order lines naming a product, seats

A line naming a product sells its quantity of seats; existing lines name none and stay valid.
A seat's holder is invited by a single-use link of its own purpose ('licence').

Revision ID: d0e1f2a3b4c5
Revises: c9d0e1f2a3b4
Create Date: 2026-12-01 17:30:50.001004

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'd0e1f2a3b4c5'
down_revision: Union[str, None] = 'c9d0e1f2a3b4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


PURPOSES = "purpose IN ('activate', 'approve', 'refuse', 'report', 'reset'{})"


def _purposes(condition: str) -> None:
    with op.batch_alter_table('action_token') as batch_op:
        batch_op.drop_constraint('ck_action_token_purpose', type_='check')
        batch_op.create_check_constraint('ck_action_token_purpose', condition)


def upgrade() -> None:
    _purposes(PURPOSES.format(", 'licence'"))
    op.create_table('product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name_fr', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('invite_locale', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_active_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('invited', 'active', 'revoked', 'unassigned')", name='ck_seat_status'),
    sa.ForeignKeyConstraint(['assigned_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_seat_pool', ['company_id', 'contract_id', 'product_id', 'status'], unique=False)
        batch_op.create_index('ix_seat_company_email', ['company_id', 'email'], unique=False)
        batch_op.create_index('ix_seat_company_name', ['company_id', sa.text('lower(full_name)')], unique=False)
        batch_op.create_index('ux_seat_holder', ['company_id', 'product_id', 'email'], unique=True, sqlite_where=sa.text("status IN ('invited', 'active')"), postgresql_where=sa.text("status IN ('invited', 'active')"))

    op.create_table('seat_pool_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'contract_id', 'product_id')
    )
    with op.batch_alter_table('seat_pool_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_pool_count_company_id'), ['company_id'], unique=False)

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('add_on', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_line_product_id'), ['product_id'], unique=False)
        batch_op.create_foreign_key('fk_order_line_product', 'product', ['product_id'], ['id'])



def downgrade() -> None:
    op.execute("DELETE FROM action_token WHERE purpose = 'licence'")
    _purposes(PURPOSES.format(""))
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_constraint('fk_order_line_product', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_order_line_product_id'))
        batch_op.drop_column('product_id')

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_column('add_on')

    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.drop_index('ux_seat_holder', sqlite_where=sa.text("status IN ('invited', 'active')"), postgresql_where=sa.text("status IN ('invited', 'active')"))
        batch_op.drop_index('ix_seat_company_name')
        batch_op.drop_index('ix_seat_company_email')
        batch_op.drop_index('ix_seat_pool')
        batch_op.drop_index(batch_op.f('ix_seat_company_id'))

    op.drop_table('seat_pool_count')
    op.drop_table('seat')
    op.drop_table('product')
