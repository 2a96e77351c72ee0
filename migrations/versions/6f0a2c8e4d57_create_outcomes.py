"""create outcomes

Revision ID: 6f0a2c8e4d57
Revises: 2b8d4f6a0c13
Create Date: 2025-02-10 16:48:29.074913

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "6f0a2c8e4d57"
down_revision: str | Sequence[str] | None = "2b8d4f6a0c13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("measured_value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column(
            "confidence",
            sa.SmallInteger(),
            server_default=sa.text("50"),
            nullable=False,
            comment="Confidence in the measurement, in percent",
        ),
        sa.Column(
            "is_verified",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 100",
            name=op.f("ck_outcomes_confidence_range"),
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_outcomes_commitment_id_commitments"),
            ondelete="CASCADE",
        ),
        # An outcome outlives the delivery it was measured after.
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_outcomes_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
        sa.UniqueConstraint(
            "commitment_id",
            "metric",
            "recorded_at",
            name=op.f("uq_outcomes_commitment_id_metric_recorded_at"),
        ),
    )
    op.create_index(op.f("ix_outcomes_delivery_id"), "outcomes", ["delivery_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outcomes_delivery_id"), table_name="outcomes")
    op.drop_table("outcomes")
