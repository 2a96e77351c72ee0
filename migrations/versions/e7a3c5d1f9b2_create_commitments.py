"""create commitments and the commitment_status enum

Revision ID: e7a3c5d1f9b2
Revises: 9d2f6b0e1a84
Create Date: 2025-01-20 14:31:08.927745

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "e7a3c5d1f9b2"
down_revision: str | Sequence[str] | None = "9d2f6b0e1a84"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The type is created and dropped explicitly, not as a side effect of
# create_table, so that the downgrade removes it again.
commitment_status = postgresql.ENUM(
    "draft",
    "active",
    "fulfilled",
    "cancelled",
    name="commitment_status",
    create_type=False,
)


def upgrade() -> None:
    commitment_status.create(op.get_bind(), checkfirst=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value_model_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            commitment_status,
            server_default="draft",
            nullable=False,
        ),
        sa.Column("target_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "target_value > 0",
            name=op.f("ck_commitments_target_value_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_commitments_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["value_model_id"],
            ["value_models.id"],
            name=op.f("fk_commitments_value_model_id_value_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    op.create_index(
        op.f("ix_commitments_customer_id"),
        "commitments",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_commitments_value_model_id"),
        "commitments",
        ["value_model_id"],
        unique=False,
    )
    # Only active commitments are chased for their due date.
    op.create_index(
        "ix_commitments_due_on_active",
        "commitments",
        ["due_on"],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_commitments_due_on_active",
        table_name="commitments",
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_index(op.f("ix_commitments_value_model_id"), table_name="commitments")
    op.drop_index(op.f("ix_commitments_customer_id"), table_name="commitments")
    op.drop_table("commitments")
    commitment_status.drop(op.get_bind(), checkfirst=False)
