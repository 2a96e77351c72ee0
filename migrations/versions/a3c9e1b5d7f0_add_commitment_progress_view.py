"""add commitment_progress view

Revision ID: a3c9e1b5d7f0
Revises: 6f0a2c8e4d57
Create Date: 2025-02-24 09:20:03.641158

"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a3c9e1b5d7f0"
down_revision: str | Sequence[str] | None = "6f0a2c8e4d57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE VIEW commitment_progress AS
        SELECT
            c.id AS commitment_id,
            c.value_model_id,
            c.customer_id,
            c.status,
            c.target_value,
            coalesce(sum(d.quantity), 0)::numeric(12, 2) AS delivered_value,
            round(100 * coalesce(sum(d.quantity), 0) / c.target_value, 1)
                AS percent_delivered,
            count(d.id) AS delivery_count,
            max(d.delivered_on) AS last_delivered_on
        FROM commitments AS c
        LEFT JOIN deliveries AS d ON d.commitment_id = c.id
        GROUP BY c.id
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW commitment_progress")
