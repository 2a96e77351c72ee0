"""create value_models

Revision ID: 9d2f6b0e1a84
Revises: 4c1e8a9f2b37
Create Date: 2025-01-13 10:05:51.118407

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9d2f6b0e1a84"
down_revision: str | Sequence[str] | None = "4c1e8a9f2b37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "value_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "unit",
            sa.String(length=16),
            server_default="EUR",
            nullable=False,
            comment="Unit that commitments and deliveries are measured in",
        ),
        sa.Column(
            "is_archived",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_models")),
        sa.UniqueConstraint("slug", name=op.f("uq_value_models_slug")),
        comment="Catalogue of the ways value delivered to customers is measured",
    )
    # Case-insensitive search by name.
    op.create_index(
        "ix_value_models_lower_name",
        "value_models",
        [sa.text("lower(name)")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_value_models_lower_name", table_name="value_models")
    op.drop_table("value_models")
