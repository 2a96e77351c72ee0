"""create deliveries with a delivery number sequence

Revision ID: 2b8d4f6a0c13
Revises: e7a3c5d1f9b2
Create Date: 2025-02-03 11:12:44.360582

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "2b8d4f6a0c13"
down_revision: str | Sequence[str] | None = "e7a3c5d1f9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Delivery numbers are shown to customers, so they come from their own
# sequence (starting at 1000) rather than from the surrogate key.
delivery_number_seq = sa.Sequence("delivery_number_seq", start=1000)


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(delivery_number_seq))

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "delivery_number",
            sa.BigInteger(),
            server_default=sa.text("nextval('delivery_number_seq')"),
            nullable=False,
        ),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column(
            "delivered_on",
            sa.Date(),
            server_default=sa.text("CURRENT_DATE"),
            nullable=False,
        ),
        sa.Column("quantity", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_deliveries_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_deliveries_commitment_id_commitments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("delivery_number", name=op.f("uq_deliveries_delivery_number")),
    )
    op.create_index(
        op.f("ix_deliveries_commitment_id"),
        "deliveries",
        ["commitment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_deliveries_commitment_id"), table_name="deliveries")
    op.drop_table("deliveries")
    # The column default depended on the sequence; it is gone now.
    op.execute(sa.schema.DropSequence(delivery_number_seq))
