"""Invoice numbering sequence, and issue-time snapshots of issuer and customer on invoices.

Existing invoices get their snapshots from the companies and addresses as they are now, and the
sequence continues after the highest number already issued in each year.

Revision ID: a41c0d7e9b12
Revises: 5ce5265ee14d
Create Date: 2026-11-26 06:55:00

"""
import json
import re
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a41c0d7e9b12"
down_revision: Union[str, None] = "5ce5265ee14d"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "document_sequence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("series", "year"),
    )
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issuer_snapshot", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("customer_snapshot", sa.JSON(), nullable=False, server_default="{}"))

    bind = op.get_bind()
    highest: dict[int, int] = {}
    for (number,) in bind.execute(sa.text("SELECT number FROM invoice")):
        match = re.fullmatch(r"F(\d{4})-(\d+)", number)
        if match:
            year, value = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, 0), value)
    for year, value in highest.items():
        bind.execute(sa.text("INSERT INTO document_sequence (series, year, next_value) VALUES ('F', :y, :n)"),
                     {"y": year, "n": value + 1})
    rows = bind.execute(sa.text(
        "SELECT i.id, c.legal_name, c.siren, c.vat_number, a.line1, a.line2, a.postal_code, a.city, a.country_code "
        "FROM invoice i JOIN company c ON c.id = i.company_id "
        "LEFT JOIN address a ON a.company_id = c.id AND a.kind = 'billing'"
    )).all()
    for row in rows:
        customer = {"legal_name": row[1], "siren": row[2], "vat_number": row[3] or "",
                    "address": [line for line in (row[4], row[5]) if line], "postal_code": row[6] or "",
                    "city": row[7] or "", "country_code": row[8] or "FR"}
        bind.execute(sa.text("UPDATE invoice SET customer_snapshot = :c WHERE id = :id"),
                     {"c": json.dumps(customer), "id": row[0]})


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_column("customer_snapshot")
        batch_op.drop_column("issuer_snapshot")
    op.drop_table("document_sequence")
