"""add customers.external_ref

Revision ID: 7e9b1d3f5a28
Revises: d1e3f5a7b9c2
Create Date: 2025-03-24 11:03:55.846120

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7e9b1d3f5a28"
down_revision: str | Sequence[str] | None = "d1e3f5a7b9c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "customers",
        sa.Column(
            "external_ref",
            sa.String(length=40),
            nullable=True,
            comment="Identifier of the customer in the CRM",
        ),
    )
    # Archived customers may keep a stale CRM reference; active ones may not
    # share one. Built concurrently, outside the transaction: writes to customers
    # go on while it is built.
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_customers_external_ref_active",
            "customers",
            ["external_ref"],
            unique=True,
            postgresql_where=sa.text("is_active"),
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_customers_external_ref_active",
            table_name="customers",
            postgresql_where=sa.text("is_active"),
            postgresql_concurrently=True,
        )
    op.drop_column("customers", "external_ref")
